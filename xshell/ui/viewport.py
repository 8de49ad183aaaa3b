"""A scrollable, wrapping view over a long list of pre-styled lines.

Why not let `Window` scroll: a `Window` scrolls to keep a *cursor* visible and asks the
control for every line's height, which is O(n) over a 20,000-line log on each render.
Here the control computes only the rows that fit the window (walking back from the
tail, or forward from a remembered top line), so a render costs O(height) no matter
how long the log is, and page scrolling is exact even when lines wrap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.layout.controls import UIContent, UIControl
from prompt_toolkit.mouse_events import MouseEvent, MouseEventType
from prompt_toolkit.utils import get_cwidth

if TYPE_CHECKING:
    from prompt_toolkit.key_binding.key_bindings import NotImplementedOrNone

__all__ = ["LinesControl", "ScrollView", "wrap_fragments"]

Lines = Sequence[StyleAndTextTuples]


def _row_starts(text: str, width: int, hang: int = 0, breaks: frozenset[int] | None = None) -> list[int]:
    """Where each wrapped row starts: at the last break that fits (after a space, or one
    of `breaks`), else mid-word. Rows after the first have `hang` columns fewer."""
    starts, used, row_start, last_break, limit = [0], 0, 0, -1, width
    for i, ch in enumerate(text):
        w = get_cwidth(ch)
        if used + w > limit and used > 0:
            cut = last_break if last_break > row_start else i
            starts.append(cut)
            row_start, last_break, limit = cut, -1, max(width - hang, 1)
            used = sum(get_cwidth(c) for c in text[cut:i])
        if (i + 1 in breaks) if breaks is not None else ch == " ":
            last_break = i + 1
        used += w
    return starts


_TWO_COLUMNS = re.compile(r" *\S[^\n]*?\S?  +(?=\S)")  # `  F1          this help`


def _text_column(line: StyleAndTextTuples, text: str) -> int:
    """Where a line's text starts: past the feedback pane's timestamp and leading blanks,
    and in a two-column line (help's `KEY  what it does`) at its second column."""
    col = len(line[0][1]) + 1 if line and "eventlog.time" in line[0][0] else 0
    rest = text[col:]
    two = _TWO_COLUMNS.match(rest) if rest[:1] == " " else None
    return col + (two.end() if two else len(rest) - len(rest.lstrip(" ")))


def _json_breaks(text: str, start: int) -> frozenset[int] | None:
    """Token boundaries of a JSON line (after `,` `:` `{` `[` or a blank outside strings),
    or None when the text from `start` is not JSON: strings stay whole where they fit."""
    if text[start:start + 1] not in ("{", "["):
        return None
    out: set[int] = set()
    quoted = escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if quoted:
            escaped, quoted = (not escaped and ch == "\\"), quoted and (escaped or ch != '"')
        elif ch == '"':
            quoted = True
        elif ch in ",:{[ ":
            out.add(i + 1)
    return frozenset(out)


def wrap_fragments(line: StyleAndTextTuples, width: int) -> list[StyleAndTextTuples]:
    """Split one styled line into rows of at most `width` cells (wide chars respected).

    Rows break after the last space that fits, like a terminal pager, so words stay whole
    (JSON breaks between tokens, never inside a string that fits); a word longer than the
    row is split where it must be. Continuation rows are indented under the text (past
    the timestamp column and the line's own indent), so a wrapped line reads as one.
    """
    if width <= 0:
        return [line]
    text = "".join(frag[1] for frag in line)
    column = _text_column(line, text)
    hang = column if column <= width // 2 else 0
    starts = _row_starts(text, width, hang, _json_breaks(text, column))
    if len(starts) == 1:
        return [list(line)]
    bounds = starts[1:] + [len(text)]
    rows: list[StyleAndTextTuples] = [[] if r == 0 or not hang else [("", " " * hang)] for r in range(len(starts))]
    pos, r = 0, 0
    for frag in line:
        style, chunk = frag[0], frag[1]
        i = 0
        while i < len(chunk):
            while pos + i >= bounds[r]:
                r += 1
            take = min(len(chunk) - i, bounds[r] - (pos + i))
            rows[r].append((style, chunk[i:i + take]))
            i += take
        pos += len(chunk)
    return rows


class ScrollView:
    """Scroll state of one pane: follow the tail (default) or stay at a fixed top line.

    Positions are absolute line numbers (`base` + index), so the view stays put while
    old lines fall off the front of a bounded buffer.
    """

    def __init__(self) -> None:
        self.following = True
        self._top = 0  # absolute index of the first line shown when not following
        self._first = 0  # absolute index of the first line shown by the last render
        self._last = -1  # absolute index of the last line shown by the last render
        self._width = 80
        self._height = 24

    @property
    def last_shown(self) -> int:
        """Absolute number of the last line drawn by the latest render (-1: none yet)."""
        return self._last

    def render(self, lines: Lines, base: int, width: int, height: int) -> list[StyleAndTextTuples]:
        """Rows to draw for a `width` × `height` window; remembers what was shown."""
        self._width, self._height = width, max(1, height)
        n = len(lines)
        if n == 0 or height <= 0:
            self._first, self._last = base, base - 1
            return []
        if not self.following:
            top = min(max(self._top - base, 0), n - 1)
            rows: list[StyleAndTextTuples] = []
            i = top
            while i < n and len(rows) < height:
                rows.extend(wrap_fragments(lines[i], width))
                i += 1
            if i < n or len(rows) > height:
                self._top = base + top
                self._first, self._last = base + top, base + i - 1
                return rows[:height]
            self.following = True  # the end is on screen again: resume following
        rows = []
        i = n - 1
        while i >= 0 and len(rows) < height:
            rows[0:0] = wrap_fragments(lines[i], width)
            i -= 1
        self._first, self._last = base + i + 1, base + n - 1
        return rows[-height:]

    def page_up(self, lines: Lines, base: int) -> None:
        """Show the page before the current one, keeping its top line as the new bottom."""
        if not lines:
            return
        first = min(max(self._first - base, 0), len(lines) - 1)
        used = 0
        top = first
        j = first
        while j >= 0:
            used += len(wrap_fragments(lines[j], self._width))
            if used > self._height:
                break
            top = j
            j -= 1
        if top == first and first > 0:
            top = first - 1  # one very tall line: still move
        self.following = False
        self._top = base + top

    def page_down(self, lines: Lines, base: int) -> None:
        """Show the next page; resumes following once the tail is on screen."""
        if self.following or not lines:
            return
        last = self._last - base
        if last >= len(lines) - 1:
            self.following = True
            return
        self._top = base + max(last, self._first - base + 1)

    def scroll(self, lines: Lines, base: int, delta: int) -> None:
        """Move by `delta` lines (negative: back in time), e.g. for the mouse wheel."""
        if not lines or (delta > 0 and self.following):
            return
        top = (self._first if self.following else self._top) + delta
        self.following = False
        self._top = max(base, min(top, base + len(lines) - 1))

    def home(self, base: int) -> None:
        """Jump to the oldest line kept."""
        self.following = False
        self._top = base

    def end(self) -> None:
        """Jump to the newest line and follow it."""
        self.following = True


class LinesControl(UIControl):
    """Non-focusable control drawing a `ScrollView` over lines fetched at render time."""

    def __init__(self, get_lines: Callable[[], tuple[Lines, int]], view: ScrollView) -> None:
        self._get_lines = get_lines
        self.view = view

    def create_content(self, width: int, height: int) -> UIContent:
        lines, base = self._get_lines()
        rows = self.view.render(lines, base, width, height)
        return UIContent(get_line=rows.__getitem__, line_count=len(rows), show_cursor=False)

    def is_focusable(self) -> bool:
        return False

    def mouse_handler(self, mouse_event: MouseEvent) -> NotImplementedOrNone:
        """Wheel scrolling, when the user enabled mouse support."""
        if mouse_event.event_type == MouseEventType.SCROLL_UP:
            self.view.scroll(*self._get_lines(), -3)
            return None
        if mouse_event.event_type == MouseEventType.SCROLL_DOWN:
            self.view.scroll(*self._get_lines(), 3)
            return None
        return NotImplemented

    def page_up(self) -> None:
        self.view.page_up(*self._get_lines())

    def page_down(self) -> None:
        self.view.page_down(*self._get_lines())

    def home(self) -> None:
        self.view.home(self._get_lines()[1])

    def end(self) -> None:
        self.view.end()
