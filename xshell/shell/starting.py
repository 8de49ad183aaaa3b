"""The shell's backend while its devices are still being opened behind the first prompt.

Connecting (TCP, TLS, the WebSocket upgrade, identifying the device) takes longer than
drawing a prompt, so the interactive shell draws first and connects behind it (issue 18's
start-up bar). Until the opening ends this backend answers for the devices: the status
says "connecting" to the target, completion and colours work without a schema (shell
commands, the xAPI top words), history masking uses the names every schema shares, and a
line typed meanwhile waits for the opening instead of failing. Afterwards it is a thin
pass-through to the `MultiBackend` that holds the devices.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from xshell.contract import BackendStatus, Candidate, FeedbackEvent, Fragment, Outcome, StartReport, WatchRow
from xshell.lang.line import CommandLine, DevicesLine, Line, as_line, masked_text

if TYPE_CHECKING:  # loaded with the devices, after the first prompt is on screen
    from xshell.shell.many_devices import MultiBackend

__all__ = ["StartingBackend"]

Opening = Callable[["MultiBackend"], Coroutine[Any, Any, StartReport]]


class StartingBackend:
    """Implements xshell.contract.ShellBackend (and Starting) over a MultiBackend that
    `make` builds and `opening` fills, both once, at the first `started()` or `execute`:
    the device side (sessions, the xAPI model) is not even imported before the prompt is
    drawn. What the UI registers before then is handed to the MultiBackend once it exists."""

    def __init__(self, make: Callable[[], MultiBackend], opening: Opening, *, host: str) -> None:
        self.multi: MultiBackend | None = None
        self._make = make
        self._opening = opening  # a factory: never a coroutine that might go unawaited
        self._task: asyncio.Task[StartReport] | None = None
        self._waiting = BackendStatus(host=host, state="connecting")
        self._hooks: list[Callable[[MultiBackend], None]] = []  # set_* calls made before

    # -- the opening ------------------------------------------------------------------
    def _begin(self) -> asyncio.Task[StartReport]:
        if self._task is None:
            multi = self.multi = self._make()
            for hook in self._hooks:
                hook(multi)
            self._task = asyncio.ensure_future(self._opening(multi))
        return self._task

    def _hook(self, hook: Callable[[MultiBackend], None]) -> None:
        """Apply a UI registration now, or to the MultiBackend once it is made."""
        if self.multi is not None:
            hook(self.multi)
        else:
            self._hooks.append(hook)

    async def started(self) -> StartReport:
        """contract.Starting: open the devices once; every caller gets the same report."""
        task = self._begin()
        await asyncio.wait({task})  # cancelling the caller leaves the opening running
        return task.result()

    @property
    def ready(self) -> bool:
        """The opening ended and at least one device is open."""
        return (self._task is not None and self._task.done() and self.multi is not None
                and bool(self.multi.devices))

    def _open(self) -> MultiBackend:
        """The MultiBackend, once `ready` said it holds the devices."""
        if self.multi is None:
            raise LookupError("no device is open yet")
        return self.multi

    def report(self) -> StartReport | None:
        """How the opening ended (None: it did not end); its exception, if it raised one."""
        task = self._task
        if task is None or not task.done() or task.cancelled():
            return None
        return task.result()

    async def aclose(self) -> None:
        """Stop an opening still under way (Ctrl-D while connecting) and close the devices:
        what the opening was opening is released by the opener itself."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.multi is not None:
            await self.multi.aclose()

    # -- ShellBackend -----------------------------------------------------------------
    @property
    def status(self) -> BackendStatus:
        return self._open().status if self.ready else self._waiting

    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        self._hook(lambda multi: multi.set_feedback_sink(sink))

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        self._hook(lambda multi: multi.set_status_listener(cb))

    def set_confirm(self, ask: Callable[[str], Awaitable[bool]]) -> None:
        self._hook(lambda multi: multi.set_confirm(ask))

    def set_watch_listener(self, cb: Callable[[], None]) -> None:
        self._hook(lambda multi: multi.set_watch_listener(cb))

    def watch_rows(self) -> list[WatchRow]:
        return self.multi.watch_rows() if self.multi is not None else []

    def needs_body(self, line: str | Line) -> bool:
        if self.ready:
            return self._open().needs_body(line)
        from xshell.lang.bodies import needs_body  # these load when first needed: after the prompt

        read = as_line(line)
        inner = read.line if isinstance(read, DevicesLine) else read
        toks = None if isinstance(inner, DevicesLine) else inner.tokens or None
        return needs_body(inner.text, None, toks)

    def complete(self, before_cursor: str) -> list[Candidate]:
        if self.ready:
            return self._open().complete(before_cursor)
        if "\n" in before_cursor:
            return []
        from xshell.lang.complete import candidates

        multi = self.multi  # profiles, snapshots: known before any device is
        return candidates(before_cursor, None, shell_words=multi.shell_words() if multi else None)

    def highlight(self, text: str) -> list[Fragment]:
        if self.ready:
            return self._open().highlight(text)
        from xshell.lang.lexer import highlight

        return highlight(text, None)

    def history_line(self, line: str | Line) -> str:
        """Masked as ever: without a schema, secrets are known by their parameter names."""
        read = as_line(line)
        if self.ready:
            return self._open().history_line(read)
        if isinstance(read, DevicesLine):
            return read.head + self.history_line(read.line)
        if isinstance(read, CommandLine) and read.name == "connect":
            from xshell.shell.device_record import safe_spec

            return " ".join(["connect", *map(safe_spec, read.args)])  # as MultiBackend masks it
        return masked_text(read, None)

    async def execute(self, text: str | Line) -> Outcome:
        """Run the line once the devices are open; when none could be, leave the shell
        with the opening's exit status (the UI says why after its screen is gone)."""
        report = await self.started()
        if not self.ready:
            return Outcome([], ok=False, exit_shell=True, exit_code=report.exit_code)
        return await self._open().execute(text)
