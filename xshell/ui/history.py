"""Per-device input history, bounded by the `history_size` setting.

prompt-toolkit's FileHistory only ever appends, so a shell used daily grows its file
(and its start-up load) forever. The file is trimmed to the newest `size` entries when
the shell opens it: cheap (once per session), and the format stays FileHistory's own,
so older and newer xshell versions read each other's files. Secrets never get here:
the UI masks entries before they are appended.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prompt_toolkit.history import FileHistory, History, InMemoryHistory

__all__ = ["open_history", "trim_history_file"]


def _entries(data: bytes) -> list[bytes]:
    """Split a FileHistory file into entries: comment lines, then the `+` lines."""
    entries: list[bytes] = []
    current: list[bytes] = []
    has_text = False
    for line in data.splitlines(keepends=True):
        if line.startswith(b"+"):
            current.append(line)
            has_text = True
            continue
        if has_text:
            entries.append(b"".join(current))
            current, has_text = [], False
        current.append(line)
    if has_text:
        entries.append(b"".join(current))
    return entries


def trim_history_file(path: Path, size: int) -> int:
    """Keep the newest `size` entries of `path` (rewritten atomically); how many dropped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    entries = _entries(data)
    dropped = len(entries) - size
    if dropped <= 0:
        return 0
    fd, tmp = tempfile.mkstemp(prefix=".history-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(b"".join(entries[dropped:]))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dropped


def open_history(path: Path, size: int) -> History:
    """The history for one device: the file trimmed to `size` entries; 0 = no file at all.

    A file that cannot be trimmed (read-only, odd permissions) is still used as it is, and
    a folder that cannot be made means history in memory only: history is a convenience
    and must never stop the shell from starting. The file is private (0600) from the
    start: lines typed at a codec name rooms, numbers and people.
    """
    if size <= 0:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        return InMemoryHistory()
    try:
        trim_history_file(path, size)
    except OSError:
        pass
    return FileHistory(str(path))
