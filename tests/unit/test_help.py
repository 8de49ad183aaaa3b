"""Help (`?`, `??`) and `xEvent` listings built from a schema, in tshell's layout (§5)."""

from __future__ import annotations

from typing import Any

import pytest

from xshell.lang.schema_help import columns, instance_range, render_help
from xshell.lang.requests import Help
from xshell.schema.model import Node, Param, ValueSpace, make_children, make_schema


def s(lo: int, hi: int) -> ValueSpace:
    return ValueSpace("String", min_length=lo, max_length=hi)


def lit(*values: str) -> ValueSpace:
    return ValueSpace("Literal", values=values)


def leaf(name: str, vs: ValueSpace, description: str = "", **kw: Any) -> Node:
    return Node(name, "leaf", value_space=vs, description=description, **kw)


def branch(name: str, *children: Node, **kw: Any) -> Node:
    return Node(name, kw.pop("kind", "branch"), children=make_children(children), **kw)


LONG = ("Define the default volume for the speakers. The volume is set to this level when you "
        "switch on the device or restart it, and the Audio Volume SetToDefault command resets it.")

SCHEMA = make_schema([
    branch("Configuration",
           branch("Audio", leaf("DefaultVolume", ValueSpace("Integer", 0, 100), LONG),
                  branch("Output", branch("HDMI", leaf("Mode", lit("On", "Off")), multi=True, instances=(1, 2)))),
           branch("SystemUnit", leaf("Name", s(0, 50), "The device name.")),
           branch("UserInterface", branch("Theme", leaf("Name", lit("Auto", "Light", "Night")))),
           branch("Video", branch("Input", branch("Connector", leaf("Name", s(0, 50)), leaf("Visibility", lit("Never")),
                                                  multi=True, instances=(1,))))),
    branch("Status",
           branch("Audio", leaf("Volume", ValueSpace("Integer"))),
           branch("Call", leaf("Status", lit("Connected", "Idle")), multi=True),
           branch("Peripherals", branch("ConnectedDevice", leaf("Name", s(0, 255)), multi=True,
                                        instances=(1001, 1002, 1003, 1005)))),
    branch("Command",
           Node("Dial", "command", description="Dial out.", params=(
               Param("Protocol", lit("H323", "Sip")),
               Param("Number", s(0, 255), required=True, description="The number or URI to dial."),
               Param("CallRate", ValueSpace("Integer", 64, 6000)))),
           branch("Video", branch("Input", Node("SetMainVideoSource", "command", params=(
               Param("ConnectorId", ValueSpace("IntegerArray", 1, 3), multiple=True),
               Param("Layout", lit("Equal", "PIP")))))),
           branch("HttpClient", Node("Post", "command", multiline=True, params=(
               Param("Url", s(8, 2048), required=True),)))),
    branch("Event",
           branch("CallSuccessful", leaf("CallId", ValueSpace("Integer")), leaf("Protocol", s(0, 255)), kind="event"),
           branch("Audio", branch("Input", branch("Connectors", branch(
               "Line", leaf("VuMeter", ValueSpace("Integer")), multi=True), kind="event"))),
           Node("Standby", "event", description="Standby state changed.")),
])


def helps(root: str, *path: Any, detail: bool = False) -> list[str]:
    return render_help(SCHEMA, Help(root, tuple(path), detail))


# --------------------------------------------------------------------------- top-level listings

def test_columns_match_the_roomos_capture() -> None:
    names = ["UserManagement", "AirPlay", "HttpClient", "Provisioning", "Audio", "HttpFeedback", "Proximity",
             "UserInterface"]
    assert columns(names) == [
        "AirPlay          HttpClient       Provisioning     UserInterface",
        "Audio            HttpFeedback     Proximity        UserManagement"]


def test_columns_widen_for_long_names_and_fit_80() -> None:
    rows = columns(["A" * 30, "B", "C", "D"])
    assert rows == ["A" * 30 + "  " + "C", "B" + " " * 31 + "D"]
    assert all(len(r) <= 80 for r in columns([f"Name{i:02}" for i in range(50)]))


@pytest.mark.parametrize(("root", "header", "first"), [
    ("Command", "- User Commands -", "Dial             HttpClient       Video"),
    ("Status", "- Status -", "Audio            Call             Peripherals"),
    ("Configuration", "- User Configurations -", "Audio            SystemUnit       UserInterface    Video"),
])
def test_verb_question_mark(root: str, header: str, first: str) -> None:
    assert helps(root) == [header, "", first, "", "OK"]


# --------------------------------------------------------------------------- value-space lines

def test_search_help_matches_the_roomos_capture() -> None:
    assert helps("Configuration", "//", "Name") == [
        "*? xConfiguration SystemUnit Name: <S: 0, 50>",
        "*? xConfiguration UserInterface Theme Name: <Auto, Light, Night>",
        "*? xConfiguration Video Input Connector[1] Name: <S: 0, 50>",
        "", "OK"]


def test_inner_node_lists_every_leaf_below_with_instance_ranges() -> None:
    assert helps("Configuration", "Audio") == [
        "*? xConfiguration Audio DefaultVolume: <0..100>",
        "*? xConfiguration Audio Output HDMI[1..2] Mode: <On, Off>",
        "", "OK"]
    assert helps("Status", "Peripherals") == [
        "*? xStatus Peripherals ConnectedDevice[1001..1003,1005] Name: <S: 0, 255>", "", "OK"]
    assert helps("Status", "Call")[0] == "*? xStatus Call[n] Status: <Connected, Idle>"


def test_typed_instance_is_shown_in_brackets() -> None:
    assert helps("Configuration", "Audio", "Output", "HDMI", 2) == [
        "*? xConfiguration Audio Output HDMI[2] Mode: <On, Off>", "", "OK"]


def test_leaf_help_and_detail_wraps_the_description() -> None:
    assert helps("Status", "Audio", "Volume") == ["*? xStatus Audio Volume: <Integer>", "", "OK"]
    out = helps("Configuration", "Audio", "DefaultVolume", detail=True)
    assert out[0] == "*? xConfiguration Audio DefaultVolume: <0..100>"
    body = out[1:-2]
    assert len(body) >= 2 and all(ln.startswith("    ") and len(ln) <= 80 for ln in body)
    assert " ".join(ln.strip() for ln in body) == LONG
    assert out[-2:] == ["", "OK"]


def test_double_question_mark_at_the_root_lists_everything() -> None:
    out = helps("Configuration", detail=True)
    assert "*? xConfiguration SystemUnit Name: <S: 0, 50>" in out
    assert out[out.index("*? xConfiguration SystemUnit Name: <S: 0, 50>") + 1] == "    The device name."


# --------------------------------------------------------------------------- commands

def test_command_help_required_first() -> None:
    assert helps("Command", "Dial") == [
        "*? xCommand Dial",
        "    Number(r): <S: 0, 255>",
        "    Protocol: <H323, Sip>",
        "    CallRate: <64..6000>",
        "", "OK"]


def test_command_help_marks_repeatable_and_multiline() -> None:
    assert helps("Command", "Video") == [
        "*? xCommand Video Input SetMainVideoSource",
        "    ConnectorId[...]: <1..3>",
        "    Layout: <Equal, PIP>",
        "", "OK"]
    assert helps("Command", "HttpClient", "Post")[:2] == ["*? xCommand HttpClient Post (multiline)",
                                                         "    Url(r): <S: 8, 2048>"]


def test_command_detail_adds_descriptions() -> None:
    out = helps("Command", "Dial", detail=True)
    assert out[:4] == ["*? xCommand Dial", "    Dial out.", "    Number(r): <S: 0, 255>",
                       "        The number or URI to dial."]


# --------------------------------------------------------------------------- events

def test_xevent_lists_fields_with_es_marker() -> None:
    assert helps("Event") == [
        "*es Event CallSuccessful CallId",
        "*es Event CallSuccessful Protocol",
        "*es Event Audio Input Connectors Line VuMeter",
        "*es Event Standby",
        "** end", "", "OK"]
    assert helps("Event", "Audio") == ["*es Event Audio Input Connectors Line VuMeter", "** end", "", "OK"]
    assert helps("Event", "*") == helps("Event")
    assert helps("Event", "//", "vu") == ["*es Event Audio Input Connectors Line VuMeter", "** end", "", "OK"]


def test_xevent_detail_adds_descriptions() -> None:
    out = helps("Event", "Standby", detail=True)
    assert out[:2] == ["*es Event Standby", "    Standby state changed."]


# --------------------------------------------------------------------------- errors

def test_unknown_path_suggests_a_name() -> None:
    out = helps("Configuration", "Audio", "DefaultVolum")
    assert out == ['error: xConfiguration Audio has no node "DefaultVolum"; did you mean "DefaultVolume"?',
                   "", "ERROR"]
    out = helps("Status", "Zzz")
    assert out[0] == 'error: xStatus has no node "Zzz"' and out[-1] == "ERROR"


def test_bad_instances_are_named() -> None:
    assert helps("Configuration", "Audio", "Output", "HDMI", 7)[0] == (
        "error: xConfiguration Audio Output HDMI has no instance 7 (ids 1..2)")
    assert helps("Status", "Audio", 2)[0] == "error: xStatus Audio has no instances; unexpected 2"


def test_missing_tree_is_an_error_line() -> None:
    small = make_schema([branch("Status", branch("Audio", leaf("Volume", ValueSpace("Integer"))))])
    out = render_help(small, Help("Command", ()))
    assert out[0].startswith("error: the schema has no Command tree") and out[-1] == "ERROR"


def test_instance_range_forms() -> None:
    assert instance_range(Node("X", multi=True)) == "[n]"
    assert instance_range(Node("X", multi=True, instances=(2,))) == "[2]"
    assert instance_range(Node("X", multi=True, instances=(1, 2, 3, 5, 7, 8))) == "[1..3,5,7..8]"


# --------------------------------------------------------------------------- the published schema

@pytest.fixture(scope="module")
def cisco(request: pytest.FixtureRequest) -> Any:
    from tests.conftest import SCHEMA_FILE
    if not SCHEMA_FILE.is_file():
        pytest.skip(f"published schema not found at {SCHEMA_FILE}")
    load_cisco = pytest.importorskip("xshell.schema.cisco").load_cisco
    return load_cisco(SCHEMA_FILE)


@pytest.mark.schema
def test_published_schema_command_listing(cisco: Any) -> None:
    out = render_help(cisco, Help("Command", ()))
    assert out[:2] == ["- User Commands -", ""] and out[-2:] == ["", "OK"]
    names = " ".join(out[2:-2]).split()
    assert {"Dial", "Audio", "UserInterface", "HttpClient"} <= set(names)
    assert names != sorted(names, key=str.lower)  # column-major: rows are not alphabetical
    assert all(len(r) <= 80 for r in out)


@pytest.mark.schema
def test_published_schema_spot_checks(cisco: Any) -> None:
    dial = render_help(cisco, Help("Command", ("Dial",)))
    assert dial[0] == "*? xCommand Dial" and dial[1] == "    Number(r): <S: 0, 255>"
    assert any(ln.startswith("    Protocol: <") and "Sip" in ln for ln in dial)
    vol = render_help(cisco, Help("Configuration", ("Audio", "DefaultVolume")))
    assert vol == ["*? xConfiguration Audio DefaultVolume: <0..100>", "", "OK"]
    names = render_help(cisco, Help("Configuration", ("//", "Name")))
    assert "*? xConfiguration SystemUnit Name: <S: 0, 50>" in names
    assert any(ln.startswith("*? xConfiguration Video Input Connector[1..") for ln in names)
    post = render_help(cisco, Help("Command", ("HttpClient", "Post")))
    assert post[0] == "*? xCommand HttpClient Post (multiline)" and "    Url(r): <S: 8, 2048>" in post
    events = render_help(cisco, Help("Event", ("CallSuccessful",)))
    assert "*es Event CallSuccessful CallId" in events and events[-3:] == ["** end", "", "OK"]
    wrong = render_help(cisco, Help("Status", ("Audio", "Volum")))
    assert "did you mean" in wrong[0] and '"Volume"' in wrong[0]


def test_shell_help_lists_every_verb_of_the_grammar() -> None:
    from xshell.commands.help import shell_help
    from xshell.lang.grammar import VERBS

    top = " ".join(shell_help()[:4])
    for verb in ("xGetxml", "xDocument", "xTransaction", *VERBS):
        assert f" {verb} " in f"{top} "
