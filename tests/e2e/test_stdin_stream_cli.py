"""A script piped on stdin runs line by line as the lines arrive (issue 14).

The driver is what expect, netmiko and tshell drivers do over `ssh codec`: write one
line, wait (with a deadline) for a whole line `OK`, `ERROR` or `Command not recognized.`
on stdout, then write the next, with stdin still open. Reading stdin to its end first
would time out on the first wait.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.simproc import sim_process

PASSWORD = "stream-Pa55word"
ENDS = ("OK", "ERROR", "Command not recognized.")


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with sim_process("--user", "admin", "--password", PASSWORD) as (url, _):
        yield url


class Driver:
    """An expect-style driver of an `xshell URL` process fed through a pipe."""

    def __init__(self, url: str) -> None:
        env = {**os.environ, "XSHELL_PASSWORD": PASSWORD, "TERM": "xterm"}
        self.proc = subprocess.Popen([sys.executable, "-m", "xshell", url],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.sel = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.pending = b""

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\r\n")  # netmiko and expect send CR LF
        self.proc.stdin.flush()

    def answer(self, deadline: float = 20.0) -> list[str]:
        """Stdout lines up to and including the next terminator line."""
        assert self.proc.stdout is not None
        end = time.monotonic() + deadline
        while True:
            lines = self.pending.decode().split("\n")
            for i, line in enumerate(lines[:-1]):
                if line.rstrip("\r") in ENDS:
                    self.pending = "\n".join(lines[i + 1:]).encode()
                    return lines[:i + 1]
            left = end - time.monotonic()
            if left <= 0 or not self.sel.select(left):
                raise AssertionError(f"no OK/ERROR within {deadline} s; got {self.pending!r}")
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"xshell ended before answering; got {self.pending!r}")
            self.pending += chunk

    def close(self) -> tuple[int, str]:
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        code = self.proc.wait(20)
        err = self.proc.stderr.read().decode()
        self.sel.close()
        return code, err


def test_each_line_is_answered_before_the_next_is_written(sim_url: str) -> None:
    drv = Driver(sim_url)
    try:
        drv.send("echo off")
        assert drv.answer() == ["", "OK"]
        drv.send("xStatus Audio Volume")
        assert drv.answer() == ["*s Audio Volume: 50", "** end", "", "OK"]
        drv.send("xConfiguration Audio DefaultVolume: 35")
        assert drv.answer() == ["** end", "", "OK"]
        drv.send("frobnicate")  # netmiko's third terminator
        assert drv.answer() == ["Command not recognized."]
        drv.send("xCommand Audio Volume Set Level: 500")  # refused before sending: still ends
        assert drv.answer() == ["ERROR"]
        drv.send("xCommand Call Disconnect CallId: 4711")  # the device's own error
        assert drv.answer()[-1] == "ERROR"
        drv.send("xConfiguration Audio DefaultVolume")
        assert drv.answer()[0] == "*c xConfiguration Audio DefaultVolume: 35"
    finally:
        code, err = drv.close()
    assert code == 2  # a refused line: the run's status says so at the end
    assert "<stdin>:4: parse error" in err and "unknown command 'frobnicate'" in err
    assert "<stdin>:5: parse error" in err and "0..100" in err


def test_a_multiline_body_streams_too_and_echo_on_repeats_lines(sim_url: str) -> None:
    drv = Driver(sim_url)
    try:
        drv.send("echo on")
        assert drv.answer() == ["", "OK"]
        drv.send("xStatus Audio Volume")
        assert drv.answer() == ["xStatus Audio Volume", "*s Audio Volume: 50", "** end", "", "OK"]
        drv.send("xCommand UserInterface Extensions Panel Save PanelId: p1")
        drv.send('<Extensions><Panel><Name>p</Name></Panel></Extensions>')
        drv.send(".")
        answer = drv.answer()
        assert answer[0] == "xCommand UserInterface Extensions Panel Save PanelId: p1"
        assert answer[2] == "."
    finally:
        code, _ = drv.close()
    assert code in (0, 1)


def test_shell_commands_refusals_and_raw_lines_each_end_with_ok_or_error(sim_url: str) -> None:
    drv = Driver(sim_url)
    try:
        drv.send("echo off")
        assert drv.answer() == ["", "OK"]
        drv.send("xCommand Macros Macro Remove Name: room")  # the guard refuses: nothing sent
        assert drv.answer() == ["ERROR"]
        drv.send("macro remove room")  # the same request from the shell's own command
        assert drv.answer() == ["ERROR"]
        drv.send("systemtools license list")
        assert drv.answer() == ["ERROR"]
        drv.send("systemtools network ping")
        assert drv.answer() == ["ERROR"]
        drv.send("macro list")
        assert drv.answer() == ["no macros on this device (runtime running)", "", "OK"]
        drv.send('{"jsonrpc":"2.0","id":1,"method":"xGet","params":{"Path":["Status","Audio","Volume"]}}')
        assert drv.answer() == ["50", "", "OK"]
        drv.send('{"jsonrpc":"2.0","id":2,"method":"xGet","params":{"Path":["Status","Audio","Nope"]}}')
        assert drv.answer()[-2:] == ["", "ERROR"]
        drv.send("xCommand Audio Volume Set Level: 30")  # OK first, then its *r block
        assert drv.answer() == ["", "OK"]
        drv.send("echo off")  # no stray OK of xshell's after the block
        assert drv.answer() == ["*r VolumeSetResult (status=OK): ", "** end", "", "OK"]
    finally:
        code, err = drv.close()
    assert code == 2
    assert "<stdin>:3: error: not sent: xCommand Macros Macro Remove" in err
