"""One device session as the shell sees it: text lines in, rendered lines out.

Shared by every mode — one-shot `-c`, scripts, `--follow`, the plain prompt and the
full-screen UI — so they can never disagree about what a line means or how an answer
prints. It owns the feedback registrations (expression ↔ device subscription Id, which
tshell keeps per session and XoWS does not) and the lazily discovered schema. It knows
nothing about terminals or prompt-toolkit: the one-shot path must stay light.

`execute()` never raises (cancellation aside): whatever the device, the link or the
user does, a line gives lines to show and an exit status — 0 ok, 1 the device (or the
exchange) failed, 2 the line was wrong and nothing was sent, 3 the connection is gone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from xshell.session.shell_context import ShellContext
from xshell.errors import ConnectionFailed, XAPIError, XShellError
from xshell.lang import requests as rq
from xshell.lang.line import Blank, CommandLine, DevicesLine, Line, XapiLine, as_line
from xshell.lang.parse import DEVICES_ONLY_INTERACTIVE, parse
from xshell.lang.formats import format_registry as formats
from xshell.lang.formats.output_format import OutputFormat
from xshell.lang.parse_errors import ParseError
from xshell.lang.unparse import to_jsonrpc
from xshell.session.live import LiveTree
from xshell.schema.model import Schema
from xshell.schema.store import SchemaStore
from xshell.session.transcript import transcript_line
from xshell.session.registrations import Feedback, FeedbackTable, Registration
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_USAGE, EXIT_XAPI, Result
from xshell.session.result import error_result as _error
from xshell.lang.render_feedback import FeedbackRenderer

log = logging.getLogger(__name__)

class Session:
    """A connected device plus the shell state that lives on top of it.

    wait_for_schema: True (scripts) — a line waits for its root's schema, so it is
    checked and typed before sending; False (interactive) — a line never waits for
    discovery: the schema is used when known (or on disk) and fetched in the background
    otherwise. Help (`?`) always waits: it has nothing else to show.
    """

    def __init__(self, client: Any, *, output: str = formats.DEFAULT, device_key: str = "",
                 use_cache: bool = True, wait_for_schema: bool = True,
                 on_feedback: Callable[[Feedback], None] | None = None,
                 context: ShellContext | None = None, name: str = "",
                 commands: CommandTable | None = None) -> None:
        self.client = client
        self.commands = commands  # None: the installed registry (xshell.commands)
        self.link: Any = None  # the interactive shell's hold on the connection (reconnect)
        # Shared with every other device session of this run (transcript, settings).
        self.context = context if context is not None else ShellContext()
        self.name = name  # the user's name for this device (profile or `connect … as`)
        self.output = output
        self.device_key = device_key
        self.use_cache = use_cache
        self.wait_for_schema = wait_for_schema
        self.on_feedback = on_feedback
        self._renderer = FeedbackRenderer(None, output)  # rebuilt when schema/output change
        self.device_name = ""
        self.software = ""
        self.events_received = 0
        self.live = LiveTree()  # values learned from replies and events (completion)
        self.feedback = FeedbackTable(lambda: self.client, self._deliver, self.live)
        self.store = SchemaStore(self._fetch_doc, device_key, "", use_cache=use_cache)

    @property
    def registrations(self) -> dict[tuple[str, ...], Registration]:
        """The user's feedback registrations, by `expression_key` (read-only use)."""
        return self.feedback.registrations

    # ----------------------------------------------------------------- start-up
    async def identify(self) -> None:
        """Learn the device's name and software version (for prompts and the schema cache).

        A changed version (the device was upgraded while we were away) gets a fresh store:
        its schema may differ. Raises ConnectionFailed when the link is down.
        """
        async def get(path: list[str]) -> str:
            try:
                value = await self.client.get(path)
            except ConnectionFailed:
                raise
            except XShellError:  # refused or unanswered: unknown, not fatal
                return ""
            return value if isinstance(value, str) else ""

        name, version = await asyncio.gather(
            get(["Configuration", "SystemUnit", "Name"]),
            get(["Status", "SystemUnit", "Software", "Version"]))
        self.device_name = name or self.device_name
        if version and version != self.store.version:  # unknown keeps what we have
            self.software = version
            self.store = SchemaStore(self._fetch_doc, self.device_key, version,
                                     use_cache=self.use_cache)

    async def _fetch_doc(self, root: str) -> Any:
        return await self.client.doc([root])

    @property
    def schema(self) -> Schema | None:
        return self.store.schema

    # ----------------------------------------------------------------- execution
    @property
    def label(self) -> str:
        """This device as transcripts and snapshots name it."""
        return self.name or self.device_name or self.device_key

    def note(self, text: str) -> None:
        """Record a note (connected, reconnected…) in the transcript, if one is open."""
        tr = self.context.transcript
        if tr is not None:
            tr.note(self.label, text)

    async def execute(self, text: str | Line) -> Result:
        """Run one line (plus a multiline command's body after the first newline).

        `text` may be a Line already read by the layer above (read once, never again).
        With a transcript open, the line is recorded (secrets masked, a body only
        counted) before it runs, and its reply after; `log …` records its own notes.
        """
        line = as_line(text)
        tr = self.context.transcript
        if tr is None:
            return await self.run(line)
        recorded = not isinstance(line, CommandLine) or self._commands().recorded(line.name)
        first, body = _parts(line)
        if self.wait_for_schema and isinstance(line, XapiLine) and line.verb == "xConfiguration":
            # The line waits for this anyway; knowing hide_value first masks exactly.
            await self.store.ensure("Configuration")
        if recorded:
            tr.sent(self.label, transcript_line(first, self.schema),
                    len(body.split("\n")) if body else 0)
        result = await self.run(line)
        tr = self.context.transcript
        if tr is not None and recorded:
            tr.reply(self.label, result.lines, result.exit_code)
        return result

    async def run(self, line: Line) -> Result:
        """Run a line without recording it: a shell command by its registered handler,
        an xAPI line parsed from the tokens it was read with."""
        req: rq.Request | None = None
        try:
            if isinstance(line, CommandLine):
                handler = self._commands().handler(line.name)
                if handler is None:
                    return _error(f"{line.name} is handled by the interactive shell only", EXIT_USAGE)
                return await handler(self, line.args)
            if isinstance(line, DevicesLine):  # the multi-device shell takes it apart before us
                return _error(DEVICES_ONLY_INTERACTIVE, EXIT_USAGE)
            if isinstance(line, Blank):
                text, toks, body = line.text, None, ""
            else:
                text, toks, body = line.text, line.tokens, line.body
            try:
                req = parse(text, None, body or None, toks)
            except ParseError as exc:
                return self._parse_error(text, exc)
            if isinstance(req, (rq.FeedbackDeregister, rq.FeedbackDeregisterAll, rq.FeedbackList)):
                return await self._run(req)  # the local table decides; no schema needed
            root = _root_of(req)
            if root and not isinstance(req, rq.Raw):
                if self.wait_for_schema or isinstance(req, rq.Help):
                    await self.store.ensure(root)
                else:
                    self.store.ensure_soon(root)
                try:
                    req = parse(text, self.schema, body or None, toks)
                except ParseError as exc:
                    return self._parse_error(text, exc)
            return await self._run(req)
        except Exception as exc:  # noqa: BLE001 - a line must never take the shell down
            return self._failure(req, exc)

    def _commands(self) -> CommandTable:
        table = self.commands if self.commands is not None else _default_commands
        return table if table is not None else _NO_COMMANDS

    def _parse_error(self, line: str, exc: ParseError) -> Result:
        return Result(self.output_format.parse_error(line, exc, self.schema), EXIT_USAGE,
                      kind="parse_error")

    def _failure(self, req: rq.Request | None, exc: Exception) -> Result:
        """One clear line for anything that went wrong after parsing."""
        if isinstance(exc, XAPIError):
            return Result(self._error_lines(req, exc), EXIT_XAPI)
        if isinstance(exc, ConnectionFailed):
            return _error(str(exc), EXIT_CONNECTION)
        if isinstance(exc, (XShellError, ValueError, TypeError)):
            return _error(str(exc) or type(exc).__name__, EXIT_XAPI)
        log.exception("internal error while running a line")
        return _error(f"internal error ({type(exc).__name__}); the line may not have been sent",
                      EXIT_XAPI)

    def set_output(self, mode: str, done: list[str]) -> Result:
        """Print answers as `mode` from now on (`output …`, `xPreferences outputmode …`)."""
        low = mode.lower()
        if low not in formats.names():
            extra = " (xml is not supported)" if low == "xml" else ""
            return _error(f"output mode {mode!r} is not one of {', '.join(formats.names())}{extra}",
                          EXIT_USAGE)
        self.output = low
        return Result(done)

    async def refresh(self) -> Result:
        """Forget the schema and live values, and read both again from the device."""
        self.store.forget()
        self.live.clear()
        await self.store.ensure_all()
        await self.discover_values()
        known = ", ".join(sorted(self.store.roots_known)) or "none"
        refused = ", ".join(sorted(self.store.roots_missing))
        if not self.store.is_complete():
            return _error(f"refresh: the schema could not be read completely (have: {known})",
                          EXIT_XAPI)
        return Result([f"refresh: schema reloaded from the device ({known})"
                       + (f"; refused: {refused}" if refused else "")])

    async def discover_values(self) -> None:
        """Fetch the live Status and Configuration trees (completion of ids and values)."""
        for root in ("Status", "Configuration"):
            try:
                self.live.merge_result([root], await self.client.get([root]), self.schema)
            except ConnectionFailed:
                raise
            except XShellError as exc:
                log.info("could not read %s: %s", root, exc)

    async def _run(self, req: rq.Request) -> Result:
        if isinstance(req, rq.Help):
            return self._help(req)
        if isinstance(req, rq.FeedbackRegister):
            await self.feedback.register(req.expression, req.query, req.notify_current)
            return self._done(req, True)
        if isinstance(req, rq.FeedbackDeregister):
            if not await self.feedback.deregister(req.expression, req.query):
                known = ", ".join(self.feedback.expressions()) or "none"
                return _error(f"no feedback is registered as {req.expression!r} "
                              f"(registered: {known})", EXIT_USAGE)
            return self._done(req, True)
        if isinstance(req, rq.FeedbackDeregisterAll):
            await self.feedback.deregister_all()
            return self._done(req, True)
        if isinstance(req, rq.FeedbackList):
            return self._done(req, self.feedback.expressions())
        if isinstance(req, rq.Raw):
            reply = await self.client.call(req.obj.get("method"), req.obj.get("params"))
            return self._done(req, reply)
        method, params = to_jsonrpc(req)
        try:
            result = await self.client.call(method, params)
        except XAPIError as exc:
            empty = self._no_instance(req, exc)
            if empty is None:
                raise
            return self._done(req, empty)  # `xStatus Call` with no call: empty, as tshell says
        if isinstance(req, rq.Get):
            self.live.merge_result(req.path, result, self.schema)
        elif isinstance(req, rq.Query):
            self.live.merge(result)
        return self._done(req, result)

    def _no_instance(self, req: rq.Request, exc: XAPIError) -> list[Any] | dict[str, Any] | None:
        """The empty answer for a read of instances that do not exist now, else None."""
        if not isinstance(req, rq.Get) or "no match" not in exc.message.lower() or self.schema is None:
            return None
        return self.schema.empty_read(req.path)

    # ----------------------------------------------------------------- feedback
    async def watch(self, query: Sequence[str | int]) -> None:
        """Keep the live values under `query` current, silently (for completion)."""
        await self.feedback.watch(query)

    async def restore(self, old: Any) -> list[str]:
        """Move every registration from client `old` to the current one, which makes them
        again as after an automatic reconnect (a manual `reconnect`)."""
        return await self.feedback.restore(old)

    def _deliver(self, expression: str, payload: dict[str, Any], resync: bool = False) -> None:
        """Hand one notification on; it is rendered (resync marked) only when first shown."""
        self.events_received += 1
        tr = self.context.transcript
        if self.on_feedback is None and tr is None:
            return
        renderer = self._renderer
        if renderer.schema is not self.schema or renderer.output != self.output:
            renderer = self._renderer = FeedbackRenderer(self.schema, self.output)
        fb = Feedback(time.time(), expression, None, None, payload, resync, render=renderer)
        if tr is not None:  # rendered once: the display reuses the lines
            tr.feedback(self.label, fb.lines, at=fb.time)
        if self.on_feedback is None:
            return
        try:
            self.on_feedback(fb)
        except Exception:  # a display problem must not stop later notifications
            log.exception("feedback listener failed")

    # ----------------------------------------------------------------- rendering
    @property
    def output_format(self) -> OutputFormat:
        """The format `output` names: how answers, errors and feedback become lines."""
        return formats.get(self.output)

    def _done(self, req: rq.Request, result: Any) -> Result:
        return Result(self.output_format.result(req, result, self.schema))

    def _error_lines(self, req: rq.Request | None, exc: XAPIError) -> list[str]:
        return self.output_format.error(req, exc, self.schema)

    def _help(self, req: rq.Help) -> Result:
        if self.schema is None or self.schema.root(req.root) is None:
            return _error(f"the device gave no schema for {req.root}; help is not available",
                          EXIT_XAPI)
        lines = self.output_format.help(self.schema, req)
        return Result(lines, EXIT_XAPI if lines and lines[-1] == "ERROR" else EXIT_OK)

    async def close(self) -> None:
        await self.client.close()


def _parts(line: Line) -> tuple[str, str]:
    """(first line as typed, body) of a line, as a transcript records it."""
    if isinstance(line, DevicesLine):
        first, body = _parts(line.line)
        return line.head + first, body
    if isinstance(line, (CommandLine, XapiLine)):
        return line.text, line.body
    return line.text, ""


class CommandTable(Protocol):
    """The shell commands a session answers (xshell.commands.registry implements it).

    The session sits below the command registry: the registry installs itself with
    `use_commands` when xshell.commands is imported, or a caller passes `commands=`.
    """

    def handler(self, name: str) -> Callable[[Session, tuple[str, ...]], Awaitable[Result]] | None:
        """The handler a session runs for command `name` (None: not answered here)."""
        ...

    def recorded(self, name: str) -> bool:
        """Whether a transcript records the command's line and reply."""
        ...


class _NoCommands:
    def handler(self, name: str) -> None:
        return None

    def recorded(self, name: str) -> bool:
        return True


_NO_COMMANDS = _NoCommands()
_default_commands: CommandTable | None = None


def use_commands(table: CommandTable) -> None:
    """Install the shell commands every session answers (done by xshell.commands)."""
    global _default_commands
    _default_commands = table


def _root_of(req: rq.Request) -> str | None:
    if isinstance(req, (rq.Get, rq.Set)):
        return str(req.path[0]) if req.path else None
    if isinstance(req, rq.Query):
        return str(req.query[0]) if req.query else None
    if isinstance(req, rq.Command):
        return "Command"
    if isinstance(req, rq.Help):
        return req.root
    if isinstance(req, rq.FeedbackRegister):
        return str(req.query[0]) if req.query else None
    return None



__all__ = ["Session", "Result", "CommandTable", "use_commands",
           "EXIT_OK", "EXIT_XAPI", "EXIT_USAGE", "EXIT_CONNECTION"]
