"""Making feedback registrations again on a new link, until each one is made.

A registration that could not be made again is a silent hole: `--follow` keeps running,
the pane stays quiet, and nobody learns that the device's changes are no longer heard.
So every registration not made on the current link gets a background task that tries,
and on any failure — Not Ready, -31998 Subscriber Count Exceeded, a timeout, a transient
error — waits (capped exponential backoff with jitter, the reconnect policy's) and tries
again, until it succeeds, the caller deregisters it, the link is lost (the next link
starts again) or the client closes. Meanwhile the registration counts as *unrestored*:
the caller hears it once through `tell` when it first fails, again when it is restored,
and the count of unrestored user registrations with every change, so a shell can keep
it on screen. Hidden watches (`quiet`) are retried alike but never counted or told.

A Subscribe answered after its timeout still made a subscription on the device; the
client binds it when the late reply arrives (see XoWSClient._bind_hook) and wakes the
registration's task here, which then stops trying.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from xshell.errors import ConnectionFailed, NotReady, XShellError
from xshell.transport.reconnect_policy import ReconnectPolicy
from xshell.transport.feedback_registry import Registration, Registry

__all__ = ["RestoreNews", "Restorer"]

log = logging.getLogger(__name__)

Resubscribe = Callable[[Registration], Awaitable[None]]
RestoreNews = Callable[[int, str, bool], None]
"""tell(unrestored user registrations, one line or "", whether the line is a failure)."""


@dataclass(eq=False)
class _Job:
    reg: Registration
    tried: asyncio.Event = field(default_factory=asyncio.Event)  # one attempt is over
    wake: asyncio.Event = field(default_factory=asyncio.Event)  # bound meanwhile: stop waiting
    task: asyncio.Task[None] | None = None


class Restorer:
    """One retrying task per registration not made on the current link."""

    def __init__(self, registry: Registry, resubscribe: Resubscribe, tell: RestoreNews,
                 policy: Callable[[], ReconnectPolicy], rng: random.Random, name: str = "") -> None:
        self._registry = registry
        self._resubscribe = resubscribe
        self._tell = tell
        self._policy = policy
        self._rng = rng
        self._name = name
        self._jobs: dict[int, _Job] = {}
        self.failing: dict[int, str] = {}  # sub_id → why its last attempt failed, until made
        self._told: set[int] = set()  # failures told one by one (their restore is told too)
        self._told_not_ready = False

    # ------------------------------------------------------------------ the caller's view
    @property
    def unrestored(self) -> dict[int, str]:
        """User registrations whose restore failed and is being retried: id → why."""
        out: dict[int, str] = {}
        for sub_id, why in self.failing.items():
            reg = self._registry.get(sub_id)
            if reg is not None and not reg.quiet:
                out[sub_id] = why
        return out

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    async def wait(self) -> None:
        """Until no registration is being restored (made, deregistered, or link lost)."""
        while self._jobs:
            tasks = {job.task for job in self._jobs.values() if job.task is not None}
            await asyncio.wait(tasks)

    async def wait_tried(self) -> None:
        """Until every registration being restored has had one attempt."""
        for job in list(self._jobs.values()):
            await job.tried.wait()

    # ------------------------------------------------------------------ driving it
    def start(self) -> None:
        """A new link: a task for every registration not made on it yet, in their order."""
        self._told_not_ready = False
        for reg in self._registry.unbound():
            if reg.sub_id not in self._jobs:
                job = _Job(reg)
                self._jobs[reg.sub_id] = job
                job.task = asyncio.get_running_loop().create_task(
                    self._run(job), name=f"xows-restore {self._name} #{reg.sub_id}")

    def bound(self, reg: Registration) -> None:
        """`reg` was made (perhaps by a late reply): its task, if waiting, stops."""
        job = self._jobs.get(reg.sub_id)
        if job is not None:
            job.wake.set()
        elif reg.sub_id in self.failing:
            self._restored(reg)

    def cancel(self, sub_id: int) -> None:
        """The registration was deregistered: stop trying, and stop counting it."""
        job = self._jobs.pop(sub_id, None)
        if job is not None and job.task is not None:
            job.task.cancel()
        self._told.discard(sub_id)
        if self.failing.pop(sub_id, None) is not None:
            self._tell(len(self.unrestored), "", False)

    def stop(self) -> None:
        """The link is lost or the client closes: every task ends; what failed stays
        counted (it is not restored), and the next link starts again."""
        jobs = list(self._jobs.values())
        self._jobs.clear()
        for job in jobs:
            if job.task is not None and job.task is not asyncio.current_task():
                job.task.cancel()
            job.tried.set()

    def take_over(self, other: Restorer) -> None:
        """Registrations moved here from another client: so did their unrestored state."""
        self.failing.update(other.failing)
        self._told |= other._told
        other.failing.clear()
        other._told.clear()

    # ------------------------------------------------------------------ one registration
    async def _run(self, job: _Job) -> None:
        reg = job.reg
        attempt = 0
        try:
            while self._registry.get(reg.sub_id) is reg and reg.device_id is None:
                try:
                    await self._resubscribe(reg)
                except ConnectionFailed:
                    return  # the link is gone: the next one starts again
                except Exception as exc:  # noqa: BLE001 - whatever it was, try again later
                    attempt += 1
                    pause = self._policy().backoff(attempt, self._rng)
                    self._failed(reg, exc, pause)
                    job.tried.set()
                    job.wake.clear()
                    try:
                        async with asyncio.timeout(pause):
                            await job.wake.wait()
                    except TimeoutError:
                        pass
        finally:
            job.tried.set()
            if self._jobs.get(reg.sub_id) is job:
                del self._jobs[reg.sub_id]
        if reg.device_id is not None and reg.sub_id in self.failing:
            self._restored(reg)

    def _failed(self, reg: Registration, exc: Exception, pause: float) -> None:
        if not isinstance(exc, XShellError):
            log.error("restoring feedback registration %s failed", reg.sub_id, exc_info=exc)
        why = str(exc) or type(exc).__name__
        first = reg.sub_id not in self.failing
        self.failing[reg.sub_id] = why
        log.info("restoring feedback registration %s (%s) failed: %s; next try in %.1f s",
                 reg.sub_id, reg.shown, why, pause)
        if isinstance(exc, NotReady):
            if not self._told_not_ready:
                self._told_not_ready = True
                self._tell(len(self.unrestored), f"the device is not ready yet ({why}); feedback "
                           "registrations will be restored when it is", True)
            elif first and not reg.quiet:
                self._tell(len(self.unrestored), "", False)
            return
        if reg.quiet or reg.sub_id in self._told:
            return
        self._told.add(reg.sub_id)
        self._tell(len(self.unrestored), f"feedback registration {reg.sub_id} ({reg.shown}) not "
                   f"restored: {why}; retrying until it is (next try in {pause:.2g} s)", True)

    def _restored(self, reg: Registration) -> None:
        self.failing.pop(reg.sub_id, None)
        log.info("feedback registration %s (%s) restored", reg.sub_id, reg.shown)
        if reg.quiet:
            return
        line = f"feedback registration {reg.sub_id} ({reg.shown}) restored" \
            if reg.sub_id in self._told else ""
        self._told.discard(reg.sub_id)
        self._tell(len(self.unrestored), line, False)
