"""The simulated device's macros: stored per device, with a runtime that does not run them.

A RoomOS device keeps macros (JavaScript files) by name, each active or not, and runs the
active ones in one runtime. The simulator stores the bodies exactly as sent (a JSON
string: encoding and line endings as the client sent them), keeps which are active and
whether the runtime runs, logs to the macro log, and fires the events a device fires
(`Macros Macro Saved|Activated|Deactivated|Removed|Renamed|Started`, `Macros Runtime
Reloading|Reloaded|Ready`, `Macros Log`). It never runs JavaScript: a started macro only
logs that it started.

Command names and arguments follow the published schema (RoomOS 26.1.1). Result layouts:
`Macro Get` → `{"Macro": [{"id", "Name", "Active", "Content"?}]}` and `Runtime Status` →
`{"Running", "ActiveMacros", "Crashes"}` as macros in the field read them; `Log Get` →
`{"Log": [{Offset, Timestamp, Level, Macro, Message}]}` (the `Macros Log` event's fields)
and the error texts are the simulator's own (the device's are not published).

Macros survive a reboot, as on a device (they are not per-boot state): the store hangs on
the Behaviours object but `Behaviours.reset` does not touch it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from xshell.errors import CommandError
from xshell.sim.behaviour import ILLEGAL_ARGUMENT, OK, Behaviours, Result, on
from xshell.sim.xcommands import Call

__all__ = ["MacroStore", "macros_of"]

LOG_KEEP = 1000  # entries the log keeps (oldest dropped first)


@dataclass
class Macro:
    name: str
    content: str
    active: bool = False


@dataclass
class MacroStore:
    """One device's macros (in saving order), its runtime and its log."""

    macros: dict[str, Macro] = field(default_factory=dict)
    running: bool = True
    crashes: int = 0
    log: list[dict[str, object]] = field(default_factory=list)
    next_offset: int = 0

    def find(self, name: str) -> Macro:
        """The macro called `name` (exact case, as a device's file names are)."""
        macro = self.macros.get(name)
        if macro is None:
            raise CommandError(f'No macro named "{name}"', data={"Cause": ILLEGAL_ARGUMENT, "Name": name})
        return macro


def macros_of(b: Behaviours) -> MacroStore:
    """The device's macro store, made on first use (kept across reboots)."""
    store = b.__dict__.get("_macros")
    if store is None:
        mode = b.dev.configuration(("Macros", "AutoStart"))
        store = b.__dict__["_macros"] = MacroStore(running=mode != "Off")
    return store


def _log(b: Behaviours, level: str, macro: str, message: str) -> None:
    store = macros_of(b)
    entry: dict[str, object] = {
        "Offset": store.next_offset, "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
        "Level": level, "Macro": macro, "Message": message}
    store.next_offset += 1
    store.log.append(entry)
    del store.log[:-LOG_KEEP]
    b.dev.emit_event(("Macros", "Log"), entry)


def _start(b: Behaviours, macro: Macro) -> None:
    """What starting a macro looks like from outside (the simulator runs no JavaScript)."""
    b.dev.emit_event(("Macros", "Macro", "Started"), {"Name": macro.name})
    _log(b, "info", macro.name, "Loading...")
    _log(b, "info", macro.name, "Ready (the simulator does not run JavaScript)")


def _require_enabled(b: Behaviours) -> None:
    if b.dev.configuration(("Macros", "Mode")) == "Off":
        raise CommandError("Macros are disabled (xConfiguration Macros Mode: Off)",
                           data={"Cause": ILLEGAL_ARGUMENT})


def _reload(b: Behaviours) -> None:
    """Restart the runtime: every active macro starts again."""
    store = macros_of(b)
    b.dev.emit_event(("Macros", "Runtime", "Reloading"), {})
    store.running = True
    _log(b, "info", "", "Runtime starting")
    for macro in store.macros.values():
        if macro.active:
            _start(b, macro)
    b.dev.emit_event(("Macros", "Runtime", "Reloaded"), {})
    b.dev.emit_event(("Macros", "Runtime", "Ready"), {})


def _name(call: Call, key: str = "Name") -> str:
    name = str(call.arg(key, ""))
    if not name.strip():
        raise CommandError(f"{key} must not be empty", data={"Cause": ILLEGAL_ARGUMENT})
    return name


@on("Macros Macro Save")
def _save(b: Behaviours, call: Call) -> Result:
    store, name = macros_of(b), _name(call)
    old = store.macros.get(name)
    if old is not None and str(call.arg("Overwrite", "True")) == "False":
        raise CommandError(f'A macro named "{name}" already exists (Overwrite: False)',
                           data={"Cause": ILLEGAL_ARGUMENT, "Name": name})
    body = call.body or ""
    if old is None:
        store.macros[name] = Macro(name, body)
    else:
        old.content = body
    b.dev.emit_event(("Macros", "Macro", "Saved"), {"Name": name})
    if old is not None and old.active and store.running:
        _reload(b)  # a device restarts the runtime when an active macro changes
    return dict(OK)


@on("Macros Macro Get")
def _get(b: Behaviours, call: Call) -> Result:
    store = macros_of(b)
    wanted = call.arg("Name")
    macros = [store.find(str(wanted))] if wanted not in (None, "") else list(store.macros.values())
    content = str(call.arg("Content", "False")) == "True"
    out = []
    for i, m in enumerate(macros, 1):
        row: dict[str, object] = {"id": i, "Name": m.name, "Active": "True" if m.active else "False"}
        if content:
            row["Content"] = m.content
        out.append(row)
    return {"Macro": out, "status": "OK"}


@on("Macros Macro Activate", "Macros Macro Deactivate")
def _activate(b: Behaviours, call: Call) -> Result:
    store = macros_of(b)
    macro = store.find(_name(call))
    on_now = call.path[-1].lower() == "activate"
    if on_now:
        _require_enabled(b)
    changed, macro.active = macro.active != on_now, on_now
    b.dev.emit_event(("Macros", "Macro", "Activated" if on_now else "Deactivated"), {"Name": macro.name})
    if changed and store.running:
        if on_now:
            _start(b, macro)
        else:
            _log(b, "info", macro.name, "Stopped")
    return dict(OK)


@on("Macros Macro Remove")
def _remove(b: Behaviours, call: Call) -> Result:
    store = macros_of(b)
    macro = store.find(_name(call))
    del store.macros[macro.name]
    b.dev.emit_event(("Macros", "Macro", "Removed"), {"Name": macro.name})
    return dict(OK)


@on("Macros Macro RemoveAll")
def _remove_all(b: Behaviours, call: Call) -> Result:
    store = macros_of(b)
    names = list(store.macros)
    store.macros.clear()
    for name in names:
        b.dev.emit_event(("Macros", "Macro", "Removed"), {"Name": name})
    return dict(OK)


@on("Macros Macro Rename")
def _rename(b: Behaviours, call: Call) -> Result:
    store = macros_of(b)
    macro, new = store.find(_name(call)), _name(call, "NewName")
    if new in store.macros and new != macro.name and str(call.arg("Overwrite", "False")) != "True":
        raise CommandError(f'A macro named "{new}" already exists (Overwrite: False)',
                           data={"Cause": ILLEGAL_ARGUMENT, "Name": new})
    del store.macros[macro.name]
    old, macro.name = macro.name, new
    store.macros[new] = macro
    b.dev.emit_event(("Macros", "Macro", "Renamed"), {"Name": old, "NewName": new})
    return dict(OK)


@on("Macros Macro Roles Set")
def _roles(b: Behaviours, call: Call) -> Result:
    macros_of(b).find(_name(call))
    return dict(OK)


@on("Macros Runtime Restart", "Macros Runtime Start")
def _runtime_start(b: Behaviours, call: Call) -> Result:
    _require_enabled(b)
    _reload(b)
    return dict(OK)


@on("Macros Runtime Stop")
def _runtime_stop(b: Behaviours, call: Call) -> Result:
    store = macros_of(b)
    if store.running:
        store.running = False
        _log(b, "info", "", "Runtime stopped")
    return dict(OK)


@on("Macros Runtime Status")
def _runtime_status(b: Behaviours, call: Call) -> Result:
    store = macros_of(b)
    active = sum(1 for m in store.macros.values() if m.active)
    return {"Running": "True" if store.running else "False", "ActiveMacros": active,
            "Crashes": store.crashes, "status": "OK"}


@on("Macros Log Get")
def _log_get(b: Behaviours, call: Call) -> Result:
    offset = int(call.arg("Offset", 0) or 0)
    return {"Log": [dict(e) for e in macros_of(b).log if int(str(e["Offset"])) >= offset], "status": "OK"}


@on("Macros Log Clear")
def _log_clear(b: Behaviours, call: Call) -> Result:
    macros_of(b).log.clear()
    return dict(OK)
