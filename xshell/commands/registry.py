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
  3. Add a test in tests/integration/test_commands_registry.py style: help, completion and dispatch
     follow from the registry by themselves.
Modules are found by scanning this package, so nothing else needs editing.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from xshell.lang.vocabulary import (ArgCompleter, ShellVocabulary, use_vocabulary,
                                    use_vocabulary_provider)
from xshell.session.command_table import use_commands
from xshell.session.result import EXIT_USAGE, Result

__all__ = ["Command", "Handler", "Scope", "ScreenHandler", "Section", "SessionHandler", "all_commands",
           "command_help_lines", "install", "lookup", "session_commands", "vocabulary",
           "vocabulary_on_first_need", "words", "not_here"]

# The screen answers at once (a screen handler is sync); a session or the several-devices
# shell awaits its handler. `Command.handler` is one or the other by its scope, which
# `Command.__post_init__` checks, so the accessors below hand out the kind the caller needs.
ScreenHandler = Callable[[Any, tuple[str, ...]], Result]
SessionHandler = Callable[[Any, tuple[str, ...]], Awaitable[Result]]
Handler = ScreenHandler | SessionHandler


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
    below: SessionHandler | None = None
    on_screen: ScreenHandler | None = None
    screen_takes: Callable[[tuple[str, ...]], bool] = field(default=lambda args: True)
    verb_word: bool = False
    takes_paths: bool = False  # its args are xAPI paths: they complete as `xStatus …` would
    takes_text: bool = False  # a session hands it the text after its name as typed, one arg
    rank: int = 50  # the order within its help section (ties: module name)

    def __post_init__(self) -> None:
        """A handler of the wrong kind would hand its caller a coroutine it never awaits
        (or await a Result): refuse it when the command module is imported."""
        wants_sync = self.scope is Scope.UI
        if inspect.iscoroutinefunction(self.handler) == wants_sync:
            kind = "a plain function" if wants_sync else "an async function"
            raise TypeError(f"shell command {self.name!r}: a {self.scope.value} handler must be {kind}")
        if self.on_screen is not None and inspect.iscoroutinefunction(self.on_screen):
            raise TypeError(f"shell command {self.name!r}: on_screen must be a plain function")
        if self.below is not None and not inspect.iscoroutinefunction(self.below):
            raise TypeError(f"shell command {self.name!r}: below must be an async function")

    def screen_handler(self, args: tuple[str, ...]) -> ScreenHandler | None:
        """What the screen runs itself for these args (None: the backend answers)."""
        if self.scope is Scope.UI:
            # sync by scope (checked in __post_init__)
            return cast(ScreenHandler, self.handler) if self.screen_takes(args) else None
        if self.on_screen is not None and self.screen_takes(args):
            return self.on_screen
        return None

    def shell_handler(self) -> SessionHandler | None:
        """What the several-devices shell awaits (None: not a whole-shell command)."""
        # async by scope (checked in __post_init__)
        return cast(SessionHandler, self.handler) if self.scope is Scope.SHELL else None

    def session_handler(self) -> SessionHandler | None:
        """What a device session runs (None: not available without the shell above)."""
        # async by scope (checked in __post_init__)
        return cast(SessionHandler, self.handler) if self.scope is Scope.DEVICE else self.below

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


def install() -> None:
    """Hand lang and the session the registry without discovering it yet.

    Discovery imports every command module (and through them guard, snapshot, watch,
    completion …): about 45 ms a one-shot `xshell -c 'xStatus …'` never needs. The first
    line whose first word is not an xAPI verb, the first completion, `help` or dispatch
    runs it; everything still derives from the records.
    """
    use_vocabulary_provider(_discovered_vocabulary)
    use_commands(_SessionCommands())


def _discovered_vocabulary() -> ShellVocabulary:
    all_commands()
    return vocabulary()


def vocabulary_on_first_need() -> ShellVocabulary:
    """The command words, discovering the registry first (xshell.commands' provider)."""
    return _discovered_vocabulary()


def session_commands() -> _SessionCommands:
    """The registry as a device session sees it (xshell.commands asks it on first need)."""
    return _SessionCommands()


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
        aliases={a: c.name for c in cmds for a in c.aliases},
        path_words=frozenset(w for c in cmds if c.takes_paths for w in c.words))


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

    def handler(self, name: str) -> SessionHandler | None:
        cmd = lookup(name)
        return cmd.session_handler() if cmd is not None else None

    def recorded(self, name: str) -> bool:
        cmd = lookup(name)
        return cmd.recorded if cmd is not None else True

    def takes_text(self, name: str) -> bool:
        cmd = lookup(name)
        return cmd is not None and cmd.takes_text
