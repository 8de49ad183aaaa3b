"""Opening the WebSocket: credentials, TLS, redirects, and failures in plain words.

Everything that can go wrong before the first JSON frame ends here as one
ConnectionFailed sentence naming the host, the cause and the likely fix (xows.md §2.1;
the wording lives in xshell.transport.openfailures), so the shell can print it and exit
3. Credentials live only in the upgrade request and are never part of a message, repr
or log line (the websockets logger is the redacting one).

Two seams for later work: `verify_peer(der)` runs as soon as TLS is up and *before*
the upgrade request (with the credentials) is written — the place for certificate
pinning; and the peer certificate is kept so it can be shown or stored. The connection
object is xshell.transport.peercheck's (plain path) or wsfast's (fast path, the default).
"""

from __future__ import annotations

import base64
import functools
import os
import ssl
import sys
import urllib.parse
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from xshell.errors import ConnectionFailed, TLSFailed
from xshell.transport.openfailures import redirect_error, translate
from xshell.transport.peercheck import CheckedConnection, PeerState
from xshell.transport.target import Target
from xshell.transport.wsfast import FastConnection
from xshell.transport.wslog import websockets_logger


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


def proxy_choice(proxy: str | Literal[True] | None) -> str | Literal[True] | None:
    """`proxy=True` (from the system) as None where the system can name no proxy.

    Why: websockets resolves `True` through `urllib.request.getproxies()`, and importing
    urllib.request (http.client, email, tempfile…) is ~10 ms of a one-shot run. Outside
    macOS and Windows, getproxies() reads only environment variables named `*_proxy` with a
    value; with none set it finds nothing, so asking is skipped. Anything else is passed on.
    """
    if proxy is True and sys.platform not in ("darwin", "win32") \
            and not any(value and name.lower().endswith("_proxy")
                        for name, value in os.environ.items()):
        return None
    return proxy


def proxy_shown(proxy: str | Literal[True] | None, target: Target) -> str | None:
    """The proxy the connection to `target` went through, as scheme://host:port (never its
    credentials), or None. Asked only after a failure, so that a dead proxy is not taken
    for the device; the lookup mirrors websockets' (RFC 6455 "Proxy Usage" order)."""
    choice = proxy_choice(proxy)
    if choice is None:
        return None
    url: str | None = choice if isinstance(choice, str) else None
    if url is None:  # True: from the system
        import urllib.request

        if urllib.request.proxy_bypass(f"{target.host}:{target.port}"):
            return None
        proxies = urllib.request.getproxies()
        schemes = ("wss", "socks", "https") if target.secure else ("ws", "socks", "https", "http")
        url = next((proxies[s] for s in schemes if proxies.get(s)), None)
        if url is None:
            return None
    parts = urllib.parse.urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname}{port}" if parts.hostname else "the proxy"


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

    lean=True: the fast path (xshell.transport.wsfast): data messages go only to the
    connection's `xs_sink` (set it; they wait for it), never to `recv()`; read by
    xshell.transport.leanframes unless an extension is negotiated. lean=False: the plain
    public API (`recv()`, `send()`).
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
        close_timeout=close_timeout, max_size=max_size, compression=compression, proxy=proxy_choice(proxy),
        logger=websockets_logger(),
        create_connection=functools.partial(FastConnection if lean else CheckedConnection,  # type: ignore[arg-type]  # a partial of the class builds the same
                                            peer=peer),
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
        raise translate(exc, target, username, open_timeout, opened=peer.opened,
                        proxy=proxy_shown(proxy, target) if isinstance(exc, OSError) else None) from exc
