"""Bytes a hostile device puts on the wire: JSON-RPC text it chooses and raw WebSocket frames.

Shared by the server (which sends them) and the scenario table (which describes them).
Frames are built by hand so that a scenario can send what no WebSocket library would:
reserved opcodes and bits, masked server frames, lying lengths, bad close codes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def dumps(message: Any) -> str:
    """JSON as the device sends it; ASCII-escaped, so lone surrogates travel as \\udXXX."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=True)


def result(rid: Any, value: Any) -> str:
    return dumps({"jsonrpc": "2.0", "id": rid, "result": value})


def error(rid: Any, code: Any = -32602, message: Any = "Bad usage", data: Any = None) -> str:
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return dumps({"jsonrpc": "2.0", "id": rid, "error": err})


def event(sub_id: Any, params: dict[str, Any]) -> str:
    return dumps({"jsonrpc": "2.0", "method": "xFeedback/Event", "params": {"Id": sub_id, **params}})


def frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0, masked: bool = False,
          length: int | None = None) -> bytes:
    """One WebSocket frame (RFC 6455 §5.2); `length` overrides the declared payload length."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv & 7) << 4 | (opcode & 0x0F)])
    mask_bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 1 << 16:
        head += bytes([mask_bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
    if masked:
        key = b"\x01\x02\x03\x04"
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        head += key
    return head + payload


def text_frame(text: str) -> bytes:
    return frame(0x1, text.encode("utf-8", "surrogatepass"))


def close_frame(code: int | None, reason: bytes = b"") -> bytes:
    return frame(0x8, b"" if code is None else struct.pack("!H", code) + reason)


def accept_key(request_head: bytes) -> str:
    """Sec-WebSocket-Accept for the key in a raw upgrade request."""
    for line in request_head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            digest = hashlib.sha1(value.strip() + GUID.encode()).digest()
            return base64.b64encode(digest).decode()
    return ""


def switching(request_head: bytes, extra: bytes = b"", accept: str | None = None) -> bytes:
    """A 101 response for a raw upgrade (with the right accept key unless told otherwise)."""
    key = accept_key(request_head) if accept is None else accept
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + (f"Sec-WebSocket-Accept: {key}\r\n".encode() if key else b"") + extra + b"\r\n")
