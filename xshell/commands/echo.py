"""`echo`: tshell's echo setting; xshell never echoes input, so there is nothing to change."""

from __future__ import annotations

from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.session.result import Result


async def _echo(session: Any, args: tuple[str, ...]) -> Result:
    return Result(["echo: xshell never echoes input back; nothing to change"])


COMMANDS = (Command(rank=4, name="echo", scope=Scope.DEVICE, section=Section.DEVICE, usage="echo",
                    summary="tshell's echo setting (xshell never echoes; nothing to change)",
                    handler=_echo),)
