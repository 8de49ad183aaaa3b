"""What the shell currently knows of the device's live Status and Configuration values.

Fed by discovery (xQuery of the whole trees), by every reply (xGet results re-rooted at
their path) and by every feedback notification, as iredis learns keys from replies: so
`xStatus Call ` completes the call ids that exist now and a leaf's completion shows its
current value. Ghosts remove instances. Pure data; the completer reads it on the event
loop thread, the same thread that writes it, so no locking is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PathElem = str | int


def reroot(path: Sequence[PathElem], result: Any) -> dict[str, Any]:
    """The rooted document an xGet of `path` answered with `result` stands for.

    ["Status","Call",3,"Status"], "Connected" → {"Status":{"Call":[{"id":3,"Status":"Connected"}]}}
    """
    node: Any = result
    elems = list(path)
    i = len(elems) - 1
    while i > 0:
        e = elems[i]
        if isinstance(e, int):
            item = dict(node) if isinstance(node, dict) else {}
            item["id"] = e
            node = {str(elems[i - 1]): [item]}
            i -= 2
            continue
        node = {str(e): node}
        i -= 1
    return {str(elems[0]): node} if elems else {}


class LiveTree:
    """Nested dicts shaped like xQuery results; multi-instance nodes as {id: item} maps."""

    def __init__(self) -> None:
        self._root: dict[str, Any] = {}

    def merge(self, doc: Any) -> None:
        """Fold a rooted document (xQuery result or feedback payload) into the tree."""
        if isinstance(doc, dict):
            _merge_into(self._root, doc)

    def merge_result(self, path: Sequence[PathElem], result: Any) -> None:
        if path:
            self.merge(reroot(path, result))

    def clear(self) -> None:
        self._root.clear()

    def _walk(self, path: Sequence[PathElem]) -> Any:
        node: Any = self._root
        for e in path:
            if isinstance(node, dict) and isinstance(e, int):
                node = node.get(e)
            elif isinstance(node, dict):
                key = _find_key(node, str(e))
                if key is None:
                    return None
                node = node[key]
            else:
                return None
        return node

    def value(self, path: Sequence[PathElem]) -> Any:
        """The leaf value at a full path (instance ids inline), or None if unknown."""
        node = self._walk(path)
        return None if isinstance(node, dict) else node

    def instances(self, path: Sequence[PathElem]) -> list[int]:
        """Instance ids that exist now under the multi-instance node at `path`."""
        node = self._walk(path)
        if isinstance(node, dict):
            return sorted(k for k in node if isinstance(k, int))
        return []


def _find_key(node: dict[Any, Any], name: str) -> Any:
    if name in node:
        return name
    low = name.lower()
    for k in node:
        if isinstance(k, str) and k.lower() == low:
            return k
    return None


def _merge_into(dst: dict[Any, Any], src: dict[str, Any]) -> None:
    for key, val in src.items():
        if not isinstance(key, str) or not key[:1].isupper():
            continue  # attributes (id, ghost, status) are not values
        if isinstance(val, list):
            bucket = dst.get(key)
            if not isinstance(bucket, dict):
                bucket = dst[key] = {}
            for item in val:
                if not isinstance(item, dict):
                    continue
                try:
                    ident = int(item.get("id"))  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    continue
                if str(item.get("ghost", "")).lower() == "true":
                    bucket.pop(ident, None)
                    continue
                slot = bucket.get(ident)
                if not isinstance(slot, dict):
                    slot = bucket[ident] = {}
                _merge_into(slot, item)
        elif isinstance(val, dict):
            slot = dst.get(key)
            if not isinstance(slot, dict):
                slot = dst[key] = {}
            _merge_into(slot, val)
        else:
            dst[key] = val
