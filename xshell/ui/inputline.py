"""The input line: a TextArea wired to the backend's (swappable) completer and lexer.

Completers and lexers come from other modules and may fail; a failure there must cost
the user a completion or some colour, never the session (the REPL anchors list crashes
from completer exceptions as a recurring bug). History entries are masked by the
backend before they are stored, in both UI modes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Iterable

from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, ThreadedCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import History, InMemoryHistory
from prompt_toolkit.layout.dimension import Dimension as D
from prompt_toolkit.lexers import Lexer
from prompt_toolkit.widgets import SearchToolbar, TextArea

__all__ = ["MaskedHistory", "SafeCompleter", "SafeLexer", "build_input_area"]

log = logging.getLogger(__name__)


class SafeCompleter(Completer):
    """Ask whichever completer is current; swallow (and log) its exceptions.

    Completion-while-typing is skipped on an empty line: prompt-toolkit may re-run a
    typing-triggered completion after Enter has already cleared the line, which would
    pop up a menu of everything under an empty prompt. Tab on an empty line still works.
    """

    def __init__(self, get_completer: Callable[[], Completer | None]) -> None:
        self._get = get_completer

    def _current(self, document: Document, complete_event: CompleteEvent) -> Completer | None:
        if complete_event.text_inserted and not document.text.strip():
            return None
        return self._get()

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        completer = self._current(document, complete_event)
        if completer is None:
            return
        try:
            yield from completer.get_completions(document, complete_event)
        except Exception as exc:  # noqa: BLE001 - a completion bug must not reach the event loop
            log.debug("completer failed: %s", type(exc).__name__)

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        completer = self._current(document, complete_event)
        if completer is None:
            return
        try:
            async for c in completer.get_completions_async(document, complete_event):
                yield c
        except Exception as exc:  # noqa: BLE001 - as above, for the async completer
            log.debug("completer failed: %s", type(exc).__name__)


class SafeLexer(Lexer):
    """Colour with the current input lexer; unstyled text if it is absent or fails."""

    def __init__(self, get_lexer: Callable[[], Lexer | None]) -> None:
        self._get = get_lexer

    def lex_document(self, document: Document) -> Callable[[int], StyleAndTextTuples]:
        lines = document.lines

        def plain(i: int) -> StyleAndTextTuples:
            return [("", lines[i])] if 0 <= i < len(lines) else []

        lexer = self._get()
        if lexer is None:
            return plain
        try:
            inner = lexer.lex_document(document)
        except Exception:  # noqa: BLE001 - a highlighting bug leaves the line plain, never lost
            return plain

        def get_line(i: int) -> StyleAndTextTuples:
            try:
                return inner(i)
            except Exception:  # noqa: BLE001 - the same, per line
                return plain(i)

        return get_line

    def invalidation_hash(self) -> object:
        lexer = self._get()
        return (id(lexer), lexer.invalidation_hash() if lexer is not None else None)


class MaskedHistory(History):
    """History that stores what `mask` returns (secrets replaced) instead of the raw text."""

    def __init__(self, inner: History, mask: Callable[[str], str]) -> None:
        super().__init__()
        self._inner = inner
        self._mask = mask

    def load_history_strings(self) -> Iterable[str]:
        return self._inner.load_history_strings()

    def append_string(self, string: str) -> None:
        masked = self._mask(string)
        self._loaded_strings.insert(0, masked)  # what this session's Up arrow recalls
        self._inner.append_string(masked)  # keeps the caller's history object current too

    def store_string(self, string: str) -> None:
        self._inner.store_string(string)


def build_input_area(
    *,
    history: History | None,
    get_completer: Callable[[], Completer | None],
    get_lexer: Callable[[], Lexer | None],
    prompt: Callable[[], StyleAndTextTuples],
    search: SearchToolbar,
) -> TextArea:
    """Multi-line capable input (bodies of multiline commands), prompt as line prefix."""

    def line_prefix(lineno: int, wrap_count: int) -> StyleAndTextTuples:
        if lineno == 0 and wrap_count == 0:
            return prompt()
        if wrap_count == 0:
            return [("class:prompt.continuation", "... ")]
        return []

    return TextArea(
        multiline=True,
        height=D(min=1, max=12),
        dont_extend_height=True,
        wrap_lines=True,
        history=history if history is not None else InMemoryHistory(),
        completer=ThreadedCompleter(SafeCompleter(get_completer)),
        complete_while_typing=True,
        auto_suggest=AutoSuggestFromHistory(),
        lexer=SafeLexer(get_lexer),
        search_field=search,
        get_line_prefix=line_prefix,
        focus_on_click=True,
    )
