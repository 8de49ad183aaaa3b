"""The connection object both receive paths share: the peer check, and signs of life.

Why a subclass at all: the certificate check (pinning, `verify_peer`) must run once TLS
is up and *before* websockets writes the upgrade request that carries the credentials.
websockets' `connect(create_connection=…)` is its documented way to bring one's own
ClientConnection, and `connection_made` is asyncio's Protocol method that hands over the
transport at exactly that moment — both public API, so this class is used by the plain
path as much as by the fast one (xshell.transport.wsfast subclasses it).

What it keeps for the client: `xs_transport`, the asyncio transport as asyncio handed it
(the keepalive cuts a dead link with it, rather than waiting for a closing handshake),
and `xs_last_rx`, when something last came in (any frame on the fast path, any message
on the plain path): a busy link is not a dead one (xshell.transport.keepalive).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection

__all__ = ["CheckedConnection", "PeerState", "PeerVerifier"]

PeerVerifier = Callable[[bytes], None]


@dataclass
class PeerState:
    """What the TLS check saw: the peer certificate and any error raised by the hook;
    `opened`: the transport came up (TCP, and TLS for wss://), so a later failure is
    the upgrade's, not the handshake's."""

    verify: PeerVerifier | None = None
    der: bytes | None = None
    opened: bool = False
    error: BaseException | None = field(default=None, repr=False)

    def check(self, der: bytes) -> None:
        self.der = der
        if self.verify is not None:
            self.verify(der)


class CheckedConnection(ClientConnection):
    """Runs the peer check once TLS is up, before websockets writes the upgrade request."""

    def __init__(self, protocol: Any, *, peer: PeerState, **kwargs: Any) -> None:
        super().__init__(protocol, **kwargs)
        self._peer = peer
        self.xs_transport: Any = None
        self.xs_last_rx = time.monotonic()  # any frame or message is a sign of life

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.xs_transport = transport
        self._peer.opened = True
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return
        try:
            self._peer.check(ssl_object.getpeercert(binary_form=True) or b"")
        except Exception as exc:  # noqa: BLE001 - the hook's verdict; the credentials are not sent
            self._peer.error = exc
            transport.abort()
