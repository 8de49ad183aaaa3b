"""XoWS answers as the documents tshell prints in its xml and json output modes (spec §7).

Parsers written for SSH sessions read these shapes, so they are kept as the device prints
them: a tree rooted at `Status`/`Configuration`/`Event` (or `CommandResponse` for a
command), leaves as `{"Value": "50"}` (always a string), list elements as objects with a
string `"id"`, lower-case keys as attributes (`status`, `ghost`, `error`), a
`| resultId="x"` tag as a top-level `"ResultId"` (JSON) or the `resultId` attribute of
`<XmlDoc>` (XML), and no `OK` / `** end` after a document. The same tree serves both
modes: XML writes list ids as `item="n"` (and `item="1"` on single nodes of a value tree),
attributes as attributes and a leaf's Value as the element's text.

`xGetxml` always answers in XML and `xDocument` in its `Format:`, whatever the mode.
hide_value configurations are "***" here as everywhere (render_json.redact). Pure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from xshell.errors import XAPIError
from xshell.inert import inert, inert_block
from xshell.lang import requests as rq
from xshell.lang.render import _list_base, search_keep
from xshell.lang.render_errors import _data_xpath, _xpath, scrub_error
from xshell.lang.render_json import _redact_rooted, redact
from xshell.lang.render_layout import Keep, canonical_root, compact_json, result_name
from xshell.schema.model import PathElem, Schema

__all__ = ["document_lines", "error_doc", "feedback_doc", "json_lines", "result_doc",
           "value_tree", "xml_lines"]

Doc = dict[str, Any]


# --------------------------------------------------------------------------- trees
def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return "" if value is None else str(value)


def value_tree(node: Any) -> Any:
    """An XoWS JSON tree in tshell's JSON shape: leaves `{"Value": "…"}`, ids as strings."""
    if isinstance(node, dict):
        return _element_tree(node)
    if isinstance(node, list):
        return [value_tree(e) if isinstance(e, dict) else {"Value": _text(e)} for e in node]
    return {"Value": _text(node)}


def _element_tree(node: dict[Any, Any]) -> Doc:
    """`value_tree` of an element: its id first, as the device writes it."""
    keys = sorted(node, key=lambda k: k != "id")
    return {str(k): (_text(node[k]) if str(k)[:1].islower() else value_tree(node[k])) for k in keys}


def _prune(tree: Any, path: tuple[PathElem, ...], keep: Keep) -> Any:
    """`tree` (at full `path`) with only the leaves `keep` accepts; None when none is left."""
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            if isinstance(k, str) and k[:1].islower():
                continue
            kept = _prune(v, path + (str(k),), keep)
            if kept is not None:
                out[k] = kept
        if not out:
            return None
        return {**{k: v for k, v in tree.items() if isinstance(k, str) and k[:1].islower()}, **out}
    if isinstance(tree, list):
        items = []
        for pos, e in enumerate(tree, start=1):
            ident = e.get("id", pos) if isinstance(e, dict) else pos
            key: PathElem = int(ident) if str(ident).isdigit() else str(ident)
            kept = _prune(e, path + (key,), keep)
            if kept is not None:
                items.append(kept)
        return items or None
    return tree if keep(path) else None


def _wrap(root: str, rel: Sequence[PathElem], node: Any) -> Doc:
    """`node` (already in document shape) placed at `root`/`rel`."""
    for elem in reversed(rel):
        if isinstance(elem, int):
            inner = node if isinstance(node, dict) else {"Value": _text(node)}
            node = [{"id": str(elem), **{k: v for k, v in inner.items() if k != "id"}}]
        else:
            node = {str(elem): node}
    return {root: node}


def _rooted(result: Any, schema: Schema | None, keep: Keep | None = None) -> Doc:
    """An xQuery answer (already rooted) as a document, filtered by `keep`."""
    tree = _redact_rooted(result, schema)
    if keep is not None and isinstance(tree, dict):
        pruned = {k: _prune(v, (root,), keep) for k, v in tree.items()
                  if (root := canonical_root(k))}
        tree = {k: v for k, v in pruned.items() if v is not None}
    return value_tree(tree) if isinstance(tree, dict) else {}


def _get_doc(req: rq.Get, result: Any, schema: Schema | None) -> Doc:
    root = canonical_root(req.path[0]) if req.path else None
    if root is None:
        return {"Result": value_tree(result)}
    rel = tuple(req.path[1:])
    tree = redact(result, (root, *rel), schema)
    base = _list_base(rel, result)
    return _wrap(root, rel[:base], value_tree(tree))


def result_doc(req: rq.Request, result: Any, schema: Schema | None) -> Doc | None:
    """The document tshell prints for a successful answer (None: no document form —
    help and `xFeedback list` keep their terminal lines)."""
    if isinstance(req, rq.Get):
        return _get_doc(req, result, schema)
    if isinstance(req, rq.Query):
        return _rooted(result, schema, search_keep(req.search) if req.search else None)
    if isinstance(req, rq.GetXml):
        return _rooted(result, schema)
    if isinstance(req, rq.Command):
        data = dict(result) if isinstance(result, dict) else (
            {} if result in (None, True) else {"Value": result})
        status = _text(data.pop("status", "OK"))
        return {"CommandResponse": {result_name(req.path, schema): {"status": status,
                                                                    **value_tree(data)}}}
    if isinstance(req, (rq.Set, rq.FeedbackRegister, rq.FeedbackDeregister,
                        rq.FeedbackDeregisterAll)):
        return {}
    return None


def _reason(message: str, xpath: str | None) -> Doc:
    out: Doc = {"Reason": {"Value": message}}
    if xpath:
        out["XPath"] = {"Value": xpath}
    return out


def error_doc(req: rq.Request | None, exc: XAPIError, schema: Schema | None) -> Doc:
    """The device's error in tshell's document shapes (§6.6's JSON column)."""
    err = scrub_error(req, exc, schema)
    xpath, _ = _data_xpath(err.data)
    if isinstance(req, rq.Set):
        root = canonical_root(req.path[0]) or "Configuration"
        return _wrap(root, req.path[1:], {"error": "True", "Value": err.message})
    if isinstance(req, (rq.Get, rq.Query, rq.GetXml, rq.Document)):
        path = (req.path if isinstance(req, (rq.Get, rq.Document))
                else req.query)
        root = (canonical_root(path[0]) if path else None) or "Status"
        body = {"status": "Error", **_reason(err.message, xpath or _xpath(path))}
        return {root: body} if root == "Status" else {"CommandResponse": {root: body}}
    if isinstance(req, rq.Command):
        if err.code == -32601:
            body = {"status": "Error", **_reason("Unknown command", "/" + "/".join(req.path))}
            return {"CommandResponse": {"Result": body}}
        status = "ParameterError" if err.code == -32602 else "Error"
        return {"CommandResponse": {result_name(req.path, schema): {
            "status": status, **_reason(err.message, None)}}}
    if isinstance(req, (rq.FeedbackRegister, rq.FeedbackDeregister)):
        return {"CommandResponse": {"Feedback": {"status": "Error",
                                                 **_reason(err.message, req.expression)}}}
    return {"CommandResponse": {"Result": {"status": "Error", **_reason(err.message, xpath)}}}


def feedback_doc(payload: dict[str, Any], schema: Schema | None) -> Doc:
    """One notification as the device prints it: `{"Status": {…}}` / `{"Event": {…}}`
    (the XoWS subscription `Id` is the WebSocket's, not tshell's)."""
    tree = {k: v for k, v in payload.items() if canonical_root(k)}
    shown: dict[Any, Any] = _redact_rooted(tree, schema)  # a dict stays a dict
    return _element_tree(shown)


# --------------------------------------------------------------------------- text
def json_lines(doc: Doc, result_id: str | None = None) -> list[str]:
    """The document pretty-printed (a line starting with `}` ends it, as parsers expect)."""
    if result_id is not None:
        doc = {**doc, "ResultId": result_id}
    return inert_block(json.dumps(doc, indent=2, ensure_ascii=False)).split("\n")  # JSON whole: its escapes kept


def _attrs(pairs: Sequence[tuple[str, str]]) -> str:
    return "".join(f" {k}={quoteattr(v)}" for k, v in pairs)


def _element(name: str, node: Any, items: bool, item: str | None, out: list[str],
             top: bool = False) -> None:
    """`node` as element `name`; `items`: a value tree (item="1" on single nodes, not on
    the root element `top`)."""
    if isinstance(node, list):
        for pos, e in enumerate(node, start=1):
            ident = e.get("id", str(pos)) if isinstance(e, dict) else str(pos)
            _element(name, e, items, str(ident), out)
        return
    pairs: list[tuple[str, str]] = [("item", item)] if item is not None else (
        [("item", "1")] if items and not top else [])
    if not isinstance(node, dict):
        out.append(f"<{name}{_attrs(pairs)}>{escape(_text(node))}</{name}>")
        return
    pairs += [(k, _text(v)) for k, v in node.items() if k[:1].islower() and k != "id"]
    text = "Value" in node and not isinstance(node["Value"], (list, dict))
    children = [(k, v) for k, v in node.items()
                if not k[:1].islower() and not (k == "Value" and text)]
    if text and not children:
        out.append(f"<{name}{_attrs(pairs)}>{escape(_text(node['Value']))}</{name}>")
        return
    out.append(f"<{name}{_attrs(pairs)}>")
    for k, v in children:
        _element(k, v, items, None, out)
    out.append(f"</{name}>")


def xml_lines(doc: Doc, result_id: str | None = None) -> list[str]:
    """The document as `<XmlDoc resultId="…">` XML, one element a line (§7.1)."""
    out = [f"<XmlDoc resultId={quoteattr(result_id or '')}>"]
    for key, node in doc.items():
        if key == "CommandResponse" and isinstance(node, dict):  # XML drops the wrapper
            for name, result in node.items():
                _element(name, result, False, None, out)
        else:
            _element(key, node, canonical_root(key) is not None, None, out, top=True)
    out.append("</XmlDoc>")
    return [inert(line) for line in out]


def document_lines(req: rq.GetXml | rq.Document, result: Any, schema: Schema | None) -> list[str]:
    """`xGetxml` (always XML) and `xDocument` (its Format) answers, whatever the mode."""
    if isinstance(req, rq.GetXml):
        return xml_lines(_rooted(result, schema), req.result_id)
    if not req.schema:
        doc = _rooted(result, schema)
    else:
        root = str(req.path[0])
        top = "StatusSchema" if root == "Status" else root  # as tshell roots it (jsxapi shim)
        doc = _wrap(top, req.path[1:], result)
    if req.fmt == "XML":
        return xml_lines(doc, req.result_id)
    return json_lines(doc, req.result_id)


def raw_lines(result: Any) -> list[str]:
    return [compact_json(result)]
