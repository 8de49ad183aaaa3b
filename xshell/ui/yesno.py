"""The full screen's yes/no question: the guard asks before a destructive line is sent.

The request is already running in the app's worker when the guard asks
(xshell.session.guard_policy), and the input line stays live, so the question is printed in
the output pane, the prompt turns into `[y/N]`, and the next line typed is the answer
instead of a request. It never goes to history. Ctrl-C cancels the running request,
and with it the question: nothing is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

__all__ = ["YesNo"]


class YesNo:
    """At most one open question, printed in `output` (ui.output_pane.OutputPane)."""

    def __init__(self, output: Any, redraw: Callable[[], None]) -> None:
        self._output = output
        self._redraw = redraw
        self._answer: asyncio.Future[bool] | None = None

    @property
    def open(self) -> bool:
        return self._answer is not None and not self._answer.done()

    async def ask(self, question: str) -> bool:
        """Show `question`; True when the next line typed is y or yes."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._answer = answer
        self._show([question], "class:output.error")
        self._redraw()
        try:
            return await answer
        finally:
            self._answer = None
            self._redraw()

    def take(self, text: str) -> bool:
        """The line typed, as the answer when a question is open (then True), else False."""
        answer = self._answer
        if answer is None or answer.done():
            return False
        self._show([f"[y/N] {text}"], "class:output.info")
        answer.set_result(text.strip().lower() in ("y", "yes"))
        return True

    def _show(self, lines: list[str], style: str) -> None:
        self._output.append_lines(lines, style=style, lex=False)
        self._output.view.end()
