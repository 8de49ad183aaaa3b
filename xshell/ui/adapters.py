"""prompt-toolkit faces of the backend's plain-data completion and highlighting.

The backend contract (`xshell.contract`) speaks plain data so that the shell side needs no
prompt-toolkit: `complete` gives `Candidate` records, `highlight` (kind, text) fragments.
These two adapters are the only place they become prompt-toolkit Completions and styled
fragments. Failures are the callers' concern (`inputline.SafeCompleter`/`SafeLexer`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.formatted_text.utils import split_lines
from prompt_toolkit.lexers import Lexer

from xshell.contract import ShellBackend
from xshell.inert import inert

__all__ = ["BackendCompleter", "BackendLexer", "style_of"]

_STYLES: dict[str, str] = {}


def style_of(kind: str) -> str:
    """The prompt-toolkit style of a fragment kind: what PygmentsLexer gives that token."""
    style = _STYLES.get(kind)
    if style is None:
        style = _STYLES[kind] = ("class:pygments." + kind if kind else "class:pygments").lower()
    return style


class BackendCompleter(Completer):
    """Completions from `backend.complete` (prompt-toolkit may call it in a worker thread)."""

    def __init__(self, backend: ShellBackend) -> None:
        self._backend = backend

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        after = document.text_after_cursor[:1]
        for c in self._backend.complete(text):
            insert = c.text
            if after and insert[-1:] == after and after in " /":
                insert = insert[:-1]  # mid-line: the separator is there already, not twice
            # display and meta may quote the device (values, names): the output boundary
            yield Completion(insert, start_position=c.start - len(text), display=inert(c.display),
                             display_meta=inert(c.meta))


class BackendLexer(Lexer):
    """Input colours from `backend.highlight`, split into the document's lines."""

    def __init__(self, backend: ShellBackend) -> None:
        self._backend = backend

    def lex_document(self, document: Document) -> Callable[[int], StyleAndTextTuples]:
        if not document.text:  # the first prompt: nothing to colour, no lexer to load yet
            return lambda i: []
        styled: StyleAndTextTuples = [(style_of(kind), text) for kind, text in self._backend.highlight(document.text)]
        lines = list(split_lines(styled))

        def get_line(i: int) -> StyleAndTextTuples:
            return lines[i] if 0 <= i < len(lines) else []

        return get_line
