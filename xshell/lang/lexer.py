"""Syntax highlighting for input lines: grammar tokens → pygments token types.

Built on `grammar.tokenize`, so what is coloured as a parameter is exactly what the
parser treats as one. Given a schema, the token the parser rejects (an unknown node or
parameter, an illegal value) is shown as Error while the user is still typing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pygments.lexer import Lexer
from pygments.lexers.data import JsonLexer
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, String, Text,
                            Whitespace, _TokenType)

from xshell.lang.grammar import Kind, Token, tokenize
from xshell.lang.parse import ParseError, needs_body, parse
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


class XapiLexer(Lexer):
    """Pygments lexer for xshell input (tshell syntax); `schema` marks unknown names."""

    name = "xAPI"
    aliases = ["xapi", "tshell"]
    filenames = ["*.xapi"]

    def __init__(self, schema: Schema | None = None, **options: Any) -> None:
        options.setdefault("stripnl", False)
        super().__init__(**options)
        self.schema = schema
        self._json = JsonLexer()

    def line_tokens(self, line: str, offset: int = 0) -> Iterator[tuple[int, _TokenType, str]]:
        toks = tokenize(line)
        bad = _rejected(line, toks, self.schema)
        for t in toks:
            if t.kind is Kind.JSON:
                for i, ttype, value in self._json.get_tokens_unprocessed(t.text):
                    yield offset + t.start + i, ttype, value
                continue
            if t is bad:
                ttype = Error
            elif t.kind is Kind.VALUE and t.text.lstrip("+-").isdigit():
                ttype = Number.Integer
            else:
                ttype = TOKEN_TYPES[t.kind]
            yield offset + t.start, ttype, t.text

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:  # type: ignore[override]
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
