"""The output formats by name: the one list `-o`, settings, commands and rendering read.

Every module of this package that defines `FORMAT` is a format; they are found when this
module is first imported (the default first, the rest in module-name order), so a new
format is one new module. `register` / `unregister` exist for tests and for formats
that live elsewhere. Error messages list `names()`, so they can never go stale.
"""

from __future__ import annotations

import os
import re
from importlib import import_module

import xshell.lang.formats as _package
from xshell.lang.formats.output_format import OutputFormat

DEFAULT = "terminal"  # tshell's own output: what a technician sees on the device's shell
_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_FORMATS: dict[str, OutputFormat] = {}


class UnknownFormat(ValueError):
    """A name that is no registered output format; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown output format {name!r} (known: {', '.join(names())})")
        self.name = name


def register(fmt: OutputFormat) -> None:
    """Add `fmt` under `fmt.name`; a missing member or a taken name is refused."""
    if not isinstance(fmt, OutputFormat):
        raise TypeError(f"{fmt!r} is not an OutputFormat (see xshell.lang.formats.output_format)")
    if not isinstance(fmt.name, str) or not _NAME.fullmatch(fmt.name):
        raise ValueError(f"output format name {fmt.name!r} is not one lowercase word")
    if fmt.name in _FORMATS:
        raise ValueError(f"output format {fmt.name!r} is already registered")
    _FORMATS[fmt.name] = fmt


def unregister(name: str) -> None:
    """Remove the format `name` (the default cannot be removed)."""
    if name == DEFAULT:
        raise ValueError(f"the default output format {name!r} cannot be removed")
    if _FORMATS.pop(name, None) is None:
        raise UnknownFormat(name)


def get(name: str) -> OutputFormat:
    """The format called `name` (exact, lowercase); UnknownFormat names the known ones."""
    try:
        return _FORMATS[name]
    except KeyError:
        raise UnknownFormat(name) from None


def names() -> tuple[str, ...]:
    """Every format's name, the default first."""
    return (DEFAULT, *(n for n in _FORMATS if n != DEFAULT))


def default() -> OutputFormat:
    """The format used when neither -o nor the settings file chooses one."""
    return _FORMATS[DEFAULT]


def descriptions() -> str:
    """The formats' descriptions in `names()` order as prose: "a, b or c" (for --help)."""
    words = [get(n).description for n in names()]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _discover() -> None:
    """Import the package's modules and register their FORMAT (a directory listing, not
    pkgutil: that imports `inspect`, milliseconds the one-shot path would pay)."""
    found = {entry.name[:-3] for folder in _package.__path__ for entry in os.scandir(folder)
             if entry.name.endswith(".py") and entry.is_file()}
    for name in sorted(found - {"__init__", "format_registry", "output_format"}):
        fmt = getattr(import_module(f"{_package.__name__}.{name}"), "FORMAT", None)
        if fmt is not None:
            register(fmt)


_discover()

__all__ = ["DEFAULT", "OutputFormat", "UnknownFormat", "default", "descriptions", "get", "names",
           "register", "unregister"]
