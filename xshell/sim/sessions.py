"""Session caps and the inactivity timeout, as a device's `Security Session` settings say.

A device limits how many sessions are open at once — `Security Session MaxTotalSessions`
(1–30, default 30) in all and `MaxSessionsPerUser` (1–20, default 20) for one user — and
can log a session out after `InactivityTimeout` minutes without a request (default 0,
never). The simulator reads those configurations from its live state (so `xConfiguration
Security Session MaxTotalSessions: 2` takes effect for the next upgrade; the defaults hold
for a model without them) and enforces them on XoWS connections:

- over a cap, the upgrade is refused with HTTP 503 and a one-line body naming the cap
  (`Maximum number of sessions reached.` / `… for this user reached.`). The spec leaves
  the exact answer unknown (xows.md §2.2); 503 is what the device's web server answers
  when it cannot take a request (§2.1), so clients that know only the status still back
  off and retry;
- an idle session (no message from the client for the timeout) is closed with a Close
  frame, code 1000, reason `Session inactivity timeout`. The timeout in force when a
  session opens is the one it keeps (a device applies the setting after a restart).

Sessions are counted from the moment the upgrade is accepted until the connection is
closed, so a burst of upgrades cannot slip past a cap before their handlers run.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

from websockets.asyncio.server import ServerConnection
from websockets.protocol import State

if TYPE_CHECKING:
    from xshell.sim.server import Connection
    from xshell.sim.simulator import Simulator

MAX_TOTAL = ("Security", "Session", "MaxTotalSessions")
MAX_PER_USER = ("Security", "Session", "MaxSessionsPerUser")
INACTIVITY = ("Security", "Session", "InactivityTimeout")
DEFAULT_TOTAL, DEFAULT_PER_USER = 30, 20
TOTAL_REFUSAL = "Maximum number of sessions reached."
USER_REFUSAL = "Maximum number of sessions for this user reached."
IDLE_REASON = "Session inactivity timeout"


class Sessions:
    """Who holds a session now, the caps on that, and the idle watchers."""

    def __init__(self, sim: Simulator, idle_timeout: float | None = None) -> None:
        self.sim = sim
        self.idle_override = idle_timeout
        self._admitted: dict[ServerConnection, str] = {}
        self._watchers: dict[Connection, asyncio.Task[None]] = {}

    def _setting(self, path: tuple[str, ...], default: int) -> int:
        value = self.sim.state.value("Configuration", path)
        return int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else default

    def caps(self) -> tuple[int, int]:
        """(MaxTotalSessions, MaxSessionsPerUser) as configured now."""
        return self._setting(MAX_TOTAL, DEFAULT_TOTAL), self._setting(MAX_PER_USER, DEFAULT_PER_USER)

    def idle_seconds(self) -> float | None:
        """The inactivity timeout in seconds (None: never)."""
        if self.idle_override is not None:
            return self.idle_override if self.idle_override > 0 else None
        minutes = self._setting(INACTIVITY, 0)
        return minutes * 60.0 if minutes > 0 else None

    # --- admission (at the HTTP upgrade) ----------------------------------------------

    def admit(self, ws: ServerConnection, user: str) -> str | None:
        """Count `ws` as `user`'s session, or return why it is refused (the 503 body)."""
        for other in [w for w in self._admitted if w.state is State.CLOSED]:
            del self._admitted[other]
        total, per_user = self.caps()
        if len(self._admitted) >= total:
            return TOTAL_REFUSAL
        if sum(1 for u in self._admitted.values() if u == user) >= per_user:
            return USER_REFUSAL
        self._admitted[ws] = user
        return None

    @property
    def open(self) -> int:
        """Sessions counted right now (upgrades accepted and not yet closed)."""
        return sum(1 for w in self._admitted if w.state is not State.CLOSED)

    # --- the inactivity timeout ---------------------------------------------------------

    def attach(self, conn: Connection) -> None:
        limit = self.idle_seconds()
        if limit is None:
            return
        with contextlib.suppress(RuntimeError):
            self._watchers[conn] = asyncio.get_running_loop().create_task(self._watch(conn, limit))

    def detach(self, conn: Connection) -> None:
        self._admitted.pop(conn.ws, None)
        task = self._watchers.pop(conn, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _watch(self, conn: Connection, limit: float) -> None:
        while True:
            left = conn.last_heard + limit - time.monotonic()
            if left <= 0:
                break
            await asyncio.sleep(left)
        conn.cancel_tasks()
        await conn.flush()
        conn.closing = True
        await conn.ws.close(1000, IDLE_REASON)
