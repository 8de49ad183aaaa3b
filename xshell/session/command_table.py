"""The shell commands a device session answers, as the session sees them.

The session sits below the command registry (xshell.commands): the registry installs
itself here with `use_commands` when it is imported, or a caller passes `commands=` to
one Session. Without either, a session answers no shell command (a plain library use).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from xshell.session.core import Session
    from xshell.session.result import Result

__all__ = ["CommandTable", "commands_for", "use_commands"]


class CommandTable(Protocol):
    """The shell commands a session answers (xshell.commands.registry implements it)."""

    def handler(self, name: str) -> Callable[[Session, tuple[str, ...]], Awaitable[Result]] | None:
        """The handler a session runs for command `name` (None: not answered here)."""
        ...

    def recorded(self, name: str) -> bool:
        """Whether a transcript records the command's line and reply."""
        ...

    def takes_text(self, name: str) -> bool:
        """Whether the handler gets the text after the command's name as typed (one arg)
        rather than the words read from it (`help` hands it to the device's reader)."""
        ...


class _NoCommands:
    def handler(self, name: str) -> None:
        return None

    def recorded(self, name: str) -> bool:
        return True

    def takes_text(self, name: str) -> bool:
        return False


_NO_COMMANDS = _NoCommands()
_default_commands: CommandTable | None = None


def use_commands(table: CommandTable) -> None:
    """Install the shell commands every session answers (done by xshell.commands)."""
    global _default_commands
    _default_commands = table


def commands_for(own: CommandTable | None) -> CommandTable:
    """A session's table: its own, else the installed one, else none at all."""
    table = own if own is not None else _default_commands
    return table if table is not None else _NO_COMMANDS
