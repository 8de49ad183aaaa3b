"""Every device-side fault, produced by the fault-injecting simulator, survived by the client.

Each test makes the simulator misbehave one way (Python API `sim.faults`, or the hidden
`xSimulator/Fault` method) and asserts what the user would see: the ProtocolError text,
the ConnectionLost text of a request that was in flight, the state callbacks — and that
the session goes on (a later request is answered, feedback still arrives).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.conftest import PASSWORD, USER
from tests.simproc import sim_process
from xshell.errors import (ConnectionLost, InvalidParams, MethodNotFound, NotReady, RequestTimeout,
                           SubscriberCountExceeded)
from xshell.sim import Simulator
from xshell.sim.faults import MiB, garbage_frame
from xshell.transport.client import XoWSClient
from xshell.transport.reconnect_policy import ReconnectPolicy

WAIT = 10.0  # upper bound for awaiting a condition; never a sleep
FAST = ReconnectPolicy(initial=0.01, maximum=0.05, jitter=0.1, rebooting=0.05, rate_limited=0.05)
POST = "xCommand/HttpClient/Post"
POST_ARGS = {"Url": "https://example.com/hook", "body": "{}"}
VOLUME = "Status/Audio/Volume"


class Watch:
    """Everything a client tells its user, recorded so a test can await a condition."""

    def __init__(self) -> None:
        self.states: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.feed: list[tuple[int, dict[str, Any]]] = []
        self.resyncs: list[tuple[int, dict[str, Any]]] = []
        self._wake = asyncio.Event()

    def state(self, state: str, detail: str) -> None:
        self.states.append((state, detail))
        self._wake.set()

    def error(self, err: Exception) -> None:
        self.errors.append(str(err))
        self._wake.set()

    def handler(self, payload: dict[str, Any], sub_id: int) -> None:
        self.feed.append((sub_id, payload))
        self._wake.set()

    def resync(self, sub_id: int, payload: dict[str, Any]) -> None:
        self.resyncs.append((sub_id, payload))
        self._wake.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        async def loop() -> None:
            while not condition():
                self._wake.clear()
                await self._wake.wait()
        await asyncio.wait_for(loop(), WAIT)

    async def reached(self, state: str, since: int = 0) -> str:
        """Wait for `state` among the states reported from index `since`; its detail."""
        await self.until(lambda: any(s == state for s, _ in self.states[since:]))
        return next(d for s, d in self.states[since:] if s == state)

    def names(self, since: int = 0) -> list[str]:
        return [s for s, _ in self.states[since:]]


def make_client(url: str, watch: Watch, **kw: Any) -> XoWSClient:
    options: dict[str, Any] = {"reconnect": FAST, "ping_interval": 1.0, "ping_timeout": 1.0,
                               "close_timeout": 0.5}
    options.update(kw)
    return XoWSClient(url, USER, PASSWORD, on_state=watch.state, on_protocol_error=watch.error,
                      on_resync=watch.resync, **options)


@pytest.fixture
async def fsim() -> AsyncIterator[Any]:
    """A simulator with the fault method on, no upgrade rate limit, and a never-ending Post."""
    device = Simulator(user=USER, password=PASSWORD, rate_limit=None, fault_rpc=True, http_delay=60)
    async with device.serve() as server:
        yield server


@pytest.fixture
async def watched(fsim: Any) -> AsyncIterator[tuple[XoWSClient, Watch, Any]]:
    watch = Watch()
    client = make_client(fsim.url, watch)
    await client.connect()
    try:
        yield client, watch, fsim.simulator
    finally:
        await client.close()


async def in_flight_post(client: XoWSClient) -> asyncio.Task[Any]:
    """A request the device is working on (it never answers it by itself)."""
    post = asyncio.create_task(client.call(POST, POST_ARGS))
    await client.get(VOLUME)  # a round trip: the Post is on the device now
    return post


# ====================================================================== bad frames

@pytest.mark.parametrize("kind,message", [
    ("text", "frame is not JSON (Expecting value): '{\"jsonrpc\":\"2.0\",\"id\":'"),
    ("binary", f"unexpected binary frame ({len(garbage_frame('binary'))} bytes) ignored"),
    ("array", "frame is not a JSON object: '[1,2,3]'"),
    ("unknown_id", "reply with unknown id 987654321 ignored"),
    ("error_null", "the device could not read a request: Parse error"),
    ("unknown_subscription", "feedback for unknown subscription Id 4711 ignored"),
])
async def test_bad_frame_is_reported_and_the_session_goes_on(
        watched: tuple[XoWSClient, Watch, Any], kind: str, message: str) -> None:
    client, watch, device = watched
    sub_id = await client.subscribe(VOLUME, watch.handler)
    device.faults.send_garbage(kind)
    assert await client.get(VOLUME) == device.get_value("Status Audio Volume")
    assert watch.errors == [message]
    device.set_status("Audio Volume", 61)
    await watch.until(lambda: (sub_id, {"Status": {"Audio": {"Volume": 61}}}) in watch.feed)
    assert watch.names() == ["connected"] and client.connected


async def test_duplicate_reply_is_reported_once(watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    device.faults.send_garbage("duplicate")
    assert await client.get("Configuration/Audio/DefaultVolume") == \
        device.get_value("Configuration Audio DefaultVolume")
    await client.get(VOLUME)  # the duplicate is read before this reply
    assert len(watch.errors) == 1 and re.fullmatch(r"duplicate reply to request \d+ ignored",
                                                   watch.errors[0])


async def test_replies_out_of_order_are_matched_by_id(watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    paths = ["Status Audio Volume", "Configuration Audio DefaultVolume", "Configuration SystemUnit Name"]
    device.faults.send_garbage("reorder", count=3)
    finished: list[str] = []
    tasks = []
    for path in paths:
        task = asyncio.create_task(client.get(path.replace(" ", "/")))
        task.add_done_callback(lambda _, path=path: finished.append(path))
        tasks.append(task)
    results = await asyncio.wait_for(asyncio.gather(*tasks), WAIT)
    assert results == [device.get_value(p) for p in paths]
    assert finished == list(reversed(paths))  # the device really answered last-first
    assert watch.errors == [] and client.in_flight == 0


async def test_twenty_megabyte_frame_is_survived(watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    device.faults.send_garbage("huge", size=20 * MiB)
    assert await client.get(VOLUME) == device.get_value("Status Audio Volume")
    assert watch.errors == [f"feedback for unknown subscription Id 4711 ignored ({20 * MiB:,} bytes)"]
    assert client.connected


async def test_frame_over_the_size_limit_costs_only_a_reconnect(fsim: Any) -> None:
    watch = Watch()
    async with make_client(fsim.url, watch, max_size=MiB) as client:
        post = await in_flight_post(client)
        fsim.simulator.faults.send_garbage("huge", size=2 * MiB)
        lost = f"Connection to {client.target.display} lost: the device sent a message larger " \
               f"than the size limit ({MiB:,} bytes)"
        with pytest.raises(ConnectionLost) as info:
            await asyncio.wait_for(post, WAIT)
        assert str(info.value) == lost
        await watch.reached("reconnected")
        assert watch.states[1] == ("disconnected", lost)
        assert await client.get(VOLUME) == fsim.simulator.get_value("Status Audio Volume")


# ====================================================================== device errors

async def test_not_ready_is_a_typed_error_and_passes(watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    device.faults.not_ready(60)
    with pytest.raises(NotReady) as info:
        await client.get(VOLUME)
    assert str(info.value) == "Not Ready (code -31997)"
    device.faults.clear()
    assert await client.get(VOLUME) == device.get_value("Status Audio Volume")
    assert watch.names() == ["connected"] and watch.errors == []


async def test_subscriber_count_exceeded_keeps_the_registrations(
        watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    first = await client.subscribe(VOLUME, watch.handler)
    device.faults.subscriber_limit()
    with pytest.raises(SubscriberCountExceeded) as info:
        await client.subscribe("Status/Audio", watch.handler)
    assert str(info.value) == "Subscriber Count Exceeded (code -31998)"
    assert list(client.subscriptions) == [first]
    device.faults.clear()
    second = await client.subscribe("Status/Audio", watch.handler)
    assert list(client.subscriptions) == [first, second]


# ====================================================================== the link

@pytest.mark.parametrize("code,reason", [(1000, ""), (1001, "going away"), (1011, "internal error"),
                                         (4000, "maintenance window")])
async def test_close_frame_is_reported_with_code_and_reason(
        watched: tuple[XoWSClient, Watch, Any], code: int, reason: str) -> None:
    client, watch, device = watched
    post = await in_flight_post(client)
    device.faults.close(code, reason)
    why = f"code {code}: {reason}" if reason else f"code {code}"
    lost = f"Connection to {client.target.display} lost: the device closed the connection ({why})"
    with pytest.raises(ConnectionLost) as info:
        await asyncio.wait_for(post, WAIT)
    assert str(info.value) == lost
    await watch.reached("reconnected")
    assert watch.states[1] == ("disconnected", lost)
    assert await client.get(VOLUME) == device.get_value("Status Audio Volume")


async def test_drop_fails_the_request_in_flight_at_once(watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    post = await in_flight_post(client)
    device.faults.drop()
    with pytest.raises(ConnectionLost, match="lost: the connection dropped without a close frame"):
        await asyncio.wait_for(post, WAIT)
    await watch.reached("reconnected")
    assert watch.names()[:3] == ["connected", "disconnected", "reconnecting"]
    assert client.in_flight == 0 and await client.get(VOLUME) is not None


async def test_silent_device_is_noticed_by_keepalive(fsim: Any) -> None:
    watch = Watch()
    async with make_client(fsim.url, watch, ping_interval=0.2, ping_timeout=0.2) as client:
        post = await in_flight_post(client)
        fsim.simulator.faults.silence()  # TCP stays open, nothing is answered any more
        lost = f"Connection to {client.target.display} lost: the device stopped answering " \
               "keepalive pings (nothing received for 0.2 s)"
        with pytest.raises(ConnectionLost) as info:
            await asyncio.wait_for(post, WAIT)
        assert str(info.value) == lost
        await watch.reached("reconnecting")  # the new upgrade hangs until the link heals
        fsim.simulator.faults.heal()
        await watch.reached("reconnected")
        assert ("disconnected", lost) in watch.states
        assert await client.get(VOLUME) == fsim.simulator.get_value("Status Audio Volume")


async def test_close_does_not_hang_on_a_silent_link(fsim: Any) -> None:
    watch = Watch()
    client = make_client(fsim.url, watch, close_timeout=0.2)
    await client.connect()
    fsim.simulator.faults.silence()
    await asyncio.wait_for(client.close(), WAIT)
    assert watch.states[-1] == ("closed", "the connection was closed by the client")
    assert not client.connected


async def test_slow_device_times_out_one_request(fsim: Any) -> None:
    watch = Watch()
    async with make_client(fsim.url, watch, timeout=0.2) as client:
        fsim.simulator.faults.delay(60)
        with pytest.raises(RequestTimeout) as info:
            await client.get(VOLUME)
        assert str(info.value) == f"No answer to xGet from {client.target.display} within 0.2 s"
        assert client.in_flight == 0
        fsim.simulator.faults.delay(0)
        assert await client.get(VOLUME) == fsim.simulator.get_value("Status Audio Volume")
        assert watch.errors == [] and watch.names() == ["connected"]


async def test_cancelling_one_request_leaves_the_others(watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    device.faults.delay(0.3)
    doomed = asyncio.create_task(client.get(VOLUME))
    kept = asyncio.create_task(client.get("Configuration/Audio/DefaultVolume"))
    # the fault method is never delayed: a barrier proving both requests are on the device
    # (a task too, so that it is sent after them: tasks start in the order they were made)
    await asyncio.create_task(client.call("xSimulator/Fault", {"Kind": "delay", "Seconds": 0}))
    assert client.in_flight == 2
    doomed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert client.in_flight == 1
    assert await asyncio.wait_for(kept, WAIT) == device.get_value("Configuration Audio DefaultVolume")
    assert client.in_flight == 0 and watch.errors == []  # the cancelled one's late reply: quiet


async def test_rate_limited_and_rebooting_device_each_get_their_message(
        watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    shown = client.target.display
    device.faults.rate_limit(60)
    device.faults.drop()
    await watch.until(lambda: any("HTTP 503" in d for _, d in watch.states))
    assert any(d.startswith(f"{shown} is rate-limiting connections (HTTP 503); next attempt in ")
               for s, d in watch.states if s == "reconnecting")
    device.faults.clear()
    await watch.reached("reconnected")
    mark = len(watch.states)
    device.faults.reboot(1.0)  # long enough to be seen refusing, whatever the machine's load
    await watch.reached("reconnected", mark)
    assert any(d.startswith(f"{shown} is rebooting (HTTP 502); next attempt in ")
               for s, d in watch.states[mark:] if s == "reconnecting")


async def test_python_fault_api_rejects_bad_arguments(fsim: Any) -> None:
    faults = fsim.simulator.faults
    with pytest.raises(ValueError, match="close code 1006 cannot be sent in a Close frame"):
        faults.close(1006)
    with pytest.raises(ValueError, match="unknown garbage kind 'confetti'"):
        faults.send_garbage("confetti")
    with pytest.raises(ValueError, match="reorder needs a count of at least 2"):
        faults.send_garbage("reorder", count=1)
    with pytest.raises(ValueError, match="Seconds must be a number from 0 to 86400"):
        faults.not_ready(-5)
    with pytest.raises(TypeError, match="a frame is str or bytes"):
        faults.send_raw(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="drop_on: Skip must be a whole number >= 0, not -1"):
        faults.drop_on("xFeedback/Subscribe", skip=-1)
    with pytest.raises(ValueError, match="subscriber_limit: Count must be a whole number >= 0"):
        faults.subscriber_limit(count=-1)


# ====================================================================== the hidden method

async def test_fault_method_is_unknown_unless_enabled(client: XoWSClient) -> None:
    with pytest.raises(MethodNotFound):
        await client.call("xSimulator/Fault", {"Kind": "drop"})
    assert client.connected and await client.get(VOLUME) is not None


@pytest.mark.parametrize("params,fragment", [
    ({"Kind": "explode"}, "unknown fault kind 'explode'"),
    ({}, "unknown fault kind None"),
    ({"Kind": "close", "Code": 1006}, "close code 1006 cannot be sent"),
    ({"Kind": "delay", "Seconds": -1}, "Seconds must be a number from 0 to 86400"),
    ({"Kind": "garbage", "Type": "confetti"}, "unknown garbage Type 'confetti'"),
    ({"Kind": "garbage", "Type": "reorder", "Count": 1}, "at least 2 replies"),
    ({"Kind": "drop_on"}, "drop_on: Method must be a method name, not None"),
    ({"Kind": "drop-on", "Method": "xGet", "Skip": -1}, "drop_on: Skip must be a whole number >= 0"),
    ({"Kind": "subscriber_limit", "Count": "two"}, "Count must be a whole number >= 0"),
    ({"Kind": "subscribe_delay"}, "subscribe_delay: Seconds must be a number from 0 to 86400"),
])
async def test_fault_method_rejects_bad_params(watched: tuple[XoWSClient, Watch, Any],
                                               params: dict[str, Any], fragment: str) -> None:
    client, watch, _ = watched
    with pytest.raises(InvalidParams) as info:
        await client.call("xSimulator/Fault", params)
    assert fragment in info.value.data["Reason"]
    assert client.connected and watch.names() == ["connected"]


async def test_fault_method_strikes_after_its_reply(watched: tuple[XoWSClient, Watch, Any]) -> None:
    client, watch, device = watched
    assert await client.call("xSimulator/Fault", {"Kind": "Garbage", "Type": "unknown-id"}) == {"status": "OK"}
    await client.get(VOLUME)
    assert watch.errors == ["reply with unknown id 987654321 ignored"]
    assert await client.call("xSimulator/Fault", {"Kind": "not-ready", "Seconds": 60}) == {"status": "OK"}
    with pytest.raises(NotReady):
        await client.get(VOLUME)
    await client.call("xSimulator/Fault", {"Kind": "clear"})
    assert await client.call("xSimulator/Fault", {"Kind": "close", "Code": 4001, "Reason": "bye"}) \
        == {"status": "OK"}
    detail = await watch.reached("disconnected")
    assert detail.endswith("the device closed the connection (code 4001: bye)")
    await watch.reached("reconnected")


async def test_xshell_sim_faults_flag_enables_the_method() -> None:
    with sim_process("--password", PASSWORD, "--faults") as (url, _):
        watch = Watch()
        async with make_client(url, watch) as client:
            assert await client.call("xSimulator/Fault", {"Kind": "garbage", "Type": "text"}) \
                == {"status": "OK"}
            await client.get(VOLUME)
            assert len(watch.errors) == 1 and watch.errors[0].startswith("frame is not JSON")
            await client.call("xSimulator/Fault", {"Kind": "drop"})
            await watch.reached("reconnected")
            assert await client.get(VOLUME) is not None
