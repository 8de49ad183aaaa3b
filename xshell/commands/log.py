"""`log` | `log start FILE [text|jsonl]` | `log stop`: the run's transcript."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.session.result import Result
from xshell.session.transcript import log_command


async def _log(session: Any, args: tuple[str, ...]) -> Result:
    lines, code = log_command(session.context, session.label, args)
    return Result(lines, code, kind="error" if code else "answer")


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [("start", "log"), ("stop", "log")] if not args else []


COMMANDS = (Command(rank=0,
    name="log", scope=Scope.DEVICE, section=Section.RECORDS,
    usage="log start FILE [text|jsonl] | log stop | log", summary="record lines, replies, feedback",
    help_rows=(("log start FILE [text|jsonl] | log stop | log", "record lines, replies, feedback"),),
    handler=_log, complete=_complete, recorded=False),)  # `log` writes its own notes
