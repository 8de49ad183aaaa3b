"""Shared fixtures: an in-process simulator on loopback, and the published schema.

Every client test runs against the real simulator over a real socket — no mocks of
the wire. The published schema lives in ../shared/xapi-schema and is never copied into
the project; tests that need it skip when it is absent.
"""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings

import xshell.commands  # noqa: F401 - the shell-command registry hands lang and sessions its words

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XSHELL_SHARED", ROOT.parent / "shared"))
SCHEMA_FILE = SHARED / "xapi-schema" / "roomos-26.1.1.json"

USER = "admin"
PASSWORD = "s3cret-Pa55"

# Hypothesis profiles: `ci` when CI=true (or HYPOTHESIS_PROFILE=ci), else `dev`. A property
# test that names no max_examples takes the profile's (100 in CI, 50 for a developer); the two
# fuzz tests (marked slow) take FUZZ_EXAMPLES: 10,000 in CI, 300 for a developer.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=50, deadline=None)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() == "true" else "dev")
settings.load_profile(HYPOTHESIS_PROFILE)
FUZZ_EXAMPLES = {"ci": 10_000}.get(HYPOTHESIS_PROFILE, 300)

# The transport tests run on both of the client's paths (xshell.transport.wsfast): "fast"
# (XSHELL_WS_FAST=1, and the in-process simulator declines permessage-deflate, so the lean
# frame reader the benchmark measures is what runs) and "plain" (XSHELL_WS_FAST=0: only
# websockets' public API, deflate offered as by default). Only their async tests (the ones
# with a socket) are doubled; every other test runs once, on the defaults.
WS_PATH_MODULES = frozenset({
    "test_client", "test_transport_fast", "test_lean_frames", "test_reconnect", "test_restore",
    "test_faults", "test_client_tls", "test_hostile_frames"})
WS_PATHS = {"fast": ("1", "lean"), "plain": ("0", "plain")}  # param -> (env value, receive path)

INTEROP = ROOT / "tests" / "interop"
JSXAPI_SPEC = "jsxapi@6"  # Cisco's Node client, as tests/interop/package.json pins it
NPM_INSTALL_TIMEOUT = 180.0


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the developer's real config, cache, history or pins."""
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))
    monkeypatch.setenv("PROMPT_TOOLKIT_NO_CPR", "1")
    monkeypatch.delenv("XSHELL_PASSWORD", raising=False)


# The kind of a test is its folder (README "Development"): `-m unit`, `-m "not e2e"` … work
# without a decorator in every file. hostile/ and interop/ run real processes: e2e. slow/
# holds the long properties and smokes: the everyday run is `-m "not slow"`.
KIND_BY_FOLDER = {"unit": "unit", "integration": "integration", "e2e": "e2e", "hostile": "e2e",
                  "interop": "e2e", "slow": "slow"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its folder's kind (KIND_BY_FOLDER)."""
    for item in items:
        kind = KIND_BY_FOLDER.get(item.path.parent.name)
        if kind is not None:
            item.add_marker(kind)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Double the async tests of the transport modules over the two paths (WS_PATHS).

    The plain path's copy is `slow`: the everyday run covers the default (fast) path, and
    tests/e2e/test_ws_paths.py checks both paths there; the full suite (CI) runs both copies.
    """
    module = metafunc.module.__name__.rpartition(".")[2]
    if (module in WS_PATH_MODULES and "ws_path" in metafunc.fixturenames
            and inspect.iscoroutinefunction(metafunc.function)):
        metafunc.parametrize("ws_path", [pytest.param(name, marks=pytest.mark.slow) if name == "plain"
                                         else name for name in WS_PATHS], indirect=True)


@pytest.fixture(autouse=True)
def ws_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The client path this test runs on ("fast"/"plain"), or None: the defaults, untouched."""
    path: str | None = getattr(request, "param", None)
    if path is not None:
        from xshell.sim import Simulator
        from xshell.transport.wsfast import ENV

        monkeypatch.setenv(ENV, WS_PATHS[path][0])  # subprocesses inherit it too
        # the simulators the test makes itself decline deflate on the fast path, unless told
        monkeypatch.setitem(Simulator.__init__.__kwdefaults__, "deflate", path == "plain")
    return path


@pytest.fixture
def schema_file() -> Path:
    """Cisco's published RoomOS schema; skip when ../shared is not beside the checkout."""
    if not SCHEMA_FILE.is_file():
        pytest.skip(f"published schema not found at {SCHEMA_FILE}")
    return SCHEMA_FILE


@pytest.fixture
async def sim() -> AsyncIterator[object]:
    """A running built-in simulator (credentials USER/PASSWORD); yields the server handle.

    The handle has `.url` ("ws://127.0.0.1:PORT/ws") and `.simulator` (the device).
    """
    from xshell.sim import Simulator

    simulator = Simulator(user=USER, password=PASSWORD)
    async with simulator.serve(host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
async def client(sim: object, ws_path: str | None) -> AsyncIterator[object]:
    """An xshell XoWSClient connected to `sim`."""
    from xshell.transport.client import XoWSClient

    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as c:  # type: ignore[attr-defined]
        if ws_path is not None:  # the path the parametrization asked for is the one taken
            assert c.receive_path == WS_PATHS[ws_path][1]
        yield c


@pytest.fixture(scope="session")
def jsxapi_dir() -> Path:
    """tests/interop with jsxapi installed in its node_modules (gitignored), installed once.

    Skips, saying why, when node is absent; npm installs jsxapi on the first run that
    needs it, for a developer as for CI. A failed install fails the tests (they would
    otherwise pass without testing anything), with npm's last lines.
    """
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the jsxapi interop tests need node and npm")
    if (INTEROP / "node_modules" / "jsxapi").is_dir():
        return INTEROP
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed: cannot install {JSXAPI_SPEC} into {INTEROP}")
    proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save", JSXAPI_SPEC],
                          cwd=INTEROP, capture_output=True, text=True, timeout=NPM_INSTALL_TIMEOUT)
    if proc.returncode != 0 or not (INTEROP / "node_modules" / "jsxapi").is_dir():
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        pytest.fail(f"npm install {JSXAPI_SPEC} in {INTEROP} failed (rc={proc.returncode}):\n{tail}")
    return INTEROP
