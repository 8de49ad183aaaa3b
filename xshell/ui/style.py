"""Colours of the UI's own classes; pygments token colours come from prompt-toolkit.

Only ANSI colour names are used so the palette follows the user's terminal theme
(light or dark) instead of imposing RGB values.
"""

from __future__ import annotations

from prompt_toolkit.styles import Style

__all__ = ["ui_style"]

_RULES: dict[str, str] = {
    "prompt.device": "bold",
    "prompt.state": "ansiyellow",
    "prompt.continuation": "ansibrightblack",
    "state.connected": "ansigreen bold",
    "state.connecting": "ansiyellow",
    "state.reconnecting": "ansiyellow bold",
    "state.disconnected": "ansired bold",
    "state.unknown": "ansimagenta",
    "toolbar": "noreverse",
    "bottom-toolbar": "bg:ansiblack ansiwhite noreverse",
    "toolbar.device": "bold",
    "toolbar.sep": "ansibrightblack",
    "toolbar.busy": "ansicyan",
    "toolbar.warn": "ansiyellow",
    "toolbar.hint": "ansibrightblack",
    "pane.title": "reverse",
    "pane.separator": "ansibrightblack",
    "eventlog.time": "ansibrightblack",
    "eventlog.status": "",
    "eventlog.event": "ansicyan",
    "output.error": "ansired",
    # The lexer marks names the schema does not know; pygments' own Error style is a border,
    # which terminals do not draw, so make it visible while typing.
    "pygments.error": "ansired underline",
    "output.info": "ansibrightblack",
    "banner": "ansicyan",
}


def ui_style() -> Style:
    """The style for the full-screen app (merged over prompt-toolkit's defaults)."""
    return Style.from_dict(_RULES)
