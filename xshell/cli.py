"""The `xshell` command line: the contract scripts and the tests rely on.

    xshell [TARGET] [-u USER] [-p PASSWORD] [-c LINE]… [-f FILE] [-o terminal|json]
           [--follow] [--max-events N] [--timeout S] [--insecure] [--demo] [--plain] [--version]

Exit status: 0 all succeeded; 1 a request got an xAPI error; 2 usage or parse error;
3 connection or authentication failure. Only argparse is imported here, so a one-shot
run never pays for prompt-toolkit.
"""

from __future__ import annotations

import argparse
import os
import sys

from xshell import __version__

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line + usage, exit 2 (argparse's default too)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"xshell: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="xshell",
        description="Interactive xAPI shell for Cisco RoomOS/CE devices over WebSocket (XoWS).",
        epilog="Exit status: 0 ok, 1 xAPI error, 2 usage/parse error, 3 connection/authentication failure.")
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
    p.add_argument("--insecure", action="store_true",
                   help="do not verify the device's TLS certificate")
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

    scripted = bool(args.command or args.file) or not sys.stdin.isatty()
    try:
        if scripted:
            from xshell.modes.script import run
        else:
            from xshell.modes.interactive import run  # type: ignore[assignment]
        return run(args)
    except KeyboardInterrupt:
        return 130


def _usage(message: str) -> int:
    build_parser().print_usage(sys.stderr)
    print(f"xshell: error: {message}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
