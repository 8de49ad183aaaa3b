"""Load Cisco's published xAPI schema file (roomos.cisco.com format) into the Schema model.

The published file is a flat list of objects, one per path *per product family*: the same
node appears several times with different instance ranges (`Audio Input HDMI[1..3] Mode`,
`...HDMI[1] Mode`), value spaces or defaults. The loader merges them into one node so the
simulator and the shell see one tree: instance ids are unioned, value spaces widened (the
union of what any product accepts), the first object's default and description kept.

The file is 4 MB; everything here is one pass over it with dict look-ups, so loading stays
dominated by `json.load`.

The merging itself is `schema.draft.NodeDraft`, the builder every loader shares; this module
only knows the published format: paths with [n]/[2]/[1..3] markers, `valuespace` objects,
parameters and event fields.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xshell.errors import XShellError
from xshell.schema.draft import NodeDraft, truthy
from xshell.schema.model import ROOTS, Param, Schema, ValueSpace, make_schema

__all__ = ["CiscoSchemaError", "load_cisco", "load_cisco_data", "version_from_filename"]


class CiscoSchemaError(XShellError, ValueError):
    """The schema file is unreadable or an object in it is malformed (one line, says where)."""


_NAME = r"[A-Za-z][A-Za-z0-9_.\-]*"  # parameter and event field names include Option.1
_SEGMENT = re.compile(rf"({_NAME})(?:\[(n|\d+|\d+\.\.\d+)\])?")
_FIELD = re.compile(_NAME)
_EVENT_TYPES = {"int": "Integer", "integer": "Integer", "literal": "Literal", "string": "String"}


# --- the published format -------------------------------------------------------------


def _int(raw: Any, what: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise CiscoSchemaError(f"{what} {raw!r} is not an integer") from None


def _value_space(raw: Any, where: str) -> ValueSpace:
    """A Cisco `valuespace` object ({"type","Min","Max","Values","MinLength",...})."""
    if not isinstance(raw, Mapping):
        return ValueSpace()
    values = raw.get("Values") or ()
    if not isinstance(values, list | tuple):
        raise CiscoSchemaError(f"{where}: Values is not a list")
    bound = {k: _int(raw.get(k), f"{where}: {k}") for k in ("Min", "Max", "MinLength", "MaxLength")}
    return ValueSpace(type=str(raw.get("type") or "String"), min=bound["Min"], max=bound["Max"],
                      values=tuple(str(v) for v in values),
                      min_length=bound["MinLength"], max_length=bound["MaxLength"])


def _walk_path(root: NodeDraft, path: str, where: str) -> tuple[NodeDraft, range | None]:
    """Create/merge the drafts along a space-separated path with [n]/[2]/[1..3] markers.

    Also returns the fixed ids of the innermost indexed element (None for [n] or none),
    which is what a per-instance default in the same object refers to.
    """
    node = root
    parts = path.split()
    if not parts:
        raise CiscoSchemaError(f"{where}: empty path")
    innermost: range | None = None
    for part in parts:
        m = _SEGMENT.fullmatch(part)
        if m is None:
            raise CiscoSchemaError(f"{where}: bad path element {part!r}")
        node = node.child(m.group(1))
        idx = m.group(2)
        if idx == "n":
            node.mark_multi(None)
            innermost = None
        elif idx is not None:
            lo, _, hi = idx.partition("..")
            innermost = range(int(lo), int(hi or lo) + 1)
            if not innermost:
                raise CiscoSchemaError(f"{where}: empty instance range [{idx}]")
            node.mark_multi(innermost)
    return node, innermost


def _param(raw: Any, where: str) -> Param:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise CiscoSchemaError(f"{where}: parameter without a name")
    name = raw["name"]
    vsraw = raw.get("valuespace")
    vs = _value_space(vsraw, f"{where} {name}")
    default = raw.get("default")
    if default is not None:
        vs = vs._replace(default=str(default))
    multiple = "multiple" in raw or (isinstance(vsraw, Mapping) and "multiple" in vsraw) or vs.is_array
    desc = raw.get("description")
    return Param(name=name, value_space=vs, required=truthy(raw.get("required")),
                 multiple=multiple, description=desc if isinstance(desc, str) else "")


def _event_fields(node: NodeDraft, fields: Any, where: str) -> None:
    """Event `children`: {name: {required, valuespace, values?}} or nested {children, multiple}."""
    if not isinstance(fields, Mapping):
        return
    for name, spec in fields.items():
        if not isinstance(spec, Mapping) or not _FIELD.fullmatch(str(name)):
            raise CiscoSchemaError(f"{where}: bad event field {name!r}")
        sub = node.child(str(name))
        if truthy(spec.get("multiple")):
            sub.mark_multi(None)
        if "children" in spec:
            _event_fields(sub, spec["children"], f"{where} {name}")
            continue
        sub.kind = "leaf"
        vtype = _EVENT_TYPES.get(str(spec.get("valuespace", "string")).lower(), "String")
        values = spec.get("values")
        values = values if isinstance(values, list) else []
        sub.set_value_space(ValueSpace(type=vtype, values=tuple(str(v) for v in values)))


def _add_object(roots: Mapping[str, NodeDraft], obj: Mapping[str, Any], where: str) -> None:
    root = roots[obj["type"]]
    path = obj.get("path")
    if not isinstance(path, str):
        raise CiscoSchemaError(f"{where}: missing path")
    where = f"{where} ({obj['type']} {path})"
    attrs = obj.get("attributes") or {}
    if not isinstance(attrs, Mapping):
        raise CiscoSchemaError(f"{where}: attributes is not an object")
    node, ids = _walk_path(root, path, where)
    kind = obj["type"]
    if kind == "Command":
        node.kind = "command"
        node.set_attributes(attrs)
        params = attrs.get("params") or []
        if not isinstance(params, list):
            raise CiscoSchemaError(f"{where}: params is not a list")
        for p in params:
            node.add_param(_param(p, where))
    elif kind == "Event":
        node.kind = "event"
        node.set_attributes(attrs)
        _event_fields(node, attrs.get("children"), where)
    else:
        node.kind = "leaf"
        node.set_attributes(attrs, read_from_role=kind == "Status")
        node.set_value_space(_value_space(attrs.get("valuespace"), where))
        default = attrs.get("default")
        node.add_default(None if default is None else str(default), ids)


def version_from_filename(name: str | os.PathLike[str]) -> str:
    """"RoomOS 26.1.1" from roomos-26.1.1.json, "CE 9.15.17.4" from ce-9.15.17.4.json, else ""."""
    stem = Path(name).name
    m = re.search(r"(?i)(roomos|ce|tc)?[-_ ]?(\d+(?:\.\d+)+)", stem)
    if m is None:
        return ""
    label, number = m.group(1), m.group(2)
    if label:
        label = {"roomos": "RoomOS", "ce": "CE", "tc": "TC"}[label.lower()]
    else:
        label = "RoomOS" if int(number.split(".")[0]) >= 10 else "CE"
    return f"{label} {number}"


def load_cisco_data(obj: Mapping[str, Any], product: str | None = None, version: str = "") -> Schema:
    """The Schema of an already-parsed published file ({"objects": [...]}).

    `product` (a Cisco product code such as "barents") keeps only that product's objects.
    Objects of unknown types are skipped (newer files may add some); malformed objects raise
    CiscoSchemaError naming the object.
    """
    objects = obj.get("objects") if isinstance(obj, Mapping) else None
    if not isinstance(objects, list):
        raise CiscoSchemaError('not a Cisco xAPI schema: no "objects" list at the top level')
    roots: dict[str, NodeDraft] = {r: NodeDraft(r) for r in ROOTS}
    want = product.lower() if product else None
    for i, o in enumerate(objects):
        if not isinstance(o, Mapping) or o.get("type") not in roots:
            continue
        if want is not None:
            products = o.get("products")
            if not isinstance(products, list) or want not in (str(p).lower() for p in products):
                continue
        _add_object(roots, o, f"object {i}")
    return make_schema([roots[r].freeze() for r in ROOTS], product=product or "", version=version)


def load_cisco(path: str | os.PathLike[str], product: str | None = None) -> Schema:
    """Read a published schema file; Schema.version comes from its name ("RoomOS 26.1.1")."""
    try:
        with open(path, "rb") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise CiscoSchemaError(f"cannot read schema file {os.fspath(path)}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CiscoSchemaError(f"schema file {os.fspath(path)} is not valid JSON: {exc}") from None
    try:
        return load_cisco_data(data, product=product, version=version_from_filename(path))
    except CiscoSchemaError as exc:
        raise CiscoSchemaError(f"{os.fspath(path)}: {exc}") from None
