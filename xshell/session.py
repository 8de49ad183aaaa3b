"""One device session as the shell sees it: text lines in, rendered lines out.

Shared by every mode — one-shot `-c`, scripts, `--follow`, the plain prompt and the
full-screen UI — so they can never disagree about what a line means or how an answer
prints. It owns the feedback registrations (expression ↔ device subscription Id, which
tshell keeps per session and XoWS does not) and the lazily discovered schema. It knows
nothing about terminals or prompt-toolkit: the one-shot path must stay light.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xshell.errors import ConnectionFailed, RequestTimeout, XAPIError, XShellError
from xshell.lang import requests as rq
from xshell.lang.parse import ParseError, format_parse_error, parse, shell_command
from xshell.lang.unparse import to_jsonrpc
from xshell.live import LiveTree
from xshell.schema.model import Schema
from xshell.schema.store import SchemaStore

log = logging.getLogger(__name__)

EXIT_OK, EXIT_XAPI, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3


@dataclass
class Result:
    """What one line produced: the lines to print and the exit status it implies."""

    lines: list[str]
    exit_code: int = EXIT_OK
    exit_shell: bool = False  # bye / exit / quit

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


@dataclass(frozen=True)
class Feedback:
    """One xFeedback/Event notification, rendered, with what the UI needs to filter it."""

    time: float
    expression: str  # the registration it belongs to, as the user typed it
    path: str  # slash path of the first changed node, for filtering
    lines: list[str]
    payload: dict[str, Any] = field(hash=False, compare=False)


@dataclass
class Registration:
    expression: str
    query: tuple[str | int, ...]
    sub_id: int


def _first_path(payload: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = payload
    while isinstance(node, dict) and node:
        key = next((k for k in node if k[:1].isupper()), None)
        if key is None:
            break
        parts.append(key)
        node = node[key]
        if isinstance(node, list) and node and isinstance(node[0], dict):
            if "id" in node[0]:
                parts.append(str(node[0]["id"]))
            node = node[0]
    return "/" + "/".join(parts)


class Session:
    """A connected device plus the shell state that lives on top of it."""

    def __init__(self, client: Any, *, output: str = "terminal", device_key: str = "",
                 use_cache: bool = True,
                 on_feedback: Callable[[Feedback], None] | None = None) -> None:
        self.client = client
        self.output = output
        self.device_key = device_key
        self.use_cache = use_cache
        self.on_feedback = on_feedback
        self.registrations: dict[str, Registration] = {}
        self.device_name = ""
        self.software = ""
        self.events_received = 0
        self.live = LiveTree()  # values learned from replies and events (completion)
        self.store = SchemaStore(self._fetch_doc, device_key, "", use_cache=use_cache)

    # ----------------------------------------------------------------- start-up
    async def identify(self) -> None:
        """Learn the device's name and software version (for prompts and the schema cache)."""
        async def get(path: list[str]) -> str:
            try:
                value = await self.client.get(path)
            except (XAPIError, RequestTimeout):
                return ""
            return value if isinstance(value, str) else ""

        name, version = await asyncio.gather(
            get(["Configuration", "SystemUnit", "Name"]),
            get(["Status", "SystemUnit", "Software", "Version"]))
        self.device_name, self.software = name, version
        self.store = SchemaStore(self._fetch_doc, self.device_key, version, use_cache=self.use_cache)

    async def _fetch_doc(self, root: str) -> Any:
        return await self.client.doc([root])

    @property
    def schema(self) -> Schema | None:
        return self.store.schema

    # ----------------------------------------------------------------- execution
    async def execute(self, text: str) -> Result:
        """Run one line (plus a multiline command's body after the first newline)."""
        line, _, body = text.partition("\n")
        local = shell_command(line)
        if local is not None and not body:
            return await self._shell(*local)
        try:
            req = parse(line, None, body or None)
        except ParseError as exc:
            return Result(format_parse_error(line, exc), EXIT_USAGE)
        root = _root_of(req)
        if root and not isinstance(req, rq.Raw):
            await self.store.ensure(root)
            try:
                req = parse(line, self.schema, body or None)
            except ParseError as exc:
                return Result(format_parse_error(line, exc), EXIT_USAGE)
        try:
            return await self._run(req)
        except XAPIError as exc:
            return Result(self._error_lines(req, exc), EXIT_XAPI)
        except RequestTimeout as exc:
            return Result([f"error: {exc}"], EXIT_XAPI)
        except ConnectionFailed as exc:
            return Result([f"error: {exc}"], EXIT_CONNECTION)

    async def _shell(self, name: str, args: tuple[str, ...]) -> Result:
        """Lines for the shell itself; the same in scripts, the plain prompt and the UI."""
        words = [a.lower() for a in args]
        if name in ("bye", "exit", "quit"):
            return Result([], exit_shell=True)
        if name in ("output", "xpreferences"):
            if name == "xpreferences" and words[:1] == ["outputmode"]:
                words = words[1:]
            if not words:
                return Result([f"output: {self.output}"])
            if words[0] not in ("terminal", "json"):
                return Result([f"error: output mode {args[-1]!r} is not one of terminal, json"
                               + (" (xml is not supported)" if words[0] == "xml" else "")], EXIT_USAGE)
            self.output = words[0]
            return Result([f"output: {self.output}"] if name == "output" else ["", "OK"])
        if name == "echo":
            return Result(["echo: xshell never echoes input back; nothing to change"])
        if name == "refresh":
            self.store.forget()
            await self.store.ensure_all()
            await self.discover_values()
            known = ", ".join(sorted(self.store.roots_known)) or "none"
            return Result([f"refresh: schema reloaded from the device ({known})"])
        if name == "help" and args:
            # `help xStatus Audio` is `xStatus Audio ?`
            return await self.execute(" ".join(args) + " ?")
        return Result([f"error: {name} is handled by the interactive shell only"], EXIT_USAGE)

    async def discover_values(self) -> None:
        """Fetch the live Status and Configuration trees (completion of ids and values)."""
        for root in ("Status", "Configuration"):
            try:
                self.live.merge_result([root], await self.client.get([root]))
            except (XAPIError, RequestTimeout) as exc:
                log.info("could not read %s: %s", root, exc)

    async def _run(self, req: rq.Request) -> Result:
        if isinstance(req, rq.Help):
            return self._help(req)
        if isinstance(req, rq.FeedbackRegister):
            return await self._register(req)
        if isinstance(req, rq.FeedbackDeregister):
            return await self._deregister(req)
        if isinstance(req, rq.FeedbackDeregisterAll):
            for reg in list(self.registrations.values()):
                await self._unsubscribe(reg)
            return self._done(req, True)
        if isinstance(req, rq.FeedbackList):
            return self._done(req, sorted(r.expression for r in self.registrations.values()))
        if isinstance(req, rq.Raw):
            reply = await self.client.call(str(req.obj.get("method", "")), req.obj.get("params"))
            return self._done(req, reply)
        method, params = to_jsonrpc(req)
        result = await self.client.call(method, params)
        if isinstance(req, rq.Get):
            self.live.merge_result(req.path, result)
        elif isinstance(req, rq.Query):
            self.live.merge(result)
        return self._done(req, result)

    async def _register(self, req: rq.FeedbackRegister) -> Result:
        key = req.expression.lower()
        if key in self.registrations:
            return self._done(req, True)
        expression = req.expression

        def handler(payload: dict[str, Any], sub_id: int) -> None:
            self._deliver(expression, payload)

        sub_id = await self.client.subscribe(list(req.query), handler, req.notify_current)
        self.registrations[key] = Registration(expression, req.query, sub_id)
        return self._done(req, True)

    async def _deregister(self, req: rq.FeedbackDeregister) -> Result:
        reg = self.registrations.get(req.expression.lower())
        if reg is None:
            known = ", ".join(sorted(r.expression for r in self.registrations.values())) or "none"
            return Result([f"error: no feedback registered as {req.expression!r} (registered: {known})"],
                          EXIT_USAGE)
        await self._unsubscribe(reg)
        return self._done(req, True)

    async def _unsubscribe(self, reg: Registration) -> None:
        self.registrations.pop(reg.expression.lower(), None)
        try:
            await self.client.unsubscribe(reg.sub_id)
        except XAPIError as exc:  # already gone on the device: the local table is the truth
            log.info("unsubscribe %s: %s", reg.sub_id, exc)

    def _deliver(self, expression: str, payload: dict[str, Any]) -> None:
        self.events_received += 1
        self.live.merge(payload)
        if self.output == "json":
            from xshell.lang.render_json import json_feedback
            lines = [json_feedback(payload, self.schema)]
        else:
            from xshell.lang.render import render_feedback
            try:
                lines = render_feedback(payload, self.schema)
            except Exception as exc:  # a device payload we cannot render is still shown
                lines = [_compact(payload), f"(could not render: {exc})"]
        if self.on_feedback is not None:
            self.on_feedback(Feedback(time.time(), expression, _first_path(payload), lines, payload))

    # ----------------------------------------------------------------- rendering
    def _done(self, req: rq.Request, result: Any) -> Result:
        if self.output == "json":
            from xshell.lang.render_json import json_result
            return Result([json_result(req, result, self.schema)])
        from xshell.lang.render import render_result
        return Result(render_result(req, result, self.schema))

    def _error_lines(self, req: rq.Request, exc: XAPIError) -> list[str]:
        if self.output == "json":
            from xshell.lang.render_json import json_error
            return [json_error(exc, getattr(req, "result_id", None))]
        from xshell.lang.render import render_error
        return render_error(req, exc, self.schema)

    def _help(self, req: rq.Help) -> Result:
        if self.schema is None or self.schema.root(req.root) is None:
            return Result([f"error: the device gave no schema for {req.root}; help is not available"],
                          EXIT_XAPI)
        from xshell.lang.help import render_help
        lines = render_help(self.schema, req)
        return Result(lines, EXIT_XAPI if lines and lines[-1] == "ERROR" else EXIT_OK)

    async def close(self) -> None:
        await self.client.close()


def _root_of(req: rq.Request) -> str | None:
    if isinstance(req, (rq.Get, rq.Set)):
        return str(req.path[0]) if req.path else None
    if isinstance(req, rq.Query):
        return str(req.query[0]) if req.query else None
    if isinstance(req, rq.Command):
        return "Command"
    if isinstance(req, rq.Help):
        return req.root
    if isinstance(req, (rq.FeedbackRegister, rq.FeedbackDeregister)):
        return str(req.query[0]) if req.query else None
    return None


def _compact(obj: Any) -> str:
    import json
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


__all__ = ["Session", "Result", "Feedback", "Registration", "XShellError",
           "EXIT_OK", "EXIT_XAPI", "EXIT_USAGE", "EXIT_CONNECTION"]
