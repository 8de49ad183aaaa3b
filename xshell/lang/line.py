"""One typed line, read once into a value that says what it is.

Every layer used to ask the text "is this mine?" by tokenizing it again (the devices
prefix, the shell command, the verb, the parse without and then with the schema). Now
`read_line` tokenizes once and the value travels down: the several-devices shell takes a
`DevicesLine` apart, a `CommandLine` goes to the command registry, and an `XapiLine`
carries its tokens to `parse(…, tokens=…)`, so the schema-resolving parse scans nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from xshell.lang.grammar import Kind, Token, resolve_verb, split_devices, tokenize, unquote
from xshell.lang.redact import redact_entry
from xshell.lang.requests import same_kind
from xshell.lang.vocabulary import ShellVocabulary
from xshell.schema.model import Schema

__all__ = ["Blank", "CommandLine", "DevicesLine", "Line", "XapiLine", "as_line", "masked_text", "read_line",
           "with_body"]


class Blank(NamedTuple):
    """An empty line or a `# comment`: nothing to run."""

    text: str
    tokens: tuple[Token, ...] = ()

    @property
    def full(self) -> str:
        return self.text


class CommandLine(NamedTuple):
    """A line for the shell itself: `name` is the registry's canonical name (lower case)."""

    name: str
    args: tuple[str, ...]
    text: str  # the first line as typed
    body: str = ""  # text after the first newline (only BODY_COMMANDS take one)
    tokens: tuple[Token, ...] = ()  # of `text`, as read (masking reuses them)

    @property
    def full(self) -> str:
        """The text as typed: the line plus its body."""
        return self.text + ("\n" + self.body if self.body else "")


class XapiLine(NamedTuple):
    """A line for the device: its first line, its tokens (WS kept) and a multiline body."""

    text: str
    tokens: tuple[Token, ...]
    body: str = ""

    @property
    def verb(self) -> str | None:
        """The verb the first word names (xConfiguration …), or None (JSON, a typo)."""
        first = next((t for t in self.tokens if t.kind is not Kind.WS), None)
        return resolve_verb(first.text) if first is not None and first.kind is Kind.VERB else None

    @property
    def full(self) -> str:
        """The text as typed: the line plus its body."""
        return self.text + ("\n" + self.body if self.body else "")


class DevicesLine(NamedTuple):
    """`@all LINE` / `@room1,room2 LINE`: `line` runs on the named devices."""

    names: tuple[str, ...]
    line: Line
    head: str  # `@room1,room2 ` as typed (with the blanks after it)

    @property
    def text(self) -> str:
        """The first line as typed, `@…` included."""
        return self.head + self.line.text

    @property
    def full(self) -> str:
        """The text as typed: the line plus its body."""
        return self.head + self.line.full


Line = Blank | CommandLine | XapiLine | DevicesLine
same_kind(Blank, CommandLine, XapiLine, DevicesLine)  # a Blank is no XapiLine of equal text

# Shell commands whose line may carry a multiline body: `as FORM xCommand … (multiline)`
# (lang.bodies.needs_body says when); any other shell line with a body is no command.
BODY_COMMANDS = frozenset({"as"})


def read_line(text: str, vocab: ShellVocabulary | None = None) -> Line:
    """What `text` (a line, plus a multiline body after the first newline) is. Never raises.

    Tokenizes the first line once; a `@NAMES` line's rest reuses those tokens, shifted.
    `xPreferences …` is a shell command (the shell's setting, never sent).
    """
    first, sep, body = text.partition("\n")
    return _classify(first, tuple(tokenize(first, vocab)), body, vocab)


def _classify(first: str, toks: tuple[Token, ...], body: str, vocab: ShellVocabulary | None) -> Line:
    sig = [t for t in toks if t.kind is not Kind.WS]
    if not sig or sig[0].kind is Kind.COMMENT:
        return Blank(first, toks)
    lead = sig[0]
    if lead.kind is Kind.DEVICES:
        i = toks.index(lead) + 1
        if i < len(toks) and toks[i].kind is Kind.WS:
            i += 1
        end = toks[i - 1].end
        rest = tuple(Token(t.kind, t.text, t.start - end, t.end - end, t.complete) for t in toks[i:])
        inner = _classify(first[end:], rest, body, vocab)
        return DevicesLine(tuple(split_devices(lead.text)), inner, first[:end])
    if lead.kind is Kind.SHELL:
        from xshell.lang.vocabulary import shell_vocabulary
        name = (vocab or shell_vocabulary()).canonical(lead.text) or lead.text.lower()
        if not body or name in BODY_COMMANDS:
            return CommandLine(name, _args(sig[1:]), first, body, toks)
    if lead.kind is Kind.VERB and resolve_verb(lead.text) == "xPreferences" and not body:
        return CommandLine("xpreferences", _args(sig[1:]), first, tokens=toks)
    return XapiLine(first, toks, body)


def _args(toks: list[Token]) -> tuple[str, ...]:
    return tuple(unquote(t.text) if t.kind is Kind.STRING else t.text for t in toks)


def with_body(line: Line, body: str) -> Line:
    """`line` (a first line, read alone) with the body typed below it, as `read_line` would
    have read the two together — from the tokens it holds, so nothing is scanned again."""
    if isinstance(line, DevicesLine):
        return DevicesLine(line.names, with_body(line.line, body), line.head)
    return _classify(line.text, line.tokens, body, None)


def masked_text(line: Line, schema: Schema | None) -> str:
    """The line (body included) as history, echo and transcripts keep it: secrets masked by
    lang.redact from the tokens it was read with, so masking scans nothing again."""
    if isinstance(line, DevicesLine):
        return line.head + masked_text(line.line, schema)
    return redact_entry(line.full, schema, line.tokens or None)


def as_line(text_or_line: str | Line) -> Line:
    """A Line from either: callers above may already hold one (read once)."""
    return read_line(text_or_line) if isinstance(text_or_line, str) else text_or_line
