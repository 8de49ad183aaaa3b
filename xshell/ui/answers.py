"""How the full screen answers a request: the backend's outcome, or the screen's own.

Kept apart from ui/app.py, which wires the screen and runs the request queue: this is
what a user reads after pressing Enter — a finished request's lines (red when it
failed), `cancelled: LINE`, one `error: …` line for a backend that raised, or the reply
of a command the screen answers itself (`help`, `clear`, `pane …`, `bye`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from xshell.commands.registry import ScreenHandler
from xshell.contract import Outcome
from xshell.ui.output_pane import OutputPane
from xshell.ui.shared import describe_error

__all__ = ["ERROR", "INFO", "run_local", "show_outcome"]

ERROR = "class:output.error"
INFO = "class:output.info"


def show_outcome(output: OutputPane, task: asyncio.Task[Outcome], shown: str) -> int | None:
    """Print a finished request's outcome (`shown`: its line, masked); the exit status
    when the backend asked to leave the shell, else None."""
    if task.cancelled():
        output.append_lines([f"cancelled: {shown.split(chr(10), 1)[0]}"], style=ERROR, lex=False)
        return None
    exc = task.exception()
    if exc is not None:
        output.append_lines([f"error: {describe_error(exc)}"], style=ERROR, lex=False)
        return None
    outcome = task.result()
    if not isinstance(outcome, Outcome):
        output.append_lines(["error: the backend returned no result"], style=ERROR, lex=False)
        return None
    output.append_lines(outcome.lines, style="" if outcome.ok else ERROR)
    if not outcome.exit_shell:
        return None
    return outcome.exit_code if outcome.exit_code is not None else (0 if outcome.ok else 1)


def run_local(app: Any, handler: ScreenHandler, args: tuple[str, ...]) -> None:
    """A command the screen answers: the registry's handler, given the app (ui.app.ShellApp,
    as commands.contexts.UiActions)."""
    result = handler(app, args)
    if result.exit_shell:
        app.request_exit(0)
        return
    if result.lines:
        app.output.append_lines(result.lines, style=INFO if result.ok else ERROR, lex=False)
        app.output.view.end()
    app.schedule_flush(0)  # a pane filter or resume shows what it lets through
