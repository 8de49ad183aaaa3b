"""The client's receive paths against the simulator, and the switch between them.

The simulator offers permessage-deflate (websockets' default) or declines it
(`deflate=False`, `xshell-sim --no-deflate`). What the client does with that decides how
a device's messages reach it (xshell.transport.wsfast): the lean frame reader when no
extension is negotiated, websockets' own parser (inflating) when deflate is, and `recv()`
on the plain path. Each test checks which path was taken, from both ends of the socket,
not only that the answers came back.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.conftest import PASSWORD, USER
from tests.simproc import sim_process
from xshell.sim import Simulator
from xshell.transport import wsfast
from xshell.transport.client import XoWSClient

WAIT = 10.0
VOLUME = ["Status", "Audio", "Volume"]


def offered_extensions(sim: Simulator) -> str | None:
    """What the simulator answered in Sec-WebSocket-Extensions (None: no extension)."""
    (conn,) = sim.connection_list()
    response = conn.ws.response
    assert response is not None
    return response.headers.get("Sec-WebSocket-Extensions")


async def exercise(client: XoWSClient, sim: Simulator) -> None:
    """Pipelined requests, a big UTF-8 reply and a burst of feedback all arrive intact."""
    values = await asyncio.wait_for(asyncio.gather(*(client.get(VOLUME) for _ in range(300))), WAIT)
    assert set(values) == {sim.get_value("Status Audio Volume")}
    name = "Salle de réunion ✓"  # UTF-8 both ways
    await asyncio.wait_for(client.set("Configuration/SystemUnit/Name", name), WAIT)
    assert await asyncio.wait_for(client.get("Configuration/SystemUnit/Name"), WAIT) == name
    doc = await asyncio.wait_for(client.call("xDoc", {"Path": ["Configuration"], "Type": "Schema"}),
                                 WAIT)  # over 64 KiB: several TCP reads for one frame
    assert len(json.dumps(doc)) > 65_536 and "SystemUnit" in json.dumps(doc)
    seen: asyncio.Queue[Any] = asyncio.Queue()
    await client.subscribe(VOLUME, lambda payload, _id: seen.put_nowait(payload))
    start = sim.get_value("Status Audio Volume")
    levels = [level for level in range(10, 60) if level != start]
    for level in levels:
        await client.command("Audio Volume Set", {"Level": level})
    got = [await asyncio.wait_for(seen.get(), WAIT) for _ in levels]
    assert [p["Status"]["Audio"]["Volume"] for p in got] == levels


@pytest.mark.parametrize("deflate, fast, path, negotiated", [
    (False, True, wsfast.LEAN, False),
    (True, True, wsfast.WEBSOCKETS_FRAMES, True),
    (False, False, wsfast.PLAIN, False),
    (True, False, wsfast.PLAIN, True),
])
async def test_each_receive_path_carries_everything(deflate: bool, fast: bool, path: str,
                                                    negotiated: bool) -> None:
    sim = Simulator(user=USER, password=PASSWORD, deflate=deflate)
    async with sim.serve() as server:
        async with XoWSClient(server.url, USER, PASSWORD, fast=fast) as client:
            assert client.receive_path == path
            extensions = offered_extensions(sim)
            assert (extensions is not None and "permessage-deflate" in extensions) == negotiated
            await exercise(client, sim)
            assert client.receive_path == path  # never left it (no bypass on good frames)


async def test_a_client_declining_deflate_gets_the_lean_reader_from_a_deflate_simulator() -> None:
    sim = Simulator(user=USER, password=PASSWORD)  # offers deflate, as by default
    async with sim.serve() as server:
        async with XoWSClient(server.url, USER, PASSWORD, fast=True, compression=None) as client:
            assert client.receive_path == wsfast.LEAN
            assert offered_extensions(sim) is None
            await exercise(client, sim)


@pytest.mark.parametrize("value, fast", [("0", False), ("off", False), ("No", False),
                                         ("false", False), ("1", True), ("", True)])
def test_the_environment_switch(monkeypatch: pytest.MonkeyPatch, value: str, fast: bool) -> None:
    monkeypatch.setenv(wsfast.ENV, value)
    assert XoWSClient("ws://127.0.0.1:1/ws").fast is fast
    assert XoWSClient("ws://127.0.0.1:1/ws", fast=not fast).fast is (not fast)  # the argument wins


async def test_the_environment_switch_selects_the_plain_path(sim: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(wsfast.ENV, "0")
    async with XoWSClient(sim.url, USER, PASSWORD) as client:
        assert client.receive_path == wsfast.PLAIN
        assert await asyncio.wait_for(client.get(VOLUME), WAIT) == \
            sim.simulator.get_value("Status Audio Volume")
    assert client.receive_path == wsfast.PLAIN  # the closed link's, still telling


@pytest.mark.parametrize("flag, path", [("--no-deflate", wsfast.LEAN),
                                        ("--deflate", wsfast.WEBSOCKETS_FRAMES),
                                        (None, wsfast.WEBSOCKETS_FRAMES)])
async def test_xshell_sim_offers_or_declines_deflate(flag: str | None, path: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_SIM_PASSWORD", PASSWORD)
    with sim_process(*([flag] if flag else [])) as (url, _proc):
        async with XoWSClient(url, USER, PASSWORD, fast=True) as client:
            assert client.receive_path == path
            assert isinstance(await asyncio.wait_for(client.get(VOLUME), WAIT), int)
