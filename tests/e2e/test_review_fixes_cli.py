"""Fixes from the final review, as a script user sees them: secrets stay masked in echoes,
parse errors and logs; shell commands answer JSON documents under `-o json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import xshell


async def test_echo_on_shows_each_line_masked(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "-c", "echo on",
                                  "-c", "xConfiguration SIP Authentication Password: Zz-echo")
    assert code == 0, err
    assert "xConfiguration SIP Authentication Password: ***" in out.splitlines()
    assert "Zz-echo" not in out + err


async def test_a_misspelled_secret_name_stays_masked_in_the_error_and_log(sim: Any, tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    code, out, err = await xshell(sim.url, "--log", str(log),
                                  "-c", "xConfiguration SIP Authentication Pasword: Zz-b1",
                                  "-c", "xSet Configuration/SIP/Authentication/Password Zz-b2")
    assert code != 0
    assert "parse error" in err
    text = out + err + log.read_text(encoding="utf-8")
    assert "Zz-b1" not in text and "Zz-b2" not in text


def test_the_twin_names_its_snapshot_inertly(tmp_path: Path) -> None:
    """A snapshot file's name and device are a file's words: control characters never
    reach the terminal (xshell.inert), as everything else from a device or file."""
    import subprocess
    import sys
    snap = tmp_path / "evil.json"
    snap.write_text(json.dumps({"name": "r\x1b]0;pwn\x07", "device": "dev\x1b[2J", "configuration": {}}),
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "xshell.sim", "--host", "256.1.1.1", "--port", "0",
                           "--snapshot", str(snap), "--password", "x"],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert "playing snapshot r" in done.stderr and " of dev" in done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr


async def test_under_json_every_shell_command_answers_json_documents(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "-o", "json", "-c", "echo on",
                                  "-c", "xConfiguration SIP Authentication Password: Zz-j", "-c", "echo off",
                                  "-c", "trace", "-c", "watch", "-c", "guard", "-c", "output")
    assert code == 0, err
    docs = [json.loads(ln) for ln in out.splitlines()]  # every line one JSON document
    assert docs[0] == {"command": "echo", "lines": []}
    assert docs[1] == {"echo": "xConfiguration SIP Authentication Password: ***"}
    commands = [d["command"] for d in docs if isinstance(d, dict) and "command" in d]
    assert commands == ["echo", "echo", "trace", "watch", "guard", "output"]
    assert {"command": "output", "lines": ["output: json"]} in docs
    assert "Zz-j" not in out + err



async def _catching(pid: int, sig: int) -> None:
    """Wait (with a deadline) until process `pid` catches `sig`: the run follows now."""
    import asyncio
    import time
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        pytest.skip("needs /proc to see when the run starts following")
    deadline = time.monotonic() + 30
    while not int(next(ln.split()[1] for ln in status.read_text().splitlines()
                       if ln.startswith("SigCgt:")), 16) & (1 << (sig - 1)):
        assert time.monotonic() < deadline, "the run never started following"
        await asyncio.sleep(0.01)


async def test_a_follow_stopped_by_sigterm_says_so_and_exits_143(sim: Any) -> None:
    import asyncio
    import signal
    import subprocess
    import sys

    from tests.clirun import child_env
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "xshell", sim.url, "--follow", "-c", "watch Status/Audio/Volume",
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
    try:
        assert proc.stdout is not None
        while (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() != b"OK":
            assert proc.returncode is None  # the watch's answer ends with OK: now following
        await _catching(proc.pid, signal.SIGTERM)
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 143
    assert "xshell: stopped (SIGTERM)" in err.decode() and "closed by the client" not in err.decode()
