"""What makes a frame from the device unusable, told without recursion and in words.

Split from xshell.transport.rpc, which acts on the verdicts: a reply that is nested too
deeply or cannot be decoded fails its request at once (its id recovered from the text when
the decoder gave up), a notification is reported; never a RecursionError later, never a
wait for the timeout.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["BIG_FRAME", "DEEP_MIN", "MAX_DEPTH", "TOO_DEEP", "recover_id", "too_deep",
           "why_unreadable"]

# Nesting a frame may have. xAPI documents (schemas included) are a few dozen levels deep;
# everything that walks a reply (renderers, the live tree, redaction) may recurse, so a
# deeper frame is refused here, once, with one clear line, instead of by a RecursionError
# somewhere later. A frame shorter than DEEP_MIN characters cannot be that deep.
MAX_DEPTH = 128
DEEP_MIN = 2 * MAX_DEPTH
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"
# Frames past this size are decoded by json, not orjson: orjson builds a long string in a
# scratch buffer first (peak: text + value + scratch = 3x a one-string frame), json cuts it
# from the text (2x). At this size json's slower pace is a small share of the whole.
BIG_FRAME = 16 * 1024 * 1024
# The id of a reply that cannot be decoded, read from its first or last member (depth 1
# for sure: before any nested value, or right before the closing brace).
_HEAD_ID = re.compile(r'\s*\{(?:\s*"[^"\\]*"\s*:\s*(?:"[^"\\]*"|-?\d+|true|false|null)\s*,)*?'
                      r'\s*"id"\s*:\s*(\d{1,18})\s*[,}]')
_TAIL_ID = re.compile(r'[,{]\s*"id"\s*:\s*(\d{1,18})\s*\}\s*\Z')
_DIGITS = re.compile(r"value has (\d+) digits")


def too_deep(raw: str, msg: Any) -> bool:
    """Whether `msg` (decoded from `raw`) nests deeper than MAX_DEPTH; no recursion.

    The brackets in the text bound the depth from above, so most frames are cleared by
    two C-speed counts; only a frame with many of them is walked.
    """
    if raw.count("{") + raw.count("[") <= MAX_DEPTH:
        return False
    stack: list[tuple[Any, int]] = [(msg, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        items = value.values() if type(value) is dict else value
        stack.extend((v, depth + 1) for v in items if type(v) is dict or type(v) is list)
    return False


def why_unreadable(exc: BaseException) -> str:
    """What made a frame unreadable, in words (json's own message where it has one)."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    msg = getattr(exc, "msg", None)
    if isinstance(msg, str) and msg:
        return msg
    digits = _DIGITS.search(str(exc))  # Python refuses to read integers over 4,300 digits
    if digits:
        return f"a number has {int(digits.group(1)):,} digits (more than 4,300)"
    return str(exc).split(";")[0] or type(exc).__name__


def recover_id(raw: str) -> int | None:
    """The id of a reply that could not be decoded, read from its first or last member."""
    found = _HEAD_ID.match(raw) or _TAIL_ID.search(raw[-64:])
    return int(found.group(1)) if found else None
