"""`macro …` and `panel …` as scripts against the simulator, end to end, $EDITOR a script.

Bodies must arrive byte for byte (CRLF, a BOM, non-ASCII): the tests read the simulator's
store itself, not only what xshell prints back.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import xshell
from xshell.sim.extensions import extensions_of
from xshell.sim.macros import macros_of

BODY = "\ufeffimport xapi from 'xapi';\r\nconsole.log('h\u00e9');\r\n\tlast\n"
PANEL = ("<Extensions>\r\n  <Version>1.11</Version>\r\n  <Panel>\r\n    <PanelId>lights</PanelId>\r\n"
         "    <Name>Lights \u00e9</Name>\r\n    <Icon>Lightbulb</Icon>\r\n  </Panel>\r\n</Extensions>\r\n")


def _editor(tmp_path: Path, append: str, code: int = 0) -> str:
    """An $EDITOR that appends `append` (bytes as given) to the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text("import sys\n"
                      f"open(sys.argv[1], 'ab').write({append.encode('utf-8')!r})\n"
                      f"sys.exit({code})\n", encoding="utf-8")
    return f"{sys.executable} {script}"


def _macros(sim: Any) -> dict[str, Any]:
    return macros_of(sim.simulator.behaviours).macros


async def test_push_list_pull_is_byte_exact(sim: Any, tmp_path: Path) -> None:
    src, back = tmp_path / "room.js", tmp_path / "back.js"
    src.write_bytes(BODY.encode("utf-8"))
    code, out, err = await xshell(sim.url, "-c", f"macro push {src} activate", "-c", "macro list",
                                  "-c", f"macro pull room {back}")
    assert code == 0, err
    assert _macros(sim)["room"].content == BODY  # the simulator's store: as the file
    assert back.read_bytes() == src.read_bytes()
    lines = out.splitlines()
    assert lines[:3] == [f"macro room saved ({len(BODY.encode())} bytes from {src}); macro room activated",
                         "", "OK"]  # each answer ends as tshell's own commands' do
    assert lines[3:8] == ["NAME  ACTIVE  RUNNING", "room  yes     yes", "1 macro; runtime running", "", "OK"]


async def test_xcommand_body_from_a_file(sim: Any, tmp_path: Path) -> None:
    src = tmp_path / "room.js"
    src.write_bytes(BODY.encode("utf-8"))
    code, out, err = await xshell(sim.url, "-c", f'xCommand Macros Macro Save Name: fromfile < "{src}"',
                                  "-c", "xCommand Macros Macro Save Name: x < missing.js",
                                  "-c", "xStatus Audio Volume")
    assert code == 2
    assert _macros(sim)["fromfile"].content == BODY
    assert "x" not in _macros(sim)
    assert err.strip() == "xshell: -c:2: error: missing.js: no such file"
    assert "*s Audio Volume: " in out  # later lines still run


async def test_edit_saves_a_changed_text_and_reports_the_verdict(sim: Any, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "room.js"
    src.write_bytes(BODY.encode("utf-8"))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "// edited\r\n"))
    code, out, err = await xshell(sim.url, "-c", f"macro push {src}", "-c", "macro edit room")
    assert code == 0, err
    assert _macros(sim)["room"].content == BODY + "// edited\r\n"
    size = len((BODY + "// edited\r\n").encode())
    assert out.splitlines()[-3:] == [f"macro room saved ({size} bytes); the device said OK", "", "OK"]


async def test_edit_unchanged_or_aborted_saves_nothing(sim: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "room.js"
    src.write_bytes(BODY.encode("utf-8"))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _editor(tmp_path, ""))
    code, out, err = await xshell(sim.url, "-c", f"macro push {src}", "-c", "macro edit room")
    assert code == 0 and out.splitlines()[-3] == "macro room unchanged; nothing saved"
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "junk", code=3))
    code, out, err = await xshell(sim.url, "-c", "macro edit room")
    assert code == 2 and "exited with status 3; nothing was saved" in err
    assert _macros(sim)["room"].content == BODY


async def test_body_from_editor_when_the_line_ends_with_the_marker(
        sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "console.log(1)\r\n"))
    code, _, err = await xshell(sim.url, "-c", "xCommand Macros Macro Save Name: typed .")
    assert code == 0, err
    assert _macros(sim)["typed"].content == "console.log(1)\r\n"


async def test_device_errors_are_one_line(sim: Any) -> None:
    code, _, err = await xshell(sim.url, "--yes", "-c", "macro remove nope", "-c", "macro rename nope other")
    assert code == 1
    assert err.splitlines() == [
        'xshell: -c:1: error: the device refused macro remove nope: No macro named "nope"',
        'xshell: -c:2: error: the device refused macro rename nope other: No macro named "nope"']


async def test_macro_log_prints_then_follows_live_entries(sim: Any, tmp_path: Path) -> None:
    src = tmp_path / "room.js"
    src.write_text("// x\n", encoding="utf-8")
    code, out, err = await xshell(sim.url, "--yes", "-c", f"macro push {src} activate", "-c", "macro log error info",
                                  "-c", "macro restart", "-c", "macro log debug", "-c", "macro log bogus")
    assert code == 2
    lines = out.splitlines()
    logged = [ln for ln in lines if ln.startswith("*l ")]
    assert logged[0].endswith(" info room: Loading...") and logged[0].split()[1][:2] == "20"
    # the restart's entries arrive live (no timestamp: the pane stamps them) until the filter
    # changes to debug only
    assert "*l info (runtime): Runtime starting" in lines
    assert "error: macro log: 'bogus' is not a level" in err


async def test_macro_log_in_a_script_says_new_entries_follow_only_with_follow(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "-c", "macro log")
    assert code == 0, err
    assert out.splitlines() == ["** macro log: 0 entries (all levels); a script shows new ones only "
                                "with --follow", "", "OK"]


async def test_panel_round_trip_is_byte_exact(sim: Any, tmp_path: Path) -> None:
    src, back, again = tmp_path / "lights.xml", tmp_path / "back.xml", tmp_path / "again.xml"
    src.write_bytes(PANEL.encode("utf-8"))
    code, out, err = await xshell(sim.url, "-c", f"panel push {src}", "-c", "panel list",
                                  "-c", f"panel pull lights {back}")
    assert code == 0, err
    assert out.splitlines()[3:6] == ["PANELID  NAME      ICON", "lights   Lights \u00e9  Lightbulb", "1 panel"]
    stored = extensions_of(sim.simulator.behaviours).panels["lights"].xml
    assert "\r\n" in stored and stored in PANEL  # kept as sent
    code, out, err = await xshell(sim.url, "-c", f"panel push {back}", "-c", f"panel pull lights {again}")
    assert code == 0, err
    assert again.read_bytes() == back.read_bytes()
    assert back.read_bytes() == PANEL.encode("utf-8")  # the same shape: pull gives the file back


async def test_a_panel_pushed_without_an_id_can_be_pulled(sim: Any, tmp_path: Path) -> None:
    src, back = tmp_path / "lights.xml", tmp_path / "back.xml"
    src.write_text("<Extensions>\n  <Panel>\n    <Name>Lights</Name>\n  </Panel>\n</Extensions>\n",
                   encoding="utf-8")
    code, out, err = await xshell(sim.url, "-c", f"panel push {src}", "-c", f"panel pull lights {back}")
    assert code == 0, err
    assert f"panel lights written to {back}" in out
    assert "    <PanelId>lights</PanelId>\n    <Name>Lights</Name>" in back.read_text(encoding="utf-8")


async def test_push_uses_the_panel_id_the_file_names(sim: Any, tmp_path: Path) -> None:
    src = tmp_path / "lights.xml"
    src.write_text("<Extensions><Panel><PanelId>lights2</PanelId><Name>L</Name></Panel></Extensions>",
                   encoding="utf-8")
    code, out, err = await xshell(sim.url, "-c", f"panel push {src}", "-c", "panel list")
    assert code == 0, err
    assert "panel lights2 saved" in out
    assert "lights2  L" in out.splitlines()


async def test_bad_xml_is_refused_as_a_device_does(sim: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<Extensions><Panel>", encoding="utf-8")
    code, out, err = await xshell(sim.url, "--yes", "-c", f"panel push {bad}", "-c", "panel remove nope",
                                  "-c", "panel list")
    assert code == 1
    first, second = err.splitlines()
    assert first.startswith("xshell: -c:1: error: the device refused panel bad: Invalid XML: ")
    assert second == 'xshell: -c:2: error: the device refused panel remove nope: No panel with PanelId "nope"'
    assert "no panels on this device" in out


async def test_whole_extensions_export_and_import(sim: Any, tmp_path: Path) -> None:
    src, whole = tmp_path / "lights.xml", tmp_path / "all.xml"
    src.write_bytes(PANEL.encode("utf-8"))
    code, out, err = await xshell(sim.url, "--yes", "-c", f"panel push {src}", "-c", f"panel export {whole}",
                                  "-c", "panel remove lights", "-c", f"panel import {whole}",
                                  "-o", "json", "-c", "panel list")
    assert code == 0, err
    assert json.loads(out.splitlines()[-1])["panels"][0]["PanelId"] == "lights"
    assert "<Version>1.11</Version>" in whole.read_text(encoding="utf-8")


async def test_pull_and_export_keep_an_existing_file_unless_forced(sim: Any, tmp_path: Path) -> None:
    src, mine, xml, whole = (tmp_path / n for n in ("room.js", "mine.js", "mine.xml", "all.xml"))
    src.write_bytes(BODY.encode("utf-8"))
    panel = tmp_path / "lights.xml"
    panel.write_bytes(PANEL.encode("utf-8"))
    for f in (mine, xml, whole):
        f.write_text("my own work\n", encoding="utf-8")
    code, out, err = await xshell(sim.url, "-c", f"macro push {src}", "-c", f"panel push {panel}",
                                  "-c", f"macro pull room {mine}", "-c", f"panel pull lights {xml}",
                                  "-c", f"panel export {whole}")
    assert code == 2
    assert err.count("already exists; add `force` to replace it") == 3
    assert all(f.read_text(encoding="utf-8") == "my own work\n" for f in (mine, xml, whole))
    code, out, err = await xshell(sim.url, "-c", f"macro pull room {mine} force",
                                  "-c", f"panel pull lights {xml} force", "-c", f"panel export {whole} force")
    assert code == 0, err
    assert mine.read_bytes() == BODY.encode("utf-8") and xml.read_bytes() == PANEL.encode("utf-8")
    assert "<Version>" in whole.read_text(encoding="utf-8")
