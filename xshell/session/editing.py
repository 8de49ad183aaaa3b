"""Bodies from files and from the user's editor, byte for byte.

A macro or a panel is a file on the user's disk; what goes on the wire must be exactly
its text (encoding and line endings kept: CRLF stays CRLF, a BOM stays), and what comes
back from the device is written the same way. So files are read and written as bytes,
decoded as UTF-8 (the JSON text a body travels in), never through universal newlines.

The editor ($VISUAL, else $EDITOR) takes the terminal: the full-screen shell hands it
over (`ShellContext.terminal`, set by the interactive mode) and takes it back after;
scripts and the plain prompt run it directly. Every failure is one `BodyError` line
naming the file or the editor.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["BodyError", "Edit", "edit_text", "editor_command", "read_body", "write_body"]


class BodyError(ValueError):
    """A body could not be read, written or edited; the message is the one line to show."""


def read_body(path: str | Path) -> str:
    """The text of `path`, exactly (UTF-8; line endings and a BOM kept)."""
    if not str(path):
        raise BodyError("'<' needs a file name after it")
    p = Path(path).expanduser()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BodyError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BodyError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise BodyError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                        "a body travels as UTF-8, so nothing was sent") from None


def write_body(path: str | Path, text: str, force: bool = False) -> int:
    """Write `text` to `path` exactly (UTF-8, no newline translation); the byte count.

    An existing file is kept (a BodyError) unless `force`: a pull must not silently
    overwrite the user's own copy (`… force` replaces it, as `snapshot export` does).
    """
    data = text.encode("utf-8", "surrogatepass")
    p = Path(path).expanduser()
    try:
        with p.open("wb" if force else "xb") as f:
            f.write(data)
    except FileExistsError:
        raise BodyError(f"{path} already exists; add `force` to replace it") from None
    except OSError as exc:
        raise BodyError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return len(data)


def editor_command() -> list[str]:
    """The user's editor as an argv: $VISUAL, else $EDITOR (may carry options)."""
    spec = (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip()
    if not spec:
        raise BodyError("no editor: set $VISUAL or $EDITOR (for example EDITOR=nano)")
    try:
        argv = shlex.split(spec)
    except ValueError as exc:
        raise BodyError(f"$VISUAL/$EDITOR {spec!r} cannot be read as a command: {exc}") from None
    return argv


class Edit:
    """One editing round: the text before, the text after, and the file that holds it."""

    def __init__(self, before: str, after: str, path: Path) -> None:
        self.before, self.after, self.path = before, after, path

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def discard(self) -> None:
        """Remove the temporary file (keep it when the device refused the text)."""
        try:
            self.path.unlink()
            self.path.parent.rmdir()
        except OSError:
            pass


async def edit_text(text: str, name: str, terminal: Callable[..., Any] | None = None) -> Edit:
    """Open the editor on `text` in a file called `name` (its suffix picks the editor's mode).

    `terminal(fn)` runs `fn` with the terminal handed over (awaitable); None runs it in a
    thread. A non-zero exit of the editor is a BodyError: nothing is saved.
    """
    argv = editor_command()
    folder = Path(tempfile.mkdtemp(prefix="xshell-edit-"))
    path = folder / (Path(name).name or "body.txt")
    write_body(path, text, force=True)  # a fresh folder of its own

    def run() -> int:
        try:
            return subprocess.run([*argv, str(path)], check=False).returncode
        except OSError as exc:
            raise BodyError(f"editor {argv[0]!r} could not be started: {exc.strerror or exc}") from None

    code = await terminal(run) if terminal is not None else await asyncio.to_thread(run)
    if code != 0:
        after = read_body(path)
        edit = Edit(text, after, path)
        edit.discard()
        raise BodyError(f"editor {argv[0]!r} exited with status {code}; nothing was saved")
    return Edit(text, read_body(path), path)
