"""The default theme tells an answer's parts apart, on a dark and on a light terminal.

What a technician reads in the output pane: a note (`** connection closed: …`), a quoted
string, a number, a literal (enum) value, an error and the two kinds of diff line must each
look different, and none may be a colour that vanishes on one of the two backgrounds
(black or white text, grey, yellow) or a fixed RGB value that ignores the terminal's palette.
"""

from __future__ import annotations

from prompt_toolkit.styles import Attrs, default_pygments_style, default_ui_style, merge_styles
from prompt_toolkit.styles.pygments import pygments_token_to_classname

from xshell.lang.outlexer import TshellOutputLexer
from xshell.ui.style import ui_style

STYLE = merge_styles([default_ui_style(), default_pygments_style(), ui_style()])  # as the app
UNREADABLE_SOMEWHERE = {"ansiblack", "ansiwhite", "ansibrightwhite", "ansibrightblack", "ansiyellow",
                        "ansibrightyellow", "ansiblue", "ansigray"}


def look(line: str, fragment: str) -> Attrs:
    """How `fragment` of the output line `line` is drawn."""
    for token, text in TshellOutputLexer().get_tokens(line):
        if fragment in text:
            return STYLE.get_attrs_for_style_str("class:" + pygments_token_to_classname(token))
    raise AssertionError(f"{fragment!r} not in {line!r}")


PARTS = {
    "path": look("*s Audio Volume: 50", "Volume"),
    "note": look("** connection closed: the device went away", "the device went away"),
    "string": look('*c xConfiguration SystemUnit Name: "Room"', "Room"),
    "number": look("*s Audio Volume: 50", "50"),
    "enum": look("*s Audio VolumeMute: Off", "Off"),
    "error": look("ERROR", "ERROR"),
    "removed": look("-*s Audio Volume: 50", "-*s"),
    "added": look("+*s Audio Volume: 70", "+*s"),
}


def test_each_part_of_an_answer_looks_different() -> None:
    seen = {(a.color, a.bold, a.italic, a.underline): name for name, a in PARTS.items()}
    assert len(seen) == len(PARTS), seen


def test_notes_and_strings_no_longer_look_like_paths_or_errors() -> None:
    def same(a: Attrs, b: Attrs) -> bool:
        return (a.color, a.bold, a.italic) == (b.color, b.bold, b.italic)

    assert not same(PARTS["note"], PARTS["path"]) and not same(PARTS["note"], PARTS["error"])
    assert PARTS["string"].color not in (PARTS["error"].color, PARTS["removed"].color)


def test_colours_are_legible_on_dark_and_light_backgrounds() -> None:
    for name, attrs in PARTS.items():
        colour = attrs.color or "ansidefault"
        assert colour.startswith("ansi"), (name, colour)  # follows the terminal's palette
        assert colour not in UNREADABLE_SOMEWHERE, (name, colour)
