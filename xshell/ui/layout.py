"""The screen: output pane, feedback pane (right or below), input line, toolbar.

The feedback pane goes to the right when the terminal is at least `WIDE_COLUMNS` wide
and below the output otherwise; the choice is made on every render from the current
terminal width, so resizing moves it. The completion menu takes rows of its own above
the rule while it is open (`completion_rows`), so it covers no pane and no toolbar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prompt_toolkit.application.current import get_app_or_none
from prompt_toolkit.filters import Filter, has_completions, is_done
from prompt_toolkit.formatted_text import StyleAndTextTuples, to_formatted_text
from prompt_toolkit.formatted_text.utils import fragment_list_width
from prompt_toolkit.layout import (
    ConditionalContainer,
    DynamicContainer,
    FormattedTextControl,
    HSplit,
    Layout,
    VSplit,
    Window,
)
from prompt_toolkit.layout.containers import Container, ScrollOffsets
from prompt_toolkit.layout.dimension import Dimension as D
from prompt_toolkit.layout.margins import ScrollbarMargin
from prompt_toolkit.layout.menus import CompletionsMenuControl
from prompt_toolkit.widgets import SearchToolbar, TextArea

from xshell.ui.viewport import LinesControl

__all__ = ["MENU_ROWS", "WIDE_COLUMNS", "LayoutParts", "build_layout", "completion_rows", "set_pane_width",
           "terminal_columns"]

WIDE_COLUMNS = 100


def terminal_columns() -> int:
    """Width of the running app's output (the terminal), read at render time."""
    app = get_app_or_none()  # get_app() would build a throw-away app before the real one runs
    if app is None:
        return 80
    try:
        return app.output.get_size().columns
    except Exception:  # noqa: BLE001 - no size to read (closed or odd terminal): the usual width
        return 80


MENU_ROWS = 8


def completion_rows(input_area: TextArea) -> Container:
    """The completion menu in rows of its own, between the panes and the rule.

    A floating menu covered whatever lay under it: below the input line the toolbar (the
    connection state), above it the rule and the feedback pane. Here the panes give up
    the menu's rows while it is open, and the menu starts under the word it completes.
    """
    buf = input_area.buffer

    def rows() -> D:
        state = buf.complete_state
        return D.exact(min(len(state.completions), MENU_ROWS) if state and state.completions else 1)

    def indent() -> D:
        state, info = buf.complete_state, input_area.window.render_info
        if state is None or not state.completions or info is None:
            return D.exact(0)
        doc = state.original_document
        start = max(doc.cursor_position + state.completions[0].start_position, 0)
        row, col = doc.translate_index_to_position(start)
        prefix = input_area.window.get_line_prefix
        width = fragment_list_width(to_formatted_text(prefix(0, 0))) if prefix and row == 0 else 4
        return D.exact(max(0, min((width + col) % max(info.window_width, 1), info.window_width - 40)))

    menu = Window(
        CompletionsMenuControl(), width=D(min=8), height=rows,
        scroll_offsets=ScrollOffsets(top=1, bottom=1),
        right_margins=[ScrollbarMargin(display_arrows=False)], dont_extend_width=True,
        style="class:completion-menu",
    )
    return ConditionalContainer(VSplit([Window(width=indent), menu, Window()]),
                                filter=has_completions & ~is_done)


@dataclass
class LayoutParts:
    """Everything the layout arranges; built by the app, which keeps the references."""

    output_control: LinesControl
    events_control: LinesControl
    pane_title: Callable[[], StyleAndTextTuples]
    toolbar: Callable[[], StyleAndTextTuples]
    input_area: TextArea
    search: SearchToolbar
    pane_visible: Filter
    columns: Callable[[], int] = terminal_columns
    watch_panel: Container | None = None  # ui.watchpane: a band above the panes


class ScreenLayout:
    """Holds the windows so tests and the app can ask which arrangement is active."""

    def __init__(self, parts: LayoutParts) -> None:
        self.parts = parts
        self.output_window = Window(
            parts.output_control, width=D(weight=3), height=D(weight=2), wrap_lines=False
        )
        self.events_window = Window(parts.events_control, wrap_lines=False)
        title = Window(FormattedTextControl(parts.pane_title), height=1, style="class:pane.title")
        vline = Window(width=1, char="│", style="class:pane.separator")
        self.wide_body = VSplit(
            [
                self.output_window,
                ConditionalContainer(
                    VSplit([vline, HSplit([title, self.events_window])], width=D(weight=2)),
                    filter=parts.pane_visible,
                ),
            ]
        )
        self.narrow_body = HSplit(
            [
                self.output_window,
                ConditionalContainer(
                    HSplit([title, self.events_window], height=D(weight=1)),
                    filter=parts.pane_visible,
                ),
            ]
        )
        self.toolbar_window = Window(
            FormattedTextControl(parts.toolbar), height=1, style="class:bottom-toolbar"
        )
        root = HSplit(
            [
                *([parts.watch_panel] if parts.watch_panel is not None else []),
                DynamicContainer(self.body),
                completion_rows(parts.input_area),
                Window(height=1, char="─", style="class:pane.separator"),
                parts.input_area,
                parts.search,
                self.toolbar_window,
            ]
        )
        self.layout = Layout(root, focused_element=parts.input_area)

    def is_wide(self) -> bool:
        return self.parts.columns() >= WIDE_COLUMNS

    def body(self) -> Container:
        """Pane arrangement for the current terminal width (side by side, or stacked)."""
        return self.wide_body if self.is_wide() else self.narrow_body


def build_layout(parts: LayoutParts) -> ScreenLayout:
    return ScreenLayout(parts)


def set_pane_width(screen: ScreenLayout, width: int) -> None:
    """[ui] pane_width: the side pane's columns (plus its separator); 0 keeps the 3:2 split.

    The layout builds the side pane with a weight; this pins its width instead.
    """
    if width <= 0:
        return
    side: Any = screen.wide_body.children[-1]  # ConditionalContainer(VSplit([separator, pane]))
    side.content.width = D(min=min(width + 1, 12), preferred=width + 1, max=width + 1)
