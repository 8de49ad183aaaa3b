"""Parse errors and how they are shown: the one-line message and the caret under the line.

Kept apart from the parser so that script splitting, the lexer and the modes can raise,
catch and print these without pulling in the parser's schema logic, and so the message
conventions (column, choices, "did you mean", secrets never echoed) live in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from xshell.lang.grammar import devices_prefix
from xshell.lang.redact import redact_spans
from xshell.schema.model import Schema


class ParseError(ValueError):
    """A line that does not make a request. `column` is a 0-based offset into the line;
    messages say it 1-based (`at column 1` is the first character, as editors count)."""

    def __init__(self, message: str, column: int, expected: Sequence[str] = (),
                 suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.expected = tuple(expected)
        self.suggestion = suggestion

    def __str__(self) -> str:
        # The place belongs to the fault, not to the advice after it: "xGetxml is not
        # available … at column 1; use xStatus", never "…; use xStatus at column 1".
        fault, advice = _split_advice(self.message)
        text = f"{fault} at column {self.column + 1}{advice}"
        if self.suggestion:
            return f"{text}; did you mean {self.suggestion}?"
        if len(self.expected) > 1 and ", ".join(self.expected) not in self.message:
            return f"{text}; expected one of {_choices(self.expected)}"  # unless said above
        return text


class ScriptError(ParseError):
    """A script-level mistake (an unended body); `lineno` is 1-based."""

    def __init__(self, message: str, lineno: int) -> None:
        super().__init__(message, 0)
        self.lineno = lineno

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.message}"


def _split_advice(message: str) -> tuple[str, str]:
    """(fault, "; advice") at the first `; ` outside a quoted word, or (message, "")."""
    quote = ""
    for i, ch in enumerate(message):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif message.startswith("; ", i):
            return message[:i], message[i:]
    return message, ""


def _choices(names: Sequence[str], limit: int = 8) -> str:
    """The choices, cut after `limit` only when that hides two or more: "… (1 more)"
    would take as much room as the one name it hides (the nine verbs show whole)."""
    if len(names) <= limit + 1:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", … ({len(names) - limit} more)"


def closest(word: str, names: Sequence[str]) -> str | None:
    """The schema name a mistyped `word` most likely meant (difflib, case-insensitive)."""
    import difflib  # loaded by a typo, not by every run

    by_low = {n.lower(): n for n in names}
    hit = difflib.get_close_matches(word.lower()[:100], list(by_low), n=1, cutoff=0.6)
    return by_low[hit[0]] if hit else None


def quote_word(text: str) -> str:
    """A user's word quoted for a message, shortened so errors stay one line."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def format_parse_error(line: str, err: ParseError, schema: Schema | None = None) -> list[str]:
    """The line (secrets masked), a caret under the error column, and the message."""
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
    import unicodedata

    pad = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text[:col])
    return [text, " " * pad + "^", str(err)]


__all__ = ["ParseError", "ScriptError", "closest", "format_parse_error", "quote_word"]
