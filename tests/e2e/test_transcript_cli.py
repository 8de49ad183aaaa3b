"""Transcripts from scripts: `log start FILE` in `-c` lines, and `--log FILE` on a script run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.clirun import xshell


async def test_log_start_in_c_lines_writes_the_transcript(sim: Any, tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    code, out, err = await xshell(sim.url, "-c", f"log start {log}", "-c", "xStatus Audio Volume",
                                  "-c", 'xConfiguration SIP Authentication Password: "Tr-Secret-1"',
                                  "-c", "xConfiguration Audio DefaultVolume: 45")
    assert code == 0, err
    assert out.splitlines()[0] == f"log: writing to {log} (text)"
    lines = [ln.split(" ", 2)[2] for ln in log.read_text(encoding="utf-8").splitlines()]
    assert lines[:3] == ["# log started", "> xStatus Audio Volume", "< *s Audio Volume: 50"]
    assert "> xConfiguration SIP Authentication Password: ***" in lines
    assert "> xConfiguration Audio DefaultVolume: 45" in lines  # the schema told them apart
    assert "Tr-Secret-1" not in log.read_text(encoding="utf-8")


async def test_log_option_on_a_script_run(sim: Any, tmp_path: Path) -> None:
    source = tmp_path / "x.xapi"
    source.write_text("xStatus Audio Volume\nxCommand Call Disconnect CallId: 4711\n", encoding="utf-8")
    log = tmp_path / "run.jsonl"
    code, out, err = await xshell(sim.url, "-f", str(source), "--log", str(log))
    assert code == 1, err  # the second line is an xAPI error
    records = [json.loads(ln) for ln in log.read_text(encoding="utf-8").splitlines()]
    assert records[0]["kind"] == "note" and records[0]["line"].startswith("connected (")
    assert [r["line"] for r in records if r["kind"] == "sent"] == ["xStatus Audio Volume",
                                                                     "xCommand Call Disconnect CallId: 4711"]
    assert [(r["ok"], r["exit"]) for r in records if r["kind"] == "reply"] == [(True, 0), (False, 1)]
    first_reply = next(r for r in records if r["kind"] == "reply")
    assert first_reply["lines"] == out.splitlines()[:len(first_reply["lines"])]


async def test_log_format_text_on_a_jsonl_name(sim: Any, tmp_path: Path) -> None:
    log = tmp_path / "odd.jsonl"
    code, _, err = await xshell(sim.url, "-c", "xStatus Audio Volume", "--log", str(log),
                                "--log-format", "text")
    assert code == 0, err
    assert " > xStatus Audio Volume" in log.read_text(encoding="utf-8")


async def test_log_option_that_cannot_be_opened_fails_before_connecting(tmp_path: Path) -> None:
    log = tmp_path / "missing" / "t.log"
    # Port 9 on loopback: nothing listens; the run must stop before trying it.
    code, _, err = await xshell("ws://127.0.0.1:9/ws", "-c", "xStatus Audio Volume", "--log", str(log))
    assert code == 2
    assert err.strip() == f"xshell: error: --log: cannot open transcript {log}: No such file or directory"
