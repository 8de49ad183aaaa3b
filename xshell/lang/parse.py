"""tshell text → Request: the one place that decides what a typed line means.

Works with no schema (everything passes, values stay strings — the device will judge)
and with a schema, possibly partial (only roots fetched so far are checked): then names
come out in the schema's case, Integer values become ints, and mistakes are caught
before anything is sent, with the column, the valid choices and a "did you mean".
Every input yields a Request or a ParseError; nothing else escapes, because the REPL
feeds it whatever the user (or a script, or a fuzzer) types.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence

from xshell.lang.grammar import (SUBVERBS, VERBS, ExpressionError, Kind, Token, devices_prefix,
                                 resolve_verb, split_expression, tag_value, tokenize, unquote)
from xshell.lang.requests import (Command, FeedbackDeregister, FeedbackDeregisterAll,
                                  FeedbackList, FeedbackRegister, Get, Help, PathElem, Query,
                                  Raw, Request, Set, Value)
from xshell.schema.model import Node, Param, Schema, ValueSpace, is_secret_name

ROOT_OF_VERB = {"xStatus": "Status", "xConfiguration": "Configuration", "xCommand": "Command",
                "xEvent": "Event"}
VERB_OF_ROOT = {root: verb for verb, root in ROOT_OF_VERB.items()}
FEEDBACK_ROOTS = ("Status", "Configuration", "Event")
# Commands that take a body, for when no schema is at hand (Cisco's schema marks these
# `multiline`); lower-case paths below the Command root.
MULTILINE_COMMANDS: frozenset[tuple[str, ...]] = frozenset(tuple(p.split()) for p in (
    "bookings put", "cameras background upload", "httpclient patch", "httpclient post",
    "httpclient put", "macros macro save", "security certificates ca add",
    "security certificates csr link", "security certificates services add",
    "systemunit signinbanner set", "systemunit welcomebanner set",
    "userinterface branding upload", "userinterface extensions icon upload",
    "userinterface extensions panel save", "userinterface extensions set",
    "userinterface translation override set"))
_INT = re.compile(r"[+-]?[0-9]{1,18}\Z")
_VALUE_KINDS = (Kind.STRING, Kind.VALUE)
_Item = tuple[PathElem, Token]  # a path element and the token it was typed as
DEVICES_ONLY_INTERACTIVE = ("@DEVICES LINE works in the interactive shell only; "
                            "for scripts pass several TARGETs")
_UNSUPPORTED = {"xDocument": "use `?`/`??` help for the schema", "xGetxml": "use xStatus",
                "xTransaction": "it is undocumented"}


class ParseError(ValueError):
    """A line that does not make a request. `column` is a 0-based offset into the line."""

    def __init__(self, message: str, column: int, expected: Sequence[str] = (),
                 suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.expected = tuple(expected)
        self.suggestion = suggestion

    def __str__(self) -> str:
        text = f"{self.message} at column {self.column}"
        if self.suggestion:
            return f"{text}; did you mean {self.suggestion}?"
        if len(self.expected) > 1:
            return f"{text}; expected one of {_choices(self.expected)}"
        return text


class ScriptError(ParseError):
    """A script-level mistake (an unended body); `lineno` is 1-based."""

    def __init__(self, message: str, lineno: int) -> None:
        super().__init__(message, 0)
        self.lineno = lineno

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.message}"


def _choices(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


def _close(word: str, names: Sequence[str]) -> str | None:
    """The schema name a mistyped `word` most likely meant (difflib, case-insensitive)."""
    by_low = {n.lower(): n for n in names}
    hit = difflib.get_close_matches(word.lower()[:100], list(by_low), n=1, cutoff=0.6)
    return by_low[hit[0]] if hit else None


def _show(text: str) -> str:
    """A user's word quoted for a message, shortened so errors stay one line."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _label(verb: str, path: Sequence[PathElem]) -> str:
    return " ".join([verb, *map(str, path)])


def _index(tok: Token) -> int:
    digits = tok.text.strip("[]")
    if len(digits) > 9:
        raise ParseError(f"instance id {_show(digits)} is too large", tok.start)
    return int(digits)


SECRET_MASK = "***"


def _typed(name: str, vs: ValueSpace | None, raw: str, col: int, secret: bool) -> Value:
    """`raw` checked against the value space and turned into its wire form.

    A secret whose value is the history mask `***` is refused: it comes from a recalled
    history line, and sending it would silently set the device's password to `***`.
    """
    if secret and raw == SECRET_MASK:
        raise ParseError(f"the value of {name} is masked ({SECRET_MASK}) as history stores "
                         "secrets; type the real value", col)
    if vs is None:
        return raw
    why: str | None
    if vs.is_integer and not _INT.match(raw):
        why = f"expected an integer {vs.describe()}" + ("" if secret else f", got {_show(raw)}")
    else:
        why = vs.check(raw)
    if why is not None:
        if secret:
            why = f"expected {vs.describe()}"
        legal = vs.values if vs.is_literal else ()
        raise ParseError(f"bad value for {name}: {why}", col, legal,
                         None if secret or not legal else _close(raw, legal))
    return vs.coerce(raw)


def _walk(root: Node, items: Sequence[_Item], verb: str,
          stop_at_command: bool = False) -> tuple[Node, list[PathElem], int]:
    """Follow `items` down from `root`, canonicalising names; raise on the first bad one.

    Returns the node reached, the canonical path (root first) and how many items were
    used — fewer than given when a `//`/`**` marker (or, for commands, a command node
    followed by a non-child) ends what the schema can check.
    """
    node, indexable = root, False
    out: list[PathElem] = [root.name]
    for used, (elem, tok) in enumerate(items):
        if elem in ("//", "**"):
            return node, out, used
        if isinstance(elem, int):
            if not indexable:
                raise ParseError(f"{_label(verb, out[1:])} takes no instance id", tok.start)
            if node.instances and elem not in node.instances:
                raise ParseError(f"{node.name} has no instance {elem}", tok.start,
                                 tuple(map(str, node.instances)))
            out.append(elem)
            indexable = False
            continue
        child = node.child(elem)
        if child is None:
            if stop_at_command and node.kind == "command":
                return node, out, used
            names = [c.name for c in node.children.values()]
            raise ParseError(f"unknown node {_show(elem)} under {_label(verb, out[1:])}",
                             tok.start, names, _close(elem, names))
        node, indexable = child, child.multi
        out.append(child.name)
    return node, out, len(items)


class _Parser:
    def __init__(self, line: str, schema: Schema | None, body: str | None) -> None:
        self.line, self.schema, self.body = line, schema, body

    def root(self, name: str) -> Node | None:
        return self.schema.root(name) if self.schema is not None else None

    def run(self) -> Request:
        sig = [t for t in tokenize(self.line) if t.kind is not Kind.WS]
        if not sig:
            raise ParseError("empty line", 0)
        first = sig[0]
        if first.kind is Kind.JSON:
            return self.json(first)
        if first.kind is Kind.COMMENT:
            raise ParseError("a comment is not a request", first.start)
        if first.kind is Kind.DEVICES:  # the interactive shell strips it before parsing
            raise ParseError(DEVICES_ONLY_INTERACTIVE, first.start)
        if first.kind is Kind.SHELL:
            raise ParseError(f"{_show(first.text)} is a shell command, not an xAPI request",
                             first.start)
        verb = resolve_verb(first.text) if first.kind is Kind.VERB else None
        if verb is None:
            raise ParseError(f"unknown command {_show(first.text)}", first.start, VERBS,
                             _close(first.text, VERBS))
        self.verb, self.end = verb, first.end
        for t in sig:
            if t.kind is Kind.STRING and not t.complete:
                raise ParseError("unterminated string (missing closing '\"')", t.start)
        rest, tag = sig[1:], None
        if rest and (rest[-1].kind is Kind.TAG or rest[-1].text.startswith("|")):
            tag = tag_value(rest[-1].text)
            if tag is None:
                raise ParseError('malformed tag; write | resultId="..."', rest[-1].start)
            rest = rest[:-1]
        help_ = None
        if rest and rest[-1].kind is Kind.HELP:
            help_, rest = rest[-1].text, rest[:-1]
        for t in rest:
            if t.kind is Kind.HELP:
                raise ParseError(f"{t.text!r} must end the line", t.start)
        if rest:
            self.end = rest[-1].end
        if help_ is not None and tag is not None:
            raise ParseError("a help request takes no resultId", sig[-1].start)
        if verb == "xFeedback":
            return self.feedback(rest, help_, tag)
        if verb == "xPreferences":
            raise ParseError("xPreferences is a shell setting, not an xAPI request", first.start)
        if verb in _UNSUPPORTED:
            raise ParseError(f"{verb} is not available over the WebSocket API; "
                             f"{_UNSUPPORTED[verb]}", first.start)
        if verb == "xCommand":
            return self.command(rest, help_, tag)
        if verb == "xEvent":
            return self.event(rest, help_, tag)
        return self.status_config(ROOT_OF_VERB[verb], rest, help_, tag)

    # --- helpers ---------------------------------------------------------------------

    def unexpected(self, tok: Token, prev: Token | None) -> ParseError:
        if tok.kind in _VALUE_KINDS and prev is not None and prev.kind in (Kind.NODE, Kind.PARAM) \
                and self.verb in ("xCommand", "xConfiguration"):
            return ParseError(f"missing ':' after {prev.text}", prev.end, (":",))
        if tok.kind is Kind.ERROR:
            return ParseError(f"invalid name {_show(tok.text)}", tok.start)
        return ParseError(f"unexpected {_show(tok.text)}", tok.start)

    def path_items(self, toks: Sequence[Token], markers: bool) -> tuple[list[_Item], int]:
        """Leading path tokens as (elem, token); stops at the first non-path token."""
        items: list[_Item] = []
        for i, t in enumerate(toks):
            if t.kind is Kind.NODE:
                items.append((t.text, t))
            elif t.kind is Kind.INDEX:
                items.append((_index(t), t))
            elif t.kind in (Kind.SEARCH, Kind.WILDCARD) and markers:
                elem = "//" if t.kind is Kind.SEARCH else "**"
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                if elem == "//" and nxt is not None and nxt.kind is not Kind.NODE:
                    raise ParseError("expected a name after //", nxt.start)
                items.append((elem, t))
            else:
                return items, i
        return items, len(toks)

    def canonical(self, root: str, items: Sequence[_Item], stop_at_command: bool = False
                  ) -> tuple[Node | None, list[PathElem], int]:
        node = self.root(root)
        if node is None:
            return None, [root, *(e for e, _ in items)], len(items)
        node, out, used = _walk(node, items, VERB_OF_ROOT[root], stop_at_command)
        return node, out + [e for e, _ in items[used:]], used

    # --- verbs -----------------------------------------------------------------------

    def status_config(self, root: str, toks: list[Token], help_: str | None,
                      tag: str | None) -> Request:
        items, i = self.path_items(toks, markers=True)
        if i < len(toks) and toks[i].kind is not Kind.COLON:
            raise self.unexpected(toks[i], toks[i - 1] if i else None)
        node, path, _ = self.canonical(root, items)
        if help_ is not None:
            if i + 1 < len(toks):
                raise ParseError("'?' cannot follow a value", toks[i + 1].start)
            return Help(root, tuple(path[1:]), help_ == "??")
        markers = any(e in ("//", "**") for e, _ in items)
        if i == len(toks):
            if not markers:
                return Get(tuple(path), tag)
            if "//" not in path:
                return Query(tuple(path), (), tag)
            cut = path.index("//")
            send = path[:cut] + ([] if path[cut - 1] == "**" else ["**"])
            return Query(tuple(send), tuple(path), tag)
        colon = toks[i]
        if root != "Configuration":
            raise ParseError(f"{self.verb} is read-only; ':' sets only configurations",
                             colon.start)
        if markers:
            raise ParseError("cannot set through // or **; name one setting", colon.start)
        vals = toks[i + 1:]
        if not vals:
            raise ParseError("missing value after ':'", colon.end)
        if vals[0].kind not in _VALUE_KINDS:
            raise ParseError("expected a value after ':'", vals[0].start)
        if len(vals) > 1:
            raise ParseError("unexpected text after the value; quote values that contain "
                             "spaces", vals[1].start)
        raw = unquote(vals[0].text) if vals[0].kind is Kind.STRING else vals[0].text
        vs = None
        if node is not None:
            if node.kind != "leaf":
                names = [c.name for c in node.children.values()]
                raise ParseError(f"{_label(self.verb, path[1:])} is not a setting; name one "
                                 "before ':'", colon.start, names)
            vs = node.value_space
        secret = is_secret_name(str(path[-1])) or (node is not None and node.hide_value)
        return Set(tuple(path), _typed(str(path[-1]), vs, raw, vals[0].start, secret), tag)

    def command(self, toks: list[Token], help_: str | None, tag: str | None) -> Request:
        items, i = self.path_items(toks, markers=help_ is not None)
        node, path, used = self.canonical("Command", items, stop_at_command=True)
        if help_ is not None:  # `xCommand Dial Number ?` asks about a parameter
            if node is not None and node.kind == "command" and used == len(items) - 1:
                p = node.param(str(items[used][0]))
                path[-1] = p.name if p is not None else path[-1]
            return Help("Command", tuple(path[1:]), help_ == "??")
        if used < len(items):  # words after the command node: parameters without ':'
            i = toks.index(items[used][1])
        if node is not None and node.kind != "command":
            names = [c.name for c in node.children.values()]
            at = toks[i] if i < len(toks) else None
            what = "missing command" if len(path) == 1 else \
                f"{_label(self.verb, path[1:])} is not a command"
            raise ParseError(f"{what}; name one", at.start if at else self.end, names,
                             _close(at.text, names) if at else None)
        if len(path) == 1:
            raise ParseError("missing command after xCommand", self.end)
        for e in path[1:]:
            if isinstance(e, int):
                raise ParseError("a command path takes no instance id",
                                 next(t.start for el, t in items if el == e))
        self.cmd_label = _label(self.verb, path[1:])
        params = self.params(node, toks[i:], toks[i - 1] if i else None)
        if self.body is not None and node is not None and not node.multiline:
            raise ParseError(f"{_label(self.verb, path[1:])} takes no body", len(self.line))
        return Command(tuple(map(str, path[1:])), params, self.body, tag)

    def params(self, cmd: Node | None, toks: list[Token], prev: Token | None
               ) -> tuple[tuple[str, Value | tuple[Value, ...]], ...]:
        given: dict[str, tuple[str, list[Value]]] = {}
        names = [p.name for p in cmd.params] if cmd is not None else []
        secret_before = False  # the previous value was a secret: never echo what follows
        j = 0
        while j < len(toks):
            t = toks[j]
            if t.kind not in (Kind.PARAM, Kind.NODE):
                if secret_before:
                    raise ParseError("unexpected text after a secret value; quote values that "
                                     "contain spaces", t.start)
                if t.kind is Kind.COLON and j == 0 and prev is not None \
                        and prev.kind is Kind.NODE and prev.end < t.start:
                    raise ParseError(f"no space allowed between {prev.text} and ':'", prev.end)
                if t.kind is Kind.COLON:
                    raise ParseError("missing parameter name before ':'", t.start)
                raise self.unexpected(t, prev) if j == 0 else ParseError(
                    f"unexpected {_show(t.text)}; expected a parameter name", t.start)
            if secret_before:
                nxt = toks[j + 1] if j + 1 < len(toks) else None
                if nxt is None or nxt.kind is not Kind.COLON:
                    raise ParseError("unexpected text after a secret value; quote values that "
                                     "contain spaces", t.start)
            p: Param | None = None
            if cmd is not None:
                p = cmd.param(t.text)
                if p is None:
                    raise ParseError(f"unknown parameter {_show(t.text)} for "
                                     f"{self.cmd_label}", t.start,
                                     names, _close(t.text, names))
            name = p.name if p is not None else t.text
            colon = toks[j + 1] if j + 1 < len(toks) else None
            if colon is None or colon.kind is not Kind.COLON:
                raise ParseError(f"missing ':' after {t.text}", t.end, (":",))
            vt = toks[j + 2] if j + 2 < len(toks) else None
            if vt is None or vt.kind not in _VALUE_KINDS:
                raise ParseError(f"missing value for {name}", colon.end)
            raw = unquote(vt.text) if vt.kind is Kind.STRING else vt.text
            secret = is_secret_name(name)
            value = _typed(name, p.value_space if p else None, raw, vt.start, secret)
            key = name.lower()
            if key in given:
                if p is not None and not (p.multiple or p.value_space.is_array):
                    raise ParseError(f"{name} takes one value; it is given twice", t.start)
                given[key][1].append(value)
            else:
                given[key] = (name, [value])
            secret_before, prev, j = secret, vt, j + 3
        if cmd is not None:
            missing = [p.name for p in cmd.params if p.required and p.name.lower() not in given]
            if missing:
                raise ParseError(f"missing required parameter {missing[0]} for "
                                 f"{self.cmd_label}", self.end, missing)
        return tuple((n, vs[0] if len(vs) == 1 else tuple(vs)) for n, vs in given.values())

    def event(self, toks: list[Token], help_: str | None, tag: str | None) -> Request:
        if tag is not None:
            raise ParseError("xEvent lists the event schema; it takes no resultId", self.end)
        if len(toks) == 1 and toks[0].kind is Kind.WILDCARD:  # `xEvent *`: every event
            toks = []
        items, i = self.path_items(toks, markers=True)
        if i < len(toks):
            raise self.unexpected(toks[i], toks[i - 1] if i else None)
        _, path, _ = self.canonical("Event", items)
        return Help("Event", tuple(path[1:]), help_ == "??")

    def feedback(self, toks: list[Token], help_: str | None, tag: str | None) -> Request:
        usage = "xFeedback takes register EXPR, deregister EXPR, deregisterall or list"
        if help_ is not None or not toks:
            raise ParseError(usage, toks[0].start if toks and help_ is None else self.end,
                             SUBVERBS)
        sub = toks[0].text.lower()
        if sub not in SUBVERBS:
            raise ParseError(f"unknown xFeedback sub-command {_show(toks[0].text)}",
                             toks[0].start, SUBVERBS, _close(toks[0].text, SUBVERBS))
        rest = toks[1:]
        if sub in ("deregisterall", "list"):
            if rest:
                raise ParseError(f"xFeedback {sub} takes nothing more", rest[0].start)
            return FeedbackDeregisterAll(tag) if sub == "deregisterall" else FeedbackList(tag)
        if not rest:
            raise ParseError(f"missing feedback expression after {sub}", self.end)
        for t in rest:
            if t.kind is not Kind.EXPR:
                raise ParseError(f"unexpected {_show(t.text)} in feedback expression", t.start)
        base = rest[0].start
        expression = self.line[base:rest[-1].end]
        try:
            elems = split_expression(expression)
        except ExpressionError as e:
            raise ParseError(str(e), base + e.offset) from None
        first = elems[0].value if elems else ""
        root = next((r for r in FEEDBACK_ROOTS if str(first).lower() == r.lower()), None)
        if root is None:
            raise ParseError("a feedback expression starts with Status, Configuration or Event",
                             base + (elems[0].start if elems else 0), FEEDBACK_ROOTS,
                             _close(str(first), FEEDBACK_ROOTS) if elems else None)
        items = [(e.value, Token(Kind.NODE, str(e.value), base + e.start, base + e.end))
                 for e in elems[1:]]
        _, query, _ = self.canonical(root, items)
        if sub == "register":
            return FeedbackRegister(expression, tuple(query), result_id=tag)
        return FeedbackDeregister(expression, tuple(query), tag)

    def json(self, tok: Token) -> Request:
        try:
            obj = json.loads(tok.text)
        except json.JSONDecodeError as e:
            raise ParseError(f"invalid JSON: {e.msg}", tok.start + e.pos) from None
        except RecursionError:
            raise ParseError("invalid JSON: nested too deeply", tok.start) from None
        except ValueError:
            raise ParseError("invalid JSON: a number is too long", tok.start) from None
        if not isinstance(obj, dict):
            raise ParseError("a JSON request must be an object", tok.start)
        return Raw(obj)


def parse(line: str, schema: Schema | None = None, body: str | None = None) -> Request:
    """The request `line` asks for; `body` is a multiline command's payload.

    An `xEvent [PATH]` line lists the event schema, so it parses to Help("Event", …).
    """
    if not isinstance(line, str):
        raise ParseError(f"expected text, got {type(line).__name__}", 0)
    return _Parser(line, schema, body).run()


def shell_command(line: str) -> tuple[str, tuple[str, ...]] | None:
    """(name, args) when `line` is for the shell itself (help, bye, xPreferences …)."""
    sig = [t for t in tokenize(line) if t.kind is not Kind.WS]
    if not sig:
        return None
    if sig[0].kind is Kind.SHELL:
        name = "help" if sig[0].text == "?" else sig[0].text.lower()
    elif sig[0].kind is Kind.VERB and resolve_verb(sig[0].text) == "xPreferences":
        name = "xpreferences"
    else:
        return None
    return name, tuple(unquote(t.text) if t.kind is Kind.STRING else t.text for t in sig[1:])


def needs_body(line: str, schema: Schema | None = None) -> bool:
    """Whether `line` is a multiline command whose payload follows on the next lines."""
    sig = [t for t in tokenize(line) if t.kind is not Kind.WS]
    if sig and sig[0].kind is Kind.DEVICES:  # `@all xCommand HttpClient Post …` takes a body too
        sig = sig[1:]
    if not sig or sig[0].kind is not Kind.VERB or resolve_verb(sig[0].text) != "xCommand":
        return False
    if any(t.kind is Kind.HELP for t in sig):
        return False
    names: list[str] = []
    for t in sig[1:]:
        if t.kind is not Kind.NODE:
            break
        names.append(t.text)
    root = schema.root("Command") if schema is not None else None
    if root is None:
        return tuple(n.lower() for n in names) in MULTILINE_COMMANDS
    node: Node | None = root
    for n in names:
        nxt = node.child(n) if node is not None else None
        if nxt is None:
            break
        node = nxt
    return node is not None and node.kind == "command" and node.multiline


def split_script(text: str, schema: Schema | None = None
                 ) -> Iterator[tuple[int, str, str | None]]:
    """(line number, line, body) for each request of a script; skips blanks and `#`.

    A multiline command's body is the lines after it up to one holding only `.`.
    Raises ScriptError (after yielding what came before) if the input ends first.
    """
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        if not needs_body(line, schema):
            yield i + 1, line, None
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() != ".":
            j += 1
        if j == len(lines):
            words = [t.text for t in tokenize(line) if t.kind in (Kind.VERB, Kind.NODE)]
            raise ScriptError(f"the body of {' '.join(words)} has no line holding only '.' "
                              "before the end of the input", i + 1)
        yield i + 1, line, "\n".join(lines[i + 1:j])
        i = j + 1


def format_parse_error(line: str, err: ParseError, schema: Schema | None = None) -> list[str]:
    """The line (secrets masked), a caret under the error column, and the message."""
    from xshell.lang.unparse import redact_spans  # unparse imports this module

    pieces: list[str] = []
    last, delta, moved = 0, 0, None
    prefix = devices_prefix(line)  # `@room1 xCommand … Password: x`: mask the rest as a line
    masked_from = " " * prefix[1] + line[prefix[1]:] if prefix else line
    for start, end in redact_spans(masked_from, schema):
        pieces += [line[last:start], "***"]
        if err.column >= end:
            delta += 3 - (end - start)
        elif err.column > start and moved is None:
            moved = start + delta  # inside a masked value: point at its start
        last = end
    text = "".join(pieces) + line[last:]
    col = moved if moved is not None else err.column + delta
    text = "".join(" " if c == "\t" else c if c.isprintable() else "?" for c in text)
    col = max(0, min(col, len(text)))
    if len(text) > 120:  # show a window around the column so the caret stays on screen
        lo = max(0, min(col - 60, len(text) - 110))
        head, tail = ("…" if lo else ""), ("…" if lo + 110 < len(text) else "")
        text, col = head + text[lo:lo + 110] + tail, col - lo + len(head)
    pad = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text[:col])
    return [text, " " * pad + "^", str(err)]


def _is_id(elem: PathElem) -> bool:
    return isinstance(elem, int) or (isinstance(elem, str) and elem.isascii() and elem.isdigit())


def _same(want: PathElem, have: PathElem, prefix: bool) -> bool:
    if _is_id(want) or _is_id(have):
        return _is_id(want) and _is_id(have) and int(want) == int(have)
    w, h = str(want).lower(), str(have).lower()
    return h.startswith(w) if prefix else h == w


def search_matches(path: Sequence[PathElem], search: Sequence[PathElem]) -> bool:
    """Whether a result at `path` (root first, ids inline) is selected by `search`.

    `search` is a Query's pattern: plain names match exactly (any case), ids may be
    left out (every instance), "**" matches any depth before an exact name and "//"
    any depth before a name *prefix* (tshell's `//vid//res`). Anything below a match
    is selected too: a matched node brings its subtree.
    """
    memo: dict[tuple[int, int], bool] = {}

    def m(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[i, j]
        if i == len(search):
            ok = True
        elif search[i] in ("//", "**"):
            if i + 1 == len(search):
                ok = True
            elif search[i + 1] in ("//", "**"):
                ok = m(i + 1, j)
            else:
                ok = any(_same(search[i + 1], path[k], search[i] == "//") and m(i + 2, k + 1)
                         for k in range(j, len(path)))
        elif j >= len(path):
            ok = False
        elif _same(search[i], path[j], False):
            ok = m(i + 1, j + 1)
        else:
            ok = _is_id(path[j]) and not _is_id(search[i]) and m(i, j + 1)
        memo[i, j] = ok
        return ok

    return m(0, 0)
