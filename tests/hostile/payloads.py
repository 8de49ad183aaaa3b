"""The escape payloads a hostile device injects, and the check that none reached the user.

A device's name, values, error messages, close reasons and HTTP headers all end up on
a terminal or in a transcript someone later `cat`s; a raw ESC or C1 byte there lets the
device rewrite the screen, set the clipboard (OSC 52) or reorder text (bidi overrides).
Whatever the device sends, xshell must write these characters escaped or not at all.
"""

from __future__ import annotations

import re

# name -> the text the device sends (as a Python string; frames are JSON with
# ensure_ascii, so the lone surrogate travels as the JSON escape \ud800).
PAYLOADS: dict[str, str] = {
    "osc52": "x\x1b]52;c;ZXZpbA==\x07y",
    "csi": "x\x1b[2Jy\x1b[31mred",
    "c1": "x\x9b2J\x9d0;title\x9cy",
    "bidi": "x\u202eevil\u202cy\u2066z\u2069",
    "surrogate": "x\ud800y",
    "del": "x\x7fy\x08z",
    "c0": "x\x00y\rz\x1b",
}

# C0 except \n and \t, DEL, C1, bidi embeddings/overrides/isolates, lone surrogates,
# and U+FFFD never counts (it is how a lone surrogate may be shown).
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def bad_chars(data: bytes) -> str:
    """'' when `data` is clean UTF-8 text, else a short description of the first problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 at byte {exc.start}: {data[max(0, exc.start - 20):exc.start + 4]!r}"
    match = FORBIDDEN.search(text)
    if match is None:
        return ""
    at = match.start()
    return f"raw {match.group()!r} at {at}: {text[max(0, at - 30):at + 10]!r}"
