"""Ctrl-C while a plain-mode request runs: cancel that request, not the session.

Outside prompt-toolkit's raw mode, Ctrl-C is SIGINT, which asyncio.run turns into
cancelling the whole main task. While a request runs we route SIGINT to that task
instead, and restore the previous handler afterwards. Where loop signal handlers are
unavailable (Windows, non-main threads) this is a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any

__all__ = ["cancel_on_sigint"]


@contextlib.contextmanager
def cancel_on_sigint(task: asyncio.Future[Any]) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    try:
        previous = signal.getsignal(signal.SIGINT)
        loop.add_signal_handler(signal.SIGINT, task.cancel)
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGINT, previous)
