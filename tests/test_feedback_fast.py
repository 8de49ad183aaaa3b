"""Feedback fast paths: lazy rendering, newest-first pane flush, one-leaf shortcuts.

Each fast path must show the user exactly what the general path shows; these tests
compare the two and check that work skipped is really skipped.
"""

from __future__ import annotations

from typing import Any

import pytest

from xshell.interactive import _LazyFeedbackEvent
from xshell.lang.render import render_feedback, tree_lines
from xshell.live import LiveTree
from xshell.registrations import Feedback
from xshell.ui.backend import FeedbackEvent
from xshell.ui.eventlog import EventLog, RateMeter


class CountingRenderer:
    """A renderer that records which events it rendered."""

    def __init__(self) -> None:
        self.rendered: list[Any] = []

    def __call__(self, fb: Feedback) -> list[str]:
        self.rendered.append(fb.payload["Status"]["Audio"]["Volume"])
        return render_feedback(fb.payload)


def _volume(level: int) -> dict[str, Any]:
    return {"Status": {"Audio": {"Volume": level}}}


def test_feedback_renders_once_and_only_when_read() -> None:
    renderer = CountingRenderer()
    fb = Feedback(1.0, "/Status/Audio", None, None, _volume(7), render=renderer)
    assert renderer.rendered == []
    assert fb.lines == ["*s Audio Volume: 7", "** end"]
    assert fb.lines == ["*s Audio Volume: 7", "** end"]
    assert renderer.rendered == [7]
    assert fb.path == "/Status/Audio/Volume"


def test_feedback_given_lines_and_path_are_kept() -> None:
    fb = Feedback(2.0, "x", "/Status/X", ["*s X: 1", "** end"], {"Status": {"X": 1}})
    assert (fb.path, fb.lines) == ("/Status/X", ["*s X: 1", "** end"])


def test_pane_renders_only_events_that_stay_in_the_ring() -> None:
    renderer = CountingRenderer()
    log = EventLog(maxlen=10)
    for level in range(30):  # 2 lines each: only the newest 5 events fit
        log.push(_LazyFeedbackEvent(Feedback(1.0 + level, "e", None, None, _volume(level),
                                             render=renderer)))
    new = log.flush()
    assert sorted(renderer.rendered) == list(range(25, 30))
    assert [ln.text for ln in new][:2] == ["*s Audio Volume: 25", "** end"]
    assert len(log) == 10 and log.total_events == 30


def test_lazy_and_eager_events_show_the_same_lines() -> None:
    eager, lazy = EventLog(maxlen=7), EventLog(maxlen=7)
    for level in range(9):
        payload = _volume(level)
        eager.push(FeedbackEvent(100.0 + level, render_feedback(payload), "/Status/Audio/Volume"))
        lazy.push(_LazyFeedbackEvent(Feedback(100.0 + level, "e", None, None, payload,
                                              render=CountingRenderer())))
    assert [ln.render() for ln in lazy.flush()] == [ln.render() for ln in eager.flush()]
    for log in (eager, lazy):
        log.set_filter("volume: 8")
    assert lazy.lines_text() == eager.lines_text()
    assert [t.split(" ", 1)[1].strip() for t in lazy.lines_text()] == ["*s Audio Volume: 8", "** end"]


def test_lazy_event_can_be_filtered_by_path() -> None:
    log = EventLog()
    log.push(_LazyFeedbackEvent(Feedback(1.0, "e", None, None,
                                         {"Status": {"Call": [{"id": 3, "Status": "Connected"}]}},
                                         render=lambda fb: render_feedback(fb.payload))))
    log.flush()
    log.set_filter("/status/call/3")
    assert log.lines_text()[0].endswith("*s Call 3 Status: Connected")


@pytest.mark.parametrize("payload", [
    {"Id": 1, "Status": {"Audio": {"Volume": 50}}},
    {"Status": {"Audio": {"Volume": "a b"}}},
    {"Configuration": {"SystemUnit": {"Name": "x\x1b[31m"}}},
    {"Status": {"Bad\x07Key": {"Leaf": True}}},
    {"Status": {"Audio": {"Volume": None}}},
    {"Status": 3},
    {"Status": {"Audio": {}}},
    {"Status": {"Audio": {"ghost": "True"}}},
    {"Event": {"CallSuccessful": {"id": 1, "CallId": 3}}},
])
def test_one_leaf_shortcut_matches_the_general_layout(payload: dict[str, Any]) -> None:
    root = next(k for k in payload if k != "Id")
    marker = {"Status": "*s", "Configuration": "*c xConfiguration", "Event": "*e"}[root]
    general = tree_lines(marker, root, (), payload[root]) + ["** end"]
    assert render_feedback(payload) == general


def test_live_tree_merges_one_leaf_payloads_in_any_case() -> None:
    live = LiveTree()
    live.merge({"Status": {"Audio": {"Volume": 10, "Microphones": {"Mute": "Off"}}}})
    live.merge({"Id": 4, "status": {"AUDIO": {"Volume": 42}}})
    assert live.value(["Status", "Audio", "Volume"]) == 42
    assert live.value(["Status", "Audio", "Microphones", "Mute"]) == "Off"
    live.merge({"Status": {"Call": [{"id": 2, "Status": "Connected"}]}})
    live.merge({"Status": {"Call": [{"id": 2, "ghost": "True"}]}})
    assert live.instances(["Status", "Call"]) == []


def test_rate_meter_counts_a_burst_within_one_bucket() -> None:
    now = [100.0]
    meter = RateMeter(window=5.0, resolution=0.25, clock=lambda: now[0])
    for _ in range(1000):
        meter.add()
    now[0] = 100.3  # next bucket
    meter.add(500)
    now[0] = 102.0
    assert meter.rate() == pytest.approx(1500 / 2.0)
