"""What a command's handler gets: one small Protocol per scope above the session.

commands/ sits below ui/ and shell/ and must import neither (nor prompt-toolkit): the
screen and the several-devices shell implement these Protocols and pass themselves in.
A DEVICE command gets the `Session` itself (xshell.session.core, the layer below).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from xshell.session.result import Result

__all__ = ["LinkControl", "ManyDevices", "PaneLog", "Reply", "UiActions"]


class PaneLog(Protocol):
    """The feedback pane's log, as `pane …` changes it (ui.eventlog.EventLog)."""

    paused: bool
    held: int
    filter_text: str | None
    total_events: int

    def __len__(self) -> int: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def clear(self) -> None: ...
    def set_filter(self, text: str | None) -> None: ...


class UiActions(Protocol):
    """What a UI command may do to the screen (the full screen or plain mode)."""

    @property
    def events(self) -> PaneLog: ...

    def clear_output(self) -> None:
        """Empty the output pane (plain mode: the terminal, when it is one)."""

    def set_pane(self, action: str) -> str:
        """show | hide | toggle the feedback pane; the line to show."""


class Reply(Protocol):
    """What the shell's own answers look like (the UI contract's Outcome)."""

    @property
    def lines(self) -> list[str]: ...
    @property
    def ok(self) -> bool: ...


class ManyDevices(Protocol):
    """The several-devices shell (shell.many_devices.MultiBackend), for connect/use/…"""

    async def connect(self, args: Sequence[str]) -> Reply: ...
    def use(self, args: Sequence[str]) -> Reply: ...
    def table(self) -> list[str]: ...
    async def disconnect(self, args: Sequence[str]) -> Reply: ...


class LinkControl(Protocol):
    """The interactive shell's hold on one device's connection (set as `Session.link`)."""

    async def reconnect(self) -> Result:
        """Open a new connection and make every registration again."""

    def refreshing(self, busy: bool) -> None:
        """The schema is being read again (the toolbar says so)."""
