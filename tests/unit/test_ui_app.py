"""Full-screen app tests: keys typed through a pipe, a fake backend, what the panes hold.

Every wait awaits a condition with a timeout (no fixed sleeps). The rendering tests
run the app against a VT100 output of a fixed size and replay the bytes on a tiny
screen emulator to read what a user would see.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from xshell.errors import ConnectionLost
from xshell.ui.app import ShellApp, run_app
from xshell.lang.line import Line
from xshell.contract import BackendStatus, Candidate, FeedbackEvent, Fragment, Outcome, ShellBackend

F1, F2, F3, F4 = "\x1bOP", "\x1bOQ", "\x1bOR", "\x1bOS"
PAGE_UP, PAGE_DOWN, CTRL_END = "\x1b[5~", "\x1b[6~", "\x1b[1;5F"
CTRL_C, CTRL_D, ENTER = "\x03", "\x04", "\r"
SECRET = "hunter2-Secret"


class FakeBackend:
    """Answers every line with a canned result; lines starting 'slow' never finish."""

    def __init__(self) -> None:
        self.status = BackendStatus(
            device="boardroom", software="RoomOS 11.14.1", state="connected", rtt_ms=12.3,
            registrations=3, discovering=False, host="10.0.0.5",
        )
        self.received: list[str] = []
        self.cancelled: list[str] = []
        self.sink: Callable[[FeedbackEvent], None] | None = None
        self.listener: Callable[[], None] | None = None
        self.gate = asyncio.Event()

    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        self.sink = sink

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        self.listener = cb

    def needs_body(self, line: Line) -> bool:  # the line as the UI read it at submit
        return line.text.strip().lower().startswith("xcommand userinterface extensions panel save")

    def complete(self, before_cursor: str) -> list[Candidate]:
        """The three main verbs, for the word before the cursor (any case)."""
        word = before_cursor.rsplit(" ", 1)[-1]
        start = len(before_cursor) - len(word)
        return [Candidate(v, start, v) for v in ("xCommand", "xStatus", "xConfiguration")
                if v.lower().startswith(word.lower())]

    def highlight(self, text: str) -> list[Fragment]:
        return [("", text)]

    async def execute(self, line: Line) -> Outcome:
        text = line.full  # what was typed, body included
        self.received.append(text)
        head = text.split("\n", 1)[0]
        try:
            if head.startswith("slow"):
                await asyncio.Event().wait()
            if head.startswith("gated"):
                await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(text)
            raise
        if head == "fail":
            raise ConnectionLost("the connection to 10.0.0.5 was lost")
        if head == "bad":
            return Outcome(["ERROR", "xCommand not recognized"], ok=False)
        if head == "logout":
            return Outcome(["bye"], exit_shell=True)
        return Outcome([f"*r Result {self.history_line(head)}", "** end", "", "OK"])

    def history_line(self, line: Line | str) -> str:
        text = line if isinstance(line, str) else line.full
        return re.sub(r"(Password:\s*)\S+", r"\1***", text)

    def emit(self, path: str, *lines: str) -> None:
        assert self.sink is not None
        self.sink(FeedbackEvent(time=1_700_000_000.5, lines=list(lines), path=path))


async def until(cond: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait until `cond()` is true (polling the loop), failing after `timeout`."""

    async def poll() -> None:
        while not cond():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout)


@asynccontextmanager
async def running(
    backend: FakeBackend | None = None, output: Any = None, **kw: Any
) -> AsyncIterator[tuple[ShellApp, PipeInput, FakeBackend, asyncio.Task[int]]]:
    backend = backend or FakeBackend()
    with create_pipe_input() as inp, create_app_session(input=inp, output=output or DummyOutput()):
        shell = ShellApp(backend, InMemoryHistory(), output_lexer=None, **kw)
        task = asyncio.create_task(shell.run())
        await until(lambda: shell.application.is_running and backend.sink is not None)
        try:
            yield shell, inp, backend, task
        finally:
            if not task.done():
                shell.request_exit(0)
            await asyncio.wait_for(task, 5)


def output_text(shell: ShellApp) -> str:
    return "\n".join(shell.output.text_lines())


async def type_line(shell: ShellApp, inp: PipeInput, text: str) -> None:
    inp.send_text(text)
    await until(lambda: shell.input_buffer.text == text)
    inp.send_text(ENTER)


def test_fake_backend_satisfies_the_protocol() -> None:
    assert isinstance(FakeBackend(), ShellBackend)


async def test_line_and_enter_runs_it_and_shows_echo_then_result() -> None:
    async with running() as (shell, inp, backend, _):
        await type_line(shell, inp, "xStatus Audio Volume")
        await until(lambda: "*r Result xStatus Audio Volume" in output_text(shell))
        assert backend.received == ["xStatus Audio Volume"]
        lines = shell.output.text_lines()
        echo = lines.index("boardroom● xStatus Audio Volume")
        assert lines[echo + 1 : echo + 5] == ["*r Result xStatus Audio Volume", "** end", "", "OK"]
        assert shell.input_buffer.text == ""


async def test_secrets_are_masked_in_echo_and_history() -> None:
    async with running() as (shell, inp, backend, _):
        await type_line(shell, inp, f"xCommand UserManagement User Passphrase Set Password: {SECRET}")
        await until(lambda: "*r Result" in output_text(shell))
        assert backend.received == [f"xCommand UserManagement User Passphrase Set Password: {SECRET}"]
        assert SECRET not in output_text(shell)
        assert "Password: ***" in output_text(shell)
        stored = list(shell.input_buffer.history.get_strings())
        assert stored and all(SECRET not in s for s in stored)


async def test_multiline_body_is_read_up_to_a_lone_dot() -> None:
    async with running() as (shell, inp, backend, _):
        await type_line(shell, inp, "xCommand UserInterface Extensions Panel Save PanelId: p1")
        await until(lambda: shell.input_buffer.text.endswith("\n"))
        assert backend.received == []
        toolbar = "".join(t for _, t, *_ in shell.toolbar())
        assert "line holding only '.'" in toolbar
        inp.send_text("<Extensions>\r")
        inp.send_text("</Extensions>\r")
        inp.send_text(".\r")
        await until(lambda: backend.received)
        assert backend.received == ["xCommand UserInterface Extensions Panel Save PanelId: p1\n<Extensions>\n</Extensions>"]
        await until(lambda: "*r Result" in output_text(shell))
        assert shell.input_buffer.text == ""


async def test_typing_stays_intact_during_an_event_storm() -> None:
    async with running() as (shell, inp, backend, _):
        line = "xConfiguration Audio DefaultVolume: 50"

        async def storm() -> None:
            for i in range(2000):
                backend.emit("/Status/Audio/Volume", f"*s Audio Volume: {i}", "** end")
                if i % 50 == 0:
                    await asyncio.sleep(0)

        storm_task = asyncio.create_task(storm())
        for ch in line:
            inp.send_text(ch)
            await asyncio.sleep(0)
        inp.send_text(ENTER)
        await storm_task
        await until(lambda: backend.received)
        assert backend.received == [line]
        await until(lambda: shell.events.total_events == 2000 and not shell.events.has_pending)
        assert len(shell.events) <= shell.events.maxlen
        assert shell.events.lines_text()[-2].endswith("*s Audio Volume: 1999")


async def test_ring_buffer_is_bounded_in_the_app() -> None:
    async with running(max_event_lines=500) as (shell, _inp, backend, _):
        for i in range(2000):
            backend.emit("/Status/Audio/Volume", f"*s Audio Volume: {i}", "** end")
        await until(lambda: not shell.events.has_pending and len(shell.events) > 0)
        assert len(shell.events) == 500
        assert shell.events.total_events == 2000


async def test_f2_and_pane_commands_toggle_the_pane() -> None:
    async with running() as (shell, inp, _backend, _):
        assert shell.pane_visible
        inp.send_text(F2)
        await until(lambda: not shell.pane_visible)
        assert "pane hidden" in text_of(shell.toolbar())
        inp.send_text(F2)
        await until(lambda: shell.pane_visible)
        await type_line(shell, inp, "pane hide")
        await until(lambda: not shell.pane_visible)
        assert "feedback pane hidden" in output_text(shell)


async def test_ctrl_c_cancels_the_request_in_flight_and_the_app_keeps_running() -> None:
    async with running() as (shell, inp, backend, task):
        await type_line(shell, inp, "slow xStatus")
        await until(lambda: shell.busy and backend.received)
        toolbar = "".join(t for _, t, *_ in shell.toolbar())
        assert "running" in toolbar
        inp.send_text(CTRL_C)
        await until(lambda: backend.cancelled)
        await until(lambda: "cancelled: slow xStatus" in output_text(shell))
        assert not task.done()
        await type_line(shell, inp, "xStatus Standby")
        await until(lambda: "*r Result xStatus Standby" in output_text(shell))


async def test_ctrl_c_with_text_typed_only_drops_the_line() -> None:
    async with running() as (shell, inp, backend, _):
        await type_line(shell, inp, "slow one")
        await until(lambda: shell.busy)
        inp.send_text("xStat")
        await until(lambda: shell.input_buffer.text == "xStat")
        inp.send_text(CTRL_C)
        await until(lambda: shell.input_buffer.text == "")
        assert backend.cancelled == [] and shell.busy


async def test_requests_typed_while_one_runs_are_queued_in_order() -> None:
    async with running() as (shell, inp, backend, _):
        await type_line(shell, inp, "gated first")
        await until(lambda: backend.received == ["gated first"])
        await type_line(shell, inp, "second")
        await type_line(shell, inp, "third")
        await until(lambda: shell.queued == 2)
        assert backend.received == ["gated first"]
        backend.gate.set()
        await until(lambda: "*r Result third" in output_text(shell))
        assert backend.received == ["gated first", "second", "third"]
        out = output_text(shell)
        assert out.index("Result gated first") < out.index("Result second") < out.index("Result third")


async def test_ctrl_d_on_an_empty_line_exits_with_0() -> None:
    async with running() as (_shell, inp, _backend, task):
        inp.send_text(CTRL_D)
        assert await asyncio.wait_for(task, 5) == 0


@pytest.mark.parametrize("word", ["exit", "quit", "bye"])
async def test_exit_words_leave_the_shell(word: str) -> None:
    async with running() as (shell, inp, backend, task):
        await type_line(shell, inp, word)
        assert await asyncio.wait_for(task, 5) == 0
        assert backend.received == []


async def test_backend_can_end_the_session() -> None:
    async with running() as (shell, inp, _backend, task):
        await type_line(shell, inp, "logout")
        assert await asyncio.wait_for(task, 5) == 0


async def test_pane_filter_and_pause_through_commands_and_f3() -> None:
    async with running() as (shell, inp, backend, _):
        backend.emit("/Status/Audio/Volume", "*s Audio Volume: 40")
        backend.emit("/Event/CallSuccessful", "*e CallSuccessful CallId: 3")
        await until(lambda: len(shell.events) == 2)
        await type_line(shell, inp, "pane filter callsuccessful")
        await until(lambda: shell.events.filter_text == "callsuccessful")
        assert [t[13:] for t in shell.events.lines_text()] == ["*e CallSuccessful CallId: 3"]
        await type_line(shell, inp, "pane filter")
        await until(lambda: shell.events.filter_text is None)
        inp.send_text(F3)
        await until(lambda: shell.events.paused)
        backend.emit("/Status/Audio/Volume", "*s Audio Volume: 41")
        backend.emit("/Status/Audio/Volume", "*s Audio Volume: 42")
        assert len(shell.events) == 2 and shell.events.held == 2
        assert "paused (2 held)" in "".join(t for _, t, *_ in shell.toolbar())
        await type_line(shell, inp, "pane resume")
        await until(lambda: len(shell.events) == 4)
        assert shell.events.lines_text()[-1].endswith("*s Audio Volume: 42")
        inp.send_text(F4)
        await until(lambda: len(shell.events) == 0)


async def test_help_key_and_command_are_local_but_help_with_args_is_not() -> None:
    async with running() as (shell, inp, backend, _):
        inp.send_text(F1)
        await until(lambda: "pane filter TEXT" in output_text(shell))
        await type_line(shell, inp, "help xcommand")
        await until(lambda: backend.received == ["help xcommand"])
        await type_line(shell, inp, "clear")
        await until(lambda: len(shell.output) == 0)
        await type_line(shell, inp, "help")
        await until(lambda: "pane filter TEXT" in output_text(shell))
        assert backend.received == ["help xcommand"]


async def test_clear_with_an_argument_answers_its_own_usage() -> None:
    async with running() as (shell, inp, backend, _):
        await type_line(shell, inp, "clear now")
        await until(lambda: "clear: takes no argument (got 'now')" in output_text(shell))
        assert "interactive shell only" not in output_text(shell) and backend.received == []


async def test_errors_are_one_line_and_the_session_survives() -> None:
    async with running() as (shell, inp, backend, task):
        await type_line(shell, inp, "fail")
        await until(lambda: "error: the connection to 10.0.0.5 was lost" in output_text(shell))
        await type_line(shell, inp, "pane frobnicate")
        await until(lambda: "pane: unknown action 'frobnicate'" in output_text(shell))
        await type_line(shell, inp, "bad")
        await until(lambda: "xCommand not recognized" in output_text(shell))
        assert not task.done() and backend.received == ["fail", "bad"]


async def test_a_warning_logged_while_the_screen_is_up_goes_to_the_pane_inert(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A warning on stderr would tear the full screen (and some quote the device): it is
    one line in the pane, escapes shown; after the app, logging is as it was."""
    import logging

    handlers = list(logging.getLogger().handlers)
    async with running() as (shell, inp, backend, task):
        try:
            raise ValueError("bad\nframe")
        except ValueError:
            logging.getLogger("xshell.schema.store").exception("schema of \x1b]52;c;AAAA\x07 %s", "room")
        await until(lambda: "schema of" in output_text(shell))
        assert "schema of \\x1b]52;c;AAAA\\x07 room (ValueError: bad frame)" in output_text(shell)
        await type_line(shell, inp, "fail")  # the session goes on
        await until(lambda: "was lost" in output_text(shell))
    assert capsys.readouterr().err == ""
    assert logging.getLogger().handlers == handlers


async def test_page_up_scrolls_output_and_end_follows_again() -> None:
    async with running() as (shell, inp, _backend, _):
        shell.output.append_lines([f"row {i}" for i in range(300)])
        shell.invalidate()
        await until(lambda: shell.output.view.last_shown >= 299)
        inp.send_text(PAGE_UP)
        await until(lambda: not shell.output.view.following)
        assert "scrolled (End follows)" in "".join(t for _, t, *_ in shell.toolbar())
        inp.send_text(PAGE_DOWN)
        await until(lambda: shell.output.view.following)
        inp.send_text(PAGE_UP)
        await until(lambda: not shell.output.view.following)
        inp.send_text(CTRL_END)
        await until(lambda: shell.output.view.following)


async def test_status_listener_and_run_app_entry_point() -> None:
    backend = FakeBackend()
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        task = asyncio.create_task(run_app(backend, None, output_lexer=None))
        await until(lambda: backend.listener is not None)
        backend.status.state = "reconnecting"
        backend.listener()  # must not raise; redraw happens on the loop
        inp.send_text(CTRL_D)
        assert await asyncio.wait_for(task, 5) == 0


# ---- rendering at real sizes -----------------------------------------------------------


class Screen:
    """Just enough VT100 to replay prompt-toolkit's renderer output into a character grid."""

    CSI = re.compile(r"\x1b\[([?>]?)([0-9;]*)([A-Za-z])")

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0

    def feed(self, data: str) -> None:
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                m = self.CSI.match(data, i)
                if m:
                    self._csi(m.group(1), m.group(2), m.group(3))
                    i = m.end()
                    continue
                i += 2  # two-character escapes (e.g. ESC =)
                continue
            if ch == "\r":
                self.x = 0
            elif ch == "\n":
                self.y = min(self.y + 1, self.rows - 1)
            elif ch == "\x08":
                self.x = max(self.x - 1, 0)
            elif ch >= " ":
                if self.x < self.cols:
                    self.grid[self.y][self.x] = ch
                self.x = min(self.x + 1, self.cols - 1)
            i += 1

    def _csi(self, private: str, params: str, final: str) -> None:
        if private:
            return
        nums = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = nums[0] if nums and nums[0] else 1
        if final == "A":
            self.y = max(self.y - n, 0)
        elif final == "B":
            self.y = min(self.y + n, self.rows - 1)
        elif final == "C":
            self.x = min(self.x + n, self.cols - 1)
        elif final == "D":
            self.x = max(self.x - n, 0)
        elif final == "H":
            self.y = (nums[0] - 1 if nums and nums[0] else 0)
            self.x = (nums[1] - 1 if len(nums) > 1 and nums[1] else 0)
        elif final == "J":
            mode = nums[0] if nums else 0
            rows = range(self.rows) if mode == 2 else range(self.y + 1, self.rows)
            if mode != 2:
                self.grid[self.y][self.x :] = [" "] * (self.cols - self.x)
            for r in rows:
                self.grid[r] = [" "] * self.cols
        elif final == "K":
            self.grid[self.y][self.x :] = [" "] * (self.cols - self.x)

    def lines(self) -> list[str]:
        return ["".join(r).rstrip() for r in self.grid]


def replay(data: str, rows: int, cols: int) -> list[str]:
    screen = Screen(rows, cols)
    screen.feed(data)
    return screen.lines()


async def render_screen(cols: int, rows: int = 30) -> list[str]:
    """Run the app at `cols` × `rows`, show a result, an event and a typed word; the screen."""
    buf = io.StringIO()
    out = Vt100_Output(buf, lambda: Size(rows=rows, columns=cols))

    def shown() -> bool:
        text = "\n".join(replay(buf.getvalue(), rows, cols))
        return all(s in text for s in ("*r Result xStatus", "*s Audio Volume: 50", "1 event)", "boardroom● pane st"))

    async with running(output=out) as (shell, inp, backend, _):
        backend.emit("/Status/Audio/Volume", "*s Audio Volume: 50", "** end")
        await type_line(shell, inp, "xStatus Audio Volume")
        await until(lambda: "*r Result" in output_text(shell))
        inp.send_text("pane st")  # typed, not submitted (no completion menu in the way)
        await until(shown)
        return replay(buf.getvalue(), rows, cols)


async def test_render_160_columns_puts_the_pane_on_the_right() -> None:
    lines = await render_screen(160)
    toolbar = lines[-1]
    for part in ("boardroom", "RoomOS 11.14.1", "● connected", "rtt 12 ms", "3 reg", "ev/s", "F1 help", "F2 pane", "F3 pause", "Ctrl-D quit"):
        assert part in toolbar
    title_row = next(i for i, ln in enumerate(lines) if "Feedback (1 event)" in ln)
    assert title_row == 0
    assert lines[0].index("Feedback") > 80  # right-hand column
    event_row = next(ln for ln in lines if "*s Audio Volume: 50" in ln)
    assert event_row.index("*s Audio Volume: 50") > 80
    assert "│" in event_row
    result_row = next(ln for ln in lines if "*r Result xStatus Audio Volume" in ln)
    assert result_row.startswith("*r Result")
    assert any(ln.startswith("boardroom● pane st") for ln in lines[-4:])


async def test_render_80_columns_puts_the_pane_below_the_output() -> None:
    lines = await render_screen(80)
    toolbar = lines[-1]
    for part in ("boardroom", "RoomOS 11.14.1", "● connected", "rtt 12ms", "3 reg", "ev/s", "F1 help", "F2 pane"):
        assert part in toolbar
    assert not toolbar.rstrip().endswith(("^", "Ctrl-D q"))  # hints fit whole or are left out
    result_row = next(i for i, ln in enumerate(lines) if ln.startswith("*r Result xStatus Audio Volume"))
    title_row = next(i for i, ln in enumerate(lines) if "Feedback (1 event)" in ln)
    event_row = next(i for i, ln in enumerate(lines) if "*s Audio Volume: 50" in ln)
    assert result_row < title_row < event_row
    assert lines[title_row].startswith(" Feedback")
    assert lines[event_row].index("*s Audio Volume: 50") < 20  # full width, left-aligned
    assert "│" not in "".join(lines[:-1])


# ---- history: auto-suggest and Ctrl-R ---------------------------------------------------


async def test_fish_style_suggestion_from_history_is_accepted_with_right_arrow() -> None:
    async with running() as (shell, inp, backend, _):
        await type_line(shell, inp, "xStatus Audio Volume")
        await until(lambda: backend.received)
        inp.send_text("xStatus Au")
        await until(lambda: shell.input_buffer.suggestion is not None)
        assert shell.input_buffer.suggestion.text == "dio Volume"  # type: ignore[union-attr]
        inp.send_text("\x1b[C")  # Right arrow
        await until(lambda: shell.input_buffer.text == "xStatus Audio Volume")


async def test_ctrl_r_finds_an_earlier_command() -> None:
    async with running() as (shell, inp, backend, _):
        await type_line(shell, inp, "xStatus Audio Volume")
        await type_line(shell, inp, "xStatus Standby")
        await until(lambda: len(backend.received) == 2)
        inp.send_text("\x12")  # Ctrl-R
        await until(lambda: shell.search.control.buffer is shell.application.current_buffer)
        inp.send_text("Audio")
        await until(lambda: shell.search.control.buffer.text == "Audio")
        inp.send_text(ENTER)  # leaves search with the match on the input line
        await until(lambda: shell.application.current_buffer is shell.input_buffer)
        await until(lambda: shell.input_buffer.text == "xStatus Audio Volume")
        assert len(backend.received) == 2


async def test_shift_page_up_scrolls_the_feedback_pane() -> None:
    async with running() as (shell, inp, backend, _):
        for i in range(200):
            backend.emit("/Status/Audio/Volume", f"*s Audio Volume: {i}")
        await until(lambda: len(shell.events) == 200)
        shell.invalidate()
        await until(lambda: shell.events_control.view.last_shown >= 199)
        inp.send_text("\x1b[5;2~")  # Shift-PageUp
        await until(lambda: not shell.events_control.view.following)
        assert shell.output.view.following


async def test_no_stale_completion_menu_after_enter_but_tab_still_completes() -> None:
    async with running() as (shell, inp, backend, _):
        inp.send_text("xStatus Audio Volume" + ENTER)  # pasted: completion is still running at Enter
        await until(lambda: "*r Result xStatus Audio Volume" in output_text(shell))
        inp.send_text(F4)  # any key: give a late completion time to land (it must not)
        await until(lambda: shell.input_buffer.text == "" and not shell.busy)
        assert shell.input_buffer.complete_state is None
        inp.send_text("\t")
        await until(lambda: shell.input_buffer.complete_state is not None)
        texts = {c.display_text for c in shell.input_buffer.complete_state.completions}  # type: ignore[union-attr]
        assert texts == {"xCommand", "xStatus", "xConfiguration"}


# ---- toolbar and prompt text, mouse default -------------------------------------------


def text_of(frags: Any) -> str:
    return "".join(f[1] for f in frags)


def test_toolbar_shows_discovering_and_the_state_in_words() -> None:
    from xshell.ui.toolbar import ToolbarInfo, prompt_fragments, toolbar_fragments

    status = BackendStatus(device="", host="10.0.0.5", state="reconnecting", discovering=True)
    bar = text_of(toolbar_fragments(status, ToolbarInfo(events_per_second=2.5), 160))
    assert "10.0.0.5" in bar and "reconnecting" in bar and "discovering…" in bar and "2.5 ev/s" in bar
    assert "rtt" not in bar  # no measurement yet: nothing invented
    assert text_of(prompt_fragments(status)) == "10.0.0.5 (reconnecting)◐ "
    status.state, status.device = "connected", "boardroom"
    assert text_of(prompt_fragments(status)) == "boardroom● "


def test_toolbar_hint_changes_for_bodies_and_pause() -> None:
    from xshell.ui.toolbar import ToolbarInfo, toolbar_fragments

    status = BackendStatus(device="boardroom", state="connected")
    assert "F3 resume" in text_of(toolbar_fragments(status, ToolbarInfo(paused=True, held=4), 160))
    body = text_of(toolbar_fragments(status, ToolbarInfo(body_mode=True), 160))
    assert "end with a line holding only '.'" in body and "F1 help" not in body


def test_mouse_capture_is_off_unless_asked_for() -> None:
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        assert not ShellApp(FakeBackend(), output_lexer=None).application.mouse_support()
        assert ShellApp(FakeBackend(), output_lexer=None, mouse=True).application.mouse_support()


def test_unknown_names_are_styled_visibly_while_typing() -> None:
    """The lexer marks names the schema lacks as Error; the style must show them on a
    terminal (pygments' own Error style is a border, which terminals do not draw)."""
    from prompt_toolkit.styles import Attrs

    from xshell.ui.style import ui_style

    attrs: Attrs = ui_style().get_attrs_for_style_str("class:pygments.error")
    assert attrs.color in ("ansired", "ansibrightred") and attrs.underline
