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
import functools
import json
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from xshell.session.shell_context import ShellContext
from xshell.errors import ConnectionFailed
from xshell.inert import inert, inert_lines
from xshell.lang.bodies import split_script
from xshell.lang.parse_errors import ParseError
from xshell.modes.connect import open_client
from xshell.options import Options
from xshell.session.core import Session
from xshell.session.result import EXIT_CONNECTION, EXIT_OK, EXIT_USAGE, Result, error_document
from xshell.session.registrations import Feedback
from xshell.stopsignals import on_signals, stop_signals
from xshell.session.transcript import TranscriptError

if TYPE_CHECKING:  # the wire trace loads only with --trace / `trace on`
    from xshell.session.wiretrace import TraceFrame


def _items(options: Options) -> tuple[str, Items]:
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
    from xshell.modes.stdin_stream import stream_items

    return "<stdin>", stream_items()  # line by line as it arrives (expect-style drivers)


Items = Iterator[tuple[int, str, str | None]] | AsyncIterator[tuple[int, str, str | None]]


class _Usage(Exception):
    pass


async def _each(items: Items) -> AsyncIterator[tuple[int, str, str | None]]:
    """The script's requests, whether read whole (-c, -f FILE) or streamed (stdin)."""
    if isinstance(items, AsyncIterator):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item


def _out(lines: list[str]) -> None:
    if lines:
        sys.stdout.write("\n".join(inert_lines(lines)) + "\n")
        sys.stdout.flush()


def _echoed(session: Session, line: str, body: str | None) -> list[str]:
    """A script line as `echo on` shows it: masked as history and transcripts keep it
    (redact_entry), a multiline body closed by its '.'; `{"echo": LINE}` under -o json."""
    from xshell.lang.redact import redact_entry

    masked = redact_entry(line if body is None else f"{line}\n{body}", session.schema)
    if session.output_format.json_documents:  # stdout holds JSON documents only
        return [json.dumps({"echo": masked}, ensure_ascii=False, separators=(",", ":"))]
    shown = masked.split("\n")
    return shown + ["."] if body is not None else shown


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


def _report(where: str, lineno: int, result: Result, json_docs: bool = False) -> None:
    """The device's answers on stdout; xshell's own messages on stderr, with the place
    (and with `-o json`, their `{"error": …}` document on stdout too)."""
    if result.reply and not json_docs:  # tshell's own words first (`Command not recognized.`)
        _out(result.reply)
    if result.kind == "answer":
        _out(result.lines)
        return
    document = error_document(result, where, lineno) if json_docs else None
    if document is not None:
        _out([document])
    head = f"xshell: {where}:{lineno}:"
    if result.kind == "parse_error":
        print(inert(f"{head} parse error"), file=sys.stderr)
        print("\n".join(inert_lines(result.lines)), file=sys.stderr)
    else:
        print(inert(" ".join([head, *result.lines])), file=sys.stderr)
    sys.stderr.flush()


async def _run(options: Options, where: str,
               items: Items,
               context: ShellContext | None = None) -> int:
    context = context if context is not None else ShellContext()
    done = asyncio.Event()
    stopped: list[signal.Signals] = []  # the stop signal, once one came (_follow)

    def reported(state: str, detail: str) -> None:
        if not stopped:  # stopping on a signal closes the link: that is said once, as such
            _report_state(state, detail)
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
                               on_state=reported if follow else None) as (client, key):
            session = Session(client, output=options.output.format, device_key=key,
                              on_feedback=on_feedback, context=context, name=device.name,
                              read_only=device.read_only)
            session.on_trace = _trace_line  # `trace on`, --trace: frames on stderr
            context.follows, context.trace_to = follow, "stderr"
            if options.output.trace:
                from xshell.session.wiretrace import start_trace

                start_trace(session)
            await session.identify()
            session.note(f"connected ({session.software or 'unknown software'}), "
                         f"running {where}")
            try:
                async for lineno, line, body in _each(items):
                    if session.echo:  # tshell's `echo on`: the line comes back first, masked
                        _out(_echoed(session, line, body))
                    result = await session.execute(line if body is None else f"{line}\n{body}")
                    _report(where, lineno, result,
                            session.output_format.json_documents)
                    if result.kind != "answer" and not result.reply:  # refused, failed
                        _out(_refused(session, result))
                    else:
                        _out(_ended(session, result))
                    if result.exit_code == EXIT_CONNECTION:
                        return EXIT_CONNECTION
                    status = max(status, result.exit_code)
                    if result.exit_shell:  # bye: the script ends here, nothing is followed
                        return status
            except ParseError as exc:  # a script-level problem: an unterminated body
                print(inert(f"xshell: {where}: {exc}"), file=sys.stderr)
                return EXIT_USAGE
            if (follow and session.registrations) or session.watching:  # `watch`: until Ctrl-C
                code = await _follow(client, done, stopped)
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


def _trace_line(frame: TraceFrame) -> None:
    """A traced frame on stderr: stdout stays the answers (and jq's input)."""
    print(inert(f"xshell: {frame.line()}"), file=sys.stderr, flush=True)


def _refused(session: Session, result: Result) -> list[str]:
    """What ends a refused line's answer on stdout, as tshell ends a failed one: `ERROR`
    (or the mode's error document), so a driver waiting for OK/ERROR never hangs. Nothing
    with -o json (its error document is printed by _report)."""
    fmt = session.output_format
    if fmt.json_documents:
        return []
    refused = getattr(fmt, "refused", None)
    message = next((ln for ln in reversed(result.lines) if ln.strip()), "").removeprefix("error: ")
    return list(refused(message)) if refused is not None else ["ERROR"]


ENDS = ("OK", "ERROR", "Command not recognized.")


def _ended(session: Session, result: Result) -> list[str]:
    """What ends an answer that has no terminator of its own (a shell command's, in
    terminal mode): a blank line and `OK` (`ERROR` if it failed), as tshell ends its own
    commands' answers, so a driver waiting for a whole line OK/ERROR never hangs."""
    if session.output_format.name != "terminal" or result.exit_shell or result.reply or result.bare:
        return []
    if any(ln in ENDS for ln in result.lines):  # an xCommand's OK comes before its *r block
        return []
    return ["", "OK" if result.ok else "ERROR"]


def _stop(sig: signal.Signals, stopped: list[signal.Signals], done: asyncio.Event) -> None:
    """A stop signal: remember which (the run says so, and exits 128+N), then stop."""
    if not stopped:
        stopped.append(sig)
    done.set()


def _report_state(state: str, detail: str) -> None:
    """--follow survives reconnects; say on stderr what happened, never on stdout (jq)."""
    if state != "connected" or detail:
        print(inert(f"xshell: {detail or state}"), file=sys.stderr, flush=True)


async def _follow(client: object, done: asyncio.Event, stopped: list[signal.Signals]) -> int:
    """Wait for Ctrl-C/SIGTERM (`stopped (SIGTERM)`, exit 128+N as shells report a
    signal: 130, 143), --max-events (exit 0), or the connection closing (exit 3)."""
    loop = asyncio.get_running_loop()
    undo = [on_signals(loop, [sig], functools.partial(_stop, sig, stopped, done))  # Windows too
            for sig in stop_signals()]

    def restore_signals() -> None:
        for step in reversed(undo):
            step()
    closed = asyncio.ensure_future(client.wait_gone())  # type: ignore[attr-defined]  # an XoWSClient
    stop = asyncio.ensure_future(done.wait())
    try:
        finished, _ = await asyncio.wait({closed, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        restore_signals()
        closed.cancel()
        stop.cancel()
    if stop in finished and stopped:
        print(f"xshell: stopped ({stopped[0].name})", file=sys.stderr, flush=True)
        return 128 + int(stopped[0])
    if stop in finished:
        return EXIT_OK
    reason = closed.result() if closed.done() and not closed.cancelled() else "closed"
    print(inert(f"xshell: --follow: the connection to the device closed: {reason}"), file=sys.stderr)
    return EXIT_CONNECTION
