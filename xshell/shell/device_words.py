"""The shell's run-time names for completion: device, profile and snapshot names by kind.

The completer asks for them on every key press, and some come from the disk (profiles,
snapshots), so each is computed only for the command word being completed, and a source
that fails (a missing directory) yields no names rather than an error while typing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from xshell.lang.complete import DEVICE_WORDS, GROUP_WORDS, PROFILE_WORDS, SNAPSHOT_WORDS

__all__ = ["DeviceWords"]

log = logging.getLogger(__name__)


class DeviceWords(Mapping[str, Sequence[str]]):
    """The shell's run-time names by command word, computed only for the word asked.

    It gets the sources as callables (not the MultiBackend) so it reads them at the
    moment of completion and needs nothing else of the shell.
    """

    def __init__(self, names: Callable[[], Sequence[str]], profiles: Callable[[], Iterable[str]],
                 snapshots: Callable[[], Iterable[str]],
                 groups: Callable[[], Sequence[str]] = tuple) -> None:
        self._names = names
        self._groups = groups
        self._profiles = profiles
        self._snapshots = snapshots

    def _compute(self, key: str) -> Sequence[str] | None:
        if key == DEVICE_WORDS:
            return [*self._names(), *self._groups()]
        if key == GROUP_WORDS:
            return self._groups()
        if key == PROFILE_WORDS:
            return _safe_list(self._profiles)
        if key == SNAPSHOT_WORDS:
            return _safe_list(self._snapshots)
        return None

    def __getitem__(self, key: str) -> Sequence[str]:
        found = self._compute(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Any:
        return iter((DEVICE_WORDS, GROUP_WORDS, PROFILE_WORDS, SNAPSHOT_WORDS))

    def __len__(self) -> int:
        return 4


def _safe_list(source: Callable[[], Iterable[str]]) -> tuple[str, ...]:
    """Names from a source that may fail (a missing directory): completion goes on."""
    try:
        return tuple(source())
    except Exception:  # completion must never break typing
        log.debug("completion names unavailable", exc_info=True)
        return ()
