"""Run the real `xshell` against one scenario, bounded in time and memory, and judge it.

Each run is a child process with an address-space cap (so a runaway allocation ends as
a MemoryError, not a swapping machine) and a wall-clock kill; its peak RSS comes from
wait4(). `problems()` lists, in words, everything a user would object to.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.clirun import child_env
from tests.conftest import ROOT
from tests.hostile.scenario import Scenario
from tests.hostile.payloads import bad_chars

ADDRESS_SPACE = 3 * 1024**3  # hard cap; the real bound asserted is the scenario's max_rss_mb
MAX_LINE = 400
LAUNCHER = Path(__file__).with_name("launch.py")  # a "clear line" is short enough to read


@dataclass
class Run:
    """What the user saw: exit status, both streams, the transcript, time and memory."""

    status: int
    stdout: bytes
    stderr: bytes
    transcript: bytes
    seconds: float
    rss_mb: float
    killed: bool


def argv_for(scenario: Scenario, ws_port: int, raw_port: int, log: Path) -> list[str]:
    port = raw_port if scenario.http is not None else ws_port
    url = f"ws://127.0.0.1:{port}/h/{scenario.sid}"
    argv = [sys.executable, "-m", "xshell", url]
    if scenario.fleet:
        argv.append(url + "?second")
    for line in scenario.lines:
        argv += ["-c", line]
    argv += ["--timeout", f"{scenario.timeout:g}", "--log", str(log), "--log-format", scenario.log]
    if scenario.output == "json":
        argv += ["-o", "json"]
    if scenario.follow:
        argv += ["--follow", "--max-events", "1"]
    return argv


def run(scenario: Scenario, ws_port: int, raw_port: int, env: dict[str, str] | None = None) -> Run:
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        log = Path(tmp) / "transcript"
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        child = dict(env if env is not None else child_env())
        child.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", COLUMNS="100")
        # the checkout's xshell, whatever the venv's install is doing right now
        child["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), child.get("PYTHONPATH")]))
        rss_path = Path(tmp) / "rss"
        argv = [sys.executable, "-I", "-S", str(LAUNCHER), str(rss_path), str(ADDRESS_SPACE),
                *argv_for(scenario, ws_port, raw_port, log)]
        with out_path.open("wb") as out, err_path.open("wb") as err:
            start = time.monotonic()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    env=child, cwd=tmp, start_new_session=True)
            killer = threading.Timer(scenario.wall, lambda: _kill_group(proc.pid))
            killer.start()
            try:
                status = proc.wait()
            finally:
                killer.cancel()
            seconds = time.monotonic() - start
        rss_kib = int(rss_path.read_text() or 0) if rss_path.exists() else 0
        return Run(status=status, stdout=out_path.read_bytes(), stderr=err_path.read_bytes(),
                   transcript=log.read_bytes() if log.exists() else b"", seconds=seconds,
                   rss_mb=rss_kib / 1024, killed=status == -9)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def problems(scenario: Scenario, run: Run) -> list[str]:
    """Everything wrong with what the user saw, one short phrase each ([] = all good)."""
    found: list[str] = []
    err_text = run.stderr.decode("utf-8", "replace")
    for name, data in (("stdout", run.stdout), ("stderr", run.stderr), ("transcript", run.transcript)):
        if b"Traceback (most recent call last)" in data:
            found.append(f"traceback on {name}: {_last_line(data)}")
        why = bad_chars(data)
        if why:
            found.append(f"control character on {name}: {why}")
    if run.status < 0 or run.seconds >= scenario.wall:
        found.append(f"not done within {scenario.wall:g} s (killed, status {run.status})")
    elif run.status not in scenario.expect:
        found.append(f"exit status {run.status}, expected {'/'.join(map(str, sorted(scenario.expect)))}"
                     f" (stderr: {_last_line(run.stderr)})")
    lines = [line for line in err_text.splitlines() if line.strip()]
    allowed = scenario.max_err_lines + (4 if scenario.fleet else 0)  # the fleet summary table
    if len(lines) > allowed:
        found.append(f"{len(lines)} stderr lines, at most {allowed} expected: {lines[:3]!r}")
    if run.status >= 2 and not lines:  # an xAPI error (1) is shown on stdout, tshell style
        found.append(f"exit status {run.status} with nothing on stderr")
    long = [line for line in lines if len(line) > MAX_LINE]
    if long:
        found.append(f"stderr line of {len(long[0])} characters: {long[0][:80]!r}…")
    if run.rss_mb > scenario.max_rss_mb:
        found.append(f"peak memory {run.rss_mb:.0f} MB > {scenario.max_rss_mb} MB")
    if scenario.log == "jsonl":
        for number, line in enumerate(run.transcript.splitlines(), 1):
            try:
                json.loads(line)
            except ValueError:
                found.append(f"jsonl transcript line {number} is not JSON: {line[:80]!r}")
                break
    return found


def _last_line(data: bytes) -> str:
    lines = [ln for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    return repr(lines[-1][:160]) if lines else "nothing"
