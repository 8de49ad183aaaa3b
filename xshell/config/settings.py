"""The settings file: find it, write the commented default once, merge it, validate it.

The packaged `default.toml` is both the documentation and the built-in defaults: it is
parsed and merged UNDER the user's file (as pgcli does), so a key the user leaves out —
or one added by a newer release — keeps its default. Bad content is never fatal: each
unknown key or wrong value becomes one warning line naming the file and line, and the
default stays in force. Only the stdlib is imported here (re; tomllib only when a text
was not parsed before, see tomlcache): the one-shot path and `--list-profiles` load
settings and must stay fast.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from xshell import paths
from xshell.config import tomlcache
from xshell.config.locate import locate_keys
from xshell.config.profiles import Profile, parse_profiles
from xshell.inert import inert
from xshell.lang.formats import format_registry as formats

__all__ = ["Settings", "builtin_settings", "builtin_text", "config_path", "load_settings"]

DEFAULT_FILE = Path(__file__).with_name("default.toml")
SECTIONS = ("main", "ui", "colours", "devices", "guard", "groups", "inventory")
# Values that are not just "any value of the default's type".
# ("main", "output") is not here: its choices are the registered output formats (_choices).
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ui", "key_bindings"): ("emacs", "vi"),
}
MINIMUM: dict[tuple[str, str], int] = {("main", "history_size"): 0, ("ui", "pane_width"): 0}
_TOML_LINE = re.compile(r"\(at line (\d+)")


def config_path() -> Path:
    """$XDG_CONFIG_HOME/xshell/config.toml, else ~/.config/xshell/config.toml (xshell.paths)."""
    return paths.config_file()


@lru_cache(maxsize=1)
def builtin_text() -> str:
    """The commented default file shipped with xshell (also written on first run)."""
    return DEFAULT_FILE.read_text(encoding="utf-8")


@dataclass
class Settings:
    """Every setting after the merge; `lines` maps key paths to lines of `source`.

    `warnings` holds the load-time problems (already formatted, one line each); later
    checks that need heavier imports (theme, colour values: the UI's) call `report`,
    which names the same file and line.
    """

    output: str = formats.DEFAULT
    history_size: int = 10_000
    pane_width: int = 0
    key_bindings: str = "emacs"
    theme: str = "default"
    colours: dict[str, str] = field(default_factory=dict)
    guard_read_only: bool = False  # [guard]: see xshell.session.guard_policy
    guard_commands: tuple[str, ...] = ()
    guard_configurations: tuple[str, ...] = ()
    guard_allow: tuple[str, ...] = ()
    profiles: dict[str, Profile] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # [groups] (config.groups)
    inventory: str = ""  # [inventory] file, as written
    broken_profiles: dict[str, str] = field(default_factory=dict)  # name -> why unusable
    source: Path | None = None
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    report_to: Callable[[str], None] | None = None

    @property
    def devices(self) -> dict[str, Profile]:
        """The usable device profiles by name (same as `profiles`)."""
        return self.profiles

    def where(self, *path: str) -> str:
        """`FILE:LINE` of a key (or of its nearest enclosing table); `FILE` if unknown."""
        if self.source is None:
            return "built-in settings"
        for n in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:n]))
            if line is not None:
                return f"{self.source}:{line}"
        return str(self.source)

    def report(self, path: tuple[str, ...], message: str) -> None:
        """One warning line about a setting found bad after loading (stderr by default)."""
        text = inert(f"xshell: {self.where(*path)}: {message}")
        if self.report_to is not None:
            self.report_to(text)
        else:
            print(text, file=sys.stderr, flush=True)


def _parse_default() -> dict[str, Any]:
    return tomlcache.loads(builtin_text())


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return _parse_default()


def builtin_settings() -> Settings:
    """The built-in defaults alone (what `settings=None` means in the UI)."""
    return _build({}, {}, None)


def write_default(path: Path) -> bool:
    """Create `path` with the commented default (dir 0700, file 0600); False if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(builtin_text())
    return True


def read_user_file(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int], str | None]:
    """(parsed table, key lines, problem). A problem means: use the built-in defaults."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, {}, None
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        return {}, {}, f"xshell: {path}: cannot read the settings ({why}); using the built-in defaults"
    try:
        data = tomlcache.loads(text, keep=_no_secret_keys)
    except ValueError as exc:  # tomllib.TOMLDecodeError
        m = _TOML_LINE.search(str(exc))
        place = f"{path}:{m.group(1)}" if m else str(path)
        return {}, {}, f"xshell: {place}: TOML syntax error: {exc}; using the built-in defaults"
    return data, locate_keys(text), None


_SECRET_WORDS = ("pass", "secret", "token")  # in a key's name: never copy the file's text


def _no_secret_keys(table: dict[str, Any]) -> bool:
    """Whether no key, at any depth, looks like it holds a secret (then the parse may be cached)."""
    for key, value in table.items():
        if any(word in str(key).lower() for word in _SECRET_WORDS):
            return False
        if isinstance(value, dict) and not _no_secret_keys(value):
            return False
    return True


def load_settings(path: Path | None = None, *, write_first_run: bool = True) -> Settings:
    """Load `path` (default: config_path()) merged over the built-in defaults.

    When `path` is None and the default file is absent, the commented default is
    written there (`write_first_run`) and a notice is added to `notices`.
    """
    explicit = path is not None
    target = path if path is not None else config_path()
    notices: list[str] = []
    if not explicit and write_first_run and not target.exists():
        try:
            if write_default(target):
                notices.append(f"xshell: wrote the default settings to {target} (edit it to change them)")
        except OSError as exc:
            notices.append(f"xshell: could not write the default settings to {target}: {exc.strerror or exc}")
    data, lines, problem = read_user_file(target)
    settings = _build(data, lines, target)
    if problem is not None:
        settings.warnings.insert(0, problem)
    settings.notices = notices
    return settings


def _build(data: dict[str, Any], lines: dict[tuple[str, ...], int], source: Path | None) -> Settings:
    settings = Settings(source=source, lines=lines)
    defaults = _defaults()
    warn = settings.warnings

    found: list[tuple[int, str]] = []

    def bad(path: tuple[str, ...], message: str) -> None:
        where = settings.where(*path)
        line = where.rpartition(":")[2]
        found.append((int(line) if line.isdigit() else 0, f"xshell: {where}: {message}"))

    merged: dict[str, dict[str, Any]] = {"main": dict(defaults["main"]), "ui": dict(defaults["ui"]),
                                         "guard": dict(defaults["guard"]),
                                         "inventory": dict(defaults["inventory"])}
    for name, value in data.items():
        if name not in SECTIONS:
            known = ", ".join(f"[{s}]" for s in SECTIONS)
            what = f"section [{name}]" if isinstance(value, dict) else f"key {name!r} at the top level"
            bad((name,), f"unknown {what} (known: {known})")
            continue
        if not isinstance(value, dict):
            bad((name,), f"[{name}] must be a table, not {_kind(value)}")
            continue
        if name in merged:
            _merge_section(name, value, merged[name], defaults[name], bad)
    settings.output = merged["main"]["output"]
    settings.history_size = merged["main"]["history_size"]
    settings.pane_width = merged["ui"]["pane_width"]
    settings.key_bindings = merged["ui"]["key_bindings"]
    settings.theme = merged["ui"]["theme"]
    guard = merged["guard"]
    settings.guard_read_only = guard["read_only"]
    settings.guard_commands = tuple(guard["commands"])
    settings.guard_configurations = tuple(guard["configurations"])
    settings.guard_allow = tuple(guard["allow"])
    settings.colours = dict(defaults["colours"])
    colours = data.get("colours")
    if isinstance(colours, dict):
        _merge_colours(colours, settings.colours, bad)
    devices = data.get("devices")
    if isinstance(devices, dict):
        settings.profiles, settings.broken_profiles = parse_profiles(
            devices, bad, lambda path: settings.where(*path))
    settings.inventory = merged["inventory"]["file"]
    if "groups" in data:
        from xshell.config.groups import parse_groups
        settings.groups = parse_groups(data["groups"], bad)
    if settings.inventory:
        _read_inventory(settings, bad)
    warn.extend(text for _, text in sorted(found, key=lambda item: item[0]))  # file order
    return settings


Bad = Callable[[tuple[str, ...], str], None]


def _row_problem(bad: Bad, where: str) -> Bad:
    """How an inventory row reports a problem: at [inventory] file, naming the row."""
    return lambda path, message: bad(("inventory", "file"), f"{where}: {message}")


def _read_inventory(settings: Settings, bad: Bad) -> None:
    """[inventory] file: its rows become profiles under the [devices.NAME] tables (a
    table of the same name wins); a bad row is one warning and is skipped."""
    from xshell.config.groups import inventory_profiles

    path = Path(os.path.expanduser(settings.inventory))
    if not path.is_absolute() and settings.source is not None:
        path = settings.source.parent / path
    rows, problems = inventory_profiles(path)
    for problem in problems:
        bad(("inventory", "file"), problem)
    for fields in rows:
        key = fields["key"]
        if key in settings.profiles or key in settings.broken_profiles:
            continue
        profiles, _ = parse_profiles({key: {k: list(v) if k == "tags" else v for k, v in fields.items()
                                            if k not in ("key", "where")}},
                                     _row_problem(bad, str(fields["where"])))
        for name, profile in profiles.items():
            settings.profiles[name] = profile._replace(where=fields["where"])


def _merge_section(name: str, given: dict[str, Any], into: dict[str, Any],
                   defaults: dict[str, Any], bad: Bad) -> None:
    """Copy the valid keys of [name] over the defaults; warn about the others."""
    for key, value in given.items():
        path = (name, key)
        if key not in defaults:
            bad(path, f"unknown key {key!r} in [{name}] (known: {', '.join(defaults)})")
            continue
        problem = _check(path, value, defaults[key])
        if problem:
            bad(path, f"[{name}] {key}: {problem}; using {_show(defaults[key])}")
            continue
        into[key] = value


def _check(path: tuple[str, str], value: Any, default: Any) -> str | None:
    """Why `value` is not acceptable for the key at `path`; None when it is."""
    if type(value) is not type(default):  # bool is not int here: `true` is no width
        return f"expected {_kind(default)}, got {_got(value)}"
    if isinstance(value, list) and not all(isinstance(v, str) and v.strip() for v in value):
        return "expected a list of strings (patterns such as \"SystemUnit Boot\")"
    choices = _choices(path)
    if choices is not None and value not in choices:
        return f"expected {' or '.join(_show(c) for c in choices)}, got {_show(value)}"
    low = MINIMUM.get(path)
    if low is not None and value < low:
        return f"must be {low} or more, got {value}"
    return None


def _choices(path: tuple[str, str]) -> tuple[str, ...] | None:
    """The values the key at `path` may take, when it is one of a fixed few."""
    return formats.names() if path == ("main", "output") else CHOICES.get(path)


def _merge_colours(given: dict[str, Any], into: dict[str, str], bad: Bad) -> None:
    """[colours]: known UI classes and any `pygments.*` token; dotted keys are flattened."""
    for key, value, path in _flatten(given, ("colours",)):
        if key not in into and not key.startswith("pygments."):
            bad(path, f"unknown key {key!r} in [colours] (known: the keys of the default file, "
                      "or pygments.TOKEN)")
            continue
        if not isinstance(value, str):
            bad(path, f"[colours] {key!r}: expected a style string, got {_got(value)}")
            continue
        into[key] = value


def _flatten(table: dict[str, Any], path: tuple[str, ...]) -> list[tuple[str, Any, tuple[str, ...]]]:
    out: list[tuple[str, Any, tuple[str, ...]]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            out += _flatten(value, (*path, key))
        else:
            full = (*path, key)
            out.append((".".join(full[1:]), value, full))
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {int: "a whole number", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _got(value: Any) -> str:
    """What was found instead: containers by kind, scalars as written."""
    return _kind(value) if isinstance(value, (list, dict)) else _show(value)


def _show(value: Any) -> str:
    """A value as TOML would spell it, cut short (warnings are one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        text = repr(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= 40 else text[:37] + "..."
