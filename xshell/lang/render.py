r"""XoWS answers back into tshell terminal text: `*s`/`*c`/`*r`/`*e` lines, `** end`, OK/ERROR.

The device's SSH shell is what integrators' parsers and fingers know, so every answer the
WebSocket gives is printed the way tshell would print it (spec tshell.md §6, §8, §10):

* a JSON tree is flattened depth-first, one leaf per line, in the device's key order;
  list elements become `<Node> <id>` tokens (the XoWS `id` key); other lower-case keys are
  attributes printed as `(ghost=True)` after their node; `id` keys on plain objects (event
  nodes all carry `"id": 1`, an element fetched by id repeats it) are not printed;
* terminators per verb: query = block, `** end`, blank, `OK`; set/register = `** end`,
  blank, `OK`; command = blank, `OK`, block, `** end` (errors: block, `** end`, blank,
  `ERROR`); a `| resultId="…"` tag is echoed as `** resultId: "…"` just before `** end`;
* quoting follows the schema leaf type when a schema is known (String quoted, Literal and
  Integer bare). Without a schema (command results never have one) the heuristic is:
  JSON numbers and booleans bare; a string bare when it is one CamelCase/alphanumeric word
  starting with a capital (`^[A-Z][A-Za-z0-9]*$`: On, Connected, Info, True) — that is how
  literals look — and quoted otherwise ("sip", "1.11", "127", "wx1_panel");
* quoted strings use JSON escapes (`\"`, `\\`, `\n`, `\u001b`, ...), so every leaf stays on
  one line, no value can send escape sequences to the terminal, and `json.loads` of the
  quoted text gives the value back exactly;
* configurations the schema marks hide_value are shown as `"***"` whatever the device sent:
  a real device never sends them in clear, but a simulator or a future firmware might, and
  a shell must not be the thing that puts a password on screen or in scrollback.

Everything here is pure: (request, result or error, optional Schema) in, list of lines out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from xshell.errors import XAPIError
from xshell.lang import requests as rq
from xshell.lang.parse import search_matches
from xshell.schema.model import PathElem, Schema, ValueSpace, is_secret_name

Keep = Callable[[tuple[PathElem, ...]], bool]
"""A filter for query leaves; it gets the leaf's full path, root first, instance ids inline."""

HIDDEN = "***"
_LITERAL_LIKE = re.compile(r"[A-Z][A-Za-z0-9]*")
_ROOTS = {"status": "Status", "configuration": "Configuration", "event": "Event"}
_MARKERS = {"Status": "*s", "Configuration": "*c xConfiguration", "Event": "*e"}
_NO_VALUE = object()
_UNSAFE = re.compile("[\x7f-\x9f]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_INT = re.compile(r"-?\d+")


# --------------------------------------------------------------------------- values
def quote(text: str) -> str:
    """A string as tshell prints a String value: double quotes, JSON escapes.

    Control characters (C0, DEL, C1) are escaped too, so a value can neither break the
    line structure nor send escape sequences to the user's terminal.
    """
    return _UNSAFE.sub(_escape, json.dumps(text, ensure_ascii=False))


def compact_json(obj: Any) -> str:
    """One-line JSON with DEL/C1 controls escaped (JSON escapes C0 itself)."""
    return _UNSAFE.sub(_escape, json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=str))


def _escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def format_value(value: Any, vs: ValueSpace | None = None) -> str:
    """One leaf value as it appears after `: ` (see the module docstring for the rules)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return '""'
    if not isinstance(value, str):
        return quote(compact_json(value))
    if vs is not None:
        if vs.is_string:
            return quote(value)
        if vs.is_integer and not _INT.fullmatch(value):
            return quote(value)
        return value if value and not _CONTROL.search(value) else quote(value)
    return value if _LITERAL_LIKE.fullmatch(value) else quote(value)


def canonical_root(name: Any) -> str | None:
    """Status/Configuration/Event in canonical case, or None for anything else."""
    return _ROOTS.get(str(name).lower())


def leaf_node(schema: Schema | None, path: Sequence[PathElem]) -> Any:
    """The schema node at a full path (root first), or None when unknown or no schema."""
    if schema is None or not path:
        return None
    try:
        return schema.node(list(path))
    except Exception:  # a malformed path from the wire must never break rendering
        return None


def is_hidden(schema: Schema | None, path: Sequence[PathElem]) -> bool:
    """Whether the leaf at `path` must be shown as *** (schema hide_value)."""
    node = leaf_node(schema, path)
    return bool(node is not None and getattr(node, "hide_value", False))


_node_cache: dict[tuple[PathElem, ...], Any] = {}
_node_cache_of: list[Schema | None] = [None]  # the schema the cache belongs to (by identity)


def _cached_node(schema: Schema | None, full: tuple[PathElem, ...]) -> Any:
    """leaf_node memoised for the current schema: feedback storms repeat the same few paths.

    One schema at a time (a session has one; a new one empties the cache), bounded size.
    """
    if schema is None:
        return None
    if _node_cache_of[0] is not schema or len(_node_cache) > 4096:
        _node_cache.clear()
        _node_cache_of[0] = schema
    try:
        return _node_cache[full]
    except KeyError:
        node = _node_cache[full] = leaf_node(schema, full)
        return node
    except TypeError:  # an unhashable path element: look it up uncached
        return leaf_node(schema, full)


def _leaf_text(schema: Schema | None, full: tuple[PathElem, ...], value: Any) -> str:
    node = _cached_node(schema, full)
    if node is not None and node.hide_value:
        return quote(HIDDEN)
    vs = node.value_space if node is not None else None
    return format_value(value, vs)


# --------------------------------------------------------------------------- flattening
def _instance(ident: Any) -> PathElem:
    text = str(ident)
    return int(text) if _INT.fullmatch(text) else text


def _is_attr(key: str) -> bool:
    return key[:1].islower()


Flat = tuple[tuple[PathElem, ...], list[tuple[str, Any]], Any]


def flatten(node: Any, path: tuple[PathElem, ...] = ()) -> Iterator[Flat]:
    """Depth-first (tokens, attributes, value) triples of an XoWS JSON tree.

    value is `_NO_VALUE` for an attribute-only line such as a ghost element. Device key
    order is kept: it is already sorted on a real device, and re-sorting would reorder
    what the user is comparing against the device's own output.
    """
    if isinstance(node, dict):
        attrs = [(k, v) for k, v in node.items() if isinstance(k, str) and _is_attr(k) and k != "id"]
        if attrs:
            yield path, attrs, _NO_VALUE
        for key, child in node.items():
            if not (isinstance(key, str) and _is_attr(key)):
                yield from flatten(child, path + (str(key),))
    elif isinstance(node, list):
        for pos, element in enumerate(node, start=1):
            if isinstance(element, dict):
                yield from flatten(element, path + (_instance(element.get("id", pos)),))
            else:
                yield from flatten(element, path)
    else:
        yield path, [], node


def _attr_text(attrs: list[tuple[str, Any]]) -> str:
    return "(" + ", ".join(f"{k}={_attr_value(v)}" for k, v in attrs) + ")"


def _attr_value(value: Any) -> str:
    if not isinstance(value, str):
        return format_value(value)
    return value if re.fullmatch(r"[\w.:/+-]+", value) else quote(value)


def _tokens(path: Sequence[PathElem]) -> str:
    return _CONTROL.sub(_escape, " ".join(str(p) for p in path))  # keys come from the wire too


def _line(marker: str, path: Sequence[PathElem], value: str | None, attrs: str = "") -> str:
    head = " ".join(x for x in (marker, _tokens(path), attrs) if x)
    return f"{head}:" if value is None else f"{head}: {value}"


def tree_lines(marker: str, root: str | None, rel: tuple[PathElem, ...], tree: Any,
               schema: Schema | None = None, keep: Keep | None = None) -> list[str]:
    """Flatten `tree` found at `rel` (below `root`) into marker lines.

    `root` (Status/Configuration/Event) locates schema leaves for quoting and hide_value;
    `keep` filters leaves by full path (root first).
    """
    out: list[str] = []
    for path, attrs, value in flatten(tree, rel):
        full = ((root,) if root else ()) + path
        if keep is not None and not keep(full):
            continue
        if value is _NO_VALUE:
            out.append(_line(marker, path, None, _attr_text(attrs)))
        else:
            out.append(_line(marker, path, _leaf_text(schema if root else None, full, value)))
    return out


# --------------------------------------------------------------------------- search
def search_keep(search: Sequence[PathElem]) -> Keep:
    """The Query filter for a `search` pattern (root first, with "//"/"**" markers).

    The matching itself is the parser's `search_matches`, so what a `//` line selects is
    decided in one place: tshell's prefix search (`//vid//res//wid`), a matched inner
    node bringing its whole subtree.
    """
    pattern = tuple(search)
    return lambda path: search_matches(path, pattern)


# --------------------------------------------------------------------------- names
def result_name(path: Sequence[str], schema: Schema | None = None) -> str:
    """tshell's command result tag: last two path elements + "Result" (§6.5).

    Spelled as the schema spells the command when it is known (`Video SelfView Set` →
    `SelfviewSetResult` against a schema that says Selfview), as typed otherwise.
    """
    names = [str(p) for p in path]
    if schema is not None and names:
        resolved = schema.resolve(["Command", *names])
        if resolved.ok:
            names = [str(p) for p in resolved.path[1:]]
    return "".join(names[-2:]) + "Result"


def _rid_lines(result_id: str | None) -> list[str]:
    return [f"** resultId: {quote(result_id)}"] if result_id is not None else []


def _done(result_id: str | None) -> list[str]:
    return [*_rid_lines(result_id), "** end", "", "OK"]


# --------------------------------------------------------------------------- results
def render_result(req: rq.Request, result: Any, schema: Schema | None = None,
                  keep: Keep | None = None) -> list[str]:
    """The terminal text of one successful answer.

    `keep` filters Query leaves (full path, root first); when omitted, a Query with a
    `search` pattern is filtered with `search_keep` (tshell's prefix `//` search: XoWS
    only knows exact names, so the parser sends `**` and the answer is narrowed here).
    """
    if isinstance(req, rq.Get):
        root = canonical_root(req.path[0]) if req.path else None
        marker = _MARKERS.get(root or "", "*s")
        rel = tuple(req.path[1:])
        base = _list_base(rel, result)
        if base < len(rel) and root is not None:  # `Connector Name`: every instance's Name
            pattern = (root, *rel)
            return tree_lines(marker, root, rel[:base], result, schema,
                              lambda full: search_matches(full, pattern)) + _done(req.result_id)
        return tree_lines(marker, root, rel, result, schema) + _done(req.result_id)
    if isinstance(req, rq.Query):
        if keep is None and req.search:
            keep = search_keep(req.search)
        return _query_lines(result, schema, keep) + _done(req.result_id)
    if isinstance(req, rq.Command):
        return _command_lines(req, result, schema)
    if isinstance(req, (rq.Set, rq.FeedbackRegister, rq.FeedbackDeregister, rq.FeedbackDeregisterAll)):
        return _done(req.result_id)
    if isinstance(req, rq.FeedbackList):
        items = [str(x) for x in result] if isinstance(result, (list, tuple)) else []
        return sorted(items, key=lambda s: (s.lower(), s)) + _done(req.result_id)
    if isinstance(req, rq.Raw):
        return [compact_json(result)]
    if isinstance(req, rq.Help):
        if schema is None:
            return ["error: no schema is known for this device; help is not available", "", "ERROR"]
        from xshell.lang.help import render_help
        return render_help(schema, req)
    return [f"error: cannot render a {type(req).__name__} answer"]


def _list_base(rel: tuple[PathElem, ...], result: Any) -> int:
    """How much of a Get path the answer is relative to.

    A path naming a multi-instance node without an id (`Video Input Connector Name`)
    is answered with the list at that node (every instance): the answer then sits at the
    first node whose next path element is a key inside the list elements.
    """
    if not isinstance(result, list):
        return len(rel)
    keys = {k.lower() for e in result if isinstance(e, dict) for k in e if isinstance(k, str)}
    for j in range(len(rel) - 1):
        nxt = rel[j + 1]
        if isinstance(nxt, str) and not isinstance(rel[j], int) and nxt.lower() in keys:
            return j + 1
    return len(rel)


def _query_lines(result: Any, schema: Schema | None, keep: Keep | None) -> list[str]:
    if not isinstance(result, dict):
        return tree_lines("*s", None, (), result, None, keep)
    return [ln for key, tree in result.items() if (root := canonical_root(key))
            for ln in tree_lines(_MARKERS[root], root, (), tree, schema, keep)]


def _command_lines(req: rq.Command, result: Any, schema: Schema | None) -> list[str]:
    name = result_name(req.path, schema)
    status = "OK"
    data = result
    if isinstance(result, dict):
        status = str(result.get("status", "OK"))
        data = {k: v for k, v in result.items() if k != "status"}
    body = [f"*r {name} (status={status}): "]
    if isinstance(data, dict):
        body += tree_lines(f"*r {name}", None, (), data)
    elif data is not None and data is not True:
        body.append(f"*r {name}: {format_value(data)}")
    body += [*_rid_lines(req.result_id), "** end"]
    if status.lower() != "ok":
        return body + ["", "ERROR"]
    return ["", "OK", *body]


# --------------------------------------------------------------------------- errors
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
        last = next((p for p in reversed(req.path) if isinstance(p, str)), "")
        if is_secret_name(last) or is_hidden(schema, req.path):
            found.append(req.value)
    elif isinstance(req, rq.Command):
        for name, value in req.params:
            if is_secret_name(name):
                found += list(value) if isinstance(value, tuple) else [value]
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


__all__ = ["HIDDEN", "Keep", "canonical_root", "compact_json", "flatten", "format_value",
           "is_hidden", "leaf_node", "quote", "render_error", "render_result",
           "result_name", "search_keep", "tree_lines"]
