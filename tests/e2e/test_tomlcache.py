"""The TOML parse cache: the same result as tomllib, and no tomllib import when warm.

The one-shot path reads the packaged defaults and the user's settings on every run;
these check that a remembered parse is used only for the very same text and that a
damaged cache, an edit or a TOML date all still give exactly tomllib's answer.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from xshell.config import tomlcache
from xshell.config.settings import load_settings

TEXT = '[main]\noutput = "json"\nhistory_size = 7\n'


def _entries() -> list[Path]:
    folder = tomlcache.cache_dir()
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def test_a_parse_is_stored_and_reused_for_the_same_text_only() -> None:
    assert tomlcache.loads(TEXT) == tomllib.loads(TEXT)
    [entry] = _entries()
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
    assert tomlcache.loads(TEXT) == {"main": {"output": "json", "history_size": 7}}
    edited = TEXT.replace("7", "8")
    assert tomlcache.loads(edited)["main"]["history_size"] == 8
    assert len(_entries()) == 2


def test_a_damaged_or_colliding_cache_entry_is_parsed_again() -> None:
    tomlcache.loads(TEXT)
    [entry] = _entries()
    entry.write_bytes(b"\x00garbage")
    assert tomlcache.loads(TEXT)["main"]["output"] == "json"
    entry.write_bytes(__import__("marshal").dumps((tomlcache.FORMAT, "other text", {"main": {}})))
    assert tomlcache.loads(TEXT)["main"]["output"] == "json"  # the text must match, not the name


def test_dates_are_parsed_each_time_and_errors_are_tomllibs() -> None:
    dated = "when = 2026-11-24T10:00:00Z\n"
    assert tomlcache.loads(dated) == tomllib.loads(dated)
    assert _entries() == []  # marshal cannot hold a datetime: nothing stored
    with pytest.raises(tomllib.TOMLDecodeError, match="line 2"):
        tomlcache.loads("[main]\noutput = \n")
    assert _entries() == []


def test_an_unwritable_cache_still_gives_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert tomlcache.loads(TEXT)["main"]["history_size"] == 7


def test_old_parses_are_pruned() -> None:
    for n in range(tomlcache.KEEP + 5):
        tomlcache.loads(f"n = {n}\n")
    assert len(_entries()) == tomlcache.KEEP


def test_a_warm_run_loads_settings_without_importing_tomllib(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(TEXT, encoding="utf-8")
    code = ("import sys\nfrom pathlib import Path\nfrom xshell.config.settings import load_settings\n"
            f"s = load_settings(Path({str(cfg)!r}))\nprint(s.output, s.history_size, 'tomllib' in sys.modules)\n")
    env = {**os.environ}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                           timeout=60, check=True).stdout.split() for _ in range(2)]
    assert runs == [["json", "7", "True"], ["json", "7", "False"]]
    assert load_settings(cfg).output == "json"


def test_a_settings_file_with_a_password_is_never_copied_to_the_cache(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[devices.room]\nhost = "h"\npassword = "hunter2-SECRET"\n', encoding="utf-8")
    settings = load_settings(cfg)
    assert any("passwords are never read" in w for w in settings.warnings)
    def stored() -> list[bytes]:
        cache = tomlcache.cache_dir()
        return [p.read_bytes() for p in cache.rglob("*") if p.is_file()] if cache.exists() else []

    assert not any(b"hunter2-SECRET" in blob for blob in stored())
    cfg.write_text('[devices.room]\nhost = "h-without-secrets"\n', encoding="utf-8")
    load_settings(cfg)
    assert any(b"h-without-secrets" in blob for blob in stored())  # a plain file is cached
