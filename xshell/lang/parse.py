"""tshell text → Request: the one place that decides what a typed line means.

Works with no schema (everything passes, values stay strings — the device will judge)
and with a schema, possibly partial (only roots fetched so far are checked): then names
come out in the schema's case, Integer values become ints, and mistakes are caught
before anything is sent, with the column, the valid choices and a "did you mean".
Every input yields a Request or a ParseError; nothing else escapes, because the REPL
feeds it whatever the user (or a script, or a fuzzer) types.

The parser proper lives here; its errors (`parse_errors`), schema checks (`resolve`),
multiline bodies and script splitting (`bodies`) and search patterns (`search`) have
their own modules: import those names from there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from xshell.lang.grammar import SUBVERBS, VERBS, Kind, Token, resolve_verb, tag_value, tokenize, unquote
from xshell.lang.parse_docs import parse_document, parse_getxml
from xshell.lang.parse_errors import ParseError, closest, quote_word
from xshell.lang.requests import (Command, FeedbackDeregister, FeedbackDeregisterAll,
                                  FeedbackList, FeedbackRegister, Get, Help, PathElem, Query,
                                  Raw, Request, Set, Value)
from xshell.lang.resolve import Item, label, typed, walk
from xshell.schema.model import Node, Param, Schema, is_secret_name

ROOT_OF_VERB = {"xStatus": "Status", "xConfiguration": "Configuration", "xCommand": "Command",
                "xEvent": "Event"}
VERB_OF_ROOT = {root: verb for verb, root in ROOT_OF_VERB.items()}
FEEDBACK_ROOTS = ("Status", "Configuration", "Event")
_VALUE_KINDS = (Kind.STRING, Kind.VALUE)
DEVICES_ONLY_INTERACTIVE = ("@DEVICES LINE works in the interactive shell only; "
                            "for scripts pass several TARGETs")
_UNSUPPORTED = {"xTransaction": "it is undocumented"}


class NotRecognized(ParseError):
    """An unknown top-level word: tshell answers it with the line `Command not recognized.`
    (which expect-style drivers take as the end of the reply); the caret diagnosis and the
    "did you mean" are xshell's own, for the person."""

    reply = "Command not recognized."


def _index(tok: Token) -> int:
    digits = tok.text.strip("[]")
    if len(digits) > 9:
        raise ParseError(f"instance id {quote_word(digits)} is too large", tok.start)
    return int(digits)


class _Parser:
    def __init__(self, line: str, schema: Schema | None, body: str | None,
                 tokens: Sequence[Token] | None = None) -> None:
        self.line, self.schema, self.body = line, schema, body
        self.tokens = tokens

    def root(self, name: str) -> Node | None:
        return self.schema.root(name) if self.schema is not None else None

    def run(self) -> Request:
        toks = self.tokens if self.tokens is not None else tokenize(self.line)
        sig = [t for t in toks if t.kind is not Kind.WS]
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
            raise ParseError(f"{quote_word(first.text)} is a shell command, not an xAPI request",
                             first.start)
        verb = resolve_verb(first.text) if first.kind is Kind.VERB else None
        if verb is None:
            raise NotRecognized(f"unknown command {quote_word(first.text)}", first.start, VERBS,
                                closest(first.text, VERBS))
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
        if verb in ("xGetxml", "xDocument"):
            if help_ is not None:
                raise ParseError(f"{verb} takes " + ("an XPath: xGetxml /Status/Audio/Volume"
                                 if verb == "xGetxml" else 'Path: "Status/Audio" Schema: True '
                                 "Format: JSON"), sig[-1].start)
            walk_ = lambda root, items: self.canonical(root, items)[1]  # noqa: E731 - a one-line adapter, used just below
            if verb == "xGetxml":
                return parse_getxml(self.line, rest, tag, self.end, walk_)
            return parse_document(rest, tag, self.end, walk_)
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
            return ParseError(f"invalid name {quote_word(tok.text)}", tok.start)
        return ParseError(f"unexpected {quote_word(tok.text)}", tok.start)

    def path_items(self, toks: Sequence[Token], markers: bool) -> tuple[list[Item], int]:
        """Leading path tokens as (elem, token); stops at the first non-path token."""
        items: list[Item] = []
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

    def canonical(self, root: str, items: Sequence[Item], stop_at_command: bool = False
                  ) -> tuple[Node | None, list[PathElem], int]:
        node = self.root(root)
        if node is None:
            return None, [root, *(e for e, _ in items)], len(items)
        node, out, used = walk(node, items, VERB_OF_ROOT[root], stop_at_command)
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
                raise ParseError(f"{label(self.verb, path[1:])} is not a setting; name one "
                                 "before ':'", colon.start, names)
            vs = node.value_space
        secret = is_secret_name(str(path[-1])) or (node is not None and node.hide_value)
        return Set(tuple(path), typed(str(path[-1]), vs, raw, vals[0].start, secret), tag)

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
                f"{label(self.verb, path[1:])} is not a command"
            raise ParseError(f"{what}; name one", at.start if at else self.end, names,
                             closest(at.text, names) if at else None)
        if len(path) == 1:
            raise ParseError("missing command after xCommand", self.end)
        for e in path[1:]:
            if isinstance(e, int):
                raise ParseError("a command path takes no instance id",
                                 next(t.start for el, t in items if el == e))
        self.cmd_label = label(self.verb, path[1:])
        params = self.params(node, toks[i:], toks[i - 1] if i else None)
        if self.body is not None and node is not None and not node.multiline:
            raise ParseError(f"{label(self.verb, path[1:])} takes no body", len(self.line))
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
                    f"unexpected {quote_word(t.text)}; expected a parameter name", t.start)
            if secret_before:
                nxt = toks[j + 1] if j + 1 < len(toks) else None
                if nxt is None or nxt.kind is not Kind.COLON:
                    raise ParseError("unexpected text after a secret value; quote values that "
                                     "contain spaces", t.start)
            p: Param | None = None
            if cmd is not None:
                p = cmd.param(t.text)
                if p is None:
                    raise ParseError(f"unknown parameter {quote_word(t.text)} for "
                                     f"{self.cmd_label}", t.start,
                                     names, closest(t.text, names))
            name = p.name if p is not None else t.text
            colon = toks[j + 1] if j + 1 < len(toks) else None
            if colon is None or colon.kind is not Kind.COLON:
                raise ParseError(f"missing ':' after {t.text}", t.end, (":",))
            vt = toks[j + 2] if j + 2 < len(toks) else None
            if vt is None or vt.kind not in _VALUE_KINDS:
                raise ParseError(f"missing value for {name}", colon.end)
            raw = unquote(vt.text) if vt.kind is Kind.STRING else vt.text
            secret = is_secret_name(name)
            value = typed(name, p.value_space if p else None, raw, vt.start, secret)
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
            raise ParseError(f"unknown xFeedback sub-command {quote_word(toks[0].text)}",
                             toks[0].start, SUBVERBS, closest(toks[0].text, SUBVERBS))
        rest = toks[1:]
        if sub in ("deregisterall", "list"):
            if rest:
                raise ParseError(f"xFeedback {sub} takes nothing more", rest[0].start)
            return FeedbackDeregisterAll(tag) if sub == "deregisterall" else FeedbackList(tag)
        if not rest:
            raise ParseError(f"missing feedback expression after {sub}", self.end)
        for t in rest:
            if t.kind is not Kind.EXPR:
                raise ParseError(f"unexpected {quote_word(t.text)} in feedback expression", t.start)
        base = rest[0].start
        expression = self.line[base:rest[-1].end]
        from xshell.lang.expression import ExpressionError, split_expression  # xFeedback only

        try:
            elems = split_expression(expression)
        except ExpressionError as e:
            raise ParseError(str(e), base + e.offset) from None
        first = elems[0].value if elems else ""
        root = next((r for r in FEEDBACK_ROOTS if str(first).lower() == r.lower()), None)
        if root is None:
            raise ParseError("a feedback expression starts with Status, Configuration or Event",
                             base + (elems[0].start if elems else 0), FEEDBACK_ROOTS,
                             closest(str(first), FEEDBACK_ROOTS) if elems else None)
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


def parse(line: str, schema: Schema | None = None, body: str | None = None,
          tokens: Sequence[Token] | None = None) -> Request:
    """The request `line` asks for; `body` is a multiline command's payload.

    `tokens`: `tokenize(line)` when the caller has it already (a line is read once,
    then parsed without and with the schema: neither scans it again).
    An `xEvent [PATH]` line lists the event schema, so it parses to Help("Event", …).
    """
    if not isinstance(line, str):
        raise ParseError(f"expected text, got {type(line).__name__}", 0)
    return _Parser(line, schema, body, tokens).run()


def shell_command(line: str) -> tuple[str, tuple[str, ...]] | None:
    """(name, args) when `line` is for the shell itself (help, bye, xPreferences …)."""
    from xshell.lang.line import CommandLine, read_line
    read = read_line(line.partition("\n")[0])
    return (read.name, read.args) if isinstance(read, CommandLine) else None


__all__ = [
    "DEVICES_ONLY_INTERACTIVE", "FEEDBACK_ROOTS", "NotRecognized", "ROOT_OF_VERB", "VERB_OF_ROOT",
    "parse",
    "shell_command",
]
