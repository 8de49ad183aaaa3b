"""Shared fixtures: an in-process simulator on loopback, and the published schema.

Every client test runs against the real simulator over a real socket — no mocks of
the wire. The published schema lives in ../shared/xapi-schema and is never copied into
the project; tests that need it skip when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XSHELL_SHARED", ROOT.parent / "shared"))
SCHEMA_FILE = SHARED / "xapi-schema" / "roomos-26.1.1.json"

USER = "admin"
PASSWORD = "s3cret-Pa55"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the developer's real config, cache, history or pins."""
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))
    monkeypatch.setenv("PROMPT_TOOLKIT_NO_CPR", "1")
    monkeypatch.delenv("XSHELL_PASSWORD", raising=False)


@pytest.fixture
def schema_file() -> Path:
    """Cisco's published RoomOS schema; skip when ../shared is not beside the checkout."""
    if not SCHEMA_FILE.is_file():
        pytest.skip(f"published schema not found at {SCHEMA_FILE}")
    return SCHEMA_FILE


@pytest.fixture
async def sim() -> AsyncIterator["object"]:
    """A running built-in simulator (credentials USER/PASSWORD); yields the server handle.

    The handle has `.url` ("ws://127.0.0.1:PORT/ws") and `.simulator` (the device).
    """
    from xshell.sim import Simulator

    simulator = Simulator(user=USER, password=PASSWORD)
    async with simulator.serve(host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
async def client(sim: "object") -> AsyncIterator["object"]:
    """An xshell XoWSClient connected to `sim`."""
    from xshell.transport.client import XoWSClient

    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as c:  # type: ignore[attr-defined]
        yield c
