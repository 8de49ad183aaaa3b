"""The raw JSON-RPC half of XoWSClient: one request out, its answer (or its failure) back.

Kept apart from the connection machinery in client.py, which owns the link these use:
the outbox to write to, the table of requests in flight, the per-request deadlines.
Every xAPI method (xshell.transport.xapi, feedbackapi) ends in `call()`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

from xshell.errors import ConnectionLost, RequestTimeout
from xshell.transport.replies import Reply
from xshell.transport.rpc import RpcTable

log = logging.getLogger(__name__)
_perf_counter = time.perf_counter

if TYPE_CHECKING:
    from xshell.transport.deadlines import Deadlines
    from xshell.transport.target import Target


class RawCalls:
    """`call()` and `notify()` over the client's current link (a mixin of XoWSClient)."""

    if TYPE_CHECKING:  # provided by XoWSClient
        _outbox: Any
        _rpc: RpcTable
        _deadlines: Deadlines
        target: Target
        timeout: float | None
        close_reason: str | None
        last_rtt: float | None
        fast: bool
        _timed: tuple[int, float]

        @property
        def reconnecting(self) -> bool: ...

    @property
    def on_frame(self) -> FrameTap | None:
        """A plain hook that sees every JSON-RPC frame: `hook(direction, frame)`, direction
        "sent" or "received", the frame as it travels (UTF-8 bytes out, text in), called
        in the loop turn it is sent or read, on either receive path. None (the default)
        costs one attribute check per frame. Kept across reconnects. The hook must not
        block; an exception in it is logged and the frame handled as usual."""
        return getattr(self._rpc.tap, "hook", None)

    @on_frame.setter
    def on_frame(self, hook: FrameTap | None) -> None:
        self._rpc.tap = None if hook is None else safe_tap(hook)

    def _expire(self, rid: int, method: str, limit: float) -> None:
        self._rpc.expire(rid, RequestTimeout(
            f"No answer to {method} from {self.target.display} within {limit:g} s"))

    def _not_connected(self) -> ConnectionLost:
        why = self.close_reason or "the connection is closed"
        if self.reconnecting:
            why = f"reconnecting ({why})"
        return ConnectionLost(f"Not connected to {self.target.display}: {why}")

    def _settled(self, rid: int) -> None:
        """A reply to `rid` arrived (RpcTable.settled): its deadline is over; time the latest."""
        self._deadlines.settle(rid)
        timed = self._timed
        if rid == timed[0]:
            self.last_rtt = _perf_counter() - timed[1]

    # ------------------------------------------------------------------ raw JSON-RPC
    def request(self, method: str, params: Any = None) -> Coroutine[Any, Any, Any]:
        """`call(method, params)` with the client's timeout, as cheap as a request can be.

        On the fast path the answer's future itself (xshell.transport.replies.Reply, which
        is also a coroutine): no Task when gathered, its deadline and the round-trip time
        settled when the reply is dispatched, a cancelled one simply ignored when its reply
        comes. On the plain path (fast=False) it is `call()`'s coroutine. Either way a
        value that cannot be sent as JSON raises ValueError here; a missing link, a
        timeout or the device's error are raised when it is awaited.
        """
        if not self.fast:
            return self.call(method, params)
        outbox = self._outbox
        rpc = self._rpc
        if outbox is None or self.close_reason is not None:
            failed = Reply(loop=asyncio.get_running_loop())
            failed.set_exception(self._not_connected())
            return cast("Coroutine[Any, Any, Any]", failed)
        try:
            rid, data, fut = rpc.open(method, params, None, Reply)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"params of {method} cannot be sent as JSON: {exc}") from None
        limit = self.timeout
        if limit:
            self._deadlines.add(rid, method, limit)
        if rpc.tap is not None:
            rpc.tap("sent", data)
        self._timed = (rid, _perf_counter())
        outbox.push(data, fut)  # registered above, so even the fastest reply finds it
        return cast("Coroutine[Any, Any, Any]", fut)  # a Reply: registered as a Coroutine

    async def call(self, method: str, params: Any = None, *, timeout: float | None = None,
                   _hook: Callable[[Any], None] | None = None) -> Any:
        """Send one request and return its `result`; raise XAPIError, RequestTimeout, ConnectionLost.

        `timeout` overrides the client's default for this request.
        """
        outbox = self._outbox
        if outbox is None or self.close_reason is not None:
            raise self._not_connected()
        if type(method) is not str:
            raise ValueError(f"method must be a string, not {type(method).__name__}")
        rpc = self._rpc
        try:
            rid, data, fut = rpc.open(method, params, _hook)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"params of {method} cannot be sent as JSON: {exc}") from None
        limit = timeout if timeout is not None else self.timeout
        if limit:
            self._deadlines.add(rid, method, limit)
        if rpc.tap is not None:
            rpc.tap("sent", data)
        started = time.perf_counter()
        outbox.push(data, fut)  # registered above, so even the fastest reply finds it
        try:
            result = await fut
        except BaseException:
            rpc.forget(rid)
            if fut.done() and not fut.cancelled() and not isinstance(fut.exception(),
                                                                      (RequestTimeout, ConnectionLost)):
                self.last_rtt = time.perf_counter() - started  # an error reply is a round trip
            raise
        finally:
            if limit:
                self._deadlines.discard(rid, limit)
        self.last_rtt = time.perf_counter() - started
        return result

    async def notify(self, method: str, params: Any = None) -> None:
        """Send a request without id: the device runs it and sends no reply."""
        outbox = self._outbox
        if outbox is None or self.close_reason is not None:
            raise self._not_connected()
        try:
            data = RpcTable.encode_notification(method, params)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"params of {method} cannot be sent as JSON: {exc}") from None
        if self._rpc.tap is not None:
            self._rpc.tap("sent", data)
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        outbox.push(data, ack=written)  # queued behind earlier requests: order is kept
        await written


FrameTap = Callable[[str, "str | bytes"], None]
"""(direction "sent" | "received", the frame as it travels): XoWSClient.on_frame."""


def safe_tap(hook: FrameTap) -> FrameTap:
    """`hook`, made harmless: a listener's bug is logged, the frame is handled as usual."""
    def tap(direction: str, raw: str | bytes) -> None:
        try:
            hook(direction, raw)
        except Exception:
            log.exception("frame hook failed")
    tap.hook = hook  # type: ignore[attr-defined]  # on_frame gives back what it was given
    return tap
