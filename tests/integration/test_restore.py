"""A registration never dies silently; a busy link is not a dead link (issue 12 §2).

Each fault comes from the fault-injecting simulator: a subscriber limit while feedback
is being restored, a Subscribe reply later than the request's timeout, a link dropped
in the middle of restoring. After each, the registration is made again without a new
reconnect, the unrestored state is told while it lasts (and counted in the toolbar),
and the device's events still arrive — once, under the caller's id. The manual
`reconnect` restores exactly as the automatic one does, resync included.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import PASSWORD, USER
from tests.e2e.test_faults import WAIT, Watch, make_client
from xshell.errors import RequestTimeout
from xshell.shell.one_device import ShellBackendImpl
from xshell.session.core import Session
from xshell.sim import Simulator
from xshell.transport.client import XoWSClient
from xshell.transport.keepalive import keepalive
from xshell.contract import FeedbackEvent
from xshell.ui.toolbar import ToolbarInfo, toolbar_fragments

VOLUME = "Status/Audio/Volume"
DEFAULT = "Configuration/Audio/DefaultVolume"
REFUSED = "Subscriber Count Exceeded (code -31998)"


class Told:
    """on_restore(unrestored, detail), recorded: the count now, and every line told."""

    def __init__(self, watch: Watch) -> None:
        self.watch = watch
        self.count = 0
        self.counts: list[int] = []
        self.lines: list[str] = []

    def __call__(self, unrestored: int, detail: str) -> None:
        self.count = unrestored
        self.counts.append(unrestored)
        if detail:
            self.lines.append(detail)
        self.watch._wake.set()


@pytest.fixture
async def device() -> AsyncIterator[Any]:
    sim = Simulator(user=USER, password=PASSWORD, rate_limit=None)
    async with sim.serve() as server:
        yield server


def subscriptions_on(sim: Simulator) -> list[set[int]]:
    return [set(c.subscriptions) for c in sim.connection_list()]


# ====================================================================== subscriber limit

async def test_subscriber_limit_during_restore_is_retried_until_it_is_made(device: Any) -> None:
    watch = Watch()
    told = Told(watch)
    sim = device.simulator
    async with make_client(device.url, watch, on_restore=told) as client:
        sub_id = await client.subscribe(VOLUME, watch.handler)
        sim.faults.subscriber_limit()
        sim.faults.drop()
        await watch.until(lambda: bool(told.lines))
        assert re.fullmatch(rf"feedback registration {sub_id} \(Status/Audio/Volume\) not restored: "
                            rf"{re.escape(REFUSED)}; retrying until it is \(next try in [\d.]+ s\)",
                            told.lines[0]), told.lines
        assert told.count == 1 and client.unrestored == {sub_id: REFUSED}
        assert client.connected and client.device_id(sub_id) is None
        sim.faults.clear()  # no new reconnect: the background retry makes it
        await watch.until(lambda: told.count == 0)
        assert told.lines[1:] == [f"feedback registration {sub_id} (Status/Audio/Volume) restored"]
        assert client.reconnects == 1 and client.unrestored == {} and watch.errors == []
        await watch.until(lambda: any(r[0] == sub_id for r in watch.resyncs))  # the state after the gap
        sim.set_status("Audio Volume", 12)
        await watch.until(lambda: (sub_id, {"Status": {"Audio": {"Volume": 12}}}) in watch.feed)


async def test_without_on_restore_the_failure_is_a_protocol_error_told_once(device: Any) -> None:
    watch = Watch()
    sim = device.simulator
    async with make_client(device.url, watch) as client:
        sub_id = await client.subscribe(VOLUME, watch.handler)
        sim.faults.subscriber_limit()
        sim.faults.drop()
        await watch.until(lambda: bool(watch.errors))
        await client.get(VOLUME)
        sim.faults.clear()
        await asyncio.wait_for(client.wait_restored(), WAIT)
        assert client.device_id(sub_id) is not None  # made again, with no new reconnect
        assert len(watch.errors) == 1 and watch.errors[0].startswith(
            f"feedback registration {sub_id} (Status/Audio/Volume) not restored: {REFUSED}")


async def test_deregistering_a_refused_registration_stops_its_retries(device: Any) -> None:
    watch = Watch()
    told = Told(watch)
    sim = device.simulator
    async with make_client(device.url, watch, on_restore=told) as client:
        subs = [await client.subscribe(VOLUME, watch.handler), await client.subscribe(DEFAULT, watch.handler)]
        sim.faults.subscriber_limit(count=1)  # room for one of the two
        sim.faults.drop()
        await watch.until(lambda: told.count == 1)
        [refused] = client.unrestored
        [kept] = [s for s in subs if s != refused]
        assert await client.unsubscribe(refused) is True
        assert told.count == 0 and client.unrestored == {}
        await asyncio.wait_for(client.wait_restored(), WAIT)  # nothing left to retry
        assert list(client.subscriptions) == [kept]
        assert subscriptions_on(sim) == [{client.device_id(kept)}]
        await client.set(DEFAULT, 44)
        sim.set_status("Audio Volume", 13)
        wanted = {VOLUME: (kept, {"Status": {"Audio": {"Volume": 13}}}),
                  DEFAULT: (kept, {"Configuration": {"Audio": {"DefaultVolume": 44}}})}
        query = "/".join(map(str, client.subscriptions[kept].query))
        await watch.until(lambda: wanted[query] in watch.feed)


# ====================================================================== a late Subscribe reply

async def test_a_subscribe_reply_after_its_timeout_is_bound_and_its_events_arrive(device: Any) -> None:
    watch = Watch()
    told = Told(watch)
    sim = device.simulator
    async with make_client(device.url, watch, on_restore=told, timeout=0.3) as client:
        sub_id = await client.subscribe(VOLUME, watch.handler)
        sim.faults.subscribe_delay(0.6)  # every re-subscribe is answered after the client gave up
        sim.faults.drop()
        await watch.until(lambda: bool(told.lines))
        assert told.lines[0].startswith(f"feedback registration {sub_id} (Status/Audio/Volume) not "
                                        f"restored: No answer to xFeedback/Subscribe from "
                                        f"{client.target.display} within 0.3 s; retrying until it is")
        await watch.until(lambda: told.count == 0)  # the late reply made it
        assert told.lines[-1] == f"feedback registration {sub_id} (Status/Audio/Volume) restored"
        await watch.until(lambda: any(r[0] == sub_id for r in watch.resyncs))
        # A Subscribe sent now is handled after every retry still on the device, so once it
        # is answered each late reply has been read, and a surplus one unsubscribed.
        extra = await client.call("xFeedback/Subscribe", {"Query": ["Status", "Standby"]}, timeout=WAIT)
        await client.call("xFeedback/Unsubscribe", {"Id": extra["Id"]})
        assert subscriptions_on(sim) == [{client.device_id(sub_id)}]
        sim.set_status("Audio Volume", 14)
        await watch.until(lambda: (sub_id, {"Status": {"Audio": {"Volume": 14}}}) in watch.feed)
        await client.get(VOLUME)
        assert [f for f in watch.feed if f[1] == {"Status": {"Audio": {"Volume": 14}}}] == \
            [(sub_id, {"Status": {"Audio": {"Volume": 14}}})]  # once, not once per retry
        assert watch.errors == []  # no "feedback for unknown subscription Id"


async def test_a_subscribe_that_timed_out_is_undone_on_the_device(device: Any) -> None:
    watch = Watch()
    sim = device.simulator
    async with make_client(device.url, watch, timeout=0.2) as client:
        sim.faults.delay(0.4)
        with pytest.raises(RequestTimeout):
            await client.subscribe(VOLUME, watch.handler)
        path = {"Path": ["Status", "Audio", "Volume"]}
        await client.call("xGet", path, timeout=WAIT)  # read after the late Subscribe reply…
        await client.call("xGet", path, timeout=WAIT)  # …and handled after its Unsubscribe
        assert subscriptions_on(sim) == [set()] and client.subscriptions == {}
        sim.faults.clear()
        sim.set_status("Audio Volume", 15)
        await client.get(VOLUME)
        assert watch.errors == [] and watch.feed == []


# ====================================================================== a drop while restoring

async def test_a_drop_during_restore_restores_on_the_next_link(device: Any) -> None:
    watch = Watch()
    told = Told(watch)
    sim = device.simulator
    async with make_client(device.url, watch, on_restore=told) as client:
        subs = [await client.subscribe(VOLUME, watch.handler), await client.subscribe(DEFAULT, watch.handler)]
        sim.faults.drop_on("xFeedback/Subscribe", skip=1)  # the 2nd re-subscribe cuts the link
        sim.faults.drop()
        await watch.until(lambda: watch.names().count("reconnected") == 2)
        await asyncio.wait_for(client.wait_restored(), WAIT)
        assert all(client.device_id(s) is not None for s in subs)
        assert subscriptions_on(sim) == [{client.device_id(s) for s in subs}]
        assert told.lines == [] and client.unrestored == {} and watch.errors == []
        await client.set(DEFAULT, 45)
        sim.set_status("Audio Volume", 16)
        await watch.until(lambda: (subs[0], {"Status": {"Audio": {"Volume": 16}}}) in watch.feed
                          and (subs[1], {"Configuration": {"Audio": {"DefaultVolume": 45}}}) in watch.feed)


# ====================================================================== the manual reconnect

async def test_manual_reconnect_restores_like_the_automatic_one(device: Any) -> None:
    """Same restore: the current values shown as a resync, a refused registration kept,
    counted in the toolbar and retried until the device takes it."""
    sim = device.simulator
    holder: dict[str, ShellBackendImpl] = {}
    opened: list[XoWSClient] = []
    events: list[FeedbackEvent] = []
    changed = asyncio.Event()

    async def connect() -> XoWSClient:
        c = XoWSClient(device.url, USER, PASSWORD,
                       on_restore=lambda n, d: holder["b"].on_restore_state(n, d))
        await c.connect()
        opened.append(c)
        return c

    async def until(cond: Any) -> None:
        async def loop() -> None:
            while not cond():
                changed.clear()
                await changed.wait()
        await asyncio.wait_for(loop(), WAIT)

    def sink(ev: FeedbackEvent) -> None:
        events.append(ev)
        changed.set()

    session = Session(await connect(), device_key="restore-test")
    backend = holder["b"] = ShellBackendImpl(session, host="codec", reconnect=connect)
    backend.set_feedback_sink(sink)
    backend.set_status_listener(changed.set)
    pane = lambda: [ln for ev in events for ln in ev.lines]  # noqa: E731 - a one-line helper
    try:
        for expr in ("/Status/Audio/Volume", "/Configuration/Audio/DefaultVolume"):
            assert (await backend.execute(f"xFeedback register {expr}")).ok
        listed = (await backend.execute("xFeedback list")).lines
        sim.faults.subscriber_limit(count=1)
        out = await backend.execute("reconnect")
        assert out.ok and out.lines == [
            "reconnected to codec", "re-registered /Status/Audio/Volume",
            f"could not re-register /Configuration/Audio/DefaultVolume yet: {REFUSED}; retrying until it is"]
        assert backend.status.unrestored == 1
        bar = "".join(text for _, text, *_ in toolbar_fragments(backend.status, ToolbarInfo()))
        assert "1 not restored" in bar
        await until(lambda: any(ln.startswith("** resync /Status/Audio/Volume") for ln in pane()))
        sim.faults.clear()
        await until(lambda: backend.status.unrestored == 0)
        assert any(re.fullmatch(r"\*\* feedback registration \d+ \(Configuration/Audio/DefaultVolume\) "
                                r"restored", ln) for ln in pane()), pane()
        assert "not restored" not in "".join(
            text for _, text, *_ in toolbar_fragments(backend.status, ToolbarInfo()))
        assert (await backend.execute("xFeedback list")).lines == listed
        assert (await backend.execute("xConfiguration Audio DefaultVolume: 46")).ok
        await until(lambda: "*c xConfiguration Audio DefaultVolume: 46" in pane())
    finally:
        await backend.aclose()
        for c in opened:
            await c.close()


# ====================================================================== a busy link

class _BusyLink:
    """A link whose pongs never come while other frames keep arriving (xs_last_rx)."""

    def __init__(self) -> None:
        self.xs_last_rx = time.monotonic()
        self.aborted = asyncio.Event()
        self.xs_transport = self  # what keepalive aborts (peercheck.CheckedConnection keeps it)

    async def ping(self) -> asyncio.Future[float]:
        return asyncio.get_running_loop().create_future()  # answered never

    def abort(self) -> None:
        self.aborted.set()


async def test_a_busy_link_is_not_declared_dead_only_a_silent_one_is() -> None:
    link = _BusyLink()
    reasons: list[str] = []
    pinger = asyncio.create_task(keepalive(link, 0.05, 0.2, reasons.append))  # type: ignore[arg-type]
    try:
        started = time.monotonic()
        while time.monotonic() - started < 1.0:  # 5× the timeout of frames, no pong at all
            link.xs_last_rx = time.monotonic()
            await asyncio.sleep(0.02)  # the device sending, not the test waiting
            assert reasons == [], "declared dead while frames kept arriving"
        quiet_from = link.xs_last_rx
        await asyncio.wait_for(link.aborted.wait(), WAIT)  # now nothing arrives: dead
        assert time.monotonic() - quiet_from >= 0.2
        assert reasons == ["the device stopped answering keepalive pings (nothing received for 0.2 s)"]
    finally:
        pinger.cancel()
