"""TOML parses remembered on disk, so that a one-shot run never imports tomllib.

Why: every run reads two TOML texts — the packaged defaults and the user's settings —
that almost never change, and importing tomllib (its regexes, datetime) is about 5 ms
of a one-shot `xshell -c …` that takes about 90. A successful parse is stored with
`marshal` under $XDG_CACHE_HOME/xshell/toml/, together with the text it came from; a
later run uses it only when the text is the same, character for character. Anything
else — no cache, another text, a damaged file, a value marshal cannot store (TOML
dates) — is parsed by tomllib as before, so the result is always exactly tomllib's,
and so are its errors (`TOMLDecodeError`).
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xshell import paths

__all__ = ["loads"]

FORMAT = 1
KEEP = 16  # cached parses kept (each edit of the settings makes a new one)


def cache_dir() -> Path:
    return paths.toml_cache_dir()


def loads(text: str, *, keep: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    """`tomllib.loads(text)`, from the disk cache when this very text was parsed before.

    `keep(parsed)` False: this parse is not written to the cache (a settings file holding
    what looks like a password must not be copied anywhere, even if xshell ignores it).
    """
    where = cache_dir() / f"{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}-{len(text)}"
    try:
        fmt, cached_text, data = marshal.loads(where.read_bytes())
        if fmt == FORMAT and cached_text == text and type(data) is dict:
            return data
    except (OSError, ValueError, TypeError, EOFError):
        pass  # not cached (or damaged): parse it
    import tomllib

    data = tomllib.loads(text)  # TOMLDecodeError goes to the caller, uncached
    if keep is None or keep(data):
        _store(where, text, data)
    return data


def _store(where: Path, text: str, data: dict[str, Any]) -> None:
    """Write the parse atomically; never fail the caller (a cache is only a cache)."""
    try:
        blob = marshal.dumps((FORMAT, text, data))
    except ValueError:  # a TOML date or time: not marshal-able, parse it each time
        return
    try:
        where.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = where.with_name(f".{where.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # settings may be private
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, where)
        _prune(where.parent)
    except OSError:
        return


def _prune(folder: Path) -> None:
    """Keep the KEEP newest parses: old versions of an edited file are never read again."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(entries) <= KEEP:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEEP]:
        old.unlink(missing_ok=True)
