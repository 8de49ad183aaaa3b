"""Snapshots and diffs: `snapshot save|list|delete`, `diff NAME`, `diff NAME1 NAME2`.

Against the in-process simulator, through `Session.execute` as every mode runs them:
what the user reads, what lands on disk, and that no secret is ever stored.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, USER
from xshell.session import snapshots as snaps
from xshell.errors import XAPIError
from xshell.lang.outlexer import TshellOutputLexer
from xshell.session.guard_policy import GuardPolicy
from xshell.session.core import Session
from xshell.session.result import EXIT_OK, EXIT_USAGE
from xshell.sim import Simulator
from xshell.transport.client import XoWSClient

SIM_SECRET = "Sim-Digest-7731"  # the built-in device's SIP password, sent in clear by the sim


@pytest.fixture
async def session(sim: Any) -> AsyncIterator[Session]:
    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as client:
        s = Session(client, device_key="127.0.0.1_sim", name="boardroom")
        await s.identify()
        yield s


def snapshot_file(name: str) -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "xshell" / "snapshots" / f"{name}.json"


def changes(lines: list[str]) -> list[str]:
    return [ln for ln in lines if ln[:2] in ("-*", "+*")]


async def run_ok(session: Session, line: str) -> list[str]:
    result = await session.execute(line)
    assert result.exit_code == EXIT_OK, result.lines
    return result.lines


# --------------------------------------------------------------------------- save and diff
async def test_save_change_diff_shows_exactly_that_change(session: Session) -> None:
    saved = await run_ok(session, "snapshot save before")
    assert saved[0].startswith("snapshot before saved: ") and "secret values not stored" in saved[0]
    assert snapshot_file("before").is_file()
    before = (await run_ok(session, "xConfiguration Audio DefaultVolume"))[0]
    old = before.rsplit(": ", 1)[1]
    new = "70" if old != "70" else "30"
    await run_ok(session, f"xConfiguration Audio DefaultVolume: {new}")
    await run_ok(session, 'xConfiguration SystemUnit Name: "Board Room 2"')

    out = await run_ok(session, "diff before")
    assert out[0].startswith(f"--- before: boardroom (xshell-sim), software {session.software}, saved ")
    assert out[1].startswith("+++ live: boardroom (Board Room 2), software ")
    assert changes(out) == [
        f"-*c xConfiguration Audio DefaultVolume: {old}",
        f"+*c xConfiguration Audio DefaultVolume: {new}",
        '-*c xConfiguration SystemUnit Name: "xshell-sim"',
        '+*c xConfiguration SystemUnit Name: "Board Room 2"',
    ]
    assert out[-2:] == ["** 2 changed, 0 only in before, 0 only in live", "OK"]


async def test_unchanged_device_has_no_differences(session: Session) -> None:
    await run_ok(session, "snapshot save same")
    out = await run_ok(session, "diff same")
    assert changes(out) == [] and out[-2:] == ["** no differences", "OK"]


async def test_status_snapshot_diffs_status_too(session: Session) -> None:
    await run_ok(session, "snapshot save withstatus status")
    stored = json.loads(snapshot_file("withstatus").read_text(encoding="utf-8"))
    volume = stored["status"]["Audio Volume"]
    level = 61 if volume != "61" else 62
    await run_ok(session, f"xCommand Audio Volume Set Level: {level}")
    out = await run_ok(session, "diff withstatus")
    assert f"-*s Audio Volume: {volume}" in out and f"+*s Audio Volume: {level}" in out


async def test_two_snapshots_from_two_simulators(session: Session) -> None:
    await run_ok(session, "snapshot save room-a")
    other = Simulator(user=USER, password=PASSWORD)
    async with other.serve(host="127.0.0.1", port=0) as server:
        async with XoWSClient(server.url, username=USER, password=PASSWORD) as client:
            lobby = Session(client, device_key="127.0.0.1_other", name="lobby")
            await lobby.identify()
            await run_ok(lobby, "xConfiguration Audio Ultrasound MaxVolume: 0")
            await run_ok(lobby, "snapshot save room-b")
    out = await run_ok(session, "diff room-a room-b")  # no device needed, but any session will do
    assert out[0].startswith("--- room-a: boardroom (xshell-sim), ")
    assert out[1].startswith("+++ room-b: lobby (xshell-sim), ")
    [minus, plus] = changes(out)
    assert minus.startswith("-*c xConfiguration Audio Ultrasound MaxVolume: ")
    assert plus == "+*c xConfiguration Audio Ultrasound MaxVolume: 0"


# --------------------------------------------------------------------------- secrets
async def test_secret_configurations_are_never_stored(session: Session) -> None:
    # A provisioning password is a guarded change: this run is the user's `--yes`.
    session.context.guard = GuardPolicy(yes=True)
    await run_ok(session, 'xConfiguration Provisioning ExternalManager Password: "Prov-Secret-42"')
    await run_ok(session, "snapshot save guarded status")
    text = snapshot_file("guarded").read_text(encoding="utf-8")
    assert SIM_SECRET not in text and "Prov-Secret-42" not in text
    stored = json.loads(text)["configuration"]
    assert stored["SIP Authentication Password"] is None  # the marker: present, value unknown
    assert stored["Provisioning ExternalManager Password"] is None
    assert stored["SIP Authentication UserName"] == '"xshell-sim"'

    await run_ok(session, 'xConfiguration SIP Authentication Password: "Changed-Secret-1"')
    out = await run_ok(session, "diff guarded")
    assert changes(out) == [] and "Password" not in "\n".join(out)
    assert "Changed-Secret-1" not in "\n".join(out)


def test_masked_entries_never_compare() -> None:
    left = {"A Password": None, "A Name": '"x"', "B Key": None}
    right = {"A Password": '"leak"', "A Name": '"x"', "C Pin": None}
    assert snaps.diff_maps(left, right) == []


# --------------------------------------------------------------------------- store
async def test_the_snapshots_folder_is_private_like_history(session: Session) -> None:
    """Per-room data: 0700, and a folder an older version made 0755 is made private too."""
    folder = snaps.snapshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    await run_ok(session, "snapshot save private")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "private.json").stat().st_mode & 0o777 == 0o600


async def test_overwrite_needs_force(session: Session) -> None:
    await run_ok(session, "snapshot save twice")
    refused = await session.execute("snapshot save twice")
    assert refused.exit_code == EXIT_USAGE
    assert refused.lines == ["error: snapshot twice already exists; "
                             "`snapshot save twice force` replaces it"]
    await run_ok(session, "xConfiguration Audio DefaultVolume: 33")
    await run_ok(session, "snapshot save twice force")
    assert changes(await run_ok(session, "diff twice")) == []


@pytest.mark.parametrize("name", ["../etc", "a/b", ".hidden", "", "x" * 65, "sp ace", "é"])
async def test_bad_names_are_refused(session: Session, name: str) -> None:
    result = await session.execute(f'snapshot save "{name}"')
    assert result.exit_code == EXIT_USAGE
    assert result.lines == [f"error: snapshot name {name!r} is not valid: use up to 64 letters, "
                            "digits, '.', '_' and '-', not starting with '.'"]
    assert snaps.list_names() == []


@pytest.mark.parametrize("name", ["before", "pre-upgrade_11.2", "2026-11-24", "A.b-C_d"])
def test_good_names(name: str) -> None:
    assert snaps.check_name(name) == name


async def test_missing_snapshot_is_one_clear_line(session: Session) -> None:
    await run_ok(session, "snapshot save known")
    for line in ("diff nope", "diff known nope", "snapshot delete nope"):
        result = await session.execute(line)
        assert result.exit_code == EXIT_USAGE and len(result.lines) == 1
        assert result.lines[0].startswith("error: no snapshot named nope")
    assert (await session.execute("diff nope")).lines == ["error: no snapshot named nope (have: known)"]
    assert (await session.execute("xStatus Audio Volume")).ok  # the session survives


async def test_list_and_delete(session: Session) -> None:
    assert (await run_ok(session, "snapshot list"))[0].startswith("no snapshots yet")
    await run_ok(session, "snapshot save b-room")
    await run_ok(session, "snapshot save a-room status")
    table = await run_ok(session, "snapshot list")
    assert table[0].split() == ["NAME", "DEVICE", "SOFTWARE", "SAVED", "CONFIG", "STATUS"]
    rows = [row.split() for row in table[1:]]
    assert [r[0] for r in rows] == ["a-room", "b-room"]
    assert all(f" boardroom (xshell-sim)  {session.software}  " in row for row in table[1:])
    assert rows[1][-1] == "-" and rows[0][-1].isdigit()  # only a-room has status
    assert snaps.list_names() == ["a-room", "b-room"]
    deleted = await run_ok(session, "snapshot delete a-room")
    assert deleted[0].startswith("snapshot a-room deleted")
    assert snaps.list_names() == ["b-room"]


async def test_usage_errors(session: Session) -> None:
    for line in ("snapshot", "snapshot frobnicate", "snapshot save x colour", "diff", "diff a b c"):
        result = await session.execute(line)
        assert result.exit_code == EXIT_USAGE and result.lines[0].startswith("error: "), line


async def test_corrupt_snapshot_file_is_named(session: Session) -> None:
    path = snapshot_file("broken")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    result = await session.execute("diff broken")
    assert result.exit_code == EXIT_USAGE
    assert result.lines[0].startswith(f"error: {path} is not an xshell snapshot: ")


async def test_a_damaged_file_does_not_hide_the_other_snapshots(session: Session) -> None:
    await run_ok(session, "snapshot save good")
    path = snapshot_file("broken")
    path.write_text("{not json", encoding="utf-8")
    lines = await run_ok(session, "snapshot list")
    assert lines[1].startswith("good ") and lines[-1].startswith(f"** unreadable: {path} ")
    session.output = "json"
    doc = json.loads((await run_ok(session, "snapshot list"))[0])
    assert [s["name"] for s in doc["snapshots"]] == ["good"] and str(path) in doc["unreadable"][0]


# --------------------------------------------------------------------------- pure diff
def test_diff_maps_orders_naturally_and_classifies() -> None:
    left = {"Video Input Connector 10 Name": '"ten"', "Video Input Connector 2 Name": '"two"',
            "Audio Old": "1"}
    right = {"Video Input Connector 10 Name": '"TEN"', "Video Input Connector 2 Name": '"two"',
             "Audio New": "On"}
    assert snaps.diff_maps(left, right) == [
        ("Audio New", None, "On"), ("Audio Old", "1", None),
        ("Video Input Connector 10 Name", '"ten"', '"TEN"')]
    a = snaps.Side("x", "dev1", "11.1", "saved T1", left)
    b = snaps.Side("y", "dev2", "11.2", "saved T2", right)
    assert snaps.render_diff(a, b) == [
        "--- x: dev1, software 11.1, saved T1", "+++ y: dev2, software 11.2, saved T2",
        "+*c xConfiguration Audio New: On", "-*c xConfiguration Audio Old: 1",
        '-*c xConfiguration Video Input Connector 10 Name: "ten"',
        '+*c xConfiguration Video Input Connector 10 Name: "TEN"',
        "** 1 changed, 1 only in x, 1 only in y", "OK"]


def test_flat_values_quote_like_tshell() -> None:
    tree = {"Audio": {"DefaultVolume": 50}, "SIP": {"Proxy": [{"Address": "p.example", "id": 1}],
                                                     "Authentication": {"Password": "pw"}},
            "Video": {"Input": {"Connector": [{"Name": "Cam", "id": 2}]}}}
    assert snaps.flat_values("Configuration", tree, None) == {
        "Audio DefaultVolume": "50", "SIP Proxy 1 Address": '"p.example"',
        "SIP Authentication Password": None, "Video Input Connector 2 Name": "Cam"}


def test_diff_lines_are_coloured() -> None:
    lines = ["--- a: d, software 1, saved T", "+++ b: d, software 1, saved T",
             "-*c xConfiguration Audio DefaultVolume: 50", "+*c xConfiguration Audio DefaultVolume: 60",
             "-*c xConfiguration Audio Gone: 1", "+*s Audio Volume: 3",
             "** 1 changed, 1 only in a, 1 only in b", "OK"]
    tokens = [(str(t), v) for t, v in TshellOutputLexer().get_tokens("\n".join(lines)) if v.strip()]
    assert ("Token.Generic.Deleted", "50") in tokens and ("Token.Generic.Inserted", "60") in tokens
    assert ("Token.Generic.Deleted", "-*c xConfiguration Audio Gone: 1") in tokens
    assert ("Token.Generic.Inserted", "+*s Audio Volume: 3") in tokens
    assert ("Token.Generic.Subheading", lines[0]) in tokens
    assert "".join(v for _, v in TshellOutputLexer().get_tokens("\n".join(lines))) == \
        "\n".join(lines) + "\n"


class _NoSchemaClient:
    """A device that answers xGet but refuses xDocument: hidden values cannot be known."""

    def __init__(self, client: XoWSClient) -> None:
        self._client = client

    async def get(self, path: list[str]) -> Any:
        return await self._client.get(path)

    async def doc(self, path: list[str]) -> Any:
        raise XAPIError("Permission denied", 1)


async def test_no_configuration_schema_saves_nothing(sim: Any) -> None:
    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as client:
        blind = Session(_NoSchemaClient(client), device_key="blind", use_cache=False)
        result = await blind.execute("snapshot save blind")
    assert result.exit_code != EXIT_OK
    assert result.lines == ["error: the device gave no Configuration schema, so secret values "
                            "cannot be recognised; nothing was read"]
    assert snaps.list_names() == []


async def test_json_output_gives_one_document_per_snapshot_command(session: Session) -> None:
    session.output = "json"
    saved = json.loads((await run_ok(session, "snapshot save j1"))[0])
    assert saved["saved"] == "j1" and saved["configuration"] > 100 and saved["status"] is None
    assert saved["secrets_not_stored"] >= 1 and SIM_SECRET not in json.dumps(saved)
    await run_ok(session, 'xConfiguration SystemUnit Name: "Json Room"')
    [line] = await run_ok(session, "diff j1")
    doc = json.loads(line)
    assert doc["from"]["name"] == "j1" and doc["to"]["name"] == "live"
    assert {"section": "configuration", "path": "SystemUnit Name", "old": doc["changes"][0]["old"],
            "new": '"Json Room"'} in doc["changes"]
    assert (doc["changed"], doc["only_from"], doc["only_to"]) == (1, 0, 0)
    session.output = "terminal"
    text = await run_ok(session, "diff j1")
    assert text[-2] == "** 1 changed, 0 only in j1, 0 only in live"
    session.output = "json"
    [listing] = await run_ok(session, "snapshot list")
    assert [(s["name"], s["status"]) for s in json.loads(listing)["snapshots"]] == [("j1", None)]
    assert json.loads((await run_ok(session, "snapshot delete j1"))[0])["deleted"] == "j1"
    assert json.loads((await run_ok(session, "snapshot list"))[0]) == {"snapshots": [], "unreadable": []}


async def test_show_prints_what_was_stored_as_tshell_lines(session: Session) -> None:
    await run_ok(session, "snapshot save shown status")
    lines = await run_ok(session, "snapshot show shown")
    assert lines[0].startswith("** snapshot shown: boardroom") and lines[-3:] == ["** end", "", "OK"]
    volume = (await run_ok(session, "xConfiguration Audio DefaultVolume"))[0]
    assert volume in lines  # the same line the device prints
    assert any(ln.startswith("*s Audio Volume: ") for ln in lines)
    secret = next(ln for ln in lines if "SIP Authentication Password" in ln)
    assert secret.endswith(': "***"') and SIM_SECRET not in "\n".join(lines)
    session.output = "json"
    doc = json.loads((await run_ok(session, "snapshot show shown"))[0])
    assert doc["name"] == "shown" and doc["configuration"]["SIP Authentication Password"] is None
    session.output = "terminal"
    missing = await session.execute("snapshot show nope")
    assert missing.exit_code == EXIT_USAGE and len(missing.lines) == 1 and "nope" in missing.lines[0]
