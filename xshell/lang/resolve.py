"""Checking what was typed against the schema: names canonicalised, values typed.

The parser asks the schema two questions — which node a typed path names (in the
schema's case, with instance ids checked) and what wire value a typed word becomes
(Integer to int, literals validated) — and both must fail with the column, the valid
choices and a "did you mean". Kept apart so the parser proper reads as grammar only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xshell.lang.grammar import Token
from xshell.lang.parse_errors import ParseError, closest, quote_word
from xshell.lang.requests import PathElem, Value
from xshell.schema.model import Node, ValueSpace, is_secret_name

_INT = re.compile(r"[+-]?[0-9]{1,18}\Z")
Item = tuple[PathElem, Token]  # a path element and the token it was typed as


def label(verb: str, path: Sequence[PathElem]) -> str:
    """A path as messages name it: the verb then the path, as the user would type it."""
    return " ".join([verb, *map(str, path)])


SECRET_MASK = "***"


def typed(name: str, vs: ValueSpace | None, raw: str, col: int, secret: bool) -> Value:
    """`raw` checked against the value space and turned into its wire form.

    A secret whose value is the history mask `***` is refused: it comes from a recalled
    history line, and sending it would silently set the device's password to `***`.
    """
    if secret and raw == SECRET_MASK:
        raise ParseError(f"the value of {name} is masked ({SECRET_MASK}) as history stores "
                         "secrets; type the real value", col)
    if vs is None:
        return raw
    why: str | None
    if vs.is_integer and not _INT.match(raw):
        why = f"expected an integer {vs.describe()}" + (
            "" if secret else f", got {quote_word(raw)}")
    else:
        why = vs.check(raw)
    if why is not None:
        if secret:
            why = f"expected {vs.describe()}"
        legal = vs.values if vs.is_literal else ()
        raise ParseError(f"bad value for {name}: {why}", col, legal,
                         None if secret or not legal else closest(raw, legal))
    return vs.coerce(raw)


def walk(root: Node, items: Sequence[Item], verb: str,
          stop_at_command: bool = False) -> tuple[Node, list[PathElem], int]:
    """Follow `items` down from `root`, canonicalising names; raise on the first bad one.

    Returns the node reached, the canonical path (root first) and how many items were
    used — fewer than given when a `//`/`**` marker (or, for commands, a command node
    followed by a non-child) ends what the schema can check.
    """
    node, indexable = root, False
    out: list[PathElem] = [root.name]
    for used, (elem, tok) in enumerate(items):
        if elem in ("//", "**"):
            return node, out, used
        if isinstance(elem, int):
            if not indexable:
                raise ParseError(f"{label(verb, out[1:])} takes no instance id", tok.start)
            if node.instances and elem not in node.instances:
                raise ParseError(f"{node.name} has no instance {elem}", tok.start,
                                 tuple(map(str, node.instances)))
            out.append(elem)
            indexable = False
            continue
        child = node.child(elem)
        if child is None:
            if stop_at_command and node.kind == "command":
                return node, out, used
            if not node.children and (node.hide_value or is_secret_name(node.name)):
                # a secret leaf followed by a word: the word is its value, typed without
                # the ':' — never quote it (redact._config_spans masks it in the echo)
                raise ParseError(f"the secret value of {label(verb, out[1:])} (not shown) needs "
                                 f"a ':' before it; write `{label(verb, out[1:])}: VALUE`",
                                 tok.start)
            names = [c.name for c in node.children.values()]
            raise ParseError(f"unknown node {quote_word(elem)} under {label(verb, out[1:])}",
                             tok.start, names, closest(elem, names))
        node, indexable = child, child.multi
        out.append(child.name)
    return node, out, len(items)


__all__ = ["SECRET_MASK", "Item", "label", "typed", "walk"]
