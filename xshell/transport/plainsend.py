"""Outgoing frames through websockets' public `send()`, in the order they were issued.

The plain path's counterpart of xshell.transport.outbox (see xshell.transport.wsfast for
the switch): the same `push()`/`drain()` contract, so the client does not know which one
it holds. Callers queue synchronously (after registering their reply future, so a fast
reply always finds it); one writer task sends the queue in order, one `await send()` per
frame — slower than one write per loop turn, but nothing below the public API.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection

__all__ = ["PlainOutbox"]

log = logging.getLogger(__name__)

_Item = tuple[bytes, "asyncio.Future[Any] | None", "asyncio.Future[None] | None"]


class PlainOutbox:
    """The send side of one connection on the plain path.

    `fut` passed with a frame fails with `lost()` when the frame cannot be sent; `ack`
    gets None once it is sent, or that failure.
    """

    def __init__(self, ws: ClientConnection, lost: Callable[[], BaseException],
                 close_timeout: float | None = None) -> None:
        self._ws = ws
        self._lost = lost
        self._close_timeout = close_timeout
        self._queue: collections.deque[_Item] = collections.deque()
        self._writer: asyncio.Task[None] | None = None

    def push(self, data: bytes, fut: asyncio.Future[Any] | None = None,
             ack: asyncio.Future[None] | None = None) -> None:
        """Queue one text frame (UTF-8 bytes); the writer task sends it after those before."""
        self._queue.append((data, fut, ack))
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def drain(self) -> None:
        """Wait until what was queued so far is sent (bounded by the close timeout)."""
        writer = self._writer
        if writer is not None and writer is not asyncio.current_task():
            await asyncio.wait({writer}, timeout=self._close_timeout)

    async def _write(self) -> None:
        queue = self._queue
        send = self._ws.send
        try:
            while queue:
                data, fut, ack = queue[0]
                try:
                    await send(data, text=True)
                except Exception:  # closed or broken: fail what waits, never raise
                    log.debug("sending %d frame(s) failed", len(queue), exc_info=True)
                    self._fail_all()
                    return
                queue.popleft()
                if ack is not None and not ack.done():
                    ack.set_result(None)
        finally:
            self._writer = None

    def _fail_all(self) -> None:
        items, self._queue = list(self._queue), collections.deque()
        for _, fut, ack in items:
            for waiter in (fut, ack):
                if waiter is not None and not waiter.done():
                    waiter.set_exception(self._lost())
