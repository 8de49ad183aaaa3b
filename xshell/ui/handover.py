"""Handing the terminal to another program (the user's editor) and taking it back.

`macro edit` and a body from `$EDITOR` run a full-screen program of their own; the
full-screen shell must let go of the terminal meanwhile, or both draw at once. The
interactive mode sets `ShellContext.terminal` to `hand_over`, so the commands (which
may not import prompt-toolkit) get it without knowing the screen. With no application
running (plain prompt between lines), prompt-toolkit just runs the function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from prompt_toolkit.application import run_in_terminal

__all__ = ["hand_over"]

T = TypeVar("T")


async def hand_over(fn: Callable[[], T]) -> T:
    """Run blocking `fn` (in a thread) with the terminal to itself; redraw after."""
    return await run_in_terminal(fn, in_executor=True)
