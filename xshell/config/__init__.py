"""xshell.config: the settings file and device profiles.

`settings` and `profiles` import only the stdlib (the one-shot path and
`--list-profiles` load them); the bounded input history is prompt-toolkit's, so it lives
in `xshell.ui.history`.
"""

from __future__ import annotations

from xshell.config.profiles import Profile, resolve_target
from xshell.config.settings import Settings, builtin_settings, config_path, load_settings
from xshell.options import DeviceOptions, Options

__all__ = ["Profile", "Settings", "builtin_settings", "config_path", "device_options", "load_settings"]


def device_options(options: Options, spec: str, settings: Settings | None) -> DeviceOptions:
    """One device's options for `spec` (a profile name or a host/URL), as the CLI builds them.

    For devices added while a run goes on (`connect SPEC`). Raises ValueError (one line,
    naming file and line) for a profile the settings file describes but cannot be used.
    """
    if settings is not None and spec in settings.broken_profiles:
        raise ValueError(f"profile {spec!r} ({settings.where('devices', spec)}) cannot be used: "
                         f"{settings.broken_profiles[spec]}")
    return resolve_target(options, spec, settings.profiles if settings is not None else {})
