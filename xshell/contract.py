"""The contract between the interactive UI and the shell backends, in plain data.

The UI (`xshell.ui`, prompt-toolkit) owns the screen and no protocol logic; the shell
backends (`xshell.shell`) own the devices and no screen. Both import this module and it
imports nothing of xshell, so neither side imports the other and prompt-toolkit stays
inside `ui/`: completion is a list of `Candidate` records and highlighting a list of
(kind, text) fragments, which `ui.adapters` turns into prompt-toolkit's own types.
Keeping the boundary a `Protocol` lets the real backends and the test fakes evolve
independently of the screen code.

A typed line is read once, at submit (`xshell.lang.line.read_line`, by the UI), and that
value — plain frozen data — travels on: `needs_body`, `history_line` and `execute` take
it, so no layer below tokenizes the text again. The contract names its type by a type
variable (`ShellBackend[Line]`), which keeps this module free of xshell imports.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = [
    "CONNECTION_STATES",
    "BackendStatus",
    "Candidate",
    "Confirming",
    "FeedbackEvent",
    "Fragment",
    "Outcome",
    "WatchRow",
    "Watching",
    "ShellBackend",
    "StartReport",
    "Starting",
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
    watches: int = 0  # `watch` subscriptions: they count against the device's limit too
    discovering: bool = False
    host: str = ""


@dataclass
class Outcome:
    """The result of one executed line: tshell-formatted lines to show to the user."""

    lines: list[str] = field(default_factory=list)
    ok: bool = True
    exit_shell: bool = False
    # A report row (`health`: {"health": …, …}) that `@ROOMS` merges into one table; plain data
    report: dict[str, Any] | None = None
    # The row adds to a table after the rooms' lines instead of replacing them (`apply`)
    keep_lines: bool = False
    # The line's exit status when known (None: 0 if ok, else 1): `@ROOMS apply`'s worst exit
    exit_code: int | None = None


@dataclass
class FeedbackEvent:
    """One feedback notification, already rendered as tshell lines (`*s …`, `*e …`).

    `time` is a Unix timestamp (seconds); `path` is the slash path that matched, used by
    the pane filter together with the lines. `device` names the device it came from when
    the shell has several ("" with one: the pane then looks as it always did).
    `inline`: show it in the output, among the answers, instead of the pane (a traced
    frame after `trace on inline`). `counted`: False for what is shown but is not feedback
    (a traced frame): the pane heading and the toolbar's ev/s leave it out. A plain field,
    so the pane can tell without rendering a lazy event.
    """

    time: float
    lines: list[str]
    path: str = ""
    device: str = ""
    inline: bool = False
    counted: bool = True


@dataclass
class StartReport:
    """How opening the shell's devices behind the first prompt ended (see `Starting`).

    `banner`: the welcome lines, shown once the devices are identified; `problems`: one
    line per device that could not be opened or was left out (`xshell: …`); `exit_code`:
    set when no device could be opened at all, and the shell then leaves with it.
    """

    banner: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    exit_code: int | None = None


#: The line the UI read at submit (xshell.lang.line.Line).
LineT = TypeVar("LineT", contravariant=True)


@runtime_checkable
class ShellBackend(Protocol[LineT]):
    """What the UI needs from the device side; implemented by `xshell.shell`."""

    @property
    def status(self) -> BackendStatus:
        """What the prompt and toolbar show; the UI only reads it (a backend with several
        devices answers with the current one's)."""
        ...

    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        """Register the callable that receives every feedback event (on the loop thread)."""
        ...

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        """Register the callable invoked whenever `status` changed (to redraw)."""
        ...

    def needs_body(self, line: LineT) -> bool:
        """True when `line` (a first line, as read) starts a multiline command whose body
        ends with a lone '.'."""
        ...

    def complete(self, before_cursor: str) -> Sequence[Candidate]:
        """Completions for the text before the cursor (may be called in a worker thread)."""
        ...

    def highlight(self, text: str) -> Sequence[Fragment]:
        """`text` (the whole input, bodies included) as fragments covering it exactly."""
        ...

    async def execute(self, line: LineT) -> Outcome:
        """Run one line (with its body, if any); may take long and may be cancelled."""
        ...

    def history_line(self, line: LineT) -> str:
        """The text (body included) to keep in history and to echo: secrets replaced by `***`."""
        ...


@runtime_checkable
class Confirming(Protocol):
    """A backend that may need a yes or no before it sends a line (a destructive one:
    xshell.session.guard_policy). The UI gives it `ask(question) -> yes?`; a backend without it,
    or a UI that never sets it, refuses such a line as a script does."""

    def set_confirm(self, ask: Callable[[str], Awaitable[bool]]) -> None:
        """Register the UI's question: the returned awaitable is True for yes."""
        ...


@dataclass(frozen=True)
class WatchRow:
    """One value of the watch panel: `Audio Volume: 60`, when it last changed (a Unix
    time; None: as read when the watch began), the device ("" with one) and the watch."""

    text: str
    changed: float | None
    device: str = ""
    watch: str = ""


@runtime_checkable
class Watching(Protocol):
    """A backend whose `watch` values a panel can show (the full screen sets the listener;
    without one, `watch` prints its values instead)."""

    def set_watch_listener(self, cb: Callable[[], None]) -> None:
        """Register the callable invoked whenever a watched value changed (to redraw)."""
        ...

    def watch_rows(self) -> Sequence[WatchRow]:
        """Every watched value, in order (read on every redraw: cheap)."""
        ...


@runtime_checkable
class Starting(Protocol):
    """A backend whose devices are opened after the UI drew its first prompt: the user sees
    the prompt (state "connecting") at once instead of waiting for the network. Lines sent
    to `execute` meanwhile wait until the devices are ready."""

    async def started(self) -> StartReport:
        """Open the devices (on the first call; later calls wait for the same opening) and
        say how that ended. Cancelling the caller does not cancel the opening."""
        ...
