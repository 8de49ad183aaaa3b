r"""The output boundary: text from outside is made inert before any writer shows it.

Values, keys, error messages, close reasons, HTTP headers and the device's own name all
come from the device or the network, and a terminal obeys what it is sent: ESC and the
8-bit C1 controls (CSI U+009B, OSC U+009D…) move the cursor, retitle the window or write
the clipboard (OSC 52); a CR or a bidirectional override makes a line read differently
from what it is; a lone surrogate (which the fallback JSON decoder accepts) cannot even be
encoded as UTF-8 and would crash the write. So every writer — stdout, stderr, the
full-screen panes and toolbar, text and jsonl transcripts — passes its text through
`inert` (one line) or `inert_block` (lines xshell itself joined with "\n").

Such characters are shown, not dropped, so the technician still sees that the device
sent them:

* C0 controls except TAB (and, in `inert_block`, the "\n" xshell placed) → `\x1b`, `\x0d`;
* DEL, C1 controls, bidi embeddings/overrides/isolates (U+202A–U+202E, U+2066–U+2069),
  the Unicode line/paragraph separators (U+2028/9, which `str.splitlines` and some
  viewers break lines at) and lone surrogates → `\u007f`, `\u009b`, `\u202e`, `\ud800`.

A text that needs any escape has its backslashes doubled too (`\\`), so within it
`\x1b` always means ESC was sent and `\\x1b` that the device sent the four characters
`\x1b`. Clean text is never changed (which keeps `inert` idempotent and cheap), so a
clean line may still hold a literal `\x1b`. JSON text is the exception: its own escaping already tells the two apart (a
backslash in a JSON string value is written `\\`), so a text that parses as JSON keeps
its backslashes, and everything at or above U+007F is written as a JSON `\uXXXX` escape
on purpose: JSON text (`-o json`, jsonl transcripts) never holds a raw C0 control, so
`inert(json.dumps(x, ensure_ascii=False))` is still valid JSON that decodes to exactly `x`.

Clean text — nearly every line of a feedback storm — costs one precompiled regex search
and is returned unchanged. This module imports nothing of xshell, so any layer may use it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable

__all__ = ["InertFormatter", "inert", "inert_block", "inert_lines", "UNSAFE"]

_WIDE = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f{_WIDE}]")
"""Characters `inert` escapes (TAB and printable text pass)."""
_UNSAFE_BUT_NL = re.compile(f"[\x00-\x08\x0b-\x1f{_WIDE}]")
# the same, with the backslash: what an escaped text that is not JSON has escaped
_BACKSLASH_TOO = {UNSAFE: re.compile(f"[\\\\\x00-\x08\x0a-\x1f{_WIDE}]"),
                  _UNSAFE_BUT_NL: re.compile(f"[\\\\\x00-\x08\x0b-\x1f{_WIDE}]")}


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code == 0x5C:
        return "\\\\"
    return f"\\x{code:02x}" if code < 0x7F else f"\\u{code:04x}"


def _is_json(text: str) -> bool:
    """Whether `text` is a JSON document (an object, array or string), whose backslashes
    are JSON escapes already and must stay as they are."""
    if text.lstrip()[:1] not in ("{", "[", '"'):
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _escaped(text: str, unsafe: re.Pattern[str]) -> str:
    """`text`, known to need escaping: unsafe characters, and backslashes unless it is JSON."""
    if "\\" in text and not _is_json(text):
        return _BACKSLASH_TOO[unsafe].sub(_escape, text)
    return unsafe.sub(_escape, text)


def inert(text: str) -> str:
    r"""`text` as one inert line: every unsafe character (newline included) escaped visibly."""
    if UNSAFE.search(text) is None:
        return text
    return _escaped(text, UNSAFE)


def inert_block(text: str) -> str:
    r"""Like `inert`, but "\n" is kept as the line break xshell put there."""
    if _UNSAFE_BUT_NL.search(text) is None:
        return text
    return _escaped(text, _UNSAFE_BUT_NL)


def inert_lines(lines: Iterable[str]) -> list[str]:
    r"""Lines to write, each inert; an element holding "\n" becomes several lines.

    Nearly always every line is clean (a feedback storm's `…: value` and `** end`): then
    one search over the lines joined by TAB (which `UNSAFE` lets pass, so the join adds
    nothing to find) replaces a search and a call per line (plain mode writes each event).
    """
    if type(lines) is list:
        try:
            clean = UNSAFE.search("\t".join(lines)) is None
        except TypeError:  # an element that is not a str: each is made one below
            clean = False
        if clean:  # no "\n" either (UNSAFE has it): nothing to split or escape
            return lines.copy()
    out: list[str] = []
    for line in lines:
        text = str(line)
        if "\n" in text:
            out.extend(inert(part) for part in text.split("\n"))
        else:
            out.append(inert(text))
    return out


class InertFormatter(logging.Formatter):
    """A log formatter whose output is inert: log messages may quote what a device sent."""

    def format(self, record: logging.LogRecord) -> str:
        return inert_block(super().format(record))
