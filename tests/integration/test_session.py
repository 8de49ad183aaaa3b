"""Session.execute, line by line, against the in-process simulator — and script mode.

What is checked is what a user sees: the lines a line produces, its exit status, and
what the device actually received (a recorder on the simulator's dispatcher keeps every
method and params), never the session's internals. Expected values are read from the
simulator, not written into the tests.
"""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import pytest

from tests.integration.conftest import Collector

from tests.conftest import PASSWORD, USER
from xshell.errors import PermissionDenied
from xshell.session.core import Session
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_USAGE, EXIT_XAPI, Result
from xshell.transport.client import XoWSClient

Calls = list[tuple[str, Any]]


@pytest.fixture
def calls(sim: Any, monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Every (method, params) the simulated device was asked, in order."""
    seen: Calls = []
    dispatcher = sim.simulator.dispatcher
    original = dispatcher.call

    def call(conn: Any, method: str, params: Any) -> Any:
        seen.append((method, copy.deepcopy(params)))
        return original(conn, method, params)

    monkeypatch.setattr(dispatcher, "call", call)
    return seen


@pytest.fixture
def feedback() -> Collector:
    return Collector()


@pytest.fixture
async def session(client: Any, calls: Calls, feedback: Collector) -> Session:
    s = Session(client, device_key="test-device", on_feedback=feedback)
    await s.identify()
    return s


def sent(calls: Calls, method: str) -> list[Any]:
    return [p for m, p in calls if m.lower() == method.lower()]


# ------------------------------------------------------------------ reading
async def test_a_devices_prefix_is_one_line_error_outside_the_interactive_shell(
        session: Session, calls: Calls) -> None:
    before = len(calls)
    r = await session.execute("@all xStatus Audio Volume")
    assert r.exit_code == EXIT_USAGE and len(r.lines) == 1
    assert "interactive shell only" in r.lines[0] and "several TARGETs" in r.lines[0]
    assert len(calls) == before  # nothing sent


async def test_xstatus_leaf_prints_the_device_value(session: Session, sim: Any) -> None:
    r = await session.execute("xStatus Audio Volume")
    assert r.exit_code == EXIT_OK and r.kind == "answer"
    assert r.lines == [f"*s Audio Volume: {sim.simulator.status('Audio Volume')}", "** end", "", "OK"]


async def test_instances_that_do_not_exist_read_as_empty_like_tshell(session: Session) -> None:
    empty = ["** end", "", "OK"]
    for line in ("xStatus Call", "xStatus Call 5", "xStatus Call 5 Status"):
        r = await session.execute(line)
        assert (r.lines, r.exit_code) == (empty, EXIT_OK), line
    assert (await session.execute("xCommand Dial Number: 12345")).exit_code == EXIT_OK
    calls = await session.execute("xStatus Call")
    assert calls.exit_code == EXIT_OK and any(" Status: " in ln for ln in calls.lines[:-3])
    session.output = "json"
    assert (await session.execute("xStatus Call 99")).lines == ["{}"]


async def test_a_path_without_instances_that_matches_nothing_stays_an_error(session: Session) -> None:
    r = await session.execute('{"jsonrpc": "2.0", "id": 1, "method": "xGet", "params": {"Path": ["Status", "Nope"]}}')
    assert r.exit_code == EXIT_XAPI and "No match on Path argument" in r.lines[0]


async def test_names_typed_in_any_case_are_sent_canonical(session: Session, calls: Calls) -> None:
    shouted = await session.execute("XSTATUS AUDIO VOLUME")
    assert shouted.lines == (await session.execute("xStatus Audio Volume")).lines
    assert sent(calls, "xGet")[-2:] == [{"Path": ["Status", "Audio", "Volume"]}] * 2


async def test_xconfiguration_read_and_set(session: Session, sim: Any, calls: Calls) -> None:
    before = sim.simulator.configuration("Audio DefaultVolume")
    new = 30 if before != 30 else 31
    r = await session.execute(f"xconfiguration audio defaultvolume: {new}")
    assert r.exit_code == EXIT_OK and r.lines[-1] == "OK"
    assert sim.simulator.configuration("Audio DefaultVolume") == new
    assert sent(calls, "xSet")[-1] == {"Path": ["Configuration", "Audio", "DefaultVolume"], "Value": new}
    read = await session.execute("xConfiguration Audio DefaultVolume")
    assert read.lines[0] == f"*c xConfiguration Audio DefaultVolume: {new}"


async def test_out_of_range_is_refused_before_sending(session: Session, calls: Calls) -> None:
    r = await session.execute("xConfiguration Audio DefaultVolume: 400")
    assert r.exit_code == EXIT_USAGE and r.kind == "parse_error"
    assert "<0..100>" in r.lines[-1] and "400" in r.lines[-1]
    assert sent(calls, "xSet") == []


async def test_search_is_a_prefix_match_rendered_per_tshell(session: Session, calls: Calls) -> None:
    r = await session.execute("xStatus //vol")
    assert r.exit_code == EXIT_OK and r.lines[-3:] == ["** end", "", "OK"]
    body = r.lines[:-3]
    assert body and all(line.startswith("*s ") for line in body)
    for line in body:
        names = line[3:].split(":")[0].split()
        assert any(n.lower().startswith("vol") for n in names), line
    assert any(line.startswith("*s Audio Volume: ") for line in body)
    assert sent(calls, "xQuery")[-1] == {"Query": ["Status", "**"]}


async def test_double_star_lists_a_whole_subtree(session: Session) -> None:
    r = await session.execute("xStatus Audio **")
    body = r.lines[:-3]
    assert r.exit_code == EXIT_OK and len(body) > 3
    assert all(line.startswith("*s Audio ") for line in body)


# ------------------------------------------------------------------ commands
async def test_command_parameters_keep_their_schema_types(session: Session, calls: Calls) -> None:
    r = await session.execute("xCommand Dial Number: 12345")
    assert r.exit_code == EXIT_OK and any(line.startswith("*r DialResult") for line in r.lines)
    assert sent(calls, "xCommand/Dial")[-1] == {"Number": "12345"}  # a String stays a string
    await session.execute("xcommand audio volume set level: 30")
    assert sent(calls, "xCommand/Audio/Volume/Set")[-1] == {"Level": 30}  # Integer → number


async def test_repeated_parameters_travel_as_an_array(session: Session, calls: Calls) -> None:
    r = await session.execute('xCommand HttpFeedback Register FeedbackSlot: 1 ServerUrl: '
                              '"http://x.example.com" Expression: "/Status/Audio" '
                              'Expression: "/Event/CallDisconnect"')
    assert r.exit_code == EXIT_OK
    assert sent(calls, "xCommand/HttpFeedback/Register")[-1] == {
        "FeedbackSlot": 1, "ServerUrl": "http://x.example.com",
        "Expression": ["/Status/Audio", "/Event/CallDisconnect"]}


async def test_multiline_body_is_sent_as_body(session: Session, calls: Calls) -> None:
    body = "import xapi from 'xapi';\nconsole.log('hi: there');"
    r = await session.execute(f'xCommand Macros Macro Save Name: "m1"\n{body}')
    assert r.exit_code == EXIT_OK
    assert sent(calls, "xCommand/Macros/Macro/Save")[-1]["body"] == body


async def test_unknown_parameter_gets_a_did_you_mean(session: Session, calls: Calls) -> None:
    r = await session.execute("xCommand Dial Numbr: 1")
    assert r.exit_code == EXIT_USAGE and "did you mean Number?" in r.lines[-1]
    missing = await session.execute("xCommand Dial CallType: Audio")
    assert missing.exit_code == EXIT_USAGE and "missing required parameter Number" in missing.lines[-1]
    assert sent(calls, "xCommand/Dial") == []


async def test_device_errors_exit_1_with_the_device_words(session: Session) -> None:
    r = await session.execute("xCommand Call Disconnect CallId: 77")
    assert r.exit_code == EXIT_XAPI and r.lines[-1] == "ERROR"
    assert '*r CallDisconnectResult Reason: "No active call(s) found."' in r.lines


# ------------------------------------------------------------------ feedback
async def test_feedback_register_list_deregister(session: Session, sim: Any, calls: Calls) -> None:
    for expr in ("/Status/Audio", "/Event/CallDisconnect", "/Configuration/Audio"):
        assert (await session.execute(f"xFeedback register {expr}")).lines == ["** end", "", "OK"]
    listed = await session.execute("xFeedback list")
    assert listed.lines == ["/Configuration/Audio", "/Event/CallDisconnect", "/Status/Audio",
                            "** end", "", "OK"]
    again = await session.execute("xfeedback register status/AUDIO")  # the same query
    assert again.exit_code == EXIT_OK
    assert len(sent(calls, "xFeedback/Subscribe")) == 3
    assert (await session.execute("xFeedback deregister status/audio")).exit_code == EXIT_OK
    assert (await session.execute("xFeedback list")).lines[:2] == ["/Configuration/Audio",
                                                                   "/Event/CallDisconnect"]
    assert len(sent(calls, "xFeedback/Unsubscribe")) == 1
    assert (await session.execute("xFeedback deregisterall")).exit_code == EXIT_OK
    assert (await session.execute("xFeedback list")).lines == ["** end", "", "OK"]
    assert sum(len(c.subscriptions) for c in sim.simulator.connection_list()) == 0


async def test_deregistering_what_is_not_registered_is_a_clear_error(session: Session) -> None:
    await session.execute("xFeedback register /Status/Audio")
    r = await session.execute("xFeedback deregister /Status/Standby")
    assert r.exit_code == EXIT_USAGE and len(r.lines) == 1
    assert "/Status/Standby" in r.lines[0] and "/Status/Audio" in r.lines[0]


async def test_feedback_arrives_rendered_through_on_feedback(session: Session, sim: Any,
                                                             feedback: Collector) -> None:
    await session.execute("xFeedback register /Status/Audio/Volume")
    level = 10 if sim.simulator.status("Audio Volume") != 10 else 11
    await session.execute(f"xCommand Audio Volume Set Level: {level}")
    await feedback.wait_for(lambda items: bool(items))
    fb = feedback.items[0]
    assert fb.expression == "/Status/Audio/Volume" and fb.path == "/Status/Audio/Volume"
    assert fb.lines == [f"*s Audio Volume: {level}", "** end"]
    assert session.events_received == 1


async def test_json_output_for_feedback_and_results(session: Session, sim: Any,
                                                    feedback: Collector) -> None:
    # under -o json a shell command's answer is a document too (session.result.as_documents)
    assert (await session.execute("output json")).lines == ['{"command":"output","lines":["output: json"]}']
    r = await session.execute("xStatus Audio Volume")
    assert json.loads(r.lines[0]) == sim.simulator.status("Audio Volume")
    await session.execute("xFeedback register /Status/Audio/Volume")
    sim.simulator.set_status("Audio Volume", 42)
    await feedback.wait_for(lambda items: bool(items))
    assert json.loads(feedback.items[0].lines[0])["Status"]["Audio"]["Volume"] == 42
    assert (await session.execute("output terminal")).lines == ["output: terminal"]
    assert (await session.execute("xStatus Audio Volume")).lines[0] == "*s Audio Volume: 42"


# ------------------------------------------------------------------ raw, help, shell
async def test_raw_json_lines_are_sent_as_they_are(session: Session, sim: Any, calls: Calls) -> None:
    r = await session.execute('{"jsonrpc":"2.0","id":"x1","method":"xGet",'
                              '"params":{"Path":["Status","Audio","Volume"]}}')
    assert r.exit_code == EXIT_OK
    assert str(sim.simulator.status("Audio Volume")) in " ".join(r.lines)
    assert calls[-1] == ("xGet", {"Path": ["Status", "Audio", "Volume"]})
    bad = await session.execute('{"jsonrpc":"2.0","id":2,"method":"xGet","params":{"Path":["Status","Nope"]}}')
    assert bad.exit_code == EXIT_XAPI and "No match" in " ".join(bad.lines)


async def test_help_from_the_schema(session: Session) -> None:
    short = await session.execute("xStatus Audio Volume ?")
    assert short.exit_code == EXIT_OK and short.lines[0].startswith("*? xStatus Audio Volume")
    detail = await session.execute("xStatus Audio ??")
    assert detail.exit_code == EXIT_OK and len(detail.lines) > len(short.lines)
    assert (await session.execute("help xStatus Audio")).lines == \
        (await session.execute("xStatus Audio ?")).lines
    events = await session.execute("xEvent CallDisconnect")
    assert events.exit_code == EXIT_OK and "*es Event CallDisconnect CallId" in events.lines
    quoted = 'xCommand Dial Number: "a\\"b c"'  # a quote inside a quoted value: kept as typed
    typed = await session.execute(f"help {quoted}")
    assert typed.exit_code == EXIT_OK and typed.lines == (await session.execute(f"{quoted} ?")).lines


async def test_shell_commands(session: Session) -> None:
    assert (await session.execute("output")).lines == ["output: terminal"]
    assert (await session.execute("output json")).lines == ['{"command":"output","lines":["output: json"]}']
    assert (await session.execute("output terminal")).lines == ["output: terminal"]
    xml = await session.execute("output yaml")
    assert xml.exit_code == EXIT_USAGE and "'yaml' is not one of" in xml.lines[0]
    bad = await session.execute("xPreferences colour json")
    assert bad.exit_code == EXIT_USAGE and "colour" in bad.lines[0]
    assert (await session.execute("xpref")).lines[0] == "xpreferences usage:"
    assert (await session.execute("echo off")).lines == ["", "OK"] and not session.echo
    local_only = await session.execute("pane pause")
    assert local_only.exit_code == EXIT_USAGE and "interactive shell only" in local_only.lines[0]
    refreshed = await session.execute("refresh")
    assert refreshed.exit_code == EXIT_OK
    assert all(root in refreshed.lines[0] for root in ("Command", "Configuration", "Event", "Status"))
    bye = await session.execute("bye")
    assert bye.exit_shell and bye.exit_code == EXIT_OK


async def test_every_line_gives_output_and_nothing_escapes(session: Session) -> None:
    lines = ["", "   ", "#", "xStatus \x00", "{", "[1]", "{\"method\": 5}", "xFeedback",
             "xCommand", "???", "|", 'xStatus Audio | resultId="', "xCommand Dial Number:",
             "xFeedback deregister", "xConfiguration Audio DefaultVolume: ten", "pane pause",
             "xStatus " + "A" * 5000, "xDocument Status", "\u2028xStatus", "help"]
    for text in lines:
        r = await session.execute(text)
        assert isinstance(r, Result) and r.lines, text
        assert r.exit_code in (EXIT_OK, EXIT_XAPI, EXIT_USAGE), text


async def test_a_value_error_from_the_client_is_one_line(session: Session) -> None:
    r = await session.execute('{"jsonrpc":"2.0","id":1,"method":5}')
    assert r.exit_code == EXIT_XAPI and r.kind == "error"
    assert r.lines == ["error: method must be a string, not int"]


async def test_a_protocol_error_is_one_line(session: Session, sim: Any) -> None:
    await session.execute("xStatus Audio Volume")  # the schema is in: the next reply is xGet's
    conn = sim.simulator.connection_list()[0]

    def shaper(c: Any, message: Any, text: str) -> bool:  # the next reply loses its result
        if "result" not in message:
            return False
        c.shaper = None
        c.send_raw(json.dumps({"jsonrpc": "2.0", "id": message["id"]}))
        return True

    conn.shaper = shaper
    r = await session.execute("xStatus Audio Volume")
    assert r.exit_code == EXIT_XAPI and len(r.lines) == 1 and r.lines[0].startswith("error: ")
    assert "neither result nor error" in r.lines[0]
    assert (await session.execute("xStatus Audio Volume")).exit_code == EXIT_OK


async def test_a_closed_connection_is_exit_3_in_one_line(session: Session) -> None:
    await session.client.close()
    for line in ("xStatus Audio Volume", "xFeedback register /Status/Audio", "refresh"):
        r = await session.execute(line)
        assert r.exit_code == EXIT_CONNECTION and len(r.lines) == 1, line
        assert r.lines[0].startswith("error: ") and r.kind == "error"


# ------------------------------------------------------------------ without a schema
@pytest.fixture
def no_xdoc(sim: Any, calls: Calls, monkeypatch: pytest.MonkeyPatch) -> None:
    """The device refuses xDoc (an old release, or a role without access)."""
    dispatcher = sim.simulator.dispatcher
    recording = dispatcher.call

    def call(conn: Any, method: str, params: Any) -> Any:
        if method.lower() == "xdoc":
            calls.append((method, params))
            raise PermissionDenied("Permission denied", code=-31999)
        return recording(conn, method, params)

    monkeypatch.setattr(dispatcher, "call", call)


async def test_without_a_schema_lines_go_through_as_strings(no_xdoc: None, client: Any,
                                                           calls: Calls, sim: Any) -> None:
    session = Session(client, device_key="no-schema")
    await session.identify()
    r = await session.execute("xCommand Audio Volume Set Level: 30")
    assert r.exit_code == EXIT_OK and session.schema is None
    assert sent(calls, "xCommand/Audio/Volume/Set")[-1] == {"Level": "30"}
    assert sim.simulator.status("Audio Volume") == 30
    status = await session.execute("xStatus Audio Volume")
    assert status.lines[0] == "*s Audio Volume: 30"
    helped = await session.execute("xStatus Audio ?")
    assert helped.exit_code == EXIT_XAPI and "no schema" in helped.lines[0]
    refused = len(sent(calls, "xDoc"))
    await session.execute("xStatus Audio Volume")
    assert len(sent(calls, "xDoc")) == refused  # a refusal is remembered, not asked again


# ------------------------------------------------------------------ script mode
def script_args(url: str, *argv: str) -> Any:
    from xshell.cli import parse_options
    return parse_options([url, *argv])


async def run_script(url: str, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    from xshell.lang.bodies import split_script
    from xshell.modes import script

    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    args = script_args(url, "-u", USER, *argv)
    return await script._run(args, "-c", split_script("\n".join(args.script.commands)))


async def test_script_prints_answers_and_feedback_as_they_come(
        sim: Any, calls: Calls, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    code = await run_script(sim.url, monkeypatch, "-c", "xFeedback register /Status/Audio/Volume",
                            "-c", "xCommand Audio Volume Set Level: 23",
                            "-c", "xStatus Audio Volume")
    out, err = capsys.readouterr()
    assert code == EXIT_OK and err == ""
    assert "*s Audio Volume: 23\n** end" in out
    assert out.count("*s Audio Volume: 23") == 2  # the feedback, then the answer


async def test_script_errors_go_to_stderr_with_the_line(
        sim: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code = await run_script(sim.url, monkeypatch, "-c", "xStatus Audio Volume",
                            "-c", "xStatus Audio Vollume", "-c", "xFeedback deregister /Status/Audio")
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert "xshell: -c:2: parse error" in err and "did you mean Volume?" in err
    assert "xshell: -c:3: error: no feedback is registered as '/Status/Audio'" in err
    assert out.startswith("*s Audio Volume: ") and "error" not in out


async def test_bye_stops_the_script(sim: Any, calls: Calls, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = await asyncio.wait_for(run_script(
        sim.url, monkeypatch, "--follow", "-c", "xFeedback register /Status/Audio",
        "-c", "bye", "-c", "xStatus Audio Volume"), 10)  # --follow is not entered after bye
    assert code == EXIT_OK
    assert sent(calls, "xGet")[-1] != {"Path": ["Status", "Audio", "Volume"]}
    assert "*s Audio Volume" not in capsys.readouterr().out


async def test_follow_survives_a_dropped_connection_and_shows_the_state_after_the_gap(
        sim: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    dispatcher = sim.simulator.dispatcher
    original = dispatcher.call
    subscribes = 0

    def call(conn: Any, method: str, params: Any) -> Any:
        nonlocal subscribes
        answer = original(conn, method, params)
        if method == "xFeedback/Subscribe":
            subscribes += 1
            if subscribes == 1:  # cut TCP once the reply is out, then change the volume in the gap
                async def drop_then_change() -> None:
                    await conn.drop()
                    sim.simulator.set_status("Audio Volume", 61)
                asyncio.ensure_future(drop_then_change())
        return answer

    monkeypatch.setattr(dispatcher, "call", call)
    code = await asyncio.wait_for(run_script(
        sim.url, monkeypatch, "--follow", "--max-events", "1",
        "-c", "xFeedback register /Status/Audio/Volume"), 20)
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert "** resync /Status/Audio/Volume: current values after reconnect" in out
    assert "*s Audio Volume: 61" in out  # the state after the gap
    assert "lost" in err.lower() and "connected again" in err.lower()


async def test_follow_stops_after_max_events(sim: Any, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    dispatcher = sim.simulator.dispatcher
    original = dispatcher.call

    def call(conn: Any, method: str, params: Any) -> Any:
        answer = original(conn, method, params)
        if method == "xFeedback/Subscribe":
            asyncio.get_running_loop().call_soon(sim.simulator.set_status, "Audio Volume", 61)
        return answer

    monkeypatch.setattr(dispatcher, "call", call)
    code = await asyncio.wait_for(run_script(sim.url, monkeypatch, "--follow", "--max-events", "1",
                                             "-c", "xFeedback register /Status/Audio/Volume"), 10)
    assert code == EXIT_OK
    assert "*s Audio Volume: 61" in capsys.readouterr().out


async def test_script_connection_failure_is_exit_3(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str],
                                                   unused_tcp_port: int) -> None:
    code = await run_script(f"ws://127.0.0.1:{unused_tcp_port}/ws", monkeypatch, "-c",
                            "xStatus Audio Volume")
    out, err = capsys.readouterr()
    assert code == EXIT_CONNECTION and out == "" and err.startswith("xshell: ")


async def test_a_second_client_sees_none_of_our_registrations(sim: Any, session: Session) -> None:
    await session.execute("xFeedback register /Status/Audio")
    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as other_client:
        other = Session(other_client)
        assert (await other.execute("xFeedback list")).lines == ["** end", "", "OK"]


async def test_two_watches_of_one_path_at_once_leave_one_subscription_on_the_device() -> None:
    """Both ask before either answer is back: the device must not keep a forgotten one."""
    from xshell.session.live import LiveTree
    from xshell.session.registrations import FeedbackTable

    class Device:
        def __init__(self) -> None:
            self.open: set[int] = set()
            self.made = 0
            self.gate = asyncio.Event()

        async def subscribe(self, query: list[Any], *args: Any, **kwargs: Any) -> int:
            self.made += 1
            sub_id = self.made
            self.open.add(sub_id)
            await self.gate.wait()
            return sub_id

        async def unsubscribe(self, sub_id: int) -> None:
            self.open.discard(sub_id)

    device = Device()
    table = FeedbackTable(lambda: device, lambda *a: None, LiveTree())
    both = asyncio.gather(table.watch(["Status", "Call"]), table.watch(["status", "call"]))

    async def both_asked() -> None:
        while device.made < 2:
            await asyncio.sleep(0)
    await asyncio.wait_for(both_asked(), 5)
    device.gate.set()
    await asyncio.wait_for(both, 5)
    assert len(device.open) == 1


async def test_a_watched_value_reaches_the_live_values_completion_offers(session: Session) -> None:
    """A watch is a subscription: the value completion shows (`= 42`) follows its events."""
    assert (await session.execute("watch xStatus Audio Volume")).exit_code == EXIT_OK
    assert (await session.execute("xCommand Audio Volume Set Level: 42")).exit_code == EXIT_OK

    async def settled() -> None:
        while session.live.value(["Status", "Audio", "Volume"]) != 42:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(settled(), timeout=5.0)
