"""The shell-command registry decides everything about a shell command.

The command list is taken from the registry, never written here: `help`, `?` and F1 list
each command, each name and alias completes, and each is answered by its own handler
(the device hears nothing) — so a command added to the registry is checked by itself.
Last, one typed line is tokenized at most twice on its way from the UI backend to the wire.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

import xshell.lang.grammar as grammar
from tests.test_multi import Rooms, discovered, multi, rooms  # noqa: F401 - fixtures
from xshell.commands import registry
from xshell.commands.help import help_text, shell_help
from xshell.commands.registry import Command, Scope, all_commands
from xshell.lang.complete import DEVICE_WORDS, PROFILE_WORDS, SNAPSHOT_WORDS, candidates
from xshell.shell.many_devices import MultiBackend
from xshell.ui.plain import PlainShell

COMMANDS = all_commands()
RUN_WORDS = {DEVICE_WORDS: ["room1", "room2"], PROFILE_WORDS: ["lab"], SNAPSHOT_WORDS: ["before"]}


def listed(cmd: Command) -> list[str]:
    """What a help text must show for `cmd`: its first usage row."""
    return [(cmd.help_rows[0][0] if cmd.help_rows else cmd.usage)]


def test_the_registry_has_the_shell_commands() -> None:
    names = {w for c in COMMANDS for w in c.words}
    assert {"help", "?", "bye", "exit", "quit", "clear", "pane", "output", "xpreferences", "echo",
            "refresh", "reconnect", "log", "snapshot", "diff", "connect", "use", "devices",
            "disconnect"} <= names


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.name)
def test_help_question_mark_and_f1_list_every_command(cmd: Command, multi: MultiBackend) -> None:
    written: list[str] = []
    shell = PlainShell(multi, written.extend)
    for usage in listed(cmd):
        assert any(usage in line for line in help_text()), "help / F1"
        assert any(usage in line for line in shell_help()), "`?` in a script"
    for word in cmd.words:
        if word != "?":
            assert word.lower() in " ".join(help_text()).lower()


async def test_help_and_question_mark_show_the_same_list_on_the_screen(multi: MultiBackend) -> None:
    for typed in ("help", "?"):
        written: list[str] = []
        assert await PlainShell(multi, written.extend).handle(typed)
        for cmd in COMMANDS:
            assert any(listed(cmd)[0] in line for line in written), (typed, cmd.name)


async def test_f1_shows_the_registry_help() -> None:
    from xshell.ui import app

    assert app.help_text is help_text  # F1 (show_help) and `help` print this one function


@pytest.mark.parametrize("word", sorted({w for c in COMMANDS if not c.verb_word for w in c.words} - {"?"}))
def test_every_name_and_alias_completes(word: str) -> None:
    for typed in (word[:1], word[:3], word):
        shown = [c.display for c in candidates(typed, None, shell_words=RUN_WORDS)]
        assert word in shown, typed


@pytest.mark.parametrize("cmd", [c for c in COMMANDS if c.complete is not None], ids=lambda c: c.name)
def test_arguments_complete_as_the_registry_says(cmd: Command) -> None:
    assert cmd.complete is not None
    offered = sorted({o for o, _ in cmd.complete((), RUN_WORDS)}, key=str.lower)
    assert offered, "a completer with nothing to offer for the first argument"
    word = "xPreferences" if cmd.verb_word else cmd.name
    assert [c.text for c in candidates(f"{word} ", None, shell_words=RUN_WORDS)] == offered


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, tuple[str, ...]]]]:
    """Every handler of the registry replaced by a spy that records (name, args)."""
    calls: list[tuple[str, tuple[str, ...]]] = []
    from xshell.session.result import Result

    def spy_for(name: str) -> tuple[Any, Any]:
        def sync(ctx: Any, args: tuple[str, ...]) -> Result:
            calls.append((name, args))
            return Result([f"{name} answered"])

        async def coro(ctx: Any, args: tuple[str, ...]) -> Result:
            return sync(ctx, args)
        return sync, coro

    for word, cmd in list(registry._BY_WORD.items()):
        sync, coro = spy_for(cmd.name)
        handler = sync if cmd.scope is Scope.UI else coro
        monkeypatch.setitem(registry._BY_WORD, word, dataclasses.replace(
            cmd, handler=handler, below=coro if cmd.below else None,
            on_screen=sync if cmd.on_screen else None))
    yield calls


async def test_every_command_is_answered_by_its_handler_and_never_sent(
        multi: MultiBackend, spied: list[tuple[str, tuple[str, ...]]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    await discovered(multi)  # its own reads done: from now on the device hears only lines
    sent: list[Any] = []
    client = multi.current.session.client
    original = client.call

    async def call(method: str, params: Any = None, **kw: Any) -> Any:
        sent.append(method)
        return await original(method, params, **kw)
    monkeypatch.setattr(client, "call", call)
    shell = PlainShell(multi, lambda lines: None)
    for cmd in COMMANDS:
        for word in cmd.words:
            typed = "xPreferences" if cmd.verb_word else word
            spied.clear()
            await shell.handle(typed)  # the screen first, as a user types it
            assert spied == [(cmd.name, ())], typed
            spied.clear()
            if cmd.scope is not Scope.UI:  # and the backend, as `@…` and scripts reach it
                await multi.execute(f"{typed} one")
                assert spied == [(cmd.name, ("one",))], typed
    assert sent == []


@pytest.fixture
def count_tokenize(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = grammar.tokenize

    def counting(text: str, vocab: Any = None) -> list[grammar.Token]:
        seen.append(text)
        return real(text, vocab)
    for module in ("xshell.lang.grammar", "xshell.lang.line", "xshell.lang.parse",
                   "xshell.lang.bodies", "xshell.lang.unparse", "xshell.lang.suggest",
                   "xshell.lang.complete", "xshell.session.transcript", "xshell.lang.lexer"):
        mod = __import__(module, fromlist=["tokenize"])
        if hasattr(mod, "tokenize"):
            monkeypatch.setattr(mod, "tokenize", counting)
    return seen


@pytest.mark.parametrize("line", [
    "xStatus Audio Volume",
    "@all xStatus Audio Volume",
    "snapshot list",
    'xCommand UserInterface Extensions Panel Save PanelId: "p"\n<Extensions/>',
])
async def test_one_typed_line_is_tokenized_at_most_twice(
        multi: MultiBackend, rooms: Rooms, line: str, count_tokenize: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert (await multi.execute(f"connect {rooms.urls[1]} as room2")).ok
    sent: list[str] = []
    for d in multi.devices:
        client, original = d.session.client, d.session.client.call

        async def call(method: str, params: Any = None, _o: Any = original, **kw: Any) -> Any:
            sent.append(method)
            return await _o(method, params, **kw)
        monkeypatch.setattr(client, "call", call)
    await discovered(multi)
    count_tokenize.clear()
    outcome = await multi.execute(line)
    assert 1 <= len(count_tokenize) <= 2, count_tokenize
    if not line.startswith("snapshot"):
        assert sent, "the line reached the wire"
    assert outcome.ok and outcome.lines
