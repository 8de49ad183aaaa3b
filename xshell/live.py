"""What the shell currently knows of the device's live Status and Configuration values.

Fed by discovery (xGet of the whole trees), by every reply (xGet results re-rooted at
their path) and by every feedback notification, as iredis learns keys from replies: so
`xStatus Call ` completes the call ids that exist now and a leaf's completion shows its
current value. Ghosts remove instances; events are not state and are ignored.

Written on the event loop, read by the completer — which prompt-toolkit may run in a
worker thread (ThreadedCompleter) — so every access holds one lock: a reader never
iterates a dict the loop is changing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from xshell.schema.model import Schema

PathElem = str | int
STATE_ROOTS = ("Status", "Configuration")
_CANON = {r.lower(): r for r in STATE_ROOTS}


def _is_id(elem: object) -> bool:
    return isinstance(elem, int) and not isinstance(elem, bool)


def _list_level(path: Sequence[PathElem], result: Any, schema: Schema | None) -> int | None:
    """Index of the path element an xGet list answer belongs to, or None (no list).

    xGet of `Status Call Status` (no call id) answers `[{"id":1,"Status":"Connected"}]`:
    the list stands for the first multi-instance node without an id, and each item
    holds the rest of the path. With the schema that node is known; without it, the
    first element whose successor every item has as a key (else the last element).
    """
    if not isinstance(result, list) or len(path) < 2 or _is_id(path[-1]):
        return None
    if schema is not None:
        node = schema.root(str(path[0]))
        for j in range(1, len(path)):
            if node is None:
                break
            if _is_id(path[j]):
                continue
            node = node.child(str(path[j]))
            nxt = path[j + 1] if j + 1 < len(path) else None
            if node is not None and node.multi and not _is_id(nxt):
                return j
    items = [i for i in result if isinstance(i, dict)]
    for j in range(1, len(path) - 1):
        want = str(path[j + 1]).lower()
        if _is_id(path[j]) or _is_id(path[j + 1]) or not items:
            continue
        if all(any(isinstance(k, str) and k.lower() == want for k in i) for i in items):
            return j
    return len(path) - 1


def reroot(path: Sequence[PathElem], result: Any, schema: Schema | None = None) -> dict[str, Any]:
    """The rooted document an xGet of `path` answered with `result` stands for.

    ["Status","Call",3,"Status"], "Connected" → {"Status":{"Call":[{"id":3,"Status":"Connected"}]}}
    ["Status","Call","Status"], [{"id":3,"Status":"Connected"}] → the same document.
    """
    elems = list(path)
    level = _list_level(elems, result, schema)
    if level is not None:
        elems = elems[:level + 1]
    node: Any = result
    i = len(elems) - 1
    while i > 0:
        e = elems[i]
        if _is_id(e):
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
        self._lock = threading.Lock()

    def merge(self, doc: Any) -> None:
        """Fold a rooted document (xQuery result or feedback payload) into the tree."""
        if not isinstance(doc, dict):
            return
        state: dict[str, Any] = {}
        for k, v in doc.items():
            canon = _CANON.get(k.lower()) if isinstance(k, str) else None
            if canon is not None:
                state[canon] = v
        if not state:
            return
        with self._lock:
            _merge_into(self._root, state)

    def merge_result(self, path: Sequence[PathElem], result: Any,
                     schema: Schema | None = None) -> None:
        """Fold the answer to an xGet of `path` (root first) into the tree."""
        if path:
            self.merge(reroot(path, result, schema))

    def clear(self) -> None:
        with self._lock:
            self._root.clear()

    def _walk(self, path: Sequence[PathElem]) -> Any:
        node: Any = self._root
        for e in path:
            if isinstance(node, dict) and _is_id(e):
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
        with self._lock:
            node = self._walk(path)
        return None if isinstance(node, dict) else node

    def instances(self, path: Sequence[PathElem]) -> list[int]:
        """Instance ids that exist now under the multi-instance node at `path`."""
        with self._lock:
            node = self._walk(path)
            keys = list(node) if isinstance(node, dict) else []
        return sorted(k for k in keys if _is_id(k))


def _find_key(node: dict[Any, Any], name: str) -> Any:
    if name in node:
        return name
    low = name.lower()
    for k in node:
        if isinstance(k, str) and k.lower() == low:
            return k
    return None


def _ident(item: dict[str, Any]) -> int | None:
    raw = item.get("id")
    if isinstance(raw, bool):
        return None
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _merge_into(dst: dict[Any, Any], src: dict[str, Any]) -> None:
    while len(src) == 1:  # the common one-leaf notification: walk down without recursing
        key, val = next(iter(src.items()))
        if not isinstance(val, dict) or not isinstance(key, str) or not key[:1].isupper():
            break
        slot_key = key if key in dst else (_find_key(dst, key) or key)
        slot = dst.get(slot_key)
        if not isinstance(slot, dict):
            slot = dst[slot_key] = {}
        dst, src = slot, val
    for key, val in src.items():
        if not isinstance(key, str) or not key[:1].isupper():
            continue  # attributes (id, ghost, status) are not values
        slot_key = key if key in dst else (_find_key(dst, key) or key)
        if isinstance(val, list):
            bucket = dst.get(slot_key)
            if not isinstance(bucket, dict):
                bucket = dst[slot_key] = {}
            for item in val:
                if not isinstance(item, dict):
                    continue
                ident = _ident(item)
                if ident is None:
                    continue
                if str(item.get("ghost", "")).lower() == "true":
                    bucket.pop(ident, None)
                    continue
                slot = bucket.get(ident)
                if not isinstance(slot, dict):
                    slot = bucket[ident] = {}
                _merge_into(slot, item)
        elif isinstance(val, dict):
            slot = dst.get(slot_key)
            if not isinstance(slot, dict):
                slot = dst[slot_key] = {}
            _merge_into(slot, val)
        else:
            dst[slot_key] = val
