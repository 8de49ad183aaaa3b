"""`apply FILE|SNAPSHOT [--check]`, `snapshot restore|export` from scripts (issue 16).

Every test reads the device back — from the simulator's own state, or with another
`xshell -c` — so "changed nothing" and "set it" are facts about the room, not about
what xshell printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import xshell
from tests.conftest import PASSWORD
from tests.simproc import sim_process

SECRET = "hunter2-never-shown"
VOLUME = ("Audio", "DefaultVolume")
ULTRA = ("Audio", "Ultrasound", "MaxVolume")


def _value(sim: Any, *path: str) -> Any:
    return sim.simulator.state.value("Configuration", path)


def _file(tmp_path: Path, text: str, name: str = "room.cfg") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_check_prints_the_diff_and_changes_nothing(sim: Any, tmp_path: Path) -> None:
    cfg = _file(tmp_path, "# wanted\nxConfiguration Audio DefaultVolume: 61\n"
                          "*c xConfiguration Audio Ultrasound MaxVolume: 70\n")
    code, out, err = await xshell(sim.url, "-c", f"apply {cfg} --check")
    assert code == 0, err
    assert out.splitlines()[1:] == ["-*c xConfiguration Audio DefaultVolume: 50",
                                    "+*c xConfiguration Audio DefaultVolume: 61",
                                    "** check: 1 would change, 1 already as desired; nothing was sent",
                                    "", "OK"]  # ended as every answer: a blank line, OK
    assert _value(sim, *VOLUME) == 50
    code, out, _ = await xshell(sim.url, "-c", "xConfiguration Audio DefaultVolume")
    assert "*c xConfiguration Audio DefaultVolume: 50" in out  # read back: unchanged


async def test_apply_sets_what_differs_and_a_second_run_changes_nothing(sim: Any, tmp_path: Path) -> None:
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\n"
                          "xConfiguration Audio Ultrasound MaxVolume: 70\n"
                          'xConfiguration SystemUnit Name: "Board room"\n')
    code, out, err = await xshell(sim.url, "-c", f"apply {cfg}")
    assert code == 0, err
    assert out.splitlines()[-3:] == ["** applied: 2 set, 0 failed, 0 not sent, 1 already as desired", "", "OK"]
    assert (_value(sim, *VOLUME), _value(sim, "SystemUnit", "Name")) == (61, "Board room")

    code, out, err = await xshell(sim.url, "-c", f"apply {cfg}")
    assert code == 0, err
    assert out.splitlines() == [f"** apply {cfg} on {sim.url.split('/')[2]} (Board room): nothing to "
                                "change, 3 values already as desired", "", "OK"]


async def test_snapshot_restore_twice_on_a_changed_room(sim: Any) -> None:
    code, _, err = await xshell(sim.url, "-c", "snapshot save before")
    assert code == 0, err
    await xshell(sim.url, "-c", "xConfiguration Audio DefaultVolume: 33",
                 "-c", "xConfiguration Audio Ultrasound MaxVolume: 20")
    code, out, err = await xshell(sim.url, "-c", "snapshot restore before --check")
    assert code == 0 and "** check: 2 would change" in out and _value(sim, *VOLUME) == 33

    code, out, err = await xshell(sim.url, "-c", "snapshot restore before")
    assert code == 0, err
    assert "-*c xConfiguration Audio DefaultVolume: 33\n+*c xConfiguration Audio DefaultVolume: 50" in out
    assert "** applied: 2 set, 0 failed, 0 not sent" in out
    assert (_value(sim, *VOLUME), _value(sim, *ULTRA)) == (50, 70)

    code, out, err = await xshell(sim.url, "-c", "apply before", "-c", "diff before")
    assert code == 0, err
    assert ": nothing to change, " in out.splitlines()[0]
    assert "secrets not in the snapshot, left as they are" in out.splitlines()[0]
    assert "** no differences" in out


async def test_the_header_names_the_room_as_renamed_earlier_in_the_run(sim: Any, tmp_path: Path) -> None:
    await xshell(sim.url, "-c", "snapshot save named")
    await xshell(sim.url, "-c", 'xConfiguration SystemUnit Name: "Old name"')
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\n")
    code, out, err = await xshell(sim.url, "-c", "snapshot restore named", "-c", f"apply {cfg}")
    assert code == 0, err
    headers = [ln for ln in out.splitlines() if ln.startswith("** apply ")]
    host = sim.url.split("/")[2]
    assert headers[0].startswith(f"** apply snapshot named on {host} (Old name): ")
    assert headers[1].startswith(f"** apply {cfg} on {host} (xshell-sim): ")


async def test_a_path_twice_is_one_warning_naming_both_lines(sim: Any, tmp_path: Path) -> None:
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\n# x\nxConfiguration Audio DefaultVolume: 62\n")
    code, out, err = await xshell(sim.url, "-c", f"apply {cfg}")
    assert code == 0, err
    assert [ln for ln in out.splitlines() if "warning" in ln] == [
        "** warning: room.cfg:3 sets Audio DefaultVolume again (as room.cfg:1 did); the value of room.cfg:3 is used"]
    assert _value(sim, *VOLUME) == 62


async def test_export_does_not_replace_a_file_without_force(sim: Any, tmp_path: Path) -> None:
    await xshell(sim.url, "-c", "snapshot save base")
    target = _file(tmp_path, "keep me\n", "mine.cfg")
    code, out, err = await xshell(sim.url, "-c", f"snapshot export base {target}")
    assert code == 2
    assert err.strip() == (f"xshell: -c:1: error: snapshot export: {target} already exists; "
                           f"`snapshot export base {target} force` replaces it")
    assert target.read_text(encoding="utf-8") == "keep me\n"
    code, out, err = await xshell(sim.url, "-c", f"snapshot export base {target} force")
    assert code == 0, err
    assert "xConfiguration Audio DefaultVolume: 50\n" in target.read_text(encoding="utf-8")


async def test_export_writes_an_apply_file_that_brings_the_room_back(sim: Any, tmp_path: Path) -> None:
    await xshell(sim.url, "-c", "snapshot save base")
    exported = tmp_path / "base.cfg"
    code, out, err = await xshell(sim.url, "-c", f"snapshot export base {exported}")
    assert code == 0, err
    text = exported.read_text(encoding="utf-8")
    assert "xConfiguration Audio DefaultVolume: 50\n" in text
    assert "# xConfiguration SIP Authentication Password: (a secret; not stored in the snapshot)" in text
    await xshell(sim.url, "-c", 'xConfiguration SystemUnit Name: "tab\\there é"',
                 "-c", "xConfiguration Audio DefaultVolume: 10")
    code, out, err = await xshell(sim.url, "-c", f"apply {exported}")
    assert code == 0, err
    assert "** applied: 2 set, 0 failed" in out
    assert (_value(sim, *VOLUME), _value(sim, "SystemUnit", "Name")) == (50, "xshell-sim")


async def test_a_secret_is_sent_but_never_printed_or_recorded(sim: Any, tmp_path: Path) -> None:
    cfg = _file(tmp_path, f'xConfiguration SIP Authentication Password: "{SECRET}"\n'
                          "xConfiguration Audio DefaultVolume: 61\n")
    log = tmp_path / "run.jsonl"
    code, out, err = await xshell(sim.url, "--log", str(log), "-c", "trace on",
                                  "-c", f"apply {cfg} --check", "-c", f"apply {cfg}")
    assert code == 0, err
    assert _value(sim, "SIP", "Authentication", "Password") == SECRET  # sent
    assert '+*c xConfiguration SIP Authentication Password: "***"' in out
    assert "1 secret sent (a device never shows one, so it is not compared)" not in out
    assert ("2 to change, 0 already as desired; 1 of them is a secret, sent every time (a device "
            "never shows one, so it is not compared)") in out
    assert "** applied: 2 set, 0 failed, 0 not sent, 0 already as desired" in out
    state = Path(os.environ["XDG_STATE_HOME"])
    recorded = [p.read_text(encoding="utf-8", errors="replace") for p in state.rglob("*") if p.is_file()]
    for where in (out, err, log.read_text(encoding="utf-8"), *recorded):
        assert SECRET not in where
    only = _file(tmp_path, f'xConfiguration SIP Authentication Password: "{SECRET}"\n', "only.cfg")
    code, out, err = await xshell(sim.url, "-c", f"apply {only}")
    assert code == 0, err
    assert ": 1 to change, 0 already as desired; it is a secret, sent every time" in out.splitlines()[0]
    assert "** applied: 1 set, 0 failed, 0 not sent, 0 already as desired" in out
    # a bad secret value: the file and line are named, never the value
    _file(tmp_path, f'xConfiguration SIP Authentication Password: "{SECRET * 20}"\n', "bad.cfg")
    code, out, err = await xshell(sim.url, "-c", f"apply {tmp_path / 'bad.cfg'}")
    assert code == 2 and "bad.cfg:1: " in err and SECRET not in err + out


async def test_a_bad_line_names_file_and_line_sends_nothing_and_the_script_goes_on(
        sim: Any, tmp_path: Path) -> None:
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\n\nxConfiguration Audio DefaultVolme: 3\n")
    code, out, err = await xshell(sim.url, "-c", f"apply {cfg}", "-c", "xStatus Audio Volume")
    assert code == 2
    assert err.strip().startswith("xshell: -c:1: error: room.cfg:3: unknown node 'DefaultVolme'")
    assert "*s Audio Volume: " in out and _value(sim, *VOLUME) == 50
    code, _, err = await xshell(sim.url, "-c", "apply no-such-thing", "-c", f"apply {cfg} --force")
    assert code == 2
    assert err.splitlines() == [
        "xshell: -c:1: error: apply: no file or snapshot named 'no-such-thing' (snapshots: none)",
        "xshell: -c:2: error: apply: unknown option '--force' (options: --check, --keep-going)"]


async def test_read_only_allows_check_and_refuses_apply(sim: Any, tmp_path: Path) -> None:
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\n")
    code, out, err = await xshell(sim.url, "--read-only", "-c", f"apply {cfg} --check", "-c", f"apply {cfg}")
    assert code == 2
    assert "** check: 1 would change" in out
    assert "read-only" in err and "-c:2:" in err
    assert _value(sim, *VOLUME) == 50


async def test_a_setting_that_cuts_the_connection_is_refused_in_a_script(sim: Any, tmp_path: Path) -> None:
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\nxConfiguration NetworkServices Websocket: Off\n")
    code, out, err = await xshell(sim.url, "-c", f"apply {cfg}")
    assert code == 2
    assert "not sent: xConfiguration NetworkServices Websocket" in err and "--yes" in err
    assert _value(sim, *VOLUME) == 50  # the whole batch: nothing was sent


async def test_a_failed_set_stops_unless_keep_going(tmp_path: Path) -> None:
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\nxConfiguration Audio Ultrasound MaxVolume: 20\n")
    with sim_process("--user", "viewer:pw:User", "--user", f"admin:{PASSWORD}") as (url, _):
        code, out, err = await xshell(url, "--user", "viewer", "-c", f"apply {cfg}", password="pw")
        assert code == 1
        lines = out.splitlines()
        assert lines[3] == ('   *c xConfiguration Audio DefaultVolume (error=True, code=-31999): '
                            '"Permission Denied"')
        assert lines[4:6] == ["-*c xConfiguration Audio Ultrasound MaxVolume: 70",
                              "+*c xConfiguration Audio Ultrasound MaxVolume: 20"]
        assert lines[-3:] == ["** applied: 0 set, 1 failed, 1 not sent, 0 already as desired "
                              "(stopped at the first failure; --keep-going sets the rest)", "", "ERROR"]
        code, out, err = await xshell(url, "--user", "viewer", "-c", f"apply {cfg} --keep-going",
                                      password="pw")
        assert code == 1 and "** applied: 0 set, 2 failed, 0 not sent" in out
        code, out, _ = await xshell(url, "-c", f"apply {cfg} --check")  # read back as admin
        assert "** check: 2 would change" in out


async def test_a_lost_connection_says_how_far_it_got(sim: Any, tmp_path: Path) -> None:
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\nxConfiguration Audio Ultrasound MaxVolume: 20\n"
                          'xConfiguration SystemUnit Name: "x"\n')
    sim.simulator.faults.drop_on("xSet", skip=1)
    code, out, err = await xshell(sim.url, "-c", f"apply {cfg}")
    assert code == 3
    assert "** applied: 1 set, 1 failed, 1 not sent, 0 already as desired; the connection was lost" in out
    assert _value(sim, *VOLUME) == 61 and _value(sim, *ULTRA) == 70


async def test_json_shows_a_masked_secret_once(sim: Any, tmp_path: Path) -> None:
    import json
    cfg = _file(tmp_path, f'xConfiguration SIP Authentication Password: "{SECRET}"\n')
    code, out, err = await xshell(sim.url, "-o", "json", "-c", f"apply {cfg} --check")
    assert code == 0, err
    assert json.loads(out)["changes"][0]["new"] == "***" and SECRET not in out


async def test_json_is_one_document(sim: Any, tmp_path: Path) -> None:
    import json
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\n")
    code, out, err = await xshell(sim.url, "-o", "json", "-c", f"apply {cfg} --check")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["changes"] == [{"path": "Audio DefaultVolume", "old": "50", "new": "61", "secret": False,
                               "result": "would change"}]
    assert (doc["check"], doc["unchanged"], doc["set"]) == (True, 0, 0)


@pytest.mark.timeout(60)
async def test_a_fleet_check_groups_each_room_and_exits_with_the_worst(tmp_path: Path) -> None:
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\n")
    with sim_process("--devices", "3", "--password", PASSWORD) as (first, proc):
        assert proc.stdout is not None
        urls = [first] + [proc.stdout.readline().split()[-1] for _ in range(2)]
        code, out, err = await xshell("-c", f"apply {cfg} --check", *urls, "ws://127.0.0.1:1/ws")
        assert code == 3  # the room that never connected
        assert out.count("** check: 1 would change, 0 already as desired; nothing was sent") == 3
        assert [ln[:11] for ln in out.splitlines() if ln.startswith("== ")] == ["== Room 001", "== Room 002",
                                                                              "== Room 003"]
        assert err.strip().splitlines()[-1] == "xshell: 4 devices: 3 ok, 1 failed"
        code, out, err = await xshell("-c", f"apply {cfg}", *urls)
        assert code == 0 and out.count("** applied: 1 set, 0 failed") == 3
        code, out, err = await xshell("-c", f"apply {cfg}", *urls)
        assert out.count(": nothing to change, 1 values already as desired") == 3


async def test_the_twin_serves_a_snapshot_to_rehearse_on(sim: Any, tmp_path: Path) -> None:
    await xshell(sim.url, "-c", "xConfiguration Audio DefaultVolume: 33",
                 "-c", 'xConfiguration SystemUnit Name: "Boardroom"', "-c", "snapshot save room status")
    cfg = _file(tmp_path, "xConfiguration Audio DefaultVolume: 61\n")
    with sim_process("--snapshot", "room", "--password", PASSWORD) as (twin, proc):
        code, out, err = await xshell(twin, "-c", "xConfiguration SystemUnit Name", "-c", "diff room",
                                      "-c", f"apply {cfg}")
        assert code == 0, err
        assert '*c xConfiguration SystemUnit Name: "Boardroom"' in out
        diff = out[out.index("--- room:"):out.index("** apply ")]
        assert "Audio DefaultVolume" not in diff and "-*c " not in diff  # configuration as saved
        assert "** applied: 1 set, 0 failed" in out and "-*c xConfiguration Audio DefaultVolume: 33" in out
    assert _value(sim, *VOLUME) == 33  # the room itself never saw the rehearsal


def test_a_twin_of_a_missing_snapshot_is_one_line_and_exit_2() -> None:
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "xshell.sim", "--port", "0", "--snapshot", "nope"],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("xshell-sim: error: --snapshot nope: no such file, and no stored "
                                  "snapshot of that name in ")
