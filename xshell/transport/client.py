"""XoWSClient: the device's xAPI over one WebSocket, as awaitable Python calls.

One reader task owns the socket's receive side and resolves request futures by id, so
any number of requests can be in flight and answered in any order (xows.md §9). The
UI never touches websockets directly; it gets typed errors instead — XAPIError
subclasses for JSON-RPC errors, ConnectionFailed subclasses for the link — and a
dropped link fails every waiting request at once rather than leaving it hanging.
Subscriptions are remembered as (query, handler, notify_current) so that a reconnect
(a later issue) can subscribe again.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from xshell.errors import ConnectionLost, ProtocolError, RequestTimeout
from xshell.transport.opening import PeerState, PeerVerifier, open_websocket
from xshell.transport.rpc import FeedbackHandler, RpcTable, Subscription
from xshell.transport.target import Target, parse_target

log = logging.getLogger(__name__)

PathLike = str | Sequence[str | int]
MiB = 1024 * 1024


def normalize_path(path: PathLike, what: str = "path") -> list[str | int]:
    """`"Status/Audio/Volume"` or a list → list; digit strings become ints (instance ids)."""
    if isinstance(path, str):
        elems: list[str | int] = [p for p in path.replace(" ", "/").split("/") if p]
    elif isinstance(path, Sequence):
        elems = list(path)
    else:
        raise ValueError(f"{what} must be a list or a slash-separated string, "
                         f"not {type(path).__name__}")
    out: list[str | int] = []
    for i, elem in enumerate(elems):
        if isinstance(elem, bool) or not isinstance(elem, (str, int)):
            raise ValueError(f"{what} element {i + 1} must be a name or a number, got {elem!r}")
        if isinstance(elem, str):
            elem = elem.strip()
            if not elem:
                raise ValueError(f"{what} element {i + 1} is empty")
            if elem.isdigit():
                elem = int(elem)
        out.append(elem)
    if not out:
        raise ValueError(f"empty {what}")
    return out


def _default_protocol_error(err: ProtocolError) -> None:
    log.warning("protocol error: %s", err)


class XoWSClient:
    """A JSON-RPC 2.0 client for one device; use as `async with XoWSClient(...) as c:`."""

    def __init__(self, target: str | Target, username: str = "admin", password: str = "", *,
                 auth: str = "basic", ssl_context: ssl.SSLContext | None = None,
                 insecure: bool = False, timeout: float | None = 30.0,
                 open_timeout: float | None = 10.0, ping_interval: float | None = 5.0,
                 ping_timeout: float | None = 5.0, max_size: int | None = 64 * MiB,
                 compression: str | None = "deflate", proxy: str | Literal[True] | None = True,
                 verify_peer: PeerVerifier | None = None,
                 on_protocol_error: Callable[[ProtocolError], None] | None = None,
                 on_close: Callable[[str], None] | None = None) -> None:
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
        self._ssl_context = ssl_context
        self._insecure = insecure or self.target.insecure
        self._ping = (ping_interval, ping_timeout)
        self._max_size = max_size
        self._compression = compression
        self._proxy = proxy
        self._rpc = RpcTable(self._report)
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._closed: asyncio.Future[str] | None = None
        self._closing = False
        self.close_reason: str | None = "not connected yet"
        self.last_rtt: float | None = None
        self.peer_certificate_der: bytes | None = None
        self.previous_subscriptions: list[Subscription] = []

    def __repr__(self) -> str:
        state = "connected" if self.connected else "closed"
        return f"<XoWSClient {self.username}@{self.target.url} {state}>"

    # ------------------------------------------------------------------ life cycle
    @property
    def connected(self) -> bool:
        return self._ws is not None and self.close_reason is None

    @property
    def closed(self) -> asyncio.Future[str]:
        """Resolves with the close reason when the current connection ends (for any cause)."""
        if self._closed is None:
            self._closed = asyncio.get_running_loop().create_future()
        return self._closed

    async def wait_closed(self) -> str:
        """Wait until the connection ends; return why."""
        return await asyncio.shield(self.closed)

    @property
    def in_flight(self) -> int:
        """Requests sent and not yet answered (timed-out ones are not counted)."""
        return len(self._rpc.pending)

    @property
    def subscriptions(self) -> Mapping[int, Subscription]:
        """Live subscriptions by device Id (kept after a drop, until the next connect)."""
        return self._rpc.subscriptions

    async def connect(self) -> None:
        """Open the WebSocket; raise a ConnectionFailed subclass with one sentence on failure."""
        if self.connected:
            return
        peer = PeerState(self.verify_peer)
        ws = await open_websocket(
            self.target, username=self.username, password=self.__password, auth=self.auth,
            ssl_context=self._ssl_context, insecure=self._insecure,
            open_timeout=self.open_timeout, ping_interval=self._ping[0],
            ping_timeout=self._ping[1], max_size=self._max_size,
            compression=self._compression, proxy=self._proxy, peer=peer)
        self.peer_certificate_der = peer.der
        self.previous_subscriptions = self._rpc.reset_subscriptions()
        self._ws = ws
        self._closing = False
        self.close_reason = None
        if self._closed is None or self._closed.done():
            self._closed = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read_loop(ws), name=f"xows-reader {self.target.display}")

    async def close(self) -> None:
        """Close the connection (idempotent); pending requests fail with ConnectionLost."""
        ws, reader = self._ws, self._reader
        if ws is None:
            return
        self._closing = True
        try:
            await ws.close()
        finally:
            if reader is not None and reader is not asyncio.current_task():
                await asyncio.wait({reader})
            self._connection_lost(ws)
            self._rpc.cancel_handler_tasks()

    async def __aenter__(self) -> XoWSClient:
        await self.connect()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    # ------------------------------------------------------------------ the reader
    async def _read_loop(self, ws: ClientConnection) -> None:
        dispatch = self._rpc.dispatch
        try:
            async for raw in ws:
                try:
                    dispatch(raw)
                except Exception:  # a bug here must not kill the session
                    log.exception("internal error while handling a frame")
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("WebSocket reader stopped")
        finally:
            self._connection_lost(ws)

    def _reason(self, ws: ClientConnection) -> str:
        """Why the link ended, in words, from what websockets recorded."""
        if self._closing:
            return "the connection was closed by the client"
        rcvd, sent = ws.protocol.close_rcvd, ws.protocol.close_sent
        if rcvd is not None:
            why = f": {rcvd.reason}" if rcvd.reason else ""
            return f"the device closed the connection (code {rcvd.code}{why})"
        if sent is not None and sent.code == 1011 and "ping" in sent.reason:
            return "the device stopped answering keepalive pings"
        if sent is not None and sent.code == 1009:
            return "the device sent a message larger than the size limit"
        if sent is not None:
            return f"the connection failed (code {sent.code}: {sent.reason or 'no reason'})"
        return "the connection dropped without a close frame"

    def _connection_lost(self, ws: ClientConnection) -> None:
        if self._ws is not ws or self.close_reason is not None:
            return
        reason = self._reason(ws)
        self.close_reason = reason
        text = f"Connection to {self.target.display} lost: {reason}"
        self._rpc.fail_all(lambda: ConnectionLost(text))
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(reason)
        if self.on_close is not None:
            try:
                self.on_close(reason)
            except Exception:
                log.exception("on_close callback failed")

    def _report(self, err: ProtocolError) -> None:
        try:
            self.on_protocol_error(err)
        except Exception:
            log.exception("on_protocol_error callback failed")

    def _expire(self, rid: int, method: str, limit: float) -> None:
        self._rpc.expire(rid, RequestTimeout(
            f"No answer to {method} from {self.target.display} within {limit:g} s"))

    def _not_connected(self) -> ConnectionLost:
        return ConnectionLost(f"Not connected to {self.target.display}: "
                              f"{self.close_reason or 'the connection is closed'}")

    # ------------------------------------------------------------------ raw JSON-RPC
    async def call(self, method: str, params: Any = None, *, timeout: float | None = None,
                   _hook: Callable[[Any], None] | None = None) -> Any:
        """Send one request and return its `result`; raise XAPIError, RequestTimeout, ConnectionLost.

        `timeout` overrides the client's default for this request.
        """
        ws = self._ws
        if ws is None or self.close_reason is not None:
            raise self._not_connected()
        if not isinstance(method, str):
            raise ValueError(f"method must be a string, not {type(method).__name__}")
        rpc = self._rpc
        try:
            rid, data, fut = rpc.open(method, params, _hook)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"params of {method} cannot be sent as JSON: {exc}") from None
        limit = timeout if timeout is not None else self.timeout
        timer = None
        if limit:
            timer = fut.get_loop().call_later(limit, self._expire, rid, method, limit)
        started = time.perf_counter()
        try:
            await ws.send(data)
            result = await fut
        except ConnectionClosed:
            rpc.forget(rid)
            raise self._not_connected() from None
        except BaseException:
            rpc.forget(rid)
            if fut.done() and not fut.cancelled() and not isinstance(fut.exception(),
                                                                      (RequestTimeout, ConnectionLost)):
                self.last_rtt = time.perf_counter() - started  # an error reply is a round trip
            raise
        finally:
            if timer is not None:
                timer.cancel()
        self.last_rtt = time.perf_counter() - started
        return result

    async def notify(self, method: str, params: Any = None) -> None:
        """Send a request without id: the device runs it and sends no reply."""
        ws = self._ws
        if ws is None or self.close_reason is not None:
            raise self._not_connected()
        try:
            data = RpcTable.encode_notification(method, params)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"params of {method} cannot be sent as JSON: {exc}") from None
        try:
            await ws.send(data)
        except ConnectionClosed:
            raise self._not_connected() from None

    # ------------------------------------------------------------------ xAPI methods
    async def get(self, path: PathLike) -> Any:
        """xGet: a leaf's value or a subtree relative to `path` (root first)."""
        return await self.call("xGet", {"Path": normalize_path(path)})

    async def query(self, query: PathLike) -> Any:
        """xQuery: like get, `**` allowed, result rooted at Status/Configuration."""
        return await self.call("xQuery", {"Query": normalize_path(query, "query")})

    async def set(self, path: PathLike, value: str | int) -> Any:
        """xSet a configuration; the device answers `true`."""
        return await self.call("xSet", {"Path": normalize_path(path), "Value": value})

    async def command(self, path: PathLike, params: Mapping[str, Any] | None = None,
                      body: str | None = None) -> Any:
        """xCommand/<path>: `params` by name (lists for repeats), `body` for multiline commands."""
        elems = normalize_path(path, "command path")
        if isinstance(elems[0], str) and elems[0].lower() in ("command", "xcommand"):
            elems = elems[1:]
        if not elems:
            raise ValueError("empty command path")
        args: dict[str, Any] = dict(params or {})
        if body is not None:
            args["body"] = body
        return await self.call("xCommand/" + "/".join(str(e) for e in elems), args)

    async def doc(self, path: PathLike, type: str = "Schema") -> Any:  # noqa: A002 - xDoc's name
        """xDoc: the schema node at `path`."""
        return await self.call("xDoc", {"Path": normalize_path(path), "Type": type})

    async def subscribe(self, query: PathLike, handler: FeedbackHandler,
                        notify_current: bool = False) -> int:
        """xFeedback/Subscribe; `handler(payload, sub_id)` gets e.g. {"Status": {...}}.

        The handler is installed when the reply is read, before any later frame, so the
        NotifyCurrentValue notification always reaches it. Returns the device's Id.
        """
        q = normalize_path(query, "query")
        sub = Subscription(tuple(q), handler, bool(notify_current))
        params: dict[str, Any] = {"Query": q}
        if notify_current:
            params["NotifyCurrentValue"] = True
        result = await self.call("xFeedback/Subscribe", params, _hook=self._rpc.subscribe_hook(sub))
        return int(result["Id"])

    async def unsubscribe(self, sub_id: int) -> Any:
        """xFeedback/Unsubscribe; the local handler goes away whatever the device says."""
        try:
            return await self.call("xFeedback/Unsubscribe", {"Id": sub_id})
        finally:
            self._rpc.drop_subscription(sub_id)
