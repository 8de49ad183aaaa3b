"""`clear`: empty the output pane (plain mode: the terminal)."""

from __future__ import annotations

from xshell.commands.contexts import UiActions
from xshell.commands.registry import Command, Scope
from xshell.session.result import Result


def _clear(ui: UiActions, args: tuple[str, ...]) -> Result:
    if args:
        return Result([f"clear: takes no argument (got {' '.join(args)!r})"], 2, kind="error")
    ui.clear_output()
    return Result([])


COMMANDS = (Command(rank=1, name="clear", scope=Scope.UI, usage="clear", summary="clear the output pane",
                    handler=_clear),)  # with args too: it answers its own usage
