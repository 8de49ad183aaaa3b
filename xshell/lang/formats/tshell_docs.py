"""What tshell's xml and json output modes share: documents instead of lines (spec §7).

Both print one document per answer, error and notification in the device's shapes
(xshell.lang.render_docs); help, parse errors and `xFeedback list` have no document
form on a device either, so they keep the terminal lines. The two formats differ only
in how a document is written out (`write`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from xshell.lang.formats.output_format import FeedbackLines
from xshell.lang.formats.terminal import FORMAT as TERMINAL

if TYPE_CHECKING:
    from xshell.errors import XAPIError
    from xshell.lang import requests as rq
    from xshell.lang.parse_errors import ParseError
    from xshell.schema.model import Schema

Writer = Callable[[dict[str, Any], "str | None"], list[str]]


class TshellDocuments:
    """A tshell document mode; `write` lays a document (and its resultId) out as lines."""

    json_documents = False  # several lines a document: not one jq document per line

    def __init__(self, name: str, description: str, writer: str) -> None:
        self.name = name
        self.description = description
        self._writer = writer  # "xml_lines" or "json_lines" of render_docs

    def write(self, doc: dict[str, Any], result_id: str | None) -> list[str]:
        from xshell.lang import render_docs
        writer: Writer = getattr(render_docs, self._writer)
        return writer(doc, result_id)

    def result(self, req: rq.Request, result: Any, schema: Schema | None) -> list[str]:
        from xshell.lang import requests as rq
        from xshell.lang.render_docs import document_lines, raw_lines, result_doc
        if isinstance(req, (rq.GetXml, rq.Document)):
            return document_lines(req, result, schema)
        if isinstance(req, rq.Raw):
            return raw_lines(result)
        doc = result_doc(req, result, schema)
        if doc is None:
            return TERMINAL.result(req, result, schema)
        return self.write(doc, getattr(req, "result_id", None))

    def error(self, req: rq.Request | None, exc: XAPIError, schema: Schema | None) -> list[str]:
        from xshell.lang import requests as rq
        if isinstance(req, rq.Raw):
            return TERMINAL.error(req, exc, schema)
        from xshell.lang.render_docs import error_doc
        return self.write(error_doc(req, exc, schema), getattr(req, "result_id", None))

    def refused(self, message: str) -> list[str]:
        """A line xshell refused before sending, as the device's error document (scripts
        print it on stdout so a parser waiting for the answer gets one)."""
        return self.write({"CommandResponse": {"Result": {
            "status": "Error", "Reason": {"Value": message}}}}, None)

    def parse_error(self, line: str, exc: ParseError, schema: Schema | None) -> list[str]:
        return TERMINAL.parse_error(line, exc, schema)

    def feedback(self, payload: dict[str, Any], schema: Schema | None, expression: str,
                 resync: bool, chains: dict[Any, Any]) -> FeedbackLines:
        from xshell.lang.render_docs import feedback_doc
        try:
            return self.write(feedback_doc(payload, schema), None)
        except Exception:  # noqa: BLE001 - rendered when shown: must not break the display
            from xshell.lang.render_layout import compact_json
            return [compact_json(payload)]

    def help(self, schema: Schema, req: rq.Help) -> list[str]:
        return TERMINAL.help(schema, req)


__all__ = ["TshellDocuments"]
