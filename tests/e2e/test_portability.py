"""Windows (and other non-Linux) fallbacks, simulated on the Linux that CI runs.

Windows has no `resource` module, its event loop has no `add_signal_handler`
(NotImplementedError), no `os.getuid`, and its `os.chmod` only toggles read-only. Each
test takes those away from a real xshell or xshell-sim process (PRELUDE, run before
xshell is imported) and checks that the run still does what a user asked for.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, ROOT, USER
from tests.simproc import sim_process

DEADLINE = 20.0

# What a Windows interpreter lacks, taken away before xshell is imported.
PRELUDE = """
import asyncio.unix_events, os, sys
sys.modules["resource"] = None          # no such module on Windows
del os.getuid                           # no owner ids either
os.chmod = lambda *args, **kw: None     # mode bits mean (almost) nothing there
def _not_on_windows(*args, **kw):
    raise NotImplementedError
asyncio.unix_events._UnixSelectorEventLoop.add_signal_handler = _not_on_windows
asyncio.unix_events._UnixSelectorEventLoop.remove_signal_handler = _not_on_windows
"""


def windows_like(entry: str, *args: str) -> list[str]:
    """argv running `entry` ("xshell.cli" or "xshell.sim.__main__") under PRELUDE."""
    code = PRELUDE + f"from {entry} import main\nsys.exit(main(sys.argv[1:]))\n"
    return [sys.executable, "-c", code, *args]


def child_env() -> dict[str, str]:
    return {**os.environ, "XSHELL_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT), "TERM": "dumb"}


async def read_line(proc: subprocess.Popen[str]) -> str:
    line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), DEADLINE)  # type: ignore[union-attr]
    assert line, f"process ended without a line: {proc.stderr.read() if proc.stderr else ''}"
    return line


def stop_with_ctrl_c(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, err


async def test_simulator_fleet_serves_and_stops_on_ctrl_c_without_posix_facilities() -> None:
    proc = subprocess.Popen(windows_like("xshell.sim.__main__", "--port", "0", "--devices", "2",
                                         "--user", USER, "--password", PASSWORD),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
    try:
        lines = [await read_line(proc), await read_line(proc)]
        assert [line.split(" at ")[0] for line in lines] == [
            "xshell-sim: serving Room 001 (Cisco Codec Pro, simulated)",
            "xshell-sim: serving Room 002 (Cisco Codec Pro, simulated)"]
        done = subprocess.run([sys.executable, "-m", "xshell", "-u", USER, "-c", "xStatus Audio Volume",
                               lines[1].split()[-1]], capture_output=True, text=True, timeout=DEADLINE,
                              env=child_env(), stdin=subprocess.DEVNULL)
        assert done.stdout.startswith("*s Audio Volume: "), done.stderr
    finally:
        status, err = stop_with_ctrl_c(proc)
    assert (status, err) == (0, "")


def test_fleet_script_runs_without_posix_facilities() -> None:
    with sim_process("--user", USER, "--password", PASSWORD) as (one, _), \
            sim_process("--user", USER, "--password", PASSWORD) as (two, _):
        fleet = subprocess.run(windows_like("xshell.cli", "-u", USER, "-c", "xStatus Audio Volume", one, two),
                               capture_output=True, text=True, timeout=DEADLINE, env=child_env(),
                               stdin=subprocess.DEVNULL)
        assert fleet.returncode == 0, fleet.stderr
        assert fleet.stdout.count("*s Audio Volume: ") == 2
        assert fleet.stderr.splitlines()[-1] == "xshell: 2 devices: 2 ok, 0 failed"


def test_snapshot_saves_where_there_are_no_owner_ids_and_chmod_does_nothing() -> None:
    folder = Path(os.environ["XDG_DATA_HOME"]) / "xshell" / "snapshots"
    folder.mkdir(parents=True)
    folder.chmod(0o755)  # as an older xshell left it: POSIX xshell tightens it, Windows cannot
    with sim_process("--user", USER, "--password", PASSWORD) as (one, _):
        snap = subprocess.run(windows_like("xshell.cli", "-u", USER, "-c", "snapshot save before",
                                           "-c", "snapshot list", one),
                              capture_output=True, text=True, timeout=DEADLINE, env=child_env(),
                              stdin=subprocess.DEVNULL)
    assert snap.returncode == 0, snap.stderr
    assert any(ln.startswith("before ") for ln in snap.stdout.splitlines())  # `snapshot list` shows it
    assert (folder / "before.json").is_file()


class Windowsish:
    """The running loop without add/remove_signal_handler, as on Windows."""

    @staticmethod
    def patch(monkeypatch: pytest.MonkeyPatch) -> None:
        def not_on_windows(*_args: object) -> None:
            raise NotImplementedError
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(loop, "add_signal_handler", not_on_windows)
        monkeypatch.setattr(loop, "remove_signal_handler", not_on_windows)


async def test_follow_stops_on_ctrl_c_without_loop_signal_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    from xshell.modes.script import _follow

    class Connected:
        async def wait_gone(self) -> str:
            await asyncio.sleep(DEADLINE)
            return "gone"

    Windowsish.patch(monkeypatch)
    before = signal.getsignal(signal.SIGINT)
    following = asyncio.ensure_future(_follow(Connected(), asyncio.Event(), []))
    await asyncio.sleep(0)  # _follow is now waiting, its Ctrl-C handler in place
    signal.raise_signal(signal.SIGINT)
    assert await asyncio.wait_for(following, DEADLINE) == 130  # stopped by Ctrl-C: 130, as on Linux
    assert signal.getsignal(signal.SIGINT) is before


async def test_ctrl_c_cancels_the_request_not_the_session_without_loop_signal_handlers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from xshell.ui.sigint import cancel_on_sigint

    Windowsish.patch(monkeypatch)
    before = signal.getsignal(signal.SIGINT)
    request = asyncio.ensure_future(asyncio.sleep(DEADLINE))
    with cancel_on_sigint(request):
        signal.raise_signal(signal.SIGINT)
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(request, DEADLINE)
    assert request.cancelled()  # the request, not this (the session's) task
    assert signal.getsignal(signal.SIGINT) is before  # the session's own Ctrl-C handling is back


def test_history_is_kept_where_chmod_does_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from xshell.ui.history import open_history

    monkeypatch.setattr(os, "chmod", lambda *args, **kw: None)
    path = tmp_path / "history" / "room"
    path.parent.mkdir()
    path.write_bytes(b"".join(f"\n# 2026-01-01 00:00:0{i}\n+xStatus {i}\n".encode() for i in range(5)))
    history = open_history(path, 2)
    assert list(history.load_history_strings()) == ["xStatus 4", "xStatus 3"]
