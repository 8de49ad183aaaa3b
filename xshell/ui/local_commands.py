"""Shell commands the UI answers itself, and how typed text splits into requests.

Shared by the full-screen app and plain mode so both understand the same words:
`help`, `clear`, `pane …`, `bye`/`exit`/`quit`. Everything else goes to the backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xshell.ui.eventlog import EventLog

__all__ = [
    "EXIT_WORDS",
    "LocalCommand",
    "LocalCommandError",
    "apply_pane",
    "help_text",
    "parse_local",
    "split_submission",
]

EXIT_WORDS = frozenset({"bye", "exit", "quit"})
PANE_ACTIONS = ("pause", "resume", "clear", "filter", "show", "hide", "toggle")
PANE_USAGE = "pane pause|resume|clear|show|hide|toggle|filter [TEXT]"


class LocalCommandError(ValueError):
    """A local shell command was mistyped; the message is one line for the user."""


@dataclass(frozen=True)
class LocalCommand:
    """A parsed local command. kind: help | clear | exit | pane; action/arg for pane."""

    kind: str
    action: str = ""
    arg: str = ""


def parse_local(text: str) -> LocalCommand | None:
    """Recognise a UI-local command; None means "send it to the backend".

    Only the exact words are local (`help`, not `help xcommand`, which the device
    answers). Raises LocalCommandError for a malformed `pane` command.
    """
    if "\n" in text:
        return None
    words = text.strip().split(None, 2)
    if not words:
        return None
    head = words[0].lower()
    if len(words) == 1 and head in EXIT_WORDS:
        return LocalCommand("exit")
    if len(words) == 1 and head in ("help", "clear"):
        return LocalCommand(head)
    if head != "pane":
        return None
    if len(words) == 1:
        return LocalCommand("pane", "status")
    action = words[1].lower()
    if action not in PANE_ACTIONS:
        raise LocalCommandError(f"pane: unknown action {words[1]!r} (use {PANE_USAGE})")
    arg = text.strip().split(None, 2)[2].strip() if len(words) == 3 else ""
    if action != "filter" and arg:
        raise LocalCommandError(f"pane {action}: takes no argument (got {arg!r})")
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "\"'":
        arg = arg[1:-1]
    return LocalCommand("pane", action, arg)


def apply_pane(log: EventLog, cmd: LocalCommand) -> str:
    """Apply a pane command to the event log; return the one-line confirmation.

    show/hide/toggle concern the screen layout and are handled by the caller.
    """
    if cmd.action == "pause":
        log.pause()
        return "feedback pane paused (events are still counted and kept; 'pane resume' shows them)"
    if cmd.action == "resume":
        held = log.held
        log.resume()
        return f"feedback pane resumed ({held} held event{'s' if held != 1 else ''} shown)"
    if cmd.action == "clear":
        log.clear()
        return "feedback pane cleared"
    if cmd.action == "filter":
        log.set_filter(cmd.arg or None)
        if log.filter_text:
            return f"feedback pane filter: {log.filter_text!r} (case-insensitive; 'pane filter' shows all)"
        return "feedback pane filter removed"
    return pane_status(log)


def pane_status(log: EventLog) -> str:
    """One line describing the pane state (`pane` with no action)."""
    parts = [f"{log.total_events} events received", f"{len(log)} lines kept"]
    if log.paused:
        parts.append(f"paused with {log.held} held")
    if log.filter_text:
        parts.append(f"filter {log.filter_text!r}")
    return "feedback pane: " + ", ".join(parts)


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


def help_text() -> list[str]:
    """The shell's own help: local commands and keys (device help: `help xcommand` …)."""
    return [
        "xshell — interactive xAPI shell",
        "",
        "Shell commands (handled locally):",
        "  help                  this text (device help: 'help xcommand', 'xcommand ?', …)",
        "  clear                 clear the output pane",
        "  pane                  feedback pane status",
        "  pane pause | resume   freeze the pane (events are still counted and kept)",
        "  pane clear            empty the pane",
        "  pane filter TEXT      show only events whose path or lines contain TEXT (any case)",
        "  pane filter           show all events again",
        "  pane show | hide      show or hide the feedback pane",
        "  bye | exit | quit     leave the shell (also Ctrl-D on an empty line)",
        "",
        "Several devices (the prompt names the current one; feedback is tagged [NAME]):",
        "  connect PROFILE|URL [as NAME]   open another device and make it current",
        "  use NAME              switch the current device",
        "  devices               list the open devices",
        "  disconnect [NAME]     close one device (never the last: use bye)",
        "  @all LINE             run LINE on every device, results grouped per device",
        "  @room1,room2 LINE     run LINE on the named devices",
        "",
        "Transcripts and snapshots (also in scripts: xshell -c 'snapshot save NAME' …):",
        "  log start FILE [text|jsonl] | log stop | log   record lines, replies, feedback",
        "  snapshot save NAME [status] [force]   store the Configuration (secrets never)",
        "  snapshot list | snapshot show NAME | snapshot delete NAME",
        "  diff NAME [NAME2]     live device (or NAME2) against snapshot NAME, as *c lines",
        "",
        "Everything else is sent to the device: xCommand, xStatus, xConfiguration,",
        "xFeedback register /Event/…, xPreferences, … Multiline commands (e.g.",
        "xCommand UserInterface Extensions Panel Save) read body lines until a line",
        "holding only '.'.",
        "",
        "Keys:",
        "  F1                    this help",
        "  F2                    show/hide the feedback pane",
        "  F3                    pause/resume the feedback pane",
        "  F4                    clear the feedback pane",
        "  Tab                   complete; Right arrow / Ctrl-F / Ctrl-E accept the grey suggestion",
        "  Up / Down, Ctrl-R     history, reverse history search",
        "  PageUp / PageDown     scroll the output pane (Home / End on an empty line, or",
        "                        Ctrl-Home / Ctrl-End: oldest / newest, End follows new output)",
        "  Shift-PageUp/PageDown scroll the feedback pane",
        "  Ctrl-C                cancel the line being typed, or the request in flight",
        "  Ctrl-D                quit (on an empty line)",
    ]
