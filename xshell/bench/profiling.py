"""`--profile`: where the xshell side spends its CPU, as function names and percentages.

A profiled run is slower, and a profiler left behind can slow what follows, so profiled
runs are queued and replayed only after every figure was measured. Percentages are of
*busy* time: the seconds spent idle in the event loop's `epoll` wait are counted apart,
so a latency figure (mostly waiting for the server) still shows what its CPU did.
pyinstrument is a developer tool, imported only here and only with --profile.
"""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

IDLE_FUNCTIONS = {"poll", "select", "epoll.poll", "EpollSelector.select"}
TOP = 40


def _label(frame: Any) -> str:
    name = frame.function
    if getattr(frame, "class_name", None):
        name = f"{frame.class_name}.{name}"
    return f"{name}  {frame.file_path_short}:{frame.line_no}"


def busy_table(root: Any, top: int = TOP) -> str:
    """Self time per function as a share of busy (non-idle) time, largest first."""
    own: dict[str, float] = defaultdict(float)
    idle = 0.0
    stack = [(root, None)]
    while stack:
        frame, parent = stack.pop()
        stack.extend((c, frame) for c in frame.children)
        self_time = frame.time - sum(c.time for c in frame.children)
        if self_time <= 0:
            continue
        target = parent if frame.function.startswith("[") and parent is not None else frame
        if target.function in IDLE_FUNCTIONS or f"{getattr(target, 'class_name', '')}.{target.function}" \
                in IDLE_FUNCTIONS:
            idle += self_time
            continue
        own[_label(target)] += self_time
    busy = sum(own.values())
    lines = [f"busy {busy:.3f} s, idle in the event loop wait {idle:.3f} s "
             f"(percentages below are of busy time)"]
    for label, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"{100 * seconds / busy if busy else 0:5.1f}%  {label}")
    return "\n".join(lines)


def write_session(path: Path, session: Any) -> None:
    """Busy-time table, then pyinstrument's call tree (percent of total)."""
    from pyinstrument.renderers import ConsoleRenderer

    path.parent.mkdir(parents=True, exist_ok=True)
    root = session.root_frame() if session is not None else None
    table = busy_table(root) if root is not None else "(no samples)"
    tree = ConsoleRenderer(time="percent_of_total").render(session) if root is not None else ""
    path.write_text("== self time by function ==\n" + table + "\n\n== call tree ==\n" + tree,
                    encoding="utf-8")


def child_argv(session_file: Path, module_argv: list[str]) -> list[str]:
    """`python -m pyinstrument` around `-m MODULE ARGS…`, saving a session to load afterwards."""
    return [sys.executable, "-m", "pyinstrument", "--interval", "0.0005", "-r", "session",
            "-o", str(session_file), "-m", *module_argv]


def write_child_profile(session_file: Path, path: Path) -> None:
    """Render a child's saved session like the in-process profiles."""
    from pyinstrument.session import Session

    write_session(path, Session.load(str(session_file)))


class ProfileQueue:
    """Profiled runs of the xshell side, replayed after every figure was measured."""

    def __init__(self, directory: Path | None, timeout: float) -> None:
        self.directory = directory
        self.timeout = timeout
        self._jobs: list[tuple[str, Callable[[], Awaitable[Any]]]] = []

    def path(self, figure: str) -> Path | None:
        return self.directory / f"profile-{figure}.txt" if self.directory else None

    def add(self, figure: str, run: Callable[[], Awaitable[Any]]) -> None:
        if self.directory is not None:
            self._jobs.append((figure, run))

    async def run_all(self, progress: Callable[[str], None]) -> list[str]:
        """Run the queue; return one line per profile written (or failed)."""
        from pyinstrument import Profiler  # a developer tool, not a dependency

        done = []
        for figure, run in self._jobs:
            path = self.path(figure)
            assert path is not None
            progress(f"profiling {figure}")
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            try:
                await asyncio.wait_for(run(), self.timeout)
            except Exception as exc:  # noqa: BLE001 - a failed profile is reported, not fatal
                done.append(f"{figure}: profile failed: {type(exc).__name__}: {exc}")
                continue
            finally:
                profiler.stop()
            write_session(path, profiler.last_session)
            done.append(f"{figure}: {path}")
        self._jobs.clear()
        return done
