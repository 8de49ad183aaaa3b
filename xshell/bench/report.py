"""Rows of the benchmark report, their verdicts, the printed table and the JSON file.

A row is one number with its reference, the ratio between them, the bar it must meet
and the verdict. The verdict is computed here, from the bar, so no figure can word its
own result. Bars without a measured reference use the bar's limit as the reference, so
the ratio column always reads "how far from the reference" (below 1 is under it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PASS, MISS, INFO, SKIP, ERROR = "PASS", "MISS", "INFO", "SKIP", "ERROR"


@dataclass
class Row:
    """One line of the table (and one object in the JSON)."""

    figure: str  # the group `--only` selects, e.g. "rtt"
    name: str  # unique row id, e.g. "rtt.p99"
    title: str
    unit: str
    value: float | None
    reference: float | None
    reference_name: str
    ratio: float | None
    bar: str
    verdict: str
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def _ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or reference == 0:
        return None
    return value / reference


def compare(figure: str, name: str, title: str, unit: str, value: float, reference: float,
            reference_name: str, *, at_most: float | None = None, at_least: float | None = None,
            value_at_least: float | None = None, aim: bool = False, note: str = "",
            details: dict[str, Any] | None = None) -> Row:
    """A ratio bar: value/reference ≤ at_most or ≥ at_least (and optionally value ≥ a floor)."""
    r = _ratio(value, reference)
    ok = r is not None
    parts = []
    if at_most is not None:
        parts.append(f"≤ {at_most:g}×")
        ok = ok and r is not None and r <= at_most
    if at_least is not None:
        parts.append(f"≥ {at_least:g}×")
        ok = ok and r is not None and r >= at_least
    if value_at_least is not None:
        parts.append(f"≥ {fmt(value_at_least, unit)}")
        ok = ok and value >= value_at_least
    bar = ("aim " if aim else "") + " and ".join(parts)
    return Row(figure, name, title, unit, value, reference, reference_name, r, bar,
               PASS if ok else MISS, note, dict(details or {}))


def limit(figure: str, name: str, title: str, unit: str, value: float, *, below: float,
          reference: float | None = None, reference_name: str = "", note: str = "",
          details: dict[str, Any] | None = None) -> Row:
    """An absolute bar: value < below. Without a measured reference the bar is the reference."""
    if reference is None:
        reference, reference_name = below, "bar"
    return Row(figure, name, title, unit, value, reference, reference_name, _ratio(value, reference),
               f"< {fmt(below, unit)}", PASS if value < below else MISS, note, dict(details or {}))


def info(figure: str, name: str, title: str, unit: str, value: float, reference: float | None,
         reference_name: str, note: str = "", details: dict[str, Any] | None = None) -> Row:
    """A number reported for information: no bar, no verdict."""
    return Row(figure, name, title, unit, value, reference, reference_name,
               _ratio(value, reference), "—", INFO, note, dict(details or {}))


def absent(figure: str, name: str, title: str, verdict: str, why: str) -> Row:
    """A row that could not be measured (SKIP: a peer is missing; ERROR: the run failed)."""
    return Row(figure, name, title, "", None, None, "", None, "—", verdict, why)


def fmt(value: float | None, unit: str) -> str:
    """A number with its unit, short (3 significant digits; k for thousands)."""
    if value is None:
        return "—"
    if unit in ("req/s", "ev/s", "answered") and abs(value) >= 10_000:
        return f"{value / 1000:.0f}k {unit}" if unit != "answered" else f"{value:,.0f}"
    if unit == "answered":
        return f"{value:,.0f}"
    if unit == "x frame":  # a ratio near its bar (2.01): the third decimal decides
        text = f"{value:.3f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".rstrip()


def _ref_text(row: Row) -> str:
    if row.reference is None:
        return "—"
    if row.reference_name == "bar":
        return "(bar)"
    return f"{fmt(row.reference, row.unit)} {row.reference_name}".strip()


def table(rows: Sequence[Row]) -> str:
    """The report as aligned plain-text columns, one row per figure, notes below."""
    head = ("figure", "value", "reference", "ratio", "bar", "result")
    body = [(r.name, fmt(r.value, r.unit), _ref_text(r),
             "—" if r.ratio is None else f"{r.ratio:.2f}×", r.bar, r.verdict) for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]
    line = "  ".join("{:<%d}" % w for w in widths)
    out = [line.format(*head), line.format(*("-" * w for w in widths))]
    out += [line.format(*b).rstrip() for b in body]
    notes = [f"  {r.name}: {r.note}" for r in rows if r.note]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def machine() -> dict[str, Any]:
    return {"python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpus": os.cpu_count(), "machine": platform.machine()}


def document(rows: Sequence[Row], *, quick: bool, reps: int, seconds: float,
             config: dict[str, Any]) -> dict[str, Any]:
    """The JSON document: when, where, how, and every row."""
    return {
        "format": "xshell-bench/1",
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "repetitions": reps,
        "seconds": round(seconds, 2),
        "machine": machine(),
        "config": config,
        "figures": [asdict(r) for r in rows],
    }


def write_json(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
