"""Noticing a dead link (our own keepalive pings), and saying why a link ended.

A pulled cable or a hung device leaves TCP open and silent; without pings nothing
would notice until a request timed out. websockets' built-in keepalive notices too,
but then waits for the closing handshake (up to its close timeout) before the
connection counts as closed — on a dead link that is dead time during which requests
hang. This loop instead declares the link dead the moment a pong is overdue and cuts
the transport, so the reader ends at once: worst case interval + timeout after the
last sign of life (5 s + 5 s by default).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

log = logging.getLogger(__name__)


async def keepalive(ws: ClientConnection, interval: float, timeout: float | None,
                    dead: Callable[[str], None]) -> None:
    """Ping every `interval` s; no pong within `timeout` s → dead(reason) and abort TCP.

    timeout None: ping without a deadline (keeps NAT and proxies awake, judges nothing).
    """
    limit = timeout
    while True:
        await asyncio.sleep(interval)
        try:
            async with asyncio.timeout(limit):
                pong = await ws.ping()
                await pong
        except TimeoutError:
            log.info("no keepalive pong within %g s", limit)
            dead(f"the device stopped answering keepalive pings (no answer within {limit:g} s)")
            ws.transport.abort()
            return
        except ConnectionClosed:
            return


def why_closed(ws: ClientConnection, max_size: int | None) -> str:
    """Why the link ended, in words, from what websockets recorded about the close."""
    rcvd, sent = ws.protocol.close_rcvd, ws.protocol.close_sent
    if rcvd is not None:
        why = f": {rcvd.reason}" if rcvd.reason else ""
        return f"the device closed the connection (code {rcvd.code}{why})"
    if sent is not None and sent.code == 1011 and "ping" in sent.reason:
        return "the device stopped answering keepalive pings"
    if sent is not None and sent.code == 1009:
        limit = f" ({max_size:,} bytes)" if max_size else ""
        return f"the device sent a message larger than the size limit{limit}"
    if sent is not None:
        return f"the connection failed (code {sent.code}: {sent.reason or 'no reason'})"
    return "the connection dropped without a close frame"
