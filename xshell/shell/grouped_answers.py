"""The answers of several devices to one `@NAMES LINE`, as one answer.

Kept apart from shell/many_devices.py, which keeps the devices and sends the line: this
is what the technician reads afterwards — each device's lines under its name, and one
summary line naming every failure and why (the thing checked first); report rows
(`health`) of every room merge into one table instead. A report that keeps the lines
(`apply`, `snapshot restore`) adds one table after them — room, changed, already as
desired, failed/not sent, exit — and the summary line names the worst exit, which
decides whether the whole line succeeded.
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
    kept = any(o.report is not None and o.keep_lines for o in outcomes)
    if not kept and all(o.report is not None for o in outcomes):  # `health`: one table of every room
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
    if kept and not json_documents:  # `apply`: the counts of every room, then the worst exit
        worst = max(_exit(o) for o in outcomes)
        return Outcome([*lines, *_counts_table(targets, outcomes), f"{summary}; worst exit {worst}"],
                       ok=worst == 0, exit_code=worst)
    return Outcome([*lines, summary], ok=not failed)


def _exit(outcome: Outcome) -> int:
    return outcome.exit_code if outcome.exit_code is not None else 0 if outcome.ok else 1


_COUNTS_HEAD = ("ROOM", "CHANGED", "AS DESIRED", "FAILED/NOT SENT", "EXIT")


def _counts_table(targets: Sequence[Device], outcomes: Sequence[Outcome]) -> list[str]:
    """apply's rows as aligned lines; a room with no row (refused, not reached) shows `-`.
    CHANGED is what would change under --check, what was set otherwise."""
    check = any((o.report or {}).get("check") for o in outcomes)
    head = (_COUNTS_HEAD[0], "WOULD CHANGE" if check else "CHANGED", *_COUNTS_HEAD[2:])
    rows = [head]
    for device, o in zip(targets, outcomes):
        r = o.report if o.keep_lines and o.report is not None else None
        if r is None:
            rows.append((device.name, "-", "-", "-", str(_exit(o))))
        else:
            rows.append((device.name, str(r.get("changed")), str(r.get("unchanged")),
                         f"{r.get('failed')}/{r.get('not_sent')}", str(_exit(o))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()
            for row in rows]


def _report(targets: Sequence[Device], outcomes: Sequence[Outcome], json_documents: bool) -> Outcome:
    """Report rows (`health`) of several rooms as ONE table or document (lang.health_view)."""
    from xshell.lang import health_view

    rows = [{**(o.report or {}), "device": d.name, "host": d.host} for d, o in zip(targets, outcomes)]
    return Outcome(health_view.render(rows, json_documents), ok=health_view.health_exit(rows) == 0)
