"""Start-up: when the shell may draw its prompt before connecting, and the shell meanwhile.

`may_ask` / `connect_first` (xshell.modes.startup) decide whether opening the devices
could put a question on the terminal (then today's order: ask, connect, draw); the
`StartingBackend` (xshell.shell.starting) is what the prompt talks to until the devices
are open.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from xshell.cli import parse_options
from xshell.contract import StartReport
from xshell.modes.startup import connect_first, may_ask, question_possible
from xshell.shell.starting import StartingBackend
from xshell.transport.pinning import KnownHosts, host_key
from xshell.ui.toolbar import ToolbarInfo, prompt_fragments, toolbar_fragments

SAFE = dict(demo=False, password_known=True, secure=False, pinned=False, fingerprint=False,
            accept_new=False)


# ---- the decision, as a pure function ---------------------------------------------------
@pytest.mark.parametrize(("facts", "asks"), [
    ({}, False),                                          # ws:// with a password: draw first
    ({"password_known": False}, True),                    # the password prompt
    ({"demo": True, "password_known": False}, False),     # the demo device knows its own
    ({"secure": True}, True),                             # wss://, nothing pinned: may ask
    ({"secure": True, "pinned": True}, False),            # a pin decides (match or refusal)
    ({"secure": True, "fingerprint": True}, False),       # --fingerprint decides silently
    ({"secure": True, "accept_new": True}, True),         # may ask (CA-signed) or print "pinned"
    ({"secure": True, "fingerprint": True, "accept_new": True}, True),  # prints "pinned …"
    ({"secure": True, "pinned": True, "password_known": False}, True),
])
def test_may_ask(facts: dict[str, bool], asks: bool) -> None:
    assert may_ask(**{**SAFE, **facts}) is asks


def test_connect_first_when_anything_may_ask_or_nobody_is_at_a_terminal() -> None:
    assert connect_first([False, False], terminal=True) is False
    assert connect_first([False, True], terminal=True) is True
    assert connect_first([False], terminal=False) is True  # a pipe: errors before anything


# ---- the facts, from the options, the environment and the pins -------------------------
def _device(*argv: str) -> Any:
    (device,) = parse_options(list(argv)).devices
    return device


def test_question_possible_reads_the_password_sources_and_the_pins(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # no keyring: it gives no password
    assert question_possible(_device("ws://10.0.0.9/ws"))  # no password anywhere: the prompt
    monkeypatch.setenv("XSHELL_PASSWORD", "pw")
    assert not question_possible(_device("ws://10.0.0.9/ws"))
    assert question_possible(_device("wss://10.0.0.9/ws"))  # a certificate nobody decided on
    assert not question_possible(_device("wss://10.0.0.9/ws", "--insecure"))
    assert not question_possible(_device("--demo"))
    KnownHosts().add(host_key("10.0.0.9", 443), "SHA256:" + "A" * 43)
    assert not question_possible(_device("wss://10.0.0.9/ws"))  # pinned
    assert question_possible(_device("wss://10.0.0.9:8443/ws"))  # another port: not pinned
    assert question_possible(_device("ws://[not a host/ws"))  # bad target: today's path says so


# ---- the backend behind the first prompt ------------------------------------------------
class FakeMulti:
    """A MultiBackend's surface, as far as StartingBackend uses it."""

    def __init__(self) -> None:
        self.devices: list[str] = []
        self.sink: Any = None
        self.ran: list[str] = []
        self.closed = False

    @property
    def status(self) -> Any:
        from xshell.contract import BackendStatus

        return BackendStatus(device="room", state="connected")

    def set_feedback_sink(self, sink: Any) -> None:
        self.sink = sink

    def shell_words(self) -> dict[str, list[str]]:
        return {}

    async def execute(self, line: Any) -> Any:
        from xshell.contract import Outcome

        text = getattr(line, "text", line)
        self.ran.append(text)
        return Outcome([f"ran {text}"])

    async def aclose(self) -> None:
        self.closed = True


def starting(make: Any, opening: Any, host: str = "h") -> StartingBackend:
    """A StartingBackend over a fake MultiBackend (`make` builds it)."""
    return StartingBackend(make, opening, host=host)


async def test_lines_wait_for_the_devices_and_status_says_connecting() -> None:
    gate = asyncio.Event()
    multi = FakeMulti()

    async def opening(m: Any) -> StartReport:
        await gate.wait()
        m.devices.append("room")
        return StartReport(banner=["Welcome"])

    backend = starting(lambda: multi, opening, host="10.0.0.9")
    backend.set_feedback_sink(print)  # before the MultiBackend exists: handed over later
    assert backend.status.state == "connecting" and backend.status.host == "10.0.0.9"
    assert "xStatus " in [c.text for c in backend.complete("xSt")]  # no schema, still helps
    assert backend.history_line('xConfiguration SIP Authentication Password: "s3"') \
        == "xConfiguration SIP Authentication Password: ***"
    running = asyncio.ensure_future(backend.execute("xStatus Audio Volume"))
    await asyncio.sleep(0)
    assert multi.sink is print and not running.done() and multi.ran == []
    gate.set()
    outcome = await asyncio.wait_for(running, 5)
    assert outcome.lines == ["ran xStatus Audio Volume"] and backend.status.state == "connected"
    assert (await backend.started()).banner == ["Welcome"]


async def test_no_device_leaves_the_shell_with_the_openings_exit_status() -> None:
    async def opening(m: Any) -> StartReport:
        return StartReport(problems=["xshell: refused"], exit_code=3)

    backend = starting(FakeMulti, opening)
    outcome = await backend.execute("xStatus Audio")
    assert outcome.exit_shell and outcome.exit_code == 3 and outcome.lines == []
    assert backend.report() == StartReport(problems=["xshell: refused"], exit_code=3)


async def test_closing_while_connecting_stops_the_opening() -> None:
    stopped = asyncio.Event()
    multi = FakeMulti()

    async def opening(m: Any) -> StartReport:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        raise AssertionError("unreachable")

    backend = starting(lambda: multi, opening)
    waiting = asyncio.ensure_future(backend.started())
    await asyncio.sleep(0)
    waiting.cancel()  # the UI leaving: the opening goes on until aclose
    await asyncio.sleep(0)
    assert not stopped.is_set()
    await backend.aclose()
    assert stopped.is_set() and multi.closed and backend.report() is None


async def test_closing_before_the_first_prompt_opens_nothing() -> None:
    made: list[int] = []
    def make() -> FakeMulti:
        made.append(1)
        return FakeMulti()

    backend = starting(make, lambda m: asyncio.sleep(0, StartReport()))
    await backend.aclose()  # no coroutine left unawaited, no MultiBackend made
    assert made == [] and backend.report() is None


# ---- what the screen shows meanwhile ----------------------------------------------------
def test_prompt_and_toolbar_name_the_host_while_connecting() -> None:
    from xshell.contract import BackendStatus

    status = BackendStatus(host="10.0.0.9:8080", state="connecting")
    prompt = "".join(frag[1] for frag in prompt_fragments(status))
    bar = "".join(frag[1] for frag in toolbar_fragments(status, ToolbarInfo(), 160))
    assert prompt == "10.0.0.9:8080 (connecting)◌ "
    assert "◌ connecting to 10.0.0.9:8080…" in bar


def test_the_empty_first_prompt_is_drawn_without_asking_for_colours() -> None:
    """Colouring needs the lexer (pygments): the empty first prompt is drawn without it,
    a typed line is coloured as ever."""
    from prompt_toolkit.document import Document

    from xshell.ui.adapters import BackendLexer

    asked: list[str] = []

    class Colours:
        def highlight(self, text: str) -> list[tuple[str, str]]:
            asked.append(text)
            return [("Keyword", text)]

    lexer = BackendLexer(Colours())  # type: ignore[arg-type]  # only highlight is asked
    assert lexer.lex_document(Document(""))(0) == [] and asked == []
    assert lexer.lex_document(Document("xStatus"))(0) == [("class:pygments.keyword", "xStatus")]
    assert asked == ["xStatus"]
