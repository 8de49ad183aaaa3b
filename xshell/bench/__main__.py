"""`python -m xshell.bench [--quick] [--only NAME] [--json PATH] [--profile]`.

Prints one table (value, reference, ratio, bar, PASS/MISS per figure) on stdout and
writes the same rows as JSON (default .bench/results.json, git-ignored). Progress goes
to stderr. Exit status: 0 when every figure ran (whatever its verdict; --strict makes a
MISS exit 1), 1 when a figure could not be measured, 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from xshell.bench import figures_client as fc
from xshell.bench import figures_hostile as fh
from xshell.bench import figures_process as fp
from xshell.bench import figures_ui as fu
from xshell.bench import figures_fleet as ff
from xshell.bench import figures_apply as fa
from xshell.bench import figures_health as fhe
from xshell.bench import report
from xshell.bench.bench_context import Bench, default_jsxapi, default_schema_file, private_xdg

Figure = Callable[[Bench], Awaitable[list[report.Row]]]
FIGURES: dict[str, tuple[Figure, str]] = {
    "rtt": (fc.rtt, "sequential xGet round trip p50/p99 vs a raw websockets loop"),
    "pipelined": (fc.pipelined, "pipelined xGet throughput vs pyxows and jsxapi"),
    "flood": (fc.flood, "200k requests in flight: all answered, no hang"),
    "feedback": (fc.feedback, "feedback events into the side-pane model vs a raw receive loop"),
    "typing": (fu.typing, "keystroke latency in the app while 5k events/s stream in"),
    "completion": (fu.completion, "completion time per keystroke on the full schema"),
    "oneshot": (fp.oneshot, "`xshell -c 'xStatus Audio Volume'` vs `clixows get`"),
    "startup": (fp.startup, "start to first prompt with a warm schema cache"),
    "discovery": (fp.discovery, "discovery of the full schema from xshell-sim"),
    "rss": (fp.rss, "memory of the interactive shell with the full schema loaded"),
    "fleet": (ff.fleet, "one script on 200 xshell-sim rooms, cold cache, whole process"),
    "apply": (fa.fleet_apply, "`apply FILE --check` on 200 xshell-sim rooms, cold cache, whole process"),
    "health": (fhe.fleet_health, "`health` on 200 xshell-sim rooms (1 in 10 unhealthy), one table, cold cache"),
    "sim": (fp.simulator, "the simulator's own throughput (informational)"),
    "hostile": (fh.hostile, "hostile-sized messages: 200k sibling keys, one 50 MB frame"),
}
DEFAULT_JSON = Path(".bench") / "results.json"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m xshell.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke mode: small sizes, built-in device schema (about 10 s)")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="run only this figure (repeatable or comma-separated; see --list)")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                   help=f"where to write the results (default {DEFAULT_JSON})")
    p.add_argument("--reps", type=int, default=None, metavar="N",
                   help="repetitions per side, alternated A B A B (default 5; 3 with --quick)")
    p.add_argument("--schema", type=Path, default=None, metavar="FILE",
                   help="Cisco's published schema JSON (default ../shared/xapi-schema/…, "
                        "not used with --quick unless given)")
    p.add_argument("--profile", action="store_true",
                   help="also profile the xshell side (pyinstrument) into profile-NAME.txt "
                        "next to the JSON file")
    p.add_argument("--strict", action="store_true", help="exit 1 when any figure misses its bar")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    return p


def select(only: Sequence[str]) -> list[str]:
    """Figure names to run, in table order; ValueError naming an unknown one."""
    wanted = [n.strip().lower() for item in only for n in item.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure {unknown[0]!r}; choose from {', '.join(FIGURES)}")
    return [n for n in FIGURES if not wanted or n in wanted]


def _progress(text: str) -> None:
    print(f"xshell.bench: {text}", file=sys.stderr, flush=True)


def _quiet_peer_crashes(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    """A reference client crashing (pyxows' reader on a flood) is a result: one line, no trace."""
    exc = context.get("exception")
    what = f"{type(exc).__name__}: {exc}" if isinstance(exc, BaseException) else ""
    task = context.get("future") or context.get("task")
    coro = getattr(task, "get_coro", lambda: None)() if task is not None else None
    code = getattr(coro, "cr_code", None)
    where = f"{Path(code.co_filename).parent.name}/{coro.__qualname__}" if code is not None else ""  # type: ignore[union-attr]  # code: a coroutine's
    _progress(f"note: {context.get('message', 'error')}{' in ' + where if where else ''}"
              f"{': ' + what if what else ''}")


async def run_figures(bench: Bench, names: Sequence[str]) -> list[report.Row]:
    asyncio.get_running_loop().set_exception_handler(_quiet_peer_crashes)
    rows: list[report.Row] = []
    for name in names:
        fn, what = FIGURES[name]
        _progress(f"{name}: {what}")
        start = time.perf_counter()
        try:
            got = await fn(bench)
        except Exception as exc:  # noqa: BLE001 - one figure failing must not lose the others
            reason = str(exc).splitlines()[0] if str(exc) else ""
            got = [report.absent(name, name, what, report.ERROR, f"{type(exc).__name__}: {reason}")]
        for row in got:
            row.details.setdefault("figure_seconds", round(time.perf_counter() - start, 2))
        rows.extend(got)
    return rows


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list:
        for name, (_, what) in FIGURES.items():
            print(f"{name:<11} {what}")
        return 0
    try:
        names = select(args.only)
    except ValueError as exc:
        parser.error(str(exc))
    if args.reps is not None and args.reps < 1:
        parser.error("--reps must be at least 1")
    if args.schema is not None and not args.schema.is_file():
        parser.error(f"--schema {args.schema}: no such file")
    if args.profile:
        if importlib.util.find_spec("pyinstrument") is None:
            parser.error("--profile needs pyinstrument (pip install pyinstrument)")
    # SIGTERM unwinds like Ctrl-C, so the servers this run started are stopped too
    signal.signal(signal.SIGTERM, _terminate)
    reps = args.reps or (3 if args.quick else 5)
    schema = args.schema or (None if args.quick else default_schema_file())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xshell-bench-") as tmp, \
            private_xdg(Path(tmp)) as env, contextlib.ExitStack() as stack:
        bench = Bench(quick=args.quick, reps=reps, workdir=Path(tmp), env=env, stack=stack,
                      schema_file=schema, jsxapi=default_jsxapi(), node=shutil.which("node"),
                      profile_dir=args.json.parent if args.profile else None)
        rows = asyncio.run(run_figures(bench, names))
        if args.profile:
            for line in asyncio.run(bench.profiles.run_all(_progress)):
                _progress(line)
    seconds = time.perf_counter() - started
    print(report.table(rows))
    config = {"schema": str(schema) if schema else "built-in", "figures": names,
              "jsxapi": str(bench.jsxapi) if bench.jsxapi else None, "node": bench.node}
    try:
        report.write_json(args.json, report.document(rows, quick=args.quick, reps=reps,
                                                     seconds=seconds, config=config))
    except OSError as exc:
        print(f"xshell.bench: error: cannot write {args.json}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    _progress(f"{len(rows)} rows in {seconds:.1f} s; results in {args.json}")
    if args.quick:  # sizes 40x smaller: fixed costs weigh more (feedback renders every event)
        _progress("--quick is a smoke run: its sizes are too small to judge the bars; "
                  "run without --quick for the figures")
    if any(r.verdict == report.ERROR for r in rows):
        return 1
    if args.strict and any(r.verdict == report.MISS for r in rows):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
