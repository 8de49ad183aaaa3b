"""`importlib.metadata`, registered as a module that loads on its first real use.

Why: websockets' package `__init__` imports `importlib.metadata` for a version string
that a released websockets never reads from it, and that import (zipfile, email, csv,
importlib.resources…) is several milliseconds of a one-shot `xshell -c …` whose whole
run is about a hundred. The stdlib's `importlib.util.LazyLoader` does not help here: the
import statement itself reads the module's `__spec__`, which makes it load.

So, unless something loaded it already, `sys.modules` gets a stand-in that carries the
real module's name and spec (all an import statement looks at) and loads the real module
on the first access to anything else, then takes on its namespace: whoever holds the
stand-in gets the real functions and classes. Nothing else changes; anyone who uses
`importlib.metadata` pays for it at that moment, as without this.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__all__ = ["defer_importlib_metadata"]

NAME = "importlib.metadata"


class _Deferred(types.ModuleType):
    """Stands in for a module until something reads one of its names."""

    def __getattr__(self, attr: str) -> Any:  # only names the stand-in does not have
        real = _load(self)
        return getattr(real, attr)


def _load(stand_in: types.ModuleType) -> types.ModuleType:
    if sys.modules.get(NAME) is stand_in:
        del sys.modules[NAME]
    real = importlib.import_module(NAME)  # the import binds importlib.metadata to it
    stand_in.__dict__.update(real.__dict__)
    return real


def defer_importlib_metadata() -> None:
    """Register the stand-in, unless importlib.metadata is loaded (or loading) already."""
    if NAME in sys.modules:
        return
    spec = importlib.util.find_spec(NAME)
    if spec is None:  # pragma: no cover - always there on CPython
        return
    stand_in = _Deferred(NAME)
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    stand_in.__path__ = list(spec.submodule_search_locations or [])  # a package
    stand_in.__package__ = NAME
    stand_in.__loader__ = spec.loader
    sys.modules[NAME] = stand_in
    # bound on the package as an import binds a submodule; through vars(), as mypy knows
    # importlib.metadata only where something in the build imports it
    vars(importlib)["metadata"] = stand_in
