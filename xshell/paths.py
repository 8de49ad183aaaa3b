"""Every folder xshell reads or writes, from one place.

Four user folders, each from `platformdirs` (app name "xshell", no vendor folder):

    config  config.toml, known_hosts          Linux: $XDG_CONFIG_HOME/xshell (~/.config/xshell)
    state   history/ (input history per device) Linux: $XDG_STATE_HOME/xshell (~/.local/state/xshell)
    cache   schema/, toml/ (rebuilt at will)   Linux: $XDG_CACHE_HOME/xshell (~/.cache/xshell)
    data    snapshots/ (the user's own files)  Linux: $XDG_DATA_HOME/xshell (~/.local/share/xshell)

Why platformdirs rather than four hand-written `$XDG_…` lookups: on Linux it gives exactly
those XDG folders, and on Windows and macOS laptops it gives their proper places
(%LOCALAPPDATA%\\xshell, ~/Library/Application Support/xshell, ~/Library/Caches/xshell)
instead of a `.config` folder in the user's home.

Each call reads the environment afresh (tests set XDG_* per test), and nothing is created
here: the module that writes a folder creates it, with the permissions it needs. This is
the bottom layer: it imports no other xshell module.

On Linux and the BSDs the XDG rule (the variable when it holds an absolute path, else the
folder under home) is applied here without importing platformdirs: importing it (it pulls
in tempfile, shutil and random) costs 5-9 ms of a one-shot `xshell -c` that takes about 90,
and every run needs the config folder. tests/e2e/test_paths.py checks the two agree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformdirs.api import PlatformDirsABC

__all__ = ["APP", "cache_dir", "config_dir", "config_file", "data_dir", "history_dir",
           "known_hosts_file", "schema_cache_dir", "snapshots_dir", "state_dir", "toml_cache_dir"]

APP = "xshell"
_XDG_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd")
_XDG_DEFAULTS = {"XDG_CONFIG_HOME": ".config", "XDG_STATE_HOME": ".local/state",
                 "XDG_CACHE_HOME": ".cache", "XDG_DATA_HOME": ".local/share"}


def _xdg(var: str) -> Path | None:
    """platformdirs' Unix answer for `var`, on the platforms where it applies, else None."""
    if not sys.platform.startswith(_XDG_PLATFORMS):
        return None
    value = os.environ.get(var, "")
    base = Path(value) if os.path.isabs(value) else Path.home() / _XDG_DEFAULTS[var]
    return base / APP


def _dirs() -> PlatformDirsABC:
    """The folder rules of a platform without XDG, chosen by `sys.platform` now (a test may
    change it)."""
    if sys.platform == "win32":
        from platformdirs.windows import Windows

        return Windows(APP, appauthor=False)
    if sys.platform == "darwin":
        from platformdirs.macos import MacOS

        return MacOS(APP, appauthor=False)
    from platformdirs import PlatformDirs  # Android and the rest: platformdirs' own pick

    return PlatformDirs(APP, appauthor=False)


def config_dir() -> Path:
    """The user's settings and trust decisions (Linux: $XDG_CONFIG_HOME/xshell)."""
    return _xdg("XDG_CONFIG_HOME") or Path(_dirs().user_config_dir)


def state_dir() -> Path:
    """What a run leaves for the next one, such as input history (Linux: $XDG_STATE_HOME/xshell)."""
    return _xdg("XDG_STATE_HOME") or Path(_dirs().user_state_dir)


def cache_dir() -> Path:
    """Files xshell can always rebuild, safe to delete (Linux: $XDG_CACHE_HOME/xshell)."""
    return _xdg("XDG_CACHE_HOME") or Path(_dirs().user_cache_dir)


def data_dir() -> Path:
    """Files the user made and keeps, such as snapshots (Linux: $XDG_DATA_HOME/xshell)."""
    return _xdg("XDG_DATA_HOME") or Path(_dirs().user_data_dir)


def config_file() -> Path:
    """The settings and device profiles, written commented on first run."""
    return config_dir() / "config.toml"


def known_hosts_file() -> Path:
    """Pinned TLS certificates, one `host:port SHA256:…` per line."""
    return config_dir() / "known_hosts"


def history_dir() -> Path:
    """Input history, one file per device."""
    return state_dir() / "history"


def schema_cache_dir() -> Path:
    """Each device's xAPI schema, per software version (fetching it again is slow)."""
    return cache_dir() / "schema"


def toml_cache_dir() -> Path:
    """Parsed settings files, so start-up skips the TOML parser."""
    return cache_dir() / "toml"


def snapshots_dir() -> Path:
    """Saved device state (`snapshot save NAME`), one JSON file per name."""
    return data_dir() / "snapshots"
