"""The output pane model: a bounded list of pre-styled lines (command echoes and results).

Lines are lexed once, when they arrive, and stored as prompt-toolkit fragments in a
`deque(maxlen)`; rendering only slices what is visible (see `viewport`). A growing
`Buffer`/`TextArea` would re-split and re-lex the whole text on every append.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples, fragment_list_to_text, split_lines
from prompt_toolkit.lexers import Lexer
from prompt_toolkit.styles import pygments_token_to_classname

from xshell.inert import inert_block, inert_lines
from xshell.ui.viewport import LinesControl, ScrollView

__all__ = ["OutputPane", "default_output_lexer", "lex_lines"]


def _output_lexer() -> Any | None:
    """The tshell output lexer when it is available, else None."""
    try:
        from xshell.lang.outlexer import TshellOutputLexer
    except Exception:  # noqa: BLE001 - absent or broken: plain output is still correct output
        return None
    try:
        return TshellOutputLexer()
    except Exception:  # noqa: BLE001 - the same
        return None


class _WhenFirstUsed:
    """The tshell output lexer, built when the first lines are coloured: importing pygments
    and compiling its patterns (~10 ms) must not delay the first prompt. Without one,
    `get_tokens` raises and `lex_lines` shows the lines plain."""

    def __init__(self) -> None:
        self._lexer: Any | None = None
        self._built = False

    def get_tokens(self, text: str) -> Any:
        if not self._built:
            self._built = True
            self._lexer = _output_lexer()
        if self._lexer is None:
            raise LookupError("no output lexer")
        return self._lexer.get_tokens(text)


def default_output_lexer() -> Any:
    """The tshell output lexer, built on first use (plain lines when it is unavailable)."""
    return _WhenFirstUsed()


def lex_lines(lines: Sequence[str], lexer: Any | None, style: str = "") -> list[StyleAndTextTuples]:
    """Style `lines` with a pygments lexer; one fragment list per input line.

    `style` is prepended to every fragment (e.g. the error class for failed results).
    Lexer failures fall back to unstyled text rather than losing output.
    """
    if lexer is not None and lines:
        try:
            frags: StyleAndTextTuples = []
            for ttype, value in lexer.get_tokens("\n".join(lines)):
                if value:
                    cls = f"class:{pygments_token_to_classname(ttype)}"
                    frags.append((f"{style} {cls}".strip(), value))
            rows = [[f for f in row if f[1]] for row in split_lines(frags)][: len(lines)]
            if len(rows) == len(lines) and all(
                fragment_list_to_text(r) == ln for r, ln in zip(rows, lines, strict=True)
            ):
                return rows
        except Exception:  # noqa: BLE001 - see the docstring: plain text, never lost output
            pass
    return [[(style, ln)] for ln in lines]


def lex_input(text: str, lexer: Lexer | None) -> list[StyleAndTextTuples]:
    """Style an echoed command with the input line's prompt-toolkit lexer."""
    lines = text.split("\n")
    if lexer is not None:
        try:
            get_line = lexer.lex_document(Document(text))
            return [list(get_line(i)) for i in range(len(lines))]
        except Exception:  # noqa: BLE001 - the same: the echo unstyled
            pass
    return [[("", ln)] for ln in lines]


class OutputPane:
    """Bounded, scrollable result history shown in the top-left pane."""

    def __init__(self, maxlen: int = 20_000, lexer: Any | None = None) -> None:
        self.maxlen = maxlen
        self.lexer = lexer
        self._lines: deque[StyleAndTextTuples] = deque(maxlen=maxlen)
        self._appended = 0
        self.view = ScrollView()
        self.control = LinesControl(self.visible, self.view)

    def visible(self) -> tuple[Sequence[StyleAndTextTuples], int]:
        """All kept lines and the absolute number of the first."""
        return self._lines, self._appended - len(self._lines)

    def append_fragments(self, rows: Sequence[StyleAndTextTuples]) -> None:
        self._lines.extend(rows)
        self._appended += len(rows)

    def append_lines(self, lines: Sequence[str], *, style: str = "", lex: bool = True) -> None:
        """Append tshell result lines (syntax-coloured when a lexer is set).

        Every line is made inert first (xshell.inert): this pane is an output boundary.
        """
        self.append_fragments(lex_lines(inert_lines(lines), self.lexer if lex else None, style))

    def echo(self, prompt: StyleAndTextTuples, text: str, input_lexer: Lexer | None) -> None:
        """Show the command as typed (already secret-masked) after the prompt it was typed at."""
        rows = lex_input(inert_block(text), input_lexer)  # a pasted ESC is shown, not obeyed
        pad: StyleAndTextTuples = [("class:prompt.continuation", "... ")]
        self.append_fragments([list(prompt) + rows[0], *[pad + r for r in rows[1:]]])

    def clear(self) -> None:
        self._lines.clear()
        self.view.end()

    def __len__(self) -> int:
        return len(self._lines)

    def text_lines(self) -> list[str]:
        """The pane's content as plain text (what a user reads)."""
        return [fragment_list_to_text(r) for r in self._lines]
