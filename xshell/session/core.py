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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from xshell.session.command_table import CommandTable, commands_for, use_commands
from xshell.session.delivery import Delivery
from xshell.session.shell_context import ShellContext
from xshell.errors import ConnectionFailed, XAPIError, XShellError
from xshell.lang import requests as rq
from xshell.lang.line import Blank, CommandLine, DevicesLine, Line, XapiLine, as_line
from xshell.lang.bodies import body_source
from xshell.lang.grammar import Kind, tokenize
from xshell.lang.parse import DEVICES_ONLY_INTERACTIVE, parse
from xshell.lang.formats import format_registry as formats
from xshell.lang.formats.output_format import OutputFormat
from xshell.lang.parse_errors import ParseError
from xshell.lang.unparse import to_jsonrpc
from xshell.session.guard_policy import Refused, asking, decide, room_of
from xshell.session.live import LiveTree
from xshell.session.request_answer import answer
from xshell.schema.model import Schema
from xshell.schema.store import SchemaStore
from xshell.lang.redact import redact_entry
from xshell.session.registrations import Feedback, FeedbackTable, Registration
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_USAGE, EXIT_XAPI, Result, as_documents
from xshell.session.result import error_result as _error

if TYPE_CHECKING:  # and the wire trace, loaded by `trace on` / --trace only
    from xshell.session.wiretrace import TraceFrame, WireTrace
    from xshell.session.watches import WatchTable

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
                 commands: CommandTable | None = None, read_only: bool = False) -> None:
        self.client = client
        self.read_only = read_only  # this device's own (a profile's read_only); see guard
        self.commands = commands  # None: the installed registry (xshell.commands)
        self.link: Any = None  # the interactive shell's hold on the connection (reconnect)
        # Shared with every other device session of this run (transcript, settings).
        self.context = context if context is not None else ShellContext()
        self.name = name  # the user's name for this device (profile or `connect … as`)
        self.output = output
        self.echo = False  # tshell's `echo on`: a script prints each line before its answer
        self.device_key = device_key
        self.use_cache = use_cache
        self.wait_for_schema = wait_for_schema
        self.on_feedback = on_feedback
        # `trace on`: the running wire trace and who shows its frames (the mode sets it;
        # None: the transcript only). See xshell.session.wiretrace.
        self.wire: WireTrace | None = None
        self.on_trace: Callable[[TraceFrame], None] | None = None
        self.device_name = ""
        self.software = ""
        self.events_received = 0
        self.live = LiveTree()  # values learned from replies and events (completion)
        # session.delivery; its bound __call__, as calling the instance costs a slot lookup per event
        self.feedback = FeedbackTable(lambda: self.client, Delivery(self).__call__, self.live)
        self._watches: WatchTable | None = None  # `watch PATH` (made on first use: see watches)
        # expression → (payload → lines, or None to drop): registrations a shell command
        # made and renders itself (`macro log` shows levels and filters them)
        self.renderers: dict[str, Callable[[dict[str, Any]], list[str] | None]] = {}
        self.store = SchemaStore(self._fetch_doc, device_key, "", use_cache=use_cache)

    @property
    def watches(self) -> WatchTable:
        """`watch PATH`: values kept current from feedback. Made on first use, so a one-shot
        line that never watches does not import xshell.session.watches."""
        if self._watches is None:
            from xshell.session.watches import WatchTable

            self._watches = WatchTable(self)
        return self._watches

    @property
    def watching(self) -> bool:
        """Whether any watch is open (without making the table)."""
        return self._watches is not None and len(self._watches) > 0

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
            toks = None if isinstance(line, DevicesLine) else line.tokens or None  # as read: not again
            tr.sent(self.label, redact_entry(first, self.schema, toks),
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
        token = line  # an `@…` approval (session.guard_policy.approved) names the Line as read
        try:
            if isinstance(line, CommandLine):
                handler = self._commands().handler(line.name)
                if handler is None:
                    return _error(f"{line.name} is handled by the interactive shell only", EXIT_USAGE)
                typed = self._commands().takes_text(line.name)
                try:
                    answered = await handler(self, _tail(line) if typed else line.args)
                except Refused as exc:  # a request the command sent was refused: nothing sent
                    return exc.result
                # under -o json every shell command answers JSON documents (one rule, here)
                return as_documents(line.name, answered) if self.output_format.json_documents else answered
            if isinstance(line, DevicesLine):  # the multi-device shell takes it apart before us
                return _error(DEVICES_ONLY_INTERACTIVE, EXIT_USAGE)
            if isinstance(line, Blank):
                text, toks, body = line.text, None, ""
            else:
                with_body = await self.body_from_source(line)
                if isinstance(with_body, Result):
                    return with_body
                text, toks, body = with_body.text, with_body.tokens, with_body.body
            try:
                req = parse(text, None, body or None, toks)
            except ParseError as exc:
                return self._parse_error(text, exc)
            if isinstance(req, (rq.FeedbackDeregister, rq.FeedbackDeregisterAll, rq.FeedbackList)):
                return await answer(self, req)  # the local table decides; no schema needed
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
            refused = await self.guard((req,), token)  # the one guard, whatever the input form
            return refused if refused is not None else await answer(self, req)
        except Exception as exc:  # noqa: BLE001 - a line must never take the shell down
            return self._failure(req, exc)

    async def body_from_source(self, line: XapiLine) -> XapiLine | Result:
        """`… < FILE` or `… .`: the line with its body read from the file or the editor
        (commands.as_code asks too, for the line after `as FORM`)."""
        src = None if line.body else body_source(line.text, self.schema, line.tokens)
        if src is None:
            return line
        from xshell.session.editing import BodyError, edit_text, read_body
        try:
            if src.path is not None:
                body = read_body(src.path)
            else:
                edit = await edit_text("", "body.txt", self.context.terminal)
                edit.discard()
                body = edit.after
        except BodyError as exc:
            return _error(str(exc), EXIT_USAGE)
        return XapiLine(src.line, tuple(tokenize(src.line)), body)

    async def guard(self, reqs: Sequence[rq.Request], token: object = None) -> Result | None:
        """None when `reqs` may be sent; else the refusal (exit 2) and nothing is sent. A
        destructive one is asked about first where the shell can ask (session.guard_policy);
        apply and snapshot restore pass their whole batch: one question, one refusal."""
        why = await decide(self.context.guard, reqs, room=room_of(self), read_only=self.read_only,
                           token=token)
        return None if why is None else _error(why, EXIT_USAGE)

    async def send(self, req: rq.Request, token: object = None) -> Any:
        """A shell command's request, through the guard as a typed line (commands/ changes
        the device only so); raises Refused, which `run` answers. token: see `guard`."""
        async with asking():
            refused = await self.guard((req,), token)
        if refused is not None:
            raise Refused(refused)
        method, params = to_jsonrpc(req)
        return await self.client.call(method, params)

    def _commands(self) -> CommandTable:
        return commands_for(self.commands)

    def _parse_error(self, line: str, exc: ParseError) -> Result:
        reply = getattr(exc, "reply", None)  # NotRecognized: what tshell prints
        return Result(self.output_format.parse_error(line, exc, self.schema), EXIT_USAGE,
                      kind="parse_error", reply=[reply] if reply and not
                      self.output_format.json_documents else [])

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
            return _error(f"output mode {mode!r} is not one of {', '.join(formats.names())}",
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

    # ----------------------------------------------------------------- feedback
    async def watch(self, query: Sequence[str | int]) -> None:
        """Keep the live values under `query` current, silently (for completion)."""
        await self.feedback.watch(query)

    async def restore(self, old: Any) -> list[str]:
        """Move every registration from client `old` to the current one, which makes them
        again as after an automatic reconnect (a manual `reconnect`)."""
        return await self.feedback.restore(old)

    # ----------------------------------------------------------------- rendering
    @property
    def output_format(self) -> OutputFormat:
        """The format `output` names: how answers, errors and feedback become lines."""
        return formats.get(self.output)

    def _error_lines(self, req: rq.Request | None, exc: XAPIError) -> list[str]:
        return self.output_format.error(req, exc, self.schema)

    async def close(self) -> None:
        await self.client.close()


def _tail(line: CommandLine) -> tuple[str, ...]:
    """The text after the command's name, as typed (quotes kept), as the one arg; none if empty.
    A body (lang.line.BODY_COMMANDS) follows after a newline, byte for byte."""
    name = next((t for t in line.tokens if t.kind is not Kind.WS), None)
    rest = line.text[name.end:].strip() if name is not None else " ".join(line.args)
    if line.body:
        rest += "\n" + line.body
    return (rest,) if rest else ()


def _parts(line: Line) -> tuple[str, str]:
    """(first line as typed, body) of a line, as a transcript records it."""
    if isinstance(line, DevicesLine):
        first, body = _parts(line.line)
        return line.head + first, body
    if isinstance(line, (CommandLine, XapiLine)):
        return line.text, line.body
    return line.text, ""


def _root_of(req: rq.Request) -> str | None:
    if isinstance(req, (rq.Get, rq.Set)):
        return str(req.path[0]) if req.path else None
    if isinstance(req, rq.Query):
        return str(req.query[0]) if req.query else None
    if isinstance(req, rq.Command):
        return "Command"
    if isinstance(req, rq.Help):
        return req.root
    if isinstance(req, (rq.FeedbackRegister, rq.GetXml)):
        return str(req.query[0]) if req.query else None
    if isinstance(req, rq.Document):
        return str(req.path[0])
    return None


__all__ = ["Session", "Result", "CommandTable", "use_commands",
           "EXIT_OK", "EXIT_XAPI", "EXIT_USAGE", "EXIT_CONNECTION"]
