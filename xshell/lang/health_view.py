"""The health report: one row per room, judged, and shown as one table or one document.

`health` (xshell.commands.health) reads the values of each room; this module is pure: it
judges a room (HEALTH: ok, warning, error, critical, unreachable) and renders any number
of rooms' rows, so one room, `@floor3 health` and a fleet run print the same table.

A room's HEALTH is the worst of: its diagnostics messages (Warning, Error, Critical;
Info is shown but counts as ok), a registration that failed (error), a peripheral that
lost its connection (warning); `unreachable` when it could not be connected.
Exit status (for monitoring jobs): 0 every room ok, 1 a room is warning, error or
critical, 3 a room could not be reached (3 wins over 1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from xshell.inert import inert

__all__ = ["HEALTH_EXIT", "judge", "health_document", "health_lines", "health_exit", "short_version",
           "unreachable_row"]

LEVELS = ("ok", "warning", "error", "critical", "unreachable")
HEALTH_EXIT = {"ok": 0, "warning": 1, "error": 1, "critical": 1, "unreachable": 3}
_DIAG_LEVEL = {"Info": "ok", "Warning": "warning", "Error": "error", "Critical": "critical"}
_HEAD = ("ROOM", "HEALTH", "SOFTWARE", "UPTIME", "REGISTRATION", "CALLS", "PERIPH", "DIAGNOSTICS")


def _worst(levels: Sequence[str]) -> str:
    return max(levels, key=LEVELS.index, default="ok")


def judge(row: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(HEALTH, the problems as short phrases) of one room's collected values."""
    problems: list[str] = []
    levels: list[str] = []
    for msg in row.get("diagnostics", ()):
        level = _DIAG_LEVEL.get(str(msg.get("level")), "warning")
        if level != "ok":
            levels.append(level)
            # device text: inert per field, so a "\n" in one cannot forge a line of the report
            problems.append(" ".join(inert(str(msg.get(k))) for k in ("level", "type")) + ": "
                            + inert(str(msg.get("description"))))
    registration = str(row.get("registration") or "")
    if registration.lower() in ("failed", "deregister", "inactive"):
        levels.append("error")
        problems.append(f"registration {registration}")
    lost = row.get("peripherals_lost") or 0
    if lost:
        levels.append("warning")
        problems.append(f"{lost} peripheral{'s' if lost != 1 else ''} not connected")
    return _worst(levels), problems


def unreachable_row(device: str, host: str, why: str) -> dict[str, Any]:
    """The row of a room that could not be connected (a fleet run)."""
    return {"device": device, "host": host, "health": "unreachable", "problems": [why],
            "software": None, "uptime": None, "registration": None, "calls": None,
            "peripherals": None, "diagnostics": []}


def health_exit(rows: Sequence[Mapping[str, Any]]) -> int:
    """The exit status of a report: see the module docstring."""
    return max((HEALTH_EXIT.get(str(r.get("health")), 1) for r in rows), default=0)


def short_version(version: Any) -> str:
    """`ce11.27.3.0.5c1e9a0b7d2` → `11.27.3.0` (what a technician compares)."""
    text = str(version or "")
    m = re.match(r"[A-Za-z]*(\d+(?:\.\d+)+?)(?:\.[0-9a-f]{7,})?$", text)
    return m.group(1) if m else text or "-"


def _uptime(seconds: Any) -> str:
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return "-"
    days, rest = divmod(seconds, 86400)
    return f"{days}d {rest // 3600:02d}:{rest % 3600 // 60:02d}"


def _count(value: Any) -> str:
    return "-" if value is None else str(value)


def _diag_cell(row: Mapping[str, Any]) -> str:
    msgs = list(row.get("diagnostics", ()))
    if not msgs:
        return "none" if row.get("health") != "unreachable" else "-"
    by: dict[str, int] = {}
    for m in msgs:
        level = str(m.get("level") or "?").lower()
        by[level] = by.get(level, 0) + 1
    order = ("critical", "error", "warning", "info")
    return ", ".join(f"{by[k]} {k}" for k in sorted(by, key=lambda k: order.index(k) if k in order else 9))


def health_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The terminal table, the problems of the rooms that have any, and a count line."""
    raw = [_HEAD] + [(str(r.get("device") or r.get("host") or "?"), str(r.get("health")),
                      short_version(r.get("software")) if r.get("software") else "-",
                      _uptime(r.get("uptime")), str(r.get("registration") or "-"),
                      _count(r.get("calls")), _count(r.get("peripherals")), _diag_cell(r))
                     for r in rows]
    table = [tuple(map(inert, t)) for t in raw]  # widths of the text as it will be shown
    widths = [max(len(t[i]) for t in table) for i in range(len(_HEAD))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(t, widths)).rstrip() for t in table]
    for r in rows:
        for problem in r.get("problems", ()):
            lines.append(f"** {inert(str(r.get('device') or r.get('host')))}: {inert(str(problem))}")
    bad = sum(1 for r in rows if r.get("health") != "ok")
    n = len(rows)
    lines.append(f"** {n} room{'' if n == 1 else 's'}: {n - bad} ok, {bad} not ok")
    return lines


def health_document(rows: Sequence[Mapping[str, Any]]) -> str:
    """`-o json`: one document, `{"rooms": [...], "summary": {...}, "exit": N}`."""
    summary: dict[str, int] = {level: 0 for level in LEVELS}
    for r in rows:
        summary[str(r.get("health"))] = summary.get(str(r.get("health")), 0) + 1
    return json.dumps({"rooms": list(map(dict, rows)), "summary": {"rooms": len(rows), **summary},
                       "exit": health_exit(rows)}, ensure_ascii=False, separators=(",", ":"))


def render(rows: Sequence[Mapping[str, Any]], json_documents: bool) -> list[str]:
    """The report as the output format wants it (a table, or one JSON document)."""
    return [health_document(rows)] if json_documents else health_lines(rows)
