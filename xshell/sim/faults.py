"""Fault injection: the simulated codec misbehaves on demand, as devices and networks do.

A shell that must survive reboots, pulled cables and odd frames can only be tested
against a device that produces them when told, so every fault the client has to live
with is one call away — from Python (`sim.faults.<fault>(...)`) or, for clients in other
processes and languages, through a hidden JSON-RPC method.

Python API (`Simulator.faults`, always available to the code that holds the simulator):

    drop()                     cut every connection's TCP now, no Close frame (client: 1006)
    reboot(seconds)            Simulator.reboot: cut, 502 on upgrades, factory state after
    close(code, reason)        send a Close frame with any sendable code (1000, 1001, 1011, 4000…)
    silence(seconds=None)      stop reading and writing (pings and frames unanswered), TCP
                               left open; new upgrades hang; ends after `seconds` or heal()
    heal()                     end a silence: reading and writing resume
    rate_limit(seconds)        upgrades get HTTP 503 for `seconds`
    delay(seconds)             every later request is handled `seconds` late (0 = off)
    subscribe_delay(seconds)   every later xFeedback/Subscribe is handled `seconds` late: its
                               reply (and the subscription) come late, events follow (0 = off)
    not_ready(seconds)         every request gets -31997 Not Ready for `seconds`
    subscriber_limit(seconds=None, count=None)  xFeedback/Subscribe gets -31998 Subscriber
                               Count Exceeded — every one, or with `count` only those beyond
                               `count` subscriptions held on the device (all connections)
    drop_on(method, skip=0)    cut every connection (as drop()) when the (skip+1)-th later
                               `method` request arrives, instead of answering it; once
    send_garbage(kind, size=…, count=2)  one bad frame to every client; kinds in GARBAGE
    send_raw(data)             any text or bytes frame to every client (fuzzing)
    clear()                    end every fault above except a reboot in progress

Hidden JSON-RPC method (only when the simulator was built with `faults=True`, i.e.
`xshell-sim --faults`; otherwise it is an unknown method like any other, -32601):

    {"jsonrpc":"2.0","id":1,"method":"xSimulator/Fault",
     "params":{"Kind":"drop"|"reboot"|"close"|"silence"|"heal"|"rate_limit"|"delay"|
               "subscribe_delay"|"not_ready"|"subscriber_limit"|"drop_on"|"garbage"|"clear",
               "Seconds":<number>, "Code":<int>, "Reason":<str>, "Type":<garbage kind>,
               "Size":<bytes>, "Count":<int>, "Method":<str>, "Skip":<int>}}

`Count` is the garbage count, or subscriber_limit's cap; `Method` and `Skip` are drop_on's.

The reply (`{"status":"OK"}`) is sent before the fault strikes. Device-wide faults hit
every connection; `garbage` goes to the requesting connection only. Kind names are
case-insensitive and `-`/`_` are optional ("rate-limit", "RateLimit").

Garbage kinds: text (truncated JSON), binary, array (JSON that is not an object),
unknown_id (a reply nobody asked for), error_null (a -32700 reply with id null),
unknown_subscription (feedback for an Id never handed out), huge (a `size`-byte
unsolicited feedback frame, 20 MiB by default), duplicate (the next reply is sent
twice), reorder (the next `count` replies are held and sent in reverse order).
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xshell.errors import InternalError, NotReady, SubscriberCountExceeded, XAPIError
from xshell.sim.jsonrpc import Answer

if TYPE_CHECKING:
    from websockets.asyncio.server import ServerConnection
    from websockets.http11 import Response

    from xshell.sim.server import Connection
    from xshell.sim.simulator import Simulator

log = logging.getLogger("xshell.sim")

FAULT_METHOD = "xSimulator/Fault"
MiB = 1024 * 1024
GARBAGE = ("text", "binary", "array", "unknown_id", "error_null", "unknown_subscription", "huge",
           "duplicate", "reorder")
KINDS = ("drop", "reboot", "close", "silence", "heal", "rate_limit", "delay", "subscribe_delay",
         "not_ready", "subscriber_limit", "drop_on", "garbage", "clear")
UNKNOWN_ID = 987654321
UNKNOWN_SUBSCRIPTION = 4711


def sendable_close_code(code: int) -> bool:
    """RFC 6455 §7.4: what may travel in a Close frame (1005/1006/1015 never do)."""
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1014 or 3000 <= code <= 4999


def _norm(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


_KIND_BY_NORM = {_norm(k): k for k in KINDS}
_GARBAGE_BY_NORM = {_norm(k): k for k in GARBAGE}


@dataclass
class _Refusal:
    """A request fault: `make()` gives the error a matching request gets, or None to let
    it through; set by the fault `name` (setting that fault again replaces it)."""

    name: str
    method: str  # lower case, or "*" for every method
    until: float | None
    make: Callable[[], XAPIError | None]


@dataclass
class _Shaping:
    """Per-connection faults that act on the connection's next replies."""

    duplicate: bool = False
    reorder: int = 0
    held: list[str] = field(default_factory=list)


class Faults:
    """The fault switches of one simulator (see the module docstring)."""

    def __init__(self, sim: Simulator, rpc_enabled: bool = False) -> None:
        self.sim = sim
        self.rpc_enabled = rpc_enabled
        self.request_delay = 0.0
        self.subscribe_delay_s = 0.0
        self._refusals: list[_Refusal] = []
        self._rate_limited_until = 0.0
        self._talking = asyncio.Event()
        self._talking.set()
        self._silence_timer: asyncio.TimerHandle | None = None
        self._shaping: dict[Connection, _Shaping] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- hooks used by the server and the dispatcher ---------------------------------

    def attach(self, conn: Connection) -> None:
        if not self._talking.is_set():
            self._mute(conn)

    def detach(self, conn: Connection) -> None:
        self._shaping.pop(conn, None)

    async def upgrade(self, ws: ServerConnection) -> Response | None:
        """Before the device's own upgrade checks: hang while silent, 503 while rate-limited."""
        await self._talking.wait()
        if time.monotonic() < self._rate_limited_until:
            return ws.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "Rate limit exceeded.\n")
        return None

    def delay_for(self, method: str) -> float:
        """How late to handle a request (the fault method itself is never delayed)."""
        low = method.lower()
        if low.startswith("xsimulator/"):
            return 0.0
        if low == "xfeedback/subscribe" and self.subscribe_delay_s:
            return max(self.request_delay, self.subscribe_delay_s)
        return self.request_delay

    def refusal(self, low_method: str) -> XAPIError | None:
        """The error a refused request gets, if a not-ready/subscriber/drop_on fault is on."""
        if not self._refusals:
            return None
        now = time.monotonic()
        for refusal in list(self._refusals):
            if refusal.until is not None and now >= refusal.until:
                self._refusals.remove(refusal)
            elif refusal.method == "*" or refusal.method == low_method:
                err = refusal.make()
                if err is not None:
                    return err
        return None

    def shape(self, conn: Connection, message: Mapping[str, Any], text: str) -> bool:
        """Outgoing hook: True when the fault layer took the frame (held or doubled)."""
        shaping = self._shaping.get(conn)
        if shaping is None or "id" not in message:
            return False
        if shaping.duplicate:
            shaping.duplicate = False
            conn.send_raw(text)
            conn.send_raw(text)
            self._settle(conn, shaping)
            return True
        if shaping.reorder > 0:
            shaping.held.append(text)
            shaping.reorder -= 1
            if shaping.reorder == 0:
                for held in reversed(shaping.held):
                    conn.send_raw(held)
                shaping.held.clear()
            self._settle(conn, shaping)
            return True
        return False

    def _settle(self, conn: Connection, shaping: _Shaping) -> None:
        if not shaping.duplicate and not shaping.reorder and not shaping.held:
            self._shaping.pop(conn, None)
            conn.shaper = None

    # --- device-wide faults ----------------------------------------------------------

    def drop(self) -> None:
        """Pull the cable the hard way: every TCP connection is aborted, no Close frame."""
        for conn in self.sim.connection_list():
            conn.closing = True
            conn.cancel_tasks()
            conn.ws.transport.abort()

    def reboot(self, seconds: float) -> None:
        self.sim.reboot(_seconds(seconds, "reboot"))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close every connection with a Close frame carrying `code` and `reason`."""
        if isinstance(code, bool) or not isinstance(code, int) or not sendable_close_code(code):
            raise ValueError(f"close code {code!r} cannot be sent in a Close frame "
                             "(1000-1003, 1007-1014, 3000-4999)")
        if len(str(reason).encode()) > 123:
            raise ValueError("a close reason is at most 123 bytes of UTF-8")
        for conn in self.sim.connection_list():
            self._spawn(conn.ws.close(code, str(reason)))

    def silence(self, seconds: float | None = None) -> None:
        """Stop answering anything — pings included — without closing TCP (a dead link)."""
        self._talking.clear()
        for conn in self.sim.connection_list():
            self._mute(conn)
        if self._silence_timer is not None:
            self._silence_timer.cancel()
            self._silence_timer = None
        if seconds is not None:
            self._silence_timer = asyncio.get_running_loop().call_later(
                _seconds(seconds, "silence"), self.heal)

    def heal(self) -> None:
        """End a silence: held frames go out, reading resumes, upgrades proceed."""
        if self._silence_timer is not None:
            self._silence_timer.cancel()
            self._silence_timer = None
        self._talking.set()
        for conn in self.sim.connection_list():
            with contextlib.suppress(Exception):  # a connection the peer already cut
                conn.ws.transport.resume_reading()
            conn.gate.set()

    def rate_limit(self, seconds: float) -> None:
        """Every upgrade attempt gets HTTP 503 for `seconds`."""
        self._rate_limited_until = time.monotonic() + _seconds(seconds, "rate_limit")

    def delay(self, seconds: float) -> None:
        """Handle every later request `seconds` late (replies then overtake each other)."""
        self.request_delay = _seconds(seconds, "delay")

    def subscribe_delay(self, seconds: float) -> None:
        """Handle every later xFeedback/Subscribe `seconds` late (0 = off): a reply that
        comes after the client's timeout, with the subscription's events right behind it."""
        self.subscribe_delay_s = _seconds(seconds, "subscribe_delay")

    def not_ready(self, seconds: float) -> None:
        """Every request gets -31997 Not Ready for `seconds` (a codec still booting)."""
        self._refuse("not_ready", "*", _seconds(seconds, "not_ready"), lambda: NotReady("Not Ready"))

    def subscriber_limit(self, seconds: float | None = None, count: int | None = None) -> None:
        """xFeedback/Subscribe gets -31998 Subscriber Count Exceeded (until clear()).

        count: refuse only while the device holds `count` subscriptions or more, over all
        connections (a codec that still counts a dead connection's subscriptions).
        """
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            raise ValueError(f"subscriber_limit: Count must be a whole number >= 0, not {count!r}")

        def make() -> XAPIError | None:
            if count is not None and sum(len(c.subscriptions) for c in self.sim.connection_list()) < count:
                return None
            return SubscriberCountExceeded("Subscriber Count Exceeded")
        self._refuse("subscriber_limit", "xfeedback/subscribe",
                     None if seconds is None else _seconds(seconds, "subscriber_limit"), make)

    def drop_on(self, method: str, skip: int = 0) -> None:
        """Cut every connection the moment the (skip+1)-th later `method` request arrives,
        unanswered — e.g. a link lost halfway through restoring feedback registrations."""
        if not isinstance(method, str) or not method:
            raise ValueError(f"drop_on: Method must be a method name, not {method!r}")
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ValueError(f"drop_on: Skip must be a whole number >= 0, not {skip!r}")
        left = [skip]

        def make() -> XAPIError | None:
            if left[0] > 0:
                left[0] -= 1
                return None
            self._refusals[:] = [r for r in self._refusals if r.name != "drop_on"]
            self.drop()  # the answer below is never sent: the connection is closing
            return InternalError("Internal error")
        self._refuse("drop_on", method.lower(), None, make)

    def clear(self) -> None:
        """Every fault off (a reboot in progress runs its course)."""
        self.heal()
        self._refusals.clear()
        self._rate_limited_until = 0.0
        self.request_delay = 0.0
        self.subscribe_delay_s = 0.0
        for conn, shaping in list(self._shaping.items()):
            for held in shaping.held:
                conn.send_raw(held)
            conn.shaper = None
        self._shaping.clear()

    def _refuse(self, name: str, method: str, seconds: float | None,
                make: Callable[[], XAPIError | None]) -> None:
        self._refusals[:] = [r for r in self._refusals if r.name != name]
        self._refusals.append(_Refusal(name, method, None if seconds is None else time.monotonic() + seconds,
                                       make))

    def _mute(self, conn: Connection) -> None:
        conn.gate.clear()
        with contextlib.suppress(Exception):
            conn.ws.transport.pause_reading()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- bad frames ------------------------------------------------------------------

    def send_raw(self, data: str | bytes, conn: Connection | None = None) -> None:
        """Send `data` as one text (str) or binary (bytes) frame, unchecked."""
        if not isinstance(data, (str, bytes)):
            raise TypeError(f"a frame is str or bytes, not {type(data).__name__}")
        for target in [conn] if conn is not None else self.sim.connection_list():
            target.send_raw(data)

    def send_garbage(self, kind: str, size: int = 20 * MiB, count: int = 2,
                     conn: Connection | None = None) -> None:
        """One bad frame of `kind` (see GARBAGE) to `conn`, or to every connection."""
        name = _GARBAGE_BY_NORM.get(_norm(str(kind)))
        if name is None:
            raise ValueError(f"unknown garbage kind {kind!r}; one of {', '.join(GARBAGE)}")
        targets = [conn] if conn is not None else self.sim.connection_list()
        if name in ("duplicate", "reorder"):
            if name == "reorder" and (isinstance(count, bool) or not isinstance(count, int) or count < 2):
                raise ValueError(f"reorder needs a count of at least 2 replies, not {count!r}")
            for target in targets:
                shaping = self._shaping.setdefault(target, _Shaping())
                if name == "duplicate":
                    shaping.duplicate = True
                else:
                    shaping.reorder = count
                target.shaper = self.shape
            return
        frame = garbage_frame(name, size)
        for target in targets:
            target.send_raw(frame)

    # --- the hidden JSON-RPC method --------------------------------------------------

    def rpc(self, conn: Connection, params: Any) -> Answer:
        """xSimulator/Fault: validate now (errors reach the caller), strike after the reply."""
        from xshell.sim.faultrpc import fault_rpc  # the method's parameters are its own concern

        return fault_rpc(self, conn, params)


def garbage_frame(kind: str, size: int = 20 * MiB) -> str | bytes:
    """The frame a garbage kind sends (duplicate/reorder are not frames but shaping)."""
    if kind == "text":
        return '{"jsonrpc":"2.0","id":'
    if kind == "binary":
        return b"\x82\x00\xff\xfe binary garbage"
    if kind == "array":
        return "[1,2,3]"
    if kind == "unknown_id":
        return json.dumps({"id": UNKNOWN_ID, "jsonrpc": "2.0", "result": {"status": "OK"}},
                          separators=(",", ":"))
    if kind == "error_null":
        return '{"error":{"code":-32700,"message":"Parse error"},"id":null,"jsonrpc":"2.0"}'
    if kind == "unknown_subscription":
        return json.dumps({"jsonrpc": "2.0", "method": "xFeedback/Event",
                           "params": {"Id": UNKNOWN_SUBSCRIPTION, "Status": {"Audio": {"Volume": 50}}}},
                          separators=(",", ":"))
    if kind == "huge":
        head = '{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Id":%d,"Status":{"Padding":"' \
            % UNKNOWN_SUBSCRIPTION
        tail = '"}}}'
        return head + "x" * max(0, size - len(head) - len(tail)) + tail
    raise ValueError(f"unknown garbage kind {kind!r}")


def _seconds(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 86400:
        raise ValueError(f"{what}: Seconds must be a number from 0 to 86400, not {value!r}")
    return float(value)
