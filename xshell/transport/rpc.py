"""The JSON-RPC bookkeeping of one XoWS connection, without any I/O.

Kept apart from the socket so the rules that make the client correct are in one place:
a request's future is in the table *before* its frame is sent (pyxows registers after
sending and can miss a fast reply); replies are matched by id only (the device answers
out of order, xows.md §9); a Subscribe reply installs its handler right here, while the
reader is still on that frame, so the NotifyCurrentValue notification that follows can
never find the handler missing (§6.5). Anything malformed is reported, never raised,
because one bad frame must not take the whole session down.

A re-subscription after a reconnect opens a *resync window*: the notifications for that
subscription that arrive right behind its reply — at most one per root, as the device
sends its current values (§6.5) — are the state after the gap, and `resyncing` is True
while they are delivered. Any other frame, or a second notification for a root already
seen, closes the window, so a real change that follows is not mistaken for one. (A
re-subscription that matches no value at all gets no current-value notification; the
first change then arrives as the window's first frame and counts as a resync.)

The hot path (one reply) is: one orjson.loads, one dict pop, one set_result. How a frame
is written and read (orjson, json where they differ) is xshell.transport.framecodec's.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, TypeGuard

from xshell.errors import ProtocolError, xapi_error
from xshell.transport.framecheck import (BIG_FRAME, DEEP_MIN, TOO_DEEP, recover_id, too_deep,
                                         why_unreadable)
from xshell.transport.framecodec import encode as _encode
from xshell.transport.framecodec import loads as _loads
from xshell.transport.framecodec import std_decode as _std_decode

log = logging.getLogger(__name__)

FeedbackHandler = Callable[[dict[str, Any], int], None | Awaitable[None]]
ResultHook = Callable[[Any], None]

_Future = asyncio.Future
_running_loop = asyncio.get_running_loop
_UNREAD = object()  # a frame not decoded yet


_LATE_KEEP = 4096  # ids of timed-out requests remembered, so a late reply is not "unknown"


class LateHook:
    """A reply hook that wants its reply even after the request gave up (timed out or was
    cancelled): `on_time(result)` runs as any hook does, `late(result)` when the reply
    comes later. A Subscribe answered late still made a subscription on the device, whose
    events would otherwise arrive for an Id nobody knows."""

    __slots__ = ("on_time", "late")

    def __init__(self, on_time: ResultHook, late: ResultHook) -> None:
        self.on_time = on_time
        self.late = late

    def __call__(self, result: Any) -> None:
        self.on_time(result)


def subscription_id(result: Any) -> int:
    """The device's Id in a Subscribe reply; ProtocolError when there is none."""
    sub_id = result.get("Id") if isinstance(result, dict) else None
    if _digits(sub_id):
        sub_id = int(sub_id)
    if type(sub_id) is not int:
        raise ProtocolError(f"xFeedback/Subscribe answered without an integer Id: "
                            f"{_snippet(json.dumps(result))}")
    return sub_id


class Subscription(NamedTuple):
    """What is needed to subscribe again after a reconnect."""

    query: tuple[str | int, ...]
    handler: FeedbackHandler
    notify_current: bool = False


def _digits(value: Any) -> TypeGuard[str]:
    """A string of ASCII digits (what a device that stringifies ids would send)."""
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20


def _size(raw: str | bytes) -> str:
    """' (N bytes)' for frames too big to be glanced at, else ''."""
    return f" ({len(raw):,} bytes)" if len(raw) > 4096 else ""


def _snippet(raw: str | bytes) -> str:
    text = raw[:200] if isinstance(raw, str) else repr(raw[:200])
    return text[:60] + ("…" if len(text) > 60 or len(raw) > 200 else "")


class RpcTable:
    """Pending requests, live subscriptions, and the dispatch of incoming frames."""

    def __init__(self, report: Callable[[ProtocolError], None]) -> None:
        self._report = report
        self._next_id = 1
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.hooks: dict[int, ResultHook] = {}
        self.handlers: dict[int, FeedbackHandler] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self._late: dict[int, LateHook | None] = {}  # gave up on; a LateHook still wants the reply
        self._gone: set[int] = set()
        self._tasks: set[asyncio.Future[Any]] = set()
        # (device Id, roots seen) of the subscription whose current values may follow now
        self._window: tuple[int, frozenset[str]] | None = None
        self.resyncing = False  # True while a resync notification is being delivered
        self.tap: Callable[[str, str | bytes], None] | None = None  # XoWSClient.on_frame
        # hears the id of every request answered (result, error or unreadable reply): the
        # client ends its deadline there, for requests that have no coroutine to do it
        self.settled: Callable[[int], None] | None = None

    # ------------------------------------------------------------------ requests
    def open(self, method: str, params: Any, hook: ResultHook | None = None,
             future: type[asyncio.Future[Any]] = _Future) -> tuple[int, bytes, asyncio.Future[Any]]:
        """Register a request and return (id, frame text as UTF-8, future). Register first, send later.

        `future`: the class of the future (xshell.transport.replies.Reply on the fast path).
        """
        rid = self._next_id
        self._next_id = rid + 1
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        data = _encode(msg)  # may raise TypeError/ValueError before anything is registered
        # the C Future made directly: loop.create_future() is a Python frame around it
        fut: asyncio.Future[Any] = future(loop=_running_loop())
        self.pending[rid] = fut
        if hook is not None:
            self.hooks[rid] = hook
        return rid, data, fut

    def expire(self, rid: int, exc: BaseException) -> None:
        """The request timed out: drop it and fail its future; a late reply is then ignored."""
        fut = self.pending.pop(rid, None)
        hook = self.hooks.pop(rid, None)
        if fut is None:
            return
        self._gave_up(rid, hook)
        if not fut.done():
            fut.set_exception(exc)

    def forget(self, rid: int) -> None:
        """The caller stopped waiting (cancelled or failed to send)."""
        if self.pending.pop(rid, None) is not None:
            self._gave_up(rid, self.hooks.pop(rid, None))

    def _gave_up(self, rid: int, hook: ResultHook | None) -> None:
        """Remember `rid`, so its late reply is not "unknown" (and reaches a LateHook)."""
        self._late[rid] = hook if type(hook) is LateHook else None
        if len(self._late) > _LATE_KEEP:
            del self._late[next(iter(self._late))]

    def fail_all(self, make_exc: Callable[[], BaseException]) -> None:
        """The link is gone: every pending request fails now, each with its own exception."""
        pending, self.pending = self.pending, {}
        self.hooks.clear()
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(make_exc())

    @staticmethod
    def encode_notification(method: str, params: Any) -> bytes:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        return _encode(msg)

    # ------------------------------------------------------------------ subscriptions
    def subscribe_hook(self, sub: Subscription, resync: bool = False) -> ResultHook:
        """A hook that installs `sub` the moment its Subscribe reply is dispatched.

        resync=True: the notifications right behind the reply are delivered as a resync.
        """
        def install(result: Any) -> None:
            sub_id = subscription_id(result)
            self.handlers[sub_id] = sub.handler
            self.subscriptions[sub_id] = sub
            self._gone.discard(sub_id)
            if resync:
                self._window = (sub_id, frozenset())
        return install

    def drop_subscription(self, sub_id: int) -> None:
        """Forget a subscription; stray notifications for it are then ignored quietly."""
        self.handlers.pop(sub_id, None)
        self.subscriptions.pop(sub_id, None)
        self._gone.add(sub_id)

    def reset_subscriptions(self) -> list[Subscription]:
        """New connection: Ids restart on the device. Return what was subscribed before."""
        old = list(self.subscriptions.values())
        self.handlers.clear()
        self.subscriptions.clear()
        self._gone.clear()
        self._window = None
        return old

    # ------------------------------------------------------------------ incoming frames
    def dispatch(self, raw: str | bytes) -> None:
        """Handle one frame from the device. Never raises for anything the device sends."""
        if self.tap is not None:
            self.tap("received", raw)
        window, self._window = self._window, None
        msg: Any = _UNREAD
        try:
            size = len(raw)
            if type(raw) is str and size < BIG_FRAME:
                try:
                    msg = _loads(raw)
                except ValueError:  # orjson refused it: json decides, in _dispatch
                    pass
                else:  # the storm's notification goes straight on (one call less)
                    if size > DEEP_MIN and too_deep(raw, msg):
                        self._unreadable(raw, TOO_DEEP, msg)
                        return
                    if type(msg) is dict and "id" not in msg and msg.get("method") == "xFeedback/Event":
                        self._feedback(msg, raw, window)
                        return
            self._dispatch(raw, window, msg)
        except Exception as exc:  # a frame shape nobody foresaw: report it, keep the session
            log.debug("frame could not be handled", exc_info=True)
            self._report(ProtocolError(f"frame could not be handled ({type(exc).__name__}): "
                                       f"{_snippet(raw)!r}{_size(raw)}"))

    def _dispatch(self, raw: str | bytes, window: tuple[int, frozenset[str]] | None,
                  msg: Any = _UNREAD) -> None:
        if type(raw) is not str:
            self._report(ProtocolError(f"unexpected binary frame ({len(raw)} bytes) ignored"))
            return
        if msg is _UNREAD:
            try:
                msg = _std_decode(raw)
            except (ValueError, RecursionError) as exc:
                self._unreadable(raw, why_unreadable(exc))
                return
            if len(raw) > DEEP_MIN and too_deep(raw, msg):
                self._unreadable(raw, TOO_DEEP, msg)
                return
        if type(msg) is not dict:
            self._report(ProtocolError(f"frame is not a JSON object: {_snippet(raw)!r}{_size(raw)}"))
            return
        if "id" in msg:
            fut = self.pending.pop(msg["id"], None) if type(msg["id"]) is int else None
            if fut is None:
                self._stray(msg, raw)
                return
            hook = self.hooks.pop(msg["id"], None) if self.hooks else None
            if self.settled is not None:
                self.settled(msg["id"])
            if fut.done():  # the caller was cancelled in the meantime
                return
            if "result" in msg:
                result = msg["result"]
                if hook is not None:
                    try:
                        hook(result)
                    except ProtocolError as exc:
                        fut.set_exception(exc)
                        return
                    except Exception as exc:  # a bug in a hook must not leave the caller hanging
                        log.exception("reply hook failed")
                        fut.set_exception(ProtocolError(f"reply to request {msg['id']} could not "
                                                        f"be handled ({type(exc).__name__})"))
                        return
                fut.set_result(result)
            elif "error" in msg:
                fut.set_exception(xapi_error(msg["error"]))
            else:
                bad = ProtocolError(f"reply to request {msg['id']} has neither result nor error")
                fut.set_exception(bad)
                self._report(bad)
            return
        if msg.get("method") == "xFeedback/Event":
            self._feedback(msg, raw, window)
        else:
            self._report(ProtocolError(f"unexpected message from the device: "
                                       f"{_snippet(raw)!r}{_size(raw)}"))

    def _unreadable(self, raw: str, why: str, msg: Any = _UNREAD) -> None:
        """A frame that cannot be used: its request fails now, if its id can be told.

        The id comes from the decoded message, or — when the text could not be decoded
        (an integer over 4,300 digits, nesting beyond the decoder) — from the text's first
        or last member. Otherwise the frame is reported and ignored.
        """
        rid: Any = None
        if type(msg) is dict:
            rid = msg.get("id")
        elif msg is _UNREAD:
            rid = recover_id(raw)
        if _digits(rid):
            rid = int(rid)
        fut = self.pending.pop(rid, None) if type(rid) is int else None
        if fut is None:
            what = "frame is not JSON" if msg is _UNREAD else "frame ignored"
            self._report(ProtocolError(f"{what} ({why}): {_snippet(raw)!r}{_size(raw)}"))
            return
        self.hooks.pop(rid, None)
        if self.settled is not None:
            self.settled(rid)
        if not fut.done():
            fut.set_exception(ProtocolError(f"reply to request {rid} could not be read ({why})"
                                            f"{_size(raw)}"))

    def _stray(self, msg: dict[str, Any], raw: str) -> None:
        """A reply nobody waits for: late (after a timeout), duplicate, or unknown."""
        rid = msg["id"]
        if _digits(rid) and int(rid) in self.pending:
            msg["id"] = int(rid)  # a device that stringifies ids: still ours
            self.dispatch(_encode(msg).decode())
            return
        if type(rid) is int and rid in self._late:
            late = self._late.pop(rid)
            if late is not None and "result" in msg:
                try:
                    late.late(msg["result"])
                except ProtocolError as exc:
                    self._report(exc)
                return
            log.debug("late reply to request %s ignored (it had timed out)", rid)
            return
        if rid is None:
            err = msg.get("error")
            text = err.get("message") if isinstance(err, dict) else None
            shown = " ".join(_snippet(text).split()) if isinstance(text, str) and text.strip() \
                else repr(_snippet(raw))
            self._report(ProtocolError(f"the device could not read a request: {shown}"))
        elif type(rid) is int and 0 < rid < self._next_id:
            self._report(ProtocolError(f"duplicate reply to request {rid} ignored{_size(raw)}"))
        else:
            self._report(ProtocolError(f"reply with unknown id {_snippet(json.dumps(rid))} "
                                       f"ignored{_size(raw)}"))

    def _feedback(self, msg: dict[str, Any], raw: str,
                  window: tuple[int, frozenset[str]] | None = None) -> None:
        params = msg.get("params")
        if type(params) is not dict:
            self._report(ProtocolError(f"xFeedback/Event without params: {_snippet(raw)!r}{_size(raw)}"))
            return
        sub_id = params.pop("Id", None)
        handler = self.handlers.get(sub_id) if type(sub_id) is int else None
        if handler is None:
            if _digits(sub_id):
                sub_id = int(sub_id)
                handler = self.handlers.get(sub_id)
            if handler is None:
                if type(sub_id) is not int or sub_id not in self._gone:
                    shown = _snippet(json.dumps(sub_id)) if sub_id is not None else "(none)"
                    self._report(ProtocolError(
                        f"feedback for unknown subscription Id {shown} ignored{_size(raw)}"))
                return
        if window is not None and sub_id == window[0]:
            roots = frozenset(params)
            if roots and roots.isdisjoint(window[1]):  # one current-value notification per root
                self._window = (sub_id, window[1] | roots)
                self.resyncing = True
        try:
            outcome = handler(params, sub_id)
        except Exception:
            log.exception("feedback handler for subscription %s failed", sub_id)
            return
        finally:
            self.resyncing = False
        if outcome is not None and inspect.isawaitable(outcome):
            task = asyncio.ensure_future(outcome)
            self._tasks.add(task)
            task.add_done_callback(self._handler_done)

    def _handler_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("feedback handler failed", exc_info=task.exception())

    def cancel_handler_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()
