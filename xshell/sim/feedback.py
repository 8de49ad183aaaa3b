"""Feedback subscriptions and the xFeedback/Event notifications they produce (spec §6).

Subscriptions belong to a connection (Ids count from 0 per connection and are never
reused; all vanish when it closes), but changes happen to the one shared device state,
so a hub that sees every connection matches each change against every subscription —
independently: two identical subscriptions get two notifications, each carrying only
the leaves that changed. The hub also runs the once-a-second SystemUnit Uptime tick,
and only while someone is subscribed to it, so an idle simulator does nothing; the same
tick carries every other leaf that counts seconds by itself (a connected call's Duration).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from xshell.errors import InvalidParams, SubscriberCountExceeded
from xshell.schema.model import PathElem
from xshell.sim.access import denied
from xshell.sim.state import Change, LiveState
from xshell.sim.tree import GHOST, STAR, Pattern, build, flatten, matches, to_pattern, with_event_ids

log = logging.getLogger(__name__)
FEEDBACK_ROOTS = ("Status", "Configuration", "Event")
BAD_USAGE = "Bad usage: Missing or invalid parameter(s)."


@dataclass(frozen=True)
class Subscription:
    """One xFeedback/Subscribe: its Id and the (rooted, case-folded) query pattern."""

    id: int
    query: tuple[PathElem, ...]
    pattern: Pattern

    def wants(self, root: str, path: Sequence[PathElem], ghost: bool = False) -> bool:
        return matches(self.pattern, (root,) + tuple(path), partial=ghost)


class Subscriber(Protocol):
    """What the hub needs from a connection."""

    legacy: bool
    subscriptions: dict[int, Subscription]
    next_subscription_id: int

    def send(self, message: Mapping[str, Any]) -> None: ...


def notification(sub_id: int, root: str, tree: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "xFeedback/Event", "params": {"Id": sub_id, root: tree}}


class FeedbackHub:
    """Every connection's subscriptions, and delivery of changes and events to them."""

    def __init__(self, state: LiveState, max_subscriptions: int | None = 50, tick: float = 1.0) -> None:
        self.state = state
        self.max_subscriptions = max_subscriptions
        self.tick = tick
        self._subscribers: list[Subscriber] = []
        self._ticker: asyncio.Task[None] | None = None
        self._last: dict[tuple[PathElem, ...], Any] = {}  # clock leaf -> value last sent

    # --- connections -----------------------------------------------------------------

    def attach(self, conn: Subscriber) -> None:
        self._subscribers.append(conn)

    def detach(self, conn: Subscriber) -> None:
        """A closed connection takes all its subscriptions with it."""
        if conn in self._subscribers:
            self._subscribers.remove(conn)
        conn.subscriptions.clear()
        self._check_ticker()

    def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    # --- subscribe / unsubscribe -----------------------------------------------------

    def subscribe(self, conn: Subscriber, raw_query: Any) -> Subscription:
        """Validate and register; raises -31998 at the cap, -32602 for unknown paths."""
        if self.max_subscriptions is not None and len(conn.subscriptions) >= self.max_subscriptions:
            raise SubscriberCountExceeded("Subscriber Count Exceeded")
        if raw_query is None:
            raise InvalidParams(BAD_USAGE, data={"Parameter": "Query"})
        query = self.state.compile(raw_query, roots=FEEDBACK_ROOTS, allow_star=True)
        reader = getattr(conn, "reader", None)
        if reader is not None and STAR not in query and not reader.readable(str(query[0]), query[1:]):
            raise denied()
        sub = Subscription(conn.next_subscription_id, query, to_pattern(query))
        conn.next_subscription_id += 1
        conn.subscriptions[sub.id] = sub
        self._check_ticker()
        return sub

    def unsubscribe(self, conn: Subscriber, raw_id: Any) -> None:
        if raw_id is None or isinstance(raw_id, bool):
            raise InvalidParams(BAD_USAGE, data={"Parameter": "Id"})
        key = int(raw_id) if isinstance(raw_id, str) and raw_id.strip().isdigit() else raw_id
        if not isinstance(key, int) or key not in conn.subscriptions:
            raise InvalidParams("Unknown subscription Id", data={"Id": raw_id})
        del conn.subscriptions[key]
        self._check_ticker()

    def current_values(self, conn: Subscriber, sub: Subscription) -> list[dict[str, Any]]:
        """NotifyCurrentValue: one notification per data root with matching values."""
        out = []
        for root in ("Status", "Configuration"):
            if sub.query[0] not in (STAR, root):
                continue
            items = _readable(conn, root, self.state.current(sub.pattern, root))
            if items:
                out.append(notification(sub.id, root, build(items, conn.legacy)))
        return out

    # --- delivery --------------------------------------------------------------------

    def publish(self, root: str, changes: Sequence[Change]) -> None:
        """Send each subscription that wants some of `changes` one notification with them."""
        if not changes:
            return
        for conn in list(self._subscribers):
            for sub in list(conn.subscriptions.values()):
                chosen = _readable(conn, root, [(p, v) for p, v in changes
                                                if sub.wants(root, p, ghost=v is GHOST)])
                if chosen:
                    conn.send(notification(sub.id, root, build(chosen, conn.legacy)))

    def publish_event(self, payload: Mapping[str, Any]) -> None:
        """An event (payload below Event, e.g. {"CallSuccessful": {...}}) to its subscribers."""
        leaves = flatten(dict(payload))
        for conn in list(self._subscribers):
            for sub in list(conn.subscriptions.values()):
                chosen = _readable(conn, "Event", [(p, v) for p, v in leaves if sub.wants("Event", p)])
                if chosen:
                    tree = with_event_ids(build(chosen, conn.legacy), conn.legacy)
                    conn.send(notification(sub.id, "Event", tree))

    # --- the Uptime tick -------------------------------------------------------------

    def _watched_clocks(self) -> list[tuple[PathElem, ...]]:
        """Clock leaves (Uptime, call Durations) some subscription wants."""
        subs = [sub for conn in self._subscribers for sub in conn.subscriptions.values()]
        return [p for p in self.state.clock_paths() if any(sub.wants("Status", p) for sub in subs)]

    def clocks_changed(self) -> None:
        """A clock leaf started or stopped (a call connected): tick if now watched."""
        self._check_ticker()

    @property
    def ticking(self) -> bool:
        """Whether the Uptime tick runs (only while a subscription wants Uptime)."""
        return self._ticker is not None

    def _check_ticker(self) -> None:
        watched = bool(self._watched_clocks())
        if self._ticker is not None and not watched:
            self.close()
        elif self._ticker is None and watched:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._last = {p: self.state.value("Status", p) for p in self.state.clock_paths()}
            self._ticker = loop.create_task(self._tick())

    async def _tick(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.tick)
                watched = self._watched_clocks()
                if not watched:
                    return
                changed = []
                for path in watched:
                    now = self.state.value("Status", path)
                    if now != self._last.get(path):
                        self._last[path] = now
                        changed.append((path, now))
                self.publish("Status", changed)
        finally:
            if self._ticker is asyncio.current_task():
                self._ticker = None


def _readable(conn: Subscriber, root: str, items: list[Change]) -> list[Change]:
    """What of `items` the connection's user may read (its roles; xshell.sim.access)."""
    reader = getattr(conn, "reader", None)
    if reader is None or not items:
        return items
    return [(p, v) for p, v in items if reader.readable(root, p)]
