"""The feedback pane's UIControl: lazy rendering of the event ring buffer.

Lines are turned into fragments only when the viewport asks for them (the visible
rows), never for the whole buffer, so 10,000 kept lines cost nothing per redraw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from prompt_toolkit.formatted_text import StyleAndTextTuples

from xshell.ui.eventlog import STAMP_WIDTH, EventLog, LogLine
from xshell.ui.output_pane import lex_lines
from xshell.ui.viewport import LinesControl, ScrollView

__all__ = ["EventLogControl", "line_fragments"]


def line_fragments(line: LogLine, lexer: Any | None = None) -> StyleAndTextTuples:
    """One log line: grey timestamp column, then the tshell line (coloured by `lexer`)."""
    kind = "class:eventlog.event" if line.text.startswith("*e") else "class:eventlog.status"
    head: StyleAndTextTuples = [("class:eventlog.time", line.stamp or " " * STAMP_WIDTH), ("", " ")]
    return head + lex_lines([line.text], lexer, kind)[0]


class _Lazy(Sequence[StyleAndTextTuples]):
    """Read-only view converting log lines to fragments on access."""

    def __init__(self, lines: Sequence[LogLine], lexer: Any | None) -> None:
        self._lines = lines
        self._lexer = lexer

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, i: int) -> StyleAndTextTuples: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[StyleAndTextTuples]: ...
    def __getitem__(self, i: int | slice) -> StyleAndTextTuples | Sequence[StyleAndTextTuples]:
        if isinstance(i, slice):
            return [line_fragments(ln, self._lexer) for ln in list(self._lines)[i]]
        return line_fragments(self._lines[i], self._lexer)


class EventLogControl(LinesControl):
    """Custom UIControl over an `EventLog` (never a TextArea: it would grow without bound)."""

    def __init__(self, log: EventLog, lexer: Any | None = None) -> None:
        self.log = log
        self.lexer = lexer  # pygments lexer for tshell lines (the output pane's)
        super().__init__(self._lines, ScrollView())

    def _lines(self) -> tuple[Sequence[StyleAndTextTuples], int]:
        lines, base = self.log.visible()
        return _Lazy(lines, self.lexer), base
