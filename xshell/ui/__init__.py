"""xshell.ui: the interactive screens (full-screen app and plain line mode).

The UI owns no protocol logic; it drives a `ShellBackend` (see `backend`). The entry
points are imported lazily so that importing the backend contract stays cheap.
"""

from __future__ import annotations

from typing import Any

from xshell.ui.backend import BackendStatus, FeedbackEvent, Outcome, ShellBackend

__all__ = ["BackendStatus", "FeedbackEvent", "Outcome", "ShellBackend", "help_text", "run_app", "run_plain"]


def __getattr__(name: str) -> Any:
    if name == "run_app":
        from xshell.ui.app import run_app

        return run_app
    if name == "run_plain":
        from xshell.ui.plain import run_plain

        return run_plain
    if name == "help_text":
        from xshell.ui.local_commands import help_text

        return help_text
    raise AttributeError(name)
