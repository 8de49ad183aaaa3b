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
from collections.abc import Callable, Iterable
from pathlib import Path

from prompt_toolkit.history import FileHistory, History, InMemoryHistory

__all__ = ["DeviceHistory", "open_history", "trim_history_file"]


class DeviceHistory(History):
    """One input history for a shell of several devices, one file per device.

    A line is stored in the file of the device that is current when it is typed
    (`current()` names it; `@room2 LINE` typed on room1 is room1's), so each room's file
    holds what was typed at that room. Up arrow recalls this session's lines whatever
    the device, after the first device's file (loaded at start).
    """

    def __init__(self, current: Callable[[], str], open_for: Callable[[str], History]) -> None:
        super().__init__()
        self._current = current
        self._open_for = open_for
        self._first = current()
        self._files: dict[str, History] = {}

    def _file(self, key: str) -> History:
        found = self._files.get(key)
        if found is None:
            found = self._files[key] = self._open_for(key)
        return found

    def load_history_strings(self) -> Iterable[str]:
        return self._file(self._first).load_history_strings()

    def store_string(self, string: str) -> None:
        self._file(self._current()).store_string(string)


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
