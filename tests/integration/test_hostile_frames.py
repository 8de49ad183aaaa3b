"""Bounded work and no crash for any frame a device sends.

A reply 1,000 levels deep, an error whose data is 900 levels deep, an integer of 5,000
digits, a reply with 200,000 sibling keys: each becomes at most one clear line naming what
the device sent, at once (never a wait for the timeout, never a traceback), and the
session goes on with the script's next line. The live tree folds a huge reply in with
work linear in its size, in slices, so the event loop keeps turning meanwhile.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import xshell.session.live as live
from tests.clirun import xshell
from tests.conftest import PASSWORD, USER
from xshell.errors import ProtocolError
from xshell.session.livechunks import pieces
from xshell.transport.framecheck import MAX_DEPTH
from xshell.transport.rpc import RpcTable

WAIT = 20.0  # upper bound for awaiting a condition; never a sleep
WIDE = 200_000


def deep(levels: int, leaf: str = "1") -> str:
    return "[" * levels + leaf + "]" * levels


def hostile(kind: str, rid: int) -> str:
    """The frame a hostile device answers request `rid` with."""
    head = f'{{"jsonrpc":"2.0","id":{rid},'
    if kind == "DeepResult":  # orjson reads it (under 1,024 levels); the renderers could not
        return head + f'"result":{deep(1000)}}}'
    if kind == "TooDeepForJson":  # beyond what either decoder reads: the id must be recovered
        return head + f'"result":{deep(3000)}}}'
    if kind == "DeepError":
        return head + f'"error":{{"code":1,"message":"bad","data":{deep(900)}}}}}'
    if kind == "LongInt":  # Python refuses integers over 4,300 digits
        return head + f'"result":{{"Value":{"9" * 5000}}}}}'
    if kind == "IdLast":
        return f'{{"jsonrpc":"2.0","result":{{"Value":{"9" * 5000}}},"id":{rid}}}'
    raise ValueError(kind)


# ------------------------------------------------------------------------------- decoding
@pytest.mark.parametrize("kind,why", [
    ("DeepResult", f"nested more than {MAX_DEPTH} levels deep"),
    ("TooDeepForJson", "nested too deeply"),
    ("DeepError", f"nested more than {MAX_DEPTH} levels deep"),
    ("LongInt", "a number has 5,000 digits (more than 4,300)"),
    ("IdLast", "a number has 5,000 digits (more than 4,300)"),
])
async def test_an_unreadable_reply_fails_its_request_at_once_with_the_reason(kind: str, why: str) -> None:
    reports: list[ProtocolError] = []
    table = RpcTable(reports.append)
    rid, _, fut = table.open("xGet", {"Path": ["Status"]})
    table.dispatch(hostile(kind, rid))
    assert fut.done() and reports == []
    with pytest.raises(ProtocolError) as caught:
        fut.result()
    assert str(caught.value).startswith(f"reply to request {rid} could not be read ({why})")
    assert "\n" not in str(caught.value)


def test_a_deep_notification_is_one_reported_line() -> None:
    reports: list[ProtocolError] = []
    table = RpcTable(reports.append)
    table.dispatch('{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Id":1,"Status":'
                   + deep(1000, "{}") + "}}")
    assert len(reports) == 1 and f"nested more than {MAX_DEPTH} levels deep" in str(reports[0])


# ------------------------------------------------------------------------------- the live tree
def test_merging_many_new_siblings_does_no_per_key_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The work is linear: no key of a wide reply is looked for by scanning its siblings."""
    scans = 0
    real = live._find_key

    def counting(node: dict[Any, Any], name: str) -> Any:
        nonlocal scans
        scans += 1
        return real(node, name)

    monkeypatch.setattr(live, "_find_key", counting)
    tree = live.LiveTree()
    tree.merge({"Status": {"Audio": {f"Old{i}": i for i in range(20)}}})
    scans = 0
    tree.merge({"Status": {"Audio": {f"New{i}": i for i in range(5000)} | {"OLD3": "again"}}})
    assert scans == 0  # the per-key scan made this 5,000 scans of up to 5,020 keys each
    assert tree.value(["Status", "Audio", "New4999"]) == 4999
    assert tree.value(["Status", "Audio", "Old3"]) == "again"  # matched in any case, as before
    assert len(tree._root["Status"]["Audio"]) == 5020


class LoopTurns:
    """Counts turns of the event loop while work runs beside it: proof that the work yields."""

    def __init__(self) -> None:
        self.count = 0
        self._done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while not self._done.is_set():
            self.count += 1
            await asyncio.sleep(0)

    async def __aenter__(self) -> LoopTurns:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._done.set()
        assert self._task is not None
        await self._task


async def test_a_huge_merge_lets_the_loop_run_and_keeps_the_order() -> None:
    tree = live.LiveTree()
    tree.merge({"Status": {"Audio": {"Volume": 1}}})
    async with LoopTurns() as turns:
        tree.merge({"Status": {"Audio": {f"Key{i}": i for i in range(WIDE)}}})
        tree.merge({"Status": {"Audio": {"Key7": "later"}}})  # sent after: must win
        started = turns.count
        await asyncio.wait_for(tree.settled(), WAIT)
        turned = turns.count - started
    assert turned >= 3  # the loop turned while the merge went on
    assert tree.value(["Status", "Audio", f"Key{WIDE - 1}"]) == WIDE - 1
    assert tree.value(["Status", "Audio", "Key7"]) == "later"
    assert tree.value(["Status", "Audio", "Volume"]) == 1


async def test_a_wide_answer_is_laid_out_in_slices_with_the_loop_served() -> None:
    from xshell.lang import requests as rq
    from xshell.lang.formats import format_registry
    from xshell.session.sliced import render_sliced

    fmt = format_registry.get("terminal")
    req = rq.Get(path=("Status", "Audio"))
    result = {f"Key{i}": i for i in range(WIDE)}
    async with LoopTurns() as turns:
        started = turns.count
        lines = await render_sliced(fmt, req, result, None)  # in this task: no turn unless it yields
        turned = turns.count - started
    assert turned >= 3  # the loop turned while the layout went on
    assert lines == fmt.result(req, result, None)  # the same lines as made in one piece
    assert lines[0] == "*s Audio Key0: 0" and lines[-4:] == [f"*s Audio Key{WIDE - 1}: {WIDE - 1}",
                                                             "** end", "", "OK"]


async def test_a_layout_failing_part_way_is_made_again_in_one_piece() -> None:
    from xshell.lang import requests as rq
    from xshell.session.sliced import SLICE, render_sliced

    class Flaky:
        def result(self, req: Any, result: Any, schema: Any) -> list[str]:
            return ["whole"]

        def result_lines(self, req: Any, result: Any, schema: Any) -> Any:
            for i in range(SLICE + 5):
                yield f"line {i}"
            raise RuntimeError("dictionary changed size during iteration")

    assert await render_sliced(Flaky(), rq.Get(path=("Status",)), {}, None) == ["whole"]


def test_slices_merged_in_order_give_the_same_tree() -> None:
    doc = {"Status": {
        "Audio": {f"K{i}": i for i in range(50)},
        "Call": [{"id": n, "Status": "Connected", "Peer": {f"P{j}": j for j in range(9)}}
                 for n in range(1, 12)] + [{"id": 3, "ghost": "True"}],
        "Video": {"Input": {"Connector": [{"id": 1, **{f"C{j}": j for j in range(30)}}]}},
    }, "configuration": {"SystemUnit": {"Name": "x"}}}
    whole, sliced = live.LiveTree(), live.LiveTree()
    whole.merge(doc)
    parts = list(pieces(doc, budget=7))
    assert len(parts) > 10
    for part in parts:
        sliced.merge(part)
    assert sliced._root == whole._root


# ------------------------------------------------------------------------------- end to end
@pytest.fixture
async def hostile_device() -> AsyncIterator[str]:
    """The simulator, answering a raw xGet of `Status Hostile <kind>` with a hostile frame."""
    from xshell.sim import Simulator
    sim = Simulator(user=USER, password=PASSWORD, rate_limit=None)
    real_run = sim.dispatcher._run

    def run(conn: Any, has_id: bool, rid: Any, method: str, params: Any) -> None:
        path = params.get("Path") if isinstance(params, dict) else None
        if method == "xGet" and isinstance(path, list) and path[:2] == ["Status", "Hostile"]:
            if path[2] == "Wide":
                conn.send_raw(json.dumps({"jsonrpc": "2.0", "id": rid,
                                          "result": {f"Key{i}": i for i in range(WIDE)}}))
            else:
                conn.send_raw(hostile(path[2], rid))
            return
        real_run(conn, has_id, rid, method, params)

    sim.dispatcher._run = run  # type: ignore[method-assign]
    async with sim.serve() as server:
        yield str(server.url)


async def test_a_script_survives_every_hostile_reply_with_one_line_each(hostile_device: str,
                                                                       tmp_path: Path) -> None:
    kinds = ("DeepResult", "DeepError", "LongInt", "TooDeepForJson", "Wide")
    lines = [json.dumps({"jsonrpc": "2.0", "id": k, "method": "xGet",
                         "params": {"Path": ["Status", "Hostile", k]}}) for k in kinds]
    script = tmp_path / "hostile.xapi"
    script.write_text("\n".join([*lines, "xStatus Audio Volume", ""]))
    status, out, err = await xshell(hostile_device, "--timeout", "15", "-f", str(script))
    assert "Traceback" not in err and "RecursionError" not in err and "timed out" not in err
    errors = [ln for ln in err.splitlines() if ln.strip()]
    assert len(errors) == 4, err
    for line, why in zip(errors, ("nested more than", "nested more than", "5,000 digits",
                                  "nested too deeply")):
        assert "could not be read" in line and why in line
    assert out.count("Key199999") == 1  # the wide reply is shown whole
    assert "*s Audio Volume: 50" in out and out.rstrip().splitlines()[-1] == "OK"  # the next line ran
    assert status != 0
