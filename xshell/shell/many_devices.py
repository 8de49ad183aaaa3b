"""Several devices in one interactive shell: `connect`, `use`, `devices`, `disconnect`, `@…`.

A technician walks a floor of rooms; opening one shell per room loses the thread. The
MultiBackend keeps one `ShellBackendImpl` per device and shows the UI the *current*
one — its status (so prompt and toolbar name it), its completion and colours (its schema) —
so the UI needs to know nothing about several devices. Feedback from every device lands
in the one pane, tagged with the device's name once there is more than one. It is used
with a single device too, so `connect` works from any start.

`@all LINE` / `@room1,room2 LINE` runs LINE on those devices at once, each through its
own backend (which never raises), and shows the answers grouped per device with a
summary of the failures: the one thing a technician checks first (shell.grouped_answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from xshell.contract import BackendStatus, Candidate, FeedbackEvent, Fragment, Outcome, WatchRow
from xshell.errors import AuthenticationFailed, XShellError
from xshell.lang.lexer import highlight
from xshell.shell.one_device import complete_in
from xshell.commands.registry import Scope, lookup
from xshell.lang.grammar import ALL_DEVICES, DEVICE_NAME
from xshell.lang.line import Blank, CommandLine, DevicesLine, Line, as_line
from xshell.shell.device_record import Device, Opener, derived_name, safe_spec
from xshell.shell.device_words import DeviceWords
from xshell.shell.grouped_answers import failure_reason, grouped
from xshell.session.guard_policy import Ask, approved, confirm_rooms

__all__ = ["MultiBackend", "failure_reason"]  # failure_reason: shell.grouped_answers

log = logging.getLogger(__name__)

_CONNECT_USAGE = "usage: connect PROFILE|URL [as NAME]"
_HINT = "** type `reconnect` to connect again"


class MultiBackend:
    """Implements xshell.contract.ShellBackend over one or more devices."""

    def __init__(self, opener: Opener | None = None, *,
                 profiles: Callable[[], Iterable[str]] = tuple,
                 snapshots: Callable[[], Iterable[str]] = tuple,
                 groups: Callable[[], tuple[Mapping[str, Sequence[str]], Mapping[str, Any]]]
                 = lambda: ({}, {})) -> None:
        self._opener = opener
        self._groups = groups  # ([groups], profiles) of the settings: `@GROUP` (config.groups)
        self._profiles = profiles
        self._snapshots = snapshots
        self._devices: dict[str, Device] = {}  # by casefolded name, in connection order
        self._current: Device | None = None
        self._sink: Callable[[FeedbackEvent], None] = lambda ev: None
        self._status_cb: Callable[[], None] = lambda: None
        self._ask: Ask | None = None
        self._watch_cb: Callable[[], None] | None = None

    # -- the devices ------------------------------------------------------------------
    @property
    def current(self) -> Device:
        if self._current is None:
            raise LookupError("no device is connected")
        return self._current

    @property
    def devices(self) -> list[Device]:
        return list(self._devices.values())

    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self._devices.values())

    def device(self, name: str) -> Device | None:
        return self._devices.get(name.casefold())

    def add(self, device: Device, *, current: bool = False, named: bool = False) -> Device:
        """Take an opened device into the shell. A name the user chose (`named`, checked
        by the caller) is kept; one derived from a host or profile is made usable and
        unique (`room1`, then `room1-2`)."""
        if not named:
            base = device.name = derived_name(device.name)
            n = 2
            while self.device(device.name) is not None:
                device.name, n = f"{base}-{n}", n + 1
        self._devices[device.name.casefold()] = device
        sink = self._sink_for(device)
        device.backend.set_feedback_sink(sink)
        held, device.held = device.held, []
        for event in held:  # said while it was opened: the pane, never the terminal raw
            sink(event)
        device.backend.set_status_listener(self._changed)
        if self._ask is not None:
            device.backend.set_confirm(self._ask)
        if self._watch_cb is not None:
            device.backend.set_watch_listener(self._watch_cb)
        if current or self._current is None:
            self._current = device
        self._relabel()
        device.backend.start_discovery()
        return device

    def key_problem(self, key: str) -> str | None:
        """Why a device with this identity may not be opened again (None: it may)."""
        for d in self._devices.values():
            if key and d.key == key:
                return f"already connected as {d.name} (`use {d.name}`)"
        return None

    def _name_problem(self, name: str) -> str | None:
        if not DEVICE_NAME.match(name):
            return f"{name!r} is not a usable name: letters, digits, '.', '_', ':' or '-'"
        if name.lower() == ALL_DEVICES:
            return f"{name!r} is reserved (@{ALL_DEVICES} means every device)"
        taken = self.device(name)
        if taken is not None:
            return f"a device is already named {taken.name} (`use {taken.name}`, or `as OTHER`)"
        return None

    def _relabel(self) -> None:
        """With several devices the prompt, hints, transcripts and snapshots use our names
        (what `@` and `use` take); with one, everything is as before."""
        many = len(self._devices) > 1
        for d in self._devices.values():
            if d.own_label is None:
                d.own_label = d.session.name
            d.session.name = d.name if many else d.own_label
            d.backend.label = d.name if many else ""
            d.backend.reconnect_hint = f"** type `@{d.name} reconnect` to connect again" if many else _HINT
            d.backend.refresh_status()
        self._changed()

    def _sink_for(self, device: Device) -> Callable[[FeedbackEvent], None]:
        def sink(event: FeedbackEvent) -> None:
            if len(self._devices) > 1:
                event.device = device.name
            self._sink(event)
        return sink

    def _changed(self) -> None:
        try:
            self._status_cb()
        except Exception:  # a redraw hook must never break the protocol side
            log.exception("status listener failed")

    def shell_words(self) -> Mapping[str, Sequence[str]]:
        """Run-time names for completion; snapshots are only listed when asked for."""
        return DeviceWords(self.names, self._profiles, self._snapshots, self._group_names)

    def _group_names(self) -> list[str]:
        """[groups] names that select a connected device (they complete after `@`)."""
        try:
            groups, _ = self._groups()
        except Exception:  # noqa: BLE001 - completion must never break typing
            return []
        taken = {n.casefold() for n in self.names()}
        return [g for g in groups if g.casefold() not in taken and self._in_group([g])]

    def _in_group(self, words: Sequence[str]) -> list[Device] | None:
        """The connected devices `@GROUP` names (None: not a group of the settings)."""
        from xshell.config.groups import select

        groups, profiles = self._groups()
        if not any(w.casefold() in {g.casefold() for g in groups} for w in words):
            return None
        keys, problem = select(words, groups, profiles)
        if problem:
            return None
        wanted = {k.casefold() for k in keys}
        return [d for d in self._devices.values()
                if (d.profile and d.profile.casefold() in wanted) or d.host.casefold() in wanted]

    # -- ShellBackend -----------------------------------------------------------------
    @property
    def status(self) -> BackendStatus:
        return self.current.backend.status

    def set_feedback_sink(self, sink: Callable[[FeedbackEvent], None]) -> None:
        self._sink = sink

    def set_status_listener(self, cb: Callable[[], None]) -> None:
        self._status_cb = cb

    def set_confirm(self, ask: Ask) -> None:
        """contract.Confirming: the UI's yes/no question, for every device (and later ones)."""
        self._ask = ask
        for d in self._devices.values():
            d.backend.set_confirm(ask)

    def set_watch_listener(self, cb: Callable[[], None]) -> None:
        """contract.Watching: one panel shows every device's watches (and later ones')."""
        self._watch_cb = cb
        for d in self._devices.values():
            d.backend.set_watch_listener(cb)

    def watch_rows(self) -> list[WatchRow]:
        """Every device's watched values; tagged with the device once there are several."""
        many = len(self._devices) > 1
        return [row for d in list(self._devices.values())
                for row in d.backend.watch_rows(d.name if many else "")]

    def needs_body(self, line: str | Line) -> bool:
        read = as_line(line)
        return self.current.backend.needs_body(read.line if isinstance(read, DevicesLine) else read)

    def complete(self, before_cursor: str) -> list[Candidate]:
        return complete_in(self.current.session, before_cursor, self.shell_words)

    def highlight(self, text: str) -> list[Fragment]:
        """The current device's schema colours the line; an unknown `@name` is an Error."""
        return highlight(text, self.current.session.schema, (*self.names(), *self._group_names()))

    def history_line(self, line: str | Line) -> str:
        """The line as read, masked: `@NAMES` keeps its head and masks the rest as if typed
        alone; a `connect` URL's password is masked; the rest as the current device masks it."""
        read = as_line(line)
        if isinstance(read, DevicesLine):
            return read.head + self.history_line(read.line)
        if isinstance(read, CommandLine) and read.name == "connect":
            # any word may be the target (`connect as NAME URL`): each is masked
            return " ".join(["connect", *map(safe_spec, read.args)])
        return self.current.backend.history_line(read)

    async def execute(self, text: str | Line) -> Outcome:
        """Read the line once; `@NAMES` lines and the whole shell's commands (the
        registry's SHELL scope) are answered here, the rest by the current device."""
        line = as_line(text)
        if isinstance(line, DevicesLine):
            return await self.run_on(line.names, line.line)
        cmd = lookup(line.name) if isinstance(line, CommandLine) else None
        handler = cmd.shell_handler() if cmd is not None else None
        if cmd is not None and handler is not None and isinstance(line, CommandLine):
            session = self.current.session  # where it was typed: the transcript names it
            tr, label = session.context.transcript, session.label
            if tr is not None and cmd.recorded:
                tr.sent(label, self.history_line(line))  # a URL's password never written
            result = await handler(self, line.args)
            outcome = Outcome(result.lines, ok=result.ok)
            if tr is not None and not tr.closed and cmd.recorded:
                tr.reply(label, outcome.lines, 0 if outcome.ok else 1)
            return outcome
        return await self.current.backend.execute(line)

    # -- the shell-wide commands ------------------------------------------------------
    async def connect(self, args: Sequence[str]) -> Outcome:
        """`connect PROFILE|URL [as NAME]`: open another device and make it current."""
        if len(args) == 1:
            spec, name = args[0], ""
        elif len(args) == 3 and args[1].lower() == "as":
            spec, name = args[0], args[2]
        else:
            return _fail(f"connect: {_CONNECT_USAGE}")
        if self._opener is None:
            return _fail("connect: not available in this shell")
        problem = self._name_problem(name) if name else None
        if problem:
            return _fail(f"connect: {problem}")
        shown = safe_spec(spec)
        try:
            device = await self._opener(spec, name, self.key_problem)
        except AuthenticationFailed as exc:
            return _fail(f"connect: {shown}: {exc} (no password prompt while the shell runs: "
                         "set $XSHELL_PASSWORD or store one for the profile)")
        except (XShellError, ValueError, OSError) as exc:
            return _fail(f"connect: {shown}: {exc}")
        if name:
            device.name = name
        self.add(device, current=True, named=bool(name))
        software = device.session.software or "unknown release"
        lines = [f"connected to {device.name} ({device.host}, {software})"]
        if len(self._devices) == 2:  # the moment the other one gets a name to `use`
            lines.append(f"devices: {', '.join(self.names())} (`use NAME` switches, "
                         "`@all LINE` runs a line on every device)")
        return Outcome(lines)

    def use(self, args: Sequence[str]) -> Outcome:
        if len(args) > 1:
            return _fail("use: usage: use NAME")
        if not args:
            cur = self.current
            return Outcome([f"using {cur.name} ({cur.host}); connected: {', '.join(self.names())}"])
        device = self.device(args[0])
        if device is None:
            return _fail(f"use: no device named {args[0]!r} (connected: {', '.join(self.names())})")
        self._current = device
        self._changed()
        return Outcome([f"using {device.name} ({device.host})"])

    def table(self) -> list[str]:
        """`devices`: name, host, state, software, registrations; `*` marks the current."""
        rows = [("", "NAME", "HOST", "STATE", "SOFTWARE", "FEEDBACK")]
        for d in self._devices.values():
            d.backend.refresh_status()
            s = d.backend.status
            regs = s.registrations
            rows.append(("*" if d is self._current else " ", d.name, d.host, s.state,
                         s.software or "-", f"{regs} registration{'' if regs == 1 else 's'}"
                         + (f", {s.watches} watch{'' if s.watches == 1 else 'es'}" if s.watches else "")))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]

    async def disconnect(self, args: Sequence[str]) -> Outcome:
        """Close one device (the current one when no name is given), never the last one:
        the shell always has a current device, and `bye` is the way out."""
        if len(args) > 1:
            return _fail("disconnect: usage: disconnect [NAME]")
        device = self.device(args[0]) if args else self.current
        if device is None:
            return _fail(f"disconnect: no device named {args[0]!r} "
                         f"(connected: {', '.join(self.names())})")
        if len(self._devices) == 1:
            return _fail(f"disconnect: {device.name} is the only device; `bye` leaves the shell")
        del self._devices[device.name.casefold()]
        lines = [f"disconnected from {device.name}"]
        if device is self._current:
            self._current = next(iter(self._devices.values()))
            lines.append(f"using {self._current.name} ({self._current.host})")
        device.backend.set_feedback_sink(lambda ev: None)
        device.backend.set_status_listener(lambda: None)
        self._relabel()
        try:
            await device.close()
        except Exception as exc:  # noqa: BLE001 - it is gone from the shell either way
            log.info("closing %s: %s", device.name, exc)
        return Outcome(lines)

    # -- @DEVICES LINE ----------------------------------------------------------------
    def _targets(self, names: Sequence[str]) -> tuple[list[Device], str | None]:
        if not names:
            return [], "@: name the devices: @all or @room1,room2"
        if any(n.lower() == ALL_DEVICES for n in names):
            return self.devices, None
        unknown = [n for n in names if self.device(n) is None]
        grouped = self._in_group(unknown) if unknown else None
        if grouped is not None and all(self._in_group([n]) is not None for n in unknown):
            in_groups = [d for d in self._devices.values()
                         if d in grouped or any(self.device(n) is d for n in names)]
            if not in_groups:
                return [], f"@: no connected device is in {', '.join(unknown)}; nothing was sent"
            return in_groups, None
        if unknown:
            return [], (f"@: no device named {', '.join(unknown)} "
                        f"(connected: {', '.join(self.names())}); nothing was sent")
        picked: list[Device] = []
        for n in names:
            d = self.device(n)
            if d is not None and d not in picked:
                picked.append(d)
        return picked, None

    async def run_on(self, names: Sequence[str], text: str | Line) -> Outcome:
        """Run `text` on the named devices at once; answers grouped, failures summed up."""
        targets, problem = self._targets(names)
        if problem:
            return _fail(problem)
        line = as_line(text)
        if isinstance(line, Blank) and not line.text.strip():
            return _fail("@: nothing to run; write @NAMES LINE (e.g. @all xStatus Audio Volume)")
        cmd = lookup(line.name) if isinstance(line, CommandLine) else None
        if cmd is not None and cmd.scope is not Scope.DEVICE:
            return _fail(f"@: {line.name} concerns the whole shell; type it without @…")  # type: ignore[union-attr]  # cmd is set only for a CommandLine
        answer = await confirm_rooms([d.session for d in targets], line)  # one question
        if isinstance(answer, str):
            return _fail(answer)
        with approved(line) if answer else contextlib.nullcontext():
            outcomes = await asyncio.gather(*(d.backend.execute(line) for d in targets))
        return grouped(targets, outcomes, self.current.session.output_format.json_documents)

    async def aclose(self) -> None:
        devices, self._devices = self.devices, {}
        results = await asyncio.gather(*(d.close() for d in devices), return_exceptions=True)
        for d, r in zip(devices, results):
            if isinstance(r, Exception):
                log.info("closing %s: %s", d.name, r)


def _fail(message: str) -> Outcome:
    return Outcome([message], ok=False)
