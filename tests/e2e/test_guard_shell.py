"""The guard in the interactive shell (issue 16), read off a real terminal.

`xshell --demo` (and two simulated rooms for `@…`) on a pty: a destructive line asks
first — naming the room, or the number of rooms — and a no sends nothing, a yes sends it.
Every wait has a deadline (tests.e2e_helpers.Term.wait_for).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import PASSWORD
from tests.e2e_helpers import Screen, Term
from tests.simproc import sim_process

pytestmark = pytest.mark.timeout(60)

FS_PROMPT = "xshell-sim●"
PLAIN_PROMPT = "xshell-sim (connected)>"
QUESTION = "xCommand SystemUnit Boot reboots or resets the device: send it to demo (xshell-sim)? [y/N]"


TERM_SIZE = (24, 100)  # rows × cols of the `xshell` fixture (tests/e2e/conftest.py)


def _output(s: Screen) -> str:
    """The output pane's rows joined without blanks (it wraps long lines at any width)."""
    return "".join(ln.split("│")[0] for ln in s.lines()[:-3]).replace(" ", "")


def _shows(text: str) -> Callable[[Screen], bool]:
    want = text.replace(" ", "")
    return lambda s: want in _output(s)


def _fullscreen(xshell: Callable[..., Term], *args: str, prompt: str = FS_PROMPT) -> Term:
    term = xshell(*args)
    term.at_rest = lambda s: s.y == s.rows - 2
    term.wait_for(lambda s: s.lines()[-2] == prompt and "connected" in s.lines()[-1]
                  and "discovering" not in s.lines()[-1], "the empty prompt, connected and idle")
    return term


def test_fullscreen_asks_naming_the_room_and_a_no_sends_nothing(xshell: Callable[..., Term]) -> None:
    term = _fullscreen(xshell, "--demo")
    term.send("xCommand SystemUnit Boot\r")
    term.wait_for(lambda s: _shows(QUESTION)(s) and s.lines()[-2] == "[y/N]",
                  "the question, and the prompt turned into [y/N]")
    term.send("n\r")
    term.wait_for(_shows("not sent: xCommand SystemUnit Boot (you answered no)"), "the refusal")
    term.send("xStatus SystemUnit Uptime\r")  # the room is still up: it never rebooted
    term.wait_for(lambda s: _shows("*s SystemUnit Uptime:")(s) and "● connected" in s.lines()[-1],
                  "the next line answered on the same connection")
    assert "SystemUnitBootResult" not in _output(term.screen)


def test_fullscreen_asks_before_a_shell_command_removes(xshell: Callable[..., Term]) -> None:
    term = _fullscreen(xshell, "--demo")
    term.send("macro remove room\r")
    term.wait_for(lambda s: _shows("xCommand Macros Macro Remove removes or clears what is stored "
                                   "on the device: send it to demo (xshell-sim)? [y/N]")(s)
                  and s.lines()[-2] == "[y/N]", "the question, and the prompt turned into [y/N]")
    term.send("n\r")
    term.wait_for(_shows("not sent: xCommand Macros Macro Remove (you answered no)"), "the refusal")
    assert "macroroomremoved" not in _output(term.screen)


def test_fullscreen_a_yes_sends_it_and_the_answer_is_not_history(xshell: Callable[..., Term]) -> None:
    term = _fullscreen(xshell, "--demo")
    term.send("xCommand SystemUnit Boot\r")
    term.wait_for(_shows(QUESTION), "the question")
    term.send("yes\r")
    term.wait_for(_shows("*r SystemUnitBootResult (status=OK):"), "the device's answer")
    term.send("\x1b[A")  # Up: the last line typed is the command, never the answer
    term.wait_for(lambda s: s.lines()[-2].endswith("xCommand SystemUnit Boot"), "the recalled line")


def test_plain_asks_at_a_prompt_of_its_own(xshell: Callable[..., Term]) -> None:
    term = xshell("--demo", "--plain", size=(24, 100))
    term.wait_for(lambda s: s.transcript()[-1:] == [PLAIN_PROMPT], "the plain prompt")
    term.send("xConfiguration NetworkServices Websocket: Off\r")
    question = ("xConfiguration NetworkServices Websocket may cut xshell's connection to the "
                "device: send it to demo (xshell-sim)? [y/N]")
    term.wait_for(lambda s: "".join(s.transcript()[-2:]).replace(" ", "")
                  == question.replace(" ", ""), "the question at its own prompt")
    term.send("\r")  # Enter alone is no
    term.wait_for(lambda s: s.transcript()[-1:] == [PLAIN_PROMPT]
                  and any("(you answered no)" in ln for ln in s.transcript()), "the refusal")
    term.send("xConfiguration NetworkServices Websocket\r")
    term.wait_for(lambda s: "*c xConfiguration NetworkServices Websocket: FollowHTTPService"
                  in s.transcript(), "the unchanged value read back")


def test_an_at_line_asks_once_naming_the_number_of_rooms(xshell: Callable[..., Term],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    with sim_process("--password", PASSWORD, "--devices", "2") as (first, proc):
        second = proc.stdout.readline().rsplit(" at ", 1)[1].strip()  # type: ignore[union-attr]
        names = [url.split("/")[2] for url in (first, second)]
        term = _fullscreen(xshell, first, second, prompt=f"{names[0]}●")
        term.send("@all xCommand SystemUnit Boot\r")
        term.wait_for(_shows("xCommand SystemUnit Boot reboots or resets the device: send it to "
                             "2 rooms? [y/N]"), "one question for both rooms")
        term.send("n\r")
        term.wait_for(_shows("not sent: xCommand SystemUnit Boot to 2 rooms (you answered no)"),
                      "one refusal for both rooms")
        term.send(f"@{names[1]} xCommand SystemUnit Boot\r")  # one room: named
        term.wait_for(_shows(f"send it to {names[1]} (Room 002)? [y/N]"), "the room named")
        term.send("y\r")
        term.wait_for(_shows("** 1 device: 1 ok"), "sent to that room only")
