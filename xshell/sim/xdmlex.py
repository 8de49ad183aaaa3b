"""Lines and tokens of the simulator's `.xdm` model format, and the error that names a line.

The lowest layer of the `.xdm` reader (`sim.builtin` documents the format): it joins
continued lines, drops blanks and comments, measures indentation and splits a line into
bare words, "quoted strings" and a trailing `# note`, so the layers above never see raw text.
Every error carries the file name and line number because people write these files.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["ModelSyntaxError", "Tok", "Line", "LineReader"]

_TOKEN = re.compile(r'\s*(?:(?P<note>#.*)|"(?P<q>(?:[^"\\]|\\.)*)"(?=\s|$)|(?P<bare>[^\s"]+)(?=\s|$)|(?P<bad>\S))')
_ESCAPE = re.compile(r"\\(.)")


class ModelSyntaxError(ValueError):
    """A mistake in a model file; the message names the file, the line and what is wrong."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}, line {line}: {message}")
        self.line = line
        self.reason = message


class Tok(NamedTuple):
    """One word of a line; `quoted` tells a "quoted string" from a bare word (a keyword or literal)."""

    text: str
    quoted: bool = False


class Line(NamedTuple):
    """One logical line: continuations joined, its tokens and its `# note` split off."""

    number: int
    indent: int
    toks: list[Tok]
    note: str


class LineReader:
    """Reads logical lines, keeping the current line number so any layer can `fail` there."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.line = 0

    def fail(self, message: str) -> ModelSyntaxError:
        return ModelSyntaxError(self.source, self.line, message)

    # --- lines and tokens ------------------------------------------------------------

    def lines(self, text: str) -> list[Line]:
        """Logical lines (continuations joined), without blanks and comments."""
        out: list[Line] = []
        raw = iter(enumerate(text.splitlines(), start=1))
        for self.line, content in raw:
            if not content.strip() or content.lstrip().startswith("#"):
                continue
            start = self.line
            while content.rstrip().endswith("\\"):
                more = next(raw, None)
                if more is None:
                    raise self.fail("the last line ends with '\\' but nothing follows")
                content = content.rstrip()[:-1] + " " + more[1].strip()
            self.line = start
            head = content[: len(content) - len(content.lstrip())]
            if "\t" in head:
                raise self.fail("tab in indentation; indent with spaces")
            out.append(Line(start, len(head), *self.tokens(content)))
        return out

    def tokens(self, content: str) -> tuple[list[Tok], str]:
        toks: list[Tok] = []
        pos = 0
        while (m := _TOKEN.match(content, pos)) is not None:
            pos = m.end()
            if m["note"] is not None:
                return toks, m["note"][1:].strip()
            if m["bad"] is not None:
                raise self.fail(f"unbalanced or misplaced quote at column {m.start('bad') + 1}")
            toks.append(Tok(_ESCAPE.sub(r"\1", m["q"]), True) if m["q"] is not None else Tok(m["bare"]))
        return toks, ""
