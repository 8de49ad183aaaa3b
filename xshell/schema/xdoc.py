"""The device's `xDoc` schema document, both ways (spec xows.md §5.7, §10).

`to_xdoc` is what the simulator answers to `xDoc {"Path": [...], "Type": "Schema"}`, so
jsxapi's `generate-api` and our own shell can learn the simulated device exactly as they
learn a real one. `from_xdoc` is how the shell turns a device's four root documents into
the Schema model (via `schema.store`).

The shape: lower-case keys are attributes with string values ("True", "Admin;User"),
other keys are child nodes. Leaves carry a `ValueSpace` ({type, min, max, minLength,
maxLength, default, Value}); commands `command:"True"` with one child per parameter (a
repeatable one wrapped in a one-element list); event nodes `event:"True"` with fields
reduced to `{type: int|literal|string}`. Multi-instance nodes are lists: Configuration
lists every instance with its `id` (a string), Status and Event give one template element.

Where the device's exact output is unknown we stay inside the convention: a setting whose
value must be hidden carries `hide_value:"True"` (the attribute name of Cisco's published
schema); a per-instance default is given inside each Configuration instance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from xshell.schema.defaults import default_for_instance
from xshell.schema.draft import NodeDraft
from xshell.schema.model import ROOTS, Node, Param, PathElem, Schema, ValueSpace, make_schema

__all__ = ["API_VERSION", "DEFAULT_PRODUCT", "to_xdoc", "root_xdoc", "from_xdoc"]

API_VERSION = "4"
DEFAULT_PRODUCT = "Cisco Codec"
_EVENT_TYPE_OUT = {"Integer": "int", "Literal": "literal", "String": "string"}
_EVENT_TYPE_IN = {"int": "Integer", "integer": "Integer", "literal": "Literal", "string": "String"}

Doc = dict[str, Any]


# --- Schema -> xDoc -------------------------------------------------------------------


def _value_space(vs: ValueSpace, default: str | None) -> Doc:
    out: Doc = {"type": vs.type}
    if vs.min is not None:
        out["min"] = str(vs.min)
    if vs.max is not None:
        out["max"] = str(vs.max)
    if vs.min_length is not None:
        out["minLength"] = str(vs.min_length)
    if vs.max_length is not None:
        out["maxLength"] = str(vs.max_length)
    if default is not None:
        out["default"] = default
    if vs.values:
        out["Value"] = list(vs.values)
    return out


def _attributes(node: Node, out: Doc) -> Doc:
    out["access"] = node.access
    if node.description:
        out["description"] = node.description
    if node.roles:
        out["role"] = ";".join(node.roles)
    if node.read_roles:
        out["read"] = ";".join(node.read_roles)
    if node.hide_value:
        out["hide_value"] = "True"
    return out


def _param(p: Param) -> Doc | list[Doc]:
    doc: Doc = {"required": "True" if p.required else "False",
                "ValueSpace": _value_space(p.value_space, p.value_space.default)}
    if p.description:
        doc["description"] = p.description
    return [doc] if p.multiple else doc


def _event_field(node: Node) -> Doc:
    if node.kind == "leaf":
        vs = node.value_space or ValueSpace()
        return {"type": _EVENT_TYPE_OUT.get(vs.base, "string")}
    return {c.name: _in_event(c) for c in node.children.values()}


def _in_event(node: Node) -> Doc | list[Doc]:
    doc = _event_field(node)
    return [doc] if node.multi else doc


def _one(node: Node, root: str, inst: int | None) -> Doc:
    """One node (one instance of a multi node); `inst` is the innermost instance id."""
    if node.kind == "command":
        out = _attributes(node, {"command": "True"})
        if node.multiline:
            out["multiline"] = "True"
        for p in node.params:
            out[p.name] = _param(p)
        return out
    if node.kind == "event":
        out = _attributes(node, {"event": "True"})
        for c in node.children.values():
            out[c.name] = _in_event(c)
        return out
    if node.kind == "leaf" and root != "Event":
        vs = node.value_space or ValueSpace()
        default = default_for_instance(vs, inst) if root == "Configuration" else vs.default
        return _attributes(node, {"ValueSpace": _value_space(vs, default)})
    if node.kind == "leaf":  # an Event-tree leaf outside an event node: keep its type
        return _event_field(node)
    return {c.name: _render(c, root, inst) for c in node.children.values()}


def _render(node: Node, root: str, inst: int | None) -> Doc | list[Doc]:
    if not node.multi:
        return _one(node, root, inst)
    if root == "Configuration" and node.instances:
        return [{"id": str(i), **_one(node, root, i)} for i in node.instances]
    return [_one(node, root, None)]


@lru_cache(maxsize=16)
def root_xdoc(schema: Schema, root: str) -> Doc:
    """The whole document of one root, built once per (immutable) schema.

    The result is shared between callers: serialise it, never mutate it.
    """
    node = schema.root(root)
    if node is None:
        raise KeyError(f"No match on Path argument: unknown root {root!r}")
    if node.name == "Command":
        head: Doc = {"apiVersion": API_VERSION, "product": schema.product or DEFAULT_PRODUCT,
                     "version": schema.version}
        return {**head, **_one(node, "Command", None)}
    return _one(node, node.name, None)


def to_xdoc(schema: Schema, path: Sequence[PathElem]) -> Any:
    """The xDoc answer for `path` (root first, any case): the node there, not wrapped.

    An id after a Configuration array selects that instance (with its `id`); after a
    Status/Event array any id selects the template. A name after an array without an id
    looks into its first element. Raises KeyError for an unknown path or instance.
    The result is shared with a per-schema cache: do not mutate it.
    """
    resolved = schema.resolve(path)
    if not resolved.ok:
        raise KeyError(f"No match on Path argument: {resolved.error}")
    canon = resolved.path
    doc: Any = root_xdoc(schema, str(canon[0]))
    for elem in canon[1:]:
        if isinstance(elem, int):
            if not isinstance(doc, list):
                raise KeyError(f"No match on Path argument: unexpected instance {elem}")
            if canon[0] == "Configuration" and any("id" in e for e in doc):
                found = [e for e in doc if e.get("id") == str(elem)]
                if not found:
                    raise KeyError(f"No match on Path argument: no instance {elem}")
                doc = found[0]
            else:
                doc = doc[0]
            continue
        if isinstance(doc, list):
            doc = doc[0]
        doc = doc[elem]
    return doc


# --- xDoc -> Schema -------------------------------------------------------------------


def _text(raw: Any) -> str:
    return raw if isinstance(raw, str) else ""


def _int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _parse_value_space(raw: Any, with_default: bool) -> ValueSpace:
    if not isinstance(raw, Mapping):
        return ValueSpace()
    values = raw.get("Value")
    values = values if isinstance(values, list) else [values] if isinstance(values, str) else []
    default = raw.get("default") if with_default else None
    return ValueSpace(
        type=_text(raw.get("type")) or "String",
        min=_int(raw.get("min")), max=_int(raw.get("max")),
        values=tuple(str(v) for v in values if isinstance(v, str | int) and not isinstance(v, bool)),
        min_length=_int(raw.get("minLength")), max_length=_int(raw.get("maxLength")),
        default=None if default is None else str(default),
    )


def _children(doc: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Child entries: objects or lists under a name. Attributes are strings, so a
    lower-case name holding an object is a node too (Status has `...Video intraFrames`)."""
    return [(k, v) for k, v in doc.items()
            if isinstance(k, str) and k and k != "ValueSpace" and isinstance(v, Mapping | list)]


def _parse_param(name: str, raw: Any) -> Param | None:
    multiple = isinstance(raw, list)
    if multiple:
        raw = next((e for e in raw if isinstance(e, Mapping)), None)
    if not isinstance(raw, Mapping):
        return None
    return Param(name=name, value_space=_parse_value_space(raw.get("ValueSpace"), True),
                 required=_text(raw.get("required")).lower() == "true", multiple=multiple,
                 description=_text(raw.get("description")))


def _fill(draft: NodeDraft, doc: Mapping[str, Any], root: str, ids: tuple[int, ...] | None,
          in_event: bool) -> None:
    """Merge one xDoc object into `draft`; `ids` is the innermost array element's id."""
    if root == "Command" and _text(doc.get("command")) == "True":
        draft.kind = "command"
        draft.set_attributes(doc)
        for name, raw in _children(doc):
            param = _parse_param(name, raw)
            if param is not None:
                draft.add_param(param)
        return
    if in_event and "type" in doc and not _children(doc):
        draft.kind = "leaf"
        draft.set_value_space(ValueSpace(type=_EVENT_TYPE_IN.get(_text(doc["type"]).lower(), "String")))
        return
    if not in_event and isinstance(doc.get("ValueSpace"), Mapping):
        draft.kind = "leaf"
        draft.set_attributes(doc)
        draft.set_value_space(_parse_value_space(doc["ValueSpace"], False))
        raw_default = doc["ValueSpace"].get("default")
        draft.add_default(None if raw_default is None else str(raw_default), ids)
        return
    if root == "Event" and _text(doc.get("event")) == "True":
        draft.kind = "event"
        draft.set_attributes(doc)
        in_event = True
    for name, raw in _children(doc):
        child = draft.child(name)
        if isinstance(raw, Mapping):
            _fill(child, raw, root, ids, in_event)
            continue
        elements = [e for e in raw if isinstance(e, Mapping)]
        if not elements:
            continue
        found: list[int] = []
        for e in elements:
            eid = _int(e.get("id")) if root == "Configuration" else None
            if eid is not None:
                found.append(eid)
            _fill(child, e, root, None if eid is None else (eid,), in_event)
        child.mark_multi(found or None)


def from_xdoc(docs: Mapping[str, Any], product: str = "", version: str = "") -> Schema:
    """A Schema from the root documents a client received ({"Command": {...}, ...}).

    Roots that are missing or not objects are left out. Never raises on odd input:
    unknown attributes are ignored and junk entries skipped. `product`/`version` default
    to the Command root's own attributes.
    """
    found: dict[str, Any] = {}
    if isinstance(docs, Mapping):
        found = {k.lower(): v for k, v in docs.items() if isinstance(k, str)}
    roots: list[Node] = []
    for name in ROOTS:
        doc = found.get(name.lower())
        if isinstance(doc, Mapping):
            draft = NodeDraft(name)
            _fill(draft, doc, name, None, False)
            draft.kind = "branch"
            roots.append(draft.freeze())
    command = found.get("command")
    if isinstance(command, Mapping):
        product = product or _text(command.get("product"))
        version = version or _text(command.get("version"))
    return make_schema(roots, product=product, version=version)
