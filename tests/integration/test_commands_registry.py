"""The shell-command registry decides everything about a shell command.

The command list is taken from the registry, never written here: `help`, `?` and F1 list
each command, each name and alias completes, and each is answered by its own handler
(the device hears nothing) — so a command added to the registry is checked by itself.
Last, one typed line is tokenized at most twice on its way from the UI backend to the wire.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import xshell.lang.grammar as grammar
from tests.integration.conftest import Rooms, discovered
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
def test_help_question_mark_and_f1_list_every_command(cmd: Command) -> None:
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


@pytest.mark.parametrize("scope", list(Scope))
def test_a_handler_of_the_wrong_kind_for_its_scope_is_refused_when_declared(scope: Scope) -> None:
    """The screen calls a UI handler and uses its Result at once; a session awaits the
    others: the wrong kind is a TypeError naming the command, not a coroutine never awaited."""
    from xshell.session.result import Result

    def sync(ctx: Any, args: tuple[str, ...]) -> Result:
        return Result([])

    async def coro(ctx: Any, args: tuple[str, ...]) -> Result:
        return Result([])
    right, wrong = (sync, coro) if scope is Scope.UI else (coro, sync)
    Command(name="probe", scope=scope, usage="probe", summary="", handler=right)
    with pytest.raises(TypeError, match=f"shell command 'probe': a {scope.value} handler must be"):
        Command(name="probe", scope=scope, usage="probe", summary="", handler=wrong)
    with pytest.raises(TypeError, match="on_screen must be a plain function"):
        Command(name="probe", scope=scope, usage="probe", summary="", handler=right, on_screen=coro)
    with pytest.raises(TypeError, match="below must be an async function"):
        Command(name="probe", scope=scope, usage="probe", summary="", handler=right, below=sync)


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
    import xshell.ui.app  # noqa: F401 - loaded, so its imports are counted too
    for name, mod in list(sys.modules.items()):  # every module holding grammar's tokenize
        if name.startswith("xshell.") and getattr(mod, "tokenize", None) is real:
            monkeypatch.setattr(mod, "tokenize", counting)
    assert "xshell.lang.redact" in {n for n, m in sys.modules.items() if getattr(m, "tokenize", None) is counting}
    return seen



async def two_rooms_on_the_wire(multi: MultiBackend, rooms: Rooms, monkeypatch: pytest.MonkeyPatch,
                                tmp_path: Any) -> list[str]:
    """A second room connected, both discovered; returns the methods sent from then on."""
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
    return sent


@pytest.mark.parametrize("line", [
    "xStatus Audio Volume",
    "@all xStatus Audio Volume",
    "snapshot list",
    'xCommand UserInterface Extensions Panel Save PanelId: "p"\n<Extensions/>',
])
async def test_one_typed_line_is_tokenized_at_most_twice(
        multi: MultiBackend, rooms: Rooms, line: str, count_tokenize: list[str],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    sent = await two_rooms_on_the_wire(multi, rooms, monkeypatch, tmp_path)
    count_tokenize.clear()
    outcome = await multi.execute(line)
    assert 1 <= len(count_tokenize) <= 2, count_tokenize
    if not line.startswith("snapshot"):
        assert sent, "the line reached the wire"
    assert outcome.ok and outcome.lines


TYPED = {  # what the user types at the prompt, line by line (a body ends with ".")
    "xStatus Audio Volume": ["xStatus Audio Volume"],
    "@all xStatus Audio Volume": ["@all xStatus Audio Volume"],
    "snapshot list": ["snapshot list"],
    "body": ['xCommand UserInterface Extensions Panel Save PanelId: "p"', "<Extensions/>", "."],
}


@pytest.mark.parametrize("typed", list(TYPED))
async def test_a_line_typed_at_the_prompt_is_tokenized_at_most_twice_on_its_way_to_the_wire(
        multi: MultiBackend, rooms: Rooms, typed: str, count_tokenize: list[str],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """From the prompt (plain mode: history masked as prompt-toolkit keeps it, the body
    read, the echo) through the transcript to the wire: the line is read once, not per layer."""
    from prompt_toolkit.history import InMemoryHistory

    from xshell.session.transcript import open_transcript
    from xshell.ui.inputline import MaskedHistory
    from xshell.ui.shared import masked

    sent = await two_rooms_on_the_wire(multi, rooms, monkeypatch, tmp_path)
    transcript = open_transcript(tmp_path / "session.log")
    multi.current.session.context.transcript = transcript
    out: list[str] = []
    shell = PlainShell(multi, out.extend)
    history = MaskedHistory(InMemoryHistory(), lambda t: masked(multi, shell.read(t)))
    lines = iter(TYPED[typed])

    async def read(prompt: str) -> str | None:
        line = next(lines, None)
        if line is not None and prompt != "... ":
            history.append_string(line)  # as prompt-toolkit does when the line is accepted
        return line

    count_tokenize.clear()
    await shell.loop(read, lambda: "")
    assert 1 <= len(count_tokenize) <= 2, count_tokenize
    transcript.close()
    assert shell.failures == 0, out
    if typed != "snapshot list":
        assert sent, "the line reached the wire"
    assert TYPED[typed][0] in list(history.get_strings())
    recorded = TYPED[typed][0].removeprefix("@all ")  # `@all`: each device records its line
    assert f"> {recorded}" in (tmp_path / "session.log").read_text(encoding="utf-8")


def test_a_one_shot_xapi_line_never_imports_the_command_modules() -> None:
    """`xshell -c 'xStatus …'` parses and sends without discovering the registry (issue 18:
    about 45 ms of a one-shot; nor the registry module itself); the first shell-command word
    discovers it, and then help, completion and dispatch read the same records."""
    import subprocess

    probe = (
        "import sys, xshell.modes.script\n"
        "from xshell.lang.line import read_line\n"
        "read_line('xStatus Audio Volume'); read_line('{\"jsonrpc\": \"2.0\"}')\n"
        "print(sorted(m for m in sys.modules if m.startswith('xshell.commands.')))\n"
        "print(type(read_line('help')).__name__, 'help' in sys.modules['xshell.lang.vocabulary']"
        ".shell_vocabulary().names, 'xshell.commands.help' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    before, after = run.stdout.splitlines()
    assert before == "[]"  # not even the registry module: xshell.commands installs it lazily
    assert after == "CommandLine True True"
