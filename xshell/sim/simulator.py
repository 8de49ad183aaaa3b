"""The simulated codec: one device state shared by every connection, and its controls.

`Simulator` is what tests, the demo mode and `xshell-sim` hold. It wires the live
state, the feedback hub, command behaviours and the JSON-RPC dispatcher together and
offers the knobs a test or fault injection needs: direct state access that fires
feedback like the device would, events, and `reboot()` (502 on upgrade for a while,
connections cut, state back to factory values).
"""

from __future__ import annotations

import asyncio
import logging

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

from xshell.schema.model import PathElem, ValueSpace
from xshell.sim.access import Account, Reader
from xshell.sim.behaviour import Behaviours
from xshell.sim import extensions as _extensions, macros as _macros  # noqa: F401 - their handlers
from xshell.sim.device import DeviceModel, LeafPath, Value
from xshell.sim.faults import Faults
from xshell.sim.feedback import FeedbackHub
from xshell.sim.handshake import RateLimit, TokenBucket, same_secret
from xshell.sim.jsonrpc import Dispatcher
from xshell.sim.sessions import Sessions
from xshell.sim.state import LiveState

if TYPE_CHECKING:
    from xshell.sim.server import Connection, ServerHandle

log = logging.getLogger("xshell.sim")
PathLike = str | Sequence[PathElem]


def split_path(path: PathLike) -> tuple[PathElem, ...]:
    """"Audio Volume" or ["Audio", "Volume"] → ("Audio", "Volume"); digits become ids."""
    parts: Sequence[Any] = path.split() if isinstance(path, str) else path
    return tuple(int(p) if isinstance(p, str) and p.isdigit() else p for p in parts)


class Simulator:
    """A simulated RoomOS/CE codec speaking XoWS.

    model: what the device is (schema + factory values); the built-in device if None.
    user/password: the account the device accepts (with an admin's roles); `users`
    replaces it with several accounts, each with its roles (xshell.sim.access).
    legacy_default: plain `/ws` answers like `/ws?legacy` (every value a string).
    rate_limit: upgrade token bucket (None = unlimited); max_subscriptions per
    connection (None = unlimited); boot_seconds for `SystemUnit Boot`; call_step
    between call states; http_delay before HttpClient replies; ping_interval for
    server pings (None = never, like the codecs observed). `faults` is always there for
    Python callers (`sim.faults.drop()` …, see xshell.sim.faults); fault_rpc=True also
    answers the hidden `xSimulator/Fault` method (`xshell-sim --faults`). deflate: offer
    permessage-deflate in the upgrade (websockets' default, so a client asking for it gets
    it); False declines it (`xshell-sim --no-deflate`), so a client's data frames arrive
    uncompressed — both receive paths of the client are tested this way.
    Session caps and the idle timeout follow the device's own `Security Session`
    configurations (xshell.sim.sessions); idle_timeout (seconds) overrides the latter.
    """

    def __init__(self, model: DeviceModel | None = None, user: str = "admin", password: str = "", *,
                 legacy_default: bool = False, rate_limit: RateLimit | None = RateLimit(),
                 max_subscriptions: int | None = 38, boot_seconds: float = 3.0,
                 call_step: float = 0.1, http_delay: float = 0.1,
                 ping_interval: float | None = None, max_size: int = 64 * 1024 * 1024,
                 fault_rpc: bool = False, deflate: bool = True,
                 users: Sequence[Account] | None = None, idle_timeout: float | None = None) -> None:
        if model is None:
            from xshell.sim.builtin import load_builtin  # lazily: tests may bring their own model
            model = load_builtin()
        self.model = model
        self.accounts = {a.name: a for a in users} if users else {user: Account(user, password)}
        self.user = next(iter(self.accounts))
        self.legacy_default = legacy_default
        self.bucket = TokenBucket(rate_limit.rate, rate_limit.queue + 1) if rate_limit else None
        self.boot_seconds = boot_seconds
        self.call_step = call_step
        self.http_delay = http_delay
        self.ping_interval = ping_interval
        self.max_size = max_size
        self.deflate = deflate
        self.state = LiveState(model)
        self.hub = FeedbackHub(self.state, max_subscriptions)
        self.behaviours = Behaviours(self)
        self.dispatcher = Dispatcher(self)
        self.faults = Faults(self, rpc_enabled=fault_rpc)
        self.sessions = Sessions(self, idle_timeout)
        self._conns: set[Connection] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._dropping: set[asyncio.Task[None]] = set()
        self._waiters: list[asyncio.Future[None]] = []
        self._up = asyncio.Event()
        self._up.set()
        self._listeners = 0

    def __repr__(self) -> str:  # never the password
        return f"Simulator({self.model.name!r}, user={self.user!r}, connections={self.connections})"

    # --- serving ---------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0,
              ssl_context: SSLContext | None = None) -> AbstractAsyncContextManager[ServerHandle]:
        """`async with sim.serve() as server:` → server.url, server.simulator."""
        from xshell.sim.server import serve
        return serve(self, host, port, ssl_context)

    def check_credentials(self, user: str, password: str) -> bool:
        ok = False
        for account in self.accounts.values():  # every account compared: no timing hint
            ok |= same_secret(user, account.name) & same_secret(password, account.password)
        return ok

    def reader_for(self, user: str) -> Reader:
        """Read checks for `user` (an unknown name holds no roles)."""
        account = self.accounts.get(user)
        return Reader(self.model.schema, account.roles if account else frozenset())

    @property
    def connections(self) -> int:
        """Open client connections right now."""
        return len(self._conns)

    def connection_list(self) -> list[Connection]:
        return list(self._conns)

    def attach(self, conn: Connection) -> None:
        conn.reader = self.reader_for(conn.user)
        self._conns.add(conn)
        self.sessions.attach(conn)
        self.hub.attach(conn)
        self.faults.attach(conn)
        self._wake()

    def detach(self, conn: Connection) -> None:
        self._conns.discard(conn)
        self.sessions.detach(conn)
        self.hub.detach(conn)
        self.faults.detach(conn)
        self._wake()

    async def wait_connections(self, count: int) -> None:
        """Return once exactly `count` clients are connected (tests await this)."""
        while len(self._conns) != count:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(fut)
            await fut

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def listening(self, up: bool) -> None:
        self._listeners += 1 if up else -1
        if self._listeners <= 0:
            self.faults.clear()
            self._cancel_timers()
            self.behaviours.reset()
            self.hub.close()

    @property
    def rebooting(self) -> bool:
        return not self._up.is_set()

    async def wait_ready(self) -> None:
        """Return once the device accepts connections again after a reboot."""
        await self._up.wait()

    def reboot(self, seconds: float) -> None:
        """Go down now: upgrades get 502 for `seconds`, every connection is cut, and the
        device comes back with factory state (calls gone, Uptime from zero)."""
        log.info("rebooting for %.1f s", seconds)
        self._up.clear()
        asyncio.get_running_loop().call_later(seconds, self._up.set)
        self._cancel_timers()
        self.behaviours.reset()
        self.hub.close()
        self.state.reset(boot_delay=seconds)
        loop = asyncio.get_running_loop()
        for conn in list(self._conns):
            self.hub.detach(conn)
            task = loop.create_task(conn.drop())
            self._dropping.add(task)
            task.add_done_callback(self._dropping.discard)

    # --- state access (tests, fault injection, behaviours) ---------------------------

    def get_value(self, path: PathLike, legacy: bool = False) -> Any:
        """What xGet would answer for `path` (root first: "Status Audio Volume")."""
        return self.state.get(list(split_path(path)), legacy=legacy)

    def set_status(self, path: PathLike, value: Value) -> None:
        """Change one Status leaf (root optional) and send feedback like the device.

        Raises ValueError for a path the schema does not know or an illegal value.
        """
        key = self._below("Status", path)
        self.hub.publish("Status", self.state.update("Status", {key: value}, strict=True))

    def remove_status(self, prefix: PathLike) -> None:
        """Remove an instance (e.g. "Call 3"); subscribers get its ghost."""
        self.hub.publish("Status", self.state.remove("Status", self._below("Status", prefix)))

    def set_configuration(self, path: PathLike, value: Value) -> None:
        """Change a Configuration leaf as xSet would (validated, with feedback)."""
        key = self._below("Configuration", path)
        self.hub.publish("Configuration", self.state.set_configuration(["Configuration", *key], value))

    def status(self, path: LeafPath) -> Value | None:
        return self.state.value("Status", self._below("Status", path))

    def configuration(self, path: LeafPath) -> Value | None:
        return self.state.value("Configuration", self._below("Configuration", path))

    def start_clock(self, path: LeafPath) -> None:
        """Let a Status leaf count seconds from now on (a connected call's Duration),
        with once-a-second feedback to whoever subscribed to it."""
        if self.state.start_clock(self._below("Status", path)):
            self.hub.clocks_changed()

    def update_status(self, changes: Mapping[LeafPath, Any]) -> None:
        """Several Status leaves at once, one notification; unknown paths skipped."""
        self.hub.publish("Status", self.state.update("Status", changes))

    def emit_event(self, path: Sequence[str], fields: Mapping[str, Any]) -> None:
        """Fire Event <path> with `fields` to its subscribers, typed by the schema.

        Events (and fields) the device's schema lacks are not sent.
        """
        node = self.model.schema.node(("Event", *path))
        if node is None:
            return
        resolved = self.model.schema.resolve(("Event", *path)).path[1:]
        typed: dict[str, Any] = {}
        for name, value in fields.items():
            field = node.child(name)
            if field is None:
                continue
            typed[field.name] = _event_value(field.value_space, value)
        payload: Any = typed
        for elem in reversed(resolved):
            payload = {str(elem): payload}
        self.hub.publish_event(payload)

    def call_later(self, delay: float, fn: Callable[[], None]) -> asyncio.TimerHandle | None:
        """Run `fn` on the loop after `delay` s; cancelled by a reboot or shutdown."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None

        def run() -> None:
            self._timers.discard(handle)
            try:
                fn()
            except Exception:  # a behaviour bug must not kill the loop
                log.exception("simulator timer failed")

        handle = loop.call_later(delay, run)
        self._timers.add(handle)
        return handle

    def _cancel_timers(self) -> None:
        for handle in list(self._timers):
            handle.cancel()
        self._timers.clear()

    @staticmethod
    def _below(root: str, path: PathLike) -> LeafPath:
        parts = split_path(path)
        if parts and isinstance(parts[0], str) and parts[0].lower() == root.lower():
            parts = parts[1:]
        if not parts:
            raise ValueError(f"empty {root} path")
        return parts


def _event_value(vs: ValueSpace | None, value: Any) -> Any:
    """Event fields follow the schema type: Integer as int, everything else a string."""
    if vs is None or isinstance(value, (bool, dict)):
        return value
    if vs.is_integer:
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    return str(value)
