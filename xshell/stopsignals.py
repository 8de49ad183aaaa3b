"""Ctrl-C and SIGTERM as "stop now" events, on every platform xshell runs on.

Why: `loop.add_signal_handler` is the clean way to turn a signal into an asyncio event,
but Windows' event loop does not implement it (NotImplementedError), and a loop outside
the main thread cannot have one (RuntimeError/ValueError). `xshell-sim` and `xshell
--follow` must still stop on Ctrl-C there, with their usual exit status, rather than
crash or die with a traceback. So: the loop's handler where it exists, else a plain
`signal.signal` handler that hands the callback to the loop thread-safely, else nothing
(the default Ctrl-C behaviour, KeyboardInterrupt, is left as it is).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import signal
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["on_signals", "on_stop_signals"]


def stop_signals() -> list[signal.Signals]:
    """SIGINT and SIGTERM, those of them this platform has."""
    return [sig for sig in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None))
            if sig is not None]


def on_stop_signals(loop: asyncio.AbstractEventLoop, callback: Callable[[], Any]) -> Callable[[], None]:
    """Run `callback` in `loop` on SIGINT or SIGTERM; returns the function that undoes it."""
    return on_signals(loop, stop_signals(), callback)


def on_signals(loop: asyncio.AbstractEventLoop, sigs: Iterable[signal.Signals],
               callback: Callable[[], Any]) -> Callable[[], None]:
    """Run `callback` in `loop` on each of `sigs`; returns the undo, which puts back the
    handlers that were there before (asyncio.run's own SIGINT handler, for one)."""
    undo: list[Callable[[], None]] = []
    for sig in sigs:
        previous = signal.getsignal(sig)
        try:
            loop.add_signal_handler(sig, callback)
        except NotImplementedError:  # Windows' event loops
            undo.append(_fallback(loop, sig, callback))
        except (RuntimeError, ValueError):  # not the main thread (or a closed loop): leave it be
            continue
        else:
            undo.append(functools.partial(_remove, loop, sig, previous))

    def restore() -> None:
        for step in reversed(undo):
            step()
    return restore


def _remove(loop: asyncio.AbstractEventLoop, sig: signal.Signals, previous: Any) -> None:
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.remove_signal_handler(sig)
    if previous is not None:
        with contextlib.suppress(ValueError, OSError, RuntimeError, TypeError):
            signal.signal(sig, previous)


def _fallback(loop: asyncio.AbstractEventLoop, sig: signal.Signals,
              callback: Callable[[], Any]) -> Callable[[], None]:
    """A `signal.signal` handler that queues `callback` on the loop; returns its undo."""
    def handler(_signum: int, _frame: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(callback)
    try:
        previous = signal.signal(sig, handler)
    except (ValueError, OSError, RuntimeError):  # not the main thread: nothing to undo
        return lambda: None

    def undo() -> None:
        with contextlib.suppress(ValueError, OSError, RuntimeError, TypeError):
            signal.signal(sig, previous)
    return undo
