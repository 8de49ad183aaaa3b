"""`watch` on screen: the full screen's watch panel during a call (live from feedback,
instances appearing and going, the toolbar's count, a `reconnect` survived) at 80×24 and
200×50, and --plain's follow until Ctrl-C."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.e2e_helpers import Screen, Term
from tests.e2e.test_e2e_pexpect import (NARROW, PLAIN_PROMPT, run_fullscreen, start_fullscreen,
                                    start_plain, toolbar)

pytestmark = pytest.mark.timeout(60)
CLOCK = r"\d\d:\d\d:\d\d"


def panel(s: Screen) -> list[str]:
    """The watch panel's rows: from its title down to the first row that is not a value."""
    lines = s.lines()
    top = next((i for i, ln in enumerate(lines) if ln.startswith(" Watch (")), None)
    if top is None:
        return []
    rows = [lines[top]]
    for ln in lines[top + 1:]:
        if not re.search(r"(" + CLOCK + r"|—)$", ln.rstrip()):
            break
        rows.append(ln.rstrip())
    return rows


def has_row(s: Screen, pattern: str) -> bool:
    return any(re.fullmatch(r" " + pattern + r"\s+(" + CLOCK + r"|—)", r) for r in panel(s)[1:])


@pytest.mark.parametrize("size", [NARROW, (50, 200)], ids=["80x24", "200x50"])
def test_panel_keeps_three_values_live_during_a_call(xshell: Callable[..., Term],
                                                     size: tuple[int, int]) -> None:
    term = start_fullscreen(xshell, size)
    run_fullscreen(term, "watch Status/Audio/Volume Status/Call/*/Status Status/Call/*/Duration",
                   "in use; unwatch PATH|all ends a watch")
    term.wait_for(lambda s: panel(s)[:1] == [" Watch (3 paths, 1 value) — no change yet"]
                  and has_row(s, "Audio Volume: 50") and has_row(s, r"Status/Call/\*/Status: \(none now\)")
                  and "3 watch" in toolbar(s), "the panel with the volume and no call yet")

    run_fullscreen(term, 'xCommand Dial Number: "x@y"', "DialResult")
    term.wait_for(lambda s: has_row(s, "Call 1 Status: Connected") and has_row(s, r"Call 1 Duration: \d+"),
                  "the call's rows, live")
    run_fullscreen(term, "xCommand Audio Volume Set Level: 35", "VolumeSetResult")
    term.wait_for(lambda s: has_row(s, "Audio Volume: 35")
                  and re.fullmatch(r" Watch \(3 paths, 3 values\) — last change " + CLOCK, panel(s)[0]),
                  "the new volume and the time of the last change")

    run_fullscreen(term, "reconnect", "reconnected to")  # the watches are made again
    run_fullscreen(term, "xCommand Audio Volume Set Level: 36", "VolumeSetResult")
    term.wait_for(lambda s: has_row(s, "Audio Volume: 36"), "a change after the reconnect")

    run_fullscreen(term, "xCommand Call Disconnect", "DisconnectResult")
    term.wait_for(lambda s: has_row(s, r"Status/Call/\*/Status: \(none now\)")
                  and not any("Call 1" in r for r in panel(s)), "the call's rows gone with it")

    run_fullscreen(term, "unwatch all", "unwatched 3 paths")
    term.wait_for(lambda s: not panel(s) and "watch" not in toolbar(s), "no panel, no count")


def test_plain_watch_prints_values_and_follows_until_ctrl_c(xshell: Callable[..., Term]) -> None:
    term = start_plain(xshell)
    term.send("watch Status/Audio/Volume Status/Call/*/Status\r")
    term.wait_for(lambda s: any(re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} \*s Audio Volume: 50", ln)
                                for ln in s.transcript()), "the current value, stamped")
    assert term.screen.transcript()[-1] != PLAIN_PROMPT  # still following
    term.send("\x03")
    term.wait_for(lambda s: s.transcript()[-1] == PLAIN_PROMPT
                  and any(ln.endswith("watch stopped: Status/Audio/Volume, Status/Call/*/Status")
                          for ln in s.transcript()),
                  "Ctrl-C ends the watch and the prompt is back")
    term.send("watch\r")
    term.wait_text("no watches")
