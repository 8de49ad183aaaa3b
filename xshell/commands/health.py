"""`health`: the device's own diagnostics and the few values a technician checks first.

It runs `xCommand Diagnostics Run` (the device re-runs its self-diagnostics now rather
than within the minute), then reads, at once: SystemUnit Software Version, Uptime,
SIP Registration Status, SystemUnit State NumberOfActiveCalls, Peripherals
ConnectedDevice (connected / not) and the Diagnostics Message list. The row is judged
and rendered by xshell.lang.health_view; the Result carries it as a `Report`, so `@…`
(xshell.shell.many_devices) and fleet runs (xshell.modes.fleet) print ONE table of every
room instead of one per room. In a read-only session the diagnostics are not re-run
(`Diagnostics Run` is a command), only read.
"""

from __future__ import annotations

import asyncio
from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.errors import ConnectionFailed, XShellError
from xshell.lang import health_view
from xshell.lang import requests as rq
from xshell.session.core import Session
from xshell.session.result import EXIT_USAGE, Report, Result, error_result

__all__ = ["COMMANDS", "collect"]

_PATHS: dict[str, list[str]] = {
    "software": ["Status", "SystemUnit", "Software", "Version"],
    "uptime": ["Status", "SystemUnit", "Uptime"],
    "registration": ["Status", "SIP", "Registration"],
    "calls": ["Status", "SystemUnit", "State", "NumberOfActiveCalls"],
    "peripherals": ["Status", "Peripherals", "ConnectedDevice"],
    "diagnostics": ["Status", "Diagnostics", "Message"],
}


async def _get(session: Session, path: list[str]) -> Any:
    """A value, or None where the device has none (no such node, no instance yet)."""
    try:
        return await session.client.get(path)
    except ConnectionFailed:
        raise
    except XShellError:
        return None


def _instances(value: Any) -> list[dict[str, Any]]:
    """A list node's instances, as xGet gives them (a list of {id, …}, or one dict)."""
    if isinstance(value, dict):
        value = [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _registration(value: Any) -> str | None:
    states = [str(i.get("Status")) for i in _instances(value) if i.get("Status") is not None]
    if not states:
        return None
    return "Registered" if "Registered" in states else states[0]


async def collect(session: Session) -> tuple[dict[str, Any], str]:
    """One room's row (see health_view) and a note when the diagnostics were not re-run."""
    note = ""
    if session.read_only or getattr(getattr(session.context, "guard", None), "read_only", False):
        note = "diagnostics not re-run (read-only): the device's last results"
    else:
        try:
            await session.send(rq.Command(("Diagnostics", "Run")))  # a read: the guard lets it by
        except ConnectionFailed:
            raise
        except XShellError as exc:
            note = f"diagnostics not re-run ({exc}): the device's last results"
    got = dict(zip(_PATHS, await asyncio.gather(*(_get(session, p) for p in _PATHS.values()))))
    devices = _instances(got["peripherals"])
    connected = sum(1 for d in devices if str(d.get("Status", "Connected")) == "Connected")
    row: dict[str, Any] = {
        "device": session.label or session.device_name, "host": "",
        "software": got["software"] if isinstance(got["software"], str) else None,
        "uptime": got["uptime"] if isinstance(got["uptime"], int) else None,
        "registration": _registration(got["registration"]),
        "calls": got["calls"] if isinstance(got["calls"], int) else None,
        "peripherals": connected, "peripherals_lost": len(devices) - connected,
        "diagnostics": [{"level": m.get("Level"), "type": m.get("Type"),
                         "description": m.get("Description"), "references": m.get("References")}
                        for m in _instances(got["diagnostics"])],
    }
    row["health"], row["problems"] = health_view.judge(row)
    return row, note


async def _health(session: Session, args: tuple[str, ...]) -> Result:
    if args:
        return error_result("health takes no arguments (`@ROOMS health` for several rooms)", EXIT_USAGE)
    row, note = await collect(session)
    status = health_view.health_exit([row])
    lines = health_view.render([row], session.output_format.json_documents)
    if note and not session.output_format.json_documents:
        lines.insert(0, f"** {note}")
    problem = "; ".join(row["problems"]) or str(row["health"])
    return Result(lines, status, report=Report("health", row, problem if status else ""))


COMMANDS = (
    Command(rank=3, name="health", scope=Scope.DEVICE, section=Section.DEVICE, usage="health",
            summary="diagnostics, software, uptime, registration, calls, peripherals: one table "
                    "(@ROOMS health: every room)",
            handler=_health),
)
