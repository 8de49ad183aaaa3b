"""The `xshell` command line: the contract scripts and the tests rely on.

    xshell [TARGET] [-u USER] [-p PASSWORD] [-c LINE]… [-f FILE] [-o terminal|json]
           [--follow] [--max-events N] [--timeout S] [--fingerprint SHA256:…] [--accept-new]
           [--cacert FILE] [--insecure] [--demo] [--plain] [--version]

wss:// certificates are verified: one a trusted CA signed passes; any other must match
the pin stored in $XDG_CONFIG_HOME/xshell/known_hosts (asked about on first contact in
interactive runs), `--fingerprint`, or be pinned on first use with `--accept-new`.

Exit status: 0 all succeeded; 1 a request got an xAPI error; 2 usage or parse error;
3 connection or authentication failure. Only argparse is imported here, so a one-shot
run never pays for prompt-toolkit.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from xshell import __version__

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line + usage, exit 2 (argparse's default too)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"xshell: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="xshell",
        description="Interactive xAPI shell for Cisco RoomOS/CE devices over WebSocket (XoWS).",
        epilog="TLS: a certificate that is not CA-signed must match its pin in "
               "$XDG_CONFIG_HOME/xshell/known_hosts (asked on first contact when interactive), "
               "--fingerprint, or be pinned with --accept-new. "
               "Exit status: 0 ok, 1 xAPI error, 2 usage/parse error, 3 connection/authentication failure.")
    p.add_argument("target", nargs="?", metavar="TARGET",
                   help="device: host, host:port, ws://… or wss://… URL (default wss://HOST/ws)")
    p.add_argument("-u", "--user", default=os.environ.get("XSHELL_USER", "admin"),
                   help="username (default: admin, or $XSHELL_USER)")
    p.add_argument("-p", "--password", default=None,
                   help="password (visible to other users of this machine: prefer $XSHELL_PASSWORD or the prompt)")
    p.add_argument("-c", "--command", action="append", default=[], metavar="LINE",
                   help="run LINE and exit (repeatable, run in order)")
    p.add_argument("-f", "--file", metavar="FILE", help="run the xAPI lines of FILE ('-' = stdin)")
    p.add_argument("-o", "--output", choices=("terminal", "json"), default="terminal",
                   help="output format: tshell terminal lines (default) or one JSON document per request")
    p.add_argument("--follow", action="store_true",
                   help="after the lines, keep printing feedback from their registrations until Ctrl-C")
    p.add_argument("--max-events", type=int, default=None, metavar="N",
                   help="with --follow: stop after N feedback events")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="seconds to wait for each reply (default 30)")
    p.add_argument("--fingerprint", metavar="SHA256:…", default=None,
                   help="accept only the TLS certificate with this SHA-256 fingerprint "
                        "(SHA256:<base64> or 64 hex digits)")
    p.add_argument("--accept-new", action="store_true",
                   help="pin an unknown TLS certificate on first use (known_hosts in the XDG "
                        "config dir); a changed one is still refused")
    p.add_argument("--cacert", metavar="FILE", default=None,
                   help="also trust the CA certificates in FILE (PEM)")
    p.add_argument("--insecure", action="store_true",
                   help="do not verify the device's TLS certificate at all (no CA, no pin)")
    p.add_argument("--auth", choices=("basic", "subprotocol"), default="basic",
                   help="send credentials as HTTP Basic (default) or the auth- WebSocket subprotocol")
    p.add_argument("--demo", action="store_true",
                   help="start the built-in codec simulator in-process and connect to it")
    p.add_argument("--plain", action="store_true",
                   help="line-mode prompt instead of the full-screen interface")
    p.add_argument("--version", action="version", version=f"xshell {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.max_events is not None and args.max_events < 1:
        return _usage("--max-events must be at least 1")
    if args.timeout <= 0:
        return _usage("--timeout must be positive")
    if not args.demo and not args.target:
        return _usage("a TARGET (host or ws(s):// URL) is required unless --demo is given")
    if args.command and args.file:
        return _usage("use either -c or -f, not both")
    problem = _tls_problem(args)
    if problem:
        return _usage(problem)

    scripted = bool(args.command or args.file) or not sys.stdin.isatty()
    try:
        if scripted:
            from xshell.modes.script import run
        else:
            from xshell.modes.interactive import run
        return run(args)
    except KeyboardInterrupt:
        return 130


def _tls_problem(args: argparse.Namespace) -> str | None:
    """Certificate options that contradict each other or the target; None when they fit."""
    given = [name for name, on in (("--fingerprint", args.fingerprint is not None),
                                   ("--accept-new", args.accept_new),
                                   ("--cacert", args.cacert is not None)) if on]
    if not given:
        return None
    if args.insecure:
        return f"--insecure turns certificate checks off; it cannot be combined with {given[0]}"
    target = (args.target or "").strip().lower()
    if args.demo or target.startswith("ws://"):
        return f"{given[0]} needs a wss:// device; {'--demo' if args.demo else 'ws://'} has no TLS"
    if args.fingerprint is not None:
        from xshell.transport.pinning import parse_fingerprint
        try:
            parse_fingerprint(args.fingerprint)
        except ValueError as exc:
            return f"--fingerprint: {exc}"
    if args.cacert is not None and not os.path.isfile(args.cacert):
        return f"--cacert: no such file: {args.cacert}"
    return None


def _usage(message: str) -> int:
    build_parser().print_usage(sys.stderr)
    print(f"xshell: error: {message}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
