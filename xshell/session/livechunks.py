"""A huge rooted document cut into small ones whose merges, in order, equal its merge.

Why: the live tree is written on the event loop, and one reply or event of 200,000 keys
takes a tenth of a second or more to fold in even when the merge is linear — long enough to
starve keepalive, timeouts and the UI. `LiveTree.merge` therefore folds such a document in
slices and lets the loop run between them. The merge is key-wise (a dict's keys one by one,
a list's instances one by one), so merging the slices in order gives the same tree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["SLICE", "pieces", "wider_than"]

SLICE = 4096  # keys per slice: ~5 ms of merging


def wider_than(node: Any, limit: int) -> bool:
    """Whether `node` holds more than `limit` keys and items in all (stops counting there)."""
    return _width(node, limit) > limit


def _width(node: Any, limit: int) -> int:
    """The keys and items `node` holds in all, counted up to just past `limit`."""
    count = 0
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            count += len(value)
            if count > limit:
                break
            stack.extend(v for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            count += len(value)
            if count > limit:
                break
            stack.extend(v for v in value if isinstance(v, (dict, list)))
    return count


def _width_of(value: Any, limit: int) -> int:
    """`_width`, with no call for a plain value (most of a huge document)."""
    kind = type(value)
    return _width(value, limit) if kind is dict or kind is list else 0


def pieces(doc: dict[Any, Any], budget: int = SLICE) -> Iterator[dict[Any, Any]]:
    """`doc` (a rooted document) as rooted documents of about `budget` keys each."""
    for root, value in doc.items():
        yield from _split(value, functools.partial(_under, _bare, {}, root), budget)


def _bare(doc: Any) -> Any:
    """The outermost `wrap`: a piece of the root is a rooted document as it is."""
    return doc


def _under(wrap: Callable[[Any], Any], attrs: dict[Any, Any], key: Any, x: Any) -> Any:
    """`x` as `key`'s value beside its instance's `attrs`, wrapped up to the root.

    A partial of this, not a lambda with defaults, binds the loop's key: typed, and safe
    however late the piece is made."""
    return wrap({**attrs, key: x})


def _split(node: Any, wrap: Callable[[Any], Any], budget: int) -> Iterator[Any]:
    if not wider_than(node, budget):
        yield wrap(node)
        return
    if isinstance(node, dict):
        # what makes an instance one (LiveTree reads these two), on every slice of it
        attrs = {k: node[k] for k in ("id", "ghost") if k in node}
        batch: dict[Any, Any] = {}
        size = 0
        for key, value in node.items():
            if key in attrs:
                continue
            width = _width_of(value, budget // 2)
            if width > budget // 2:
                if batch:
                    yield wrap({**attrs, **batch})
                    batch, size = {}, 0
                yield from _split(value, functools.partial(_under, wrap, attrs, key), budget)
                continue
            batch[key] = value
            size += width + 1
            if size >= budget:
                yield wrap({**attrs, **batch})
                batch, size = {}, 0
        if batch:
            yield wrap({**attrs, **batch})
    elif isinstance(node, list):
        items: list[Any] = []
        size = 0
        for item in node:
            width = _width_of(item, budget // 2)
            if width > budget // 2:
                if items:
                    yield wrap(items)
                    items, size = [], 0
                yield from _split(item, lambda x: wrap([x]), budget)
                continue
            items.append(item)
            size += width + 1
            if size >= budget:
                yield wrap(items)
                items, size = [], 0
        if items:
            yield wrap(items)
    else:
        yield wrap(node)
