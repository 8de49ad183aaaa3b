"""The xAPI methods of XoWSClient, on top of its raw `call()`.

Kept apart from the connection machinery: these only shape requests (paths, command
arguments, multiline bodies). The feedback registrations, whose client-side ids must
survive reconnects, are xshell.transport.feedbackapi's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any

log = logging.getLogger(__name__)

PathLike = str | Sequence[str | int]


_SEEN: dict[str, tuple[str | int, ...]] = {}  # string paths already split (a shell repeats them)
_SEEN_MAX = 512


def normalize_path(path: PathLike, what: str = "path") -> list[str | int]:
    """`"Status/Audio/Volume"` or a list → list; digit strings become ints (instance ids)."""
    kind = type(path)
    if kind is list or kind is tuple:  # fast path: plain names and ids need no work
        for elem in path:
            if not ((type(elem) is str and elem.isidentifier()) or type(elem) is int):
                break
        else:
            if path:
                return list(path)
    elif kind is str:
        seen = _SEEN.get(path)  # type: ignore[arg-type]  # a str: `kind is str` (faster than isinstance)
        if seen is not None:
            return list(seen)
        out = _normalize(path, what)
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[path] = tuple(out)  # type: ignore[index]  # a str, as above
        return out
    return _normalize(path, what)


def _normalize(path: PathLike, what: str) -> list[str | int]:
    if isinstance(path, str):
        elems: list[str | int] = [p for p in path.replace(" ", "/").split("/") if p]
    elif isinstance(path, Sequence):
        elems = list(path)
    else:
        raise ValueError(f"{what} must be a list or a slash-separated string, "
                         f"not {type(path).__name__}")
    out: list[str | int] = []
    for i, elem in enumerate(elems):
        if isinstance(elem, bool) or not isinstance(elem, (str, int)):
            raise ValueError(f"{what} element {i + 1} must be a name or a number, got {elem!r}")
        if isinstance(elem, str):
            elem = elem.strip()
            if not elem:
                raise ValueError(f"{what} element {i + 1} is empty")
            if elem.isascii() and elem.isdigit():
                elem = int(elem)
        out.append(elem)
    if not out:
        raise ValueError(f"empty {what}")
    return out


class XapiMethods:
    """xGet, xQuery, xSet, xCommand and xDoc as methods (a mixin of XoWSClient)."""

    if TYPE_CHECKING:  # provided by XoWSClient, which this mixin is part of
        def call(self, method: str, params: Any = None, *, timeout: float | None = None,
                 _hook: Callable[[Any], None] | None = None) -> Coroutine[Any, Any, Any]: ...

        def request(self, method: str, params: Any = None) -> Coroutine[Any, Any, Any]: ...

    # Each method is a plain def handing back request()'s awaitable: on the fast path the
    # reply's future itself, so thousands gathered cost no Task each (rawcalls.request).
    # A bad path or a value JSON cannot carry raises ValueError when called, not awaited.
    def get(self, path: PathLike) -> Coroutine[Any, Any, Any]:
        """xGet: a leaf's value or a subtree relative to `path` (root first). Await it."""
        return self.request("xGet", {"Path": normalize_path(path)})

    def query(self, query: PathLike) -> Coroutine[Any, Any, Any]:
        """xQuery: like get, `**` allowed, result rooted at Status/Configuration."""
        return self.request("xQuery", {"Query": normalize_path(query, "query")})

    def set(self, path: PathLike, value: str | int) -> Coroutine[Any, Any, Any]:
        """xSet a configuration; the device answers `true`."""
        return self.request("xSet", {"Path": normalize_path(path), "Value": value})

    def command(self, path: PathLike, params: Mapping[str, Any] | None = None,
                body: str | None = None) -> Coroutine[Any, Any, Any]:
        """xCommand/<path>: `params` by name (lists for repeats), `body` for multiline commands."""
        elems = normalize_path(path, "command path")
        if isinstance(elems[0], str) and elems[0].lower() in ("command", "xcommand"):
            elems = elems[1:]
        if not elems:
            raise ValueError("empty command path")
        args: dict[str, Any] = dict(params or {})
        if body is not None:
            args["body"] = body
        return self.request("xCommand/" + "/".join(str(e) for e in elems), args)

    def doc(self, path: PathLike, type: str = "Schema") -> Coroutine[Any, Any, Any]:  # noqa: A002 - xDoc's name
        """xDoc: the schema node at `path`."""
        return self.request("xDoc", {"Path": normalize_path(path), "Type": type})
