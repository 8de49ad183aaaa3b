"""The built-in device model: the data file's content and the `.xdm` loader.

The built-in device is what `xshell --demo` and every simulator test talk to, so these
tests pin what a user (and the simulator's behaviours) rely on: the nodes exist with the
right types, every boot value is legal, secrets are marked, and a mistake in a model
file is reported with its line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xshell.schema.defaults import default_for_instance
from xshell.schema.model import Node, is_secret_name
from xshell.sim.builtin import load_builtin, load_model, parse_model
from xshell.sim.xdmlex import ModelSyntaxError
from xshell.sim.device import DeviceModel

AREAS = ("Audio", "Call", "Cameras", "Conference", "Network", "Peripherals", "SIP", "Standby",
         "SystemUnit", "UserInterface", "Video")


@pytest.fixture(scope="module")
def model() -> DeviceModel:
    return load_builtin()


def node(model: DeviceModel, *path: str | int) -> Node:
    found = model.schema.node(path)
    assert found is not None, f"missing node {' '.join(map(str, path))}"
    return found


def leaves(model: DeviceModel, root: str) -> list[tuple[tuple[str, ...], Node]]:
    return [(p, n) for p, n in model.schema.walk(root) if n.is_leaf]


# --- size and legality ----------------------------------------------------------------------


def test_at_least_300_leaves_over_the_named_areas(model: DeviceModel) -> None:
    found = leaves(model, "Status") + leaves(model, "Configuration")
    assert len(found) >= 300
    for area in AREAS:
        assert any(p[1] == area for p, _ in found), f"no leaf under {area}"


def test_every_boot_value_resolves_to_a_leaf_and_is_legal(model: DeviceModel) -> None:
    for root, values in (("Status", model.status), ("Configuration", model.configuration)):
        assert values
        for path, value in values.items():
            leaf = node(model, root, *path)
            assert leaf.is_leaf and leaf.value_space is not None
            assert leaf.value_space.check(value) is None, (path, value)
            assert isinstance(value, int) == leaf.value_space.is_integer, (path, value)


def test_configuration_defaults_are_the_boot_values(model: DeviceModel) -> None:
    """xDoc shows a default per instance (Cisco's "[1]: x; [2]: y; " form when they differ)."""
    per_instance = 0
    for path, value in model.configuration.items():
        leaf = node(model, "Configuration", *path)
        ids = [e for e in path if isinstance(e, int)]
        expected = None if leaf.hide_value else str(value)
        assert default_for_instance(leaf.value_space, ids[-1] if ids else None) == expected, path
        per_instance += str(leaf.value_space.default).startswith("[")  # type: ignore[union-attr]
    assert per_instance > 10


def test_every_configuration_leaf_and_fixed_status_leaf_has_a_value(model: DeviceModel) -> None:
    """Only leaves below a dynamic list (Call[n]) may be absent at boot."""
    present = {tuple(e for e in p if isinstance(e, str)) for p in model.configuration}
    assert {p[1:] for p, _ in leaves(model, "Configuration")} == present
    status = {tuple(e for e in p if isinstance(e, str)) for p in model.status}
    for path, _ in leaves(model, "Status"):
        if path[1:] not in status:
            chain = [model.schema.node(path[:i]) for i in range(2, len(path) + 1)]
            assert any(n is not None and n.multi and not n.instances for n in chain), path


def test_model_is_cached_and_immutable(model: DeviceModel) -> None:
    assert load_builtin() is model
    with pytest.raises(TypeError):
        model.status[("Audio", "Volume")] = 1  # type: ignore[index]
    assert model.name == model.configuration[("SystemUnit", "Name")]
    assert model.schema.product == model.status[("SystemUnit", "ProductId")]
    assert model.schema.version == model.status[("SystemUnit", "Software", "Version")]


# --- nodes the simulator's behaviours use ---------------------------------------------------

STATUS = {  # path -> (value-space base, literals that must be allowed)
    "Audio Volume": ("Integer", ()),
    "Audio VolumeMute": ("Literal", ("On", "Off")),
    "Call AnswerState": ("Literal", ()),
    "Call CallType": ("Literal", ("Audio", "Video")),
    "Call CallbackNumber": ("String", ()),
    "Call DisplayName": ("String", ()),
    "Call Direction": ("Literal", ("Incoming", "Outgoing")),
    "Call Duration": ("Integer", ()),
    "Call Protocol": ("Literal", ("SIP", "H323")),
    "Call RemoteNumber": ("String", ()),
    "Call Status": ("Literal", ("Idle", "Dialling", "Connecting", "Ringing", "Connected",
                                "Disconnecting", "OnHold")),
    "Call CallRate": ("Integer", ()),
    "SystemUnit Uptime": ("Integer", ()),
    "SystemUnit Software Version": ("String", ()),
    "SystemUnit Software DisplayName": ("String", ()),
    "SystemUnit Software Name": ("String", ()),
    "SystemUnit Software ReleaseDate": ("String", ()),
    "SystemUnit ProductId": ("String", ()),
    "SystemUnit ProductPlatform": ("String", ()),
    "SystemUnit Hardware Module SerialNumber": ("String", ()),
    "SystemUnit Hardware Monitoring Fan Status": ("String", ()),
    "SystemUnit State NumberOfActiveCalls": ("Integer", ()),
    "SystemUnit State NumberOfInProgressCalls": ("Integer", ()),
    "SystemUnit State NumberOfSuspendedCalls": ("Integer", ()),
    "Standby State": ("Literal", ("Standby", "EnteringStandby", "Halfwake", "Off")),
    "SIP Registration Status": ("Literal", ("Registered",)),
    "SIP Registration URI": ("String", ()),
    "Network IPv4 Address": ("String", ()),
    "Video Input Connector Connected": ("Literal", ("True", "False")),
    "Video Input Connector SignalState": ("Literal", ("OK",)),
    "Video Input Connector Type": ("Literal", ("HDMI",)),
    "Video Output Connector Connected": ("Literal", ("True", "False")),
    "Video Output Connector Resolution Width": ("Integer", ()),
    "Video Selfview Mode": ("Literal", ("On", "Off")),
    "Cameras Camera Connected": ("Literal", ("True", "False")),
    "Cameras Camera Model": ("String", ()),
    "Cameras Camera Position Pan": ("Integer", ()),
    "Cameras Camera Position Tilt": ("Integer", ()),
    "Cameras Camera Position Zoom": ("Integer", ()),
    "Peripherals ConnectedDevice Type": ("Literal", ("TouchPanel",)),
    "Conference Call Capabilities Hold": ("Literal", ()),
    "UserInterface ContactInfo Name": ("String", ()),
    "Video Input Source Resolution Width": ("Integer", ()),
    "Video Input Source Resolution Height": ("Integer", ()),
}

CONFIG = {
    "Audio DefaultVolume": ("Integer", ()),
    "Audio Ultrasound MaxVolume": ("Integer", ()),
    "Audio Input Microphone Mode": ("Literal", ("On", "Off")),
    "Audio Input Microphone Level": ("Integer", ()),
    "SystemUnit Name": ("String", ()),
    "Standby Control": ("Literal", ("On", "Off")),
    "Standby Delay": ("Integer", ()),
    "Video Input Connector Name": ("String", ()),
    "Video Input Connector InputSourceType": ("Literal", ("camera", "PC")),
    "Video Selfview Default Mode": ("Literal", ("On", "Off")),
    "UserInterface Language": ("Literal", ("English",)),
    "SIP URI": ("String", ()),
    "SIP DisplayName": ("String", ()),
    "SIP Authentication UserName": ("String", ()),
    "SIP Authentication Password": ("String", ()),
    "SIP Proxy Address": ("String", ()),
    "Provisioning Mode": ("Literal", ("Off",)),
    "Provisioning ExternalManager Password": ("String", ()),
    "NetworkServices Websocket": ("Literal", ("FollowHTTPService", "Off")),
    "NetworkServices HTTP Mode": ("Literal", ("HTTPS", "Off")),
    "Time Zone": ("Literal", ("Etc/UTC",)),
    "NetworkServices NTP Server Key": ("String", ()),
}


@pytest.mark.parametrize(("root", "path", "base", "literals"),
                         [("Status", p, *t) for p, t in STATUS.items()]
                         + [("Configuration", p, *t) for p, t in CONFIG.items()])
def test_required_leaf_exists_with_its_type(model: DeviceModel, root: str, path: str, base: str,
                                            literals: tuple[str, ...]) -> None:
    leaf = node(model, root, *path.split())
    assert leaf.is_leaf and leaf.value_space is not None
    assert leaf.value_space.base == base
    assert set(literals) <= set(leaf.value_space.values)


def test_boot_state_is_an_idle_registered_device(model: DeviceModel) -> None:
    s = model.status
    assert s[("Audio", "Volume")] == 50 and s[("Audio", "VolumeMute")] == "Off"
    assert node(model, "Status", "Audio", "Volume").value_space.describe() == "<0..100>"  # type: ignore[union-attr]
    assert not any(p[0] == "Call" for p in s)
    assert not any(p[:2] == ("Conference", "Call") for p in s)
    assert s[("SystemUnit", "State", "NumberOfActiveCalls")] == 0
    assert s[("Standby", "State")] == "Off"
    assert s[("SIP", "Registration", 1, "Status")] == "Registered"
    assert s[("SIP", "Registration", 1, "URI")] == model.configuration[("SIP", "URI")]
    fans = {p[4]: v for p, v in s.items() if p[:4] == ("SystemUnit", "Hardware", "Monitoring", "Fan")}
    assert sorted(fans) == [1, 2] and all(str(v).endswith(" rpm") for v in fans.values())
    devices = {p[2] for p in s if p[:2] == ("Peripherals", "ConnectedDevice")}
    assert len(devices) == 1
    assert s[("Peripherals", "ConnectedDevice", devices.pop(), "Type")] == "TouchPanel"
    assert model.configuration[("Audio", "DefaultVolume")] == 50


def test_multi_instance_nodes_have_their_ranges(model: DeviceModel) -> None:
    assert node(model, "Status", "Video", "Input", "Connector").instances == (1, 2, 3)
    assert node(model, "Status", "Video", "Output", "Connector").instances == (1, 2)
    assert node(model, "Status", "Video", "Input", "Source").instances == (1, 2)
    assert node(model, "Status", "Cameras", "Camera").instances == (1, 2)
    assert node(model, "Configuration", "Audio", "Input", "Microphone").instances == tuple(range(1, 9))
    assert node(model, "Configuration", "SIP", "Proxy").instances == (1, 2, 3, 4)
    assert node(model, "Configuration", "NetworkServices", "NTP", "Server").instances == (1, 2, 3)
    for dynamic in (("Call",), ("Conference", "Call"), ("Peripherals", "ConnectedDevice")):
        n = node(model, "Status", *dynamic)
        assert n.multi and n.instances == ()
    names = [model.configuration[("Video", "Input", "Connector", i, "Name")] for i in (1, 2, 3)]
    assert len(set(names)) == 3  # per-instance values, not one copied value


# --- commands and events --------------------------------------------------------------------

COMMANDS = {  # path -> {param: (base, required, multiple)}
    "Audio Volume Set": {"Level": ("Integer", True, False)},
    "Audio Volume Increase": {"Steps": ("Integer", False, False)},
    "Audio Volume Decrease": {"Steps": ("Integer", False, False)},
    "Audio Volume Mute": {}, "Audio Volume Unmute": {},
    "Dial": {"Number": ("String", True, False), "Protocol": ("Literal", False, False),
             "CallRate": ("Integer", False, False), "CallType": ("Literal", False, False),
             "DisplayName": ("String", False, False)},
    "Call Disconnect": {"CallId": ("Integer", False, False)},
    "Call Accept": {"CallId": ("Integer", False, False)}, "Call Reject": {}, "Call Hold": {},
    "Call Resume": {},
    "Standby Activate": {}, "Standby Deactivate": {}, "Standby Halfwake": {},
    "UserInterface Message Alert Display": {"Title": ("String", False, False),
                                            "Text": ("String", True, False),
                                            "Duration": ("Integer", False, False)},
    "UserInterface Message Alert Clear": {},
    "UserInterface Message Prompt Display": {"Text": ("String", True, False)},
    "HttpClient Post": {"Url": ("String", True, False), "Header": ("String", False, True),
                        "ResultBody": ("Literal", False, False),
                        "AllowInsecureHTTPS": ("Literal", False, False)},
    "HttpClient Put": {"Url": ("String", True, False)}, "HttpClient Get": {"Url": ("String", True, False)},
    "UserManagement User Passphrase Set": {"Username": ("String", True, False),
                                           "NewPassphrase": ("String", True, False),
                                           "YourPassphrase": ("String", True, False)},
    "UserManagement User Passphrase Change": {"NewPassphrase": ("String", True, False)},
    "SystemUnit Boot": {"Action": ("Literal", False, False)},
    "Video Selfview Set": {"Mode": ("Literal", False, False), "FullscreenMode": ("Literal", False, False)},
    "Video Input SetMainVideoSource": {"ConnectorId": ("Integer", False, True)},
    "Camera Preset Store": {}, "Camera Preset Activate": {"PresetId": ("Integer", True, False)},
    "Presentation Start": {}, "Presentation Stop": {},
    "SystemUnit WelcomeBanner Set": {}, "Macros Macro Save": {"Name": ("String", True, False)},
    "UserInterface Extensions Panel Save": {"PanelId": ("String", True, False)},
    "Bookings List": {}, "CallHistory Get": {}, "Phonebook Search": {},
    "Conference DoNotDisturb Activate": {}, "Conference DoNotDisturb Deactivate": {},
    "Peripherals HeartBeat": {"ID": ("String", True, False)},
    "Peripherals Connect": {"ID": ("String", True, False)},
}
MULTILINE = {"HttpClient Post", "HttpClient Put", "SystemUnit WelcomeBanner Set", "Macros Macro Save",
             "UserInterface Extensions Panel Save"}


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_required_command_exists_with_its_params(model: DeviceModel, path: str) -> None:
    cmd = node(model, "Command", *path.split())
    assert cmd.kind == "command"
    assert cmd.multiline == (path in MULTILINE)
    assert cmd.roles, "every command says who may run it"
    for name, (base, required, multiple) in COMMANDS[path].items():
        param = cmd.param(name)
        assert param is not None, f"{path} has no {name}"
        assert (param.value_space.base, param.required, param.multiple) == (base, required, multiple)
        assert param.value_space.is_array == multiple


def test_command_value_spaces_are_realistic(model: DeviceModel) -> None:
    level = node(model, "Command", "Audio", "Volume", "Set").param("Level")
    assert level is not None and (level.value_space.min, level.value_space.max) == (0, 100)
    steps = node(model, "Command", "Audio", "Volume", "Increase").param("Steps")
    assert steps is not None and (steps.value_space.min, steps.value_space.max) == (1, 10)
    dial = node(model, "Command", "Dial")
    number, rate, proto = dial.param("number"), dial.param("CallRate"), dial.param("Protocol")
    assert number is not None and number.value_space.max_length == 255
    assert rate is not None and (rate.value_space.min, rate.value_space.max) == (64, 20000)
    assert proto is not None and {"Auto", "H323", "Sip", "Spark"} <= set(proto.value_space.values)
    url = node(model, "Command", "HttpClient", "Post").param("Url")
    assert url is not None and (url.value_space.min_length, url.value_space.max_length) == (8, 2048)
    body = node(model, "Command", "HttpClient", "Post").param("ResultBody")
    assert body is not None and body.value_space.values == ("None", "PlainText", "Base64")
    duration = node(model, "Command", "UserInterface", "Message", "Alert", "Display").param("Duration")
    assert duration is not None and duration.value_space.check(3601) is not None


EVENTS = {
    "CallSuccessful": ("CallId", "Protocol", "RemoteURI"),
    "CallDisconnect": ("CallId", "CauseValue", "CauseString", "CauseType"),
    "OutgoingCallIndication": ("CallId",),
    "IncomingCallIndication": ("CallId", "RemoteURI", "DisplayNameValue"),
    "UserInterface Message Alert Cleared": (),
    "UserInterface Message Prompt Response": ("FeedbackId", "OptionId"),
    "UserInterface Extensions Widget Action": ("WidgetId", "Type", "Value"),
    "Standby Reset": (),
    "Macros Macro Saved": ("Name",),
    "BootEvent": ("Action",),
    "Shutdown": (),
    "Audio Volume AlreadyAtLimit": (),
}


@pytest.mark.parametrize("path", sorted(EVENTS))
def test_required_event_exists_with_its_fields(model: DeviceModel, path: str) -> None:
    event = node(model, "Event", *path.split())
    assert event.kind == "event"
    for name in EVENTS[path]:
        field = event.child(name)
        assert field is not None and field.is_leaf and field.value_space is not None, name
    cid = event.child("CallId")
    if cid is not None:
        assert cid.value_space is not None and cid.value_space.is_integer


def test_value_event_and_nested_event_fields(model: DeviceModel) -> None:
    countdown = node(model, "Event", "Standby", "SecondsToStandby")
    assert countdown.value_space is not None and countdown.value_space.is_integer
    device = node(model, "Event", "Peripherals", "DeviceDiscovery", "Device")
    assert device.multi and node(model, "Event", "Peripherals", "DeviceDiscovery", "Device", "Name").is_leaf


# --- secrets ----------------------------------------------------------------------------------

HIDDEN = ("SIP Authentication Password", "Provisioning ExternalManager Password",
          "Provisioning Password", "NetworkServices NTP Server Key", "H323 Authentication Password",
          "NetworkServices HTTP Proxy Password")


@pytest.mark.parametrize("path", HIDDEN)
def test_secret_configurations_are_hidden(model: DeviceModel, path: str) -> None:
    leaf = node(model, "Configuration", *path.split())
    assert leaf.hide_value and leaf.secret
    assert leaf.value_space is not None and leaf.value_space.default is None


def test_hide_value_matches_secret_names(model: DeviceModel) -> None:
    """Every secret-looking configuration is hidden, and only those are."""
    found = leaves(model, "Configuration")
    assert {p for p, n in found if n.hide_value} == {p for p, n in found if is_secret_name(p[-1])}
    assert not any(n.hide_value for _, n in leaves(model, "Status"))


def test_secret_parameters_are_marked(model: DeviceModel) -> None:
    pset = node(model, "Command", "UserManagement", "User", "Passphrase", "Set")
    assert {p.name for p in pset.params if p.secret} == {"NewPassphrase", "YourPassphrase"}
    assert not pset.param("Username").secret  # type: ignore[union-attr]
    change = node(model, "Command", "UserManagement", "User", "Passphrase", "Change")
    assert {p.name for p in change.params if p.secret} == {"OldPassphrase", "NewPassphrase"}
    assert node(model, "Command", "SystemUnit", "OptionKey", "Add").param("Key").secret  # type: ignore[union-attr]


# --- the format ---------------------------------------------------------------------------

SAMPLE = """\
# a small device in the .xdm format
@role config Admin
status Audio
  Volume                int 0..100 = 35   # loudspeaker
  Mode                  On|Off = Off !read=Admin
status Video Input Connector[1..3]
  Name                  str 0..20 = "Cam" [3] "Laptop"
status Call[n] Status   Idle|Connected
status Net[1] Dns[1..2] Address  str = "" [2] "10.0.0.2" [1,1] "10.0.0.1"
status Hook Expr[1..2]  str = [1] "/a" [2] "/b"
status Device[n:7,9] Kind  lit = Pad [9] Cam
config SystemUnit Name  str 0..50 = "Lab"
config Zone  A|B|\\
             C|D = C
config Secret Key  str = "k" !hide
command Play  Sound*: Bell|Bing  Times: int 1..5 = 2  Tag+: str
command Bank Save  Name*: str  !multiline !role=Admin;User
command Bank Clear
event Hello  Who: str  Parts[n]/Id: int
event Tick  int
"""


def test_sample_format_features() -> None:
    m = parse_model(SAMPLE, "sample.xdm")
    assert m.name == "Lab"
    assert m.status[("Audio", "Volume")] == 35
    assert m.schema.node(["Status", "Audio", "Mode"]).read_roles == ("Admin",)  # type: ignore[union-attr]
    assert [m.status[("Video", "Input", "Connector", i, "Name")] for i in (1, 2, 3)] == ["Cam", "Cam", "Laptop"]
    assert m.status[("Net", 1, "Dns", 1, "Address")] == "10.0.0.1"
    assert m.status[("Net", 1, "Dns", 2, "Address")] == "10.0.0.2"
    assert m.status[("Hook", "Expr", 2)] == "/b"
    assert m.schema.node(["Status", "Hook", "Expr"]).multi  # type: ignore[union-attr]
    assert {p[1]: v for p, v in m.status.items() if p[0] == "Device"} == {7: "Pad", 9: "Cam"}
    assert not any(p[0] == "Call" for p in m.status)
    zone = m.schema.node(["Configuration", "Zone"])
    assert zone is not None and zone.value_space is not None
    assert zone.value_space.values == ("A", "B", "C", "D") and zone.roles == ("Admin",)
    assert m.schema.node(["configuration", "secret", "key"]).hide_value  # type: ignore[union-attr]
    play = m.schema.node(["Command", "Play"])
    assert play is not None and [p.name for p in play.params] == ["Sound", "Times", "Tag"]
    assert play.param("Times").value_space.default == "2"  # type: ignore[union-attr]
    assert play.param("Tag").value_space.type == "StringArray"  # type: ignore[union-attr]
    save = m.schema.node(["Command", "Bank", "Save"])
    assert save is not None and save.multiline and save.roles == ("Admin", "User")
    assert m.schema.node(["Command", "Bank", "Clear"]).params == ()  # type: ignore[union-attr]
    assert m.schema.node(["Event", "Hello", "Parts", "Id"]).is_leaf  # type: ignore[union-attr]
    assert m.schema.node(["Event", "Tick"]).value_space.is_integer  # type: ignore[union-attr]


BAD = [  # (text, line of the mistake, words the message must contain)
    ("status Audio Volume int 0..100 = 500\n", 1, "out of range"),
    ("status Audio Volume integer = 5\n", 1, "expected a type"),
    ("status A\n  B int = 1\n  C str = unquoted\n", 3, "double quotes"),
    ("status A\n  B int = 1\n   C int = 2\n", 3, "indentation"),
    ("\n\nconfig X Y On|Off\n", 3, "no boot value"),
    ("status A B int = 1\nstatus A B int = 2\n", 2, "already defined on line 1"),
    ("status A B int = 1\nstatus A B C int = 2\n", 2, "cannot have children"),
    ("status A[1..2] B int = 1\nstatus A[1..3] C int = 2\n", 2, "does not match"),
    ("status A[1..2] B int = [1] 3\n", 1, "no value for instance [2]"),
    ("status A[1..2] B int = 0 [5] 3\n", 1, "[5] does not exist"),
    ("status Call[n] B int = 1\n", 1, "empty at boot"),
    ("status A[x] B int = 1\n", 1, "bad instance list"),
    ("state A B int = 1\n", 1, "expected status, config, command or event"),
    ("command A B  Level: int = x\n", 1, "expected an integer"),
    ("command A B  Level int\n", 1, "expected a parameter"),
    ("command A B  Level: int  level: str\n", 1, "repeated parameter"),
    ("status A B str = \"open\n", 1, "misplaced quote"),
    ("status A B str = \"x\" !hide\n", 1, "only for config"),
    ("config A B str = \"x\" !secret\n", 1, "unknown flag"),
    ("event A  Who*: str\n", 1, "cannot be marked"),
    ("  status A B int = 1\n", 1, "unexpected indentation"),
    ("@role status Admin\n@colour x\n", 2, "unknown directive @colour"),
    ("status A B int = 1 \\\n", 1, "nothing follows"),
    ("status A B One|One = One\n", 1, "repeated literal"),
    ("status A\n\tB int = 1\n", 2, "tab"),
]


@pytest.mark.parametrize(("text", "line", "words"), BAD, ids=[b[2] for b in BAD])
def test_loader_errors_name_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    bad = tmp_path / "broken.xdm"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ModelSyntaxError) as info:
        load_model(bad)
    assert info.value.line == line
    assert str(info.value).startswith(f"broken.xdm, line {line}: ")
    assert words in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(("spec", "words"), [
    ('str 0..4 = "hunter22"', "longer than 4"),
    ("str = hunter22", "double quotes"),
    ('str = "a" [1] "hunter22"', "instance key"),
    ('str = "a" "hunter22"', "[id] value pairs"),
    ("int 0..9 = 12345678", "illegal value"),
])
def test_errors_never_echo_a_hidden_value(spec: str, words: str) -> None:
    with pytest.raises(ModelSyntaxError) as info:
        parse_model(f"\nconfig SIP Password {spec} !hide\n", "x.xdm")
    assert info.value.line == 2 and words in str(info.value)
    assert "hunter22" not in str(info.value) and "12345678" not in str(info.value)


def test_simulator_state_serves_the_builtin_values(model: DeviceModel) -> None:
    from xshell.sim.state import LiveState

    state = LiveState(model)
    assert state.get(["Status", "Audio", "Volume"]) == model.status[("Audio", "Volume")]
    connectors = state.get(["Configuration", "Video", "Input", "Connector"])
    assert [c["id"] for c in connectors] == [1, 2, 3]
    expressions = state.get(["Status", "HttpFeedback", 1, "Expression"])
    assert [e["id"] for e in expressions] == list(range(1, 16))


def test_reads_follow_leaves_added_and_removed(model: DeviceModel) -> None:
    """xGet/xQuery answer from an index by first name: a call that starts (new leaves)
    or ends (leaves removed), and a reboot, show at once, in any letter case."""
    from xshell.errors import XAPIError
    from xshell.sim.state import LiveState

    state = LiveState(model)
    with pytest.raises(XAPIError):
        state.get(["Status", "Call"])  # idle: no call instance yet
    state.update("Status", {("Call", 7, "Status"): "Connected", ("Call", 7, "Duration"): 0})
    assert state.get(["status", "CALL", 7, "status"]) == "Connected"
    assert [c["id"] for c in state.query(["Status", "Call"])["Status"]["Call"]] == [7]
    assert state.current(("status", "call"), "Status")[0][0][:2] == ("Call", 7)
    state.remove("Status", ("Call", 7))
    with pytest.raises(XAPIError):
        state.get(["Status", "Call", 7, "Status"])
    assert state.query(["Status", "Call", "**"]) == {}
    before = state.get(["Status", "Audio", "Volume"])
    state.update("Status", {("Audio", "Volume"): before + 1})
    assert state.get(["Status", "Audio", "Volume"]) == before + 1
    state.reset()
    assert state.get(["Status", "Audio", "Volume"]) == model.status[("Audio", "Volume")]
