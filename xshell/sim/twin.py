"""A twin to rehearse on: `xshell-sim --snapshot NAME|FILE` plays a stored snapshot.

A change (or an `apply`) can be tried on a copy of the real room before it touches the
room: the simulator starts from the snapshot's Configuration (and its Status, when the
snapshot was saved with `status`) instead of factory values. Everything else is the
simulated device as usual — the schema decides what exists and what a value may be,
errors are a device's — so a snapshot from a newer codec keeps the values this schema
knows and the rest is counted (`--schema` with Cisco's published file knows them all).

Secrets were never stored (JSON null): those configurations keep the model's values.
The file is xshell's snapshot format (xshell.session.snapshots), read here on its own:
the simulator depends on nothing of the client's.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from xshell import paths
from xshell.sim.device import DeviceModel, LeafPath, Value

__all__ = ["TwinError", "twin_model", "snapshot_path"]

_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")
_INT = re.compile(r"-?\d+")


class TwinError(Exception):
    """The snapshot cannot be played; str() is one line for the user."""


def snapshot_path(spec: str) -> Path:
    """A file path as given, else the stored snapshot of that name."""
    path = Path(spec).expanduser()
    if path.is_file():
        return path
    if _NAME.fullmatch(spec):
        stored = paths.snapshots_dir() / f"{spec}.json"
        if stored.is_file():
            return stored
    raise TwinError(f"--snapshot {spec}: no such file, and no stored snapshot of that name "
                    f"in {paths.snapshots_dir()}")


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TwinError(f"--snapshot {path}: cannot read it: {exc}") from None
    except ValueError as exc:
        raise TwinError(f"--snapshot {path}: not JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("configuration"), dict):
        raise TwinError(f"--snapshot {path}: not an xshell snapshot (no configuration in it)")
    return doc


def _path(key: str) -> LeafPath:
    return tuple(int(w) if w.isdigit() else w for w in key.split(" "))


def _value(text: str) -> Value:
    """A value as tshell prints it (the snapshot's form) back to the wire's."""
    if text.startswith('"'):
        loaded = json.loads(text)
        return loaded if isinstance(loaded, str) else str(loaded)
    return int(text) if _INT.fullmatch(text) else text


def _merge(model: DeviceModel, root: str, base: Mapping[LeafPath, Value],
           values: Mapping[str, Any]) -> tuple[dict[LeafPath, Value], int]:
    """`base` with every snapshot value the schema takes; and how many it did not."""
    out = dict(base)
    skipped = 0
    for key, text in values.items():
        if text is None or " #" in key:  # a secret (never stored), one element of a list
            continue
        try:
            value = _value(str(text))
        except ValueError:
            skipped += 1
            continue
        path = _path(key)
        resolved = model.schema.resolve((root, *path))
        if not resolved.ok and path[-1] == "Value":  # one element of a leaf that is a list
            resolved = model.schema.resolve((root, *path[:-1]))
        node = resolved.node
        if not resolved.ok or node is None or not node.is_leaf:
            skipped += 1
            continue
        vs = node.value_space
        if vs is not None:
            if vs.check(value) is not None:
                skipped += 1
                continue
            value = vs.coerce(value)
        out[resolved.path[1:]] = value
    return out, skipped


def twin_model(model: DeviceModel, spec: str) -> tuple[DeviceModel, str, int]:
    """`model` holding the snapshot's values: (the twin, what it plays, values skipped)."""
    path = snapshot_path(spec)
    doc = _read(path)
    config, skipped = _merge(model, "Configuration", model.configuration, doc["configuration"])
    status = dict(model.status)
    if isinstance(doc.get("status"), dict):
        status, more = _merge(model, "Status", model.status, doc["status"])
        skipped += more
    name = str(config.get(("SystemUnit", "Name")) or doc.get("unit_name") or model.name)
    twin = dataclasses.replace(model, configuration=MappingProxyType(config),
                               status=MappingProxyType(status), name=name)
    what = f"snapshot {doc.get('name') or path.stem} of {doc.get('device') or 'an unknown device'}"
    return twin, what, skipped
