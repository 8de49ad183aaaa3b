"""Request timeouts with one timer for all requests instead of one per request.

A `loop.call_later` per request (and its cancel) was an eighth of the client's time with
thousands in flight. Here each request is one dict entry, grouped by its time limit: in
one group deadlines grow in insertion order (same limit, monotonic clock), so the
earliest is always the group's first entry and a sweep stops at the first one not due.
One timer handle is armed for the earliest deadline, and re-armed no sooner than
GRANULARITY later, so a request fails at most GRANULARITY after its limit — never before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

__all__ = ["Deadlines", "GRANULARITY"]

log = logging.getLogger(__name__)

GRANULARITY = 0.1  # seconds a timeout may be reported late, at most
Expire = Callable[[int, str, float], None]


class Deadlines:
    """Deadlines of requests by id; `expire(rid, method, limit)` runs for each one missed."""

    def __init__(self, expire: Expire) -> None:
        self._expire = expire
        self._groups: dict[float, dict[int, tuple[float, str]]] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._armed_at = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return sum(len(group) for group in self._groups.values())

    def add(self, rid: int, method: str, limit: float) -> None:
        """Request `rid` must be answered within `limit` seconds from now."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        when = loop.time() + limit
        group = self._groups.get(limit)
        if group is None:
            group = self._groups[limit] = {}
        group[rid] = (when, method)
        if self._handle is None or when < self._armed_at:
            self._arm(when)

    def discard(self, rid: int, limit: float) -> None:
        """Request `rid` is over (answered, failed or abandoned)."""
        group = self._groups.get(limit)
        if group is not None:
            group.pop(rid, None)

    def settle(self, rid: int) -> None:
        """Request `rid` is answered, under whichever limit it had (usually one group)."""
        for group in self._groups.values():
            if group.pop(rid, None) is not None:
                return

    def clear(self) -> None:
        """Every request in flight has failed (the link is gone): no deadline is left."""
        self._groups.clear()

    def cancel(self) -> None:
        """Stop the timer (the client is closing); entries stay until discarded."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _arm(self, when: float) -> None:
        assert self._loop is not None
        if self._handle is not None:
            self._handle.cancel()
        self._armed_at = when
        self._handle = self._loop.call_at(when, self._sweep)

    def _sweep(self) -> None:
        self._handle = None
        assert self._loop is not None
        now = self._loop.time()
        due: list[tuple[int, str, float]] = []
        earliest: float | None = None
        for limit, group in list(self._groups.items()):
            missed: list[int] = []
            for rid, (when, method) in group.items():
                if when > now:
                    earliest = when if earliest is None else min(earliest, when)
                    break
                missed.append(rid)
                due.append((rid, method, limit))
            for rid in missed:
                del group[rid]
            if not group:
                del self._groups[limit]
        for rid, method, limit in due:
            try:
                self._expire(rid, method, limit)
            except Exception:  # one bad callback must not stop the others
                log.exception("timeout handling failed")
        if earliest is not None and self._handle is None:
            self._arm(max(earliest, now + GRANULARITY))
