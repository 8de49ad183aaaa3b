"""Reading lines from a non-interactive stdin without blocking the event loop.

A daemon thread does the blocking `readline` and hands lines to the loop. Daemon, not
the loop's default executor: a read blocked on a silent pipe must not keep the
process alive (asyncio.run waits for executor threads at shutdown).
"""

from __future__ import annotations

import asyncio
import threading
from typing import TextIO

__all__ = ["LineSource"]


class LineSource:
    """Async line reader over a text stream; `await readline()` returns None at EOF."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._eof = False
        self._thread = threading.Thread(target=self._pump, name="xshell-stdin", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            while True:
                line = self._stream.readline()
                if not line:
                    break
                self._put(line.rstrip("\r\n"))
        except (OSError, ValueError):  # closed or unreadable stream: treat as EOF
            pass
        self._put(None)

    def _put(self, item: str | None) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # loop already closed: nobody is reading any more
            pass

    async def readline(self) -> str | None:
        """The next line without its newline, or None at end of input."""
        if self._eof:
            return None
        line = await self._queue.get()
        if line is None:
            self._eof = True
        return line
