"""Ctrl-C while a plain-mode request runs: cancel that request, not the session.

Outside prompt-toolkit's raw mode, Ctrl-C is SIGINT, which asyncio.run turns into
cancelling the whole main task. While a request runs we route SIGINT to that task
instead, and restore the previous handler afterwards. Where loop signal handlers are
unavailable (Windows) a plain signal handler does the same (xshell.stopsignals); in a
thread other than the main one this is a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any

from xshell.stopsignals import on_signals

__all__ = ["cancel_on_sigint"]


@contextlib.contextmanager
def cancel_on_sigint(task: asyncio.Future[Any]) -> Iterator[None]:
    restore = on_signals(asyncio.get_running_loop(), [signal.SIGINT], task.cancel)
    try:
        yield
    finally:
        restore()
