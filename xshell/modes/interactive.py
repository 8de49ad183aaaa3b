"""`xshell TARGET` on a terminal: the full-screen shell, or `--plain` line mode.

Plain mode is chosen automatically when the terminal is dumb or stdout is not a TTY (screen
readers, serial consoles, logs). History is kept per device in the XDG state dir, with
secret values already masked by the backend before anything is written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from xshell.errors import ConnectionFailed
from xshell.modes.connect import Connector
from xshell.session import EXIT_CONNECTION, Session


def history_path(key: str) -> Path:
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in key) or "default"
    return base / "xshell" / "history" / safe


def want_plain(args: argparse.Namespace) -> bool:
    return bool(args.plain) or os.environ.get("TERM", "") in ("dumb", "") or not sys.stdout.isatty()


def welcome(session: Session, host: str, *, demo: bool) -> list[str]:
    """tshell greets with the device name and release; so do we, plus the three keys."""
    name = session.device_name or host
    release = session.software or "unknown release"
    lines = [f"Welcome to {name}", f"Cisco Codec Release {release}"
             + ("  (built-in simulator: xshell --demo)" if demo else "")]
    lines.append("Type xAPI lines as in tshell (xStatus, xConfiguration, xCommand, xFeedback); "
                 "Tab completes, `PATH ?` explains, F1 or `help` lists keys, Ctrl-D quits.")
    return lines + [""]


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 130


async def _run(args: argparse.Namespace) -> int:
    from prompt_toolkit.history import FileHistory

    from xshell.interactive import ShellBackendImpl
    from xshell.ui.app import run_app
    from xshell.ui.plain import run_plain

    try:
        async with Connector(args, interactive_ok=True, reconnect=True) as conn:
            client = await conn.connect()
            session = Session(client, output=args.output, device_key=conn.key)
            await session.identify()
            backend = ShellBackendImpl(session, host=conn.host, reconnect=conn.connect)
            conn.on_state = backend.on_connection_state
            conn.on_protocol_error = backend.on_protocol_error
            backend.start_discovery()
            path = history_path(conn.key)
            path.parent.mkdir(parents=True, exist_ok=True)
            history = FileHistory(str(path))
            banner = welcome(session, conn.host, demo=bool(args.demo))
            try:
                if want_plain(args):
                    return await run_plain(backend, history, banner=banner)
                return await run_app(backend, history, banner=banner)
            finally:
                await backend.aclose()
                await session.client.close()
    except ConnectionFailed as exc:
        print(f"xshell: {exc}", file=sys.stderr)
        return EXIT_CONNECTION
