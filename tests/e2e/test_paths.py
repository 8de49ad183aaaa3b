"""Where xshell keeps its files (xshell.paths): per platform, and moved by the XDG variables.

Linux must keep the folders it always used (a user upgrading finds their settings, pins,
history and snapshots where they were); Windows and macOS get their own places. Every
module that reads or writes a file asks xshell.paths, so moving a variable moves its files.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs.windows
import pytest

from xshell import paths
from xshell.config import tomlcache
from xshell.config.settings import config_path
from xshell.modes.interactive import history_path
from xshell.schema.store import SchemaStore
from xshell.session.snapshots import path_of
from xshell.transport.pinning import known_hosts_path

XDG = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh home with no XDG variable set."""
    for var in XDG:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_linux_folders_stay_where_they_always_were(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    assert paths.config_file() == home / ".config" / "xshell" / "config.toml"
    assert paths.known_hosts_file() == home / ".config" / "xshell" / "known_hosts"
    assert paths.history_dir() == home / ".local" / "state" / "xshell" / "history"
    assert paths.schema_cache_dir() == home / ".cache" / "xshell" / "schema"
    assert paths.toml_cache_dir() == home / ".cache" / "xshell" / "toml"
    assert paths.snapshots_dir() == home / ".local" / "share" / "xshell" / "snapshots"


def test_each_xdg_variable_moves_every_file_under_it(monkeypatch: pytest.MonkeyPatch, home: Path,
                                                    tmp_path: Path) -> None:
    """The variables are read at each call (not at import): the modules that use the files
    follow them too, not only xshell.paths."""
    for var in XDG:
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    config, state = tmp_path / "xdg_config_home" / "xshell", tmp_path / "xdg_state_home" / "xshell"
    cache, data = tmp_path / "xdg_cache_home" / "xshell", tmp_path / "xdg_data_home" / "xshell"
    assert config_path() == config / "config.toml"
    assert known_hosts_path() == config / "known_hosts"
    assert history_path("room1.example.com_443") == state / "history" / "room1.example.com_443"
    assert tomlcache.cache_dir() == cache / "toml"
    assert path_of("before-upgrade") == data / "snapshots" / "before-upgrade.json"

    async def fetch(root: str) -> object:
        raise AssertionError("not fetched")
    store = SchemaStore(fetch, "room1_443", "ce11.9")
    assert store.cache_dir is not None and store.cache_dir.is_relative_to(cache / "schema")
    assert not home.exists()  # nothing was put in the home folder


def test_an_empty_or_relative_xdg_variable_means_the_default(monkeypatch: pytest.MonkeyPatch,
                                                            home: Path) -> None:
    """The XDG spec: a relative path is invalid and ignored (as is an empty one)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", "")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    assert paths.config_dir() == home / ".config" / "xshell"
    assert paths.data_dir() == home / ".local" / "share" / "xshell"


def test_macos_uses_library_folders(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setattr("sys.platform", "darwin")
    support = home / "Library" / "Application Support" / "xshell"
    assert paths.config_file() == support / "config.toml"
    assert paths.history_dir() == support / "history"
    assert paths.snapshots_dir() == support / "snapshots"
    assert paths.schema_cache_dir() == home / "Library" / "Caches" / "xshell" / "schema"


def test_windows_uses_local_appdata(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No vendor folder (appauthor False): %LOCALAPPDATA%\\xshell, its cache in Cache."""
    local = tmp_path / "AppData" / "Local"
    folders = {"CSIDL_LOCAL_APPDATA": str(local), "CSIDL_APPDATA": str(tmp_path / "Roaming")}
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", folders.__getitem__)
    monkeypatch.setattr("sys.platform", "win32")
    assert paths.config_file() == local / "xshell" / "config.toml"
    assert paths.known_hosts_file() == local / "xshell" / "known_hosts"
    assert paths.history_dir() == local / "xshell" / "history"
    assert paths.snapshots_dir() == local / "xshell" / "snapshots"
    assert paths.toml_cache_dir() == local / "xshell" / "Cache" / "toml"


@pytest.mark.parametrize("env", [
    {},
    {"XDG_CONFIG_HOME": "/srv/conf", "XDG_STATE_HOME": "/srv/state",
     "XDG_CACHE_HOME": "/srv/cache", "XDG_DATA_HOME": "/srv/data"},
    {"XDG_CONFIG_HOME": "", "XDG_STATE_HOME": "relative", "XDG_CACHE_HOME": "  "},
])
def test_linux_answers_are_platformdirs_answers(monkeypatch: pytest.MonkeyPatch, home: Path,
                                                env: dict[str, str]) -> None:
    """xshell.paths applies the XDG rule itself on Linux (importing platformdirs would slow
    every one-shot run); it must give what platformdirs gives, with or without variables."""
    from platformdirs.unix import Unix

    monkeypatch.setattr("sys.platform", "linux")
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    unix = Unix("xshell", appauthor=False)
    assert paths.config_dir() == Path(unix.user_config_dir)
    assert paths.state_dir() == Path(unix.user_state_dir)
    assert paths.cache_dir() == Path(unix.user_cache_dir)
    assert paths.data_dir() == Path(unix.user_data_dir)


def test_a_one_shot_run_does_not_import_platformdirs_on_linux(home: Path) -> None:
    """Every folder of a Linux run is known without the 5-9 ms platformdirs import."""
    import subprocess
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("the XDG fast path is for Linux and the BSDs")
    code = ("import sys; from xshell import paths; "
            "[f() for f in (paths.config_file, paths.history_dir, paths.toml_cache_dir, "
            "paths.schema_cache_dir, paths.snapshots_dir, paths.known_hosts_file)]; "
            "print('platformdirs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
