"""Which status node holds the live ids a command parameter takes, derived from the schema.

`xCommand Call Disconnect CallId:` wants the id of a call that exists now, and the device
reports those as the instances of `Status Call`. The schema does not link the two, but its
names do: a parameter `<Stem>Id` or `<Stem>Instance` with an integer value space names the
multi-instance status node `<Stem>` (`Status Presentation … LocalInstance` for an
`…Instance`). When several nodes carry the name (`Video Input Connector`, `Video Output
Connector`, …), the one sharing most words with the command's path wins (`xCommand Video
Input SetMainVideoSource ConnectorId` → `Status Video Input Connector`; the parameter's
description counts too: "the video input source"), then the shortest.
Only nodes whose ids stand alone (no multi-instance ancestor) qualify: their ids need no
other id to be read. Derived once per schema and parameter, so no hand-kept list.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from xshell.schema.model import Param, PathElem, Schema

__all__ = ["instance_source"]

_SUFFIXES = ("Id", "Instance")
_WORD = re.compile(r"[A-Za-z]+")


@functools.lru_cache(maxsize=1024)
def _source(schema: Schema, command: tuple[str, ...], name: str, about: str) -> tuple[str, ...] | None:
    suffix = next((s for s in _SUFFIXES if name.endswith(s) and len(name) > len(s)), None)
    if suffix is None:
        return None
    stem = name[: -len(suffix)].lower()
    words = {w.lower() for w in command} | {w.lower() for w in _WORD.findall(about)}
    found: list[tuple[int, int, tuple[str, ...]]] = []
    for path, node in schema.walk("Status"):
        if not node.multi or len(path) < 2:
            continue
        last, parent = path[-1].lower(), path[-2].lower()
        named = last == stem or (suffix == "Instance" and last.endswith("instance") and parent == stem)
        if named and not any(_multi(schema, path[:i]) for i in range(2, len(path))):
            found.append((-len(words & {p.lower() for p in path[1:-1]}), len(path), path))
    if not found:
        return None
    score, depth, best = min(found)
    # Several nodes of that name: trust a clear match (two shared words, as in
    # `Video Input`), or the one directly under Status (`Call`); else offer nothing
    # rather than the ids of the wrong connectors.
    if len(found) == 1 or -score >= 2 or depth == 2:
        return best
    return next((path for _, d, path in sorted(found) if d == 2), None)


def _multi(schema: Schema, path: tuple[str, ...]) -> bool:
    node = schema.node(path)
    return node is not None and node.multi


def instance_source(schema: Schema, command: Sequence[PathElem], param: Param) -> tuple[str, ...] | None:
    """The status path whose live instance ids `param` of `command` takes, or None."""
    if not param.value_space.is_integer:
        return None
    return _source(schema, tuple(str(p) for p in command), param.name, param.description or "")
