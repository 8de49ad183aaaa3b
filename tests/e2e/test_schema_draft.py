"""The shared node builder (`schema.draft`): every loader merges and freezes nodes the same way.

The simulator's `.xdm` model and Cisco's published format describe the same device in two
notations; because both loaders fill one builder, the same device must come out as the
same immutable tree, whichever file it was written in.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

from xshell.schema.cisco import load_cisco_data
from xshell.schema.draft import NodeDraft
from xshell.schema.model import ROOTS, Node, ValueSpace
from xshell.sim.builtin import parse_model

XDM = """\
config Audio Input Connector[1..2] Mode  On|Off = On [2] Off  !role=Admin;User  # input mode
status Audio Volume  int 0..100 = 35  !read=Admin;User
command Dial  Number*: str 0..255  Rate: int 64..6000 = 768
event Muted  Source: str
"""

# The same device as Cisco publishes it: one object per product, so Connector[1] and
# Connector[2] arrive separately, each knowing only some of the literal values.
PUBLISHED = {"objects": [
    {"type": "Configuration", "path": "Audio Input Connector[1] Mode",
     "attributes": {"description": "input mode", "role": ["Admin", "User"], "default": "On",
                    "valuespace": {"type": "Literal", "Values": ["On"]}}},
    {"type": "Configuration", "path": "Audio Input Connector[2] Mode",
     "attributes": {"role": ["Admin", "User"], "default": "Off",
                    "valuespace": {"type": "Literal", "Values": ["On", "Off"]}}},
    {"type": "Status", "path": "Audio Volume",
     "attributes": {"role": ["Admin", "User"], "valuespace": {"type": "Integer", "Min": 0, "Max": 100}}},
    {"type": "Command", "path": "Dial",
     "attributes": {"params": [
         {"name": "Number", "required": True, "valuespace": {"type": "String", "MinLength": 0, "MaxLength": 255}},
         {"name": "Rate", "default": 768, "valuespace": {"type": "Integer", "Min": 64, "Max": 6000}}]}},
    {"type": "Event", "path": "Muted", "attributes": {"children": {"Source": {"valuespace": "string"}}}},
]}


def shape(node: Node) -> dict[str, Any]:
    """Every field of a node and its subtree (Node compares by identity, so spell it out)."""
    out = {f.name: getattr(node, f.name) for f in dataclasses.fields(node)}
    out["children"] = {key: shape(child) for key, child in node.children.items()}
    return out


def test_one_device_in_both_notations_freezes_to_the_same_tree() -> None:
    from_xdm = parse_model(XDM, "two.xdm").schema
    from_cisco = load_cisco_data(PUBLISHED)
    for root in ROOTS:
        assert shape(from_xdm.roots[root.lower()]) == shape(from_cisco.roots[root.lower()]), root
    mode = from_cisco.node(["Configuration", "Audio", "Input", "Connector", "Mode"])
    assert mode is not None and mode.value_space is not None
    assert mode.value_space.values == ("On", "Off")
    assert mode.value_space.default == "[1]: On; [2]: Off; "
    assert mode.roles == ("Admin", "User") and mode.description == "input mode"


def test_repeated_definitions_merge_into_one_node() -> None:
    root = NodeDraft("Configuration")
    for ids, lo, hi, desc in (((1, 2), 0, 10, "first"), ((3,), -5, 5, "second")):
        leaf = root.child("Level").child("Gain")  # names match case-insensitively
        root.child("level").mark_multi(ids)
        leaf.kind = "leaf"
        leaf.set_value_space(ValueSpace("Integer", min=lo, max=hi))
        leaf.set_attributes({"description": desc, "role": "Admin"})
        leaf.add_default("0", ids)
    level = root.freeze().children["level"]
    gain = level.children["gain"]
    assert level.name == "Level" and level.instances == (1, 2, 3)
    assert gain.value_space == ValueSpace("Integer", min=-5, max=10, default="0")
    assert gain.description == "first" and gain.roles == ("Admin",)


def test_a_dynamic_list_forgets_fixed_ids_and_a_bare_leaf_gets_an_open_value_space() -> None:
    root = NodeDraft("Status")
    call = root.child("Call")
    call.mark_multi([1])
    call.mark_multi(None)
    call.child("Status").kind = "leaf"
    frozen = root.freeze().children["call"]
    assert frozen.multi and frozen.instances == ()
    assert shape(frozen.children["status"]) == shape(Node("Status", "leaf", value_space=ValueSpace()))


def test_the_schema_package_never_imports_the_simulator() -> None:
    code = ("import sys, xshell.schema.cisco, xshell.schema.draft, xshell.schema.defaults, xshell.schema.xdoc\n"
            "print(sorted(m for m in sys.modules if m.startswith('xshell.sim')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
