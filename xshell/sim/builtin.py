"""The simulator's built-in device: a hand-written Codec Pro in our own `.xdm` text format.

Why a format of our own rather than JSON: the built-in device is written and reviewed by
people, so each leaf fits on one readable line with its type, boot value and a short note,
and a typo is reported with its line number. `load_builtin()` parses `sim/data/device.xdm`
once (cached) into an immutable `DeviceModel`. The data file's header has worked examples.

    KIND PATH SPEC  # note      KIND: status, config, command or event; `#` lines are comments
    KIND PATH                   header: the more-indented lines below continue PATH (nestable)
    ... \\                      a trailing backslash continues a line
    @role KIND R1;R2            default write/run roles of the KIND lines that follow (@read: read)

PATH: names; lists carry their ids: `Connector[1..3]` / `[1,4]` (fixed), `Call[n]` (dynamic,
empty at boot), `ConnectedDevice[n:1001]` (dynamic, these ids at boot); a leaf may be a list.
Leaf SPEC: `TYPE [= VALUE]`, TYPE `int [LO..HI]`, `str [MIN..MAX]` (length), `lit`, `lit A|B`
or `A|B|C`; VALUE an integer, a "string" or a bare literal, optionally per instance:
`= "x" [3] "y"` (keys name the innermost lists' ids; the most specific key wins).
Flags: `!hide` (a configuration never shown), `!multiline` (command takes a body),
`!role=..`, `!read=..`, `!access=..`. Command SPEC: `Name: TYPE [= default]`, `Name*:` required,
`Name+:` repeatable. Event SPEC: `Field: TYPE` (`Sub/Field:`, `Sub[n]/Field:` nest), or a bare
TYPE for an event that is one value.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from xshell.schema.cisco import format_instance_defaults
from xshell.schema.model import Node, NodeKind, Param, ValueSpace, make_children, make_schema
from xshell.sim.device import DeviceModel, LeafPath, Value

KINDS = {"status": "Status", "config": "Configuration", "command": "Command", "event": "Event"}
TYPE_WORDS = frozenset({"int", "str", "lit"})
DEFAULT_NAME = "xshell-sim"
_WORD = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)(?:\[([^\]\s]*)\])?$")
_PARAM = re.compile(r"([A-Za-z][A-Za-z0-9_.\-/\[\]:,]*?)([*+]{0,2}):$")
_RANGE = re.compile(r"(-?\d+)?\.\.(-?\d+)?$")
_INT = re.compile(r"-?\d+$")
_TOKEN = re.compile(r'\s*(?:(?P<note>#.*)|"(?P<q>(?:[^"\\]|\\.)*)"(?=\s|$)|(?P<bare>[^\s"]+)(?=\s|$)|(?P<bad>\S))')
_ESCAPE = re.compile(r"\\(.)")
_FLAGS = {"hide": ("Configuration",), "multiline": ("Command",), "role": None, "read": None, "access": None}


class ModelSyntaxError(ValueError):
    """A mistake in a model file; the message names the file, the line and what is wrong."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}, line {line}: {message}")
        self.line = line
        self.reason = message


class _Tok(NamedTuple):
    text: str
    quoted: bool = False


@dataclass
class _Draft:
    """A node while the file is read; frozen into a `Node` at the end."""

    name: str
    line: int
    kind: NodeKind = "branch"
    children: dict[str, _Draft] = field(default_factory=dict)
    spec: str | None = None  # bracket text as normalised, to check every mention agrees
    instances: tuple[int, ...] = ()  # ids the schema knows (fixed lists)
    boot: tuple[int, ...] = ()  # ids present at boot
    value_space: ValueSpace | None = None
    params: tuple[Param, ...] = ()
    multiline: bool = False
    description: str = ""
    access: str = "public-api"
    roles: tuple[str, ...] = ()
    read_roles: tuple[str, ...] = ()
    hide_value: bool = False

    def freeze(self) -> Node:
        return Node(self.name, self.kind, make_children([c.freeze() for c in self.children.values()]),
                    multi=self.spec is not None, instances=self.instances,
                    value_space=self.value_space, params=self.params, multiline=self.multiline,
                    description=self.description, access=self.access, roles=self.roles,
                    read_roles=self.read_roles, hide_value=self.hide_value)


class _Line(NamedTuple):
    number: int
    indent: int
    toks: list[_Tok]
    note: str


@dataclass
class _Block:
    indent: int
    kind: str
    path: tuple[str, ...]
    child_indent: int | None = None


class _Parser:
    """One pass over the logical lines; builds drafts and the boot values."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.roots = {root: _Draft(root, 0) for root in ("Command", "Configuration", "Status", "Event")}
        self.values: dict[str, dict[LeafPath, Value]] = {"Status": {}, "Configuration": {}}
        self.roles: dict[tuple[str, str], tuple[str, ...]] = {}
        self.line = 0

    def fail(self, message: str) -> ModelSyntaxError:
        return ModelSyntaxError(self.source, self.line, message)

    # --- lines and tokens ------------------------------------------------------------

    def lines(self, text: str) -> list[_Line]:
        """Logical lines (continuations joined), without blanks and comments."""
        out: list[_Line] = []
        raw = iter(enumerate(text.splitlines(), start=1))
        for self.line, content in raw:
            if not content.strip() or content.lstrip().startswith("#"):
                continue
            start = self.line
            while content.rstrip().endswith("\\"):
                more = next(raw, None)
                if more is None:
                    raise self.fail("the last line ends with '\\' but nothing follows")
                content = content.rstrip()[:-1] + " " + more[1].strip()
            self.line = start
            head = content[: len(content) - len(content.lstrip())]
            if "\t" in head:
                raise self.fail("tab in indentation; indent with spaces")
            out.append(_Line(start, len(head), *self.tokens(content)))
        return out

    def tokens(self, content: str) -> tuple[list[_Tok], str]:
        toks: list[_Tok] = []
        pos = 0
        while (m := _TOKEN.match(content, pos)) is not None:
            pos = m.end()
            if m["note"] is not None:
                return toks, m["note"][1:].strip()
            if m["bad"] is not None:
                raise self.fail(f"unbalanced or misplaced quote at column {m.start('bad') + 1}")
            toks.append(_Tok(_ESCAPE.sub(r"\1", m["q"]), True) if m["q"] is not None else _Tok(m["bare"]))
        return toks, ""

    # --- structure -------------------------------------------------------------------

    def parse(self, text: str) -> None:
        lines = self.lines(text)
        stack: list[_Block] = []
        for pos, ln in enumerate(lines):
            self.line = ln.number
            toks = ln.toks
            if not toks:
                raise self.fail("a description (# ...) without a node")
            if toks[0].text.startswith("@") and not toks[0].quoted:
                if ln.indent:
                    raise self.fail("directives (@...) must start at the beginning of the line")
                stack.clear()
                self.directive(toks)
                continue
            while stack and stack[-1].indent >= ln.indent:
                stack.pop()
            if stack:
                top = stack[-1]
                if top.child_indent is None:
                    top.child_indent = ln.indent
                elif ln.indent != top.child_indent:
                    raise self.fail("indentation does not match the lines above it")
                if toks[0].text in KINDS and not toks[0].quoted:
                    raise self.fail(f"{toks[0].text!r} inside an indented block; start it at column 0")
                kind, prefix = top.kind, top.path
            else:
                if ln.indent:
                    raise self.fail("unexpected indentation (no header line above)")
                if toks[0].quoted or toks[0].text not in KINDS:
                    raise self.fail(f"expected status, config, command or event, got {toks[0].text!r}")
                kind = KINDS[toks[0].text]
                toks, prefix = toks[1:], ()
            words, spec = self.split_path(toks)
            nxt = lines[pos + 1] if pos + 1 < len(lines) else None
            if not spec and nxt is not None and nxt.indent > ln.indent:
                self.walk(kind, prefix + words, ln.note)
                stack.append(_Block(ln.indent, kind, prefix + words))
            else:
                self.entry(kind, prefix + words, spec, ln.note)

    def directive(self, toks: list[_Tok]) -> None:
        word = toks[0].text[1:]
        if word not in ("role", "read") or len(toks) != 3 or toks[1].text not in KINDS:
            raise self.fail(f"unknown directive {toks[0].text} (use: @role|@read status|config|command|event A;B)")
        self.roles[(word, KINDS[toks[1].text])] = self.role_list(toks[2].text)

    def role_list(self, text: str) -> tuple[str, ...]:
        roles = tuple(r for r in text.split(";") if r)
        if not roles or not all(r.isalpha() for r in roles):
            raise self.fail(f"bad role list {text!r} (expected e.g. Admin;User)")
        return roles

    def split_path(self, toks: list[_Tok]) -> tuple[tuple[str, ...], list[_Tok]]:
        """The node path at the start of `toks`, and the spec after it."""
        n = 0
        for tok in toks:
            t = tok.text
            if tok.quoted or t in TYPE_WORDS or "|" in t or t.endswith(":") or t[:1] in "=!":
                break
            if not _WORD.match(t):
                raise self.fail(f"bad node name {t!r}")
            n += 1
        if not n:
            raise self.fail("expected a node path")
        return tuple(t.text for t in toks[:n]), toks[n:]

    def ids(self, text: str, word: str) -> tuple[int, ...]:
        out: list[int] = []
        for part in text.split(","):
            lo, dots, hi = part.partition("..")
            if not (lo.isdigit() and (hi.isdigit() or not dots)) or (dots and int(hi) < int(lo)):
                raise self.fail(f"bad instance list in {word!r} (expected [1..3], [1,4], [n] or [n:1001])")
            out.extend(range(int(lo), int(hi or lo) + 1))
        if len(set(out)) != len(out):
            raise self.fail(f"repeated instance id in {word!r}")
        return tuple(sorted(out))

    def walk(self, root: str, words: tuple[str, ...], note: str = "", leaf: NodeKind | None = None,
             base: _Draft | None = None) -> tuple[_Draft, list[_Draft]]:
        """Find or create the drafts along `words`; the last one new with kind `leaf` if given."""
        node = base or self.roots[root]
        multis: list[_Draft] = []
        for i, word in enumerate(words):
            m = _WORD.match(word)
            assert m is not None
            name, bracket = m.group(1), m.group(2)
            last = i == len(words) - 1
            if node.kind != "branch" and node is not base:
                raise self.fail(f"{node.name} (line {node.line}) is a {node.kind}; it cannot have children")
            child = node.children.get(name.lower())
            if last and leaf is not None and child is not None:
                raise self.fail(f"{root} {' '.join(words)} is already defined on line {child.line}")
            spec: str | None = None
            fixed: tuple[int, ...] = ()
            boot: tuple[int, ...] = ()
            if bracket is not None:
                if bracket == "n" or bracket.startswith("n:"):
                    boot = self.ids(bracket[2:], word) if bracket.startswith("n:") else ()
                    spec = "n:" + ",".join(map(str, boot))
                else:
                    fixed = boot = self.ids(bracket, word)
                    spec = ",".join(map(str, fixed))
            if child is None:
                child = _Draft(name, self.line, leaf if (last and leaf) else "branch", spec=spec,
                               instances=fixed, boot=boot, description=note if last else "")
                node.children[name.lower()] = child
            elif child.name != name or child.spec != spec:
                shown = f"{child.name}[{child.spec}]" if child.spec is not None else child.name
                raise self.fail(f"{word!r} does not match {shown!r} on line {child.line}")
            if spec is not None:
                multis.append(child)
            node = child
        return node, multis

    # --- entries ---------------------------------------------------------------------

    def entry(self, kind: str, words: tuple[str, ...], spec: list[_Tok], note: str) -> None:
        flags = {t.text[1:].partition("=")[0]: t.text.partition("=")[2] for t in spec
                 if t.text.startswith("!") and not t.quoted}
        spec = [t for t in spec if t.quoted or not t.text.startswith("!")]
        for flag in flags:
            if flag not in _FLAGS:
                raise self.fail(f"unknown flag !{flag} (expected !hide, !multiline, !role=, !read=, !access=)")
            allowed = _FLAGS[flag]
            if allowed is not None and kind not in allowed:
                raise self.fail(f"!{flag} is only for {allowed[0].lower()} lines")
        leaf_kind: NodeKind = {"Command": "command", "Event": "event"}.get(kind, "leaf")  # type: ignore[assignment]
        node, multis = self.walk(kind, words, note, leaf=leaf_kind)
        node.roles = self.role_list(flags["role"]) if "role" in flags else self.roles.get(("role", kind), ())
        node.read_roles = self.role_list(flags["read"]) if "read" in flags else self.roles.get(("read", kind), ())
        node.access = flags.get("access") or "public-api"
        node.hide_value = "hide" in flags
        node.multiline = "multiline" in flags
        if kind == "Command":
            node.params = tuple(self.fields(spec, node, params=True))
        elif kind == "Event":
            if spec and not spec[0].text.endswith(":"):
                node.value_space, rest = self.value_space(spec, 0)
                if rest < len(spec):
                    raise self.fail(f"unexpected {spec[rest].text!r} after the event's type")
            else:
                self.fields(spec, node, params=False)
        else:
            self.leaf(kind, words, node, multis, spec)

    def fields(self, spec: list[_Tok], node: _Draft, params: bool) -> list[Param]:
        """Command parameters (`params`) or event fields (become leaves under `node`)."""
        out: list[Param] = []
        i = 0
        while i < len(spec):
            m = _PARAM.match(spec[i].text) if not spec[i].quoted else None
            if m is None:
                raise self.fail(f"expected a parameter like Name: or Name*: int, got {spec[i].text!r}")
            name, marks = m.groups()
            vs, i = self.value_space(spec, i + 1)
            if i < len(spec) and spec[i].text == "=" and not spec[i].quoted:
                if not params or i + 1 >= len(spec):
                    raise self.fail(f"{name}: only command parameters have a default, written '= VALUE'")
                vs = replace(vs, default=str(self.value(vs, spec[i + 1], name)))
                i += 2
            if params:
                if any(p.name.lower() == name.lower() for p in out) or not re.fullmatch(r"[A-Za-z][\w.]*", name):
                    raise self.fail(f"bad or repeated parameter name {name!r}")
                if "+" in marks:
                    vs = replace(vs, type=vs.type + "Array")
                out.append(Param(name, vs, "*" in marks, "+" in marks))
            else:
                if marks:
                    raise self.fail(f"event field {name} cannot be marked required (*) or repeatable (+)")
                if not all(_WORD.match(part) for part in name.split("/")):
                    raise self.fail(f"bad event field name {name!r}")
                field_node, _ = self.walk("Event", tuple(name.split("/")), leaf="leaf", base=node)
                field_node.value_space = vs
        return out

    def value_space(self, spec: list[_Tok], i: int) -> tuple[ValueSpace, int]:
        if i >= len(spec) or spec[i].quoted:
            got = repr(spec[i].text) if i < len(spec) else "nothing"
            raise self.fail(f"expected a type (int, str, lit or A|B|C), got {got}")
        t = spec[i].text
        nxt = spec[i + 1].text if i + 1 < len(spec) and not spec[i + 1].quoted else ""
        if t in ("int", "str"):
            m = _RANGE.match(nxt)
            lo, hi = ((None if g is None else int(g)) for g in (m.groups() if m else (None, None)))
            if (lo is not None and hi is not None and hi < lo) or (t == "str" and (lo or 0) < 0):
                raise self.fail(f"bad range {nxt} (expected LO..HI, lengths not negative)")
            vs = ValueSpace("Integer", min=lo, max=hi) if t == "int" else \
                ValueSpace("String", min_length=lo, max_length=hi)
            return vs, i + (2 if m else 1)
        if t == "lit":
            if not nxt or nxt[:1] in "=!" or nxt.endswith(":"):
                return ValueSpace("Literal"), i + 1
            i += 1
        elif "|" not in t:
            raise self.fail(f"expected a type (int, str, lit or A|B|C), got {t!r}")
        text, i = spec[i].text, i + 1
        while text.endswith("|") and i < len(spec) and not spec[i].quoted:  # list split over lines
            text, i = text + spec[i].text, i + 1
        values = tuple(text.split("|"))
        if "" in values or len({v.lower() for v in values}) != len(values):
            raise self.fail(f"empty or repeated literal in {text!r}")
        return ValueSpace("Literal", values=values), i

    def value(self, vs: ValueSpace, tok: _Tok, what: str, secret: bool = False) -> Value:
        """A boot value or default, typed by its value space and checked against it.

        A hidden configuration's value is never repeated in the error (it is a password).
        """
        got = "(hidden)" if secret else repr(tok.text)
        if vs.is_integer:
            if tok.quoted or not _INT.match(tok.text):
                raise self.fail(f"{what}: expected an integer, got {got}")
            value: Value = int(tok.text)
        elif vs.is_string:
            if not tok.quoted:
                raise self.fail(f"{what}: string values must be in double quotes, got {got}")
            value = tok.text
        else:
            value = vs.coerce(tok.text)
        why = vs.check(value)
        if why is not None:
            raise self.fail(f"{what}: {why if vs.is_string or not secret else 'illegal value (hidden)'}")
        return value

    def leaf(self, root: str, words: tuple[str, ...], node: _Draft, multis: list[_Draft],
             spec: list[_Tok]) -> None:
        where = f"{root} {' '.join(words)}"
        vs, i = self.value_space(spec, 0)
        node.value_space = vs
        if i == len(spec):
            if all(m.boot for m in multis):
                raise self.fail(f"{where} has no boot value (add = VALUE)")
            return
        if spec[i].text != "=" or spec[i].quoted or i + 1 == len(spec):
            raise self.fail(f"expected '= VALUE' after the type of {where}, got {spec[i].text!r}")
        if not all(m.boot for m in multis):
            raise self.fail(f"{where}: a list on this path is empty at boot, so a value would never be used")
        rest = spec[i + 1:]
        first_is_key = not rest[0].quoted and rest[0].text.startswith("[")
        default = None if first_is_key else self.value(vs, rest[0], where, node.hide_value)
        per: dict[tuple[int, ...], Value] = {}
        pairs = rest[0 if first_is_key else 1:]
        for key_tok, tok in zip(pairs[::2], pairs[1::2]):
            key = self.key(key_tok, len(multis), where)
            if key in per:
                raise self.fail(f"{where}: instance key {key_tok.text} given twice")
            per[key] = self.value(vs, tok, f"{where} {key_tok.text}", node.hide_value)
        if len(pairs) % 2:
            raise self.fail(f"{where}: the value list must be one value, then [id] value pairs")
        combos = list(itertools.product(*(m.boot for m in multis)))
        for key in per:
            if not any(combo[-len(key):] == key for combo in combos):
                raise self.fail(f"{where}: instance [{','.join(map(str, key))}] does not exist")
        texts: dict[int, str] = {}  # innermost id -> value, for the configuration's default
        for combo in combos:  # the most specific key wins: [1,2] over [2] over the default
            value = next((per[combo[k:]] for k in range(len(combo)) if combo[k:] in per), default)
            if value is None:
                raise self.fail(f"{where}: no value for instance [{','.join(map(str, combo))}]")
            self.values[root][self.leaf_path(words, combo)] = value
            texts[combo[-1] if combo else 0] = str(value)
        if root == "Configuration":  # factory default as Cisco writes it: "x" or "[1]: x; [2]: y; "
            shown = texts.popitem()[1] if len(set(texts.values())) == 1 else format_instance_defaults(texts)
            node.value_space = replace(vs, default=None if node.hide_value else shown)  # secrets: none

    def key(self, tok: _Tok, levels: int, where: str) -> tuple[int, ...]:
        text = tok.text
        parts = text[1:-1].split(",") if text[:1] + text[-1:] == "[]" and not tok.quoted else []
        if not parts or not all(p.isdigit() for p in parts) or len(parts) > levels:
            raise self.fail(f"{where}: expected an instance key like [2] before each further value "
                            f"(ids of the innermost lists, at most {levels})")
        return tuple(int(p) for p in parts)

    @staticmethod
    def leaf_path(words: tuple[str, ...], combo: tuple[int, ...]) -> LeafPath:
        ids = iter(combo)
        return tuple(e for w in words for e in ((w.partition("[")[0], next(ids)) if "[" in w else (w,)))


def parse_model(text: str, source: str = "<model>") -> DeviceModel:
    """A DeviceModel from `.xdm` text; ModelSyntaxError (a ValueError) names the bad line."""
    parser = _Parser(source)
    parser.parse(text)
    roots = [parser.roots[r].freeze() for r in ("Command", "Configuration", "Status", "Event")]
    status, config = parser.values["Status"], parser.values["Configuration"]
    product = status.get(("SystemUnit", "ProductId"), "")
    version = status.get(("SystemUnit", "Software", "Version"), "")
    name = config.get(("SystemUnit", "Name")) or DEFAULT_NAME
    return DeviceModel(make_schema(roots, str(product), str(version)), MappingProxyType(dict(status)),
                       MappingProxyType(dict(config)), str(name))


def load_model(path: str | Path) -> DeviceModel:
    """A DeviceModel from an `.xdm` file (errors name the file and line)."""
    p = Path(path)
    return parse_model(p.read_text(encoding="utf-8"), p.name)


@functools.cache
def load_builtin() -> DeviceModel:
    """The built-in device (parsed once; the model is immutable, so sharing it is safe)."""
    text = resources.files("xshell.sim").joinpath("data", "device.xdm").read_text(encoding="utf-8")
    return parse_model(text, "device.xdm")
