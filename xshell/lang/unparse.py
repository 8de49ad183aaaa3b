"""Request → the wire (`to_jsonrpc`) and Request → canonical tshell text (`to_line`).

`to_line` is what history, echo and logs store, so it is where secrets are masked
(`redact=True`): password-like parameters, `hide_value` configurations, and — for lines
that do not even parse — `redact_line` (xshell.lang.redact), which masks by token. The
canonical text parses back to the same request (`parse(to_line(r)) == r`), which the
property tests hold us to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from xshell.lang.parse import VERB_OF_ROOT
from xshell.lang.requests import (Command, Document, FeedbackDeregister, FeedbackDeregisterAll,
                                  FeedbackList, FeedbackRegister, Get, GetXml, Help, PathElem,
                                  Query, Raw, Request, Set, Value)
from xshell.lang.redact import MASK, redact_line, redact_raw, redact_spans, schema_node, secret_config
from xshell.schema.model import Schema, ValueSpace, is_secret_name

__all__ = ["is_local", "quote", "redact_line", "redact_spans", "to_jsonrpc", "to_line"]
_BARE_OK = re.compile(r'[^\s"|?:\\#{}]+\Z')
_INTLIKE = re.compile(r"-?[0-9]+\Z")
_LOCAL = (FeedbackDeregister, FeedbackDeregisterAll, FeedbackList, Help)
# Characters str.splitlines() breaks on: a canonical line must stay one line in history
# files and scripts, so they are always written as \u escapes.
_LINE_BREAKING = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Bidi embedding/override/isolate controls: a device value completed into the input line
# must not reorder what the user sees there, so a literal writes them as \u escapes too.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_local(req: Request) -> bool:
    """Requests the shell answers itself (subscription table, schema help)."""
    return isinstance(req, _LOCAL)


def to_jsonrpc(req: Request) -> tuple[str, dict[str, Any]]:
    """The XoWS (method, params) for `req`.

    Raises ValueError for local requests (`is_local`) and for a Raw object without a
    string method; a Raw request's own `id`/`jsonrpc` are not part of the answer, so a
    caller that must keep them sends `req.obj` as it is.
    """
    if isinstance(req, Get):
        return "xGet", {"Path": list(req.path)}
    if isinstance(req, Query):
        return "xQuery", {"Query": list(req.query)}
    if isinstance(req, Set):
        return "xSet", {"Path": list(req.path), "Value": req.value}
    if isinstance(req, Command):
        params: dict[str, Any] = {n: list(v) if isinstance(v, tuple) else v
                                  for n, v in req.params}
        if req.body is not None:
            params["body"] = req.body
        return req.method, params
    if isinstance(req, FeedbackRegister):
        return "xFeedback/Subscribe", {"Query": list(req.query),
                                       "NotifyCurrentValue": req.notify_current}
    if isinstance(req, GetXml):
        return "xQuery", {"Query": list(req.query)}
    if isinstance(req, Document):
        if req.schema:
            return "xDoc", {"Path": list(req.path), "Type": "Schema"}
        return "xQuery", {"Query": list(req.path)}
    if isinstance(req, Raw):
        method, params = req.obj.get("method"), req.obj.get("params", {})
        if not isinstance(method, str) or not isinstance(params, dict):
            raise ValueError("a raw request needs a string 'method' and object 'params'")
        return method, dict(params)
    raise ValueError(f"{type(req).__name__} is answered locally, not sent")


def quote(text: str) -> str:
    """`text` as a tshell string literal (JSON-style escapes, parsed back by `unquote`)."""
    out = ['"']
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif c in _LINE_BREAKING or c in _BIDI or ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _value(value: Value, vs: ValueSpace | None) -> str:
    """Integers and schema literals bare; every other string quoted."""
    if isinstance(value, int):
        return str(value)
    if vs is not None and ((vs.is_literal and _BARE_OK.match(value))
                           or (vs.is_integer and _INTLIKE.match(value))):
        return value
    return quote(value)


def _path(elems: Sequence[PathElem]) -> str:
    """Path elements in space form; a `//` search marker sticks to its term."""
    words: list[str] = []
    glue = False
    for e in elems:
        text = str(e)
        if glue:
            words[-1] += text
            glue = False
        else:
            words.append(text)
        glue = e == "//"
    return " ".join(words)


def _tag(result_id: str | None) -> str:
    return "" if result_id is None else f" | resultId={quote(result_id)}"


def to_line(req: Request, redact: bool = False, schema: Schema | None = None) -> str:
    """Canonical tshell text for `req` (a multiline command's body is not included).

    With `schema`, literal and integer values are written bare like the device's own
    help; without it every string value is quoted. `redact=True` masks secret values.
    """
    if isinstance(req, Raw):
        text = json.dumps(redact_raw(req.obj, schema) if redact else req.obj, ensure_ascii=False)
        return "".join(f"\\u{ord(c):04x}" if c in _LINE_BREAKING else c for c in text)
    if isinstance(req, Help):
        verb = VERB_OF_ROOT.get(req.root, "x" + req.root)
        return " ".join(w for w in (verb, _path(req.path), "??" if req.detail else "?") if w)
    if isinstance(req, (Get, Query)):
        elems = req.path if isinstance(req, Get) else (req.search or req.query)
        verb = VERB_OF_ROOT.get(str(elems[0]), "xStatus") if elems else "xStatus"
        return " ".join(w for w in (verb, _path(elems[1:])) if w) + _tag(req.result_id)
    if isinstance(req, Set):
        node = schema_node(schema, req.path)
        vs = node.value_space if node is not None else None
        shown = MASK if redact and secret_config(req.path, schema) else _value(req.value, vs)
        return f"xConfiguration {_path(req.path[1:])}: {shown}{_tag(req.result_id)}"
    if isinstance(req, Command):
        cmd = schema_node(schema, ("Command", *req.path))
        words = ["xCommand", *req.path]
        for name, given in req.params:
            param = cmd.param(name) if cmd is not None else None
            pvs = param.value_space if param is not None else None
            for v in given if isinstance(given, tuple) else (given,):
                words.append(f"{name}: {MASK if redact and is_secret_name(name) else _value(v, pvs)}")
        return " ".join(words) + _tag(req.result_id)
    if isinstance(req, FeedbackRegister):
        return f"xFeedback register {req.expression}{_tag(req.result_id)}"
    if isinstance(req, FeedbackDeregister):
        return f"xFeedback deregister {req.expression}{_tag(req.result_id)}"
    if isinstance(req, FeedbackDeregisterAll):
        return "xFeedback deregisterall" + _tag(req.result_id)
    if isinstance(req, FeedbackList):
        return "xFeedback list" + _tag(req.result_id)
    if isinstance(req, GetXml):
        return f"xGetxml {req.expression}{_tag(req.result_id)}"
    if isinstance(req, Document):
        path = "/".join(f"[{e}]" if isinstance(e, int) else str(e) for e in req.path).replace("/[", "[")
        return (f"xDocument Path: {quote(path)} Schema: {req.schema} Format: {req.fmt}"
                + _tag(req.result_id))
    raise TypeError(f"not a request: {type(req).__name__}")
