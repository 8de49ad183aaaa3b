"""Multiline bodies: which lines take one, and how a script's text splits into requests.

A multiline command (`xCommand HttpClient Post …`) is followed by its payload up to a
line holding only `.`. The interactive shell, the lexer and script mode must agree on
which lines open such a body, so the decision (`needs_body`) and the script splitter
that relies on it (`split_script`) live together, apart from the line parser proper.
"""

from __future__ import annotations

from typing import NamedTuple
from collections.abc import Iterator, Sequence

from xshell.lang.grammar import Kind, Token, resolve_verb, tokenize, unquote
from xshell.lang.parse_errors import ScriptError
from xshell.schema.model import Node, Schema

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


def needs_body(line: str, schema: Schema | None = None, tokens: Sequence[Token] | None = None) -> bool:
    """Whether `line` is a multiline command whose payload follows on the next lines
    (not when it names its body's source: `< FILE`, or `.` for $EDITOR). `tokens`: the
    line's, when it was read already (lang.line).

    `as FORM [--secrets] LINE` takes a body when LINE would (the translators write it)."""
    toks = tuple(tokenize(line)) if tokens is None else tuple(tokens)
    inner = as_inner(line, toks)
    if inner is not None:
        return needs_body(inner, schema)
    return _opens_body(toks, schema) and body_source(line, schema, toks) is None


def as_inner(line: str, tokens: Sequence[Token] | None = None) -> str | None:
    """The xAPI line of `[@NAMES] as FORM [--secrets] LINE` (LINE as typed), or None when
    `line` is no such line. The shell reads `as` as a command word, so LINE is read here."""
    toks = tokenize(line) if tokens is None else tokens
    sig = [t for t in toks if t.kind is not Kind.WS]
    if sig and sig[0].kind is Kind.DEVICES:
        sig = sig[1:]
    if len(sig) < 3 or sig[0].text.lower() != "as" or sig[0].kind not in (Kind.SHELL, Kind.ERROR):
        return None
    from xshell.lang.ascode import FORMS  # loaded for `as` lines only

    if sig[1].text.lower() not in FORMS:
        return None
    rest = sig[2:]
    if rest[0].text.lower() == "--secrets":
        rest = rest[1:]
    return line[rest[0].start:] if rest else None


class BodySource(NamedTuple):
    """Where a multiline command's body comes from when it is not typed below the line.

    `xCommand Macros Macro Save Name: room < room.js` reads the file (bytes as they are);
    a line ending with the body marker `.` on its own opens $VISUAL/$EDITOR. `line` is
    the command without the marker, `path` the file (None: the editor).
    """

    line: str
    path: str | None


def body_source(line: str, schema: Schema | None = None,
                tokens: Sequence[Token] | None = None) -> BodySource | None:
    """The body source a multiline command line names at its end, or None.

    `tokens`: the line's tokens when the caller has them (the line is not scanned again
    unless it ends with a marker)."""
    toks = [t for t in (tokenize(line) if tokens is None else tokens) if t.kind is not Kind.WS]
    if len(toks) < 2:
        return None
    last, before = toks[-1], toks[-2]
    found: BodySource | None = None
    if last.kind is Kind.VALUE and last.text == "." and before.kind is not Kind.COLON:
        found = BodySource(line[:last.start].rstrip(), None)
    elif before.text == "<" and before.kind is not Kind.STRING and last.kind is not Kind.COLON:
        found = BodySource(line[:before.start].rstrip(), unquote(last.text))
    elif last.text.startswith("<") and len(last.text) > 1 and last.kind is not Kind.STRING:
        found = BodySource(line[:last.start].rstrip(), unquote(last.text[1:]))
    if found is None or not found.line or not _opens_body(tuple(tokenize(found.line)), schema):
        return None
    return found


def _opens_body(toks: Sequence[Token], schema: Schema | None = None) -> bool:
    sig = [t for t in toks if t.kind is not Kind.WS]
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


__all__ = ["MULTILINE_COMMANDS", "BodySource", "as_inner", "body_source", "needs_body", "split_script"]
