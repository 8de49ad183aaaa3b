"""Noticing a dead link (our own keepalive pings), and saying why a link ended.

A pulled cable or a hung device leaves TCP open and silent; without pings nothing
would notice until a request timed out. websockets' built-in keepalive notices too,
but then waits for the closing handshake (up to its close timeout) before the
connection counts as closed — on a dead link that is dead time during which requests
hang. This loop instead declares the link dead and cuts the transport, so the reader
ends at once: worst case interval + timeout after the last sign of life (5 s + 5 s by
default).

A busy link is not a dead one. With 200,000 requests in flight the device's pong queues
behind the replies to them and may come many seconds late, while replies pour in the
whole time. So any byte received counts as a sign of life (the connection records when
bytes last came in: `xs_last_rx`, see xshell.transport.peercheck), and the link is
declared dead only when *nothing at all* has arrived for `timeout` seconds while a pong
is awaited. Only public API: `ping()`, and the asyncio transport asyncio handed to the
connection (`xs_transport`), so the fast and the plain path (xshell.transport.wsfast)
judge a link alike.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

log = logging.getLogger(__name__)

_monotonic = time.monotonic


async def keepalive(ws: ClientConnection, interval: float, timeout: float | None,
                    dead: Callable[[str], None]) -> None:
    """Ping every `interval` s; nothing at all received for `timeout` s while the pong is
    awaited → dead(reason) and abort TCP.

    timeout None: ping without a deadline (keeps NAT and proxies awake, judges nothing).
    """
    while True:
        await asyncio.sleep(interval)
        try:
            # a Future (typed only as Awaitable): ensure_future hands it back as it is
            pong = asyncio.ensure_future(await ws.ping())
        except ConnectionClosed:
            return
        if timeout is None:
            continue
        sent = _monotonic()
        try:
            while True:
                heard = max(sent, getattr(ws, "xs_last_rx", sent))
                left = heard + timeout - _monotonic()
                if left <= 0:
                    break
                try:
                    async with asyncio.timeout(left):
                        await asyncio.shield(pong)
                except TimeoutError:
                    continue  # the pong is late: dead only if nothing else came either
                break
        except ConnectionClosed:
            return
        if pong.done():
            continue
        log.info("nothing received for %g s while a keepalive pong was awaited", timeout)
        dead(f"the device stopped answering keepalive pings (nothing received for {timeout:g} s)")
        ws.xs_transport.abort()  # type: ignore[attr-defined]  # peercheck.CheckedConnection
        return


def why_closed(ended: ConnectionClosed | None, max_size: int | None) -> str:
    """Why the link ended, in words, from the close frames websockets' ConnectionClosed
    carries (`rcvd`, `sent`: public; None when the reader stopped some other way)."""
    rcvd: Close | None = ended.rcvd if ended is not None else None
    sent: Close | None = ended.sent if ended is not None else None
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
