r"""XoWS answers back into tshell terminal text: `*s`/`*c`/`*r`/`*e` lines, `** end`, OK/ERROR.

The device's SSH shell is what integrators' parsers and fingers know, so every answer the
WebSocket gives is printed the way tshell would print it (spec tshell.md §6, §8, §10).
This module renders successful answers; the line layout they share with errors and
feedback (flattening, quoting, hide_value) is xshell.lang.render_layout, errors are
xshell.lang.render_errors and feedback xshell.lang.render_feedback.

* terminators per verb: query = block, `** end`, blank, `OK`; set/register = `** end`,
  blank, `OK`; command = blank, `OK`, block, `** end` (errors: block, `** end`, blank,
  `ERROR`); a `| resultId="…"` tag is echoed as `** resultId: "…"` just before `** end`.

Everything here is pure: (request, result or error, optional Schema) in, list of lines out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from xshell.lang import requests as rq
from xshell.lang.search import search_matches
from xshell.lang.render_layout import (_MARKERS, Keep, _rid_lines, canonical_root, compact_json,
                                       format_value, iter_tree_lines, result_name, tree_lines)
from xshell.schema.model import PathElem, Schema


# --------------------------------------------------------------------------- search
def search_keep(search: Sequence[PathElem]) -> Keep:
    """The Query filter for a `search` pattern (root first, with "//"/"**" markers).

    The matching itself is the parser's `search_matches`, so what a `//` line selects is
    decided in one place: tshell's prefix search (`//vid//res//wid`), a matched inner
    node bringing its whole subtree.
    """
    pattern = tuple(search)
    return lambda path: search_matches(path, pattern)


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
        from xshell.lang.schema_help import render_help
        return render_help(schema, req)
    return [f"error: cannot render a {type(req).__name__} answer"]


def iter_result(req: rq.Request, result: Any, schema: Schema | None = None) -> Iterator[str]:
    """`render_result`'s lines one at a time, for answers that may be huge (xGet, xQuery):
    the session lays a wide answer out in slices and serves its loop between them."""
    if isinstance(req, rq.Get) and not isinstance(result, list):
        root = canonical_root(req.path[0]) if req.path else None
        yield from iter_tree_lines(_MARKERS.get(root or "", "*s"), root, tuple(req.path[1:]),
                                   result, schema)
        yield from _done(req.result_id)
    elif isinstance(req, rq.Query) and isinstance(result, dict):
        keep = search_keep(req.search) if req.search else None
        for key, tree in result.items():
            if root := canonical_root(key):
                yield from iter_tree_lines(_MARKERS[root], root, (), tree, schema, keep)
        yield from _done(req.result_id)
    else:
        yield from render_result(req, result, schema)


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


__all__ = ["iter_result", "render_result", "search_keep"]
