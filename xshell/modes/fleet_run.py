"""One script against many devices at once: the protocol half of `xshell -f FILE ROOM…`.

Every device gets its own connection and its own `Session`, exactly as a single-device
script run does, and they all share one `ShellContext` (transcript, settings). The
script is read once, by the caller, and the same items run on every device, in order.

Nothing here prints. A device's answers, the feedback it sends while its script runs,
and xshell's own messages about it are collected in a `DeviceOutcome`; the caller
(`xshell.modes.fleet`) prints each outcome as one block when that device finishes, so
the output of different devices never interleaves. At most `jobs` devices are
connected at once (a semaphore), and one device's failure — refused connection,
parse error, a bug — never touches another: it ends that device's run only.

Exit status per device follows `xshell.modes.script`: the worst line's status (0 ok,
1 xAPI error, 2 parse error; the script goes on), and 3 when the connection failed
or was lost (the device's run ends there).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from xshell.session.shell_context import ShellContext
from xshell.errors import ConnectionFailed, XShellError
from xshell.inert import inert
from xshell.options import DeviceOptions, Options
from xshell.lang.formats import format_registry as formats
from xshell.schema.store import SchemaStore
from xshell.session.core import Session
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_XAPI, Result, error_document
from xshell.session.registrations import Feedback

log = logging.getLogger(__name__)

Item = tuple[int, str, "str | None"]  # (line number, line, multiline body) from split_script
OutKind = Literal["result", "feedback"]
DEFAULT_JOBS = 32


@dataclass
class DeviceOutcome:
    """What one device's run produced, for printing and for the summary.

    name: the user's name for the device (its profile's), else the name the device
    gave itself (SystemUnit Name), else host[:port]; host: host[:port] it was reached at;
    out: (kind, lines) in the order they came —
    answers ("result") and feedback events ("feedback"); notes: xshell's own messages
    (parse errors with file:line, connection failures), without the device prefix.
    """

    name: str
    host: str
    status: int = EXIT_OK
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    first_error: str = ""
    system_name: str = ""  # what the device calls itself (SystemUnit Name)
    skipped: str = ""  # why --filter left it out (product, version); nothing ran
    reports: list[Any] = field(default_factory=list)  # Result.report rows (health), merged by the caller
    out: list[tuple[OutKind, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == EXIT_OK

    def note(self, text: str) -> None:
        """One of xshell's own messages about this device (printed on stderr)."""
        self.notes.append(text)

    def fail(self, status: int, error: str) -> None:
        """Count a failure: worst status wins, the first error is kept for the summary."""
        self.status = max(self.status, status)
        if not self.first_error:
            self.first_error = error


def device_label(ns: DeviceOptions) -> str:
    """The name a device is shown under before it answers: its profile's name, else
    host[:port] (a bare host would not tell apart rooms behind one address)."""
    if ns.profile and ns.name:
        return ns.name
    return device_host(ns)


def device_host(ns: DeviceOptions) -> str:
    """host or host:port as prompts show it; a target that does not parse as typed, with
    any `user:password@` masked (it reaches stderr, the summary and the transcript)."""
    from xshell.transport.target import display_of

    return display_of(ns.connection.target or "", insecure=ns.tls.insecure)


def device_options(options: Options, targets: Sequence[str]) -> tuple[DeviceOptions, ...]:
    """One DeviceOptions per target with the run's connection and TLS options as they are
    (for callers that have plain targets rather than the devices the CLI resolves)."""
    return tuple(DeviceOptions(connection=options.connection._replace(target=target, demo=False),
                               tls=options.tls) for target in targets)


def error_summary(where: str, lineno: int, result: Result) -> str:
    """One line for the summary's "first error" column: place and the device's reason."""
    head = f"{where}:{lineno}:"
    lines = [ln for ln in result.lines if ln.strip()]
    if result.kind == "parse_error":
        return f"{head} parse error: {lines[-1] if lines else '?'}"
    if result.kind == "error":
        text = " ".join(lines)
        return f"{head} {text.removeprefix('error: ')}"
    return f"{head} {_xapi_reason(lines)}"


def _xapi_reason(lines: list[str]) -> str:
    """The device's message out of a rendered error (tshell lines or a JSON document)."""
    for line in lines:
        if line.startswith("{"):
            try:
                err = json.loads(line).get("error", {})
                return str(err.get("message") or err)
            except (ValueError, AttributeError):
                return line
        if "Reason:" in line:
            return line.split("Reason:", 1)[1].strip().strip('"')
        if "(error=True" in line and ":" in line:
            return line.rsplit(":", 1)[1].strip().strip('"')
    return lines[0] if lines else "error"


# The client of the device whose task is running: a shared store fetches from it, so a
# device never asks another device's (possibly already closed) connection for its schema.
_CLIENT: contextvars.ContextVar[Any] = contextvars.ContextVar("xshell_fleet_client")


class SchemaShare:
    """One schema store per (product, software version) for the whole run.

    Without it every device fetches, parses and caches the same xDoc answers: for 200
    rooms on one release, 200 parses and 200 copies on disk. Devices that report the
    same ProductId and software version get one store: its roots are fetched once (from
    whichever of them needs a root first) and cached on disk under that device's key.
    A device whose product or version is unknown keeps its own store.
    """

    def __init__(self) -> None:
        self._stores: dict[tuple[str, str], SchemaStore] = {}

    @staticmethod
    async def _fetch(root: str) -> Any:
        return await _CLIENT.get().doc([root])

    async def adopt(self, session: Session) -> None:
        """Give `session` the run's store for its product and version (after identify)."""
        version = session.store.version
        if not version:
            return
        try:
            product = await session.client.get(["Status", "SystemUnit", "ProductId"])
        except ConnectionFailed:
            raise
        except XShellError:
            return
        if not isinstance(product, str) or not product:
            return
        key = (product, version)
        store = self._stores.get(key)
        if store is None:
            store = self._stores[key] = SchemaStore(self._fetch, session.device_key, version,
                                                    use_cache=session.use_cache)
        session.store = store


Keep = Callable[[str, str], "str | None"]  # (product, version) -> why left out, or None


async def filtered_out(session: Session, keep: Keep) -> str | None:
    """--filter product=/version=: asked of the device itself (xshell.config.groups)."""
    values: list[str] = []
    for path in (["Status", "SystemUnit", "ProductId"], ["Status", "SystemUnit", "ProductPlatform"],
                 ["Status", "SystemUnit", "Software", "Version"],
                 ["Status", "SystemUnit", "Software", "DisplayName"]):
        try:
            value = await session.client.get(path)
        except ConnectionFailed:
            raise
        except XShellError:
            value = ""
        values.append(value if isinstance(value, str) else "")
    product = " ".join(v for v in values[:2] if v)
    version = " ".join(v for v in values[2:] if v) or session.software or ""
    return keep(product, version)


async def run_device(ns: DeviceOptions, items: Sequence[Item], where: str, *,
                     output: str = formats.DEFAULT, context: ShellContext | None = None,
                     share: SchemaShare | None = None, keep: Keep | None = None) -> DeviceOutcome:
    """Connect to one device, run every item in order, close; never raises (cancel aside)."""
    from xshell.modes.connect import Connector

    outcome = DeviceOutcome(device_label(ns), device_host(ns))
    profile_name = outcome.name if ns.profile else ""
    start = time.perf_counter()

    def on_feedback(fb: Feedback) -> None:
        outcome.out.append(("feedback", fb.lines))

    try:
        # notes are multi-line only where xshell makes them so: device text is one line
        async with Connector(ns, interactive_ok=False,
                             notify=lambda text: outcome.note(inert(text))) as conn:
            conn.on_protocol_error = lambda err: outcome.note(
                inert(f"device sent something unexpected: {err}"))
            client = await conn.connect()
            _CLIENT.set(client)
            try:
                session = Session(client, output=output, device_key=conn.key,
                                  on_feedback=on_feedback, context=context, name=profile_name,
                                  read_only=ns.read_only)
                await session.identify()
                if not profile_name and session.device_name:
                    outcome.name = session.device_name
                if share is not None:
                    await share.adopt(session)
                outcome.system_name = session.device_name
                why = await filtered_out(session, keep) if keep is not None else None
                if why:
                    outcome.skipped = why
                else:
                    await _run_items(session, items, where, outcome)
            finally:
                await client.close()
    except ConnectionFailed as exc:  # said once: the summary's "first error" column
        outcome.fail(EXIT_CONNECTION, inert(str(exc)))
        _transcript_note(context, outcome.name, f"connection failed: {exc}")
    except Exception as exc:  # one device's trouble must not end the others
        log.exception("device %s: internal error", outcome.name)
        text = f"internal error ({type(exc).__name__}); this device's run stopped"
        outcome.note(text)
        outcome.fail(EXIT_XAPI, text)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _transcript_note(context: ShellContext | None, device: str, text: str) -> None:
    """A device that never got a session still shows in the run's transcript."""
    note = getattr(getattr(context, "transcript", None), "note", None)
    if callable(note):
        note(device, text)


async def _run_items(session: Session, items: Sequence[Item], where: str,
                     outcome: DeviceOutcome) -> None:
    """The script-mode loop: every line runs; a lost connection or `bye` ends it."""
    for lineno, line, body in items:
        result = await session.execute(line if body is None else f"{line}\n{body}")
        document = (error_document(result, where, lineno)
                    if session.output_format.json_documents else None)
        if document is not None:  # -o json: every failed line has its document on stdout
            outcome.out.append(("result", [document]))
        if result.report is not None and not result.report.keep_lines:  # apply's: an answer
            outcome.reports.append(result.report)  # one table for the run (xshell.modes.fleet)
            if result.exit_code:
                outcome.fail(result.exit_code, f"{where}:{lineno}: {result.report.problem}")
                outcome.failed += 1
            else:
                outcome.ok += 1
            continue
        if result.reply:  # tshell's `Command not recognized.` (empty with -o json)
            outcome.out.append(("result", result.reply))
        if result.kind == "answer":
            outcome.out.append(("result", result.lines))
        elif result.kind == "parse_error":
            outcome.note("\n".join([f"{where}:{lineno}: parse error", *result.lines]))
        else:
            outcome.note(" ".join([f"{where}:{lineno}:", *result.lines]))
        if result.exit_code == EXIT_OK:
            outcome.ok += 1
        else:
            outcome.failed += 1
            outcome.fail(result.exit_code, error_summary(where, lineno, result))
        if result.exit_code == EXIT_CONNECTION or result.exit_shell:
            return


async def run_fleet(devices: Sequence[DeviceOptions], items: Sequence[Item], where: str, *,
                    jobs: int = DEFAULT_JOBS, output: str = formats.DEFAULT,
                    context: ShellContext | None = None, share_schema: bool = True,
                    on_start: Callable[[DeviceOptions], None] | None = None,
                    on_done: Callable[[DeviceOutcome], None] | None = None,
                    keep: Keep | None = None) -> list[DeviceOutcome]:
    """Run the items on every device, at most `jobs` connected at once.

    `on_done` is called as each device finishes (completion order); the list returned
    is in the order of `devices`. `share_schema`: one schema per product and software
    version for the run (see SchemaShare); False gives every device its own.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    shared = context if context is not None else ShellContext()
    gate = asyncio.Semaphore(jobs)
    share = SchemaShare() if share_schema else None

    async def one(ns: DeviceOptions) -> DeviceOutcome:
        async with gate:
            if on_start is not None:
                on_start(ns)
            outcome = await run_device(ns, items, where, output=output, context=shared,
                                       share=share, keep=keep)
        if on_done is not None:
            on_done(outcome)
        return outcome

    return list(await asyncio.gather(*(one(ns) for ns in devices)))
