"""XoWSClient: the device's xAPI over one WebSocket, as awaitable Python calls.

One reader task owns the socket's receive side and resolves request futures by id, so
any number of requests can be in flight and answered in any order (xows.md §9). The
UI never touches websockets directly; it gets typed errors instead — XAPIError
subclasses for JSON-RPC errors, ConnectionFailed subclasses for the link — and a
dropped link fails every waiting request at once rather than leaving it hanging.

The link is watched by keepalive pings (a dead one is noticed within ping_interval +
ping_timeout) and every change is told through `on_state(state, detail)` — connected,
disconnected, reconnecting, reconnected, closed (xshell.transport.reconnect_policy). With
`reconnect=True` (or a ReconnectPolicy) a lost link is re-opened with backoff and every
feedback registration is made again: `subscribe()` returns a client-side id that stays
valid across reconnects, the handler keeps receiving (payload, that id), and the
current values sent right after a re-subscription go to `on_resync(sub_id, payload)`
(or to the handler when no on_resync is set), so a shell can mark them as a resync.
A registration the device refuses to make again is retried in the background until it
is made (xshell.transport.restorer); `on_restore(unrestored, detail)` hears how many are
still missing. `adopt()` moves the registrations of a closed client to a new one, which
restores them the same way (a shell's manual `reconnect`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from xshell.errors import ConnectionLost, ProtocolError
from xshell.transport.deadlines import Deadlines
from xshell.transport.feedbackapi import FeedbackMethods
from xshell.transport.rawcalls import RawCalls
from xshell.transport.keepalive import keepalive, why_closed
from xshell.transport import wsfast
from xshell.transport.opening import open_websocket
from xshell.transport.peercheck import PeerState, PeerVerifier
from xshell.transport.reconnect_policy import (CLOSED, CONNECTED, DISCONNECTED, RECONNECTED,
                                       ReconnectPolicy, StateCallback, reconnect_loop,
                                       resolve_policy)
from xshell.transport.feedback_registry import Registry, ResyncHandler
from xshell.transport.restorer import Restorer
from xshell.transport.rpc import RpcTable, Subscription
from xshell.transport.target import Target, parse_target
from xshell.transport.xapi import XapiMethods

__all__ = ["MiB", "XoWSClient"]

log = logging.getLogger(__name__)

MiB = 1024 * 1024
REPORTS_PER_LINK = 10  # protocol errors told per link before the rest are only counted


def _default_protocol_error(err: ProtocolError) -> None:
    log.warning("protocol error: %s", err)


class XoWSClient(RawCalls, FeedbackMethods, XapiMethods):
    """A JSON-RPC 2.0 client for one device; use as `async with XoWSClient(...) as c:`.

    reconnect: None/False (default) = a lost link stays lost; True or a ReconnectPolicy =
    reconnect automatically. on_state(state, detail) hears every connection change;
    on_resync(sub_id, payload) gets the current values after a re-subscription;
    on_restore(unrestored, detail) hears when a registration could not be made again
    (detail: one line; "" when only the count changed) and when it finally was — without
    it, a failure goes to on_protocol_error.
    close_timeout bounds the closing handshake, so close() never hangs on a dead link.
    fast: websockets' fast paths (True) or only its public API (False); None = on unless
    $XSHELL_WS_FAST=0 (xshell.transport.wsfast). Same behaviour either way.
    """

    def __init__(self, target: str | Target, username: str = "admin", password: str = "", *,
                 auth: str = "basic", ssl_context: ssl.SSLContext | None = None,
                 insecure: bool = False, timeout: float | None = 30.0,
                 open_timeout: float | None = 10.0, ping_interval: float | None = 5.0,
                 ping_timeout: float | None = 5.0, max_size: int | None = 64 * MiB,
                 compression: str | None = "deflate", proxy: str | Literal[True] | None = True,
                 verify_peer: PeerVerifier | None = None,
                 on_protocol_error: Callable[[ProtocolError], None] | None = None,
                 on_close: Callable[[str], None] | None = None,
                 reconnect: ReconnectPolicy | bool | None = None,
                 on_state: StateCallback | None = None,
                 on_resync: ResyncHandler | None = None,
                 on_restore: Callable[[int, str], None] | None = None,
                 close_timeout: float | None = 3.0, fast: bool | None = None) -> None:
        if auth not in ("basic", "subprotocol"):
            raise ValueError(f"auth must be 'basic' or 'subprotocol', not {auth!r}")
        if ":" in username:
            raise ValueError("the user name must not contain ':'")
        self.target = target if isinstance(target, Target) else parse_target(target)
        if ssl_context is not None and (insecure or self.target.insecure):
            raise ValueError("give either ssl_context or insecure=True, not both")
        self.username = username
        self.__password = password  # name-mangled; never in repr, messages or logs
        self.auth = auth
        self.timeout = timeout if timeout else None
        self.open_timeout = open_timeout
        self.verify_peer = verify_peer
        self.on_protocol_error = on_protocol_error or _default_protocol_error
        self.on_close = on_close
        self.reconnect_policy = resolve_policy(reconnect)
        self.on_state = on_state
        self.on_resync = on_resync
        self.on_restore = on_restore
        self.state = DISCONNECTED
        self.state_detail = "not connected yet"
        self.reconnects = 0  # links re-opened automatically so far
        self._ssl_context = ssl_context
        self._insecure = insecure or self.target.insecure
        self._ping = (ping_interval, ping_timeout)
        self._close_timeout = close_timeout
        self._max_size = max_size
        self._compression = compression
        self._proxy = proxy
        self.fast = wsfast.fast_enabled(fast)
        self._rpc = RpcTable(self._report)
        self._reported = 0  # protocol errors told on the current link (see _report)
        self._registry = Registry()
        self._rng = random.Random()
        self._deadlines = Deadlines(self._expire)
        if self.fast:  # requests without a coroutine (rawcalls.request) end here
            self._rpc.settled = self._settled
        self._ws: ClientConnection | None = None
        self._outbox: wsfast.Sender | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pinger: asyncio.Task[None] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._restorer = Restorer(self._registry, self._resubscribe, self._restore_news,
                                  lambda: self.reconnect_policy or ReconnectPolicy(), self._rng,
                                  self.target.display)
        self._discarding: set[asyncio.Task[Any]] = set()
        self._closed: asyncio.Future[str] | None = None
        self._gone: asyncio.Future[str] | None = None
        self._closing = False
        self._dead_reason: str | None = None
        self._ever_connected = False
        self.close_reason: str | None = "not connected yet"
        self.last_rtt: float | None = None
        self._timed: tuple[int, float] = (0, 0.0)  # (id, start) of the latest fast-path request
        self.peer_certificate_der: bytes | None = None
        self.previous_subscriptions: list[Subscription] = []

    def __repr__(self) -> str:
        return f"<XoWSClient {self.username}@{self.target.url} {self.state}>"

    # ------------------------------------------------------------------ life cycle
    @property
    def connected(self) -> bool:
        return self._ws is not None and self.close_reason is None

    @property
    def reconnecting(self) -> bool:
        """An automatic reconnect is under way (waiting or attempting)."""
        return self._supervisor is not None and not self._supervisor.done()

    @property
    def closed(self) -> asyncio.Future[str]:
        """Resolves with the close reason when the current connection ends (for any cause)."""
        if self._closed is None:
            self._closed = asyncio.get_running_loop().create_future()
        return self._closed

    async def wait_closed(self) -> str:
        """Wait until the connection ends; return why."""
        return await asyncio.shield(self.closed)

    async def wait_gone(self) -> str:
        """Wait until the client is down for good and return why: closed by the caller,
        reconnecting given up, or — without auto-reconnect — the link lost."""
        if self._gone is None:
            self._gone = asyncio.get_running_loop().create_future()
        return await asyncio.shield(self._gone)

    @property
    def receive_path(self) -> str | None:
        """How messages arrive: wsfast.LEAN, WEBSOCKETS_FRAMES or PLAIN (None: no link)."""
        return wsfast.receive_path(self._ws)

    @property
    def in_flight(self) -> int:
        """Requests sent and not yet answered (timed-out, failed or cancelled ones are not
        counted: a cancelled fast-path request stays in the table until its reply comes,
        which is then dropped quietly; rawcalls.request)."""
        return sum(1 for fut in self._rpc.pending.values() if not fut.done())

    async def connect(self) -> None:
        """Open the WebSocket; raise a ConnectionFailed subclass with one sentence on failure.

        After a loss this also restores the feedback registrations (in the background).
        """
        if self.connected:
            return
        if self._supervisor is not None:
            self._supervisor.cancel()
            self._supervisor = None
        await self._open()
        self._opened()

    async def _open(self) -> None:
        peer = PeerState(self.verify_peer)
        ws = await open_websocket(
            self.target, username=self.username, password=self.__password, auth=self.auth,
            ssl_context=self._ssl_context, insecure=self._insecure,
            open_timeout=self.open_timeout, ping_interval=None, ping_timeout=None,
            max_size=self._max_size, compression=self._compression, proxy=self._proxy,
            peer=peer, close_timeout=self._close_timeout, lean=self.fast)
        self.peer_certificate_der = peer.der
        self.previous_subscriptions = list(self._registry.subscriptions.values())
        self._rpc.reset_subscriptions()
        self._registry.unbind_all()
        self._ws = ws
        self._outbox = wsfast.make_outbox(ws, self._not_connected, self._close_timeout)
        self._closing = False
        self._reported = 0
        self._dead_reason = None
        self.close_reason = None
        if self._closed is None or self._closed.done():
            self._closed = asyncio.get_running_loop().create_future()
        if self._gone is not None and self._gone.done():
            self._gone = None
        self._reader = asyncio.create_task(self._read_loop(ws), name=f"xows-reader {self.target.display}")
        wsfast.attach_sink(ws, self._rpc.dispatch)  # fast: messages straight from the socket
        interval, limit = self._ping
        if interval:
            self._pinger = asyncio.create_task(
                keepalive(ws, interval, limit, lambda why: self._mark_dead(ws, why)),
                name=f"xows-keepalive {self.target.display}")

    def _opened(self) -> None:
        """The link is (again) up: say so, then restore the registrations."""
        again = self._ever_connected
        self._ever_connected = True
        shown = self.target.display
        unbound = self._registry.unbound()
        if not again:
            self._emit(CONNECTED, f"connected to {shown}")
        else:
            told = sum(not reg.quiet for reg in unbound)  # the user's, not hidden watches
            more = f"; restoring {told} feedback registration{'s' * (told != 1)}" if told else ""
            self._emit(RECONNECTED, f"connected again to {shown}{more}")
        if unbound:
            self._restorer.start()

    async def _supervise(self) -> None:
        assert self.reconnect_policy is not None
        gave_up = await reconnect_loop(self.reconnect_policy, self.target.display, self._open,
                                       self._emit, self._rng)
        if gave_up is None:
            self.reconnects += 1
            self._opened()
        else:
            self._final(gave_up)

    async def close(self) -> None:
        """Close the connection (idempotent); pending requests fail with ConnectionLost.

        Also stops an automatic reconnect; the registrations stay for a later connect().
        """
        self._closing = True
        self._restorer.stop()
        if self._supervisor is not None and self._supervisor is not asyncio.current_task():
            self._supervisor.cancel()
        ws, reader = self._ws, self._reader
        if self._outbox is not None:
            await self._outbox.drain()  # what was issued before close() still leaves, in order
        if ws is not None:
            try:
                await ws.close()
            finally:
                if reader is not None and reader is not asyncio.current_task():
                    await asyncio.wait({reader})
                self._connection_lost(ws)
                self._rpc.cancel_handler_tasks()
        if self._ever_connected and self.state != CLOSED:
            self._final("the connection was closed by the client")

    async def __aenter__(self) -> XoWSClient:
        await self.connect()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    # ------------------------------------------------------------------ the reader
    async def _read_loop(self, ws: ClientConnection) -> None:
        """Plain path: every message; fast path: none (they go to the sink), only the end."""
        dispatch, recv, ended = self._rpc.dispatch, ws.recv, None
        try:
            while True:
                raw = await recv()
                ws.xs_last_rx = time.monotonic()  # type: ignore[attr-defined]  # a sign of life
                try:
                    dispatch(raw)
                except Exception:  # a bug here must not kill the session
                    log.exception("internal error while handling a frame")
        except ConnectionClosed as exc:
            ended = exc
        except Exception:
            log.exception("WebSocket reader stopped")
        finally:
            self._connection_lost(ws, ended)

    def _mark_dead(self, ws: ClientConnection, reason: str) -> None:
        if self._ws is ws and self.close_reason is None:
            self._dead_reason = reason

    def _reason(self, ended: ConnectionClosed | None) -> str:
        """Why the link ended, in words, from what websockets recorded."""
        if self._closing:
            return "the connection was closed by the client"
        if self._dead_reason is not None:
            return self._dead_reason
        return why_closed(ended, self._max_size)

    def _connection_lost(self, ws: ClientConnection, ended: ConnectionClosed | None = None) -> None:
        if self._ws is not ws or self.close_reason is not None:
            return
        reason = self._reason(ended)
        self.close_reason = reason
        text = f"Connection to {self.target.display} lost: {reason}"
        self._rpc.fail_all(lambda: ConnectionLost(text))
        self._deadlines.clear()
        self._restorer.stop()
        if self._pinger is not None and self._pinger is not asyncio.current_task():
            self._pinger.cancel()
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(reason)
        if self.on_close is not None:
            try:
                self.on_close(reason)
            except Exception:
                log.exception("on_close callback failed")
        if self._closing:
            return  # close() reports the end itself
        self._emit(DISCONNECTED, text)
        if self.reconnect_policy is not None:
            self._supervisor = asyncio.get_running_loop().create_task(
                self._supervise(), name=f"xows-reconnect {self.target.display}")
        else:
            self._resolve_gone(reason)

    def _emit(self, state: str, detail: str) -> None:
        self.state, self.state_detail = state, detail
        log.info("%s: %s", state, detail)
        if self.on_state is not None:
            try:
                self.on_state(state, detail)
            except Exception:
                log.exception("on_state callback failed")

    def _final(self, detail: str) -> None:
        self._emit(CLOSED, detail)
        self._resolve_gone(detail)

    def _resolve_gone(self, reason: str) -> None:
        if self._gone is None:
            try:
                self._gone = asyncio.get_running_loop().create_future()
            except RuntimeError:
                return
        if not self._gone.done():
            self._gone.set_result(reason)

    def _report(self, err: ProtocolError) -> None:
        if self._closing:  # stragglers of a connection being closed are nobody's concern
            log.debug("while closing: %s", err)
            return
        # A hostile or broken device can send garbage without end: tell the first few of a
        # link, then say once that the rest are not shown, so stderr and the pane stay usable.
        self._reported += 1
        if self._reported > REPORTS_PER_LINK:
            log.debug("not shown: %s", err)
            return
        if self._reported == REPORTS_PER_LINK:
            err = ProtocolError(f"{err}; any further unexpected frames on this connection are "
                                f"not shown ({REPORTS_PER_LINK} told)")
        try:
            self.on_protocol_error(err)
        except Exception:
            log.exception("on_protocol_error callback failed")
