"""Key bindings of the full-screen app, wired to an object that performs the actions.

Bindings only translate keys into intent; the `KeyActions` object (the app) decides
what that intent means, so the same behaviour is reachable from shell commands too.
"""

from __future__ import annotations

from typing import Protocol

from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import CompleteEvent, get_common_complete_suffix
from prompt_toolkit.filters import Condition, has_focus
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from xshell.ui.viewport import LinesControl

__all__ = ["KeyActions", "build_key_bindings"]


class KeyActions(Protocol):
    """What the keys can ask the app to do."""

    @property
    def input_buffer(self) -> Buffer: ...
    @property
    def output_control(self) -> LinesControl: ...
    @property
    def events_control(self) -> LinesControl: ...

    def on_enter(self) -> None: ...
    def on_interrupt(self) -> None: ...
    def request_exit(self, code: int = 0) -> None: ...
    def show_help(self) -> None: ...
    def toggle_pane(self) -> None: ...
    def toggle_pause(self) -> None: ...
    def clear_events(self) -> None: ...


def build_key_bindings(actions: KeyActions) -> KeyBindings:
    """F-keys, Enter/Ctrl-C/Ctrl-D on the input line, and pane scrolling."""
    kb = KeyBindings()
    buf = actions.input_buffer
    on_input = has_focus(buf)
    input_empty = Condition(lambda: not buf.text)

    @kb.add("enter", filter=on_input)
    def _enter(event: KeyPressEvent) -> None:
        state = buf.complete_state
        if state is not None and state.current_completion is not None:
            buf.apply_completion(state.current_completion)  # Enter picks, does not submit
            return
        actions.on_enter()

    @kb.add("tab", filter=on_input & ~input_empty)
    def _tab(event: KeyPressEvent) -> None:
        """Readline-like Tab that never loses a keystroke.

        prompt-toolkit runs one completion at a time and silently drops a Tab that arrives
        while the completion started by typing is still running (a paste, a fast typist).
        So Tab asks the completer itself, synchronously: one candidate is inserted, several
        insert their common part and open the menu; a Tab with the menu open moves on.
        """
        if buf.complete_state is not None:
            buf.complete_next()
            return
        if buf.completer is None:
            return
        doc = buf.document
        found = list(buf.completer.get_completions(doc, CompleteEvent(completion_requested=True)))
        if len(found) == 1:
            buf.apply_completion(found[0])
            return
        common = get_common_complete_suffix(doc, found) if found else ""
        if common:
            buf.insert_text(common)
        buf.start_completion(select_first=False)

    @kb.add("c-c", filter=on_input)
    def _interrupt(event: KeyPressEvent) -> None:
        actions.on_interrupt()

    @kb.add("c-d", filter=on_input & input_empty)
    def _quit(event: KeyPressEvent) -> None:
        actions.request_exit(0)

    @kb.add("f1")
    def _help(event: KeyPressEvent) -> None:
        actions.show_help()

    @kb.add("f2")
    def _pane(event: KeyPressEvent) -> None:
        actions.toggle_pane()

    @kb.add("f3")
    def _pause(event: KeyPressEvent) -> None:
        actions.toggle_pause()

    @kb.add("f4")
    def _clear_events(event: KeyPressEvent) -> None:
        actions.clear_events()

    out = actions.output_control
    ev = actions.events_control

    @kb.add("pageup")
    def _out_up(event: KeyPressEvent) -> None:
        out.page_up()

    @kb.add("pagedown")
    def _out_down(event: KeyPressEvent) -> None:
        out.page_down()

    @kb.add("c-home")
    @kb.add("home", filter=on_input & input_empty)
    def _out_home(event: KeyPressEvent) -> None:
        out.home()

    @kb.add("c-end")
    @kb.add("end", filter=on_input & input_empty)
    def _out_end(event: KeyPressEvent) -> None:
        out.end()

    @kb.add("s-pageup")
    def _ev_up(event: KeyPressEvent) -> None:
        ev.page_up()

    @kb.add("s-pagedown")
    def _ev_down(event: KeyPressEvent) -> None:
        ev.page_down()

    return kb
