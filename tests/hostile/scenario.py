"""What one hostile scenario is: what the device does, how xshell is run, what must hold.

A scenario either replaces the device's answers to the script's requests (`act`, on an
otherwise normal simulated codec served by the `websockets` library) or owns the whole
TCP connection from the first HTTP byte (`http`, for upgrade-level faults). The test
runs the real `xshell` command against it and checks what a user would see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class Ctx(Protocol):
    """The device side of one connection, as a scenario's `act` drives it."""

    def send(self, text: str) -> None:
        """Queue one text frame (after everything queued so far)."""

    async def write(self, data: bytes) -> None:
        """Write raw bytes on the socket once the queued frames are out."""

    async def close(self, code: int | None, reason: bytes = b"") -> None:
        """Send a (possibly invalid) Close frame, then drop TCP shortly after."""

    def abort(self) -> None:
        """Cut TCP now, no Close frame."""

    async def mute(self) -> None:
        """Play dead once the queued frames are out: stop reading (pings go unanswered),
        keep TCP open."""

    def answer(self, request: Mapping[str, Any]) -> None:
        """What the normal simulated codec answers to `request`."""


Act = Callable[[Ctx, dict[str, Any]], Awaitable[None]]
HttpAct = Callable[[asyncio.StreamReader, asyncio.StreamWriter, bytes], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """One row of the table.

    act: replaces the device's answer to each script request (not to the start-up ones);
    http: owns the raw connection instead (served on the raw port); identity: replaces
    the start-up answers ("name" = SystemUnit Name, "version" = Software Version).
    expect: the exit statuses a user may see; max_err_lines: stderr lines allowed.
    """

    sid: str
    group: str
    act: Act | None = None
    http: HttpAct | None = None
    identity: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[str, ...] = ("xStatus Audio Volume",)
    expect: frozenset[int] = frozenset({0})
    output: str = "terminal"
    log: str = "jsonl"
    fleet: bool = False
    follow: bool = False
    timeout: float = 3.0
    max_err_lines: int = 1
    max_rss_mb: int = 100
    wall: float = 10.0
    note: str = ""


def is_startup(request: Mapping[str, Any]) -> bool:
    """The requests xshell makes on its own: identity xGets and schema discovery (xDoc)."""
    method = str(request.get("method", "")).lower()
    if method == "xdoc":
        return True
    params = request.get("params")
    path = params.get("Path") if isinstance(params, dict) else None
    return method == "xget" and path in (["Configuration", "SystemUnit", "Name"],
                                         ["Status", "SystemUnit", "Software", "Version"])


def identity_key(request: Mapping[str, Any]) -> str | None:
    params = request.get("params")
    path = params.get("Path") if isinstance(params, dict) else None
    if path == ["Configuration", "SystemUnit", "Name"]:
        return "name"
    if path == ["Status", "SystemUnit", "Software", "Version"]:
        return "version"
    return None
