"""Configuration snapshots and their diffs: "what changed in this room since last week?"

`snapshot save NAME [status] [force]` keeps a device's whole Configuration (and, with
`status`, its Status tree) under `$XDG_DATA_HOME/xshell/snapshots/NAME.json`
(`~/.local/share` when unset); `diff NAME` compares it with the live device and
`diff NAME1 NAME2` two snapshots — two rooms, or one room before and after an upgrade.

Trees are stored flat, one entry per leaf, keyed by the path tshell prints
(`Audio DefaultVolume`, `Video Input Connector 2 Name`), with the value as tshell prints
it (strings quoted, literals and numbers bare). So a diff needs no schema, reads
exactly like `xConfiguration` output, and greps the same way.

Secrets: a value the schema marks hide_value, or whose leaf name is secret (`*Password`,
`*Key`…), is stored as JSON null — a marker, never the value — and a masked entry on
either side is left out of a diff entirely, so a secret can neither be shown nor be told
apart from another by "changed". Without the device's Configuration schema hidden values
cannot be recognised, so nothing is saved.

Diff output (exit status 0: a difference is a finding, not a failure — scripts that
need a yes/no grep the summary line or count `^[-+]\\*` lines):

    --- before: boardroom, software ce11.2.1, saved 2026-11-24T21:03:04Z
    +++ live: boardroom, software ce11.2.1, read 2026-11-24T21:40:11Z
    -*c xConfiguration Audio DefaultVolume: 50
    +*c xConfiguration Audio DefaultVolume: 60
    ** 1 changed, 0 only in before, 0 only in live
    OK
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from xshell import paths
from xshell.errors import XShellError
from xshell.inert import inert
from xshell.lang.render_layout import flatten, format_value, leaf_node, path_text
from xshell.schema.model import Schema, is_secret_name

FORMAT_VERSION = 1
Flat = dict[str, "str | None"]  # path -> value text; None = a secret, not stored
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")
_PREFIX = {"configuration": "*c xConfiguration ", "status": "*s "}
_SECRET_SHOWN = '"***"'  # how tshell text shows a value that is a secret


class SnapshotError(XShellError):
    """A bad name, a missing or unreadable snapshot; str() is one line for the user."""


# --------------------------------------------------------------------------- store
def snapshots_dir() -> Path:
    return paths.snapshots_dir()


def check_name(name: str) -> str:
    """`name` when it is a valid snapshot name (it becomes a file name), else SnapshotError."""
    if not _NAME.fullmatch(name):
        raise SnapshotError(f"snapshot name {name!r} is not valid: use up to 64 letters, digits, "
                            "'.', '_' and '-', not starting with '.'")
    return name


def is_name(name: str) -> bool:
    """Whether `name` could name a snapshot (apply tells a file from a snapshot by it)."""
    return bool(_NAME.fullmatch(name))


def path_of(name: str) -> Path:
    return snapshots_dir() / f"{check_name(name)}.json"


@dataclass
class Snapshot:
    """One saved device state. `saved` is UTC ISO 8601 (`2026-11-24T21:03:04Z`)."""

    name: str
    device: str
    device_key: str
    software: str
    saved: str
    configuration: Flat
    status: Flat | None = None
    unit_name: str = ""  # the device's own SystemUnit Name, when it differs from `device`

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"xshell_snapshot": FORMAT_VERSION, "name": self.name,
                               "device": self.device, "device_key": self.device_key,
                               "unit_name": self.unit_name,
                               "software": self.software, "saved": self.saved,
                               "configuration": self.configuration}
        if self.status is not None:
            doc["status"] = self.status
        return doc

    @classmethod
    def from_json(cls, doc: Any) -> Snapshot:
        if not isinstance(doc, dict) or not isinstance(doc.get("configuration"), dict):
            raise ValueError("no configuration in it")
        status = doc.get("status")
        return cls(str(doc.get("name", "")), str(doc.get("device", "")),
                   str(doc.get("device_key", "")), str(doc.get("software", "")),
                   str(doc.get("saved", "")), _flat(doc["configuration"]),
                   _flat(status) if isinstance(status, dict) else None,
                   str(doc.get("unit_name") or ""))


def _flat(obj: dict[Any, Any]) -> Flat:
    return {str(k): None if v is None else str(v) for k, v in obj.items()}


def private_dir(folder: Path) -> None:
    """Make `folder` (0700), or make an existing one private: per-room data, like history.

    Snapshots name rooms and hold their whole configuration; a folder others can list
    tells them which rooms exist and when they were saved. A folder made by an older
    version (0755) is tightened; one that is not ours is left to its owner.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: no owner ids, and chmod only toggles read-only; the ACL rules
        return
    st = folder.stat()
    if st.st_mode & 0o077 and st.st_uid == getuid():
        os.chmod(folder, 0o700)


def save(snap: Snapshot, force: bool = False) -> Path:
    """Write `snap` (private file, replaced atomically); refuses to overwrite without force."""
    path = path_of(snap.name)
    if path.exists() and not force:
        raise SnapshotError(f"snapshot {snap.name} already exists; "
                            f"`snapshot save {snap.name} force` replaces it")
    try:
        private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(snap.to_json(), fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise SnapshotError(f"cannot write snapshot {path}: {exc.strerror or exc}") from None
    return path


def load(name: str) -> Snapshot:
    path = path_of(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        have = ", ".join(list_names()) or "none"
        raise SnapshotError(f"no snapshot named {name} (have: {have})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"cannot read snapshot {path}: {exc}") from None
    try:
        snap = Snapshot.from_json(json.loads(text))
    except ValueError as exc:
        raise SnapshotError(f"{path} is not an xshell snapshot: {exc}") from None
    snap.name = name
    return snap


def delete(name: str) -> Path:
    path = path_of(name)
    try:
        path.unlink()
    except FileNotFoundError:
        raise SnapshotError(f"no snapshot named {name}") from None
    except OSError as exc:
        raise SnapshotError(f"cannot delete {path}: {exc.strerror or exc}") from None
    return path


def list_names() -> list[str]:
    """The saved snapshot names, sorted (completion of `diff` and `snapshot delete`)."""
    try:
        files = list(snapshots_dir().glob("*.json"))
    except OSError:
        return []
    return sorted(p.stem for p in files if _NAME.fullmatch(p.stem))


# --------------------------------------------------------------------------- flattening
def flat_values(root: Literal["Configuration", "Status"], tree: Any,
                schema: Schema | None, only: Container[str] | None = None) -> Flat:
    """Every leaf of `tree` (the answer to xGet [root]) as tshell path -> value text.

    Secrets (hide_value, or a secret leaf name) become None. Attribute-only entries
    (ghosts) carry no value and are skipped. `only`: just these keys (apply compares a
    few values with a whole Configuration, on 200 rooms at once: the schema lookups of
    the rest are the cost).
    """
    out: Flat = {}
    for path, attrs, value in flatten(tree):
        if attrs or not path:
            continue
        key = path_text(path)
        if only is not None and key not in only:
            continue
        if key in out:  # a list of plain values: keep each one, numbered
            n = 2
            while f"{key} #{n}" in out:
                n += 1
            key = f"{key} #{n}"
        names = [p for p in path if isinstance(p, str)]
        node = leaf_node(schema, (root, *path))
        if (names and is_secret_name(names[-1])) or getattr(node, "hide_value", False):
            out[key] = None
        else:
            out[key] = format_value(value, node.value_space if node is not None else None)
    return out


def masked_count(values: Mapping[str, str | None]) -> int:
    return sum(1 for v in values.values() if v is None)


# --------------------------------------------------------------------------- diff
Change = tuple[str, "str | None", "str | None"]  # (path, left text, right text); None = absent


def _natural(key: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(w)) if w.isdigit() else (1, w.lower()) for w in key.split(" "))


natural_key = _natural  # `Video Input Connector 2` before `… 10`: the order listings use


def diff_maps(left: Mapping[str, str | None], right: Mapping[str, str | None]) -> list[Change]:
    """What differs between two flat maps, in natural path order. Pure.

    A path masked (None) on either side is never reported: its values are unknown.
    """
    out: list[Change] = []
    for key in sorted(set(left) | set(right), key=_natural):
        a, b = left.get(key, ""), right.get(key, "")
        if (key in left and a is None) or (key in right and b is None):
            continue
        if key not in right:
            out.append((key, a, None))
        elif key not in left:
            out.append((key, None, b))
        elif a != b:
            out.append((key, a, b))
    return out


@dataclass
class Side:
    """One side of a diff as its header names it."""

    label: str  # snapshot name, or "live"
    device: str
    software: str
    when: str  # "saved …" or "read …"
    configuration: Mapping[str, str | None]
    status: Mapping[str, str | None] | None = None


def side_of(snap: Snapshot) -> Side:
    return Side(snap.name, device_text(snap.device, snap.unit_name), snap.software, f"saved {snap.saved}",
                snap.configuration, snap.status)


Row = tuple[str, str, "str | None", "str | None"]  # section, key, old (None: absent), new


def _changes(left: Side, right: Side) -> tuple[list[Row], str | None]:
    """Every difference, configuration first, and why status was not compared (or None)."""
    sections: list[tuple[str, Mapping[str, str | None], Mapping[str, str | None]]] = [
        ("configuration", left.configuration, right.configuration)]
    note = None
    if left.status is not None and right.status is not None:
        sections.append(("status", left.status, right.status))
    elif left.status is not None or right.status is not None:
        note = f"only {left.label if left.status is not None else right.label} has it"
    rows = [(section, key, old, new) for section, a, b in sections for key, old, new in diff_maps(a, b)]
    return rows, note


def _counts(rows: list[Row]) -> tuple[int, int, int]:
    """(changed, only on the left, only on the right)."""
    changed = sum(1 for _, _, old, new in rows if old is not None and new is not None)
    only_left = sum(1 for _, _, _, new in rows if new is None)
    return changed, only_left, len(rows) - changed - only_left


def render_diff(left: Side, right: Side) -> list[str]:
    """The diff in tshell `*c`/`*s` form with unified-diff markers, header and summary."""
    lines = [_header("---", left), _header("+++", right)]
    rows, note = _changes(left, right)
    if note is not None:
        lines.append(f"** status not compared: {note}")
    for section, key, old, new in rows:
        if old is not None:
            lines.append(f"-{_PREFIX[section]}{key}: {old}")
        if new is not None:
            lines.append(f"+{_PREFIX[section]}{key}: {new}")
    changed, only_left, only_right = _counts(rows)
    if rows:
        lines.append(f"** {changed} changed, {only_left} only in {left.label}, "
                     f"{only_right} only in {right.label}")
    else:
        lines.append("** no differences")
    return [*lines, "OK"]


def diff_doc(left: Side, right: Side) -> dict[str, Any]:
    """The same diff as one JSON document (`-o json`), for scripts and jq.

    Values are as the device's tshell prints them (strings quoted), so a value reads the
    same in both forms; `old`/`new` is null where the setting exists on one side only.
    """
    rows, note = _changes(left, right)
    changed, only_left, only_right = _counts(rows)
    return {"from": _side_doc(left), "to": _side_doc(right),
            "changes": [{"section": section, "path": key, "old": old, "new": new}
                        for section, key, old, new in rows],
            "changed": changed, "only_from": only_left, "only_to": only_right,
            "status_not_compared": note}


def _side_doc(side: Side) -> dict[str, str]:
    return {"name": side.label, "device": side.device, "software": side.software, "when": side.when}


def show_lines(snap: Snapshot) -> list[str]:
    """`snapshot show NAME`: what was stored, as the device's tshell prints it.

    A secret shows as `"***"` (it was never stored, only that it exists), so the listing
    reads, greps and compares like `xConfiguration` output.
    """
    lines = [f"** snapshot {snap.name}: {inert(device_text(snap.device, snap.unit_name)) or 'unknown device'}, "
             f"software {snap.software or 'unknown'}, saved {snap.saved or 'unknown'}"]
    sections = [("configuration", snap.configuration)]
    if snap.status is not None:
        sections.append(("status", snap.status))
    for section, values in sections:
        for key in sorted(values, key=_natural):
            value = values[key]
            lines.append(f"{_PREFIX[section]}{key}: {_SECRET_SHOWN if value is None else value}")
    return [*lines, "** end", "", "OK"]


def listing_doc(snaps: Iterable[Snapshot]) -> list[dict[str, Any]]:
    """`snapshot list` as JSON: one object per snapshot, counts instead of values."""
    return [{"name": s.name, "device": s.device, "unit_name": s.unit_name, "software": s.software,
             "saved": s.saved, "configuration": len(s.configuration),
             "status": None if s.status is None else len(s.status)} for s in snaps]


def device_text(label: str, unit_name: str) -> str:
    """`boardroom (SX80-B12)`: the user's name for the device and the device's own."""
    return f"{label} ({unit_name})" if unit_name and unit_name != label else label


def _header(marker: str, side: Side) -> str:
    return (f"{marker} {side.label}: {side.device or 'unknown device'}, "
            f"software {side.software or 'unknown'}, {side.when}")


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def table(snaps: Iterable[Snapshot]) -> list[str]:
    """`snapshot list`: aligned columns, one snapshot a line."""
    rows = [["NAME", "DEVICE", "SOFTWARE", "SAVED", "CONFIG", "STATUS"]]
    for s in snaps:
        rows.append([s.name, inert(device_text(s.device, s.unit_name)) or "-", inert(s.software) or "-", s.saved or "-",
                     str(len(s.configuration)), "-" if s.status is None else str(len(s.status))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


__all__ = ["Snapshot", "SnapshotError", "Side", "save", "load", "delete", "list_names", "private_dir",
           "snapshots_dir", "check_name", "flat_values", "diff_maps", "render_diff", "side_of",
           "table", "utc_now", "is_name", "natural_key", "masked_count", "device_text", "diff_doc",
           "listing_doc", "show_lines"]
