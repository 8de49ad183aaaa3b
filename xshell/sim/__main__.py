"""`xshell-sim`: run the codec simulator on a socket until SIGINT/SIGTERM.

Scripts and tests start it with `--port 0` and read the first stdout line, which ends
with the URL actually served — so that line is printed (and flushed) only once the
socket listens, and nothing else is ever written to stdout. With `--devices N` there is
one such line per device (xshell.sim.many), all written together once every device's
socket listens. With `--http-port` a second line, written with the first, ends with the
plain `ws://` URL whose upgrades are redirected to TLS (xshell.sim.redirect). Errors are one line on
stderr: exit 2 for bad arguments or an
unreadable schema/certificate, 1 when the address cannot be bound (or, for --devices,
the open-file limit is too low).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import ssl
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xshell.sim.access import Account, AccountSyntaxError, parse_account
from xshell.sim.device import DeviceModel
from xshell.sim.many import MAX_DEVICES
from xshell.inert import inert
from xshell.stopsignals import on_stop_signals

PROG = "xshell-sim"


class _Usage(Exception):
    """A bad command line or input file: one line on stderr, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description="Simulated Cisco RoomOS/CE codec speaking XoWS.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help="port (0 = any free port; default 8080, or 8443 with --tls)")
    p.add_argument("--user", action="append", metavar="NAME[:PASSWORD[:ROLE,ROLE]]",
                   help="an account the device accepts (repeatable; default admin). Without "
                        "PASSWORD: --password's; without ROLEs: an admin's (Admin, Audit, "
                        "Integrator, RoomControl, User). A user lacking the role the schema "
                        "lists for a command/configuration/status gets -31999 Permission Denied")
    p.add_argument("--password", default=None,
                   help="the password of users given without one (default: $XSHELL_SIM_PASSWORD, else empty)")
    p.add_argument("--idle-timeout", type=float, default=None, metavar="SECONDS",
                   help="close a session after SECONDS without a request (default: the device's "
                        "Security Session InactivityTimeout, in minutes; 0 = never)")
    p.add_argument("--max-feedback", type=int, default=38, metavar="N",
                   help="feedback subscriptions per session before -31998 Subscriber Count "
                        "Exceeded (default 38, as a device's terminal API documents)")
    p.add_argument("--http-port", type=int, default=None, metavar="PORT",
                   help="with --tls: also listen for plain HTTP on PORT and redirect every "
                        "request to the TLS port (301), as a device in HTTP Mode HTTPS does")
    p.add_argument("--tls", action="store_true", help="serve wss:// (needs --cert and --key)")
    p.add_argument("--cert", type=Path, help="PEM certificate chain for --tls")
    p.add_argument("--key", type=Path, help="PEM private key for --tls")
    p.add_argument("--schema", type=Path, metavar="FILE",
                   help="play the device described by Cisco's published schema JSON")
    p.add_argument("--model", metavar="MODULE:FUNCTION",
                   help="play the DeviceModel a Python factory returns (your own device)")
    p.add_argument("--snapshot", metavar="NAME|FILE",
                   help="play a stored xshell snapshot (its Configuration, and Status when saved) "
                        "instead of factory values: a twin of a real room to rehearse a change on")
    p.add_argument("--legacy", action="store_true", help="answer /ws like /ws?legacy (all values strings)")
    p.add_argument("--no-rate-limit", action="store_true", help="accept any number of upgrades per second")
    p.add_argument("--faults", action="store_true",
                   help="answer the hidden xSimulator/Fault method (fault injection for tests; "
                        "see xshell.sim.faults)")
    p.add_argument("--deflate", action=argparse.BooleanOptionalAction, default=True,
                   help="offer permessage-deflate compression to clients that ask for it "
                        "(default; --no-deflate declines it, as a device without it would)")
    p.add_argument("--devices", type=int, default=1, metavar="N",
                   help="serve N independent devices (Room 001, Room 002, …) on N ports: "
                        "--port P uses P..P+N-1, --port 0 any free ports; one URL line each")
    p.add_argument("--unhealthy", type=int, default=0, metavar="N",
                   help="with --devices: N of the rooms (every (devices/N)-th: Room 005, Room 010 "
                        "… for 20 and 4) boot with an Error diagnostics message and a failed SIP "
                        "registration, for `health`")
    p.add_argument("-v", "--verbose", action="store_true", help="log connections to stderr")
    return p


def accounts(args: argparse.Namespace) -> list[Account]:
    """The --user accounts (admin when none), passwords defaulting to --password."""
    password = args.password if args.password is not None else os.environ.get("XSHELL_SIM_PASSWORD", "")
    try:
        users = [parse_account(spec, password) for spec in (args.user or ["admin"])]
    except AccountSyntaxError as exc:
        raise _Usage(f"--user: {exc}") from None
    names = [u.name for u in users]
    if len(set(names)) != len(names):
        raise _Usage("--user: the same NAME given twice")
    return users


def load_factory(spec: str) -> DeviceModel:
    """`pkg.module:function` → the DeviceModel it returns."""
    import importlib

    module, sep, func = spec.partition(":")
    if not sep or not module or not func:
        raise _Usage(f"--model {spec!r}: expected MODULE:FUNCTION")
    try:
        model = getattr(importlib.import_module(module), func)()
    except Exception as exc:  # noqa: BLE001 - any failure means "not a usable factory"
        raise _Usage(f"--model {spec}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    if not isinstance(model, DeviceModel):
        raise _Usage(f"--model {spec}: did not return a DeviceModel")
    return model


def load_model(schema: Path | None, factory: str | None = None) -> DeviceModel:
    if schema is not None and factory is not None:
        raise _Usage("--schema and --model are exclusive")
    if factory is not None:
        return load_factory(factory)
    if schema is None:
        from xshell.sim.builtin import load_builtin
        return load_builtin()
    if not schema.is_file():
        raise _Usage(f"schema file not found: {schema}")
    try:
        from xshell.schema.cisco import load_cisco
        from xshell.sim.fromschema import model_from_schema
        return model_from_schema(load_cisco(schema))
    except ImportError as exc:
        raise _Usage(f"cannot load schema {schema}: support missing ({exc.name})") from None
    except Exception as exc:  # noqa: BLE001 - any failure is "not a usable schema file"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _Usage(f"cannot load schema {schema}: {reason}") from None


def _twin(model: DeviceModel, spec: str) -> DeviceModel:
    """--snapshot: the model holding a stored snapshot's values (xshell.sim.twin)."""
    from xshell.sim.twin import TwinError, twin_model

    try:
        twin, what, skipped = twin_model(model, spec)
    except TwinError as exc:
        raise _Usage(str(exc)) from None
    unknown = f"; {skipped} values this schema does not take were left out" if skipped else ""
    print(inert(f"{PROG}: playing {what}{unknown}"), file=sys.stderr, flush=True)  # a file's words
    return twin


def tls_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    if not (args.tls or args.cert or args.key):
        return None
    if not (args.cert and args.key):
        raise _Usage("--tls needs both --cert and --key")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(args.cert, args.key)
    except (OSError, ssl.SSLError) as exc:
        raise _Usage(f"cannot load certificate {args.cert} / key {args.key}: {exc.strerror or exc}") from None
    return ctx


async def run(args: argparse.Namespace, model: DeviceModel, ctx: ssl.SSLContext | None) -> int:
    from xshell.sim import RateLimit, Simulator

    users = accounts(args)

    def make(device: DeviceModel) -> Simulator:
        return Simulator(device, users=users, legacy_default=args.legacy,
                         rate_limit=None if args.no_rate_limit else RateLimit(),
                         fault_rpc=args.faults, deflate=args.deflate,
                         max_subscriptions=args.max_feedback or None, idle_timeout=args.idle_timeout)

    port = args.port if args.port is not None else (8443 if ctx else 8080)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # before the URL line: whoever reads it may signal at once (works on Windows too)
    on_stop_signals(loop, stop.set)
    if args.devices > 1:
        return await _run_many(args, model, ctx, make, port, stop)
    if args.unhealthy:  # one device: that one is the unhealthy room
        from xshell.sim.diagnostics import unhealthy_model
        model = unhealthy_model(model)
    try:
        async with make(model).serve(args.host, port, ctx) as server, \
                contextlib.AsyncExitStack() as stack:
            plain = None
            if args.http_port is not None:
                from xshell.sim.redirect import serve_redirect
                plain = await stack.enter_async_context(serve_redirect(args.host, args.http_port, server.port))
            name = model.schema.product or model.name
            shown = f"[{args.host}]" if ":" in args.host else args.host
            print(f"{PROG}: serving {inert(name)} (simulated) at {server.url}"
                  + (f"\n{PROG}: plain HTTP redirects to TLS at ws://{shown}:{plain}/ws" if plain else ""),
                  flush=True)
            await stop.wait()
    except OSError as exc:
        print(f"{PROG}: error: cannot listen on {args.host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


async def _run_many(args: argparse.Namespace, model: DeviceModel, ctx: ssl.SSLContext | None,
                    make: Callable[[DeviceModel], Any], port: int, stop: asyncio.Event) -> int:
    """--devices N: every URL line is printed at once, when all N sockets listen."""
    from xshell.sim.many import FleetError, serve_many

    product = model.schema.product or model.name
    try:
        if args.unhealthy:
            from xshell.sim.diagnostics import unhealthy_model
            step, sick, base = args.devices // args.unhealthy, unhealthy_model, make

            def make(device: DeviceModel, _n: list[int] = [0]) -> Any:  # noqa: B006 - a counter
                _n[0] += 1
                return base(sick(device) if _n[0] % step == 0 else device)
        async with serve_many(model, args.devices, args.host, port, ctx, make) as served:
            sys.stdout.write("".join(f"{PROG}: serving {name} ({product}, simulated) at {url}\n"
                                     for name, url in served))
            sys.stdout.flush()
            await stop.wait()
    except FleetError as exc:
        print(inert(f"{PROG}: error: {exc}"), file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{args.host}:{port}" if port == 0 else f"{args.host}:{port}-{port + args.devices - 1}"
        print(f"{PROG}: error: cannot listen on {where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its one-line usage error
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format=f"{PROG}: %(message)s")
    try:
        if args.port is not None and not 0 <= args.port <= 65535:
            raise _Usage(f"--port {args.port} is not a port number (0-65535)")
        if not 1 <= args.devices <= MAX_DEVICES:
            raise _Usage(f"--devices {args.devices}: choose 1 to {MAX_DEVICES}")
        if args.http_port is not None and not (args.tls or args.cert):
            raise _Usage("--http-port redirects to TLS: it needs --tls --cert --key")
        if args.http_port is not None and (args.devices > 1 or not 0 <= args.http_port <= 65535):
            raise _Usage(f"--http-port {args.http_port}: one port number (0-65535), for one device")
        if not 0 <= args.unhealthy <= args.devices:
            raise _Usage(f"--unhealthy {args.unhealthy}: 0 to --devices ({args.devices}) rooms")
        if args.max_feedback < 0:
            raise _Usage(f"--max-feedback {args.max_feedback}: a count (0 = unlimited)")
        accounts(args)  # a bad --user is a usage error before anything listens
        ctx = tls_context(args)
        model = load_model(args.schema, args.model)
        if args.snapshot is not None:
            model = _twin(model, args.snapshot)
    except _Usage as exc:
        print(inert(f"{PROG}: error: {exc}"), file=sys.stderr)
        return 2
    try:
        return asyncio.run(run(args, model, ctx))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
