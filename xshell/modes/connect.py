"""Opening connections for every mode: target, password, the in-process demo device.

A `Connector` outlives single connections, so the interactive `reconnect` can open a
fresh client with the same target and credentials (the password is kept only in memory,
never in a message) and `--demo` keeps its simulator running for the whole session.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import secrets
import sys
from typing import Any

from xshell.errors import ConnectionFailed


def resolve_password(args: argparse.Namespace, interactive_ok: bool) -> str:
    """-p (with a warning), else $XSHELL_PASSWORD, else a prompt on a terminal, else ""."""
    if args.password is not None:
        print("xshell: warning: a password given with -p is visible to other users of this "
              "machine (ps); prefer $XSHELL_PASSWORD or the prompt", file=sys.stderr)
        return str(args.password)
    env = os.environ.get("XSHELL_PASSWORD")
    if env is not None:
        return env
    if interactive_ok and sys.stdin.isatty():
        try:
            return getpass.getpass(f"Password for {args.user}: ")
        except (EOFError, KeyboardInterrupt):
            return ""
    return ""


class Connector:
    """Target + credentials for a run; `connect()` returns a new connected XoWSClient."""

    def __init__(self, args: argparse.Namespace, *, interactive_ok: bool) -> None:
        self.args = args
        self.interactive_ok = interactive_ok
        self._stack = contextlib.AsyncExitStack()
        self._target: Any = None
        self._user = args.user
        self.__password = ""
        self.key = ""  # device identity for caches and history
        self.host = ""  # what the prompt shows before the device's name is known

    async def __aenter__(self) -> Connector:
        args = self.args
        if args.demo:
            from xshell.sim import Simulator

            self.__password = secrets.token_urlsafe(12)
            sim = Simulator(user="admin", password=self.__password)
            server = await self._stack.enter_async_context(sim.serve(host="127.0.0.1", port=0))
            self._target, self._user, self.key, self.host = server.url, "admin", "demo", "demo"
            return self
        from xshell.transport.target import parse_target

        try:
            parsed = parse_target(args.target, insecure=args.insecure)
        except ValueError as exc:
            raise ConnectionFailed(f"bad target {args.target!r}: {exc}") from None
        self._target = parsed
        self.host = parsed.host
        self.key = f"{parsed.host}_{parsed.port}"
        self.__password = resolve_password(args, self.interactive_ok)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def connect(self) -> Any:
        from xshell.transport.client import XoWSClient

        client = XoWSClient(self._target, username=self._user, password=self.__password,
                            auth=self.args.auth, insecure=self.args.insecure,
                            timeout=self.args.timeout)
        await client.connect()
        return client


@contextlib.asynccontextmanager
async def open_client(args: argparse.Namespace, *, interactive_ok: bool):  # type: ignore[no-untyped-def]
    """Yield (connected XoWSClient, device key) for one-connection modes."""
    async with Connector(args, interactive_ok=interactive_ok) as conn:
        client = await conn.connect()
        try:
            yield client, conn.key
        finally:
            await client.close()
