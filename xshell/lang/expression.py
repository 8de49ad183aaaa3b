"""Feedback expressions (`/Status/Audio/Volume`, `status audio volume`) as query elements.

`xFeedback register` takes an expression in its own little language — slash or space
separated, `[n]` / `[@item='n']` predicates, `//` and `*` — that is not the line syntax
the tokenizer reads: the tokenizer only cuts it into EXPR chunks, and this module gives
the parser and the completer one reading of what those chunks mean, with the offset of
every element so an error can point at the exact character.
"""

from __future__ import annotations

from typing import NamedTuple
import re

__all__ = ["ExprElem", "ExpressionError", "split_expression"]


class ExpressionError(ValueError):
    """A malformed feedback expression; `offset` is where, inside the expression text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class ExprElem(NamedTuple):
    """One element of an expression, with where it was typed (for errors and completion)."""

    value: str | int  # a name, an instance id, or "**"
    start: int
    end: int


_EXPR_PART = re.compile(r"""
    (?P<sep>/+|\s+)
  | (?P<star>\*{1,2}(?![^\s/]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)(?P<pred>\[[^\]]*\]?)?
  | (?P<num>[0-9]+)(?![^\s/])
""", re.X)
_PREDICATE = re.compile(r"""\[\s*(?:@item\s*=\s*(?P<q>['"]?)(?P<item>[0-9]{1,9})(?P=q)|(?P<n>[0-9]{1,9}))\s*\]\Z""")


def split_expression(text: str) -> list[ExprElem]:
    """A feedback expression (slash or space form) as query elements with their offsets.

    `/Status/Audio/Volume`, `status audio volume`, `Connector[@item='3']` and `Site[1]`
    all work; `//` between names becomes "**"; a trailing `*` is dropped (it means
    "everything below", which a query without it already does).
    """
    out: list[ExprElem] = []
    pos = 0
    while pos < len(text):
        m = _EXPR_PART.match(text, pos)
        if m is None:
            raise ExpressionError(f"unexpected {text[pos]!r} in feedback expression", pos)
        if m.group("sep"):
            if m.group().startswith("//") and out and out[-1].value != "**":
                out.append(ExprElem("**", m.start(), m.end()))
        elif m.group("star"):
            out.append(ExprElem(m.group(), m.start(), m.end()))  # "*" or "**", settled below
        elif m.group("name"):
            out.append(ExprElem(m.group("name"), m.start("name"), m.end("name")))
            pred = m.group("pred")
            if pred:
                pm = _PREDICATE.match(pred)
                if pm is None:
                    raise ExpressionError(
                        f"bad index {pred!r}; write [1] or [@item='1']", m.start("pred"))
                out.append(ExprElem(int(pm.group("item") or pm.group("n")), m.start("pred"),
                                    m.end("pred")))
        else:
            num = m.group("num")
            if len(num) > 9:
                raise ExpressionError("instance id too large", m.start())
            out.append(ExprElem(int(num), m.start(), m.end()))
        pos = m.end()
    if out and out[-1].value == "*":
        out.pop()  # a trailing `*`
    return [ExprElem("**", e.start, e.end) if e.value == "*" else e for e in out]
