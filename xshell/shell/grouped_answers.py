"""The answers of several devices to one `@NAMES LINE`, as one answer.

Kept apart from shell/many_devices.py, which keeps the devices and sends the line: this
is what the technician reads afterwards — each device's lines under its name, and one
summary line naming every failure and why (the thing checked first); report rows
(`health`) of every room merge into one table instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from xshell.contract import Outcome
from xshell.shell.device_record import Device

__all__ = ["failure_reason", "grouped"]


def failure_reason(lines: Sequence[str], limit: int = 70) -> str:
    """The one phrase that says why a device's answer failed (for the summary line)."""
    why = ""
    for ln in lines:
        if "Reason:" in ln:
            why = ln.split("Reason:", 1)[1].strip().strip('"')
            break
        if ln.startswith("error: "):
            why = ln[len("error: "):]
            break
    if not why:
        rest = [ln for ln in lines if ln.strip() and ln.strip() not in ("OK", "ERROR", "** end")]
        why = rest[-1].strip() if rest else "failed"
    return why if len(why) <= limit else why[: limit - 1] + "…"


def grouped(targets: Sequence[Device], outcomes: Sequence[Outcome], json_documents: bool) -> Outcome:
    """One Outcome for the devices' outcomes: grouped per device, failures summed up."""
    if all(o.report is not None for o in outcomes):  # `health`: one table of every room
        return _report(targets, outcomes, json_documents)
    lines: list[str] = []
    failed: list[str] = []
    for device, outcome in zip(targets, outcomes):
        lines.append(f"── {device.name} ──")
        lines += outcome.lines
        if not outcome.ok:
            failed.append(f"{device.name}: {failure_reason(outcome.lines)}")
    n = len(targets)
    summary = f"** {n} device{'' if n == 1 else 's'}: {n - len(failed)} ok"
    if failed:
        summary += f", {len(failed)} failed ({'; '.join(failed)})"
    return Outcome([*lines, summary], ok=not failed)


def _report(targets: Sequence[Device], outcomes: Sequence[Outcome], json_documents: bool) -> Outcome:
    """Report rows (`health`) of several rooms as ONE table or document (lang.health_view)."""
    from xshell.lang import health_view

    rows = [{**(o.report or {}), "device": d.name, "host": d.host} for d, o in zip(targets, outcomes)]
    return Outcome(health_view.render(rows, json_documents), ok=health_view.health_exit(rows) == 0)
