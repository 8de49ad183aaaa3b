"""One device of the interactive shell: what it holds, what it is called, how it is shown.

The several-devices shell (xshell.shell.many_devices) and the code that opens devices for it
(xshell.modes.interactive) both need to know what a device is without either owning
the other: the backend that speaks to it, the identity that keeps it from being opened
twice, a name usable after `@` and `use`, and a way to show the target the user typed
without the password it may carry.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xshell.lang.grammar import ALL_DEVICES
from xshell.transport.target import mask_userinfo

if TYPE_CHECKING:
    from xshell.contract import FeedbackEvent
    from xshell.shell.one_device import ShellBackendImpl
    from xshell.session.core import Session

__all__ = ["Device", "Opener", "derived_name", "safe_spec"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:\-]+")


@dataclass(eq=False)
class Device:
    """One connected device of the shell: its name, its backend, and how to let it go.

    `key` identifies the device (host and port) so the same one is not opened twice;
    `closer` releases what opening it took (the connection, a demo simulator).
    """

    name: str
    backend: ShellBackendImpl
    host: str = ""
    key: str = ""
    closer: Callable[[], Awaitable[None]] | None = None
    own_label: str | None = None  # the session's name before the shell named it (see relabel)
    profile: str = ""  # the profile key it was opened from ("" for a host): `@GROUP` matches it
    # What the device said while it was being opened (a garbage frame during identify…),
    # before any shell took it in: nothing may reach the terminal raw then, and dropping
    # it would hide a hostile device. The shell shows these once it adds the device.
    held: list[FeedbackEvent] = field(default_factory=list)

    @property
    def session(self) -> Session:
        return self.backend.session

    async def close(self) -> None:
        try:
            await self.backend.aclose()
        finally:
            if self.closer is not None:
                await self.closer()
            else:
                await self.session.client.close()


# (what the user typed after `connect`, the name after `as` or "", the duplicate check
# on the device key: a message when refused) → an opened, identified Device
Opener = Callable[[str, str, Callable[[str], "str | None"]], Awaitable[Device]]


def safe_spec(spec: str) -> str:
    """A target as it may be shown or kept: `user:password@` replaced by `***@`."""
    return mask_userinfo(spec)


def derived_name(proposed: str) -> str:
    """A name usable after `@` and `use` made from a host or profile name."""
    name = _UNSAFE.sub("-", proposed).strip("-") or "device"
    return f"{name}-1" if name.lower() == ALL_DEVICES else name
