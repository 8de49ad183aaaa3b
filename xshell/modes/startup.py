"""Whether the interactive shell may draw its prompt before it connects, and the opening.

Drawing first (issue 18's start-up bar) is only safe when opening the devices cannot
ask anything on the terminal: a question asked behind the full-screen app would tear
through it. `xshell.modes.connect.Connector` asks, with `interactive_ok=True` and stdin a
terminal, in exactly these cases:

- a password prompt (getpass), when neither -p, $XSHELL_PASSWORD nor the keyring (where
  a profile's password lives) gives one — and again after a refused typed password;
- the first-contact certificate question, on wss:// (not --insecure) when the certificate
  does not verify against a CA and no pin is stored for host:port and --fingerprint is
  not given; with --accept-new it may still ask (a CA-signed certificate that fails
  verification) or print a "pinned …" notice on stderr, which tears the screen as much.

Whether a CA vouches for a certificate is only known by connecting, so every wss:// target
without a pin (or an exact --fingerprint) connects first. The demo device knows its
password and speaks ws://. `question_possible` gathers the facts (it reads the known_hosts
file and asks the password sources, printing the -p warning as before); `may_ask` and
`connect_first` decide, as pure functions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from xshell.contract import StartReport
from xshell.errors import ConnectionFailed, XShellError
from xshell.inert import inert
from xshell.options import DeviceOptions, Options
from xshell.session.result import EXIT_CONNECTION

__all__ = ["connect_first", "first_key", "may_ask", "open_targets", "question_possible"]


def may_ask(*, demo: bool, password_known: bool, secure: bool, pinned: bool,
            fingerprint: bool, accept_new: bool) -> bool:
    """Whether opening one device might put a question (or a notice) on the terminal.

    `secure`: wss:// without --insecure; `pinned`: known_hosts holds a pin for its
    host:port (a match connects, a mismatch is refused: neither asks); `fingerprint`:
    --fingerprint given; `accept_new`: --accept-new or --accept-invalid."""
    if demo:
        return False
    if not password_known:
        return True  # the password prompt
    if not secure or pinned:
        return False
    if fingerprint and not accept_new:
        return False  # the exact fingerprint decides, silently
    return True  # the first-contact question, or --accept-new's "pinned …" notice


def connect_first(asks: Iterable[bool], *, terminal: bool) -> bool:
    """Connect before drawing (today's order) when stdin is not a terminal (nobody types
    ahead; scripts want the error before anything else) or any device might ask."""
    return not terminal or any(asks)


def question_possible(ns: DeviceOptions) -> bool:
    """`may_ask` for one device, from its options, the password sources and the pins.

    A target that does not parse, or a known_hosts file that cannot be read, counts as
    "may ask": the connect-first path then reports it exactly as it always has."""
    from xshell.transport.target import parse_target

    if ns.connection.demo:
        return False
    try:
        target = parse_target(ns.connection.target or "", legacy=ns.connection.legacy,
                              insecure=ns.tls.insecure)
        secure = target.secure and not target.insecure
        pinned = secure and _pinned(target.host, target.port)
    except (ValueError, XShellError):
        return True
    tls = ns.tls
    # the sources in preset_password's order; $XSHELL_PASSWORD alone needs nothing loaded,
    # -p is read there so its warning is printed now, before any screen
    known = (ns.connection.password is None and "XSHELL_PASSWORD" in os.environ
             or preset_password(ns) is not None)
    return may_ask(demo=False, password_known=known, secure=secure,
                   pinned=pinned, fingerprint=tls.fingerprint is not None,
                   accept_new=tls.accept_new or tls.accept_invalid)


def _pinned(host: str, port: int) -> bool:
    from xshell.transport.pinning import KnownHosts, host_key  # wss:// only: it loads ssl

    return bool(KnownHosts().pins(host_key(host, port)))


def preset_password(ns: DeviceOptions) -> str | None:
    """xshell.modes.connect.preset_password, loaded only when needed (it loads ssl)."""
    from xshell.modes.connect import preset_password as preset

    return preset(ns)


def first_key(ns: DeviceOptions) -> str:
    """The device key (history file) of a target before it is opened: as `Connector` makes it."""
    if ns.connection.demo:
        return "demo"
    from xshell.transport.target import parse_target

    target = parse_target(ns.connection.target or "", legacy=ns.connection.legacy,
                          insecure=ns.tls.insecure)
    return f"{target.host}_{target.port}"


async def _left_out(options: Options, device: Any) -> str | None:
    """--filter product=/version= on a device just opened (xshell.config.groups)."""
    flt = options.fleet.filter
    if flt is None or not flt.needs_device:
        return None
    from xshell.modes.fleet_run import filtered_out

    return await filtered_out(device.session, flt.rejects)


async def open_targets(options: Options, opener: Any, multi: Any, *,
                       say: Callable[[str], None],
                       banner: Callable[[Any, Sequence[Any]], list[str]]) -> StartReport:
    """Open the run's TARGETs one after the other into `multi` (a MultiBackend).

    A device that cannot be opened or is left out by --filter is one `xshell: …` line,
    given to `say` at once and kept in the report; the others go on. No device at all:
    the report's exit status is 3 (EXIT_CONNECTION)."""
    targets = options.devices
    problems: list[str] = []

    def problem(line: str) -> None:
        problems.append(line)
        say(line)

    for ns in targets:
        try:
            device = await opener.open(ns, interactive_ok=True, key_problem=multi.key_problem)
            try:
                why = await _left_out(options, device)
            except BaseException:
                await device.close()  # cancelled (Ctrl-D) or failed: nothing left open
                raise
            if why:
                problem(inert(f"xshell: {device.name}: left out: {why}"))
                await device.close()
                continue
            multi.add(device)
        except ConnectionFailed as exc:
            label = ns.name or ns.connection.target or "device"
            prefix = f"{label}: " if len(targets) > 1 else ""
            problem(inert(f"xshell: {prefix}{exc}"))
    if not multi.devices:
        return StartReport(problems=problems, exit_code=EXIT_CONNECTION)
    return StartReport(banner=banner(multi, targets), problems=problems)


def to_stderr(line: str) -> None:
    print(line, file=sys.stderr)
