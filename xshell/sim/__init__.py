"""xshell.sim — a Cisco RoomOS/CE codec simulator speaking XoWS (JSON-RPC over WebSocket).

`Simulator` is the device; `Simulator.serve()` puts it on a socket. The package is
split by concern: handshake (HTTP upgrade, auth, limits), server (sockets and
connections), jsonrpc (JSON-RPC routing), state (live values), tree (paths and JSON
shapes), feedback (subscriptions), xcommands (argument checks), behaviour (what
commands do), access (accounts and roles), sessions (session caps, idle timeout), redirect
(the plain port of an HTTPS-only device), many (several simulated devices).
`python -m xshell.sim` / `xshell-sim` runs one from the command line.
"""

from xshell.sim.handshake import RateLimit
from xshell.sim.simulator import Simulator

__all__ = ["RateLimit", "Simulator"]
