"""The xAPI methods of XoWSClient, on top of its raw `call()`.

Kept apart from the connection machinery: these only shape requests (paths, command
arguments, multiline bodies) and keep the feedback registrations, whose client-side
ids must survive reconnects (xshell.transport.registry).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from xshell.errors import InvalidParams
from xshell.transport.reconnect import ReconnectPolicy
from xshell.transport.registry import Registration, Registry, ResyncHandler, delivering
from xshell.transport.rpc import FeedbackHandler, RpcTable, Subscription

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
        seen = _SEEN.get(path)  # type: ignore[arg-type]
        if seen is not None:
            return list(seen)
        out = _normalize(path, what)
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[path] = tuple(out)  # type: ignore[index]
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
    """xGet, xQuery, xSet, xCommand, xDoc and xFeedback as methods (a mixin of XoWSClient)."""

    _rpc: RpcTable
    _registry: Registry
    reconnect_policy: ReconnectPolicy | None
    on_resync: ResyncHandler | None

    if TYPE_CHECKING:  # provided by XoWSClient, which this mixin is part of
        @property
        def connected(self) -> bool: ...

        def call(self, method: str, params: Any = None, *, timeout: float | None = None,
                 _hook: Callable[[Any], None] | None = None) -> Coroutine[Any, Any, Any]: ...

    def get(self, path: PathLike) -> Coroutine[Any, Any, Any]:
        """xGet: a leaf's value or a subtree relative to `path` (root first). Await it.

        A plain method handing back call()'s coroutine: one coroutine frame less per
        request, which shows when thousands are in flight. A bad path raises ValueError
        here, when called, rather than when awaited.
        """
        return self.call("xGet", {"Path": normalize_path(path)})

    async def query(self, query: PathLike) -> Any:
        """xQuery: like get, `**` allowed, result rooted at Status/Configuration."""
        return await self.call("xQuery", {"Query": normalize_path(query, "query")})

    async def set(self, path: PathLike, value: str | int) -> Any:
        """xSet a configuration; the device answers `true`."""
        return await self.call("xSet", {"Path": normalize_path(path), "Value": value})

    async def command(self, path: PathLike, params: Mapping[str, Any] | None = None,
                      body: str | None = None) -> Any:
        """xCommand/<path>: `params` by name (lists for repeats), `body` for multiline commands."""
        elems = normalize_path(path, "command path")
        if isinstance(elems[0], str) and elems[0].lower() in ("command", "xcommand"):
            elems = elems[1:]
        if not elems:
            raise ValueError("empty command path")
        args: dict[str, Any] = dict(params or {})
        if body is not None:
            args["body"] = body
        return await self.call("xCommand/" + "/".join(str(e) for e in elems), args)

    async def doc(self, path: PathLike, type: str = "Schema") -> Any:  # noqa: A002 - xDoc's name
        """xDoc: the schema node at `path`."""
        return await self.call("xDoc", {"Path": normalize_path(path), "Type": type})

    async def subscribe(self, query: PathLike, handler: FeedbackHandler,
                        notify_current: bool = False, *,
                        on_resync: ResyncHandler | None = None, quiet: bool = False) -> int:
        """xFeedback/Subscribe; `handler(payload, sub_id)` gets e.g. {"Status": {...}}.

        Returns a client-side id that stays valid across reconnects (the device's own Id
        changes with every connection: see device_id()). The handler is installed when the
        reply is read, before any later frame, so the NotifyCurrentValue notification
        always reaches it. After a reconnect the current values go to `on_resync(sub_id,
        payload)` (else the client's on_resync, else the handler). `quiet`: a subscription
        the caller keeps for itself (a shell's hidden live watch); it is restored like any
        other but not counted in the "restoring N feedback registrations" message.
        """
        q = normalize_path(query, "query")
        reg = self._registry.new(Subscription(tuple(q), handler, bool(notify_current)), on_resync, quiet)
        inner = Subscription(tuple(q), delivering(reg, self._rpc, self._default_resync),
                             bool(notify_current))
        params: dict[str, Any] = {"Query": q}
        if notify_current:
            params["NotifyCurrentValue"] = True
        result = await self.call("xFeedback/Subscribe", params, _hook=self._rpc.subscribe_hook(inner))
        self._registry.add(reg, int(result["Id"]))
        return reg.sub_id

    async def unsubscribe(self, sub_id: int) -> Any:
        """xFeedback/Unsubscribe; the local handler goes away whatever the device says.

        An id subscribe() never returned (or already unsubscribed) raises InvalidParams
        like the device would; a registration not made on the current link is just dropped.
        """
        reg = self._registry.remove(sub_id) if type(sub_id) is int else None
        if reg is None:
            raise InvalidParams("Unknown subscription Id", code=-32602, data={"Id": sub_id})
        device_id = reg.device_id
        reg.device_id = None
        if device_id is None:
            return True
        self._rpc.drop_subscription(device_id)
        if not self.connected:
            return True
        return await self.call("xFeedback/Unsubscribe", {"Id": device_id})

    def _default_resync(self) -> ResyncHandler | None:
        return self.on_resync

    async def _resubscribe(self, reg: Registration) -> None:
        """Make `reg` again on this link; its current values arrive as a resync."""
        sub = reg.subscription
        policy = self.reconnect_policy or ReconnectPolicy()
        resync = policy.resync and str(sub.query[0]).lower() != "event"
        notify = resync or sub.notify_current
        inner = Subscription(sub.query, delivering(reg, self._rpc, self._default_resync), notify)
        params: dict[str, Any] = {"Query": list(sub.query)}
        if notify:
            params["NotifyCurrentValue"] = True
        result = await self.call("xFeedback/Subscribe", params,
                                 _hook=self._rpc.subscribe_hook(inner, resync=resync))
        device_id = int(result["Id"])
        if self._registry.get(reg.sub_id) is reg:
            reg.device_id = device_id
            return
        self._rpc.drop_subscription(device_id)  # unsubscribed while this was on the way
        try:
            await self.call("xFeedback/Unsubscribe", {"Id": device_id})
        except Exception as exc:  # noqa: BLE001 - tidying up only
            log.info("could not unsubscribe %s: %s", device_id, exc)
