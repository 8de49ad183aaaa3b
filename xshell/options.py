"""The run's options, typed and frozen: what every layer below the command line reads.

`xshell.cli` parses the command line with argparse and builds one `Options` from it, once
(`xshell.cli.build_options`); nothing below cli sees argparse's Namespace. Why: a
Namespace is an untyped bag — a mode that reads an option after it was renamed breaks at
run time, not in the type checker, and a test that builds one by hand has to guess which
of twenty fields some layer reads. Here every field is named, typed and defaulted,
so a test builds exactly what it needs (`Options(script=Scripting(file="x.xapi"))`).

The options come in the groups of `xshell --help`: connection, TLS, scripting, output,
fleet. `Options.connection` and `Options.tls` hold the command line as given (None: not
given, a profile or the default decides); each `DeviceOptions` in `Options.devices` is one
TARGET with its profile's fields under the command line's (xshell.config.profiles), which
is all a connection needs.

`Options` and its groups are NamedTuples, not frozen dataclasses: as immutable, typed and
named, and about a tenth of the cost to create at import, which every one-shot run pays
(xshell.lang.requests says more). Change one with `value._replace(field=…)`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["TLS", "Connection", "DeviceOptions", "Fleet", "Guard", "Options", "Output", "Scripting"]


class Connection(NamedTuple):
    """How to reach a device and log in.

    On `Options` the command line's values, None meaning "not given" (user, auth); on a
    `DeviceOptions` the values in force for that device. `target` is a host, host:port or
    ws(s):// URL (None for the --demo device); `password` is -p only (the environment,
    the keyring and the prompt come later, xshell.modes.connect).
    """

    target: str | None = None
    user: str | None = None
    password: str | None = None
    auth: str | None = None
    timeout: float = 30.0
    connect_timeout: float | None = None  # None: min(10 s, timeout) (xshell.modes.connect)
    legacy: bool = False
    demo: bool = False


class TLS(NamedTuple):
    """Certificate trust for wss:// devices (xshell.transport.pinning)."""

    fingerprint: str | None = None
    accept_new: bool = False
    accept_invalid: bool = False
    cacert: str | None = None
    insecure: bool = False


class Scripting(NamedTuple):
    """What a non-interactive run executes: -c lines in order, or -f FILE ('-' = stdin)."""

    commands: tuple[str, ...] = ()
    file: str | None = None
    follow: bool = False
    max_events: int | None = None


class Output(NamedTuple):
    """How results are shown and recorded. `format` is the -o name ("terminal", "json"),
    already merged with the settings' [main] output; `log_format` is set whenever `log` is."""

    format: str = "terminal"
    log: str | None = None
    log_format: str | None = None
    plain: bool = False
    trace: bool = False  # --trace: every JSON-RPC frame (scripts: stderr), as `trace on`


class Fleet(NamedTuple):
    """Several devices: how many are worked on at once in a multi-device script."""

    jobs: int = 32
    # --filter (xshell.config.groups.DeviceFilter; None: none): product/version are decided
    # once each device is connected. `grouped`: the rooms came from @GROUP or --filter, so
    # the run is a fleet run even when one room is left.
    filter: Any = None
    grouped: bool = False


class Guard(NamedTuple):
    """The guard (xshell.session.guard_policy): `yes` sends destructive requests from a script
    without asking; `read_only` refuses every request that would change a device."""

    yes: bool = False
    read_only: bool = False


class DeviceOptions(NamedTuple):
    """One device of the run. `name` is what it is shown as before it names itself (the
    profile's name, host[:port], or "demo"); `profile` the profile key, or None for a
    plain host/URL; `where` FILE:LINE of the profile, for messages."""

    connection: Connection = Connection()
    tls: TLS = TLS()
    name: str = ""
    profile: str | None = None
    where: str = ""
    read_only: bool = False  # --read-only, or the profile's read_only = true


class Options(NamedTuple):
    """Everything the command line asked for, and the settings it was read with.

    `settings` is the loaded xshell.config Settings (None: the built-in defaults);
    `devices` one DeviceOptions per TARGET (one for --demo), resolved by xshell.cli.
    """

    targets: tuple[str, ...] = ()
    connection: Connection = Connection()
    tls: TLS = TLS()
    script: Scripting = Scripting()
    output: Output = Output()
    fleet: Fleet = Fleet()
    guard: Guard = Guard()
    config: str | None = None
    settings: Any = None
    devices: tuple[DeviceOptions, ...] = ()
