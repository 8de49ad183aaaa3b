"""`bye`, `exit`, `quit`: leave the shell (in a script: stop it, as tshell's bye does)."""

from __future__ import annotations

from typing import Any

from xshell.commands.registry import Command, Scope
from xshell.session.result import Result


def _leave(here: Any, args: tuple[str, ...]) -> Result:
    return Result([], exit_shell=True)


async def _leave_script(session: Any, args: tuple[str, ...]) -> Result:
    """The same answer where a session awaits it (a script: `bye` stops it)."""
    return _leave(session, args)


COMMANDS = (Command(rank=9,
    name="bye", aliases=("exit", "quit"), scope=Scope.UI, usage="bye | exit | quit",
    summary="leave the shell (also Ctrl-D on an empty line)",
    handler=_leave, below=_leave_script, screen_takes=lambda args: not args),)
