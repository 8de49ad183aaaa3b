"""The shell-command registry: every command of the shell, declared once.

A command is one `Command` record in one module of this package; dispatch (the UI, the
several-devices shell and the device session each answer their scope), `help`, `?`, F1,
completion of command names and their arguments, and transcripts all read the records,
so they cannot disagree. lang gets the command words as a `ShellVocabulary` value (lang
sits below this package and never imports it).

How to add a command (one file, plus its test):
  1. Write `xshell/commands/NAME.py` with the handler and a module-level
     `COMMANDS = (Command(name=…, scope=…, usage=…, summary=…, handler=…),)`.
     The scope picks who answers it and what the handler gets (see `Scope`):
     UI → `UiActions`, SHELL → `ManyDevices`, DEVICE → `DeviceSession` (commands/contexts.py);
     a handler returns a `Result` (lines, exit status).
  2. Give `complete=` a pure function of the typed args and the run-time words if its
     arguments can be completed; `recorded=False` if a transcript must not record it.
  3. Add a test in tests/test_commands_registry.py style: help, completion and dispatch
     follow from the registry by themselves.
Modules are found by scanning this package, so nothing else needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from xshell.lang.vocabulary import ArgCompleter, ShellVocabulary, use_vocabulary
from xshell.session.core import use_commands
from xshell.session.result import EXIT_USAGE, Result

__all__ = ["Command", "Scope", "Section", "all_commands", "command_help_lines", "lookup",
           "vocabulary", "words", "not_here"]

Handler = Callable[[Any, tuple[str, ...]], "Result | Awaitable[Result]"]


class Scope(StrEnum):
    """Who answers a command (and so what its handler gets as its first argument)."""

    UI = "ui"  # the screen: clear, pane, bye … (sync handler, gets UiActions)
    SHELL = "shell"  # the whole shell: connect, use, devices, disconnect (gets ManyDevices)
    DEVICE = "device"  # one device's session: output, log, snapshot … (gets DeviceSession)


class Section(StrEnum):
    """Where help lists a command (the headings are the help text's)."""

    SCREEN = "Shell commands (handled locally):"
    DEVICE = "This device's session (also in scripts: xshell -c 'output json' …):"
    DEVICES = "Several devices (the prompt names the current one; feedback is tagged [NAME]):"
    RECORDS = "Transcripts and snapshots (also in scripts: xshell -c 'snapshot save NAME' …):"


@dataclass(frozen=True)
class Command:
    """One shell command: its words, who answers it, its help and its argument completion.

    help_rows: (usage, summary) rows for the help text; empty means one row of
    (usage, summary). complete: (typed args, run-time words) → [(candidate, meta)].
    recorded: whether a transcript records the line and its reply. below: for a UI
    command, the handler used where there is no screen (scripts: `bye` ends them).
    on_screen: for a DEVICE command, the screen's own answer when `screen_takes(args)`
    (plain `help` shows the help with the keys; `help xStatus` is the device's); for a
    UI command `screen_takes` says which args the screen answers (`exit now` goes below).
    verb_word: spelled as an xAPI verb (xPreferences): lang knows the word already.
    """

    name: str
    scope: Scope
    usage: str
    summary: str
    handler: Handler
    section: Section = Section.SCREEN
    aliases: tuple[str, ...] = ()
    help_rows: tuple[tuple[str, str], ...] = ()
    complete: ArgCompleter | None = None
    recorded: bool = True
    below: Handler | None = None
    on_screen: Handler | None = None
    screen_takes: Callable[[tuple[str, ...]], bool] = field(default=lambda args: True)
    verb_word: bool = False
    rank: int = 50  # the order within its help section (ties: module name)

    def screen_handler(self, args: tuple[str, ...]) -> Handler | None:
        """What the screen runs itself for these args (None: the backend answers)."""
        if self.scope is Scope.UI:
            return self.handler if self.screen_takes(args) else None
        if self.on_screen is not None and self.screen_takes(args):
            return self.on_screen
        return None

    def session_handler(self) -> Handler | None:
        """What a device session runs (None: not available without the shell above)."""
        return self.handler if self.scope is Scope.DEVICE else self.below

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _discover() -> tuple[Command, ...]:
    """Every module of this package that declares COMMANDS, in module-name order."""
    import xshell.commands as pkg

    found: list[Command] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name in ("registry", "contexts"):
            continue
        module = importlib.import_module(f"xshell.commands.{info.name}")
        found.extend(getattr(module, "COMMANDS", ()))
    return tuple(found)


_COMMANDS: tuple[Command, ...] | None = None
_BY_WORD: dict[str, Command] = {}


def all_commands() -> tuple[Command, ...]:
    """The registry: every command, discovered once."""
    global _COMMANDS
    if _COMMANDS is None:
        commands = _discover()
        by_word: dict[str, Command] = {}
        for cmd in commands:
            for word in cmd.words:
                if word in by_word:
                    raise RuntimeError(f"shell command word {word!r} is declared twice")
                by_word[word] = cmd
        _BY_WORD.update(by_word)
        _COMMANDS = commands
        use_vocabulary(vocabulary())
        use_commands(_SessionCommands())
    return _COMMANDS


def lookup(name: str) -> Command | None:
    """The command a (canonical or alias) word names."""
    all_commands()
    return _BY_WORD.get(name.lower())


def vocabulary() -> ShellVocabulary:
    """The words lang needs: names, whole-shell names, argument completion, aliases."""
    cmds = [c for c in (_COMMANDS or all_commands()) if not c.verb_word]
    return ShellVocabulary(
        names=frozenset(w for c in cmds for w in c.words),
        whole_shell=frozenset(w for c in cmds if c.scope is not Scope.DEVICE for w in c.words),
        args={c.name: c.complete for c in (_COMMANDS or ()) if c.complete is not None},
        aliases={a: c.name for c in cmds for a in c.aliases})


def words(cmd: Command) -> str:
    """`bye | exit | quit`: the words of a command as help shows them."""
    return " | ".join(w for w in cmd.words if w != "?")


def command_help_lines() -> list[str]:
    """Every command, by section: `  usage   summary` rows (the help text's middle)."""
    out: list[str] = []
    for section in Section:
        cmds = sorted((c for c in all_commands() if c.section is section), key=lambda c: c.rank)
        if not cmds:
            continue
        out += ["", section.value]
        for cmd in cmds:
            for usage, summary in cmd.help_rows or ((cmd.usage, cmd.summary),):
                out.append(_row(usage, summary))
        if section is Section.DEVICES:
            out += [_row("@all LINE", "run LINE on every device, results grouped per device"),
                    _row("@room1,room2 LINE", "run LINE on the named devices")]
    return out


def _row(usage: str, summary: str) -> str:
    row = f"  {usage:<21} {summary}" if len(usage) <= 21 else f"  {usage}   {summary}"
    return row.rstrip()


def not_here(name: str) -> Result:
    """The answer to a command whose scope is not available where it was typed."""
    return Result([f"error: {name} is handled by the interactive shell only"], EXIT_USAGE,
                  kind="error")


class _SessionCommands:
    """The registry as a device session sees it (session.core.CommandTable)."""

    def handler(self, name: str) -> Any:
        cmd = lookup(name)
        return cmd.session_handler() if cmd is not None else None

    def recorded(self, name: str) -> bool:
        cmd = lookup(name)
        return cmd.recorded if cmd is not None else True


def complete_args(name: str, args: Sequence[str], run_words: Mapping[str, Sequence[str]]
                  ) -> Sequence[tuple[str, str]]:
    cmd = lookup(name)
    return cmd.complete(args, run_words) if cmd is not None and cmd.complete else ()
