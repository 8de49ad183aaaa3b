"""tshell parity for the scripts that parse tshell (issue 14; spec tshell.md §2, §7, §9).

A session against the built-in simulator: an unknown word answers `Command not
recognized.`, `xPreferences outputmode xml|json` print the device's documents, `xGetxml`
and `xDocument` answer from xQuery/xDoc in tshell's shapes, `systemtools network ping`
is `xCommand Network Ping`, and `echo on|off` answers like tshell.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.conftest import listening_session

from xshell.errors import InvalidParams
from xshell.session.core import Session
from xshell.session.result import EXIT_OK, EXIT_USAGE, EXIT_XAPI


@pytest.fixture
async def session(client: Any) -> Session:
    s = Session(client, device_key="test-device")
    await s.identify()
    return s


def doc(lines: list[str]) -> Any:
    """The one JSON document the lines hold (fails if there is anything else: no OK)."""
    return json.loads("\n".join(lines))


async def test_an_unknown_word_is_not_recognized_as_tshell_says(session: Session) -> None:
    r = await session.execute("frobnicate now")
    assert r.reply == ["Command not recognized."]
    assert r.exit_code == EXIT_USAGE and r.kind == "parse_error"
    assert "unknown command 'frobnicate'" in r.lines[-1]  # the why, for the person
    assert (await session.execute("xStatus Audio Volume")).reply == []
    await session.execute("output json")  # xshell's own JSON: its error document instead
    assert (await session.execute("frobnicate")).reply == []


async def test_outputmode_json_prints_the_devices_json_documents(client: Any, sim: Any) -> None:
    session, heard = await listening_session(client)
    assert (await session.execute("xPreferences outputmode json")).lines == ["", "OK"]
    assert session.output == "tshell-json"
    volume = await session.execute("xStatus Audio Volume")
    assert doc(volume.lines) == {"Status": {"Audio": {"Volume": {"Value": "50"}}}}
    assert volume.lines[-1] == "}"  # parsers split on a line starting with }
    tagged = await session.execute('xStatus Audio Volume | resultId="v1"')
    assert doc(tagged.lines)["ResultId"] == "v1"
    inputs = doc((await session.execute("xStatus Video Input Connector 2 Type")).lines)
    assert inputs == {"Status": {"Video": {"Input": {"Connector": [
        {"id": "2", "Type": {"Value": "HDMI"}}]}}}}
    dial = doc((await session.execute('xCommand Dial Number: "alice@example.com"')).lines)
    assert dial == {"CommandResponse": {"DialResult": {
        "status": "OK", "CallId": {"Value": "1"}, "ConferenceId": {"Value": "1"}}}}
    assert doc((await session.execute("xConfiguration Audio DefaultVolume: 40")).lines) == {}
    failed = await session.execute("xCommand Call Disconnect CallId: 4711")
    assert failed.exit_code == EXIT_XAPI
    body = doc(failed.lines)["CommandResponse"]["CallDisconnectResult"]
    assert body["status"] == "Error" and body["Reason"]["Value"]
    hidden = doc((await session.execute("xConfiguration H323 Authentication Password")).lines)
    assert hidden["Configuration"]["H323"]["Authentication"]["Password"] == {"Value": "***"}
    await session.execute("xFeedback register /Status/Audio/Volume")
    sim.simulator.set_status("Audio Volume", 33)
    await heard.wait_for(lambda items: bool(items))
    assert doc(heard.items[0].lines) == {"Status": {"Audio": {"Volume": {"Value": "33"}}}}


async def test_outputmode_xml_prints_xmldoc_documents(session: Session) -> None:
    assert (await session.execute("xpref outputmode xml")).lines == ["", "OK"]
    volume = await session.execute('xStatus Audio Volume | resultId="a"')
    assert volume.lines == ['<XmlDoc resultId="a">', "<Status>", '<Audio item="1">',
                            '<Volume item="1">50</Volume>', "</Audio>", "</Status>", "</XmlDoc>"]
    dial = await session.execute('xCommand Dial Number: "bob@example.com"')
    assert dial.lines == ['<XmlDoc resultId="">', '<DialResult status="OK">',
                          "<CallId>1</CallId>", "<ConferenceId>1</ConferenceId>",
                          "</DialResult>", "</XmlDoc>"]
    assert "OK" not in dial.lines


async def test_dash_o_json_stays_json_rpc(session: Session) -> None:
    await session.execute("output json")
    assert (await session.execute("xStatus Audio Volume")).lines == ["50"]


async def test_xgetxml_answers_an_xmldoc_whatever_the_mode(session: Session) -> None:
    r = await session.execute("xgetxml /Configuration/Video/Input/Connector[1]/Name")
    assert r.exit_code == EXIT_OK
    assert r.lines == ['<XmlDoc resultId="">', "<Configuration>", '<Video item="1">',
                       '<Input item="1">', '<Connector item="1">',
                       '<Name item="1">Quad Camera</Name>', "</Connector>", "</Input>",
                       "</Video>", "</Configuration>", "</XmlDoc>"]
    secret = await session.execute("xGetxml Configuration/H323/Authentication/Password")
    assert '<Password item="1">***</Password>' in secret.lines


async def test_xgetxml_of_nothing_is_an_empty_xmldoc_in_every_mode(session: Session) -> None:
    for mode, want in (("terminal", ['<XmlDoc resultId="">', "</XmlDoc>"]),
                       ("xml", ['<XmlDoc resultId="">', "</XmlDoc>"]), ("json", ["{}"])):
        await session.execute(f"output {mode}")
        r = await session.execute("xGetxml /Status/Call")  # no call now
        assert (r.lines, r.exit_code) == (want, EXIT_OK), mode


async def test_xdocument_answers_from_xdoc_and_xquery(session: Session) -> None:
    schema = doc((await session.execute(
        'xDocument Path: "Status/Audio/Volume" Format: "JSON" Schema: "True"')).lines)
    volume = schema["StatusSchema"]["Audio"]["Volume"]  # rooted as tshell roots it
    assert volume["ValueSpace"]["type"] == "Integer" and "access" in volume
    values = doc((await session.execute('xDocument Path: "Status/Audio/Volume" Schema: False')).lines)
    assert values == {"Status": {"Audio": {"Volume": {"Value": "50"}}}}
    bad = await session.execute('xDocument Path: "Status" Schema: maybe')
    assert bad.exit_code == EXIT_USAGE and "Schema takes True or False" in bad.lines[-1]


async def test_systemtools_network_ping_is_xcommand_network_ping(session: Session, sim: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, Any]] = []
    real = session.client.call

    async def spy(method: str, params: Any = None) -> Any:
        sent.append((method, params))
        return await real(method, params)

    monkeypatch.setattr(session.client, "call", spy)
    ping = await session.execute("systemtools network ping 192.0.2.7")
    assert ping.exit_code == EXIT_OK
    assert ping.lines[2] == "*r NetworkPingResult (status=OK): "
    trace = await session.execute("systemtools network traceroute example.com")
    assert trace.exit_code == EXIT_OK
    assert [s for s in sent if s[0] != "xDoc"] == [  # (xDoc: the schema, read first)
        ("xCommand/Network/Ping", {"Hostname": "192.0.2.7"}),
                    ("xCommand/Network/Traceroute", {"Hostname": "example.com"})]
    other = await session.execute("systemtools passwd")
    assert other.exit_code == EXIT_USAGE and "not available over the WebSocket API" in other.lines[0]


async def test_the_simulator_checks_network_ping_by_the_schema(client: Any) -> None:
    with pytest.raises(InvalidParams, match="Bad usage"):
        await client.call("xCommand/Network/Ping", {})  # Hostname is required
    with pytest.raises(InvalidParams, match="Packets"):
        await client.call("xCommand/Network/Ping", {"Hostname": "h", "Packets": 21})
    assert await client.call("xCommand/Network/Traceroute", {"Hostname": "h"}) == {"status": "OK"}


async def test_echo_on_and_off_answer_ok(session: Session) -> None:
    assert (await session.execute("echo on")).lines == ["", "OK"] and session.echo
    assert (await session.execute("echo off")).lines == ["", "OK"] and not session.echo
    wrong = await session.execute("echo loud")
    assert wrong.exit_code == EXIT_USAGE and "on or off" in wrong.lines[0]
