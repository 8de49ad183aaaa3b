"""Settings the user sees in the UI: vi keys, the side pane's width, theme and colours.

Keys go through a pipe into the real app (helpers from tests/unit/test_ui_app.py); the
rendering test replays the VT100 output on a character grid.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from tests.unit.test_ui_app import FakeBackend, replay, running, until
from xshell.config.settings import Settings, load_settings
from xshell.ui.plain import run_plain
from xshell.ui.style import ui_style

ESC = "\x1b"


def settings(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.warnings == []
    return loaded


def toolbar_text(shell: object) -> str:
    return "".join(text for _, text, *_ in shell.toolbar())  # type: ignore[attr-defined]


async def test_vi_key_bindings_edit_the_line_and_show_the_mode(tmp_path: Path) -> None:
    vi = settings(tmp_path, '[ui]\nkey_bindings = "vi"\n')
    async with running(settings=vi) as (shell, inp, backend, _):
        shell.application.ttimeoutlen = 0.05  # how long a lone Esc waits for more bytes
        assert "vi insert" in toolbar_text(shell)
        inp.send_text("xStatus Audio")
        await until(lambda: shell.input_buffer.text == "xStatus Audio")
        inp.send_text(ESC)
        await until(lambda: "vi normal" in toolbar_text(shell))
        inp.send_text("0dw")  # vi: to the start, delete a word
        await until(lambda: shell.input_buffer.text == "Audio")
        inp.send_text("\r")
        await until(lambda: backend.received == ["Audio"])


async def test_emacs_is_the_default_and_shows_no_vi_mode() -> None:
    async with running() as (shell, inp, backend, _):
        assert "vi " not in toolbar_text(shell)
        inp.send_text("xStatus Audio\x01\x0b")  # Ctrl-A, Ctrl-K: emacs kills the line
        await until(lambda: shell.input_buffer.text == "" and backend.received == [])
        inp.send_text("ok\r")
        await until(lambda: backend.received == ["ok"])


async def render(cols: int, settings_: Settings | None, rows: int = 20) -> list[str]:
    buf = io.StringIO()
    out = Vt100_Output(buf, lambda: Size(rows=rows, columns=cols))
    async with running(output=out, settings=settings_) as (_, _inp, backend, _task):
        backend.emit("/Status/Audio/Volume", "*s Audio Volume: 50", "** end")
        await until(lambda: "*s Audio Volume: 50" in "\n".join(replay(buf.getvalue(), rows, cols)))
        return replay(buf.getvalue(), rows, cols)


async def test_pane_width_sets_the_side_pane_columns(tmp_path: Path) -> None:
    lines = await render(160, settings(tmp_path, "[ui]\npane_width = 40\n"))
    event_row = next(ln for ln in lines if "*s Audio Volume: 50" in ln)
    assert event_row.index("│") == 160 - 41  # 40 columns of pane right of the separator
    assert event_row.index("*s Audio Volume: 50") > 120
    auto = await render(160, None)
    auto_row = next(ln for ln in auto if "*s Audio Volume: 50" in ln)
    assert auto_row.index("│") < 100  # the automatic 3:2 split is much wider


def test_theme_and_colours_change_the_style(tmp_path: Path) -> None:
    base = ui_style()
    themed = ui_style(settings(tmp_path, '[ui]\ntheme = "monokai"\n[colours]\nbanner = "#ff0000 bold"\n'))
    assert base.get_attrs_for_style_str("class:banner").color == "ansicyan"
    banner = themed.get_attrs_for_style_str("class:banner")
    assert banner.color == "ff0000" and banner.bold
    keyword = "class:pygments.keyword"
    assert themed.get_attrs_for_style_str(keyword) != base.get_attrs_for_style_str(keyword)


def test_bad_theme_or_colour_is_one_warning_with_its_line(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    s = settings(tmp_path, '[ui]\ntheme = "no-such-theme"\n[colours]\nbanner = "glitter"\n')
    style = ui_style(s)
    err = capsys.readouterr().err.splitlines()
    path = tmp_path / "config.toml"
    assert err[0].startswith(f"xshell: {path}:2: [ui] theme: no pygments style named 'no-such-theme'")
    assert err[1].startswith(f"xshell: {path}:4: [colours] 'banner': ")
    assert len(err) == 2
    assert style.get_attrs_for_style_str("class:banner").color == "ansicyan"  # default kept


async def test_plain_mode_uses_vi_keys_too(tmp_path: Path) -> None:
    backend = FakeBackend()
    for mode, expected in (("vi", "Audio"), ("emacs", "xStatus Audiow")):
        keys = settings(tmp_path, f'[ui]\nkey_bindings = "{mode}"\n')
        with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
            task = asyncio.create_task(run_plain(backend, None, inp, DummyOutput(), settings=keys))
            # vi: Esc to normal mode, then "0dw" deletes the first word; emacs has no
            # normal mode: Esc-0 is a numeric argument (zero "d"s), and "w" is typed as text.
            inp.send_text(f"xStatus Audio{ESC}0dw\r")
            await until(lambda: len(backend.received) == 1)
            inp.send_text("\x04")
            await asyncio.wait_for(task, 5)
        assert backend.received.pop() == expected


async def test_settings_warnings_stay_readable_on_the_full_screen(tmp_path: Path) -> None:
    """stderr is hidden by the full-screen app, so the output pane repeats the warnings."""
    path = tmp_path / "config.toml"
    path.write_text('[ui]\npane_widht = 40\n', encoding="utf-8")
    loaded = load_settings(path)
    assert len(loaded.warnings) == 1
    buf = io.StringIO()
    out = Vt100_Output(buf, lambda: Size(rows=20, columns=160))
    async with running(output=out, settings=loaded):
        await until(lambda: "pane_widht" in "\n".join(replay(buf.getvalue(), 20, 160)))
        screen = "\n".join(replay(buf.getvalue(), 20, 160))
    # the line wraps in the output pane, where depends on tmp_path's length (longer under xdist)
    assert "config.toml:2:unknown" in "".join(ln.split("│")[0].replace(" ", "") for ln in screen.splitlines())
    assert "'pane_widht' in [ui]" in screen


async def test_a_bad_theme_or_colour_class_is_shown_in_the_pane_and_never_crashes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[ui]\ntheme = "nope"\n[colours]\n"pygments.\u00e9" = "red"\n', encoding="utf-8")
    loaded = load_settings(path)
    buf = io.StringIO()
    out = Vt100_Output(buf, lambda: Size(rows=20, columns=160))
    async with running(output=out, settings=loaded):
        await until(lambda: "not a usable style class" in "\n".join(replay(buf.getvalue(), 20, 160)))
        screen = "\n".join(replay(buf.getvalue(), 20, 160))
    assert "no pygments style named 'nope'" in screen
