"""Load Cisco's published xAPI schema file (roomos.cisco.com format) into the Schema model.

The published file is a flat list of objects, one per path *per product family*: the same
node appears several times with different instance ranges (`Audio Input HDMI[1..3] Mode`,
`...HDMI[1] Mode`), value spaces or defaults. The loader merges them into one node so the
simulator and the shell see one tree: instance ids are unioned, value spaces widened (the
union of what any product accepts), the first object's default and description kept.

The file is 4 MB; everything here is one pass over it with dict look-ups, so loading stays
dominated by `json.load`.

`NodeDraft` (the mutable builder) is shared with `schema.xdoc.from_xdoc`, which needs the
same merging when it folds the instances of a Configuration array into one node.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from xshell.errors import XShellError
from xshell.schema.model import ROOTS, Node, NodeKind, Param, Schema, ValueSpace, make_children, make_schema

__all__ = [
    "CiscoSchemaError", "NodeDraft", "load_cisco", "load_cisco_data", "version_from_filename",
    "parse_instance_defaults", "format_instance_defaults", "default_for_instance", "widen",
]


class CiscoSchemaError(XShellError, ValueError):
    """The schema file is unreadable or an object in it is malformed (one line, says where)."""


_NAME = r"[A-Za-z][A-Za-z0-9_.\-]*"  # parameter and event field names include Option.1
_SEGMENT = re.compile(rf"({_NAME})(?:\[(n|\d+|\d+\.\.\d+)\])?")
_FIELD = re.compile(_NAME)
_INSTANCE_DEFAULT = re.compile(r"\s*\[(\d+)\]:\s*([^;]*?)\s*;")
_EVENT_TYPES = {"int": "Integer", "integer": "Integer", "literal": "Literal", "string": "String"}


# --- per-instance defaults ------------------------------------------------------------
# Cisco writes a default that differs per instance as "[1]: Off; [2]: On; " (the ids are
# those of the innermost multi-instance node above the leaf). The model keeps that text in
# ValueSpace.default; these helpers read and write it.


def parse_instance_defaults(text: str | None) -> dict[int, str] | None:
    """{id: value} for Cisco's per-instance default notation, None for a plain default."""
    if not text or not text.lstrip().startswith("["):
        return None
    out: dict[int, str] = {}
    pos = 0
    for m in _INSTANCE_DEFAULT.finditer(text):
        if m.start() != pos:
            return None
        out.setdefault(int(m.group(1)), m.group(2))
        pos = m.end()
    return out if out and not text[pos:].strip() else None


def format_instance_defaults(values: Mapping[int, str]) -> str:
    """The canonical per-instance notation, ids ascending (Cisco's own spacing)."""
    return "".join(f"[{i}]: {values[i]}; " for i in sorted(values))


def _lookup(values: Mapping[int, str], instance: int) -> str:
    """Value for `instance`; an unlisted id repeats the nearest listed id below it."""
    if instance in values:
        return values[instance]
    below = [i for i in values if i < instance]
    return values[max(below)] if below else values[min(values)]


def default_for_instance(vs: ValueSpace | None, instance: int | None) -> str | None:
    """The default of one instance (id of the innermost multi node above the leaf)."""
    if vs is None:
        return None
    per = parse_instance_defaults(vs.default)
    if per is None:
        return vs.default
    return _lookup(per, instance if instance is not None else min(per))


# --- value spaces ---------------------------------------------------------------------


def widen(a: ValueSpace, b: ValueSpace) -> ValueSpace:
    """The smallest value space holding both (products disagree on ranges and literals).

    Different types cannot be unioned; the first wins. Defaults are not touched here.
    """
    if a.type != b.type:
        return a
    values = a.values + tuple(v for v in b.values if v not in a.values)
    return replace(a, min=_bound(min, a.min, b.min), max=_bound(max, a.max, b.max), values=values,
                   min_length=_bound(min, a.min_length, b.min_length),
                   max_length=_bound(max, a.max_length, b.max_length))


def _bound(pick: Callable[[int, int], int], x: int | None, y: int | None) -> int | None:
    """An open bound (None) on either side stays open."""
    return None if x is None or y is None else pick(x, y)


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


def _truthy(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.lower() in ("true", "1", "yes"))


def _names(raw: Any) -> list[str]:
    """Role lists arrive as JSON lists (published file) or "Admin;User" (xDoc)."""
    if isinstance(raw, str):
        return [r for r in raw.split(";") if r]
    if isinstance(raw, list | tuple):
        return [str(r) for r in raw if r]
    return []


def _union(a: list[str], b: Iterable[str]) -> None:
    for x in b:
        if x not in a:
            a.append(x)


# --- the mutable builder --------------------------------------------------------------


class NodeDraft:
    """A node under construction; repeated definitions of the same path merge into it."""

    __slots__ = ("name", "kind", "children", "multi", "dynamic", "ids", "vs", "default",
                 "instance_defaults", "params", "multiline", "description",
                 "access", "roles", "read_roles", "hide_value")

    def __init__(self, name: str) -> None:
        self.name = name
        self.kind: NodeKind = "branch"
        self.children: dict[str, NodeDraft] = {}
        self.multi = False
        self.dynamic = False
        self.ids: set[int] = set()
        self.vs: ValueSpace | None = None
        self.default: str | None = None
        self.instance_defaults: dict[int, str] = {}
        self.params: dict[str, Param] = {}
        self.multiline = False
        self.description = ""
        self.access = ""
        self.roles: list[str] = []
        self.read_roles: list[str] = []
        self.hide_value = False

    def child(self, name: str) -> NodeDraft:
        key = name.lower()
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = NodeDraft(name)
        return node

    def mark_multi(self, ids: Iterable[int] | None) -> None:
        """Multi-instance with these fixed ids; None means dynamic ([n]), which wins."""
        self.multi = True
        if ids is None:
            self.dynamic = True
        else:
            self.ids.update(ids)

    def set_value_space(self, vs: ValueSpace) -> None:
        self.vs = vs if self.vs is None else widen(self.vs, vs)

    def add_default(self, text: str | None, ids: Iterable[int] | None = None) -> None:
        """Record a default given for the instance `ids` of the innermost indexed node.

        ids None: the path had no fixed ids ([n], or no index), so a plain default applies
        to every instance. Fixed ids ([2], [1..3], an xDoc array element) record the
        default per id; Cisco's "[1]: Off; [2]: On; " notation is read for those ids only
        (objects with a single fixed id sometimes carry a list for other ids too). The
        first definition of an id wins, as the first product's value does everywhere.
        """
        if text is None:
            return
        per = parse_instance_defaults(text)
        if ids is None:
            if per is None:
                if self.default is None:
                    self.default = text
            else:
                for i, v in per.items():
                    self.instance_defaults.setdefault(i, v)
            return
        for i in ids:
            value = text if per is None else per.get(i)
            if value is not None:
                self.instance_defaults.setdefault(i, value)

    def add_param(self, param: Param) -> None:
        key = param.name.lower()
        old = self.params.get(key)
        if old is None:
            self.params[key] = param
            return
        self.params[key] = replace(old, value_space=widen(old.value_space, param.value_space),
                                   required=old.required and param.required,
                                   multiple=old.multiple or param.multiple,
                                   description=old.description or param.description)

    def set_attributes(self, attrs: Mapping[str, Any], read_from_role: bool = False) -> None:
        """description/access/role/read/multiline/hide_value, merged with earlier ones.

        `read_from_role`: the published file lists a Status node's readers under `role`
        (statuses cannot be written); the model and xDoc keep them as read roles.
        """
        desc = attrs.get("description")
        if isinstance(desc, str) and not self.description:
            self.description = desc
        access = attrs.get("access")
        if isinstance(access, str) and access and not self.access:
            self.access = access
        if read_from_role:
            _union(self.read_roles, _names(attrs.get("role")))
        else:
            _union(self.roles, _names(attrs.get("role")))
        _union(self.read_roles, _names(attrs.get("read")))
        self.multiline = self.multiline or _truthy(attrs.get("multiline"))
        self.hide_value = self.hide_value or _truthy(attrs.get("hide_value"))

    def _final_default(self, ids: Sequence[int]) -> str | None:
        per = self.instance_defaults
        if not per:
            return self.default
        if ids:
            plain = self.default
            full = {i: per[i] if i in per else plain if plain is not None else _lookup(per, i)
                    for i in ids}
        else:
            full = dict(per)
        if len(set(full.values())) == 1:
            return next(iter(full.values()))
        return format_instance_defaults(full)

    def freeze(self, ids: Sequence[int] = ()) -> Node:
        """The immutable Node; `ids` are the innermost multi ancestor's fixed instance ids."""
        instances = () if self.dynamic or not self.multi else tuple(sorted(self.ids))
        if self.multi:
            ids = instances
        vs = self.vs
        if self.kind == "leaf" and vs is None:
            vs = ValueSpace()
        if vs is not None and (self.default is not None or self.instance_defaults):
            vs = replace(vs, default=self._final_default(ids))
        return Node(
            name=self.name, kind=self.kind,
            children=make_children([c.freeze(ids) for c in self.children.values()]),
            multi=self.multi, instances=instances, value_space=vs,
            params=tuple(self.params.values()), multiline=self.multiline,
            description=self.description, access=self.access or "public-api",
            roles=tuple(self.roles), read_roles=tuple(self.read_roles), hide_value=self.hide_value,
        )


# --- the published format -------------------------------------------------------------


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
        vs = replace(vs, default=str(default))
    multiple = "multiple" in raw or (isinstance(vsraw, Mapping) and "multiple" in vsraw) or vs.is_array
    desc = raw.get("description")
    return Param(name=name, value_space=vs, required=_truthy(raw.get("required")),
                 multiple=multiple, description=desc if isinstance(desc, str) else "")


def _event_fields(node: NodeDraft, fields: Any, where: str) -> None:
    """Event `children`: {name: {required, valuespace, values?}} or nested {children, multiple}."""
    if not isinstance(fields, Mapping):
        return
    for name, spec in fields.items():
        if not isinstance(spec, Mapping) or not _FIELD.fullmatch(str(name)):
            raise CiscoSchemaError(f"{where}: bad event field {name!r}")
        sub = node.child(str(name))
        if _truthy(spec.get("multiple")):
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
