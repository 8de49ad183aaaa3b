"""The fleet apply figure: `apply desired.cfg --check` on 200 simulated rooms, whole process.

Issue 16's bar: a drift check of a whole fleet is something a technician runs before
lunch, not overnight. The rooms are one `xshell-sim --devices 200` process (as for the
fleet figure); the client is the installed `xshell -c 'apply FILE --check' URL×200`
with a cold schema cache each repetition: every room's whole Configuration is read,
compared with the file, and its `*c` diff printed; nothing is sent.

    python -m xshell.bench.figures_apply [--devices 200] [--reps 3]   # standalone, seconds

As a bench figure: `fleet_apply(bench)` returns the row ("apply" in FIGURES).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from pathlib import Path

from xshell.bench import procs, report
from xshell.bench.bench_context import Bench
from xshell.bench.figures_fleet import XSHELL, sim_fleet, standalone
from xshell.bench.stats import alternate, median

# Two values every simulated room differs in, two it already holds.
DESIRED = ("# what every room should hold\n"
           "xConfiguration Audio DefaultVolume: 61\n"
           "xConfiguration Audio Ultrasound MaxVolume: 60\n"
           "xConfiguration Video Input Connector 1 Name: \"Quad Camera\"\n"
           "xConfiguration Conference AutoAnswer Mode: Off\n")
BAR_SECONDS = 10.0


def run_once(xshell: list[str], desired: Path, urls: list[str], env: Mapping[str, str],
             workdir: Path) -> float:
    """Seconds for one whole check of the fleet with a fresh schema cache; raises if it failed."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=workdir))
    run = procs.timed_run([*xshell, "-c", f"apply {desired} --check", *urls],
                          {**env, "XDG_CACHE_HOME": str(cache)}, timeout=300.0)
    last = run.stderr.strip().splitlines()[-1:] or ["no output"]
    expected = f"xshell: {len(urls)} devices: {len(urls)} ok, 0 failed"
    if run.returncode != 0 or last[0] != expected:
        raise procs.ProcessError(f"fleet apply --check exited {run.returncode}: {last[0]}")
    if run.stdout.count("** check: 2 would change, 2 already as desired; nothing was sent") != len(urls):
        raise procs.ProcessError("fleet apply --check: not every room reported its 2 changes")
    return run.seconds


async def fleet_apply(bench: Bench) -> list[report.Row]:
    """The bench figure: median seconds over bench.reps cold runs, bar < 10 s."""
    count = bench.size(200, 20)
    desired = bench.workdir / "desired.cfg"
    desired.write_text(DESIRED, encoding="utf-8")
    xshell = bench.script("xshell", "xshell")
    env = bench.child_env
    title = f"xshell -c 'apply FILE --check' on {count} xshell-sim rooms, cold cache, whole process"
    with sim_fleet(count, bench.password) as urls:
        async def side() -> float:
            return await asyncio.to_thread(run_once, xshell, desired, urls, env, bench.workdir)

        await side()  # warm-up: OS file cache, .pyc files
        runs = await alternate({"apply": side}, bench.reps, bench.side_timeout)
    secs = median(runs["apply"])
    return [report.limit("apply", f"apply.check.{count}", title, "s", secs, below=BAR_SECONDS,
                         details={"seconds": [round(s, 3) for s in runs["apply"]],
                                  "devices": count})]


def main(argv: list[str] | None = None) -> int:
    with standalone("python -m xshell.bench.figures_apply", __doc__ or "", argv) as (args, password, workdir, env):
        desired = workdir / "desired.cfg"
        desired.write_text(DESIRED, encoding="utf-8")
        with sim_fleet(args.devices, password) as urls:
            secs = [run_once(XSHELL, desired, urls, env, workdir) for _ in range(args.reps)]
    print(f"apply --check: {args.devices} devices: " + ", ".join(f"{s:.2f} s" for s in secs)
          + f" (median {median(secs):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
