"""`importlib.metadata` and `urllib.request`, registered as modules that load on first use.

Why: websockets' package `__init__` imports `importlib.metadata` for a version string
that a released websockets never reads from it, and its client imports `urllib.request`
(http.client, email, tempfile…) for the proxy lookup, which xshell skips where no proxy
can be set (xshell.transport.opening.proxy_choice). Each import is several milliseconds
of a one-shot `xshell -c …` whose whole run is about a hundred. The stdlib's
`importlib.util.LazyLoader` does not help here: the import statement itself reads the
module's `__spec__`, which makes it load.

So, unless something loaded it already, `sys.modules` gets a stand-in that carries the
real module's name and spec (all an import statement looks at) and, on the first access
to anything else, runs the real module's code in itself: from then on it is the module,
one object for everyone who holds it. Nothing else changes; anyone who uses
`importlib.metadata` pays for it at that moment, as without this.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__all__ = ["defer"]



class _Deferred(types.ModuleType):
    """Stands in for a module until something reads one of its names."""

    def __getattr__(self, attr: str) -> Any:  # only names the stand-in does not have
        real = _load(self)
        return getattr(real, attr)


def _load(stand_in: types.ModuleType) -> types.ModuleType:
    """Run the real module's code in the stand-in itself, which then is the module.

    Why not import a second module and copy its names over: whoever held the stand-in
    (websockets' `import urllib.request`) would keep a copy that a later patch or
    assignment on the real one never reaches, and vice versa (`mock.patch`)."""
    spec = stand_in.__spec__
    assert spec is not None and spec.loader is not None  # set by defer()
    stand_in.__class__ = types.ModuleType  # a plain module from now on: no __getattr__
    spec.loader.exec_module(stand_in)
    return stand_in


def defer(name: str) -> None:
    """Register a stand-in for the dotted module `name`, unless it is loaded (or loading)."""
    if name in sys.modules:
        return
    parent_name, _, child = name.rpartition(".")
    parent = importlib.import_module(parent_name)
    spec = importlib.util.find_spec(name)
    if spec is None:  # pragma: no cover - always there on CPython
        return
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    if spec.submodule_search_locations is not None:  # a package
        stand_in.__path__ = list(spec.submodule_search_locations)
        stand_in.__package__ = name
    else:
        stand_in.__package__ = parent_name
    stand_in.__loader__ = spec.loader
    sys.modules[name] = stand_in
    # bound on the package as an import binds a submodule; through vars(), as mypy knows
    # the submodule only where something in the build imports it
    vars(parent)[child] = stand_in

