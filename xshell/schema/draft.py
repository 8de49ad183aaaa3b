"""The one mutable builder every schema loader fills, then freezes into the immutable model.

Three loaders build a `Schema`: Cisco's published file (`schema.cisco`), a device's xDoc
answer (`schema.xdoc`) and the simulator's `.xdm` model (`sim.builtin`). They all meet the
same node more than once — the published file repeats a path per product, xDoc repeats a
Configuration array element per id, a `.xdm` header is continued by many lines — so they
share this builder: repeated definitions merge here by one set of rules (instance ids
unioned, value spaces widened, the first description and default kept), and `freeze` is the
only place that decides what a finished `Node` looks like, so the loaders cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from xshell.schema.defaults import format_instance_defaults, lookup, parse_instance_defaults
from xshell.schema.model import Node, NodeKind, Param, ValueSpace, make_children

__all__ = ["NodeDraft", "widen", "truthy"]


# --- value spaces ---------------------------------------------------------------------


def widen(a: ValueSpace, b: ValueSpace) -> ValueSpace:
    """The smallest value space holding both (products disagree on ranges and literals).

    Different types cannot be unioned; the first wins. Defaults are not touched here.
    """
    if a.type != b.type:
        return a
    values = a.values + tuple(v for v in b.values if v not in a.values)
    return a._replace(min=_bound(min, a.min, b.min), max=_bound(max, a.max, b.max), values=values,
                   min_length=_bound(min, a.min_length, b.min_length),
                   max_length=_bound(max, a.max_length, b.max_length))


def _bound(pick: Callable[[int, int], int], x: int | None, y: int | None) -> int | None:
    """An open bound (None) on either side stays open."""
    return None if x is None or y is None else pick(x, y)


def truthy(raw: Any) -> bool:
    """A flag as the schema files write it: JSON true or the strings "true"/"1"/"yes"."""
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
        self.params[key] = old._replace(value_space=widen(old.value_space, param.value_space),
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
        self.multiline = self.multiline or truthy(attrs.get("multiline"))
        self.hide_value = self.hide_value or truthy(attrs.get("hide_value"))

    def _final_default(self, ids: Sequence[int]) -> str | None:
        per = self.instance_defaults
        if not per:
            return self.default
        if ids:
            plain = self.default
            full = {i: per[i] if i in per else plain if plain is not None else lookup(per, i)
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
            vs = vs._replace(default=self._final_default(ids))
        return Node(
            name=self.name, kind=self.kind,
            children=make_children([c.freeze(ids) for c in self.children.values()]),
            multi=self.multi, instances=instances, value_space=vs,
            params=tuple(self.params.values()), multiline=self.multiline,
            description=self.description, access=self.access or "public-api",
            roles=tuple(self.roles), read_roles=tuple(self.read_roles), hide_value=self.hide_value,
        )
