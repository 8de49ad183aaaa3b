"""Line numbers of TOML keys, for warnings: tomllib parses but forgets where things were.

A light line scanner, not a parser: it follows `[table]` / `[[array]]` headers and
`key = ` lines (bare, quoted and dotted keys) and skips the inside of multi-line
strings. It runs only on text tomllib has already accepted, so the forms are known;
a key it cannot place is reported at its table's header line instead.
"""

from __future__ import annotations

import re

__all__ = ["locate_keys", "split_key"]

_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_SEGMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)')


def split_key(text: str) -> tuple[str, ...]:
    """`a."b.c".d` -> ("a", "b.c", "d")."""
    parts: list[str] = []
    for m in _SEGMENT.finditer(text):
        if m.group(1) is not None:
            parts.append(m.group(1).encode().decode("unicode_escape") if "\\" in m.group(1) else m.group(1))
        else:
            parts.append(m.group(2) if m.group(2) is not None else m.group(3))
    return tuple(parts)


def locate_keys(text: str) -> dict[tuple[str, ...], int]:
    """Map each table path and key path to the 1-based line that defines it (first wins)."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    open_quote: str | None = None  # inside a multi-line string: its delimiter
    for lineno, line in enumerate(text.splitlines(), start=1):
        if open_quote is not None:
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        header = _HEADER.match(line)
        if header:
            table = split_key(header.group(2))
            found.setdefault(table, lineno)
            continue
        key = _KEY.match(line)
        if key:
            path = table + split_key(key.group(1))
            for n in range(len(table) + 1, len(path) + 1):
                found.setdefault(path[:n], lineno)
            rest = line[key.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    open_quote = quote
                    break
    return found
