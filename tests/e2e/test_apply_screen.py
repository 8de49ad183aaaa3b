"""`@all apply FILE [--check]` in the full-screen shell on two simulated rooms (issue 16).

Each room's diff is its own block, the check changes nothing (read back with `@all
xConfiguration …`), and the apply then sets both rooms. Every wait has a deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e_helpers import Screen, Term
from tests.simproc import sim_process

pytestmark = pytest.mark.timeout(60)


TERM_SIZE = (40, 120)  # rows × cols of the `xshell` fixture (tests/e2e/conftest.py)


def _output(s: Screen) -> str:
    return "\n".join(ln.split("│")[0].rstrip() for ln in s.lines()[:-3])


def test_at_all_apply_checks_then_sets_every_room(xshell: Callable[..., Term], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    cfg = tmp_path / "w.cfg"
    cfg.write_text("xConfiguration Audio DefaultVolume: 61\n", encoding="utf-8")
    with sim_process("--password", PASSWORD, "--devices", "2") as (first, proc):
        second = proc.stdout.readline().rsplit(" at ", 1)[1].strip()  # type: ignore[union-attr]
        names = [url.split("/")[2] for url in (first, second)]
        term = xshell(first, second)
        term.at_rest = lambda s: s.y == s.rows - 2
        term.wait_for(lambda s: s.lines()[-2] == f"{names[0]}●" and "discovering" not in s.lines()[-1],
                      "the prompt, idle")
        term.send(f"@all apply {cfg} --check\r")
        term.wait_for(lambda s: "** 2 devices: 2 ok" in _output(s), "both rooms checked")
        out = _output(term.screen)
        assert out.count("** check: 1 would change, 0 already as desired; nothing was sent") == 2
        assert f"── {names[0]} ──" in out and f"── {names[1]} ──" in out
        assert out.count("+*c xConfiguration Audio DefaultVolume: 61") == 2
        term.send("clear\r")
        term.wait_for(lambda s: "** 2 devices" not in _output(s), "a clear screen")
        term.send("@all xConfiguration Audio DefaultVolume\r")
        term.wait_for(lambda s: _output(s).count("\n*c xConfiguration Audio DefaultVolume: 50") == 2,
                      "both rooms unchanged by the check")
        term.send(f"@all apply {cfg}\r")
        term.wait_for(lambda s: _output(s).count("** applied: 1 set, 0 failed") == 2, "both rooms set")
        term.send("clear\r")
        term.wait_for(lambda s: "** applied" not in _output(s), "a clear screen")
        term.send("@all xConfiguration Audio DefaultVolume\r")
        term.wait_for(lambda s: _output(s).count("\n*c xConfiguration Audio DefaultVolume: 61") == 2,
                      "both rooms read back with the new value")
