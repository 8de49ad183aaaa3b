"""Opening the WebSocket: credentials, TLS, redirects, and failures in plain words.

Everything that can go wrong before the first JSON frame ends here as one
ConnectionFailed sentence naming the host, the cause and the likely fix (xows.md §2.1;
the wording lives in xshell.transport.openfailures), so the shell can print it and exit
3. Credentials live only in the upgrade request and are never part of a message, repr
or log line (the websockets logger is the redacting one).

Two seams for later work: `verify_peer(der)` runs as soon as TLS is up and *before*
the upgrade request (with the credentials) is written — the place for certificate
pinning; and the peer certificate is kept so it can be shown or stored.
"""

from __future__ import annotations

import base64
import functools
import logging
import ssl
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from xshell.errors import ConnectionFailed, TLSFailed
from xshell.transport.leanframes import LeanReader
from xshell.transport.openfailures import redirect_error, translate
from xshell.transport.openfailures import status_error  # noqa: F401 - re-exported
from xshell.transport.target import Target
from xshell.transport.wslog import websockets_logger

_monotonic = time.monotonic

PeerVerifier = Callable[[bytes], None]


def basic_authorization(username: str, password: str) -> str:
    """`Authorization` header value (standard base64 of user:password, UTF-8)."""
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def auth_subprotocol(username: str, password: str) -> str:
    """`auth-<cred>`: URL-safe base64 without `=` padding, as jsxapi sends it (§2)."""
    raw = f"{username}:{password}".encode()
    return "auth-" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def make_ssl_context(ssl_context: ssl.SSLContext | None, insecure: bool) -> ssl.SSLContext:
    """The caller's context, a no-verification one (insecure), or the system default."""
    if ssl_context is not None:
        return ssl_context
    if insecure:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    return ssl.create_default_context()


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


FrameSink = Callable[[str | bytes], None]


class _CheckedConnection(ClientConnection):
    """Runs the peer check once TLS is up, before websockets writes the upgrade request.

    Data messages go to `xs_sink` straight from `data_received` instead of through
    websockets' message queue and a reader task: a reply then resolves its request's
    future in the same loop turn it arrives (one task hop less per round trip). With
    `lean=True` (and no extension negotiated) the frames after the upgrade response are
    cut out by xshell.transport.leanframes, which hands websockets only control frames
    and anything unusual; messages that arrive before a sink is set wait for it. Without
    it, websockets parses and this class intercepts its Frame events. Either way text
    that is not UTF-8 fails the connection (close code 1007), as RFC 6455 §8.1 asks.
    """

    def __init__(self, protocol: Any, *, peer: PeerState, lean: bool = False, **kwargs: Any) -> None:
        super().__init__(protocol, **kwargs)
        self._peer = peer
        self._xs_sink: FrameSink | None = None
        self._xs_early: list[str | bytes] = []
        self._xs_parts: list[bytes] | None = None
        self._xs_text = False
        self._xs_lean = lean
        self._xs_seen = b""  # the end of the upgrade response read so far (to find its end)
        self._xs_reader: LeanReader | None = None
        self.xs_last_rx = _monotonic()  # when bytes last came in: any frame is a sign of life

    @property
    def xs_sink(self) -> FrameSink | None:
        return self._xs_sink

    @xs_sink.setter
    def xs_sink(self, sink: FrameSink) -> None:
        """Set the sink (once the client has one); messages that arrived before it are
        delivered to it now, in order."""
        self._xs_sink = sink
        reader = self._xs_reader
        if reader is not None:  # from now on the lean reader calls the sink itself
            reader.on_text = reader.on_binary = sink
        early, self._xs_early = self._xs_early, []
        for message in early:
            self._xs_call(sink, message)

    # ---------------------------------------------------------------- the lean path
    def data_received(self, data: bytes) -> None:
        self.xs_last_rx = _monotonic()
        reader = self._xs_reader
        if reader is not None:
            reader.feed(data)
            return
        if not self._xs_lean or self.protocol.state is not State.CONNECTING:
            super().data_received(data)
            return
        seen = self._xs_seen + data
        end = seen.find(b"\r\n\r\n")
        if end < 0:  # the upgrade response is not complete yet
            self._xs_seen = seen[-3:]
            super().data_received(data)
            return
        cut = end + 4 - (len(seen) - len(data))  # where the response ends inside `data`
        super().data_received(data[:cut])
        rest = data[cut:]
        protocol = self.protocol
        if protocol.state is State.OPEN and not protocol.extensions:
            sink = self._xs_sink or self._xs_early.append
            self._xs_reader = reader = LeanReader(protocol, super().data_received, sink, sink,
                                                  self._xs_bad_text)
            if rest:
                reader.feed(rest)
        elif rest:
            super().data_received(rest)

    def _xs_bad_text(self, exc: UnicodeDecodeError) -> None:
        self._xs_fail(CloseCode.INVALID_DATA, f"{exc.reason} at position {exc.start}")

    def _xs_message(self, text: bool, payload: bytes) -> None:
        """A message websockets parsed (no lean reader: an extension is in use)."""
        if text:
            try:
                message: str | bytes = payload.decode()
            except UnicodeDecodeError as exc:
                self._xs_bad_text(exc)
                return
        else:
            message = payload
        sink = self._xs_sink
        if sink is None:
            self._xs_early.append(message)
        else:
            self._xs_call(sink, message)

    def _xs_fail(self, code: CloseCode, reason: str) -> None:
        """Fail the connection through websockets (close frame, close timeout, state)."""
        self.protocol.fail(code, reason)
        if self._xs_reader is not None:
            self._xs_reader.bypassed = True
        super().data_received(b"")  # lets websockets send the close frame and arm its timer

    @staticmethod
    def _xs_call(sink: FrameSink, message: str | bytes) -> None:
        try:
            sink(message)
        except Exception:  # noqa: BLE001 - never let a handler bug break the socket
            logging.getLogger(__name__).exception("internal error while handling a frame")

    # ---------------------------------------------------------------- websockets' frames
    def process_event(self, event: Any) -> None:
        sink = self._xs_sink
        if sink is None or type(event) is not Frame:
            super().process_event(event)
            return
        opcode = event.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if not event.fin:
                self._xs_parts = [bytes(event.data)]
                self._xs_text = opcode is Opcode.TEXT
                return
            self._xs_message(opcode is Opcode.TEXT, bytes(event.data))
        elif opcode is Opcode.CONT and self._xs_parts is not None:
            self._xs_parts.append(bytes(event.data))
            if event.fin:
                parts, self._xs_parts = self._xs_parts, None
                self._xs_message(self._xs_text, b"".join(parts))
        else:
            super().process_event(event)

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._peer.opened = True
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return
        try:
            self._peer.check(ssl_object.getpeercert(binary_form=True) or b"")
        except Exception as exc:  # the hook's verdict; the credentials are not sent
            self._peer.error = exc
            transport.abort()


class _Connect(connect):
    """websockets' connect, following redirects only to the same host and scheme.

    A redirect to any other host is refused rather than followed, so neither the Basic
    header nor the `auth-` token (which websockets would re-send) can leak. A device
    whose HTTP mode is HTTPS-only redirects ws:// to https:// or wss://: that is refused
    too, with the wss:// address to type (openfailures.redirect_error says why).
    """

    xs_display: str = ""
    xs_ssl: ssl.SSLContext | None = None

    def process_redirect(self, exc: Exception) -> Exception | str:
        old = self.ws_uri
        headers = self.additional_headers
        response = exc.response if isinstance(exc, InvalidStatus) else None
        if response is not None and 300 <= response.status_code < 400 \
                and "Location" in response.headers:
            location = urllib.parse.urljoin(self.uri, response.headers["Location"])
            refused = redirect_error(self.xs_display, response.status_code, location, old.secure,
                                     old.path)
            if refused is not None:
                return refused
        outcome = super().process_redirect(exc)
        if not isinstance(outcome, str):
            return outcome
        new = parse_uri(outcome)
        if new.host.lower() != old.host.lower():
            return ConnectionFailed(f"{self.xs_display} redirected the WebSocket to another host "
                                    f"({new.host}); not following it with your credentials")
        self.additional_headers = headers
        if new.secure and self.xs_ssl is not None:
            self.create_connection_kwargs["ssl"] = self.xs_ssl
        return outcome


async def open_websocket(target: Target, *, username: str, password: str, auth: str,
                         ssl_context: ssl.SSLContext | None, insecure: bool,
                         open_timeout: float | None, ping_interval: float | None,
                         ping_timeout: float | None, max_size: int | None,
                         compression: str | None, proxy: str | Literal[True] | None,
                         peer: PeerState, close_timeout: float | None = 10.0,
                         lean: bool = False) -> ClientConnection:
    """Open and upgrade the connection; raise a ConnectionFailed subclass on any failure.

    lean=True: data messages are read by xshell.transport.leanframes and go only to the
    connection's `xs_sink` (set it; they wait for it), never to `recv()`.
    """
    headers: dict[str, str] = {}
    subprotocols: list[Subprotocol] | None = None
    if auth == "basic":
        headers["Authorization"] = basic_authorization(username, password)
    else:
        subprotocols = [Subprotocol(auth_subprotocol(username, password))]
    # Loading the system CA store costs ~15 ms: only pay it for wss:// (the one-shot path).
    ctx = make_ssl_context(ssl_context, insecure) if target.secure else None
    kwargs: dict[str, Any] = {"ssl": ctx} if target.secure else {}
    opener = _Connect(
        target.url, additional_headers=headers or None, subprotocols=subprotocols,
        open_timeout=open_timeout, ping_interval=ping_interval, ping_timeout=ping_timeout,
        close_timeout=close_timeout, max_size=max_size, compression=compression, proxy=proxy,
        logger=websockets_logger(),
        create_connection=functools.partial(_CheckedConnection, peer=peer, lean=lean),  # type: ignore[arg-type]
        **kwargs)
    opener.xs_display = target.display
    opener.xs_ssl = ctx
    try:
        return await opener
    except Exception as exc:
        if peer.error is not None:
            err = peer.error
            if not isinstance(err, TLSFailed):
                err = TLSFailed(f"Certificate of {target.display} rejected: {err}")
            raise err from exc
        raise translate(exc, target, username, open_timeout, opened=peer.opened) from exc
