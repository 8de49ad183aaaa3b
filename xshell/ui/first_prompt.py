"""The first prompt before the devices are open: what each screen does when they are.

A `Starting` backend (xshell.contract) opens its devices after the UI drew its prompt.
When the opening ends, the screen shows what a shell started the old way showed before
its prompt: the devices that could not be opened (`xshell: …` lines), then the welcome
banner and the settings notices. When no device could be opened the screen leaves with
the opening's exit status, drawing nothing more: the caller prints why on stderr once the
terminal is its own again (the same line, at the same place, as a shell that connected
first).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from xshell.contract import StartReport, Starting

__all__ = ["show_start", "watch_start_plain"]


async def show_start(app: Any, notices: Sequence[str]) -> None:
    """The full screen (ui.app.ShellApp): problems in red, then banner and notices."""
    backend: Starting = app.backend
    try:
        report = await backend.started()
    except Exception:  # noqa: BLE001 - a bug in the opening: leave; the caller re-raises it
        app.request_exit(1)
        return
    if report.exit_code is not None:
        app.request_exit(report.exit_code)
        return
    if report.problems:
        app.output.append_lines(report.problems, style="class:output.error", lex=False)
    lines = [*report.banner, *notices]
    if lines:
        app.output.append_lines(lines, style="class:banner", lex=False)
    app.output.view.end()
    app.invalidate()


async def watch_start_plain(backend: Starting, write: Callable[[list[str]], None],
                            notices: Sequence[str], leave: Callable[[int], None]) -> StartReport | None:
    """Line mode: problems on stderr (above the prompt), the banner as output; `leave`
    ends the prompt when nothing could be opened. None if the opening raised."""
    try:
        report = await backend.started()
    except Exception:  # noqa: BLE001 - the caller re-raises it once the prompt is gone
        leave(1)
        return None
    if report.exit_code is not None:
        leave(report.exit_code)
        return report
    for line in report.problems:
        print(line, file=sys.stderr, flush=True)
    lines = [*report.banner, *notices]
    if lines:
        write(lines)
    return report
