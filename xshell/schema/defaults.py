"""Cisco's notation for a default that differs per instance: "[1]: Off; [2]: On; ".

The ids are those of the innermost multi-instance node above the leaf. The model keeps that
text as it is in `ValueSpace.default` (so xDoc serves it back unchanged); these helpers read
and write it for every loader (published file, xDoc, the simulator's `.xdm` model) and for
the simulator, which needs each instance's own boot value. Kept apart from the loaders so
the simulator can use them without pulling in any one loader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from xshell.schema.model import ValueSpace

__all__ = ["parse_instance_defaults", "format_instance_defaults", "default_for_instance", "lookup"]

_INSTANCE_DEFAULT = re.compile(r"\s*\[(\d+)\]:\s*([^;]*?)\s*;")


def parse_instance_defaults(text: str | None) -> dict[int, str] | None:
    """{id: value} for Cisco's per-instance default notation, None for a plain default."""
    if not text or not text.lstrip().startswith("["):
        return None
    out: dict[int, str] = {}
    pos = 0
    for m in _INSTANCE_DEFAULT.finditer(text):
        if m.start() != pos:
            return None
        out.setdefault(int(m.group(1)), m.group(2))
        pos = m.end()
    return out if out and not text[pos:].strip() else None


def format_instance_defaults(values: Mapping[int, str]) -> str:
    """The canonical per-instance notation, ids ascending (Cisco's own spacing)."""
    return "".join(f"[{i}]: {values[i]}; " for i in sorted(values))


def lookup(values: Mapping[int, str], instance: int) -> str:
    """Value for `instance`; an unlisted id repeats the nearest listed id below it."""
    if instance in values:
        return values[instance]
    below = [i for i in values if i < instance]
    return values[max(below)] if below else values[min(values)]


def default_for_instance(vs: ValueSpace | None, instance: int | None) -> str | None:
    """The default of one instance (id of the innermost multi node above the leaf)."""
    if vs is None:
        return None
    per = parse_instance_defaults(vs.default)
    if per is None:
        return vs.default
    return lookup(per, instance if instance is not None else min(per))
