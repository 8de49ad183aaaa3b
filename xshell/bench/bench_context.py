"""What every figure needs: sizes, servers started on first use, paths, the child environment.

The bench never touches the developer's real caches or history: it points the XDG
directories of this process and of every child at a private temporary folder. Servers
are started lazily so `--only completion` does not pay for a simulator it never uses.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xshell.bench import procs
from xshell.bench.profiling import ProfileQueue, child_argv, write_child_profile

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_NAME = "roomos-26.1.1.json"
USER = "admin"
XDG_VARS = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")


def default_schema_file() -> Path | None:
    """Cisco's published schema beside the checkout (../shared), as the tests find it."""
    shared = Path(os.environ.get("XSHELL_SHARED", ROOT.parent / "shared"))
    path = shared / "xapi-schema" / SCHEMA_NAME
    return path if path.is_file() else None


def default_jsxapi() -> Path | None:
    """jsxapi as .ci/run installs it for the interop tests (tests/interop/node_modules)."""
    given = os.environ.get("XSHELL_BENCH_JSXAPI")
    path = Path(given) if given else ROOT / "tests" / "interop" / "node_modules" / "jsxapi"
    return path if (path / "package.json").is_file() else None


@contextlib.contextmanager
def private_xdg(workdir: Path) -> Iterator[dict[str, str]]:
    """Point this process's XDG dirs into `workdir`; yield the environment for children."""
    saved = {k: os.environ.get(k) for k in XDG_VARS}
    for var in XDG_VARS:
        os.environ[var] = str(workdir / var.lower())
    try:
        yield dict(os.environ)
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


@dataclass
class Bench:
    """The run's settings and shared resources (servers, temp dir, profiler output)."""

    quick: bool
    reps: int
    workdir: Path
    env: dict[str, str]
    stack: contextlib.ExitStack
    schema_file: Path | None = None
    jsxapi: Path | None = None
    node: str | None = None
    profile_dir: Path | None = None
    profiles: ProfileQueue = field(init=False)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    _server_url: str | None = None
    _sim_url: str | None = None

    def __post_init__(self) -> None:
        self.profiles = ProfileQueue(self.profile_dir, self.side_timeout)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    @property
    def side_timeout(self) -> float:
        """Longest one side of a figure may take before it counts as hung."""
        return 30.0 if self.quick else 300.0

    @property
    def schema_label(self) -> str:
        return "published schema" if self.schema_file else "built-in device schema"

    @property
    def server_url(self) -> str:
        """The bench's own fast server (its own process), started on first use."""
        if self._server_url is None:
            schema = str(self.schema_file) if self.schema_file else None
            self._server_url = self.stack.enter_context(procs.bench_server(schema))
        return self._server_url

    @property
    def sim_url(self) -> str:
        """xshell-sim playing the published schema (built-in device when absent)."""
        if self._sim_url is None:
            schema = str(self.schema_file) if self.schema_file else None
            env = {**self.env, "XSHELL_SIM_PASSWORD": self.password}
            self._sim_url = self.stack.enter_context(procs.url_process(
                [sys.executable, "-m", "xshell.sim", "--port", "0", "--no-rate-limit",
                 *(["--schema", schema] if schema else [])], env=env))
        return self._sim_url

    @property
    def child_env(self) -> dict[str, str]:
        """Environment for timed children: credentials from $XSHELL_PASSWORD, no CPR waits.

        Bytecode caching is left on, as on a user's machine: with PYTHONDONTWRITEBYTECODE
        set (some CI and sandboxes do), every start would recompile edited sources.
        """
        env = {**self.env, "XSHELL_PASSWORD": self.password, "PROMPT_TOOLKIT_NO_CPR": "1"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def client(self, url: str, **kw: Any) -> Any:
        from xshell.transport.client import XoWSClient
        return XoWSClient(url, USER, self.password, **kw)

    def script(self, name: str, module: str) -> list[str]:
        """A console script next to this interpreter, else `python -m module`."""
        exe = Path(sys.executable).parent / name
        if exe.is_file() and os.access(exe, os.X_OK):
            return [str(exe)]
        found = shutil.which(name)
        return [found] if found else [sys.executable, "-m", module]

    def profile_path(self, figure: str) -> Path | None:
        return self.profiles.path(figure)

    def profiled(self, figure: str, run: Callable[[], Awaitable[Any]]) -> None:
        """With --profile: queue one more run of the xshell side, profiled after all figures."""
        self.profiles.add(figure, run)

    def profile_child(self, figure: str, argv: list[str], run: Callable[[list[str]], Any]) -> None:
        """With --profile: run the xshell child `argv` once more under pyinstrument, now."""
        path = self.profile_path(figure)
        if path is None:
            return
        if "-m" in argv:
            module = argv[argv.index("-m") + 1:]
        elif Path(argv[0]).name == "xshell":
            module = ["xshell", *argv[1:]]
        else:
            raise ValueError(f"cannot profile {argv[0]}: not xshell")
        session_file = self.workdir / f"{figure}.pyisession"
        run(child_argv(session_file, module))
        write_child_profile(session_file, path)
