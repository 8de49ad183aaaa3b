"""Automatic reconnect: backoff policy, state callbacks, and registrations that survive.

After a lost link the caller's subscription ids stay valid, their handlers keep
receiving feedback, and the state after the gap arrives marked as a resync. Requests
never hang across a drop, and the client gives up only when retrying cannot help.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from tests.conftest import PASSWORD, USER
from tests.e2e.test_faults import FAST, VOLUME, Watch, make_client
from xshell.errors import (AuthenticationFailed, ConnectionFailed, ConnectionLost, DeviceRebooting,
                           InvalidParams, RateLimited, TLSFailed)
from xshell.sim import Simulator
from xshell.transport.client import XoWSClient
from xshell.transport.reconnect_policy import ReconnectPolicy, hopeless, resolve_policy
from xshell.transport.rpc import RpcTable, Subscription

WAIT = 10.0


def volume_payload(level: int) -> dict[str, Any]:
    return {"Status": {"Audio": {"Volume": level}}}


@pytest.fixture
async def device() -> AsyncIterator[Any]:
    sim = Simulator(user=USER, password=PASSWORD, rate_limit=None)
    async with sim.serve() as server:
        yield server


# ====================================================================== the policy

@settings(max_examples=300, deadline=None)
@given(attempt=st.integers(1, 200), seed=st.integers(0, 2**32),
       initial=st.floats(0.01, 5), factor=st.floats(1, 4), maximum=st.floats(0.01, 60),
       jitter=st.floats(0, 0.9))
def test_backoff_grows_is_capped_and_jittered(attempt: int, seed: int, initial: float, factor: float,
                                             maximum: float, jitter: float) -> None:
    policy = ReconnectPolicy(initial=initial, factor=factor, maximum=maximum, jitter=jitter)
    pause = policy.backoff(attempt, random.Random(seed))
    exact = min(maximum, initial * factor ** min(attempt - 1, 200))
    assert 0 <= pause <= maximum
    assert exact * (1 - jitter) - 1e-9 <= pause <= exact * (1 + jitter) + 1e-9


def test_backoff_doubles_without_jitter_and_honours_502_and_503() -> None:
    policy = ReconnectPolicy(initial=0.5, factor=2, maximum=4, jitter=0, rebooting=5, rate_limited=2)
    rng = random.Random(1)
    assert [policy.backoff(n, rng) for n in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]
    assert policy.pause_after(DeviceRebooting("502"), 1, rng) == 5
    assert policy.pause_after(RateLimited("503"), 1, rng) == 2
    assert policy.pause_after(ConnectionFailed("refused"), 4, rng) == 4


@pytest.mark.parametrize("kwargs,fragment", [
    ({"initial": 0}, "initial must be a number of seconds > 0"),
    ({"rebooting": -1}, "rebooting must be a number of seconds >= 0"),
    ({"factor": 0.5}, "factor must be >= 1"),
    ({"jitter": 1.0}, "jitter must be a fraction"),
    ({"max_attempts": 0}, "max_attempts must be a positive integer or None"),
])
def test_bad_policy_is_a_clear_error(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        ReconnectPolicy(**kwargs)


def test_reconnect_argument_and_hopeless_failures() -> None:
    assert resolve_policy(None) is None and resolve_policy(False) is None
    assert resolve_policy(True) == ReconnectPolicy()
    with pytest.raises(ValueError, match="reconnect must be True, False, None or a ReconnectPolicy"):
        resolve_policy("yes")  # type: ignore[arg-type]
    assert hopeless(AuthenticationFailed("403")) and hopeless(TLSFailed("pin"))
    assert not hopeless(DeviceRebooting("502")) and not hopeless(ConnectionFailed("refused"))
    assert XoWSClient("codec").timeout == 30.0  # every request has a deadline by default


async def test_resync_window_covers_only_the_current_values() -> None:
    reports: list[Exception] = []
    rpc = RpcTable(reports.append)
    seen: list[tuple[str, dict[str, Any]]] = []

    def handler(payload: dict[str, Any], sub_id: int) -> None:
        seen.append(("resync" if rpc.resyncing else "change", payload))

    rid, _, fut = rpc.open("xFeedback/Subscribe", {"Query": ["**"]},
                           rpc.subscribe_hook(Subscription(("**",), handler), resync=True))
    rpc.dispatch(json.dumps({"id": rid, "result": {"Id": 4}}))
    for root in ("Status", "Configuration", "Status"):  # current values per root, then a change
        rpc.dispatch(json.dumps({"method": "xFeedback/Event", "params": {"Id": 4, root: {"A": 1}}}))
    assert fut.result() == {"Id": 4} and reports == []
    assert seen == [("resync", {"Status": {"A": 1}}), ("resync", {"Configuration": {"A": 1}}),
                    ("change", {"Status": {"A": 1}})]


# ====================================================================== registrations survive

async def test_registrations_survive_with_stable_ids_and_a_resync(device: Any) -> None:
    watch = Watch()
    sim = device.simulator
    async with make_client(device.url, watch) as client:
        a = await client.subscribe(VOLUME, watch.handler, notify_current=True)
        b = await client.subscribe("Configuration/Audio/DefaultVolume", watch.handler)
        await watch.until(lambda: (a, volume_payload(50)) in watch.feed)
        sim.faults.rate_limit(60)  # keep the client out while the device changes
        sim.faults.drop()
        await watch.until(lambda: any("HTTP 503" in d for _, d in watch.states))
        sim.set_status("Audio Volume", 70)  # nobody hears this one: the gap
        sim.faults.clear()
        assert (await watch.reached("reconnected")).endswith("restoring 2 feedback registrations")
        await watch.until(lambda: (a, volume_payload(70)) in watch.resyncs)
        assert list(client.subscriptions) == [a, b]
        assert client.subscriptions[a].query == ("Status", "Audio", "Volume")
        assert (a, volume_payload(70)) not in watch.feed  # the resync is not a change
        await asyncio.wait_for(client.wait_restored(), WAIT)
        assert client.device_id(b) is not None
        sim.set_status("Audio Volume", 71)
        await watch.until(lambda: (a, volume_payload(71)) in watch.feed)
        await client.set("Configuration/Audio/DefaultVolume", 44)
        await watch.until(lambda: (b, {"Configuration": {"Audio": {"DefaultVolume": 44}}}) in watch.feed)
        assert watch.errors == [] and client.reconnects == 1


async def test_resync_goes_to_the_handler_without_on_resync(device: Any) -> None:
    got: list[tuple[dict[str, Any], int]] = []
    seen = asyncio.Event()

    def handler(payload: dict[str, Any], sub_id: int) -> None:
        got.append((payload, sub_id))
        seen.set()

    watch = Watch()
    async with XoWSClient(device.url, USER, PASSWORD, reconnect=FAST, on_state=watch.state) as client:
        sub_id = await client.subscribe(VOLUME, handler)
        device.simulator.faults.drop()
        await watch.reached("reconnected")
        await asyncio.wait_for(seen.wait(), WAIT)
        assert got == [(volume_payload(device.simulator.get_value("Status Audio Volume")), sub_id)]


async def test_per_subscription_on_resync_wins(device: Any) -> None:
    watch = Watch()
    mine: list[tuple[int, dict[str, Any]]] = []
    arrived = asyncio.Event()

    def on_resync(sub_id: int, payload: dict[str, Any]) -> None:
        mine.append((sub_id, payload))
        arrived.set()

    async with make_client(device.url, watch) as client:
        sub_id = await client.subscribe(VOLUME, watch.handler, on_resync=on_resync)
        device.simulator.faults.drop()
        await asyncio.wait_for(arrived.wait(), WAIT)
        assert mine == [(sub_id, volume_payload(device.simulator.get_value("Status Audio Volume")))]
        assert watch.resyncs == []


async def test_event_registration_comes_back_without_resync(device: Any) -> None:
    watch = Watch()
    sim = device.simulator
    async with make_client(device.url, watch) as client:
        sub_id = await client.subscribe("Event/CallFailed", watch.handler)
        sim.faults.drop()
        await watch.reached("reconnected")
        await asyncio.wait_for(client.wait_restored(), WAIT)
        assert client.device_id(sub_id) is not None
        sim.emit_event(["CallFailed"], {"Code": 7, "Message": "busy"})
        await watch.until(lambda: len(watch.feed) == 1)
        assert watch.feed == [(sub_id, {"Event": {"CallFailed": {"Code": 7, "Message": "busy", "id": 1}}})]
        assert watch.resyncs == []


async def test_unsubscribe_while_disconnected_is_not_restored(device: Any) -> None:
    watch = Watch()
    sim = device.simulator
    async with make_client(device.url, watch) as client:
        gone = await client.subscribe(VOLUME, watch.handler)
        kept = await client.subscribe("Status/Audio", watch.handler)
        sim.faults.rate_limit(60)
        sim.faults.drop()
        await watch.reached("reconnecting")
        assert await client.unsubscribe(gone) is True  # nothing to tell a device we are not on
        with pytest.raises(InvalidParams, match="Unknown subscription Id"):
            await client.unsubscribe(gone)
        sim.faults.clear()
        assert (await watch.reached("reconnected")).endswith("restoring 1 feedback registration")
        await asyncio.wait_for(client.wait_restored(), WAIT)
        assert client.device_id(kept) is not None
        assert list(client.subscriptions) == [kept]
        assert [len(c.subscriptions) for c in sim.connection_list()] == [1]


@pytest.mark.parametrize(("user_subs", "said"), [
    (1, "; restoring 1 feedback registration"),
    (0, ""),  # only the hidden watch: restored without a word
])
async def test_quiet_watches_are_restored_but_not_counted(device: Any, user_subs: int, said: str) -> None:
    watch = Watch()
    sim = device.simulator
    async with make_client(device.url, watch) as client:
        mine = [await client.subscribe(VOLUME, watch.handler) for _ in range(user_subs)]
        hidden = await client.subscribe("Status/Call", watch.handler, quiet=True)
        sim.faults.rate_limit(60)
        sim.faults.drop()
        await watch.reached("reconnecting")
        sim.faults.clear()
        message = await watch.reached("reconnected")
        assert message.endswith(f"connected again to {client.target.display}{said}")
        await asyncio.wait_for(client.wait_restored(), WAIT)
        assert all(client.device_id(s) is not None for s in [*mine, hidden])
        assert [len(c.subscriptions) for c in sim.connection_list()] == [user_subs + 1]


async def test_not_ready_after_boot_is_waited_out(device: Any) -> None:
    watch = Watch()
    sim = device.simulator
    async with make_client(device.url, watch) as client:
        sub_id = await client.subscribe(VOLUME, watch.handler)
        sim.faults.reboot(0.1)
        sim.faults.not_ready(60)  # still booting for a while after it accepts connections
        await watch.until(lambda: bool(watch.errors))
        assert watch.errors == ["the device is not ready yet (Not Ready (code -31997)); "
                                "feedback registrations will be restored when it is"]
        assert client.connected and client.device_id(sub_id) is None
        sim.faults.clear()  # booted
        await watch.until(lambda: any(r[0] == sub_id for r in watch.resyncs))
        await asyncio.wait_for(client.wait_restored(), WAIT)
        assert client.device_id(sub_id) is not None and len(watch.errors) == 1


# ====================================================================== requests and the end

async def test_requests_while_reconnecting_fail_fast(device: Any) -> None:
    watch = Watch()
    async with make_client(device.url, watch) as client:
        device.simulator.faults.rate_limit(60)
        device.simulator.faults.drop()
        await watch.reached("reconnecting")
        with pytest.raises(ConnectionLost) as info:
            await client.get(VOLUME)
        assert str(info.value) == (f"Not connected to {client.target.display}: reconnecting "
                                   "(the connection dropped without a close frame)")
        assert client.reconnecting and not client.connected


async def test_gives_up_at_once_when_the_password_is_refused() -> None:
    watch = Watch()
    async with Simulator(user=USER, password=PASSWORD, rate_limit=None).serve() as first:
        client = make_client(first.url, watch)
        await client.connect()
    # the device comes back on the same port, but with another password
    other = Simulator(user=USER, password="changed-meanwhile", rate_limit=None)
    async with other.serve(port=first.port):
        reason = await asyncio.wait_for(client.wait_gone(), WAIT)
    assert reason.startswith(f"gave up reconnecting to {client.target.display}: Authentication failed")
    assert watch.states[-1] == ("closed", reason) and PASSWORD not in reason
    assert not client.reconnecting
    await client.close()


async def test_gives_up_after_max_attempts() -> None:
    sim = Simulator(user=USER, password=PASSWORD, rate_limit=None)
    watch = Watch()
    policy = ReconnectPolicy(initial=0.01, maximum=0.02, max_attempts=2)
    async with sim.serve() as server:
        client = make_client(server.url, watch, reconnect=policy)
        await client.connect()
    reason = await asyncio.wait_for(client.wait_gone(), WAIT)
    assert reason.startswith(f"gave up reconnecting to {client.target.display} after 2 attempts: "
                             f"Connection to {client.target.display} refused")
    assert watch.names() == ["connected", "disconnected", "reconnecting", "reconnecting", "closed"]
    await client.close()


async def test_close_stops_reconnecting(device: Any) -> None:
    watch = Watch()
    client = make_client(device.url, watch)
    await client.connect()
    device.simulator.faults.rate_limit(60)
    device.simulator.faults.drop()
    await watch.reached("reconnecting")
    await client.close()
    assert not client.reconnecting and watch.states[-1] == ("closed", "the connection was closed by the client")
    assert await asyncio.wait_for(client.wait_gone(), WAIT) == "the connection was closed by the client"


async def test_without_auto_reconnect_a_loss_is_final_until_connect(device: Any) -> None:
    watch = Watch()
    client = XoWSClient(device.url, USER, PASSWORD, on_state=watch.state, on_resync=watch.resync)
    await client.connect()
    try:
        sub_id = await client.subscribe(VOLUME, watch.handler)
        device.simulator.faults.drop()
        reason = await asyncio.wait_for(client.wait_gone(), WAIT)
        assert reason == "the connection dropped without a close frame"
        assert watch.names() == ["connected", "disconnected"] and not client.reconnecting
        await client.connect()  # by hand: the registrations come back all the same
        await watch.until(lambda: any(r[0] == sub_id for r in watch.resyncs))
        assert watch.names()[-1] == "reconnected"
    finally:
        await client.close()
