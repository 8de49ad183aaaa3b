"""How a frame becomes JSON text and back: orjson for speed, json with the last word.

Split from xshell.transport.rpc, which keeps the requests and subscriptions: this is the
one place that decides how a message is written and read, so the two libraries can never
disagree in two places.

orjson encodes and decodes a small frame 4-6 times faster than the json module; in a
feedback storm or a pipeline of requests that is a good share of the client's whole
cost. Where the two could differ, json has the last word: what orjson refuses to
encode (an integer beyond 64 bits, a non-string key) is encoded by json, and what it
refuses to decode (NaN, a lone surrogate, nesting over 1,024) is decoded — or
rejected, with json's message — by json (`std_decode`). Two differences remain, neither
in what a device sends or a shell line makes (xAPI numbers are 32-bit integers): an
integer beyond 64 bits in a frame reads as a float, and a NaN parameter is sent as null.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["encode", "loads", "std_decode"]

_std_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
std_decode = json.JSONDecoder().decode
loads = orjson.loads  # raises ValueError (orjson.JSONDecodeError) where std_decode decides


def encode(msg: dict[str, Any]) -> bytes:
    """Compact JSON, UTF-8 (ensure_ascii=False, as the device writes it)."""
    try:
        return orjson.dumps(msg)
    except TypeError:  # orjson.JSONEncodeError: json decides, and says what is wrong
        try:
            return _std_encode(msg).encode()
        except RecursionError:
            raise ValueError("circular reference or nesting too deep") from None
