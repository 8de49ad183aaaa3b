"""xFeedback on XoWSClient: registrations that outlive links, and their restoring.

Kept apart from the request methods (xshell.transport.xapi) and the link machinery
(xshell.transport.client) because the rules are their own: a caller's id stays valid
across reconnects (xshell.transport.feedback_registry); a registration not made on the current
link is retried until it is (xshell.transport.restorer); and a Subscribe reply is bound
the moment it is read — even when it comes after its request timed out, since the device
made the subscription all the same and its events follow. A reply nobody wants any more
(the caller deregistered meanwhile, or a retry was answered first) is unsubscribed on the
device, so its events never show up as "feedback for unknown subscription Id".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from xshell.errors import InvalidParams, ProtocolError
from xshell.transport.reconnect_policy import ReconnectPolicy
from xshell.transport.feedback_registry import Registration, Registry, ResyncHandler, delivering
from xshell.transport.restorer import Restorer
from xshell.transport.rpc import FeedbackHandler, LateHook, RpcTable, Subscription, subscription_id
from xshell.transport.xapi import PathLike, normalize_path

__all__ = ["FeedbackMethods"]

log = logging.getLogger(__name__)


class FeedbackMethods:
    """subscribe / unsubscribe / adopt and the restore state (a mixin of XoWSClient)."""

    _rpc: RpcTable
    _registry: Registry
    _restorer: Restorer
    _discarding: set[asyncio.Task[Any]]
    reconnect_policy: ReconnectPolicy | None
    on_resync: ResyncHandler | None
    on_restore: Callable[[int, str], None] | None

    if TYPE_CHECKING:  # provided by XoWSClient, which this mixin is part of
        _ws: Any

        @property
        def connected(self) -> bool: ...

        def call(self, method: str, params: Any = None, *, timeout: float | None = None,
                 _hook: Callable[[Any], None] | None = None) -> Coroutine[Any, Any, Any]: ...

        def _report(self, err: ProtocolError) -> None: ...

    # ------------------------------------------------------------------ the caller's view
    @property
    def subscriptions(self) -> Mapping[int, Subscription]:
        """Feedback registrations by client-side id (kept across reconnects)."""
        return self._registry.subscriptions

    def device_id(self, sub_id: int) -> int | None:
        """The device's Id for registration `sub_id` on the current link (None: not made)."""
        reg = self._registry.get(sub_id)
        return reg.device_id if reg is not None else None

    @property
    def unrestored(self) -> dict[int, str]:
        """The caller's registrations not made again yet after failing: id → why."""
        return self._restorer.unrestored

    async def wait_restored(self) -> None:
        """Wait until no registration is being restored: all made again (or deregistered,
        or the link lost meanwhile); at once when nothing is being restored. A registration
        the device keeps refusing is retried until it is made, so this may take long."""
        await self._restorer.wait()

    async def wait_restore_tried(self) -> None:
        """Wait until every registration being restored has been tried once."""
        await self._restorer.wait_tried()

    def adopt(self, old: FeedbackMethods) -> None:
        """Take over the registrations of `old` (closed, or about to be), with their ids,
        handlers and unrestored state, and restore them here exactly as after an automatic
        reconnect — current values as a resync included. `old` keeps none."""
        if old is self:
            return
        old._restorer.stop()
        self._registry.take_over(old._registry)
        self._restorer.take_over(old._restorer)
        if self.connected:
            self._restorer.start()

    # ------------------------------------------------------------------ xFeedback
    async def subscribe(self, query: PathLike, handler: FeedbackHandler,
                        notify_current: bool = False, *,
                        on_resync: ResyncHandler | None = None, quiet: bool = False) -> int:
        """xFeedback/Subscribe; `handler(payload, sub_id)` gets e.g. {"Status": {...}}.

        Returns a client-side id that stays valid across reconnects (the device's own Id
        changes with every connection: see device_id()). The handler is installed when the
        reply is read, before any later frame, so the NotifyCurrentValue notification
        always reaches it. After a reconnect the current values go to `on_resync(sub_id,
        payload)` (else the client's on_resync, else the handler). `quiet`: a subscription
        the caller keeps for itself (a shell's hidden live watch); it is restored like any
        other but not counted in the "restoring N feedback registrations" message.
        A reply that comes after this call gave up (timeout) is unsubscribed on the device.
        """
        q = normalize_path(query, "query")
        reg = self._registry.new(Subscription(tuple(q), handler, bool(notify_current)), on_resync, quiet)
        inner = Subscription(tuple(q), delivering(reg, self._rpc, self._default_resync),
                             bool(notify_current))
        params: dict[str, Any] = {"Query": q}
        if notify_current:
            params["NotifyCurrentValue"] = True
        hook = LateHook(self._rpc.subscribe_hook(inner), self._discard)
        result = await self.call("xFeedback/Subscribe", params, _hook=hook)
        self._registry.add(reg, int(result["Id"]))
        return reg.sub_id

    async def unsubscribe(self, sub_id: int) -> Any:
        """xFeedback/Unsubscribe; the local handler goes away whatever the device says.

        An id subscribe() never returned (or already unsubscribed) raises InvalidParams
        like the device would; a registration not made on the current link is just dropped
        (and no longer retried).
        """
        reg = self._registry.remove(sub_id) if type(sub_id) is int else None
        if reg is None:
            raise InvalidParams("Unknown subscription Id", code=-32602, data={"Id": sub_id})
        self._restorer.cancel(sub_id)
        device_id = reg.device_id
        reg.device_id = None
        if device_id is None:
            return True
        self._rpc.drop_subscription(device_id)
        if not self.connected:
            return True
        return await self.call("xFeedback/Unsubscribe", {"Id": device_id})

    def _default_resync(self) -> ResyncHandler | None:
        return self.on_resync

    async def _resubscribe(self, reg: Registration) -> None:
        """Make `reg` again on this link; its current values arrive as a resync.

        The reply binds `reg` when it is read (_bind_hook), in time or late.
        """
        sub = reg.subscription
        policy = self.reconnect_policy or ReconnectPolicy()
        resync = policy.resync and str(sub.query[0]).lower() != "event"
        notify = resync or sub.notify_current
        inner = Subscription(sub.query, delivering(reg, self._rpc, self._default_resync), notify)
        params: dict[str, Any] = {"Query": list(sub.query)}
        if notify:
            params["NotifyCurrentValue"] = True
        await self.call("xFeedback/Subscribe", params, _hook=self._bind_hook(reg, inner, resync))

    def _bind_hook(self, reg: Registration, inner: Subscription, resync: bool) -> LateHook:
        """Install and bind the subscription the moment its reply is read — if `reg` is
        still registered and not made by an earlier reply; otherwise undo it."""
        install = self._rpc.subscribe_hook(inner, resync=resync)
        ws = self._ws

        def bind(result: Any) -> None:
            if self._ws is not ws:  # a reply of a link that is gone: its Id means nothing now
                return
            if self._registry.get(reg.sub_id) is not reg or reg.device_id is not None:
                self._discard(result)
                return
            install(result)  # ProtocolError for a reply without an Id
            reg.device_id = subscription_id(result)
            self._restorer.bound(reg)
        return LateHook(bind, bind)

    def _discard(self, result: Any) -> None:
        """A subscription the device made that nobody wants: forget it, unsubscribe it."""
        try:
            device_id = subscription_id(result)
        except ProtocolError:
            return
        self._rpc.drop_subscription(device_id)  # its events are now ignored quietly
        if not self.connected:
            return
        task = asyncio.ensure_future(self._unsubscribe_quietly(device_id))
        self._discarding.add(task)
        task.add_done_callback(self._discarding.discard)

    async def _unsubscribe_quietly(self, device_id: int) -> None:
        try:
            await self.call("xFeedback/Unsubscribe", {"Id": device_id})
        except Exception as exc:  # noqa: BLE001 - tidying up only
            log.info("could not unsubscribe %s: %s", device_id, exc)

    def _restore_news(self, unrestored: int, detail: str, failure: bool) -> None:
        """From the restorer: to on_restore, else a failure to on_protocol_error."""
        if self.on_restore is not None:
            try:
                self.on_restore(unrestored, detail)
            except Exception:
                log.exception("on_restore callback failed")
        elif failure and detail:
            self._report(ProtocolError(detail))
        elif detail:
            log.info("%s", detail)
