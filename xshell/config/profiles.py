"""Named devices: `[devices.NAME]` tables, and turning each TARGET into a device's options.

A profile only fills in what the command line left open: options given on the command
line always win. A profile with a bad field is kept out of `profiles` but remembered
with its reason, so `xshell NAME` says what is wrong instead of quietly trying to
connect to a host called NAME. Passwords are never taken from the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, NamedTuple

from xshell.options import DeviceOptions, Options

__all__ = ["FIELDS", "Profile", "parse_profiles", "resolve_target", "valid_profile_name"]

# field -> (type, choices or None)
FIELDS: dict[str, tuple[type, tuple[str, ...] | None]] = {
    "host": (str, None),
    "user": (str, None),
    "name": (str, None),
    "fingerprint": (str, None),
    "legacy": (bool, None),
    "insecure": (bool, None),
    "cacert": (str, None),
    "auth": (str, ("basic", "subprotocol")),
    "read_only": (bool, None),
    "tags": (list, None),  # words `--filter tag=…` and `[groups]`' tag=… select by
}
SECRET_KEYS = ("password", "passwd", "passphrase", "secret")


class Profile(NamedTuple):
    """One `[devices.KEY]` table, validated. `where` is FILE:LINE of its header."""

    key: str
    host: str
    user: str | None = None
    name: str | None = None
    fingerprint: str | None = None
    legacy: bool = False
    insecure: bool = False
    cacert: str | None = None
    auth: str | None = None
    read_only: bool = False  # this room only reads (xshell.session.guard_policy)
    where: str = ""
    tags: tuple[str, ...] = ()  # xshell.config.groups


def valid_profile_name(key: str) -> bool:
    """Names usable as a TARGET word: not empty, no spaces, not an option."""
    return bool(key) and not key.startswith("-") and not any(c.isspace() for c in key)


def parse_profiles(devices: dict[str, Any], bad: Callable[[tuple[str, ...], str], None],
                   where: Callable[[tuple[str, ...]], str] = lambda path: ""
                   ) -> tuple[dict[str, Profile], dict[str, str]]:
    """(usable profiles, {name: why unusable}); every problem is also passed to `bad`."""
    profiles: dict[str, Profile] = {}
    broken: dict[str, str] = {}
    for key, table in devices.items():
        path = ("devices", key)
        if not valid_profile_name(key):
            bad(path, f"profile name {key!r} cannot be typed as a TARGET (no spaces, no leading '-')")
            continue
        if not isinstance(table, dict):
            bad(path, f"[devices.{key}] must be a table with at least host = \"...\"")
            broken[key] = "it is not a table"
            continue
        fields: dict[str, Any] = {}
        for name, value in table.items():
            fpath = (*path, name)
            if name.lower() in SECRET_KEYS:  # never echo the value
                bad(fpath, f"[devices.{key}] {name}: passwords are never read from the settings "
                           "file (use $XSHELL_PASSWORD, the keyring or the prompt); ignored")
                continue
            spec = FIELDS.get(name)
            if spec is None:
                bad(fpath, f"unknown key {name!r} in [devices.{key}] (known: {', '.join(FIELDS)})")
                continue
            kind, choices = spec
            if kind is list and isinstance(value, list) and all(
                    isinstance(v, str) and v.strip() for v in value):
                fields[name] = tuple(v.strip() for v in value)
                continue
            if type(value) is not kind:
                want = {bool: "true/false", list: "a list of strings"}.get(kind, "a string")
                bad(fpath, f"[devices.{key}] {name}: expected {want}; ignored")
                continue
            if choices is not None and value not in choices:
                bad(fpath, f"[devices.{key}] {name}: expected {' or '.join(choices)}; ignored")
                continue
            fields[name] = value
        problem = _host_problem(fields.get("host"))
        if problem:
            bad(path if "host" not in table else (*path, "host"), f"[devices.{key}] {problem}")
            broken[key] = problem
            continue
        if "cacert" in fields:
            fields["cacert"] = os.path.expanduser(fields["cacert"])
        profiles[key] = Profile(key=key, where=where(path), **fields)
    return profiles, broken


def _host_problem(host: Any) -> str | None:
    if host is None:
        return "has no host = \"...\" (host, host:port or ws(s):// URL)"
    from xshell.transport.target import parse_target  # stdlib only

    try:
        parse_target(host)
    except ValueError as exc:
        return f"host: {exc}"
    return None


def _host_of(target: str) -> str:
    """A TARGET as a display name: host, and port when not the default (`127.0.0.1:9002`),
    so two devices behind one address are told apart; never a user:password@ part."""
    from xshell.transport.target import display_of

    return display_of(target)


def resolve_target(options: Options, target: str | None, profiles: dict[str, Profile]
                   ) -> DeviceOptions:
    """One device's options: the profile's fields under the command line's.

    `options.connection` and `options.tls` are the command line as given (None: not
    given). `target` is a profile name or a host/URL, or None for the --demo device.
    """
    cli, tls = options.connection, options.tls
    profile = profiles.get(target) if target is not None else None
    env_user = os.environ.get("XSHELL_USER") or None
    fingerprint = tls.fingerprint if tls.fingerprint is not None else (
        profile.fingerprint if profile else None)
    cacert = tls.cacert if tls.cacert is not None else (profile.cacert if profile else None)
    insecure = tls.insecure or bool(profile and profile.insecure)
    cli_trust = (tls.fingerprint is not None or tls.cacert is not None or tls.accept_new
                 or tls.accept_invalid)
    if tls.insecure:  # --insecure wins over the profile's pin and CA
        fingerprint, cacert = tls.fingerprint, tls.cacert
    elif cli_trust:  # and a pin or CA on the command line wins over the profile's insecure
        insecure = False
    demo = cli.demo and target is None  # `connect SPEC` in a --demo run means a real device
    if demo:
        name = "demo"
    elif profile:
        name = profile.name or profile.key
    else:
        name = _host_of(target or "")
    return DeviceOptions(
        connection=cli._replace(target=profile.host if profile else target,
                             user=cli.user or (profile.user if profile else None) or env_user or "admin",
                             auth=cli.auth or (profile.auth if profile else None) or "basic",
                             legacy=cli.legacy or bool(profile and profile.legacy), demo=demo),
        tls=tls._replace(fingerprint=fingerprint, cacert=cacert, insecure=insecure),
        name=name, profile=profile.key if profile else None,
        where=profile.where if profile else "",
        read_only=options.guard.read_only or bool(profile and profile.read_only))
