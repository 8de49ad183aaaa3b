"""The feedback event log: a bounded ring buffer with pause, filter and a rate meter.

Feedback can arrive in storms (a volume slider, call statistics). `push` therefore only
appends to a bounded pending queue; whoever owns the screen calls `flush` at a bounded
rate (the app coalesces to one flush + redraw per ~50 ms). The ring holds *lines*, not
events, so memory is bounded by `maxlen` however large events are. Nothing here knows
about prompt-toolkit: the full-screen pane and plain mode share this model.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar, overload

from xshell.inert import UNSAFE, inert, inert_lines
from xshell.contract import FeedbackEvent

__all__ = ["EventLog", "LogLine", "MappedView", "RateMeter", "device_tag", "format_stamp", "line_view"]

_T = TypeVar("_T")

STAMP_WIDTH = len("00:00:00.000")
_unsafe = UNSAFE.search


_last_second: list[Any] = [None, ""]  # [whole second, "HH:MM:SS."]: localtime once a second


def format_stamp(t: float) -> str:
    """Local wall-clock time as HH:MM:SS.mmm (the pane's timestamp column)."""
    secs, ms = divmod(round(t * 1000), 1000)
    if _last_second[0] != secs:  # a storm stamps thousands of events within one second
        lt = time.localtime(secs)
        _last_second[:] = [secs, f"{lt.tm_hour:02d}:{lt.tm_min:02d}:{lt.tm_sec:02d}."]
    return f"{_last_second[1]}{ms:03d}"


# One displayed line as the ring keeps it: (stamp, text, event). A plain tuple of
# strings only — the event is `Rec`, a tuple of strings too — so the garbage collector
# stops tracking it at its first pass: a storm replaces thousands of lines per flush,
# and lines it tracked would ride into the older generations, whose collections would
# then walk them all (a NamedTuple is never untracked; `LogLine` is built on access).
Rec = tuple[str, ...]
"""Per-event data shared by its lines, what the filter searches: (path, device, *lines)."""
_Row = tuple[str, str, Rec]
_HAYSTACKS_MAX = 50_000  # a filter's cache of searched texts; cleared when past this


def _haystack(rec: Rec) -> str:
    """Device tag, path and lines, casefolded (`pane filter room1` keeps room1's)."""
    path, device, *lines = rec
    tag = [device_tag(device)] if device else []
    return "\n".join([*tag, path, *lines]).casefold()


def device_tag(device: str) -> str:
    """How the pane names the device an event came from: `[room1]`."""
    return f"[{device}]"


class LogLine(NamedTuple):
    """One displayed line: the timestamp on an event's first line, "" on the others.

    An event tagged with a device has `[device]` after the stamp on every line (the
    others then pad the stamp with blanks, so the tag lines up).
    """

    stamp: str
    text: str
    event: Rec

    def render(self) -> str:
        """The line as plain text (plain mode prints this)."""
        return f"{self.stamp or ' ' * STAMP_WIDTH} {self.text}"


_as_line = LogLine._make


class MappedView(Sequence[_T]):
    """A read-only sequence of `convert(item)` over `items`, converted on access.

    Why: the pane reads only the rows it draws, so a redraw builds a screenful of lines
    (and of their fragments, xshell.ui.eventpane), not the ring's 10,000.
    """

    __slots__ = ("_items", "_convert")

    def __init__(self, items: Sequence[Any], convert: Callable[[Any], _T]) -> None:
        self._items = items
        self._convert = convert

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> _T: ...
    @overload
    def __getitem__(self, i: slice) -> list[_T]: ...
    def __getitem__(self, i: int | slice) -> _T | list[_T]:
        items, convert = self._items, self._convert
        if isinstance(i, slice):
            return [convert(items[j]) for j in range(*i.indices(len(items)))]
        return convert(items[i])

    def __iter__(self) -> Iterator[_T]:
        return map(self._convert, self._items)

    def __eq__(self, other: object) -> bool:
        """Equal to a sequence of the same items (`log.flush() == []` reads naturally)."""
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self._items) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable view: like a list, not hashable

    def __repr__(self) -> str:
        return f"MappedView({list(self)!r})"


def line_view(rows: Sequence[_Row]) -> MappedView[LogLine]:
    """The ring's plain rows as `LogLine`s, built on access."""
    return MappedView(rows, _as_line)


class RateMeter:
    """Events per second over a sliding window, in fixed-size time buckets.

    Buckets (not one timestamp per event) keep memory constant during a storm.
    """

    def __init__(
        self, window: float = 5.0, resolution: float = 0.25, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window = window
        self._res = resolution
        self._clock = clock
        self._buckets: deque[list[int]] = deque()  # [slot, count]
        self._started: float | None = None
        self._slot_end = 0.0  # when the newest bucket's time slot ends

    def add(self, n: int = 1) -> None:
        now = self._clock()
        if self._buckets and now < self._slot_end:  # a storm: same bucket as the last event
            self._buckets[-1][1] += n
            return
        if self._started is None:
            self._started = now
        slot = int(now / self._res)
        if self._buckets and self._buckets[-1][0] == slot:
            self._buckets[-1][1] += n
        else:
            self._buckets.append([slot, n])
        self._slot_end = (slot + 1) * self._res
        self._prune(slot)

    def rate(self) -> float:
        if self._started is None:
            return 0.0
        now = self._clock()
        slot = int(now / self._res)
        self._prune(slot)
        # time actually covered by the kept buckets (less than the window at start-up);
        # at least a second, so the first event does not read as a burst
        covered_from = max(self._started, (slot - int(self._window / self._res) + 1) * self._res)
        return sum(count for _, count in self._buckets) / max(now - covered_from, 1.0)

    def _prune(self, slot: int) -> None:
        oldest = slot - int(self._window / self._res)
        while self._buckets and self._buckets[0][0] <= oldest:
            self._buckets.popleft()


class EventLog:
    """Bounded feedback log with pause/resume, clear and a case-insensitive text filter."""

    def __init__(
        self, maxlen: int = 10_000, *, rate_window: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.maxlen = maxlen
        self._lines: deque[_Row] = deque(maxlen=maxlen)
        self._pending: deque[FeedbackEvent] = deque(maxlen=maxlen)
        self._appended = 0  # lines ever added to the ring (absolute numbering)
        self._version = 0
        self._view: tuple[int, str | None, list[_Row]] | None = None
        self._haystacks: dict[Rec, str] = {}  # filled only while a filter is on
        self.paused = False
        self.filter_text: str | None = None
        self.total_events = 0
        self.dropped_events = 0  # pushed but discarded before being shown
        self.meter = RateMeter(rate_window, clock=clock)

    # ---- intake -------------------------------------------------------------------
    def push(self, event: FeedbackEvent) -> None:
        """Accept one event; cheap (no formatting) so storms never block the loop.

        A traced frame (`trace on`) is shown here but is not feedback (`counted` False):
        it counts neither in the pane heading nor in the toolbar's ev/s."""
        if event.counted:
            self.total_events += 1
            self.meter.add()
        if len(self._pending) == self._pending.maxlen:
            self.dropped_events += 1
        self._pending.append(event)

    @property
    def has_pending(self) -> bool:
        """True when `flush` would add lines (pending events and not paused)."""
        return bool(self._pending) and not self.paused

    @property
    def held(self) -> int:
        """Events waiting to be shown (counted while paused)."""
        return len(self._pending)

    def flush(self) -> Sequence[LogLine]:
        """Move pending events into the ring; return the new lines that pass the filter."""
        if self.paused or not self._pending:
            return []
        # Newest first, and only as many as the ring keeps: an event that would scroll out
        # at once is never rendered (its lines are computed on first access). The rows of
        # each event go in backwards, then the whole batch is turned around once.
        pending, self._pending = self._pending, deque(maxlen=self.maxlen)
        maxlen = self.maxlen
        rows: list[_Row] = []
        add = rows.append
        last_ms, last_stamp = None, ""  # a storm stamps hundreds of events per millisecond
        while pending and len(rows) < maxlen:
            event = pending.pop()
            # The output boundary for the pane and plain mode: lines and tag made inert
            # here, once per shown event, never per redraw. Clean lines (nearly all) cost
            # one search over them joined by TAB, which UNSAFE lets pass.
            lines = event.lines or [event.path]
            try:
                clean = type(lines) is list and _unsafe("\t".join(lines)) is None
            except TypeError:  # an element that is not a str
                clean = False
            if not clean:
                lines = inert_lines(lines)
            device = getattr(event, "device", "")  # a duck-typed event may lack it
            device = inert(device) if device else ""
            rec: Rec = (event.path, device, *lines)
            ms = round(event.time * 1000)
            if ms != last_ms:
                last_ms, last_stamp = ms, format_stamp(event.time)
            if device:
                # The tag rides in the stamp column: every line says where it came from,
                # and the text stays a tshell line that the pane's lexer colours as usual.
                tag = " " + device_tag(device)
                first, other = last_stamp + tag, " " * STAMP_WIDTH + tag
            else:
                first, other = last_stamp, ""
            for text in reversed(lines[1:]):
                add((other, text, rec))
            add((first, lines[0], rec))
        rows.reverse()
        if len(rows) > maxlen:
            del rows[: len(rows) - maxlen]
        self._lines.extend(rows)
        self._appended += len(rows)
        self._version += 1
        needle = self._needle()
        if needle is None:
            return line_view(rows)
        return [_as_line(row) for row in rows if needle in self._haystack(row[2])]

    def _haystack(self, rec: Rec) -> str:
        """What the filter searches for one event, worked out once while the filter is on."""
        cache = self._haystacks
        found = cache.get(rec)
        if found is None:
            if len(cache) >= _HAYSTACKS_MAX:
                cache.clear()
            found = cache[rec] = _haystack(rec)
        return found

    # ---- controls -----------------------------------------------------------------
    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        """Unpause; held events appear at the next flush."""
        self.paused = False

    def clear(self) -> None:
        """Forget everything shown and held (counters keep counting)."""
        self._lines.clear()
        self._pending.clear()
        self._version += 1

    def set_filter(self, text: str | None) -> None:
        """Show only events whose path or lines contain `text` (any case); None = all."""
        text = (text or "").strip()
        self.filter_text = text or None
        self._version += 1
        if self.filter_text is None:
            self._haystacks.clear()

    def _needle(self) -> str | None:
        return self.filter_text.casefold() if self.filter_text else None

    # ---- views --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._lines)

    def visible(self) -> tuple[Sequence[LogLine], int]:
        """Lines to display and the absolute number of the first one (for scrolling).

        Unfiltered, a view of the ring itself is returned (no copy). A filtered view is
        built once per change, not once per render.
        """
        needle = self._needle()
        if needle is None:
            return line_view(self._lines), self._appended - len(self._lines)
        if self._view is None or self._view[0] != self._version or self._view[1] != needle:
            hay = self._haystack
            kept = [row for row in self._lines if needle in hay(row[2])]
            self._view = (self._version, needle, kept)
        return line_view(self._view[2]), 0

    def lines_text(self) -> list[str]:
        """The visible lines as plain text (what a user would read in the pane)."""
        return [ln.render() for ln in self.visible()[0]]
