"""A scriptable hostile device on 127.0.0.1 for the output-boundary tests (test_inert_*.py).

The simulator is faithful and so never sends what these tests need: a key, an attribute
key or a SystemUnit Name holding an OSC 52 sequence, a C1 control, a bidi override or a
lone surrogate. This device answers each JSON-RPC method from a table the test fills in,
with frames written as raw JSON text, so any escape (`\\ud800`) reaches the client as sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

# What the device sends: OSC 52 (write the clipboard) with BEL, 8-bit CSI, a bidi override,
# and (in JSON text) a lone surrogate.
OSC52 = "\x1b]52;c;SGk=\x07"
HOSTILE = OSC52 + "\x9b31m" + "\u202e" + "\x7f"
HOSTILE_JSON = json.dumps(HOSTILE, ensure_ascii=False)[:-1] + '\\ud800"'  # a JSON string
SHOWN = ["\\x1b]52;c;SGk=\\x07", "\\u009b31m", "\\u202e", "\\u007f", "\\ud800"]
"""The visible escapes of HOSTILE + lone surrogate, in order, as a user reads them."""


def assert_inert(text: str) -> None:
    """No raw control, DEL, C1, bidi override/isolate, line separator or lone surrogate."""
    bad = [f"U+{ord(c):04X}" for c in text if (ord(c) < 0x20 and c not in "\n\t")
           or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069
           or ord(c) in (0x2028, 0x2029) or 0xD800 <= ord(c) <= 0xDFFF]
    assert not bad, f"raw {bad} in {text!r}"


Reply = Callable[[Any, dict[str, Any]], str | None]
"""(request id as JSON text, params) -> the whole reply frame, or None for no reply."""


def result(raw_json: str) -> Reply:
    return lambda rid, params: f'{{"jsonrpc":"2.0","id":{rid},"result":{raw_json}}}'


def error(raw_json: str) -> Reply:
    return lambda rid, params: f'{{"jsonrpc":"2.0","id":{rid},"error":{raw_json}}}'


@dataclass
class Device:
    """Answers by method (xGet answers by path, "/"-joined); unknown methods get -32601."""

    name_json: str = '"Room"'
    version_json: str = '"ce11.0.0"'
    methods: dict[str, Reply] = field(default_factory=dict)
    gets: dict[str, Reply] = field(default_factory=dict)
    after: dict[str, list[str]] = field(default_factory=dict)  # method -> frames sent after reply
    close_after: dict[str, tuple[int, str]] = field(default_factory=dict)  # method -> close
    url: str = ""

    def reply(self, method: str, rid: Any, params: dict[str, Any]) -> str | None:
        if method == "xGet":
            path = "/".join(str(p) for p in params.get("Path", []))
            if path == "Configuration/SystemUnit/Name":
                return result(self.name_json)(rid, params)
            if path == "Status/SystemUnit/Software/Version":
                return result(self.version_json)(rid, params)
            if path in self.gets:
                return self.gets[path](rid, params)
        if method in self.methods:
            return self.methods[method](rid, params)
        return error('{"code":-32601,"message":"Method not found"}')(rid, params)

    async def _handle(self, ws: ServerConnection) -> None:
        async for frame in ws:
            msg = json.loads(frame)
            method = msg.get("method", "")
            if "id" not in msg:
                continue
            out = self.reply(method, json.dumps(msg["id"]), msg.get("params") or {})
            if out is not None:
                await ws.send(out)
            for extra in self.after.get(method, []):
                await ws.send(extra)
            if method in self.close_after:
                await ws.close(*self.close_after[method])
                return


def _echo_auth(conn: ServerConnection, offered: Any) -> Subprotocol | None:
    return offered[0] if offered else None


@contextlib.asynccontextmanager
async def hostile_device(device: Device) -> AsyncIterator[Device]:
    """Serve `device` on a free loopback port; device.url is set while it runs."""
    async with serve(device._handle, "127.0.0.1", 0, select_subprotocol=_echo_auth) as server:
        port = server.sockets[0].getsockname()[1]
        device.url = f"ws://127.0.0.1:{port}/ws"
        yield device


@contextlib.asynccontextmanager
async def raw_http(response: bytes) -> AsyncIterator[str]:
    """A server that answers any request with `response` bytes (a failed upgrade)."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(response)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws"
