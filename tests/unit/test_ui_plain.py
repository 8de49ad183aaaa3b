"""Plain mode: line mode over a text stream (no terminal) and the prompt-session mode."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sys
from collections.abc import Callable

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from xshell.lang.line import Line
from xshell.contract import BackendStatus, Candidate, FeedbackEvent, Fragment, Outcome
from xshell.ui.plain import run_plain

SECRET = "hunter2-Secret"
STAMP = r"\d\d:\d\d:\d\d\.\d\d\d"


class FakeBackend:
    """Canned results; 'events' emits feedback while it runs; 'slow' waits to be cancelled."""

    def __init__(self) -> None:
        self.status = BackendStatus(device="boardroom", state="connected", host="10.0.0.5")
        self.received: list[str] = []
        self.cancelled: list[str] = []
        self.sink: Callable[[FeedbackEvent], None] | None = None
        self.on_slow: Callable[[], None] | None = None

    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        self.sink = sink

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        pass

    def needs_body(self, line: Line) -> bool:  # the line as the UI read it at submit
        return line.text.strip().lower().startswith("xcommand userinterface extensions panel save")

    def complete(self, before_cursor: str) -> list[Candidate]:
        return []

    def highlight(self, text: str) -> list[Fragment]:
        return [("", text)]

    async def execute(self, line: Line) -> Outcome:
        text = line.full  # what was typed, body included
        self.received.append(text)
        head = text.split("\n", 1)[0]
        if head == "events":
            assert self.sink is not None
            for i in range(3):
                self.sink(FeedbackEvent(1_700_000_000.0 + i, [f"*s Audio Volume: {i}"], "/Status/Audio/Volume"))
            self.sink(FeedbackEvent(1_700_000_005.0, ["*e CallSuccessful CallId: 3"], "/Event/CallSuccessful"))
        if head == "traced":  # `trace on inline`: the frame's line carries its own stamp
            assert self.sink is not None
            self.sink(FeedbackEvent(1_700_000_000.0, ["02:17:27.850 >> {}"], "trace", inline=True))
        if head.startswith("slow"):
            if self.on_slow is not None:
                self.on_slow()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled.append(text)
                raise
        if head == "bad":
            return Outcome(["ERROR", "xCommand not recognized"], ok=False)
        body = text.count("\n")
        return Outcome([f"*r Result {self.history_line(head)} body={body}", "OK"])

    def history_line(self, line: Line | str) -> str:
        text = line if isinstance(line, str) else line.full
        return re.sub(r"(Password:\s*)\S+", r"\1***", text)


async def run_lines(script: str, backend: FakeBackend | None = None) -> tuple[int, str, FakeBackend]:
    backend = backend or FakeBackend()
    out = io.StringIO()
    code = await asyncio.wait_for(run_plain(backend, None, io.StringIO(script), out), 10)
    return code, out.getvalue(), backend


async def test_line_mode_runs_lines_in_order_and_prints_results() -> None:
    code, out, backend = await run_lines("xStatus Audio\n\nxStatus Call\n")
    assert code == 0
    assert backend.received == ["xStatus Audio", "xStatus Call"]
    assert out.splitlines() == ["*r Result xStatus Audio body=0", "OK", "*r Result xStatus Call body=0", "OK"]


async def test_line_mode_exit_status_is_1_when_a_request_failed() -> None:
    code, out, _ = await run_lines("bad\nxStatus\n")
    assert code == 1
    assert "xCommand not recognized" in out and "*r Result xStatus" in out


async def test_line_mode_reads_bodies_up_to_a_lone_dot() -> None:
    script = "xCommand UserInterface Extensions Panel Save PanelId: p\n<Extensions>\n</Extensions>\n.\nxStatus\n"
    code, _out, backend = await run_lines(script)
    assert code == 0
    assert backend.received == [
        "xCommand UserInterface Extensions Panel Save PanelId: p\n<Extensions>\n</Extensions>",
        "xStatus",
    ]


async def test_line_mode_never_sends_a_body_cut_short() -> None:
    code, out, backend = await run_lines(f"xCommand UserInterface Extensions Panel Save Password: {SECRET}\n<a>\n")
    assert code == 1
    assert backend.received == []
    assert "incomplete multiline command (no '.' line)" in out
    assert SECRET not in out


async def test_line_mode_exit_word_stops_reading() -> None:
    code, _out, backend = await run_lines("xStatus\nbye\nxStatus Call\n")
    assert code == 0
    assert backend.received == ["xStatus"]


async def test_feedback_is_printed_as_timestamped_lines_before_the_result() -> None:
    _code, out, _ = await run_lines("events\nxStatus\n")
    lines = out.splitlines()
    assert lines.index("*r Result events body=0") == 4  # after the 4 event lines
    volume = [ln for ln in lines if "*s Audio Volume" in ln]
    assert len(volume) == 3
    assert all(re.fullmatch(STAMP + r" \*s Audio Volume: \d", ln) for ln in volume)
    assert any(re.fullmatch(STAMP + r" \*e CallSuccessful CallId: 3", ln) for ln in lines)


async def test_inline_trace_frame_is_printed_with_one_timestamp() -> None:
    _code, out, _ = await run_lines("traced\n")
    assert out.splitlines()[0] == "02:17:27.850 >> {}"


async def test_pane_commands_filter_and_hold_feedback_in_plain_mode() -> None:
    _code, out, _ = await run_lines("pane filter callsuccessful\nevents\npane pause\nevents\npane\n")
    lines = out.splitlines()
    assert sum("*e CallSuccessful" in ln for ln in lines) == 1  # the second batch is held
    assert not any("*s Audio Volume" in ln for ln in lines)
    assert any("paused with 4 held" in ln for ln in lines)


async def test_local_help_and_errors_in_line_mode() -> None:
    code, out, backend = await run_lines("help\npane explode\n")
    assert "pane filter TEXT" in out
    assert "pane: unknown action 'explode'" in out
    assert code == 1 and backend.received == []


async def test_stdin_that_is_not_a_tty_is_read_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = FakeBackend()
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO("xStatus\n"))
    monkeypatch.setattr(sys, "stdout", out)
    code = await asyncio.wait_for(run_plain(backend), 10)
    assert code == 0 and backend.received == ["xStatus"]
    assert "*r Result xStatus" in out.getvalue()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT routing needs loop signal handlers")
async def test_ctrl_c_cancels_the_running_request_not_the_session() -> None:
    backend = FakeBackend()
    loop = asyncio.get_running_loop()
    backend.on_slow = lambda: loop.call_soon(os.kill, os.getpid(), signal.SIGINT)
    before = signal.getsignal(signal.SIGINT)
    code, out, _ = await run_lines("slow xStatus\nxStatus Call\n", backend)
    assert backend.cancelled == ["slow xStatus"]
    assert "cancelled: slow xStatus" in out
    assert backend.received == ["slow xStatus", "xStatus Call"]
    assert code == 1
    assert signal.getsignal(signal.SIGINT) is before


# ---- prompt session (terminal) ---------------------------------------------------------


async def until(cond: Callable[[], object], timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not cond():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout)


def plain_text(data: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]", "", data)


async def test_prompt_session_runs_lines_masks_history_and_survives_ctrl_c() -> None:
    backend = FakeBackend()
    history = InMemoryHistory()
    buf = io.StringIO()
    out = Vt100_Output(buf, lambda: Size(rows=24, columns=100))
    with create_pipe_input() as inp, create_app_session(input=inp, output=out):
        task = asyncio.create_task(run_plain(backend, history, inp, out))
        await until(lambda: "boardroom (connected)>" in plain_text(buf.getvalue()))
        inp.send_text(f"xCommand Foo Password: {SECRET}\r")
        await until(lambda: backend.received)
        await until(lambda: "*r Result xCommand Foo Password: ***" in plain_text(buf.getvalue()))
        inp.send_text("half typed")
        await until(lambda: "half typed" in plain_text(buf.getvalue()))
        inp.send_text("\x03")  # Ctrl-C drops the line, not the session
        await until(lambda: "boardroom (connected)>" in plain_text(buf.getvalue()).rsplit("half typed", 1)[1])
        inp.send_text("xCommand UserInterface Extensions Panel Save\r")
        await until(lambda: "..." in plain_text(buf.getvalue()))
        inp.send_text("<x/>\r.\r")
        await until(lambda: len(backend.received) == 2)
        inp.send_text("\x04")  # Ctrl-D
        assert await asyncio.wait_for(task, 5) == 0
    assert backend.received == [
        f"xCommand Foo Password: {SECRET}",
        "xCommand UserInterface Extensions Panel Save\n<x/>",
    ]
    stored = list(history.get_strings())
    assert "xCommand Foo Password: ***" in stored
    assert all(SECRET not in s for s in stored) and all("half typed" not in s for s in stored)
