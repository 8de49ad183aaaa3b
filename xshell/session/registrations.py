"""The session's feedback registrations: expression ↔ subscription, kept on our side.

tshell keeps a table of what was registered per session (`xFeedback list` prints it,
`deregister` takes the same expression); XoWS only knows subscription Ids. This table is
the truth for the user: an expression is registered once whatever its spelling
(`/Status/Audio` and `status/audio` are the same query), deregistering drops it here even
when the device already forgot it, and after a reconnect every registration is made again.
Silent watches feed the live tree for completion and are never listed or shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from xshell.contract import FeedbackEvent
from xshell.errors import ConnectionFailed, XAPIError
from xshell.session.live import LiveTree

log = logging.getLogger(__name__)
PathElem = str | int
Key = tuple[str, ...]
Renderer = Callable[["Feedback"], "list[str] | tuple[list[str], str]"]
"""Renders a Feedback's lines; may return (lines, slash path) when it has the path too."""


class Feedback(FeedbackEvent):
    """One xFeedback/Event notification, with what the UI needs to show and filter it.

    `lines` and `path` are worked out on first use and then kept: in a storm the pane
    shows only the newest events, so most are never rendered at all. Give them directly
    (`Feedback(t, expr, path, lines, payload)`) or leave them None and pass `render`
    (called with the Feedback; one renderer serves every event, so an event costs one object).

    It is the pane's FeedbackEvent itself (device "", not inline, counted): a storm holds
    thousands of events until the next flush, and a wrapper per event was one more
    object for the garbage collector to walk each time.
    """

    __slots__ = ("expression", "payload", "resync", "_path", "_lines", "_render")

    def __init__(self, time: float, expression: str, path: str | None = None,
                 lines: list[str] | None = None, payload: dict[str, Any] | None = None,
                 resync: bool = False, *,
                 render: Renderer | None = None) -> None:
        self.time = time
        self.expression = expression  # the registration it belongs to, as the user typed it
        self.payload: dict[str, Any] = payload if payload is not None else {}
        self.resync = resync  # current values re-sent after an automatic reconnect
        self._path = path
        self._lines = lines
        self._render = render

    @property
    def path(self) -> str:
        """Slash path of the first changed node, for filtering."""
        if self._path is None:
            self._path = first_path(self.payload)
        return self._path

    @path.setter
    def path(self, value: str) -> None:
        self._path = value

    @property
    def lines(self) -> list[str]:
        """The rendered lines (tshell feedback), rendered once on first use.

        A renderer that found the slash path on its way (one walk of a one-leaf
        notification gives both) returns (lines, path); the path is then kept too.
        """
        if self._lines is None:
            render, self._render = self._render, None
            out = render(self) if render is not None else []
            if isinstance(out, tuple):
                out, path = out
                if self._path is None:
                    self._path = path
            self._lines = out
        return self._lines

    @lines.setter
    def lines(self, value: list[str]) -> None:
        self._lines, self._render = value, None

    def __repr__(self) -> str:
        return f"Feedback({self.time!r}, {self.expression!r}, {self.path!r}, {self.lines!r})"

    # One notification is itself, as before it was a FeedbackEvent: the dataclass `==`
    # it would inherit compares the lines (rendering both events) and drops the hash.
    __eq__ = object.__eq__
    __hash__ = object.__hash__


def first_path(payload: dict[str, Any]) -> str:
    """Slash path of the first changed node of a notification (for the pane filter)."""
    parts: list[str] = []
    node: Any = payload
    while isinstance(node, dict) and node:
        for key in node:  # the first value key (attributes are lower case)
            if isinstance(key, str) and key[:1].isupper():
                break
        else:
            break
        parts.append(key)
        node = node[key]
        if isinstance(node, list) and node and isinstance(node[0], dict):
            if "id" in node[0]:
                parts.append(str(node[0]["id"]))
            node = node[0]
    return "/" + "/".join(parts)


@dataclass
class Registration:
    expression: str  # as the user typed it (first spelling wins)
    query: tuple[PathElem, ...]
    sub_id: int
    notify_current: bool = False


def expression_key(query: Sequence[PathElem]) -> Key:
    """What makes two expressions the same registration: the query, in any case."""
    return tuple(str(e).lower() for e in query)


class FeedbackTable:
    """Registrations and silent watches of one session, on whatever client is current."""

    def __init__(self, client_of: Callable[[], Any], deliver: Callable[..., None],
                 live: LiveTree) -> None:
        self._client_of = client_of
        self._deliver = deliver
        self._live = live
        self.registrations: dict[Key, Registration] = {}
        self._watches: dict[Key, Registration] = {}

    def expressions(self) -> list[str]:
        """The registered expressions as typed, sorted (what `xFeedback list` prints)."""
        return sorted(r.expression for r in list(self.registrations.values()))

    def _handler(self, expression: str | None) -> Callable[[dict[str, Any], int], None]:
        live, deliver = self._live, self._deliver

        def handle(payload: dict[str, Any], sub_id: int) -> None:
            live.merge(payload)
            if expression is not None:
                deliver(expression, payload)
        return handle

    def _resync_handler(self, expression: str | None) -> Callable[[int, dict[str, Any]], None]:
        """After a reconnect (automatic or `reconnect`) the current values arrive marked as a resync."""
        live, deliver = self._live, self._deliver

        def resync(sub_id: int, payload: dict[str, Any]) -> None:
            live.merge(payload)
            if expression is not None:
                deliver(expression, payload, True)
        return resync

    async def _subscribe(self, reg: Registration, silent: bool) -> int:
        expression = None if silent else reg.expression
        client = self._client_of()
        handler = self._handler(expression)
        sub_id = await client.subscribe(list(reg.query), handler, reg.notify_current,
                                        on_resync=self._resync_handler(expression), quiet=silent)
        return int(sub_id)

    async def register(self, expression: str, query: Sequence[PathElem],
                       notify_current: bool = False) -> bool:
        """Subscribe `query` unless it is registered already; True when it was new."""
        key = expression_key(query)
        if key in self.registrations:
            return False
        reg = Registration(expression, tuple(query), 0, notify_current)
        reg.sub_id = await self._subscribe(reg, silent=False)
        if key in self.registrations:  # registered twice at once: keep the first
            await self._unsubscribe(reg.sub_id)
            return False
        self.registrations[key] = reg
        return True

    async def deregister(self, expression: str, query: Sequence[PathElem]) -> bool:
        """Drop the registration of `query`; False when nothing was registered so."""
        reg = self.registrations.pop(expression_key(query), None)
        if reg is None:
            low = expression.strip().lower()
            key = next((k for k, r in self.registrations.items() if r.expression.lower() == low), None)
            reg = self.registrations.pop(key, None) if key is not None else None
        if reg is None:
            return False
        await self._unsubscribe(reg.sub_id)
        return True

    async def deregister_all(self) -> None:
        regs = list(self.registrations.values())
        self.registrations.clear()
        for reg in regs:
            await self._unsubscribe(reg.sub_id)

    async def _unsubscribe(self, sub_id: int) -> None:
        """Best effort: the device may have dropped it already, or the link may be gone."""
        try:
            await self._client_of().unsubscribe(sub_id)
        except (XAPIError, ConnectionFailed) as exc:
            log.info("unsubscribe %s: %s", sub_id, exc)

    async def watch(self, query: Sequence[PathElem]) -> None:
        """A silent subscription: values go to the live tree only."""
        key = expression_key(query)
        if key in self._watches:
            return
        reg = Registration("", tuple(query), 0)
        reg.sub_id = await self._subscribe(reg, silent=True)
        if key in self._watches:  # watched twice at once: keep the first, drop ours
            await self._unsubscribe(reg.sub_id)
            return
        self._watches[key] = reg

    async def restore(self, old: Any) -> list[str]:
        """Registrations (and watches) of client `old` move to the current client.

        It makes them again exactly as after an automatic reconnect — the same restore,
        current values shown as a resync — and keeps their ids. Returns one line per user
        registration once each was tried: one the device refuses is kept and retried in
        the background until it is made (or deregistered); the toolbar counts it.
        """
        client = self._client_of()
        client.adopt(old)
        await client.wait_restore_tried()
        unrestored: dict[int, str] = client.unrestored
        lost = None if client.connected else f"connection lost ({client.close_reason})"
        lines: list[str] = []
        for reg in list(self.registrations.values()):
            if client.device_id(reg.sub_id) is not None:
                lines.append(f"re-registered {reg.expression}")
            else:
                why = unrestored.get(reg.sub_id) or lost or "no answer yet"
                lines.append(f"could not re-register {reg.expression} yet: {why}; "
                             "retrying until it is")
        return lines
