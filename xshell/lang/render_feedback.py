"""Feedback notifications into tshell text: `*s Audio Volume: 50` then `** end`.

Split from xshell.lang.render because feedback is the one rendering on a hot path: a
storm during a call is thousands of notifications a second, nearly all of them one leaf
(`{"Status": {"Audio": {"Volume": 50}}}`). Those take `leaf_feedback`, which walks the
chain of keys once and finds everything that depends only on the chain — the line's
head, the slash path the pane filters on, the schema leaf (quoting, hide_value) — in a
cache keyed by the chain as sent. Everything else takes the general tree layout, and a
test holds the two to the same output.
"""

from __future__ import annotations

from typing import Any

from xshell.lang.formats import format_registry as formats
from xshell.lang.formats.terminal import Terminal
from xshell.lang.protocols import Notification
from xshell.lang.render_layout import (_MARKERS, HIDDEN, _line, canonical_root,
                                       compact_json, format_value, leaf_node, quote, tree_lines)
from xshell.schema.model import Schema, ValueSpace

__all__ = ["FeedbackRenderer", "leaf_feedback", "render_feedback", "terminal_feedback"]

_CACHE_MAX = 4096  # distinct one-leaf chains remembered (a device has a few hundred)


def render_feedback(payload: dict[str, Any], schema: Schema | None = None) -> list[str]:
    """One xFeedback/Event notification as tshell prints feedback: lines then `** end`.

    `payload` is the notification's params; its subscription `Id` is ignored. Events are
    printed without the `Event` root (`*e CallSuccessful CallId: 3`) and without the
    `"id": 1` every event node carries; ghosts print as `*s Call 2 (ghost=True):`.
    """
    if not isinstance(payload, dict):
        return [compact_json(payload), "** end"]
    leaf = leaf_feedback(payload, schema)  # the common one-leaf case, without the tree walk
    if leaf is not None:
        return [leaf[0], "** end"]
    roots = [(root, tree) for key, tree in payload.items() if (root := canonical_root(key))]
    if not roots:
        return [compact_json({k: v for k, v in payload.items() if k != "Id"}), "** end"]
    lines = [ln for root, tree in roots for ln in tree_lines(_MARKERS[root], root, (), tree, schema)]
    return lines + ["** end"]


# chain of keys as sent → (line head, slash path, value space, hidden), or None when the
# chain is not a plain one-leaf path (those take render_feedback). A cache belongs to one
# schema: each FeedbackRenderer keeps its own, so several devices never evict each other.
_Chain = tuple[str, str, ValueSpace | None, bool]
Chains = dict[tuple[Any, ...], "_Chain | None"]
_UNSET = object()


def leaf_feedback(payload: dict[str, Any], schema: Schema | None,
                  chains: Chains | None = None) -> tuple[str, str] | None:
    """(line, slash path) of a one-leaf notification; None for any other shape.

    The line is what render_feedback prints before `** end`; the path is what
    registrations.first_path gives (`/Status/Audio/Volume`), so a caller needs neither.
    `chains` is the caller's cache for `schema` (None: nothing is remembered).
    """
    keys: list[Any] = []
    node: Any = _UNSET
    for key, node in payload.items():  # noqa: B007 - exactly one item, or it is not one leaf
        keys.append(key)
    if len(keys) != 1:
        return None
    while type(node) is dict and len(node) == 1:
        for key, node in node.items():  # noqa: B007, B020 - binds its one item, walked on below
            keys.append(key)
    if type(node) is dict or type(node) is list:
        return None
    chain = tuple(keys)
    if chains is None:
        chains = {}
    elif len(chains) > _CACHE_MAX:
        chains.clear()
    try:
        entry = chains[chain]
    except KeyError:
        entry = chains[chain] = _chain_entry(chain, schema)
    except TypeError:  # an unhashable key cannot come from JSON, but never raise
        return None
    if entry is None:
        return None
    head, path, vs, hidden = entry
    text = quote(HIDDEN) if hidden else format_value(node, vs)
    return f"{head}: {text}", path


def _chain_entry(chain: tuple[Any, ...], schema: Schema | None) -> _Chain | None:
    """What a one-leaf chain's line needs besides its value; None when it is not plain.

    Plain: the root spelled canonically and every key a string starting with a capital
    (what first_path and the general layout agree on); anything else is left to them.
    """
    if len(chain) < 2 or not all(type(k) is str and k[:1].isupper() for k in chain):
        return None
    root = chain[0]
    if canonical_root(root) != root:
        return None
    names = list(chain[1:])
    head = _line(_MARKERS[root], names, None)[:-1]
    node = leaf_node(schema, chain)
    hidden = bool(node is not None and getattr(node, "hide_value", False))
    vs = node.value_space if node is not None else None
    return head, "/" + "/".join(chain), vs, hidden


# --------------------------------------------------------------------------- a session's view
class FeedbackRenderer:
    """Renders a Feedback with the schema and output mode current when it arrived.

    One per (schema, output), shared by every event: no closure per notification. A
    one-leaf notification in terminal mode gives its pane path too (see leaf_feedback).
    """

    __slots__ = ("schema", "output", "_chains", "_feedback", "_terminal")

    def __init__(self, schema: Schema | None, output: str) -> None:
        self.schema = schema
        self.output = output  # the output format's name (xshell.lang.formats)
        self._chains: Chains = {}  # one-leaf chains seen with this schema
        self._feedback = formats.get(output).feedback
        # The terminal format's feedback is terminal_feedback behind a lazy import; in a
        # storm every frame counts, so this calls its one-leaf path itself (same lines).
        self._terminal = getattr(self._feedback, "__func__", None) is Terminal.feedback

    def __call__(self, fb: Notification) -> list[str] | tuple[list[str], str]:
        if self._terminal:
            if not fb.resync:  # the storm's one-leaf notification: leaf_feedback, these chains
                try:
                    leaf = leaf_feedback(fb.payload, self.schema, self._chains)
                except Exception:  # noqa: BLE001 - the general path below says what is wrong
                    leaf = None
                if leaf is not None:
                    return [leaf[0], "** end"], leaf[1]
            return _laid_out(fb.payload, self.schema, fb.expression, fb.resync)
        return self._feedback(fb.payload, self.schema, fb.expression, fb.resync, self._chains)


def terminal_feedback(payload: dict[str, Any], schema: Schema | None, expression: str,
                      resync: bool, chains: Chains) -> list[str] | tuple[list[str], str]:
    """One notification as tshell lines (the terminal format's); never raises.

    A one-leaf notification takes leaf_feedback and gives its pane path too. A resync
    (current values re-sent after a reconnect) is marked as such, so nobody reads it as
    a change.
    """
    if not resync:
        try:
            leaf = leaf_feedback(payload, schema, chains)
        except Exception:  # noqa: BLE001 - the general path below says what is wrong
            leaf = None
        if leaf is not None:
            return [leaf[0], "** end"], leaf[1]
    return _laid_out(payload, schema, expression, resync)


def _laid_out(payload: dict[str, Any], schema: Schema | None, expression: str,
              resync: bool) -> list[str]:
    """terminal_feedback for any notification that is not a plain one leaf."""
    try:
        lines = render_feedback(payload, schema)
    except Exception as exc:  # noqa: BLE001 - a payload we cannot render is still shown
        lines = [compact_json(payload), f"(could not render: {type(exc).__name__})"]
    if resync:
        lines = [f"** resync {expression}: current values after reconnect", *lines]
    return lines
