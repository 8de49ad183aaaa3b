"""Unit tests of the UI models: event ring buffer, rate meter, scroll view, local commands."""

from __future__ import annotations

import time
from typing import Any

import pytest
from prompt_toolkit.formatted_text import fragment_list_to_text
from pygments.lexer import RegexLexer
from pygments.token import Generic, Text

from xshell.contract import FeedbackEvent
from xshell.commands.pane import PaneError, apply_pane, parse_pane
from xshell.lang.line import Line
from xshell.ui.local_commands import help_text, screen_command, split_submission
from xshell.ui.eventlog import EventLog, RateMeter, format_stamp
from xshell.ui.eventpane import EventLogControl
from xshell.ui.output_pane import OutputPane, lex_lines
from xshell.ui.viewport import ScrollView, wrap_fragments


class FakeClock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def ev(path: str, *lines: str, t: float = 0.0) -> FeedbackEvent:
    return FeedbackEvent(time=t, lines=list(lines), path=path)


def volume(n: int) -> FeedbackEvent:
    return ev("/Status/Audio/Volume", f"*s Audio Volume: {n}", "** end")


# ---- EventLog -------------------------------------------------------------------------


def test_push_is_not_shown_until_flush() -> None:
    log = EventLog()
    log.push(volume(50))
    assert log.lines_text() == []
    assert log.has_pending
    new = log.flush()
    assert [ln.text for ln in new] == ["*s Audio Volume: 50", "** end"]
    assert [t[13:] for t in log.lines_text()] == ["*s Audio Volume: 50", "** end"]
    assert not log.has_pending


def test_first_line_of_each_event_carries_the_timestamp() -> None:
    t = time.mktime((2024, 5, 6, 13, 14, 15, 0, 0, -1)) + 0.25
    log = EventLog()
    log.push(ev("/Event/CallSuccessful", "*e CallSuccessful CallId: 3", "*e CallSuccessful Protocol: Sip", t=t))
    log.flush()
    first, second = log.lines_text()
    assert first == "13:14:15.250 *e CallSuccessful CallId: 3"
    assert second == " " * 12 + " *e CallSuccessful Protocol: Sip"


def test_format_stamp_has_milliseconds() -> None:
    t = time.mktime((2024, 1, 2, 3, 4, 5, 0, 0, -1)) + 0.007
    assert format_stamp(t) == "03:04:05.007"


def test_ring_buffer_keeps_at_most_maxlen_lines_newest_last() -> None:
    log = EventLog(maxlen=100)
    for i in range(500):
        log.push(volume(i))
        if i % 7 == 0:
            log.flush()
    log.flush()
    texts = log.lines_text()
    assert len(texts) == 100
    assert texts[-2].endswith("*s Audio Volume: 499")
    assert log.total_events == 500


def test_a_huge_burst_between_flushes_stays_bounded() -> None:
    log = EventLog(maxlen=50)
    for i in range(10_000):
        log.push(volume(i))
    assert log.held <= 50
    log.flush()
    assert len(log) == 50
    assert log.lines_text()[-2].endswith("*s Audio Volume: 9999")
    assert log.total_events == 10_000


def test_pause_holds_and_counts_then_resume_shows() -> None:
    log = EventLog()
    log.push(volume(1))
    log.flush()
    log.pause()
    for i in range(3):
        log.push(volume(10 + i))
    assert log.flush() == []
    assert len(log.lines_text()) == 2
    assert log.held == 3
    assert log.total_events == 4
    log.resume()
    shown = [ln.text for ln in log.flush()]
    assert shown == [f"*s Audio Volume: {n}" if k % 2 == 0 else "** end" for k, n in enumerate([10, 10, 11, 11, 12, 12])]
    assert log.held == 0


def test_filter_matches_path_or_lines_case_insensitively() -> None:
    log = EventLog()
    log.push(volume(5))
    log.push(ev("/Event/UserInterface/Extensions/Widget/Action", '*e UserInterface Extensions Widget Action WidgetId: "Slider"'))
    log.push(ev("/Status/Call", "*s Call 2 Status: Connected"))
    log.flush()
    log.set_filter("VOLUME")
    assert [t[13:] for t in log.lines_text()] == ["*s Audio Volume: 5", "** end"]
    log.set_filter("slider")  # only in the line text, not in the path
    assert len(log.lines_text()) == 1 and "WidgetId" in log.lines_text()[0]
    log.set_filter("status/call")  # only in the path
    assert log.lines_text()[0].endswith("*s Call 2 Status: Connected")
    log.set_filter(None)
    assert len(log.lines_text()) == 4


def test_flush_returns_only_lines_passing_the_filter() -> None:
    log = EventLog()
    log.set_filter("call")
    log.push(volume(1))
    log.push(ev("/Status/Call", "*s Call 2 Status: Connected"))
    assert [ln.text for ln in log.flush()] == ["*s Call 2 Status: Connected"]
    assert len(log) == 3  # filtered lines are kept, only hidden


def test_clear_empties_shown_and_held_but_keeps_counting() -> None:
    log = EventLog()
    log.push(volume(1))
    log.flush()
    log.pause()
    log.push(volume(2))
    log.clear()
    log.resume()
    assert log.flush() == []
    assert log.lines_text() == []
    assert log.total_events == 2


def test_event_without_lines_shows_its_path() -> None:
    log = EventLog()
    log.push(ev("/Event/Standby"))
    log.flush()
    assert log.lines_text()[0].endswith(" /Event/Standby")


# ---- RateMeter ------------------------------------------------------------------------


def test_rate_meter_counts_over_sliding_window() -> None:
    clock = FakeClock()
    meter = RateMeter(window=5.0, clock=clock)
    assert meter.rate() == 0.0
    for _ in range(50):
        meter.add()
    clock.t += 5.0
    for _ in range(50):
        meter.add()
    assert meter.rate() == pytest.approx(10.0, rel=0.1)
    clock.t += 10.0
    assert meter.rate() == 0.0


def test_event_log_rate_uses_its_clock() -> None:
    clock = FakeClock()
    log = EventLog(clock=clock, rate_window=2.0)
    for i in range(40):  # ten per second for four seconds
        log.push(volume(i))
        clock.t += 0.1
    assert log.meter.rate() == pytest.approx(10.0, rel=0.15)
    clock.t += 2.0
    assert log.meter.rate() == 0.0


def test_traced_frames_are_shown_but_not_counted_as_events() -> None:
    from xshell.ui.toolbar import pane_title_fragments
    clock = FakeClock()
    log = EventLog(clock=clock, rate_window=2.0)
    log.push(volume(1))
    for _ in range(5):
        log.push(FeedbackEvent(clock.t, ['<- {"jsonrpc":"2.0"}'], "trace", counted=False))
    shown = [ln.text for ln in log.flush()]
    assert '<- {"jsonrpc":"2.0"}' in shown
    assert fragment_list_to_text(pane_title_fragments(log)) == " Feedback (1 event)"
    alone = EventLog(clock=clock, rate_window=2.0)
    alone.push(volume(1))
    assert log.meter.rate() == alone.meter.rate() > 0


# ---- Viewport -------------------------------------------------------------------------


def rows_text(rows: list) -> list[str]:
    return [fragment_list_to_text(r) for r in rows]


def numbered(n: int) -> list:
    return [[("", f"line {i}")] for i in range(n)]


def test_wrap_fragments_splits_on_width_and_keeps_styles() -> None:
    rows = wrap_fragments([("class:a", "abcd"), ("class:b", "efg")], 3)
    assert rows_text(rows) == ["abc", "def", "g"]
    assert rows[1] == [("class:a", "d"), ("class:b", "ef")]
    assert rows_text(wrap_fragments([], 10)) == [""]


def test_view_follows_the_tail_by_default() -> None:
    view = ScrollView()
    assert rows_text(view.render(numbered(100), 0, 20, 5)) == [f"line {i}" for i in range(95, 100)]
    assert rows_text(view.render(numbered(3), 0, 20, 5)) == ["line 0", "line 1", "line 2"]


def test_page_up_down_home_end() -> None:
    lines = numbered(100)
    view = ScrollView()
    view.render(lines, 0, 20, 10)
    view.page_up(lines, 0)
    assert rows_text(view.render(lines, 0, 20, 10)) == [f"line {i}" for i in range(81, 91)]
    view.page_up(lines, 0)
    assert rows_text(view.render(lines, 0, 20, 10))[0] == "line 72"
    lines.append([("", "line 100")])  # new output does not move a scrolled view
    assert rows_text(view.render(lines, 0, 20, 10))[0] == "line 72"
    view.page_down(lines, 0)
    assert rows_text(view.render(lines, 0, 20, 10))[0] == "line 81"
    view.home(0)
    assert rows_text(view.render(lines, 0, 20, 10))[0] == "line 0"
    view.end()
    assert rows_text(view.render(lines, 0, 20, 10))[-1] == "line 100"


def test_page_down_to_the_end_resumes_following() -> None:
    lines = numbered(30)
    view = ScrollView()
    view.render(lines, 0, 20, 10)
    view.page_up(lines, 0)
    view.render(lines, 0, 20, 10)
    assert not view.following
    view.page_down(lines, 0)
    view.render(lines, 0, 20, 10)
    assert view.following


def test_page_up_counts_wrapped_rows() -> None:
    lines = [[("", str(i) * 25)] for i in range(10)] + numbered(3)  # 3 rows each at width 10
    view = ScrollView()
    assert rows_text(view.render(lines, 0, 10, 6))[:3] == ["9" * 10, "9" * 10, "9" * 5]
    view.page_up(lines, 0)
    rows = rows_text(view.render(lines, 0, 10, 6))
    assert rows == ["8" * 10, "8" * 10, "8" * 5, "9" * 10, "9" * 10, "9" * 5]  # old top is the new bottom


def test_scrolled_view_survives_old_lines_falling_off() -> None:
    view = ScrollView()
    lines = numbered(50)
    view.render(lines, 0, 20, 5)
    view.page_up(lines, 0)
    top = rows_text(view.render(lines, 0, 20, 5))[0]
    # ten lines dropped from the front: same absolute position, so same text on top
    assert rows_text(view.render(lines[10:], 10, 20, 5))[0] == top


def test_event_control_builds_only_visible_rows() -> None:
    log = EventLog()
    for i in range(3000):
        log.push(volume(i))
    log.flush()
    content = EventLogControl(log).create_content(width=60, height=8)
    assert content.line_count == 8
    assert fragment_list_to_text(content.get_line(6)).endswith("*s Audio Volume: 2999")


# ---- local commands -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("help", "help", ()),
        ("  HELP ", "help", ()),
        ("?", "help", ()),
        ("clear", "clear", ()),
        ("bye", "bye", ()),
        ("Exit", "bye", ()),
        ("quit", "bye", ()),
        ("pane", "pane", ()),
        ("pane filter Audio Volume", "pane", ("filter", "Audio", "Volume")),
        ('pane filter "Call "', "pane", ("filter", "Call ")),
    ],
)
def test_the_screen_answers_its_commands(text: str, name: str, args: tuple[str, ...]) -> None:
    from xshell.commands.registry import lookup

    found = screen_command(text)
    assert found is not None
    cmd = lookup(name)
    assert cmd is not None and found == (cmd.screen_handler(args), args)


@pytest.mark.parametrize("text", ["help xcommand", "xStatus Audio", "exit now", "", "panel"])
def test_other_lines_go_to_the_backend(text: str) -> None:
    assert screen_command(text) is None


def test_clear_with_words_answers_its_usage_on_the_screen() -> None:
    """The registry says `clear` takes no argument: `clear screen now` is a mistyped clear,
    answered by the screen (the pane is left as it was), never sent to the device."""
    cleared: list[bool] = []

    class Screen:
        def clear_output(self) -> None:
            cleared.append(True)

    found = screen_command("clear screen now")
    assert found is not None
    handler, args = found
    result = handler(Screen(), args)
    assert result.lines == ["clear: takes no argument (got 'screen now')"]
    assert result.exit_code == 2 and cleared == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [((), ("status", "")), (("pause",), ("pause", "")), (("Resume",), ("resume", "")),
     (("filter", "Audio", "Volume"), ("filter", "Audio Volume")), (("filter", "Call "), ("filter", "Call ")),
     (("filter",), ("filter", "")), (("hide",), ("hide", ""))],
)
def test_parse_pane(args: tuple[str, ...], expected: tuple[str, str]) -> None:
    assert parse_pane(args) == expected


@pytest.mark.parametrize(("args", "needle"), [(("stop",), "'stop'"), (("pause", "now"), "takes no argument")])
def test_bad_pane_commands_say_what_was_wrong(args: tuple[str, ...], needle: str) -> None:
    with pytest.raises(PaneError) as info:
        parse_pane(args)
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_apply_pane_reports_and_acts() -> None:
    log = EventLog()
    assert "paused" in apply_pane(log, "pause") and log.paused
    log.push(volume(1))
    assert "1 held event shown" in apply_pane(log, "resume") and not log.paused
    assert "'vol'" in apply_pane(log, "filter", "vol") and log.filter_text == "vol"
    assert "removed" in apply_pane(log, "filter", "") and log.filter_text is None
    assert "1 events received" in apply_pane(log, "status")


def needs_body(line: Line) -> bool:
    return line.text.strip().lower().startswith("xcommand userinterface extensions panel save")


def test_split_submission_groups_bodies_and_skips_blanks() -> None:
    text = "xStatus Audio\n\nxCommand UserInterface Extensions Panel Save PanelId: p\n<Extensions>\n</Extensions>\n.\nxStatus Call"
    requests, tail = split_submission(text, needs_body)
    assert [r.full for r in requests] == [
        "xStatus Audio",
        "xCommand UserInterface Extensions Panel Save PanelId: p\n<Extensions>\n</Extensions>",
        "xStatus Call",
    ]
    assert tail is None


def test_split_submission_reports_an_unfinished_body() -> None:
    requests, tail = split_submission("xStatus\nxCommand UserInterface Extensions Panel Save\n<a>", needs_body)
    assert [r.full for r in requests] == ["xStatus"]
    assert tail == "xCommand UserInterface Extensions Panel Save\n<a>"


def test_split_submission_survives_a_failing_needs_body() -> None:
    def broken(line: Line) -> bool:
        raise RuntimeError("boom")

    requests, tail = split_submission("xStatus", broken)
    assert ([r.full for r in requests], tail) == (["xStatus"], None)


def test_help_text_names_commands_and_keys() -> None:
    text = "\n".join(help_text())
    for word in ("pane filter", "pane pause", "clear", "exit", "F1", "F2", "F3", "Ctrl-C", "Ctrl-D", "Ctrl-R", "PageUp"):
        assert word in text


def test_wheel_scroll_moves_by_lines_and_returns_to_following() -> None:
    lines = numbered(50)
    view = ScrollView()
    view.render(lines, 0, 20, 10)
    view.scroll(lines, 0, -3)
    assert rows_text(view.render(lines, 0, 20, 10))[0] == "line 37"
    view.scroll(lines, 0, 3)
    view.render(lines, 0, 20, 10)
    assert view.following


# ---- lexing output at ingest ----------------------------------------------------------


class MiniLexer(RegexLexer):
    """A stand-in tshell output lexer: `OK` lines are Generic.Inserted."""

    tokens = {"root": [(r"OK$", Generic.Inserted), (r"[^\n]+", Text), (r"\n", Text)]}


def test_lex_lines_styles_each_line_and_keeps_its_text() -> None:
    lines = ["", "*r Result", "OK"]
    rows = lex_lines(lines, MiniLexer(stripnl=False), "class:output.error")
    assert [fragment_list_to_text(r) for r in rows] == lines
    assert rows[2] == [("class:output.error class:pygments.generic.inserted", "OK")]


def test_lex_lines_falls_back_to_plain_text_when_the_lexer_misbehaves() -> None:
    class Broken(RegexLexer):
        tokens = {"root": [(r"[\s\S]+", Text)]}

        def get_tokens(self, text: str, unfiltered: bool = False) -> Any:
            raise RuntimeError("lexer bug")

    lines = ["", "OK"]
    assert lex_lines(lines, Broken(), "") == [[("", "")], [("", "OK")]]
    # pygments' default stripnl drops the leading blank line: detected, plain output kept
    assert [fragment_list_to_text(r) for r in lex_lines(lines, MiniLexer(), "")] == lines


def test_output_pane_is_bounded_and_echo_masks_nothing_itself() -> None:
    pane = OutputPane(maxlen=100)
    pane.append_lines([f"row {i}" for i in range(250)])
    assert len(pane) == 100 and pane.text_lines()[-1] == "row 249"
    pane.echo([("", "dev● ")], "xCommand X\nbody", None)
    assert pane.text_lines()[-2:] == ["dev● xCommand X", "... body"]


def test_wrapping_breaks_at_spaces_and_keeps_styles() -> None:
    from xshell.ui.viewport import wrap_fragments

    rows = wrap_fragments([("class:a", "Type xAPI lines as in "), ("class:b", "tshell, Tab completes")], 16)
    texts = ["".join(t for _, t in row) for row in rows]
    assert texts == ["Type xAPI lines ", "as in tshell, ", "Tab completes"]
    assert rows[1] == [("class:a", "as in "), ("class:b", "tshell, ")]
    long = wrap_fragments([("", "x" * 40)], 16)  # a word longer than the row is split
    assert ["".join(t for _, t in r) for r in long] == ["x" * 16, "x" * 16, "x" * 8]


# ---- events from several devices -------------------------------------------------------


def test_an_event_from_a_named_device_says_so_on_every_line() -> None:
    t = time.mktime((2024, 5, 6, 13, 14, 15, 0, 0, -1)) + 0.25
    log = EventLog()
    log.push(FeedbackEvent(t, ["*e CallSuccessful CallId: 3", "*e CallSuccessful Protocol: Sip"],
                           "/Event/CallSuccessful", device="room2"))
    log.push(ev("/Status/Audio/Volume", "*s Audio Volume: 7", t=t))  # one device: no tag
    new = log.flush()
    assert [ln.text for ln in new][:2] == ["*e CallSuccessful CallId: 3", "*e CallSuccessful Protocol: Sip"]
    assert log.lines_text() == ["13:14:15.250 [room2] *e CallSuccessful CallId: 3",
                                " " * 12 + " [room2] *e CallSuccessful Protocol: Sip",
                                "13:14:15.250 *s Audio Volume: 7"]
    control = EventLogControl(log)
    content = control.create_content(80, 10)
    assert fragment_list_to_text(content.get_line(1)).startswith(" " * 12 + " [room2] *e CallSuccessful")


def test_pane_filter_matches_the_device_name() -> None:
    log = EventLog()
    for device, n in (("room1", 1), ("room2", 2), ("lobby", 3)):
        log.push(FeedbackEvent(0.0, [f"*s Audio Volume: {n}"], "/Status/Audio/Volume", device=device))
    log.flush()
    log.set_filter("ROOM2")
    assert [t[13:] for t in log.lines_text()] == ["[room2] *s Audio Volume: 2"]
    log.set_filter("[room")
    assert len(log.lines_text()) == 2


def test_wrapped_lines_hang_under_their_text_and_json_breaks_between_tokens() -> None:
    """Issue 14: continuation rows start under the text, not at column 0; JSON keeps a
    string that fits in one row whole and breaks after `,`/`:`/`{` instead."""
    def text(rows: list[Any]) -> list[str]:
        return ["".join(f[1] for f in r) for r in rows]

    event: list[Any] = [("class:eventlog.time", "01:02:03.456"), ("", " "),
             ("", "*s Audio Microphones LedIndicator: Off and words enough to wrap")]
    rows = text(wrap_fragments(event, 40))
    assert len(rows) > 1 and all(r.startswith(" " * 13) and r[13] != " " for r in rows[1:]), rows
    doc = '{"Status": {"Audio": {"Volume": 50, "Name": "a long string value here"}}}'
    rows = text(wrap_fragments([("", doc)], 30))
    assert "".join(rows) == doc
    assert any('"a long string value here"' in r for r in rows), rows  # the string stays whole
    assert all(r.rstrip()[-1:] in (",", ":", "{", "[") or r == rows[-1] or r.endswith(" ") for r in rows)
    help_line = "  Tab                   complete and walk on, a long description that wraps"
    rows = text(wrap_fragments([("", help_line)], 50))
    assert rows[1].startswith(" " * 24) and rows[1][24] != " ", rows  # help's second column


def test_a_hostile_line_among_clean_ones_is_shown_escaped_line_by_line() -> None:
    # the pane checks a clean event with one search over all its lines; a line with an
    # escape, a CR or a "\n" inside must still come out escaped (and split) as inert_lines does
    log = EventLog()
    log.push(volume(1))
    log.push(ev("/Status/X", "*s X: \x1b]52;c;SGk=\x07", "two\nlines\r", "** end"))
    log.push(ev("/Status/Y"))  # no lines: the path is shown
    log.push(FeedbackEvent(time=0.0, lines=["*s Z: 1", "** end"], path="/Status/Z", device="room\x1b1"))
    texts = [(ln.stamp[len("00:00:00.000"):], ln.text) for ln in log.flush()]
    assert texts == [("", "*s Audio Volume: 1"), ("", "** end"),
                     ("", "*s X: \\x1b]52;c;SGk=\\x07"), ("", "two"), ("", "lines\\x0d"), ("", "** end"),
                     ("", "/Status/Y"),
                     (" [room\\x1b1]", "*s Z: 1"), (" [room\\x1b1]", "** end")]
