"""A request's answer as a Future that is also a coroutine: awaitable with no Task.

Why: a pipelined request written as a coroutine (`async def get`) costs, when gathered,
a Task, its first step, its wake-up and the gather callback — three `call_soon`s and two
objects around the one Future that carries the answer; that was the largest share of the
client's time with thousands in flight. `Reply` *is* that Future: `asyncio.gather`,
`ensure_future`, `wait` and `wait_for` take a future as it is, so no Task is made, and
the reply's `set_result` costs one callback (the gather's).

Code written for coroutines keeps working: `Reply` is registered as a
`collections.abc.Coroutine` and has `send`/`throw`/`close`, so `asyncio.create_task(
client.get(...))` and `asyncio.run` still accept it (the Task then drives it like any
coroutine: its first step yields the future, its wake-up returns the result).

That leans on how asyncio's Task drives a coroutine (through the iterator of
`Future.__await__`), so it is on the fast path only: `XoWSClient(fast=False)` or
`XSHELL_WS_FAST=0` (xshell.transport.wsfast) gives the plain `async def call()`.
"""

from __future__ import annotations

import asyncio
import collections.abc
from typing import Any

__all__ = ["Reply"]

_await = asyncio.Future.__await__


class Reply(asyncio.Future):  # type: ignore[type-arg]  # the C Future, generic only in stubs
    """The future of one request, usable where a coroutine is expected."""

    __slots__ = ()

    def send(self, value: Any) -> Any:
        """A coroutine's step: the future itself while pending, StopIteration(result) after."""
        return _await(self).send(value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        """What a Task throws in (its cancellation) ends the awaiting: raise it."""
        if val is None:
            val = typ() if isinstance(typ, type) else typ
        raise val

    def close(self) -> None:
        """Nothing to clean up: the request's bookkeeping is the client's."""


collections.abc.Coroutine.register(Reply)
