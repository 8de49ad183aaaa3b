"""Just enough server-side WebSocket (RFC 6455) for the bench server, without a library.

The bench server must never be the bottleneck, so it works on whole buffers: every
complete frame in one `data_received` chunk is decoded in one pass, and all replies to
them leave in one `transport.write`. Unmasking uses one big-integer XOR per frame
instead of a Python loop over bytes. No extensions are negotiated (permessage-deflate
is declined), so every client under test runs uncompressed on equal terms.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass, field

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_HEADER = 16 * 1024
MAX_MESSAGE = 64 * 1024 * 1024


class HandshakeError(ValueError):
    """The upgrade request cannot be answered with 101 (the text is the HTTP reason)."""


@dataclass
class Request:
    """An HTTP upgrade request: the request line's target and the headers (lower-case names)."""

    target: str
    headers: dict[str, str] = field(default_factory=dict)


def parse_request(head: bytes) -> Request:
    """Parse the bytes before the blank line of an HTTP/1.1 request."""
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes anything
        raise HandshakeError("bad request encoding") from exc
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[0] != "GET":
        raise HandshakeError("expected GET")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return Request(parts[1], headers)


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + GUID).digest()).decode("ascii")


def upgrade_response(req: Request) -> bytes:
    """The 101 answer; echoes an `auth-…` subprotocol as a device does (jsxapi needs it)."""
    key = req.headers.get("sec-websocket-key")
    if not key or "websocket" not in req.headers.get("upgrade", "").lower():
        raise HandshakeError("not a WebSocket upgrade")
    lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Accept: {accept_key(key)}"]
    offered = [p.strip() for p in req.headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
    auth = next((p for p in offered if p.startswith("auth-")), None)
    if auth is not None:
        lines.append(f"Sec-WebSocket-Protocol: {auth}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def error_response(status: int, reason: str) -> bytes:
    body = reason.encode()
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode("latin-1") + body


def encode_frame(payload: bytes, opcode: int = OP_TEXT) -> bytes:
    """One unmasked, unfragmented server frame."""
    n = len(payload)
    if n < 126:
        return bytes((0x80 | opcode, n)) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x80 | opcode, 126, n) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, n) + payload


def _unmask(payload: bytes, mask: bytes) -> bytes:
    n = len(payload)
    if not n:
        return payload
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")


class FrameReader:
    """Incremental decoder of client frames; reassembles fragmented messages."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._parts: list[bytes] = []
        self._opcode = 0

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """Append bytes; return every complete (opcode, payload) message now available.

        Raises ValueError for a frame no conforming client sends (unmasked, oversized).
        """
        buf = self._buf
        buf += data
        out: list[tuple[int, bytes]] = []
        pos, end = 0, len(buf)
        while end - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            if not b1 & 0x80:
                raise ValueError("client frame is not masked")
            n = b1 & 0x7F
            head = 2
            if n == 126:
                if end - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2:pos + 4], "big")
                head = 4
            elif n == 127:
                if end - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2:pos + 10], "big")
                head = 10
            if n > MAX_MESSAGE:
                raise ValueError(f"frame of {n} bytes is over the limit")
            if end - pos < head + 4 + n:
                break
            mask = bytes(buf[pos + head:pos + head + 4])
            start = pos + head + 4
            payload = _unmask(bytes(buf[start:start + n]), mask)
            pos = start + n
            opcode, fin = b0 & 0x0F, bool(b0 & 0x80)
            if opcode >= OP_CLOSE:  # control frames are never fragmented
                out.append((opcode, payload))
                continue
            if opcode != OP_CONT:
                self._opcode, self._parts = opcode, []
            self._parts.append(payload)
            if fin:
                out.append((self._opcode, b"".join(self._parts)))
                self._parts = []
        del buf[:pos]
        return out
