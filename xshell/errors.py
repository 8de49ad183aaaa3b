"""Every error xshell reports, as types the callers can tell apart.

Connection failures carry one plain sentence a technician can act on (exit status 3);
xAPI errors keep the device's code, message and data verbatim (exit status 1). No
message built here may contain a password: callers pass hosts and usernames only.
"""

from __future__ import annotations

from typing import Any


class XShellError(Exception):
    """Base of all xshell errors."""


# --- connection (upgrade, network, TLS) -------------------------------------------------


class ConnectionFailed(XShellError):
    """Could not open (or lost) the WebSocket; str() is one sentence for the user."""


class AuthenticationFailed(ConnectionFailed):
    """HTTP 401/403 on the upgrade."""


class DeviceRebooting(ConnectionFailed):
    """HTTP 502 from the device's proxy: the codec is (re)booting."""


class RateLimited(ConnectionFailed):
    """HTTP 503: the device's connection rate limit."""


class ServiceNotEnabled(ConnectionFailed):
    """Any other non-101 status: the WebSocket service is off."""


class TLSFailed(ConnectionFailed):
    """Certificate verification or TLS handshake failed."""


class ConnectionLost(ConnectionFailed):
    """The link dropped while a request was in flight, or a request was made after it."""


class RequestTimeout(XShellError):
    """No response within the request's timeout."""


class ProtocolError(XShellError):
    """The device sent something that is not valid XoWS (reported, never fatal)."""


# --- xAPI / JSON-RPC errors (spec xows.md §8) ------------------------------------------


class XAPIError(XShellError):
    """A JSON-RPC error response. `code`, `message` and `data` are the device's own."""

    code: int = 0
    title: str = "xAPI error"

    def __init__(self, message: str, code: int | None = None, data: Any = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.data = data

    def __str__(self) -> str:
        extra = f" {self.data}" if self.data not in (None, "", {}) else ""
        return f"{self.message} (code {self.code}){extra}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


class JSONParseError(XAPIError):
    code, title = -32700, "Parse Error"


class InvalidRequest(XAPIError):
    code, title = -32600, "Invalid Request"


class MethodNotFound(XAPIError):
    code, title = -32601, "Method Not Found"


class InvalidParams(XAPIError):
    code, title = -32602, "Invalid Params"


class InternalError(XAPIError):
    code, title = -32603, "Internal Error"


class CommandError(XAPIError):
    code, title = 1, "Command Error"


class PermissionDenied(XAPIError):
    code, title = -31999, "Permission Denied"


class SubscriberCountExceeded(XAPIError):
    code, title = -31998, "Subscriber Count Exceeded"


class NotReady(XAPIError):
    code, title = -31997, "Not Ready"


ERROR_TYPES: dict[int, type[XAPIError]] = {
    cls.code: cls
    for cls in (JSONParseError, InvalidRequest, MethodNotFound, InvalidParams, InternalError,
                CommandError, PermissionDenied, SubscriberCountExceeded, NotReady)
}


def xapi_error(error: Any) -> XAPIError:
    """Build the typed exception for a JSON-RPC `error` member (tolerates junk)."""
    if not isinstance(error, dict):
        return XAPIError(f"malformed error member: {error!r}"[:200], code=0)
    code = error.get("code")
    message = error.get("message")
    if not isinstance(message, str):
        message = str(message) if message is not None else "no message"
    cls = ERROR_TYPES.get(code, XAPIError) if isinstance(code, int) else XAPIError
    return cls(message, code=code if isinstance(code, int) else 0, data=error.get("data"))
