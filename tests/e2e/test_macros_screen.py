"""`macro edit` and `macro log` in the full-screen shell: the editor gets the terminal
(keys reach it, not the prompt), then the shell comes back with the device's verdict, and
live `Macros Log` entries appear in the feedback pane."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e_helpers import Term
from tests.e2e.test_e2e_pexpect import output_rows, run_fullscreen, start_fullscreen

pytestmark = pytest.mark.timeout(60)


def test_edit_hands_the_terminal_to_the_editor_and_reports_the_verdict(
        xshell: Callable[..., Term], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "room.js"
    src.write_bytes(b"// room\r\n")
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "out = open('/dev/tty', 'w')\n"
        "out.write('EDITOR-OPEN: type a line\\n'); out.flush()\n"
        "line = open('/dev/tty').readline().strip()\n"
        "open(sys.argv[1], 'ab').write(('// ' + line + '\\r\\n').encode())\n", encoding="utf-8")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    term = start_fullscreen(xshell)
    # "activated" alone: the line wraps where tmp_path's length (longer under xdist) puts it
    run_fullscreen(term, f"macro push {src} activate", "activated")
    run_fullscreen(term, "macro log", "** macro log: 2 entries")
    term.at_rest = lambda s: True  # the editor's screen, not the shell's
    term.send("macro edit room\r")
    term.wait_text("EDITOR-OPEN: type a line")
    term.send("typed-in-editor\r")
    term.at_rest = lambda s: s.y == s.rows - 2
    term.wait_for(lambda s: any("macro room saved (29 bytes); the device said OK" in r for r in output_rows(s)),
                  "the device's verdict in the output pane")
    term.wait_text("*l info (runtime): Runtime starting")  # live, in the feedback pane
    run_fullscreen(term, "macro show room", "// typed-in-editor")
