"""Small helpers both UI modes use to talk about requests safely."""

from __future__ import annotations

from xshell.errors import XShellError
from xshell.contract import ShellBackend
from xshell.lang.line import Line

__all__ = ["describe_error", "masked"]


def masked(backend: ShellBackend, line: Line) -> str:
    """The backend's secret-masked form of `line` (as read at submit, body included);
    never the raw text if masking fails."""
    try:
        return backend.history_line(line)
    except Exception:  # noqa: BLE001 - see the docstring: never the raw text
        text = line.text
        return text.split(None, 1)[0] + " ***" if text.strip() else ""


def describe_error(exc: BaseException) -> str:
    """One line for an exception raised by the backend (our own errors read as sentences)."""
    text = str(exc) if isinstance(exc, XShellError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__
