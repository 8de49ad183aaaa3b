"""`help` and `?`: the shell's commands, derived from the registry; `help VERB PATH` is the
device's schema help (`VERB PATH ?`)."""

from __future__ import annotations

import textwrap
from typing import Any

from xshell.commands.registry import Command, Scope, command_help_lines
from xshell.lang.grammar import VERBS
from xshell.session.result import Result

# the verbs come from the grammar, so a verb the shell learns is listed here too
_INTRO = ["Type VERB PATH ? (or help VERB PATH) for the device's schema; the verbs:",
          *textwrap.wrap(" ".join(VERBS), 76, initial_indent="  ", subsequent_indent="  ")]
_EVERYTHING_ELSE = [
    "Everything else is sent to the device: xCommand, xStatus, xConfiguration,",
    "xFeedback register /Event/…, xPreferences, … Multiline commands (e.g.",
    "xCommand UserInterface Extensions Panel Save) read body lines until a line",
    "holding only '.'."]
KEYS = [
    "Keys:",
    "  F1                    this help",
    "  F2                    show/hide the feedback pane",
    "  F3                    pause/resume the feedback pane",
    "  F4                    clear the feedback pane",
    "  Tab                   complete and walk on: a unique word comes with its space (or /);"
    " with a list open Tab highlights, then takes the entry (Up / Down / Shift-Tab move);"
    " Right arrow / Ctrl-F / Ctrl-E accept the grey suggestion",
    "  Up / Down, Ctrl-R     history, reverse history search (Ctrl-G: back to the line as typed)",
    "  PageUp / PageDown     scroll the output pane (Home / End on an empty line, or",
    "                        Ctrl-Home / Ctrl-End: oldest / newest, End follows new output)",
    "  Shift-PageUp/PageDown scroll the feedback pane",
    "  Ctrl-C                cancel the line being typed, or the request in flight",
    "  Ctrl-D                quit (on an empty line)",
]


def help_text() -> list[str]:
    """The interactive shell's help (`help`, `?`, F1): every command, then the keys."""
    return ["xshell — interactive xAPI shell", *command_help_lines(), "", *_EVERYTHING_ELSE,
            "", *KEYS]


def shell_help() -> list[str]:
    """`help` / `?` in a script or `-c`: the same command list, tshell's `OK` after it."""
    return [*_INTRO, *command_help_lines(), "", "OK"]


async def _device_help(session: Any, args: tuple[str, ...]) -> Result:
    if not args:
        return Result(shell_help())
    from xshell.lang.line import read_line
    # args: the text as typed (takes_text), so `Number: "a b"` keeps its quotes
    return await session.run(read_line(" ".join(args) + " ?"))  # `help xStatus Audio`


def _on_screen(ui: Any, args: tuple[str, ...]) -> Result:
    return Result(help_text())


COMMANDS = (Command(rank=0,
    name="help", aliases=("?",), scope=Scope.DEVICE, usage="help",
    summary="this text (device help: 'help xcommand', 'xcommand ?', …)",
    handler=_device_help, on_screen=_on_screen, screen_takes=lambda args: not args,
    takes_text=True),)
