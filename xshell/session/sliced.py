"""A device's answer laid out in slices, with the event loop served between them.

Why: the terminal lines of a 200,000-key answer take about a third of a second to make,
and made in one call that is how long the loop is blocked — keepalive replies, request
timeouts, feedback and the prompt's redraws all wait behind it. A format that can give
its lines one at a time (`result_lines`, as xshell.lang.formats.terminal does) is read
here in slices of SLICE lines, yielding to the loop whenever TURN seconds have passed;
a format without it, or a small answer, costs what `result` costs. The lines are the
same either way: if the lazy lines fail part-way (a shape the layout cannot take, or a
subtree changed under it meanwhile), the answer is laid out again in one piece by
`result`, which never raises for what a device sends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xshell.lang import requests as rq
    from xshell.lang.formats.output_format import OutputFormat
    from xshell.schema.model import Schema

__all__ = ["SLICE", "TURN", "render_sliced"]

log = logging.getLogger(__name__)

SLICE = 2048  # lines made between two looks at the clock (about 4 ms of layout here)
TURN = 0.01  # seconds of layout after which the loop gets a turn (a timer due meanwhile
#              waits at most about two of these: see _give_turn)


async def render_sliced(fmt: OutputFormat, req: rq.Request, result: Any,
                        schema: Schema | None) -> list[str]:
    """`fmt.result(req, result, schema)`, made in slices that let the loop run between."""
    lines_of = getattr(fmt, "result_lines", None)
    if lines_of is None:
        return fmt.result(req, result, schema)
    out: list[str] = []
    try:
        lines = lines_of(req, result, schema)
        turn = time.perf_counter()
        while True:
            before = len(out)
            out.extend(islice(lines, SLICE))
            if len(out) - before < SLICE:
                return out
            if time.perf_counter() - turn > TURN:
                await _give_turn()
                turn = time.perf_counter()
    except Exception as exc:  # noqa: BLE001 - `result` shows what the lazy layout could not
        log.info("laying out %s in slices failed (%s); in one piece instead",
                 type(req).__name__, exc)
        return fmt.result(req, result, schema)


async def _give_turn() -> None:
    """Two loop iterations: in the first a due timer fires (an `asyncio.sleep`, a request's
    deadline) and schedules the task it wakes, in the second that task runs. One
    `sleep(0)` would put this layout back ahead of it, and a sleeping task would wait
    three slices instead of one."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)
