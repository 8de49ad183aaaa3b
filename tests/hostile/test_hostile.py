"""The real CLI against a hostile device: every scenario of the table, one test each.

A user pointing xshell at a broken or malicious device must get, whatever the device
does: no traceback, the documented exit status with one clear line saying why, an end
within bounded time and memory, and not one raw control character — on the terminal or
in a transcript. The selected scenarios run up front, a few at a time (each is a
separate `xshell` process, the device one shared server process), and each test then
judges its own run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests.clirun import child_env
from tests.hostile.runner import Run, problems, run
from tests.hostile.scenarios import SCENARIOS
from tests.hostile.scenario import Scenario
from xshell.bench.procs import url_process_handle

# slow: 234 scenarios, each a real xshell; the everyday run keeps test_judge.py and
# tests/integration/test_hostile_frames.py (the same hostile replies, in process)
pytestmark = [pytest.mark.hostile, pytest.mark.slow]

WORKERS = 3


@pytest.fixture(scope="session")
def hostile_ports() -> Iterator[tuple[int, int]]:
    """The hostile device's (WebSocket port, raw HTTP port), one process for the session."""
    argv = [sys.executable, "-m", "tests.hostile.hostile_server"]
    with url_process_handle(argv, os.environ.copy(), 30.0, stdin_pipe=True) as (ports, _):
        ws_port, raw_port = (int(p) for p in ports.split(","))
        yield ws_port, raw_port


@pytest.fixture(scope="session")
def hostile_runs(request: pytest.FixtureRequest, hostile_ports: tuple[int, int],
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[Run]]]:
    """Every selected scenario's run, started in the background in table order, a few at a
    time; each test waits only for its own."""
    wanted = [item.callspec.params["scenario"] for item in request.session.items
              if hasattr(item, "callspec") and isinstance(item.callspec.params.get("scenario"), Scenario)]
    base = tmp_path_factory.mktemp("hostile-xdg")
    env = child_env()
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[var] = str(base / var.lower())
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    pool = ThreadPoolExecutor(WORKERS)
    try:
        yield {s.sid: pool.submit(run, s, *hostile_ports, env) for s in wanted}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.sid for s in SCENARIOS])
def test_hostile_device(scenario: Scenario, hostile_runs: dict[str, Future[Run]]) -> None:
    outcome = hostile_runs[scenario.sid].result(timeout=scenario.wall + 45)
    found = problems(scenario, outcome)
    assert not found, f"{scenario.sid}: " + "; ".join(found)


def test_table_size() -> None:
    """Issue 12 asks for at least 100 scenarios and every §1 channel with every payload."""
    assert len(SCENARIOS) >= 100
    escape_groups = {s.group for s in SCENARIOS if s.group.startswith("escape:")}
    assert len(escape_groups) >= 14
