"""`trace on [pane|inline]` | `trace off` | `trace`: every JSON-RPC frame, as it goes.

The frames are masked and timestamped by xshell.session.wiretrace; where they show is
the mode's choice (`Session.on_trace`): on the full screen the feedback pane (`pane`,
the default; `pane filter >>` keeps the sent ones) or the output, interleaved with the
answers (`inline`); in --plain and scripts they are interleaved with the output (scripts:
on stderr). A transcript records each frame as a record of its own. Off, the transport
pays one attribute check per frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.session.result import EXIT_USAGE, Result
from xshell.session.wiretrace import start_trace, stop_trace

USAGE = "trace on [pane|inline] | trace off | trace"
_WHERE = ("pane", "inline")


async def _trace(session: Any, args: tuple[str, ...]) -> Result:
    words = [a.lower() for a in args]
    if not words:
        wire = session.wire
        if wire is None:
            return Result(["trace: off (trace on shows every JSON-RPC frame)"])
        said = getattr(session.context, "trace_to", "") or wire.where
        return Result([f"trace: on ({said}), {wire.frames} frames so far"])
    if words[0] == "on" and len(words) <= 2 and (len(words) == 1 or words[1] in _WHERE):
        where = words[1] if len(words) == 2 else "pane"
        start_trace(session, where)
        shown = "" if session.on_trace is not None else "; no screen here: the transcript records them"
        said = getattr(session.context, "trace_to", "") or where  # a script: stderr, not a pane
        return Result([f"trace: on ({said}): every JSON-RPC frame, secrets masked{shown}"])
    if words == ["off"]:
        frames = stop_trace(session)
        return Result([f"trace: off ({frames} frames traced)" if frames else "trace: off"])
    return Result([f"error: trace: unknown form {' '.join(args)!r}; use {USAGE}"], EXIT_USAGE,
                  kind="error")


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    if not args:
        return [("on", "trace"), ("off", "trace")]
    if len(args) == 1 and args[0].lower() == "on":
        return [("pane", "in the feedback pane"), ("inline", "interleaved with the output")]
    return []


COMMANDS = (Command(
    rank=21, name="trace", scope=Scope.DEVICE, section=Section.DEVICE, usage=USAGE,
    summary="show every JSON-RPC frame sent and received, timestamped, secrets masked",
    help_rows=(("trace on [pane|inline]", "show every JSON-RPC frame (feedback pane or output)"),
               ("trace off | trace", "stop tracing | say whether it is on")),
    handler=_trace, complete=_complete),)
