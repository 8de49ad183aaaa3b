"""`-o json`: one compact JSON document per answer, error or notification (for jq).

The documents are the device's JSON-RPC `result` and `error` members as received (see
xshell.lang.render_json for the exact shapes and the masking of secrets). Help and
parse errors stay text lines: they are xshell's words for a person, not device data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xshell.lang.formats.output_format import FeedbackLines
from xshell.lang.formats.terminal import FORMAT as TERMINAL

if TYPE_CHECKING:
    from xshell.errors import XAPIError
    from xshell.lang import requests as rq
    from xshell.lang.parse_errors import ParseError
    from xshell.schema.model import Schema


class JsonRpc:
    """xshell's JSON output mode (not tshell's `xPreferences outputmode json`, whose
    documents are shaped differently)."""

    name = "json"
    description = "one JSON document per request"
    json_documents = True

    def result(self, req: rq.Request, result: Any, schema: Schema | None) -> list[str]:
        from xshell.lang.render_json import json_result
        return [json_result(req, result, schema)]

    def error(self, req: rq.Request | None, exc: XAPIError, schema: Schema | None) -> list[str]:
        from xshell.lang.render_errors import scrub_error
        from xshell.lang.render_json import json_error
        return [json_error(scrub_error(req, exc, schema), getattr(req, "result_id", None))]

    def parse_error(self, line: str, exc: ParseError, schema: Schema | None) -> list[str]:
        return TERMINAL.parse_error(line, exc, schema)

    def feedback(self, payload: dict[str, Any], schema: Schema | None, expression: str,
                 resync: bool, chains: dict[Any, Any]) -> FeedbackLines:
        """The notification's params on one line; a resync says so in a `Resync` member."""
        from xshell.lang.render_json import json_feedback
        from xshell.lang.render_layout import compact_json
        try:
            doc = json_feedback(payload, schema)
        except Exception:  # noqa: BLE001 - rendered when shown: must not break the display
            doc = compact_json(payload)
        return ['{"Resync":true,' + doc[1:] if resync and doc.startswith("{") else doc]

    def help(self, schema: Schema, req: rq.Help) -> list[str]:
        return TERMINAL.help(schema, req)


FORMAT = JsonRpc()

__all__ = ["FORMAT", "JsonRpc"]
