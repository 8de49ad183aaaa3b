"""Outgoing frames of one connection, written in one batch per event-loop turn.

Awaiting websockets' `send()` once per request costs more than the request itself when
thousands are in flight: an async context manager, a drain, and one `socket.send`
syscall per frame. Requests are instead queued here (after their future is registered,
so a fast reply always finds it) and one callback scheduled with `call_soon` writes
every frame queued during this loop turn with a single `transport.write` — in the order
they were issued. A turn that issues a burst writes every EARLY frames as it goes, so
the device works on the first ones while the rest are built (20,000 gathered requests:
about 1.6× the throughput of one write at the end). Frames are masked with bytes from a pool filled by `os.urandom`
(RFC 6455 §5.3 wants a strong entropy source, not a syscall per frame); when an
extension such as permessage-deflate is in use, frames go through websockets' protocol
object, which applies it.

The fast path only: websockets' protocol object, its connection's transport and its
`speedups.apply_mask` are internals, reached only through xshell.transport.wsfast (which
says why, and how to switch to the plain `send()` of xshell.transport.plainsend).

Flow control: the caller of a request already waits for its reply, so the frames
queued here are bounded by the requests in flight; the transport buffers what the
socket cannot take yet, as websockets' own `send()` would before its drain.
"""

from __future__ import annotations

import asyncio
import logging
import os
import struct
from collections.abc import Callable
from typing import Any

from websockets.asyncio.connection import Connection
from websockets.protocol import State

try:  # websockets' C helper; the pure-Python one is the fallback it ships with
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - depends on the installed wheel
    from websockets.utils import apply_mask

__all__ = ["Outbox", "mask_frame"]

log = logging.getLogger(__name__)

_POOL = 4096  # mask bytes drawn from the OS at a time (1,024 frames)
# A loop turn that queues this many frames writes them at once rather than at its end:
# 20,000 requests gathered in one turn would otherwise reach the device only after all
# were built, leaving it idle meanwhile (and the client idle while it answers).
EARLY = 256
_TEXT_FIN = 0x81
_MASKED = 0x80
_short = struct.Struct("!BB").pack
_medium = struct.Struct("!BBH").pack
_long = struct.Struct("!BBQ").pack


class _Masks:
    """4-byte masking keys cut from one urandom read at a time."""

    def __init__(self) -> None:
        self._pool = b""
        self._at = _POOL

    def take(self) -> bytes:
        at = self._at
        if at >= _POOL:
            self._pool = os.urandom(_POOL)
            at = 0
        self._at = at + 4
        return self._pool[at:at + 4]


def mask_frame(payload: bytes, mask: bytes) -> bytes:
    """One final, masked text frame carrying `payload` (a client's frame, RFC 6455 §5.2)."""
    length = len(payload)
    if length < 126:
        head = _short(_TEXT_FIN, _MASKED | length)
    elif length < 65536:
        head = _medium(_TEXT_FIN, _MASKED | 126, length)
    else:
        head = _long(_TEXT_FIN, _MASKED | 127, length)
    return head + mask + apply_mask(payload, mask)


class Outbox:
    """The send side of one connection: `push()` queues, one flush per loop turn writes.

    `waiter` futures passed with a frame get None once it is written; any future passed
    fails with `lost()` when the frame cannot be written because the link is going away.
    """

    def __init__(self, ws: Connection, lost: Callable[[], BaseException]) -> None:
        self._ws = ws
        self._lost = lost
        self._loop = asyncio.get_running_loop()
        self._frames: list[bytes] = []
        self._futures: list[asyncio.Future[Any] | None] = []
        self._acks: list[asyncio.Future[None]] = []
        self._scheduled = False
        self._masks = _Masks()

    def push(self, data: bytes, fut: asyncio.Future[Any] | None = None,
             ack: asyncio.Future[None] | None = None) -> None:
        """Queue one text frame (UTF-8); `fut` fails if it is never written, `ack` hears either way."""
        frames = self._frames
        frames.append(data)
        self._futures.append(fut)
        if ack is not None:
            self._acks.append(ack)
        if len(frames) >= EARLY:  # a burst: let the device start on these meanwhile
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    async def drain(self) -> None:
        """Write what is queued now (the plain path's drain waits; this one need not)."""
        self.flush()

    def flush(self) -> None:
        """Write every queued frame now, in order (called once per loop turn)."""
        self._scheduled = False
        frames, self._frames = self._frames, []
        futures, self._futures = self._futures, []
        acks, self._acks = self._acks, []
        if not frames:
            return
        ws = self._ws
        protocol = ws.protocol
        if protocol.state is not State.OPEN or ws.send_in_progress is not None:
            self._fail(futures, acks)
            return
        try:
            if protocol.extensions or protocol.expect_continuation_frame:
                send_text = protocol.send_text
                for data in frames:
                    send_text(data)
                # an open connection queues no end-of-stream marker (an empty chunk)
                chunks = [chunk for chunk in protocol.data_to_send() if chunk]
            else:
                take = self._masks.take
                chunks = [mask_frame(data, take()) for data in frames]
            if chunks:
                ws.transport.write(b"".join(chunks) if len(chunks) > 1 else chunks[0])
        except Exception as exc:  # the link is unusable; fail, never raise
            log.debug("writing %d frame(s) failed", len(frames), exc_info=True)
            ws.set_connection_exc(exc)
            ws.transport.abort()
            self._fail(futures, acks)
            return
        for ack in acks:
            if not ack.done():
                ack.set_result(None)

    def _fail(self, futures: list[asyncio.Future[Any] | None],
              acks: list[asyncio.Future[None]]) -> None:
        for fut in (*futures, *acks):
            if fut is not None and not fut.done():
                fut.set_exception(self._lost())
