"""`?`, `??` and `xEvent` answered from the schema, in tshell's help layout (tshell.md §5).

The device answers help itself over SSH; over XoWS there is no help method, so the shell
builds the same text from the schema it already holds (Cisco's file or the device's xDoc):

* `xCommand ?` / `xStatus ?` / `xConfiguration ?` — a header (`- User Commands -`,
  `- Status -`, `- User Configurations -`), a blank line, the first-level names sorted in
  columns (column-major, column width max(17, longest + 2), as many as fit in 80
  characters — the layout of a RoomOS capture), a blank line, `OK`;
* `PATH ?` — one `*? xConfiguration Audio DefaultVolume: <0..100>` line per leaf below
  PATH; literal sets print comma-separated (`<Auto, Light, Night>`, as RoomOS prints them,
  the one form ValueSpace.describe() gives everywhere); multi-instance nodes carry their schema ids
  (`Connector[1..3]`, `[1..3,5]`, `[n]` when the live tree decides), or the id typed;
* `xCommand PATH ?` — per command `*? xCommand Dial` then `    Number(r): <S: 0, 255>`
  parameter lines, required ones first and marked `(r)`, repeatable ones `Name[...]`
  (the `[...]` TC used for lists), multiline commands `(multiline)` on the header;
* `??` adds each description, wrapped and indented under its line;
* `//` (or `**`) in PATH searches as tshell does (`xConfiguration // Name ?`), with the
  parser's `search_matches`, so help and queries select the same nodes;
* `xEvent [PATH|*]` — one `*es Event …` line per event field (or field-less event), then
  `** end`, blank, `OK`;
* a path the schema does not know → one `error: …` line with a "did you mean", blank,
  `ERROR`.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Iterator, Sequence

from xshell.lang.search import is_instance_id, search_matches
from xshell.lang.requests import Help
from xshell.schema.model import Node, Param, PathElem, Schema, ValueSpace

VERBS = {"Command": "xCommand", "Configuration": "xConfiguration", "Status": "xStatus",
         "Event": "xEvent"}
HEADERS = {"Command": "- User Commands -", "Status": "- Status -",
           "Configuration": "- User Configurations -"}
SEARCH_MARKERS = frozenset({"//", "**"})
WIDTH = 80
MIN_COLUMN = 17
Entry = tuple[list[str], Node]
Found = Iterator[tuple[list[str], list[str], Node]]


def describe(vs: ValueSpace | None) -> str | None:
    """A value space as help prints it: <0..100>, <Auto, Light, Night>, <S: 0, 255>."""
    return None if vs is None else vs.describe()


def instance_range(node: Node) -> str:
    """`[1..3]`, `[1..3,5]`, `[2]` for the ids the schema knows; `[n]` for live lists."""
    ids = sorted(set(node.instances))
    if not ids:
        return "[n]"
    parts: list[str] = []
    start = prev = ids[0]
    for i in ids[1:] + [None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(str(start) if start == prev else f"{start}..{prev}")
        if i is not None:
            start = prev = i
    return "[" + ",".join(parts) + "]"


def _token(node: Node) -> str:
    return node.name + instance_range(node) if node.multi else node.name


def columns(names: Sequence[str], width: int = WIDTH) -> list[str]:
    """Names sorted into column-major rows, tshell's `?` listing."""
    items = sorted(names, key=lambda s: (s.lower(), s))
    if not items:
        return []
    col = max(MIN_COLUMN, max(len(n) for n in items) + 2)
    ncols = max(1, width // col)
    nrows = -(-len(items) // ncols)
    rows = []
    for r in range(nrows):
        cells = [items[r + k * nrows] for k in range(ncols) if r + k * nrows < len(items)]
        rows.append("".join(c.ljust(col) for c in cells).rstrip())
    return rows


def _wrap(text: str, indent: int) -> list[str]:
    text = " ".join(text.split())
    return textwrap.wrap(text, WIDTH - indent, initial_indent=" " * indent,
                         subsequent_indent=" " * indent) if text else []


def _error(message: str) -> list[str]:
    return [f"error: {message}", "", "ERROR"]


def _suggest(word: str, names: Sequence[str]) -> list[str]:
    low = word.lower()
    by_low = {n.lower(): n for n in names}
    picks = [n for n in names if n.lower().startswith(low)]
    picks += [by_low[m] for m in difflib.get_close_matches(low, list(by_low), n=3, cutoff=0.6)]
    return list(dict.fromkeys(picks))[:3]


# --------------------------------------------------------------------------- walking
def _walk(root: Node, verb: str, path: Sequence[PathElem]) -> tuple[Node, list[str]] | list[str]:
    """Follow `path` below `root`: (node, display tokens) or error lines."""
    node, tokens = root, list[str]()
    pending_multi = False  # the last node is multi and its id has not been typed yet
    for elem in path:
        if is_instance_id(elem):
            ident = int(elem)
            where = " ".join([verb, *tokens[:-1], node.name]) if tokens else verb
            if not pending_multi:
                return _error(f"{where} has no instances; unexpected {ident}")
            if node.instances and ident not in node.instances:
                return _error(f"{where} has no instance {ident} (ids {instance_range(node)[1:-1]})")
            tokens[-1] = f"{node.name}[{ident}]"
            pending_multi = False
            continue
        child = node.child(str(elem))
        if child is None:
            where = " ".join([verb, *tokens])
            message = f'{where} has no node "{elem}"'
            close = _suggest(str(elem), [c.name for c in node.children.values()])
            if close:
                message += "; did you mean " + " or ".join(f'"{c}"' for c in close) + "?"
            return _error(message)
        node = child
        tokens.append(_token(node))
        pending_multi = node.multi
    return node, tokens


def _below(node: Node, tokens: list[str], names: list[str] | None = None,
           plain: bool = False) -> Iterator[tuple[list[str], list[str], Node]]:
    """Every leaf-like node under `node` (itself if it has no children), depth-first.

    Yields (display tokens, plain names below the start, node). Commands and field-less
    events count as leaves. `plain` drops the instance ranges (for `*es` lines).
    """
    names = names or []
    if not node.children or node.kind in ("leaf", "command"):
        yield tokens, names, node
        return
    for child in node.children.values():
        tok = child.name if plain else _token(child)
        yield from _below(child, tokens + [tok], names + [child.name], plain)


# --------------------------------------------------------------------------- output
def _leaf_lines(verb: str, entries: Iterator[Entry], detail: bool) -> list[str]:
    out: list[str] = []
    for tokens, node in entries:
        text = describe(node.value_space)
        head = " ".join(["*?", verb, *tokens])
        out.append(f"{head}: {text}" if text else head)
        if detail:
            out += _wrap(node.description, 4)
    return out


def _param_line(p: Param) -> str:
    name = p.name + ("[...]" if p.multiple or p.value_space.is_array else "")
    name += "(r)" if p.required else ""
    text = describe(p.value_space)
    return f"    {name}: {text}" if text else f"    {name}"


def _command_lines(entries: Iterator[Entry], detail: bool) -> list[str]:
    out: list[str] = []
    for tokens, node in entries:
        if node.kind != "command":
            continue
        head = " ".join(["*? xCommand", *tokens])
        out.append(head + (" (multiline)" if node.multiline else ""))
        if detail:
            out += _wrap(node.description, 4)
        for p in sorted(node.params, key=lambda p: not p.required):
            out.append(_param_line(p))
            if detail:
                out += _wrap(p.description, 8)
    return out


def _events(root: Node, path: Sequence[PathElem], detail: bool) -> list[str]:
    path = [e for e in path if not is_instance_id(e) and e != "*"]  # `xEvent *` is every event
    if any(isinstance(e, str) and e in SEARCH_MARKERS for e in path):
        pattern = (root.name, *path)
        found: Found = (e for e in _below(root, [], plain=True)
                        if search_matches((root.name, *e[1]), pattern))
    else:
        walked = _walk(root, "xEvent", path)
        if isinstance(walked, list):
            return walked
        node, tokens = walked
        found = _below(node, [t.split("[")[0] for t in tokens], plain=True)
    out: list[str] = []
    for names, _, leaf in found:
        out.append(" ".join(["*es Event", *names]))
        if detail:
            out += _wrap(leaf.description, 4)
    return out + ["** end", "", "OK"]


def render_help(schema: Schema, req: Help) -> list[str]:
    """The help text for `req` (see the module docstring for every form)."""
    root = schema.root(req.root)
    if root is None:
        return _error(f"the schema has no {req.root} tree; help is not available")
    verb = VERBS.get(root.name, "x" + root.name)
    path = tuple(req.path)
    if root.name == "Event":
        return _events(root, path, req.detail)
    if not path and not req.detail:
        names = [c.name for c in root.children.values()]
        return [HEADERS.get(root.name, f"- {root.name} -"), "", *columns(names), "", "OK"]
    if any(isinstance(e, str) and e in SEARCH_MARKERS for e in path):
        pattern = (root.name, *(e for e in path if not is_instance_id(e)))  # help lists no instances
        found: Found = (e for e in _below(root, []) if search_matches((root.name, *e[1]), pattern))
    else:
        walked = _walk(root, verb, path)
        if isinstance(walked, list):
            return walked
        found = _below(*walked)
    entries = ((tok, n) for tok, _, n in found)
    if root.name == "Command":
        lines = _command_lines(entries, req.detail)
    else:
        lines = _leaf_lines(verb, entries, req.detail)
    return lines + ["", "OK"]


__all__ = ["HEADERS", "VERBS", "columns", "describe", "instance_range", "render_help"]
