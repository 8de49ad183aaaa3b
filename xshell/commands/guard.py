"""`guard`: what this session asks about before sending, and whether it only reads.

The guard itself is xshell.session.guard_policy (at the one place a line becomes a request);
this command shows the list in force — the built-in patterns drawn from the schema, the
settings file's [guard] additions and allowances — so a technician can see why a line
was asked about, and what to put in the settings file to change it.
"""

from __future__ import annotations

from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.lang.destructive import READ_COMMANDS, READ_WORDS
from xshell.session.result import EXIT_USAGE, Result


def _mode(session: Any) -> str:
    policy = session.context.guard
    if policy.read_only or session.read_only:
        return "guard: read-only: only reads, feedback, help and local commands are sent"
    if policy.yes:
        return "guard: --yes: destructive lines are sent without asking"
    how = "asked about" if policy.ask is not None else "refused (give --yes to send them)"
    return f"guard: destructive lines are {how}"


async def _guard(session: Any, args: tuple[str, ...]) -> Result:
    if args:
        return Result(["error: guard takes no arguments (the list is set in the settings "
                       "file's [guard])"], EXIT_USAGE, kind="error")
    reads = ", ".join(READ_WORDS)
    return Result([_mode(session),
                   f"reads: xStatus, xConfiguration PATH, xFeedback, help, and xCommands ending "
                   f"in {reads} (or Get…), and {', '.join(READ_COMMANDS)}",
                   "destructive (pattern, why):",
                   *(f"  {row}" for row in session.context.guard.rules.listing())])


COMMANDS = (
    Command(name="guard", scope=Scope.DEVICE, section=Section.DEVICE, rank=80,
            usage="guard",
            summary="what is asked about before sending, and whether only reads are sent",
            handler=_guard),
)
