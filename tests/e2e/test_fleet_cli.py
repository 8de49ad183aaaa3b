"""Scripted runs on 50 simulated rooms: `xshell-sim --devices 50` in its own process.

The rooms are one `xshell-sim --devices 50` subprocess for the whole module; the scripts
here only read from them, so the tests do not depend on each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import child_env, xshell
from tests.conftest import PASSWORD, USER
from tests.simproc import sim_process
from xshell.modes.fleet_run import device_options
from xshell.options import Connection, Fleet, Options, Output, Scripting
from xshell.modes import fleet

COUNT = 50
LINE = re.compile(r"xshell-sim: serving (Room \d{3}) \((.+), simulated\) at (ws://\S+)$")
SCRIPT = "xConfiguration SystemUnit Name\nxStatus SystemUnit ProductId\n"


def read_lines(proc: Any, count: int, timeout: float = 20.0) -> list[str]:
    """`count` more stdout lines of `proc`, or fail after `timeout` s."""
    async def read() -> list[str]:
        return [await asyncio.to_thread(proc.stdout.readline) for _ in range(count)]
    return asyncio.run(asyncio.wait_for(read(), timeout))


@contextlib.contextmanager
def sim_fleet(count: int) -> Iterator[dict[str, str]]:
    """`xshell-sim --devices count`; yields {room name: url}."""
    with sim_process("--devices", str(count), "--password", PASSWORD) as (first, proc):
        rest = read_lines(proc, count - 1)
        rooms: dict[str, str] = {}
        for line in rest:
            m = LINE.match(line.rstrip("\n"))
            assert m, line
            rooms[m.group(1)] = m.group(3)
        missing = {f"Room {i:03d}" for i in range(1, count + 1)} - set(rooms)
        assert len(missing) == 1  # the first line went to simproc, which kept only its URL
        rooms[missing.pop()] = first
        yield rooms


@pytest.fixture(scope="module")
def rooms() -> Iterator[dict[str, str]]:
    with sim_fleet(COUNT) as served:
        yield served


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)


def port_of(url: str) -> str:
    return url.split("/")[2]


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"ws://127.0.0.1:{port}/ws"


def script_args(path: Path, urls: list[str], *, output: str = "terminal", follow: bool = False,
                log: str | None = None, log_format: str | None = None, jobs: int = 32) -> Options:
    """What the CLI hands xshell.modes.fleet.run for `xshell -f PATH URL…`."""
    run = Options(connection=Connection(user=USER, auth="basic"),
                  script=Scripting(file=str(path), follow=follow),
                  output=Output(format=output, log=log, log_format=log_format), fleet=Fleet(jobs=jobs))
    return run._replace(devices=device_options(run, urls))


def blocks(stdout: str) -> dict[str, list[str]]:
    """Terminal-mode stdout split into {header: lines}; headers must be unique."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in stdout.splitlines():
        if line.startswith("== "):
            assert line not in found, f"two blocks for {line}"
            current = found[line] = []
        else:
            assert current is not None, f"output before any block: {line!r}"
            current.append(line)
    return found


def assert_every_room_answered(stdout: str, rooms: dict[str, str]) -> None:
    got = blocks(stdout)
    assert len(got) == len(rooms)
    for name, url in rooms.items():
        lines = got[f"== {name} ({port_of(url)}) =="]  # each block is its own device's
        assert f'*c xConfiguration SystemUnit Name: "{name}"' in lines
        assert '*s SystemUnit ProductId: "Cisco Codec Pro"' in lines


@pytest.mark.slow  # fifty simulators; the smaller fleet runs above stay everyday
def test_fifty_rooms_each_in_its_own_block(rooms: dict[str, str], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "script.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    status = fleet.run(script_args(script, list(rooms.values())))
    out, err = capsys.readouterr()
    assert status == 0
    assert_every_room_answered(out, rooms)
    assert err.splitlines()[-1] == "xshell: 50 devices: 50 ok, 0 failed"
    assert "\x1b" not in err and "\r" not in err  # stderr is no terminal: nothing animated
    summary = err.splitlines()[:-1]
    assert summary[0].split()[:4] == ["device", "host", "exit", "ok"]
    assert {row.split()[0] + " " + row.split()[1] for row in summary[1:]} == set(rooms)


def test_closed_ports_are_named_and_set_the_exit_status(
        rooms: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "script.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    dead = [closed_port_url(), closed_port_url()]
    some = list(rooms.values())[:10]
    status = fleet.run(script_args(script, some + dead, jobs=4))
    out, err = capsys.readouterr()
    assert status == 3
    assert err.splitlines()[-1] == "xshell: 12 devices: 10 ok, 2 failed"
    for url in dead:
        host = port_of(url)
        assert not any(host in ln for ln in out.splitlines())  # no block: it never answered
        said = [ln for ln in err.splitlines() if host in ln and "refused" in ln]
        assert len(said) == 1, err  # once: its summary row, not a note and a row
        assert said[0].startswith(f"{host} ") and said[0].split()[2] == "3"


def test_a_target_with_a_password_never_shows_it(
        rooms: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "script.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    log = tmp_path / "run.log"
    bad = "ws://admin:s3cret@PW@127.0.0.1:1/ws"
    status = fleet.run(script_args(script, [list(rooms.values())[0], bad], log=str(log)))
    out, err = capsys.readouterr()
    assert status == 3
    for text in (out, err, log.read_text(encoding="utf-8")):
        assert "s3cret" not in text and "PW@" not in text
    assert any(ln.startswith("ws://***@127.0.0.1:1/ws ") for ln in err.splitlines())  # named, masked


def test_json_mode_tags_every_document_with_its_device(
        rooms: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "script.xapi"
    script.write_text("xStatus Audio Volume\nxCommand Call Disconnect CallId: 99\n", encoding="utf-8")
    status = fleet.run(script_args(script, list(rooms.values()), output="json"))
    out, err = capsys.readouterr()
    assert status == 1  # the xAPI error on every room is the worst
    docs = [json.loads(line) for line in out.splitlines()]  # every stdout line is a document
    assert len(docs) == 2 * COUNT
    assert {d["device"] for d in docs} == set(rooms)
    assert {d["host"] for d in docs} == {port_of(u) for u in rooms.values()}
    assert sorted(d["result"] for d in docs if isinstance(d["result"], int)) == [50] * COUNT
    errors = [d for d in docs if isinstance(d["result"], dict) and "error" in d["result"]]
    assert len(errors) == COUNT and all("No active call" in d["result"]["error"]["message"]
                                        for d in errors)
    assert err.splitlines()[-1] == "xshell: 50 devices: 0 ok, 50 failed"
    assert "script.xapi:2: No active call(s) found." in err


def test_follow_with_several_devices_is_refused(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.xapi"
    script.write_text("xFeedback register /Status/Audio\n", encoding="utf-8")
    status = fleet.run(script_args(script, [closed_port_url(), closed_port_url()], follow=True))
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err == "xshell: error: --follow follows one device; it cannot be used with several devices\n"


def test_an_unterminated_body_is_refused_before_any_device_is_contacted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.xapi"
    script.write_text("xStatus Audio Volume\nxCommand HttpClient Post Url: \"http://x\"\n{\n",
                      encoding="utf-8")
    status = fleet.run(script_args(script, [closed_port_url(), closed_port_url()]))
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith(f"xshell: error: {script}: ") and err.count("\n") == 1
    assert "refused" not in err  # nobody was connected to


def test_one_transcript_records_every_device(rooms: dict[str, str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("xshell.session.transcript")
    script = tmp_path / "script.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    log = tmp_path / "fleet.jsonl"
    some = dict(list(rooms.items())[:3])
    dead = closed_port_url()
    status = fleet.run(script_args(script, [*some.values(), dead], log=str(log),
                                   log_format="jsonl"))
    capsys.readouterr()
    assert status == 3
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    for name in some:
        sent = [r["line"] for r in records if r["device"] == name and r["kind"] == "sent"]
        assert sent == SCRIPT.splitlines()
    notes = [r for r in records if r["device"] == port_of(dead)]
    assert len(notes) == 1 and notes[0]["kind"] == "note" and "refused" in notes[0]["line"]


def test_an_unopenable_transcript_is_refused_before_any_device(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("xshell.session.transcript")
    script = tmp_path / "s.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    status = fleet.run(script_args(script, [closed_port_url(), closed_port_url()],
                                   log=str(tmp_path), log_format="text"))  # a directory
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("xshell: error: --log: ") and str(tmp_path) in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stdout_is_terminal", [False, True])
def test_progress_bar_and_table_only_on_a_terminal_stderr(
        rooms: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], stdout_is_terminal: bool) -> None:
    script = tmp_path / "script.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    terminal, screen = _Terminal(), _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    if stdout_is_terminal:  # the bar is erased and drawn again around every block
        monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    some = dict(list(rooms.items())[:5])
    status = fleet.run(script_args(script, list(some.values()) + [closed_port_url()]))
    out = screen.getvalue() if stdout_is_terminal else capsys.readouterr().out
    shown = terminal.getvalue()
    assert status == 3
    assert "\x1b" not in out and len(blocks(out)) == 5  # stdout: the blocks only (none for the closed port)
    assert "━" in shown and "/6" in shown  # the bar (done/total) drew on the terminal
    assert "first error" in shown and "refused" in shown  # the summary table
    assert shown.rstrip().endswith("xshell: 6 devices: 5 ok, 1 failed")


@pytest.mark.slow  # fifty simulators, as above
async def test_the_command_line_runs_a_script_on_fifty_rooms(rooms: dict[str, str],
                                                              tmp_path: Path) -> None:
    script = tmp_path / "script.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    status, out, err = await xshell("-f", str(script), *rooms.values())
    assert status == 0, err
    assert_every_room_answered(out, rooms)
    assert err.splitlines()[-1] == "xshell: 50 devices: 50 ok, 0 failed"


async def test_the_command_line_exit_status_is_the_worst_device(rooms: dict[str, str],
                                                                 tmp_path: Path) -> None:
    script = tmp_path / "script.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    dead = closed_port_url()
    status, out, err = await xshell("-f", str(script), *list(rooms.values())[:5], dead,
                                    "--jobs", "2")
    assert status == 3
    assert err.splitlines()[-1] == "xshell: 6 devices: 5 ok, 1 failed"
    assert [ln.split()[2] for ln in err.splitlines() if ln.startswith(f"{port_of(dead)} ")] == ["3"]


async def test_a_script_piped_on_stdin_runs_on_every_device(rooms: dict[str, str]) -> None:
    """`xshell ROOM1 ROOM2 < script.xapi`: stdin is read whole, then runs on each device
    (it used to end in a traceback: the stream was taken for a list)."""
    picked = dict(list(rooms.items())[:2])
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "xshell", *picked.values(), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=child_env())
    out, err = await asyncio.wait_for(proc.communicate(SCRIPT.encode()), 30)
    assert proc.returncode == 0, err.decode()
    assert_every_room_answered(out.decode(), picked)
    assert err.decode().splitlines()[-1] == "xshell: 2 devices: 2 ok, 0 failed"


async def test_a_password_on_the_command_line_is_warned_about_once_per_run(
        rooms: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XSHELL_PASSWORD")
    script = tmp_path / "script.xapi"
    script.write_text(SCRIPT, encoding="utf-8")
    status, out, err = await xshell("-p", PASSWORD, "-f", str(script), *list(rooms.values())[:6],
                                    password=None)
    assert status == 0, err
    assert len(blocks(out)) == 6
    assert [ln for ln in err.splitlines() if "-p is visible" in ln] == [
        "xshell: warning: a password given with -p is visible to other users of this machine "
        "(ps); prefer $XSHELL_PASSWORD, the keyring or the prompt"]
