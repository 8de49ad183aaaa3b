"""Run `xshell-sim` as a real subprocess (for CLI and interop tests)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def sim_process(*args: str, timeout: float = 20.0) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start xshell-sim on a free port; yield (url, process); SIGTERM it afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "xshell.sim", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    if not first or not first[0].strip():
        proc.kill()
        err = proc.stderr.read() if proc.stderr else ""  # type: ignore[union-attr]
        raise RuntimeError(f"xshell-sim did not print its URL within {timeout}s: {err[-2000:]}")
    url = first[0].split()[-1]
    try:
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
