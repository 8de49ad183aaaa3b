"""ShellBackendImpl: what the toolbar shows, background discovery, feedback, reconnect, history.

Driven like the UI drives it — execute(), the status object and its listener, the
feedback sink, the completer on Document objects — against the in-process simulator.
Every wait is on a condition (status listener, feedback sink) with a timeout.
"""

from __future__ import annotations

import asyncio
import copy
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from tests.conftest import PASSWORD, USER
from xshell.lang.redact import mask_body
from xshell.shell.one_device import ShellBackendImpl
from xshell.session.core import Session
from xshell.transport.client import XoWSClient
from xshell.contract import FeedbackEvent, ShellBackend
from xshell.ui.adapters import BackendCompleter

HOST = "codec.example.com"


class Watch:
    """Status listener + feedback sink whose effects can be awaited."""

    def __init__(self, backend: ShellBackendImpl) -> None:
        self.events: list[FeedbackEvent] = []
        self._changed = asyncio.Event()
        self.status_calls = 0
        backend.set_status_listener(self._status)
        backend.set_feedback_sink(self._event)

    def _status(self) -> None:
        self.status_calls += 1
        self._changed.set()

    def _event(self, ev: FeedbackEvent) -> None:
        self.events.append(ev)
        self._changed.set()

    async def until(self, pred: Callable[[], bool], timeout: float = 5.0) -> None:
        async def loop() -> None:
            while not pred():
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(loop(), timeout)


@pytest.fixture
async def backend(client: Any, more_clients: Any) -> AsyncIterator[ShellBackendImpl]:
    session = Session(client, device_key="backend-test")
    await session.identify()
    b = ShellBackendImpl(session, host=HOST, reconnect=more_clients)
    yield b
    await b.aclose()


@pytest.fixture
def xdoc_gate(sim: Any, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """xDoc answers wait until the returned event is set (a slow schema download)."""
    gate = asyncio.Event()
    dispatcher = sim.simulator.dispatcher
    original = dispatcher.call

    def call(conn: Any, method: str, params: Any) -> Any:
        if method.lower() != "xdoc":
            return original(conn, method, params)

        async def later() -> Any:
            await gate.wait()
            return original(conn, method, copy.deepcopy(params))
        return later()

    monkeypatch.setattr(dispatcher, "call", call)
    return gate


def completions(backend: ShellBackendImpl, text: str) -> dict[str, str]:
    found = BackendCompleter(backend).get_completions(Document(text, len(text)), CompleteEvent())
    return {c.display_text: c.display_meta_text for c in found}


# ------------------------------------------------------------------ status
async def test_it_is_a_shell_backend_with_the_device_in_its_status(
        backend: ShellBackendImpl, sim: Any) -> None:
    assert isinstance(backend, ShellBackend)
    s = backend.status
    assert s.device == sim.simulator.configuration("SystemUnit Name")
    assert s.software == sim.simulator.status("SystemUnit Software Version")
    assert (s.state, s.registrations, s.host, s.discovering) == ("connected", 0, HOST, False)
    assert (await backend.execute("xStatus Audio Volume")).ok
    assert s.rtt_ms is not None and s.rtt_ms > 0


async def test_discovery_never_delays_a_line(backend: ShellBackendImpl, sim: Any,
                                             xdoc_gate: asyncio.Event) -> None:
    watch = Watch(backend)
    backend.start_discovery()
    assert backend.status.discovering and watch.status_calls > 0
    out = await asyncio.wait_for(backend.execute("xStatus Audio Volume"), 5)
    assert out.ok and out.lines[0] == f"*s Audio Volume: {sim.simulator.status('Audio Volume')}"
    assert backend.status.discovering and backend.session.schema is None  # still waiting
    xdoc_gate.set()
    await watch.until(lambda: not backend.status.discovering)
    assert backend.session.store.roots_known == {"Command", "Configuration", "Event", "Status"}
    bad = await backend.execute("xStatus Audio Volum")
    assert not bad.ok and "did you mean Volume?" in bad.lines[-1]


async def test_registrations_and_feedback_reach_the_ui(backend: ShellBackendImpl, sim: Any) -> None:
    watch = Watch(backend)
    assert (await backend.execute("xFeedback register /Status/Audio/Volume")).ok
    assert backend.status.registrations == 1
    sim.simulator.set_status("Audio Volume", 17)
    await watch.until(lambda: bool(watch.events))
    ev = watch.events[0]
    assert ev.lines == ["*s Audio Volume: 17", "** end"] and ev.path == "/Status/Audio/Volume"
    await backend.execute("xFeedback deregisterall")
    assert backend.status.registrations == 0


# ------------------------------------------------------------------ live values in completion
async def test_completion_knows_the_calls_that_exist_now(backend: ShellBackendImpl) -> None:
    watch = Watch(backend)
    backend.start_discovery()
    await watch.until(lambda: not backend.status.discovering)
    assert not any(k.isdigit() for k in completions(backend, "xStatus Call "))
    dial = await backend.execute("xCommand Dial Number: 12345")
    call_id = next(line.split(": ")[1] for line in dial.lines if "CallId" in line)
    await backend.execute("xStatus Audio Volume")  # its reply follows the call's feedback
    assert call_id in completions(backend, "xStatus Call ")
    assert (await backend.execute(f"xCommand Call Disconnect CallId: {call_id}")).ok
    await backend.execute("xStatus Audio Volume")
    assert call_id not in completions(backend, "xStatus Call ")


async def test_leaf_completion_shows_the_current_value(backend: ShellBackendImpl, sim: Any) -> None:
    watch = Watch(backend)
    backend.start_discovery()
    await watch.until(lambda: not backend.status.discovering)
    volume = sim.simulator.status("Audio Volume")
    assert f"= {volume}" in completions(backend, "xStatus Audio Vol")["Volume"]
    await backend.execute("xCommand Audio Volume Set Level: 12")
    await backend.execute("xStatus Audio Volume")  # a reply teaches the new value
    assert "= 12" in completions(backend, "xStatus Audio Vol")["Volume"]
    default = sim.simulator.configuration("Audio DefaultVolume")
    assert completions(backend, "xConfiguration Audio DefaultVolume: ")[str(default)] == "current value"


# ------------------------------------------------------------------ connection loss, reconnect
async def test_reconnect_after_a_reboot_restores_feedback(backend: ShellBackendImpl, sim: Any) -> None:
    watch = Watch(backend)
    for expr in ("/Status/Audio/Volume", "/Event/CallDisconnect"):
        assert (await backend.execute(f"xFeedback register {expr}")).ok
    listed = (await backend.execute("xFeedback list")).lines
    sim.simulator.reboot(0.2)
    await watch.until(lambda: backend.status.state == "disconnected")
    await watch.until(lambda: any("connection closed" in ev.lines[0] for ev in watch.events))
    lost = await backend.execute("xStatus Audio Volume")
    assert not lost.ok and lost.lines[-1] == "** type `reconnect` to connect again"
    await sim.simulator.wait_ready()
    again = await backend.execute("reconnect")
    assert again.ok and again.lines[0] == f"reconnected to {HOST}"
    assert set(again.lines[1:]) == {"re-registered /Status/Audio/Volume",
                                    "re-registered /Event/CallDisconnect"}
    assert backend.status.state == "connected" and backend.status.registrations == 2
    assert (await backend.execute("xFeedback list")).lines == listed
    assert sum(len(c.subscriptions) for c in sim.simulator.connection_list()) == 2
    watch.events.clear()
    sim.simulator.set_status("Audio Volume", 33)
    await watch.until(lambda: bool(watch.events))
    assert watch.events[0].lines[0] == "*s Audio Volume: 33"
    assert not any("connection closed" in ev.lines[0] for ev in watch.events)


async def test_reconnect_while_the_device_is_down_says_why(backend: ShellBackendImpl, sim: Any) -> None:
    watch = Watch(backend)
    await backend.execute("xFeedback register /Status/Audio")
    sim.simulator.reboot(30)
    await watch.until(lambda: backend.status.state == "disconnected")
    out = await backend.execute("reconnect")
    assert not out.ok and out.lines[0].startswith("reconnect failed: ") and len(out.lines) == 1
    assert backend.status.state == "disconnected"
    assert backend.status.registrations == 1  # kept for the next attempt


async def test_reconnect_needs_a_way_to_connect(client: Any) -> None:
    b = ShellBackendImpl(Session(client), host=HOST)
    try:
        out = await b.execute("reconnect")
        assert not out.ok and out.lines == ["reconnect: not available for this session"]
    finally:
        await b.aclose()


# ------------------------------------------------------------------ history and bodies
async def test_history_masks_secrets_but_keeps_the_rest(backend: ShellBackendImpl) -> None:
    await backend.session.store.ensure_all()
    line = ('xCommand UserManagement User Passphrase Set Username: "bob" '
            'NewPassphrase: "N3w-Phrase" YourPassphrase: "0ld-Phrase"')
    masked = backend.history_line(line)
    assert "N3w-Phrase" not in masked and "0ld-Phrase" not in masked
    assert masked.startswith('xCommand UserManagement User Passphrase Set Username: "bob"')
    config = backend.history_line('xConfiguration SIP Authentication Password: "Digest-99"')
    assert config == "xConfiguration SIP Authentication Password: ***"
    assert backend.history_line("xStatus Audio Volume") == "xStatus Audio Volume"


async def test_bodies_are_kept_except_private_keys(backend: ShellBackendImpl) -> None:
    macro = "const password = 'in-a-macro';\nxapi.Command.Dial({ Number: '1' });"
    text = f'xCommand Macros Macro Save Name: "m"\n{macro}'
    assert backend.history_line(text) == text  # a body is free text: kept as typed
    pem = ("-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n"
           "-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n")
    kept = mask_body(pem)
    assert "MIIEsecretkeymaterial" not in kept and "MIIBcert" in kept
    assert "-----BEGIN PRIVATE KEY-----\n***\n-----END PRIVATE KEY-----" in kept
    rsa = "-----BEGIN RSA PRIVATE KEY-----\nabc\ndef\n-----END RSA PRIVATE KEY-----"
    assert "abc" not in mask_body(rsa)


async def test_needs_body_follows_the_schema(backend: ShellBackendImpl) -> None:
    assert backend.needs_body('xCommand Macros Macro Save Name: "m"')
    assert not backend.needs_body("xCommand Dial Number: 1")
    await backend.session.store.ensure_all()
    assert backend.needs_body('xcommand macros macro save name: "m"')
    assert not backend.needs_body("xStatus Audio")


# ------------------------------------------------------------------ the mode around it
async def test_plain_mode_runs_lines_from_a_pipe(sim: Any, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from xshell.cli import parse_options
    from xshell.modes import interactive

    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO(
        "xStatus Audio Volume\nxFeedback register /Status/Audio\nxFeedback list\nbye\n"
        "xStatus Audio VolumeMute\n"))
    args = parse_options([sim.url, "-u", USER, "--plain"])
    code = await asyncio.wait_for(interactive._run(args), 10)
    out = capsys.readouterr().out
    name = sim.simulator.configuration("SystemUnit Name")
    assert code == 0 and out.startswith(f"Welcome to {name}\n")
    assert f"*s Audio Volume: {sim.simulator.status('Audio Volume')}" in out
    assert "/Status/Audio\n** end" in out and "VolumeMute" not in out
    path = interactive.history_path("codec:443/ws")
    assert path.name == "codec_443_ws" and str(path).startswith(os.environ["XDG_STATE_HOME"])


async def test_automatic_reconnect_shows_in_toolbar_and_pane_and_keeps_registrations(sim: Any) -> None:
    """A device reboot under a live session: state → reconnecting → connected, the pane says
    what happened, `xFeedback list` is unchanged and feedback keeps arriving, resync first."""
    from xshell.transport.reconnect_policy import ReconnectPolicy

    holder: dict[str, ShellBackendImpl] = {}
    states: list[str] = []

    def on_state(state: str, detail: str) -> None:
        states.append(state)
        holder["b"].on_connection_state(state, detail)

    client = XoWSClient(sim.url, username=USER, password=PASSWORD, on_state=on_state,
                        reconnect=ReconnectPolicy(initial=0.05, maximum=0.2, rebooting=0.05))
    await client.connect()
    session = Session(client, device_key="auto-reconnect")
    await session.identify()
    backend = holder["b"] = ShellBackendImpl(session, host=HOST)
    watch = Watch(backend)
    try:
        assert (await backend.execute("xFeedback register /Status/Audio/Volume")).ok
        sim.simulator.reboot(0.2)
        await watch.until(lambda: "reconnecting" in states)
        assert backend.status.state in ("disconnected", "reconnecting")
        await watch.until(lambda: "reconnected" in states, timeout=15)
        await watch.until(lambda: backend.status.state == "connected")
        pane = [ln for ev in watch.events for ln in ev.lines]
        assert any(ln.startswith("** ") and "lost" in ln.lower() for ln in pane), pane
        await watch.until(lambda: any("** resync /Status/Audio/Volume" in ln
                                      for ev in watch.events for ln in ev.lines))
        listed = await backend.execute("xFeedback list")
        assert "/Status/Audio/Volume" in listed.lines
        assert (await backend.execute("xCommand Audio Volume Set Level: 44")).ok
        await watch.until(lambda: any("*s Audio Volume: 44" in ln for ev in watch.events for ln in ev.lines))
    finally:
        await backend.aclose()
        await client.close()


@pytest.mark.parametrize("kind", ["text", "binary", "unknown_id", "unknown_subscription", "duplicate"])
async def test_garbage_from_the_device_is_shown_and_the_session_survives(sim: Any, kind: str) -> None:
    """Bad frames become one pane line each; the next request and feedback still work."""
    holder: dict[str, ShellBackendImpl] = {}
    client = XoWSClient(sim.url, username=USER, password=PASSWORD,
                        on_protocol_error=lambda err: holder["b"].on_protocol_error(err))
    await client.connect()
    session = Session(client, device_key="garbage")
    await session.identify()
    backend = holder["b"] = ShellBackendImpl(session, host=HOST)
    watch = Watch(backend)
    try:
        assert (await backend.execute("xFeedback register /Status/Audio/Volume")).ok
        sim.simulator.faults.send_garbage(kind)
        if kind == "duplicate":  # the next reply is sent twice
            assert (await backend.execute("xStatus Audio Volume")).ok
        await watch.until(lambda: any("device sent something unexpected" in ln
                                      for ev in watch.events for ln in ev.lines))
        shown = [ln for ev in watch.events for ln in ev.lines if "unexpected" in ln]
        assert all("\n" not in ln and len(ln) < 400 for ln in shown)
        out = await backend.execute("xCommand Audio Volume Set Level: 41")
        assert out.ok, out.lines
        await watch.until(lambda: any("*s Audio Volume: 41" in ln for ev in watch.events for ln in ev.lines))
        assert "/Status/Audio/Volume" in (await backend.execute("xFeedback list")).lines
    finally:
        await backend.aclose()
        await client.close()
