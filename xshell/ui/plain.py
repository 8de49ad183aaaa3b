"""Plain (line) mode: a prompt, results and feedback printed as ordinary lines.

For --plain, dumb terminals, screen readers and serial consoles. With a terminal, a
`PromptSession` reads lines (history, completion, auto-suggest) and feedback is printed
above the prompt. Without one (stdin is a pipe or file), no prompt-toolkit input is
used at all: lines are read from the stream, nothing is prompted, and the exit status
says whether every request succeeded (0) or not (1), which suits scripts.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.data_structures import Size
from prompt_toolkit.history import History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.output.vt100 import Vt100_Output
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.shortcuts import clear as clear_screen
from prompt_toolkit.shortcuts import print_formatted_text

from xshell.config.settings import Settings, builtin_settings
from xshell.inert import inert, inert_lines
from xshell.contract import Confirming, FeedbackEvent, Outcome, ShellBackend, Starting
from xshell.lang.line import Blank, Line, read_line, with_body
from xshell.ui.adapters import BackendCompleter, BackendLexer
from xshell.commands.registry import ScreenHandler
from xshell.ui.local_commands import screen_command
from xshell.ui.eventlog import EventLog
from xshell.ui.first_prompt import watch_start_plain
from xshell.ui.style import ui_style
from xshell.ui.inputline import MaskedHistory, SafeCompleter, SafeLexer
from xshell.ui.keys import tab_bindings
from xshell.ui.linesource import LineSource
from xshell.ui.shared import describe_error, masked
from xshell.ui.sigint import cancel_on_sigint
from xshell.ui.toolbar import plain_prompt

__all__ = ["PlainShell", "run_plain"]

ReadLine = Callable[[str], Awaitable[str | None]]  # prompt → line, None at EOF


class PlainShell:
    """Line-oriented shell over a backend, independent of where lines come from."""

    def __init__(self, backend: ShellBackend, write: Callable[[list[str]], None], flush_interval: float = 0.05) -> None:
        self.backend = backend
        self.write: Callable[[list[str]], None] = lambda lines: write(inert_lines(lines))  # boundary
        self.events = EventLog()
        self.flush_interval = flush_interval
        self.failures = 0
        self.clear_screen: Callable[[], None] | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_read: tuple[str, Line] | None = None

    def read(self, text: str) -> Line:
        """`text` read once (xshell.lang.line): the prompt's history masks the line it
        accepts just before `read_request` gets it, and both use this one reading."""
        last = self._last_read
        if last is not None and last[0] == text:
            return last[1]
        line = read_line(text)
        self._last_read = (text, line)
        return line

    # ---- feedback -------------------------------------------------------------------
    def on_feedback(self, event: FeedbackEvent) -> None:
        """Queue the event; print the batch at most every flush_interval.

        A traced frame shown inline (`trace on inline`) carries its own timestamp: it is
        printed as it is, after what is pending (the event log would stamp it again)."""
        if event.inline:
            self.flush_events()
            self.write(event.lines)
            return
        self.events.push(event)
        self._schedule_flush(self.flush_interval)

    def _schedule_flush(self, delay: float) -> None:
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(delay, self.flush_events)

    def flush_events(self) -> None:
        """Print what is pending now (also before each result, so order is kept)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        lines = self.events.flush()
        if lines:
            self.write([ln.render() for ln in lines])

    # ---- one request ----------------------------------------------------------------
    async def handle(self, text: str | Line) -> bool:
        """Run one line (with its body), as read at submit; False when the shell should stop."""
        line = self.read(text) if isinstance(text, str) else text
        found = screen_command(line)
        if found is not None:
            return self._local(*found)
        task = asyncio.ensure_future(self.backend.execute(line))
        with cancel_on_sigint(task):
            await asyncio.wait({task})
        self.flush_events()  # feedback that arrived during the request precedes its result
        if task.cancelled():
            self.failures += 1
            self.write([f"cancelled: {masked(self.backend, line).split(chr(10), 1)[0]}"])
            return True
        error = task.exception()
        if error is not None:
            self.failures += 1
            self.write([f"error: {describe_error(error)}"])
            return True
        outcome = task.result()
        if not isinstance(outcome, Outcome):
            self.failures += 1
            self.write(["error: the backend returned no result"])
            return True
        if not outcome.ok:
            self.failures += 1
        if outcome.lines:
            self.write(outcome.lines)  # inert_lines splits at "\n"
        return not outcome.exit_shell

    def _local(self, handler: ScreenHandler, args: tuple[str, ...]) -> bool:
        """A command the screen answers (the registry's handler, given this shell)."""
        result = handler(self, args)
        if result.exit_shell:
            return False
        if not result.ok:
            self.failures += 1
        if result.lines:
            self.write(result.lines)
        self.flush_events()  # a pane resume or filter shows what it lets through
        return True

    # ---- commands.contexts.UiActions ------------------------------------------------
    def clear_output(self) -> None:
        if self.clear_screen is not None:
            self.clear_screen()

    def set_pane(self, action: str) -> str:
        return "plain mode prints feedback inline; use 'pane pause' to hold it"

    async def read_request(self, read: ReadLine, prompt: str) -> Line | None:
        """Read one request: a line, plus body lines up to "." for multiline commands;
        the line is read (xshell.lang.line) once, here, and travels on as that value.

        None at end of input. A body cut short by end of input is reported, not sent.
        """
        typed = await read(prompt)
        if typed is None:
            return None
        line = self.read(typed)
        try:
            wants_body = bool(typed.strip()) and self.backend.needs_body(line)
        except Exception:  # noqa: BLE001 - a backend bug must not swallow the user's line
            wants_body = False
        if not wants_body:
            return line
        body: list[str] = []
        while True:
            try:
                more = await read("... ")
            except KeyboardInterrupt:
                self.write([f"cancelled: {masked(self.backend, line)}"])
                return Blank("")
            if more is None:
                self.failures += 1
                self.write([f"incomplete multiline command (no '.' line): {masked(self.backend, line)}"])
                return None
            if more.strip() == ".":
                return with_body(line, "\n".join(body))
            body.append(more)

    async def loop(self, read: ReadLine, prompt: Callable[[], str]) -> None:
        """Read and run requests until end of input or an exit command."""
        self.backend.set_feedback_sink(self.on_feedback)
        try:
            while True:
                line = await self.read_request(read, prompt())
                if line is None:
                    return
                if not line.full.strip():
                    continue
                if not await self.handle(line):
                    return
        finally:
            self.backend.set_feedback_sink(lambda e: None)
            self.flush_events()


def _stream_writer(stream: TextIO) -> Callable[[list[str]], None]:
    def write(lines: list[str]) -> None:
        stream.write("".join(ln + "\n" for ln in lines))
        stream.flush()

    return write


async def _run_lines(backend: ShellBackend, stream: TextIO, write: Callable[[list[str]], None],
                     notices: Sequence[str]) -> int:
    shell = PlainShell(backend, write)
    source = LineSource(stream)
    if isinstance(backend, Starting):  # no prompt to draw first: the devices come first
        report = await watch_start_plain(backend, shell.write, notices, lambda code: None)
        if report is None:
            return 1
        if report.exit_code is not None:
            return report.exit_code

    async def read(prompt: str) -> str | None:
        return await source.readline()

    async def ask(question: str) -> bool:  # the guard's question: the next line answers
        shell.write([question])
        return (await source.readline() or "").strip().lower() in ("y", "yes")

    if isinstance(backend, Confirming):
        backend.set_confirm(ask)

    await shell.loop(read, lambda: "")
    return 1 if shell.failures else 0


async def _run_session(backend: ShellBackend, history: History | None, inp: Input | None, out: Output | None,
                       settings: Settings) -> int:
    vi = settings.key_bindings == "vi"
    completer, lexer = BackendCompleter(backend), BackendLexer(backend)
    session: PromptSession[str] = PromptSession(
        history=MaskedHistory(history if history is not None else InMemoryHistory(),
                              lambda t: masked(backend, shell.read(t))),  # the line as read_request reads it
        completer=SafeCompleter(lambda: completer),
        complete_in_thread=True,
        lexer=SafeLexer(lambda: lexer),
        style=ui_style(settings),  # the same colours as the full screen, invalid names included
        auto_suggest=AutoSuggestFromHistory(),
        key_bindings=tab_bindings(),  # Tab walks the tree, as in the full screen
        vi_mode=vi,
        input=inp,
        output=out,
    )
    body_session: PromptSession[str] = PromptSession(vi_mode=vi, input=inp, output=out)
    target = session.output

    def write(lines: list[str]) -> None:
        print_formatted_text("\n".join(lines), output=target)

    shell = PlainShell(backend, write)
    shell.clear_screen = clear_screen if out is None else None
    backend.set_status_listener(lambda: None)

    async def ask(question: str) -> bool:
        """The guard's question (session.guard_policy), at a prompt of its own: no history."""
        try:
            answer = await body_session.prompt_async(inert(question) + " ")
        except (KeyboardInterrupt, EOFError):
            return False
        return answer.strip().lower() in ("y", "yes")

    if isinstance(backend, Confirming):
        backend.set_confirm(ask)

    left: list[int] = []  # the exit status when no device could be opened behind the prompt

    def leave(code: int) -> None:
        left.append(code)
        for sess in (session, body_session):
            if sess.app.is_running:
                sess.app.erase_when_done = True  # no prompt left above the error line
                sess.app.exit(exception=EOFError())

    def main_prompt() -> str:  # redrawn with the state: "(connecting)" turns "(connected)"
        return plain_prompt(backend.status)

    async def read(prompt: str) -> str | None:
        sess = body_session if prompt == "... " else session
        while True:
            try:
                return await sess.prompt_async(prompt if sess is body_session else main_prompt)
            except KeyboardInterrupt:
                if sess is body_session:
                    raise  # read_request abandons the whole multiline command
                continue  # Ctrl-C drops the line being typed, never the session
            except EOFError:
                return None

    with patch_stdout(raw=True):
        # a Starting backend opens its devices once the first prompt is drawn (ui.first_prompt)
        watcher = (asyncio.ensure_future(watch_start_plain(backend, shell.write, settings.notices, leave))
                   if isinstance(backend, Starting) else None)
        try:
            await shell.loop(read, main_prompt)
        finally:
            if watcher is not None:
                watcher.cancel()
                await asyncio.wait({watcher})
    return left[0] if left else 0


async def run_plain(
    backend: ShellBackend,
    history: History | None = None,
    input: Input | TextIO | None = None,  # noqa: A002 - mirrors prompt-toolkit's naming
    output: Output | TextIO | None = None,
    banner: Sequence[str] = (),
    *,
    settings: Settings | None = None,
) -> int:
    """Run line mode until EOF or `exit`; exit status (non-TTY: 1 if any request failed).

    `input` may be a prompt-toolkit Input (interactive) or a text stream (read line by
    line, no prompt). None picks stdin: interactive when it is a terminal. `settings`
    (None = built-in defaults) sets the key bindings (vi or emacs) and the colours.
    """
    settings = settings if settings is not None else builtin_settings()
    banner = [*banner, *settings.notices]  # e.g. "wrote the default settings to …"
    if banner and not isinstance(backend, Starting):  # else once its devices are open
        stream = output if output is not None and not isinstance(output, Output) else sys.stdout
        print("\n".join(inert_lines(banner)), file=stream, flush=True)
    if input is None:
        if sys.stdin is not None and sys.stdin.isatty():
            return await _run_session(backend, history, None, _as_output(output), settings)
        input = sys.stdin  # noqa: A001 - the parameter (see its noqa above), given its default
    if isinstance(input, Input):
        return await _run_session(backend, history, input, _as_output(output), settings)
    if isinstance(output, Output):
        target = output
        write: Callable[[list[str]], None] = lambda lines: print_formatted_text(  # noqa: E731 - one of two writers
            "\n".join(lines), output=target)
    else:
        write = _stream_writer(output if output is not None else sys.stdout)
    return await _run_lines(backend, input, write, settings.notices)


def _as_output(output: Output | TextIO | None) -> Output | None:
    if output is None or isinstance(output, Output):
        return output
    return Vt100_Output(output, lambda: Size(rows=24, columns=80))
