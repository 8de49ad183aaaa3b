"""The hostile device: `python -m tests.hostile.hostile_server`, every scenario on loopback.

Two listeners on 127.0.0.1 (ports chosen by the OS), printed on the first stdout line as
"hostile-device WSPORT,RAWPORT". The WebSocket one is the `websockets` server in front
of the real simulator; the path `/h/<scenario id>` picks the scenario, whose `act`
replaces the answers to the script's requests. The raw one hands the TCP connection of
`/h/<scenario id>` to the scenario's `http` coroutine for upgrade-level faults. It runs
until stdin closes or SIGTERM, and serves any number of connections meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Mapping
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests.hostile.scenario import Scenario, identity_key, is_startup
from tests.hostile.scenarios import SCENARIOS
from tests.hostile.wire import close_frame, result
from xshell.sim import Simulator
from xshell.sim.handshake import Upgrade
from xshell.sim.server import Connection

BY_ID: dict[str, Scenario] = {s.sid: s for s in SCENARIOS}


def scenario_of(path: str) -> Scenario | None:
    """`/h/<sid>` (query ignored) → the scenario; `/ws` → None (a plain device)."""
    head = path.partition("?")[0]
    return BY_ID.get(head[3:]) if head.startswith("/h/") else None


class Device:
    """One connection's device side: the simulator's answers, or the scenario's."""

    def __init__(self, sim: Simulator, ws: ServerConnection, scenario: Scenario | None) -> None:
        self.sim = sim
        self.ws = ws
        self.scenario = scenario
        self.conn = Connection(ws, Upgrade("admin", False, None))

    def send(self, text: str) -> None:
        self.conn.send_raw(text)

    async def write(self, data: bytes) -> None:
        await self.conn.flush(2.0)
        if not self.ws.transport.is_closing():
            self.ws.transport.write(data)

    async def close(self, code: int | None, reason: bytes = b"") -> None:
        await self.write(close_frame(code, reason))
        await asyncio.sleep(0.5)  # let the client answer the Close; then cut
        self.abort()

    def abort(self) -> None:
        self.conn.closing = True
        self.ws.transport.abort()

    async def mute(self) -> None:
        await self.conn.flush(2.0)
        self.conn.gate.clear()
        self.ws.transport.pause_reading()

    def answer(self, request: Mapping[str, Any]) -> None:
        self.sim.dispatcher.handle(self.conn, json.dumps(request))

    def handle(self, message: str | bytes) -> None:
        try:
            request = json.loads(message)
        except ValueError:
            request = None
        scenario = self.scenario
        if scenario is None or not isinstance(request, dict):
            self.sim.dispatcher.handle(self.conn, message)
            return
        key = identity_key(request)
        if key is not None and key in scenario.identity:
            self.send(result(request.get("id"), scenario.identity[key]))
        elif is_startup(request) or scenario.act is None:
            self.sim.dispatcher.handle(self.conn, message)
        else:
            self.conn.spawn(scenario.act(self, request))


async def main() -> None:
    sys.set_int_max_str_digits(0)  # scenarios send integers of any length
    sim = Simulator(user="admin", password="", rate_limit=None)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    with contextlib.suppress(ValueError, OSError):  # stdin not a pipe: SIGTERM only
        await loop.connect_read_pipe(lambda: _EofWatch(stop), sys.stdin)

    def process_request(ws: ServerConnection, request: Request) -> Response | None:
        ws.hostile = scenario_of(request.path)  # type: ignore[attr-defined]
        return None

    async def handler(ws: ServerConnection) -> None:
        device = Device(sim, ws, getattr(ws, "hostile", None))
        sim.attach(device.conn)
        writer = loop.create_task(device.conn.write_loop())
        try:
            async for message in ws:
                device.handle(message)
        except ConnectionClosed:
            pass
        finally:
            sim.detach(device.conn)
            device.conn.cancel_tasks()
            writer.cancel()

    async def raw(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            path = head.split(b" ", 2)[1].decode("latin-1") if head.count(b" ") >= 2 else "/"
            scenario = scenario_of(path)
            if scenario is not None and scenario.http is not None:
                await asyncio.wait_for(scenario.http(reader, writer, head), 30)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            writer.transport.abort()

    async with serve(handler, "127.0.0.1", 0, process_request=process_request, compression=None,
                     max_size=None, ping_interval=None, server_header=None) as ws_server:
        raw_server = await asyncio.start_server(raw, "127.0.0.1", 0)
        ws_port = next(iter(ws_server.sockets)).getsockname()[1]
        raw_port = raw_server.sockets[0].getsockname()[1]
        print(f"hostile-device {ws_port},{raw_port}", flush=True)
        await stop
        raw_server.close()


class _EofWatch(asyncio.Protocol):
    """Stops the server when the parent closes our stdin (the test process went away)."""

    def __init__(self, stop: asyncio.Future[None]) -> None:
        self.stop = stop

    def eof_received(self) -> bool:
        self.connection_lost(None)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.stop.done():
            self.stop.set_result(None)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
