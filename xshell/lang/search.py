"""Search-pattern matching: which result paths a Query's `//`/`**` pattern selects.

The device answers a `**` query with more than the user asked for (tshell's `//vid//res`
has no wire form), so the renderer and the help lister both filter results locally with
this one matcher; it needs no schema and no parser, only the paths.
"""

from __future__ import annotations

from collections.abc import Sequence

from xshell.lang.requests import PathElem


def is_instance_id(elem: PathElem) -> bool:
    """An instance id in a path: an int, or a string of ASCII digits as typed."""
    return isinstance(elem, int) or (isinstance(elem, str) and elem.isascii() and elem.isdigit())


def _same(want: PathElem, have: PathElem, prefix: bool) -> bool:
    if is_instance_id(want) or is_instance_id(have):
        return is_instance_id(want) and is_instance_id(have) and int(want) == int(have)
    w, h = str(want).lower(), str(have).lower()
    return h.startswith(w) if prefix else h == w


def search_matches(path: Sequence[PathElem], search: Sequence[PathElem]) -> bool:
    """Whether a result at `path` (root first, ids inline) is selected by `search`.

    `search` is a Query's pattern: plain names match exactly (any case), ids may be
    left out (every instance), "**" matches any depth before an exact name and "//"
    any depth before a name *prefix* (tshell's `//vid//res`). Anything below a match
    is selected too: a matched node brings its subtree.
    """
    memo: dict[tuple[int, int], bool] = {}

    def m(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[i, j]
        if i == len(search):
            ok = True
        elif search[i] in ("//", "**"):
            if i + 1 == len(search):
                ok = True
            elif search[i + 1] in ("//", "**"):
                ok = m(i + 1, j)
            else:
                ok = any(_same(search[i + 1], path[k], search[i] == "//") and m(i + 2, k + 1)
                         for k in range(j, len(path)))
        elif j >= len(path):
            ok = False
        elif _same(search[i], path[j], False):
            ok = m(i + 1, j + 1)
        else:
            ok = is_instance_id(path[j]) and not is_instance_id(search[i]) and m(i, j + 1)
        memo[i, j] = ok
        return ok

    return m(0, 0)


__all__ = ["is_instance_id", "search_matches"]
