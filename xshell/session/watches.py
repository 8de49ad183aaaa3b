"""`watch`: values pinned and kept current from feedback, never by polling.

A watch is one user subscription (it counts against the device's feedback limit like an
`xFeedback register`, and the transport makes it again after a reconnect, through the
one restore path every registration takes) plus the values it has seen, leaf by leaf,
with the time each last changed. A multi-instance path follows its instances: a new
call's leaves are added as they arrive, a ghost (`{"id": 3, "ghost": "True"}`) removes
that instance's rows.

Three ways of showing them, chosen by the shell that runs the session:
- a panel (the full screen sets `listener`): rows are read on redraw, nothing is printed;
- a foreground follow (`foreground`, the --plain shell): the current values, then every
  change, printed until Ctrl-C ends the command and its watches;
- a script (neither): the current values as the answer, every change printed as it comes,
  and the run follows the watches after its last line (xshell.modes.script).
Changes go to the transcript in every case, already rendered (hide_value masked).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xshell.contract import WatchRow
from xshell.errors import ConnectionFailed, XAPIError
from xshell.lang.render_json import redact
from xshell.lang.render_layout import compact_json, tree_lines
from xshell.session.registrations import Feedback, expression_key

if TYPE_CHECKING:
    from xshell.session.core import Session

__all__ = ["Watch", "WatchTable", "stamp"]

log = logging.getLogger(__name__)
PathElem = str | int
Path = tuple[PathElem, ...]
_GHOST = object()
_MARKERS: dict[PathElem, str] = {"Status": "*s", "Configuration": "*c xConfiguration"}


def stamp(at: float) -> str:
    """A change's local wall-clock time, to the millisecond: `14:02:07.412`."""
    return time.strftime("%H:%M:%S", time.localtime(at)) + f".{int(at * 1000) % 1000:03d}"


def leaves(payload: Any) -> Iterator[tuple[Path, Any]]:
    """(full path, value) of every leaf of a rooted notification or xQuery answer; a
    removed instance gives (its path, _GHOST). Attributes (`id`, `ghost`) are no leaves."""
    if not isinstance(payload, dict):
        return
    for root in ("Status", "Configuration"):
        for key, tree in payload.items():
            if isinstance(key, str) and key.lower() == root.lower():
                yield from _walk(tree, (root,))


def _walk(node: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    if isinstance(node, dict):
        if str(node.get("ghost", "")).lower() == "true":
            yield path, _GHOST
            return
        for key, child in node.items():
            if isinstance(key, str) and key[:1].isupper():
                yield from _walk(child, path + (key,))
    elif isinstance(node, list) and node and all(isinstance(e, dict) for e in node):
        for pos, element in enumerate(node, start=1):
            ident = element.get("id", pos)
            text = str(ident)
            yield from _walk(element, path + ((int(text) if text.isdigit() else text),))
    else:
        yield path, node


@dataclass
class _Value:
    raw: Any  # as the device sent it (hide_value leaves already "***")
    text: str  # the tshell line: `*s Audio Volume: 60`
    changed: float | None  # when a change was last seen (None: read when the watch began)


@dataclass
class Watch:
    """One `watch PATH`: its subscription and the values it has seen, by full path."""

    expression: str  # as typed
    query: Path  # what is subscribed (root first, `**` for wildcards)
    sub_id: int = -1
    values: dict[Path, _Value] = field(default_factory=dict)
    changed: float | None = None  # the last change of any of its values (removals too)

    @property
    def root(self) -> str:
        return str(self.query[0])


class WatchTable:
    """The watches of one session, on whatever client the session has now."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.watches: dict[tuple[str, ...], Watch] = {}
        self.listener: Callable[[], None] | None = None  # the full screen's panel redraw
        self.foreground = False  # interactive without a panel: follow until Ctrl-C
        self.last_change: float | None = None

    def __len__(self) -> int:
        return len(self.watches)

    def expressions(self) -> list[str]:
        return [w.expression for w in self.watches.values()]

    def find(self, expression: str, query: Sequence[PathElem] = ()) -> Watch | None:
        """The watch of `query`, else the one typed as `expression` (any case)."""
        if query and (w := self.watches.get(expression_key(query))) is not None:
            return w
        low = expression.strip().lower()
        return next((w for w in self.watches.values() if w.expression.lower() == low), None)

    # ------------------------------------------------------------------ adding, removing
    async def add(self, expression: str, query: Sequence[PathElem]) -> Watch | None:
        """Subscribe, then read the current values (feedback first: no change is missed
        between the read and the subscription). None when `query` is watched already.
        Raises what the device answered (unknown path, Subscriber Count Exceeded)."""
        key = expression_key(query)
        if key in self.watches:
            return None
        watch = Watch(expression, tuple(query))
        client = self._session.client
        watch.sub_id = int(await client.subscribe(
            list(watch.query), self._on_change(watch), False,
            on_resync=self._on_resync(watch), quiet=False))
        if key in self.watches:  # the same path twice at once: keep the first
            await self._unsubscribe(watch.sub_id)
            return None
        self.watches[key] = watch
        try:
            current = await self._read(watch)
        except BaseException:
            self.watches.pop(key, None)
            await self._unsubscribe(watch.sub_id)
            raise
        for path, raw in current:
            if path not in watch.values and raw is not _GHOST:
                watch.values[path] = self._value(watch, path, raw, None)
        self._redraw()
        return watch

    async def _read(self, watch: Watch) -> list[tuple[Path, Any]]:
        try:
            answer = await self._session.client.query(list(watch.query))
        except XAPIError as exc:
            if "no match" in exc.message.lower():  # subscribed, so the path exists:
                return []  # `Status Call * Status` with no call has nothing yet
            raise
        return list(leaves(answer))

    async def remove(self, watch: Watch) -> None:
        self.watches.pop(expression_key(watch.query), None)
        await self._unsubscribe(watch.sub_id)
        self._redraw()

    async def remove_all(self) -> int:
        gone = list(self.watches.values())
        self.watches.clear()
        for watch in gone:
            await self._unsubscribe(watch.sub_id)
        self._redraw()
        return len(gone)

    async def _unsubscribe(self, sub_id: int) -> None:
        """Best effort: the link may be gone, the device may have forgotten it."""
        try:
            await self._session.client.unsubscribe(sub_id)
        except (XAPIError, ConnectionFailed) as exc:
            log.info("unwatch %s: %s", sub_id, exc)

    async def reread(self) -> None:
        """After a reconnect: read every watch again; what changed meanwhile is a change,
        instances that went away while we were gone are removed."""
        for watch in list(self.watches.values()):
            try:
                current = await self._read(watch)
            except (XAPIError, ConnectionFailed) as exc:
                log.info("re-reading watch %s: %s", watch.expression, exc)
                continue
            self._replace(watch, current)

    # ------------------------------------------------------------------ feedback
    def _on_change(self, watch: Watch) -> Callable[[dict[str, Any], int], None]:
        live = self._session.live  # a watch is a subscription: completion sees its values too

        def handle(payload: dict[str, Any], sub_id: int) -> None:
            live.merge(payload)
            self._apply(watch, list(leaves(payload)))
        return handle

    def _on_resync(self, watch: Watch) -> Callable[[int, dict[str, Any]], None]:
        live = self._session.live

        def resync(sub_id: int, payload: dict[str, Any]) -> None:
            live.merge(payload)
            self._replace(watch, list(leaves(payload)))
        return resync

    def _replace(self, watch: Watch, current: list[tuple[Path, Any]]) -> None:
        """Current values in full: rows not among them went away."""
        there = {path for path, raw in current if raw is not _GHOST}
        gone = [(p, _GHOST) for p in watch.values if p not in there]
        self._apply(watch, gone + current)

    def _apply(self, watch: Watch, items: list[tuple[Path, Any]]) -> None:
        if self.watches.get(expression_key(watch.query)) is not watch:
            return  # unwatched meanwhile
        now = time.time()
        changed: list[tuple[Path, _Value | None]] = []
        for path, raw in items:
            if raw is _GHOST:
                for p in [p for p in watch.values if p[:len(path)] == path]:
                    del watch.values[p]
                changed.append((path, None))
                continue
            old = watch.values.get(path)
            value = self._value(watch, path, raw, now)
            if old is not None and old.raw == value.raw:
                continue
            watch.values[path] = value
            changed.append((path, value))
        if not changed:
            return
        self.last_change = watch.changed = now
        self._tell(watch, changed, now)
        self._redraw()

    def _value(self, watch: Watch, path: Path, raw: Any, at: float | None) -> _Value:
        schema = self._session.schema
        shown = redact(raw, path, schema)
        lines = tree_lines(_MARKERS.get(path[0], "*s"), str(path[0]), path[1:], shown, schema)
        return _Value(shown, lines[0] if lines else "", at)

    # ------------------------------------------------------------------ showing
    def _redraw(self) -> None:
        if self.listener is not None:
            try:
                self.listener()
            except Exception:  # a redraw problem must not stop the feedback
                log.exception("watch listener failed")

    def _tell(self, watch: Watch, changed: list[tuple[Path, _Value | None]], at: float) -> None:
        """Changes to the transcript, and printed unless a panel shows them."""
        lines = [self.line(path, value, at) for path, value in changed]
        session = self._session
        tr = session.context.transcript
        if tr is not None:
            tr.feedback(session.label, [self.line(p, v, at, text=True) for p, v in changed], at=at)
        if self.listener is not None or session.on_feedback is None:
            return
        fb = Feedback(at, watch.expression, "/" + "/".join(map(str, changed[0][0])), lines)
        try:
            session.on_feedback(fb)
        except Exception:  # a display problem must not stop later changes
            log.exception("watch output failed")

    def line(self, path: Path, value: _Value | None, at: float, *, current: bool = False,
             text: bool = False) -> str:
        """One change as printed: `14:02:07.412 *s Audio Volume: 60`, or with -o json
        one document; a removed instance as tshell prints a ghost."""
        if not text and self._session.output_format.json_documents:
            doc: dict[str, Any] = {
                "time": datetime.datetime.fromtimestamp(at).astimezone().isoformat(
                    timespec="milliseconds"),
                "path": "/".join(map(str, path))}
            if value is None:
                doc["removed"] = True
            else:
                doc["value"] = value.raw
            if current:
                doc["current"] = True
            return compact_json(doc)
        # The pane and the transcript stamp their events; a script's lines have no other.
        head = "" if text or self.foreground else stamp(at) + " "
        if value is None:
            shown = " ".join(map(str, path[1:]))
            return f"{head}{_MARKERS.get(str(path[0]), '*s')} {shown} (ghost=True):"
        return f"{head}{value.text}"

    def current_lines(self, watch: Watch) -> list[str]:
        """A watch's values as read when it began (each stamped now)."""
        now = time.time()
        if not watch.values:
            head = "" if self.foreground else stamp(now) + " "
            return [f"{head}** {watch.expression}: no values now "
                    "(instances that appear are shown)"] \
                if not self._session.output_format.json_documents else []
        return [self.line(p, v, now, current=True) for p, v in watch.values.items()]

    def rows(self, device: str = "") -> list[WatchRow]:
        """The panel's rows: every value of every watch, in the order they came."""
        out: list[WatchRow] = []
        for watch in self.watches.values():
            if not watch.values:
                out.append(WatchRow(f"{watch.expression}: (none now)", watch.changed, device,
                                    watch.expression))
            marker = _MARKERS.get(watch.root, "*s") + " "
            for value in watch.values.values():
                text = value.text[len(marker):] if value.text.startswith(marker) else value.text
                if watch.root == "Configuration":
                    text = "xConfiguration " + text
                out.append(WatchRow(text, value.changed, device, watch.expression))
        return out
