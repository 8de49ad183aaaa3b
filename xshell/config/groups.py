"""Groups of rooms: `[groups]`, profile tags, the inventory CSV, and `--filter`.

A fleet is not a list of hosts typed on the command line: it is an export from the
room-booking or device-management system (a CSV of name, host, tags, user) and a few
names the technician thinks in ("floor3", "boardrooms"). So:

* `[inventory] file = "rooms.csv"` reads profiles from a CSV with the header
  `name,host,tags,user` (tags separated by spaces, `;` or `|`); a path is relative to
  the settings file. A `[devices.NAME]` table of the same name wins over the CSV row.
* `[groups] floor3 = ["boardroom", "huddle-*", "tag=video"]`: each member is a profile
  name, a shell pattern over profile names (`*`, `?`, `[…]`, case ignored), or
  `tag=NAME` (every profile with that tag). A member that names no profile is a host
  only when it looks like one (a dot or a colon: a domain, an IP address, a URL); a
  bare word that names none is an error, never a DNS lookup of a typo.
* `@WORD[,WORD…]` (on the command line and in the shell) is a group, a profile, or
  `all`; `--filter tag=…` keeps the profiles with that tag; `--filter product=…` and
  `version=…` are decided on what each device reports once it is connected (ProductId
  or ProductPlatform; SystemUnit Software Version or DisplayName). A filter value is a
  shell pattern when it has `*`, `?` or `[`, else a case-ignoring substring.

Only the stdlib is imported: the settings load on every start.
"""

from __future__ import annotations

import csv
import fnmatch
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FILTER_KEYS", "DeviceFilter", "inventory_profiles", "looks_like_host", "member_keys",
           "parse_filters", "parse_groups", "pattern_problem", "select"]

FILTER_KEYS = ("tag", "product", "version")
_TAG_SPLIT = re.compile(r"[\s;|,]+")
_GLOB = re.compile(r"[*?\[]")
Bad = Callable[[tuple[str, ...], str], None]


def split_tags(text: str) -> tuple[str, ...]:
    """`"video floor3"`, `"video;floor3"` → ("video", "floor3")."""
    return tuple(t for t in _TAG_SPLIT.split(text.strip()) if t)


def parse_groups(table: Any, bad: Bad) -> dict[str, tuple[str, ...]]:
    """`[groups]` validated: name → member patterns; every problem goes to `bad`."""
    groups: dict[str, tuple[str, ...]] = {}
    if not isinstance(table, dict):
        bad(("groups",), "[groups] must be a table of NAME = [\"profile\", \"pattern-*\", \"tag=T\"]")
        return groups
    for name, members in table.items():
        path = ("groups", name)
        if not name or name.startswith("-") or any(c.isspace() or c in ",@" for c in name):
            bad(path, f"group name {name!r} cannot be typed after @ (no spaces, ',', '@' or leading '-')")
            continue
        if name.lower() == "all":
            bad(path, "group name 'all' is reserved (@all means every device)")
            continue
        if not isinstance(members, list) or not all(isinstance(m, str) and m.strip() for m in members):
            bad(path, f"[groups] {name}: expected a list of profile names, patterns or tag=NAME")
            continue
        groups[name] = tuple(m.strip() for m in members)
    return groups


def inventory_profiles(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of an inventory CSV as profile fields, and one problem line per bad row.

    Columns: name, host (required), tags, user (optional); other columns are ignored, so
    an export with more columns needs no editing. Never a password column.
    """
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            if "name" not in header or "host" not in header:
                return [], [f"{path}:1: an inventory needs the columns name and host "
                            f"(found: {', '.join(header) or 'nothing'})"]
            for lineno, raw in enumerate(reader, start=2):
                row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k}
                name, host = row.get("name", ""), row.get("host", "")
                if not name or not host:
                    problems.append(f"{path}:{lineno}: a row needs a name and a host; skipped")
                    continue
                fields: dict[str, Any] = {"key": name, "host": host,
                                          "tags": split_tags(row.get("tags", ""))}
                if row.get("user"):
                    fields["user"] = row["user"]
                fields["where"] = f"{path}:{lineno}"
                rows.append(fields)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        return [], [f"{path}: cannot read the inventory ({why})"]
    return rows, problems


def _fold(text: str) -> str:
    return text.casefold()


def member_keys(pattern: str, profiles: Mapping[str, Any]) -> list[str] | None:
    """Profile keys one group member names; None when it names none and is no pattern
    (then it is a host)."""
    low = pattern.strip()
    if low.lower().startswith("tag="):
        tag = _fold(low[4:])
        return [k for k, p in profiles.items() if tag in map(_fold, getattr(p, "tags", ()))]
    if _GLOB.search(low):
        return [k for k in profiles if fnmatch.fnmatchcase(_fold(k), _fold(low))]
    for key in profiles:
        if _fold(key) == _fold(low):
            return [key]
    return None


def looks_like_host(member: str) -> bool:
    """Whether a group member that names no profile is meant as a host: it has a dot or a
    colon (a domain name, an IPv4 or IPv6 address, host:port, a ws(s):// URL). A bare
    word is a typo of a profile name far more often than a host on the search domain."""
    if "." in member or ":" in member:
        return True
    try:
        ipaddress.ip_address(member)
    except ValueError:
        return False
    return True


def select(words: Sequence[str], groups: Mapping[str, Sequence[str]],
           profiles: Mapping[str, Any],
           where: Callable[[str], str] | None = None) -> tuple[list[str], str | None]:
    """The TARGETs `@WORD,WORD` stands for (profile keys, or hosts a group lists), in
    order without repeats; or a problem naming the word that is neither, or the group
    member that is neither a profile, a pattern nor a host (`where(group)`: the settings
    file, and line, that declares the group)."""
    out: list[str] = []
    by_fold = {_fold(g): g for g in groups}

    def add(keys: Iterable[str]) -> None:
        for k in keys:
            if k not in out:
                out.append(k)

    for word in words:
        if not word:
            continue
        if _fold(word) == "all":
            add(profiles)
            continue
        group = by_fold.get(_fold(word))
        if group is not None:
            for pattern in groups[group]:
                keys = member_keys(pattern, profiles)
                if keys is None and not looks_like_host(pattern):
                    origin = f"{where(group)}: " if where is not None else ""
                    return [], f"{origin}group {group}: {pattern!r} is not a profile"
                add(keys if keys is not None else [pattern])
            continue
        keys = member_keys(word, profiles)
        if keys is None:
            known = ", ".join(sorted(groups)) or "none"
            return [], f"@{word}: no group or profile of that name (groups: {known})"
        add(keys)
    return out, None


@dataclass(frozen=True)
class DeviceFilter:
    """`--filter KEY=VALUE`, all of them must hold (see the module docstring)."""

    pairs: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.pairs)

    @property
    def needs_device(self) -> bool:
        """Whether a device must be asked (product, version) before it is selected."""
        return any(k != "tag" for k, _ in self.pairs)

    def keeps_profile(self, profile: Any) -> bool:
        """The tag filters on a profile (a plain host has no tags: it never passes)."""
        tags = [_fold(t) for t in getattr(profile, "tags", ()) or ()]
        return all(any(_matches(v, t) for t in tags) for k, v in self.pairs if k == "tag")

    def rejects(self, product: str, version: str) -> str | None:
        """Why a connected device is left out (None: it is kept)."""
        for key, value in self.pairs:
            seen = product if key == "product" else version if key == "version" else None
            if seen is not None and not _matches(value, _fold(seen)):
                return f"{key} {seen or 'unknown'!s} does not match --filter {key}={value}"
        return None


def _matches(pattern: str, seen: str) -> bool:
    pat = _fold(pattern)
    return fnmatch.fnmatchcase(seen, pat) if _GLOB.search(pat) else pat in seen


def pattern_problem(pattern: str) -> str | None:
    """Why a filter value cannot be matched as meant (None: it can). fnmatch takes an
    unclosed `[` as a literal bracket, so `product=[` would quietly match no room."""
    if any(not c.isprintable() for c in pattern):
        return "the value has a control character"
    i = 0
    while i < len(pattern):
        if pattern[i] == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] == "!":
                j += 1
            if j < len(pattern) and pattern[j] == "]":  # a leading ] is a member of the set
                j += 1
            close = pattern.find("]", j)
            if close < 0:
                return f"'[' at position {i + 1} opens a set that is never closed with ']'"
            i = close
        i += 1
    return None


def parse_filters(given: Sequence[str]) -> tuple[DeviceFilter, str | None]:
    """`--filter` values → a DeviceFilter, or the one-line problem with the bad one (its
    text quoted by repr: a control character in it is shown, never obeyed)."""
    pairs: list[tuple[str, str]] = []
    for text in given:
        key, sep, value = text.partition("=")
        key = key.strip().lower()
        if not sep or key not in FILTER_KEYS or not value.strip():
            return DeviceFilter(), (f"--filter {text!r}: expected KEY=VALUE with KEY one of "
                                    f"{', '.join(FILTER_KEYS)} (e.g. --filter tag=floor3)")
        why = pattern_problem(value.strip())
        if why is not None:
            return DeviceFilter(), (f"--filter {text!r}: {why} (a value is a substring, or a "
                                    f"pattern with *, ? and [...])")
        pairs.append((key, value.strip()))
    return DeviceFilter(tuple(pairs)), None
