"""Types, values and instance keys in the specs of the `.xdm` model format.

The middle layer of the `.xdm` reader (`sim.builtin` documents the format): it turns the
tokens after a path into a `ValueSpace` (`int 0..100`, `str 0..255`, `lit`, `A|B|C`), reads a
boot value or default checked against it, and reads `[id]` instance keys. Kept apart from
the tree building above it because these rules are the same for every kind of line.
"""

from __future__ import annotations

import re

from xshell.schema.model import ValueSpace
from xshell.sim.device import Value
from xshell.sim.xdmlex import LineReader, Tok

__all__ = ["TYPE_WORDS", "SpecReader"]

TYPE_WORDS = frozenset({"int", "str", "lit"})
_RANGE = re.compile(r"(-?\d+)?\.\.(-?\d+)?$")
_INT = re.compile(r"-?\d+$")


class SpecReader(LineReader):
    """Reads the type and value part of a line; errors point at the current line."""

    def value_space(self, spec: list[Tok], i: int) -> tuple[ValueSpace, int]:
        if i >= len(spec) or spec[i].quoted:
            got = repr(spec[i].text) if i < len(spec) else "nothing"
            raise self.fail(f"expected a type (int, str, lit or A|B|C), got {got}")
        t = spec[i].text
        nxt = spec[i + 1].text if i + 1 < len(spec) and not spec[i + 1].quoted else ""
        if t in ("int", "str"):
            m = _RANGE.match(nxt)
            lo, hi = ((None if g is None else int(g)) for g in (m.groups() if m else (None, None)))
            if (lo is not None and hi is not None and hi < lo) or (t == "str" and (lo or 0) < 0):
                raise self.fail(f"bad range {nxt} (expected LO..HI, lengths not negative)")
            vs = ValueSpace("Integer", min=lo, max=hi) if t == "int" else \
                ValueSpace("String", min_length=lo, max_length=hi)
            return vs, i + (2 if m else 1)
        if t == "lit":
            if not nxt or nxt[:1] in "=!" or nxt.endswith(":"):
                return ValueSpace("Literal"), i + 1
            i += 1
        elif "|" not in t:
            raise self.fail(f"expected a type (int, str, lit or A|B|C), got {t!r}")
        text, i = spec[i].text, i + 1
        while text.endswith("|") and i < len(spec) and not spec[i].quoted:  # list split over lines
            text, i = text + spec[i].text, i + 1
        values = tuple(text.split("|"))
        if "" in values or len({v.lower() for v in values}) != len(values):
            raise self.fail(f"empty or repeated literal in {text!r}")
        return ValueSpace("Literal", values=values), i

    def value(self, vs: ValueSpace, tok: Tok, what: str, secret: bool = False) -> Value:
        """A boot value or default, typed by its value space and checked against it.

        A hidden configuration's value is never repeated in the error (it is a password).
        """
        got = "(hidden)" if secret else repr(tok.text)
        if vs.is_integer:
            if tok.quoted or not _INT.match(tok.text):
                raise self.fail(f"{what}: expected an integer, got {got}")
            value: Value = int(tok.text)
        elif vs.is_string:
            if not tok.quoted:
                raise self.fail(f"{what}: string values must be in double quotes, got {got}")
            value = tok.text
        else:
            value = vs.coerce(tok.text)
        why = vs.check(value)
        if why is not None:
            raise self.fail(f"{what}: {why if vs.is_string or not secret else 'illegal value (hidden)'}")
        return value

    def key(self, tok: Tok, levels: int, where: str) -> tuple[int, ...]:
        text = tok.text
        parts = text[1:-1].split(",") if text[:1] + text[-1:] == "[]" and not tok.quoted else []
        if not parts or not all(p.isdigit() for p in parts) or len(parts) > levels:
            raise self.fail(f"{where}: expected an instance key like [2] before each further value "
                            f"(ids of the innermost lists, at most {levels})")
        return tuple(int(p) for p in parts)
