"""Non-interactive runs: `-c LINE`…, `-f FILE`, a script on stdin, and `--follow`.

Results go to stdout exactly as the device's answer renders (tshell lines, or one JSON
document per request with `-o json`); parse errors and connection failures go to stderr
as one sentence with the place they happened. Feedback that arrives while the script runs
is printed as it comes — nothing the device sends is dropped.

`--log FILE` (or `log start FILE` in the script) writes a transcript of every line, reply
and event (xshell.session.transcript); the file is opened before connecting, so a path that
cannot be written fails at once (exit 2) instead of after the work is done.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator

from xshell.session.shell_context import ShellContext
from xshell.errors import ConnectionFailed
from xshell.inert import inert, inert_lines
from xshell.lang.bodies import split_script
from xshell.lang.parse_errors import ParseError
from xshell.modes.connect import open_client
from xshell.options import Options
from xshell.session.core import Session
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_USAGE, Result
from xshell.session.registrations import Feedback
from xshell.stopsignals import on_stop_signals
from xshell.session.transcript import TranscriptError


def _items(options: Options) -> tuple[str, Iterator[tuple[int, str, str | None]]]:
    """(where, items): `where` names the source for error messages."""
    script = options.script
    if script.commands:
        return "-c", split_script("\n".join(script.commands))
    if script.file and script.file != "-":
        try:
            with open(script.file, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise _Usage(f"cannot read {script.file}: {exc}") from None
        return script.file, split_script(text)
    return "<stdin>", split_script(sys.stdin.read())


class _Usage(Exception):
    pass


def _out(lines: list[str]) -> None:
    if lines:
        sys.stdout.write("\n".join(inert_lines(lines)) + "\n")
        sys.stdout.flush()


def run(options: Options) -> int:
    """Run the script on the run's one device (options.devices[0])."""
    try:
        where, items = _items(options)
    except _Usage as exc:
        print(inert(f"xshell: error: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    try:
        context = ShellContext.for_run(options)  # --log / --log-format come from the CLI
    except TranscriptError as exc:
        print(inert(f"xshell: error: --log: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(_run(options, where, items, context))
    except KeyboardInterrupt:
        return 130
    finally:
        context.close()


def _report(where: str, lineno: int, result: Result) -> None:
    """The device's answers on stdout; xshell's own messages on stderr, with the place."""
    if result.kind == "answer":
        _out(result.lines)
        return
    head = f"xshell: {where}:{lineno}:"
    if result.kind == "parse_error":
        print(inert(f"{head} parse error"), file=sys.stderr)
        print("\n".join(inert_lines(result.lines)), file=sys.stderr)
    else:
        print(inert(" ".join([head, *result.lines])), file=sys.stderr)
    sys.stderr.flush()


async def _run(options: Options, where: str,
               items: Iterator[tuple[int, str, str | None]],
               context: ShellContext | None = None) -> int:
    context = context if context is not None else ShellContext()
    done = asyncio.Event()
    printed = 0
    device, max_events, follow = options.devices[0], options.script.max_events, options.script.follow

    def on_feedback(fb: Feedback) -> None:
        nonlocal printed
        if max_events is not None and printed >= max_events:
            return
        _out(fb.lines)
        printed += 1
        if max_events is not None and printed >= max_events:
            done.set()

    status = EXIT_OK
    try:
        async with open_client(device, interactive_ok=False,
                               on_state=_report_state if follow else None) as (client, key):
            session = Session(client, output=options.output.format, device_key=key,
                              on_feedback=on_feedback, context=context, name=device.name)
            await session.identify()
            session.note(f"connected ({session.software or 'unknown software'}), "
                         f"running {where}")
            try:
                for lineno, line, body in items:
                    result = await session.execute(line if body is None else f"{line}\n{body}")
                    _report(where, lineno, result)
                    if result.exit_code == EXIT_CONNECTION:
                        return EXIT_CONNECTION
                    status = max(status, result.exit_code)
                    if result.exit_shell:  # bye: the script ends here, nothing is followed
                        return status
            except ParseError as exc:  # a script-level problem: an unterminated body
                print(inert(f"xshell: {where}: {exc}"), file=sys.stderr)
                return EXIT_USAGE
            if follow and session.registrations:
                code = await _follow(client, done)
                status = max(status, code)
            elif follow:
                print("xshell: --follow: no xFeedback registrations were made; nothing to follow",
                      file=sys.stderr)
    except ConnectionFailed as exc:
        print(inert(f"xshell: {exc}"), file=sys.stderr)
        if context.transcript is not None:
            context.transcript.note("", f"connection failed: {exc}")  # never the target: user:pw@
        return EXIT_CONNECTION
    return status


def _report_state(state: str, detail: str) -> None:
    """--follow survives reconnects; say on stderr what happened, never on stdout (jq)."""
    if state != "connected" or detail:
        print(inert(f"xshell: {detail or state}"), file=sys.stderr, flush=True)


async def _follow(client: object, done: asyncio.Event) -> int:
    """Wait for Ctrl-C/SIGTERM, --max-events, or the connection closing (exit 3)."""
    restore_signals = on_stop_signals(asyncio.get_running_loop(), done.set)  # Windows too
    closed = asyncio.ensure_future(client.wait_gone())  # type: ignore[attr-defined]
    stop = asyncio.ensure_future(done.wait())
    try:
        finished, _ = await asyncio.wait({closed, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        restore_signals()
        closed.cancel()
        stop.cancel()
    if stop in finished:
        return EXIT_OK
    reason = closed.result() if closed.done() and not closed.cancelled() else "closed"
    print(inert(f"xshell: --follow: the connection to the device closed: {reason}"), file=sys.stderr)
    return EXIT_CONNECTION
