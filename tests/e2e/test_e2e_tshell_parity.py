"""tshell parity on the screen (issue 14): what a technician sees for an unknown word, the
device's document modes and `systemtools`, driven through a pty like the other e2e tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e_helpers import Term
from tests.e2e.test_e2e_pexpect import NARROW, output_rows, run_fullscreen, start_fullscreen

pytestmark = pytest.mark.timeout(60)


def test_unknown_word_xml_mode_and_systemtools_on_the_screen(xshell: Callable[..., Term]) -> None:
    term = start_fullscreen(xshell, size=NARROW)
    run_fullscreen(term, "frobnicate", "unknown command 'frobnicate'")
    rows = output_rows(term.screen)
    typed = max(i for i, ln in enumerate(rows) if ln.endswith("● frobnicate"))
    assert rows[typed + 1] == "Command not recognized."  # tshell's words first, then the why
    assert rows[typed + 2:typed + 4] == ["frobnicate", "^"]

    run_fullscreen(term, "xpref outputmode xml", "OK")
    run_fullscreen(term, "xStatus Audio Volume", "</XmlDoc>")
    rows = output_rows(term.screen)
    typed = max(i for i, ln in enumerate(rows) if ln.endswith("● xStatus Audio Volume"))
    assert rows[typed + 1:typed + 8] == ['<XmlDoc resultId="">', "<Status>", '<Audio item="1">',
                                         '<Volume item="1">50</Volume>', "</Audio>", "</Status>",
                                         "</XmlDoc>"]

    run_fullscreen(term, "xpref outputmode terminal", "OK")
    run_fullscreen(term, "systemtools network ping 192.0.2.1", "NetworkPingResult (status=OK)")
    term.key("ctrl-d")
    assert term.wait_exit() == 0
