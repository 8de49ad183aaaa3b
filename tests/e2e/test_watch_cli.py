"""`watch` / `unwatch` in scripts: the current values, then every change, stamped.

CLI-level: `python -m xshell --demo -c …` as a user runs it. A watch in a script makes the
run follow it after the last line until Ctrl-C or --max-events (here always --max-events,
or an `unwatch all` that ends it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.clirun import xshell

STAMP = r"\d\d:\d\d:\d\d\.\d\d\d "


def stamped(out: str) -> list[str]:
    """The watch lines of stdout, their timestamp cut off (each must have one)."""
    lines = [ln for ln in out.splitlines() if re.match(STAMP, ln)]
    return [ln[len("00:00:00.000 "):] for ln in lines]


async def test_watch_prints_current_values_then_each_change_during_a_call() -> None:
    code, out, err = await xshell(
        "--demo", "--max-events", "4",
        "-c", "watch Status/Audio/Volume Configuration/Audio/DefaultVolume Status/Call/*/Status",
        "-c", "xCommand Audio Volume Set Level: 40",
        "-c", 'xCommand Dial Number: "x@y"')
    assert code == 0, err
    assert err == ""
    assert stamped(out) == [
        "*s Audio Volume: 50",
        "*c xConfiguration Audio DefaultVolume: 50",
        "** Status/Call/*/Status: no values now (instances that appear are shown)",
        "*s Audio Volume: 40",
        "*s Call 1 Status: Dialling",
        "*s Call 1 Status: Connecting",
        "*s Call 1 Status: Connected",
    ]


async def test_watch_follows_an_instance_that_goes_away() -> None:
    code, out, err = await xshell(
        "--demo",
        "-c", 'xCommand Dial Number: "x@y"',
        "-c", "watch xStatus Call Status",
        "-c", "xCommand Call Disconnect",
        "-c", "xStatus Audio Volume",  # one more round trip: every event of the hang-up is in
        "-c", "unwatch all")
    assert code == 0, err
    lines = stamped(out)
    assert lines[0].startswith("*s Call 1 Status: ")
    assert "*s Call 1 (ghost=True):" in lines
    assert out.rstrip().endswith("unwatched 1 path\n\nOK")


async def test_watch_json_is_one_document_per_change() -> None:
    code, out, err = await xshell(
        "--demo", "-o", "json", "--max-events", "2",
        "-c", "watch Status/Audio/Volume",
        "-c", "xCommand Audio Volume Set Level: 30",
        "-c", "xCommand Audio Volume Set Level: 31")
    assert code == 0, err
    docs = [json.loads(ln) for ln in out.splitlines()]
    watch_docs = [d for d in docs if "path" in d]
    assert [(d["path"], d["value"], d.get("current", False)) for d in watch_docs] == [
        ("Status/Audio/Volume", 50, True), ("Status/Audio/Volume", 30, False),
        ("Status/Audio/Volume", 31, False)]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", d["time"])
               for d in watch_docs)


async def test_a_path_that_cannot_be_watched_is_one_line_and_the_script_goes_on() -> None:
    code, out, err = await xshell(
        "--demo", "-c", "watch Status/Nope", "-c", "watch Event/CallSuccessful",
        "-c", "watch xStatus Audio Volume: 3", "-c", "unwatch Status/Audio/Volume",
        "-c", "xStatus Audio Volume")
    assert code == 2
    errors = err.splitlines()
    assert errors[0].startswith("xshell: -c:1: error: watch: unknown node 'Nope'")
    assert errors[1].startswith("xshell: -c:2: error: watch: 'Event/CallSuccessful' is an event")
    assert errors[2].startswith("xshell: -c:3: error: watch: xStatus is read-only")
    assert errors[3] == ("xshell: -c:4: error: unwatch: not watching 'Status/Audio/Volume' "
                         "(watching: none)")
    assert out.startswith("ERROR\n" * 4 + "*s Audio Volume: 50")  # each refused, the last ran


async def test_an_empty_watch_path_says_what_watch_takes() -> None:
    code, out, err = await xshell("--demo", "-c", 'watch ""')
    assert code == 2
    assert err.splitlines() == ["xshell: -c:1: error: watch: give a status or configuration path"]


async def test_watch_lists_and_unwatch_takes_the_path_in_any_spelling(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    code, out, err = await xshell(
        "--demo", "--log", str(log),
        "-c", "watch xStatus Audio Volume", "-c", "watch", "-c", "xCommand Audio Volume Set Level: 44",
        "-c", "xStatus SystemUnit Uptime",
        "-c", "unwatch /status/audio/volume", "-c", "watch")
    assert code == 0, err
    assert "xStatus Audio Volume  (1 value)" in out.splitlines()
    assert "unwatched xStatus Audio Volume" in out.splitlines()
    assert out.rstrip().endswith("no watches (watch PATH… pins values; e.g. watch Status/Audio/Volume)"
                                 "\n\nOK")
    text = log.read_text()
    assert "watch xStatus Audio Volume" in text  # the line, as any other, in the transcript
    assert re.search(r"\*s Audio Volume: 44", text)  # and the change it saw
