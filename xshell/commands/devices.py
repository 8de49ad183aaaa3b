"""`connect`, `use`, `devices`, `disconnect`: the several-devices shell's own commands.

Answered by the shell as a whole (shell.many_devices.MultiBackend, as `ManyDevices`),
never sent to a device and refused after `@NAMES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xshell.commands.contexts import ManyDevices, Reply
from xshell.commands.registry import Command, Scope, Section
from xshell.lang.vocabulary import ArgCompleter
from xshell.lang.complete import DEVICE_WORDS, PROFILE_WORDS
from xshell.session.result import Result


def _result(reply: Reply) -> Result:
    return Result(list(reply.lines), 0 if reply.ok else 1, kind="answer" if reply.ok else "error")


async def _connect(shell: ManyDevices, args: tuple[str, ...]) -> Result:
    return _result(await shell.connect(args))


async def _use(shell: ManyDevices, args: tuple[str, ...]) -> Result:
    return _result(shell.use(args))


async def _devices(shell: ManyDevices, args: tuple[str, ...]) -> Result:
    if args:
        return Result(["devices: takes no argument"], 1, kind="error")
    return Result(shell.table())


async def _disconnect(shell: ManyDevices, args: tuple[str, ...]) -> Result:
    return _result(await shell.disconnect(args))


def _names(key: str, meta: str) -> ArgCompleter:
    def complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
        return [(n, meta) for n in words.get(key, ())] if not args else []
    return complete


COMMANDS = (
    Command(rank=0, name="connect", scope=Scope.SHELL, section=Section.DEVICES,
            usage="connect PROFILE|URL [as NAME]", summary="open another device and make it current",
            handler=_connect, complete=_names(PROFILE_WORDS, "connect")),
    Command(rank=1, name="use", scope=Scope.SHELL, section=Section.DEVICES, usage="use NAME",
            summary="switch the current device", handler=_use,
            complete=_names(DEVICE_WORDS, "use")),
    Command(rank=2, name="devices", scope=Scope.SHELL, section=Section.DEVICES, usage="devices",
            summary="list the open devices", handler=_devices),
    Command(rank=3, name="disconnect", scope=Scope.SHELL, section=Section.DEVICES, usage="disconnect [NAME]",
            summary="close one device (never the last: use bye)", handler=_disconnect,
            complete=_names(DEVICE_WORDS, "disconnect")),
)
