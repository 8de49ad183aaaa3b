"""xDoc documents (spec xows.md §5.7/§10): the simulator's answers and the shell's reader.

The expected documents below are the spec's §10 excerpts, key for key. The round trips
check that what the simulator serves is enough for a client to rebuild the same schema.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xshell.schema.cisco import load_cisco
from xshell.schema.defaults import default_for_instance
from xshell.schema.model import ROOTS, Node, Param, Schema, ValueSpace, make_children, make_schema
from xshell.schema.xdoc import from_xdoc, to_xdoc

READ3 = ("Admin", "Integrator", "User")


def branch(name: str, *children: Node, multi: bool = False, instances: tuple[int, ...] = ()) -> Node:
    return Node(name, "branch", make_children(children), multi=multi, instances=instances)


def leaf(name: str, vs: ValueSpace, **kw: Any) -> Node:
    return Node(name, "leaf", value_space=vs, **kw)


def small_schema() -> Schema:
    """The nodes of the spec's §10 examples (plus a per-instance default and a dynamic list)."""
    command = branch(
        "Command",
        branch("HttpClient", Node("Post", "command", multiline=True, roles=("Admin",), params=(
            Param("Url", ValueSpace("String", min_length=8, max_length=2048), required=True),))),
        branch("SystemUnit", Node("FactoryReset", "command", roles=("Admin", "User"), params=(
            Param("Keep", ValueSpace("LiteralArray", values=("LocalSetup", "Network", "Provisioning")),
                  multiple=True),))),
    )
    hdmi_mode = leaf("Mode", ValueSpace("Literal", values=("Off", "On"), default="On"),
                     roles=("Admin", "Integrator"), read_roles=READ3)
    configuration = branch(
        "Configuration",
        branch("Audio",
               leaf("DefaultVolume", ValueSpace("Integer", min=0, max=100, default="50")),
               branch("Input", branch("HDMI", hdmi_mode, multi=True, instances=(2, 3))),
               branch("Output", branch("Line", leaf(
                   "Channel", ValueSpace("Literal", values=("Left", "Right"),
                                         default="[1]: Left; [2]: Right; ")),
                   multi=True, instances=(1, 2)))),
        branch("SIP", branch("Authentication", leaf(
            "Password", ValueSpace("String", min_length=0, max_length=128, default=""),
            hide_value=True, roles=("Admin",), read_roles=("Admin",)))),
        branch("Dynamic", leaf("Item", ValueSpace("String", default="x")), multi=True),
    )
    status = branch(
        "Status",
        branch("Audio",
               leaf("Volume", ValueSpace("Integer"), read_roles=READ3,
                    description="Shows the volume level (dB) of the loudspeaker output."),
               leaf("VolumeMute", ValueSpace("Literal", values=("On", "Off")), read_roles=("Admin", "User")),
               branch("Input", branch("Connectors", branch("HDMI", leaf(
                   "Mute", ValueSpace("Literal", values=("On", "Off")), read_roles=("Admin", "User")),
                   multi=True)))),
    )
    event = branch(
        "Event",
        branch("Macros", branch("Macro", Node(
            "Saved", "event", make_children([leaf("Name", ValueSpace("String"))]),
            read_roles=("Admin", "User", "Integrator", "RoomControl")))),
        branch("Peripherals", Node("DeviceDiscovery", "event", make_children([branch(
            "Device", leaf("DeviceType", ValueSpace("Literal")), leaf("MacAddress", ValueSpace("String")),
            leaf("Name", ValueSpace("String")), multi=True)]), read_roles=("Admin", "User"))),
    )
    return make_schema([command, configuration, status, event], product="Cisco Codec",
                       version="ce9.12.0.9a9b746472a")


# The spec's §10 excerpts (only `…` filled in and the jsxapi fixture's abbreviated
# DefaultVolume given its `access`, which every leaf carries).
SPEC_COMMAND_POST = {"access": "public-api", "command": "True", "multiline": "True", "role": "Admin",
                     "Url": {"required": "True",
                             "ValueSpace": {"type": "String", "minLength": "8", "maxLength": "2048"}}}
SPEC_COMMAND_RESET = {"access": "public-api", "command": "True", "role": "Admin;User",
                      "Keep": [{"required": "False", "ValueSpace": {
                          "type": "LiteralArray", "Value": ["LocalSetup", "Network", "Provisioning"]}}]}
SPEC_HDMI_MODE = {"access": "public-api", "role": "Admin;Integrator", "read": "Admin;Integrator;User",
                  "ValueSpace": {"type": "Literal", "default": "On", "Value": ["Off", "On"]}}
SPEC_STATUS_AUDIO: dict[str, Any] = {
    "Volume": {"ValueSpace": {"type": "Integer"}, "access": "public-api",
               "description": "Shows the volume level (dB) of the loudspeaker output.",
               "read": "Admin;Integrator;User"},
    "VolumeMute": {"ValueSpace": {"Value": ["On", "Off"], "type": "Literal"}, "access": "public-api",
                   "read": "Admin;User"},
    "Input": {"Connectors": {"HDMI": [{"Mute": {"access": "public-api", "read": "Admin;User",
                                                "ValueSpace": {"type": "Literal", "Value": ["On", "Off"]}}}]}}}
SPEC_EVENT = {
    "Macros": {"Macro": {"Saved": {"Name": {"type": "string"}, "access": "public-api", "event": "True",
                                   "read": "Admin;User;Integrator;RoomControl"}}},
    "Peripherals": {"DeviceDiscovery": {"Device": [{"DeviceType": {"type": "literal"},
                                                    "MacAddress": {"type": "string"},
                                                    "Name": {"type": "string"}}],
                                        "access": "public-api", "event": "True", "read": "Admin;User"}}}


def test_command_shapes_match_spec() -> None:
    s = small_schema()
    assert to_xdoc(s, ["Command", "HttpClient", "Post"]) == SPEC_COMMAND_POST
    assert to_xdoc(s, ["Command", "SystemUnit", "FactoryReset"]) == SPEC_COMMAND_RESET
    root = to_xdoc(s, ["Command"])
    assert (root["apiVersion"], root["product"], root["version"]) == ("4", "Cisco Codec", "ce9.12.0.9a9b746472a")
    assert root["HttpClient"]["Post"] == SPEC_COMMAND_POST


def test_configuration_shapes_match_spec() -> None:
    s = small_schema()
    audio = to_xdoc(s, ["Configuration", "Audio"])
    assert audio["DefaultVolume"] == {"access": "public-api", "ValueSpace": {
        "type": "Integer", "default": "50", "min": "0", "max": "100"}}
    assert audio["Input"] == {"HDMI": [{"id": "2", "Mode": SPEC_HDMI_MODE}, {"id": "3", "Mode": SPEC_HDMI_MODE}]}
    # a per-instance default is given inside each instance
    lines = audio["Output"]["Line"]
    assert [(e["id"], e["Channel"]["ValueSpace"]["default"]) for e in lines] == [("1", "Left"), ("2", "Right")]
    pw = to_xdoc(s, ["configuration", "sip", "authentication", "password"])
    assert pw["hide_value"] == "True" and pw["ValueSpace"]["default"] == ""
    # a dynamic Configuration list: one template element, no id
    assert to_xdoc(s, ["Configuration", "Dynamic"]) == [{"Item": {"access": "public-api", "ValueSpace": {
        "type": "String", "default": "x"}}}]


def test_status_and_event_shapes_match_spec() -> None:
    s = small_schema()
    assert to_xdoc(s, ["Status", "Audio"]) == SPEC_STATUS_AUDIO
    assert to_xdoc(s, ["Event"]) == SPEC_EVENT


def test_paths_ids_and_unknown_paths() -> None:
    s = small_schema()
    assert to_xdoc(s, ["configuration", "AUDIO", "input", "hdmi", 3]) == {"id": "3", "Mode": SPEC_HDMI_MODE}
    assert to_xdoc(s, ["Configuration", "Audio", "Input", "HDMI", "3", "Mode"]) == SPEC_HDMI_MODE
    assert to_xdoc(s, ["Configuration", "Audio", "Input", "HDMI", "Mode"]) == SPEC_HDMI_MODE
    assert to_xdoc(s, ["Status", "Audio", "Input", "Connectors", "HDMI", 7]) == SPEC_STATUS_AUDIO[
        "Input"]["Connectors"]["HDMI"][0]
    bad_paths: list[list[str | int]] = [["Configuration", "Audio", "Input", "HDMI", 9], ["Status", "Nope"],
                                        ["Bogus"], [], ["Status", "Audio", 1]]
    for bad in bad_paths:
        with pytest.raises(KeyError, match="No match on Path argument"):
            to_xdoc(s, bad)


def _docs(schema: Schema) -> dict[str, Any]:
    """The four root documents as a client receives them (through JSON)."""
    return {r: json.loads(json.dumps(to_xdoc(schema, [r]))) for r in ROOTS if schema.root(r)}


_FIELDS = ("kind", "multi", "instances", "value_space", "params", "multiline", "description",
           "access", "roles", "read_roles", "hide_value")


def _differences(a: Schema, b: Schema) -> list[str]:
    """Node by node, what differs. Event fields travel as their base type only (§10)."""
    out: list[str] = []
    left, right = dict(a.walk()), dict(b.walk())
    out += [f"only in one: {p}" for p in set(left) ^ set(right)]
    for path in set(left) & set(right):
        x, y = left[path], right[path]
        for f in _FIELDS:
            vx, vy = getattr(x, f), getattr(y, f)
            if f == "value_space" and path[0] == "Event" and x.kind == "leaf":
                vx, vy = vx.base, vy.base  # type: ignore[union-attr]
            if vx != vy:
                out.append(f"{' '.join(path)} {f}: {vx!r} != {vy!r}")
    return out


def test_round_trip_small() -> None:
    s = small_schema()
    back = from_xdoc(_docs(s))
    assert _differences(s, back) == []
    assert (back.product, back.version) == ("Cisco Codec", "ce9.12.0.9a9b746472a")
    assert from_xdoc(_docs(s), product="P", version="V").product == "P"


@lru_cache(maxsize=2)
def _full(path: Path, product: str | None = None) -> Schema:
    return load_cisco(path, product=product)


@pytest.mark.schema
@pytest.mark.parametrize("product", [None, "barents"])
def test_round_trip_full_published_schema(schema_file: Path, product: str | None) -> None:
    s = _full(schema_file, product)
    back = from_xdoc(_docs(s))
    assert _differences(s, back) == []
    assert sum(1 for _ in back.walk()) == sum(1 for _ in s.walk())
    # event literals lose their value lists on the wire (fields carry only `type`)
    lits = [n for p, n in s.walk("Event") if n.kind == "leaf" and n.value_space.values]  # type: ignore[union-attr]
    assert lits


@pytest.mark.schema
def test_full_schema_documents_follow_the_convention(schema_file: Path) -> None:
    """Attributes are strings; arrays are id'd (Configuration) or one template (others)."""
    s = _full(schema_file, "barents")
    lower_nodes = {n.name for _, n in s.walk() if n.name[:1].islower()}

    def check(doc: Any, root: str) -> None:
        if isinstance(doc, list):
            if root == "Configuration" and "id" in doc[0]:
                ids = [int(e["id"]) for e in doc]
                assert ids == sorted(ids) and all(isinstance(e["id"], str) for e in doc)
            else:
                assert len(doc) == 1 and "id" not in doc[0]
            for e in doc:
                check(e, root)
            return
        for key, value in doc.items():
            if key == "ValueSpace":
                assert all(isinstance(v, str) for k, v in value.items() if k != "Value")
                assert all(isinstance(v, str) for v in value.get("Value", []))
            elif key[:1].islower() and key not in lower_nodes:
                assert isinstance(value, str), key
            else:
                check(value, root)

    for root in ROOTS:
        check(to_xdoc(s, [root]), root)
    line = to_xdoc(s, ["Configuration", "Audio", "Output", "Line"])
    vs = s.node(["Configuration", "Audio", "Output", "Line", "Channel"]).value_space  # type: ignore[union-attr]
    assert [e["Channel"]["ValueSpace"]["default"] for e in line] == [
        default_for_instance(vs, int(e["id"])) for e in line]
    assert len({e["Channel"]["ValueSpace"]["default"] for e in line}) > 1


def test_from_spec_documents() -> None:
    """The spec's excerpts as a device would send them build the expected model."""
    docs = {
        "Command": {"apiVersion": "4", "product": "Cisco Codec", "version": "ce9.12.0",
                    "HttpClient": {"Post": SPEC_COMMAND_POST},
                    "SystemUnit": {"FactoryReset": SPEC_COMMAND_RESET}},
        "Configuration": {"Audio": {"Input": {"HDMI": [{"id": "2", "Mode": SPEC_HDMI_MODE},
                                                       {"id": "3", "Mode": SPEC_HDMI_MODE}]}}},
        "status": {"Audio": SPEC_STATUS_AUDIO},
        "Event": SPEC_EVENT,
    }
    s = from_xdoc(docs)
    assert (s.product, s.version) == ("Cisco Codec", "ce9.12.0")
    post = s.node(["Command", "HttpClient", "Post"])
    assert post is not None and post.kind == "command" and post.multiline and post.roles == ("Admin",)
    assert post.params == (Param("Url", ValueSpace("String", min_length=8, max_length=2048), required=True),)
    keep = s.node(["Command", "SystemUnit", "FactoryReset"]).param("keep")  # type: ignore[union-attr]
    assert keep is not None and keep.multiple and keep.value_space.values[0] == "LocalSetup"
    hdmi = s.node(["Configuration", "Audio", "Input", "HDMI"])
    assert hdmi is not None and hdmi.multi and hdmi.instances == (2, 3)
    assert hdmi.child("Mode").value_space.default == "On"  # type: ignore[union-attr]
    assert s.node(["Status", "Audio", "Input", "Connectors", "HDMI"]).multi  # type: ignore[union-attr]
    assert s.node(["Status", "Audio", "Volume"]).read_roles == READ3  # type: ignore[union-attr]
    assert s.node(["Event", "Macros", "Macro", "Saved"]).kind == "event"  # type: ignore[union-attr]
    assert s.node(["Event", "Peripherals", "DeviceDiscovery", "Device", "DeviceType"]).value_space.is_literal  # type: ignore[union-attr]


def test_from_xdoc_tolerates_junk() -> None:
    docs: dict[Any, Any] = {
        "Command": {"version": 5, "A": {"command": "True", "P": "junk", "Q": [], "R": [1, {"required": "x"}],
                                        "S": {"ValueSpace": {"type": "Integer", "min": "lo", "max": None}}},
                    "B": 3, "C": None},
        "Configuration": {"X": [1, "two", {"id": "nine?", "Y": {"ValueSpace": {"Value": "On", "type": "Literal"}}}],
                          "Z": {"ValueSpace": "nonsense"}, "E": []},
        "Status": ["not", "an", "object"],
        "Event": {"Ev": {"event": "True", "F": {"type": 7}, "G": [{"type": "int"}], "H": [None]}},
        "Unknown": {"A": {}},
        7: "seven",
    }
    s = from_xdoc(docs)
    assert s.root("Status") is None and s.version == ""
    cmd = s.node(["Command", "A"])
    assert cmd is not None and [p.name for p in cmd.params] == ["R", "S"]
    assert cmd.param("S").value_space.min is None  # type: ignore[union-attr]
    x = s.node(["Configuration", "X"])
    assert x is not None and x.multi and x.instances == ()
    assert s.node(["Configuration", "X", "Y"]).value_space.values == ("On",)  # type: ignore[union-attr]
    assert s.node(["Configuration", "Z"]).kind == "branch"  # type: ignore[union-attr]
    assert s.node(["Event", "Ev", "G"]).multi  # type: ignore[union-attr]
    junk: Any
    for junk in (None, [], "x", 3, {"Command": "x"}):
        assert from_xdoc(junk).roots == {}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["A", "b", "id", "ValueSpace", "type", "command", "event",
                                       "Value", "min", "default", "required", "Cc"]), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["Command", "Configuration", "Status", "Event"]), _json))
def test_from_xdoc_never_raises(docs: dict[str, Any]) -> None:
    s = from_xdoc(docs)
    for root in s.roots.values():
        to_xdoc(s, [root.name])  # and what it built can be served again
