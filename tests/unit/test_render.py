"""Terminal rendering: XoWS JSON in, the exact tshell text out (spec tshell.md §3.3, §6, §8).

Golden tests rebuild each example of the spec as the XoWS result a device would send and
compare the rendered lines exactly — spacing included, since integrators' parsers match
on it. A small hand-built schema supplies the leaf types that decide quoting.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.token import Error, Generic

from xshell.errors import xapi_error
from xshell.lang import requests as rq
from xshell.lang.outlexer import TshellOutputLexer
from xshell.lang.parse import parse
from xshell.lang.render_feedback import render_feedback
from xshell.lang.render import render_result, search_keep
from xshell.lang.render_errors import render_error
from xshell.lang.render_layout import format_value, result_name
from xshell.schema.model import Node, ValueSpace, make_children, make_schema

# --------------------------------------------------------------------------- schema

S = ValueSpace("String", min_length=0, max_length=255)
I = ValueSpace("Integer")  # noqa: E741 - I for Integer, as S for String


def lit(*values: str) -> ValueSpace:
    return ValueSpace("Literal", values=values)


def leaf(name: str, vs: ValueSpace, **kw: Any) -> Node:
    return Node(name, "leaf", value_space=vs, **kw)


def branch(name: str, *children: Node, **kw: Any) -> Node:
    return Node(name, kw.pop("kind", "branch"), children=make_children(children), **kw)


SCHEMA = make_schema([
    branch("Status",
           branch("Audio", leaf("Volume", I)),
           branch("Call", leaf("Status", lit("Connected", "Idle")), leaf("AnswerState", lit("Answered", "Unanswered")),
                  leaf("CallbackNumber", S), leaf("Protocol", S), branch("Encryption", leaf("Type", S)),
                  multi=True),
           branch("Conference", branch("Call", leaf("Status", S), multi=True)),
           branch("Standby", leaf("Active", lit("On", "Off"))),
           branch("Video",
                  branch("Input",
                         branch("Source", branch("Resolution", leaf("Width", I), leaf("Height", I)), multi=True),
                         branch("Connector", leaf("Connected", lit("True", "False")),
                                leaf("SignalState", lit("OK", "Unknown")), multi=True)),
                  branch("Output",
                         branch("Connector", branch("Resolution", leaf("Width", I), leaf("Height", I)),
                                multi=True)))),
    branch("Configuration",
           branch("Audio", leaf("DefaultVolume", ValueSpace("Integer", 0, 100)),
                  branch("Input", leaf("MicrophoneMode", lit("Focused", "Wide")),
                         branch("HDMI", leaf("Mode", lit("On", "Off")), multi=True, instances=(3,))),
                  branch("Output", branch("HDMI", leaf("Level", ValueSpace("Integer", -24, 0)),
                                          leaf("Mode", lit("On", "Off")), multi=True, instances=(1, 2))),
                  branch("SoundsAndAlerts", leaf("RingTone", S))),
           branch("SIP", branch("Authentication", leaf("UserName", S), leaf("Password", S, hide_value=True))),
           branch("Video", branch("Input", branch("Connector", leaf("Name", S), multi=True, instances=(1, 2, 3))))),
    branch("Command",
           Node("Dial", "command"),
           branch("Video", branch("Selfview", Node("Set", "command")))),
    branch("Event",
           branch("CallSuccessful", leaf("Protocol", S), leaf("CallRate", I), leaf("CallId", I), kind="event"),
           branch("UserInterface", branch("Extensions", branch("Widget", branch(
               "Action", leaf("WidgetId", S), leaf("Type", S), leaf("Value", S), kind="event"))))),
])


def err(code: int, message: str, data: Any = None) -> Any:
    member: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        member["data"] = data
    return xapi_error(member)


# --------------------------------------------------------------------------- §3.3 search

def test_search_out_hdmi_lists_only_output_hdmi_leaves() -> None:
    req = parse("xconfiguration //out//hdmi")
    result = {"Configuration": {
        "Audio": {"DefaultVolume": 50,
                  "Input": {"HDMI": [{"Mode": "On", "id": 3}]},
                  "Output": {"HDMI": [{"Level": 0, "Mode": "On", "id": 1}, {"Level": 0, "Mode": "Off", "id": 2}]}},
        "Video": {"Input": {"Connector": [{"Name": "Camera", "id": 1}]}}}}
    assert render_result(req, result, SCHEMA) == [
        "*c xConfiguration Audio Output HDMI 1 Level: 0",
        "*c xConfiguration Audio Output HDMI 1 Mode: On",
        "*c xConfiguration Audio Output HDMI 2 Level: 0",
        "*c xConfiguration Audio Output HDMI 2 Mode: Off",
        "** end", "", "OK"]


def test_search_vid_res_wid_matches_at_any_depth() -> None:
    req = parse("xStatus //vid//res//wid")
    result = {"Status": {"Audio": {"Volume": 50}, "Video": {
        "Input": {"Source": [{"Resolution": {"Height": 1080, "Width": 1920}, "id": 1}]},
        "Output": {"Connector": [{"Resolution": {"Height": 1080, "Width": 1920}, "id": 1}]}}}}
    assert render_result(req, result, SCHEMA) == [
        "*s Video Input Source 1 Resolution Width: 1920",
        "*s Video Output Connector 1 Resolution Width: 1920",
        "** end", "", "OK"]


def test_an_explicit_keep_predicate_replaces_the_default_search() -> None:
    req = rq.Query(("Status", "**"), search=("Status", "//", "vol"))
    result = {"Status": {"Audio": {"Volume": 50, "VolumeMute": "Off"}}}
    lines = render_result(req, result, SCHEMA, keep=lambda path: path[-1] == "VolumeMute")
    assert lines[0] == "*s Audio VolumeMute: Off" and len(lines) == 4


def test_search_terms_are_prefixes_in_order() -> None:
    keep = search_keep(("Configuration", "//", "out", "//", "hdmi"))
    assert keep(("Configuration", "Audio", "Output", "HDMI", 1, "Mode"))
    assert not keep(("Configuration", "Audio", "HDMI", 1, "Output"))  # wrong order
    assert not keep(("Configuration", "Audio", "Input", "HDMI", 3, "Mode"))


def test_search_below_a_fixed_prefix() -> None:
    req = parse("xStatus Video // Width")
    result = {"Status": {"Video": {"Input": {"Source": [{"Resolution": {"Width": 1280}, "id": 1}]}}}}
    assert render_result(req, result, SCHEMA)[0] == "*s Video Input Source 1 Resolution Width: 1280"


# --------------------------------------------------------------------------- §6.3 / §6.4 reads

def test_status_leaf() -> None:
    assert render_result(rq.Get(("Status", "Audio", "Volume")), 50, SCHEMA) == [
        "*s Audio Volume: 50", "** end", "", "OK"]


def test_status_array_is_flattened_with_instance_tokens_and_schema_quoting() -> None:
    result = [{"Status": "Connected", "AnswerState": "Answered", "CallbackNumber": "sip:name@company.com",
               "Encryption": {"Type": "None"}, "id": 2}]
    assert render_result(rq.Get(("Status", "Call")), result, SCHEMA) == [
        "*s Call 2 Status: Connected",
        "*s Call 2 AnswerState: Answered",
        '*s Call 2 CallbackNumber: "sip:name@company.com"',
        '*s Call 2 Encryption Type: "None"',
        "** end", "", "OK"]


def test_status_element_path_keeps_its_id_token_once() -> None:
    lines = render_result(rq.Get(("Status", "Call", 3)), {"Protocol": "sip", "Status": "Connected", "id": 3}, SCHEMA)
    assert lines[:2] == ['*s Call 3 Protocol: "sip"', "*s Call 3 Status: Connected"]


def test_status_boolean_literal_is_bare() -> None:
    req = rq.Get(("Status", "Video", "Input", "Connector", 2, "Connected"))
    assert render_result(req, "True", SCHEMA)[0] == "*s Video Input Connector 2 Connected: True"


def test_empty_status_list_prints_only_the_terminator() -> None:
    assert render_result(rq.Get(("Status", "Call")), [], SCHEMA) == ["** end", "", "OK"]


def test_configuration_leaf_and_multi_element() -> None:
    assert render_result(rq.Get(("Configuration", "Audio", "DefaultVolume")), 50, SCHEMA) == [
        "*c xConfiguration Audio DefaultVolume: 50", "** end", "", "OK"]
    result = [{"Name": "NameA", "id": 1}, {"Name": "NameB", "id": 2}]
    assert render_result(rq.Get(("Configuration", "Video", "Input", "Connector")), result, SCHEMA)[:2] == [
        '*c xConfiguration Video Input Connector 1 Name: "NameA"',
        '*c xConfiguration Video Input Connector 2 Name: "NameB"']


def test_path_without_an_instance_id_lists_every_instance() -> None:
    # xGet answers `Video Input Connector Name` with the list at Connector (every instance)
    result = [{"Name": "NameA", "id": 1}, {"Name": "NameB", "id": 2}]
    req = rq.Get(("Configuration", "Video", "Input", "Connector", "Name"))
    assert render_result(req, result, SCHEMA) == [
        '*c xConfiguration Video Input Connector 1 Name: "NameA"',
        '*c xConfiguration Video Input Connector 2 Name: "NameB"', "** end", "", "OK"]
    calls = [{"Protocol": "sip", "Status": "Connected", "id": 3}, {"Protocol": "h323", "Status": "Idle", "id": 4}]
    assert render_result(rq.Get(("Status", "Call", "Protocol")), calls, SCHEMA)[:2] == [
        '*s Call 3 Protocol: "sip"', '*s Call 4 Protocol: "h323"']


def test_quoting_follows_the_schema_type_not_the_text() -> None:
    audio = {"Input": {"MicrophoneMode": "Focused"}, "SoundsAndAlerts": {"RingTone": "Sunrise"}}
    assert render_result(rq.Get(("Configuration", "Audio")), audio, SCHEMA)[:2] == [
        "*c xConfiguration Audio Input MicrophoneMode: Focused",
        '*c xConfiguration Audio SoundsAndAlerts RingTone: "Sunrise"']


def test_ok_inside_a_value_is_not_a_terminator_line() -> None:
    req = rq.Get(("Status", "Video", "Input", "Connector", 1, "SignalState"))
    assert render_result(req, "OK", SCHEMA)[0] == "*s Video Input Connector 1 SignalState: OK"


def test_subtree_case_comes_from_the_device_not_the_request() -> None:
    lines = render_result(rq.Get(("status", "audio")), {"Volume": 50}, SCHEMA)
    assert lines[0] == "*s audio Volume: 50"  # the path as requested; leaf names as sent


# --------------------------------------------------------------------------- values

@pytest.mark.parametrize(("value", "shown"), [
    (50, "50"), (-5, "-5"), (True, "True"), (False, "False"), ("True", "True"), ("On", "On"),
    ("Connected", "Connected"), ("Info", "Info"), ("sip", '"sip"'), ("1.11", '"1.11"'), ("127", '"127"'),
    ("wx1_panel", '"wx1_panel"'), ("Alice Smith", '"Alice Smith"'), ("", '""'), (None, '""'),
    ('say "hi"', r'"say \"hi\""'), ("a\nb", r'"a\nb"'), ("C:\\x", r'"C:\\x"'),
])
def test_heuristic_quoting_without_a_schema(value: Any, shown: str) -> None:
    assert format_value(value) == shown


def test_control_characters_never_reach_the_terminal() -> None:
    lines = render_feedback({"Status": {"Bad\x1b[2JKey": "x\x1b[31my\x9bz", "Lit": "A\x07"}}, SCHEMA)
    assert not any(c in "\n".join(lines) for c in "\x1b\x9b\x07")
    assert lines[0] == r'*s Bad\x1b[2JKey: "x\u001b[31my\u009bz"'
    assert json.loads(lines[0].split(": ", 1)[1]) == "x\x1b[31my\x9bz"


def test_schema_types_override_the_heuristic() -> None:
    assert format_value("Sunrise", S) == '"Sunrise"'
    assert format_value("some mode", lit("some mode")) == "some mode"
    assert format_value("2372 rpm", I) == '"2372 rpm"'
    assert format_value("42", I) == "42"


def test_hidden_configuration_is_never_shown() -> None:
    req = rq.Get(("Configuration", "SIP", "Authentication"))
    lines = render_result(req, {"Password": "hunter2", "UserName": "bob"}, SCHEMA)
    assert lines[:2] == ['*c xConfiguration SIP Authentication Password: "***"',
                         '*c xConfiguration SIP Authentication UserName: "bob"']
    fb = render_feedback({"Configuration": {"SIP": {"Authentication": {"Password": "hunter2"}}}, "Id": 1}, SCHEMA)
    assert "hunter2" not in "\n".join(fb) and fb[0].endswith('"***"')


# --------------------------------------------------------------------------- §6.5 commands

def test_command_without_data() -> None:
    req = rq.Command(("Bookings", "Edit"), (("MeetingId", 1), ("Title", "MS Local Booking")))
    assert render_result(req, {"status": "OK"}) == ["", "OK", "*r BookingsEditResult (status=OK): ", "** end"]


def test_multiline_command_result() -> None:
    req = rq.Command(("SystemUnit", "WelcomeBanner", "Set"), body="Hello!\nSecond line")
    assert render_result(req, {"status": "OK"}) == [
        "", "OK", "*r WelcomeBannerSetResult (status=OK): ", "** end"]


def test_extensions_list_result_one_line_per_leaf() -> None:
    result = {"Extensions": {"Version": "1.11", "Panel": [
        {"PanelId": "wx1_1451_pt2_labBuddy", "Order": 99, "id": 1}, {"Icon": "Info", "id": 2}]}, "status": "OK"}
    assert render_result(rq.Command(("UserInterface", "Extensions", "List")), result) == [
        "", "OK",
        "*r ExtensionsListResult (status=OK): ",
        '*r ExtensionsListResult Extensions Version: "1.11"',
        '*r ExtensionsListResult Extensions Panel 1 PanelId: "wx1_1451_pt2_labBuddy"',
        "*r ExtensionsListResult Extensions Panel 1 Order: 99",
        "*r ExtensionsListResult Extensions Panel 2 Icon: Info",
        "** end"]


@pytest.mark.parametrize(("path", "result", "line"), [
    (("Time", "DateTime", "Get"), {"Day": 24, "status": "OK"}, "*r DateTimeGetResult Day: 24"),
    (("WebEngine", "MediaAccess", "List"), {"Host": [{"Devices": [{"Device": "Camera", "id": 2}], "id": 1}]},
     "*r MediaAccessListResult Host 1 Devices 2 Device: Camera"),
    (("CallHistory", "Recents"), {"Entry": [{"DisplayName": "Alice Smith", "id": 0}], "status": "OK"},
     '*r CallHistoryRecentsResult Entry 0 DisplayName: "Alice Smith"'),
    (("Camera", "Preset", "List"), {"Preset": [{"Name": "Door view", "id": 1}], "status": "OK"},
     '*r PresetListResult Preset 1 Name: "Door view"'),
    (("Dial",), {"CallId": 2, "ConferenceId": 1}, "*r DialResult CallId: 2"),
])
def test_seen_result_lines(path: tuple[str, ...], result: Any, line: str) -> None:
    lines = render_result(rq.Command(path), result)
    assert line in lines
    assert lines[2].endswith("(status=OK): ")  # the guide's Dial shape has no status: OK assumed


@pytest.mark.parametrize(("path", "name"), [
    (("Video", "Input", "SetMainVideoSource"), "InputSetMainVideoSourceResult"),
    (("Audio", "Volume", "Set"), "VolumeSetResult"),
    (("Audio", "Volume", "Increase"), "VolumeIncreaseResult"),
    (("UserInterface", "Extensions", "List"), "ExtensionsListResult"),
    (("Camera", "Preset", "Store"), "PresetStoreResult"),
    (("Conference", "Call", "AuthenticationResponse"), "CallAuthenticationResponseResult"),
    (("Dial",), "DialResult"),
    (("Bookings", "List"), "BookingsListResult"),
    (("HttpClient", "Post"), "HttpClientPostResult"),
    (("SystemUnit", "OptionKey", "List"), "OptionKeyListResult"),
    (("Phonebook", "Search"), "PhonebookSearchResult"),
    (("Peripherals", "HeartBeat"), "PeripheralsHeartBeatResult"),
])
def test_result_names(path: tuple[str, ...], name: str) -> None:
    assert result_name(path) == name


def test_result_name_follows_the_schema_spelling() -> None:
    assert result_name(("video", "SelfView", "set"), SCHEMA) == "SelfviewSetResult"
    assert result_name(("Video", "SelfView", "Set")) == "SelfViewSetResult"  # no schema: as typed


def test_command_result_with_error_status_ends_in_error() -> None:
    lines = render_result(rq.Command(("Dial",)), {"status": "ParameterError"})
    assert lines == ["*r DialResult (status=ParameterError): ", "** end", "", "ERROR"]


# --------------------------------------------------------------------------- §6.6 errors

def test_unknown_command() -> None:
    assert render_error(rq.Command(("Dila",)), err(-32601, "Unknown command")) == [
        "*r Result (status=Error): ", '*r Result Reason: "Unknown command"', '*r Result XPath: "/Dila"',
        "*r Result Code: -32601", "** end", "", "ERROR"]


def test_missing_parameter_is_a_parameter_error() -> None:
    e = err(-32602, "Bad usage: Missing or invalid parameter(s).")
    assert render_error(rq.Command(("Dial",)), e) == [
        "*r DialResult (status=ParameterError): ",
        '*r DialResult Reason: "Bad usage: Missing or invalid parameter(s)."',
        "*r DialResult Code: -32602", "** end", "", "ERROR"]


def test_command_failure_keeps_message_and_data() -> None:
    e = err(1, "Must supply either SourceId or ConnectorId (but not both.)", {"Cause": 27})
    assert render_error(rq.Command(("Video", "Input", "SetMainVideoSource")), e) == [
        "*r InputSetMainVideoSourceResult (status=Error): ",
        '*r InputSetMainVideoSourceResult Reason: "Must supply either SourceId or ConnectorId (but not both.)"',
        "*r InputSetMainVideoSourceResult Cause: 27",
        "*r InputSetMainVideoSourceResult Code: 1", "** end", "", "ERROR"]


def test_bad_status_path() -> None:
    assert render_error(rq.Get(("Status", "Audio", "Foo")), err(-32602, "No match on Path argument")) == [
        "*r Status (status=Error): ", '*r Status Reason: "No match on Path argument"',
        '*r Status XPath: "Status/Audio/Foo"', "*r Status Code: -32602", "** end", "", "ERROR"]


def test_bad_configuration_path_uses_bracket_indexes_or_the_device_xpath() -> None:
    req = rq.Get(("Configuration", "Video", "Input", "Connector", 1, "Foo"))
    lines = render_error(req, err(3, "No match on address expression."))
    assert lines[0] == "*r Configuration (status=Error): "
    assert '*r Configuration XPath: "Configuration/Video/Input/Connector[1]/Foo"' in lines
    lines = render_error(req, err(3, "No match", {"xpath": "/Configuration/X"}))
    assert [ln for ln in lines if "XPath" in ln] == ['*r Configuration XPath: "/Configuration/X"']


def test_illegal_configuration_value_uses_the_attribute_style() -> None:
    req = rq.Set(("Configuration", "Audio", "DefaultVolume"), 500)
    assert render_error(req, err(1, "Illegal value", {"Cause": 27})) == [
        '*c xConfiguration Audio DefaultVolume (error=True, code=1, Cause=27): "Illegal value"',
        "** end", "", "ERROR"]


def test_errors_never_echo_secret_values() -> None:
    req = rq.Set(("Configuration", "SIP", "Authentication", "Password"), "hunter2")
    lines = render_error(req, err(1, "Bad value hunter2", {"Value": "hunter2"}), SCHEMA)
    assert "hunter2" not in "\n".join(lines) and "***" in lines[0]
    cmd = rq.Command(("UserManagement", "User", "Passphrase", "Set"), (("NewPassphrase", "s3cr3t!"),))
    lines = render_error(cmd, err(1, "Passphrase s3cr3t! too weak"))
    assert "s3cr3t!" not in "\n".join(lines)


def test_error_tagged_with_result_id_and_raw_error_is_json() -> None:
    lines = render_error(rq.Get(("Status", "X"), result_id="t1"), err(-32602, "No match on Path argument"))
    assert lines[-4:] == ['** resultId: "t1"', "** end", "", "ERROR"]
    raw = render_error(rq.Raw({"method": "xNope"}), err(-32601, "Method not found."))
    assert json.loads(raw[0]) == {"error": {"code": -32601, "message": "Method not found."}}


# --------------------------------------------------------------------------- §6.7-6.8 feedback

def test_events_drop_the_root_and_the_per_node_ids() -> None:
    action = {"WidgetId": "ExampleSlider", "Type": "changed", "Value": "127", "id": 1}
    payload = {"Event": {"UserInterface": {"Extensions": {"Widget": {"Action": action, "id": 1}, "id": 1}, "id": 1}},
               "Id": 0}
    assert render_feedback(payload, SCHEMA) == [
        '*e UserInterface Extensions Widget Action WidgetId: "ExampleSlider"',
        '*e UserInterface Extensions Widget Action Type: "changed"',
        '*e UserInterface Extensions Widget Action Value: "127"',
        "** end"]
    payload = {"Event": {"CallSuccessful": {"Protocol": "Spark", "CallRate": 20000, "CallId": 3, "id": 1}}}
    assert render_feedback(payload, SCHEMA) == [
        '*e CallSuccessful Protocol: "Spark"', "*e CallSuccessful CallRate: 20000",
        "*e CallSuccessful CallId: 3", "** end"]


def test_status_and_configuration_feedback() -> None:
    assert render_feedback({"Id": 0, "Status": {"Audio": {"Volume": 60}}}, SCHEMA) == [
        "*s Audio Volume: 60", "** end"]
    assert render_feedback({"Status": {"Standby": {"Active": "On"}}}, SCHEMA) == ["*s Standby Active: On", "** end"]
    assert render_feedback({"Configuration": {"Child": {"Child": {"Value": 85}}}, "Id": 2}) == [
        "*c xConfiguration Child Child Value: 85", "** end"]


def test_ghosts() -> None:
    assert render_feedback({"Status": {"Call": [{"id": 2, "ghost": "True"}]}, "Id": 0}) == [
        "*s Call 2 (ghost=True):", "** end"]
    assert render_feedback({"Status": {"Conference": {"Call": [{"ghost": "True", "id": "4"}]}}}) == [
        "*s Conference Call 4 (ghost=True):", "** end"]


def test_feedback_of_an_unknown_root_is_still_shown() -> None:
    assert render_feedback({"Id": 1, "Weird": {"X": 1}}) == ['{"Weird":{"X":1}}', "** end"]


# --------------------------------------------------------------------------- §6.9 resultId, §8 feedback verbs

def test_result_id_on_a_query_and_a_command() -> None:
    assert render_result(rq.Get(("Status", "Audio", "Volume"), result_id="Custom Value 1"), 50, SCHEMA) == [
        "*s Audio Volume: 50", '** resultId: "Custom Value 1"', "** end", "", "OK"]
    req = rq.Command(("Video", "SelfView", "Set"), (("Mode", "On"),), result_id="Custom Value 2")
    assert render_result(req, {"status": "OK"}) == [
        "", "OK", "*r SelfViewSetResult (status=OK): ", '** resultId: "Custom Value 2"', "** end"]


def test_feedback_register_list_deregister() -> None:
    assert render_result(rq.FeedbackRegister("/Status/Audio", ("Status", "Audio")), {"Id": 0}) == [
        "** end", "", "OK"]
    exprs = ["/Status/Audio", "/Configuration/Video/MainVideoSource", "/Event/CallDisconnect"]
    assert render_result(rq.FeedbackList(), exprs) == [
        "/Configuration/Video/MainVideoSource", "/Event/CallDisconnect", "/Status/Audio", "** end", "", "OK"]
    assert render_result(rq.FeedbackDeregister("/Event/CallDisconnect"), True) == ["** end", "", "OK"]
    assert render_result(rq.FeedbackDeregisterAll(), True) == ["** end", "", "OK"]


def test_set_and_raw() -> None:
    assert render_result(rq.Set(("Configuration", "Audio", "DefaultVolume"), 75), True) == ["** end", "", "OK"]
    reply = {"id": 1, "jsonrpc": "2.0", "result": {"Volume": 50}}
    assert render_result(rq.Raw({"method": "xGet"}), reply) == ['{"id":1,"jsonrpc":"2.0","result":{"Volume":50}}']


# --------------------------------------------------------------------------- a parser reads it back

LINE = re.compile(r'^\*([sce]) (?:xConfiguration )?(?P<path>.*?)(?: \((?P<attr>[^)]*)\))?:(?: (?P<value>.*))?$')


def parse_line(line: str) -> tuple[tuple[str, ...], Any]:
    """A strict reader of the §6.2 grammar, as an integrator's parser would be."""
    m = LINE.match(line)
    assert m, line
    value = m["value"]
    if value is not None and value.startswith('"'):
        value = json.loads(value)
    return tuple(m["path"].split(" ")), value


names = st.from_regex(r"[A-Z][A-Za-z]{0,8}", fullmatch=True)
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
trees = st.recursive(st.one_of(st.integers(-10**6, 10**6), texts),
                     lambda kids: st.dictionaries(names, kids, min_size=1, max_size=4), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(names, trees, min_size=1, max_size=4))
def test_every_leaf_reads_back_exactly(tree: dict[str, Any]) -> None:
    lines = render_feedback({"Status": tree})
    assert lines[-1] == "** end"
    expected: dict[tuple[str, ...], Any] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (k,))
        else:
            expected[path] = node

    walk(tree, ())
    got = dict(parse_line(ln) for ln in lines[:-1])
    assert len(lines) - 1 == len(expected)
    for path, value in expected.items():
        shown = got[path]
        assert shown == (str(value) if not isinstance(value, str) else value)


# --------------------------------------------------------------------------- output lexer

GOLDEN = [
    render_result(rq.Get(("Status", "Call")), [{"Status": "Connected", "CallbackNumber": 'a "q" b', "id": 2}], SCHEMA),
    render_result(rq.Command(("Dial",), result_id="r1"), {"CallId": 2, "status": "OK"}),
    render_error(rq.Get(("Status", "Audio", "Foo")), err(-32602, "No match on Path argument")),
    render_error(rq.Set(("Configuration", "Audio", "DefaultVolume"), 500), err(1, "Illegal value")),
    render_feedback({"Status": {"Call": [{"id": 2, "ghost": "True"}]}}),
    ["*? xConfiguration Video Input Connector[1..3] Name: <S: 0, 50>", "*? xCommand Dial",
     "    Number(r): <S: 0, 255>", "    ConnectorId[...]: <1..3>", "    A description line.", "",
     "- User Commands -", "*es Event CallSuccessful CallId", "Command not recognized.", "error: no node \"X\"",
     '{"id":1,"result":2}', "*r Login successful", "\tweird\ttabs: \"unterminated"],
]


def tokens(lines: list[str]) -> list[tuple[Any, str]]:
    return list(TshellOutputLexer().get_tokens("\n".join(lines)))


@pytest.mark.parametrize("lines", GOLDEN)
def test_lexer_covers_every_character(lines: list[str]) -> None:
    toks = tokens(lines)
    assert not [t for t in toks if t[0] in Error]
    assert "".join(v for _, v in toks) == "\n".join(lines) + "\n"


def test_lexer_colours_completion_lines_and_error_attributes() -> None:
    toks = [t for t in tokens(GOLDEN[0] + GOLDEN[2] + GOLDEN[4]) if t[1].strip()]
    assert (Generic.Inserted, "OK") in toks
    assert (Generic.Error, "ERROR") in toks
    assert (Generic.Error, "(status=Error)") in toks
    assert (Generic.Deleted, "(ghost=True)") in toks
    ok_value = tokens(["*s Video Input Connector 1 SignalState: OK"])
    assert (Generic.Inserted, "OK") not in ok_value


def test_a_word_with_a_trailing_newline_is_quoted_not_printed_bare() -> None:
    # `$` also matched before a final newline, so "A\n" printed as a bare literal `A`
    # and read back as a different value (found by the snapshot round trip).
    assert format_value("A\n", None) == '"A\\n"'
    assert format_value("Auto", None) == "Auto"


@pytest.mark.parametrize(("path", "empty"), [
    (["Status", "Call"], []),
    (["Status", "Call", 5], {}),
    (["status", "call", "5", "status"], {}),
    (["Status", "Conference", "Call"], []),
    (["Configuration", "Audio", "Input", "HDMI", 9, "Mode"], {}),
    (["Status", "Audio", "Volume"], None),  # no instances on the way: a real No match
    (["Status", "Nope"], None),
    (["Status", "Audio", 3], None),
    (["Command", "Dial"], None),
])
def test_empty_read_names_valid_paths_through_instances(path: list[Any], empty: Any) -> None:
    assert SCHEMA.empty_read(path) == empty
