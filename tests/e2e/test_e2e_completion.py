"""End to end: Tab walks the tree and the completion menu covers nothing, read off the screen.

The real `xshell` on a pty (see `e2e_helpers`): Tab after Tab must only ever extend the
line (tshell/readline: a unique match comes with its separator, the next Tab lists or
takes the children), a leaf of the full published schema must be reachable with Tab
alone, and while a menu is open the toolbar, the rule and the feedback pane stay drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e_helpers import Screen, Term
from tests.simproc import sim_process
from tests.e2e.test_e2e_pexpect import (
    NARROW,
    WIDE,
    input_row,
    menu_offers,
    run_fullscreen,
    start_fullscreen,
    toolbar,
)
from xshell.schema.cisco import load_cisco

pytestmark = pytest.mark.timeout(90)

PASSWORD = "tab-Pa55word"


def typed(s: Screen) -> str:
    """What the input row holds after the prompt (whatever the device is called)."""
    row = input_row(s)
    return row.split("● ", 1)[1].rstrip() if "● " in row else ""


def start(xshell: Callable[..., Term], size: tuple[int, int]) -> Term:
    return start_fullscreen(xshell, size)  # waits for the idle toolbar: schema discovered


def changed_from(before: list[str]) -> Callable[[Screen], bool]:
    return lambda s: s.lines() != before


def listing(word: str, line: str) -> Callable[[Screen], bool]:
    """The menu offers `word` while the input line holds `line`."""
    return lambda s: menu_offers(s, word) and typed(s) == line


def rule_row(s: Screen) -> int:
    return s.rows - 3  # toolbar last, input above it, the rule above the input


def test_second_tab_never_takes_the_first_back(xshell: Callable[..., Term]) -> None:
    term = start(xshell, NARROW)
    term.send("xstat\t")
    term.wait_for(lambda s: typed(s) == "xStatus", "`xstat` Tab -> `xStatus `")
    term.send("au\t")
    term.wait_for(lambda s: typed(s) == "xStatus Audio" and menu_offers(s, "Volume"),
                  "`au` Tab -> `xStatus Audio ` and Audio's children listed")
    seen = []
    for _ in range(3):  # highlight the first child, take it, and on: never back to `au`
        before = term.screen.lines()
        term.send("\t")
        term.wait_for(changed_from(before), "the screen to answer Tab")
        seen.append(typed(term.screen))
        assert seen[-1].startswith("xStatus Audio "), seen
    term.send("\x15")  # Ctrl-U: a feedback path walks with `/`
    term.send("xFeedback register /Sta\t")
    term.wait_for(lambda s: typed(s) == "xFeedback register /Status/", "`/Sta` Tab -> `/Status/`")
    term.send("\t\t")
    term.wait_for(lambda s: typed(s).startswith("xFeedback register /Status/")
                  and len(typed(s)) > len("xFeedback register /Status/"), "the second Tab walks on")


def test_verb_completed_mid_line_gets_one_space(xshell: Callable[..., Term]) -> None:
    term = start(xshell, NARROW)
    term.send("xstat Audio Volume" + "\x1b[D" * len(" Audio Volume") + "\t")
    term.wait_for(lambda s: typed(s) == "xStatus Audio Volume", "one space between verb and path")


@pytest.mark.parametrize("size", [NARROW, WIDE])
def test_open_menu_leaves_toolbar_rule_and_pane_drawn(xshell: Callable[..., Term],
                                                      size: tuple[int, int]) -> None:
    term = start(xshell, size)
    term.send("xStatus Aud")  # one candidate: the menu that used to sit on the toolbar
    s = term.wait_for(lambda s: menu_offers(s, "Audio"), "a one-entry menu")
    assert toolbar(s).startswith(" xshell-sim") and "● connected" in toolbar(s)
    assert set(s.lines()[rule_row(s)]) == {"─"}
    assert s.contains("Feedback (0 events)")
    if size == WIDE:  # the side pane's border runs unbroken down to the menu's rows
        col = s.lines()[0].index("│")
        menu_row = next(r for r, ln in enumerate(s.lines()) if "Audio" in ln and r < rule_row(s))
        assert all(len(ln) > col and ln[col] == "│" for ln in s.lines()[:menu_row])
    term.send("\t")  # the toolbar stays while the bigger menu of Audio's children is open
    s = term.wait_for(lambda s: menu_offers(s, "Volume"), "Audio's children")
    assert "● connected" in toolbar(s) and set(s.lines()[rule_row(s)]) == {"─"}


def test_tab_alone_reaches_a_leaf_of_the_published_schema(
        xshell: Callable[..., Term], schema_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = load_cisco(schema_file)
    path, node = ["xCommand"], schema.root("Command")
    assert node is not None
    with sim_process("--password", PASSWORD, "--schema", str(schema_file)) as (url, _):
        monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
        term = xshell(url, size=NARROW)
        term.at_rest = lambda s: s.y == s.rows - 2
        term.wait_for(lambda s: "connected" in toolbar(s) and "discovering" not in toolbar(s),
                      "connected to the published-schema simulator")
        term.send("xcom\t")
        term.wait_for(lambda s: typed(s) == "xCommand", "`xcom` Tab")
        while node.kind != "command":
            first = sorted(node.children.values(), key=lambda c: c.name.lower())[0]
            path.append(first.name)
            term.send("\t")  # highlights the first entry of the list ...
            term.wait_for(lambda s: typed(s) == " ".join(path), f"Tab to {first.name}")
            if first.kind != "command":
                term.send("\t")  # ... and the next Tab takes it and lists its children
                nxt = sorted(first.children.values(), key=lambda c: c.name.lower())[0].name
                term.wait_for(listing(nxt, " ".join(path)), f"{first.name}'s children listed")
            node = first
        term.send("\t\r")  # take the leaf, run it
        term.wait_for(lambda s: any(ln.strip() == "OK" for ln in s.lines()), "the command's answer")


def test_ctrl_g_in_history_search_brings_back_the_line_as_typed(xshell: Callable[..., Term]) -> None:
    term = start(xshell, NARROW)
    run_fullscreen(term, "xStatus Audio VolumeMute", "*s Audio VolumeMute:")
    run_fullscreen(term, "xStatus Audio Volume", "*s Audio Volume:")
    term.send("help\x12Vol\x12")  # Ctrl-R finds the lines, Ctrl-R again the older one ...
    term.wait_for(lambda s: s.contains("I-search backward: Vol")
                  and "xStatus Audio VolumeMute" in s.lines()[s.rows - 3], "the older found line")
    term.at_rest = None  # the search field row sits between the input and the toolbar
    term.send("\x07")  # ... Ctrl-G gives up the search: the line is what was typed
    term.wait_for(lambda s: not s.contains("I-search") and typed(s) == "help", "the line restored")


def test_feedback_pane_indents_wrapped_lines_under_the_text(xshell: Callable[..., Term]) -> None:
    term = start(xshell, NARROW)
    run_fullscreen(term, "xFeedback register /Configuration/Video", "OK")
    name = "camera on the left wall beside the door, facing in"  # 50 characters, spaces
    run_fullscreen(term, f'xConfiguration Video Input Connector 1 Name: "{name}"', "OK")

    def event_row(s: Screen) -> int | None:
        title = s.find("Feedback (1 event)")
        return next((r for r, ln in enumerate(s.lines()) if title and r > title[0][0]
                     and "Connector 1 Name:" in ln), None)

    s = term.wait_for(lambda s: event_row(s) is not None, "the event in the feedback pane")
    rows, first = s.lines(), event_row(s)
    assert first is not None
    assert rows[first][:13].strip() and rows[first][12] == " "  # HH:MM:SS.mmm, then the text
    tail = rows[first + 1]
    assert tail.startswith(" " * 13) and tail[13] != " ", rows[first:first + 2]  # under the text
    assert "".join(ln.strip() + " " for ln in rows[first:first + 3]).count(name.split()[-1])


def test_help_at_80_columns_wraps_with_a_hanging_indent(xshell: Callable[..., Term]) -> None:
    term = start(xshell, NARROW)
    term.send("help\r")  # longer than the pane: its echo scrolls away
    rows = term.wait_for(lambda s: any(ln.startswith("  Tab ") for ln in s.lines())
                         and s.contains("Ctrl-D  ") and typed(s) == "", "the help's keys").lines()
    tab = next(r for r, ln in enumerate(rows) if ln.startswith("  Tab "))
    column = rows[tab].index("complete")  # the description column
    assert column > 8 and len(rows[tab]) > 70  # the entry is wider than one row ...
    cont = rows[tab + 1]
    assert cont[:column].strip() == "" and cont[column] != " ", rows[tab:tab + 3]  # ... and hangs
