"""A script on stdin, run line by line as the lines arrive (expect-style automation).

`ssh codec` under expect, netmiko or a tshell driver writes one line, waits for `OK`
(or `ERROR`, or `Command not recognized.`), then writes the next: the answer to a line
must be out before the following line exists. So stdin is not read to its end first;
a thread reads the raw descriptor (never sys.stdin's buffer, whose lock a daemon thread
could still hold at interpreter exit) and hands each complete line to the event loop,
where they are cut into requests exactly as `split_script` cuts a file: blanks and `#`
skipped, a multiline command's body taken up to its '.' line. Lines may end in LF or
CR LF (expect and netmiko send CR LF).
"""

from __future__ import annotations

import asyncio
import codecs
import os
import sys
import threading
from collections.abc import AsyncIterator

from xshell.lang.bodies import needs_body, split_script
from xshell.lang.parse_errors import ScriptError

__all__ = ["stream_items"]


def _unterminated(line: str, lineno: int) -> ScriptError:
    """split_script's own error for a body the input ends inside (one wording)."""
    try:
        list(split_script(line))
    except ScriptError as exc:
        return ScriptError(exc.message, lineno)
    return ScriptError("the input ended inside a multiline command's body", lineno)

_EOF = None


def _pump(fd: int, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Read `fd` until end of input, queueing each line as soon as it is complete."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    pending = ""

    def put(item: str | None) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    try:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            text = pending + decoder.decode(chunk, final=not chunk)
            *lines, pending = text.split("\n")
            for line in lines:
                put(line.removesuffix("\r"))
            if not chunk:
                if pending:
                    put(pending.removesuffix("\r"))
                put(_EOF)
                return
    except RuntimeError:  # the loop has closed: the run is over, nobody is listening
        return


async def _lines(fd: int) -> AsyncIterator[str]:
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    threading.Thread(target=_pump, args=(fd, loop, queue), name="xshell-stdin",
                     daemon=True).start()
    while (line := await queue.get()) is not _EOF:
        yield line


async def stream_items(fd: int | None = None) -> AsyncIterator[tuple[int, str, str | None]]:
    """(line number, line, body) for each request on stdin (`fd`), as soon as it is whole.

    Raises ScriptError when the input ends inside a multiline command's body.
    """
    lines = _lines(sys.stdin.fileno() if fd is None else fd)
    lineno = 0
    async for line in lines:
        lineno += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not needs_body(line):
            yield lineno, line, None
            continue
        start, body = lineno, []
        async for part in lines:
            lineno += 1
            if part.strip() == ".":
                break
            body.append(part)
        else:
            raise _unterminated(line, start)
        yield start, line, "\n".join(body)
