r"""tshell's line layout, shared by every renderer: value quoting and JSON trees as marker lines.

Results, errors and feedback all end up as `<marker> <path tokens>: <value>` lines, so the
rules for what such a line looks like live here once (spec tshell.md §6, §8, §10) and the
renderers of xshell.lang.render, .render_errors and .render_feedback only choose markers
and terminators:

* a JSON tree is flattened depth-first, one leaf per line, in the device's key order;
  list elements become `<Node> <id>` tokens (the XoWS `id` key); other lower-case keys are
  attributes printed as `(ghost=True)` after their node; `id` keys on plain objects (event
  nodes all carry `"id": 1`, an element fetched by id repeats it) are not printed;
* quoting follows the schema leaf type when a schema is known (String quoted, Literal and
  Integer bare). Without a schema (command results never have one) the heuristic is:
  JSON numbers and booleans bare; a string bare when it is one CamelCase/alphanumeric word
  starting with a capital (`^[A-Z][A-Za-z0-9]*$`: On, Connected, Info, True) — that is how
  literals look — and quoted otherwise ("sip", "1.11", "127", "wx1_panel");
* quoted strings use JSON escapes (`\"`, `\\`, `\n`, `\u001b`, ...), so every leaf stays on
  one line, no value can send escape sequences to the terminal, and `json.loads` of the
  quoted text gives the value back exactly;
* configurations the schema marks hide_value are shown as `"***"` whatever the device sent:
  a real device never sends them in clear, but a simulator or a future firmware might, and
  a shell must not be the thing that puts a password on screen or in scrollback.

Everything here is pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from xshell.inert import UNSAFE, inert
from xshell.schema.model import PathElem, Schema, ValueSpace

__all__ = ["HIDDEN", "Flat", "Keep", "canonical_root", "compact_json", "flatten", "format_value",
           "is_hidden", "iter_tree_lines", "leaf_node", "path_text", "quote", "result_name",
           "tree_lines"]

Keep = Callable[[tuple[PathElem, ...]], bool]
"""A filter for query leaves; it gets the leaf's full path, root first, instance ids inline."""

HIDDEN = "***"
_LITERAL_LIKE = re.compile(r"[A-Z][A-Za-z0-9]*")
_ROOTS = {"status": "Status", "configuration": "Configuration", "event": "Event"}
_MARKERS = {"Status": "*s", "Configuration": "*c xConfiguration", "Event": "*e"}
_NO_VALUE = object()
_INT = re.compile(r"-?\d+")


# --------------------------------------------------------------------------- values
def quote(text: str) -> str:
    """A string as tshell prints a String value: double quotes, JSON escapes.

    Control characters (C0, DEL, C1), bidi overrides and lone surrogates are escaped too
    (JSON `\\uXXXX`, via xshell.inert), so a value can neither break the line structure nor
    send escape sequences to the user's terminal, and `json.loads` still gives it back.
    """
    return inert(json.dumps(text, ensure_ascii=False))


def compact_json(obj: Any) -> str:
    """One-line JSON with DEL, C1, bidi and lone surrogates as `\\u` escapes (JSON escapes C0)."""
    return inert(json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=str))


def format_value(value: Any, vs: ValueSpace | None = None) -> str:
    """One leaf value as it appears after `: ` (see the module docstring for the rules)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return '""'
    if not isinstance(value, str):
        return quote(compact_json(value))
    if vs is not None:
        if vs.is_string:
            return quote(value)
        if vs.is_integer and not _INT.fullmatch(value):
            return quote(value)
        return value if value and not UNSAFE.search(value) else quote(value)
    return value if _LITERAL_LIKE.fullmatch(value) else quote(value)


def canonical_root(name: Any) -> str | None:
    """Status/Configuration/Event in canonical case, or None for anything else."""
    return _ROOTS.get(str(name).lower())


def leaf_node(schema: Schema | None, path: Sequence[PathElem]) -> Any:
    """The schema node at a full path (root first), or None when unknown or no schema."""
    if schema is None or not path:
        return None
    try:
        return schema.node(list(path))
    except Exception:  # noqa: BLE001 - a malformed path from the wire must never break rendering
        return None


def is_hidden(schema: Schema | None, path: Sequence[PathElem]) -> bool:
    """Whether the leaf at `path` must be shown as *** (schema hide_value)."""
    node = leaf_node(schema, path)
    return bool(node is not None and getattr(node, "hide_value", False))


_node_cache: dict[tuple[PathElem, ...], Any] = {}
_node_cache_of: list[Schema | None] = [None]  # the schema the cache belongs to (by identity)


def _cached_node(schema: Schema | None, full: tuple[PathElem, ...]) -> Any:
    """leaf_node memoised for the current schema: feedback storms repeat the same few paths.

    One schema at a time (a session has one; a new one empties the cache), bounded size.
    """
    if schema is None:
        return None
    if _node_cache_of[0] is not schema or len(_node_cache) > 4096:
        _node_cache.clear()
        _node_cache_of[0] = schema
    try:
        return _node_cache[full]
    except KeyError:
        node = _node_cache[full] = leaf_node(schema, full)
        return node
    except TypeError:  # an unhashable path element: look it up uncached
        return leaf_node(schema, full)


def _leaf_text(schema: Schema | None, full: tuple[PathElem, ...], value: Any) -> str:
    node = _cached_node(schema, full)
    if node is not None and node.hide_value:
        return quote(HIDDEN)
    vs = node.value_space if node is not None else None
    return format_value(value, vs)


# --------------------------------------------------------------------------- flattening
def _instance(ident: Any) -> PathElem:
    text = str(ident)
    return int(text) if _INT.fullmatch(text) else text


def _is_attr(key: str) -> bool:
    return key[:1].islower()


Flat = tuple[tuple[PathElem, ...], list[tuple[str, Any]], Any]


def flatten(node: Any, path: tuple[PathElem, ...] = ()) -> Iterator[Flat]:
    """Depth-first (tokens, attributes, value) triples of an XoWS JSON tree.

    value is `_NO_VALUE` for an attribute-only line such as a ghost element. Device key
    order is kept: it is already sorted on a real device, and re-sorting would reorder
    what the user is comparing against the device's own output.
    """
    if isinstance(node, dict):
        attrs = [(k, v) for k, v in node.items() if isinstance(k, str) and _is_attr(k) and k != "id"]
        if attrs:
            yield path, attrs, _NO_VALUE
        for key, child in node.items():
            if not (isinstance(key, str) and _is_attr(key)):
                yield from flatten(child, path + (str(key),))
    elif isinstance(node, list):
        for pos, element in enumerate(node, start=1):
            if isinstance(element, dict):
                yield from flatten(element, path + (_instance(element.get("id", pos)),))
            else:
                yield from flatten(element, path)
    else:
        yield path, [], node


def _attr_text(attrs: list[tuple[str, Any]]) -> str:
    return "(" + ", ".join(f"{inert(k)}={_attr_value(v)}" for k, v in attrs) + ")"  # keys: wire


def _attr_value(value: Any) -> str:
    if not isinstance(value, str):
        return format_value(value)
    return value if re.fullmatch(r"[\w.:/+-]+", value) else quote(value)


def path_text(path: Sequence[PathElem]) -> str:
    """A path as tshell prints it, `Audio Input HDMI 1`, unsafe characters escaped (inert)."""
    return inert(" ".join(str(p) for p in path))  # keys come from the wire too


def _line(marker: str, path: Sequence[PathElem], value: str | None, attrs: str = "") -> str:
    head = " ".join(x for x in (marker, path_text(path), attrs) if x)
    return f"{head}:" if value is None else f"{head}: {value}"


def tree_lines(marker: str, root: str | None, rel: tuple[PathElem, ...], tree: Any,
               schema: Schema | None = None, keep: Keep | None = None) -> list[str]:
    """Flatten `tree` found at `rel` (below `root`) into marker lines.

    `root` (Status/Configuration/Event) locates schema leaves for quoting and hide_value;
    `keep` filters leaves by full path (root first).
    """
    return list(iter_tree_lines(marker, root, rel, tree, schema, keep))


def iter_tree_lines(marker: str, root: str | None, rel: tuple[PathElem, ...], tree: Any,
                    schema: Schema | None = None, keep: Keep | None = None) -> Iterator[str]:
    """`tree_lines` one line at a time: a caller can stop between lines to serve its loop
    (a 200,000-key answer takes a third of a second to lay out)."""
    for path, attrs, value in flatten(tree, rel):
        full = ((root,) if root else ()) + path
        if keep is not None and not keep(full):
            continue
        if value is _NO_VALUE:
            yield _line(marker, path, None, _attr_text(attrs))
        else:
            yield _line(marker, path, _leaf_text(schema if root else None, full, value))


# --------------------------------------------------------------------------- names (results and errors)
def result_name(path: Sequence[str], schema: Schema | None = None) -> str:
    """tshell's command result tag: last two path elements + "Result" (§6.5).

    Spelled as the schema spells the command when it is known (`Video SelfView Set` →
    `SelfviewSetResult` against a schema that says Selfview), as typed otherwise.
    """
    names = [str(p) for p in path]
    if schema is not None and names:
        resolved = schema.resolve(["Command", *names])
        if resolved.ok:
            names = [str(p) for p in resolved.path[1:]]
    return "".join(names[-2:]) + "Result"


def _rid_lines(result_id: str | None) -> list[str]:
    return [f"** resultId: {quote(result_id)}"] if result_id is not None else []
