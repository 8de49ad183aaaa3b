"""Small statistics and the A B A B schedule every figure uses.

Machines drift (CPU frequency, caches, other load) over a run; running the two sides of
a comparison alternately and comparing medians makes a slow minute hurt both sides
alike instead of whichever happened to run then.
"""

from __future__ import annotations

import asyncio
import math
import statistics
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("percentile of no samples")
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    return float(statistics.median(values))


class SideTimeout(Exception):
    """One side of a figure did not finish in time (a hang is a result, not a wait)."""


async def alternate(sides: Mapping[str, Callable[[], Awaitable[T]]], reps: int,
                    timeout: float | None = 300.0) -> dict[str, list[T]]:
    """Run each side once per round, in the given order, for `reps` rounds (A B A B …).

    A side that takes longer than `timeout` seconds is cancelled and SideTimeout raised.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    out: dict[str, list[T]] = {name: [] for name in sides}
    for rep in range(reps):
        for name, run in sides.items():
            try:
                out[name].append(await asyncio.wait_for(run(), timeout))
            except TimeoutError:
                raise SideTimeout(f"{name} did not finish within {timeout:g} s "
                                  f"(repetition {rep + 1})") from None
    return out

