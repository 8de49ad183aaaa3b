"""The bench's own XoWS server: minimal JSON-RPC, as fast as Python allows, in its own process.

Client figures must measure the client, so this server does the least a device-shaped
peer can: a fixed table of leaf values for xGet, pre-encoded xDoc documents, Subscribe
Ids from 0, and feedback events sent from pre-encoded frames in large writes. It runs as
`python -m xshell.bench.bench_server` in a separate process (its own core), prints its URL on
the first stdout line, and accepts any credentials (Basic or the `auth-` subprotocol).

Bench-only control methods, sent on the connection that should receive the events:
`bench/Burst {"count": N}` sends N events per subscription as fast as the socket takes
them; `bench/Stream {"rate": R, "seconds": S}` sends R events/s for S seconds;
`bench/Stop` ends both. Their reply always precedes the first event. A connection to
`/ws?rate=N` is served like a slower device: reading pauses so that at most N requests
per second are taken in, and the client meets TCP backpressure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from xshell.bench.wsproto import (MAX_HEADER, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT,
                                  FrameReader, HandshakeError, encode_frame, error_response,
                                  parse_request, upgrade_response)

PROG = "xshell-bench-server"
DEVICE_NAME = "bench"
SOFTWARE = "ce11.bench.1"
VOLUME = 50
LEAVES: dict[tuple[str, ...], str] = {
    ("status", "audio", "volume"): str(VOLUME),
    ("configuration", "systemunit", "name"): json.dumps(DEVICE_NAME),
    ("status", "systemunit", "software", "version"): json.dumps(SOFTWARE),
    ("status", "systemunit", "uptime"): "4242",
    ("configuration", "audio", "defaultvolume"): "50",
}
_NO_ID = object()
_EVENT = '{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Id":%d,"Status":{"Audio":{"Volume":%d}}}}'
_CHUNK = 512  # events per write during a burst


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _reply(rid: Any, result: str) -> bytes:
    rid_text = str(rid) if type(rid) is int else json.dumps(rid)
    return encode_frame(f'{{"id":{rid_text},"jsonrpc":"2.0","result":{result}}}'.encode())


def _error(rid: Any, code: int, message: str) -> bytes:
    err = json.dumps({"code": code, "message": message}, sort_keys=True)
    return encode_frame(f'{{"error":{err},"id":{json.dumps(rid)},"jsonrpc":"2.0"}}'.encode())


def _event_frames(sub_id: int) -> list[bytes]:
    return [encode_frame((_EVENT % (sub_id, v)).encode()) for v in range(101)]


class BenchConnection(asyncio.Protocol):
    """One client. Replies are written in one write per received chunk."""

    def __init__(self, docs: dict[str, str]) -> None:
        self._docs = docs
        self._transport: asyncio.Transport | None = None
        self._head = bytearray()
        self._upgraded = False
        self._reader = FrameReader()
        self._subs: dict[int, list[bytes]] = {}
        self._next_sub = 0
        self._after: list[bytes] = []
        self._can_write = asyncio.Event()
        self._can_write.set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._rate = 0.0  # requests/s this connection is served at (0: as fast as possible)
        self._methods: dict[str, Callable[[Any], str]] = {
            "xGet": self._get, "xDoc": self._doc, "xSet": lambda p: "true",
            "xQuery": self._query, "xFeedback/Subscribe": self._subscribe,
            "xFeedback/Unsubscribe": self._unsubscribe, "bench/Burst": self._burst,
            "bench/Stream": self._stream, "bench/Stop": self._stop,
        }

    # ------------------------------------------------------------------ transport
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.set_write_buffer_limits(high=4 * 1024 * 1024)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._can_write.set()
        for task in list(self._pumps):
            task.cancel()

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    def data_received(self, data: bytes) -> None:
        transport = self._transport
        if transport is None:
            return
        if not self._upgraded:
            self._head += data
            head, sep, rest = bytes(self._head).partition(b"\r\n\r\n")
            if not sep:
                if len(self._head) > MAX_HEADER:
                    transport.write(error_response(431, "Request Header Fields Too Large"))
                    transport.close()
                return
            try:
                request = parse_request(head)
                transport.write(upgrade_response(request))
            except HandshakeError as exc:
                transport.write(error_response(400, str(exc)))
                transport.close()
                return
            self._rate = _rate_of(request.target)
            self._upgraded = True
            self._head = bytearray()
            if not rest:
                return
            data = rest
        try:
            messages = self._reader.feed(data)
        except ValueError:
            transport.write(encode_frame((1002).to_bytes(2, "big"), OP_CLOSE))
            transport.close()
            return
        out: list[bytes] = []
        for opcode, payload in messages:
            if opcode == OP_TEXT:
                self._handle(payload, out)
            elif opcode == OP_PING:
                out.append(encode_frame(payload, OP_PONG))
            elif opcode == OP_CLOSE:
                out.append(encode_frame(payload[:2], OP_CLOSE))
                transport.write(b"".join(out))
                transport.close()
                return
            elif opcode == OP_BINARY:
                out.append(_error(None, -32600, "Invalid Request"))
        if out:
            transport.write(b"".join(out))
        if self._rate and messages:
            # A slow device: stop reading for as long as these requests "took", so the
            # client meets TCP backpressure as it would on a real codec.
            transport.pause_reading()
            asyncio.get_running_loop().call_later(len(messages) / self._rate, self._resume_reading)

    def _resume_reading(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.resume_reading()

    # ------------------------------------------------------------------ JSON-RPC
    def _handle(self, payload: bytes, out: list[bytes]) -> None:
        try:
            msg = orjson.loads(payload)
        except ValueError:
            out.append(_error(None, -32700, "Parse error"))
            return
        if type(msg) is not dict:
            out.append(_error(None, -32600, "Invalid Request"))
            return
        rid = msg.get("id", _NO_ID)
        method = msg.get("method")
        params = msg.get("params") or {}
        handler = self._methods.get(method) if isinstance(method, str) else None
        if handler is None and isinstance(method, str) and method.startswith("xCommand/"):
            handler = _command
        try:
            if handler is None:
                raise RpcError(-32601, "Method not found")
            result = handler(params)
        except RpcError as exc:
            if rid is not _NO_ID:
                out.append(_error(rid, exc.code, exc.message))
            return
        except (TypeError, ValueError, AttributeError, KeyError):
            if rid is not _NO_ID:
                out.append(_error(rid, -32602, "Invalid params"))
            return
        if rid is not _NO_ID:
            out.append(_reply(rid, result))
        if self._after:
            out.extend(self._after)
            self._after.clear()

    def _get(self, params: Any) -> str:
        path = params["Path"]
        key = tuple(str(e).lower() for e in path)
        value = LEAVES.get(key)
        if value is None:
            raise RpcError(-32602, "No match on Path argument")
        return value

    def _query(self, params: Any) -> str:
        raise RpcError(-32602, "No match on Path argument")

    def _doc(self, params: Any) -> str:
        path = params["Path"]
        doc = self._docs.get(str(path[0]).lower()) if len(path) == 1 else None
        if doc is None:
            raise RpcError(-32602, "No match on Path argument")
        return doc

    def _subscribe(self, params: Any) -> str:
        sub_id = self._next_sub
        self._next_sub += 1
        self._subs[sub_id] = _event_frames(sub_id)
        if params.get("NotifyCurrentValue") in (True, "True", "true"):
            self._after.append(self._subs[sub_id][VOLUME])
        return f'{{"Id":{sub_id}}}'

    def _unsubscribe(self, params: Any) -> str:
        if self._subs.pop(int(params["Id"]), None) is None:
            raise RpcError(-32602, "Unknown subscription Id")
        return "true"

    def _burst(self, params: Any) -> str:
        self._start(int(params["count"]), None)
        return '{"status":"OK"}'

    def _stream(self, params: Any) -> str:
        rate = float(params["rate"])
        if rate <= 0:
            raise RpcError(-32602, "rate must be positive")
        self._start(int(rate * float(params["seconds"])), rate)
        return '{"status":"OK"}'

    def _stop(self, params: Any) -> str:
        for task in list(self._pumps):
            task.cancel()
        return '{"status":"OK"}'

    def _start(self, count: int, rate: float | None) -> None:
        task = asyncio.get_running_loop().create_task(self._pump(count, rate))
        self._pumps.add(task)
        task.add_done_callback(self._pumps.discard)

    async def _pump(self, count: int, rate: float | None) -> None:
        """Send `count` events to every subscription: at `rate`/s, or as fast as possible."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        sent = 0
        await asyncio.sleep(0)  # the reply that started us is written first
        while sent < count and self._transport is not None:
            await self._can_write.wait()
            if rate is not None:
                due = min(count, int((loop.time() - start) * rate))
                if due <= sent:
                    await asyncio.sleep(0.002)
                    continue
                n = due - sent
            else:
                n = min(_CHUNK, count - sent)
            subs = list(self._subs.values())
            if self._transport is None:
                return
            self._transport.write(b"".join(fr[(sent + k) % 101] for k in range(n) for fr in subs))
            sent += n
            await asyncio.sleep(0)


def _rate_of(target: str) -> float:
    """`/ws?rate=N` asks for a device that handles N requests/s (bench-only)."""
    for name, value in parse_qsl(urlsplit(target).query):
        if name == "rate":
            try:
                return max(0.0, float(value))
            except ValueError:
                return 0.0
    return 0.0


def _command(params: Any) -> str:
    return '{"status":"OK"}'


def load_docs(schema_file: Path | None) -> dict[str, str]:
    """xDoc answers per root (lower-case name → JSON text): the published schema or the built-in one."""
    from xshell.schema.model import ROOTS
    from xshell.schema.xdoc import root_xdoc

    if schema_file is not None:
        from xshell.schema.cisco import load_cisco
        schema = load_cisco(schema_file)
    else:
        from xshell.sim.builtin import load_builtin
        schema = load_builtin().schema
    docs: dict[str, str] = {}
    for root in ROOTS:
        if schema.root(root) is not None:
            docs[root.lower()] = json.dumps(root_xdoc(schema, root), separators=(",", ":"),
                                            sort_keys=True, ensure_ascii=False)
    return docs


async def start(docs: dict[str, str], host: str = "127.0.0.1", port: int = 0
                ) -> tuple[asyncio.Server, str]:
    """Listen (in this process); return the server and its ws:// URL."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: BenchConnection(docs), host, port)
    bound = server.sockets[0].getsockname()[1]
    return server, f"ws://{host}:{bound}/ws"


async def _run(args: argparse.Namespace) -> int:
    docs = load_docs(args.schema)
    server, url = await start(docs, args.host, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if args.watch_stdin:  # the bench holds our stdin: EOF means it is gone, however it died
        def watch() -> None:
            sys.stdin.read()
            loop.call_soon_threadsafe(stop.set)
        threading.Thread(target=watch, name="stdin-watch", daemon=True).start()
    print(f"{PROG}: serving at {url}", flush=True)
    async with server:
        await stop.wait()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=PROG, description="Minimal fast XoWS server for xshell.bench.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--schema", type=Path, default=None,
                   help="serve xDoc from Cisco's published schema JSON (default: built-in device)")
    p.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches end of file")
    args = p.parse_args(argv)
    if args.schema is not None and not args.schema.is_file():
        print(f"{PROG}: error: schema file not found: {args.schema}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args))
    except OSError as exc:
        print(f"{PROG}: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
