"""The schema model as plain nested tuples, for a disk cache that loads in milliseconds.

Converting a device's xDoc into the model costs tens of milliseconds per root on the full
published schema — paid on every one-shot `xshell -c …` if the cache held only the xDoc
JSON. Packing the built model into tuples of str/int/bool/None and storing them with
`marshal` (no code, no classes: nothing runs when it is read) makes a warm start a plain
tuple walk. FORMAT changes whenever the model's fields do, so an old cache is ignored.
"""

from __future__ import annotations

import marshal
from typing import Any

from xshell.schema.model import Node, Param, ValueSpace, make_children

FORMAT = 1

Packed = tuple[Any, ...]


def _pack_vs(vs: ValueSpace | None) -> Packed | None:
    if vs is None:
        return None
    return (vs.type, vs.min, vs.max, vs.values, vs.min_length, vs.max_length, vs.default)


def _unpack_vs(t: Packed | None) -> ValueSpace | None:
    return None if t is None else ValueSpace(t[0], t[1], t[2], tuple(t[3]), t[4], t[5], t[6])


def pack(node: Node) -> Packed:
    """`node` and everything below it as nested tuples."""
    return (node.name, node.kind, tuple(pack(c) for c in node.children.values()), node.multi,
            node.instances, _pack_vs(node.value_space),
            tuple((p.name, _pack_vs(p.value_space), p.required, p.multiple, p.description)
                  for p in node.params),
            node.multiline, node.description, node.access, node.roles, node.read_roles,
            node.hide_value)


def unpack(t: Packed) -> Node:
    """The inverse of `pack`."""
    params = tuple(Param(p[0], _unpack_vs(p[1]) or ValueSpace(), p[2], p[3], p[4]) for p in t[6])
    return Node(t[0], t[1], make_children([unpack(c) for c in t[2]]), t[3], tuple(t[4]),
                _unpack_vs(t[5]), params, t[7], t[8], t[9], tuple(t[10]), tuple(t[11]), t[12])


def dumps(node: Node, product: str = "") -> bytes:
    return marshal.dumps((FORMAT, product, pack(node)))


def loads(data: bytes) -> tuple[Node, str] | None:
    """(node, product) stored in `data`, or None if it is from another format or damaged."""
    try:
        fmt, product, packed = marshal.loads(data)
        return (unpack(packed), str(product)) if fmt == FORMAT else None
    except (ValueError, TypeError, EOFError, IndexError):
        return None
