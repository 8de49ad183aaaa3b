"""Start-up: the prompt is on screen before the device answers, and what that changes.

`xshell URL` draws its prompt at once (◌, "connecting to HOST…") and connects behind it
(issue 18's start-up bar). A line typed meanwhile waits and runs once the device is
there; Ctrl-D while connecting quits at once and cleanly; a start that cannot connect
leaves the screen as a shell that connected first leaves it: one line, exit 3. The device
is a real simulator behind a relay that holds every connection until the test releases
it (tests.held_device), so "before the device answers" is a fact, not a race.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import WIDE
from tests.e2e_helpers import Screen, Term
from tests.held_device import HeldDevice, held_device
from tests.simproc import sim_process

pytestmark = pytest.mark.timeout(60)

CONNECTED = "xshell-sim●"  # the simulator's SystemUnit Name and the connected mark


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, HeldDevice]]:
    """ws:// URL of a simulator that answers only after `release()`; the password is set."""
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    with sim_process("--password", PASSWORD) as (url, _), \
            held_device(int(url.split(":")[2].split("/")[0])) as device:
        yield f"ws://127.0.0.1:{device.port}/ws", device


def input_row(s: Screen) -> str:
    return s.lines()[-2]


def toolbar(s: Screen) -> str:
    return s.lines()[-1]


def connecting(term: Term, host: str) -> None:
    """The first prompt, drawn while connecting: the mark, and the toolbar naming the host."""
    term.at_rest = lambda s: s.y == s.rows - 2
    term.wait_for(lambda s: input_row(s) == f"{host} (connecting)◌"
                  and f"◌ connecting to {host}…" in toolbar(s), "the prompt while connecting")


def test_a_line_typed_while_connecting_runs_once_the_device_answers(
        xshell: Callable[..., Term], held: tuple[str, HeldDevice]) -> None:
    url, device = held
    host = url.split("/")[2]
    term = xshell(url)
    connecting(term, host)
    assert device.accepted.wait(10), "xshell never connected to the device"
    term.send("xStatus Audio Volume\r")
    term.wait_for(lambda s: "running" in toolbar(s) and "◌" in input_row(s),
                  "the line waiting for the device")
    assert not term.screen.contains("*s Audio Volume")
    device.release()
    term.wait_for(lambda s: input_row(s) == CONNECTED and "● connected" in toolbar(s)
                  and s.contains("*s Audio Volume: 50"), "the answer and the connected prompt")
    assert term.screen.contains("Welcome to xshell-sim")
    term.key("ctrl-d")
    assert term.wait_exit() == 0


def test_ctrl_d_while_connecting_quits_at_once_and_cleanly(
        xshell: Callable[..., Term], held: tuple[str, HeldDevice]) -> None:
    url, device = held
    term = xshell(url, size=WIDE)
    connecting(term, url.split("/")[2])
    assert device.accepted.wait(10)
    term.key("ctrl-d")
    assert term.wait_exit() == 0
    # nothing on the terminal after the full screen: no "Task was destroyed", no warning
    assert term.screen.transcript() == []


def _first_line_of_a_shell_that_connects_first(url: str) -> str:
    """What the shell prints when it cannot connect, stdin not a terminal: today's order."""
    done = subprocess.run([sys.executable, "-m", "xshell", url], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 3 and done.stdout == "", done
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_refused_start_leaves_one_line_and_exit_3(xshell: Callable[..., Term],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    url = "ws://127.0.0.1:9/ws"  # nothing listens on the discard port
    term = xshell(url, size=WIDE)
    assert term.wait_exit() == 3
    assert "◌" in "".join(term.raw)  # the prompt was drawn first, then the screen cleaned up
    assert term.screen.transcript() == [_first_line_of_a_shell_that_connects_first(url)]


def test_a_refused_login_leaves_one_line_and_exit_3(xshell: Callable[..., Term],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", "not-the-password")
    with sim_process("--password", PASSWORD) as (url, _):
        term = xshell(url, size=WIDE)
        assert term.wait_exit() == 3
        assert "◌" in "".join(term.raw)
        line = _first_line_of_a_shell_that_connects_first(url)
    assert "Authentication failed" in line
    assert term.screen.transcript() == [line]


def test_plain_mode_prompts_while_connecting_and_runs_the_line_after(
        xshell: Callable[..., Term], held: tuple[str, HeldDevice]) -> None:
    url, device = held
    host = url.split("/")[2]
    term = xshell("--plain", url, size=(24, 120))
    term.wait_for(lambda s: s.transcript()[-1:] == [f"{host} (connecting)>"], "the plain prompt")
    assert device.accepted.wait(10)
    term.send("xStatus Audio Volume\r")
    term.wait_for(lambda s: s.transcript()[-1:] == [f"{host} (connecting)> xStatus Audio Volume"],
                  "the line waiting")
    device.release()
    term.wait_for(lambda s: "*s Audio Volume: 50" in s.transcript()
                  and s.transcript()[-1:] == ["xshell-sim (connected)>"], "the answer")
    assert "Welcome to xshell-sim" in term.screen.transcript()
    term.key("ctrl-d")
    assert term.wait_exit() == 0


def test_plain_mode_shows_a_hostile_device_name_in_the_banner_inert(
        xshell: Callable[..., Term], monkeypatch: pytest.MonkeyPatch) -> None:
    """The banner printed behind the first plain prompt goes through the output boundary:
    a device named with OSC/BEL/CSI bytes shows them as text, never obeyed."""
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    with sim_process("--password", PASSWORD) as (url, _):
        named = subprocess.run(
            [sys.executable, "-m", "xshell", url, "-c",
             'xConfiguration SystemUnit Name: "evil\x1b]0;PWNED\x07\u009b31mRED"'],
            capture_output=True, text=True, timeout=30)
        assert named.returncode == 0, named.stderr
        term = xshell("--plain", url, size=(24, 120))
        term.wait_for(lambda s: any(r.startswith("Welcome to ") for r in s.transcript()), "the banner")
        welcome = next(r for r in term.screen.transcript() if r.startswith("Welcome to "))
        assert welcome == "Welcome to evil\\x1b]0;PWNED\\x07\\u009b31mRED"
        term.key("ctrl-d")
        assert term.wait_exit() == 0
