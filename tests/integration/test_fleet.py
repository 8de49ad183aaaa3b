"""xshell.modes.fleet_run in-process: one script on several simulated rooms at once."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from types import MappingProxyType

import pytest

from tests.conftest import PASSWORD, USER
from xshell.modes.fleet_run import DeviceOutcome, device_options, error_summary, run_fleet
from xshell.options import Connection, DeviceOptions, Options
from xshell.lang.bodies import split_script
from xshell.modes.fleet import block_lines, summary_lines, summary_order
from xshell.session.result import Result
from xshell.sim import Simulator
from xshell.sim.builtin import load_builtin
from xshell.sim.many import named_model, room_name

SCRIPT = "script.xapi"


def items(text: str) -> list[tuple[int, str, str | None]]:
    return list(split_script(text))


def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"ws://127.0.0.1:{port}/ws"


def namespaces(urls: list[str]) -> tuple[DeviceOptions, ...]:
    """The devices the CLI gives a script run on `urls` (every field a Connector reads)."""
    return device_options(Options(connection=Connection(user=USER, auth="basic")), urls)


@dataclasses.dataclass
class Rooms:
    urls: list[str]
    sims: list[Simulator]


async def serve_rooms(count: int, product: str | None = None) -> AsyncIterator[Rooms]:
    import contextlib

    base = load_builtin()
    async with contextlib.AsyncExitStack() as stack:
        rooms = Rooms([], [])
        for i in range(1, count + 1):
            model = named_model(base, room_name(i, count))
            if product is not None and i == count:  # the last room is another product
                status = dict(model.status)
                status[("SystemUnit", "ProductId")] = product
                model = dataclasses.replace(model, status=MappingProxyType(status))
            sim = Simulator(model, USER, PASSWORD)
            server = await stack.enter_async_context(sim.serve("127.0.0.1", 0))
            rooms.urls.append(server.url)
            rooms.sims.append(sim)
        yield rooms


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)


@pytest.fixture
async def rooms() -> AsyncIterator[Rooms]:
    async for r in serve_rooms(3):
        yield r


def text_of(outcome: DeviceOutcome) -> str:
    return "\n".join(line for _, chunk in outcome.out for line in chunk)


async def test_every_device_runs_the_whole_script_in_order(rooms: Rooms) -> None:
    script = items("xConfiguration SystemUnit Name\nxCommand Audio Volume Set Level: 30\n"
                   "xStatus Audio Volume\n")
    outcomes = await run_fleet(namespaces(rooms.urls), script, SCRIPT)
    # the caller's order, whatever finished first
    assert [o.host for o in outcomes] == [u.split("/")[2] for u in rooms.urls]
    for i, (o, sim) in enumerate(zip(outcomes, rooms.sims), start=1):
        text = text_of(o)
        assert f'*c xConfiguration SystemUnit Name: "Room 00{i}"' in text
        assert text.index("SystemUnit Name") < text.index("VolumeSetResult") < text.index(
            "*s Audio Volume: 30")
        assert (o.status, o.ok, o.failed, o.first_error) == (0, 3, 0, "")
        assert o.name == o.system_name == f"Room 00{i}"  # no profile: the device's own name
        assert sim.status(("Audio", "Volume")) == 30


async def test_one_device_failing_never_touches_the_others(rooms: Rooms) -> None:
    other = Simulator(named_model(load_builtin(), "Locked"), USER, "another-password")
    async with other.serve("127.0.0.1", 0) as locked:
        devices = namespaces([rooms.urls[0], closed_port_url(), locked.url, rooms.urls[1]])
        outcomes = await run_fleet(devices, items("xCommand Audio Volume Set Level: 20\n"), SCRIPT)
    good, refused, denied, good2 = outcomes
    assert good.status == good2.status == 0
    assert [s.status(("Audio", "Volume")) for s in rooms.sims[:2]] == [20, 20]
    assert refused.status == 3 and "refused" in refused.first_error and refused.ok == 0
    assert refused.name == refused.host  # it never said its name
    assert refused.notes == []  # said once on stderr: the summary's first-error column
    assert denied.status == 3 and denied.first_error and PASSWORD not in " ".join(denied.notes)
    assert other.status(("Audio", "Volume")) == 50  # nothing ran on the denied device


async def test_status_is_the_worst_line_and_the_script_goes_on(rooms: Rooms) -> None:
    script = items('xCommand Dial Number "x"\n'          # parse error: exit 2, nothing sent
                   "xCommand Call Disconnect CallId: 77\n"  # xAPI error: exit 1
                   "xCommand Audio Volume Set Level: 35\n")
    (o,) = await run_fleet(namespaces(rooms.urls[:1]), script, SCRIPT)
    assert (o.status, o.ok, o.failed) == (2, 1, 2)
    assert o.first_error.startswith(f"{SCRIPT}:1: parse error: missing ':'")
    assert o.notes[0].startswith(f"{SCRIPT}:1: parse error\n")
    assert rooms.sims[0].status(("Audio", "Volume")) == 35  # the last line still ran


async def test_bye_ends_that_devices_script(rooms: Rooms) -> None:
    script = items("xCommand Audio Volume Set Level: 10\nbye\nxCommand Audio Volume Set Level: 90\n")
    outcomes = await run_fleet(namespaces(rooms.urls[:2]), script, SCRIPT)
    assert [o.status for o in outcomes] == [0, 0]
    assert [s.status(("Audio", "Volume")) for s in rooms.sims[:2]] == [10, 10]


async def test_at_most_jobs_devices_are_connected_at_once() -> None:
    async for r in serve_rooms(5):
        active, peak = 0, 0

        def started(_: DeviceOptions) -> None:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)

        def done(_: DeviceOutcome) -> None:
            nonlocal active
            active -= 1

        outcomes = await run_fleet(namespaces(r.urls), items("xStatus Audio Volume\n"), SCRIPT,
                                   jobs=2, on_start=started, on_done=done)
        assert [o.status for o in outcomes] == [0] * 5 and active == 0
        assert peak == 2


async def test_feedback_during_the_script_lands_in_the_devices_output(rooms: Rooms) -> None:
    script = items("xFeedback register /Status/Audio/Volume\n"
                   "xCommand Audio Volume Set Level: 44\nxStatus Audio Volume\n")
    (o,) = await run_fleet(namespaces(rooms.urls[:1]), script, SCRIPT)
    kinds = [kind for kind, _ in o.out]
    assert "feedback" in kinds and o.status == 0
    feedback = next(chunk for kind, chunk in o.out if kind == "feedback")
    assert feedback == ["*s Audio Volume: 44", "** end"]


def schema_dirs() -> list[str]:
    base = Path(os.environ["XDG_CACHE_HOME"]) / "xshell" / "schema"
    return sorted(p.name for p in base.iterdir()) if base.is_dir() else []


async def test_one_schema_per_product_and_version_for_the_whole_run() -> None:
    async for r in serve_rooms(4, product="Cisco Room Bar"):
        outcomes = await run_fleet(namespaces(r.urls), items("xStatus Audio Volume\n"), SCRIPT)
        assert [o.status for o in outcomes] == [0, 0, 0, 0]
        assert len(schema_dirs()) == 2  # three Codec Pros share one, the Room Bar has its own


async def test_schema_sharing_can_be_turned_off(rooms: Rooms) -> None:
    outcomes = await run_fleet(namespaces(rooms.urls), items("xStatus Audio Volume\n"), SCRIPT,
                               share_schema=False)
    assert [o.status for o in outcomes] == [0, 0, 0] and len(schema_dirs()) == 3


async def test_shared_schema_still_checks_values_on_every_device(rooms: Rooms) -> None:
    outcomes = await run_fleet(namespaces(rooms.urls), items(
        "xCommand Audio Volume Set Level: 30\nxCommand Audio Volume Set Level: 500\n"), SCRIPT)
    for o in outcomes:  # 500 is refused before sending, from the (shared) schema
        assert o.status == 2 and o.ok == 1 and f"{SCRIPT}:2: parse error" in o.first_error


def test_json_blocks_name_the_device_on_every_document() -> None:
    o = DeviceOutcome("room1", "10.0.0.1", out=[
        ("result", ['{"Audio":{"Volume":50}}']), ("feedback", ['{"Status":{"Audio":{"Volume":3}}}']),
        ("result", ["50"]), ("result", ["", "OK"])])
    docs = [json.loads(line) for line in block_lines(o, json_mode=True)]
    assert docs == [
        {"device": "room1", "host": "10.0.0.1", "result": {"Audio": {"Volume": 50}}},
        {"device": "room1", "host": "10.0.0.1", "feedback": {"Status": {"Audio": {"Volume": 3}}}},
        {"device": "room1", "host": "10.0.0.1", "result": 50},
        {"device": "room1", "host": "10.0.0.1", "text": "OK"}]
    assert block_lines(o, json_mode=False)[0] == "== room1 (10.0.0.1) =="


def test_error_summary_is_the_place_and_the_devices_reason() -> None:
    xapi = Result(["*r Status (status=Error): ", '*r Status Reason: "No match on Path argument"',
                   "** end", "", "ERROR"], 1)
    assert error_summary("s.xapi", 4, xapi) == "s.xapi:4: No match on Path argument"
    as_json = Result(['{"error":{"code":-32602,"message":"No match on Path argument"}}'], 1)
    assert error_summary("s.xapi", 4, as_json) == "s.xapi:4: No match on Path argument"
    lost = Result(["error: the connection to the device was lost"], 3, kind="error")
    assert error_summary("-c", 1, lost) == "-c:1: the connection to the device was lost"


def test_plain_summary_is_aligned_columns() -> None:
    rows = summary_lines([DeviceOutcome("a", "h1", ok=3), DeviceOutcome(
        "long-room-name", "h2", status=3, first_error="refused")])
    assert rows[0].split() == ["device", "host", "exit", "ok", "failed", "time", "first", "error"]
    assert len({row.index("h") for row in rows[1:]}) == 1  # the host column lines up
    assert rows[2].endswith("refused") and rows[2].split()[2] == "3"


def test_a_device_that_never_connected_has_no_stdout_block() -> None:
    lost = DeviceOutcome("10.0.0.9", "10.0.0.9", status=3, first_error="refused", notes=["refused"])
    assert block_lines(lost, json_mode=False) == []
    quiet_ok = DeviceOutcome("room1", "10.0.0.1")  # connected, printed nothing: still a block
    assert block_lines(quiet_ok, json_mode=False) == ["== room1 (10.0.0.1) =="]


def test_summary_puts_failures_first_worst_first() -> None:
    outcomes = [DeviceOutcome("a", "h1", ok=1), DeviceOutcome("b", "h2", status=1, first_error="x"),
                DeviceOutcome("c", "h3", ok=1), DeviceOutcome("d", "h4", status=3, first_error="refused")]
    rows = summary_lines(summary_order(outcomes))
    assert [r.split()[0] for r in rows[1:]] == ["d", "b", "a", "c"]


def test_the_terminal_table_folds_a_long_tail_of_successes(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from xshell.modes import fleet as fleet_mode
    outcomes = [DeviceOutcome(f"room{i:03d}", f"h{i}", ok=1) for i in range(200)]
    outcomes[150] = DeviceOutcome("room150", "h150", status=3, first_error="refused")
    monkeypatch.setattr(fleet_mode, "_isatty", lambda stream: True)
    monkeypatch.setenv("COLUMNS", "120")
    fleet_mode.Display.summary(object.__new__(fleet_mode.Display), outcomes)
    err = capsys.readouterr().err.splitlines()
    assert err[1].split()[0] == "room150"  # the failure tops the table
    assert sum(1 for ln in err if ln.startswith("room")) == 1 + fleet_mode.TABLE_OK_ROWS
    assert any("179 more ok" in ln for ln in err)
    assert err[-1] == "xshell: 200 devices: 199 ok, 1 failed"
