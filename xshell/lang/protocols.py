"""What `lang` reads of the running session, as small protocols instead of session types.

`lang` is pure: it knows the grammar and the schema, not the session that holds the live
values or the registrations. Completion needs the values a device reported (to offer the
calls that exist now, to show a setting's current value) and the feedback renderer needs a
notification's payload; these protocols say exactly that much, and `session.live.LiveTree`
and `session.registrations.Feedback` satisfy them without `lang` importing `session`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from xshell.schema.model import PathElem

__all__ = ["LiveValues", "Notification"]


class LiveValues(Protocol):
    """The device's current values, as completion reads them (may be read in a worker thread)."""

    def value(self, path: Sequence[PathElem]) -> Any:
        """The leaf value at a full path (instance ids inline), or None if unknown."""
        ...

    def instances(self, path: Sequence[PathElem]) -> list[int]:
        """Instance ids that exist now under the multi-instance node at `path`."""
        ...


class Notification(Protocol):
    """One feedback notification as the renderer reads it."""

    @property
    def payload(self) -> dict[str, Any]:
        """The notification's body as the device sent it (`{"Status": {...}}`)."""
        ...

    @property
    def expression(self) -> str:
        """The registration it belongs to, as the user typed it."""
        ...

    @property
    def resync(self) -> bool:
        """True for current values re-sent after an automatic reconnect."""
        ...
