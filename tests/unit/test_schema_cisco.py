"""Loading Cisco's published xAPI schema (roomos-26.1.1.json) into the Schema model.

Facts are checked against the raw file where they can be computed from it, so the tests
say what the loader must do with the data, not what one version of the data contains.
"""

from __future__ import annotations

import collections
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from xshell.schema.cisco import CiscoSchemaError, load_cisco, load_cisco_data, version_from_filename
from xshell.schema.defaults import default_for_instance, format_instance_defaults, parse_instance_defaults
from xshell.schema.model import Schema

pytestmark = pytest.mark.schema


@lru_cache(maxsize=4)
def _load(path: Path, product: str | None = None) -> Schema:
    return load_cisco(path, product=product)


@lru_cache(maxsize=1)
def _raw(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["objects"]


def _count(schema: Schema, root: str, kind: str) -> int:
    return sum(1 for _, n in schema.walk(root) if n.kind == kind)


# --- the full published schema ----------------------------------------------------------


def test_object_counts_match_readme_and_merges_are_by_path(schema_file: Path) -> None:
    """1299/817/606/185 objects; duplicates (one per product family) merge per path.

    A node's identity is its path without instance markers: `Audio Input HDMI[1..3] Mode`
    and `Audio Input HDMI[1] Mode` are one leaf. Events are 1:1 (no duplicates); the other
    three shrink by exactly the number of repeated paths.
    """
    raw = _raw(schema_file)
    assert collections.Counter(o["type"] for o in raw) == {
        "Configuration": 1299, "Status": 817, "Command": 606, "Event": 185}
    distinct: dict[str, set[str]] = collections.defaultdict(set)
    for o in raw:
        distinct[o["type"]].add(re.sub(r"\[[^\]]*\]", "", o["path"]).lower())
    schema = _load(schema_file)
    assert _count(schema, "Configuration", "leaf") == len(distinct["Configuration"])
    assert _count(schema, "Status", "leaf") == len(distinct["Status"])
    assert _count(schema, "Command", "command") == len(distinct["Command"])
    assert _count(schema, "Event", "event") == len(distinct["Event"]) == 185
    assert len(distinct["Configuration"]) < 1299 and len(distinct["Command"]) < 606


def test_dial_has_required_number_and_widened_call_rate(schema_file: Path) -> None:
    schema = _load(schema_file)
    dial = schema.node(["command", "dial"])
    assert dial is not None and dial.kind == "command" and dial.name == "Dial"
    number = dial.param("number")
    assert number is not None and number.required and number.value_space.is_string
    assert dial.param("CallRate") is not None and not dial.param("CallRate").required  # type: ignore[union-attr]
    # Dial appears once per product family with different CallRate maxima: the union is kept.
    maxima = {int(p["valuespace"]["Max"]) for o in _raw(schema_file)
              if o["type"] == "Command" and o["path"] == "Dial"
              for p in o["attributes"]["params"] if p["name"] == "CallRate"}
    assert len(maxima) > 1
    assert dial.param("CallRate").value_space.max == max(maxima)  # type: ignore[union-attr]


def test_multiline_commands(schema_file: Path) -> None:
    schema = _load(schema_file)
    post = schema.node(["Command", "HttpClient", "Post"])
    assert post is not None and post.multiline
    assert not schema.node(["Command", "Dial"]).multiline  # type: ignore[union-attr]
    multiline = {" ".join(p[1:]) for p, n in schema.walk("Command") if n.multiline}
    expected = {o["path"] for o in _raw(schema_file) if o["attributes"].get("multiline") == "True"}
    assert multiline == expected and len(expected) == 16


def test_hidden_values(schema_file: Path) -> None:
    schema = _load(schema_file)
    pw = schema.node(["Configuration", "SIP", "Authentication", "Password"])
    assert pw is not None and pw.hide_value and pw.secret
    assert not schema.node(["Configuration", "SIP", "Authentication", "UserName"]).secret  # type: ignore[union-attr]
    hidden = {" ".join(p[1:]) for p, n in schema.walk("Configuration") if n.hide_value}
    expected = {re.sub(r"\[[^\]]*\]", "", o["path"]) for o in _raw(schema_file)
                if o["attributes"].get("hide_value") == "True"}
    assert hidden == expected


def test_audio_input_ethernet_ranges_are_unioned(schema_file: Path) -> None:
    """[1..6]/[1..8]/[1] on Ethernet and [1..8]/[1..4] on Channel merge to one node each."""
    schema = _load(schema_file)
    eth = schema.node(["Configuration", "Audio", "Input", "Ethernet"])
    assert eth is not None and eth.multi and eth.instances == tuple(range(1, 9))
    channel = eth.child("Channel")
    assert channel is not None and channel.multi and channel.instances == tuple(range(1, 9))
    mode = schema.resolve(["configuration", "audio", "input", "ethernet", 3, "channel", 2, "mode"])
    assert mode.ok and mode.node is not None and mode.node.kind == "leaf"
    assert mode.path == ("Configuration", "Audio", "Input", "Ethernet", 3, "Channel", 2, "Mode")
    # One product: only its own ranges ([1] and [1..4] on davinci).
    davinci = _load(schema_file, "davinci")
    eth1 = davinci.node(["Configuration", "Audio", "Input", "Ethernet"])
    assert eth1 is not None and eth1.instances == (1,)
    assert eth1.child("Channel").instances == (1, 2, 3, 4)  # type: ignore[union-attr]


def test_dynamic_lists_and_multi_leaves(schema_file: Path) -> None:
    schema = _load(schema_file)
    call = schema.node(["Status", "Call"])
    assert call is not None and call.multi and call.instances == ()
    conn = schema.node(["Status", "Audio", "Input", "LocalInput", "Connector"])
    assert conn is not None and conn.kind == "leaf" and conn.multi  # LocalInput[n] Connector[n]
    # Cameras Camera is indexed on multi-camera products only: one multi node.
    cam = schema.node(["Configuration", "Cameras", "Camera"])
    assert cam is not None and cam.multi and cam.instances[0] == 1


def test_value_spaces_defaults_and_roles(schema_file: Path) -> None:
    schema = _load(schema_file, "barents")
    vol = schema.node(["Configuration", "Audio", "DefaultVolume"])
    assert vol is not None and vol.value_space is not None
    assert (vol.value_space.type, vol.value_space.min, vol.value_space.max) == ("Integer", 0, 100)
    assert vol.value_space.default == "50"
    assert vol.roles and "Admin" in vol.roles and "User" in vol.read_roles
    name = schema.node(["Configuration", "SystemUnit", "Name"])
    assert name is not None and name.value_space.is_string  # type: ignore[union-attr]
    assert name.value_space.max_length is not None and name.value_space.min_length == 0  # type: ignore[union-attr]
    uptime = schema.node(["Status", "SystemUnit", "Uptime"])
    assert uptime is not None and uptime.value_space.is_integer  # type: ignore[union-attr]
    assert uptime.value_space.min is None and uptime.value_space.max is None  # type: ignore[union-attr]
    # Statuses are read-only: the file's `role` lists who may read them.
    assert uptime.read_roles and not uptime.roles
    mute = schema.node(["Status", "Audio", "VolumeMute"])
    assert mute is not None and mute.value_space.is_literal and "On" in mute.value_space.values  # type: ignore[union-attr]
    assert all(n.access == "public-api" for _, n in schema.walk())
    assert all(n.value_space is not None and n.value_space.default is not None
               for _, n in schema.walk("Configuration") if n.kind == "leaf")


def test_command_param_arrays(schema_file: Path) -> None:
    schema = _load(schema_file)
    keep = schema.node(["Command", "SystemUnit", "FactoryReset"]).param("Keep")  # type: ignore[union-attr]
    assert keep is not None and keep.multiple and keep.value_space.type == "LiteralArray"
    assert keep.value_space.is_literal and keep.value_space.values
    header = schema.node(["Command", "HttpClient", "Post"]).param("Header")  # type: ignore[union-attr]
    assert header is not None and header.multiple and header.value_space.type == "StringArray"
    plain = schema.node(["Command", "Dial"]).param("Number")  # type: ignore[union-attr]
    assert plain is not None and not plain.multiple and plain.value_space.type == "String"


def test_events(schema_file: Path) -> None:
    schema = _load(schema_file)
    saved = schema.node(["Event", "Macros", "Macro", "Saved"])
    assert saved is not None and saved.kind == "event"
    assert saved.child("Name").kind == "leaf" and saved.child("Name").value_space.is_string  # type: ignore[union-attr]
    device = schema.node(["Event", "Peripherals", "DeviceDiscovery", "Device"])
    assert device is not None and device.multi and device.kind == "branch"
    assert device.child("MacAddress").kind == "leaf"  # type: ignore[union-attr]
    action = schema.node(["Event", "BootEvent", "Action"])
    assert action is not None and action.value_space.is_literal and "Restart" in action.value_space.values  # type: ignore[union-attr]
    ints = [n for _, n in schema.walk("Event") if n.kind == "leaf" and n.value_space.is_integer]  # type: ignore[union-attr]
    assert ints
    assert saved.read_roles and "Admin" in saved.read_roles


def test_version_and_product_filter(schema_file: Path) -> None:
    schema = _load(schema_file)
    assert schema.version == "RoomOS 26.1.1" and schema.product == ""
    barents = _load(schema_file, "barents")
    assert barents.product == "barents"
    assert barents.node(["Command", "Dial"]) is not None
    full = _count(schema, "Configuration", "leaf")
    assert 0 < _count(barents, "Configuration", "leaf") < full
    products_ok = {re.sub(r"\[[^\]]*\]", "", o["path"]).lower() for o in _raw(schema_file)
                   if o["type"] == "Status" and "barents" in o["products"]}
    got = {" ".join(p[1:]).lower() for p, n in barents.walk("Status") if n.kind == "leaf"}
    assert got == products_ok
    assert _count(load_cisco(schema_file, product="BARENTS"), "Command", "command") == \
        _count(barents, "Command", "command")
    nothing = load_cisco(schema_file, product="no-such-product")
    assert all(not r.children for r in nothing.roots.values())


def test_per_instance_defaults(schema_file: Path) -> None:
    """Per-product fixed-id objects give each connector its own default name."""
    schema = _load(schema_file, "barents")
    name = schema.node(["Configuration", "Video", "Input", "Connector", "Name"])
    assert name is not None and name.value_space is not None
    by_id = {int(m.group(1)): o["attributes"]["default"] for o in _raw(schema_file)
             if o["type"] == "Configuration" and "barents" in o["products"]
             and (m := re.fullmatch(r"Video Input Connector\[(\d+)\] Name", o["path"]))
             and not o["attributes"]["default"].startswith("[")}
    assert len(set(by_id.values())) > 1
    for i, text in by_id.items():
        assert default_for_instance(name.value_space, i) == text


# --- small hand-made files: merge rules and errors -------------------------------------


def _obj(type_: str, path: str, products: tuple[str, ...] = ("p1",), **attrs: Any) -> dict[str, Any]:
    return {"type": type_, "path": path, "products": list(products), "attributes": attrs}


def _cfg(path: str, vs: dict[str, Any], default: str, products: tuple[str, ...] = ("p1",)) -> dict[str, Any]:
    return _obj("Configuration", path, products, valuespace=vs, default=default,
                role=["Admin"], read=["Admin", "User"], access="public-api")


def test_merge_rules_on_a_small_file() -> None:
    lit = {"type": "Literal", "Values": ["Off", "On"]}
    data = {"objects": [
        _cfg("A Input[1..2] Mode", lit, "On", ("p1",)),
        _cfg("A Input[3] Mode", {"type": "Literal", "Values": ["Off", "On", "Auto"]}, "Off", ("p2",)),
        _cfg("A Level", {"type": "Integer", "Min": "0", "Max": "10"}, "5", ("p1",)),
        _cfg("A Level", {"type": "Integer", "Min": "-5", "Max": "8"}, "3", ("p2",)),
        _cfg("A Out[1..3] Channel", lit, "[1]: On; [2]: Off; [3]: On; "),
        _obj("Status", "A List[n] Item", role=["Admin", "User"], valuespace={"type": "String"}),
        _obj("Status", "A List[2] Extra", valuespace={"type": "Integer"}),
        _obj("Command", "A Do", role=["Admin"], params=[
            {"name": "Ids", "required": True, "valuespace": {"type": "IntegerArray", "Min": "1",
                                                             "Max": "4", "multiple": "4"}},
            {"name": "Level", "required": False, "default": "2",
             "valuespace": {"type": "Integer", "Min": "0", "Max": "9"}}]),
        _obj("Feature", "Something New"),
    ]}
    schema = load_cisco_data(data)
    mode = schema.node(["Configuration", "A", "Input", "Mode"])
    inp = schema.node(["Configuration", "A", "Input"])
    assert inp is not None and inp.instances == (1, 2, 3)
    assert mode is not None and mode.value_space.values == ("Off", "On", "Auto")  # type: ignore[union-attr]
    # ids 1..2 default On (range object), id 3 Off (its own object): per-instance notation
    assert parse_instance_defaults(mode.value_space.default) == {1: "On", 2: "On", 3: "Off"}  # type: ignore[union-attr]
    level = schema.node(["Configuration", "A", "Level"]).value_space  # type: ignore[union-attr]
    assert (level.min, level.max, level.default) == (-5, 10, "5")  # type: ignore[union-attr]
    chan = schema.node(["Configuration", "A", "Out", "Channel"]).value_space  # type: ignore[union-attr]
    assert [default_for_instance(chan, i) for i in (1, 2, 3)] == ["On", "Off", "On"]
    lst = schema.node(["Status", "A", "List"])
    assert lst is not None and lst.multi and lst.instances == ()  # [n] wins over [2]
    assert schema.node(["Status", "A", "List", "Item"]).read_roles == ("Admin", "User")  # type: ignore[union-attr]
    do = schema.node(["Command", "A", "Do"])
    assert do is not None and do.roles == ("Admin",)
    assert do.param("ids").multiple and do.param("ids").required  # type: ignore[union-attr]
    assert do.param("level").value_space.default == "2"  # type: ignore[union-attr]
    assert do.param("level").multiple is False  # type: ignore[union-attr]
    only_p2 = load_cisco_data(data, product="p2")
    assert only_p2.node(["Configuration", "A", "Input"]).instances == (3,)  # type: ignore[union-attr]
    assert only_p2.node(["Configuration", "A", "Input", "Mode"]).value_space.default == "Off"  # type: ignore[union-attr]


@pytest.mark.parametrize(("obj", "fragment"), [
    (_cfg("A Bad[x] Mode", {"type": "Literal", "Values": ["On"]}, "On"), "bad path element 'Bad[x]'"),
    (_cfg("A Level", {"type": "Integer", "Min": "low", "Max": "9"}, "1"), "Min 'low' is not an integer"),
    (_cfg("A Range[3..1] X", {"type": "String"}, ""), "empty instance range [3..1]"),
    (_obj("Command", "A Do", params=[{"required": True}]), "parameter without a name"),
])
def test_malformed_objects_are_named(obj: dict[str, Any], fragment: str) -> None:
    with pytest.raises(CiscoSchemaError) as err:
        load_cisco_data({"objects": [_obj("Status", "Fine", valuespace={"type": "String"}), obj]})
    msg = str(err.value)
    assert fragment in msg and "object 1" in msg and "\n" not in msg


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(CiscoSchemaError, match="cannot read schema file .*missing.json"):
        load_cisco(tmp_path / "missing.json")
    bad = tmp_path / "roomos-1.2.3.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CiscoSchemaError, match="not valid JSON"):
        load_cisco(bad)
    bad.write_text('{"objects": 3}', encoding="utf-8")
    with pytest.raises(CiscoSchemaError, match='no "objects" list'):
        load_cisco(bad)
    bad.write_text('{"objects": []}', encoding="utf-8")
    assert load_cisco(bad).version == "RoomOS 1.2.3"


@pytest.mark.parametrize(("name", "version"), [
    ("roomos-26.1.1.json", "RoomOS 26.1.1"),
    ("/x/ce-9.15.17.4.json", "CE 9.15.17.4"),
    ("11.27.2.0.json", "RoomOS 11.27.2.0"),
    ("9.15.17.4.json", "CE 9.15.17.4"),
    ("26.4.1 March 2026.json", "RoomOS 26.4.1"),
    ("schema.json", ""),
])
def test_version_from_filename(name: str, version: str) -> None:
    assert version_from_filename(name) == version


def test_instance_default_notation() -> None:
    assert parse_instance_defaults("[1]: Off; [2]: On; ") == {1: "Off", 2: "On"}
    assert parse_instance_defaults("[1]: PC 1 (HDMI); [3]: Camera;") == {1: "PC 1 (HDMI)", 3: "Camera"}
    for plain in ("On", "", None, "[1] On", "[x]: y; "):
        assert parse_instance_defaults(plain) is None
    assert format_instance_defaults({2: "b", 1: "a"}) == "[1]: a; [2]: b; "
