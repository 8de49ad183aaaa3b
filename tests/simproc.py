"""Run `xshell-sim` as a real subprocess (for CLI and interop tests)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from xshell.bench.procs import url_process_handle


@contextlib.contextmanager
def sim_process(*args: str, timeout: float = 20.0) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start xshell-sim on a free port; yield (url, process); SIGTERM it afterwards."""
    argv = [sys.executable, "-m", "xshell.sim", "--port", "0", *args]
    with url_process_handle(argv, os.environ.copy(), timeout) as (url, proc):
        yield url, proc
