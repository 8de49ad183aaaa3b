"""Client figures on the bench server: round trip, pipelining, a flood, feedback intake.

The xshell side is always the public API a program or the shell uses (XoWSClient, and
for feedback the Session + backend + side-pane model chain the full-screen app runs);
each rep opens a fresh connection, warms it up like its reference does, then measures.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from typing import Any

from xshell.bench import report
from xshell.bench.bench_context import USER, Bench
from xshell.bench.jspeer import JsxapiError, JsxapiPeer
from xshell.bench.peers import PATH, WARMUP, FloodOutcome, PyxowsPeer, RawPeer, pyxows_available, watch_flood
from xshell.bench.stats import alternate, median, percentile

MS = 1000.0
FEED_QUERY = "xFeedback register /Status/Audio/Volume"
# Requests/s the flood's server takes in: slower than a client can send, so 200k requests
# in flight meet TCP backpressure (a fast local server would hide how a client copes).
FLOOD_RATE = 40_000


# ---------------------------------------------------------------- sequential round trip
async def _xshell_round_trips(bench: Bench, n: int) -> list[float]:
    async with bench.client(bench.server_url) as client:
        for _ in range(WARMUP // 10):
            await client.get(PATH)
        out = []
        for _ in range(n):
            start = time.perf_counter()
            await client.get(PATH)
            out.append(time.perf_counter() - start)
        return out


async def _raw_round_trips(bench: Bench, n: int) -> list[float]:
    peer = await RawPeer.open(bench.server_url, USER, bench.password)
    try:
        return await peer.round_trips(n)
    finally:
        await peer.close()


async def rtt(bench: Bench) -> list[report.Row]:
    n = bench.size(3000, 300)
    runs = await alternate({"xshell": lambda: _xshell_round_trips(bench, n),
                            "raw": lambda: _raw_round_trips(bench, n)}, bench.reps, bench.side_timeout)
    bench.profiled("rtt", lambda: _xshell_round_trips(bench, n))
    rows = []
    for q in (50, 99):
        mine = median([percentile(s, q) for s in runs["xshell"]]) * MS
        ref = median([percentile(s, q) for s in runs["raw"]]) * MS
        rows.append(report.compare("rtt", f"rtt.p{q}", f"sequential xGet round trip p{q}", "ms",
                                   mine, ref, "raw websockets", at_most=1.2,
                                   details={"requests_per_rep": n}))
    return rows


# ---------------------------------------------------------------- pipelined throughput
async def _xshell_pipelined(bench: Bench, n: int) -> float:
    async with bench.client(bench.server_url) as client:
        get = client.get
        await asyncio.gather(*(get(PATH) for _ in range(min(WARMUP, n))))
        start = time.perf_counter()
        await asyncio.gather(*(get(PATH) for _ in range(n)))
        return time.perf_counter() - start


async def _pyxows_pipelined(bench: Bench, n: int) -> float:
    async with PyxowsPeer(bench.server_url, USER, bench.password) as peer:
        return await peer.pipelined(n)


async def pipelined(bench: Bench) -> list[report.Row]:
    n = bench.size(20_000, 2_000)
    title = f"pipelined xGet throughput ({n:,} in flight)"
    sides: dict[str, Any] = {"xshell": lambda: _xshell_pipelined(bench, n)}
    if pyxows_available():
        sides["pyxows"] = lambda: _pyxows_pipelined(bench, n)
    js = JsxapiPeer(bench.node, bench.jsxapi, bench.workdir) if bench.node and bench.jsxapi else None
    if js is not None:
        async def run_js() -> float:
            return js.pipelined(bench.server_url, USER, bench.password, n, min(WARMUP, n))
        sides["jsxapi"] = run_js
    try:
        runs = await alternate(sides, bench.reps, bench.side_timeout)
    except JsxapiError as exc:
        sides.pop("jsxapi")
        runs = await alternate(sides, bench.reps, bench.side_timeout)
        js_error: str | None = str(exc)
    else:
        js_error = None
    bench.profiled("pipelined", lambda: _xshell_pipelined(bench, n))
    rate = {name: n / median(secs) for name, secs in runs.items()}
    details = {"requests_per_rep": n, **{f"{k}_req_s": round(v) for k, v in rate.items()}}
    rows = []
    if "pyxows" in rate:
        rows.append(report.compare("pipelined", "pipelined.pyxows", title, "req/s", rate["xshell"],
                                   rate["pyxows"], "pyxows", at_least=2.0, details=details))
    else:
        rows.append(report.absent("pipelined", "pipelined.pyxows", title, report.SKIP,
                                  "pyxows not installed (pip install 'roomos-xshell[bench]')"))
    if "jsxapi" in rate:
        rows.append(report.compare("pipelined", "pipelined.jsxapi", title, "req/s", rate["xshell"],
                                   rate["jsxapi"], "jsxapi", at_least=1.0, details=details))
    else:
        why = js_error or ("node not found" if not bench.node else
                           "jsxapi not installed (tests/interop: npm install --no-save jsxapi@6)")
        rows.append(report.absent("pipelined", "pipelined.jsxapi", title, report.SKIP, why))
    return rows


# ---------------------------------------------------------------- flood
def _slow_device(bench: Bench) -> str:
    """The bench server behaving like a device that takes in FLOOD_RATE requests/s."""
    return f"{bench.server_url}?rate={bench.size(FLOOD_RATE, FLOOD_RATE * 5)}"


async def _xshell_flood(bench: Bench, n: int, stall: float) -> FloodOutcome:
    answered = failed = 0
    async with bench.client(_slow_device(bench)) as client:
        get = client.get

        async def one() -> None:
            nonlocal answered, failed
            try:
                await get(PATH)
                answered += 1
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a timeout or error is "not answered"
                failed += 1

        tasks = [asyncio.ensure_future(one()) for _ in range(n)]
        hung, seconds = await watch_flood(tasks, lambda: answered + failed, stall)
    return FloodOutcome(answered, failed, seconds, hung)


async def _pyxows_flood(bench: Bench, n: int, stall: float) -> FloodOutcome:
    async with PyxowsPeer(_slow_device(bench), USER, bench.password) as peer:
        return await peer.flood(n, stall)


def _describe(o: FloodOutcome, n: int) -> str:
    state = f"hung after {o.seconds:.1f} s" if o.hung else f"{o.seconds:.1f} s"
    return f"{o.answered:,}/{n:,} answered, {o.failed:,} failed, {state}"


async def flood(bench: Bench) -> list[report.Row]:
    n = bench.size(200_000, 5_000)
    stall = bench.size(5, 1)
    title = f"{n:,} requests in flight, server taking {bench.size(FLOOD_RATE, FLOOD_RATE * 5):,}/s"
    sides: dict[str, Any] = {"xshell": lambda: _xshell_flood(bench, n, stall)}
    if pyxows_available():
        sides["pyxows"] = lambda: _pyxows_flood(bench, n, stall)
    runs: dict[str, list[FloodOutcome]] = await alternate(sides, bench.reps, bench.side_timeout)
    mine = runs["xshell"]
    worst = min(mine, key=lambda o: (o.answered, -o.seconds))
    complete = all(o.answered == n and not o.hung for o in mine)
    details: dict[str, Any] = {"requests": n, "stall_seconds": stall,
                               "xshell": [_describe(o, n) for o in mine],
                               "xshell_median_seconds": round(median([o.seconds for o in mine]), 2)}
    ref, ref_name = None, "pyxows (not installed)"
    if "pyxows" in runs:
        theirs = runs["pyxows"]
        details["pyxows"] = [_describe(o, n) for o in theirs]
        ref = float(min(o.answered for o in theirs))
        ref_name = "pyxows" + (" (hung)" if any(o.hung for o in theirs) else "")
    row = report.Row("flood", "flood", title, "answered", float(worst.answered), ref, ref_name,
                     worst.answered / ref if ref else None, f"all {n:,} answered, no hang",
                     report.PASS if complete else report.MISS, _describe(worst, n), details)
    return [row]


# ---------------------------------------------------------------- feedback intake
async def _xshell_events(bench: Bench, n: int) -> float:
    """Burst → XoWSClient → Session (render, live tree) → backend → EventLog, app-style flushes."""
    from xshell.shell.one_device import ShellBackendImpl
    from xshell.session.core import Session
    from xshell.ui.eventlog import EventLog

    async with bench.client(bench.server_url) as client:
        session = Session(client, device_key="bench-server")
        await session.identify()
        await session.store.ensure_all()
        backend = ShellBackendImpl(session, host="bench")
        log = EventLog()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        timer: asyncio.TimerHandle | None = None

        def sink(event: Any) -> None:
            log.push(event)
            if log.total_events >= n and not done.done():
                done.set_result(None)

        def flush() -> None:  # what the app does: one flush per 50 ms
            nonlocal timer
            log.flush()
            timer = loop.call_later(0.05, flush)

        backend.set_feedback_sink(sink)
        outcome = await backend.execute(FEED_QUERY)
        if not outcome.ok:
            raise RuntimeError(f"{FEED_QUERY} failed: {' '.join(outcome.lines)}")
        timer = loop.call_later(0.05, flush)
        try:
            start = time.perf_counter()
            await client.call("bench/Burst", {"count": n})
            await done
            log.flush()
            seconds = time.perf_counter() - start
        finally:
            if timer is not None:
                timer.cancel()
            await backend.aclose()
        return seconds


async def _raw_events(bench: Bench, n: int) -> float:
    peer = await RawPeer.open(bench.server_url, USER, bench.password)
    try:
        return await peer.events(n)
    finally:
        await peer.close()


async def feedback(bench: Bench) -> list[report.Row]:
    n = bench.size(200_000, 5_000)
    runs = await alternate({"xshell": lambda: _xshell_events(bench, n),
                            "raw": lambda: _raw_events(bench, n)}, bench.reps, bench.side_timeout)
    bench.profiled("feedback", lambda: _xshell_events(bench, n))
    mine, ref = n / median(runs["xshell"]), n / median(runs["raw"])
    return [report.compare("feedback", "feedback", "feedback events into the side-pane model", "ev/s",
                           mine, ref, "raw websockets", at_least=1.0, value_at_least=100_000,
                           details={"events_per_rep": n})]


def node_path() -> str | None:
    return shutil.which("node")
