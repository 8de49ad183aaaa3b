"""The interactive shell's backend: a Session dressed for the UI.

The UI (`xshell.ui`) owns the screen and no protocol logic; this adapter gives it what it
asks for through `ShellBackend`: cheap status for the toolbar, a completer and lexer that
read the current schema snapshot, feedback as rendered events, and `execute`. It also runs
discovery in the background — the first prompt never waits for it — and `reconnect`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.lexers import Lexer, PygmentsLexer

from xshell.errors import ConnectionFailed
from xshell.lang.complete import candidates
from xshell.lang.lexer import XapiLexer
from xshell.lang.parse import needs_body, shell_command
from xshell.lang.unparse import redact_line
from xshell.session import EXIT_OK, Feedback, Session
from xshell.ui.backend import BackendStatus, FeedbackEvent, Outcome

log = logging.getLogger(__name__)
ClientFactory = Callable[[], Awaitable[Any]]


class XapiCompleter(Completer):
    """prompt-toolkit face of `lang.complete.candidates` (pure); reads the live snapshot."""

    def __init__(self, session_of: Callable[[], Session]) -> None:
        self._session_of = session_of

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        session = self._session_of()
        text = document.text_before_cursor
        if "\n" in text:  # inside a multiline body: free text
            return
        regs = [r.expression for r in session.registrations.values()]
        for c in candidates(text, session.schema, session.live, regs):
            yield Completion(c.text, start_position=c.start - len(text), display=c.display,
                             display_meta=c.meta)


class _SchemaLexer(Lexer):
    """The input lexer, rebuilt when the schema snapshot changes (invalid paths in red)."""

    def __init__(self, session_of: Callable[[], Session]) -> None:
        self._session_of = session_of
        self._schema: object = None
        self._lexer = PygmentsLexer(XapiLexer)

    def lex_document(self, document: Document) -> Callable[[int], Any]:
        schema = self._session_of().schema
        if schema is not self._schema:
            self._schema = schema
            self._lexer = PygmentsLexer(XapiLexer)
            # PygmentsLexer builds its lexer without options; give it the schema-aware one
            self._lexer.pygments_lexer = XapiLexer(schema=schema, stripnl=False)
        return self._lexer.lex_document(document)


class ShellBackendImpl:
    """Implements xshell.ui.backend.ShellBackend over a Session."""

    def __init__(self, session: Session, *, host: str, reconnect: ClientFactory | None = None) -> None:
        self.session = session
        self.host = host
        self._reconnect = reconnect
        self.status = BackendStatus(device=session.device_name or host, software=session.software,
                                    state="connected", host=host)
        self.completer: Completer | None = XapiCompleter(lambda: self.session)
        self.lexer: Lexer | None = _SchemaLexer(lambda: self.session)
        self._sink: Callable[[FeedbackEvent], None] = lambda ev: None
        self._status_cb: Callable[[], None] = lambda: None
        self._tasks: set[asyncio.Task[Any]] = set()
        session.on_feedback = self._on_feedback
        self._watch(session.client)

    # -- ShellBackend ---------------------------------------------------------------
    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        self._sink = sink

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        self._status_cb = cb

    def needs_body(self, line: str) -> bool:
        return needs_body(line, self.session.schema)

    def history_line(self, text: str) -> str:
        line, sep, body = text.partition("\n")
        return redact_line(line, self.session.schema) + sep + body

    async def execute(self, text: str) -> Outcome:
        local = shell_command(text.partition("\n")[0])
        if local is not None and local[0] == "reconnect":
            return await self._do_reconnect()
        if local is not None and local[0] == "refresh":
            self.status.discovering = True
            self._changed()
        try:
            result = await self.session.execute(text)
        finally:
            self._refresh_status()
        return Outcome(result.lines, ok=result.exit_code == EXIT_OK, exit_shell=result.exit_shell)

    # -- discovery, feedback, status ------------------------------------------------
    def start_discovery(self) -> None:
        """Schema (xDoc ×4) then live values, in the background; toolbar says discovering…"""
        self.status.discovering = True
        self._changed()
        task = asyncio.ensure_future(self._discover())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _discover(self) -> None:
        try:
            await self.session.store.ensure_all()
            await self.session.discover_values()
        except ConnectionFailed as exc:
            log.info("discovery stopped: %s", exc)
        finally:
            self._refresh_status()

    def _on_feedback(self, fb: Feedback) -> None:
        self._sink(FeedbackEvent(fb.time, fb.lines, fb.path))

    def _refresh_status(self) -> None:
        s, client = self.status, self.session.client
        s.device = self.session.device_name or self.host
        s.software = self.session.software
        s.registrations = len(self.session.registrations)
        rtt = getattr(client, "last_rtt", None)
        s.rtt_ms = rtt * 1000 if rtt is not None else None
        s.state = "connected" if getattr(client, "connected", False) else "disconnected"
        s.discovering = not self.session.store.is_complete() and s.state == "connected" \
            and any(not t.done() for t in self._tasks)
        self._changed()

    def _changed(self) -> None:
        try:
            self._status_cb()
        except Exception:  # a redraw hook must never break the protocol side
            log.exception("status listener failed")

    def _watch(self, client: Any) -> None:
        async def watch() -> None:
            reason = await client.wait_closed()
            if client is self.session.client:
                self.status.state = "disconnected"
                self._changed()
                self._sink(FeedbackEvent(time.time(), [f"** connection closed: {reason}",
                                                       "** type `reconnect` to connect again"], "/"))
        task = asyncio.ensure_future(watch())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _do_reconnect(self) -> Outcome:
        if self._reconnect is None:
            return Outcome(["reconnect: not available for this session"], ok=False)
        self.status.state = "reconnecting"
        self._changed()
        old = self.session.client
        try:
            await old.close()
        except Exception:  # already gone
            pass
        try:
            client = await self._reconnect()
        except ConnectionFailed as exc:
            self.status.state = "disconnected"
            self._changed()
            return Outcome([f"reconnect failed: {exc}"], ok=False)
        self.session.client = client
        self._watch(client)
        lines = ["reconnected"]
        for reg in list(self.session.registrations.values()):
            self.session.registrations.pop(reg.expression.lower(), None)
            res = await self.session.execute(f"xFeedback register {reg.expression}")
            lines.append(f"re-registered {reg.expression}" if res.exit_code == EXIT_OK
                         else f"could not re-register {reg.expression}: {' '.join(res.lines)}")
        self._refresh_status()
        return Outcome(lines)

    async def aclose(self) -> None:
        for t in list(self._tasks):
            t.cancel()
