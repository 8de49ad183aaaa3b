"""The watch panel: `watch` values pinned above the panes, each with its last change.

A band across the top of the full screen, there only while something is watched, so
the values stay in sight whatever the output and feedback panes scroll. The rows come
from the backend (`contract.Watching.watch_rows`) on every redraw — plain data, already
rendered — and a row that changed in the last `HIGHLIGHT_SECONDS` is drawn highlighted;
the app's once-a-second refresh lets the highlight fade without an event.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from prompt_toolkit.application.current import get_app_or_none
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.layout import ConditionalContainer, FormattedTextControl, HSplit, Window
from prompt_toolkit.layout.containers import Container
from prompt_toolkit.layout.dimension import Dimension as D

from xshell.contract import WatchRow
from xshell.inert import inert

__all__ = ["HIGHLIGHT_SECONDS", "WatchPanel"]

HIGHLIGHT_SECONDS = 2.0


def _clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))


class WatchPanel:
    """Title and rows of the watched values; `container` goes into the layout."""

    def __init__(self, rows: Callable[[], Sequence[WatchRow]],
                 columns: Callable[[], int], now: Callable[[], float] = time.time) -> None:
        self._rows = rows
        self._columns = columns
        self._now = now
        self.title_window = Window(FormattedTextControl(self.title_fragments), height=1,
                                   style="class:pane.title")
        self.rows_window = Window(FormattedTextControl(self.row_fragments), height=self._height,
                                  wrap_lines=False)
        self.container: Container = ConditionalContainer(
            HSplit([self.title_window, self.rows_window]), filter=Condition(self.visible))

    def visible(self) -> bool:
        return bool(self._rows())

    def _max_rows(self) -> int:
        """At most a third of the screen: the output and the prompt keep the rest."""
        app = get_app_or_none()
        try:
            lines = app.output.get_size().rows if app is not None else 24
        except Exception:  # noqa: BLE001 - no size to read (closed or odd terminal): the usual height
            lines = 24
        return max(2, lines // 3 - 1)

    def _height(self) -> D:
        return D.exact(max(1, min(len(self._rows()), self._max_rows())))

    def title_fragments(self) -> StyleAndTextTuples:
        rows = self._rows()
        watches = len({(r.device, r.watch) for r in rows})
        values = sum(1 for r in rows if not r.text.endswith(": (none now)"))
        last = max((r.changed for r in rows if r.changed is not None), default=None)
        text = (f" Watch ({watches} path{'' if watches == 1 else 's'}, "
                f"{values} value{'' if values == 1 else 's'})")
        text += f" — last change {_clock(last)}" if last is not None else " — no change yet"
        return [("class:pane.title", inert(text))]

    def row_fragments(self) -> StyleAndTextTuples:
        rows = list(self._rows())
        limit = self._max_rows()
        more = len(rows) - limit
        if more > 0:
            rows = rows[:limit - 1]
        width = max(20, self._columns())
        now = self._now()
        out: StyleAndTextTuples = []
        texts = [inert((f"[{r.device}] " if r.device else "") + r.text) for r in rows]
        widest = max((len(t) for t in texts), default=0)
        for row, text in zip(rows, texts):
            when = _clock(row.changed) if row.changed is not None else "—"
            room = min(width - len(when) - 2, max(widest + 2, 40))  # times beside the values
            if len(text) > room:
                text = text[:max(room - 1, 1)] + "…"
            fresh = row.changed is not None and now - row.changed < HIGHLIGHT_SECONDS
            out.append(("class:watch.changed" if fresh else "", " " + text.ljust(room)))
            out.append(("class:watch.time", " " + when + "\n"))
        if more > 0:
            out.append(("class:watch.time", f" … {more + 1} more values (unwatch some, or "
                        "a taller terminal)\n"))
        if out and out[-1][1].endswith("\n"):
            last = out[-1]  # ours: (style, text), no mouse handler
            out[-1] = (last[0], last[1][:-1])
        return out
