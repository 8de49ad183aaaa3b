"""The interactive shell's backend: a Session dressed for the UI.

The UI (`xshell.ui`) owns the screen and no protocol logic; this adapter gives it what it
asks for through `xshell.contract.ShellBackend`, in plain data: cheap status for the
toolbar, completion candidates and highlighted fragments read from the current schema
snapshot, feedback as rendered events, and `execute`. It also runs
discovery in the background — the first prompt and the first line never wait for it —
and `reconnect`, which opens a new connection and makes every registration again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from xshell.contract import BackendStatus, Candidate, FeedbackEvent, Fragment, Outcome, WatchRow
from xshell.errors import ConnectionFailed, XShellError
from xshell.lang.complete import WATCH_WORDS, candidates
from xshell.lang.lexer import highlight
from xshell.lang.bodies import needs_body
from xshell.lang.line import DevicesLine, Line, as_line, masked_text
from xshell.session.core import Session
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_XAPI, Result
from xshell.session.wiretrace import TraceFrame

log = logging.getLogger(__name__)
ClientFactory = Callable[[], Awaitable[Any]]
# Kept current silently so `xStatus Call ` completes the calls that exist now.
LIVE_WATCHES: tuple[tuple[str, ...], ...] = (("Status", "Call"),)


ShellWords = Callable[[], Mapping[str, Sequence[str]]]


def complete_in(session: Session, before_cursor: str, shell_words: ShellWords | None = None) -> list[Candidate]:
    """Completions for `before_cursor` from the session's current snapshot.

    The UI may call it in a worker thread: it only reads the immutable schema, the locked
    live tree and a copy of the registrations. `shell_words` gives the names the shell
    knows at run time (devices, profiles, snapshots) for shell commands and `@`.
    """
    if "\n" in before_cursor:  # inside a multiline body: free text
        return []
    regs = session.feedback.expressions()
    # the shell's words, and the watches for `unwatch ` (a copy: a few short lists)
    words: dict[str, Sequence[str]] = {**(shell_words() if shell_words is not None else {}),
                                       WATCH_WORDS: session.watches.expressions()}
    return candidates(before_cursor, session.schema, session.live, regs, words)


class ShellBackendImpl:
    """Implements xshell.contract.ShellBackend over a Session."""

    def __init__(self, session: Session, *, host: str, reconnect: ClientFactory | None = None) -> None:
        self.session = session
        self.host = host
        self._reconnect = reconnect
        # Set by a shell of several devices: the name the prompt shows instead of the
        # device's own, and how to reconnect this one when it may not be the current one.
        self.label = ""
        self.reconnect_hint = "** type `reconnect` to connect again"
        # The user's name for the device (a profile's `name`, `connect … as NAME`): the
        # prompt shows it from the start, before the device's own SystemUnit Name.
        self.own_name = ""
        session.wait_for_schema = False  # a line never waits for discovery
        self.status = BackendStatus(device=session.device_name or host, software=session.software,
                                    state="connected", host=host)
        self._sink: Callable[[FeedbackEvent], None] = lambda ev: None
        self._status_cb: Callable[[], None] = lambda: None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._discovery: asyncio.Task[None] | None = None
        self._retired: list[Any] = []  # clients we closed ourselves (reconnect)
        # A Feedback is the pane's FeedbackEvent itself: it goes straight to the sink
        # (set_feedback_sink), with no wrapper and no call in between per event.
        session.on_feedback = self._sink
        session.on_trace = self._on_trace  # `trace on`: the feedback pane or the output
        session.link = self  # commands.contexts.LinkControl: reconnect, refresh
        session.watches.foreground = True  # no panel (--plain): `watch` follows until Ctrl-C
        self._watch(session.client)
        self._refresh_status()

    # -- ShellBackend ---------------------------------------------------------------
    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        self._sink = sink
        self.session.on_feedback = sink

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        self._status_cb = cb

    def set_watch_listener(self, cb: Callable[[], None]) -> None:
        """contract.Watching: the full screen's watch panel shows `watch` values."""
        self.session.watches.listener = cb

    def watch_rows(self, device: str = "") -> list[WatchRow]:
        return self.session.watches.rows(device)

    def set_confirm(self, ask: Callable[[str], Awaitable[bool]]) -> None:
        """contract.Confirming: how the guard asks before a destructive line (session.guard_policy)."""
        self.session.context.guard.ask = ask

    def needs_body(self, line: str | Line) -> bool:
        read = as_line(line)
        toks = None if isinstance(read, DevicesLine) else read.tokens or None  # as read: not again
        return needs_body(read.text, self.session.schema, toks)

    def complete(self, before_cursor: str) -> list[Candidate]:
        return complete_in(self.session, before_cursor)

    def highlight(self, text: str) -> list[Fragment]:
        return highlight(text, self.session.schema)  # an unknown name or value as Error

    def history_line(self, line: str | Line) -> str:
        """The line for history and echo: masked as the transcript masks it (redact_entry),
        from the tokens it was read with."""
        read = as_line(line)
        return masked_text(read, self.session.schema)

    async def execute(self, text: str | Line) -> Outcome:
        """Run a line (text, or a Line read once above): `reconnect` and `refresh` reach
        this backend through `session.link` (the registry's handlers call back)."""
        try:
            result = await self.session.execute(as_line(text))
        finally:
            self._refresh_status()
        lines = [*result.reply, *result.lines]  # `Command not recognized.`, then the why
        if result.exit_code == EXIT_CONNECTION and self._reconnect is not None:
            # no "type reconnect" while the client is already at it: it would race it
            lines = [*lines, "** reconnecting automatically" if self._auto_reconnecting()
                     else self.reconnect_hint]
        report = result.report
        return Outcome(lines, ok=result.exit_code == EXIT_OK, exit_shell=result.exit_shell,
                       report=dict(report.row) if report is not None else None,
                       keep_lines=report is not None and report.keep_lines,
                       exit_code=result.exit_code)

    # -- discovery, feedback, status ------------------------------------------------
    @property
    def discovering(self) -> bool:
        return self._discovery is not None and not self._discovery.done()

    def start_discovery(self) -> None:
        """Schema (xDoc ×4), live values, live watches — in the background."""
        if self.discovering:
            return
        self._discovery = asyncio.ensure_future(self._discover())
        self._refresh_status()

    async def _discover(self) -> None:
        session = self.session
        try:
            await session.store.ensure_all(off_loop=True)  # the prompt redraws meanwhile
            self._refresh_status()
            await session.discover_values()
            for query in LIVE_WATCHES:
                try:
                    await session.watch(query)
                except ConnectionFailed:
                    raise
                except XShellError as exc:
                    log.info("no live watch of %s: %s", "/".join(query), exc)
        except ConnectionFailed as exc:
            log.info("discovery stopped: %s", exc)
        finally:
            asyncio.get_running_loop().call_soon(self._refresh_status)  # once this task is done

    def _on_trace(self, frame: TraceFrame) -> None:
        """A traced frame: the pane has its own time column; the output needs the stamp."""
        wire = self.session.wire
        inline = wire is not None and wire.where == "inline"
        text = frame.line() if inline else frame.line().split(" ", 1)[1]
        self._sink(FeedbackEvent(frame.time, [text], "trace", inline=inline, counted=False))

    def refresh_status(self) -> None:
        """Re-read what the toolbar shows (after the label or the connection changed)."""
        self._refresh_status()

    def _auto_reconnecting(self) -> bool:
        return (self.status.state == "reconnecting"
                or bool(getattr(self.session.client, "reconnecting", False)))

    def _refresh_status(self) -> None:
        s, client = self.status, self.session.client
        s.device = self.label or self.own_name or self.session.device_name or self.host
        s.software = self.session.software
        s.registrations = len(self.session.registrations)
        s.watches = len(self.session.watches)
        rtt = getattr(client, "last_rtt", None)
        s.rtt_ms = rtt * 1000 if rtt is not None else None
        if s.state != "reconnecting" and not getattr(client, "reconnecting", False):
            s.state = "connected" if getattr(client, "connected", False) else "disconnected"
        s.discovering = self.discovering
        self._changed()

    def _changed(self) -> None:
        try:
            self._status_cb()
        except Exception:  # a redraw hook must never break the protocol side
            log.exception("status listener failed")

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def on_protocol_error(self, err: Exception) -> None:
        """Something the device sent made no sense: say so in the pane, keep going."""
        self.session.note(f"device sent something unexpected: {err}")
        self._sink(FeedbackEvent(time.time(), [f"** device sent something unexpected: {err}"], "/"))

    def on_connection_state(self, state: str, detail: str) -> None:
        """The client reconnects by itself: mirror its state in the toolbar and the pane."""
        mapped = {"reconnected": "connected", "closed": "disconnected"}.get(state, state)
        self.status.state = mapped
        self.session.note(f"connection {state}" + (f": {detail}" if detail else ""))
        if detail:
            self._sink(FeedbackEvent(time.time(), [f"** {detail}"], "/"))
        if state == "reconnected":
            self._spawn(self._after_auto_reconnect())
        self._refresh_status()

    def on_restore_state(self, unrestored: int, detail: str) -> None:
        """Registrations not made again after a reconnect: the count stays in the toolbar
        until they are; what failed (and what came back) is one pane line each."""
        self.status.unrestored = unrestored
        if detail:
            self.session.note(detail)
            self._sink(FeedbackEvent(time.time(), [f"** {detail}"], "/"))
        self._refresh_status()

    async def _after_auto_reconnect(self) -> None:
        """A reconnect may land on a rebooted or upgraded device: re-read who it is."""
        try:
            await self.session.identify()
            await self.session.watches.reread()  # what changed while the link was down
        except ConnectionFailed:
            return
        self._refresh_status()

    def _watch(self, client: Any) -> None:
        async def watch() -> None:
            reason = await client.wait_gone()  # the end for good, not a drop it recovers from
            if client is self.session.client and not any(c is client for c in self._retired):
                self.status.state = "disconnected"
                self._changed()
                self._sink(FeedbackEvent(time.time(), [f"** connection closed: {reason}",
                                                       self.reconnect_hint], "/"))
        self._spawn(watch())

    # -- commands.contexts.LinkControl (`reconnect`, `refresh`) -------------------
    async def reconnect(self) -> Result:
        outcome = await self._do_reconnect()
        return Result(outcome.lines, EXIT_OK if outcome.ok else EXIT_XAPI)

    def refreshing(self, busy: bool) -> None:
        if busy:
            self.status.discovering = True
            self._changed()

    async def _do_reconnect(self) -> Outcome:
        if self._reconnect is None:
            return Outcome(["reconnect: not available for this session"], ok=False)
        self.status.state = "reconnecting"
        self._changed()
        old = self.session.client
        self._retired = [*self._retired[-3:], old]
        try:
            await old.close()
        except Exception:  # noqa: BLE001 - already gone
            pass
        try:
            client = await self._reconnect()
        except ConnectionFailed as exc:
            self.status.state = "disconnected"
            self._refresh_status()
            return Outcome([f"reconnect failed: {exc}"], ok=False)
        self.session.client = client
        if self.session.wire is not None:  # `trace on` follows the session to its new link
            client.on_frame = self.session.wire.frame
        self.status.state = "connected"
        self._watch(client)
        lines = [f"reconnected to {self.host}"]
        self.session.note(lines[0])
        try:
            await self.session.identify()
            self.session.live.clear()  # a rebooted device has other calls, other values
            lines += await self.session.restore(old)
            await self.session.watches.reread()
            lines += [f"watching again: {w}" if client.device_id(self.session.watches.watches[k].sub_id)
                      is not None else f"could not watch {w} again yet; retrying until it is"
                      for k, w in ((k, w.expression) for k, w in self.session.watches.watches.items())]
        except ConnectionFailed as exc:
            self._refresh_status()
            return Outcome([*lines, f"error: {exc}"], ok=False)
        if self._discovery is not None and not self._discovery.done():
            self._discovery.cancel()
        self._discovery = None
        self.start_discovery()  # live values again (schema: from memory or the cache)
        self._refresh_status()
        return Outcome(lines)

    async def aclose(self) -> None:
        tasks = [t for t in (*self._tasks, self._discovery) if t is not None and not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self.session.store.aclose()
