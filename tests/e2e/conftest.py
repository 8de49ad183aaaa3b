"""Fixtures of the end-to-end tests: the real `xshell` on a pseudo-terminal.

Here rather than in one test module, so the screen tests of each feature (trace, watch,
macros, completion, tshell parity) take the fixture without importing it from a sibling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.e2e_helpers import Term, spawn_xshell

WIDE = (45, 160)  # rows × cols of a wide terminal: the feedback pane sits beside the output


@pytest.fixture
def xshell(request: pytest.FixtureRequest) -> Iterator[Callable[..., Term]]:
    """Start `xshell ARGS` on a rows × cols pty; whatever is still running is stopped after.
    The default size is the test module's TERM_SIZE, else WIDE."""
    started: list[Term] = []
    default: tuple[int, int] = getattr(request.module, "TERM_SIZE", WIDE)

    def start(*args: str, size: tuple[int, int] = default) -> Term:
        term = spawn_xshell(args, rows=size[0], cols=size[1])
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()
