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
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from xshell.contract import BackendStatus, Candidate, FeedbackEvent, Fragment, Outcome
from xshell.errors import ConnectionFailed, XShellError
from xshell.lang.complete import candidates
from xshell.lang.lexer import highlight
from xshell.lang.bodies import needs_body
from xshell.lang.line import Line, as_line
from xshell.lang.redact import MASK
from xshell.lang.unparse import redact_line
from xshell.session.core import Session
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_XAPI, Result
from xshell.session.registrations import Feedback

log = logging.getLogger(__name__)
ClientFactory = Callable[[], Awaitable[Any]]
# Kept current silently so `xStatus Call ` completes the calls that exist now.
LIVE_WATCHES: tuple[tuple[str, ...], ...] = (("Status", "Call"),)
_PRIVATE_KEY = re.compile(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----).*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)",
                          re.S)


class _LazyFeedbackEvent(FeedbackEvent):
    """A FeedbackEvent whose lines and path come from the Feedback when first read.

    Why: in a storm the pane keeps only its newest events, so most never need rendering.
    Once read, the Feedback (and its payload) is let go: events held in the pane's ring
    then cost only their strings, which keeps the garbage collector's work small.
    """

    _lines: list[str]  # set by _settle, before any read
    _path: str

    def __init__(self, fb: Feedback) -> None:  # noqa: D107 - no dataclass __init__ on purpose
        self.time = fb.time
        self._fb: Feedback | None = fb
        self.device = ""

    def _settle(self) -> None:
        fb = self._fb
        if fb is not None:
            self._lines, self._path = fb.lines, fb.path
            self._fb = None

    @property  # type: ignore[override]
    def lines(self) -> list[str]:
        self._settle()
        return self._lines

    @lines.setter
    def lines(self, value: list[str]) -> None:
        self._settle()
        self._lines = value

    @property  # type: ignore[override]
    def path(self) -> str:
        self._settle()
        return self._path

    @path.setter
    def path(self, value: str) -> None:
        self._settle()
        self._path = value


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
    words = shell_words() if shell_words is not None else None
    return candidates(before_cursor, session.schema, session.live, regs, words)


def mask_body(body: str) -> str:
    """A multiline command's body for history: PEM private keys masked, nothing else.

    A body is free text — a macro, a panel's XML, a certificate, a banner — and no
    schema says which of it is secret, so it is kept as typed; the one exception is a
    private key block (Security Certificates … Add), which must never reach a file.
    """
    return _PRIVATE_KEY.sub(lambda m: f"{m.group(1)}\n{MASK}\n{m.group(2)}", body)


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
        session.wait_for_schema = False  # a line never waits for discovery
        self.status = BackendStatus(device=session.device_name or host, software=session.software,
                                    state="connected", host=host)
        self._sink: Callable[[FeedbackEvent], None] = lambda ev: None
        self._status_cb: Callable[[], None] = lambda: None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._discovery: asyncio.Task[None] | None = None
        self._retired: list[Any] = []  # clients we closed ourselves (reconnect)
        session.on_feedback = self._on_feedback
        session.link = self  # commands.contexts.LinkControl: reconnect, refresh
        self._watch(session.client)
        self._refresh_status()

    # -- ShellBackend ---------------------------------------------------------------
    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        self._sink = sink

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        self._status_cb = cb

    def needs_body(self, line: str) -> bool:
        return needs_body(line, self.session.schema)

    def complete(self, before_cursor: str) -> list[Candidate]:
        return complete_in(self.session, before_cursor)

    def highlight(self, text: str) -> list[Fragment]:
        return highlight(text, self.session.schema)  # an unknown name or value as Error

    def history_line(self, text: str) -> str:
        """`text` for history and echo: secret values of the line masked (schema-aware,
        so hide_value configurations too); the body as `mask_body` keeps it."""
        line, sep, body = text.partition("\n")
        try:
            shown = redact_line(line, self.session.schema)
        except Exception:  # noqa: BLE001 - never risk keeping a secret
            log.exception("could not mask a history line")
            shown = (line.split(None, 1) or [""])[0] + " " + MASK
        return shown + sep + mask_body(body)

    async def execute(self, text: str | Line) -> Outcome:
        """Run a line (text, or a Line read once above): `reconnect` and `refresh` reach
        this backend through `session.link` (the registry's handlers call back)."""
        try:
            result = await self.session.execute(as_line(text))
        finally:
            self._refresh_status()
        lines = result.lines
        if result.exit_code == EXIT_CONNECTION and self._reconnect is not None:
            lines = [*lines, self.reconnect_hint]
        return Outcome(lines, ok=result.exit_code == EXIT_OK, exit_shell=result.exit_shell)

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
            await session.store.ensure_all()
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

    def _on_feedback(self, fb: Feedback) -> None:
        self._sink(_LazyFeedbackEvent(fb))

    def refresh_status(self) -> None:
        """Re-read what the toolbar shows (after the label or the connection changed)."""
        self._refresh_status()

    def _refresh_status(self) -> None:
        s, client = self.status, self.session.client
        s.device = self.label or self.session.device_name or self.host
        s.software = self.session.software
        s.registrations = len(self.session.registrations)
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
        self.status.state = "connected"
        self._watch(client)
        lines = [f"reconnected to {self.host}"]
        self.session.note(lines[0])
        try:
            await self.session.identify()
            self.session.live.clear()  # a rebooted device has other calls, other values
            lines += await self.session.restore(old)
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
