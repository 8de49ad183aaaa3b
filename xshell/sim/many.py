"""Many simulated devices from one process: `xshell-sim --devices N`.

A fleet test (or a demo of `xshell -f script ROOM…`) needs many rooms, and one process
per room would cost hundreds of interpreters. Each device here is a full, independent
`Simulator` — its own state, feedback, rate limit and listening socket — so on the wire
N devices are indistinguishable from N codecs. They differ by port and by name:
"Room 001", "Room 002", … (SystemUnit Name, also kept through a simulated reboot).

Each device needs one file descriptor to listen and one per client connection, so the
open-file limit is checked (and raised up to the hard limit) before anything listens.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from ssl import SSLContext
from types import MappingProxyType

from xshell.sim.device import DeviceModel
from xshell.sim.simulator import Simulator

try:  # POSIX only: Windows has neither this module nor a per-process open-file limit to fit
    import resource
except ImportError:
    resource = None  # type: ignore[assignment]  # absent on Windows: limits are left as they are

MAX_DEVICES = 1000
_FD_SPARE = 32  # the interpreter's own files, stdio, the odd log file
_CONNECTIONS_PER_DEVICE = 2  # room for a client connection (and a reconnect) per device


class FleetError(Exception):
    """The fleet cannot be served as asked; str() is one line for the user."""


def room_name(index: int, count: int) -> str:
    """"Room 001" … for index 1..count; at least three digits, wider for big fleets."""
    return f"Room {index:0{max(3, len(str(count)))}d}"


def named_model(model: DeviceModel, name: str) -> DeviceModel:
    """`model` whose SystemUnit Name is `name` (when its schema has that configuration)."""
    config = dict(model.configuration)
    if model.schema.node(("Configuration", "SystemUnit", "Name")) is not None:
        config[("SystemUnit", "Name")] = name
    return dataclasses.replace(model, configuration=MappingProxyType(config), name=name)


def fd_needed(count: int) -> int:
    return count * (1 + _CONNECTIONS_PER_DEVICE) + _FD_SPARE


def ensure_fd_limit(count: int) -> None:
    """Raise the soft open-file limit for `count` devices, or say why it cannot be done."""
    need = fd_needed(count)
    if resource is None:  # Windows: no such limit to raise
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return
    if soft == resource.RLIM_INFINITY or soft >= need:
        return
    if hard != resource.RLIM_INFINITY and hard < need:
        raise FleetError(f"--devices {count} needs about {need} open files, but the limit is "
                         f"{soft} (hard limit {hard}); raise it (ulimit -n {need}) or serve "
                         f"fewer devices")
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    except (OSError, ValueError) as exc:
        raise FleetError(f"--devices {count} needs about {need} open files, but the limit is "
                         f"{soft} and could not be raised ({exc}); try ulimit -n {need}") from None


def ports(count: int, first: int) -> list[int]:
    """first..first+count-1, or all 0 (any free port) when first is 0."""
    if first == 0:
        return [0] * count
    if first + count - 1 > 65535:
        raise FleetError(f"--port {first} with --devices {count} would go past port 65535")
    return [first + i for i in range(count)]


@contextlib.asynccontextmanager
async def serve_many(model: DeviceModel, count: int, host: str, first_port: int,
                     ssl_context: SSLContext | None,
                     make: Callable[[DeviceModel], Simulator]) -> AsyncIterator[list[tuple[str, str]]]:
    """Listen for `count` devices; yield [(name, url)] once every socket listens.

    An address that cannot be bound raises OSError after closing those already open.
    """
    if not 1 <= count <= MAX_DEVICES:
        raise FleetError(f"--devices {count}: choose 1 to {MAX_DEVICES}")
    ensure_fd_limit(count)
    served: list[tuple[str, str]] = []
    async with contextlib.AsyncExitStack() as stack:
        for i, port in enumerate(ports(count, first_port), start=1):
            name = room_name(i, count)
            sim = make(named_model(model, name))
            server = await stack.enter_async_context(sim.serve(host, port, ssl_context))
            served.append((name, server.url))
        yield served
