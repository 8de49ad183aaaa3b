"""Feedback registrations that outlive connections: stable client-side ids.

The device numbers subscriptions per connection, from 0, so after a reconnect every Id
the caller holds would be wrong — or worse, name somebody else's registration. The
client therefore hands out its own ids, keeps them for the life of the registration,
and maps them to whatever Id the current connection's device gave. The handler the
caller registered is wrapped once, so it keeps receiving (payload, client id) whatever
the device's numbering; the current-value notification that follows a re-subscription
is routed as a *resync* (to `on_resync(sub_id, payload)` when one is set), so a shell
can show "this is the state after the gap" rather than "this just changed".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from xshell.transport.rpc import FeedbackHandler, RpcTable, Subscription

log = logging.getLogger(__name__)

ResyncHandler = Callable[[int, dict[str, Any]], None | Awaitable[None]]


@dataclass(eq=False)
class Registration:
    """One caller registration: its stable id, what was asked, and its Id on the device now."""

    sub_id: int
    subscription: Subscription
    on_resync: ResyncHandler | None = None
    device_id: int | None = None
    quiet: bool = False  # the caller's own bookkeeping, not the user's: never counted aloud

    @property
    def shown(self) -> str:
        return "/".join(str(e) for e in self.subscription.query)


class Registry:
    """Client id → Registration, plus the caller-facing view of it."""

    def __init__(self) -> None:
        self._next = 0
        self.by_id: dict[int, Registration] = {}
        self.subscriptions: dict[int, Subscription] = {}

    def new(self, subscription: Subscription, on_resync: ResyncHandler | None,
            quiet: bool = False) -> Registration:
        """A registration with a fresh id; it counts only once `add()`ed."""
        reg = Registration(self._next, subscription, on_resync, quiet=quiet)
        self._next += 1
        return reg

    def add(self, reg: Registration, device_id: int) -> None:
        reg.device_id = device_id
        self.by_id[reg.sub_id] = reg
        self.subscriptions[reg.sub_id] = reg.subscription

    def get(self, sub_id: Any) -> Registration | None:
        return self.by_id.get(sub_id) if type(sub_id) is int else None

    def remove(self, sub_id: int) -> Registration | None:
        self.subscriptions.pop(sub_id, None)
        return self.by_id.pop(sub_id, None)

    def take_over(self, other: Registry) -> None:
        """Move every registration of `other` here, with its id (this registry is new)."""
        clash = set(self.by_id) & set(other.by_id)
        if clash:
            raise ValueError(f"registration ids {sorted(clash)} exist on both clients")
        for sub_id, reg in other.by_id.items():
            reg.device_id = None
            self.by_id[sub_id] = reg
            self.subscriptions[sub_id] = reg.subscription
        self._next = max(self._next, other._next)
        other.by_id.clear()
        other.subscriptions.clear()

    def unbind_all(self) -> None:
        """The connection is new: no registration has a device Id on it yet."""
        for reg in self.by_id.values():
            reg.device_id = None

    def unbound(self) -> list[Registration]:
        return [reg for reg in self.by_id.values() if reg.device_id is None]


def delivering(reg: Registration, rpc: RpcTable,
               default_resync: Callable[[], ResyncHandler | None]) -> FeedbackHandler:
    """The handler the RpcTable holds for `reg`: device Id in, client id out."""
    handler, sub_id = reg.subscription.handler, reg.sub_id  # fixed for the registration's life

    def deliver(payload: dict[str, Any], _device_id: int) -> None | Awaitable[None]:
        if rpc.resyncing:
            resync = reg.on_resync or default_resync()
            if resync is not None:
                return resync(sub_id, payload)
        return handler(payload, sub_id)
    return deliver
