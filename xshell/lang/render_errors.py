"""Device errors in tshell's error shape (§6.6): `*r … (status=Error)`, Reason, Code, `ERROR`.

Split from xshell.lang.render because an error answer has its own layout per verb and
one extra duty results do not have: the device's message may repeat a value the user
sent (a password, a hide_value configuration), and it must be masked before it is
shown. Pure, like the rest of the rendering: (request, error, optional Schema) in,
lines out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xshell.errors import XAPIError
from xshell.lang import requests as rq
from xshell.lang.redact import raw_secret_values, secret_config
from xshell.lang.render_layout import (HIDDEN, _attr_text, _line, _rid_lines, canonical_root,
                                       compact_json, format_value, quote,
                                       result_name, tree_lines)
from xshell.schema.model import PathElem, Schema, is_secret_name

__all__ = ["render_error", "scrub_error"]


def _xpath(path: Sequence[PathElem]) -> str:
    out: list[str] = []
    for elem in path:
        if isinstance(elem, int) and out:
            out[-1] += f"[{elem}]"
        else:
            out.append(str(elem))
    return "/".join(out)


def _data_xpath(data: Any) -> tuple[str | None, Any]:
    """Split a device-supplied xpath out of `data` (keys XPath/xpath in any case)."""
    if not isinstance(data, dict):
        return None, data
    xpath = next((str(v) for k, v in data.items() if str(k).lower() == "xpath"), None)
    return xpath, {k: v for k, v in data.items() if str(k).lower() != "xpath"}


def _secrets(req: rq.Request | None, schema: Schema | None) -> list[str]:
    """Values the request carried that must never be echoed back in an error."""
    found: list[Any] = []
    if isinstance(req, rq.Set):
        # until the schema is known, a string value may be a hidden one: scrubbed too
        if secret_config(req.path, schema, unknown=isinstance(req.value, str)):
            found.append(req.value)
    elif isinstance(req, rq.Command):
        for name, value in req.params:
            if is_secret_name(name):
                found += list(value) if isinstance(value, tuple) else [value]
    elif isinstance(req, rq.Raw):
        found += raw_secret_values(req.obj, schema)
    return sorted({str(v) for v in found if str(v)}, key=len, reverse=True)


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, HIDDEN)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    return value


def scrub_error(req: rq.Request | None, err: XAPIError, schema: Schema | None = None) -> XAPIError:
    """`err` with every secret value `req` carried replaced by *** (for the JSON output)."""
    secrets = _secrets(req, schema)
    if not secrets:
        return err
    return type(err)(_scrub(err.message, secrets), code=err.code, data=_scrub(err.data, secrets))


def render_error(req: rq.Request | None, err: XAPIError, schema: Schema | None = None) -> list[str]:
    """The device's error (its own message, code and data) in tshell's error shape (§6.6).

    Get/Query: `*r Status (status=Error): ` + Reason, XPath, data, Code lines. Command:
    `*r <Name>Result (status=Error|ParameterError): ` likewise (an unknown command is
    `*r Result` with XPath "/Path/Typed", as tshell prints it). Set: the configuration
    attribute style `*c xConfiguration <path> (error=True, code=…): "<message>"` with data
    fields as further attributes. Raw: the JSON error member. All end `** end`, blank,
    `ERROR`. Values of secret parameters/configurations are replaced by *** if the
    device's message repeats them.
    """
    secrets = _secrets(req, schema)
    message = _scrub(err.message, secrets)
    xpath, data = _data_xpath(_scrub(err.data, secrets))
    code = err.code
    rid = getattr(req, "result_id", None)
    if isinstance(req, rq.Raw):
        return [compact_json({"error": _scrub(err.to_json(), secrets)})]
    if isinstance(req, rq.Set):
        attrs: list[tuple[str, Any]] = [("error", "True"), ("code", code)]
        if isinstance(data, dict):
            attrs += [(str(k), v) for k, v in data.items()]
        elif data is not None:
            attrs.append(("data", data))
        line = _line("*c xConfiguration", req.path[1:], quote(message), _attr_text(attrs))
        return [line, *_rid_lines(rid), "** end", "", "ERROR"]
    status = "Error"
    if isinstance(req, (rq.Get, rq.Query)):
        path = req.path if isinstance(req, rq.Get) else req.query
        name = canonical_root(path[0]) or "Result" if path else "Result"
        xpath = xpath or _xpath(path)
    elif isinstance(req, rq.Command):
        if code == -32601:
            name, xpath = "Result", xpath or "/" + "/".join(req.path)
        else:
            name = result_name(req.path, schema)
            status = "ParameterError" if code == -32602 else "Error"
    elif isinstance(req, (rq.FeedbackRegister, rq.FeedbackDeregister)):
        name, xpath = "Feedback", xpath or req.expression
    elif isinstance(req, (rq.FeedbackDeregisterAll, rq.FeedbackList)):
        name = "Feedback"
    else:
        name = "Result"
    lines = [f"*r {name} (status={status}): ", f"*r {name} Reason: {quote(message)}"]
    if xpath:
        lines.append(f"*r {name} XPath: {quote(xpath)}")
    if isinstance(data, dict):
        lines += tree_lines(f"*r {name}", None, (), data)
    elif data is not None:
        lines.append(f"*r {name} Data: {format_value(data)}")
    lines.append(f"*r {name} Code: {code}")
    return [*lines, *_rid_lines(rid), "** end", "", "ERROR"]
