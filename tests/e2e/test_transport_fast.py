"""The client's fast paths: batched frames, one timer for all timeouts, path shortcuts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest
from websockets.frames import Frame
from websockets.streams import StreamReader

from tests.conftest import PASSWORD, USER
from xshell.errors import ConnectionLost, RequestTimeout
from xshell.transport.client import XoWSClient
from xshell.transport.deadlines import GRANULARITY, Deadlines
from xshell.transport.outbox import mask_frame
from xshell.transport.xapi import normalize_path

WAIT = 5.0


def parse(data: bytes) -> Frame:
    """Read one frame the way a server does (masked, as a client must send it)."""
    reader = StreamReader()
    reader.feed_data(data)
    gen = Frame.parse(reader.read_exact, mask=True)
    try:
        next(gen)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    raise AssertionError("frame incomplete")


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_masked_frames_decode_to_the_payload(size: int) -> None:
    payload = ("é" * size).encode()[:size]
    frame = parse(mask_frame(payload, b"\x01\x02\x03\x04"))
    assert frame.fin and frame.opcode.name == "TEXT" and frame.data == payload


@pytest.mark.parametrize("path, expected", [
    (["Status", "Audio", "Volume"], ["Status", "Audio", "Volume"]),
    (("Status", "Video", "Input", "Connector", 2), ["Status", "Video", "Input", "Connector", 2]),
    (["Status", " Audio ", "3"], ["Status", "Audio", 3]),
    ("Status/Audio/Volume", ["Status", "Audio", "Volume"]),
    ("Status Video Input Connector 2", ["Status", "Video", "Input", "Connector", 2]),
])
def test_normalize_path_fast_and_slow_paths_agree(path: Any, expected: list[Any]) -> None:
    first = normalize_path(path)
    first.append("mutated")  # the caller's copy: a cached string path must not change
    assert normalize_path(path) == expected


@pytest.mark.parametrize("bad, words", [([], "empty path"), (["Status", True], "element 2"),
                                        (["Status", ""], "element 2 is empty"), (5, "not int")])
def test_normalize_path_still_rejects_bad_paths(bad: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        normalize_path(bad)


async def test_deadlines_expire_late_never_early_and_not_when_discarded() -> None:
    loop = asyncio.get_running_loop()
    expired: asyncio.Queue[tuple[int, str, float, float]] = asyncio.Queue()
    deadlines = Deadlines(lambda rid, method, limit: expired.put_nowait((rid, method, limit, loop.time())))
    start = loop.time()
    deadlines.add(1, "xGet", 0.2)
    deadlines.add(2, "xSet", 0.05)  # shorter limit added later: the timer is re-armed earlier
    deadlines.add(3, "xGet", 0.2)
    deadlines.discard(3, 0.2)
    first = await asyncio.wait_for(expired.get(), WAIT)
    second = await asyncio.wait_for(expired.get(), WAIT)
    assert first[:3] == (2, "xSet", 0.05) and second[:3] == (1, "xGet", 0.2)
    assert first[3] - start >= 0.05 and second[3] - start >= 0.2
    assert second[3] - start < 0.2 + GRANULARITY + 1.0  # not forgotten
    assert len(deadlines) == 0 and expired.empty()


async def test_pipelined_requests_all_answered_in_issue_order(sim: Any) -> None:
    async with XoWSClient(sim.url, USER, PASSWORD) as c:
        values = await asyncio.wait_for(asyncio.gather(
            *(c.get(["Status", "Audio", "Volume"]) for _ in range(500))), WAIT)
        assert set(values) == {sim.simulator.get_value("Status Audio Volume")}
        # a set issued before a get in the same loop turn is applied first
        setting, got = await asyncio.wait_for(asyncio.gather(
            c.set("Configuration/Audio/DefaultVolume", 33),
            c.get("Configuration/Audio/DefaultVolume")), WAIT)
        assert got == 33
        assert c.in_flight == 0


async def test_a_burst_leaves_for_the_device_while_it_is_being_issued(sim: Any) -> None:
    """1,000 requests issued in one loop turn are written in slices as they are issued,
    not in one write after the last: the device starts on the first ones while the rest
    are built. Every reply still comes back, in issue order."""
    async with XoWSClient(sim.url, USER, PASSWORD, fast=True) as c:
        transport = c._ws.transport  # type: ignore[union-attr]  # connected
        writes: list[int] = []
        write = transport.write

        def counted(data: Any) -> None:
            writes.append(len(data))
            write(data)

        transport.write = counted
        try:
            pending = [c.get(["Status", "Audio", "Volume"]) for _ in range(1000)]
            written_during_the_turn = len(writes)
            values = await asyncio.wait_for(asyncio.gather(*pending), WAIT)
        finally:
            transport.write = write
        assert written_during_the_turn >= 3  # slices left before the turn ended
        assert len(writes) <= written_during_the_turn + 1  # the rest at its end
        assert values == [sim.simulator.get_value("Status Audio Volume")] * 1000


async def test_a_timed_out_request_fails_and_the_link_stays(sim: Any) -> None:
    async with XoWSClient(sim.url, USER, PASSWORD) as c:
        sim.simulator.faults.delay(30)
        with pytest.raises(RequestTimeout, match="No answer to xGet .* within 0.05 s"):
            await asyncio.wait_for(c.call("xGet", {"Path": ["Status", "Audio", "Volume"]},
                                          timeout=0.05), WAIT)
        sim.simulator.faults.delay(0)
        assert c.connected and c.in_flight == 0
        assert await asyncio.wait_for(c.get("Status Audio Volume"), WAIT) == \
            sim.simulator.get_value("Status Audio Volume")


async def test_a_gathered_request_is_its_reply_future_and_needs_no_task(sim: Any) -> None:
    async with XoWSClient(sim.url, USER, PASSWORD, fast=True) as c:
        pending = [c.get("Status Audio Volume"), c.query("Status/Audio/**"),
                   c.set("Configuration/Audio/DefaultVolume", 40),
                   c.command("Audio Volume Set", {"Level": 41}), c.doc("Status/Audio/Volume")]
        assert all(asyncio.ensure_future(p) is p for p in pending)  # what gather does: no Task
        got = await asyncio.wait_for(asyncio.gather(*pending), WAIT)
        assert got[0] == got[1]["Status"]["Audio"]["Volume"]  # answered in issue order
        assert c.in_flight == 0 and len(c._deadlines) == 0  # settled when dispatched
        assert c.last_rtt is not None and 0 < c.last_rtt < WAIT
        # code written for coroutines still runs: create_task, wait_for
        value = await asyncio.wait_for(asyncio.create_task(c.get("Status Audio Volume")), WAIT)
        assert value == 41


@pytest.mark.parametrize("fast", [True, False])
async def test_request_timeouts_cancels_and_lost_links_on_either_path(sim: Any, fast: bool) -> None:
    async with XoWSClient(sim.url, USER, PASSWORD, fast=fast, timeout=0.05) as c:
        sim.simulator.faults.delay(30)
        with pytest.raises(RequestTimeout, match="No answer to xGet .* within 0.05 s"):
            await asyncio.wait_for(c.get("Status Audio Volume"), WAIT)
        doomed = asyncio.create_task(c.get("Status Audio Volume"))
        await asyncio.sleep(0)
        doomed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await doomed
        sim.simulator.faults.delay(0)
        c.timeout = 5.0
        assert await asyncio.wait_for(c.get("Status Audio Volume"), WAIT) == \
            sim.simulator.get_value("Status Audio Volume")
        assert c.connected
    with pytest.raises(ConnectionLost, match="Not connected"):
        await c.get("Status Audio Volume")


def _python(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_client_does_not_load_importlib_metadata_until_someone_uses_it() -> None:
    out = _python(
        "import sys\n"
        "import xshell.transport.client\n"
        "import importlib.metadata as early\n"  # the stand-in, as websockets holds it
        "print(type(sys.modules['importlib.metadata']).__name__, 'zipfile' in sys.modules)\n"
        "from importlib.metadata import version\n"
        "import websockets\n"
        "print(version('websockets') == websockets.__version__, early.version is version)\n"
        "print(type(sys.modules['importlib.metadata']).__name__)\n")
    assert out.splitlines() == ["_Deferred False", "True True", "module"]


def test_importlib_metadata_loaded_before_is_left_alone() -> None:
    out = _python("import importlib.metadata, sys\nreal = sys.modules['importlib.metadata']\n"
                  "import xshell.transport.client\nprint(sys.modules['importlib.metadata'] is real)\n")
    assert out == "True"


def test_a_deferred_module_stays_one_module_once_loaded() -> None:
    """What a caller holding the stand-in sets or patches is what every later user sees:
    a patch of urllib.request.getproxies reaches the proxy lookup websockets makes."""
    out = _python(
        "import sys\n"
        "import xshell.transport.client\n"
        "import urllib.request as early\n"  # the stand-in, as websockets' proxy module holds it
        "from unittest import mock\n"
        "with mock.patch('urllib.request.getproxies', return_value={'ws': 'http://p:1'}):\n"
        "    import urllib.request\n"
        "    print(urllib.request.getproxies(), early.getproxies())\n"
        "print(early is sys.modules['urllib.request'] is urllib.request,\n"
        "      type(early).__name__, early.getproxies is urllib.request.getproxies)\n")
    assert out.splitlines() == ["{'ws': 'http://p:1'} {'ws': 'http://p:1'}", "True module True"]
