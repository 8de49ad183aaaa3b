"""The health figure: `xshell -c health` on 200 simulated rooms, one table, spawn to exit.

A monitoring job runs `health` over the whole fleet: `xCommand Diagnostics Run` and six
reads per room, one merged table. The rooms are one `xshell-sim --devices 200
--unhealthy 20` process (every tenth room reports an Error, so the run exits 1, as a
monitoring job would see it); cold schema cache every repetition, as in the fleet figure.

    python -m xshell.bench.figures_health [--devices 200] [--reps 3]   # standalone
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from xshell.bench import procs, report
from xshell.bench.bench_context import Bench
from xshell.bench.figures_fleet import XSHELL, standalone
from xshell.bench.stats import alternate, median

BAR_SECONDS = 10.0


@contextlib.contextmanager
def sick_fleet(count: int, password: str) -> Iterator[list[str]]:
    """`xshell-sim --devices count --unhealthy count/10`; yields the URLs."""
    argv = [sys.executable, "-m", "xshell.sim", "--devices", str(count), "--port", "0",
            "--no-rate-limit", "--unhealthy", str(max(1, count // 10))]
    env = {**os.environ, "XSHELL_SIM_PASSWORD": password}
    with procs.url_process_handle(argv, env, timeout=60.0) as (first, proc):
        assert proc.stdout is not None
        rest = [proc.stdout.readline().split()[-1] for _ in range(count - 1)]
        yield [first, *rest]


def run_once(xshell: list[str], urls: list[str], env: Mapping[str, str], workdir: Path) -> float:
    """Seconds for one fleet `health`; raises unless the table counts every room."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=workdir))
    run = procs.timed_run([*xshell, "-c", "health", *urls], {**env, "XDG_CACHE_HOME": str(cache)},
                          timeout=300.0)
    sick = max(1, len(urls) // 10)
    expected = f"** {len(urls)} rooms: {len(urls) - sick} ok, {sick} not ok"
    last = run.stdout.strip().splitlines()[-1:] or ["no output"]
    if run.returncode != 1 or last[0] != expected:
        raise procs.ProcessError(f"health run exited {run.returncode}: {last[0]}")
    return run.seconds


async def fleet_health(bench: Bench) -> list[report.Row]:
    """The bench figure: median seconds over bench.reps cold runs, bar < 10 s."""
    count = bench.size(200, 20)
    xshell = bench.script("xshell", "xshell")
    env = bench.child_env
    title = f"xshell -c health on {count} xshell-sim rooms (1 in 10 unhealthy), cold cache"
    with sick_fleet(count, bench.password) as urls:
        async def side() -> float:
            return await asyncio.to_thread(run_once, xshell, urls, env, bench.workdir)

        await side()  # warm-up
        runs = await alternate({"health": side}, bench.reps, bench.side_timeout)
    secs = median(runs["health"])
    return [report.limit("health", f"health.{count}", title, "s", secs, below=BAR_SECONDS,
                         details={"seconds": [round(s, 3) for s in runs["health"]], "devices": count})]


def main(argv: list[str] | None = None) -> int:
    with standalone("python -m xshell.bench.figures_health", __doc__ or "", argv) as (args, password, workdir, env):
        with sick_fleet(args.devices, password) as urls:
            times = [run_once(XSHELL, urls, env, workdir) for _ in range(args.reps)]
    print(f"health on {args.devices} rooms: median {median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
