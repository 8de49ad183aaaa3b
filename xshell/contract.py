"""The contract between the interactive UI and the shell backends, in plain data.

The UI (`xshell.ui`, prompt-toolkit) owns the screen and no protocol logic; the shell
backends (`xshell.shell`) own the devices and no screen. Both import this module and it
imports nothing of xshell, so neither side imports the other and prompt-toolkit stays
inside `ui/`: completion is a list of `Candidate` records and highlighting a list of
(kind, text) fragments, which `ui.adapters` turns into prompt-toolkit's own types.
Keeping the boundary a `Protocol` lets the real backends and the test fakes evolve
independently of the screen code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = [
    "CONNECTION_STATES",
    "BackendStatus",
    "Candidate",
    "FeedbackEvent",
    "Fragment",
    "Outcome",
    "ShellBackend",
]

#: The values `BackendStatus.state` may take; the toolbar and prompt know each one.
CONNECTION_STATES = ("connecting", "connected", "disconnected", "reconnecting")

#: One piece of highlighted input: (kind, text). `kind` is a dotted token name such as
#: "Keyword", "Name.Builtin" or "Error" ("" for plain text); the UI maps it to a style.
Fragment = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One completion: replace text[start:cursor] with `text`."""

    text: str
    start: int
    display: str
    meta: str = ""


@dataclass
class BackendStatus:
    """What the toolbar and prompt show; read on every render, so plain attributes only."""

    device: str = ""
    software: str = ""
    state: str = "connecting"
    rtt_ms: float | None = None
    registrations: int = 0
    unrestored: int = 0  # registrations not made again after a reconnect (being retried)
    discovering: bool = False
    host: str = ""


@dataclass
class Outcome:
    """The result of one executed line: tshell-formatted lines to show to the user."""

    lines: list[str] = field(default_factory=list)
    ok: bool = True
    exit_shell: bool = False


@dataclass
class FeedbackEvent:
    """One feedback notification, already rendered as tshell lines (`*s …`, `*e …`).

    `time` is a Unix timestamp (seconds); `path` is the slash path that matched, used by
    the pane filter together with the lines. `device` names the device it came from when
    the shell has several ("" with one: the pane then looks as it always did).
    """

    time: float
    lines: list[str]
    path: str = ""
    device: str = ""


@runtime_checkable
class ShellBackend(Protocol):
    """What the UI needs from the device side; implemented by `xshell.shell`."""

    status: BackendStatus

    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        """Register the callable that receives every feedback event (on the loop thread)."""
        ...

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        """Register the callable invoked whenever `status` changed (to redraw)."""
        ...

    def needs_body(self, line: str) -> bool:
        """True when `line` starts a multiline command whose body ends with a lone '.'."""
        ...

    def complete(self, before_cursor: str) -> Sequence[Candidate]:
        """Completions for the text before the cursor (may be called in a worker thread)."""
        ...

    def highlight(self, text: str) -> Sequence[Fragment]:
        """`text` (the whole input, bodies included) as fragments covering it exactly."""
        ...

    async def execute(self, text: str) -> Outcome:
        """Run one line (or line + "\\n" + body); may take long and may be cancelled."""
        ...

    def history_line(self, text: str) -> str:
        """The text to keep in history and to echo: secrets replaced by `***`."""
        ...
