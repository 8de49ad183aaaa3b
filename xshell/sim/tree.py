"""Paths, query patterns and JSON trees — the shapes XoWS speaks in (spec xows.md §5–§7).

The simulator keeps every Status/Configuration value as one flat leaf per path (instance
ids inline) because that makes diffs, resets and matching trivial. Everything the wire
sees is a nested tree built from a selection of those leaves, so the one place that
decides how a selection becomes JSON — lists of objects with `id` for multi-instance
nodes, `ghost` for removed instances, strings in legacy mode, `id:1` on event nodes —
is here, and every method (xGet, xQuery, feedback, events) goes through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from xshell.schema.model import PathElem

STAR = "**"  # matches zero or more path elements (names or instance ids)


class _Ghost:
    """Marks a removed instance in a change list; rendered as {"id": n, "ghost": "True"}."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "GHOST"


GHOST = _Ghost()

Pattern = tuple[PathElem, ...]  # names lower-cased, ints, and STAR


class PathSyntaxError(ValueError):
    """A path element that is neither a name nor an instance id (bool, float, object…)."""


def normalize(raw: Any) -> tuple[PathElem, ...]:
    """A wire path as a tuple of names and ints; digit strings become ints.

    Raises PathSyntaxError (one sentence) for anything that is not a list of
    non-empty strings and non-negative integers.
    """
    if not isinstance(raw, (list, tuple)) or not raw:
        raise PathSyntaxError("the path must be a non-empty list of names and instance ids")
    out: list[PathElem] = []
    for pos, elem in enumerate(raw):
        if isinstance(elem, bool) or not isinstance(elem, (str, int)):
            raise PathSyntaxError(f"path element {pos} is not a name or an instance id")
        if isinstance(elem, str):
            elem = elem.strip()
            if not elem:
                raise PathSyntaxError(f"path element {pos} is empty")
            if elem.isdigit():
                elem = int(elem)
        if isinstance(elem, int) and elem < 0:
            raise PathSyntaxError(f"path element {pos} is a negative instance id")
        out.append(elem)
    return tuple(out)


def to_pattern(path: Sequence[PathElem]) -> Pattern:
    """Lower-case the names so matching is case-insensitive; ints and STAR stay."""
    return tuple(e.lower() if isinstance(e, str) and e != STAR else e for e in path)


def matches(pattern: Pattern, path: Sequence[PathElem], partial: bool = False) -> bool:
    """Whether `pattern` selects `path` (both rooted, or both below the same root).

    The pattern matches a *prefix* of the path (a query naming an inner node selects its
    whole subtree). A name in the pattern where the path has an instance id skips the id:
    a multi-instance node named without an id means every instance. With `partial`, a
    path that ends while the pattern still has elements also matches — a removed
    instance (ghost) concerns every query that reaches below it.
    """
    return _match(pattern, 0, path, 0, partial)


def _match(pat: Pattern, pi: int, path: Sequence[PathElem], qi: int, partial: bool) -> bool:
    while True:
        if pi == len(pat):
            return True
        if qi == len(path):
            return partial or all(p == STAR for p in pat[pi:])
        p, e = pat[pi], path[qi]
        if p == STAR:
            # zero elements, or swallow one and stay on the star
            return _match(pat, pi + 1, path, qi, partial) or _match(pat, pi, path, qi + 1, partial)
        if isinstance(p, int):
            if not isinstance(e, int) or e != p:
                return False
            pi, qi = pi + 1, qi + 1
            continue
        if isinstance(e, int):
            qi += 1  # every instance
            continue
        if e.lower() != p:
            return False
        pi, qi = pi + 1, qi + 1


class _Instances(dict[Any, Any]):
    """id -> subtree while building; becomes a sorted list of objects with `id`."""


def wire_value(value: Any, legacy: bool) -> Any:
    """Legacy (`/ws?legacy`) sends every leaf as a string, as tshell prints it."""
    if legacy and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def build(items: Iterable[tuple[Sequence[PathElem], Any]], legacy: bool = False) -> dict[str, Any]:
    """Nest flat (path, value) leaves into the XoWS JSON shape.

    A name followed by an int is a multi-instance node: it becomes a list of objects,
    each with its `id`, sorted by id. A path ending on an instance id carries either
    GHOST (a removed instance) or a value (a leaf that is itself a list, like
    HttpFeedback Expression), which is kept under "Value".
    """
    root: dict[PathElem, Any] = {}
    for path, value in items:
        node: dict[PathElem, Any] = root
        i = 0
        n = len(path)
        while i < n:
            name = path[i]
            if i + 1 < n and isinstance(path[i + 1], int):
                inst = node.get(name)
                if not isinstance(inst, _Instances):
                    inst = _Instances()
                    node[name] = inst
                node = inst.setdefault(path[i + 1], {})
                if i + 2 == n:
                    if value is GHOST:
                        node.clear()
                        node["ghost"] = "True"
                    else:
                        node["Value"] = wire_value(value, legacy)
                i += 2
                continue
            if i + 1 == n:
                node[name] = wire_value(value, legacy)
            else:
                nxt = node.get(name)
                if not isinstance(nxt, dict):
                    nxt = {}
                    node[name] = nxt
                node = nxt
            i += 1
    return _finish(root, legacy)


def _finish(tree: dict[PathElem, Any], legacy: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, val in tree.items():
        key = str(key)
        if isinstance(val, _Instances):
            out[key] = [
                {**_finish(sub, legacy), "id": wire_value(iid, legacy)}
                for iid, sub in sorted(val.items())
            ]
        elif isinstance(val, dict):
            out[key] = _finish(val, legacy)
        else:
            out[key] = val
    return out


def descend(tree: Any, path: Sequence[PathElem]) -> Any:
    """The part of a built tree at `path` (below the tree's root), as xGet returns it.

    Stops at a list when the path names the multi-instance node without an id (the
    answer is then every instance). Raises KeyError when the path is not in the tree.
    """
    cur = tree
    for elem in path:
        if isinstance(cur, list):
            if not isinstance(elem, int):
                return cur
            for item in cur:
                if str(item.get("id")) == str(elem):
                    cur = item
                    break
            else:
                raise KeyError(elem)
            continue
        if not isinstance(cur, dict) or elem not in cur:
            raise KeyError(elem)
        cur = cur[elem]
    return cur


def with_event_ids(tree: dict[str, Any], legacy: bool = False) -> dict[str, Any]:
    """Put `"id": 1` on every object below Event, as devices do (spec §6.4)."""
    out: dict[str, Any] = {}
    for key, val in tree.items():
        if isinstance(val, dict):
            out[key] = {**with_event_ids(val, legacy), "id": wire_value(1, legacy)}
        elif isinstance(val, list):
            out[key] = [with_event_ids(v, legacy) if isinstance(v, dict) else v for v in val]
        else:
            out[key] = val
    return out


def flatten(tree: Any, prefix: tuple[PathElem, ...] = ()) -> list[tuple[tuple[PathElem, ...], Any]]:
    """The leaves of a nested dict (event payloads); an empty object is a leaf of {}.

    The inverse of `build` for dicts without instance lists, so an event can be matched
    against subscriptions leaf by leaf and re-nested with only the matching fields.
    """
    if not isinstance(tree, dict) or not tree:
        return [(prefix, tree)]
    out: list[tuple[tuple[PathElem, ...], Any]] = []
    for key, val in tree.items():
        out.extend(flatten(val, prefix + (key,)))
    return out
