"""`systemtools network ping|traceroute HOST`: tshell's diagnostic tools, over the xAPI.

On a device `systemtools` runs admin tools the WebSocket API cannot reach; its network
diagnostics have xAPI commands of their own (`xCommand Network Ping|Traceroute`, role
Admin in the schema), so those two words are the same request and print its answer
(the device's result or error, in the current output mode). Every other tool is
refused with one line saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.lang.line import as_line
from xshell.lang.unparse import quote
from xshell.session.result import EXIT_USAGE, Result

_TOOLS = {"ping": "Ping", "traceroute": "Traceroute"}
_USAGE = "systemtools network ping|traceroute HOST"


async def _systemtools(session: Any, args: tuple[str, ...]) -> Result:
    words = [a.lower() for a in args]
    if len(words) < 2 or words[0] != "network" or words[1] not in _TOOLS:
        what = f"systemtools {' '.join(args)}".strip()
        return Result([f"error: {what!r} is not available over the WebSocket API; {_USAGE}"],
                      EXIT_USAGE, kind="error")
    if len(args) != 3:
        return Result([f"error: systemtools network {words[1]} takes one HOST; {_USAGE}"],
                      EXIT_USAGE, kind="error")
    line = f"xCommand Network {_TOOLS[words[1]]} Hostname: {quote(args[2])}"
    result: Result = await session.run(as_line(line))
    return result


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    low = [a.lower() for a in args]
    if not low:
        return [("network", "systemtools")]
    if low == ["network"]:
        return [(t, "xCommand Network " + _TOOLS[t]) for t in _TOOLS]
    return []


COMMANDS = (Command(rank=5, name="systemtools", scope=Scope.DEVICE, section=Section.DEVICE,
                    usage=_USAGE,
                    summary="xCommand Network Ping|Traceroute Hostname: HOST, as tshell spells it",
                    handler=_systemtools, complete=_complete),)
