"""What the shell currently knows of the device's live Status and Configuration values.

Fed by discovery (xGet of the whole trees), by every reply (xGet results re-rooted at
their path) and by every feedback notification, as iredis learns keys from replies: so
`xStatus Call ` completes the call ids that exist now and a leaf's completion shows its
current value. Ghosts remove instances; events are not state and are ignored.

Written on the event loop, read by the completer — which prompt-toolkit may run in a
worker thread (ThreadedCompleter) — so every access holds one lock: a reader never
iterates a dict the loop is changing (the one exception, a store that only replaces an
existing leaf's value, is explained in `LiveTree.merge`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from xshell.session.livechunks import pieces, wider_than
from xshell.schema.model import Schema

log = logging.getLogger(__name__)

PathElem = str | int
STATE_ROOTS = ("Status", "Configuration")
_CANON = {r.lower(): r for r in STATE_ROOTS}
_ROOTS = {r: r for r in STATE_ROOTS}
_SLOTS_MAX = 4096  # the spelling devices send: no lower() per notification
_HUGE = 20_000  # keys in one document past which it is merged in slices (see _fold_later)
_TURN = 0.01  # seconds of merging before the loop gets a turn


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
        self._shape = 0  # bumped by any change that may move nodes (invalidates _slots)
        # a one-leaf chain of keys → (shape when cached, parent node, key in it)
        self._slots: dict[tuple[Any, ...], tuple[int, dict[Any, Any], Any]] = {}
        # documents (or slices of a huge one) waiting their turn, oldest first; None: none
        self._backlog: deque[Any] | None = None
        self._drain: asyncio.Task[None] | None = None

    def merge(self, doc: Any) -> None:
        """Fold a rooted document (xQuery result or feedback payload) into the tree.

        The one-leaf notification of a storm ({"Status": {"Audio": {"Volume": 50}}})
        goes through a cached slot: where its chain of keys, as sent, lands in the tree
        (parent node and key there), kept while the tree's shape is unchanged (`_shape`
        counts every change that may add, remove or replace a node). Storing it then
        replaces the value of a key that exists — one dict store, atomic under the GIL and
        never a change of size, which is all a reader iterating that dict could trip on —
        so that store alone does without the lock.

        A huge document (over _HUGE keys) is merged in slices with the loop served between
        them (`_fold_later`); while that is under way, later documents queue behind it, so
        the tree still ends as if each had been merged whole, in order.
        """
        if self._backlog is not None:
            self._backlog.append(pieces(doc) if isinstance(doc, dict) and wider_than(doc, _HUGE)
                                 else doc)
            return
        if type(doc) is dict and len(doc) == 1:
            keys: list[Any] = []
            node: Any = doc
            while type(node) is dict and len(node) == 1:
                for key, node in node.items():  # noqa: B007, B020 - binds its one item, walked on below
                    keys.append(key)
            if type(node) is not dict and type(node) is not list:
                chain = tuple(keys)
                cached = self._slots.get(chain)
                if cached is not None and cached[0] == self._shape:
                    cached[1][cached[2]] = node
                    return
                with self._lock:
                    if self._place_leaf(chain, node):
                        return
        if not isinstance(doc, dict):
            return
        if wider_than(doc, _HUGE) and self._fold_later(doc):
            return
        self._merge_now(doc)

    def _fold_later(self, doc: dict[Any, Any]) -> bool:
        """Merge `doc` in slices from a task on the running loop; False if there is none."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        backlog: deque[Any] = deque([pieces(doc)])
        self._backlog = backlog
        self._drain = loop.create_task(self._drain_backlog(backlog))
        return True

    async def _drain_backlog(self, backlog: deque[Any]) -> None:
        """Merge what waits, oldest first, giving the loop a turn every _TURN seconds."""
        turn = time.perf_counter()
        try:
            while backlog and self._backlog is backlog:
                item = backlog[0]
                if isinstance(item, Iterator):
                    piece = next(item, None)
                    if piece is None:
                        backlog.popleft()
                        continue
                    self._merge_now(piece)
                else:
                    backlog.popleft()
                    self._merge_queued(item)
                if time.perf_counter() - turn > _TURN:
                    await asyncio.sleep(0)
                    turn = time.perf_counter()
        except Exception:  # completion data only: never worth a crash
            log.exception("could not fold a document into the live tree")
        finally:
            if self._backlog is backlog:
                self._backlog = None

    def _merge_queued(self, doc: Any) -> None:
        """A queued document: through `merge`'s own path, minus the queue it came from."""
        backlog, self._backlog = self._backlog, None
        try:
            self.merge(doc)
        finally:
            self._backlog = backlog

    async def settled(self) -> None:
        """Return once every document merged so far is in the tree (for tests and tools)."""
        while self._drain is not None and not self._drain.done():
            await asyncio.shield(self._drain)

    def _merge_now(self, doc: dict[Any, Any]) -> None:
        with self._lock:
            root = self._root
            for k, v in doc.items():
                canon = _ROOTS.get(k) if isinstance(k, str) else None
                if canon is None and isinstance(k, str):
                    canon = _CANON.get(k.lower())
                if canon is not None:
                    _merge_one(root, canon, v)
            self._shape += 1  # nodes may have been added, removed or replaced

    def _place_leaf(self, chain: tuple[Any, ...], value: Any) -> bool:
        """First sight of a leaf's chain: check it, find (or make) its slot, cache that."""
        if len(chain) < 2 or not all(type(k) is str for k in chain) \
                or not all(k[:1].isupper() for k in chain[1:]):  # an attribute: not plain
            return False
        canon = _ROOTS.get(chain[0]) or _CANON.get(chain[0].lower())
        if canon is None:
            return True  # not state (an event): nothing to keep
        parent = self._root
        for name in (canon, *chain[1:-1]):
            slot_key = name if name in parent else (_find_key(parent, name) or name)
            slot = parent.get(slot_key)
            if not isinstance(slot, dict):
                slot = parent[slot_key] = {}
                self._shape += 1
            parent = slot
        leaf = chain[-1]
        leaf_key = leaf if leaf in parent else (_find_key(parent, leaf) or leaf)
        if isinstance(parent.get(leaf_key), dict):
            self._shape += 1  # a node becomes a leaf: slots cached below it are gone
        parent[leaf_key] = value
        if len(self._slots) >= _SLOTS_MAX:
            self._slots.clear()
        self._slots[chain] = (self._shape, parent, leaf_key)
        return True

    def merge_result(self, path: Sequence[PathElem], result: Any,
                     schema: Schema | None = None) -> None:
        """Fold the answer to an xGet of `path` (root first) into the tree."""
        if path:
            self.merge(reroot(path, result, schema))

    def clear(self) -> None:
        self._backlog = None  # a merge in slices under way stops: its document is gone too
        with self._lock:
            self._root.clear()
            self._shape += 1

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
        return int(raw)  # type: ignore[arg-type]  # whatever the wire gave; int() judges it below
    except (TypeError, ValueError):
        return None


_SCAN_MAX = 8  # siblings searched one by one for a key in another case; more: an index
_FOLD_MIN = 1024  # a dict this big keeps its index between merges (slices of a huge one)
_FOLDS_MAX = 64
# id(dict) → (the dict, its lower-case index, its len when the index was last right)
_FOLDS: dict[int, tuple[dict[Any, Any], dict[str, Any], int]] = {}


def _fold_index(dst: dict[Any, Any]) -> dict[str, Any]:
    """The lower-case → spelling index of `dst`'s keys: the kept one if still right, else new."""
    kept = _FOLDS.get(id(dst))
    if kept is not None and kept[0] is dst and kept[2] == len(dst):
        return kept[1]
    return {k.lower(): k for k in dst if isinstance(k, str)}


def _merge_into(dst: dict[Any, Any], src: dict[str, Any]) -> None:
    """Fold each of `src`'s values in; linear in len(src) + len(dst).

    A key the tree has in another spelling must land on that one, and finding it by a scan
    per key made a reply with N new siblings cost N²/2 comparisons (200,000 keys: minutes
    of a blocked event loop). So past a few siblings the lower-case spellings are indexed
    once per merge, and each key is looked up there.
    """
    index: dict[str, Any] | None = None
    for key, val in src.items():
        if not isinstance(key, str) or not key[:1].isupper():  # attributes (id, ghost, status)
            continue
        if key in dst or len(dst) <= _SCAN_MAX:
            _merge_one(dst, key, val)
            continue
        if index is None:
            index = _fold_index(dst)
        slot_key = index.setdefault(key.lower(), key)  # the tree's spelling, or this one from now on
        _merge_one(dst, slot_key, val, fresh=True)
    if index is not None and len(dst) >= _FOLD_MIN:  # a long dict: its index serves the next merge
        if len(_FOLDS) >= _FOLDS_MAX and id(dst) not in _FOLDS:
            _FOLDS.clear()
        _FOLDS[id(dst)] = (dst, index, len(dst))


def _merge_one(dst: dict[Any, Any], key: str, val: Any, fresh: bool = False) -> None:
    """Fold `val` in at dst[key] (matched in any case; `fresh`: `key` is already the slot).

    A chain of one-key objects (the common one-leaf notification) is walked down in this
    loop rather than by recursion: a feedback storm is mostly such chains.
    """
    while True:
        slot_key = key if fresh or key in dst else (_find_key(dst, key) or key)
        fresh = False
        if isinstance(val, dict):
            slot = dst.get(slot_key)
            if not isinstance(slot, dict):
                slot = dst[slot_key] = {}
            if len(val) != 1:
                _merge_into(slot, val)
                return
            for key, val in val.items():  # noqa: B007, B020 - binds its one item, walked on below
                pass
            if not isinstance(key, str) or not key[:1].isupper():
                return
            dst = slot
            continue
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
        else:
            dst[slot_key] = val
        return
