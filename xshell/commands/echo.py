"""`echo on|off`: tshell's echo setting (spec tshell.md §2.2).

A device repeats each typed line when echo is on; machine clients send `echo off` first
and wait for its `OK`. xshell's screen always shows what was typed, so the setting only
changes scripts: with `echo on` each line is printed on stdout before its answer, as a
device's session transcript reads. Off by default (a script's output stays the answers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.session.result import EXIT_USAGE, Result

_WORDS = {"on": True, "off": False}


async def _echo(session: Any, args: tuple[str, ...]) -> Result:
    if not args:
        return Result([f"echo: {'on' if session.echo else 'off'} (echo on|off)"])
    if len(args) != 1 or args[0].lower() not in _WORDS:
        return Result([f"error: echo takes on or off, not {' '.join(args)!r}"], EXIT_USAGE,
                      kind="error")
    session.echo = _WORDS[args[0].lower()]
    return Result(["", "OK"])


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [("on", "echo"), ("off", "echo")] if not args else []


COMMANDS = (Command(rank=4, name="echo", scope=Scope.DEVICE, section=Section.DEVICE,
                    usage="echo on|off",
                    summary="tshell's echo: a script prints each line before its answer",
                    handler=_echo, complete=_complete),)
