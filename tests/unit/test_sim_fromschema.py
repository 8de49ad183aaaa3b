"""A factory-fresh device model from a schema: every value legal, lists as on an idle device."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xshell.schema.cisco import load_cisco
from xshell.schema.defaults import default_for_instance
from xshell.schema.model import Node, Schema, ValueSpace, make_children, make_schema
from xshell.sim.device import DeviceModel
from xshell.sim.fromschema import TRANSIENT_LISTS, model_from_schema, status_value


@lru_cache(maxsize=2)
def _model(path: Path, product: str | None = None) -> DeviceModel:
    return model_from_schema(load_cisco(path, product=product))


def _problems(model: DeviceModel) -> list[str]:
    """Values that do not resolve to a leaf of their root or are illegal there."""
    out = []
    for root, values in (("Status", model.status), ("Configuration", model.configuration)):
        for path, value in values.items():
            r = model.schema.resolve((root, *path))
            if not r.ok or r.node is None or r.node.kind != "leaf":
                out.append(f"{root} {path}: {r.error or 'not a leaf'}")
                continue
            vs = r.node.value_space or ValueSpace()
            why = vs.check(value)
            if why or (vs.is_integer and type(value) is not int) or (not vs.is_integer and not isinstance(value, str)):
                out.append(f"{root} {path}: {value!r} {why or 'wrong type'}")
    return out


def _leaf_paths(schema: Schema, root: str) -> set[tuple[str, ...]]:
    return {p[1:] for p, n in schema.walk(root) if n.kind == "leaf"}


def _under_transient(names: tuple[str, ...]) -> bool:
    low = tuple(n.lower() for n in names)
    return any(low[:i] in TRANSIENT_LISTS for i in range(1, len(low) + 1))


@pytest.mark.schema
@pytest.mark.parametrize("product", [None, "barents"])
def test_every_value_is_legal_and_every_leaf_has_one(schema_file: Path, product: str | None) -> None:
    model = _model(schema_file, product)
    assert _problems(model) == []
    for root, values in (("Status", model.status), ("Configuration", model.configuration)):
        have = {tuple(e for e in p if isinstance(e, str)) for p in values}
        missing = {p for p in _leaf_paths(model.schema, root) - have if not _under_transient(p)}
        assert missing == set(), root


@pytest.mark.schema
def test_configuration_values_are_the_defaults(schema_file: Path) -> None:
    model = _model(schema_file, "barents")
    schema = model.schema
    assert model.configuration[("Audio", "DefaultVolume")] == 50  # Integer default coerced to int
    assert model.configuration[("SystemUnit", "Name")] == model.name == "Meeting Room 1"  # a room is named
    checked = 1
    for path, value in model.configuration.items():
        if path == ("SystemUnit", "Name"):
            continue
        node = schema.node(("Configuration", *path))
        ids = [e for e in path if isinstance(e, int)]
        default = default_for_instance(node.value_space, ids[-1] if ids else None)  # type: ignore[union-attr]
        assert value == node.value_space.coerce(default), path  # type: ignore[union-attr,arg-type]
        checked += 1
    assert checked == len(model.configuration) > 500
    names = {i: model.configuration[("Video", "Input", "Connector", i, "Name")]
             for i in schema.node(["Configuration", "Video", "Input", "Connector"]).instances}  # type: ignore[union-attr]
    assert len(names) > 1 and len(set(names.values())) == len(names)  # per-connector defaults


@pytest.mark.schema
def test_instances_of_an_idle_device(schema_file: Path) -> None:
    model = _model(schema_file, "barents")
    assert not any(p[0] == "Call" for p in model.status)
    assert not any(p[:2] == ("Conference", "Call") for p in model.status)
    assert not any(p[:2] == ("Peripherals", "ConnectedDevice") for p in model.status)
    connectors = {p[3] for p in model.status if p[:3] == ("Video", "Input", "Connector")}
    assert connectors == {1}  # a dynamic list that is not transient: one instance
    eth = model.schema.node(["Configuration", "Audio", "Input", "Microphone"])
    mics = {p[3] for p in model.configuration if p[:3] == ("Audio", "Input", "Microphone")}
    assert eth is not None and mics == set(eth.instances) and len(mics) > 1


@pytest.mark.schema
def test_plausible_status_strings(schema_file: Path) -> None:
    model = _model(schema_file, "barents")
    assert model.status[("SystemUnit", "Software", "Version")] == model.schema.version == "RoomOS 26.1.1"
    addr = model.status[("Network", 1, "IPv4", "Address")]
    assert isinstance(addr, str) and addr.count(".") == 3
    assert ":" in str(model.status[("Network", 1, "IPv6", "Address")])
    assert model.status[("SystemUnit", "Uptime")] == 0


def _schema(*status: Node, config: tuple[Node, ...] = (), version: str = "RoomOS 1.0") -> Schema:
    return make_schema([Node("Status", children=make_children(status)),
                        Node("Configuration", children=make_children(config))], version=version)


def test_small_schema_values_and_instances() -> None:
    s = _schema(
        Node("Level", "leaf", value_space=ValueSpace("Integer", min=5, max=9)),
        Node("Offset", "leaf", value_space=ValueSpace("Integer", min=-9, max=-3)),
        Node("State", "leaf", value_space=ValueSpace("Literal", values=("Idle", "Busy"))),
        Node("Code", "leaf", value_space=ValueSpace("String", min_length=4, max_length=8)),
        Node("Call", multi=True, children=make_children([Node("Status", "leaf", value_space=ValueSpace())])),
        Node("Fan", multi=True, children=make_children([Node("Speed", "leaf", value_space=ValueSpace("Integer"))])),
        Node("Port", multi=True, instances=(2, 4), children=make_children(
            [Node("Address", "leaf", value_space=ValueSpace("String"))])),
        config=(
            Node("Volume", "leaf", value_space=ValueSpace("Integer", min=0, max=10, default="7")),
            Node("Broken", "leaf", value_space=ValueSpace("Literal", values=("A", "B"), default="Z")),
            Node("Out", multi=True, instances=(1, 2, 3), children=make_children([Node(
                "Mode", "leaf", value_space=ValueSpace("Literal", values=("On", "Off"),
                                                       default="[1]: On; [2]: Off; "))])),
        ),
    )
    m = model_from_schema(s)
    assert _problems(m) == []
    assert dict(m.status) == {
        ("Level",): 5, ("Offset",): -3, ("State",): "Idle", ("Code",): "xxxx",
        ("Fan", 1, "Speed"): 0,
        ("Port", 2, "Address"): "192.0.2.10", ("Port", 4, "Address"): "192.0.2.10",
    }
    assert dict(m.configuration) == {
        ("Volume",): 7, ("Broken",): "A",
        ("Out", 1, "Mode"): "On", ("Out", 2, "Mode"): "Off", ("Out", 3, "Mode"): "Off",
    }
    with pytest.raises(TypeError):
        m.status[("Level",)] = 6  # type: ignore[index]


def test_schema_without_status_or_configuration() -> None:
    m = model_from_schema(make_schema([Node("Command")]))
    assert dict(m.status) == {} and dict(m.configuration) == {}


@st.composite
def value_spaces(draw: Any) -> ValueSpace:
    kind = draw(st.sampled_from(["Integer", "Literal", "String"]))
    if kind == "Integer":
        lo = draw(st.none() | st.integers(-1000, 1000))
        hi = draw(st.none() | st.integers(lo if lo is not None else -1000, 1000))
        return ValueSpace("Integer", min=lo, max=hi)
    if kind == "Literal":
        return ValueSpace("Literal", values=tuple(draw(st.lists(st.text(min_size=1, max_size=6), max_size=4))))
    lo_len = draw(st.none() | st.integers(0, 20))
    hi_len = draw(st.none() | st.integers(lo_len or 0, 40))
    return ValueSpace("String", min_length=lo_len, max_length=hi_len)


@given(st.lists(st.sampled_from(["Name", "Address", "MacAddress", "Version", "Uri", "Gateway", "X"]),
                min_size=1, max_size=3), value_spaces())
def test_status_value_is_always_legal(names: list[str], vs: ValueSpace) -> None:
    value = status_value(tuple(names), vs, "RoomOS 1.0")
    assert vs.check(value) is None
