"""The fleet figures: one script on 200 and on 1,000 simulated rooms, whole `xshell` process.

Bars: 200 rooms in under 10 s, 1,000 rooms in under 5 s, and the memory each room costs
reported (the peak RSS of the 1,000-room run less that of the 200-room run, per extra
room). The rooms are one `xshell-sim --devices N` process (its own interpreter, so it
never competes with the client for the GIL); the client is the installed `xshell -f
script URL×N`, spawn to exit, with a cold schema cache every repetition (a first run
against the fleet, the slow case). The peak RSS is read by a small parent process
(_PEAK), not by the bench: Linux carries a forking parent's peak into its child's
ru_maxrss, and the bench's own is over 1 GB after the flood figure.

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
BAR_SECONDS = {200: 10.0, 1000: 5.0}
# runs argv[2:]; writes its peak RSS (bytes) to argv[1]; exits with its status
_PEAK = ("import resource, subprocess, sys\n"
         "code = subprocess.call(sys.argv[2:])\n"
         "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
         "open(sys.argv[1], 'w').write(str(peak))\n"
         "sys.exit(code)\n")


@contextlib.contextmanager
def sim_fleet(count: int, password: str) -> Iterator[list[str]]:
    """`xshell-sim --devices count` in its own process; yields the URLs."""
    argv = [sys.executable, "-m", "xshell.sim", "--devices", str(count), "--port", "0",
            "--no-rate-limit"]
    env = {**os.environ, "XSHELL_SIM_PASSWORD": password}
    with procs.url_process_handle(argv, env, timeout=60.0) as (first, proc):
        assert proc.stdout is not None
        rest: list[str] = []
        for _ in range(count - 1):
            words = proc.stdout.readline().split()  # "xshell-sim: serving … at URL"
            if not words:
                raise procs.ProcessError(f"xshell-sim stopped after {len(rest) + 1} of {count} rooms")
            rest.append(words[-1])
        yield [first, *rest]


XSHELL = [sys.executable, "-m", "xshell"]


@contextlib.contextmanager
def standalone(prog: str, doc: str, argv: list[str] | None
               ) -> Iterator[tuple[argparse.Namespace, str, Path, dict[str, str]]]:
    """What the fleet figures share when run on their own (`python -m …`): the --devices
    and --reps options, a fresh password, a temporary work folder, and xshell's environment
    with the password and its XDG folders in that work folder: (args, password, workdir, env)."""
    p = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    p.add_argument("--devices", type=int, default=200, help="simulated rooms (default 200)")
    p.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    args = p.parse_args(argv)
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {**os.environ, "XSHELL_PASSWORD": password, "XDG_CONFIG_HOME": str(workdir / "config"),
               "XDG_STATE_HOME": str(workdir / "state"), "XDG_DATA_HOME": str(workdir / "data")}
        yield args, password, workdir, env


def run_once(xshell: list[str], script: Path, urls: list[str], env: Mapping[str, str],
             workdir: Path) -> tuple[float, int]:
    """(seconds, peak RSS bytes) of one whole fleet run with a fresh schema cache; raises
    if it failed. The seconds include the small measuring parent (a few ms, like a shell's)."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=workdir))
    peak_file = cache / "peak"
    run = procs.timed_run([sys.executable, "-S", "-c", _PEAK, str(peak_file), *xshell, "-f",
                           str(script), *urls], {**env, "XDG_CACHE_HOME": str(cache)}, timeout=300.0)
    last = run.stderr.strip().splitlines()[-1:] or ["no output"]
    expected = f"xshell: {len(urls)} devices: {len(urls)} ok, 0 failed"
    if run.returncode != 0 or last[0] != expected:
        raise procs.ProcessError(f"fleet run exited {run.returncode}: {last[0]}")
    return run.seconds, int(peak_file.read_text())


async def _fleet_of(bench: Bench, count: int, script: Path) -> tuple[list[float], int]:
    """(seconds of each repetition, median peak RSS) for `count` rooms."""
    xshell = bench.script("xshell", "xshell")
    env = bench.child_env
    with sim_fleet(count, bench.password) as urls:
        async def side() -> tuple[float, int]:
            return await asyncio.to_thread(run_once, xshell, script, urls, env, bench.workdir)

        await side()  # warm-up: OS file cache, .pyc files
        runs = await alternate({"fleet": side}, bench.reps, bench.side_timeout)
    return [s for s, _ in runs["fleet"]], int(median([p for _, p in runs["fleet"]]))


async def fleet(bench: Bench) -> list[report.Row]:
    """The bench figures: median seconds over bench.reps cold runs for 200 and 1,000 rooms
    (20 and 100 with --quick), and the memory per room between the two."""
    script = bench.workdir / "fleet.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    rows, peaks = [], {}
    for count, bar in BAR_SECONDS.items():
        shown = bench.size(count, count // 10)
        secs, peaks[count] = await _fleet_of(bench, shown, script)
        title = f"xshell -f script (4 lines) on {shown} xshell-sim rooms, cold cache, whole process"
        rows.append(report.limit("fleet", f"fleet.{count}", title, "s", median(secs), below=bar,
                                 details={"seconds": [round(s, 3) for s in secs], "devices": shown,
                                          "peak_rss_mb": round(peaks[count] / 2**20, 1)}))
    small, large = (bench.size(c, c // 10) for c in BAR_SECONDS)
    per_room = (peaks[1000] - peaks[200]) / (large - small)
    rows.append(report.info("fleet", "fleet.room_kb", "memory per extra room (peak RSS, "
                            f"{large} rooms less {small}, per room)", "KB", per_room / 1024, None, "",
                            note=f"peak RSS {peaks[1000] / 2**20:.0f} MB for {large} rooms"))
    return rows


def main(argv: list[str] | None = None) -> int:
    with standalone("python -m xshell.bench.figures_fleet", __doc__ or "", argv) as (args, password, workdir, env):
        script = workdir / "fleet.xapi"
        script.write_text(SCRIPT, encoding="utf-8")
        with sim_fleet(args.devices, password) as urls:
            secs = [run_once(XSHELL, script, urls, env, workdir)[0] for _ in range(args.reps)]
    print(f"fleet: {args.devices} devices, {len(SCRIPT.splitlines())} lines each: "
          + ", ".join(f"{s:.2f} s" for s in secs) + f" (median {median(secs):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
