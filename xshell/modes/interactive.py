"""`xshell TARGET…` on a terminal: the full-screen shell, or `--plain` line mode.

Plain mode is chosen automatically when the terminal is dumb or stdout is not a TTY (screen
readers, serial consoles, logs). History is kept per device in the XDG state dir, with
secret values already masked by the backend before anything is written.

Every run goes through a `MultiBackend`, with one device or several (several TARGETs,
or `connect` later), so a shell started on one room can always take in the next one.
One `ShellContext` is shared by every device session of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xshell import paths
from xshell.session.shell_context import ShellContext
from xshell.errors import ConnectionFailed
from xshell.inert import inert
from xshell.modes.startup import connect_first, first_key, open_targets, question_possible, to_stderr
from xshell.options import DeviceOptions, Options
from xshell.session.result import EXIT_USAGE

if TYPE_CHECKING:  # the UI stack is imported only when the shell starts, devices after it
    from xshell.contract import FeedbackEvent
    from xshell.session.core import Session
    from xshell.shell.device_record import Device


def history_path(key: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in key) or "default"
    return paths.history_dir() / safe


def want_plain(options: Options) -> bool:
    return options.output.plain or os.environ.get("TERM", "") in ("dumb", "") or not sys.stdout.isatty()


def welcome(session: Session, host: str, *, demo: bool) -> list[str]:
    """tshell greets with the device name and release; so do we, plus the three keys."""
    name = session.device_name or host
    release = session.software or "unknown release"
    lines = [f"Welcome to {name}", f"Cisco Codec Release {release}"
             + ("  (built-in simulator: xshell --demo)" if demo else "")]
    lines.append("Type xAPI lines as in tshell (xStatus, xConfiguration, xCommand, xFeedback); "
                 "Tab completes, `PATH ?` explains, F1 or `help` lists keys, Ctrl-D quits.")
    return lines + [""]


def several(names: Iterable[str], current: str) -> list[str]:
    """The banner's line for a shell started on several devices."""
    return [f"Connected to {', '.join(names)}; using {current}. `use NAME` switches, "
            "`@all LINE` runs a line on every device, `devices` lists them.", ""]


class DeviceOpener:
    """Opens devices for one run: at start (TARGETs) and later (`connect`).

    The first real device's password is reused for the next ones when nothing else
    (-p, $XSHELL_PASSWORD, a profile) gives one: one password per site is the rule. No
    terminal question is asked once the shell runs — it would tear through the screen —
    so a `connect` that needs one fails with a one-line error instead.
    """

    def __init__(self, options: Options, context: ShellContext) -> None:
        self.options = options
        self.context = context
        self.password: str | None = None

    def resolve(self, spec: str) -> DeviceOptions:
        """What `connect SPEC` means: a profile or a host/URL, with the run's options (a
        device, never the simulator, even in a `--demo` run)."""
        from xshell.config import device_options

        return device_options(self.options, spec, self.context.settings)

    async def connect(self, spec: str, name: str, key_problem: Callable[[str], str | None]) -> Device:
        """The MultiBackend's Opener: `connect SPEC [as NAME]` while the shell runs."""
        ns = self.resolve(spec)
        return await self.open(ns, name=name, interactive_ok=False, key_problem=key_problem)

    async def open(self, ns: DeviceOptions, *, name: str = "", interactive_ok: bool,
                   key_problem: Callable[[str], str | None] = lambda key: None) -> Device:
        """Connect, identify, and wrap one device; everything is released on failure."""
        from xshell.modes.connect import Connector
        from xshell.session.core import Session
        from xshell.shell.one_device import ShellBackendImpl
        from xshell.shell.device_record import Device

        stack = contextlib.AsyncExitStack()
        client: Any = None
        try:
            fallback = None if ns.connection.demo else self.password
            conn = await stack.enter_async_context(
                Connector(ns, interactive_ok=interactive_ok, reconnect=True, password=fallback))
            problem = key_problem(conn.key)
            if problem:
                raise ConnectionFailed(problem)
            # Garbage from the device while it is opened is kept, never printed: the prompt
            # (or the full screen) may already be drawn. It reaches the pane with the device.
            early: list[Exception] = []
            conn.on_protocol_error = early.append
            client = await conn.connect()
            session = Session(client, output=self.options.output.format, device_key=conn.key,
                              context=self.context, name=name or ns.name, read_only=ns.read_only)
            backend = ShellBackendImpl(session, host=conn.host, reconnect=conn.connect)
            backend.own_name = name or (ns.name if ns.profile else "")
            held: list[FeedbackEvent] = []
            backend.set_feedback_sink(held.append)  # until the shell adds the device
            conn.on_state = backend.on_connection_state
            conn.on_restore = backend.on_restore_state
            conn.on_protocol_error = backend.on_protocol_error
            for err in early:
                backend.on_protocol_error(err)

            async def close() -> None:
                try:
                    await session.client.close()
                finally:
                    await stack.aclose()
            await session.identify()
        except BaseException:
            with contextlib.suppress(Exception):
                if client is not None:
                    await client.close()
                await stack.aclose()
            raise
        if not ns.connection.demo and self.password is None:
            self.password = conn.password
        host = _host_of(ns, conn.host)
        return Device(name or ns.name or host, backend, host=host, key=conn.key, closer=close,
                      profile=ns.profile or "", held=held)


def _host_of(ns: DeviceOptions, fallback: str) -> str:
    """The device's host as typed, with its port when not the default (`room1.example.com`,
    `127.0.0.1:9002`): the Connector's `host` may be a profile's display name, and two
    devices behind one address differ only by port."""
    if ns.connection.demo:
        return "demo"
    if not ns.connection.target:
        return fallback
    from xshell.transport.target import display_of

    return display_of(ns.connection.target, insecure=ns.tls.insecure)


def run(options: Options) -> int:
    try:
        return asyncio.run(_run(options))
    except KeyboardInterrupt:
        return 130


def _history(current: Callable[[], str], settings: Any) -> Any:
    """The history for this run: each line in the file of the device current when it was
    typed (`current()` gives its key), so a shell of several rooms keeps them apart."""
    from xshell.ui.history import DeviceHistory, open_history

    size = getattr(settings, "history_size", None)
    return DeviceHistory(current, lambda key: open_history(history_path(key),
                                                           10_000 if size is None else size))


def _profiles(settings: Any) -> Callable[[], Iterable[str]]:
    return lambda: list(getattr(settings, "devices", None) or ())


def _snapshot_names() -> Iterable[str]:
    from xshell.session.snapshots import list_names

    return list_names()


def _banner(multi: Any, targets: Sequence[DeviceOptions]) -> list[str]:
    """The welcome lines once the devices are open (several: who is there, who is current)."""
    first = multi.current
    lines = welcome(first.session, first.host, demo=targets[0].connection.demo)
    if len(multi.devices) > 1:
        lines = lines[:-1] + several(multi.names(), first.name)
    return lines


def _waiting_label(targets: Sequence[DeviceOptions]) -> str:
    """What the prompt and toolbar name while connecting: the targets as the user gave them."""
    return ", ".join(ns.name or _host_of(ns, ns.connection.target or "device") for ns in targets)


def _multi(opener: DeviceOpener, settings: Any) -> Any:
    """The run's MultiBackend (imported here: drawing first loads it after the prompt)."""
    from xshell.shell.many_devices import MultiBackend

    return MultiBackend(opener.connect, profiles=_profiles(settings), snapshots=_snapshot_names,
                        groups=lambda: (getattr(settings, "groups", None) or {},
                                        getattr(settings, "devices", None) or {}))


async def _run(options: Options) -> int:
    from xshell.ui.app import run_app
    from xshell.ui.plain import run_plain

    try:
        context = ShellContext.for_run(options)
    except ValueError as exc:  # TranscriptError: the file cannot be opened; one line, exit 2
        print(inert(f"xshell: error: --log: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    from xshell.ui.handover import hand_over

    context.terminal = hand_over  # an editor (`macro edit`) gets the terminal to itself
    opener = DeviceOpener(options, context)
    settings = options.settings
    targets = options.devices
    plain = want_plain(options)
    terminal = sys.stdin is not None and sys.stdin.isatty()
    ui = run_plain if plain else run_app
    try:
        if not connect_first((question_possible(ns) for ns in targets), terminal=terminal):
            return await _draw_first(options, opener, ui, plain=plain)
        # today's order: questions (password, certificate) are asked before any screen
        multi = _multi(opener, settings)
        try:
            report = await open_targets(options, opener, multi, say=to_stderr, banner=_banner)
            if report.exit_code is not None:
                return report.exit_code
            history = _history(lambda: multi.current.key, settings)
            return await ui(multi, history, banner=report.banner, settings=settings)
        finally:
            await multi.aclose()
    finally:
        context.close()


async def _draw_first(options: Options, opener: DeviceOpener, ui: Any, *, plain: bool) -> int:
    """The prompt at once (state "connecting"), the devices opened behind it; the banner
    comes when they are identified. Nothing may print on the terminal meanwhile: what went
    wrong is in the report, printed after the full screen is gone (plain mode prints it
    above its prompt as it happens, unless nothing could be opened)."""
    from xshell.shell.starting import StartingBackend

    targets, settings = options.devices, options.settings
    starting = StartingBackend(
        lambda: _multi(opener, settings),
        lambda multi: open_targets(options, opener, multi, say=lambda line: None, banner=_banner),
        host=_waiting_label(targets))
    first = first_key(targets[0])

    def current() -> str:  # before the devices are open: the first target's history
        multi = starting.multi
        return multi.current.key if multi is not None and multi.devices else first

    history = _history(current, settings)
    try:
        code = await ui(starting, history, settings=settings)
    finally:
        await starting.aclose()  # Ctrl-D while connecting: the opening stops here
    report = starting.report()
    if report is not None and (report.exit_code is not None or not plain):
        for line in report.problems:
            print(line, file=sys.stderr)
    return code
