"""tshell line → Request: the spec's examples for every verb, schema-aware checks, scripts.

The small schema here is built with the model API so each test can see the facts it
relies on; a few tests repeat the checks against Cisco's full published schema.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from xshell.lang.bodies import needs_body, split_script
from xshell.lang.parse import parse, shell_command
from xshell.lang.parse_errors import ParseError, ScriptError, format_parse_error
from xshell.lang.search import search_matches
from xshell.lang.requests import (Command, FeedbackDeregister, FeedbackDeregisterAll,
                                  FeedbackList, FeedbackRegister, Get, Help, Query, Raw, Set)
from xshell.lang.unparse import is_local, redact_line, to_jsonrpc, to_line
from xshell.schema.model import Node, Param, Schema, ValueSpace, make_children, make_schema


def _leaf(name: str, vs: ValueSpace, **kw: object) -> Node:
    return Node(name, "leaf", value_space=vs, **kw)  # type: ignore[arg-type]


def _branch(name: str, *children: Node, **kw: object) -> Node:
    return Node(name, "branch", children=make_children(children), **kw)  # type: ignore[arg-type]


def _cmd(name: str, *params: Param, multiline: bool = False) -> Node:
    return Node(name, "command", params=params, multiline=multiline)


INT100 = ValueSpace("Integer", min=0, max=100)
ONOFF = ValueSpace("Literal", values=("On", "Off"))
STR50 = ValueSpace("String", min_length=0, max_length=50)
STR255 = ValueSpace("String", min_length=0, max_length=255)


def small_schema(*roots: str) -> Schema:
    """A tiny device: enough Status, Configuration, Command and Event to exercise the parser."""
    status = _branch(
        "Status",
        _branch("Audio", _leaf("Volume", ValueSpace("Integer")), _leaf("VolumeMute", ONOFF),
                _branch("Input", _branch("Connectors", _branch(
                    "HDMI", _leaf("Mute", ONOFF), multi=True)))),
        _branch("Call", _leaf("Status", ValueSpace("Literal", values=("Idle", "Connected"))),
                _leaf("Protocol", ValueSpace("String")), multi=True),
        _branch("Video", _branch("Input", _branch("Connector", _leaf("Connected", ONOFF),
                                                  multi=True),
                                 _branch("Source", _branch("Resolution", _leaf(
                                     "Width", ValueSpace("Integer"))), multi=True))),
        _branch("SystemUnit", _leaf("Uptime", ValueSpace("Integer"))))
    config = _branch(
        "Configuration",
        _branch("Audio", _leaf("DefaultVolume", INT100)),
        _branch("SystemUnit", _leaf("Name", STR50)),
        _branch("SIP", _branch("Authentication", _leaf("UserName", STR50),
                               _leaf("Password", STR50, hide_value=True))),
        _branch("NetworkServices", _branch("NTP", _leaf("Secret", ValueSpace("Integer"),
                                                        hide_value=True))),
        _branch("UserInterface", _branch("Theme", _leaf(
            "Name", ValueSpace("Literal", values=("Auto", "Light", "Night"))))),
        _branch("Video", _branch("Input", _branch("Connector", _leaf("Name", STR50),
                                                  multi=True, instances=(1, 2, 3)))))
    command = _branch(
        "Command",
        _cmd("Dial", Param("Number", STR255, required=True),
             Param("Protocol", ValueSpace("Literal", values=("H323", "Sip", "Spark"))),
             Param("CallRate", ValueSpace("Integer", min=64, max=6000))),
        _branch("Audio", _branch("Volume", _cmd("Set", Param("Level", INT100, required=True)),
                                 _cmd("Increase"), _cmd("Decrease"))),
        _branch("Video", _branch("Input", _cmd(
            "SetMainVideoSource", Param("ConnectorId", ValueSpace("IntegerArray", min=1, max=5)),
            Param("Layout", ValueSpace("Literal", values=("Equal", "PIP")))))),
        _branch("SystemUnit", _branch("WelcomeBanner", _cmd("Set", multiline=True)),
                _cmd("Boot", Param("Action", ValueSpace("Literal", values=("Restart", "Shutdown"))))),
        _branch("UserManagement", _branch("User", _branch("Passphrase", _cmd(
            "Set", Param("NewPassphrase", STR255, required=True),
            Param("OldPassphrase", STR255, required=True), Param("Pin", INT100))))),
        _branch("Macros", _branch("Macro", _cmd("Save", Param("Name", STR50, required=True),
                                                multiline=True))))
    event = _branch(
        "Event",
        Node("CallSuccessful", "event", children=make_children(
            [_leaf("Protocol", ValueSpace("String")), _leaf("CallRate", ValueSpace("Integer"))])),
        _branch("UserInterface", _branch("Extensions", Node("Widget", "branch", children=make_children(
            [Node("Action", "event", children=make_children(
                [_leaf("WidgetId", ValueSpace("String")), _leaf("Value", ValueSpace("String"))]))])))))
    all_roots = {"Status": status, "Configuration": config, "Command": command, "Event": event}
    return make_schema([all_roots[r] for r in (roots or all_roots)])


SCHEMA = small_schema()


@functools.lru_cache(maxsize=1)
def _load_published(path: str) -> Schema:
    cisco = pytest.importorskip("xshell.schema.cisco")
    return cisco.load_cisco(path)


@pytest.fixture
def published(schema_file: Path) -> Schema:
    return _load_published(str(schema_file))


def err(line: str, schema: Schema | None = None, body: str | None = None) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(line, schema, body)
    return info.value


# --- golden lines without a schema (tshell.md §2–§5, §8, §10) ---------------------------

GOLDEN = [
    ("xStatus Audio Volume", Get(("Status", "Audio", "Volume"))),
    ("xStatus", Get(("Status",))),
    ("xConfiguration", Get(("Configuration",))),
    ("xStatus Call 3 Status", Get(("Status", "Call", 3, "Status"))),
    ("xConfiguration H323 Profile 1 H323Alias ID", Get(("Configuration", "H323", "Profile", 1, "H323Alias", "ID"))),
    ("xConfiguration Video Input Connector[2] Name", Get(("Configuration", "Video", "Input", "Connector", 2, "Name"))),
    ("XSTATUS audio volume", Get(("Status", "audio", "volume"))),
    ("xstat SystemUnit Uptime", Get(("Status", "SystemUnit", "Uptime"))),
    ("xConfiguration Audio DefaultVolume: 75", Set(("Configuration", "Audio", "DefaultVolume"), "75")),
    ("xConfig Macros AutoStart: Off", Set(("Configuration", "Macros", "AutoStart"), "Off")),
    ('xConfiguration SystemUnit Name: "My System"', Set(("Configuration", "SystemUnit", "Name"), "My System")),
    ('xConfiguration H323 Profile 1 H323Alias ID: ""', Set(("Configuration", "H323", "Profile", 1, "H323Alias", "ID"), "")),
    ("xConfiguration Audio DefaultVolume:75", Set(("Configuration", "Audio", "DefaultVolume"), "75")),
    ('xCommand Dial Number: "alice@example.com"', Command(("Dial",), (("Number", "alice@example.com"),))),
    ("xCommand Dial Number:543210 Protocol:h323", Command(("Dial",), (("Number", "543210"), ("Protocol", "h323")))),
    ("xCommand Dial Number: sip:bob@example.com", Command(("Dial",), (("Number", "sip:bob@example.com"),))),
    ("xcom Standby Activate", Command(("Standby", "Activate"))),
    ('xCommand Bookings Edit MeetingId: 1 Title: "MS Local Booking"',
     Command(("Bookings", "Edit"), (("MeetingId", "1"), ("Title", "MS Local Booking")))),
    ('xCommand UserInterface Message Alert Display Text: "foo \\"bar\\" bin"',
     Command(("UserInterface", "Message", "Alert", "Display"), (("Text", 'foo "bar" bin'),))),
    ('xCommand Video SelfView Set Mode: On |resultId="Custom Value 2"',
     Command(("Video", "SelfView", "Set"), (("Mode", "On"),), result_id="Custom Value 2")),
    ('xStatus Audio Volume |resultId="Custom Value 1"', Get(("Status", "Audio", "Volume"), "Custom Value 1")),
    ("xStatus Audio Volume | resultId=abc", Get(("Status", "Audio", "Volume"), "abc")),
    ("xStatus //vid//res//wid", Query(("Status", "**"), ("Status", "//", "vid", "//", "res", "//", "wid"))),
    ("xconfiguration //out//hdmi", Query(("Configuration", "**"), ("Configuration", "//", "out", "//", "hdmi"))),
    ("xStatus Video // Width", Query(("Status", "Video", "**"), ("Status", "Video", "//", "Width"))),
    ("xStatus ** DisplayName", Query(("Status", "**", "DisplayName"))),
    ("xConfiguration *", Query(("Configuration", "**"))),
    ("xCommand ?", Help("Command", ())),
    ("xStatus ?", Help("Status", ())),
    ("xConfiguration ??", Help("Configuration", (), detail=True)),
    ("xCommand Dial ?", Help("Command", ("Dial",))),
    ("xConfiguration Audio DefaultVolume ?", Help("Configuration", ("Audio", "DefaultVolume"))),
    ("xConfiguration // Name ?", Help("Configuration", ("//", "Name"))),
    ("xConfiguration // Video // Name ?", Help("Configuration", ("//", "Video", "//", "Name"))),
    ("xEvent", Help("Event", ())),
    ("xEvent *", Help("Event", ())),
    ("xEvent Audio", Help("Event", ("Audio",))),
    ("xEvent ?", Help("Event", ())),
    ("xFeedback register /Status/Audio", FeedbackRegister("/Status/Audio", ("Status", "Audio"))),
    ("xFeedback Register Status/Audio/Volume", FeedbackRegister("Status/Audio/Volume", ("Status", "Audio", "Volume"))),
    ("xFeedback Register /event/UserInterface/Inputdevice",
     FeedbackRegister("/event/UserInterface/Inputdevice", ("Event", "UserInterface", "Inputdevice"))),
    ("xFeedback register /Configuration/Video/Input/Connector[@item='3']/Name",
     FeedbackRegister("/Configuration/Video/Input/Connector[@item='3']/Name",
                      ("Configuration", "Video", "Input", "Connector", 3, "Name"))),
    ("xFeedback register /Status/Video/Layout/Prediction/Site[1]",
     FeedbackRegister("/Status/Video/Layout/Prediction/Site[1]", ("Status", "Video", "Layout", "Prediction", "Site", 1))),
    ("xFeedback Register event/userinterface/extensions/*",
     FeedbackRegister("event/userinterface/extensions/*", ("Event", "userinterface", "extensions"))),
    ("xFeedback register Status Audio Volume", FeedbackRegister("Status Audio Volume", ("Status", "Audio", "Volume"))),
    ("xFeedback register Status/Call/3/Status", FeedbackRegister("Status/Call/3/Status", ("Status", "Call", 3, "Status"))),
    ('xFeedback register /Status/Audio | resultId="r1"', FeedbackRegister("/Status/Audio", ("Status", "Audio"), result_id="r1")),
    ("xFeedback deregister /Event/CallDisconnect", FeedbackDeregister("/Event/CallDisconnect", ("Event", "CallDisconnect"))),
    ("xFeedback deregisterall", FeedbackDeregisterAll()),
    ("xFeedback list", FeedbackList()),
    ('{"jsonrpc": "2.0", "id": 7, "method": "xGet", "params": {"Path": ["Status", "Audio"]}}',
     Raw({"jsonrpc": "2.0", "id": 7, "method": "xGet", "params": {"Path": ["Status", "Audio"]}})),
]


@pytest.mark.parametrize("line,expected", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_lines_without_a_schema(line: str, expected: object) -> None:
    assert parse(line) == expected


def test_requests_are_equal_only_to_their_own_kind() -> None:
    """The golden table's `==` must tell a `deregisterall` from a `list` (same values, both
    NamedTuples), and a request from the bare tuple of its values."""
    assert parse("xFeedback deregisterall") != FeedbackList()
    assert parse("xFeedback list") == FeedbackList() and parse("xFeedback list") != (None,)
    assert len({FeedbackList(), FeedbackDeregisterAll(), FeedbackList()}) == 2


def test_repeated_parameters_become_a_tuple_in_first_seen_order() -> None:
    req = parse('xCommand UserManagement User Add Role: "Admin" Username: u Role: "User" role: Audit')
    assert req == Command(("UserManagement", "User", "Add"),
                          (("Role", ("Admin", "User", "Audit")), ("Username", "u")))
    assert to_jsonrpc(req) == ("xCommand/UserManagement/User/Add",
                               {"Role": ["Admin", "User", "Audit"], "Username": "u"})


def test_string_escapes_are_decoded() -> None:
    req = parse(r'xCommand Message Send Text: "a\\b \"q\" \n\t\u00e9 \q"')
    assert req.params == (("Text", 'a\\b "q" \n\té \\q'),)  # type: ignore[union-attr]


def test_multiline_body_is_attached() -> None:
    req = parse('xCommand SystemUnit SignInBanner Set | resultId="42"', body="Hello!\nsecond")
    assert req == Command(("SystemUnit", "SignInBanner", "Set"), body="Hello!\nsecond", result_id="42")
    assert to_jsonrpc(req) == ("xCommand/SystemUnit/SignInBanner/Set", {"body": "Hello!\nsecond"})


# --- errors without a schema -------------------------------------------------------------

def test_the_issue_example_names_the_missing_colon_and_column() -> None:
    e = err('xCommand Dial Number "x"')
    assert str(e) == "missing ':' after Number at column 21"
    assert (e.column, e.expected) == (20, (":",))
    assert format_parse_error('xCommand Dial Number "x"', e) == [
        'xCommand Dial Number "x"', " " * 20 + "^", "missing ':' after Number at column 21"]


@pytest.mark.parametrize("line,message,column", [
    ("", "empty line", 0),
    ("   ", "empty line", 0),
    ("xFoo Audio", "unknown command 'xFoo'", 0),
    ("xc Audio", "unknown command 'xc'", 0),
    ('xCommand Dial Number: "alice', "unterminated string", 22),
    ("xCommand Dial Number:", "missing value for Number", 21),
    ("xCommand Dial Number: 1 Protocol", "missing ':' after Protocol", 32),
    ("xCommand Dial : x", "no space allowed between Dial and ':'", 13),
    ("xCommand Dial Number: 1 : x", "missing parameter name before ':'", 24),
    ("xCommand", "missing command after xCommand", 8),
    ("xConfiguration Audio DefaultVolume:", "missing value after ':'", 35),
    ("xConfiguration SystemUnit Name: My System", "unexpected text after the value", 35),
    ("xConfiguration SystemUnit Name \"x\"", "missing ':' after Name", 30),
    ("xStatus Audio Volume: 5", "xStatus is read-only", 20),
    ("xConfiguration //Audio Volume: 5", "cannot set through // or **", 29),
    ("xStatus Audio ? Volume", "'?' must end the line", 14),
    ("xStatus Audio | resultId", "malformed tag", 14),
    ("xStatus Audio ? | resultId=1", "a help request takes no resultId", 16),
    ("xStatus Au$dio", "invalid name 'Au$dio'", 8),
    ("xStatus // 1", "expected a name after //", 11),
    ("xFeedback", "xFeedback takes register EXPR", 9),
    ("xFeedback regist /Status", "unknown xFeedback sub-command 'regist'", 10),
    ("xFeedback register", "missing feedback expression after register", 18),
    ("xFeedback register /Stats/Audio", "a feedback expression starts with Status", 20),
    ("xFeedback register /Status/Video/Connector[x]", "bad index '[x]'", 42),
    ("xFeedback list everything", "xFeedback list takes nothing more", 15),
    ('{"method": "xGet", ', "invalid JSON: Expecting property name", 18),
    ('{"a": ' + "[" * 100000, "invalid JSON: nested too deeply", 0),
    ("help", "'help' is a shell command", 0),
    ("xpref outputmode json", "xPreferences is a shell setting", 0),
    ("xgetxml /Configurat", "a path starts with Status, Configuration or Event", 9),
    ("xgetxml", "missing path after xGetxml", 7),
    ('xDocument Path: "Status" Schema: maybe', "Schema takes True or False", 33),
    ("xtransaction", "xTransaction is not available over the WebSocket API", 0),
    ("# a comment", "a comment is not a request", 0),
])
def test_errors_name_what_is_wrong_and_where(line: str, message: str, column: int) -> None:
    e = err(line)
    assert e.message.startswith(message), e.message
    assert e.column == column
    assert "\n" not in str(e)


def test_unknown_command_suggests_the_verb() -> None:
    assert err("xstatsu Audio").suggestion == "xStatus"


def test_format_parse_error_keeps_the_caret_under_the_column_of_a_long_line() -> None:
    line = "xStatus " + "Audio " * 100 + "Au$dio"
    e = err(line)
    text, caret, message = format_parse_error(line, e)
    assert len(text) < 130 and text[caret.index("^"):].startswith("Au$dio")
    assert message == str(e)


def test_format_parse_error_never_shows_control_characters() -> None:
    text, caret, _ = format_parse_error("xStatus\tAu\x00dio", err("xStatus\tAu\x00dio"))
    assert text.isprintable() and caret.index("^") == 8


# --- schema-aware parsing ----------------------------------------------------------------

SCHEMA_GOLDEN = [
    ("xstatus audio volume", Get(("Status", "Audio", "Volume"))),
    ("xstatus video input connector 2 connected", Get(("Status", "Video", "Input", "Connector", 2, "Connected"))),
    ("xstatus call", Get(("Status", "Call"))),
    ("xconfiguration audio defaultvolume: 50", Set(("Configuration", "Audio", "DefaultVolume"), 50)),
    ("xconfiguration userinterface theme name: night", Set(("Configuration", "UserInterface", "Theme", "Name"), "Night")),
    ("xconfiguration systemunit name: 12345", Set(("Configuration", "SystemUnit", "Name"), "12345")),
    ("xcommand dial number: 12345 protocol: sip callrate: 768",
     Command(("Dial",), (("Number", "12345"), ("Protocol", "Sip"), ("CallRate", 768)))),
    ("xcommand video input setmainvideosource connectorid: 1 connectorid: 2",
     Command(("Video", "Input", "SetMainVideoSource"), (("ConnectorId", (1, 2)),))),
    ("xcommand audio volume set level: 70", Command(("Audio", "Volume", "Set"), (("Level", 70),))),
    ("xfeedback register /status/audio/volume", FeedbackRegister("/status/audio/volume", ("Status", "Audio", "Volume"))),
    ("xfeedback register status/video/input/connector[1]/connected",
     FeedbackRegister("status/video/input/connector[1]/connected", ("Status", "Video", "Input", "Connector", 1, "Connected"))),
    ("xfeedback register event/userinterface/extensions/*",
     FeedbackRegister("event/userinterface/extensions/*", ("Event", "UserInterface", "Extensions"))),
    ("xcommand dial ?", Help("Command", ("Dial",))),
    ("xevent callsuccessful", Help("Event", ("CallSuccessful",))),
    ("xstatus audio //vol", Query(("Status", "Audio", "**"), ("Status", "Audio", "//", "vol"))),
]


@pytest.mark.parametrize("line,expected", SCHEMA_GOLDEN, ids=[g[0] for g in SCHEMA_GOLDEN])
def test_schema_canonicalises_names_and_types_values(line: str, expected: object) -> None:
    assert parse(line, SCHEMA) == expected


@pytest.mark.parametrize("line,message,column,suggestion", [
    ("xStatus Audio Volme", "unknown node 'Volme' under xStatus Audio", 14, "Volume"),
    ("xStatus Adio Volume", "unknown node 'Adio' under xStatus", 8, "Audio"),
    ("xConfiguration Audio DefaultVolume: 150", "bad value for DefaultVolume: 150 is out of range <0..100>", 36, None),
    ("xConfiguration Audio DefaultVolume: loud", "bad value for DefaultVolume: expected an integer <0..100>", 36, None),
    ("xConfiguration UserInterface Theme Name: Nite", "bad value for Name", 41, "Night"),
    ("xConfiguration Audio: 5", "xConfiguration Audio is not a setting", 20, None),
    ("xCommand Dial Protocol: Sip", "missing required parameter Number for xCommand Dial", 27, None),
    ("xCommand Dial Numbr: 1", "unknown parameter 'Numbr' for xCommand Dial", 14, "Number"),
    ("xCommand Dial Number: 1 Protocol: Skype", "bad value for Protocol", 34, None),
    ("xCommand Dial Number: 1 Number: 2", "Number takes one value; it is given twice", 24, None),
    ("xCommand Audio Volume", "xCommand Audio Volume is not a command", 21, None),
    ("xCommand Audio Volume Lvel: 3", "xCommand Audio Volume is not a command", 22, None),
    ("xCommand Dail Number: 1", "unknown node 'Dail' under xCommand", 9, "Dial"),
    ("xStatus Audio 1 Volume", "xStatus Audio takes no instance id", 14, None),
    ("xConfiguration Video Input Connector 9 Name", "Connector has no instance 9", 37, None),
    ("xFeedback register /Status/Audio/Volum", "unknown node 'Volum' under xStatus Audio", 33, "Volume"),
    ("xStatus Audio Volume Foo", "unknown node 'Foo' under xStatus Audio Volume", 21, None),
])
def test_schema_errors_point_at_the_word_with_choices(line: str, message: str, column: int,
                                                      suggestion: str | None) -> None:
    e = err(line, SCHEMA)
    assert e.message.startswith(message), e.message
    assert (e.column, e.suggestion) == (column, suggestion)


def test_unknown_node_error_lists_the_valid_choices() -> None:
    e = err("xStatus Audio Zzz", SCHEMA)
    assert set(e.expected) == {"Volume", "VolumeMute", "Input"}
    assert str(e).endswith("expected one of Volume, VolumeMute, Input")


def test_missing_colon_with_a_schema_matches_the_schemaless_message() -> None:
    assert str(err('xCommand Dial Number "x"', SCHEMA)) == "missing ':' after Number at column 21"


def test_a_partial_schema_checks_only_the_roots_it_has() -> None:
    only_status = small_schema("Status")
    assert parse("xcommand anything goes: 1", only_status) == Command(("anything",), (("goes", "1"),))
    assert err("xstatus audio zzz", only_status).column == 14


def test_a_body_on_a_command_that_takes_none_is_an_error() -> None:
    assert "takes no body" in err("xCommand Dial Number: 1", SCHEMA, body="x").message
    assert parse("xCommand Macros Macro Save Name: m", SCHEMA, body="x").body == "x"  # type: ignore[union-attr]


@pytest.mark.parametrize("line", [
    "xConfiguration NetworkServices NTP Secret: 12ab34",
    "xConfiguration NetworkServices NTP Secret: 12 34",
    "xCommand UserManagement User Passphrase Set NewPassphrase: hunter2 Pin: 12ab34",
    "xCommand UserManagement User Passphrase Set NewPassphrase: hunter2 12ab34 OldPassphrase: x",
    "xCommand UserManagement User Passphrase Set NewPassphrase: hunter2 12ab34",
])
def test_secrets_never_appear_in_errors(line: str) -> None:
    e = err(line, SCHEMA)
    shown = "\n".join(format_parse_error(line, e, SCHEMA))
    assert "12ab34" not in shown and "hunter2" not in shown and "***" in shown


def test_published_schema_canonicalises_and_checks(published: Schema) -> None:
    assert parse("xcommand dial number: 123 protocol: sip", published) == \
        Command(("Dial",), (("Number", "123"), ("Protocol", "Sip")))
    assert parse("xconfiguration audio defaultvolume: 50", published) == \
        Set(("Configuration", "Audio", "DefaultVolume"), 50)
    assert err("xstatus audio volme", published).suggestion == "Volume"
    assert err("xcommand audio volume set", published).message.startswith(
        "missing required parameter Level")
    assert parse("xcommand video input setmainvideosource connectorid: 1 connectorid: 2",
                 published).params == (("ConnectorId", (1, 2)),)  # type: ignore[union-attr]


def test_published_schema_knows_every_multiline_command(published: Schema) -> None:
    from xshell.lang.bodies import MULTILINE_COMMANDS
    marked = {tuple(n.lower() for n in path[1:]) for path, node in published.walk("Command")
              if node.kind == "command" and node.multiline}
    assert marked == MULTILINE_COMMANDS


# --- multiline commands and scripts ------------------------------------------------------

@pytest.mark.parametrize("line,schema,expected", [
    ("xCommand SystemUnit WelcomeBanner Set", None, True),
    ('xcommand httpclient post Url: "http://x" | resultId="1"', None, True),
    ("xCommand Macros Macro Save Name: m", None, True),
    ("xCommand UserInterface Extensions Panel Save PanelId: p", None, True),
    ("xCommand Dial Number: 1", None, False),
    ("xCommand SystemUnit WelcomeBanner Set ?", None, False),
    ("xStatus SystemUnit WelcomeBanner Set", None, False),
    ("xCommand SystemUnit WelcomeBanner Set", SCHEMA, True),
    ("xCommand HttpClient Post", SCHEMA, False),  # this device has no HttpClient
    ("xCommand Dial", SCHEMA, False),
])
def test_needs_body(line: str, schema: Schema | None, expected: bool) -> None:
    assert needs_body(line, schema) is expected


def test_split_script_collects_bodies_and_skips_comments() -> None:
    script = ("# set up\n\nxConfiguration Audio DefaultVolume: 50\r\n"
              "xCommand SystemUnit WelcomeBanner Set\nHello!\nThis is the second line of text.\n.\n"
              "  # indented comment\nxStatus Audio Volume\n"
              "xCommand Macros Macro Save Name: \"m\"\n.\n")
    assert list(split_script(script)) == [
        (3, "xConfiguration Audio DefaultVolume: 50", None),
        (4, "xCommand SystemUnit WelcomeBanner Set", "Hello!\nThis is the second line of text."),
        (9, "xStatus Audio Volume", None),
        (10, 'xCommand Macros Macro Save Name: "m"', ""),
    ]


def test_split_script_reports_an_unended_body_with_its_line_number() -> None:
    items = split_script("xStatus Audio\nxCommand HttpClient Post Url: x Header: \"Authorization: s3cr3t\"\n{}\n")
    assert next(items) == (1, "xStatus Audio", None)
    with pytest.raises(ScriptError) as info:
        next(items)
    assert info.value.lineno == 2 and str(info.value).startswith("line 2: ")
    assert "HttpClient Post" in str(info.value) and "s3cr3t" not in str(info.value)


# --- search filter -------------------------------------------------------------------------

@pytest.mark.parametrize("path,search,expected", [
    (("Status", "Video", "Input", "Source", 1, "Resolution", "Width"), ("Status", "//", "vid", "//", "res", "//", "wid"), True),
    (("Status", "Video", "Output", "Connector", 1, "Resolution", "Width"), ("Status", "//", "vid", "//", "res", "//", "wid"), True),
    (("Status", "Video", "Input", "Source", 1, "Resolution", "Height"), ("Status", "//", "vid", "//", "res", "//", "wid"), False),
    (("Status", "Audio", "Volume"), ("Status", "//", "vid"), False),
    (("Configuration", "Audio", "Output", "HDMI", 1, "Level"), ("Configuration", "//", "out", "//", "hdmi"), True),
    (("Configuration", "Audio", "Output", "Line", 1, "Level"), ("Configuration", "//", "out", "//", "hdmi"), False),
    (("Status", "Call", 3, "Status"), ("Status", "Call", "Status"), True),
    (("Status", "Call", 3, "Status"), ("Status", "Call", 3, "Status"), True),
    (("Status", "Call", 4, "Status"), ("Status", "Call", 3, "Status"), False),
    (("Status", "SIP", "CallForward", "DisplayName"), ("Status", "**", "DisplayName"), True),
    (("Status", "SIP", "CallForward", "DisplayNameX"), ("Status", "**", "DisplayName"), False),
    (("Status", "Audio", "Volume"), ("status", "audio"), True),
    (("Status", "Audio", "Volume"), ("Status", "Video", "//", "w"), False),
    (("Status", "Audio", "Volume"), (), True),
])
def test_search_matches_prefixes_at_any_depth(path: tuple, search: tuple, expected: bool) -> None:
    assert search_matches(path, search) is expected


def test_search_from_a_parsed_query_filters_like_tshell() -> None:
    q = parse("xStatus //vid//res//wid")
    assert isinstance(q, Query)
    hits = [p for p in [("Status", "Video", "Input", "Source", 1, "Resolution", "Width"),
                        ("Status", "Video", "Output", "Connector", 1, "Resolution", "Width"),
                        ("Status", "Audio", "Volume")] if search_matches(p, q.search)]
    assert len(hits) == 2


def test_shell_commands_are_recognised_for_the_repl() -> None:
    assert shell_command("?") == ("help", ())
    assert shell_command('output "x y"') == ("output", ("x y",))
    assert shell_command("xpref outputmode json") == ("xpreferences", ("outputmode", "json"))
    assert shell_command("xStatus Audio") is None and shell_command("") is None


# --- unparse: JSON-RPC mapping and canonical lines ------------------------------------------

@pytest.mark.parametrize("req,expected", [
    (Get(("Status", "Audio", "Volume")), ("xGet", {"Path": ["Status", "Audio", "Volume"]})),
    (Query(("Status", "**", "DisplayName")), ("xQuery", {"Query": ["Status", "**", "DisplayName"]})),
    (Set(("Configuration", "Audio", "DefaultVolume"), 50), ("xSet", {"Path": ["Configuration", "Audio", "DefaultVolume"], "Value": 50})),
    (Command(("Audio", "Volume", "Set"), (("Level", 60),)), ("xCommand/Audio/Volume/Set", {"Level": 60})),
    (Command(("Standby", "Activate")), ("xCommand/Standby/Activate", {})),
    (FeedbackRegister("/Status/Audio", ("Status", "Audio"), notify_current=True),
     ("xFeedback/Subscribe", {"Query": ["Status", "Audio"], "NotifyCurrentValue": True})),
    (Raw({"jsonrpc": "2.0", "id": 1, "method": "xGet", "params": {"Path": ["Status"]}}), ("xGet", {"Path": ["Status"]})),
])
def test_to_jsonrpc(req: object, expected: tuple) -> None:
    assert to_jsonrpc(req) == expected  # type: ignore[arg-type]
    assert not is_local(req)  # type: ignore[arg-type]


@pytest.mark.parametrize("req", [FeedbackDeregister("/Status"), FeedbackDeregisterAll(), FeedbackList(),
                                 Help("Status", ()), Raw({"no": "method"})])
def test_local_requests_are_not_sent(req: object) -> None:
    with pytest.raises(ValueError):
        to_jsonrpc(req)  # type: ignore[arg-type]


@pytest.mark.parametrize("req,schema,line", [
    (Command(("Dial",), (("Number", "alice@example.com"),)), None, 'xCommand Dial Number: "alice@example.com"'),
    (Command(("Dial",), (("Number", "1"), ("Protocol", "Sip"), ("CallRate", 768))), SCHEMA,
     'xCommand Dial Number: "1" Protocol: Sip CallRate: 768'),
    (Command(("X",), (("Id", ("1", "2")),), result_id='a "b"'), None, 'xCommand X Id: "1" Id: "2" | resultId="a \\"b\\""'),
    (Set(("Configuration", "Audio", "DefaultVolume"), 50), SCHEMA, "xConfiguration Audio DefaultVolume: 50"),
    (Get(("Status", "Call", 2, "Status")), None, "xStatus Call 2 Status"),
    (Query(("Status", "**"), ("Status", "//", "vid", "//", "wid")), None, "xStatus //vid //wid"),
    (Help("Command", ("Dial",), detail=True), None, "xCommand Dial ??"),
    (FeedbackRegister("/Status/Audio", ("Status", "Audio")), None, "xFeedback register /Status/Audio"),
])
def test_to_line_is_canonical_tshell(req: object, schema: Schema | None, line: str) -> None:
    assert to_line(req, schema=schema) == line  # type: ignore[arg-type]
    assert parse(line, schema) == req


def test_to_line_redacts_secrets() -> None:
    cmd = parse('xCommand UserManagement User Passphrase Set NewPassphrase: "n3w" OldPassphrase: "0ld"', SCHEMA)
    assert to_line(cmd, redact=True) == \
        "xCommand UserManagement User Passphrase Set NewPassphrase: *** OldPassphrase: ***"
    hidden = parse("xConfiguration NetworkServices NTP Secret: 42", SCHEMA)
    assert "42" in to_line(hidden) and "42" not in to_line(hidden, redact=True, schema=SCHEMA)
    raw = parse('{"method": "xCommand/X", "params": {"Password": "pw1", "User": "u"}}')
    assert "pw1" not in to_line(raw, redact=True) and '"u"' in to_line(raw, redact=True)


@pytest.mark.parametrize("line,shown", [
    ('xCommand Security Login Password: "p w" User: u', "xCommand Security Login Password: *** User: u"),
    ("xCommand Security Login Password: p w User: u", "xCommand Security Login Password: *** *** User: u"),
    ('xCommand UserManagement User Passphrase Set NewPassphrase "x"',
     "xCommand UserManagement User Passphrase Set NewPassphrase ***"),
    ("xConfiguration SIP Authentication Password: abc", "xConfiguration SIP Authentication Password: ***"),
    ('{"params": {"Passphrase": "abc", "x": 1}', "***"),  # JSON that cannot be read: all of it
    ("xStatus Audio Volume", "xStatus Audio Volume"),
    ('@all xCommand Security Login Password: "p w" User: u',
     "@all xCommand Security Login Password: *** User: u"),
    ("@room1,room2 xConfiguration SIP Authentication Password: abc",
     "@room1,room2 xConfiguration SIP Authentication Password: ***"),
])
def test_redact_line_masks_secrets_even_in_lines_that_do_not_parse(line: str, shown: str) -> None:
    assert redact_line(line) == shown


# A history line recalled with its secret masked must never send the mask as the secret.
@pytest.mark.parametrize("line", [
    'xCommand UserManagement User Passphrase Set Username: "bob" NewPassphrase: *** YourPassphrase: "x"',
    'xCommand UserManagement User Passphrase Set Username: "bob" NewPassphrase: "***" YourPassphrase: "x"',
    "xConfiguration SIP Authentication Password: ***",
])
def test_masked_secret_from_history_is_refused(line: str) -> None:
    from xshell.lang.parse import parse
    from xshell.lang.parse_errors import ParseError

    with pytest.raises(ParseError, match=r"masked \(\*\*\*\).*type the real value"):
        parse(line)
