"""xshell.transport: the XoWS client (no UI, no session imports).

`target` turns what the user typed into a URL, `opening` opens and authenticates the
WebSocket, `rpc` is the JSON-RPC bookkeeping, `client` the public XoWSClient: import each
from its module. Importing the package defers `importlib.metadata` and `urllib.request`,
which websockets imports without needing them on most runs (xshell.transport.deferred).
"""

from __future__ import annotations

from xshell.transport.deferred import defer

defer("importlib.metadata")
defer("urllib.request")
