"""`xshell -c 'snapshot save …'` and `xshell -c 'diff …'` as scripts, end to end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.clirun import xshell


async def test_snapshot_then_diff_from_scripts(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "-c", "snapshot save before")
    assert code == 0, err
    assert out.startswith("snapshot before saved: ")
    stored = Path(os.environ["XDG_DATA_HOME"]) / "xshell" / "snapshots" / "before.json"
    assert stored.is_file() and "Sim-Digest-7731" not in stored.read_text(encoding="utf-8")

    code, out, err = await xshell(sim.url, "-c", "xConfiguration Audio DefaultVolume: 44",
                                  "-c", "diff before")
    assert code == 0, err
    lines = out.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("--- before: "))
    assert lines[start + 1].startswith("+++ live: ")
    assert lines[start + 2:] == ["-*c xConfiguration Audio DefaultVolume: 50",
                                 "+*c xConfiguration Audio DefaultVolume: 44",
                                 "** 1 changed, 0 only in before, 0 only in live", "OK"]

    code, out, err = await xshell(sim.url, "-c", "snapshot list")
    assert code == 0 and out.splitlines()[1].startswith("before ")


async def test_missing_snapshot_in_a_script(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "-c", "diff nothing-here", "-c", "xStatus Audio Volume")
    assert code == 2
    assert err.strip() == "xshell: -c:1: error: no snapshot named nothing-here (have: none)"
    assert "*s Audio Volume: " in out  # later lines still run
