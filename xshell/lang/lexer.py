"""Syntax highlighting for input lines: grammar tokens → pygments token types.

Built on `grammar.tokenize`, so what is coloured as a parameter is exactly what the
parser treats as one. Given a schema, the token the parser rejects (an unknown node or
parameter, an illegal value) is shown as Error while the user is still typing.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from typing import Any

from pygments.lexer import Lexer
from pygments.lexers.data import JsonLexer
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation, String,
                            Text, Whitespace, _TokenType)

from xshell.contract import Fragment
from xshell.lang.grammar import ALL_DEVICES, Kind, Token, tokenize
from xshell.lang.bodies import needs_body
from xshell.lang.parse import parse
from xshell.lang.parse_errors import ParseError
from xshell.schema.model import Schema

TOKEN_TYPES: dict[Kind, _TokenType] = {
    Kind.VERB: Keyword,
    Kind.SHELL: Name.Builtin,
    Kind.NODE: Name,
    Kind.INDEX: Number.Integer,
    Kind.SEARCH: Operator,
    Kind.WILDCARD: Operator,
    Kind.SUBVERB: Keyword.Pseudo,
    Kind.EXPR: Name.Variable,
    Kind.PARAM: Name.Attribute,
    Kind.COLON: Operator,
    Kind.STRING: String.Double,
    Kind.VALUE: Name.Constant,
    Kind.HELP: Operator,
    Kind.TAG: Comment.Preproc,
    Kind.JSON: Text,
    Kind.COMMENT: Comment.Single,
    Kind.DEVICES: Name.Label,
    Kind.WS: Whitespace,
    Kind.ERROR: Error,
}
_MARKABLE = (Kind.NODE, Kind.PARAM, Kind.INDEX, Kind.VALUE, Kind.STRING, Kind.EXPR,
             Kind.SUBVERB)


def _rejected(line: str, toks: list[Token], schema: Schema | None) -> Token | None:
    """The token the parser's first complaint points at, if it is a word the user typed."""
    if schema is None:
        return None
    try:
        parse(line, schema)
    except ParseError as e:
        for t in toks:
            if t.kind in _MARKABLE and t.start <= e.column < t.end:
                typing = t.end == len(line) and any(
                    c.lower().startswith(t.text.lower()) for c in e.expected)
                return None if typing else t  # a word still being typed is not wrong yet
    return None


def _device_parts(tok: Token, known: Collection[str] | None,
                  line_end: int) -> Iterator[tuple[int, _TokenType, str]]:
    """`@room1,room2`: the `@` and commas as punctuation, each name a label (Error when
    `known` is given and the name is not among them, nor still being typed)."""
    yield tok.start, Operator, "@"
    pos = tok.start + 1
    low = {n.lower() for n in known} | {ALL_DEVICES} if known is not None else None
    for i, name in enumerate(tok.text[1:].split(",")):
        if i:
            yield pos, Punctuation, ","
            pos += 1
        if name:
            typing = pos + len(name) == line_end
            bad = low is not None and name.lower() not in low and not (
                typing and any(n.startswith(name.lower()) for n in low))
            yield pos, Error if bad else Name.Label, name
        pos += len(name)


class XapiLexer(Lexer):
    """Pygments lexer for xshell input (tshell syntax); `schema` marks unknown names,
    `devices` (the connected devices' names, when set) unknown names after `@`."""

    name = "xAPI"
    aliases = ["xapi", "tshell"]
    filenames = ["*.xapi"]

    def __init__(self, schema: Schema | None = None, **options: Any) -> None:
        options.setdefault("stripnl", False)
        super().__init__(**options)
        self.schema = schema
        self.devices: Collection[str] | None = None
        self._json = JsonLexer()

    def line_tokens(self, line: str, offset: int = 0) -> Iterator[tuple[int, _TokenType, str]]:
        toks = tokenize(line)
        lead = next((t for t in toks if t.kind is not Kind.WS), None)
        judged, judged_toks = line, toks
        if lead is not None and lead.kind is Kind.DEVICES:
            # the rest is judged as the line it is; blanks keep every column where it was
            judged = " " * lead.end + line[lead.end:]
            judged_toks = tokenize(judged)
        bad = _rejected(judged, judged_toks, self.schema)
        bad_span = (bad.start, bad.end) if bad is not None else None
        for t in toks:
            if t.kind is Kind.DEVICES:
                for i, ttype, value in _device_parts(t, self.devices, len(line)):
                    yield offset + i, ttype, value
                continue
            if t.kind is Kind.JSON:
                for i, ttype, value in self._json.get_tokens_unprocessed(t.text):
                    yield offset + t.start + i, ttype, value
                continue
            if (t.start, t.end) == bad_span:
                ttype = Error
            elif t.kind is Kind.VALUE and t.text.lstrip("+-").isdigit():
                ttype = Number.Integer
            else:
                ttype = TOKEN_TYPES[t.kind]
            yield offset + t.start, ttype, t.text

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:
        """Tokens covering `text` exactly; a multiline command's body lines are strings."""
        offset = 0
        in_body = False
        for line in text.splitlines(keepends=True):
            content = line.rstrip("\r\n")
            if in_body:
                if content.strip() == ".":
                    in_body = False
                    yield offset, Operator, content
                elif content:
                    yield offset, String.Doc, content
            elif content:
                yield from self.line_tokens(content, offset)
                in_body = needs_body(content, self.schema)
            if len(line) > len(content):
                yield offset + len(content), Whitespace, line[len(content):]
            offset += len(line)


@functools.cache
def token_kind(ttype: _TokenType) -> str:
    """A pygments token type as the contract's plain kind: "Name.Builtin" ("" for Token)."""
    return ".".join(ttype)


def highlight(text: str, schema: Schema | None, devices: Collection[str] | None = None) -> list[Fragment]:
    """`text` as (kind, text) fragments covering it exactly: what a backend offers the UI.

    Plain data, so the shell side needs no prompt-toolkit; `ui.adapters` styles each kind
    as `class:pygments.<kind>`, exactly as prompt-toolkit's PygmentsLexer would.
    """
    lexer = XapiLexer(schema)
    lexer.devices = devices
    return [(token_kind(ttype), value) for _, ttype, value in lexer.get_tokens_unprocessed(text)]
