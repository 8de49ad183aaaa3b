"""Whole-process figures (one-shot, start-up, memory), discovery, and the simulator's speed.

These are what a user waits for: from typing the command to its answer, from starting
the shell to its prompt. They run real child processes of the installed commands with
the bench's private XDG directories, with the schema cache warmed first the way a
second run finds it.
"""

from __future__ import annotations

import json
import sys
import time

from xshell.bench import procs, report
from xshell.bench.bench_context import USER, Bench
from xshell.bench.peers import RawPeer, pyxows_available
from xshell.bench.stats import alternate, median, percentile

MS = 1000.0
ONESHOT_LINE = "xStatus Audio Volume"
PROMPT_MARK = "●".encode()  # the prompt's connected mark: the device answered, the prompt is drawn
FIRST_PROMPT = ("◌".encode(), PROMPT_MARK)  # the prompt on screen, connecting or connected: typing works


async def warm_cache(bench: Bench, url: str) -> None:
    """Fill the schema cache exactly where `xshell URL` will look for it."""
    from xshell.session.core import Session
    from xshell.transport.target import parse_target

    target = parse_target(url)
    async with bench.client(url) as client:
        session = Session(client, device_key=f"{target.host}_{target.port}")
        await session.identify()
        await session.store.ensure_all()


# ---------------------------------------------------------------- one-shot
def _checked(run: procs.TimedRun, what: str, expect: str) -> float:
    if run.returncode != 0 or expect not in run.stdout:
        err = (run.stderr.strip().splitlines() or run.stdout.strip().splitlines() or ["no output"])[-1]
        raise procs.ProcessError(f"{what} failed (exit {run.returncode}): {err}")
    return run.seconds


async def oneshot(bench: Bench) -> list[report.Row]:
    url = bench.server_url
    await warm_cache(bench, url)
    env = bench.child_env
    xs = [*bench.script("xshell", "xshell"), url, "-c", ONESHOT_LINE]
    title = f"xshell -c '{ONESHOT_LINE}' whole process"

    async def run_xshell() -> float:
        return _checked(procs.timed_run(xs, env), "xshell -c", "Audio Volume: 50")

    if not pyxows_available():
        await run_xshell()
        secs = await alternate({"xshell": run_xshell}, bench.reps, bench.side_timeout)
        return [report.absent("oneshot", "oneshot", title, report.SKIP,
                              f"clixows (pyxows) not installed; xshell took {median(secs['xshell']) * MS:.0f} ms")]
    cx = [*bench.script("clixows", "xows"), "-u", USER, "-p", bench.password, url,
          "get", "Status", "Audio", "Volume"]

    async def run_clixows() -> float:
        return _checked(procs.timed_run(cx, env), "clixows get", "50")

    await run_xshell()  # warm-up: OS file cache, .pyc files
    await run_clixows()
    runs = await alternate({"xshell": run_xshell, "clixows": run_clixows}, bench.reps, bench.side_timeout)
    bench.profile_child("oneshot", xs, lambda argv: procs.timed_run(argv, env))
    mine, ref = median(runs["xshell"]) * MS, median(runs["clixows"]) * MS
    return [report.compare("oneshot", "oneshot", title, "ms", mine, ref, "clixows get", at_most=0.5,
                           details={"xshell_ms": [round(s * MS) for s in runs["xshell"]],
                                    "clixows_ms": [round(s * MS) for s in runs["clixows"]]})]


# ---------------------------------------------------------------- start-up
# The reference: prompt-toolkit alone, drawing a prompt that carries the same mark. What
# is left above it is xshell's own start (connect, schema cache, the app's layout).
BARE_PROMPT = ("from prompt_toolkit import PromptSession\n"
               "PromptSession().prompt('\u25cf xapi> ')\n")


async def startup(bench: Bench) -> list[report.Row]:
    """Spawn → the first prompt on screen (◌ connecting, or ●), the user can type: the bar.
    And, from the same runs, spawn → the ● of a connected prompt, for information."""
    url = bench.server_url
    await warm_cache(bench, url)
    env = {**bench.child_env, "TERM": "xterm-256color"}
    argv = [*bench.script("xshell", "xshell"), url]
    bare = [sys.executable, "-c", BARE_PROMPT]
    connected: list[float] = []

    async def run() -> float:
        first, ready = procs.times_to_text(argv, env, [FIRST_PROMPT, (PROMPT_MARK,)])
        connected.append(ready)
        return first

    async def run_bare() -> float:
        return procs.time_to_text(bare, env, PROMPT_MARK)

    await run()  # warm-up
    await run_bare()
    connected.clear()
    runs = await alternate({"xshell": run, "bare": run_bare}, bench.reps, bench.side_timeout)
    bench.profile_child("startup", argv, lambda a: procs.time_to_text(a, env, PROMPT_MARK, timeout=60))
    value, ref = median(runs["xshell"]) * MS, median(runs["bare"]) * MS
    bare_ms = [round(s * MS) for s in runs["bare"]]
    return [report.compare("startup", "startup", "start to first prompt (◌ or ●), cache warm", "ms",
                           value, ref, "bare PromptSession", at_most=1.5,
                           details={"runs_ms": [round(s * MS) for s in runs["xshell"]],
                                    "bare_ms": bare_ms}),
            report.info("startup", "startup.connected", "start to connected prompt (●), cache warm",
                        "ms", median(connected) * MS, ref, "bare PromptSession",
                        details={"runs_ms": [round(s * MS) for s in connected], "bare_ms": bare_ms})]


# ---------------------------------------------------------------- discovery
async def _discover(bench: Bench) -> tuple[float, int]:
    from xshell.session.core import Session

    async with bench.client(bench.sim_url) as client:
        start = time.perf_counter()
        session = Session(client, device_key="bench-sim", use_cache=False)
        await session.identify()
        await session.store.ensure_all()
        await session.discover_values()
        seconds = time.perf_counter() - start
        if not session.store.is_complete() or session.schema is None:
            raise RuntimeError("discovery ended without a complete schema")
        return seconds, sum(1 for _ in session.schema.walk())


async def discovery(bench: Bench) -> list[report.Row]:
    runs = await alternate({"xshell": lambda: _discover(bench)}, bench.reps, bench.side_timeout)
    bench.profiled("discovery", lambda: _discover(bench))
    value = median([s for s, _ in runs["xshell"]])
    nodes = runs["xshell"][0][1]
    return [report.limit("discovery", "discovery", f"discovery of the {bench.schema_label} from xshell-sim",
                         "s", value, below=1.0, details={"schema_nodes": nodes})]


# ---------------------------------------------------------------- memory
async def rss(bench: Bench) -> list[report.Row]:
    url = bench.sim_url
    env = {**bench.child_env, "XSHELL_USER": USER}
    argv = [sys.executable, "-m", "xshell.bench.probe", url]

    async def run() -> dict[str, float]:
        done = procs.timed_run(argv, env, timeout=180)
        line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
        out = json.loads(line)
        if done.returncode != 0 or "rss_mb" not in out:
            raise procs.ProcessError(f"memory probe failed: {out.get('error') or done.stderr.strip()[-200:]}")
        return out

    runs = await alternate({"xshell": run}, bench.reps, bench.side_timeout)
    value = median([r["rss_mb"] for r in runs["xshell"]])
    peak = median([r["peak_mb"] for r in runs["xshell"]])
    return [report.limit("rss", "rss", f"RSS of the interactive shell, {bench.schema_label} loaded", "MB",
                         value, below=80, details={"peak_mb": peak, "roots": runs["xshell"][0]["roots"]})]


# ---------------------------------------------------------------- the simulator itself
async def _raw(url: str, bench: Bench, n: int, rtts: int) -> tuple[float, float]:
    peer = await RawPeer.open(url, USER, bench.password)
    try:
        return await peer.pipelined(n), percentile(await peer.round_trips(rtts), 50)
    finally:
        await peer.close()


async def simulator(bench: Bench) -> list[report.Row]:
    n, rtts = bench.size(20_000, 500), bench.size(2000, 100)
    runs = await alternate({"sim": lambda: _raw(bench.sim_url, bench, n, rtts),
                            "bench": lambda: _raw(bench.server_url, bench, n, rtts)}, bench.reps, bench.side_timeout)
    sim_rate = n / median([p for p, _ in runs["sim"]])
    ref_rate = n / median([p for p, _ in runs["bench"]])
    sim_rtt = median([r for _, r in runs["sim"]]) * MS
    ref_rtt = median([r for _, r in runs["bench"]]) * MS
    note = "load from a raw websockets client; reference: the bench server"
    return [report.info("sim", "sim.pipelined", "xshell-sim pipelined xGet throughput", "req/s",
                        sim_rate, ref_rate, "bench server", note=note, details={"requests_per_rep": n}),
            report.info("sim", "sim.rtt.p50", "xshell-sim sequential xGet round trip p50", "ms",
                        sim_rtt, ref_rtt, "bench server")]
