"""`xGetxml XPATH` and `xDocument Path: … Schema: … Format: …`: tshell's document verbs.

A device's SSH shell answers both from its XML/JSON documents; over the WebSocket the
same documents are xQuery (values) and xDoc (schema), so these lines become requests
like any other and the renderer lays the answer out in the shapes tshell prints (spec
tshell.md §2, §9; jsxapi's `xDocument` shim roots a status schema at `StatusSchema`).
Kept apart from xshell.lang.parse: they share only the path walk, passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xshell.lang.grammar import Kind, Token, unquote
from xshell.lang.parse_errors import ParseError, closest, quote_word
from xshell.lang.requests import Document, GetXml, PathElem

__all__ = ["DOCUMENT_PARAMS", "DOCUMENT_ROOTS", "parse_document", "parse_getxml"]

DOCUMENT_ROOTS = ("Status", "Configuration", "Event", "Command")
DOCUMENT_PARAMS = ("Path", "Schema", "Format")
_TRUTH = {"true": True, "false": False}
_FORMATS = ("JSON", "XML")
# (root, [(elem, token)]) -> canonical path, root first (the parser's schema walk)
Canonical = Callable[[str, list[tuple[PathElem, Token]]], list[PathElem]]


def _path(text: str, base: int, roots: Sequence[str], canonical: Canonical
          ) -> tuple[PathElem, ...]:
    """A slash (or space) path as canonical elements; `base` is where `text` starts."""
    from xshell.lang.expression import ExpressionError, split_expression  # xDocument/xGetxml

    try:
        elems = split_expression(text)
    except ExpressionError as e:
        raise ParseError(str(e), base + e.offset) from None
    first = str(elems[0].value) if elems else ""
    root = next((r for r in roots if first.lower() == r.lower()), None)
    if root is None:
        raise ParseError(f"a path starts with {', '.join(roots[:-1])} or {roots[-1]}",
                         base + (elems[0].start if elems else 0), roots,
                         closest(first, roots) if elems else None)
    if any(e.value == "**" for e in elems):
        raise ParseError("name the path: // and * are for xStatus searches", base)
    items = [(e.value, Token(Kind.NODE, str(e.value), base + e.start, base + e.end))
             for e in elems[1:]]
    return tuple(canonical(root, items))


def parse_getxml(line: str, toks: Sequence[Token], tag: str | None, end: int,
                 canonical: Canonical) -> GetXml:
    """`xGetxml /Status/Audio/Volume` (leading slash optional, `[n]` ids)."""
    if not toks:
        raise ParseError("missing path after xGetxml, e.g. /Status/Audio/Volume", end)
    for t in toks:
        if t.kind is not Kind.EXPR:
            raise ParseError(f"unexpected {quote_word(t.text)} in the xGetxml path", t.start)
    base = toks[0].start
    text = line[base:toks[-1].end]
    return GetXml(text, _path(text, base, DOCUMENT_ROOTS[:3], canonical), tag)


def parse_document(toks: Sequence[Token], tag: str | None, end: int,
                   canonical: Canonical) -> Document:
    """`xDocument Path: "Status/Audio/Volume" Schema: True Format: JSON` (jsxapi's form)."""
    given: dict[str, tuple[str, Token]] = {}
    j = 0
    while j < len(toks):
        t = toks[j]
        name = next((p for p in DOCUMENT_PARAMS if p.lower() == t.text.lower()), None)
        if t.kind not in (Kind.PARAM, Kind.NODE) or name is None:
            raise ParseError(f"unexpected {quote_word(t.text)}; xDocument takes Path, Schema "
                             "and Format", t.start, DOCUMENT_PARAMS, closest(t.text, DOCUMENT_PARAMS))
        colon = toks[j + 1] if j + 1 < len(toks) else None
        if colon is None or colon.kind is not Kind.COLON:
            raise ParseError(f"missing ':' after {t.text}", t.end, (":",))
        vt = toks[j + 2] if j + 2 < len(toks) else None
        if vt is None or vt.kind not in (Kind.STRING, Kind.VALUE):
            raise ParseError(f"missing value for {name}", colon.end)
        given[name] = (unquote(vt.text) if vt.kind is Kind.STRING else vt.text, vt)
        j += 3
    if "Path" not in given:
        raise ParseError('missing Path for xDocument, e.g. Path: "Status/Audio"', end, ("Path",))
    text, tok = given["Path"]
    base = tok.start + (1 if tok.kind is Kind.STRING else 0)
    path = _path(text, base, DOCUMENT_ROOTS, canonical)
    schema = True
    if "Schema" in given:
        word, vt = given["Schema"]
        if word.lower() not in _TRUTH:
            raise ParseError(f"Schema takes True or False, not {quote_word(word)}", vt.start,
                             ("True", "False"))
        schema = _TRUTH[word.lower()]
    fmt = "JSON"
    if "Format" in given:
        word, vt = given["Format"]
        fmt = next((f for f in _FORMATS if f.lower() == word.lower()), "")
        if not fmt:
            raise ParseError(f"Format takes JSON or XML, not {quote_word(word)}", vt.start, _FORMATS)
    if not schema and path[0] == "Command":
        raise ParseError("a command has no values; ask for its schema (Schema: True)",
                         given["Schema"][1].start)
    return Document(path, schema, fmt, tag)
