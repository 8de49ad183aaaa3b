"""`-o json` output: one compact JSON document per answer, error or feedback.

Scripts piping xshell into `jq` want exactly what the device said, one document per line
(`json.loads` per line works; no pretty-printing to re-join). So:

* a result is the JSON-RPC `result` member verbatim (`xStatus Audio Volume` → `50`);
* keys keep the device's order — a real device already sorts them (xows.md §4), and
  re-sorting would only hide what a simulator or firmware really sent;
* a request tagged `| resultId="x"` is wrapped as `{"ResultId":"x","result":…}` so the
  tag survives even for scalar results (tshell's JSON mode uses the same `ResultId` key);
* an error is `{"error":{"code":…,"message":…,"data":…}}` (`data` only when the device
  sent one), tagged the same way;
* configurations the schema marks hide_value are replaced by "***", as in terminal mode.
"""

from __future__ import annotations

from typing import Any

from xshell.errors import XAPIError
from xshell.lang import requests as rq
from xshell.lang.render_layout import HIDDEN, canonical_root, compact_json, is_hidden
from xshell.schema.model import PathElem, Schema


def redact(tree: Any, path: tuple[PathElem, ...], schema: Schema | None) -> Any:
    """A copy of `tree` (found at full path `path`) with hide_value leaves set to "***"."""
    if schema is None:
        return tree
    if isinstance(tree, dict):
        return {k: (v if isinstance(k, str) and k[:1].islower() else redact(v, path + (k,), schema))
                for k, v in tree.items()}
    if isinstance(tree, list):
        out = []
        for pos, element in enumerate(tree, start=1):
            if isinstance(element, dict):
                ident = element.get("id", pos)
                key: PathElem = ident if isinstance(ident, int) and not isinstance(ident, bool) else (
                    int(ident) if str(ident).isdigit() else str(ident))
                out.append(redact(element, path + (key,), schema))
            else:
                out.append(redact(element, path, schema))
        return out
    return HIDDEN if is_hidden(schema, path) else tree


def _redact_rooted(tree: Any, schema: Schema | None) -> Any:
    if schema is None or not isinstance(tree, dict):
        return tree
    return {k: (redact(v, (root,), schema) if (root := canonical_root(k)) else v) for k, v in tree.items()}


def json_result(req: rq.Request, result: Any, schema: Schema | None = None) -> str:
    """The answer to `req` as one compact JSON line (Raw: the whole reply as received)."""
    if isinstance(req, rq.Raw):
        return compact_json(result)
    if isinstance(req, rq.Get) and req.path:
        root = canonical_root(req.path[0])
        if root:
            result = redact(result, (root, *req.path[1:]), schema)
    elif isinstance(req, (rq.Query, rq.GetXml)) or (isinstance(req, rq.Document) and not req.schema):
        result = _redact_rooted(result, schema)
    tag = getattr(req, "result_id", None)
    return compact_json({"ResultId": tag, "result": result} if tag is not None else result)


def json_error(err: XAPIError, result_id: str | None = None) -> str:
    """The device's error member as `{"error": {...}}` on one line."""
    doc: dict[str, Any] = {"error": err.to_json()}
    if result_id is not None:
        doc = {"ResultId": result_id, **doc}
    return compact_json(doc)


def json_feedback(payload: dict[str, Any], schema: Schema | None = None) -> str:
    """One xFeedback/Event notification's params on one line (subscription `Id` kept).

    The Id is kept because a script that registered several expressions routes on it.
    """
    return compact_json(_redact_rooted(payload, schema))


__all__ = ["json_error", "json_feedback", "json_result", "redact"]
