"""`xshell -f script.xapi ROOM1 ROOM2 …`: one script on many devices at once.

The script is read once and runs on every device, at most `--jobs` (default 32)
connected at once (xshell.modes.fleet_run does the work; this module prints).

NAME is the device's profile name, else the name the device gives itself (SystemUnit
Name, e.g. "Room 001"), else HOST (host[:port]); a device that never answered is shown
by HOST alone.

stdout — each device's output is one block, printed when that device finishes, so
blocks of different devices never interleave (blocks come in completion order):

- terminal mode: a header line `== NAME (HOST) ==` (`== HOST ==` when they are the
  same), then the device's answers and the feedback it sent while its script ran, in
  arrival order, exactly as single-device script mode prints them. `awk '/^== /'`
  splits the blocks. A device that never connected has no block (stderr says why).
- `-o json`: no header; every document is wrapped with the device it came from, one
  compact document per line, so `jq` can select by device:
  `{"device": NAME, "host": HOST, "result": DOC}` for an answer (DOC is what
  single-device mode prints, `{"error": …}` included), `{"device": …, "host": …,
  "feedback": DOC}` for a feedback event, and `{"device": …, "host": …, "text": LINE}`
  for a line that is not JSON (shell commands such as `xpreferences`).

stderr — xshell's own messages, each prefixed with the device: `xshell: NAME:
FILE:LINE: parse error` (with the caret display), `xshell: NAME: <connection failure>`;
a progress bar (devices done/total, failures so far, elapsed) only when stderr is a
terminal; and at the end a per-device summary, failures first (a table on a terminal,
where devices that succeeded beyond the first 20 are one line; aligned plain lines with
every device otherwise) and the final line `xshell: 50 devices: 48 ok, 2 failed`.

Exit status: the highest over the devices (0 ok, 1 xAPI error, 2 parse error, 3
connection failure). `--follow` follows one device only and is refused here; a script
whose multiline body never ends is refused before any device is contacted.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from xshell.session.shell_context import ShellContext
from xshell.modes.fleet_run import DEFAULT_JOBS, DeviceOutcome, Item, run_fleet
from xshell.inert import inert, inert_lines
from xshell.options import Options
from xshell.lang.formats import format_registry as formats
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_USAGE

try:  # POSIX only: Windows has neither this module nor a per-process open-file limit to fit
    import resource
except ImportError:
    resource = None  # type: ignore[assignment]  # absent on Windows: limits are left as they are

_FD_SPARE = 64  # files a run needs besides one socket per connected device


def _usage(message: str) -> int:
    print(inert(f"xshell: error: {message}"), file=sys.stderr, flush=True)
    return EXIT_USAGE


def _whole(items: Iterator[Item] | AsyncIterator[Item]) -> list[Item]:
    """Every request of the script, read to its end. stdin comes as a stream (a
    single-device script runs each line as it arrives); here it is read whole first."""
    if isinstance(items, AsyncIterator):
        async def drain(stream: AsyncIterator[Item]) -> list[Item]:
            return [item async for item in stream]
        return asyncio.run(drain(items))
    return list(items)


def run(options: Options) -> int:
    """Run the script on every device in `options.devices`; the highest exit status."""
    devices = options.devices
    if not devices:
        return _usage("no devices to run the script on")
    if options.script.follow:
        return _usage("--follow follows one device; it cannot be used with several devices")
    jobs = options.fleet.jobs or DEFAULT_JOBS
    if jobs < 1:
        return _usage("--jobs must be at least 1")
    from xshell.lang.parse_errors import ParseError
    from xshell.modes.script import _items, _Usage

    try:
        where, lazy = _items(options)
        items = _whole(lazy)  # read once, and whole: no device runs half a script
    except _Usage as exc:
        return _usage(str(exc))
    except ParseError as exc:
        return _usage(f"{where}: {exc}")
    try:
        context = ShellContext.for_run(options)
    except ValueError as exc:  # TranscriptError: names the file and the reason
        return _usage(f"--log: {exc}")
    jobs = _fit_jobs(jobs)
    display = Display(len(devices), json_mode=formats.get(options.output.format).json_documents)
    try:
        outcomes = asyncio.run(run_fleet(devices, items, where, jobs=jobs, output=options.output.format,
                                         context=context, on_done=display.done,
                                         keep=_keep(options)))
    except KeyboardInterrupt:
        display.close()
        return 130
    finally:
        context.close()
    display.close()
    report = report_lines(outcomes, display.json_mode)
    if report:
        sys.stdout.write("\n".join(inert_lines(report)) + "\n")
        sys.stdout.flush()
    display.summary([o for o in outcomes if not o.skipped])
    skipped = sum(1 for o in outcomes if o.skipped)
    if skipped:
        print(f"xshell: {skipped} device{'' if skipped == 1 else 's'} left out by --filter",
              file=sys.stderr, flush=True)
    return max((o.status for o in outcomes), default=EXIT_OK)


def report_lines(outcomes: Sequence[DeviceOutcome], json_mode: bool) -> list[str]:
    """`health` in a fleet run: ONE table (or document) of every room, rooms that could
    not be connected included as unreachable (xshell.lang.health_view)."""
    if not any(o.reports for o in outcomes):
        return []
    from xshell.lang import health_view

    rows: list[dict[str, Any]] = []
    for o in outcomes:
        if o.skipped:
            continue
        for report in o.reports:
            rows.append({**report.row, "device": o.name, "host": o.host})
        if not o.reports and o.status == EXIT_CONNECTION:
            rows.append(health_view.unreachable_row(o.name, o.host, o.first_error))
    return health_view.render(rows, json_mode)


def _keep(options: Options) -> Any:
    """--filter product=/version=: decided on each device once connected (None: no such filter)."""
    flt = options.fleet.filter
    return flt.rejects if flt is not None and flt.needs_device else None


def _fit_jobs(jobs: int) -> int:
    """Raise the open-file limit for `jobs` sockets if allowed; else run fewer at once."""
    if resource is None:  # Windows: no such limit to fit
        return jobs
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return jobs
    need = jobs + _FD_SPARE
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError):
            pass
        if soft < need:
            fit = max(1, soft - _FD_SPARE)
            print(f"xshell: warning: the open-file limit (ulimit -n {soft}) allows {fit} devices "
                  f"at once, not {jobs}; running {fit} at a time", file=sys.stderr)
            return fit
    return jobs


def _tag(outcome: DeviceOutcome) -> str:
    return '{"device":' + json.dumps(outcome.name) + ',"host":' + json.dumps(outcome.host)


def block_lines(outcome: DeviceOutcome, json_mode: bool) -> list[str]:
    """The device's stdout block (see the module docstring for the format)."""
    if outcome.skipped or (outcome.reports and not outcome.out):
        return []  # left out by --filter; or only report rows: they go in the one table
    if not json_mode:
        if not outcome.out and outcome.status == EXIT_CONNECTION:
            return []  # never connected: nothing to show; stderr and the summary say why
        same = outcome.name == outcome.host
        name, host = inert(outcome.name), inert(outcome.host)  # name: maybe the device's own
        lines = [f"== {name} ==" if same else f"== {name} ({host}) =="]
        for _, chunk in outcome.out:
            lines += chunk
        return lines
    tag, lines = _tag(outcome), []
    for kind, chunk in outcome.out:
        for line in chunk:
            if _is_json(line):
                lines.append(f'{tag},"{kind}":{line}}}')
            elif line.strip():
                lines.append(f'{tag},"text":{json.dumps(line)}}}')
    return lines


def _is_json(line: str) -> bool:
    """A whole JSON document (an answer may be a bare 50 or "text", not only {…})."""
    if not line.strip():
        return False
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def note_lines(outcome: DeviceOutcome) -> list[str]:
    """xshell's messages about the device for stderr; the first line of each is prefixed."""
    return [f"xshell: {inert(outcome.name)}: {note}" for note in outcome.notes]


class Display:
    """Blocks on stdout, messages and the progress bar on stderr (bar only on a terminal)."""

    def __init__(self, total: int, *, json_mode: bool) -> None:
        self.total = total
        self.json_mode = json_mode
        self.finished = 0
        self.failures = 0
        self._tty_out = _isatty(sys.stdout)
        self._progress: Any = None
        self._task: Any = None
        if _isatty(sys.stderr):
            self._progress, self._task = _start_progress(total)

    def done(self, outcome: DeviceOutcome) -> None:
        """One device finished: its block, its messages, the bar moves."""
        self.finished += 1
        self.failures += 0 if outcome.succeeded else 1
        block = block_lines(outcome, self.json_mode)
        notes = note_lines(outcome)
        paused = self._progress is not None and self._tty_out
        if paused:  # the bar shares the screen with stdout: erase it, write, draw it again
            self._progress.stop()
        if block:
            sys.stdout.write("\n".join(inert_lines(block)) + "\n")
            sys.stdout.flush()
        if notes:
            if self._progress is not None and not paused:
                for note in inert_lines(notes):
                    self._progress.console.print(note, markup=False, highlight=False, emoji=False,
                                                 soft_wrap=True)
            else:
                sys.stderr.write("\n".join(inert_lines(notes)) + "\n")
                sys.stderr.flush()
        if self._progress is not None:
            self._progress.update(self._task, completed=self.finished, failed=self.failures)
            if paused:
                self._progress.start()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def summary(self, outcomes: Sequence[DeviceOutcome]) -> None:
        """Per-device summary and the final count line, on stderr.

        Failures come first, worst exit status first: on a fleet of 200 the rooms that
        need a visit are at the top. A terminal shows at most TABLE_OK_ROWS rows of
        devices that succeeded (the rest as one line), a file or pipe gets every row.
        """
        ordered = summary_order(outcomes)
        if _isatty(sys.stderr):
            _summary_table(ordered)
        else:
            sys.stderr.write("\n".join(summary_lines(ordered)) + "\n")
        failed = sum(1 for o in outcomes if not o.succeeded)
        noun = "device" if len(outcomes) == 1 else "devices"
        print(f"xshell: {len(outcomes)} {noun}: {len(outcomes) - failed} ok, {failed} failed",
              file=sys.stderr, flush=True)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_HEAD = ("device", "host", "exit", "ok", "failed", "time", "first error")
TABLE_OK_ROWS = 20  # rows of devices that succeeded in the terminal table


def _row(o: DeviceOutcome) -> tuple[str, ...]:
    """One summary row; every cell inert (the name may be the device's SystemUnit Name)."""
    return (inert(o.name), inert(o.host), str(o.status), str(o.ok), str(o.failed),
            f"{o.seconds:.2f}s", inert(o.first_error))


def summary_order(outcomes: Sequence[DeviceOutcome]) -> list[DeviceOutcome]:
    """Failed devices first (highest exit status first), then the rest; stable otherwise."""
    return sorted(outcomes, key=lambda o: (o.succeeded, -o.status))


def summary_lines(outcomes: Sequence[DeviceOutcome]) -> list[str]:
    """The summary as aligned plain lines (stderr that is not a terminal)."""
    rows = [_HEAD, *(_row(o) for o in outcomes)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEAD) - 1)]
    return ["  ".join([*(c.ljust(w) for c, w in zip(r, widths)), r[-1]]).rstrip() for r in rows]


def _summary_table(outcomes: Sequence[DeviceOutcome]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    shown = [o for o in outcomes if not o.succeeded]
    good = [o for o in outcomes if o.succeeded]
    shown += good[:TABLE_OK_ROWS]
    hidden = len(good) - TABLE_OK_ROWS
    rows = [_row(o) for o in shown]
    table = Table(box=None, header_style="bold", pad_edge=False)
    for head in _HEAD:  # one line per device: only the first error is cut short
        last = head == _HEAD[-1]
        table.add_column(head, no_wrap=not last, overflow="ellipsis" if last else "fold",
                         justify="right" if head in ("exit", "ok", "failed", "time") else "left")
    for o, row in zip(shown, rows):
        # Text, not str: a cell is never read as rich markup ("[link=…]" in a device name)
        table.add_row(*(Text(cell) for cell in row), style=None if o.succeeded else "red")
    if hidden > 0:
        table.add_row(f"… {hidden} more ok", *[""] * (len(_HEAD) - 1), style="dim")
    Console(stderr=True, highlight=False).print(table)


def _start_progress(total: int) -> tuple[Any, Any]:
    """A transient rich bar on stderr: devices done/total, failures, elapsed."""
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)

    progress = Progress(TextColumn("devices"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True,
                        redirect_stdout=False, redirect_stderr=False)
    task = progress.add_task("devices", total=total, failed=0)
    progress.start()
    return progress, task
