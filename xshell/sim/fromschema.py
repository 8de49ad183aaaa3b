"""A factory-fresh device model for any schema (used by `xshell-sim --schema FILE`).

Cisco's published schema says what exists but not what a device holds. This fills every
Status and Configuration leaf with a value a freshly booted, idle device could plausibly
show: configurations their default, statuses something legal and unsurprising (first
literal, an in-range integer, an address-looking string for an Address). Lists that exist
only during a call or for transient things (Call, MediaChannels Call, ConnectedDevice...)
start empty, as on an idle device; other dynamic lists get one instance. The schema's
factory `SystemUnit Name` is empty; a device in a room is named, so this one is named
ROOM_NAME (prompts, `xConfiguration SystemUnit Name`, `xshell-sim`'s first line).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

from xshell.schema.defaults import default_for_instance
from xshell.schema.model import Node, PathElem, Schema, ValueSpace
from xshell.sim.device import DeviceModel, LeafPath, Value

__all__ = ["ROOM_NAME", "TRANSIENT_LISTS", "model_from_schema", "status_value"]

ROOM_NAME = "Meeting Room 1"
SYSTEM_NAME: LeafPath = ("SystemUnit", "Name")

# Dynamic ([n]) lists that are empty on an idle device: calls and their media, shares,
# sessions, notifications and discovered/connected peripherals. Lower-case name paths.
TRANSIENT_LISTS: frozenset[tuple[str, ...]] = frozenset(
    tuple(p.lower().split()) for p in (
        "Call", "Conference Call", "Conference Presentation LocalInstance", "Conference Line",
        "Conference EndToEndEncryption ExternalIdentity CertificateChain Certificate",
        "Conference EndToEndEncryption InternalIdentity CertificateChain Certificate",
        "MediaChannels Call", "MediaChannels DirectShare", "MediaChannels Miracast",
        "MediaChannels RemoteAccess", "ICE Call", "Bookings", "Peripherals ConnectedDevice",
        "Peripherals Stylus", "Diagnostics Message", "RemoteAccess Session",
        "SystemUnit Notifications Notification", "UserInterface WebView",
        "UserInterface Extensions Widget", "Video Input DirectShare", "Video Layout StageParticipant",
        "Network Wifi ScanResult", "Audio Input Ethernet DiscoveredStream",
        "Audio Input RemoteInput", "Audio Output RemoteOutput",
    )
)

_DOC_IPV4 = "192.0.2.10"  # RFC 5737 documentation addresses: never a real host
_DOC_IPV6 = "2001:db8::10"
_DOC_MAC = "00:00:5e:00:53:10"


def _plausible_string(path: tuple[str, ...], version: str) -> str:
    """A string an idle device might show for this Status leaf (names decide)."""
    name = path[-1].lower()
    where = " ".join(path).lower()
    if name in ("version", "displayname", "name") and path[:2] == ("SystemUnit", "Software"):
        return version
    if name.endswith("macaddress"):
        return _DOC_MAC
    if name.endswith("address") or name in ("ipv4", "ip"):
        return _DOC_IPV6 if "ipv6" in where else _DOC_IPV4
    if name == "gateway":
        return "2001:db8::1" if "ipv6" in where else "192.0.2.1"
    if name == "subnetmask":
        return "255.255.255.0"
    if name in ("uri", "displayname") or name.endswith("uri"):
        return "room@example.com" if name.endswith("uri") else "Room"
    if name == "name" or name.endswith("name"):
        return "Room"
    if name == "version":
        return version
    return ""


def _fit_string(text: str, vs: ValueSpace) -> str:
    """Cut or pad so a length-bounded string stays legal."""
    if vs.max_length is not None:
        text = text[: vs.max_length]
    if vs.min_length is not None and len(text) < vs.min_length:
        text = text + "x" * (vs.min_length - len(text))
    return text


def _integer(vs: ValueSpace) -> int:
    """0 when legal (unbounded or in range), else the nearest bound."""
    if vs.min is not None and vs.min > 0:
        return vs.min
    if vs.max is not None and vs.max < 0:
        return vs.max
    return 0


def status_value(path: tuple[str, ...], vs: ValueSpace | None, version: str = "") -> Value:
    """A legal, plausible value for a Status leaf at `path` (names from the root's child)."""
    vs = vs or ValueSpace()
    if vs.is_integer:
        return _integer(vs)
    if vs.is_literal:
        return vs.values[0] if vs.values else ""
    return _fit_string(_plausible_string(path, version), vs)


def _config_value(vs: ValueSpace | None, inst: int | None, path: tuple[str, ...], version: str) -> Value:
    """The default for this instance, coerced; a legal stand-in if the schema's is not."""
    vs = vs or ValueSpace()
    default = default_for_instance(vs, inst)
    if default is not None and vs.check(default) is None:
        return vs.coerce(default)
    return status_value(path, vs, version)


def _instances(node: Node, names: tuple[str, ...]) -> tuple[int, ...]:
    if not node.multi:
        return ()
    if node.instances:
        return node.instances
    return () if names in TRANSIENT_LISTS else (1,)


def _leaves(node: Node, names: tuple[str, ...], path: tuple[PathElem, ...],
            inst: int | None) -> Iterator[tuple[tuple[str, ...], LeafPath, Node, int | None]]:
    """Every (names, leaf path with ids, leaf, innermost id) below `node` (exclusive)."""
    for child in node.children.values():
        cnames = names + (child.name,)
        targets: list[tuple[tuple[PathElem, ...], int | None]]
        if child.multi:
            targets = [(path + (child.name, i), i) for i in _instances(child, tuple(n.lower() for n in cnames))]
        else:
            targets = [(path + (child.name,), inst)]
        for cpath, cinst in targets:
            if child.kind == "leaf":
                yield cnames, cpath, child, cinst
            else:
                yield from _leaves(child, cnames, cpath, cinst)


def model_from_schema(schema: Schema) -> DeviceModel:
    """Every Status and Configuration leaf of `schema` with a legal starting value."""
    status: dict[LeafPath, Value] = {}
    configuration: dict[LeafPath, Value] = {}
    root = schema.root("Status")
    if root is not None:
        for names, path, leaf, _ in _leaves(root, (), (), None):
            status[path] = status_value(names, leaf.value_space, schema.version)
    root = schema.root("Configuration")
    if root is not None:
        for names, path, leaf, inst in _leaves(root, (), (), None):
            configuration[path] = _config_value(leaf.value_space, inst, names, schema.version)
    name = "xshell-sim"
    if SYSTEM_NAME in configuration:
        vs = schema.node(("Configuration", *SYSTEM_NAME))
        if vs is None or vs.value_space is None or vs.value_space.check(ROOM_NAME) is None:
            configuration[SYSTEM_NAME] = name = ROOM_NAME
    return DeviceModel(schema=schema, status=MappingProxyType(status),
                       configuration=MappingProxyType(configuration), name=name)
