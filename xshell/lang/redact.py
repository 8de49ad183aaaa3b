"""Which values of a request are secrets — decided here once, whatever form the request took.

A secret may arrive as a tshell line (`xConfiguration … Password: x`, `xCommand … Passphrase:
x`) or as a raw JSON-RPC line (`{"method":"xset","params":{"path":"Configuration/…","value":…}}`
in any casing and path form the device accepts). History, echo, transcripts, parse errors and
the device's own error messages all ask the same two questions — is this configuration
secret, is this parameter secret — so both forms get the same answer from the schema's
meaning: `hide_value` configurations and password-like names (`is_secret_name`).

Until the device's Configuration schema is known, a hide_value configuration cannot be told
by its name, so every configuration value counts as secret then (`secret_config` with
`unknown=True`): losing a value from history is better than keeping a password in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from xshell.schema.model import Node, PathElem, Schema, is_secret_name

__all__ = ["MASK", "json_spans", "raw_secret_values", "raw_set_is_secret", "redact_raw",
           "schema_node", "secret_config"]

MASK = "***"
# `"Name": value` at any depth of a JSON text: a string (maybe unterminated) or a bare token
_JSON_PAIR = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:\s*("(?:[^"\\]|\\.)*"?|[^,{}\[\]\s"]+)')
_UNREAD = object()


def schema_node(schema: Schema | None, path: Sequence[PathElem]) -> Node | None:
    """The schema node at `path` (root first), tolerant of anything odd in it."""
    if schema is None or not path:
        return None
    node = schema.root(str(path[0]).strip())
    for e in path[1:]:
        if node is None:
            return None
        if isinstance(e, int) or str(e).strip().isdigit():
            continue
        node = node.child(str(e).strip())
    return node


def secret_config(path: Sequence[PathElem], schema: Schema | None, unknown: bool = True) -> bool:
    """Whether the configuration at `path` (root first) holds a secret.

    Secret: its last name is password-like, or the schema marks it hide_value. When the
    schema has no Configuration tree yet, the answer is `unknown`.
    """
    names = [str(e).strip() for e in path if isinstance(e, str) and not e.strip().isdigit()]
    if names and is_secret_name(names[-1]):
        return True
    if schema is None or schema.root("Configuration") is None:
        return unknown
    node = schema_node(schema, path)
    return bool(node is not None and node.hide_value)


def _arg(params: dict[str, Any], name: str) -> tuple[str, Any] | None:
    """A parameter by name in any case (the device reads Path, path and PATH alike)."""
    low = name.lower()
    return next(((k, v) for k, v in params.items() if isinstance(k, str) and k.lower() == low), None)


def _raw_path(value: Any) -> list[PathElem] | None:
    """An xSet's Path as a list: a JSON list, or a `Configuration/A/B` / `Configuration A B` string."""
    if isinstance(value, str):
        value = [w for w in re.split(r"[/\s]+", value) if w]
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(e, (str, int)) and not isinstance(e, bool) for e in value):
        return None
    return value


def raw_set_is_secret(obj: Any, schema: Schema | None) -> bool:
    """Whether `obj` (a raw JSON-RPC request) is an xSet whose Value must be masked.

    An xSet whose Path cannot be read is masked too: which configuration it sets is
    unknown, so it may be a hidden one.
    """
    if not isinstance(obj, dict):
        return False
    method, params = obj.get("method"), obj.get("params")
    if not isinstance(method, str) or method.strip().lower() != "xset" or not isinstance(params, dict):
        return False
    found = _arg(params, "Path")
    path = _raw_path(found[1]) if found is not None else None
    return path is None or secret_config(path, schema)


def _mask_keys(obj: Any, mask: Any) -> Any:
    """A JSON value with the values of password-like keys (any depth) replaced by `mask`."""
    if isinstance(obj, list):
        return [_mask_keys(v, mask) for v in obj]
    if not isinstance(obj, dict):
        return obj
    return {k: mask if isinstance(k, str) and is_secret_name(k) else _mask_keys(v, mask)
            for k, v in obj.items()}


def redact_raw(obj: Any, schema: Schema | None, mask: Any = MASK) -> Any:
    """A raw JSON-RPC request with every secret value replaced by `mask`.

    Password-like keys at any depth (an xCommand's Passphrase, …) and the Value of an
    xSet of a secret configuration (`raw_set_is_secret`). May raise RecursionError for
    absurdly deep input; callers mask the whole line then.
    """
    out = _mask_keys(obj, mask)
    if raw_set_is_secret(obj, schema) and isinstance(out.get("params"), dict):
        out["params"] = {k: mask if isinstance(k, str) and k.lower() == "value" else v
                         for k, v in out["params"].items()}
    return out


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


def raw_secret_values(obj: Any, schema: Schema | None) -> list[Any]:
    """The secret scalar values a raw request carries (for scrubbing a device's message)."""
    found: list[Any] = []
    stack = [obj]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str) and is_secret_name(k):
                    found += _leaves(v)
                else:
                    stack.append(v)
        elif isinstance(node, list):
            stack.extend(node)
    if raw_set_is_secret(obj, schema) and isinstance(obj.get("params"), dict):
        value = _arg(obj["params"], "Value")
        if value is not None:
            found += _leaves(value[1])
    return found


def json_spans(text: str, at: int, schema: Schema | None) -> list[tuple[int, int]]:
    """Where the JSON text `text` (starting at offset `at` of a line) holds secret values.

    Text that parses is checked: masking the spans found must give exactly what
    `redact_raw` gives, else (a secret in a form the scan does not follow: an escaped
    key, an object as the value) the whole text is one span. Text that does not parse
    is scanned only: password-like keys, and every `value` key, since what it sets is
    unknown.
    """
    try:
        obj: Any = json.loads(text)
    except (ValueError, RecursionError):
        obj = _UNREAD
    values = obj is _UNREAD or raw_set_is_secret(obj, schema)
    found = [m for m in _JSON_PAIR.finditer(text)
             if is_secret_name(m.group(1)) or (values and m.group(1).lower() == "value")]
    spans = [(m.start(2), m.end(2)) for m in found]
    if obj is not _UNREAD:
        try:
            pieces, last = [], 0
            for start, end in spans:
                pieces += [text[last:start], "null"]
                last = end
            if json.loads("".join(pieces) + text[last:]) != redact_raw(obj, schema, None):
                return [(at, at + len(text))]
        except (ValueError, RecursionError):
            return [(at, at + len(text))]
    return [(at + start, at + end) for start, end in spans]
