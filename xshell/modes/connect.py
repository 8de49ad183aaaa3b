"""Opening connections for every mode: target, password, certificate trust, the demo device.

A `Connector` outlives single connections, so the interactive `reconnect` can open a
fresh client with the same target, credentials and trust decisions (the password is
kept only in memory, never in a message) and `--demo` keeps its simulator running for
the whole session.

Certificate trust for wss:// (xshell.transport.pinning): first a normal verified
connect; if the certificate does not verify (self-signed, unknown CA, wrong name), a
connect without CA verification whose `verify_peer` hook enforces the pin before the
credentials are sent; why the CA check failed goes into the refusal and the question.
A certificate nobody has decided on yet is asked about on the terminal in interactive
runs — with no connection open, so a slow answer cannot time anything out — and refused
in every other run.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import ssl
import sys
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from xshell.errors import AuthenticationFailed, ConnectionFailed, TLSFailed
from xshell.inert import inert, inert_block
from xshell.options import Connection, DeviceOptions

if TYPE_CHECKING:  # certificate pinning loads only for wss:// (a ws:// one-shot skips it)
    from xshell.transport.pinning import PinPolicy

Ask = Callable[[str], "str | None"]  # question → the user's answer (None at end of input)
Notify = Callable[[str], None]
_MAX_ASKS = 3
_OPEN_TIMEOUT = 10.0  # seconds to open a connection unless --connect-timeout says; a shorter
# --timeout shortens it too (a script with --timeout 2 must not hang 10 s on a dead host)


class _Verified(TLSFailed):
    """Raised by the probe hook: the certificate is accepted, the upgrade not wanted yet."""


_WARNED: set[str] = set()


def open_timeout(connection: Connection) -> float:
    """Seconds to wait while opening: --connect-timeout as given, else 10 s or --timeout
    when shorter."""
    if connection.connect_timeout is not None:
        return connection.connect_timeout
    return min(_OPEN_TIMEOUT, connection.timeout or _OPEN_TIMEOUT)


def _warn_once(message: str) -> None:
    """A warning about the run, not one device: a 200-room script prints it once."""
    if message not in _WARNED:
        _WARNED.add(message)
        print(inert(f"xshell: warning: {message}"), file=sys.stderr)


def preset_password(device: DeviceOptions) -> str | None:
    """-p (with a warning), else $XSHELL_PASSWORD, else the system keyring; None if none."""
    if device.connection.password is not None:
        _warn_once("a password given with -p is visible to other users of this "
                   "machine (ps); prefer $XSHELL_PASSWORD, the keyring or the prompt")
        return device.connection.password
    env = os.environ.get("XSHELL_PASSWORD")
    if env is not None:
        return env
    return keyring_password(device)


def keyring_account(device: DeviceOptions) -> str:
    """The keyring user name for a device: its profile name, else its bare host."""
    if device.profile:
        return device.profile
    from xshell.transport.target import parse_target

    try:
        return parse_target(device.connection.target or "").host
    except ValueError:
        return ""


def _keyring_installed() -> bool:
    """Whether `import keyring` would work, without importing it (it is slow to import)."""
    if "keyring" in sys.modules:  # None there means "import blocked"
        return sys.modules["keyring"] is not None
    try:
        return importlib.util.find_spec("keyring") is not None
    except (ImportError, ValueError):
        return False


def keyring_password(device: DeviceOptions) -> str | None:
    """The password stored in the system keyring (service "xshell"), when `keyring` exists.

    Optional by design: without the package nothing is imported; a backend that fails
    (no D-Bus, locked store…) costs one warning and the next source is used.
    """
    if device.connection.demo or not _keyring_installed():
        return None
    account = keyring_account(device)
    if not account:
        return None
    try:
        keyring = importlib.import_module("keyring")
        found = keyring.get_password("xshell", account)
    except Exception as exc:  # noqa: BLE001 - any backend failure; its text names no secret
        _warn_once(f"the system keyring could not be read ({type(exc).__name__}); "
                   "trying the next password source")
        return None
    return found if isinstance(found, str) else None


def will_prompt(interactive_ok: bool) -> bool:
    """Whether a missing password is asked for (interactive runs on a terminal)."""
    return interactive_ok and sys.stdin is not None and sys.stdin.isatty()


def prompt_password(device: DeviceOptions, interactive_ok: bool) -> str:
    """The terminal prompt when allowed, else "" (the device then refuses the login)."""
    if will_prompt(interactive_ok):
        try:
            import getpass

            return getpass.getpass(f"Password for {device.connection.user}: ")
        except (EOFError, KeyboardInterrupt):
            return ""
    return ""


def _ask_password(device: DeviceOptions) -> str | None:
    """The prompt again after a refused login; None when the user gives up (Ctrl-C/D)."""
    try:
        import getpass

        return getpass.getpass(f"Password for {device.connection.user}: ")
    except (EOFError, KeyboardInterrupt):
        return None


def ask_terminal(question: str) -> str | None:
    """Ask on the terminal (stderr, so stdout stays clean); None at end of input."""
    sys.stderr.write(inert_block(question))
    sys.stderr.flush()
    line = sys.stdin.readline()
    return line if line else None


def _stderr(text: str) -> None:
    print(inert(f"xshell: {text}"), file=sys.stderr)


def ca_context(cacert: str | None) -> ssl.SSLContext:
    """The system's trusted CAs, plus those in --cacert FILE."""
    ctx = ssl.create_default_context()
    if cacert:
        try:
            ctx.load_verify_locations(cafile=cacert)
        except (OSError, ssl.SSLError) as exc:
            why = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc
            raise ConnectionFailed(f"Cannot load CA certificates from {cacert}: {why}") from None
    return ctx


class Connector:
    """Target + credentials + trust for a run; `connect()` returns a new connected XoWSClient.

    `ask` answers the first-contact question (tests inject one; by default the terminal
    is asked when `interactive_ok` and stdin is a TTY); `notify` gets one-line notices
    such as "pinned …" (stderr by default). `password` is a fallback used after -p,
    $XSHELL_PASSWORD and the keyring but before the prompt (a multi-device run reuses
    the first device's); `legacy` adds ?legacy, the device's `name` is the display name.
    """

    def __init__(self, device: DeviceOptions, *, interactive_ok: bool,
                 ask: Ask | None = None, notify: Notify | None = None,
                 reconnect: bool = False, password: str | None = None) -> None:
        self.device = device
        self.reconnect = reconnect  # clients reconnect by themselves (interactive, --follow)
        # Set by the mode once its session exists; the clients call through these.
        self.on_state: Callable[[str, str], None] | None = None
        # Feedback registrations not made again after a reconnect: (count, one line or "").
        self.on_restore: Callable[[int, str], None] | None = None
        self.on_resync: Callable[[int, dict[str, Any]], None] | None = None
        # Bad frames from the device (garbage, unknown ids…): one line for the user.
        self.on_protocol_error: Callable[[Exception], None] | None = None
        self.interactive_ok = interactive_ok
        self._ask = ask
        self._notify = notify or _stderr
        self._stack = contextlib.AsyncExitStack()
        self._target: Any = None
        self._user = device.connection.user or "admin"
        self.__password: str | None = None  # resolved on first connect, kept for reconnects
        self.__fallback = password  # e.g. the password another device of the run used
        self._policy: PinPolicy | None = None
        self._ca: ssl.SSLContext | None = None
        self._connected = False  # after the first connect the screen may be the full-screen UI
        self.key = ""  # device identity for caches and history
        self.host = ""  # what the prompt shows before the device's name is known

    @property
    def password(self) -> str | None:
        """The password in use once connected (memory only, for the run's next devices)."""
        return self.__password

    async def __aenter__(self) -> Connector:
        device, tls = self.device, self.device.tls
        if device.connection.demo:
            from xshell.sim import Simulator

            import secrets

            self.__password = secrets.token_urlsafe(12)
            sim = Simulator(user="admin", password=self.__password)
            server = await self._stack.enter_async_context(sim.serve(host="127.0.0.1", port=0))
            self._target, self._user, self.key, self.host = server.url, "admin", "demo", "demo"
            return self
        from xshell.transport.target import parse_target

        try:
            parsed = parse_target(device.connection.target or "",
                                  legacy=device.connection.legacy, insecure=tls.insecure)
        except ValueError as exc:  # never the target itself: it may hold user:password@
            raise ConnectionFailed(f"bad target: {exc}") from None
        self._target = parsed
        self.host = device.name or parsed.host  # a profile's display name
        self.key = f"{parsed.host}_{parsed.port}"
        if parsed.secure and not parsed.insecure:
            from xshell.transport.pinning import KnownHosts, PinPolicy

            try:
                self._policy = PinPolicy(parsed.host, parsed.port, store=KnownHosts(),
                                         expected=tls.fingerprint, accept_new=tls.accept_new,
                                         accept_invalid=tls.accept_invalid, notify=self._notify)
            except ValueError as exc:
                raise ConnectionFailed(f"--fingerprint: {exc}") from None
            self._ca = ca_context(tls.cacert)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    def _client(self, **tls: Any) -> Any:
        from xshell.transport.client import XoWSClient

        extra: dict[str, Any] = {}
        if self.reconnect:
            from xshell.transport.reconnect_policy import ReconnectPolicy

            extra = {"reconnect": ReconnectPolicy(), "on_state": self._state}
        timeout = self.device.connection.timeout
        return XoWSClient(self._target, username=self._user, password=self.__password or "",
                          auth=self.device.connection.auth or "basic", timeout=timeout,
                          open_timeout=open_timeout(self.device.connection),
                          on_protocol_error=self._protocol_error, on_restore=self._restore,
                          **extra, **tls)

    def _protocol_error(self, err: Exception) -> None:
        if self.on_protocol_error is not None:
            self.on_protocol_error(err)
        else:
            print(inert(f"xshell: device sent something unexpected: {err}"), file=sys.stderr,
                  flush=True)

    def _state(self, state: str, detail: str) -> None:
        if self.on_state is not None:
            self.on_state(state, detail)

    def _restore(self, unrestored: int, detail: str) -> None:
        if self.on_restore is not None:
            self.on_restore(unrestored, detail)
        elif detail:  # never silent: a registration that is not restored is a hole
            print(inert(f"xshell: {detail}"), file=sys.stderr, flush=True)

    async def _open(self, **tls: Any) -> Any:
        """Connect; a password prompt waits until the certificate is settled, as in SSH."""
        if self.__password is None:
            preset = preset_password(self.device)
            if preset is None:
                preset = self.__fallback
            if preset is None and will_prompt(self.interactive_ok) and "verify_peer" in tls:
                hook = tls["verify_peer"]

                def probe(der: bytes) -> None:
                    hook(der)
                    raise _Verified("certificate accepted")

                try:  # TLS only: the hook stops it before the upgrade
                    await self._client(**{**tls, "verify_peer": probe}).connect()
                except _Verified:
                    pass
            prompted = preset is None and will_prompt(self.interactive_ok)
            self.__password = preset if preset is not None else prompt_password(
                self.device, self.interactive_ok)
            if prompted:
                return await self._open_asking(**tls)
        client = self._client(**tls)
        await client.connect()
        return client

    async def _open_asking(self, **tls: Any) -> Any:
        """A typed password gets three tries, as SSH gives: a refused login says so and
        asks again; the third refusal (or Ctrl-C/Ctrl-D at the prompt) ends with exit 3."""
        for attempt in range(1, _MAX_ASKS + 1):
            try:
                client = self._client(**tls)
                await client.connect()
                return client
            except AuthenticationFailed as exc:
                if attempt == _MAX_ASKS:
                    raise
                print(inert(f"xshell: {exc}"), file=sys.stderr)
                print("Permission denied, please try again.", file=sys.stderr, flush=True)
                answer = _ask_password(self.device)
                if answer is None:
                    raise
                self.__password = answer
        raise AssertionError("unreachable")  # the loop returns or raises

    async def connect(self) -> Any:
        client = await self._connect()
        self._connected = True
        return client

    async def _connect(self) -> Any:
        policy = self._policy
        if policy is None:  # ws://, --insecure, or the demo device
            return await self._open(insecure=self.device.tls.insecure)
        from xshell.transport.pinning import UnknownCertificate, verification_failure

        try:  # a certificate a CA vouches for needs no pin
            return await self._open(ssl_context=self._ca, verify_peer=policy.verify_ca_passed)
        except TLSFailed as exc:
            failure = verification_failure(exc)
            if failure is None:  # a broken handshake, or --fingerprint refused: as it is
                raise
            policy.failure = failure  # what the pin check and the question will say
        try:
            return await self._open(insecure=True, verify_peer=policy.verify)
        except UnknownCertificate as exc:
            ask = self._asker()
            if ask is None:
                raise
            if not self._confirm(ask, policy, exc.fingerprint):
                raise TLSFailed(f"TLS certificate of {policy.display} not trusted: you did not "
                                "confirm its fingerprint; nothing was sent to the device") from None
            policy.trust(exc.fingerprint)
        return await self._open(insecure=True, verify_peer=policy.verify)

    def _asker(self) -> Ask | None:
        """Who may answer the first-contact question: nobody in non-interactive runs, and
        nobody on a reconnect (a terminal question would tear through the full-screen UI)."""
        if not self.interactive_ok or self._connected:
            return None
        if self._ask is not None:
            return self._ask
        return ask_terminal if sys.stdin is not None and sys.stdin.isatty() else None

    def _confirm(self, ask: Ask, policy: PinPolicy, fp: str) -> bool:
        """Ask until the answer is yes, no, or a fingerprint (SSH accepts pasted ones too)."""
        from xshell.transport.pinning import answer_means_yes

        question = policy.question(fp)
        for _ in range(_MAX_ASKS):
            answer = ask(question)
            if answer is None:
                return False
            verdict = answer_means_yes(answer, fp)
            if verdict is not None:
                return verdict
            question = "Please type 'yes', 'no' or the fingerprint: "
        return False


@contextlib.asynccontextmanager
async def open_client(device: DeviceOptions, *, interactive_ok: bool,
                      on_state: Callable[[str, str], None] | None = None) -> AsyncIterator[tuple[Any, str]]:
    """Yield (connected XoWSClient, device key) for one-connection modes.

    With `on_state` the client reconnects by itself (script `--follow`) and reports every
    connection change through it.
    """
    async with Connector(device, interactive_ok=interactive_ok, reconnect=on_state is not None) as conn:
        conn.on_state = on_state
        client = await conn.connect()
        try:
            yield client, conn.key
        finally:
            await client.close()
