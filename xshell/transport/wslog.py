"""A logger for the websockets library that can never write a secret.

websockets logs every handshake header and the start of every frame at DEBUG level.
Two of those carry credentials (`Authorization` and the `auth-…` sub-protocol, echoed
back by the device), and frames can carry passphrases given as command arguments. So
the library gets this adapter instead of its own logger: headers that hold credentials
are replaced by "[redacted]" and frames are logged by type and size only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from websockets.frames import Frame

_SECRET_HEADERS = frozenset({"authorization", "sec-websocket-protocol", "cookie", "set-cookie",
                             "proxy-authorization"})


def _redact(msg: object, args: tuple[Any, ...]) -> tuple[Any, ...]:
    if msg in ("> %s: %s", "< %s: %s") and len(args) == 2 \
            and str(args[0]).lower() in _SECRET_HEADERS:
        return (args[0], "[redacted]")
    if any(isinstance(arg, Frame) for arg in args):
        return tuple(f"{arg.opcode.name} [{len(arg.data)} bytes]" if isinstance(arg, Frame) else arg
                     for arg in args)
    return args


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """LoggerAdapter that scrubs credentials and frame payloads from websockets' records."""

    def __init__(self, logger: logging.Logger, extra: Mapping[str, object] | None = None) -> None:
        super().__init__(logger, extra or {})

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if args and self.isEnabledFor(level):
            args = _redact(msg, args)
        super().log(level, msg, *args, **kwargs)


def websockets_logger() -> RedactingLogger:
    """The logger handed to websockets.connect (name: xshell.transport.websockets)."""
    return RedactingLogger(logging.getLogger("xshell.transport.websockets"))
