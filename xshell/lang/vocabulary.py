"""The shell's own command words, as the language needs them.

lang sits below the command registry (xshell.commands.registry): the registry builds a
`ShellVocabulary` from its records and installs it here once, and the tokenizer, the
completer and the parser read it, so the language knows exactly the registry's words
without importing the layer above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["ArgCompleter", "ShellVocabulary", "shell_vocabulary", "use_vocabulary",
           "use_vocabulary_provider"]


# Argument completion of one shell command: (the words typed after the name, the shell's
# run-time names by kind) -> [(candidate, meta)] for the word being typed.
ArgCompleter = Callable[[Sequence[str], Mapping[str, Sequence[str]]], Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class ShellVocabulary:
    """The shell's own command words, as the language needs them (no handlers, no help).

    lang sits below the command registry (xshell.commands.registry), which builds this
    value from its records and installs it with `use_vocabulary`; the tokenizer, the
    completer and the parser read it from here, so they know exactly the registry's words.
    names: every name and alias (lower case); whole_shell: those about the shell as a
    whole (refused after `@NAMES`); args: argument completion by name.
    """

    names: frozenset[str] = frozenset()
    whole_shell: frozenset[str] = frozenset()
    args: Mapping[str, ArgCompleter] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias -> canonical name
    path_words: frozenset[str] = frozenset()  # commands whose args are xAPI paths (watch)

    def canonical(self, word: str) -> str | None:
        """The command a first word names (`?` is help), or None."""
        low = word.lower()
        if low not in self.names:
            return None
        return self.aliases.get(low, low)


_EMPTY = ShellVocabulary()
_vocabulary: ShellVocabulary | None = None
# Builds the words on first need (xshell.commands installs the registry's discovery here):
# a line whose first word is an xAPI verb or raw JSON never needs them, so a one-shot
# `xshell -c 'xStatus …'` never imports the command modules.
_provider: Callable[[], ShellVocabulary] | None = None


def use_vocabulary(vocab: ShellVocabulary) -> None:
    """Install the shell's command words (done once, by xshell.commands.registry)."""
    global _vocabulary
    _vocabulary = vocab


def use_vocabulary_provider(provider: Callable[[], ShellVocabulary]) -> None:
    """Install what builds the command words the first time something reads them."""
    global _provider
    _provider = provider


def shell_vocabulary() -> ShellVocabulary:
    """The installed command words (built by the provider on first call; empty without one)."""
    global _vocabulary
    if _vocabulary is None and _provider is not None:
        _vocabulary = _provider()
    return _vocabulary if _vocabulary is not None else _EMPTY
