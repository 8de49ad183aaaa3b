"""Child processes for the bench: servers that print their URL, and programs on a terminal.

Servers (the bench server, xshell-sim) run in their own processes so that they never
compete with the client under test for the interpreter. Start-up of the interactive
shell is measured on a real pseudo-terminal, the way a user starts it, with no test
library: `pty` from the standard library is enough.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

CPR_REQUEST = b"\x1b[6n"


class ProcessError(RuntimeError):
    """A child did not start or did not behave; the text says which and why."""


@contextlib.contextmanager
def url_process(argv: Sequence[str], env: Mapping[str, str] | None = None,
                timeout: float = 60.0, stdin_pipe: bool = False) -> Iterator[str]:
    """Run `argv`, whose first stdout line ends with its URL; yield the URL; SIGTERM it after.

    With `stdin_pipe` the child's stdin is a pipe that closes when this process dies.
    """
    with url_process_handle(argv, env, timeout, stdin_pipe) as (url, _):
        yield url


@contextlib.contextmanager
def url_process_handle(argv: Sequence[str], env: Mapping[str, str] | None = None,
                       timeout: float = 60.0, stdin_pipe: bool = False
                       ) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`url_process`, yielding (url, process) for callers that signal the child themselves."""
    errors = tempfile.TemporaryFile()  # a file, not a pipe: a chatty child can never block on it
    proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=errors, text=True,
                            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
                            env=dict(env) if env is not None else None)
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()),  # type: ignore[union-attr]  # stdout=PIPE
                              daemon=True)
    reader.start()
    reader.join(timeout)
    try:
        if not first or not first[0].strip():
            proc.kill()
            proc.wait()
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise ProcessError(f"{' '.join(argv[:4])}… did not print its URL within {timeout:g} s: "
                               f"{lines[-1] if lines else 'no output'}")
        yield first[0].split()[-1], proc
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        errors.close()
        if proc.stdout is not None:
            proc.stdout.close()


def bench_server(schema: str | None = None) -> contextlib.AbstractContextManager[str]:
    argv = [sys.executable, "-m", "xshell.bench.bench_server", "--port", "0", "--watch-stdin"]
    if schema:
        argv += ["--schema", schema]
    return url_process(argv, stdin_pipe=True)


@dataclass
class TimedRun:
    seconds: float
    returncode: int
    stdout: str
    stderr: str


def timed_run(argv: Sequence[str], env: Mapping[str, str], timeout: float = 60.0) -> TimedRun:
    """Wall-clock of a whole process, from spawn to exit."""
    start = time.perf_counter()
    try:
        done = subprocess.run(list(argv), env=dict(env), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ProcessError(f"{' '.join(argv[:3])}… did not finish within {timeout:g} s") from None
    return TimedRun(time.perf_counter() - start, done.returncode, done.stdout, done.stderr)


def time_to_text(argv: Sequence[str], env: Mapping[str, str], marker: bytes, *,
                 quit_keys: bytes = b"\x04", rows: int = 40, cols: int = 120,
                 timeout: float = 30.0) -> float:
    """Seconds from spawning `argv` on a new terminal until `marker` appears in its output."""
    return times_to_text(argv, env, [(marker,)], quit_keys=quit_keys, rows=rows, cols=cols,
                         timeout=timeout)[0]


def times_to_text(argv: Sequence[str], env: Mapping[str, str], markers: Sequence[Sequence[bytes]], *,
                  quit_keys: bytes = b"\x04", rows: int = 40, cols: int = 120,
                  timeout: float = 30.0) -> list[float]:
    """Seconds from spawning `argv` on a new terminal until each group of `markers` shows:
    the first of the group's alternatives to appear in its output counts (one spawn, so
    "first prompt" and "connected prompt" are the same run).

    Answers cursor-position requests like a terminal would, then sends `quit_keys` and
    waits for the program to exit (killing it if it does not).
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env),
                            start_new_session=True, close_fds=True)
    os.close(slave)
    seen = b""
    found: list[float | None] = [None] * len(markers)
    try:
        deadline = start + timeout
        while None in found:
            left = deadline - time.perf_counter()
            missing = " or ".join(m.decode() for m in markers[found.index(None)])
            if left <= 0:
                tail = seen[-300:].decode("utf-8", "replace")
                raise ProcessError(f"{missing!r} did not appear within {timeout:g} s; "
                                   f"last output: {tail!r}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                tail = seen[-300:].decode("utf-8", "replace")
                raise ProcessError(f"the program exited before {missing!r} appeared: {tail!r}")
            seen += chunk
            if CPR_REQUEST in chunk:
                os.write(master, b"\x1b[1;1R")
            now = time.perf_counter() - start
            for i, group in enumerate(markers):
                if found[i] is None and any(m in seen for m in group):
                    found[i] = now
        os.write(master, quit_keys)
        _drain_until_exit(master, proc, 10.0)
        return [f for f in found if f is not None]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def _drain_until_exit(master: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while proc.poll() is None and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break
    try:
        proc.wait(max(0.1, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
