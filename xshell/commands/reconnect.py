"""`reconnect`: open a new connection to this device and make every registration again."""

from __future__ import annotations

from typing import Any

from xshell.commands.registry import Command, Scope, Section, not_here
from xshell.session.result import Result


async def _reconnect(session: Any, args: tuple[str, ...]) -> Result:
    link = getattr(session, "link", None)
    if link is None:  # scripts and -c: the interactive shell holds the connection
        return not_here("reconnect")
    result: Result = await link.reconnect()
    return result


COMMANDS = (Command(rank=3, name="reconnect", scope=Scope.DEVICE, section=Section.DEVICE, usage="reconnect",
                    summary="connect again and make every feedback registration again",
                    handler=_reconnect, recorded=False),)
