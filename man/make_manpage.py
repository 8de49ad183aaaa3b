"""Write man/xshell.1 from the `xshell` argument parser (argparse-manpage).

Why generated: the page and `xshell --help` then cannot disagree; tests/test_manpage.py
fails when a flag changes and the page was not made again. Run it after changing
xshell/cli.py:

    python man/make_manpage.py

Needs argparse-manpage (in the test extras). The date in the header is the day the page
was made; the test ignores it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "man" / "xshell.1"
WIDTH = "80"  # argparse wraps help to the terminal: a fixed width makes the page reproducible


def render() -> str:
    """The manual page's text, as the parser of this checkout describes the command."""
    from argparse_manpage.manpage import Manpage

    sys.path.insert(0, str(ROOT))
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        from xshell import __version__
        from xshell.cli import build_parser

        page = Manpage(build_parser(), _data={
            "project_name": "xshell", "prog": "xshell", "version": __version__,
            "manual_title": "User Commands", "manual_section": 1,
            "description": "interactive shell for Cisco RoomOS video devices over the xAPI WebSocket"})
        return str(page)
    finally:
        sys.path.remove(str(ROOT))
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
