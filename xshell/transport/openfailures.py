"""Why a connection could not be opened, in one line: the cause, then the likely fix.

A technician's first try usually fails for a reason the exception does not say: the
default `wss://` aimed at a plain port resets with an empty ConnectionResetError, a
`ws://` aimed at a TLS port just closes, a device in HTTPS-only mode redirects. Every
failure before the first JSON frame is turned here into one ConnectionFailed sentence
naming the host, what happened, and — where one is likely — what to try instead
(`try ws://…`, `try wss://…`). Credentials never appear: callers pass hosts and the
user name only, and a redirect's target is shown without any user-info part.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import ssl
import urllib.parse

from websockets.exceptions import (InvalidHandshake, InvalidMessage, InvalidStatus,
                                   InvalidURI, ProxyError, SecurityError)

from xshell.errors import (AuthenticationFailed, ConnectionFailed, DeviceRebooting, RateLimited,
                           ServiceNotEnabled, TLSFailed)
from xshell.transport.target import Target, mask_userinfo

# SSL reasons meaning "what came back was not TLS": the port speaks plain HTTP.
_NOT_TLS = ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG",
            "RECORD_LAYER_FAILURE", "UNKNOWN_PROTOCOL")
# The device refused every TLS version or cipher this machine offers.
_NO_COMMON = ("HANDSHAKE_FAILURE", "PROTOCOL_VERSION", "NO_PROTOCOLS_AVAILABLE",
              "UNSUPPORTED_PROTOCOL", "NO_SHARED_CIPHER", "INSUFFICIENT_SECURITY",
              "NO_CIPHERS_AVAILABLE")
_CLIENT_CERT = ("CERTIFICATE_REQUIRED", "BAD_CERTIFICATE", "PEER_DID_NOT_RETURN_A_CERTIFICATE")
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN}
_WORDS = {ConnectionResetError: "the connection was reset",
          ConnectionAbortedError: "the connection was aborted",
          BrokenPipeError: "the connection was closed"}


def other_scheme(target: Target) -> str:
    """The target's URL with the other scheme, same host, port, path and query.

    The port is kept explicit: "that port speaks TLS" is the claim, so `ws://codec`
    (port 80) becomes `wss://codec:80/ws`, not wss's default port 443.
    """
    parts = urllib.parse.urlsplit(target.url)
    scheme = "ws" if target.secure else "wss"
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if scheme == "wss" else 80
    netloc = host if target.port == default else f"{host}:{target.port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{parts.path}{query}"


def status_error(status: int, username: str, display: str, *, hint: str = ""
                 ) -> ConnectionFailed:
    """Map a non-101 upgrade status to the error a technician can act on (§2.1)."""
    if status in (401, 403):
        return AuthenticationFailed(f"Authentication failed for user '{username}' at {display}: "
                                    f"wrong username or password (HTTP {status}){hint}")
    if status == 502:
        return DeviceRebooting(f"{display} answered HTTP 502 (proxy error): "
                               "the device is probably rebooting; try again in a minute")
    if status == 503:
        return RateLimited(f"{display} refused the connection with HTTP 503: too many connection "
                           "attempts (the device's rate limit); wait a few seconds and retry")
    return ServiceNotEnabled(f"WebSocket service not enabled on {display} (HTTP {status}): "
                             f"xConfiguration NetworkServices Websocket: FollowHTTPService{hint}")


def session_cap(body: bytes | bytearray | None, display: str) -> RateLimited | None:
    """A 503 whose body says a session cap is reached (Security Session MaxTotalSessions /
    MaxSessionsPerUser), as one line; None for any other 503 (the rate limit)."""
    text = (body or b"")[:200].decode("utf-8", "replace").lower()
    if "number of sessions" not in text:
        return None
    which = ("for this user (Security Session MaxSessionsPerUser)" if "user" in text else
             "(Security Session MaxTotalSessions)")
    return RateLimited(f"{display} refused the connection with HTTP 503: it already has as many "
                       f"sessions open as it allows {which}; close one and retry")


def redirect_error(display: str, status: int, location: str, secure: bool, path: str = "/ws"
                   ) -> ConnectionFailed | None:
    """A redirect xshell will not follow, as one line; None when it may be followed.

    A redirect from ws:// to https:// or wss:// is the device saying "HTTP Mode is
    HTTPS only". It is not followed: the certificate would then be checked without the
    device's pin (trust is decided for the target the user typed), so the user is told
    to type the wss:// address instead. A redirect to anything but a WebSocket URL
    cannot be followed at all.
    """
    shown = mask_userinfo(location)
    parts = urllib.parse.urlsplit(location)
    scheme = parts.scheme.lower()
    if scheme in ("https", "wss") and not secure:
        netloc = parts.netloc.rpartition("@")[2] or display  # never a user:password@ part
        return ConnectionFailed(
            f"{display} redirected the ws:// upgrade to {shown} (HTTP {status}): the device "
            f"accepts only TLS (HTTP Mode HTTPS); try wss://{netloc}{path}")
    if scheme not in ("ws", "wss"):
        return ConnectionFailed(f"{display} redirected the WebSocket upgrade to {shown} "
                                f"(HTTP {status}), which is not a WebSocket address")
    return None


def _os_cause(exc: OSError) -> str:
    """The OS's words for `exc`, or ours when it carries none (asyncio's bare resets)."""
    if exc.strerror:
        return str(exc.strerror)
    for cls, words in _WORDS.items():
        if isinstance(exc, cls):
            return words
    return str(exc) or type(exc).__name__


def _one_errno(exc: OSError) -> OSError:
    """asyncio's "Multiple exceptions: …" (one per address of a name) as one OSError,
    when every address failed the same way; otherwise `exc` unchanged."""
    if exc.errno is not None or not str(exc).startswith("Multiple exceptions:"):
        return exc
    codes = set(re.findall(r"\[Errno (\d+)\]", str(exc)))
    if len(codes) != 1:
        return exc
    code = int(codes.pop())
    cls = ConnectionRefusedError if code == errno.ECONNREFUSED else OSError
    return cls(code, os.strerror(code))


def _tls_error(exc: BaseException, target: Target, opened: bool) -> ConnectionFailed:
    """A handshake that failed (not a certificate verdict), with its likely cause.

    A peer that just hangs up is a plain ConnectionFailed, not TLSFailed: a device
    that is starting up does that too, and reconnecting gives up on TLSFailed.
    """
    shown, plain = target.display, other_scheme(target)
    reason = str(getattr(exc, "reason", None) or "")
    upper = (reason or str(exc)).upper()
    if any(word in upper for word in _NOT_TLS):
        return TLSFailed(f"TLS handshake with {shown} failed: the device answered without TLS "
                         f"({reason or 'not a TLS record'}); that is a plain ws:// port, "
                         f"try {plain}")
    if any(word in upper for word in _CLIENT_CERT):
        return TLSFailed(f"TLS handshake with {shown} failed ({reason}): the device asks for a "
                         "client certificate, which xshell does not send; turn that "
                         "requirement off on the device")
    if any(word in upper for word in _NO_COMMON):
        return TLSFailed(f"TLS handshake with {shown} failed ({reason}): the device and this "
                         "machine share no TLS version or cipher (old device software? "
                         "upgrade it, or check its TLS settings)")
    if not opened and isinstance(exc, (ConnectionError, EOFError, ssl.SSLEOFError,
                                       ssl.SSLZeroReturnError)):
        return ConnectionFailed(f"TLS handshake with {shown} failed: the device closed the "
                                f"connection without setting up TLS; if that is a plain ws:// "
                                f"port, try {plain}")
    return TLSFailed(f"TLS handshake with {shown} failed: {reason or exc}")


def _closed_during_upgrade(target: Target) -> ConnectionFailed:
    """The peer hung up after the transport was up and before answering the upgrade."""
    hint = (f"is that a TLS port? try {other_scheme(target)}" if not target.secure else
            "the device may be restarting or have too many sessions open; try again")
    return ConnectionFailed(f"{target.display} closed the connection during the WebSocket "
                            f"upgrade ({hint})")


def translate(exc: BaseException, target: Target, username: str, open_timeout: float | None,
              *, opened: bool = False, proxy: str | None = None) -> ConnectionFailed:
    """One sentence for any failure to open the connection (the cause stays chained).

    `opened`: the transport was up (TCP for ws://, TLS for wss://) before the failure,
    which tells "closed during the TLS handshake" from "closed during the upgrade".
    `proxy`: the proxy the connection went through (no credentials), if any: a socket
    error before anything opened is then the proxy's, not the device's.
    """
    shown, other = target.display, other_scheme(target)
    if isinstance(exc, ConnectionFailed):
        return exc
    if proxy is not None and not opened and isinstance(exc, OSError) \
            and not isinstance(exc, ssl.SSLError):
        exc = _one_errno(exc)
        cause = ("timed out" if isinstance(exc, TimeoutError) else "connection refused"
                 if isinstance(exc, ConnectionRefusedError) else _os_cause(exc))
        return ConnectionFailed(f"Cannot reach {shown} through the proxy {proxy}: {cause} "
                                "(check the proxy settings: $https_proxy, $http_proxy, $no_proxy)")
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        hint = ""
        path = urllib.parse.urlsplit(target.url).path
        if status == 401 and not target.secure:
            hint = f"; if the device accepts only TLS (HTTP Mode HTTPS), try {other}"
        if status == 404 and path.rstrip("/") != "/ws":
            hint = f"; or the path is wrong: the device serves /ws, not {path}"
        if status == 503:
            refused = session_cap(exc.response.body, shown)
            if refused is not None:
                return refused
        if status == 400 and not target.secure:
            return ConnectionFailed(f"{shown} answered the ws:// upgrade with HTTP 400 (bad "
                                    f"request): is that a TLS port? try {other}")
        return status_error(status, username, shown, hint=hint)
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = str(exc.verify_message or exc.reason or "verification failed").rstrip(".")
        return TLSFailed(f"TLS certificate of {shown} could not be verified ({why}); "
                         "trust the device's CA certificate or use --insecure to skip the check")
    if opened and isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        return _closed_during_upgrade(target)  # TLS was up: the upgrade is what failed
    if isinstance(exc, ssl.SSLError) or (target.secure and not opened and isinstance(
            exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError))):
        return _tls_error(exc, target, opened)
    if isinstance(exc, TimeoutError):
        after = f" after {open_timeout:g} s" if open_timeout else ""
        if opened and target.secure:
            why = ("TLS is up, but the WebSocket upgrade got no answer (the device may be busy "
                   "or restarting; try again)")
        elif opened:
            why = ("it accepted the connection but did not answer the WebSocket upgrade "
                   "(is that the device's web port?)")
        else:
            why = "the device does not answer (wrong address, or a firewall?)"
        return ConnectionFailed(f"Timed out{after} connecting to {shown}: {why}")
    if isinstance(exc, OSError) and not isinstance(exc, socket.gaierror):
        exc = _one_errno(exc)
    if isinstance(exc, ConnectionRefusedError):
        if not target.secure and target.port == 80:
            host = f"[{target.host}]" if ":" in target.host else target.host
            fix = f"is the device's HTTP Mode HTTPS only? try wss://{host}"
        else:
            fix = "wrong port, or is the device's NetworkServices HTTP Mode Off?"
        return ConnectionFailed(f"Connection to {shown} refused: nothing listens on port "
                                f"{target.port} ({fix})")
    if isinstance(exc, socket.gaierror):
        return ConnectionFailed(f"Cannot resolve the host name {target.host!r} "
                                f"({exc.strerror or exc}): check its spelling, or use the "
                                "device's IP address")
    if isinstance(exc, InvalidMessage):
        if isinstance(exc.__cause__, EOFError):
            return _closed_during_upgrade(target)
        hint = f"is that a TLS port? try {other}" if not target.secure else "is it a Cisco device?"
        return ConnectionFailed(f"{shown} did not answer the WebSocket upgrade with valid HTTP "
                                f"({exc}; {hint})")
    if isinstance(exc, SecurityError):
        return ConnectionFailed(f"Refused to connect to {shown}: {exc}")
    if isinstance(exc, ProxyError):
        return ConnectionFailed(f"Cannot reach {shown} through the proxy: {exc} (check the "
                                "proxy settings: $https_proxy, $http_proxy, $no_proxy)")
    if isinstance(exc, (InvalidHandshake, InvalidURI)):
        return ConnectionFailed(f"WebSocket upgrade with {shown} failed: {exc}")
    if isinstance(exc, OSError):
        fix = (" (check the address and this machine's network)"
               if exc.errno in _UNREACHABLE else "")
        if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            fix = (f" (is that a TLS port? try {other})" if not target.secure else
                   " (the device may be restarting; try again)")
        return ConnectionFailed(f"Cannot connect to {shown}: {_os_cause(exc)}{fix}")
    return ConnectionFailed(f"Cannot connect to {shown}: {type(exc).__name__}: {exc}")


__all__ = ["other_scheme", "redirect_error", "session_cap", "status_error", "translate"]
