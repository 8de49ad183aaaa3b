"""The HTTP upgrade, as a codec's web server answers it (spec §1–§2).

Everything a client can get wrong before the WebSocket exists is decided here, on the
request alone: reboot in progress → 502, connection rate → 503, wrong path → 404, no
credentials → 401 (with a Basic challenge), wrong credentials → 403, a session cap
reached → 503 naming it (xshell.sim.sessions). Credentials come
from `Authorization: Basic` or the browser-friendly `Sec-WebSocket-Protocol:
auth-<base64url>`; the offered auth- token must be echoed in the 101 or jsxapi and
browsers abort. Nothing here ever logs or echoes a password.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import http
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

if TYPE_CHECKING:
    from xshell.sim.simulator import Simulator

WS_PATHS = ("/ws", "/ws/")
REALM = "xshell-sim"
PROTOCOL_HEADER = "Sec-WebSocket-Protocol"
_TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class RateLimit:
    """Upgrades accepted per second, and how many may queue beyond that before 503.

    Cisco documents 1/s with a queue of 30 for basic-auth HTTP requests.
    """

    rate: float = 1.0
    queue: int = 30


class TokenBucket:
    """Classic token bucket: `capacity` upgrades at once, refilled at `rate` per second."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = capacity
        self._stamp = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


@dataclass(frozen=True)
class Upgrade:
    """What the handshake learned, for the connection handler."""

    user: str
    legacy: bool
    subprotocol: str | None


def decode_basic(header: str) -> tuple[str, str] | None:
    """user and password from an `Authorization: Basic …` value; None if undecodable."""
    scheme, _, blob = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    return _split(_b64(blob.strip(), urlsafe=False))


def decode_auth_token(token: str) -> tuple[str, str] | None:
    """user and password from `auth-<base64url>`; padding and the +/ alphabet tolerated."""
    if not token.lower().startswith("auth-"):
        return None
    return _split(_b64(token[5:], urlsafe=True))


def _b64(blob: str, urlsafe: bool) -> bytes | None:
    blob = blob.rstrip("=")
    if urlsafe:
        blob = blob.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _split(raw: bytes | None) -> tuple[str, str] | None:
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    user, sep, password = text.partition(":")
    return (user, password) if sep else None


def offered_tokens(headers: Headers) -> list[str]:
    """Every sub-protocol the client offered, exactly as sent."""
    out: list[str] = []
    for value in headers.get_all(PROTOCOL_HEADER):
        out.extend(t.strip() for t in value.split(",") if t.strip())
    return out


def _sanitize(headers: Headers, tokens: list[str]) -> None:
    """websockets refuses `=` (not an HTTP token char) in sub-protocols; padded auth-
    tokens are tolerated, so strip what it would choke on (the echo stays exact)."""
    clean = ["".join(ch for ch in t if ch in _TOKEN_CHARS) for t in tokens]
    if clean != tokens:
        del headers[PROTOCOL_HEADER]
        headers[PROTOCOL_HEADER] = ", ".join(c for c in clean if c)


def _reject(conn: ServerConnection, status: http.HTTPStatus, text: str) -> Response:
    return conn.respond(status, text + "\n")


def make_process_request(sim: Simulator) -> Callable[[ServerConnection, Request], Response | None]:
    """The websockets `process_request` hook that plays the device's web server."""

    def process_request(conn: ServerConnection, request: Request) -> Response | None:
        if sim.rebooting:
            return _reject(conn, http.HTTPStatus.BAD_GATEWAY, "Proxy Error: the codec is rebooting.")
        if sim.bucket is not None and not sim.bucket.take():
            return _reject(conn, http.HTTPStatus.SERVICE_UNAVAILABLE, "Rate limit exceeded.")
        path, _, query = request.path.partition("?")
        if path not in WS_PATHS:
            return _reject(conn, http.HTTPStatus.NOT_FOUND, "Not Found")
        presented: list[tuple[str, str] | None] = []
        for auth in request.headers.get_all("Authorization")[:1]:
            if auth.strip().lower().startswith("basic"):
                presented.append(decode_basic(auth))
        tokens = offered_tokens(request.headers)
        auth_tokens = [t for t in tokens if t.lower().startswith("auth-")]
        presented.extend(decode_auth_token(t) for t in auth_tokens)
        if not presented:
            response = _reject(conn, http.HTTPStatus.UNAUTHORIZED, "Authentication required.")
            response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
            return response
        good = [c for c in presented if c is not None and sim.check_credentials(*c)]
        if not good:
            return _reject(conn, http.HTTPStatus.FORBIDDEN, "Authentication failed.")
        refused = sim.sessions.admit(conn, good[0][0])
        if refused is not None:  # a session cap (xshell.sim.sessions): 503, the cap named
            return _reject(conn, http.HTTPStatus.SERVICE_UNAVAILABLE, refused)
        _sanitize(request.headers, tokens)
        legacy = sim.legacy_default or "legacy" in parse_qs(query, keep_blank_values=True)
        # what the accepted upgrade said, carried on websockets' connection to server.py's handler
        conn.xshell_upgrade = Upgrade(good[0][0], legacy, auth_tokens[0] if auth_tokens else None)  # type: ignore[attr-defined]
        return None

    return process_request


def select_subprotocol(conn: ServerConnection, subprotocols: Sequence[Subprotocol]) -> Subprotocol | None:
    """Echo the auth- token the client offered (exactly as offered), else none."""
    upgrade: Upgrade | None = getattr(conn, "xshell_upgrade", None)
    return Subprotocol(upgrade.subprotocol) if upgrade is not None and upgrade.subprotocol else None


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
