"""The full-screen application: wiring models, layout and keys; running requests.

One asyncio loop runs everything: the UI (`Application.run_async`), the request
worker and the backend's reader. Requests run one at a time, in order, in a task the
user can cancel with Ctrl-C while the prompt stays live. Feedback is coalesced: the
sink only queues, and one timer per ~50 ms flushes the queue and redraws once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Any

from prompt_toolkit.application import Application
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import History
from prompt_toolkit.key_binding import merge_key_bindings
from prompt_toolkit.key_binding.vi_state import InputMode
from prompt_toolkit.key_binding.bindings.auto_suggest import load_auto_suggest_bindings
from prompt_toolkit.widgets import SearchToolbar

from xshell.config.settings import Settings, builtin_settings
from xshell.contract import Confirming, FeedbackEvent, Outcome, ShellBackend, Starting, Watching
from xshell.lang.line import Line, as_line, read_line
from xshell.ui.adapters import BackendCompleter, BackendLexer
from xshell.ui.local_commands import help_text, screen_command, split_submission
from xshell.ui.logroute import log_to_pane
from xshell.ui.eventlog import EventLog
from xshell.ui.eventpane import EventLogControl
from xshell.ui.first_prompt import show_start
from xshell.ui.inputline import build_input_area
from xshell.ui.keys import build_key_bindings
from xshell.ui.layout import LayoutParts, build_layout, set_pane_width, terminal_columns
from xshell.ui.output_pane import OutputPane, default_output_lexer
from xshell.ui.answers import ERROR, INFO, run_local, show_outcome
from xshell.ui.shared import masked
from xshell.ui.style import ui_style
from xshell.ui.yesno import YesNo
from xshell.ui.watchpane import WatchPanel
from xshell.ui.toolbar import ToolbarInfo, pane_title_fragments, prompt_fragments, toolbar_fragments

__all__ = ["ShellApp", "run_app"]

_DEFAULT: Any = object()


class ShellApp:
    """The interactive screen around one backend. `await run()` returns the exit status."""

    def __init__(
        self,
        backend: ShellBackend,
        history: History | None = None,
        *,
        mouse: bool = False,
        output_lexer: Any = _DEFAULT,
        max_output_lines: int = 20_000,
        max_event_lines: int = 10_000,
        flush_interval: float = 0.05,
        banner: Sequence[str] = (),
        settings: Settings | None = None,
    ) -> None:
        self.backend = backend
        self.settings = settings if settings is not None else builtin_settings()
        self.flush_interval = flush_interval
        lexer = default_output_lexer() if output_lexer is _DEFAULT else output_lexer
        self.output = OutputPane(max_output_lines, lexer)
        banner = [*banner, *self.settings.notices]  # e.g. "wrote the default settings to …"
        if banner and not isinstance(backend, Starting):  # else once its devices are open
            self.output.append_lines(banner, style="class:banner", lex=False)
        if self.settings.warnings:  # printed on stderr too, but the full screen hides that
            self.output.append_lines(list(self.settings.warnings), style="class:output.error",
                                     lex=False)
        self.events = EventLog(max_event_lines)
        self.output_control = self.output.control
        self.events_control = EventLogControl(self.events, self.output.lexer)
        self.pane_visible = True
        self.exit_code = 0
        self._queue: deque[tuple[Line, str]] = deque()  # (as read, as shown: masked)
        self._wakeup = asyncio.Event()
        self._current: asyncio.Task[Outcome] | None = None
        self._running: str | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._body_mode = False
        self.question = YesNo(self.output, self.invalidate)  # the guard's yes/no

        rows = backend.watch_rows if isinstance(backend, Watching) else tuple
        self.watches = WatchPanel(rows, terminal_columns)  # `watch`: pinned values
        self.search = SearchToolbar()
        completer, self.input_lexer = BackendCompleter(backend), BackendLexer(backend)
        self.input_area = build_input_area(
            history=history,
            get_completer=lambda: completer,
            get_lexer=lambda: self.input_lexer,
            prompt=self._prompt,
            search=self.search,
        )
        self.input_buffer = self.input_area.buffer
        self.input_buffer.on_text_changed += self._text_changed
        self.screen = build_layout(
            LayoutParts(
                output_control=self.output_control,
                events_control=self.events_control,
                pane_title=lambda: pane_title_fragments(self.events),
                toolbar=self.toolbar,
                input_area=self.input_area,
                search=self.search,
                pane_visible=Condition(lambda: self.pane_visible),
                watch_panel=self.watches.container,
            )
        )
        set_pane_width(self.screen, self.settings.pane_width)
        self.vi = self.settings.key_bindings == "vi"
        self.application: Application[int] = Application(
            layout=self.screen.layout,
            key_bindings=merge_key_bindings([load_auto_suggest_bindings(), build_key_bindings(self)]),
            style=ui_style(self.settings, also=self._error_line),
            editing_mode=EditingMode.VI if self.vi else EditingMode.EMACS,
            full_screen=True,
            mouse_support=mouse,
            # No min_redraw_interval: the feedback pane coalesces its own redraws (one
            # invalidate per 50 ms flush), and a global cap would delay keystrokes by up to 50 ms.
            min_redraw_interval=None,
            refresh_interval=1.0,  # the events/s figure decays with wall-clock time
        )

    # ---- running --------------------------------------------------------------------
    async def run(self) -> int:
        """Run until the user quits; returns the exit status (0 unless a quit failed)."""
        self.backend.set_feedback_sink(self.on_feedback)
        self.backend.set_status_listener(self.invalidate)
        if isinstance(self.backend, Watching):  # `watch` values go to the panel
            self.backend.set_watch_listener(self.invalidate)
        if isinstance(self.backend, Confirming):
            self.backend.set_confirm(self.question.ask)
        try:
            with log_to_pane(self._logged):  # a warning must not tear the screen (ui.logroute)
                result = await self.application.run_async(pre_run=self._pre_run)
        finally:
            self.backend.set_feedback_sink(_ignore_event)
            self.backend.set_status_listener(_nothing)
            if self._flush_handle is not None:
                self._flush_handle.cancel()
                self._flush_handle = None
            if self._current is not None:
                self._current.cancel()
        return result if isinstance(result, int) else self.exit_code

    def _pre_run(self) -> None:
        self.application.create_background_task(self._worker())
        if isinstance(self.backend, Starting):  # connect behind the first prompt, drawn next
            self.application.create_background_task(show_start(self, self.settings.notices))
        self._flush()

    def _error_line(self, line: str) -> None:
        self.output.append_lines([line], style="class:output.error", lex=False)

    def _logged(self, line: str) -> None:
        self._error_line(line)
        self.invalidate()

    def invalidate(self) -> None:
        """Redraw soon (coalesced by prompt-toolkit; safe before/after running)."""
        self.application.invalidate()

    def request_exit(self, code: int = 0) -> None:
        """Leave the app with `code` (idempotent: a second Ctrl-D during exit is harmless)."""
        self.exit_code = code
        app = self.application
        if app.is_running and app.future is not None and not app.future.done():
            app.exit(result=code)

    # ---- feedback -------------------------------------------------------------------
    def on_feedback(self, event: FeedbackEvent) -> None:
        """The backend's feedback sink: queue now, draw at most every flush_interval."""
        if event.inline:  # a traced frame shown among the answers (`trace on inline`)
            self.output.append_lines(event.lines, lex=False)
            self.invalidate()
            return
        self.events.push(event)
        self._schedule_flush(self.flush_interval)

    def _schedule_flush(self, delay: float) -> None:
        if self._flush_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called off the loop thread, or before the app runs
            app_loop = self.application.loop
            if app_loop is not None and not app_loop.is_closed():
                app_loop.call_soon_threadsafe(self._schedule_flush, delay)
            return  # otherwise the first flush happens when the app starts
        self._flush_handle = loop.call_later(delay, self._flush)

    def schedule_flush(self, delay: float) -> None:
        """Show the feedback pane's pending events after `delay` (ui.answers after a local command)."""
        self._schedule_flush(delay)

    def _flush(self) -> None:
        self._flush_handle = None
        self.events.flush()
        self.invalidate()

    # ---- input ----------------------------------------------------------------------
    def _prompt(self) -> StyleAndTextTuples:
        if self.question.open:
            return [("class:output.error", "[y/N] ")]
        return prompt_fragments(self.backend.status)

    def _text_changed(self, _buffer: object) -> None:
        self._body_mode = split_submission(self.input_buffer.text, self.backend.needs_body)[1] is not None

    def toolbar(self) -> StyleAndTextTuples:
        """The bottom toolbar's fragments for the current state (called on every render)."""
        info = ToolbarInfo(
            events_per_second=self.events.meter.rate(),
            paused=self.events.paused,
            held=self.events.held,
            filter_text=self.events.filter_text,
            running=self._running,
            queued=len(self._queue),
            body_mode=self._body_mode,
            scrolled=not self.output.view.following,
            pane_visible=self.pane_visible,
            vi_mode=self._vi_mode() if self.vi else None,
        )
        return toolbar_fragments(self.backend.status, info, terminal_columns())

    def _vi_mode(self) -> str:
        """The vi mode in words, as vim's status line shows it."""
        if self.input_buffer.selection_state is not None:
            return "visual"
        mode = self.application.vi_state.input_mode
        return {InputMode.NAVIGATION: "normal", InputMode.REPLACE: "replace",
                InputMode.REPLACE_SINGLE: "replace"}.get(mode, "insert")

    def on_enter(self) -> None:
        """Enter: submit, or start a new body line while a multiline command is open."""
        buf = self.input_buffer
        if self.question.open:  # the guard's question: the answer, never in history
            self.question.take(masked(self.backend, read_line(buf.text)))
            buf.reset()
            return
        requests, tail = split_submission(buf.text, self.backend.needs_body)  # each read once
        if tail is not None:
            buf.insert_text("\n")
            return
        shown = [masked(self.backend, line) for line in requests]  # once: history and echo
        for line, masked_text in zip(requests, shown):
            # recalled from history, a body is complete again
            buf.history.append_string(masked_text + ("\n." if "\n" in line.full else ""))
        buf.reset()
        buf.load_history_if_not_yet_loaded()  # now, not at the next (rate-limited) redraw
        if not requests:
            self.output.append_fragments([self._prompt()])
        for line, masked_text in zip(requests, shown):
            self.submit(line, masked_text)

    def submit(self, line: str | Line, shown: str | None = None) -> None:
        """Handle one request, as read at submit (`shown`: it masked, if known already):
        local shell commands now, the rest queued for the backend."""
        read = as_line(line)
        if shown is None:
            shown = masked(self.backend, read)
        found = screen_command(read)
        if found is None:
            self._queue.append((read, shown))
            self._wakeup.set()
        else:
            self._echo(shown)
            run_local(self, *found)  # ui.answers
        self.invalidate()

    def _echo(self, shown: str) -> str:
        self.output.echo(self._prompt(), shown, self.input_lexer)
        self.output.view.end()
        return shown

    # ---- commands.contexts.UiActions ------------------------------------------------
    def clear_output(self) -> None:
        self.output.clear()

    def set_pane(self, action: str) -> str:
        self.pane_visible = {"show": True, "hide": False}.get(action, not self.pane_visible)
        return f"feedback pane {'shown' if self.pane_visible else 'hidden'}"

    # ---- key actions ----------------------------------------------------------------
    def on_interrupt(self) -> None:
        """Ctrl-C: drop the line being typed; else cancel the request in flight (and queue).

        An open multiline body is a request begun: dropping it says `cancelled: LINE` as a
        cancelled request does, and the toolbar's body hint goes with it (reset() does
        not report a text change, so the hint is cleared here)."""
        buf = self.input_buffer
        if buf.text:
            if self._body_mode:
                first = masked(self.backend, read_line(buf.text)).split("\n", 1)[0]
                self.output.append_lines([f"cancelled: {first}"], style=ERROR, lex=False)
                self.output.view.end()
            buf.reset()
            self._body_mode = False
        elif self._current is not None and not self._current.done():
            dropped = len(self._queue)
            self._queue.clear()
            self._current.cancel()
            if dropped:
                self.output.append_lines([f"{dropped} queued request(s) dropped"], style=INFO, lex=False)
        else:
            self.output.append_lines(["(type 'exit' or press Ctrl-D to quit)"], style=INFO, lex=False)
        self.invalidate()

    def show_help(self) -> None:
        self.output.append_lines(help_text(), style=INFO, lex=False)
        self.output.view.end()
        self.invalidate()

    def toggle_pane(self) -> None:
        self.pane_visible = not self.pane_visible
        self.invalidate()

    def toggle_pause(self) -> None:
        if self.events.paused:
            self.events.resume()
            self._schedule_flush(0)
        else:
            self.events.pause()
        self.invalidate()

    def clear_events(self) -> None:
        self.events.clear()
        self.invalidate()

    @property
    def queued(self) -> int:
        """Requests waiting behind the one in flight."""
        return len(self._queue)

    @property
    def busy(self) -> bool:
        """True while a request is running or waiting."""
        return self._current is not None or bool(self._queue)

    # ---- request worker -------------------------------------------------------------
    async def _worker(self) -> None:
        """Run queued requests one at a time, in the order they were typed."""
        while True:
            while not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
            line, shown = self._queue.popleft()
            self._running = self._echo(shown)
            task: asyncio.Task[Outcome] = asyncio.ensure_future(self.backend.execute(line))
            self._current = task
            self.invalidate()
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:
                task.cancel()
                raise
            finally:
                self._current = None
                self._running = None
            code = show_outcome(self.output, task, shown)
            if code is not None:  # the backend asked to leave the shell
                self.request_exit(code)
                return
            self.invalidate()


def _ignore_event(event: FeedbackEvent) -> None:
    """Sink installed after the app ends, so late events go nowhere."""


def _nothing() -> None:
    """Status listener installed after the app ends."""


async def run_app(
    backend: ShellBackend, history: History | None = None, *, mouse: bool = False, output_lexer: Any = _DEFAULT,
    banner: Sequence[str] = (), settings: Settings | None = None,
) -> int:
    """Run the full-screen shell on the current loop until the user quits; exit status.

    `settings` (None = built-in defaults) sets the key bindings, pane width and style.
    """
    return await ShellApp(backend, history, mouse=mouse, output_lexer=output_lexer, banner=banner,
                          settings=settings).run()
