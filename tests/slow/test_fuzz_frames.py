"""Random server→client frames never take the client down.

Ten thousand hypothesis-made frames go straight into the client's frame handler (the
RpcTable, the cheap path) with requests pending and a subscription live; a few hundred
more travel the real socket from the simulator's raw-frame hook into a connected
client. Whatever arrives, nothing raises, every report is one short line, waiting
requests end only with a result or a typed error, and the session keeps working.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.conftest import FUZZ_EXAMPLES, PASSWORD, USER
from tests.e2e.test_faults import VOLUME, Watch, make_client
from xshell.errors import ProtocolError, XAPIError
from xshell.sim import Simulator
from xshell.transport.client import XoWSClient
from xshell.transport.rpc import RpcTable, Subscription

WAIT = 10.0

# Cheap strategies (a palette of awkward values, combined) so that 10,000 examples stay fast.
IDS: list[Any] = [0, 1, 2, 3, 4, 5, -1, 2**64, None, True, False, 1.0, "1", "3", "²", "٣", "", "x",
                  [], [1], {}, {"a": 1}]
VALUES: list[Any] = [None, True, 0, -1, 2**70, 1.5, float("nan"), float("inf"), "", "x" * 300,
                     "line\nbreak", "True", [], [1, [2, [3]]], {}, {"Id": 0}, {"Id": "x"},
                     {"Status": {"Audio": {"Volume": 50}}}, {"code": -31997, "message": "Not Ready"},
                     {"code": "x", "message": ["no"]}, {"code": -32700, "message": "Parse\nerror",
                                                        "data": {"x": 1}},
                     {"message": {"nested": "x" * 500}}, {"code": -31998, "message": "\u2028" * 99}]
METHODS = ["xFeedback/Event", "xFeedback/event", "xGet", "", "xSimulator/Fault"]
ROOTS = ["Status", "Configuration", "Event", "Bogus", "Id"]


def compose(mask: int, rid: Any, a: Any, b: Any, method: str, pid: Any, root: str) -> str:
    """A JSON object with any subset of the JSON-RPC members, each possibly wrong."""
    msg: dict[str, Any] = {}
    if mask & 1:
        msg["jsonrpc"] = "2.0"
    if mask & 2:
        msg["id"] = rid
    if mask & 4:
        msg["result"] = a
    if mask & 8:
        msg["error"] = b
    if mask & 16:
        msg["method"] = method
    if mask & 32:
        msg["params"] = {"Id": pid, root: a} if mask & 64 else b
    return json.dumps(msg)


def splice(frame: str, at: int, junk: str) -> str:
    """Overwrite a few characters somewhere: truncated, torn and mis-escaped frames."""
    at %= len(frame) + 1
    return frame[:at] + junk + frame[at + len(junk):]


structured = st.builds(compose, st.integers(0, 127), st.sampled_from(IDS), st.sampled_from(VALUES),
                       st.sampled_from(VALUES), st.sampled_from(METHODS), st.sampled_from(IDS),
                       st.sampled_from(ROOTS))
frames = st.one_of(
    structured,
    st.builds(splice, structured, st.integers(0, 400), st.text(max_size=4)),
    st.text(max_size=60),
    st.binary(max_size=32),
    st.integers(1, 50_000).map(lambda depth: "[" * depth + "]" * depth),
)


class Harness:
    """A fresh RpcTable with three requests pending and subscription 0 live."""

    def __init__(self) -> None:
        self.reports: list[ProtocolError] = []
        self.feedback: list[tuple[Any, int]] = []
        self.rpc = RpcTable(self.reports.append)
        sub = Subscription(("Status", "Audio"), lambda payload, sub_id: self.feedback.append((payload, sub_id)))
        rid, _, live = self.rpc.open("xFeedback/Subscribe", {"Query": ["Status", "Audio"]},
                                     self.rpc.subscribe_hook(sub, resync=True))
        self.rpc.dispatch(json.dumps({"id": rid, "jsonrpc": "2.0", "result": {"Id": 0}}))
        assert live.result() == {"Id": 0}
        self.waiting = [self.rpc.open("xGet", {"Path": ["Status", n]})[2] for n in ("A", "B")]
        _, _, subscribing = self.rpc.open("xFeedback/Subscribe", {"Query": ["Status"]},
                                          self.rpc.subscribe_hook(Subscription(("Status",), print)))
        self.waiting.append(subscribing)


def check_outcomes(h: Harness, frame_count: int) -> None:
    assert len(h.reports) <= frame_count
    for report in h.reports:
        assert isinstance(report, ProtocolError)
        text = str(report)
        assert "\n" not in text and len(text) < 300, text
    for fut in h.waiting:
        if fut.done():
            assert fut.exception() is None or isinstance(fut.exception(), (XAPIError, ProtocolError))
    for payload, sub_id in h.feedback:
        assert isinstance(payload, dict) and sub_id == 0


@pytest.mark.slow
async def test_ten_thousand_random_frames_into_the_frame_handler() -> None:
    # hypothesis runs synchronously inside this test's event loop (futures need one).
    # 10,000 examples under the `ci` profile, 300 under `dev` (tests/conftest.py)
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(frame=frames)
    def one_frame(frame: str | bytes) -> None:
        h = Harness()
        h.rpc.dispatch(frame)  # must not raise, whatever it is
        check_outcomes(h, 1)
        rid, _, fut = h.rpc.open("xGet", {"Path": ["Status", "Z"]})
        h.rpc.dispatch(json.dumps({"id": rid, "jsonrpc": "2.0", "result": "still works"}))
        assert fut.result() == "still works"

    one_frame()


@pytest.fixture
async def fuzz_session() -> AsyncIterator[tuple[XoWSClient, Watch, Simulator]]:
    """One device and one client shared by every example: a long session under fire."""
    device = Simulator(user=USER, password=PASSWORD, rate_limit=None)
    async with device.serve() as server:
        watch = Watch()
        async with make_client(server.url, watch, reconnect=None) as client:
            yield client, watch, device


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(batch=st.lists(frames, min_size=1, max_size=3))
async def test_random_frames_over_the_wire_leave_the_session_intact(
        fuzz_session: tuple[XoWSClient, Watch, Simulator], batch: list[str | bytes]) -> None:
    client, watch, device = fuzz_session
    mark = len(watch.errors)
    for frame in batch:
        device.faults.send_raw(frame)
    try:  # a random frame may pose as this request's reply: any typed outcome is fine
        await asyncio.wait_for(client.get(VOLUME), WAIT)
    except (XAPIError, ProtocolError):
        pass
    assert await asyncio.wait_for(client.get(VOLUME), WAIT) == device.get_value("Status Audio Volume")
    assert client.connected and watch.names() == ["connected"]
    fresh = watch.errors[mark:]
    assert len(fresh) <= len(batch)
    assert all("\n" not in e and len(e) < 300 for e in fresh)
