"""Getting the link back: connection states, the backoff policy, and the retry loop.

A codec reboots, a cable is pulled, a proxy restarts: the shell should come back on
its own, politely. Politely means capped exponential backoff with jitter (a room full
of shells must not hammer a booting device in lockstep), a longer pause when the
device says it is rebooting (HTTP 502) or rate-limiting (HTTP 503) — each told to the
user in its own words — and giving up at once when retrying cannot help (wrong
password, a certificate that does not match), because hammering would lock the
account out. The loop is kept apart from the client so it can be read in one go.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from xshell.errors import (AuthenticationFailed, ConnectionFailed, DeviceRebooting, RateLimited,
                           TLSFailed)

log = logging.getLogger(__name__)

# The states a client reports through on_state(state, detail).
CONNECTED = "connected"          # the first connection is up
DISCONNECTED = "disconnected"    # the link was lost (detail: why); reconnecting may follow
RECONNECTING = "reconnecting"    # waiting for / making the next attempt (detail: why, when)
RECONNECTED = "reconnected"      # connected again; feedback registrations are being restored
CLOSED = "closed"                # for good: closed by the caller, or reconnecting gave up
STATES = (CONNECTED, DISCONNECTED, RECONNECTING, RECONNECTED, CLOSED)

StateCallback = Callable[[str, str], None]


@dataclass(frozen=True)
class ReconnectPolicy:
    """How hard to try. Delays in seconds; attempt n waits initial·factor^(n-1), capped at
    `maximum`, ±`jitter` (a fraction); at least `rebooting` after a 502 and
    `rate_limited` after a 503. max_attempts None = keep trying until closed."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    jitter: float = 0.25
    max_attempts: int | None = None
    rebooting: float = 5.0
    rate_limited: float = 2.0
    resync: bool = True  # re-subscribe with NotifyCurrentValue: the state after the gap

    def __post_init__(self) -> None:
        for name in ("initial", "maximum"):  # 0 would hammer the device in a tight loop
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"reconnect {name} must be a number of seconds > 0, not {value!r}")
        for name in ("rebooting", "rate_limited"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"reconnect {name} must be a number of seconds >= 0, not {value!r}")
        if not isinstance(self.factor, (int, float)) or not self.factor >= 1:
            raise ValueError(f"reconnect factor must be >= 1, not {self.factor!r}")
        if not isinstance(self.jitter, (int, float)) or not 0 <= self.jitter < 1:
            raise ValueError(f"reconnect jitter must be a fraction in [0, 1), not {self.jitter!r}")
        if self.max_attempts is not None and (isinstance(self.max_attempts, bool)
                                              or not isinstance(self.max_attempts, int)
                                              or self.max_attempts < 1):
            raise ValueError(f"reconnect max_attempts must be a positive integer or None, "
                             f"not {self.max_attempts!r}")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The pause before attempt `attempt` (1-based): capped exponential with jitter."""
        base = self.initial
        for _ in range(max(0, attempt - 1)):
            base *= self.factor
            if base >= self.maximum:
                break
        base = min(base, self.maximum)
        if self.jitter:
            base *= 1 + rng.uniform(-self.jitter, self.jitter)
        return max(0.0, min(base, self.maximum))

    def pause_after(self, failure: BaseException | None, attempt: int, rng: random.Random) -> float:
        """The pause before `attempt`, honouring what the last failure said."""
        pause = self.backoff(attempt, rng)
        if isinstance(failure, DeviceRebooting):
            pause = max(pause, self.rebooting)
        elif isinstance(failure, RateLimited):
            pause = max(pause, self.rate_limited)
        return pause


def hopeless(failure: BaseException) -> bool:
    """Failures retrying cannot fix (and that could lock the account if repeated)."""
    return isinstance(failure, (AuthenticationFailed, TLSFailed))


def waiting_detail(display: str, failure: BaseException | None, pause: float, attempt: int) -> str:
    """One line for the `reconnecting` state: why the last attempt failed, and what next."""
    nxt = f"next attempt in {pause:.1f} s (attempt {attempt})"
    if failure is None:
        return f"reconnecting to {display}: {nxt}"
    if isinstance(failure, DeviceRebooting):
        return f"{display} is rebooting (HTTP 502); {nxt}"
    if isinstance(failure, RateLimited):
        return f"{display} is rate-limiting connections (HTTP 503); {nxt}"
    return f"{failure}; {nxt}"


def resolve_policy(reconnect: ReconnectPolicy | bool | None) -> ReconnectPolicy | None:
    """The client's `reconnect=` argument: True = the default policy, False/None = off."""
    if reconnect is None or reconnect is False:
        return None
    if reconnect is True:
        return ReconnectPolicy()
    if isinstance(reconnect, ReconnectPolicy):
        return reconnect
    raise ValueError(f"reconnect must be True, False, None or a ReconnectPolicy, "
                     f"not {type(reconnect).__name__}")


async def reconnect_loop(policy: ReconnectPolicy, display: str, open_link: Callable[[], Awaitable[None]],
                         emit: StateCallback, rng: random.Random) -> str | None:
    """Try until the link is open again. Return None on success, else why it gave up.

    Runs as its own task; cancelling it (the caller closed the client) stops it.
    """
    failure: BaseException | None = None
    attempt = 0
    while True:
        attempt += 1
        if policy.max_attempts is not None and attempt > policy.max_attempts:
            last = f": {failure}" if failure is not None else ""
            return f"gave up reconnecting to {display} after {policy.max_attempts} attempts{last}"
        pause = policy.pause_after(failure, attempt, rng)
        emit(RECONNECTING, waiting_detail(display, failure, pause, attempt))
        await asyncio.sleep(pause)
        try:
            await open_link()
        except ConnectionFailed as exc:
            if hopeless(exc):
                return f"gave up reconnecting to {display}: {exc}"
            failure = exc
            log.info("reconnect attempt %d failed: %s", attempt, exc)
        except Exception as exc:  # a bug must end the loop, not spin it
            log.exception("reconnect attempt failed unexpectedly")
            return f"gave up reconnecting to {display}: internal error ({type(exc).__name__})"
        else:
            return None
