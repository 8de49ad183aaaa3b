"""What one line produced, and the exit statuses a run reports.

Shared by the session, the command handlers and every run mode, so it sits apart from
the Session class: a handler builds a Result without knowing how a session runs lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["EXIT_CONNECTION", "EXIT_OK", "EXIT_USAGE", "EXIT_XAPI", "Result", "ResultKind",
           "error_result"]

EXIT_OK, EXIT_XAPI, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3
ResultKind = Literal["answer", "parse_error", "error"]


@dataclass
class Result:
    """What one line produced: the lines to print and the exit status it implies.

    kind: "answer" — the device's answer (or a local one in the same form), for stdout;
    "parse_error" / "error" — xshell's own message about the line or the link (scripts
    print these on stderr, with the line number).
    """

    lines: list[str]
    exit_code: int = EXIT_OK
    exit_shell: bool = False  # bye / exit / quit
    kind: ResultKind = "answer"

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


def error_result(message: str, code: int) -> Result:
    """One line of xshell's own about a failed line (`error: …`), with its exit status."""
    return Result([f"error: {message}"], code, kind="error")
