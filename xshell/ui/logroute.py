"""Log records into the output pane while the full screen is up.

Why: logging's last-resort handler writes warnings and errors to stderr, and a write to
stderr while prompt-toolkit owns the screen tears its layout — some of those records
(a schema the device sent that would not load, a callback that failed on a device's
event) are the device's doing. While the app runs, records of WARNING and above become one
line each in the output pane, which makes them inert (an output boundary); once it has
left the screen, logging is as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

__all__ = ["log_to_pane", "record_line"]


def record_line(record: logging.LogRecord) -> str:
    """One line for a record: its message, and the exception it carries in a few words
    (the traceback is for a log file, not for a technician's screen)."""
    try:
        text = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad %-format must not lose the record
        text = str(record.msg)
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        text += f" ({type(exc).__name__}: {exc})" if str(exc) else f" ({type(exc).__name__})"
    return " ".join(text.split("\n"))


class _PaneHandler(logging.Handler):
    def __init__(self, show: Callable[[str], None], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(logging.WARNING)
        self._show = show
        self._loop = loop
        self._thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        line = record_line(record)
        if threading.get_ident() == self._thread:
            self._show(line)
        elif not self._loop.is_closed():  # a worker thread: the pane is the loop's
            self._loop.call_soon_threadsafe(self._show, line)


@contextlib.contextmanager
def log_to_pane(show: Callable[[str], None]) -> Iterator[None]:
    """Within the block (on the running loop), WARNING+ records go to `show`, not stderr."""
    handler = _PaneHandler(show, asyncio.get_running_loop())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
