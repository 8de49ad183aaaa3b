"""The settings file: first-run default, merge under the user's file, warnings with lines.

These load settings in-process (xshell.config) and check what the user would read:
the values in force and the one-line warnings naming file and line.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from xshell.ui.history import open_history
from xshell.config.locate import locate_keys
from xshell.lang.formats.format_registry import names
from xshell.config.settings import builtin_settings, builtin_text, config_path, load_settings


FORMATS = " or ".join(f'"{n}"' for n in names())  # every registered output format


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_config_path_follows_xdg_and_falls_back_to_dot_config(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert config_path() == tmp_path / "cfg" / "xshell" / "config.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config_path() == tmp_path / "home" / ".config" / "xshell" / "config.toml"


def test_first_run_writes_the_commented_default_privately_and_says_so_once() -> None:
    path = config_path()
    assert not path.exists()
    first = load_settings()
    assert path.read_text(encoding="utf-8") == builtin_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert first.notices == [f"xshell: wrote the default settings to {path} (edit it to change them)"]
    assert first.warnings == []
    again = load_settings()
    assert again.notices == [] and again.warnings == []
    assert (again.output, again.history_size, again.key_bindings) == ("terminal", 10_000, "emacs")


def test_the_default_file_documents_every_setting_it_defines() -> None:
    text = builtin_text()
    data = tomllib.loads(text)
    assert set(data) == {"main", "ui", "colours", "guard", "inventory", "groups"}
    lines = text.splitlines()
    for section in ("main", "ui", "guard", "inventory"):
        for key in data[section]:
            at = locate_keys(text)[(section, key)] - 1
            assert lines[at - 1].startswith("#"), f"[{section}] {key} has no comment above it"
    assert "[devices.boardroom]" in text and "password" in text.lower()


def test_an_explicit_file_is_not_created_and_user_keys_win_over_defaults(tmp_path: Path) -> None:
    missing = tmp_path / "other.toml"
    load_settings(missing)
    assert not missing.exists() and not config_path().exists()
    user = write(tmp_path / "mine.toml", '[main]\noutput = "json"\n[ui]\npane_width = 42\n')
    s = load_settings(user)
    assert s.warnings == []
    assert (s.output, s.pane_width) == ("json", 42)
    assert (s.history_size, s.key_bindings, s.theme) == (10_000, "emacs", "default")  # merged defaults
    assert s.colours["toolbar.sep"] == builtin_settings().colours["toolbar.sep"]


def test_unknown_key_warning_names_file_line_and_the_known_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", '# mine\n\n[ui]\nkey_bindings = "vi"\npane_widht = 30\n')
    s = load_settings(path)
    assert s.warnings == [f"xshell: {path}:5: unknown key 'pane_widht' in [ui] "
                          "(known: pane_width, key_bindings, theme)"]
    assert s.key_bindings == "vi" and s.pane_width == 0


def test_unknown_sections_and_top_level_keys_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'output = "json"\n[colors]\nbanner = "red"\n')
    s = load_settings(path)
    assert len(s.warnings) == 2
    assert s.warnings[0].startswith(f"xshell: {path}:1: unknown key 'output' at the top level")
    assert s.warnings[1].startswith(f"xshell: {path}:2: unknown section [colors] (known: [main], [ui]")
    assert s.output == "terminal"


@pytest.mark.parametrize("line,message", [
    ('history_size = "lots"', '[main] history_size: expected a whole number, got "lots"; using 10000'),
    ("history_size = -5", "[main] history_size: must be 0 or more, got -5; using 10000"),
    ("history_size = true", "[main] history_size: expected a whole number, got true; using 10000"),
    ('output = "yaml"', f'[main] output: expected {FORMATS}, got "yaml"; using "terminal"'),
])
def test_wrong_types_and_values_keep_the_default(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path / "c.toml", f"[main]\n\n{line}\n")
    s = load_settings(path)
    assert s.warnings == [f"xshell: {path}:3: {message}"]
    assert (s.output, s.history_size) == ("terminal", 10_000)


def test_warnings_come_in_file_order_one_line_each(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[devices.a]\nhost = "h"\nport = 1\n[ui]\nthem = "x"\n'
                                      '[colours]\n"nope" = "red"\n')
    s = load_settings(path)
    prefix = f"xshell: {path}:"
    assert all(w.startswith(prefix) for w in s.warnings)
    assert [w[len(prefix):].split(":")[0] for w in s.warnings] == ["3", "5", "7"]
    assert all("\n" not in w for w in s.warnings)


def test_syntax_error_is_one_line_with_its_line_and_defaults_apply(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[main]\noutput = "json"\nhistory_size = = 3\n')
    s = load_settings(path)
    assert len(s.warnings) == 1
    assert s.warnings[0].startswith(f"xshell: {path}:3: TOML syntax error: ")
    assert s.warnings[0].endswith("using the built-in defaults")
    assert s.output == "terminal"


def test_an_unreadable_file_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b"[main]\noutput = \"\xff\"\n")
    s = load_settings(path)
    assert len(s.warnings) == 1 and s.warnings[0].startswith(f"xshell: {path}: cannot read the settings")


def test_colours_accept_dotted_and_quoted_keys_and_pygments_tokens(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[colours]\nbanner = "ansired"\ntoolbar.sep = "ansiblue"\n'
                                      '"pygments.keyword" = "bold"\n"output.error" = 3\n')
    s = load_settings(path)
    assert s.colours["banner"] == "ansired" and s.colours["toolbar.sep"] == "ansiblue"
    assert s.colours["pygments.keyword"] == "bold"
    assert s.warnings == [f"xshell: {path}:5: [colours] 'output.error': expected a style string, got 3"]


def test_locate_keys_skips_multiline_strings_and_follows_tables() -> None:
    text = '[a]\nx = """\nfake = 1\n"""\ny = 2\n[b."c.d"]\nz.w = 3\n'
    found = locate_keys(text)
    assert found[("a", "x")] == 2 and ("a", "fake") not in found and found[("a", "y")] == 5
    assert found[("b", "c.d")] == 6 and found[("b", "c.d", "z", "w")] == 7


# ---- history ------------------------------------------------------------------------------

def history_file(path: Path, entries: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for i, entry in enumerate(entries):
            fh.write(f"\n# 2026-01-01 00:00:{i:02d}\n")
            fh.writelines(f"+{line}\n" for line in entry.split("\n"))


def test_history_is_trimmed_to_history_size_newest_kept(tmp_path: Path) -> None:
    path = tmp_path / "hist" / "dev"
    entries = [f"xStatus Audio Volume {i}" for i in range(30)] + ["xCommand Panel Save\n<x/>\n."]
    history_file(path, entries)
    history = open_history(path, 5)
    strings = list(history.load_history_strings())  # newest first
    assert strings == ["xCommand Panel Save\n<x/>\n.", *[f"xStatus Audio Volume {i}" for i in (29, 28, 27, 26)]]
    assert path.read_text().count("\n# 2026") == 5
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    history.append_string("xStatus Standby")  # still appends to the same file
    assert path.read_text().rstrip().endswith("+xStatus Standby")


def test_history_under_the_limit_is_left_alone_and_zero_keeps_no_file(tmp_path: Path) -> None:
    path = tmp_path / "dev"
    history_file(path, ["a", "b"])
    before = path.read_bytes()
    assert list(open_history(path, 10).load_history_strings()) == ["b", "a"]
    assert path.read_bytes() == before
    none = open_history(tmp_path / "new" / "dev", 0)
    none.append_string("xStatus Audio")
    assert not (tmp_path / "new").exists()
    assert os.listdir(tmp_path) == ["dev"]


def test_history_is_private_from_the_first_line_and_never_stops_the_shell(tmp_path: Path) -> None:
    path = tmp_path / "state" / "xshell" / "history" / "dev"
    history = open_history(path, 100)
    history.append_string("xCommand Dial Number: 555")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    fallback = open_history(blocked / "history" / "dev", 100)  # the folder cannot be made
    fallback.append_string("xStatus Audio Volume")
    assert list(fallback.load_history_strings()) == ["xStatus Audio Volume"]
