"""What simulated commands do: argument checks, state changes, feedback and events.

Over real loopback sockets with a raw client, against the small hand-built device of
test_sim_protocol. Call set-up steps and HttpClient delays are shortened, and every
wait is on the message itself (asyncio.wait_for inside Peer), never on the clock.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.integration.test_sim_protocol import WAIT, Peer, basic, status_of


def error_of(text: str) -> dict[str, Any]:
    obj = json.loads(text)
    assert "error" in obj, obj
    return obj["error"]


# --- argument checks ---------------------------------------------------------------------

async def test_command_without_behaviour_answers_ok(peer: Peer) -> None:
    assert await peer.request("xCommand/Presentation/Start", {"ConnectorId": [2, 3]}) == \
        '{"id":1,"jsonrpc":"2.0","result":{"status":"OK"}}'


async def test_names_are_case_insensitive_and_numeric_strings_accepted(peer: Peer) -> None:
    assert await peer.result("xcommand/audio/VOLUME/set", {"level": "42"}) == {"status": "OK"}
    assert await peer.result("xGet", {"Path": ["Status", "Audio", "Volume"]}) == 42


async def test_params_may_be_omitted(peer: Peer) -> None:
    await peer.send({"jsonrpc": "2.0", "id": 1, "method": "xCommand/Standby/Activate"})
    assert await peer.recv() == '{"id":1,"jsonrpc":"2.0","result":{"status":"OK"}}'


@pytest.mark.parametrize("method", ["xCommand/Audio/Volume/Explode", "xCommand/Audio/Volume", "xCommand/", "xCommand"])
async def test_unknown_command_is_method_not_found(peer: Peer, method: str) -> None:
    assert error_of(await peer.request(method, {})) == {"code": -32601, "message": "Method not found."}


async def test_missing_required_argument(peer: Peer) -> None:
    assert error_of(await peer.request("xCommand/Audio/Volume/Set", {})) == {
        "code": -32602, "message": "Bad usage: Missing or invalid parameter(s).",
        "data": {"Parameter": "Level", "Reason": "missing"}}


async def test_unknown_argument(peer: Peer) -> None:
    err = error_of(await peer.request("xCommand/Audio/Volume/Set", {"Level": 5, "Loudness": 3}))
    assert err["message"] == "Bad usage: Missing or invalid parameter(s)." and err["data"]["Parameter"] == "Loudness"


@pytest.mark.parametrize("params,name", [
    ({"Level": 101}, "Level"), ({"Level": "loud"}, "Level"), ({"Level": [1, 2]}, "Level"), ({"Level": True}, "Level"),
])
async def test_bad_argument_names_the_parameter(peer: Peer, params: dict[str, Any], name: str) -> None:
    err = error_of(await peer.request("xCommand/Audio/Volume/Set", params))
    assert err["code"] == -32602
    assert err["message"] == f'Bad usage: Bad argument to parameter "{name}".'
    assert err["data"]["Parameter"] == name


async def test_illegal_literal_and_repeated_values(peer: Peer) -> None:
    err = error_of(await peer.request("xCommand/Dial", {"Number": "x", "Protocol": "Carrier-pigeon"}))
    assert err["data"]["Parameter"] == "Protocol"
    err = error_of(await peer.request("xCommand/Presentation/Start", {"ConnectorId": [2, 9]}))
    assert err["data"]["Parameter"] == "ConnectorId" and "9" in err["data"]["Reason"]


async def test_body_only_for_multiline_commands(peer: Peer) -> None:
    err = error_of(await peer.request("xCommand/Standby/Activate", {"body": "hello"}))
    assert err["code"] == -32602 and err["data"]["Parameter"] == "body"


async def test_secrets_never_appear_in_errors_or_logs(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # before connecting: websockets decides per connection
    secret = "correct-horse-battery-staple-and-much-more"  # longer than the 32 allowed
    async with connect(server.url, additional_headers=basic()) as ws:
        peer = Peer(ws)
        text = await peer.request("xCommand/UserManagement/User/Passphrase/Set",
                                  {"Username": "bob", "NewPassphrase": secret})
        assert error_of(text)["data"] == {"Parameter": "NewPassphrase", "Reason": "illegal value"}
        ok = await peer.result("xCommand/UserManagement/User/Passphrase/Set",
                               {"Username": "bob", "NewPassphrase": "s3cret-XYZ"}, rid=2)
    assert ok == {"status": "OK"}
    assert secret not in text
    # the test's own client logs its frames; everything else is the simulator's side
    server_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("websockets.client"))
    assert "Passphrase Set" in server_log  # the debug log ran
    for leaked in (secret, "s3cret-XYZ", basic()["Authorization"].split()[1]):
        assert leaked not in server_log


# --- audio -------------------------------------------------------------------------------

async def test_volume_set_increase_decrease_with_feedback(peer: Peer) -> None:
    sub = await peer.subscribe(["Status", "Audio", "Volume"])
    seen = []
    for method, params in [("Set", {"Level": 60}), ("Increase", {"Steps": 3}), ("Decrease", {}),
                           ("Set", {"Level": 98}), ("Increase", {"Steps": 10})]:
        assert await peer.result(f"xCommand/Audio/Volume/{method}", params) == {"status": "OK"}
        seen.append((await peer.notification(sub))["Status"]["Audio"]["Volume"])
    assert seen == [60, 63, 58, 98, 100]


async def test_mute_unmute(peer: Peer) -> None:
    sub = await peer.subscribe(["Status", "Audio", "VolumeMute"])
    await peer.result("xCommand/Audio/Volume/Mute")
    assert await peer.notification(sub) == {"Status": {"Audio": {"VolumeMute": "On"}}, "Id": sub}
    await peer.result("xCommand/Audio/Volume/Unmute")
    assert await peer.notification(sub) == {"Status": {"Audio": {"VolumeMute": "Off"}}, "Id": sub}


async def test_volume_set_to_default_uses_the_configuration(peer: Peer) -> None:
    await peer.result("xSet", {"Path": ["Configuration", "Audio", "DefaultVolume"], "Value": 35})
    await peer.result("xCommand/Audio/Volume/SetToDefault", rid=2)
    assert await peer.result("xGet", {"Path": ["Status", "Audio", "Volume"]}, rid=3) == 35


# --- calls -------------------------------------------------------------------------------

async def test_dial_goes_dialling_connecting_connected_with_events(peer: Peer) -> None:
    calls = await peer.subscribe(["Status", "Call", "Status"], rid="a")
    state = await peer.subscribe(["Status", "SystemUnit", "State"], rid="b")
    events = await peer.subscribe(["Event"], rid="c")
    assert await peer.request("xCommand/Dial", {"Number": "alice@example.com"}, rid="d") == \
        '{"id":"d","jsonrpc":"2.0","result":{"CallId":1,"ConferenceId":1,"status":"OK"}}'
    progress = [(await peer.notification(calls))["Status"]["Call"] for _ in range(3)]
    assert progress == [[{"Status": s, "id": 1}] for s in ("Dialling", "Connecting", "Connected")]
    assert (await peer.notification(state))["Status"]["SystemUnit"]["State"] == {"NumberOfInProgressCalls": 1}
    assert (await peer.notification(state))["Status"]["SystemUnit"]["State"] == {
        "NumberOfActiveCalls": 1, "NumberOfInProgressCalls": 0, "System": "InCall"}
    assert await peer.notification(events) == {"Event": {"OutgoingCallIndication": {"CallId": 1, "id": 1}}, "Id": events}
    success = (await peer.notification(events))["Event"]["CallSuccessful"]
    assert success["CallId"] == 1 and success["RemoteURI"] == "sip:alice@example.com" and success["id"] == 1
    call = await peer.result("xGet", {"Path": ["Status", "Call", 1]}, rid="g")
    assert call["RemoteNumber"] == "alice@example.com" and call["Direction"] == "Outgoing" and call["id"] == 1


async def test_call_ids_count_up(peer: Peer) -> None:
    first = await peer.result("xCommand/Dial", {"Number": "1001"}, rid=1)
    second = await peer.result("xCommand/Dial", {"Number": "1002", "Protocol": "h323"}, rid=2)
    assert (first["CallId"], second["CallId"]) == (1, 2)
    assert second["ConferenceId"] == first["ConferenceId"] + 1
    assert await peer.result("xGet", {"Path": ["Status", "Call", 2, "Protocol"]}, rid=3) == "H323"


async def test_disconnect_ghosts_the_call_and_restores_counters(peer: Peer) -> None:
    calls = await peer.subscribe(["Status", "Call"], rid="a")
    events = await peer.subscribe(["Event", "CallDisconnect"], rid="b")
    call_id = (await peer.result("xCommand/Dial", {"Number": "bob"}, rid="d"))["CallId"]
    while (await peer.notification(calls))["Status"]["Call"][0].get("Status") != "Connected":
        pass
    assert await peer.result("xCommand/Call/Disconnect", {"CallId": call_id}, rid="x") == {"status": "OK"}
    assert await peer.notification(calls) == {"Status": {"Call": [{"ghost": "True", "id": call_id}]}, "Id": calls}
    gone = (await peer.notification(events))["Event"]["CallDisconnect"]
    assert gone["CallId"] == call_id and gone["CauseType"] == "LocalDisconnect"
    assert await peer.result("xGet", {"Path": ["Status", "SystemUnit", "State"]}, rid="s") == {
        "NumberOfActiveCalls": 0, "NumberOfInProgressCalls": 0, "NumberOfSuspendedCalls": 0, "System": "Initialized"}
    assert error_of(await peer.request("xGet", {"Path": ["Status", "Call", call_id]}, rid="y"))["code"] == -32602


async def test_disconnect_unknown_call_is_a_command_error(peer: Peer) -> None:
    err = error_of(await peer.request("xCommand/Call/Disconnect", {"CallId": 99}))
    assert err["code"] == 1 and err["data"]["Cause"] == 27


async def test_dial_empty_number_is_a_command_error(peer: Peer) -> None:
    err = error_of(await peer.request("xCommand/Dial", {"Number": ""}))
    assert err["code"] == 1 and err["data"] == {"Cause": 27}


async def test_legacy_results_are_strings(server: Any) -> None:
    async with connect(server.url + "?legacy", additional_headers=basic()) as ws:
        assert await Peer(ws).result("xCommand/Dial", {"Number": "carol"}) == \
            {"CallId": "1", "ConferenceId": "1", "status": "OK"}


# --- standby, UI, HttpClient, passphrase -------------------------------------------------

async def test_standby_states(peer: Peer) -> None:
    sub = await peer.subscribe(["Status", "Standby", "State"])
    for verb, state in (("Activate", "Standby"), ("Halfwake", "Halfwake"), ("Deactivate", "Off")):
        await peer.result(f"xCommand/Standby/{verb}")
        assert (await peer.notification(sub))["Status"]["Standby"]["State"] == state


async def test_alert_clear_fires_the_cleared_event(peer: Peer) -> None:
    sub = await peer.subscribe(["Event", "UserInterface", "Message", "Alert"])
    await peer.result("xCommand/UserInterface/Message/Alert/Display", {"Text": "Hi", "Title": "Note"}, rid=1)
    await peer.result("xCommand/UserInterface/Message/Alert/Clear", rid=2)
    assert await peer.notification(sub) == {"Event": {"UserInterface": {"Message": {"Alert": {
        "Cleared": {"id": 1}, "id": 1}, "id": 1}, "id": 1}}, "Id": sub}


async def test_alert_with_duration_clears_itself(peer: Peer) -> None:
    sub = await peer.subscribe(["Event", "UserInterface", "Message", "Alert", "Cleared"])
    await peer.result("xCommand/UserInterface/Message/Alert/Display", {"Text": "Bye", "Duration": 1})
    assert "Cleared" in str(await peer.notification(sub))


async def test_http_client_replies_later_so_replies_can_overtake(peer: Peer) -> None:
    await peer.send({"jsonrpc": "2.0", "id": "post", "method": "xCommand/HttpClient/Post",
                     "params": {"Url": "http://example.com/hook", "Header": ["A: 1", "B: 2"], "body": "{}"}})
    await peer.send({"jsonrpc": "2.0", "id": "get", "method": "xGet", "params": {"Path": ["Status", "Audio", "Volume"]}})
    assert json.loads(await peer.recv())["id"] == "get"
    assert await peer.recv() == '{"id":"post","jsonrpc":"2.0","result":{"StatusCode":"200","status":"OK"}}'


async def test_many_http_posts_all_answered(peer: Peer) -> None:
    for i in range(5):
        await peer.send({"jsonrpc": "2.0", "id": i, "method": "xCommand/HttpClient/Post",
                         "params": {"Url": f"http://example.com/{i}", "ResultBody": "PlainText", "body": "x"}})
    replies = [json.loads(await peer.recv()) for _ in range(5)]
    assert sorted(r["id"] for r in replies) == list(range(5))
    assert all(r["result"] == {"Body": "", "StatusCode": "200", "status": "OK"} for r in replies)


# --- system ------------------------------------------------------------------------------

async def test_systemunit_boot_answers_then_reboots(server: Any, peer: Peer) -> None:
    sim = server.simulator
    await peer.result("xCommand/Audio/Volume/Set", {"Level": 77})
    assert await peer.request("xCommand/SystemUnit/Boot", {}, rid="boot") == \
        '{"id":"boot","jsonrpc":"2.0","result":{"status":"OK"}}'
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(peer.ws.recv(), WAIT)
    assert sim.rebooting
    assert await status_of(server.url, additional_headers=basic()) == 502
    await asyncio.wait_for(sim.wait_ready(), WAIT)
    async with connect(server.url, additional_headers=basic()) as ws:
        assert await Peer(ws).result("xGet", {"Path": ["Status", "Audio", "Volume"]}) == 50


async def test_uptime_advances_and_ticks_only_for_subscribers(server: Any, peer: Peer) -> None:
    sim = server.simulator
    assert not sim.hub.ticking  # nobody watches: no timer running
    sub = await peer.subscribe(["Status", "SystemUnit", "Uptime"], notify=True)
    start = (await peer.notification(sub))["Status"]["SystemUnit"]["Uptime"]
    tick = (await peer.notification(sub))["Status"]["SystemUnit"]["Uptime"]
    assert tick > start >= 100
    assert sim.hub.ticking
    assert await peer.result("xFeedback/Unsubscribe", {"Id": sub}) is True
    assert not sim.hub.ticking
    assert await peer.result("xGet", {"Path": ["Status", "SystemUnit", "Uptime"]}) >= tick


async def test_set_status_and_get_value_for_tests(server: Any, peer: Peer) -> None:
    sim = server.simulator
    sub = await peer.subscribe(["Status", "Audio"])
    sim.set_status(["Status", "Audio", "Volume"], "12")
    assert await peer.notification(sub) == {"Status": {"Audio": {"Volume": 12}}, "Id": sub}
    assert sim.get_value("Status Audio Volume") == 12
    assert sim.get_value("Status Audio Volume", legacy=True) == "12"
    with pytest.raises(ValueError):
        sim.set_status("Audio Loudness", 3)
    with pytest.raises(ValueError):
        sim.set_status("Audio Volume", 500)
    with pytest.raises(ValueError):
        sim.remove_status("Audio")
