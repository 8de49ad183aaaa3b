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

Everything at or above U+007F is written as a JSON `\uXXXX` escape on purpose: JSON text
(`-o json`, jsonl transcripts) never holds a raw C0 control, so `inert(json.dumps(x,
ensure_ascii=False))` is still valid JSON that decodes to exactly `x`.

Clean text — nearly every line of a feedback storm — costs one precompiled regex search
and is returned unchanged. This module imports nothing of xshell, so any layer may use it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["InertFormatter", "inert", "inert_block", "inert_lines", "UNSAFE"]

_WIDE = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f{_WIDE}]")
"""Characters `inert` escapes (TAB and printable text pass)."""
_UNSAFE_BUT_NL = re.compile(f"[\x00-\x08\x0b-\x1f{_WIDE}]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x7F else f"\\u{code:04x}"


def inert(text: str) -> str:
    r"""`text` as one inert line: every unsafe character (newline included) escaped visibly."""
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(_escape, text)


def inert_block(text: str) -> str:
    r"""Like `inert`, but "\n" is kept as the line break xshell put there."""
    if _UNSAFE_BUT_NL.search(text) is None:
        return text
    return _UNSAFE_BUT_NL.sub(_escape, text)


def inert_lines(lines: Iterable[str]) -> list[str]:
    r"""Lines to write, each inert; an element holding "\n" becomes several lines."""
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
