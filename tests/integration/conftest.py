"""Fixtures of the integration tests: several rooms (in-process simulators) in one shell.

`rooms` and `multi` live here rather than in test_multi.py, so the shell-command registry's
tests (and any other multi-device test) take them without importing a sibling test module.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import PASSWORD, USER
from xshell.modes.interactive import DeviceOpener
from xshell.options import Connection, DeviceOptions, Options, Output
from xshell.session.shell_context import ShellContext
from xshell.shell.many_devices import MultiBackend
from xshell.sim import Simulator


def run_args(*devices: DeviceOptions) -> Options:
    """What the command line gives the interactive mode (--plain, a 5 s timeout)."""
    return Options(connection=Connection(user=USER, auth="basic", timeout=5.0),
                   output=Output(plain=True), devices=devices)


def device(target: str, name: str = "") -> DeviceOptions:
    """One TARGET as the command line resolves it."""
    return DeviceOptions(Connection(target=target, user=USER, auth="basic", timeout=5.0), name=name)


class Rooms:
    """Three simulators; each can be stopped on its own (a room that goes away)."""

    def __init__(self) -> None:
        self.sims = [Simulator(user=USER, password=PASSWORD) for _ in range(3)]
        self.stacks = [contextlib.AsyncExitStack() for _ in self.sims]
        self.urls: list[str] = []

    async def start(self) -> None:
        for sim, stack in zip(self.sims, self.stacks):
            server = await stack.enter_async_context(sim.serve(host="127.0.0.1", port=0))
            self.urls.append(server.url)

    async def stop(self, i: int) -> None:
        await self.stacks[i].aclose()


@pytest.fixture
async def rooms() -> AsyncIterator[Rooms]:
    r = Rooms()
    await r.start()
    yield r
    for i in range(len(r.sims)):
        await r.stop(i)


@pytest.fixture
async def multi(rooms: Rooms, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[MultiBackend]:
    """A shell started on room1 (rooms.sims[0]); `connect` opens the others."""
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    room1 = device(rooms.urls[0], "room1")
    opener = DeviceOpener(run_args(room1), ShellContext())
    m = MultiBackend(opener.connect)
    m.add(await opener.open(room1, interactive_ok=False, key_problem=m.key_problem))
    yield m
    await m.aclose()


async def discovered(m: MultiBackend) -> None:
    for d in m.devices:
        while d.backend.discovering:
            await asyncio.wait_for(asyncio.shield(d.backend._discovery), 10)  # type: ignore[arg-type]


# The small hand-built device of test_sim_protocol, served on loopback, and a raw
# websockets client logged in to it: the simulator's protocol, behaviour and pyxows tests.
@pytest.fixture
async def server() -> AsyncIterator[Any]:
    from tests.integration.test_sim_protocol import make_sim

    async with make_sim().serve() as handle:
        yield handle


@pytest.fixture
async def peer(server: Any) -> AsyncIterator[Any]:
    from websockets.asyncio.client import connect

    from tests.integration.test_sim_protocol import Peer, basic

    async with connect(server.url, additional_headers=basic(), max_size=None) as ws:
        yield Peer(ws)


@pytest.fixture
async def more_clients(sim: Any) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    """Open more connected clients to the simulator (a `reconnect` hook, a second session);
    all closed at the end."""
    from xshell.transport.client import XoWSClient

    opened: list[XoWSClient] = []

    async def connect() -> XoWSClient:
        c = XoWSClient(sim.url, username=USER, password=PASSWORD)
        await c.connect()
        opened.append(c)
        return c

    yield connect
    for c in opened:
        await c.close()


class Collector:
    """on_feedback target whose contents can be awaited."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._changed = asyncio.Event()

    def __call__(self, fb: Any) -> None:
        self.items.append(fb)
        self._changed.set()

    async def wait_for(self, pred: Callable[[list[Any]], bool], timeout: float = 5.0) -> None:
        async def loop() -> None:
            while not pred(self.items):
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(loop(), timeout)


async def listening_session(client: Any) -> tuple[Any, Collector]:
    """A Session on `client`, identified, whose feedback lands in the returned Collector."""
    from xshell.session.core import Session

    heard = Collector()
    session = Session(client, device_key="test-device", on_feedback=heard)
    await session.identify()
    return session, heard
