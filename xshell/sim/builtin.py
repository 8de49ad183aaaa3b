"""The simulator's built-in device: a hand-written Codec Pro in our own `.xdm` text format.

Why a format of our own rather than JSON: the built-in device is written and reviewed by
people, so each leaf fits on one readable line with its type, boot value and a short note,
and a typo is reported with its line number. `load_builtin()` parses `sim/data/device.xdm`
once (cached) into an immutable `DeviceModel`. The data file's header has worked examples.
The reader is layered: `sim.xdmlex` (lines, tokens), `sim.xdmspec` (types, values), this
module (the tree and boot values); nodes are built with the loaders' shared `schema.draft`.

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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import cast

from xshell.schema.defaults import format_instance_defaults
from xshell.schema.draft import NodeDraft
from xshell.schema.model import NodeKind, Param, make_schema
from xshell.sim.device import DeviceModel, LeafPath, Value
# the lower layers of this reader: its lexer (and ModelSyntaxError) and its type words
from xshell.sim.xdmlex import Tok
from xshell.sim.xdmspec import TYPE_WORDS, SpecReader

__all__ = ["KINDS", "DEFAULT_NAME", "parse_model", "load_model", "load_builtin"]

KINDS = {"status": "Status", "config": "Configuration", "command": "Command", "event": "Event"}
DEFAULT_NAME = "xshell-sim"
_WORD = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)(?:\[([^\]\s]*)\])?$")
_PARAM = re.compile(r"([A-Za-z][A-Za-z0-9_.\-/\[\]:,]*?)([*+]{0,2}):$")
_FLAGS = {"hide": ("Configuration",), "multiline": ("Command",), "role": None, "read": None, "access": None}


class _XdmDraft(NodeDraft):
    """The shared node builder plus what the reader checks later mentions of a node against."""

    __slots__ = ("line", "spec", "boot")

    def __init__(self, name: str, line: int, kind: NodeKind = "branch", spec: str | None = None,
                 boot: tuple[int, ...] = ()) -> None:
        super().__init__(name)
        self.kind = kind
        self.line = line  # where the node was first written, for "already defined" errors
        self.spec = spec  # bracket text as normalised, to check every mention agrees
        self.boot = boot  # ids present at boot


@dataclass
class _Block:
    indent: int
    kind: str
    path: tuple[str, ...]
    child_indent: int | None = None


class _Parser(SpecReader):
    """One pass over the logical lines; builds drafts and the boot values."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.roots = {root: _XdmDraft(root, 0) for root in ("Command", "Configuration", "Status", "Event")}
        self.values: dict[str, dict[LeafPath, Value]] = {"Status": {}, "Configuration": {}}
        self.roles: dict[tuple[str, str], tuple[str, ...]] = {}

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

    def directive(self, toks: list[Tok]) -> None:
        word = toks[0].text[1:]
        if word not in ("role", "read") or len(toks) != 3 or toks[1].text not in KINDS:
            raise self.fail(f"unknown directive {toks[0].text} (use: @role|@read status|config|command|event A;B)")
        self.roles[(word, KINDS[toks[1].text])] = self.role_list(toks[2].text)

    def role_list(self, text: str) -> tuple[str, ...]:
        roles = tuple(r for r in text.split(";") if r)
        if not roles or not all(r.isalpha() for r in roles):
            raise self.fail(f"bad role list {text!r} (expected e.g. Admin;User)")
        return roles

    def split_path(self, toks: list[Tok]) -> tuple[tuple[str, ...], list[Tok]]:
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
             base: _XdmDraft | None = None) -> tuple[_XdmDraft, list[_XdmDraft]]:
        """Find or create the drafts along `words`; the last one new with kind `leaf` if given."""
        node = base or self.roots[root]
        multis: list[_XdmDraft] = []
        for i, word in enumerate(words):
            m = _WORD.match(word)
            assert m is not None
            name, bracket = m.group(1), m.group(2)
            last = i == len(words) - 1
            if node.kind != "branch" and node is not base:
                raise self.fail(f"{node.name} (line {node.line}) is a {node.kind}; it cannot have children")
            child = cast("_XdmDraft | None", node.children.get(name.lower()))  # all drafts here are ours
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
                child = _XdmDraft(name, self.line, leaf if (last and leaf) else "branch", spec=spec, boot=boot)
                child.description = note if last else ""
                if spec is not None:
                    child.mark_multi(None if spec.startswith("n:") else fixed)
                node.children[name.lower()] = child
            elif child.name != name or child.spec != spec:
                shown = f"{child.name}[{child.spec}]" if child.spec is not None else child.name
                raise self.fail(f"{word!r} does not match {shown!r} on line {child.line}")
            if spec is not None:
                multis.append(child)
            node = child
        return node, multis

    # --- entries ---------------------------------------------------------------------

    def entry(self, kind: str, words: tuple[str, ...], spec: list[Tok], note: str) -> None:
        flags = {t.text[1:].partition("=")[0]: t.text.partition("=")[2] for t in spec
                 if t.text.startswith("!") and not t.quoted}
        spec = [t for t in spec if t.quoted or not t.text.startswith("!")]
        for flag in flags:
            if flag not in _FLAGS:
                raise self.fail(f"unknown flag !{flag} (expected !hide, !multiline, !role=, !read=, !access=)")
            allowed = _FLAGS[flag]
            if allowed is not None and kind not in allowed:
                raise self.fail(f"!{flag} is only for {allowed[0].lower()} lines")
        leaf_kind: NodeKind = "command" if kind == "Command" else "event" if kind == "Event" else "leaf"
        node, multis = self.walk(kind, words, note, leaf=leaf_kind)
        node.roles = list(self.role_list(flags["role"]) if "role" in flags else self.roles.get(("role", kind), ()))
        node.read_roles = list(self.role_list(flags["read"]) if "read" in flags else self.roles.get(("read", kind), ()))
        node.access = flags.get("access") or "public-api"
        node.hide_value = "hide" in flags
        node.multiline = "multiline" in flags
        if kind == "Command":
            for param in self.fields(spec, node, params=True):  # names already checked unique
                node.add_param(param)
        elif kind == "Event":
            if spec and not spec[0].text.endswith(":"):
                node.vs, rest = self.value_space(spec, 0)
                if rest < len(spec):
                    raise self.fail(f"unexpected {spec[rest].text!r} after the event's type")
            else:
                self.fields(spec, node, params=False)
        else:
            self.leaf(kind, words, node, multis, spec)

    def fields(self, spec: list[Tok], node: _XdmDraft, params: bool) -> list[Param]:
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
                vs = vs._replace(default=str(self.value(vs, spec[i + 1], name)))
                i += 2
            if params:
                if any(p.name.lower() == name.lower() for p in out) or not re.fullmatch(r"[A-Za-z][\w.]*", name):
                    raise self.fail(f"bad or repeated parameter name {name!r}")
                if "+" in marks:
                    vs = vs._replace(type=vs.type + "Array")
                out.append(Param(name, vs, "*" in marks, "+" in marks))
            else:
                if marks:
                    raise self.fail(f"event field {name} cannot be marked required (*) or repeatable (+)")
                if not all(_WORD.match(part) for part in name.split("/")):
                    raise self.fail(f"bad event field name {name!r}")
                field_node, _ = self.walk("Event", tuple(name.split("/")), leaf="leaf", base=node)
                field_node.vs = vs
        return out

    def leaf(self, root: str, words: tuple[str, ...], node: _XdmDraft, multis: list[_XdmDraft],
             spec: list[Tok]) -> None:
        where = f"{root} {' '.join(words)}"
        vs, i = self.value_space(spec, 0)
        node.vs = vs
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
            node.vs = vs._replace(default=None if node.hide_value else shown)  # secrets: none

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
