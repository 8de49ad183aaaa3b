"""`pane …`: the feedback pane (pause, resume, clear, filter, show, hide, toggle)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xshell.commands.contexts import PaneLog, UiActions
from xshell.commands.registry import Command, Scope
from xshell.session.result import EXIT_USAGE, Result

PANE_ACTIONS = ("pause", "resume", "clear", "filter", "show", "hide", "toggle")
PANE_USAGE = "pane pause|resume|clear|show|hide|toggle|filter [TEXT]"


class PaneError(ValueError):
    """A mistyped `pane` command; the message is one line for the user."""


def parse_pane(args: Sequence[str]) -> tuple[str, str]:
    """(action, argument) of `pane ARGS`; `pane` alone is "status". Raises PaneError."""
    if not args:
        return "status", ""
    action = args[0].lower()
    if action not in PANE_ACTIONS:
        raise PaneError(f"pane: unknown action {args[0]!r} (use {PANE_USAGE})")
    arg = " ".join(args[1:])  # a quoted argument keeps its blanks (`pane filter "Call "`)
    if action != "filter" and arg:
        raise PaneError(f"pane {action}: takes no argument (got {arg!r})")
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'":
        arg = arg[1:-1]
    return action, arg


def apply_pane(log: PaneLog, action: str, arg: str = "") -> str:
    """Apply a pane action (not show/hide/toggle) to the event log; the confirmation."""
    if action == "pause":
        log.pause()
        return "feedback pane paused (events are still counted and kept; 'pane resume' shows them)"
    if action == "resume":
        held = log.held
        log.resume()
        return f"feedback pane resumed ({held} held event{'s' if held != 1 else ''} shown)"
    if action == "clear":
        log.clear()
        return "feedback pane cleared"
    if action == "filter":
        log.set_filter(arg or None)
        if log.filter_text:
            return f"feedback pane filter: {log.filter_text!r} (case-insensitive; 'pane filter' shows all)"
        return "feedback pane filter removed"
    return pane_status(log)


def pane_status(log: PaneLog) -> str:
    """One line describing the pane state (`pane` with no action)."""
    parts = [f"{log.total_events} events received", f"{len(log)} lines kept"]
    if log.paused:
        parts.append(f"paused with {log.held} held")
    if log.filter_text:
        parts.append(f"filter {log.filter_text!r}")
    return "feedback pane: " + ", ".join(parts)


def _pane(ui: UiActions, args: tuple[str, ...]) -> Result:
    try:
        action, arg = parse_pane(args)
    except PaneError as exc:
        return Result([str(exc)], EXIT_USAGE, kind="error")
    if action in ("show", "hide", "toggle"):
        return Result([ui.set_pane(action)])
    return Result([apply_pane(ui.events, action, arg)])


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [(a, "pane") for a in PANE_ACTIONS] if not args else []


COMMANDS = (Command(rank=2,
    name="pane", scope=Scope.UI, usage=PANE_USAGE, summary="the feedback pane",
    help_rows=(("pane", "feedback pane status"),
               ("pane pause | resume", "freeze the pane (events are still counted and kept)"),
               ("pane clear", "empty the pane"),
               ("pane filter TEXT", "show only events whose path or lines contain TEXT (any case)"),
               ("pane filter", "show all events again"),
               ("pane show | hide", "show or hide the feedback pane")),
    handler=_pane, complete=_complete),)
