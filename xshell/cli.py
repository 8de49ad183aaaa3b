"""The `xshell` command line: the contract scripts and the tests rely on.

    xshell [TARGET ...] [-u USER] [-p PASSWORD] [-c LINE]… [-f FILE] [-o terminal|json]
           [--follow] [--max-events N] [--timeout S] [--connect-timeout S]
           [--fingerprint SHA256:…] [--accept-new] [--accept-invalid] [--cacert FILE]
           [--insecure] [--legacy] [--config FILE] [--list-profiles]
           [--log FILE] [--log-format text|jsonl] [--jobs N] [--yes] [--read-only] [--demo]
           [--plain] [--version]

A TARGET is a profile name from the settings file ([devices.NAME]) or a host/URL.
The parsed command line becomes one typed, frozen `xshell.options.Options` (build_options),
the only thing the modes below read: each TARGET is a `DeviceOptions` in `devices` (profile
fields under the command line's options), and the settings, loaded once, are in `settings`.
One device runs as a script or an interactive shell, several go to the multi-device modes.

wss:// certificates are verified: one a trusted CA signed passes; any other must match
the pin stored in $XDG_CONFIG_HOME/xshell/known_hosts (asked about on first contact in
interactive runs), `--fingerprint`, or be pinned on first use with `--accept-new`. A
certificate a trusted CA signed that fails its check (wrong name, expired) is pinned only
with `--accept-invalid`, `--fingerprint` or a yes to the question that names the failure.

Exit status: 0 all succeeded; 1 a request got an xAPI error; 2 usage or parse error;
3 connection or authentication failure. Only argparse and the stdlib-only settings
loader are imported here, so a one-shot run never pays for prompt-toolkit.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from xshell import __version__
from xshell.inert import InertFormatter, inert
from xshell.options import TLS, Connection, DeviceOptions, Fleet, Guard, Options, Output, Scripting
from xshell.lang.formats import format_registry as formats

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line + usage, exit 2 (argparse's default too)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"xshell: error: {message}\n")


def build_parser(*, for_profiles: bool = False) -> argparse.ArgumentParser:
    """The options. With `for_profiles`, those a profile or the settings may supply
    (-u, -o, --auth) default to None, meaning "not given on the command line"; `main`
    fills them per device. Without it they carry their usual defaults.
    """
    unset = for_profiles
    p = _Parser(
        prog="xshell", add_help=False,
        description="Interactive xAPI shell for Cisco RoomOS/CE devices over WebSocket (XoWS).",
        epilog="Settings and device profiles: $XDG_CONFIG_HOME/xshell/config.toml (written, "
               "commented, on first run). "
               "TLS: a certificate that is not CA-signed must match its pin in "
               "$XDG_CONFIG_HOME/xshell/known_hosts (asked on first contact when interactive), "
               "--fingerprint, or be pinned with --accept-new; one a trusted CA signed that "
               "fails its check (wrong host name, expired) is pinned only with --accept-invalid. "
               "Exit status: 0 ok, 1 xAPI error, 2 usage/parse error, 3 connection/authentication failure.")
    # --help in groups by purpose (the man page, generated from this parser, follows them)
    conn = p.add_argument_group("connection")
    tls = p.add_argument_group("TLS (wss:// devices)")
    script = p.add_argument_group("scripting")
    output = p.add_argument_group("output")
    fleet = p.add_argument_group("fleet (several devices)")
    guard = p.add_argument_group("guard (destructive commands, read-only sessions)")
    other = p.add_argument_group("other")
    other.add_argument("-h", "--help", action="help", help="show this help and exit")
    conn.add_argument("target", nargs="*", metavar="TARGET",
                   help="device: a profile name from the settings file, or host, host:port, "
                        "ws://… or wss://… URL (default wss://HOST/ws); several for a multi-device run")
    conn.add_argument("-u", "--user", default=None if unset else os.environ.get("XSHELL_USER", "admin"),
                   help="username (default: the profile's user, else $XSHELL_USER, else admin)")
    conn.add_argument("-p", "--password", default=None,
                   help="password (visible to other users of this machine: prefer $XSHELL_PASSWORD, "
                        "the keyring or the prompt)")
    script.add_argument("-c", "--command", action="append", default=[], metavar="LINE",
                   help="run LINE and exit (repeatable, run in order)")
    script.add_argument("-f", "--file", metavar="FILE", help="run the xAPI lines of FILE ('-' = stdin)")
    output.add_argument("-o", "--output", choices=formats.names(), default=None if unset else formats.DEFAULT,
                   help=f"output format: {formats.descriptions()} "
                        f"(default: the settings' [main] output, else {formats.DEFAULT})")
    script.add_argument("--follow", action="store_true",
                   help="after the lines, keep printing feedback from their registrations until Ctrl-C")
    script.add_argument("--max-events", type=int, default=None, metavar="N",
                   help="with --follow or `watch`: stop after N feedback events (changes)")
    conn.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="seconds to wait for each reply (default 30)")
    conn.add_argument("--connect-timeout", type=float, default=None, metavar="S",
                   help="seconds to wait while opening a connection: TCP, TLS, the WebSocket "
                        "handshake and the login (default 10, or --timeout if shorter)")
    tls.add_argument("--fingerprint", metavar="SHA256:…", default=None,
                   help="accept only the TLS certificate with this SHA-256 fingerprint "
                        "(SHA256:<base64> or 64 hex digits)")
    tls.add_argument("--accept-new", action="store_true",
                   help="pin an unknown TLS certificate on first use (known_hosts in the XDG "
                        "config dir) if no trusted CA signed it (self-signed, unknown CA); a "
                        "changed one is still refused")
    tls.add_argument("--accept-invalid", action="store_true",
                   help="like --accept-new, and also pin a certificate that a trusted CA signed "
                        "but that fails verification (wrong host name, expired)")
    tls.add_argument("--cacert", metavar="FILE", default=None,
                   help="also trust the CA certificates in FILE (PEM)")
    tls.add_argument("--insecure", action="store_true",
                   help="do not verify the device's TLS certificate at all (no CA, no pin)")
    conn.add_argument("--auth", choices=("basic", "subprotocol"), default=None if unset else "basic",
                   help="send credentials as HTTP Basic (default) or the auth- WebSocket subprotocol")
    conn.add_argument("--legacy", action="store_true",
                   help="legacy all-strings typing (adds ?legacy to the URL)")
    other.add_argument("--config", metavar="FILE", default=None,
                   help="read settings and profiles from FILE instead of "
                        "$XDG_CONFIG_HOME/xshell/config.toml")
    other.add_argument("--list-profiles", action="store_true",
                   help="print the device profile names, one per line, and exit")
    output.add_argument("--log", metavar="FILE", default=None,
                   help="record the session (every device) in FILE")
    output.add_argument("--log-format", choices=("text", "jsonl"), default=None,
                   help="format of --log (default: jsonl when FILE ends with .jsonl, else text)")
    output.add_argument("--trace", action="store_true",
                   help="show every JSON-RPC frame sent and received, timestamped, secrets "
                        "masked (scripts: on stderr; as `trace on` from the start)")
    guard.add_argument("-y", "--yes", action="store_true",
                   help="send destructive commands and settings (reboots, resets, removals, "
                        "registration, settings that cut the connection) from a script without "
                        "asking; without it a script refuses them (exit 2) and goes on")
    guard.add_argument("--read-only", action="store_true",
                   help="only reads, feedback, help and local commands: every set or "
                        "state-changing command is refused before it is sent (exit 2)")
    fleet.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                   help="only the rooms that match (repeatable, all must hold): tag=T (profile "
                        "tags), product=P or version=V (what the device reports); a value with "
                        "* ? [ is a pattern, else a substring. Without TARGET: every profile")
    fleet.add_argument("--jobs", type=int, default=32, metavar="N",
                   help="devices worked on at once in a multi-device script (default 32)")
    conn.add_argument("--demo", action="store_true",
                   help="start the built-in codec simulator in-process and connect to it")
    output.add_argument("--plain", action="store_true",
                   help="line-mode prompt instead of the full-screen interface")
    other.add_argument("--version", action="version", version=f"xshell {__version__}")
    return p


def _guard_streams() -> None:
    """No write to stdout/stderr can raise UnicodeEncodeError (a lone surrogate, or "●" on an
    ASCII locale): unencodable characters are written as backslash escapes instead. Each
    writer still passes device text through xshell.inert; this is the net beneath it, and
    log records (which may quote what a device sent) are formatted inert too."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            try:
                reconfigure(errors="backslashreplace")
            except (OSError, ValueError):
                pass
    import logging

    if logging.lastResort is not None:
        logging.lastResort.setFormatter(InertFormatter())


def main(argv: list[str] | None = None) -> int:
    _guard_streams()
    args = build_parser(for_profiles=True).parse_args(argv)
    if args.list_profiles:
        return _list_profiles(args.config)
    problem = _option_problem(args)
    if problem:
        return _usage(problem)
    scripted = bool(args.command or args.file) or not sys.stdin.isatty()
    settings = _load_settings(args.config, announce=scripted)
    targets, problem = _expand_targets(args, settings)
    if problem:  # a group, a profile or a --filter value: one line, no usage block
        print(inert(f"xshell: error: {problem}"), file=sys.stderr)
        return EXIT_USAGE
    if not args.demo and not targets:
        return _usage("a TARGET (profile name, host or ws(s):// URL) is required unless --demo is given")
    if args.demo and targets:
        return _usage("--demo connects to the built-in simulator; give no TARGET with it")
    for target in targets:
        if target in settings.broken_profiles:
            return _usage(f"profile {target!r} ({settings.where('devices', target)}) cannot be "
                          f"used: {settings.broken_profiles[target]}")
    options = build_options(args, settings)
    for dev in options.devices:
        problem = _tls_problem(dev, args)
        if problem:
            return _usage(problem)
    try:
        if len(options.devices) > 1 or (options.fleet.grouped and scripted):
            return _run_several(options, scripted)
        if scripted:
            from xshell.modes.script import run
            return run(options)
        from xshell.modes.interactive import run
        # options.connection is the command line as given (options.devices holds the resolved
        # device): a later `connect PROFILE` resolves against it, not the first device's profile
        return run(options)
    except KeyboardInterrupt:
        return 130


def build_options(args: argparse.Namespace, settings: Any) -> Options:
    """The one conversion from argparse's Namespace: every layer below reads the result.

    `args` comes from `build_parser(for_profiles=True)`; `settings` fills what the command
    line left open (-o), and each TARGET (or the --demo device) is resolved against the
    settings' profiles.
    """
    from xshell.config.profiles import resolve_target

    log_format = args.log_format
    if args.log is not None and log_format is None:
        log_format = "jsonl" if args.log.lower().endswith(".jsonl") else "text"
    options = Options(
        targets=tuple(args.target),
        connection=Connection(user=args.user, password=args.password, auth=args.auth,
                              timeout=args.timeout, connect_timeout=args.connect_timeout,
                              legacy=args.legacy, demo=args.demo),
        tls=TLS(fingerprint=args.fingerprint, accept_new=args.accept_new,
                accept_invalid=args.accept_invalid, cacert=args.cacert, insecure=args.insecure),
        script=Scripting(commands=tuple(args.command), file=args.file, follow=args.follow,
                         max_events=args.max_events),
        output=Output(format=args.output or settings.output, log=args.log, log_format=log_format,
                      plain=args.plain, trace=args.trace),
        fleet=Fleet(jobs=args.jobs, filter=getattr(args, "device_filter", None),
                    grouped=bool(getattr(args, "grouped", False))), guard=Guard(yes=args.yes, read_only=args.read_only),
        config=args.config, settings=settings)
    wanted: list[str | None] = [*args.target] if args.target else [None]  # None: the --demo device
    return options._replace(devices=tuple(resolve_target(options, t, settings.profiles)
                                          for t in wanted))


def _expand_targets(args: argparse.Namespace, settings: Any) -> tuple[list[str], str | None]:
    """`@GROUP`, `@a,b` and --filter turned into plain TARGETs (args.target is replaced).

    xshell.config.groups says what a group, a tag and a filter select; a --filter with no
    TARGET starts from every profile. Sets args.device_filter and args.grouped.
    """
    if not args.filter and not any(word.startswith("@") for word in args.target):
        args.device_filter, args.grouped = None, False  # plain TARGETs: nothing to expand
        return list(args.target), None
    from xshell.config.groups import parse_filters, select

    flt, problem = parse_filters(args.filter)
    if problem:
        return [], problem
    args.device_filter = flt if flt else None
    grouped = bool(flt)
    targets: list[str] = []
    given = list(args.target) or ([] if not flt or args.demo else ["@all"])
    for word in given:
        if word.startswith("@"):
            grouped = True
            keys, why = select(word[1:].split(","), settings.groups, settings.profiles,
                               lambda group: settings.where("groups", group))
            if why:
                return [], why
            targets += [k for k in keys if k not in targets]
        else:
            targets.append(word)
    if flt:
        kept = [t for t in targets if not any(k == "tag" for k, _ in flt.pairs)
                or flt.keeps_profile(settings.profiles.get(t))]
        if targets and not kept:
            return [], f"--filter {' '.join(f'{k}={v}' for k, v in flt.pairs)}: no room matches"
        targets = kept
    if grouped and not targets and not args.demo:
        return [], "@…: the group selects no room (see [groups] and [inventory] in the settings)"
    args.target, args.grouped = targets, grouped
    return targets, None


def parse_options(argv: list[str], settings: Any = None) -> Options:
    """`argv` as the command line would give it to the modes (no checks, no settings file
    read: the built-in settings unless `settings` is given); for tests and tools."""
    if settings is None:
        from xshell.config.settings import builtin_settings

        settings = builtin_settings()
    return build_options(build_parser(for_profiles=True).parse_args(argv), settings)


def _run_several(options: Options, scripted: bool) -> int:
    """Several devices: the multi-device modes (xshell.modes.fleet and the interactive one)."""
    from xshell.modes.fleet import run as run_fleet

    if scripted:
        return run_fleet(options)
    from xshell.modes.interactive import run
    return run(options)


def _option_problem(args: argparse.Namespace) -> str | None:
    if args.max_events is not None and args.max_events < 1:
        return "--max-events must be at least 1"
    if args.timeout <= 0:
        return "--timeout must be positive"
    if args.connect_timeout is not None and args.connect_timeout <= 0:
        return "--connect-timeout must be positive"
    if args.jobs < 1:
        return "--jobs must be at least 1"
    if args.command and args.file:
        return "use either -c or -f, not both"
    if args.log_format is not None and args.log is None:
        return "--log-format needs --log FILE"
    if args.config is not None and not os.path.isfile(args.config):
        return f"--config: no such file: {args.config}"
    return None


def _load_settings(config: str | None, *, announce: bool) -> Any:
    """Settings merged over the defaults; problems on stderr, one line each (never fatal).

    The first-run notice ("wrote the default settings to …") goes to stderr only when
    `announce` and stderr is a terminal, so captured script output stays clean; the
    interactive UIs show it under their welcome banner instead (settings.notices).
    """
    from pathlib import Path

    from xshell.config.settings import load_settings

    settings = load_settings(Path(config) if config else None)
    for line in settings.warnings:
        print(inert(line), file=sys.stderr)
    if settings.notices and announce and sys.stderr.isatty():
        for line in settings.notices:
            print(inert(line), file=sys.stderr)
    return settings


def _list_profiles(config: str | None) -> int:
    """--list-profiles: names only, for the shell completions (no file is written)."""
    from pathlib import Path

    from xshell.config.settings import load_settings

    if config is not None and not os.path.isfile(config):
        return _usage(f"--config: no such file: {config}")
    settings = load_settings(Path(config) if config else None, write_first_run=False)
    for line in settings.warnings:
        print(inert(line), file=sys.stderr)
    sys.stdout.write("".join(f"{inert(name)}\n" for name in settings.profiles))
    return 0


def _tls_problem(device: DeviceOptions, args: argparse.Namespace) -> str | None:
    """Certificate options of one device that contradict each other or its target."""
    origin = (f"in profile {device.profile!r} ({device.where})" if device.profile else "")
    tls, target = device.tls, device.connection.target
    demo = device.connection.demo

    def label(option: str, from_cli: bool) -> str:
        return option if from_cli or not origin else f"{option.lstrip('-')} {origin}"

    given = [label(name, cli) for name, on, cli in (
        ("--fingerprint", tls.fingerprint is not None, args.fingerprint is not None),
        ("--accept-new", tls.accept_new, True),
        ("--accept-invalid", tls.accept_invalid, True),
        ("--cacert", tls.cacert is not None, args.cacert is not None)) if on]
    if not given:
        return None
    if tls.insecure:
        return (f"{label('--insecure', args.insecure)} turns certificate checks off; "
                f"it cannot be combined with {given[0]}")
    target = (target or "").strip().lower()
    if demo or target.startswith("ws://"):
        return f"{given[0]} needs a wss:// device; {'--demo' if demo else 'ws://'} has no TLS"
    if tls.fingerprint is not None:
        from xshell.transport.pinning import parse_fingerprint
        try:
            parse_fingerprint(tls.fingerprint)
        except ValueError as exc:
            return f"{label('--fingerprint', args.fingerprint is not None)}: {exc}"
    if tls.cacert is not None and not os.path.isfile(tls.cacert):
        return f"{label('--cacert', args.cacert is not None)}: no such file: {tls.cacert}"
    return None


def _usage(message: str) -> int:
    build_parser().print_usage(sys.stderr)
    print(inert(f"xshell: error: {message}"), file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
