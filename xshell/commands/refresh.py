"""`refresh`: forget the schema and live values and read both again from the device."""

from __future__ import annotations

from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.session.result import Result


async def _refresh(session: Any, args: tuple[str, ...]) -> Result:
    link = getattr(session, "link", None)
    if link is not None:
        link.refreshing(True)  # the toolbar says "discovering" while it runs
    try:
        result: Result = await session.refresh()
    finally:
        if link is not None:
            link.refreshing(False)
    return result


COMMANDS = (Command(rank=2, name="refresh", scope=Scope.DEVICE, section=Section.DEVICE, usage="refresh",
                    summary="read the schema and live values again from the device",
                    handler=_refresh),)
