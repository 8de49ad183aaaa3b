"""`-o terminal`: tshell's own lines, as on the device's shell (`*s Audio Volume: 50`, `OK`).

The default. The rendering lives in xshell.lang.render* (it is most of lang); this
module only chooses it. Imports are inside the methods: the settings loader and the
one-shot path import the registry, and must not pay for the renderers until a result
is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from xshell.lang.formats.output_format import FeedbackLines

if TYPE_CHECKING:
    from xshell.errors import XAPIError
    from xshell.lang import requests as rq
    from xshell.lang.parse_errors import ParseError
    from xshell.schema.model import Schema

log = logging.getLogger(__name__)
# render_feedback.terminal_feedback once loaded: a feedback storm is thousands of events a
# second, and an import statement per event would cost a third of the render.
_feedback: Callable[..., FeedbackLines] | None = None


def _load_feedback() -> Callable[..., FeedbackLines]:
    global _feedback
    from xshell.lang.render_feedback import terminal_feedback
    _feedback = terminal_feedback
    return terminal_feedback


class Terminal:
    """tshell's terminal output mode."""

    name = "terminal"
    description = "tshell terminal lines"
    json_documents = False

    def result(self, req: rq.Request, result: Any, schema: Schema | None) -> list[str]:
        from xshell.lang import requests as rq
        from xshell.lang.render import render_result
        if isinstance(req, (rq.GetXml, rq.Document)):  # tshell: XML / its Format, any mode
            from xshell.lang.render_docs import document_lines
            return document_lines(req, result, schema)
        try:
            return render_result(req, result, schema)
        except Exception as exc:  # noqa: BLE001 - an answer we cannot lay out is still shown
            log.info("could not render %s: %s", type(req).__name__, exc)
            import json
            return [json.dumps(result, separators=(",", ":"), ensure_ascii=False, default=str),
                    "** end", "", "OK"]

    def result_lines(self, req: rq.Request, result: Any, schema: Schema | None) -> Iterator[str]:
        """`result`'s lines one at a time (xshell.lang.render.iter_result), so the session
        can lay out a huge answer in slices; it falls back on `result` if this raises."""
        from xshell.lang import requests as rq
        if isinstance(req, (rq.GetXml, rq.Document)):
            return iter(self.result(req, result, schema))
        from xshell.lang.render import iter_result
        return iter_result(req, result, schema)

    def error(self, req: rq.Request | None, exc: XAPIError, schema: Schema | None) -> list[str]:
        from xshell.lang.render_errors import render_error
        return render_error(req, exc, schema)

    def parse_error(self, line: str, exc: ParseError, schema: Schema | None) -> list[str]:
        from xshell.lang.parse_errors import format_parse_error
        return format_parse_error(line, exc, schema)

    def feedback(self, payload: dict[str, Any], schema: Schema | None, expression: str,
                 resync: bool, chains: dict[Any, Any]) -> FeedbackLines:
        """A storm's one-leaf notification takes the cached fast path (render_feedback)."""
        render = _feedback or _load_feedback()
        return render(payload, schema, expression, resync, chains)

    def help(self, schema: Schema, req: rq.Help) -> list[str]:
        from xshell.lang.schema_help import render_help
        return render_help(schema, req)


FORMAT = Terminal()

__all__ = ["FORMAT", "Terminal"]
