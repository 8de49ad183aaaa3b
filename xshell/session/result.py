"""What one line produced, and the exit statuses a run reports.

Shared by the session, the command handlers and every run mode, so it sits apart from
the Session class: a handler builds a Result without knowing how a session runs lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["EXIT_CONNECTION", "EXIT_OK", "EXIT_USAGE", "EXIT_XAPI", "Report", "Result", "ResultKind",
           "as_documents", "error_document", "error_result"]

EXIT_OK, EXIT_XAPI, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3
ResultKind = Literal["answer", "parse_error", "error"]


@dataclass(frozen=True)
class Report:
    """One room's row of a report (kind "health": xshell.lang.health_view renders it);
    `problem` is one line for summaries ("" when the room is fine).

    `keep_lines`: the room's lines are still shown, the row only adds to a summary table
    after them (`apply`: each room's diff, then one table of counts over `@…`); a fleet
    run, which has its own per-device summary, treats such a result as a plain answer.
    """

    kind: str
    row: Mapping[str, Any]
    problem: str = ""
    keep_lines: bool = False


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
    # What a device itself prints for a line xshell refused (tshell's `Command not
    # recognized.`): scripts put it on stdout before the diagnosis, screens above it.
    reply: list[str] = field(default_factory=list)
    # A row of a report several rooms merge into one table (`health`): `@…` and fleet runs
    # print one table of every room's row instead of each room's lines.
    report: Report | None = None
    # Code or a document meant to be piped as it is (`as curl …`): scripts end it with no
    # `OK` of their own (every other shell-command answer gets one, as tshell's do).
    bare: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


def error_result(message: str, code: int) -> Result:
    """One line of xshell's own about a failed line (`error: …`), with its exit status."""
    return Result([f"error: {message}"], code, kind="error")


def error_document(result: Result, where: str, lineno: int) -> str | None:
    """`-o json`'s `{"error": {...}}` for a line xshell refused or could not run, or None
    for the device's own answers (an xAPI error already is such a document).

    Scripts print it on stdout beside the caret text on stderr, so `jq .error.message`
    sees one document per failed line whatever failed: `{"error": {"message": …,
    "kind": "parse_error"|"error", "source": "-c", "line": 2}}`.
    """
    if result.kind == "answer":
        return None
    from xshell.lang.render_layout import compact_json  # only when a line failed
    lines = [ln for ln in result.lines if ln.strip()]
    message = lines[-1] if result.kind == "parse_error" and lines else " ".join(lines)
    return compact_json({"error": {"message": message.removeprefix("error: "),
                                   "kind": result.kind, "source": where, "line": lineno}})


def _documents_only(text: str) -> bool:
    """Whether `text` is JSON documents and nothing else (one or many, compact or indented)."""
    import json
    decoder, at = json.JSONDecoder(), 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return True
        try:
            _, at = decoder.raw_decode(text, at)
        except ValueError:
            return False


def as_documents(name: str, result: Result) -> Result:
    """A shell command's answer under a JSON output format: JSON documents or nothing.

    The one rule for every shell command: an answer that is not its own document
    already (`echo on`, `trace`, `watch`, `guard`, `output` …) becomes
    `{"command": NAME, "lines": [...]}` (its text lines without the blank + OK ending),
    so `jq` reads a script's whole stdout. Errors get their `{"error": …}` elsewhere;
    code meant to be piped (`bare`) is left alone.
    """
    if result.kind != "answer" or result.bare or result.exit_shell or _documents_only("\n".join(result.lines)):
        return result
    from xshell.lang.render_layout import compact_json
    lines = list(result.lines)
    if lines[-2:] == ["", "OK"]:
        lines = lines[:-2]
    while lines and not lines[-1].strip():
        lines.pop()
    return replace(result, lines=[compact_json({"command": name, "lines": lines})])
