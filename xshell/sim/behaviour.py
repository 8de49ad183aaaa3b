"""What commands do to the simulated device, with the feedback a real codec sends.

A command's arguments are already checked (`commands.check_call`) when it gets here.
Handlers change Status through the Device (which diffs, stores and notifies in one
batch, so leaves that change together arrive in one notification) and fire events.
Call set-up advances on the event loop with small delays (Dialling → Connecting →
Connected), never blocking; long-running commands (HttpClient) return awaitables so
their replies can overtake each other. Commands without a handler here just answer
{"status": "OK"}. Paths a smaller model lacks are skipped by the Device, so one
behaviour works for the built-in device and for Cisco's full schema alike.

Nothing here logs argument values: UserManagement passphrases pass through untouched.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from xshell.errors import CommandError
from xshell.sim.xcommands import Call
from xshell.sim.device import LeafPath, Value

Result = dict[str, Any]
OK: Result = {"status": "OK"}
ILLEGAL_ARGUMENT = 27  # data.Cause for an argument the device refuses (spec §8.2)


class Device(Protocol):
    """The simulator as behaviours see it."""

    call_step: float
    http_delay: float
    boot_seconds: float

    def status(self, path: LeafPath) -> Value | None: ...
    def configuration(self, path: LeafPath) -> Value | None: ...
    def update_status(self, changes: Mapping[LeafPath, Any]) -> None: ...
    def start_clock(self, path: LeafPath) -> None: ...
    def remove_status(self, prefix: LeafPath) -> None: ...
    def emit_event(self, path: Sequence[str], fields: Mapping[str, Any]) -> None: ...
    def call_later(self, delay: float, fn: Callable[[], None]) -> asyncio.TimerHandle | None: ...
    def reboot(self, seconds: float) -> None: ...


@dataclass
class ActiveCall:
    """A call the simulated device has placed."""

    id: int
    conference_id: int
    number: str
    uri: str
    display_name: str
    protocol: str
    rate: int
    call_type: str
    state: str = "Dialling"
    connected_at: float | None = None
    timers: list[asyncio.TimerHandle] = field(default_factory=list)

    def cancel(self) -> None:
        for t in self.timers:
            t.cancel()
        self.timers.clear()


Handler = Callable[["Behaviours", Call], "Result | Awaitable[Result]"]
_HANDLERS: dict[tuple[str, ...], Handler] = {}


def on(*paths: str) -> Callable[[Handler], Handler]:
    """Register a handler for command paths written as tshell does ("Audio Volume Set")."""
    def register(fn: Handler) -> Handler:
        for p in paths:
            _HANDLERS[tuple(p.lower().split())] = fn
        return fn
    return register


class Behaviours:
    """Per-boot command state (call ids, calls, the alert on screen) and dispatch."""

    def __init__(self, device: Device) -> None:
        self.dev = device
        self.reset()

    def reset(self) -> None:
        """A reboot forgets calls and restarts the call id counter."""
        for c in getattr(self, "calls", {}).values():
            c.cancel()
        self.next_call_id = 1
        self.next_conference_id = 1
        self.calls: dict[int, ActiveCall] = {}
        self.alert_timer: asyncio.TimerHandle | None = None
        self.alert_shown = False

    def run(self, call: Call) -> Result | Awaitable[Result]:
        handler = _HANDLERS.get(tuple(p.lower() for p in call.path))
        return dict(OK) if handler is None else handler(self, call)

    # --- calls -----------------------------------------------------------------------

    def counters(self) -> dict[LeafPath, Any]:
        """SystemUnit State as it follows from the calls in progress."""
        active = sum(1 for c in self.calls.values() if c.state == "Connected")
        pending = len(self.calls) - active
        return {
            ("SystemUnit", "State", "NumberOfActiveCalls"): active,
            ("SystemUnit", "State", "NumberOfInProgressCalls"): pending,
            ("SystemUnit", "State", "System"): "InCall" if active else "Initialized",
        }

    def advance(self, call_id: int, state: str) -> None:
        c = self.calls.get(call_id)
        if c is None:
            return
        c.state = state
        changes: dict[LeafPath, Any] = {("Call", c.id, "Status"): state}
        if state == "Connected":
            c.connected_at = time.monotonic()
            changes[("Call", c.id, "AnswerState")] = "Answered"
            changes.update(self.counters())
        self.dev.update_status(changes)
        if state == "Connected":
            self.dev.start_clock(("Call", c.id, "Duration"))  # xStatus Call N Duration ticks
            self.dev.emit_event(("CallSuccessful",), {
                "CallId": c.id, "Protocol": c.protocol, "Direction": "outgoing", "CallRate": c.rate,
                "RemoteURI": c.uri, "EncryptionIn": "Off", "EncryptionOut": "Off"})

    def hang_up(self, c: ActiveCall) -> None:
        c.cancel()
        ticked = self.dev.status(("Call", c.id, "Duration"))  # what xStatus showed last
        del self.calls[c.id]
        self.dev.remove_status(("Call", c.id))
        self.dev.remove_status(("Conference", "Call", c.id))
        self.dev.update_status(self.counters())
        duration = int(time.monotonic() - c.connected_at) if c.connected_at is not None else 0
        if isinstance(ticked, int):
            duration = ticked
        self.dev.emit_event(("CallDisconnect",), {
            "CallId": c.id, "CauseType": "LocalDisconnect", "CauseValue": 1, "CauseString": "",
            "CauseCode": 0, "CauseOrigin": "Internal", "OrigCallDirection": "outgoing",
            "RemoteURI": c.uri, "RequestedURI": c.number, "DisplayName": c.display_name,
            "CallRate": c.rate, "CallType": c.call_type, "Duration": duration,
            "Encryption": "None", "PeopleCountAverage": 0, "Protocol": c.protocol})


_PROTOCOLS = {"sip": "SIP", "h323": "H323", "spark": "Spark"}


@on("Dial")
def _dial(b: Behaviours, call: Call) -> Result:
    number = str(call.arg("Number", "")).strip()
    if not number:
        raise CommandError("Invalid number: the Number must not be empty.",
                           data={"Cause": ILLEGAL_ARGUMENT})
    protocol = _PROTOCOLS.get(str(call.arg("Protocol", "Sip")).lower(), "SIP")
    scheme = {"SIP": "sip:", "H323": "h323:", "Spark": "spark:"}[protocol]
    c = ActiveCall(
        id=b.next_call_id, conference_id=b.next_conference_id, number=number,
        uri=number if ":" in number else scheme + number,
        display_name=str(call.arg("DisplayName", "")) or number, protocol=protocol,
        rate=int(call.arg("CallRate", 6000)),
        call_type="Audio" if str(call.arg("CallType", "")).lower() == "audio" else "Video")
    b.next_call_id += 1
    b.next_conference_id += 1
    b.calls[c.id] = c
    base: LeafPath = ("Call", c.id)
    changes: dict[LeafPath, Any] = {base + (k,): v for k, v in {
        "Status": "Dialling", "Direction": "Outgoing", "AnswerState": "Unanswered",
        "RemoteNumber": number, "CallbackNumber": c.uri, "DisplayName": c.display_name,
        "Protocol": protocol, "CallType": c.call_type, "TransmitCallRate": c.rate,
        "ReceiveCallRate": c.rate, "Duration": 0, "PlacedOnHold": "False",
        "DeviceType": "Endpoint", "HoldReason": "None", "FacilityServiceId": 0}.items()}
    conf: LeafPath = ("Conference", "Call", c.id)
    changes.update({conf + ("Manufacturer",): "Cisco", conf + ("MicrophonesMuted",): "False",
                    conf + ("BookingId",): str(call.arg("BookingId", ""))})
    changes.update(b.counters())
    b.dev.update_status(changes)
    b.dev.emit_event(("OutgoingCallIndication",), {"CallId": c.id})
    step = b.dev.call_step
    for n, state in ((1, "Connecting"), (2, "Connected")):
        handle = b.dev.call_later(step * n, functools.partial(b.advance, c.id, state))
        if handle is not None:
            c.timers.append(handle)
    return {"CallId": c.id, "ConferenceId": c.conference_id, "status": "OK"}


@on("Call Disconnect")
def _disconnect(b: Behaviours, call: Call) -> Result:
    wanted = int(call.arg("CallId", 0) or 0)
    if wanted:
        targets = [b.calls[wanted]] if wanted in b.calls else []
    else:
        targets = list(b.calls.values())
    if not targets:
        raise CommandError("No active call(s) found.", data={"Cause": ILLEGAL_ARGUMENT, "CallId": wanted})
    for c in targets:
        b.hang_up(c)
    return dict(OK)


# --- audio ---------------------------------------------------------------------------

VOLUME: LeafPath = ("Audio", "Volume")
VOLUME_MUTE: LeafPath = ("Audio", "VolumeMute")
MIC_MUTE: LeafPath = ("Audio", "Microphones", "Mute")


def _volume(b: Behaviours) -> int:
    v = b.dev.status(VOLUME)
    return int(v) if isinstance(v, (int, str)) and str(v).lstrip("-").isdigit() else 50


@on("Audio Volume Set")
def _volume_set(b: Behaviours, call: Call) -> Result:
    b.dev.update_status({VOLUME: int(call.arg("Level"))})
    return dict(OK)


@on("Audio Volume Increase", "Audio Volume Decrease")
def _volume_step(b: Behaviours, call: Call) -> Result:
    steps = int(call.arg("Steps", 5))
    sign = 1 if call.path[-1].lower() == "increase" else -1
    b.dev.update_status({VOLUME: max(0, min(100, _volume(b) + sign * steps))})
    return dict(OK)


@on("Audio Volume SetToDefault")
def _volume_default(b: Behaviours, call: Call) -> Result:
    default = b.dev.configuration(("Audio", "DefaultVolume"))
    if default is not None:
        b.dev.update_status({VOLUME: int(default)})
    return dict(OK)


@on("Audio Volume Mute", "Audio Volume Unmute", "Audio Volume ToggleMute",
    "Audio Microphones Mute", "Audio Microphones Unmute", "Audio Microphones ToggleMute")
def _mute(b: Behaviours, call: Call) -> Result:
    leaf = MIC_MUTE if call.path[1].lower() == "microphones" else VOLUME_MUTE
    verb = call.path[-1].lower()
    new = {"mute": "On", "unmute": "Off"}.get(verb)
    if new is None:
        new = "Off" if b.dev.status(leaf) == "On" else "On"
    b.dev.update_status({leaf: new})
    return dict(OK)


# --- standby, UI, system -------------------------------------------------------------

@on("Standby Activate", "Standby Deactivate", "Standby Halfwake")
def _standby(b: Behaviours, call: Call) -> Result:
    state = {"activate": "Standby", "deactivate": "Off", "halfwake": "Halfwake"}[call.path[-1].lower()]
    b.dev.update_status({("Standby", "State"): state})
    return dict(OK)


def _clear_alert(b: Behaviours) -> None:
    if b.alert_timer is not None:
        b.alert_timer.cancel()
        b.alert_timer = None
    if b.alert_shown:
        b.alert_shown = False
        b.dev.emit_event(("UserInterface", "Message", "Alert", "Cleared"), {})


@on("UserInterface Message Alert Display")
def _alert_display(b: Behaviours, call: Call) -> Result:
    if b.alert_timer is not None:
        b.alert_timer.cancel()
        b.alert_timer = None
    b.alert_shown = True
    duration = int(call.arg("Duration", 0) or 0)
    if duration > 0:
        b.alert_timer = b.dev.call_later(duration, lambda: _clear_alert(b))
    return dict(OK)


@on("UserInterface Message Alert Clear")
def _alert_clear(b: Behaviours, call: Call) -> Result:
    _clear_alert(b)
    return dict(OK)


@on("HttpClient Post", "HttpClient Put", "HttpClient Patch", "HttpClient Get", "HttpClient Delete")
def _http(b: Behaviours, call: Call) -> Awaitable[Result]:
    """No network request is ever made: a canned 200 after a short, non-blocking delay."""
    async def answer() -> Result:
        await asyncio.sleep(b.dev.http_delay)
        result: Result = {"StatusCode": "200", "status": "OK"}
        if str(call.arg("ResultBody", "None")).lower() != "none":
            result["Body"] = ""
        return result
    return answer()


@on("SystemUnit Boot")
def _boot(b: Behaviours, call: Call) -> Result:
    """Answer first, then go down like a device does (the reply must get out)."""
    b.dev.call_later(0, lambda: b.dev.reboot(b.dev.boot_seconds))
    return dict(OK)
