"""The shell-command registry (registry.py) and one module per command family.

Importing this package hands lang and the session the registry without importing it:
registry.py (its records, StrEnums and discovery) loads on first need, the first line
whose first word is not an xAPI verb, the first completion, `help` or dispatch, so a
one-shot `xshell -c 'xStatus …'` never pays for it (registry.install says why).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from xshell.lang.vocabulary import ShellVocabulary, use_vocabulary_provider
from xshell.session.command_table import use_commands

if TYPE_CHECKING:
    from xshell.session.result import Result


def _vocabulary() -> ShellVocabulary:
    from xshell.commands.registry import vocabulary_on_first_need

    return vocabulary_on_first_need()


class _RegistryOnFirstNeed:
    """The session's command table until the registry is imported; each question imports
    it (once) and asks it. Discovery then installs the registry's own table."""

    def handler(self, name: str) -> Callable[[Any, tuple[str, ...]], Awaitable[Result]] | None:
        from xshell.commands.registry import session_commands

        return session_commands().handler(name)

    def recorded(self, name: str) -> bool:
        from xshell.commands.registry import session_commands

        return session_commands().recorded(name)

    def takes_text(self, name: str) -> bool:
        from xshell.commands.registry import session_commands

        return session_commands().takes_text(name)


use_vocabulary_provider(_vocabulary)
use_commands(_RegistryOnFirstNeed())
