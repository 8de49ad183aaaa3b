"""The fleet figure: one script on 200 simulated rooms, whole `xshell` process, spawn to exit.

The issue's bar is "a fleet of 200 simulated devices finishes in seconds". The rooms are
one `xshell-sim --devices 200` process (its own interpreter, so it never competes with the
client for the GIL); the client is the installed `xshell -f script URL×200`, with a cold
schema cache every repetition (a first run against the fleet, the slow case).

    python -m xshell.bench.figures_fleet [--devices 200] [--reps 3]   # standalone, prints seconds

As a bench figure: `fleet(bench)` returns the row (register it in xshell.bench.__main__'s
FIGURES as "fleet").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from xshell.bench import procs, report
from xshell.bench.bench_context import Bench
from xshell.bench.stats import alternate, median

SCRIPT = ("xConfiguration SystemUnit Name\nxStatus Audio Volume\n"
          "xCommand Audio Volume Set Level: 40\nxStatus SystemUnit Uptime\n")
BAR_SECONDS = 10.0


@contextlib.contextmanager
def sim_fleet(count: int, password: str) -> Iterator[list[str]]:
    """`xshell-sim --devices count` in its own process; yields the URLs."""
    argv = [sys.executable, "-m", "xshell.sim", "--devices", str(count), "--port", "0",
            "--no-rate-limit"]
    env = {**_environ(), "XSHELL_SIM_PASSWORD": password}
    with procs.url_process_handle(argv, env, timeout=60.0) as (first, proc):
        assert proc.stdout is not None
        rest = []
        for _ in range(count - 1):
            words = proc.stdout.readline().split()  # "xshell-sim: serving … at URL"
            if not words:
                raise procs.ProcessError(f"xshell-sim stopped after {len(rest) + 1} of {count} rooms")
            rest.append(words[-1])
        yield [first, *rest]


def _environ() -> dict[str, str]:
    return dict(os.environ)


def run_once(xshell: list[str], script: Path, urls: list[str], env: Mapping[str, str],
             workdir: Path) -> float:
    """Seconds for one whole fleet run with a fresh schema cache; raises if it failed."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=workdir))
    run = procs.timed_run([*xshell, "-f", str(script), *urls],
                          {**env, "XDG_CACHE_HOME": str(cache)}, timeout=300.0)
    last = run.stderr.strip().splitlines()[-1:] or ["no output"]
    expected = f"xshell: {len(urls)} devices: {len(urls)} ok, 0 failed"
    if run.returncode != 0 or last[0] != expected:
        raise procs.ProcessError(f"fleet run exited {run.returncode}: {last[0]}")
    return run.seconds


async def fleet(bench: Bench) -> list[report.Row]:
    """The bench figure: median seconds over bench.reps cold runs, bar < 10 s."""
    count = bench.size(200, 20)
    script = bench.workdir / "fleet.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    xshell = bench.script("xshell", "xshell")
    env = bench.child_env
    title = f"xshell -f script (4 lines) on {count} xshell-sim rooms, cold cache, whole process"
    with sim_fleet(count, bench.password) as urls:
        async def side() -> float:
            return await asyncio.to_thread(run_once, xshell, script, urls, env, bench.workdir)

        await side()  # warm-up: OS file cache, .pyc files
        runs = await alternate({"fleet": side}, bench.reps, bench.side_timeout)
    secs = median(runs["fleet"])
    return [report.limit("fleet", f"fleet.{count}", title, "s", secs, below=BAR_SECONDS,
                         details={"seconds": [round(s, 3) for s in runs["fleet"]],
                                  "devices": count})]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m xshell.bench.figures_fleet", description=__doc__.split("\n\n")[0])
    p.add_argument("--devices", type=int, default=200, help="simulated rooms (default 200)")
    p.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    args = p.parse_args(argv)
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        script = workdir / "fleet.xapi"
        script.write_text(SCRIPT, encoding="utf-8")
        env = {**_environ(), "XSHELL_PASSWORD": password, "XDG_CONFIG_HOME": str(workdir / "config"),
               "XDG_STATE_HOME": str(workdir / "state"), "XDG_DATA_HOME": str(workdir / "data")}
        xshell = [sys.executable, "-m", "xshell"]
        with sim_fleet(args.devices, password) as urls:
            secs = [run_once(xshell, script, urls, env, workdir) for _ in range(args.reps)]
    print(f"fleet: {args.devices} devices, {len(SCRIPT.splitlines())} lines each: "
          + ", ".join(f"{s:.2f} s" for s in secs) + f" (median {median(secs):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
