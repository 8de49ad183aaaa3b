"""JSON-RPC 2.0 over one connection: parse, route to the xAPI methods, answer (spec §4–§5).

Kept apart from the socket code so the rules that clients depend on are in one place:
the id comes back verbatim (type included), a request without id runs silently,
unparseable text gets -32700 with id null, and an xAPI method's side effects that a
device reports *after* answering (xSet's Configuration feedback, the Subscribe
current-value notification) run only once the reply is queued.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from xshell.errors import (InternalError, InvalidParams, InvalidRequest, JSONParseError,
                           MethodNotFound, XAPIError)
from xshell.schema.model import ROOTS
from xshell.sim.access import denied, may_run
from xshell.sim.xcommands import METHOD_NOT_FOUND, MISSING_OR_INVALID, check_call, find_command
from xshell.sim.state import NO_MATCH
from xshell.sim.tree import wire_value

if TYPE_CHECKING:
    from xshell.sim.simulator import Simulator
    from xshell.sim.server import Connection

log = logging.getLogger("xshell.sim")


class Sender(Protocol):
    legacy: bool

    def send(self, message: Mapping[str, Any]) -> None: ...


@dataclass
class Answer:
    """A result plus what must happen right after the reply is queued."""

    result: Any
    after: Callable[[], None] | None = None


def response(rid: Any, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "result": result}


def error_response(rid: Any, exc: XAPIError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "error": exc.to_json()}


def legacy_form(value: Any) -> Any:
    """Command results in `?legacy`: every number a string, like the rest of the data."""
    if isinstance(value, dict):
        return {k: legacy_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [legacy_form(v) for v in value]
    return wire_value(value, True)


def _param(params: Mapping[str, Any], name: str) -> Any:
    """Argument by name in any case (clients spell Path/Query/Value/Id/Type as they like)."""
    if name in params:
        return params[name]
    low = name.lower()
    return next((v for k, v in params.items() if k.lower() == low), None)


class Dispatcher:
    """Routes one connection's messages to the simulated device."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._xdoc_cache: dict[tuple[Any, ...], Any] = {}

    def handle(self, conn: Connection, message: str | bytes) -> None:
        """Handle one frame. Never raises: every failure becomes a JSON-RPC error."""
        try:
            text = message.decode("utf-8") if isinstance(message, bytes) else message
            request = json.loads(text)
        except (UnicodeDecodeError, ValueError, RecursionError):
            conn.send(error_response(None, JSONParseError("Parse error")))
            return
        if not isinstance(request, dict):
            conn.send(error_response(None, InvalidRequest("Invalid Request")))
            return
        has_id = "id" in request
        rid = request.get("id")
        method = request.get("method")
        if not isinstance(method, str) or not method:
            conn.send(error_response(rid, InvalidRequest("Invalid Request")))
            return
        params = request.get("params")
        if params is None:
            params = {}
        late = self.sim.faults.delay_for(method)
        if late:  # fault injection: a slow device (replies then overtake each other)
            conn.spawn(self._run_later(late, conn, has_id, rid, method, params))
        else:
            self._run(conn, has_id, rid, method, params)

    def _run(self, conn: Connection, has_id: bool, rid: Any, method: str, params: Any) -> None:
        try:
            outcome: Any = self.call(conn, method, params)
        except XAPIError as exc:
            outcome = exc
        except Exception:  # the device stays up whatever a request does
            log.exception("internal error in %s", method)
            outcome = InternalError("Internal error")
        if inspect.isawaitable(outcome):
            conn.spawn(self._finish_later(conn, has_id, rid, method, outcome))
        else:
            self._finish(conn, has_id, rid, outcome)

    async def _run_later(self, delay: float, conn: Connection, has_id: bool, rid: Any, method: str,
                         params: Any) -> None:
        await asyncio.sleep(delay)
        self._run(conn, has_id, rid, method, params)

    async def _finish_later(self, conn: Connection, has_id: bool, rid: Any, method: str,
                            pending: Awaitable[Any]) -> None:
        try:
            outcome: Any = await pending
        except XAPIError as exc:
            outcome = exc
        except Exception:  # the same: the device stays up whatever a request does
            log.exception("internal error in %s", method)
            outcome = InternalError("Internal error")
        self._finish(conn, has_id, rid, outcome)

    def _finish(self, conn: Connection, has_id: bool, rid: Any, outcome: Any) -> None:
        after = None
        if isinstance(outcome, Answer):
            outcome, after = outcome.result, outcome.after
        if has_id:
            if isinstance(outcome, XAPIError):
                conn.send(error_response(rid, outcome))
            else:
                conn.send(response(rid, outcome))
        if after is not None:
            after()

    # --- methods ---------------------------------------------------------------------

    def call(self, conn: Connection, method: str, params: Any) -> Any:
        low = method.lower()
        faults = self.sim.faults
        if low == "xsimulator/fault" and faults.rpc_enabled:  # hidden unless --faults
            return faults.rpc(conn, params)
        if low == "xsimulator/diagnostics" and faults.rpc_enabled:  # xshell.sim.diagnostics
            from xshell.sim.diagnostics import diagnostics_rpc
            return diagnostics_rpc(self.sim, params)
        refused = faults.refusal(low)
        if refused is not None:
            raise refused
        if low.startswith("xcommand/"):
            return self._command(conn, method[len("xcommand/"):], params)
        handler = {
            "xget": self._get, "xquery": self._query, "xset": self._set,
            "xfeedback/subscribe": self._subscribe, "xfeedback/unsubscribe": self._unsubscribe,
            "xdoc": self._doc,
        }.get(low)
        if handler is None:
            raise MethodNotFound(METHOD_NOT_FOUND)
        if not isinstance(params, dict):
            raise InvalidParams(MISSING_OR_INVALID, data={"Reason": "params must be an object"})
        return handler(conn, params)

    def _get(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        return self.sim.state.get(_required(params, "Path"), legacy=conn.legacy,
                                  reader=getattr(conn, "reader", None))

    def _query(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        return self.sim.state.query(_required(params, "Query"), legacy=conn.legacy,
                                    reader=getattr(conn, "reader", None))

    def _set(self, conn: Connection, params: Mapping[str, Any]) -> Answer:
        path = _required(params, "Path")
        value = _required(params, "Value")
        self._may(conn, self.sim.model.schema.node(
            self.sim.state.compile(path, roots=("Configuration",), allow_star=False)))
        changes = self.sim.state.set_configuration(path, value)
        return Answer(True, lambda: self.sim.hub.publish("Configuration", changes))

    def _subscribe(self, conn: Connection, params: Mapping[str, Any]) -> Answer:
        hub = self.sim.hub
        sub = hub.subscribe(conn, _required(params, "Query"))
        notify = _param(params, "NotifyCurrentValue")
        wanted = notify is True or (isinstance(notify, str) and notify.lower() == "true")

        def current() -> None:
            if wanted and sub.id in conn.subscriptions:
                for note in hub.current_values(conn, sub):
                    conn.send(note)
        return Answer({"Id": sub.id}, current)

    def _unsubscribe(self, conn: Connection, params: Mapping[str, Any]) -> bool:
        self.sim.hub.unsubscribe(conn, _param(params, "Id"))
        return True

    def _doc(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        kind = _param(params, "Type")
        if kind is not None and str(kind).lower() != "schema":
            raise InvalidParams(MISSING_OR_INVALID, data={"Parameter": "Type", "Reason": 'only "Schema" is supported'})
        path = self.sim.state.compile(_required(params, "Path"), roots=ROOTS, allow_star=False)
        if path in self._xdoc_cache:
            return self._xdoc_cache[path]
        try:
            from xshell.schema.xdoc import to_xdoc
        except ImportError:
            log.error("xDoc is not available: xshell.schema.xdoc is missing")
            raise InternalError("Internal error") from None
        try:
            doc = to_xdoc(self.sim.model.schema, list(path))
        except (KeyError, LookupError, ValueError):
            raise InvalidParams(NO_MATCH) from None
        self._xdoc_cache[path] = doc
        return doc

    @staticmethod
    def _may(conn: Connection, node: Any) -> None:
        """-31999 unless the user holds one of the roles that may run/write `node`."""
        reader = getattr(conn, "reader", None)
        if reader is not None and not may_run(reader.roles, node):
            raise denied()

    def _command(self, conn: Connection, method_path: str, params: Any) -> Any:
        self._may(conn, find_command(self.sim.model.schema, method_path))
        call = check_call(self.sim.model.schema, method_path, params)
        log.debug("command %s", " ".join(call.path))  # never the arguments: they may be secrets
        outcome = self.sim.behaviours.run(call)
        if not conn.legacy:
            return outcome
        if inspect.isawaitable(outcome):
            async def stringified() -> Any:
                return legacy_form(await outcome)
            return stringified()
        return legacy_form(outcome)


def _required(params: Mapping[str, Any], name: str) -> Any:
    value = _param(params, name)
    if value is None:
        raise InvalidParams(MISSING_OR_INVALID, data={"Parameter": name, "Reason": "missing"})
    return value
