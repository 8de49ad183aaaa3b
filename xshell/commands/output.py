"""`output FORMAT` and `xPreferences outputmode terminal|xml|json` (tshell's spelling and
tshell's modes): how this device session prints its answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.lang.formats import format_registry as formats
from xshell.session.result import EXIT_USAGE, Result


def _error(message: str) -> Result:
    return Result([f"error: {message}"], EXIT_USAGE, kind="error")


def _set(session: Any, mode: str, done: list[str]) -> Result:
    result: Result = session.set_output(mode, done)
    return result


async def _output(session: Any, args: tuple[str, ...]) -> Result:
    if not args:
        return Result([f"output: {session.output}"])
    if len(args) > 1:
        return _error(f"output takes one word: {' or '.join(formats.names())}")
    return _set(session, args[0], [f"output: {args[0].lower()}"])


# tshell's words for its modes → xshell's formats: tshell's `json` is its own document
# shape (tshell-json), not xshell's JSON-RPC `-o json`.
_DEVICE_MODES = {"terminal": "terminal", "xml": "xml", "json": "tshell-json"}


def _modes() -> list[str]:
    """What `xPreferences outputmode` takes: tshell's words, then any further format."""
    taken = {*_DEVICE_MODES, *_DEVICE_MODES.values()}
    return [*_DEVICE_MODES, *(n for n in formats.names() if n not in taken)]


async def _preferences(session: Any, args: tuple[str, ...]) -> Result:
    words = [a.lower() for a in args]
    usage = f"xpreferences outputmode <{'/'.join(_modes())}>"
    if not words or words == ["?"]:
        return Result(["xpreferences usage:", f"  {usage}", "OK"])
    if words[0] != "outputmode":
        return _error(f"unknown preference {args[0]!r}; {usage}")
    if len(words) != 2 or words[1] not in _modes():
        return _error(f"xpreferences outputmode takes one of {', '.join(_modes())}")
    return _set(session, _DEVICE_MODES.get(words[1], words[1]), ["", "OK"])


def _complete_output(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [(m, "output") for m in formats.names()] if not args else []


def _complete_preferences(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    low = [a.lower() for a in args]
    if not low:
        return [("outputmode", "preference")]
    return [(m, "output mode") for m in _modes()] if low == ["outputmode"] else []


COMMANDS = (
    Command(rank=0, name="output", scope=Scope.DEVICE, section=Section.DEVICE, usage="output [FORMAT]",
            summary="how answers print: terminal, json … (no word: the current one)", handler=_output,
            complete=_complete_output),
    Command(rank=1, name="xpreferences", scope=Scope.DEVICE, section=Section.DEVICE,
            usage="xPreferences outputmode FORMAT", summary="the same, as tshell spells it",
            handler=_preferences, complete=_complete_preferences, verb_word=True),
)
