"""The simulator on the wire: handshake, JSON-RPC envelope, xGet/xQuery/xSet, feedback.

Every test talks to a real listening simulator over loopback with a raw `websockets`
client and asserts the exact JSON text a device would send (key order included). The
device is a small hand-built model (`small_model`), so these tests depend on nothing
but the schema model API; the other simulator test files reuse it.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import PASSWORD, USER
from xshell.schema.model import Node, Param, ValueSpace, make_children, make_schema
from xshell.sim import RateLimit, Simulator
from xshell.sim.device import DeviceModel

# --- a small device ----------------------------------------------------------------------

INT = ValueSpace("Integer")
ONOFF = ValueSpace("Literal", values=("On", "Off"))
TRUEFALSE = ValueSpace("Literal", values=("True", "False"))
TEXT = ValueSpace("String", min_length=0, max_length=255)


def leaf(name: str, vs: ValueSpace = TEXT, **kw: Any) -> Node:
    return Node(name, "leaf", value_space=vs, **kw)


def branch(name: str, *children: Node, **kw: Any) -> Node:
    return Node(name, "branch", make_children(children), **kw)


def cmd(name: str, *params: Param, multiline: bool = False) -> Node:
    return Node(name, "command", params=params, multiline=multiline)


def event(name: str, *fields: Node) -> Node:
    return Node(name, "event", make_children(fields))


def small_model() -> DeviceModel:
    """A codec with a little of everything: ints, literals, lists, secrets, events."""
    call_fields = [leaf("Status", ValueSpace("Literal", values=("Connected", "Connecting", "Dialling", "Idle"))),
                   leaf("Direction", ValueSpace("Literal", values=("Incoming", "Outgoing"))),
                   leaf("AnswerState", ValueSpace("Literal", values=("Answered", "Unanswered"))),
                   leaf("RemoteNumber"), leaf("CallbackNumber"), leaf("DisplayName"),
                   leaf("Protocol", ValueSpace("Literal", values=("H323", "SIP", "Spark"))),
                   leaf("CallType", ValueSpace("Literal", values=("Audio", "Video"))),
                   leaf("Duration", INT), leaf("TransmitCallRate", INT)]
    status = branch(
        "Status",
        branch("Audio", leaf("Volume", ValueSpace("Integer", min=0, max=100)), leaf("VolumeMute", ONOFF),
               branch("Microphones", leaf("Mute", ONOFF))),
        branch("SystemUnit", leaf("Uptime", INT), leaf("ProductId"),
               branch("State", leaf("NumberOfActiveCalls", INT), leaf("NumberOfInProgressCalls", INT),
                      leaf("NumberOfSuspendedCalls", INT),
                      leaf("System", ValueSpace("Literal", values=("InCall", "Initialized")))),
               branch("Hardware", branch("Monitoring", branch("Temperature", leaf("Status"))))),
        branch("Standby", leaf("State", ValueSpace("Literal", values=("Standby", "EnteringStandby", "Halfwake", "Off")))),
        branch("Call", *call_fields, multi=True),
        branch("Conference", branch("Call", leaf("Manufacturer"), leaf("MicrophonesMuted", TRUEFALSE), multi=True)),
        branch("Video", branch("Output", branch("Monitor", leaf("Temperature"), multi=True, instances=(1,))),
               branch("Input", branch("Connector", leaf("Connected", TRUEFALSE), multi=True, instances=(1, 2)))),
    )
    configuration = branch(
        "Configuration",
        branch("Audio", leaf("DefaultVolume", ValueSpace("Integer", min=0, max=100)),
               branch("Ultrasound", leaf("MaxVolume", ValueSpace("Integer", min=0, max=90)))),
        branch("SystemUnit", leaf("Name", ValueSpace("String", min_length=0, max_length=50))),
        branch("Video", branch("Input", branch(
            "Connector", leaf("Name", ValueSpace("String", min_length=0, max_length=50)),
            leaf("InputSourceType", ValueSpace("Literal", values=("camera", "PC", "document_camera"))),
            multi=True, instances=(1, 2, 3)))),
        branch("SIP", branch("Authentication", leaf("Password", ValueSpace("String", min_length=0, max_length=20),
                                                    hide_value=True))),
        branch("Standby", leaf("Control", ONOFF)),
    )
    p = Param
    command = branch(
        "Command",
        branch("Audio", branch("Volume",
                               cmd("Set", p("Level", ValueSpace("Integer", min=0, max=100), required=True)),
                               cmd("Increase", p("Steps", ValueSpace("Integer", min=1, max=10))),
                               cmd("Decrease", p("Steps", ValueSpace("Integer", min=1, max=10))),
                               cmd("Mute"), cmd("Unmute"), cmd("SetToDefault"))),
        cmd("Dial", p("Number", TEXT, required=True),
            p("Protocol", ValueSpace("Literal", values=("H323", "Sip", "Spark"))),
            p("CallRate", ValueSpace("Integer", min=64, max=6000)), p("DisplayName", TEXT)),
        branch("Call", cmd("Disconnect", p("CallId", ValueSpace("Integer", min=0, max=65534)))),
        branch("Standby", cmd("Activate"), cmd("Deactivate"), cmd("Halfwake")),
        branch("UserInterface", branch("Message", branch(
            "Alert", cmd("Display", p("Text", TEXT, required=True), p("Title", TEXT),
                         p("Duration", ValueSpace("Integer", min=0, max=3600))),
            cmd("Clear")))),
        branch("HttpClient", cmd("Post", p("Url", ValueSpace("String", min_length=8, max_length=2048), required=True),
                                 p("Header", ValueSpace("String", max_length=3072), multiple=True),
                                 p("ResultBody", ValueSpace("Literal", values=("None", "PlainText", "Base64"))),
                                 multiline=True)),
        branch("UserManagement", branch("User", branch("Passphrase", cmd(
            "Set", p("NewPassphrase", ValueSpace("String", min_length=0, max_length=32), required=True),
            p("Username", TEXT, required=True))))),
        branch("SystemUnit", cmd("Boot", p("Action", ValueSpace("Literal", values=("Restart", "Shutdown"))))),
        branch("Presentation", cmd("Start", p("ConnectorId", ValueSpace("Integer", min=1, max=7), multiple=True))),
    )
    events = branch(
        "Event",
        event("OutgoingCallIndication", leaf("CallId", INT)),
        event("CallSuccessful", leaf("CallId", INT), leaf("Protocol"), leaf("Direction"), leaf("CallRate", INT),
              leaf("RemoteURI"), leaf("EncryptionIn"), leaf("EncryptionOut")),
        event("CallDisconnect", leaf("CallId", INT), leaf("CauseType"), leaf("CauseValue", INT),
              leaf("RemoteURI"), leaf("Duration", INT)),
        branch("UserInterface", branch("Message", branch("Alert", event("Cleared")))),
    )
    schema = make_schema([command, configuration, status, events], product="Cisco Test Kit", version="ce-test")
    st = {("Audio", "Volume"): 50, ("Audio", "VolumeMute"): "Off", ("Audio", "Microphones", "Mute"): "Off",
          ("SystemUnit", "Uptime"): 100, ("SystemUnit", "ProductId"): "Cisco Test Kit",
          ("SystemUnit", "State", "NumberOfActiveCalls"): 0, ("SystemUnit", "State", "NumberOfInProgressCalls"): 0,
          ("SystemUnit", "State", "NumberOfSuspendedCalls"): 0, ("SystemUnit", "State", "System"): "Initialized",
          ("SystemUnit", "Hardware", "Monitoring", "Temperature", "Status"): "Normal",
          ("Standby", "State"): "Off", ("Video", "Output", "Monitor", 1, "Temperature"): "Normal",
          ("Video", "Input", "Connector", 1, "Connected"): "True",
          ("Video", "Input", "Connector", 2, "Connected"): "False"}
    cf = {("Audio", "DefaultVolume"): 50, ("Audio", "Ultrasound", "MaxVolume"): 70,
          ("SystemUnit", "Name"): "test-codec",
          ("Video", "Input", "Connector", 1, "Name"): "Camera", ("Video", "Input", "Connector", 2, "Name"): "PC",
          ("Video", "Input", "Connector", 3, "Name"): "Doc",
          ("Video", "Input", "Connector", 1, "InputSourceType"): "camera",
          ("Video", "Input", "Connector", 2, "InputSourceType"): "PC",
          ("Video", "Input", "Connector", 3, "InputSourceType"): "document_camera",
          ("SIP", "Authentication", "Password"): "", ("Standby", "Control"): "On"}
    return DeviceModel(schema, st, cf, name="test-codec")


# --- helpers -----------------------------------------------------------------------------

WAIT = 5.0


def basic(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def auth_token(user: str = USER, password: str = PASSWORD, pad: bool = False) -> str:
    raw = base64.urlsafe_b64encode(f"{user}:{password}".encode()).decode()
    return "auth-" + (raw if pad else raw.rstrip("="))


class Peer:
    """A raw XoWS client: send JSON, read frames as text, await specific messages."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.backlog: list[str] = []

    async def send(self, message: Any) -> None:
        await self.ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    async def recv(self) -> str:
        if self.backlog:
            return self.backlog.pop(0)
        text = await asyncio.wait_for(self.ws.recv(), WAIT)
        return text if isinstance(text, str) else text.decode()

    async def request(self, method: str, params: Any = None, rid: Any = 1) -> str:
        """Send one request and return its reply's text (keeping other frames for later)."""
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        await self.send(msg)
        return await self.reply(rid)

    async def reply(self, rid: Any) -> str:
        kept: list[str] = []
        try:
            while True:
                text = await asyncio.wait_for(self.ws.recv(), WAIT) if not self.backlog else self.backlog.pop(0)
                text = text if isinstance(text, str) else text.decode()
                obj = json.loads(text)
                if "id" in obj and obj["id"] == rid and type(obj["id"]) is type(rid):
                    return text
                kept.append(text)
        finally:
            self.backlog = kept + self.backlog

    async def result(self, method: str, params: Any = None, rid: Any = 1) -> Any:
        obj = json.loads(await self.request(method, params, rid))
        assert "result" in obj, obj
        return obj["result"]

    async def notification(self, sub_id: int | None = None) -> dict[str, Any]:
        """The next xFeedback/Event (for `sub_id` if given); other frames are kept."""
        kept: list[str] = []
        try:
            while True:
                text = await self.recv()
                obj = json.loads(text)
                if obj.get("method") == "xFeedback/Event" and (sub_id is None or obj["params"]["Id"] == sub_id):
                    return obj["params"]
                kept.append(text)
        finally:
            self.backlog = kept + self.backlog

    async def subscribe(self, query: list[Any], notify: bool = False, rid: Any = "sub") -> int:
        res = await self.result("xFeedback/Subscribe", {"Query": query, "NotifyCurrentValue": notify}, rid)
        return int(res["Id"])


def make_sim(**kw: Any) -> Simulator:
    kw.setdefault("call_step", 0.02)
    kw.setdefault("http_delay", 0.05)
    kw.setdefault("boot_seconds", 0.3)
    return Simulator(small_model(), USER, PASSWORD, **kw)


async def status_of(url: str, **kw: Any) -> int:
    """The HTTP status an upgrade attempt gets (101 when it succeeds)."""
    try:
        async with connect(url, **kw):
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


# --- handshake ---------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["/ws", "/ws/", "/ws?legacy", "/ws/?legacy"])
async def test_every_documented_path_upgrades(server: Any, suffix: str) -> None:
    url = server.url.removesuffix("/ws") + suffix
    async with connect(url, additional_headers=basic()) as ws:
        peer = Peer(ws)
        volume = json.loads(await peer.request("xGet", {"Path": ["Status", "Audio", "Volume"]}))["result"]
    assert volume == ("50" if "legacy" in suffix else 50)


async def test_other_paths_are_404(server: Any) -> None:
    base = server.url.removesuffix("/ws")
    assert await status_of(base + "/api", additional_headers=basic()) == 404
    assert await status_of(base + "/wsx", additional_headers=basic()) == 404


async def test_auth_subprotocol_is_accepted_and_echoed(server: Any) -> None:
    token = auth_token()
    async with connect(server.url, subprotocols=["xows", token]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == token
        assert await Peer(ws).result("xGet", {"Path": ["Status", "Audio", "Volume"]}) == 50


async def raw_upgrade(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """A hand-written HTTP upgrade (for headers no WebSocket client library will send)."""
    hostport = url.split("//", 1)[1].split("/", 1)[0]
    host, port = hostport.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    lines = ["GET /ws HTTP/1.1", f"Host: {hostport}", "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    writer.close()
    status_line, *rest = head.decode().split("\r\n")
    fields = dict(line.split(": ", 1) for line in rest if ": " in line)
    return int(status_line.split()[1]), fields


async def test_padded_auth_subprotocol_is_tolerated_and_echoed_verbatim(server: Any) -> None:
    token = auth_token(pad=True)
    assert token.endswith("=")
    status, fields = await raw_upgrade(server.url, {"Sec-WebSocket-Protocol": token})
    assert status == 101
    assert fields["Sec-WebSocket-Protocol"] == token


async def test_missing_credentials_get_401_with_a_basic_challenge(server: Any) -> None:
    with pytest.raises(InvalidStatus) as info:
        async with connect(server.url):
            pass
    assert info.value.response.status_code == 401
    assert info.value.response.headers["WWW-Authenticate"] == 'Basic realm="xshell-sim"'


async def test_wrong_credentials_get_403_by_either_mechanism(server: Any) -> None:
    assert await status_of(server.url, additional_headers=basic(password="nope")) == 403
    assert await status_of(server.url, additional_headers=basic(user="root")) == 403
    assert await status_of(server.url, subprotocols=[auth_token(password="nope")]) == 403  # type: ignore[list-item]
    assert await status_of(server.url, additional_headers={"Authorization": "Basic !!!"}) == 403


async def test_rate_limit_answers_503_beyond_the_queue() -> None:
    sim = make_sim(rate_limit=RateLimit(rate=0.001, queue=2))
    async with sim.serve() as handle:
        codes = [await status_of(handle.url, additional_headers=basic()) for _ in range(4)]
    assert codes == [101, 101, 101, 503]


async def test_rate_limit_can_be_switched_off() -> None:
    async with make_sim(rate_limit=None).serve() as handle:
        codes = {await status_of(handle.url, additional_headers=basic()) for _ in range(40)}
    assert codes == {101}


async def test_reboot_drops_connections_answers_502_then_comes_back_fresh(server: Any, peer: Peer) -> None:
    sim = server.simulator
    await peer.result("xCommand/Audio/Volume/Set", {"Level": 70})
    sim.reboot(0.3)
    with pytest.raises(ConnectionClosed) as info:
        await asyncio.wait_for(peer.ws.recv(), WAIT)
    assert info.value.rcvd is None  # TCP cut, no Close frame: the client sees 1006
    assert await status_of(server.url, additional_headers=basic()) == 502
    await asyncio.wait_for(sim.wait_ready(), WAIT)
    async with connect(server.url, additional_headers=basic()) as ws:
        assert await Peer(ws).result("xGet", {"Path": ["Status", "Audio", "Volume"]}) == 50
    assert sim.get_value("Status SystemUnit Uptime") < 100


async def test_connection_count_follows_clients(server: Any) -> None:
    sim = server.simulator
    async with connect(server.url, additional_headers=basic()) as ws:
        await Peer(ws).result("xGet", {"Path": ["Status", "Audio", "Volume"]})
        assert sim.connections == 1
    await asyncio.wait_for(sim.wait_connections(0), WAIT)


async def test_pings_are_answered(peer: Peer) -> None:
    pong = await peer.ws.ping()
    await asyncio.wait_for(pong, WAIT)


async def test_large_frames_are_accepted(peer: Peer) -> None:
    body = "x" * (3 * 1024 * 1024)  # beyond websockets' 1 MiB default
    res = await peer.result("xCommand/HttpClient/Post", {"Url": "https://example.com/", "body": body})
    assert res == {"StatusCode": "200", "status": "OK"}


# --- envelope ----------------------------------------------------------------------------

async def test_reply_is_compact_with_sorted_keys_and_integer_id(peer: Peer) -> None:
    text = await peer.request("xGet", {"Path": ["Status", "SystemUnit", "State"]}, rid=7)
    assert text == ('{"id":7,"jsonrpc":"2.0","result":{"NumberOfActiveCalls":0,'
                    '"NumberOfInProgressCalls":0,"NumberOfSuspendedCalls":0,"System":"Initialized"}}')


async def test_string_ids_come_back_as_strings(peer: Peer) -> None:
    assert await peer.request("xGet", {"Path": ["Status", "Audio", "Volume"]}, rid="1") == \
        '{"id":"1","jsonrpc":"2.0","result":50}'
    assert await peer.request("xGet", {"Path": ["Status", "Audio", "Volume"]}, rid="Get the volume") == \
        '{"id":"Get the volume","jsonrpc":"2.0","result":50}'


async def test_request_without_id_runs_without_reply(peer: Peer) -> None:
    await peer.send({"jsonrpc": "2.0", "method": "xSet",
                     "params": {"Path": ["Configuration", "Audio", "DefaultVolume"], "Value": 33}})
    await peer.send({"jsonrpc": "2.0", "method": "xGet", "params": {"Path": ["Nope"]}})
    await peer.send({"jsonrpc": "2.0", "id": 2, "method": "xGet",
                     "params": {"Path": ["Configuration", "Audio", "DefaultVolume"]}})
    assert await peer.recv() == '{"id":2,"jsonrpc":"2.0","result":33}'


async def test_unparseable_json_is_a_parse_error_with_null_id(peer: Peer) -> None:
    await peer.send('{"jsonrpc": "2.0", "id": 1, "method": ')
    assert await peer.recv() == '{"error":{"code":-32700,"message":"Parse error"},"id":null,"jsonrpc":"2.0"}'


async def test_non_object_and_missing_method_are_invalid_requests(peer: Peer) -> None:
    await peer.send('[{"jsonrpc": "2.0", "id": 1, "method": "xGet"}]')
    assert await peer.recv() == '{"error":{"code":-32600,"message":"Invalid Request"},"id":null,"jsonrpc":"2.0"}'
    await peer.send({"jsonrpc": "2.0", "id": 5, "params": {}})
    assert await peer.recv() == '{"error":{"code":-32600,"message":"Invalid Request"},"id":5,"jsonrpc":"2.0"}'


async def test_binary_frames_are_read_as_utf8_json(peer: Peer) -> None:
    await peer.send(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "xGet",
                                "params": {"Path": ["Status", "Audio", "Volume"]}}).encode())
    assert await peer.recv() == '{"id":3,"jsonrpc":"2.0","result":50}'
    await peer.send(b"\xff\xfe")
    assert json.loads(await peer.recv())["error"]["code"] == -32700


async def test_unknown_method(peer: Peer) -> None:
    assert await peer.request("xFrobnicate", {}) == \
        '{"error":{"code":-32601,"message":"Method not found."},"id":1,"jsonrpc":"2.0"}'


# --- xGet --------------------------------------------------------------------------------

async def test_get_leaf_and_subtree(peer: Peer) -> None:
    assert await peer.result("xGet", {"Path": ["Status", "SystemUnit", "ProductId"]}) == "Cisco Test Kit"
    assert await peer.result("xGet", {"Path": ["Status", "Audio"]}) == \
        {"Microphones": {"Mute": "Off"}, "Volume": 50, "VolumeMute": "Off"}


async def test_get_is_case_insensitive_with_canonical_case_out(peer: Peer) -> None:
    assert await peer.request("xGet", {"Path": ["status", "AUDIO", "microphones"]}) == \
        '{"id":1,"jsonrpc":"2.0","result":{"Mute":"Off"}}'


async def test_get_lists_instances_with_integer_ids_sorted(peer: Peer) -> None:
    text = await peer.request("xGet", {"Path": ["Configuration", "Video", "Input"]})
    assert text == ('{"id":1,"jsonrpc":"2.0","result":{"Connector":['
                    '{"InputSourceType":"camera","Name":"Camera","id":1},'
                    '{"InputSourceType":"PC","Name":"PC","id":2},'
                    '{"InputSourceType":"document_camera","Name":"Doc","id":3}]}}')


async def test_get_one_instance_and_one_leaf_of_it(peer: Peer) -> None:
    assert await peer.result("xGet", {"Path": ["Configuration", "Video", "Input", "Connector", 2]}) == \
        {"InputSourceType": "PC", "Name": "PC", "id": 2}
    assert await peer.result("xGet", {"Path": ["Configuration", "Video", "Input", "Connector", "3", "Name"]}) == "Doc"


async def test_get_leaf_below_a_multi_node_without_id_selects_every_instance(peer: Peer) -> None:
    text = await peer.request("xGet", {"Path": ["Configuration", "Video", "Input", "Connector", "Name"]})
    assert text == ('{"id":1,"jsonrpc":"2.0","result":'
                    '[{"Name":"Camera","id":1},{"Name":"PC","id":2},{"Name":"Doc","id":3}]}')


async def test_legacy_sends_every_value_and_id_as_string(server: Any) -> None:
    async with connect(server.url + "?legacy", additional_headers=basic()) as ws:
        peer = Peer(ws)
        assert await peer.result("xGet", {"Path": ["Status", "SystemUnit", "State", "NumberOfActiveCalls"]}) == "0"
        assert await peer.result("xGet", {"Path": ["Status", "Video", "Input", "Connector"]}) == \
            [{"Connected": "True", "id": "1"}, {"Connected": "False", "id": "2"}]


async def test_legacy_default_applies_to_plain_ws() -> None:
    async with make_sim(legacy_default=True).serve() as handle:
        async with connect(handle.url, additional_headers=basic()) as ws:
            assert await Peer(ws).result("xGet", {"Path": ["Status", "Audio", "Volume"]}) == "50"


def is_no_match(text: str) -> bool:
    """-32602 "No match on Path argument" (with the reason for people in `data`)."""
    err = json.loads(text)["error"]
    return err["code"] == -32602 and err["message"] == "No match on Path argument"


@pytest.mark.parametrize("path", [
    ["Status", "Audio", "Loudness"], ["Status", "Call", 4711], ["Configuration", "Video", "Input", "Connector", 9],
    ["Status", "Call"], ["**"], ["Command", "Dial"], [], ["Status", True], ["Status", "Audio", 1],
])
async def test_get_unknown_path_is_no_match(peer: Peer, path: list[Any]) -> None:
    assert is_no_match(await peer.request("xGet", {"Path": path}))


async def test_get_without_path_says_which_parameter(peer: Peer) -> None:
    err = json.loads(await peer.request("xGet", {}))["error"]
    assert err["code"] == -32602 and err["data"]["Parameter"] == "Path"


# --- xQuery ------------------------------------------------------------------------------

async def test_query_star_matches_leaves_and_inner_nodes(peer: Peer) -> None:
    text = await peer.request("xQuery", {"Query": ["Status", "**", "Temperature"]})
    assert text == ('{"id":1,"jsonrpc":"2.0","result":{"Status":{"SystemUnit":{"Hardware":{"Monitoring":'
                    '{"Temperature":{"Status":"Normal"}}}},"Video":{"Output":{"Monitor":'
                    '[{"Temperature":"Normal","id":1}]}}}}}')


async def test_query_without_wildcard_is_a_rooted_get(peer: Peer) -> None:
    assert await peer.result("xQuery", {"Query": ["Status", "Audio", "Volume"]}) == {"Status": {"Audio": {"Volume": 50}}}
    assert await peer.result("xQuery", {"Query": ["configuration", "video", "input", "connector", "name"]}) == \
        {"Configuration": {"Video": {"Input": {"Connector": [
            {"Name": "Camera", "id": 1}, {"Name": "PC", "id": 2}, {"Name": "Doc", "id": 3}]}}}}


async def test_query_star_as_root_searches_both_trees(peer: Peer) -> None:
    assert await peer.result("xQuery", {"Query": ["**", "Volume"]}) == {"Status": {"Audio": {"Volume": 50}}}
    assert await peer.result("xQuery", {"Query": ["**", "Name"]}) == {"Configuration": {
        "SystemUnit": {"Name": "test-codec"},
        "Video": {"Input": {"Connector": [{"Name": "Camera", "id": 1}, {"Name": "PC", "id": 2},
                                          {"Name": "Doc", "id": 3}]}}}}


async def test_query_with_no_match_is_empty_but_unknown_names_are_errors(peer: Peer) -> None:
    assert await peer.request("xQuery", {"Query": ["Status", "**", "Call", "Status"]}) == \
        '{"id":1,"jsonrpc":"2.0","result":{}}'
    assert is_no_match(await peer.request("xQuery", {"Query": ["Status", "**", "Frobozz"]}))
    assert is_no_match(await peer.request("xQuery", {"Query": ["Status", "Audio", "Frobozz"]}))


# --- xSet --------------------------------------------------------------------------------

async def test_set_answers_true_then_sends_configuration_feedback(peer: Peer) -> None:
    sub = await peer.subscribe(["Configuration", "Audio"])
    await peer.send({"jsonrpc": "2.0", "id": 9, "method": "xSet",
                     "params": {"Path": ["Configuration", "Audio", "DefaultVolume"], "Value": "40"}})
    assert await peer.recv() == '{"id":9,"jsonrpc":"2.0","result":true}'
    assert await peer.recv() == ('{"jsonrpc":"2.0","method":"xFeedback/Event","params":'
                                 f'{{"Configuration":{{"Audio":{{"DefaultVolume":40}}}},"Id":{sub}}}}}')


async def test_set_literal_any_case_is_stored_canonical(peer: Peer) -> None:
    path = ["Configuration", "Video", "Input", "Connector", 1, "InputSourceType"]
    assert await peer.result("xSet", {"Path": path, "Value": "DOCUMENT_CAMERA"}) is True
    assert await peer.result("xGet", {"Path": path}) == "document_camera"


async def test_set_unchanged_value_sends_no_feedback(peer: Peer) -> None:
    sub = await peer.subscribe(["Configuration"])
    assert await peer.result("xSet", {"Path": ["Configuration", "Audio", "DefaultVolume"], "Value": 50}) is True
    assert await peer.result("xSet", {"Path": ["Configuration", "Standby", "Control"], "Value": "Off"}) is True
    assert await peer.notification(sub) == {"Configuration": {"Standby": {"Control": "Off"}}, "Id": sub}


async def test_set_illegal_value_is_cause_27(peer: Peer) -> None:
    err = json.loads(await peer.request("xSet", {"Path": ["Configuration", "Audio", "DefaultVolume"], "Value": 101}))
    assert err["error"]["code"] == 1 and err["error"]["message"] == "Illegal value"
    assert err["error"]["data"]["Cause"] == 27 and "101" in err["error"]["data"]["Reason"]
    err = json.loads(await peer.request("xSet", {"Path": ["Configuration", "Standby", "Control"], "Value": "Maybe"}))
    assert err["error"]["data"]["Cause"] == 27


async def test_set_illegal_secret_never_echoes_the_value(peer: Peer) -> None:
    secret = "hunter2-is-way-too-long-for-this-field"
    text = await peer.request("xSet", {"Path": ["Configuration", "SIP", "Authentication", "Password"], "Value": secret})
    assert json.loads(text)["error"]["data"] == {"Cause": 27}
    assert secret not in text


@pytest.mark.parametrize("path", [
    ["Configuration", "Audio", "Loudness"], ["Status", "Audio", "Volume"], ["Configuration", "Audio"],
    ["Configuration", "Video", "Input", "Connector", "Name"], ["Configuration", "Video", "Input", "Connector", 7, "Name"],
])
async def test_set_bad_path_is_no_match(peer: Peer, path: list[Any]) -> None:
    assert is_no_match(await peer.request("xSet", {"Path": path, "Value": "x"}))


# --- feedback ----------------------------------------------------------------------------

async def test_subscription_ids_count_from_zero_per_connection(server: Any, peer: Peer) -> None:
    assert [await peer.subscribe(["Status", "Audio"], rid=i) for i in range(3)] == [0, 1, 2]
    assert await peer.result("xFeedback/Unsubscribe", {"Id": 1}) is True
    assert await peer.subscribe(["Status", "Audio"]) == 3  # never reused
    async with connect(server.url, additional_headers=basic()) as ws:
        assert await Peer(ws).subscribe(["Status"]) == 0


async def test_notify_current_value_comes_after_the_response(peer: Peer) -> None:
    await peer.send({"jsonrpc": "2.0", "id": 1, "method": "xFeedback/Subscribe",
                     "params": {"Query": ["Status", "Audio", "Volume"], "NotifyCurrentValue": True}})
    assert await peer.recv() == '{"id":1,"jsonrpc":"2.0","result":{"Id":0}}'
    assert await peer.recv() == '{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Id":0,"Status":{"Audio":{"Volume":50}}}}'


async def test_feedback_carries_only_changed_leaves_once_per_subscription(server: Any, peer: Peer) -> None:
    a = await peer.subscribe(["Status", "SystemUnit"], rid="a")
    b = await peer.subscribe(["status", "systemunit", "state"], rid="b")
    server.simulator.set_status("SystemUnit State NumberOfActiveCalls", 1)
    first, second = await peer.notification(), await peer.notification()
    expected = {"Status": {"SystemUnit": {"State": {"NumberOfActiveCalls": 1}}}}
    assert first == {**expected, "Id": a} and second == {**expected, "Id": b}


async def test_feedback_for_leaf_under_every_instance(server: Any, peer: Peer) -> None:
    sub = await peer.subscribe(["Configuration", "Video", "Input", "Connector", "Name"])
    assert await peer.result("xSet", {"Path": ["Configuration", "Video", "Input", "Connector", 2, "Name"],
                                      "Value": "Laptop"}) is True
    assert await peer.notification(sub) == {
        "Configuration": {"Video": {"Input": {"Connector": [{"Name": "Laptop", "id": 2}]}}}, "Id": sub}


async def test_removed_instance_is_a_ghost(server: Any, peer: Peer) -> None:
    sub = await peer.subscribe(["Status", "Video", "Input", "Connector", "Connected"])
    server.simulator.remove_status("Video Input Connector 2")
    assert await peer.notification(sub) == {"Status": {"Video": {"Input": {"Connector": [{"ghost": "True", "id": 2}]}}},
                                            "Id": sub}


async def test_star_subscription_sees_everything(server: Any, peer: Peer) -> None:
    sub = await peer.subscribe(["**", "Mute"])
    server.simulator.set_status("Audio Microphones Mute", "On")
    assert await peer.notification(sub) == {"Status": {"Audio": {"Microphones": {"Mute": "On"}}}, "Id": sub}


async def test_event_nodes_carry_id_1(server: Any, peer: Peer) -> None:
    sub = await peer.subscribe(["Event", "UserInterface"])
    server.simulator.emit_event(("UserInterface", "Message", "Alert", "Cleared"), {})
    assert await peer.recv() == ('{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Event":{"UserInterface":'
                                 '{"Message":{"Alert":{"Cleared":{"id":1},"id":1},"id":1},"id":1}},'
                                 f'"Id":{sub}}}}}')


@pytest.mark.parametrize("query", [["Status", "Audio", "Loudness"], ["Command", "Dial"], ["Event", "Nope"], "Status"])
async def test_subscribing_to_unknown_paths_is_an_error(peer: Peer, query: Any) -> None:
    text = await peer.request("xFeedback/Subscribe", {"Query": query})
    assert json.loads(text)["error"]["code"] == -32602


async def test_unsubscribe_unknown_id(peer: Peer) -> None:
    assert await peer.request("xFeedback/Unsubscribe", {"Id": 7}, rid=3) == \
        '{"error":{"code":-32602,"data":{"Id":7},"message":"Unknown subscription Id"},"id":3,"jsonrpc":"2.0"}'


async def test_unsubscribed_queries_are_quiet(server: Any, peer: Peer) -> None:
    quiet = await peer.subscribe(["Status", "Audio"], rid="q")
    loud = await peer.subscribe(["Status", "Standby"], rid="l")
    assert await peer.result("xFeedback/Unsubscribe", {"Id": quiet}) is True
    server.simulator.set_status("Audio Volume", 10)
    server.simulator.set_status("Standby State", "Standby")
    assert (await peer.notification())["Id"] == loud


async def test_subscriber_cap() -> None:
    async with make_sim(max_subscriptions=2).serve() as handle:
        async with connect(handle.url, additional_headers=basic()) as ws:
            peer = Peer(ws)
            await peer.subscribe(["Status"], rid=1)
            await peer.subscribe(["Status"], rid=2)
            assert await peer.request("xFeedback/Subscribe", {"Query": ["Status"]}, rid=3) == \
                '{"error":{"code":-31998,"message":"Subscriber Count Exceeded"},"id":3,"jsonrpc":"2.0"}'


async def test_subscriptions_end_with_their_connection(server: Any) -> None:
    sim = server.simulator
    async with connect(server.url, additional_headers=basic()) as ws:
        await Peer(ws).subscribe(["Status"])
    await asyncio.wait_for(sim.wait_connections(0), WAIT)
    async with connect(server.url, additional_headers=basic()) as ws:
        peer = Peer(ws)
        assert await peer.subscribe(["Status", "Standby"]) == 0
        sim.set_status("Standby State", "Halfwake")
        assert await peer.notification() == {"Status": {"Standby": {"State": "Halfwake"}}, "Id": 0}


# --- xDoc --------------------------------------------------------------------------------

async def test_xdoc_unknown_path_is_no_match(peer: Peer) -> None:
    text = await peer.request("xDoc", {"Path": ["Status", "Frobozz"], "Type": "Schema"})
    assert is_no_match(text)


async def test_xdoc_answers_the_schema_document(peer: Peer) -> None:
    pytest.importorskip("xshell.schema.xdoc")
    from xshell.schema.xdoc import to_xdoc

    expected = to_xdoc(small_model().schema, ["Status", "Audio"])
    assert await peer.result("xDoc", {"Path": ["status", "audio"], "Type": "Schema"}) == \
        json.loads(json.dumps(expected))
