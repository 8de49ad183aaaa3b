"""SchemaStore: xDoc per root on first need, cached on disk per device and software version.

The simulator counts for us: a wrapper on its dispatcher records every xDoc request it
receives, so "the second session makes no schema request" is checked on the wire.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from xshell.errors import ConnectionLost, PermissionDenied
from xshell.schema.model import ROOTS
from xshell.paths import cache_dir as cache_home
from xshell.schema.store import SchemaStore
from xshell.schema.xdoc import root_xdoc
from xshell.session.core import Session
from xshell.session.result import EXIT_OK
from xshell.sim.builtin import load_builtin

KEY = "codec-under-test_443"


@pytest.fixture
def xdocs(sim: Any, monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """The Path of every xDoc request the device receives."""
    seen: list[list[Any]] = []
    dispatcher = sim.simulator.dispatcher
    original = dispatcher.call

    def call(conn: Any, method: str, params: Any) -> Any:
        if method.lower() == "xdoc":
            seen.append(copy.deepcopy(params.get("Path")))
        return original(conn, method, params)

    monkeypatch.setattr(dispatcher, "call", call)
    return seen


async def new_session(client: Any, key: str = KEY) -> Session:
    s = Session(client, device_key=key)
    await s.identify()
    return s


def cached_files(session: Session) -> list[str]:
    d = session.store.cache_dir
    return sorted(p.name for p in d.glob("*.json")) if d is not None and d.is_dir() else []


async def test_only_the_root_a_line_needs_is_fetched(client: Any, xdocs: list[list[Any]]) -> None:
    session = await new_session(client)
    assert xdocs == []  # nothing before a line needs it
    assert (await session.execute("xStatus Audio Volume")).exit_code == EXIT_OK
    assert xdocs == [["Status"]]
    await session.execute("xStatus Audio VolumeMute")
    assert xdocs == [["Status"]]
    await session.execute("xCommand Audio Volume Set Level: 20")
    assert xdocs == [["Status"], ["Command"]]
    assert session.store.roots_known == {"Status", "Command"}


async def test_cache_lives_under_xdg_cache_home(client: Any, xdocs: list[list[Any]], sim: Any) -> None:
    session = await new_session(client)
    await session.execute("xStatus Audio Volume")
    d = session.store.cache_dir
    assert d is not None and d.is_relative_to(cache_home())
    assert cache_home().is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))
    assert sim.simulator.status("SystemUnit Software Version") in str(d)
    assert cached_files(session) == ["Status.json"]


async def test_a_second_session_on_the_same_device_asks_nothing(
        client: Any, more_clients: Any, xdocs: list[list[Any]]) -> None:
    first = await new_session(client)
    await first.store.ensure_all()
    assert sorted(p[0] for p in xdocs) == sorted(ROOTS)
    xdocs.clear()
    second = await new_session(await more_clients())
    for line in ("xStatus Audio Volume", "xConfiguration Audio DefaultVolume",
                 "xCommand Audio Volume Set Level: 20", "xEvent CallDisconnect"):
        assert (await second.execute(line)).exit_code == EXIT_OK, line
    await second.store.ensure_all()
    assert xdocs == []
    assert second.store.roots_known == set(ROOTS)
    bad = await second.execute("xConfiguration Audio DefaultVolume: 101")
    assert "<0..100>" in bad.lines[-1]  # the cached schema checks like the fetched one


async def test_another_software_version_has_its_own_cache(
        client: Any, more_clients: Any, sim: Any, xdocs: list[list[Any]]) -> None:
    old = await new_session(client)
    await old.execute("xStatus Audio Volume")
    sim.simulator.set_status("SystemUnit Software Version", "ce99.1.0.upgraded")
    new = await new_session(await more_clients())
    await new.execute("xStatus Audio Volume")
    assert xdocs == [["Status"], ["Status"]]
    assert new.store.cache_dir != old.store.cache_dir
    assert cached_files(new) == cached_files(old) == ["Status.json"]
    other_device = await new_session(await more_clients(), key="another-codec_443")
    await other_device.execute("xStatus Audio Volume")
    assert len(xdocs) == 3


@pytest.mark.parametrize("junk", [b"{not json", b"", b"[]", b"{}", b'{"Status": 5}',
                                  b"\xff\xfe garbage"])
async def test_a_corrupt_cache_file_is_ignored_with_a_warning(
        client: Any, more_clients: Any, xdocs: list[list[Any]], caplog: pytest.LogCaptureFixture,
        junk: bytes) -> None:
    first = await new_session(client)
    await first.execute("xStatus Audio Volume")
    assert first.store.cache_dir is not None
    (first.store.cache_dir / "Status.json").write_bytes(junk)
    (first.store.cache_dir / "Status.model").write_bytes(junk)  # the pre-built copy too
    caplog.set_level(logging.WARNING, logger="xshell.schema.store")
    second = await new_session(await more_clients())
    r = await second.execute("xStatus Audio Volum")
    assert "did you mean Volume?" in r.lines[-1]  # the schema was fetched again
    assert xdocs == [["Status"], ["Status"]]
    assert any("schema cache" in rec.getMessage() for rec in caplog.records)
    json.loads((first.store.cache_dir / "Status.json").read_text())  # rewritten whole


async def test_refresh_fetches_every_root_again(client: Any, xdocs: list[list[Any]]) -> None:
    session = await new_session(client)
    await session.store.ensure_all()
    assert len(xdocs) == 4
    r = await session.execute("refresh")
    assert r.exit_code == EXIT_OK and "refresh: schema reloaded" in r.lines[0]
    assert len(xdocs) == 8 and sorted(p[0] for p in xdocs[4:]) == sorted(ROOTS)
    assert cached_files(session) == sorted(f"{r}.json" for r in ROOTS)


async def test_a_refused_root_is_remembered_and_lines_still_go(
        client: Any, sim: Any, xdocs: list[list[Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    dispatcher = sim.simulator.dispatcher
    recording = dispatcher.call

    def call(conn: Any, method: str, params: Any) -> Any:
        answer = recording(conn, method, params)
        if method == "xDoc" and params["Path"] == ["Command"]:
            raise PermissionDenied("Permission denied", code=-31999)
        return answer

    monkeypatch.setattr(dispatcher, "call", call)
    session = await new_session(client)
    await session.store.ensure_all()
    assert session.store.roots_missing == {"Command"} and session.store.is_complete()
    r = await session.execute("xCommand Audio Volume Set Level: 25")
    assert r.exit_code == EXIT_OK and sim.simulator.status("Audio Volume") == 25
    assert [p for p in xdocs if p == ["Command"]] == [["Command"]]
    assert "Command.json" not in cached_files(session)
    assert "refused: Command" in (await session.execute("refresh")).lines[0]


# ------------------------------------------------------------------ the store alone
def builtin_docs() -> dict[str, Any]:
    schema = load_builtin().schema
    return {r: root_xdoc(schema, r) for r in ROOTS}


async def test_a_lost_link_is_not_a_refusal(tmp_path: Path) -> None:
    docs = builtin_docs()
    answers: list[Any] = [ConnectionLost("Connection to codec lost"), docs["Status"]]

    async def fetch(root: str) -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    store = SchemaStore(fetch, "dev", "1.0", cache_dir=tmp_path)
    assert await store.ensure("Status") is None and not store.is_complete()
    schema = await store.ensure("status")
    assert schema is not None and schema.root("Status") is not None
    assert store.fetches == 2


async def test_nothing_is_cached_without_a_version_or_key(tmp_path: Path) -> None:
    docs = builtin_docs()

    async def fetch(root: str) -> Any:
        return docs[root]

    for key, version in (("dev", ""), ("", "1.0")):
        store = SchemaStore(fetch, key, version, cache_dir=tmp_path)
        await store.ensure_all()
        assert store.cache_dir is None and store.roots_known == set(ROOTS)
    assert list(tmp_path.iterdir()) == []


async def test_ensure_soon_reads_the_cache_now_and_fetches_the_rest_later(tmp_path: Path) -> None:
    docs = builtin_docs()
    fetched: list[str] = []

    async def fetch(root: str) -> Any:
        fetched.append(root)
        return docs[root]

    warm = SchemaStore(fetch, "dev", "1.0", cache_dir=tmp_path)
    await warm.ensure("Status")
    cold = SchemaStore(fetch, "dev", "1.0", cache_dir=tmp_path)
    cold.ensure_soon("Status")
    assert cold.roots_known == {"Status"}  # from disk, without waiting
    cold.ensure_soon("Command")
    assert "Command" not in cold.roots_known  # on its way, not awaited
    await cold.ensure("Command")  # joins the fetch already running
    assert fetched == ["Status", "Command"]


async def test_discovery_unpacks_a_warm_cache_without_holding_the_loop(tmp_path: Path) -> None:
    """The interactive shell's discovery (`ensure_all(off_loop=True)`) unpacks the cached
    models off the loop: the prompt's redraw scheduled meanwhile runs before a root is
    installed, and every root arrives, from disk (nothing asked of the device)."""
    docs = builtin_docs()
    fetched: list[str] = []

    async def fetch(root: str) -> Any:
        fetched.append(root)
        return docs[root]

    await SchemaStore(fetch, "dev", "1.0", cache_dir=tmp_path).ensure_all()  # warms the cache
    for off_loop in (True, False):
        store = SchemaStore(fetch, "dev", "1.0", cache_dir=tmp_path)
        redraw: list[set[str]] = []
        task = asyncio.ensure_future(store.ensure_all(off_loop=off_loop))
        asyncio.get_running_loop().call_soon(lambda seen=redraw, s=store: seen.append(set(s.roots_known)))
        await task
        assert redraw == ([set()] if off_loop else [set(ROOTS)])  # inline: held until all loaded
        assert store.roots_known == set(ROOTS)
    assert fetched == list(ROOTS)  # the warm-up only


async def test_an_answer_that_is_no_schema_leaves_lines_unchecked(tmp_path: Path) -> None:
    async def fetch(root: str) -> Any:
        return {"Nonsense": True} if root == "Status" else []

    store = SchemaStore(fetch, "dev", "1.0", cache_dir=tmp_path)
    await store.ensure_all()
    assert store.schema is None and store.roots_missing == set(ROOTS)
    assert list(tmp_path.iterdir()) == []


async def test_a_warm_start_reads_the_prebuilt_model_not_the_xdoc(
        client: Any, more_clients: Any, xdocs: list[list[Any]]) -> None:
    first = await new_session(client)
    await first.execute("xStatus Audio Volume")
    assert first.store.cache_dir is not None
    (first.store.cache_dir / "Status.json").unlink()  # only the packed model is left
    second = await new_session(await more_clients())
    r = await second.execute("xStatus Audio Volum")
    assert "did you mean Volume?" in r.lines[-1]  # schema-aware without asking the device
    assert xdocs == [["Status"]]
