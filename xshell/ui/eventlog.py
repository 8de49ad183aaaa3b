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
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from xshell.inert import UNSAFE, inert, inert_lines
from xshell.contract import FeedbackEvent

__all__ = ["EventLog", "LogLine", "RateMeter", "device_tag", "format_stamp"]

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


class _Event:
    """Per-event data shared by its lines: what the filter searches.

    The haystack is built on the first filtered look, not per event: most storms are
    never filtered.
    """

    __slots__ = ("_path", "_lines", "_haystack", "device")

    def __init__(self, path: str, lines: Sequence[str], device: str = "") -> None:
        self._path = path
        self._lines = lines
        self.device = device
        self._haystack: str | None = None

    @property
    def haystack(self) -> str:
        """Device tag, path and lines, casefolded (`pane filter room1` keeps room1's)."""
        if self._haystack is None:
            tag = [device_tag(self.device)] if self.device else []
            self._haystack = "\n".join([*tag, self._path, *self._lines]).casefold()
        return self._haystack


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
    event: _Event

    def render(self) -> str:
        """The line as plain text (plain mode prints this)."""
        return f"{self.stamp or ' ' * STAMP_WIDTH} {self.text}"


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
        self._lines: deque[LogLine] = deque(maxlen=maxlen)
        self._pending: deque[FeedbackEvent] = deque(maxlen=maxlen)
        self._appended = 0  # lines ever added to the ring (absolute numbering)
        self._version = 0
        self._view: tuple[int, str | None, list[LogLine]] | None = None
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

    def flush(self) -> list[LogLine]:
        """Move pending events into the ring; return the new lines that pass the filter."""
        if self.paused or not self._pending:
            return []
        # newest first, and only as many as the ring keeps: an event that would scroll
        # out at once is never rendered (its lines are computed on first access)
        pending, self._pending = self._pending, deque(maxlen=self.maxlen)
        chunks: list[list[LogLine]] = []
        count = 0
        while pending and count < self.maxlen:
            chunk = self._format(pending.pop())
            chunks.append(chunk)
            count += len(chunk)
        new = [ln for chunk in reversed(chunks) for ln in chunk]
        if len(new) > self.maxlen:
            new = new[-self.maxlen :]
        self._lines.extend(new)
        self._appended += len(new)
        self._version += 1
        needle = self._needle()
        return new if needle is None else [ln for ln in new if needle in ln.event.haystack]

    @staticmethod
    def _format(event: FeedbackEvent) -> list[LogLine]:
        # The output boundary for the pane and plain mode: lines and tag made inert here,
        # once per shown event, never per redraw. Clean lines (nearly all) cost one search
        # over them joined by TAB, which UNSAFE lets pass; anything else takes inert_lines.
        lines = event.lines or [event.path]
        try:
            clean = type(lines) is list and _unsafe("\t".join(lines)) is None
        except TypeError:  # an element that is not a str
            clean = False
        if not clean:
            lines = inert_lines(lines)
        device = getattr(event, "device", "")  # a duck-typed event may lack it
        device = inert(device) if device else ""
        rec = _Event(event.path, lines, device)
        if device:
            # The tag rides in the stamp column: every line says where it came from, and
            # the text stays a tshell line that the pane's lexer colours as usual.
            tag = " " + device_tag(device)
            out = [LogLine(format_stamp(event.time) + tag, lines[0], rec)]
            out += [LogLine(" " * STAMP_WIDTH + tag, text, rec) for text in lines[1:]]
            return out
        out = [LogLine(format_stamp(event.time), lines[0], rec)]
        out += [LogLine("", text, rec) for text in lines[1:]]
        return out

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

    def _needle(self) -> str | None:
        return self.filter_text.casefold() if self.filter_text else None

    # ---- views --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._lines)

    def visible(self) -> tuple[Sequence[LogLine], int]:
        """Lines to display and the absolute number of the first one (for scrolling).

        Unfiltered, the ring itself is returned (no copy). A filtered view is built once
        per change, not once per render.
        """
        needle = self._needle()
        if needle is None:
            return self._lines, self._appended - len(self._lines)
        if self._view is None or self._view[0] != self._version or self._view[1] != needle:
            kept = [ln for ln in self._lines if needle in ln.event.haystack]
            self._view = (self._version, needle, kept)
        return self._view[2], 0

    def lines_text(self) -> list[str]:
        """The visible lines as plain text (what a user would read in the pane)."""
        return [ln.render() for ln in self.visible()[0]]
