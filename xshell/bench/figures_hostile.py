"""Hostile-sized messages: a reply of 200,000 sibling keys, a 50 MB frame.

Why a figure: a device (or anything on its address) can send such frames, and the shell
must neither block its event loop (keepalive, timeouts, the UI) nor balloon in memory.
The wide reply is decoded by the client's own RpcTable and folded into a LiveTree exactly
as a session does, with a ticker measuring the longest the loop went unserved. The big
frame is fed in 64 KiB pieces through the lean frame reader and the RpcTable in a child
process, whose peak RSS growth is compared with the frame's size.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from xshell.bench import report
from xshell.bench.bench_context import Bench

T = TypeVar("T")

MS = 1000.0

_BIG_FRAME = r"""
import resource, sys
from types import SimpleNamespace
from xshell.transport.leanframes import LeanReader
from xshell.transport.rpc import RpcTable
import asyncio

size = int(sys.argv[1])

def statm() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()

def high_water() -> int:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (the bench
    # itself, over 1 GB after the flood), which made this figure read 25x the frame
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:"))

async def main() -> None:
    table = RpcTable(lambda err: None)
    rid, _, fut = table.open("xGet", {"Path": ["Status"]})
    head = b'{"jsonrpc":"2.0","id":%d,"result":{"Padding":"' % rid
    tail = b'"}}'
    n = size - len(head) - len(tail)
    piece = b"x" * 65536
    proto = SimpleNamespace(max_message_size=None, current_size=None, state=None)
    reader = LeanReader(proto, lambda b: None, table.dispatch, lambda b: None, lambda e: None)
    base = statm()
    reader.feed(b"\x81\x7f" + size.to_bytes(8, "big") + head)
    left = n
    while left > 0:
        reader.feed(piece if left >= len(piece) else piece[:left])
        left -= len(piece)
    reader.feed(tail)
    peak = high_water()
    assert len(fut.result()["Padding"]) == n
    print((peak - base) / size)

asyncio.run(main())
"""


async def _ticking(work: Callable[[], Awaitable[T]]) -> tuple[T, float, float]:
    """(what `work` gave, seconds it took, longest event-loop block meanwhile): a ticker
    wakes every millisecond, and the longest gap between its wake-ups is the block."""
    worst = 0.0
    running = True

    async def ticker() -> None:
        nonlocal worst
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst, last = max(worst, now - last), now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    start = time.perf_counter()
    try:
        value = await work()
    finally:
        took = time.perf_counter() - start
        running = False
        await task
    return value, took, worst


async def _wide(keys: int) -> tuple[float, float]:
    """(seconds until a `keys`-wide reply is decoded and merged, longest loop block)."""
    from xshell.session.live import LiveTree
    from xshell.transport.rpc import RpcTable

    table = RpcTable(lambda err: None)
    tree = LiveTree()
    rid, _, fut = table.open("xGet", {"Path": ["Status", "Audio"]})
    raw = json.dumps({"jsonrpc": "2.0", "id": rid, "result": {f"Key{i}": i for i in range(keys)}})

    async def work() -> None:
        asyncio.get_running_loop().call_soon(table.dispatch, raw)  # as the socket's reader does
        tree.merge_result(["Status", "Audio"], await fut)
        await tree.settled()

    _, took, worst = await _ticking(work)
    return took, worst


async def _render_wide(keys: int) -> tuple[float, float]:
    """(seconds the terminal lines of that reply take, longest loop block meanwhile), made
    as the session makes them: in slices, the loop served between (xshell.session.sliced)."""
    from xshell.lang import requests as rq
    from xshell.lang.formats import format_registry
    from xshell.session.sliced import render_sliced

    result = {f"Key{i}": i for i in range(keys)}
    lines, took, worst = await _ticking(lambda: render_sliced(
        format_registry.get("terminal"), rq.Get(path=("Status", "Audio")), result, None))
    assert len(lines) == keys + 3, len(lines)
    return took, worst


async def hostile(bench: Bench) -> list[report.Row]:
    keys = bench.size(200_000, 20_000)
    took, worst = await _wide(keys)
    rendered, render_block = await _render_wide(keys)
    size = bench.size(50 << 20, 8 << 20)
    proc = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", _BIG_FRAME, str(size)],
                                   capture_output=True, text=True, timeout=bench.side_timeout)
    ratio = float(proc.stdout.strip()) if proc.returncode == 0 else float("nan")
    return [
        report.limit("hostile", "hostile.wide_ms", f"reply of {keys:,} sibling keys decoded and merged",
                     "ms", took * MS, below=1000),
        report.limit("hostile", "hostile.wide_block_ms", "longest event-loop block meanwhile", "ms",
                     worst * MS, below=100),
        report.limit("hostile", "hostile.wide_render_ms", "the same reply rendered as terminal text: "
                     "longest event-loop block", "ms", render_block * MS, below=100,
                     details={"render_total_ms": round(rendered * MS, 1)}),
        report.limit("hostile", "hostile.frame_rss", f"peak RSS growth for one {size >> 20} MiB frame",
                     "x frame", ratio, below=2.01, details={"frame_bytes": size}),
    ]
