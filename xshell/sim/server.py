"""The WebSocket side of the simulator: listening, one Connection per client.

A Connection owns an outgoing queue drained by one writer task. Every reply and
notification is *enqueued* synchronously, so the order in which the simulator decides
things is the order the client sees them — the Subscribe response strictly before its
current-value notification, an xSet response before its feedback — without any lock.
Slow commands run as tasks and enqueue their reply when done, so replies can overtake
each other as on a real device.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection, serve as ws_serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from xshell.sim.feedback import Subscription
from xshell.sim.handshake import Upgrade, make_process_request, select_subprotocol

if TYPE_CHECKING:
    from xshell.sim.access import Reader
    from xshell.sim.simulator import Simulator

log = logging.getLogger("xshell.sim")
# websockets logs handshake headers (Authorization, auth- tokens) and frame text (command
# arguments, passphrases) at DEBUG. The simulator's wire logger drops every DEBUG record,
# whatever the configured level, so credentials and secrets stay out of every log.
WIRE_LOG = logging.getLogger("xshell.sim.websockets")
WIRE_LOG.addFilter(lambda record: record.levelno > logging.DEBUG)


def encode(message: Mapping[str, Any]) -> str:
    """Compact JSON with byte-wise sorted keys, as every device capture shows (spec §4)."""
    return json.dumps(message, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Connection:
    """One client: its subscriptions, its outgoing queue, its in-flight slow requests."""

    def __init__(self, ws: ServerConnection, upgrade: Upgrade) -> None:
        self.ws = ws
        self.user = upgrade.user
        self.legacy = upgrade.legacy
        self.reader: Reader | None = None  # the user's read rights (set by Simulator.attach)
        self.last_heard = time.monotonic()  # for the inactivity timeout (xshell.sim.sessions)
        self.subscriptions: dict[int, Subscription] = {}
        self.next_subscription_id = 0
        self.closing = False
        # fault injection (xshell.sim.faults): an outgoing-reply hook, and a gate that
        # holds every frame back while the device plays dead
        self.shaper: Callable[[Connection, Mapping[str, Any], str], bool] | None = None
        self.gate = asyncio.Event()
        self.gate.set()
        self._queue: asyncio.Queue[str | bytes] = asyncio.Queue()
        self._tasks: set[asyncio.Task[Any]] = set()

    def send(self, message: Mapping[str, Any]) -> None:
        if not self.closing:
            text = encode(message)
            if self.shaper is not None and self.shaper(self, message, text):
                return
            self._queue.put_nowait(text)

    def send_raw(self, data: str | bytes) -> None:
        """Queue a frame as is (text for str, binary for bytes): fault injection only."""
        if not self.closing:
            self._queue.put_nowait(data)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def write_loop(self) -> None:
        while True:
            text = await self._queue.get()
            try:
                await self.gate.wait()
                await self.ws.send(text)
            except ConnectionClosed:
                return
            finally:
                self._queue.task_done()

    def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def flush(self, timeout: float = 1.0) -> None:
        """Wait (at most `timeout` s) until everything queued so far is written."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout)

    async def drop(self, flush_timeout: float = 1.0) -> None:
        """Go away like a rebooting codec: what is queued goes out, then TCP is cut
        without a Close frame (clients see 1006)."""
        self.cancel_tasks()
        await self.flush(flush_timeout)
        self.closing = True
        self.ws.transport.abort()


@dataclass
class ServerHandle:
    """What `Simulator.serve()` yields: where it listens, and the device behind it."""

    url: str
    simulator: Simulator
    host: str
    port: int


@contextlib.asynccontextmanager
async def serve(sim: Simulator, host: str = "127.0.0.1", port: int = 0,
                ssl_context: SSLContext | None = None) -> AsyncIterator[ServerHandle]:
    """Listen on host:port (0 = any free port) until the context exits."""

    async def handler(ws: ServerConnection) -> None:
        upgrade: Upgrade = ws.xshell_upgrade  # type: ignore[attr-defined]  # set by handshake.py
        conn = Connection(ws, upgrade)
        sim.attach(conn)
        writer = asyncio.get_running_loop().create_task(conn.write_loop())
        log.info("connection from %s as %s%s", _peer(ws), conn.user, " (legacy)" if conn.legacy else "")
        try:
            async for message in ws:
                conn.last_heard = time.monotonic()
                sim.dispatcher.handle(conn, message)
        except ConnectionClosed:
            pass
        finally:
            sim.detach(conn)
            conn.cancel_tasks()
            writer.cancel()
            log.info("connection from %s closed", _peer(ws))

    device_upgrade = make_process_request(sim)

    async def process_request(ws: ServerConnection, request: Request) -> Response | None:
        refused = await sim.faults.upgrade(ws)  # a silent device hangs, a rate-limited one 503s
        return refused if refused is not None else device_upgrade(ws, request)

    async with ws_serve(
        handler, host, port,
        process_request=process_request,
        select_subprotocol=select_subprotocol,
        max_size=sim.max_size,
        compression="deflate" if sim.deflate else None,
        ping_interval=sim.ping_interval,
        ping_timeout=sim.ping_interval,
        server_header=None,
        logger=WIRE_LOG,
        ssl=ssl_context,
    ) as server:
        sockname = next(iter(server.sockets)).getsockname()
        bound_port = int(sockname[1])
        shown = f"[{host}]" if ":" in host else host
        scheme = "wss" if ssl_context is not None else "ws"
        handle = ServerHandle(f"{scheme}://{shown}:{bound_port}/ws", sim, host, bound_port)
        sim.listening(True)
        try:
            yield handle
        finally:
            sim.listening(False)
            for conn in sim.connection_list():
                conn.cancel_tasks()
            server.close(close_connections=True)
            await server.wait_closed()


def _peer(ws: ServerConnection) -> str:
    try:
        addr = ws.remote_address
        return f"{addr[0]}:{addr[1]}"
    except Exception:  # noqa: BLE001 - a peer name is only for the log
        return "?"
