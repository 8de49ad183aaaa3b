"""xshell.transport: the XoWS client (no UI imports).

`target` turns what the user typed into a URL, `opening` opens and authenticates the
WebSocket, `rpc` is the JSON-RPC bookkeeping, `client` the public XoWSClient. Names are
loaded lazily so that importing `xshell.transport.target` stays cheap (no websockets).

Importing it defers `importlib.metadata`, which websockets imports without needing it
(xshell.transport.deferred says why).
"""

from __future__ import annotations

from typing import Any

from xshell.transport.deferred import defer_importlib_metadata

defer_importlib_metadata()

__all__ = ["Target", "XoWSClient", "parse_target"]


def __getattr__(name: str) -> Any:
    if name == "XoWSClient":
        from xshell.transport.client import XoWSClient
        return XoWSClient
    if name in ("Target", "parse_target"):
        from xshell.transport import target
        return getattr(target, name)
    raise AttributeError(f"module 'xshell.transport' has no attribute {name!r}")
