"""Issue 14, "errors, help and state": what a technician's first day tripped over.

Scripts are run as the real CLI against an `xshell-sim` process (stdout and stderr as a
script sees them); the prompt, history, Ctrl-C and the password prompt are driven on a
pty (`e2e_helpers`), every wait with a deadline.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect  # type: ignore[import-untyped]
import pytest

from tests.clirun import xshell
from tests.conftest import PASSWORD
from tests.e2e_helpers import spawn_xshell
from tests.simproc import sim_process

pytestmark = pytest.mark.timeout(60)
VERBS = ("xCommand, xConfiguration, xDocument, xEvent, xFeedback, xGetxml, xPreferences, "
         "xStatus, xTransaction")


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with sim_process("--password", PASSWORD) as (url, _):
        yield url


def docs(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


# ---- -o json: one document per line, failed ones included ----------------------------
async def test_json_mode_prints_an_error_document_for_every_failed_line(sim_url: str) -> None:
    status, out, err = await xshell(sim_url, "-o", "json", "-c", "xStatsu Audio",
                                    "-c", "xStatus Audio Volume",
                                    "-c", "xConfiguration Video Input Connector 99 Name",
                                    "-c", "xCommand Call Disconnect CallId: 7")
    assert status == 2, err
    got = docs(out)  # every stdout line is a document: jq reads them all
    assert len(got) == 4
    parse = got[0]["error"]
    assert parse == {"message": "unknown command 'xStatsu' at column 1; did you mean xStatus?",
                     "kind": "parse_error", "source": "-c", "line": 1}
    assert got[1] == 50
    assert got[2]["error"]["line"] == 3  # type: ignore[index]
    assert "Connector has no instance 99" in got[2]["error"]["message"]  # type: ignore[index]
    assert got[3]["error"]["message"] == "No active call(s) found."  # type: ignore[index]
    assert "-c:1: parse error" in err  # the person still reads the caret on stderr


async def test_the_readme_jq_error_example_prints_what_it_shows(sim_url: str) -> None:
    """README's `… | jq -r .error.message` example, run as written: its line errs."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(readme) if ln.endswith("| jq -r .error.message"))
    line = readme[at].split(" -c '", 1)[1].split("'", 1)[0]
    status, out, _ = await xshell(sim_url, "-o", "json", "-c", line)
    assert status == 1 and docs(out)[0]["error"]["message"] == readme[at + 1]  # type: ignore[index]


async def test_a_missing_live_instance_is_empty_and_a_missing_schema_instance_an_error(
        sim_url: str) -> None:
    """README's rule: ids the device decides (`[n]`) read empty; ids the schema fixes are
    checked before sending, in Status as in Configuration."""
    status, out, err = await xshell(sim_url, "-c", "xStatus Call 7",
                                    "-c", "xStatus Video Input Connector 99")
    assert status == 0 and out.split() == ["**", "end", "OK"] * 2 and err == ""
    status, out, err = await xshell(sim_url, "-c", "xConfiguration Video Input Connector 99 Name")
    assert status == 2 and "Connector has no instance 99 at column 38; expected one of 1, 2, 3" in err


# ---- the words of an error ------------------------------------------------------------
async def test_columns_count_from_one_and_every_verb_is_listed(sim_url: str) -> None:
    status, _, err = await xshell(sim_url, "-c", "bogus", "-c", 'xCommand Dial Number "x"')
    assert status == 2
    assert f"unknown command 'bogus' at column 1; expected one of {VERBS}" in err.splitlines()
    assert "more)" not in err
    assert "missing ':' after Number at column 21" in err.splitlines()
    lines = err.splitlines()
    caret = lines[lines.index('xCommand Dial Number "x"') + 1]
    assert caret.index("^") + 1 == 21  # the column said is the column the caret is in


async def test_the_place_belongs_to_the_fault_not_to_the_advice(sim_url: str) -> None:
    _, _, err = await xshell(sim_url, "-c", "xStatus Audio Volume: 4")
    assert "xStatus is read-only at column 21; ':' sets only configurations" in err.splitlines()


async def test_value_spaces_read_the_same_in_help_and_in_errors(sim_url: str) -> None:
    status, out, err = await xshell(sim_url, "-c", "xConfiguration Video Monitors ?",
                                    "-c", "xConfiguration Video Monitors: Foo")
    assert status == 2
    form = "<Auto, Dual, DualPresentationOnly, Single, Triple, TriplePresentationOnly>"
    assert f"*? xConfiguration Video Monitors: {form}" in out.splitlines()
    assert f"'Foo' is not one of {form}" in err
    assert "Auto/Dual" not in out + err


# ---- --connect-timeout ----------------------------------------------------------------
async def test_connect_timeout_bounds_the_opening_not_the_replies() -> None:
    """A port that accepts and never answers the upgrade: the wait is --connect-timeout."""
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(4)
        url = f"ws://127.0.0.1:{mute.getsockname()[1]}/ws"
        start = time.monotonic()
        status, _, err = await xshell(url, "--connect-timeout", "0.5", "--timeout", "30",
                                      "-c", "xStatus Audio Volume")
        took = time.monotonic() - start
    assert status == 3 and "Timed out after 0.5 s connecting" in err
    assert took < 8  # not the 10 s default, nor --timeout's 30


async def test_connect_timeout_must_be_positive() -> None:
    status, _, err = await xshell("127.0.0.1", "--connect-timeout", "0", "-c", "x")
    assert status == 2 and "--connect-timeout must be positive" in err


# ---- the password prompt: three tries ---------------------------------------------------
def _login(url: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k != "XSHELL_PASSWORD"}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    return pexpect.spawn(sys.executable, ["-m", "xshell", "--plain", url], env=env,
                         encoding="utf-8", timeout=20, dimensions=(24, 160))


def test_a_mistyped_password_is_asked_again(sim_url: str) -> None:
    child = _login(sim_url)
    child.expect("Password for admin: ")
    child.sendline("typo")
    child.expect("Permission denied, please try again.")
    child.expect("Password for admin: ")
    child.sendline(PASSWORD)
    child.expect(r"\(connected\)>")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_three_wrong_passwords_end_with_exit_3(sim_url: str) -> None:
    child = _login(sim_url)
    for _ in range(2):
        child.expect("Password for admin: ")
        child.sendline("wrong")
        child.expect("Permission denied, please try again.")
    child.expect("Password for admin: ")
    child.sendline("wrong")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3
    last = child.before or ""
    assert "Authentication failed" in last and "Password" not in last and "try again" not in last


# ---- the full-screen shell: Ctrl-C in a body; the prompt's name; history per device -----
def test_ctrl_c_in_a_multiline_body_says_cancelled_and_ends_body_mode() -> None:
    term = spawn_xshell(["--demo"], rows=24, cols=80)
    try:
        term.wait_for(lambda s: "connected" in s.lines()[-1] and "discovering" not in s.lines()[-1],
                      "a connected, idle toolbar")
        term.send('xCommand HttpClient Post Url: "http://example.com/x"\r')
        term.wait_for(lambda s: "body: end" in s.lines()[-1], "the body hint")
        term.send("first body line")
        term.send("\x03")
        screen = term.wait_for(lambda s: any(ln.startswith("cancelled: xCommand HttpClient Post")
                                             for ln in s.lines()), "the cancelled line")
        term.wait_for(lambda s: "body:" not in s.lines()[-1], "the body hint gone")
        assert "first body line" not in screen.lines()[-2]
    finally:
        term.close()


def _history_file(host_port: str) -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "xshell" / "history" / host_port.replace(":", "_")


def test_each_device_keeps_its_own_history_and_the_profile_name_shows_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    with sim_process("--password", PASSWORD, "--devices", "2") as (first, proc):
        line = proc.stdout.readline()  # type: ignore[union-attr]
        second = line.rsplit(" at ", 1)[1].strip()
        config = Path(os.environ["XDG_CONFIG_HOME"]) / "xshell" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'[devices.board]\nhost = "{first}"\nname = "Boardroom"\n',
                          encoding="utf-8")
        term = spawn_xshell(["--plain", "board"], rows=24, cols=120)
        try:
            term.wait_for(lambda s: s.transcript()[-1:] == ["Boardroom (connected)>"],
                          "the profile's name in the prompt of a one-device shell")
            for typed, prompt in (("xStatus Audio Volume", "Boardroom (connected)>"),
                                  (f"connect {second} as room2", "room2 (connected)>"),
                                  ("xStatus Audio VolumeMute", "room2 (connected)>")):
                term.send(typed + "\r")
                term.wait_for(lambda s, p=prompt: s.transcript()[-1:] == [p], f"{prompt} after {typed}")
            term.send("exit\r")
            assert term.wait_exit() == 0
        finally:
            term.close()
    hosts = [url.split("/")[2] for url in (first, second)]
    board, room2 = (_history_file(h).read_text(encoding="utf-8") for h in hosts)
    assert "+xStatus Audio Volume\n" in board and "VolumeMute" not in board
    assert f"+connect {second} as room2\n" in board  # typed while board was current
    assert "+xStatus Audio VolumeMute\n" in room2 and "+exit\n" in room2
