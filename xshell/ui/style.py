"""The UI's style: the [colours] of the settings over an optional pygments [ui] theme.

The colours of the UI's own classes live in the settings' default file (that file is
their documentation), so the user's [colours] merge over them key by key. Defaults
use ANSI colour names only, so the palette follows the terminal's theme (light or
dark). A bad theme name or colour value costs one warning naming the settings file
and line, and that key keeps its default; the shell always starts.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from prompt_toolkit.styles import BaseStyle, Style, merge_styles, style_from_pygments_cls

from xshell.config.settings import Settings, builtin_settings
from xshell.inert import inert

__all__ = ["ui_style"]


def _theme(settings: Settings) -> BaseStyle | None:
    """The pygments style named by [ui] theme; None for "default" or an unknown name."""
    name = settings.theme
    if not name or name == "default":
        return None
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        return style_from_pygments_cls(get_style_by_name(name))
    except ClassNotFound:
        settings.report(("ui", "theme"), f"[ui] theme: no pygments style named {name!r} "
                                         "(python -m pygments -L styles lists them); using the default")
        return None


def _rules(settings: Settings) -> list[tuple[str, str]]:
    """The [colours] rules that parse; a bad value falls back to its default, a rule whose
    class name prompt-toolkit refuses is dropped (either way one warning, never a crash)."""
    defaults = builtin_settings().colours
    rules: list[tuple[str, str]] = []
    for cls, value in settings.colours.items():
        if not _usable(cls, ""):
            settings.report(("colours", cls), f"[colours] {cls!r}: not a usable style class name; ignored")
            continue
        if not _usable(cls, value):
            settings.report(("colours", cls), f"[colours] {cls!r}: bad style {value!r}; using the default")
            value = defaults.get(cls, "")
            if not _usable(cls, value):
                continue
        rules.append((cls, value))
    return rules


def _usable(cls: str, value: str) -> bool:
    """Whether prompt-toolkit accepts this rule (it asserts on a bad class name)."""
    try:
        Style([(cls, value)])
    except (ValueError, AssertionError):
        return False
    return True


def ui_style(settings: Settings | None = None, *,
             also: Callable[[str], None] | None = None) -> BaseStyle:
    """The style for both UI modes (merged over prompt-toolkit's defaults by the app).

    A bad theme or colour found while building it is a warning on stderr, and with `also`
    told there too: the full screen hides stderr, so it shows the warning in its pane.
    """
    settings = settings if settings is not None else builtin_settings()
    previous = settings.report_to
    if also is not None:
        def warn(text: str) -> None:
            print(inert(text), file=sys.stderr, flush=True)
            also(text)

        settings.report_to = warn
    try:
        parts: list[BaseStyle] = []
        theme = _theme(settings)
        if theme is not None:
            parts.append(theme)
        parts.append(Style(_rules(settings)))
        return merge_styles(parts)
    finally:
        settings.report_to = previous
