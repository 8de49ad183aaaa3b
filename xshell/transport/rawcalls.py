"""The raw JSON-RPC half of XoWSClient: one request out, its answer (or its failure) back.

Kept apart from the connection machinery in client.py, which owns the link these use:
the outbox to write to, the table of requests in flight, the per-request deadlines.
Every xAPI method (xshell.transport.xapi, feedbackapi) ends in `call()`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from xshell.errors import ConnectionLost, RequestTimeout
from xshell.transport.rpc import RpcTable

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

        @property
        def reconnecting(self) -> bool: ...

    def _expire(self, rid: int, method: str, limit: float) -> None:
        self._rpc.expire(rid, RequestTimeout(
            f"No answer to {method} from {self.target.display} within {limit:g} s"))

    def _not_connected(self) -> ConnectionLost:
        why = self.close_reason or "the connection is closed"
        if self.reconnecting:
            why = f"reconnecting ({why})"
        return ConnectionLost(f"Not connected to {self.target.display}: {why}")

    # ------------------------------------------------------------------ raw JSON-RPC
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
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        outbox.push(data, ack=written)  # queued behind earlier requests: order is kept
        await written
