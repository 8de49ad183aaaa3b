r"""Transcripts: every line sent, every reply and every feedback event, timestamped.

A technician hands a transcript to a colleague or attaches it to a ticket, so it must read
well, grep well and never hold a secret. Callers pass lines that are already redacted
(`Session` masks the sent line with lang.redact's `redact_entry`, as history does;
replies and events are rendered with hide_value configurations as `***` and secret
parameters scrubbed); this module only lays records out and writes them.

Text format (the default): one line per output line, each self-contained, so
`grep ' boardroom < '` or `grep '!.*Audio Volume'` gives whole facts:

    2026-11-24T21:03:04.512Z boardroom > xStatus Audio Volume
    2026-11-24T21:03:04.514Z boardroom < *s Audio Volume: 50
    2026-11-24T21:03:04.514Z boardroom < ** end
    2026-11-24T21:03:09.020Z boardroom ! *s Audio Volume: 60
    2026-11-24T21:03:10.001Z boardroom # log stopped

  time    UTC, ISO 8601 with milliseconds and `Z`;
  device  the session's name (whitespace replaced by `_`, `-` when unknown);
  marker  `>` a line sent (a multiline command's body is never written, only
              `(body: N lines)`), `<` a reply line, `!` a feedback event line,
              `>>`/`<<` a JSON-RPC frame sent/received while `trace on` (masked),
              `#` a note (log started/stopped, connected, reconnected, and
              `exit N` after a reply that did not succeed).
Anything a terminal would obey (C0/C1 controls, bidi overrides, lone surrogates) is written
as a visible escape (`\x1b`, `\u009b`; see xshell.inert), so one record is one line and
`cat`/`less` of a transcript cannot drive the terminal.

JSON Lines (`fmt="jsonl"`, chosen by default for a FILE ending in `.jsonl`), one object
per record, for tools (DEL, C1, bidi controls and lone surrogates as `\uXXXX` escapes, so the
file holds none raw and `json.loads` still gives every string back exactly):

    {"time": "…Z", "device": "boardroom", "kind": "sent", "line": "…", "body_lines": 0}
    {"time": "…Z", "device": "boardroom", "kind": "reply", "lines": […], "ok": true, "exit": 0}
    {"time": "…Z", "device": "boardroom", "kind": "feedback", "lines": […]}
    {"time": "…Z", "device": "boardroom", "kind": "note", "line": "log started"}
    {"time": "…Z", "device": "boardroom", "kind": "trace", "direction": "sent", "frame": "{…}"}

The file is opened for appending (two runs can share one), created private (0600), and
flushed after every record — a crash loses nothing already shown — but never fsynced,
which would slow feedback storms to the disk's pace. A write that fails (disk full)
stops the transcript with one logged warning; the shell carries on.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Literal

from xshell.errors import XShellError
from xshell.inert import inert

log = logging.getLogger(__name__)

Format = Literal["text", "jsonl"]
FORMATS: tuple[str, ...] = ("text", "jsonl")
_SPACE = re.compile(r"\s+")


class TranscriptError(XShellError, ValueError):
    """The transcript file could not be opened; str() is one line naming the file.

    A ValueError too, so callers that catch (OSError, ValueError) around opening see it.
    """


def timestamp(t: float) -> str:
    """`2026-11-24T21:03:04.512Z`: sortable, unambiguous across time zones."""
    from datetime import UTC, datetime  # only once a transcript is written

    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def default_format(path: str | os.PathLike[str]) -> Format:
    """jsonl for a `.jsonl` file, text otherwise (what `--log FILE` picks without a format)."""
    return "jsonl" if str(path).lower().endswith(".jsonl") else "text"


class Transcript:
    """An open transcript file; one per run, shared by every device session."""

    def __init__(self, stream: IO[str], path: str, fmt: Format) -> None:
        self.path = path
        self.format: Format = fmt
        self._stream: IO[str] | None = stream
        self.error = ""  # why writing stopped, when it did
        self.records = 0

    @property
    def closed(self) -> bool:
        return self._stream is None

    # ------------------------------------------------------------------ records
    def sent(self, device: str, line: str, body_lines: int = 0, *, at: float | None = None) -> None:
        """A line the user ran (already redacted); a body is only counted, never written."""
        if self.format == "jsonl":
            self._json(at, device, {"kind": "sent", "line": line, "body_lines": body_lines})
            return
        suffix = f" (body: {body_lines} lines)" if body_lines else ""
        self._text(at, device, ">", [line + suffix])

    def reply(self, device: str, lines: Sequence[str], exit_code: int = 0, *,
              at: float | None = None) -> None:
        """The answer to the last sent line, and its exit status (0 ok)."""
        if self.format == "jsonl":
            self._json(at, device, {"kind": "reply", "lines": list(lines), "ok": exit_code == 0,
                                    "exit": exit_code})
            return
        out = [("<", ln) for ln in lines]
        if exit_code:
            out.append(("#", f"exit {exit_code}"))
        self._text_pairs(at, device, out)

    def feedback(self, device: str, lines: Sequence[str], *, at: float | None = None) -> None:
        """One feedback event's rendered lines."""
        if self.format == "jsonl":
            self._json(at, device, {"kind": "feedback", "lines": list(lines)})
            return
        self._text(at, device, "!", lines)

    def trace(self, device: str, direction: str, frame: str, *, at: float | None = None) -> None:
        """One JSON-RPC frame of `trace on` (already masked): `>>` sent, `<<` received."""
        if self.format == "jsonl":
            self._json(at, device, {"kind": "trace", "direction": direction, "frame": frame})
            return
        self._text(at, device, ">>" if direction == "sent" else "<<", [frame])

    def note(self, device: str, text: str, *, at: float | None = None) -> None:
        """Something about the run rather than the device: log started, reconnected…"""
        if self.format == "jsonl":
            self._json(at, device, {"kind": "note", "line": text})
            return
        self._text(at, device, "#", [text])

    # ------------------------------------------------------------------ writing
    def _text(self, at: float | None, device: str, marker: str, lines: Sequence[str]) -> None:
        self._text_pairs(at, device, [(marker, ln) for ln in lines])

    def _text_pairs(self, at: float | None, device: str, pairs: Sequence[tuple[str, str]]) -> None:
        head = f"{timestamp(time.time() if at is None else at)} {_device(device)} "
        self._write("".join(f"{head}{m} {inert(ln)}".rstrip() + "\n" for m, ln in pairs))

    def _json(self, at: float | None, device: str, fields: dict[str, object]) -> None:
        record = {"time": timestamp(time.time() if at is None else at), "device": device or None,
                  **fields}
        self._write(inert(json.dumps(record, ensure_ascii=False, default=str)) + "\n")

    def _write(self, data: str) -> None:
        stream = self._stream
        if stream is None:
            return
        try:
            stream.write(data)
            stream.flush()
            self.records += 1
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.error = f"writing {self.path} failed: {reason}"
            log.warning("transcript stopped: %s", self.error)
            self._drop()

    def _drop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass

    def close(self) -> None:
        """Close the file; calling it again does nothing."""
        self._drop()


def _device(name: str) -> str:
    return _SPACE.sub("_", inert(name.strip())) or "-"


def open_transcript(path: str | os.PathLike[str], fmt: str | None = None) -> Transcript:
    """Open (append, create 0600) a transcript; TranscriptError names the file and the reason.

    `fmt`: "text", "jsonl", or None for `default_format(path)`.
    """
    if fmt is not None and fmt not in FORMATS:
        raise TranscriptError(f"transcript format {fmt!r} is not one of text, jsonl")
    name = os.path.expanduser(os.fspath(path))
    chosen: Format = default_format(name) if fmt is None else fmt  # type: ignore[assignment]  # in FORMATS: checked above
    if not name:
        raise TranscriptError("no transcript file given")
    try:
        if Path(name).is_dir():
            raise IsADirectoryError(21, "is a directory")
        fd = os.open(name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        stream = os.fdopen(fd, "a", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise TranscriptError(f"cannot open transcript {name}: {exc.strerror or exc}") from None
    return Transcript(stream, name, chosen)


def log_command(context: Any, device: str, args: tuple[str, ...]) -> tuple[list[str], int]:
    """The shell command `log` | `log start FILE [text|jsonl]` | `log stop`.

    The transcript lives in the run's shared context, so starting it from any device
    session records every device. Returns (lines, exit status); errors are one line.
    """
    words = [a.lower() for a in args]
    current: Transcript | None = context.transcript
    if not words:
        if current is None:
            return ["log: off (log start FILE [text|jsonl] starts a transcript)"], 0
        if current.error:
            return [f"log: stopped: {current.error}"], 0
        return [f"log: writing to {current.path} ({current.format})"], 0
    if words[0] == "stop" and len(words) == 1:
        if current is None:
            return ["log: off; nothing to stop"], 0
        current.note(device, "log stopped")
        current.close()
        context.transcript = None
        return [f"log: stopped writing to {current.path}"], 0
    if words[0] == "start" and len(words) in (2, 3):
        if current is not None and not current.closed:
            return [f"error: log: already writing to {current.path}; `log stop` first"], 2
        try:
            tr = open_transcript(args[1], words[2] if len(words) == 3 else None)
        except TranscriptError as exc:
            return [f"error: log: {exc}"], 2
        context.transcript = tr
        tr.note(device, "log started")
        return [f"log: writing to {tr.path} ({tr.format})"], 0
    return [f"error: log: unknown form {' '.join(args)!r}; "
            "use log, log start FILE [text|jsonl] or log stop"], 2


__all__ = ["Transcript", "log_command", "TranscriptError", "open_transcript", "default_format",
           "timestamp", "FORMATS"]
