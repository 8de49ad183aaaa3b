"""man/xshell.1 is the parser's own description, shipped in the sdist: it must be current."""

from __future__ import annotations

import importlib.util
import re

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "man" / "xshell.1"


def rendered() -> str:
    pytest.importorskip("argparse_manpage", reason="argparse-manpage is in the test extras")
    spec = importlib.util.spec_from_file_location("make_manpage", ROOT / "man" / "make_manpage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render()


def undated(page: str) -> str:
    """The page without the date in its .TH header line (the day it was made)."""
    return re.sub(r'^(\.TH \S+ "1") "[^"]*"', r"\1", page, count=1, flags=re.M)


def test_the_committed_page_is_the_parsers() -> None:
    assert undated(PAGE.read_text(encoding="utf-8")) == undated(rendered()), (
        "man/xshell.1 is out of date with xshell/cli.py: run `python man/make_manpage.py`")


def test_the_page_names_every_option_of_the_parser() -> None:
    from xshell.cli import build_parser

    page = PAGE.read_text(encoding="utf-8").replace("\\-", "-")
    options = [opt for action in build_parser()._actions for opt in action.option_strings
               if opt not in ("-h", "--help")]  # argparse-manpage leaves out the help option
    assert options and [opt for opt in options if opt not in page] == []
