"""The plain-HTTP port of a device whose `NetworkServices HTTP Mode` is HTTPS (the default).

Such a device still listens on port 80, but only to send every request to TLS: a
`301 Moved Permanently` whose `Location` is the same host and path on `https://`
(spec xows.md §2.1). A `ws://` client therefore meets a redirect, not a WebSocket; jsxapi
follows it (and drops the credentials), xshell refuses it and names the `wss://`
address to use. `xshell-sim --tls --http-port P` serves this next to the TLS socket.

This is deliberately not a web server: it reads one request head, answers, and closes.
Nothing from the request is logged (an `Authorization` header may be in it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

HEAD_LIMIT = 16 * 1024  # bytes of request head read at most
READ_TIMEOUT = 10.0  # seconds a client may take to send its request head


def location(request_head: bytes, fallback_host: str, tls_port: int) -> str:
    """`https://<the Host the client asked for>:<tls_port><its path>`."""
    lines = request_head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    path = parts[1] if len(parts) >= 2 and parts[1].startswith("/") else "/"
    host = fallback_host
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "host" and value.strip():
            host = value.strip()
            break
    if host.startswith("["):  # [v6]:port
        host = host[: host.index("]") + 1] if "]" in host else host
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    elif ":" in host:  # a bare IPv6 address
        host = f"[{host}]"
    netloc = host if tls_port == 443 else f"{host}:{tls_port}"
    return f"https://{netloc}{path}"


@contextlib.asynccontextmanager
async def serve_redirect(host: str, port: int, tls_port: int) -> AsyncIterator[int]:
    """Listen on host:port (0 = any free port); yield the bound port."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            writer.close()
            return
        shown = f"[{host}]" if ":" in host else host
        target = location(head, shown, tls_port)
        body = f"Moved Permanently: {target}\n".encode()
        writer.write(b"HTTP/1.1 301 Moved Permanently\r\n"
                     + f"Location: {target}\r\n".encode("latin-1")
                     + b"Content-Type: text/plain\r\n"
                     + f"Content-Length: {len(body)}\r\n".encode()
                     + b"Connection: close\r\n\r\n" + body)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, host, port, limit=HEAD_LIMIT)
    try:
        yield int(next(iter(server.sockets)).getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()
