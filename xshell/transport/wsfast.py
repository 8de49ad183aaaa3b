"""The one door to websockets below its public API, and the switch that closes it.

Why these fast paths exist: a round trip through websockets' public API costs a task hop
per received message (its queue and `recv()`), an async context manager and a syscall per
sent frame, and a generator-based parser with a Frame object per received frame. With
thousands of requests in flight or a feedback storm, that is most of the cost. So, on the
fast path (the default):

- receiving: `FastConnection` (below) hands each data message straight from
  `data_received` to the client's sink, in the loop turn it arrives; without a negotiated
  extension the frames are cut out by xshell.transport.leanframes (websockets keeps the
  control frames and the closing handshake); with permessage-deflate websockets parses
  and inflates, and `process_event` takes its Frame events;
- sending: xshell.transport.outbox writes every frame queued in one loop turn with a
  single `transport.write`, masking them itself (through websockets' protocol object
  when an extension is in use).

- requesting: the xAPI methods hand back the reply's future itself
  (xshell.transport.replies.Reply, also a coroutine), so a gathered request needs no Task.

Both read and write websockets' protocol object (`state`, `extensions`, `current_size`,
`fail`, `send_text`, `data_to_send`), override its connection's `data_received` and
`process_event`, and use its `speedups.apply_mask`: internals that may change in any
release, which is why pyproject pins `websockets>=17.0,<18`. Nothing else in xshell
imports leanframes or outbox (the bench and the tests measure and test them directly).

The switch: `XoWSClient(fast=False)`, or `XSHELL_WS_FAST=0` in the environment (also
`false`, `no`, `off`; the argument wins over the variable), selects the plain public API
instead: messages from `recv()` in the client's reader task, frames through `send()` in
order (xshell.transport.plainsend), nothing overridden. Behaviour is the same —
the same messages, errors, close reasons and keepalive verdicts — only slower; it is the
way out if a websockets release breaks the fast path. What both paths share uses only
public names: the peer check and signs of life (xshell.transport.peercheck), the
keepalive (`ping()`), and why a link ended (from ConnectionClosed's `rcvd`/`sent`).
The redirect policy (xshell.transport.opening) overrides websockets' `connect.
process_redirect` on both paths: refusing to carry credentials to another host is not
a speed-up that can be switched off.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import State

from xshell.transport.leanframes import LeanReader
from xshell.transport.outbox import Outbox
from xshell.transport.peercheck import CheckedConnection
from xshell.transport.plainsend import PlainOutbox

__all__ = ["ENV", "FastConnection", "LEAN", "PLAIN", "WEBSOCKETS_FRAMES", "attach_sink",
           "fast_enabled", "make_outbox", "receive_path"]

ENV = "XSHELL_WS_FAST"
_OFF = ("0", "false", "no", "off")

# How a connection's data messages reach the client (receive_path):
LEAN = "lean"  # fast: the lean frame reader (no extension negotiated)
WEBSOCKETS_FRAMES = "websockets-frames"  # fast: websockets parses (permessage-deflate), no queue
PLAIN = "plain"  # the public API: recv() in the reader task

FrameSink = Callable[[str | bytes], None]
_monotonic = time.monotonic
Sender = Outbox | PlainOutbox


def fast_enabled(choice: bool | None = None) -> bool:
    """The caller's choice, else $XSHELL_WS_FAST (off for 0/false/no/off), else on."""
    if choice is not None:
        return bool(choice)
    return os.environ.get(ENV, "").strip().lower() not in _OFF


def make_outbox(ws: ClientConnection, lost: Callable[[], BaseException],
                close_timeout: float | None) -> Sender:
    """The send side for `ws`: batched writes on a fast connection, `send()` otherwise."""
    if isinstance(ws, FastConnection):
        return Outbox(ws, lost)
    return PlainOutbox(ws, lost, close_timeout)


def attach_sink(ws: ClientConnection, sink: FrameSink) -> bool:
    """Point a fast connection's messages at `sink` (those already in are delivered now);
    False for a plain one, whose messages come from `recv()`."""
    if not isinstance(ws, FastConnection):
        return False
    ws.xs_sink = sink
    return True


def receive_path(ws: ClientConnection | None) -> str | None:
    """LEAN, WEBSOCKETS_FRAMES or PLAIN: which receive path `ws` uses (None: no link)."""
    if ws is None:
        return None
    if not isinstance(ws, FastConnection):
        return PLAIN
    return LEAN if ws._xs_reader is not None else WEBSOCKETS_FRAMES


class FastConnection(CheckedConnection):
    """Data messages go to `xs_sink` straight from `data_received` instead of through
    websockets' message queue and a reader task: a reply then resolves its request's
    future in the same loop turn it arrives (one task hop less per round trip). Without
    a negotiated extension the frames after the upgrade response are cut out by
    xshell.transport.leanframes, which hands websockets only control frames and anything
    unusual; messages that arrive before a sink is set wait for it. With one, websockets
    parses and this class intercepts its Frame events. Either way text that is not UTF-8
    fails the connection (close code 1007), as RFC 6455 §8.1 asks.
    """

    def __init__(self, protocol: Any, **kwargs: Any) -> None:
        super().__init__(protocol, **kwargs)
        self._xs_sink: FrameSink | None = None
        self._xs_early: list[str | bytes] = []
        self._xs_parts: list[bytes] | None = None
        self._xs_text = False
        self._xs_seen = b""  # the end of the upgrade response read so far (to find its end)
        self._xs_reader: LeanReader | None = None

    @property
    def xs_sink(self) -> FrameSink | None:
        return self._xs_sink

    @xs_sink.setter
    def xs_sink(self, sink: FrameSink) -> None:
        """Set the sink (once the client has one); messages that arrived before it are
        delivered to it now, in order."""
        self._xs_sink = sink
        reader = self._xs_reader
        if reader is not None:  # from now on the lean reader calls the sink itself
            reader.on_text = reader.on_binary = sink
        early, self._xs_early = self._xs_early, []
        for message in early:
            self._xs_call(sink, message)

    # ---------------------------------------------------------------- the lean path
    def data_received(self, data: bytes) -> None:
        self.xs_last_rx = _monotonic()
        reader = self._xs_reader
        if reader is not None:
            reader.feed(data)
            return
        if self.protocol.state is not State.CONNECTING:
            super().data_received(data)
            return
        seen = self._xs_seen + data
        end = seen.find(b"\r\n\r\n")
        if end < 0:  # the upgrade response is not complete yet
            self._xs_seen = seen[-3:]
            super().data_received(data)
            return
        cut = end + 4 - (len(seen) - len(data))  # where the response ends inside `data`
        super().data_received(data[:cut])
        rest = data[cut:]
        protocol = self.protocol
        if protocol.state is State.OPEN and not protocol.extensions:
            sink = self._xs_sink or self._xs_early.append
            self._xs_reader = reader = LeanReader(protocol, super().data_received, sink, sink,
                                                  self._xs_bad_text)
            if rest:
                reader.feed(rest)
        elif rest:
            super().data_received(rest)

    def _xs_bad_text(self, exc: UnicodeDecodeError) -> None:
        self._xs_fail(CloseCode.INVALID_DATA, f"{exc.reason} at position {exc.start}")

    def _xs_message(self, text: bool, payload: bytes) -> None:
        """A message websockets parsed (no lean reader: an extension is in use)."""
        if text:
            try:
                message: str | bytes = payload.decode()
            except UnicodeDecodeError as exc:
                self._xs_bad_text(exc)
                return
        else:
            message = payload
        sink = self._xs_sink
        if sink is None:
            self._xs_early.append(message)
        else:
            self._xs_call(sink, message)

    def _xs_fail(self, code: CloseCode, reason: str) -> None:
        """Fail the connection through websockets (close frame, close timeout, state)."""
        self.protocol.fail(code, reason)
        if self._xs_reader is not None:
            self._xs_reader.bypassed = True
        super().data_received(b"")  # lets websockets send the close frame and arm its timer

    @staticmethod
    def _xs_call(sink: FrameSink, message: str | bytes) -> None:
        try:
            sink(message)
        except Exception:  # never let a handler bug break the socket
            logging.getLogger(__name__).exception("internal error while handling a frame")

    # ---------------------------------------------------------------- websockets' frames
    def process_event(self, event: Any) -> None:
        sink = self._xs_sink
        if sink is None or type(event) is not Frame:
            super().process_event(event)
            return
        opcode = event.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if not event.fin:
                self._xs_parts = [bytes(event.data)]
                self._xs_text = opcode is Opcode.TEXT
                return
            self._xs_message(opcode is Opcode.TEXT, bytes(event.data))
        elif opcode is Opcode.CONT and self._xs_parts is not None:
            self._xs_parts.append(bytes(event.data))
            if event.fin:
                parts, self._xs_parts = self._xs_parts, None
                self._xs_message(self._xs_text, b"".join(parts))
        else:
            super().process_event(event)

