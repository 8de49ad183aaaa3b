"""xshell.config: the settings file, device profiles and the bounded history.

`settings` and `profiles` import only the stdlib (the one-shot path and
`--list-profiles` load them); `history` needs prompt-toolkit and is imported by the
interactive modes only.
"""

from __future__ import annotations

import argparse

from xshell.config.profiles import Profile, resolve_target
from xshell.config.settings import Settings, builtin_settings, config_path, load_settings

__all__ = ["Profile", "Settings", "builtin_settings", "config_path", "device_args", "load_settings"]


def device_args(args: argparse.Namespace, spec: str, settings: Settings | None) -> argparse.Namespace:
    """One device's options for `spec` (a profile name or a host/URL), as the CLI builds them.

    For devices added while a run goes on (`connect SPEC`). Raises ValueError (one line,
    naming file and line) for a profile the settings file describes but cannot be used.
    """
    if settings is not None and spec in settings.broken_profiles:
        raise ValueError(f"profile {spec!r} ({settings.where('devices', spec)}) cannot be used: "
                         f"{settings.broken_profiles[spec]}")
    return resolve_target(args, spec, settings.profiles if settings is not None else {})
