"""Immutable model of a device's xAPI schema.

Every part of xshell that needs to know what a path, parameter or value means reads this
model: the simulator (to validate and type values), the parser (to canonicalise names and
type values), the renderer (to quote strings but not literals), the completer and help.
It is built by one of three loaders — Cisco's published schema file (`schema.cisco`), the
device's own `xDoc` answer (`schema.xdoc`), or the simulator's built-in model
(`sim.builtin`) — and never mutated afterwards, so it can be shared between threads
(the completer runs in one) and cached without copies.

Names are matched case-insensitively (the device does) and reported in canonical case.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

RootName = Literal["Command", "Configuration", "Status", "Event"]
ROOTS: tuple[RootName, ...] = ("Command", "Configuration", "Status", "Event")
NodeKind = Literal["branch", "leaf", "command", "event"]
PathElem = str | int

_EMPTY: Mapping[str, Node] = MappingProxyType({})


class ValueSpace(NamedTuple):
    """The set of legal values of a leaf or parameter.

    `type` is one of Integer, Literal, String and their *Array forms (command parameters
    only). Bounds are ints; literal values keep the schema's case.
    """

    type: str = "String"
    min: int | None = None
    max: int | None = None
    values: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    default: str | None = None

    @property
    def base(self) -> str:
        """Integer, Literal or String, with any Array suffix removed."""
        return self.type.removesuffix("Array")

    @property
    def is_array(self) -> bool:
        return self.type.endswith("Array")

    @property
    def is_integer(self) -> bool:
        return self.base == "Integer"

    @property
    def is_literal(self) -> bool:
        return self.base == "Literal"

    @property
    def is_string(self) -> bool:
        return self.base == "String"

    def describe(self) -> str:
        """The value space as RoomOS help prints it: <0..100>, <On, Off>, <S: 0, 255>.

        One form everywhere (help, completion, errors): literals comma-separated, as a
        device's own `?` prints them (tshell.md §4.1), not the older guides' `<On/Off>`."""
        if self.is_integer:
            lo = "" if self.min is None else str(self.min)
            hi = "" if self.max is None else str(self.max)
            return f"<{lo}..{hi}>" if (lo or hi) else "<Integer>"
        if self.is_literal:
            return "<" + ", ".join(self.values) + ">"
        shortest = 0 if self.min_length is None else self.min_length
        return f"<S: {shortest}, {self.max_length}>" if self.max_length is not None else "<S>"

    def canonical_literal(self, text: str) -> str | None:
        """The schema spelling of a literal typed in any case, or None if it is not one."""
        low = text.lower()
        for v in self.values:
            if v.lower() == low:
                return v
        return None

    def check(self, value: str | int) -> str | None:
        """Why `value` is not legal here (one short sentence), or None when it is.

        Integers may arrive as numeric strings (pyxows and tshell send them so).
        """
        if self.is_integer:
            try:
                n = int(value)
            except (TypeError, ValueError):
                return f"expected an integer {self.describe()}, got {value!r}"
            if isinstance(value, bool):
                return f"expected an integer {self.describe()}, got {value!r}"
            if (self.min is not None and n < self.min) or (self.max is not None and n > self.max):
                return f"{n} is out of range {self.describe()}"
            return None
        if self.is_literal:
            if self.values and self.canonical_literal(str(value)) is None:
                return f"{value!r} is not one of {self.describe()}"
            return None
        s = str(value)
        if self.min_length is not None and len(s) < self.min_length:
            return f"string shorter than {self.min_length} characters"
        if self.max_length is not None and len(s) > self.max_length:
            return f"string longer than {self.max_length} characters"
        return None

    def coerce(self, value: str | int) -> str | int:
        """The wire form of a legal value: int for Integer, canonical case for Literal."""
        if self.is_integer:
            return int(value)
        if self.is_literal:
            return self.canonical_literal(str(value)) or str(value)
        return str(value)


class Param(NamedTuple):
    """One command parameter (a child of a command node in xDoc)."""

    name: str
    value_space: ValueSpace
    required: bool = False
    multiple: bool = False  # repeatable: repeated names travel as a JSON array
    description: str = ""

    @property
    def secret(self) -> bool:
        """Parameters whose values must never be echoed, logged or kept in history."""
        return is_secret_name(self.name)


_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_WORDS = frozenset({"password", "passphrase", "passcode", "secret"})
_SECRET_LAST = frozenset({"key", "pin"})


def is_secret_name(name: str) -> bool:
    """Names like *Password*, *Passphrase*, ChallengePassword, *Key, *Pin.

    Matched on CamelCase words, so Mapping or KeyCode are not secrets but
    SharedKey, NtpKey and HostPin are. A name in one case (`oldpassphrase`, `NEWPASSWORD`:
    the device reads parameter names in any case) has no word boundaries to go by, so
    there the words are looked for inside it.
    """
    words = [w.lower() for w in _CAMEL.findall(name)] or [name.lower()]
    if _SECRET_WORDS.intersection(words) or words[-1] in _SECRET_LAST:
        return True
    if name.islower() or name.isupper():
        low = name.lower()
        return any(w in low for w in _SECRET_WORDS) or low.endswith(tuple(_SECRET_LAST))
    return False


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """A node of one of the four trees (Command, Configuration, Status, Event).

    kind:
      branch  — has children;
      leaf    — a Status/Configuration value (value_space) or an Event field;
      command — an xCommand (params, multiline);
      event   — an event node (its children are the event's fields/sub-nodes).
    multi: the node is multi-instance; in paths an integer instance id follows its name.
    instances: instance ids the schema knows (Configuration ranges like [1..3]);
      empty for dynamic lists (Status Call[n]) — the live tree says which exist.
    """

    name: str
    kind: NodeKind = "branch"
    children: Mapping[str, Node] = field(default_factory=lambda: _EMPTY)  # key: lower-case name
    multi: bool = False
    instances: tuple[int, ...] = ()
    value_space: ValueSpace | None = None
    params: tuple[Param, ...] = ()
    multiline: bool = False
    description: str = ""
    access: str = "public-api"
    roles: tuple[str, ...] = ()
    read_roles: tuple[str, ...] = ()
    hide_value: bool = False

    def child(self, name: str) -> Node | None:
        """The child named `name` in any case."""
        return self.children.get(name.lower())

    def param(self, name: str) -> Param | None:
        """The command parameter named `name` in any case."""
        low = name.lower()
        for p in self.params:
            if p.name.lower() == low:
                return p
        return None

    @property
    def is_leaf(self) -> bool:
        return self.kind == "leaf"

    @property
    def secret(self) -> bool:
        """A configuration whose value must never be shown (schema hide_value)."""
        return self.hide_value


def make_children(nodes: Sequence[Node]) -> Mapping[str, Node]:
    """An immutable, insertion-ordered child mapping keyed by lower-case name."""
    return MappingProxyType({n.name.lower(): n for n in nodes})


class Resolved(NamedTuple):
    """Result of walking a path through the schema.

    `node` is the deepest node reached (None if the first element was unknown);
    `path` is the input path with names in canonical case; `rest` is what could not
    be matched (empty on full success); `error` says why in one sentence.
    """

    node: Node | None
    path: tuple[PathElem, ...]
    rest: tuple[PathElem, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True, eq=False)
class Schema:
    """The four xAPI trees of one device (or one published schema)."""

    roots: Mapping[str, Node]  # key: lower-case root name; values named Command, ...
    product: str = ""
    version: str = ""

    def root(self, name: str) -> Node | None:
        return self.roots.get(name.lower())

    def resolve(self, path: Sequence[PathElem]) -> Resolved:
        """Walk `path` (root first, e.g. ["Status","Video","Input","Connector",2,"Name"]).

        Integers (or digit strings) are accepted only right after a multi-instance node;
        a multi node without an id means "every instance" and is fine. Names are
        canonicalised. Never raises.
        """
        if not path:
            return Resolved(None, (), (), "empty path")
        first = str(path[0])
        node = self.root(first)
        if node is None:
            return Resolved(None, (), tuple(path), f"unknown root {first!r}")
        out: list[PathElem] = [node.name]
        prev_multi = False
        for i, elem in enumerate(path[1:], start=1):
            if isinstance(elem, int) or (isinstance(elem, str) and elem.isdigit()):
                if not prev_multi:
                    return Resolved(node, tuple(out), tuple(path[i:]),
                                    f"{node.name} has no instances; unexpected {elem}")
                out.append(int(elem))
                prev_multi = False
                continue
            nxt = node.child(elem)
            if nxt is None:
                return Resolved(node, tuple(out), tuple(path[i:]),
                                f"{' '.join(map(str, out))} has no node {elem!r}")
            node = nxt
            out.append(node.name)
            prev_multi = node.multi
        return Resolved(node, tuple(out))

    def empty_read(self, path: Sequence[PathElem]) -> list[Any] | dict[str, Any] | None:
        """What reading `path` gives when the device has no instance there, else None.

        A device answers "No match on Path argument" for `Status/Call` when there is no
        call, and for `Status/Call/5` when call 5 is gone: valid paths that name no
        instance right now. tshell prints an empty answer for those, so a shell should
        too. [] for a multi-instance node itself, {} below one; None when the path does
        not go through a multi-instance node (a No match is then a real error).
        """
        resolved = self.resolve(path)
        if not resolved.ok or resolved.node is None or resolved.path[0] not in ("Status", "Configuration"):
            return None
        node = self.root(str(resolved.path[0]))
        crossed = False
        for elem in resolved.path[1:]:
            if isinstance(elem, int) or node is None:
                continue
            node = node.child(elem)
            crossed = crossed or bool(node is not None and node.multi)
        if not crossed:
            return None
        last = resolved.path[-1]
        return [] if resolved.node.multi and not isinstance(last, int) else {}

    def node(self, path: Sequence[PathElem]) -> Node | None:
        """The node at `path`, or None."""
        r = self.resolve(path)
        return r.node if r.ok else None

    def walk(self, root: str | None = None) -> Iterator[tuple[tuple[str, ...], Node]]:
        """Every node depth-first as (names from the root, node); instance ids omitted."""
        roots = [self.root(root)] if root else list(self.roots.values())
        stack: list[tuple[tuple[str, ...], Node]] = [((r.name,), r) for r in reversed(roots) if r]
        while stack:
            path, node = stack.pop()
            yield path, node
            for child in reversed(tuple(node.children.values())):
                stack.append((path + (child.name,), child))


def make_schema(roots: Sequence[Node], product: str = "", version: str = "") -> Schema:
    return Schema(MappingProxyType({r.name.lower(): r for r in roots}), product, version)
