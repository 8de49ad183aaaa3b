"""Feedback fast paths: lazy rendering, newest-first pane flush, one-leaf shortcuts.

Each fast path must show the user exactly what the general path shows; these tests
compare the two and check that work skipped is really skipped.
"""

from __future__ import annotations

import copy
import gc
import time
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from xshell.lang.render_layout import tree_lines
from xshell.lang.render_feedback import leaf_feedback, render_feedback
from xshell.session.live import LiveTree
from xshell.session.registrations import Feedback
from xshell.contract import FeedbackEvent
from xshell.ui import eventlog
from xshell.ui.eventlog import EventLog, RateMeter

from tests.unit.test_render import SCHEMA as RENDER_SCHEMA


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
        log.push(Feedback(1.0 + level, "e", None, None, _volume(level), render=renderer))
    new = log.flush()
    assert sorted(renderer.rendered) == list(range(25, 30))
    assert [ln.text for ln in new][:2] == ["*s Audio Volume: 25", "** end"]
    assert len(log) == 10 and log.total_events == 30


def test_lazy_and_eager_events_show_the_same_lines() -> None:
    eager, lazy = EventLog(maxlen=7), EventLog(maxlen=7)
    for level in range(9):
        payload = _volume(level)
        eager.push(FeedbackEvent(100.0 + level, render_feedback(payload), "/Status/Audio/Volume"))
        lazy.push(Feedback(100.0 + level, "e", None, None, payload, render=CountingRenderer()))
    assert [ln.render() for ln in lazy.flush()] == [ln.render() for ln in eager.flush()]
    for log in (eager, lazy):
        log.set_filter("volume: 8")
    assert lazy.lines_text() == eager.lines_text()
    assert [t.split(" ", 1)[1].strip() for t in lazy.lines_text()] == ["*s Audio Volume: 8", "** end"]


def test_lazy_event_can_be_filtered_by_path() -> None:
    log = EventLog()
    log.push(Feedback(1.0, "e", None, None,
                      {"Status": {"Call": [{"id": 3, "Status": "Connected"}]}},
                      render=lambda fb: render_feedback(fb.payload)))
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


class _GeneralOnlyTree(LiveTree):
    """The live tree without its one-leaf shortcut: the reference it must agree with."""

    def _place_leaf(self, chain: tuple[Any, ...], value: Any) -> bool:
        return False  # never a cached slot: every merge takes the general path


_NAMES = st.sampled_from(["Audio", "audio", "Volume", "VOLUME", "Mute", "id"])
_LEAVES = st.one_of(st.integers(0, 3), st.sampled_from(["On", "Off", "True"]))


def _chain(keys: list[str], leaf: Any) -> dict[str, Any]:
    node: Any = leaf
    for key in reversed(keys):
        node = {key: node}
    return node  # type: ignore[no-any-return]


_payloads = st.one_of(
    st.builds(_chain, st.lists(_NAMES, min_size=1, max_size=3).map(lambda k: ["Status", *k]), _LEAVES),
    st.builds(_chain, st.lists(_NAMES, max_size=2).map(lambda k: ["status", *k]),
              st.dictionaries(_NAMES, _LEAVES, max_size=2)),
    st.builds(lambda i, g: {"Status": {"Call": [{"id": i, "Status": "Connected", **({"ghost": "True"} if g else {})}]}},
              st.integers(1, 2), st.booleans()),
    st.builds(_chain, st.lists(_NAMES, min_size=1, max_size=2).map(lambda k: ["Event", *k]), _LEAVES),
    st.just("clear"),
)


@pytest.mark.slow  # 1,000 examples of large trees; the file's other tests stay everyday
@settings(max_examples=1000, deadline=None)
@given(ops=st.lists(_payloads, max_size=25))
def test_one_leaf_shortcut_leaves_the_same_tree_as_the_general_merge(ops: list[Any]) -> None:
    fast, slow = LiveTree(), _GeneralOnlyTree()
    for op in ops:
        for tree in (fast, slow):
            if op == "clear":
                tree.clear()
            else:
                tree.merge(copy.deepcopy(op))
        assert fast._root == slow._root
    assert fast.value(["Status", "Audio", "Volume"]) == slow.value(["Status", "Audio", "Volume"])


@pytest.mark.parametrize("between", [
    {"status": {"Audio": 3, "Mute": "On"}},  # the general merge turns the node into a leaf
    {"Status": {"Audio": 3}},  # so does a one-leaf one
    "clear",
])
def test_a_cached_leaf_slot_is_not_used_once_the_tree_changed_shape(between: Any) -> None:
    live = LiveTree()
    live.merge(_volume(1))
    live.merge(_volume(2))  # through the cached slot
    if between == "clear":
        live.clear()
    else:
        live.merge(between)
    live.merge(_volume(7))
    assert live.value(["Status", "Audio", "Volume"]) == 7


# ------------------------------------------------------------ one walk: line and path
def _render_schema() -> Any:
    return RENDER_SCHEMA


_KEYS = st.sampled_from(["Status", "status", "Configuration", "Event", "Audio", "Volume", "SIP",
                         "Authentication", "Password", "Call", "ghost", "id", "Bad\x1bKey", "1st", ""])
_VALUES = st.one_of(st.integers(-5, 200), st.booleans(), st.none(), st.floats(allow_nan=False),
                    st.sampled_from(["On", "a b", "x\x1b[31m", "127", "", "Connected"]),
                    st.lists(st.integers(), max_size=2), st.dictionaries(_KEYS, st.integers(), max_size=2))


@pytest.mark.slow  # 2,000 examples; the file's other tests stay everyday
@settings(max_examples=2000, deadline=None)
@given(keys=st.one_of(st.lists(_KEYS, min_size=1, max_size=5),
                     st.tuples(st.sampled_from(["Status", "Configuration", "Event"]),
                               st.lists(_KEYS, max_size=4)).map(lambda t: [t[0], *t[1]])),
       value=_VALUES, with_schema=st.booleans())
def test_leaf_walk_agrees_with_the_general_render_and_path(keys: list[str], value: Any,
                                                           with_schema: bool) -> None:
    schema = _render_schema() if with_schema else None
    payload = _chain(keys, value)
    fast = leaf_feedback(payload, schema)
    if fast is not None:  # whenever it answers, it answers what the general path says
        assert [fast[0], "** end"] == render_feedback(payload, schema)
        assert fast[1] == Feedback(0.0, "e", None, None, payload).path


@pytest.mark.parametrize(("payload", "line"), [
    ({"Status": {"Audio": {"Volume": 50}}}, "*s Audio Volume: 50"),
    ({"Configuration": {"SIP": {"Authentication": {"Password": "hunter2"}}}},
     '*c xConfiguration SIP Authentication Password: "***"'),
    ({"Configuration": {"Audio": {"SoundsAndAlerts": {"RingTone": "Sunrise"}}}},
     '*c xConfiguration Audio SoundsAndAlerts RingTone: "Sunrise"'),
])
def test_leaf_walk_quotes_and_hides_as_the_schema_says(payload: dict[str, Any], line: str) -> None:
    schema = _render_schema()
    assert leaf_feedback(payload, schema) == (line, "/" + "/".join(_keys_of(payload)))
    assert "hunter2" not in repr(leaf_feedback(payload, schema))


def _keys_of(payload: dict[str, Any]) -> list[str]:
    keys, node = [], payload
    while isinstance(node, dict):
        (key, node), = node.items()
        keys.append(key)
    return keys


def test_session_feedback_gets_its_path_from_the_same_walk() -> None:
    from xshell.lang.render_feedback import FeedbackRenderer
    renderer = FeedbackRenderer(_render_schema(), "terminal")
    fb = Feedback(1.0, "/Status/Audio", None, None, _volume(9), render=renderer)
    assert fb.lines == ["*s Audio Volume: 9", "** end"]
    assert fb._path == "/Status/Audio/Volume"  # set by the render, not by first_path
    resync = Feedback(1.0, "/Status/Audio", None, None, _volume(9), resync=True, render=renderer)
    assert resync.lines[0] == "** resync /Status/Audio: current values after reconnect"
    assert resync.path == "/Status/Audio/Volume"


# ------------------------------------------------------------ the pane's ring in a storm
def _stamped(level: int) -> Feedback:
    t = time.mktime((2024, 5, 6, 13, 14, 15, 0, 0, -1)) + level / 1000
    return Feedback(t, "e", None, None, _volume(level),
                    render=lambda fb: render_feedback(fb.payload))


def test_a_flush_of_a_storm_shows_the_newest_events_that_fit_with_their_stamps() -> None:
    log = EventLog(maxlen=1000)
    for level in range(3000):  # 2 lines each: the ring keeps the newest 500 events
        log.push(_stamped(level))
    new = log.flush()
    assert len(new) == len(log) == 1000
    lines, base = log.visible()
    assert base == 0 and len(lines) == 1000
    assert lines[0].render() == "13:14:17.500 *s Audio Volume: 2500"
    assert lines[1].render() == " " * 12 + " ** end"
    assert lines[-2].render() == "13:14:17.999 *s Audio Volume: 2999"
    assert [ln.text for ln in lines[-4:]] == ["*s Audio Volume: 2998", "** end",
                                            "*s Audio Volume: 2999", "** end"]
    assert list(new) == list(lines) and new == list(lines)
    for level in range(3000, 3005):
        log.push(_stamped(level))
    assert [ln.text for ln in log.flush()][::2] == [f"*s Audio Volume: {n}" for n in range(3000, 3005)]
    lines, base = log.visible()
    assert (len(lines), base) == (1000, 10)  # old lines scrolled off the front
    assert log.lines_text()[-2].endswith("*s Audio Volume: 3004")
    with pytest.raises(IndexError):
        lines[1000]


def test_the_garbage_collector_stops_tracking_the_rings_lines() -> None:
    # A storm replaces thousands of lines per flush: lines the collector kept tracking
    # would ride into its older generations and make every collection walk them. A line
    # is let go once its event's record is, so two passes see every one let go.
    log = EventLog(maxlen=2000)
    for level in range(1500):
        log.push(_stamped(level))
    log.flush()
    assert len(log) == 2000
    gc.collect()
    gc.collect()
    full = len(gc.get_objects())
    log.clear()
    gc.collect()
    assert full - len(gc.get_objects()) < 50


def test_the_filter_is_right_and_its_memory_bounded_through_a_long_storm(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eventlog, "_HAYSTACKS_MAX", 8)
    log = EventLog(maxlen=40)
    log.set_filter("volume: 1")
    shown: list[str] = []
    for start in range(0, 60, 6):
        for level in range(start, start + 6):
            log.push(_stamped(level))
        shown += [ln.text for ln in log.flush()]
        assert len(log._haystacks) <= 8
    expected = [f"*s Audio Volume: {n}" for n in range(60) if str(n).startswith("1")]
    assert shown[::2] == expected and set(shown[1::2]) == {"** end"}
    assert [t[13:] for t in log.lines_text()][::2] == [e for e in expected if int(e.split()[-1]) >= 40]
    log.set_filter(None)
    assert log._haystacks == {} and len(log.lines_text()) == 40


def test_a_notification_is_itself_and_comparing_renders_nothing() -> None:
    """Two notifications with the same time and lines are two events (a set or dict may
    hold each), and telling them apart renders neither."""
    rendered: list[str] = []

    def render(fb: Feedback) -> list[str]:
        rendered.append(fb.expression)
        return ["*s Audio Volume: 50", "** end"]

    a = Feedback(1.0, "/Status/Audio", "/Status/Audio/Volume", None, {}, render=render)
    b = Feedback(1.0, "/Status/Audio", "/Status/Audio/Volume", None, {}, render=render)
    assert a != b and a == a
    assert rendered == []
    assert len({a, b}) == 2
