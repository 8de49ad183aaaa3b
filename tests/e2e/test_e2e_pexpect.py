"""End to end: the real `xshell --demo` in a pseudo-terminal, read back as a screen.

These are the top layer of the test pyramid (repl-anchors §0.10 d): a child process on
a pty of fixed size, TERM=xterm-256color, PROMPT_TOOLKIT_NO_CPR=1 (pitfall 8) and the
per-test XDG dirs, keys sent as a terminal sends them, and assertions on what the user
would read on the screen (see `e2e_helpers.Screen`). Every wait has a deadline.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import WIDE
from tests.e2e_helpers import Screen, Term

pytestmark = pytest.mark.timeout(60)

NARROW = (24, 80)
DEVICE = "xshell-sim"  # the built-in simulator's SystemUnit Name
FS_PROMPT = f"{DEVICE}●"  # full-screen prompt: name and connection dot
PLAIN_PROMPT = f"{DEVICE} (connected)>"
STAMP = r"\d\d:\d\d:\d\d\.\d\d\d"  # the feedback timestamp column, HH:MM:SS.mmm
STAMP_INDENT = " " * len("00:00:00.000 ")

SECRETS = ("Hunter2-secret", "Adm1n-secret", "Sip-Secret-99")
SECRET_LINES = (
    'xCommand UserManagement User Passphrase Set Username: "bob" '
    'NewPassphrase: "Hunter2-secret" YourPassphrase: "Adm1n-secret"',
    'xConfiguration SIP Authentication Password: "Sip-Secret-99"',
)


# ---- full-screen helpers ----------------------------------------------------------------
def input_row(s: Screen) -> str:
    """The input line sits just above the toolbar (one-line input)."""
    return s.lines()[-2]


def toolbar(s: Screen) -> str:
    return s.lines()[-1]


def start_fullscreen(xshell: Callable[..., Term], size: tuple[int, int] = WIDE) -> Term:
    term = xshell("--demo", size=size)
    # prompt-toolkit paints rows top to bottom and ends each repaint with the cursor back on
    # the (one-line) input row: only then is the screen a finished picture.
    term.at_rest = lambda s: s.y == s.rows - 2
    # Completion needs the schema, which is fetched in the background after the first
    # prompt ("discovering…" in the toolbar); typing before it ends opens no menu.
    # (At 80 columns "discovering…" is cut short: the idle toolbar ends in its key hint.)
    term.wait_for(lambda s: input_row(s) == FS_PROMPT and "connected" in toolbar(s)
                  and "discover" not in toolbar(s) and "F1 help" in toolbar(s),
                  "the empty prompt and a connected, idle toolbar")
    return term


def output_rows(s: Screen) -> list[str]:
    """The rows above the separator line, cut at the pane's vertical bar when it is beside."""
    return [ln.split("│")[0].rstrip() for ln in s.lines()[:-3]]


def menu_offers(s: Screen, word: str) -> bool:
    """The completion menu shows `word` (on any row but the input row; the menu floats)."""
    return any(word in ln for i, ln in enumerate(s.lines()) if i != s.rows - 2)


def run_fullscreen(term: Term, line: str, until: str, echo: str | None = None) -> None:
    """Type `line` + Enter; wait until its echo (`echo`, if the shell masks it) is the newest
    in the output pane with `until` below it, and the input line is empty again."""
    echoed = f"{FS_PROMPT} {echo if echo is not None else line}"

    want = echoed.replace(" ", "")  # the pane hard-wraps long lines; compare without blanks

    def answered(s: Screen) -> bool:
        rows = output_rows(s)
        echoes = [i for i, ln in enumerate(rows) if ln.startswith(FS_PROMPT + " ")]
        if input_row(s) != FS_PROMPT or not echoes:
            return False
        end, got = echoes[-1], ""
        while end < len(rows) and len(got) < len(want):
            got += rows[end].replace(" ", "")
            end += 1
        return got == want and any(until in ln for ln in rows[end:])

    term.send(line + "\r")
    term.wait_for(answered, f"{until!r} after {line!r}")


# ---- plain-mode helpers -------------------------------------------------------------------
def start_plain(xshell: Callable[..., Term], size: tuple[int, int] = NARROW) -> Term:
    term = xshell("--demo", "--plain", size=size)
    term.wait_for(lambda s: s.transcript()[-1:] == [PLAIN_PROMPT], "the plain prompt")
    return term


def run_plain(term: Term, line: str) -> list[str]:
    """Type `line` + Enter; return the lines printed between its prompt and the next one."""
    before = len(term.screen.transcript())
    term.send(line + "\r")
    term.wait_for(lambda s: len(s.transcript()) > before and s.transcript()[-1] == PLAIN_PROMPT,
                  f"the next prompt after {line!r}")
    lines = term.screen.transcript()
    starts = [i for i, ln in enumerate(lines) if ln.startswith(PLAIN_PROMPT + " ")]
    return lines[starts[-1] + 1:-1]


def prompt_line(line: str) -> str:
    return f"{PLAIN_PROMPT} {line}"


# ---- 1. the full-screen session -----------------------------------------------------------
def test_fullscreen_session_banner_request_feedback_pane_completion_and_quit(xshell: Callable[..., Term]) -> None:
    term = start_fullscreen(xshell)
    s = term.screen
    assert s.lines()[0].startswith(f"Welcome to {DEVICE}")
    bar = toolbar(s)
    assert "● connected" in bar and "F2 pane" in bar and DEVICE in bar

    # Tab completes the path word (typed first, so no history suggestion is drawn behind it).
    term.send("xStatus Aud")
    term.wait_for(lambda s: input_row(s) == f"{FS_PROMPT} xStatus Aud" and menu_offers(s, "Audio"),
                  "the completion menu offering Audio")
    term.key("tab")
    term.wait_for(lambda s: input_row(s) == f"{FS_PROMPT} xStatus Audio", "the line completed to 'xStatus Audio'")

    # Ctrl-C throws the typed line away and the app keeps running.
    term.key("ctrl-c")
    term.wait_for(lambda s: input_row(s) == FS_PROMPT, "an empty input line after Ctrl-C")

    run_fullscreen(term, "xStatus Audio Volume", "*s Audio Volume: 50")  # echoed above its result

    run_fullscreen(term, "xFeedback register /Status/Audio/Volume", "OK")
    term.wait_for(lambda s: "1 reg" in toolbar(s), "the toolbar to count one registration")
    run_fullscreen(term, "xCommand Audio Volume Set Level: 70", "*r VolumeSetResult (status=OK):")

    row, col = term.wait_text("*s Audio Volume: 70")
    title_row, title_col = term.wait_text("Feedback (1 event)")
    assert row == title_row + 1 and col > title_col  # in the pane, after the timestamp column
    assert re.fullmatch(STAMP + " ", s.lines()[row][col - len(STAMP_INDENT):col])

    term.key("f2")
    term.wait_for(lambda s: not s.contains("Feedback (") and "pane hidden" in toolbar(s),
                  "F2 to hide the pane (title gone, toolbar says so)")
    assert not s.contains("*s Audio Volume: 70")
    term.key("f2")
    term.wait_text("Feedback (1 event)")
    assert s.contains("*s Audio Volume: 70")  # nothing was lost while hidden

    term.key("ctrl-d")
    assert term.wait_exit() == 0


def test_tab_right_after_typing_completes_the_word(xshell: Callable[..., Term]) -> None:
    term = start_fullscreen(xshell, NARROW)
    term.send("xStatus Aud\t")  # one burst, as a paste or a fast typist delivers it
    # The single candidate is inserted; the menu then offers Audio's children.
    term.wait_for(lambda s: input_row(s).rstrip() == f"{FS_PROMPT} xStatus Audio", "the completed line")
    term.wait_for(lambda s: menu_offers(s, "Volume"), "the menu of Audio's children")


# ---- 2. parse errors ----------------------------------------------------------------------
def test_parse_error_shows_caret_and_message_then_session_continues(xshell: Callable[..., Term]) -> None:
    term = start_fullscreen(xshell)
    bad = "xConfiguration Audio DefaultVolume: abc"
    run_fullscreen(term, bad, "got 'abc'")
    lines = term.screen.lines()
    echo = next(i for i, ln in enumerate(lines) if ln.startswith(bad))  # the line itself, not the prompt echo
    caret_line = lines[echo + 1].split("│")[0].rstrip()
    assert caret_line == " " * bad.index("abc") + "^"  # the caret points at the bad value
    message = lines[echo + 2]
    assert "DefaultVolume" in message and "integer" in message and "0..100" in message

    run_fullscreen(term, "xStatus Audio Volume", "*s Audio Volume: 50")
    assert "● connected" in toolbar(term.screen)
    term.key("ctrl-d")
    assert term.wait_exit() == 0


def test_plain_parse_error_lines(xshell: Callable[..., Term]) -> None:
    term = start_plain(xshell)
    bad = "xStatus Audio Volume: 5"
    out = run_plain(term, bad)
    assert out[:2] == [bad, " " * bad.index(":") + "^"]
    assert len(out) == 3 and "read-only" in out[2] and "xStatus" in out[2]
    assert run_plain(term, "xStatus Audio Volume")[0] == "*s Audio Volume: 50"
    term.send("exit\r")
    assert term.wait_exit() == 0


# ---- 3. plain mode ------------------------------------------------------------------------
def test_plain_mode_prints_tshell_lines_and_feedback_above_the_prompt(xshell: Callable[..., Term]) -> None:
    term = start_plain(xshell)
    assert term.screen.transcript()[0] == f"Welcome to {DEVICE}"

    assert run_plain(term, "xStatus Audio Volume") == ["*s Audio Volume: 50", "** end", "", "OK"]
    assert run_plain(term, "xCommand Audio Volume Set Level: 60") == [
        "", "OK", "*r VolumeSetResult (status=OK):", "** end"]
    assert run_plain(term, "xConfiguration Audio DefaultVolume ?") == [
        "*? xConfiguration Audio DefaultVolume: <0..100>", "", "OK"]
    assert run_plain(term, "xStatus Audio Volume")[0] == "*s Audio Volume: 60"  # the Set took effect

    assert run_plain(term, "xFeedback register /Status/Audio/Volume") == ["** end", "", "OK"]
    out = run_plain(term, "xCommand Audio Volume Set Level: 70")
    assert re.fullmatch(STAMP + r" \*s Audio Volume: 70", out[0]), out
    assert out[1:] == [STAMP_INDENT + "** end", "", "OK", "*r VolumeSetResult (status=OK):", "** end"]

    # Feedback that arrives while a line is being typed goes above the prompt; the typing stays.
    assert run_plain(term, "xFeedback register /Status/Call") == ["** end", "", "OK"]
    out = run_plain(term, 'xCommand Dial Number: "alice@example.com"')
    assert "*r DialResult (status=OK):" in out
    # A complete path and a space: nothing to complete or suggest is drawn after the text.
    term.send("xStatus Audio Volume ")
    partial = prompt_line("xStatus Audio Volume")  # the screen model drops trailing blanks
    connected = re.compile(r"(" + STAMP + r"|\s+) \*s Call \d+ Status: Connected")
    term.wait_for(lambda s: s.transcript()[-1] == partial
                  and any(connected.fullmatch(ln) for ln in s.transcript()),
                  "the call's Connected feedback with the typed text still on the prompt")
    lines = term.screen.transcript()
    dial = max(i for i, ln in enumerate(lines) if ln.startswith(prompt_line("xCommand Dial")))
    event = max(i for i, ln in enumerate(lines) if connected.fullmatch(ln))
    assert dial < event < len(lines) - 1  # printed after the dial, above the redrawn prompt
    assert run_plain(term, "")[0] == "*s Audio Volume: 70"  # Enter sends the line typed before

    term.send("exit\r")
    assert term.wait_exit() == 0


# ---- 4. history keeps no secrets ----------------------------------------------------------
@pytest.mark.parametrize("mode", ["plain", "fullscreen"])
def test_history_masks_secrets_and_no_file_holds_them(xshell: Callable[..., Term], mode: str) -> None:
    if mode == "plain":
        term = start_plain(xshell)
        for line in SECRET_LINES:
            run_plain(term, line)
        term.send("exit\r")
    else:
        term = start_fullscreen(xshell)
        run_fullscreen(term, SECRET_LINES[0], "PassphraseSetResult", echo=(
            'xCommand UserManagement User Passphrase Set Username: "bob" NewPassphrase: *** YourPassphrase: ***'))
        run_fullscreen(term, SECRET_LINES[1], "OK", echo="xConfiguration SIP Authentication Password: ***")
        term.key("ctrl-d")
    assert term.wait_exit() == 0

    history_dir = Path(os.environ["XDG_STATE_HOME"]) / "xshell" / "history"
    entries = [ln[1:] for f in history_dir.iterdir() for ln in f.read_text().splitlines() if ln.startswith("+")]
    passphrase = [e for e in entries if e.startswith("xCommand UserManagement User Passphrase Set")]
    assert len(passphrase) == 1, entries
    assert 'Username: "bob"' in passphrase[0]
    assert "NewPassphrase: ***" in passphrase[0] and "YourPassphrase: ***" in passphrase[0]
    assert "xConfiguration SIP Authentication Password: ***" in entries

    xdg_base = Path(os.environ["XDG_STATE_HOME"]).parent  # the four XDG dirs share one parent
    files = [p for p in xdg_base.rglob("*") if p.is_file()]
    assert files  # at least the history file: the grep below looks at something
    for path in files:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret!r} written to {path}"


def test_recalled_masked_secret_is_not_sent(xshell: Callable[..., Term]) -> None:
    term = start_plain(xshell)
    assert run_plain(term, SECRET_LINES[1])[-1] == "OK"
    out = run_plain(term, "\x1b[A")  # Up recalls the previous line, Enter runs it
    assert term.screen.transcript()[-2 - len(out)] == prompt_line("xConfiguration SIP Authentication Password: ***")
    assert "OK" not in out and any("Password" in ln for ln in out), out


# ---- 5. where the feedback pane goes -----------------------------------------------------
def test_narrow_terminal_puts_feedback_pane_below_output(xshell: Callable[..., Term]) -> None:
    term = start_fullscreen(xshell, NARROW)
    run_fullscreen(term, "xFeedback register /Status/Audio/Volume", "OK")
    run_fullscreen(term, "xCommand Audio Volume Set Level: 70", "VolumeSetResult")
    s = term.screen
    title_row, title_col = term.wait_text("Feedback (1 event)")
    event_row, _ = term.wait_text("*s Audio Volume: 70")
    result_row, _ = s.find("*r VolumeSetResult")[0]
    assert result_row < title_row < event_row  # output, then the pane's title, then its events
    assert title_col <= 1  # the pane spans the width: no output column to its left
    assert not any("│" in ln for ln in s.lines()[:-1])  # no vertical split (the toolbar has its own bars)
    term.key("ctrl-d")
    assert term.wait_exit() == 0


def test_wide_terminal_puts_feedback_pane_beside_output_and_resize_moves_it(xshell: Callable[..., Term]) -> None:
    term = start_fullscreen(xshell, WIDE)
    s = term.screen
    title_row, title_col = term.wait_text("Feedback (0 events)")
    assert title_row == 0 and s.lines()[0].startswith(f"Welcome to {DEVICE}")
    bar_col = s.lines()[0].index("│")
    assert bar_col < title_col
    body = s.lines()[:-3]  # above the separator, the input line and the toolbar
    assert all(len(ln) > bar_col and ln[bar_col] == "│" for ln in body)  # one split, top to bottom

    run_fullscreen(term, "xStatus Audio Volume", "*s Audio Volume: 50")
    row, col = s.find("*s Audio Volume: 50")[0]
    assert col < bar_col  # the result is in the left (output) pane

    term.resize(*NARROW)
    term.wait_for(lambda s: s.contains("Feedback (0 events)") and s.find("Feedback (0 events)")[0][1] <= 1,
                  "the pane below the output after shrinking to 80 columns")
    s = term.screen
    assert s.find("*s Audio Volume: 50")[0][0] < s.find("Feedback (0 events)")[0][0]
    term.key("ctrl-d")
    assert term.wait_exit() == 0
