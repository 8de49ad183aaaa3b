"""Feedback on its way out of a session: counted, rendered once, recorded, handed on.

Kept apart from session/core.py, which runs lines: a notification is not a line. The
device's events arrive through the FeedbackTable (session.registrations); `Delivery`
renders each lazily (with the session's current schema and output format, or a shell
command's own renderer such as `macro log`), writes it to the transcript once, and
hands it to the mode's listener — whose failure never stops later notifications.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from xshell.lang.render_feedback import FeedbackRenderer
from xshell.session.registrations import Feedback

if TYPE_CHECKING:
    from xshell.session.core import Session

__all__ = ["Delivery"]

log = logging.getLogger(__name__)


class Delivery:
    """One session's feedback delivery (its renderer is rebuilt when schema or output change)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._renderer = FeedbackRenderer(None, session.output)

    def __call__(self, expression: str, payload: dict[str, Any], resync: bool = False) -> None:
        """Hand one notification on; it is rendered (resync marked) only when first shown."""
        session = self._session
        session.events_received += 1
        tr = session.context.transcript
        listener = session.on_feedback
        if listener is None and tr is None:
            return
        renderer = self._renderer
        schema = session.schema
        if renderer.schema is not schema or renderer.output != session.output:
            renderer = self._renderer = FeedbackRenderer(schema, session.output)
        renderers = session.renderers
        custom = renderers.get(expression) if renderers else None
        if custom is None:
            fb = Feedback(time.time(), expression, None, None, payload, resync, render=renderer)
        else:  # a shell command's own lines (`macro log`); None: filtered out, not shown
            shown = custom(payload)
            if shown is None:
                return
            fb = Feedback(time.time(), expression, None, shown, payload, resync)
        if tr is not None:  # rendered once: the display reuses the lines
            tr.feedback(session.label, fb.lines, at=fb.time)
            listener = session.on_feedback
        if listener is None:
            return
        try:
            listener(fb)
        except Exception:  # a display problem must not stop later notifications
            log.exception("feedback listener failed")
