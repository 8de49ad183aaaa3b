"""What the simulator plays: a schema plus the values a freshly booted device holds.

Two sources build one: the built-in model (`sim.builtin.load_builtin`, the project's own
hand-written device, the newcomer's demo) and Cisco's published schema file
(`sim.fromschema.model_from_schema`, for `xshell-sim --schema`). The simulator copies the
initial values into its live state, so a reboot can restore them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from xshell.schema.model import PathElem, Schema

Value = str | int
LeafPath = tuple[PathElem, ...]  # below the root, instance ids inline: ("Video","Input","Connector",1,"Name")


@dataclass(frozen=True)
class DeviceModel:
    """A device: its schema and its factory-fresh Status and Configuration values.

    Every leaf of `status`/`configuration` must resolve in `schema` under the matching
    root, and carry a value legal for its value space (ints for Integer leaves).
    Multi-instance nodes exist in the live tree exactly for the instance ids present here.
    """

    schema: Schema
    status: Mapping[LeafPath, Value] = field(default_factory=lambda: MappingProxyType({}))
    configuration: Mapping[LeafPath, Value] = field(default_factory=lambda: MappingProxyType({}))
    name: str = "xshell-sim"  # the SystemUnit Name shown in prompts
