"""What kind of thing goes at the cursor — the pure half of completion.

Following pgcli's split, this module only *classifies* the text before the cursor
(using the same tokenizer as the parser and highlighter, so they cannot disagree);
a completer turns the answer into candidates. No I/O, no prompt_toolkit: the tests
feed strings and compare Suggestions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from xshell.lang.expression import ExpressionError, split_expression
from xshell.lang.grammar import Kind, Token, resolve_verb, split_devices, tokenize
from xshell.lang.parse import FEEDBACK_ROOTS, ROOT_OF_VERB
from xshell.schema.model import Node, Param, PathElem, Schema, ValueSpace

SuggestKind = Literal["verb", "shell", "node", "index", "param_name", "value", "subverb",
                      "expression", "devices", "nothing"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The cursor's context.

    kind        what goes at the cursor: verb (a verb *or* a shell command as first word),
                shell (an argument of the shell command / xPreferences named in `verb`),
                node (a child of `node`; with `search` any node below it), index (an
                instance id of the multi-instance `node` — or, ids being optional, one
                of its children), param_name (of the command `node`, `params_given`
                already used), value (for `param`, or the setting `node`; `value_space`),
                subverb, expression (a feedback expression segment below `node`;
                `args` holds the sub-command), devices (a device name in a leading
                `@room1,room2`; `args` holds the names already listed), nothing.
    word/start  the partial word being typed and its offset (replace from there).
    path        canonical path so far, root first (search markers "//"/"**" inline).
    """

    kind: SuggestKind
    word: str = ""
    start: int = 0
    verb: str | None = None
    root: str | None = None
    path: tuple[PathElem, ...] = ()
    node: Node | None = None
    params_given: tuple[str, ...] = ()
    param: Param | None = None
    value_space: ValueSpace | None = None
    search: bool = False
    args: tuple[str, ...] = ()


_CLOSED_BY_SELF = (Kind.COLON, Kind.SEARCH)  # nothing more to type in these
_EXPR_SEP = re.compile(r".*[/\s]", re.S)


def _split(text: str) -> tuple[list[Token], Token | None, str, int]:
    """(finished tokens, the token being typed or None, its text, its start)."""
    toks = [t for t in tokenize(text) if t.kind is not Kind.WS]
    if toks:
        last = toks[-1]
        open_string = last.kind is Kind.STRING and not last.complete
        if open_string or (last.end == len(text) and last.kind not in _CLOSED_BY_SELF):
            return toks[:-1], last, last.text, last.start
    return toks, None, "", len(text)


def suggest(text_before_cursor: str, schema: Schema | None = None) -> Suggestion:
    """Classify the cursor position at the end of `text_before_cursor`. Never raises."""
    text = text_before_cursor
    toks = [t for t in tokenize(text) if t.kind is not Kind.WS]
    if toks and toks[0].kind is Kind.DEVICES:
        return _devices(text, toks[0], schema)
    done, cur, word, start = _split(text)
    if not done:
        ok = cur is None or cur.kind in (Kind.VERB, Kind.SHELL, Kind.ERROR)
        return Suggestion("verb" if ok else "nothing", word, start)
    first = done[0]
    if first.kind is Kind.SHELL:
        name = "help" if first.text == "?" else first.text.lower()
        return Suggestion("shell", word, start, verb=name, args=tuple(t.text for t in done[1:]))
    verb = resolve_verb(first.text) if first.kind is Kind.VERB else None
    if verb is None or any(t.kind in (Kind.HELP, Kind.TAG, Kind.ERROR) for t in done) \
            or (cur is not None and cur.kind in (Kind.HELP, Kind.TAG, Kind.ERROR, Kind.WILDCARD)):
        return Suggestion("nothing", word, start, verb=verb)
    if verb == "xPreferences":
        return Suggestion("shell", word, start, verb=verb, args=tuple(t.text for t in done[1:]))
    if verb == "xFeedback":
        return _feedback(text, done, cur, word, start, schema)
    if verb not in ROOT_OF_VERB:
        return Suggestion("nothing", word, start, verb=verb)
    return _PathState(verb, schema).run(done, cur, word, start)


def _devices(text: str, tok: Token, schema: Schema | None) -> Suggestion:
    """Inside `@a,b` a device name; after it, the rest of the line as a line of its own."""
    if tok.end == len(text):
        cut = max(tok.text.rfind(","), 0) + 1  # the name after the last comma (or the `@`)
        listed = split_devices(tok.text[:cut])
        return Suggestion("devices", tok.text[cut:], tok.start + cut, args=tuple(listed))
    inner = suggest(text[tok.end:], schema)
    return replace(inner, start=inner.start + tok.end)


def _feedback(text: str, done: list[Token], cur: Token | None, word: str, start: int,
              schema: Schema | None) -> Suggestion:
    if len(done) == 1:
        return Suggestion("subverb", word, start, verb="xFeedback")
    sub = done[1].text.lower()
    if sub not in ("register", "deregister") or (cur is not None and cur.kind is not Kind.EXPR):
        return Suggestion("nothing", word, start, verb="xFeedback")
    base = done[2].start if len(done) > 2 else start
    expr = text[base:]
    m = _EXPR_SEP.match(expr)
    cut = m.end() if m else 0
    try:
        elems = [e.value for e in split_expression(expr[:cut])]
    except ExpressionError:
        return Suggestion("nothing", word, start, verb="xFeedback")
    found = Suggestion("expression", expr[cut:], base + cut, verb="xFeedback", args=(sub,))
    if not elems:
        return found
    root = next((r for r in FEEDBACK_ROOTS if str(elems[0]).lower() == r.lower()), None)
    if root is None:
        return Suggestion("nothing", word, start, verb="xFeedback")
    node = schema.root(root) if schema is not None else None
    path: list[PathElem] = [root]
    for e in elems[1:]:
        if isinstance(e, int) or e == "**":
            path.append(e)
            node = node if isinstance(e, int) else None
            continue
        child = node.child(e) if node is not None else None
        if node is not None and child is None:
            return Suggestion("nothing", word, start, verb="xFeedback")
        node = child
        path.append(child.name if child is not None else e)
    return Suggestion("expression", expr[cut:], base + cut, verb="xFeedback", root=root,
                      path=tuple(path), node=node, args=(sub,))


class _PathState:
    """Walks the finished tokens of an xStatus/xConfiguration/xCommand/xEvent line."""

    def __init__(self, verb: str, schema: Schema | None) -> None:
        self.verb, self.root = verb, ROOT_OF_VERB[verb]
        self.known = schema is not None and schema.root(self.root) is not None
        self.node: Node | None = schema.root(self.root) if schema is not None else None
        self.path: list[PathElem] = [self.node.name if self.node else self.root]
        self.indexable = self.searching = self.searched = False
        self.phase = "path"
        self.param_name: str | None = None
        self.expect_value = self.has_value = False
        self.given: list[str] = []

    def out(self, kind: SuggestKind, word: str, start: int, **kw: object) -> Suggestion:
        return Suggestion(kind, word, start, verb=self.verb, root=self.root,
                          path=tuple(self.path), node=self.node,
                          params_given=tuple(self.given), **kw)  # type: ignore[arg-type]  # the caller's Suggestion fields

    def param(self) -> Param | None:
        if self.node is None or self.param_name is None:
            return None
        return self.node.param(self.param_name)

    def step(self, t: Token) -> bool:
        """Advance over one finished token; False when the line cannot be followed."""
        if self.phase == "path":
            return self.path_step(t)
        if self.phase == "params":
            if t.kind in (Kind.PARAM, Kind.NODE):
                p = self.node.param(t.text) if self.node is not None and self.known else None
                if self.known and p is None:
                    return False
                self.param_name = p.name if p else t.text
                self.expect_value = False
                return True
            if t.kind is Kind.COLON and self.param_name is not None:
                self.expect_value = True
                return True
            if t.kind in (Kind.STRING, Kind.VALUE) and self.expect_value:
                self.given.append(self.param_name or "")
                self.param_name, self.expect_value = None, False
                return True
            return False
        if t.kind in (Kind.STRING, Kind.VALUE) and not self.has_value:  # cvalue
            self.has_value = True
            return True
        return False

    def path_step(self, t: Token) -> bool:
        if t.kind is Kind.NODE:
            if self.searching or self.searched or not self.known:
                self.path.append(t.text)
                self.searched = self.searched or self.searching
                self.searching = False
                self.node = None if self.searched else self.node
                return True
            child = self.node.child(t.text) if self.node is not None else None
            if child is None:
                return False
            self.node, self.indexable = child, child.multi
            self.path.append(child.name)
            return True
        if t.kind is Kind.INDEX:
            if self.known and not self.searched and not self.indexable:
                return False
            self.path.append(int(t.text.strip("[]")[:9] or 0))
            self.indexable = False
            return True
        if t.kind in (Kind.SEARCH, Kind.WILDCARD):
            self.path.append("//" if t.kind is Kind.SEARCH else "**")
            self.searching = t.kind is Kind.SEARCH
            self.searched = self.searched or t.kind is Kind.WILDCARD
            if t.kind is Kind.WILDCARD:
                self.node = None
            return True
        if t.kind is Kind.COLON and self.verb == "xConfiguration":
            self.phase = "cvalue"
            return True
        if t.kind in (Kind.PARAM, Kind.COLON) and self.verb == "xCommand":
            self.phase = "params"
            return self.step(t)
        return False

    def run(self, done: list[Token], cur: Token | None, word: str, start: int) -> Suggestion:
        for t in done[1:]:
            if not self.step(t):
                return Suggestion("nothing", word, start, verb=self.verb, root=self.root)
        node = self.node
        if self.phase == "params":
            if self.expect_value:
                p = self.param()
                return self.out("value", word, start, param=p,
                                value_space=p.value_space if p else None)
            return self.out("param_name", word, start)
        if self.phase == "cvalue":
            if self.has_value:
                return self.out("nothing", word, start)
            vs = node.value_space if node is not None else None
            return self.out("value", word, start, value_space=vs)
        if cur is not None and cur.kind not in (Kind.NODE, Kind.INDEX):
            return self.out("nothing", word, start)
        if self.searching:
            return self.out("node", word, start, search=True)
        if node is not None and node.kind == "command" and self.known:
            return self.out("param_name", word, start)
        if self.indexable and (word == "" or word.isdigit()):
            return self.out("index", word, start)
        if node is not None and self.known and not node.children:
            return self.out("nothing", word, start)
        return self.out("node", word, start)
