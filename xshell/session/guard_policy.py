"""The guard: asks before a destructive request, refuses changes in a read-only session.

One mechanism, at the one place a typed line has become a request (`Session.run`), so a
tshell line, a raw JSON-RPC line, a script line and an `@…` line are judged alike;
what a request does is `xshell.lang.destructive.classify`. The run's `GuardPolicy` (in
the ShellContext) says how to decide:

* read-only (`--read-only`, `[guard] read_only`, or a profile's `read_only`): anything
  that is not a read is refused before it is sent (exit 2);
* a destructive request goes ahead with `--yes`; else the interactive shell asks (`ask`,
  set by the UI: the question names the room, or the number of rooms for `@…`); a script
  has no one to ask, so it is refused (exit 2, one line) and the script goes on.

Commands built on sets (apply, snapshot restore) call `Session.guard(requests)` for the
whole batch: one question, or one refusal, before anything is sent.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from xshell.lang import requests as rq
from xshell.lang.destructive import GuardRules, Verdict, classify
from xshell.lang.line import XapiLine
from xshell.lang.parse import parse
from xshell.lang.parse_errors import ParseError

__all__ = ["Ask", "GuardPolicy", "Refused", "approved", "asking", "confirm_rooms", "decide", "is_approved", "question",
           "room_of"]

Ask = Callable[[str], Awaitable[bool]]  # a question → the user's yes (True) or no

_APPROVED: ContextVar[object | None] = ContextVar("xshell_guard_approved", default=None)
# One guard question at a time: `@all apply` / `@all macro remove` run every room at once,
# and the screen holds a single open question (ui.yesno).
_ASKING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def asking() -> asyncio.Lock:
    """The lock a guard decision that may ask holds (one per event loop)."""
    loop = asyncio.get_running_loop()
    lock = _ASKING.get(loop)
    if lock is None:
        lock = _ASKING[loop] = asyncio.Lock()
    return lock


class Refused(Exception):
    """A request a shell command made was refused by the guard (`Session.send`); `result`
    is the one line to show (exit 2). Not an XShellError: no command may swallow it."""

    def __init__(self, result: Any) -> None:
        super().__init__(result.lines[0] if result.lines else "refused")
        self.result = result


@dataclass
class GuardPolicy:
    """How this run guards its devices. `ask` is None in scripts (and until a UI sets it)."""

    rules: GuardRules = field(default_factory=GuardRules)
    read_only: bool = False
    yes: bool = False
    ask: Ask | None = None

    @classmethod
    def from_settings(cls, settings: Any, *, read_only: bool = False, yes: bool = False) -> GuardPolicy:
        """The policy from the settings' [guard] (None: built-in) and the command line."""
        rules = GuardRules.from_lists(getattr(settings, "guard_commands", ()),
                                      getattr(settings, "guard_configurations", ()),
                                      getattr(settings, "guard_allow", ()))
        return cls(rules, read_only or bool(getattr(settings, "guard_read_only", False)), yes)


@contextmanager
def approved(token: object) -> Iterator[None]:
    """Within this block (and the tasks it starts), requests for `token` — the Line the
    user already said yes to for several rooms at once — are not asked about again."""
    reset = _APPROVED.set(token)
    try:
        yield
    finally:
        _APPROVED.reset(reset)


def is_approved(token: object) -> bool:
    return token is not None and _APPROVED.get() is token


def room_of(session: Any) -> str:
    """The room as the question names it: the shell's name for it, and the device's own
    name when that differs (`demo (xshell-sim)`, `boardroom (Room 001)`)."""
    label, own = session.label, session.device_name
    return label if not own or own == label else f"{label} ({own})" if label else own


def question(verdicts: Sequence[Verdict], where: str) -> str:
    """`xCommand SystemUnit Boot reboots or resets the device: send it to boardroom? [y/N]`"""
    first = verdicts[0]
    more = f" (and {len(verdicts) - 1} more)" if len(verdicts) > 1 else ""
    return f"{first.what}{more} {first.why}: send it to {where}? [y/N]"


def _refusal(verdict: Verdict, text: str) -> str:
    return f"not sent: {verdict.what} {text}"


async def decide(policy: GuardPolicy, reqs: Sequence[rq.Request], *, room: str,
                 read_only: bool = False, token: object = None) -> str | None:
    """None when `reqs` may be sent to `room`; else the one line saying why not.

    read_only: this session's own (a profile's) read-only flag, on top of the policy's.
    token: the Line being run, for an `@…` approval given once for every room.
    """
    verdicts = [classify(r, policy.rules) for r in reqs]
    if policy.read_only or read_only:
        changing = next((v for v in verdicts if v.changes), None)
        if changing is not None:
            return _refusal(changing, "would change the device, and this session is read-only")
    risky = [v for v in verdicts if v.kind == "destructive"]
    if not risky or policy.yes or is_approved(token):
        return None
    if policy.ask is None:
        return _refusal(risky[0], f"{risky[0].why}; give --yes to send it from a script")
    if await policy.ask(question(risky, room or "this device")):
        return None
    return _refusal(risky[0], "(you answered no)")


async def confirm_rooms(sessions: Sequence[Any], line: object) -> bool | str:
    """One question for an `@…` line before it runs on several rooms at once.

    `sessions`: each room's Session (it has `context.guard`, `schema`, `read_only`,
    `label`). True: the user said yes — run the rooms inside `approved(line)`; False:
    nothing to ask (each room's own guard decides, read-only rooms refuse by themselves);
    a str: the user said no, the one line to show, and nothing is sent anywhere.
    """
    if not isinstance(line, XapiLine) or not sessions:
        return False
    policy: GuardPolicy = sessions[0].context.guard
    if policy.yes or policy.ask is None or policy.read_only:
        return False
    risky: list[tuple[Any, Verdict]] = []
    for session in sessions:
        try:
            req = parse(line.text, session.schema, line.body or None, line.tokens)
        except ParseError:
            continue  # the room says what is wrong itself, and sends nothing
        verdict = classify(req, policy.rules)
        if verdict.kind == "destructive" and not session.read_only:
            risky.append((session, verdict))
    if not risky:
        return False
    where = room_of(risky[0][0]) if len(risky) == 1 else f"{len(risky)} rooms"
    if await policy.ask(question([risky[0][1]], where)):
        return True
    return _refusal(risky[0][1], f"to {where} (you answered no)")
