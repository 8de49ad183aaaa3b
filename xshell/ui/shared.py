"""Small helpers both UI modes use to talk about requests safely."""

from __future__ import annotations

from xshell.errors import XShellError
from xshell.contract import ShellBackend

__all__ = ["describe_error", "masked"]


def masked(backend: ShellBackend, text: str) -> str:
    """The backend's secret-masked form of `text`; never the raw text if masking fails."""
    try:
        return backend.history_line(text)
    except Exception:
        return text.split(None, 1)[0] + " ***" if text.strip() else ""


def describe_error(exc: BaseException) -> str:
    """One line for an exception raised by the backend (our own errors read as sentences)."""
    text = str(exc) if isinstance(exc, XShellError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__
