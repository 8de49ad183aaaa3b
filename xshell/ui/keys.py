"""Key bindings of the full-screen app, wired to an object that performs the actions.

Bindings only translate keys into intent; the `KeyActions` object (the app) decides
what that intent means, so the same behaviour is reachable from shell commands too.
"""

from __future__ import annotations

from typing import Protocol

from prompt_toolkit.application.current import get_app
from prompt_toolkit.buffer import Buffer, CompletionState
from prompt_toolkit.completion import CompleteEvent, Completion, get_common_complete_suffix
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition, has_focus, is_searching
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.search import SearchDirection, start_search, stop_search

from xshell.ui.viewport import LinesControl

__all__ = ["KeyActions", "build_key_bindings", "tab_bindings", "tab_walk"]


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


def tab_walk(buf: Buffer) -> None:
    """Readline/tshell Tab: walk down the tree, never take anything back.

    A unique candidate is inserted with its separator (the completer's text ends in a
    space, or `/` in a feedback path), and typing-completion lists the children. Several
    insert their common part and list the rest. A Tab with the list already on screen
    (from this Tab or from typing) highlights the first entry; the next Tab takes the
    highlighted entry and walks on (Down/Up or Shift-Tab move the highlight, letters
    narrow the list), so Tab alone reaches a leaf. Nothing reverts to the text as typed:
    prompt-toolkit's `complete_next` cycled back to it, which read as "the second Tab
    undoes the first". Tab asks the completer itself, synchronously: prompt-toolkit
    runs one completion at a time and would drop a Tab that arrives while the
    typing-triggered one still runs.
    """
    state = buf.complete_state
    if state is not None and state.current_completion is not None:
        buf.apply_completion(state.current_completion)  # take the highlighted one, walk on
        return
    found = _offered(buf)
    if len(found) == 1:
        buf.apply_completion(found[0])
        return
    common = get_common_complete_suffix(buf.document, found) if found else ""
    if common:
        buf.complete_state = None
        buf.insert_text(common, fire_event=False)
        found = _offered(buf)
    elif state is not None and state.completions:
        buf.go_to_completion(0)  # the list is on screen already: the second Tab picks
        return
    if found:  # list what is left, nothing selected
        buf.complete_state = CompletionState(original_document=buf.document, completions=found)
        buf.on_completions_changed.fire()


def tab_bindings() -> KeyBindings:
    """Tab as `tab_walk` for `--plain`'s prompt, so both modes walk the tree alike."""
    kb = KeyBindings()

    @kb.add("tab", filter=Condition(lambda: bool(get_app().current_buffer.text)))
    def _tab(event: KeyPressEvent) -> None:
        tab_walk(event.current_buffer)

    return kb


def _offered(buf: Buffer) -> list[Completion]:
    """The completer's candidates at the cursor, without those that would change nothing."""
    if buf.completer is None:
        return []
    doc = buf.document
    typed = doc.text_before_cursor
    return [c for c in buf.completer.get_completions(doc, CompleteEvent(completion_requested=True))
            if typed[len(typed) + c.start_position:] != c.text]


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
        tab_walk(buf)

    @kb.add("s-tab", filter=on_input)
    def _back_tab(event: KeyPressEvent) -> None:
        state = buf.complete_state
        if state is not None and state.completions:
            last = len(state.completions) - 1
            index = state.complete_index
            buf.go_to_completion(last if index is None or index == 0 else index - 1)

    before_search: list[tuple[int, Document]] = []

    @kb.add("c-r", filter=on_input)
    def _search(event: KeyPressEvent) -> None:
        """Ctrl-R as readline's, remembering the line it started from (for Ctrl-G)."""
        before_search[:] = [(buf.working_index, buf.document)]
        start_search(direction=SearchDirection.BACKWARD)

    @kb.add("c-g", filter=is_searching)
    def _abort_search(event: KeyPressEvent) -> None:
        """Ctrl-G gives up the search and brings back the line as it was (readline)."""
        stop_search()
        if before_search:
            index, document = before_search.pop()
            buf.working_index = index
            buf.set_document(document, bypass_readonly=True)
            buf.complete_state = None

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
