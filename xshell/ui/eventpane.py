"""The feedback pane's UIControl: lazy rendering of the event ring buffer.

Lines are turned into fragments only when the viewport asks for them (the visible
rows), never for the whole buffer, so 10,000 kept lines cost nothing per redraw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prompt_toolkit.formatted_text import StyleAndTextTuples

from xshell.ui.eventlog import STAMP_WIDTH, EventLog, LogLine, MappedView
from xshell.ui.output_pane import lex_lines
from xshell.ui.viewport import LinesControl, ScrollView

__all__ = ["EventLogControl", "line_fragments"]


def line_fragments(line: LogLine, lexer: Any | None = None) -> StyleAndTextTuples:
    """One log line: grey timestamp column, then the tshell line (coloured by `lexer`)."""
    kind = "class:eventlog.event" if line.text.startswith("*e") else "class:eventlog.status"
    head: StyleAndTextTuples = [("class:eventlog.time", line.stamp or " " * STAMP_WIDTH), ("", " ")]
    return head + lex_lines([line.text], lexer, kind)[0]


class EventLogControl(LinesControl):
    """Custom UIControl over an `EventLog` (never a TextArea: it would grow without bound)."""

    def __init__(self, log: EventLog, lexer: Any | None = None) -> None:
        self.log = log
        self.lexer = lexer  # pygments lexer for tshell lines (the output pane's)
        super().__init__(self._lines, ScrollView())

    def _lines(self) -> tuple[Sequence[StyleAndTextTuples], int]:
        lines, base = self.log.visible()
        lexer = self.lexer
        return MappedView(lines, lambda line: line_fragments(line, lexer)), base
