"""Which typed lines the screen answers itself, and how typed text splits into requests.

Shared by the full-screen app and plain mode so both understand the same words: the
command registry (xshell.commands) says which commands the screen answers (`help`,
`clear`, `pane …`, `bye`/`exit`/`quit`); everything else goes to the backend.
"""

from __future__ import annotations

from collections.abc import Callable

from xshell.commands.help import help_text
from xshell.commands.registry import Handler, lookup
from xshell.lang.line import CommandLine, read_line

__all__ = ["help_text", "screen_command", "split_submission"]


def screen_command(text: str) -> tuple[Handler, tuple[str, ...]] | None:
    """The screen's own answer to `text` (a registry command it answers), or None: then
    the backend gets the line. The line is read here once; its handler takes the screen
    (as commands.contexts.UiActions) and the args, and returns a session Result."""
    if "\n" in text:
        return None
    line = read_line(text)
    if not isinstance(line, CommandLine):
        return None
    cmd = lookup(line.name)
    handler = cmd.screen_handler(line.args) if cmd is not None else None
    return (handler, line.args) if handler is not None else None


def split_submission(text: str, needs_body: Callable[[str], bool]) -> tuple[list[str], str | None]:
    """Split typed or pasted text into requests; return (complete requests, unfinished tail).

    A line for which `needs_body` is true takes the following lines as its body up to a
    line holding only "."; that request is `line + "\\n" + body` (without the "."). Blank
    lines between requests are skipped. The tail is the text of a body still missing its
    terminating "." (None when everything is complete).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    requests: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        if not _safe_needs_body(needs_body, line):
            requests.append(line)
            continue
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != ".":
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            return requests, "\n".join([line, *body])
        i += 1  # the "." line
        requests.append("\n".join([line, *body]))
    return requests, None


def _safe_needs_body(needs_body: Callable[[str], bool], line: str) -> bool:
    """A backend bug in needs_body must not swallow the user's line."""
    try:
        return bool(needs_body(line))
    except Exception:
        return False
