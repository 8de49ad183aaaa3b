"""`python -m xshell.bench.probe URL`: the interactive shell's memory once discovery is done.

Runs in a fresh process so the figure is what a user's shell holds, not the bench's
own heap: it starts the same way `xshell TARGET` does (connect, identify, backend,
background discovery, the full-screen app), with keys from a pipe and a DummyOutput,
waits until the whole schema and the live values are loaded and a render has happened,
then prints one JSON line: {"rss_mb": …, "peak_mb": …, "roots": […]}.
The password comes from $XSHELL_PASSWORD; it is never printed.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
from collections.abc import Sequence

WAIT = 120.0


def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MiB, from /proc (Linux)."""
    fields: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(rest.split()[0]) / 1024.0
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


async def _until(cond: object, timeout: float) -> None:
    """Poll a flag of the app (which offers no event for it) until true."""
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]  # a callable: the caller's
        if time.monotonic() > deadline:
            raise TimeoutError(f"discovery did not finish within {timeout:g} s")
        await asyncio.sleep(0.01)


async def measure(url: str) -> dict[str, object]:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from xshell.shell.one_device import ShellBackendImpl
    from xshell.session.core import Session
    from xshell.transport.client import XoWSClient
    from xshell.ui.app import ShellApp

    client = XoWSClient(url, os.environ.get("XSHELL_USER", "admin"), os.environ.get("XSHELL_PASSWORD", ""))
    await client.connect()
    try:
        session = Session(client, device_key="bench-probe", use_cache=False)
        await session.identify()
        backend = ShellBackendImpl(session, host="bench")
        backend.start_discovery()
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            shell = ShellApp(backend, InMemoryHistory())
            app = asyncio.ensure_future(shell.run())
            try:
                await _until(lambda: session.store.is_complete() and not backend.status.discovering, WAIT)
                rendered: asyncio.Future[None] = asyncio.get_running_loop().create_future()

                def on_render(_app: object) -> None:
                    if not rendered.done():
                        rendered.set_result(None)

                shell.application.after_render += on_render
                shell.invalidate()
                await asyncio.wait_for(rendered, 10)
                gc.collect()
                rss, peak = memory_mb()
                roots = sorted(session.store.roots_known)
            finally:
                shell.request_exit(0)
                await asyncio.wait_for(app, 10)
                await backend.aclose()
    finally:
        await client.close()
    return {"rss_mb": round(rss, 1), "peak_mb": round(peak, 1), "roots": roots}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m xshell.bench.probe URL", file=sys.stderr)
        return 2
    try:
        out = asyncio.run(measure(args[0]))
    except Exception as exc:  # noqa: BLE001 - one line for the bench to show
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
