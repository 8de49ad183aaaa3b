"""Which typed lines the screen answers itself, and how typed text splits into requests.

Shared by the full-screen app and plain mode so both understand the same words: the
command registry (xshell.commands) says which commands the screen answers (`help`,
`clear`, `pane …`, `bye`/`exit`/`quit`); everything else goes to the backend.
"""

from __future__ import annotations

from collections.abc import Callable

from xshell.commands.help import help_text
from xshell.commands.registry import ScreenHandler, lookup
from xshell.lang.line import CommandLine, Line, as_line, read_line, with_body

__all__ = ["help_text", "screen_command", "split_submission"]


def screen_command(line: str | Line) -> tuple[ScreenHandler, tuple[str, ...]] | None:
    """The screen's own answer to `line` (a registry command it answers), or None: then
    the backend gets the line. It comes read once, at submit (a text is read here); its
    handler takes the screen (as commands.contexts.UiActions) and the args, and returns
    a session Result."""
    read = as_line(line)
    if not isinstance(read, CommandLine) or read.body:
        return None
    cmd = lookup(read.name)
    handler = cmd.screen_handler(read.args) if cmd is not None else None
    return (handler, read.args) if handler is not None else None


def split_submission(text: str, needs_body: Callable[[Line], bool]) -> tuple[list[Line], str | None]:
    """Split typed or pasted text into requests; return (complete requests, unfinished tail).

    Each line is read here, once (xshell.lang.line), and the request travels on as that
    value. A line for which `needs_body` is true takes the following lines as its body up
    to a line holding only "."; that request carries the body (without the "."). Blank
    lines between requests are skipped. The tail is the text of a body still missing its
    terminating "." (None when everything is complete).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    requests: list[Line] = []
    i = 0
    while i < len(lines):
        text_line = lines[i]
        i += 1
        if not text_line.strip():
            continue
        line = read_line(text_line)
        if not _safe_needs_body(needs_body, line):
            requests.append(line)
            continue
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != ".":
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            return requests, "\n".join([text_line, *body])
        i += 1  # the "." line
        requests.append(with_body(line, "\n".join(body)))
    return requests, None


def _safe_needs_body(needs_body: Callable[[Line], bool], line: Line) -> bool:
    """A backend bug in needs_body must not swallow the user's line."""
    try:
        return bool(needs_body(line))
    except Exception:  # noqa: BLE001 - see the docstring
        return False
