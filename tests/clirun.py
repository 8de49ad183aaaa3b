"""Run the `xshell` command as a non-interactive subprocess (stdin not a terminal)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from tests.conftest import PASSWORD


def child_env(password: str | None = PASSWORD) -> dict[str, str]:
    """The test's environment with $XSHELL_PASSWORD set (or removed) and a plain TERM."""
    env = {k: v for k, v in os.environ.items() if k != "XSHELL_PASSWORD"}
    if password is not None:
        env["XSHELL_PASSWORD"] = password
    env["TERM"] = "xterm"
    return env


async def xshell(*args: str, password: str | None = PASSWORD) -> tuple[int, str, str]:
    """Run the CLI; (status, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "xshell", *args, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(password))
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
