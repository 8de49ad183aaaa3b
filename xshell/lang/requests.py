"""What one xAPI line asks for, independent of how it was typed or will be sent.

The parser (`lang.parse`) produces these from tshell text; `to_jsonrpc` turns them into
the XoWS method and params; `to_line` turns them back into canonical tshell text (for
history, echo and the request → line → request round trip); the renderer uses them to
know how to print the answer. Frozen, so they can be cached and compared.

They are NamedTuples, not frozen dataclasses: as immutable and typed, and a tenth of the
cost to define, which every one-shot `xshell -c` pays at start (README "Benchmarks",
oneshot). One tuple habit is taken back (`same_kind`): two requests are equal only when
they are of the same kind — `FeedbackList() == FeedbackDeregisterAll()` would otherwise
hold, as two equal tuples.
"""

from __future__ import annotations

from typing import Any, NamedTuple

PathElem = str | int
Value = str | int
ParamValue = Value | tuple[Value, ...]


class Get(NamedTuple):
    """xStatus / xConfiguration PATH → xGet. `path` starts with the root."""

    path: tuple[PathElem, ...]
    result_id: str | None = None


class Query(NamedTuple):
    """xStatus with `//` or `**` → xQuery.

    `query` is what is sent (with "**" for every `//`); `prefixes` marks, per element,
    whether the element after a `//` is a prefix to match client-side (tshell search
    matches names that *start with* the token; XoWS matches exact names only, so the
    client sends `**` and filters).
    """

    query: tuple[PathElem, ...]
    search: tuple[PathElem, ...] = ()  # the // search terms as typed (prefix match)
    result_id: str | None = None


class Set(NamedTuple):
    """xConfiguration PATH: VALUE → xSet."""

    path: tuple[PathElem, ...]
    value: Value
    result_id: str | None = None


class Command(NamedTuple):
    """xCommand PATH Name: value … → xCommand/Path/Joined."""

    path: tuple[str, ...]  # without the "Command" root
    params: tuple[tuple[str, ParamValue], ...] = ()  # ordered; repeats folded to tuples
    body: str | None = None
    result_id: str | None = None

    @property
    def method(self) -> str:
        return "xCommand/" + "/".join(self.path)


class FeedbackRegister(NamedTuple):
    """xFeedback register EXPR → xFeedback/Subscribe. `expression` kept as typed."""

    expression: str
    query: tuple[PathElem, ...]
    notify_current: bool = False
    result_id: str | None = None


class FeedbackDeregister(NamedTuple):
    expression: str
    query: tuple[PathElem, ...] = ()
    result_id: str | None = None


class FeedbackDeregisterAll(NamedTuple):
    result_id: str | None = None


class FeedbackList(NamedTuple):
    result_id: str | None = None


class Raw(NamedTuple):
    """A line starting with `{`: a JSON-RPC object sent as it is."""

    obj: dict[str, Any]

    def __hash__(self) -> int:  # a dict is not hashable; two Raw lines are equal by value
        return hash(Raw)


class Help(NamedTuple):
    """`PATH ?` (detail=False) or `PATH ??` (detail=True), answered from the schema."""

    root: str  # Command | Configuration | Status | Event
    path: tuple[PathElem, ...]  # below the root
    detail: bool = False


class GetXml(NamedTuple):
    """tshell's `xGetxml XPATH` → xQuery; the answer prints as an `<XmlDoc>` whatever the
    output mode (spec tshell.md §9). `query` starts with the root, `[n]` ids inline."""

    expression: str
    query: tuple[PathElem, ...]
    result_id: str | None = None


class Document(NamedTuple):
    """tshell's `xDocument Path: "Status/Audio" Schema: True Format: JSON` → xDoc.

    `schema` False asks for values (answered from xQuery, which a device's document
    holds); `fmt` is "JSON" or "XML"."""

    path: tuple[PathElem, ...]
    schema: bool = True
    fmt: str = "JSON"
    result_id: str | None = None


Request = (Get | Query | Set | Command | FeedbackRegister | FeedbackDeregister
           | FeedbackDeregisterAll | FeedbackList | Raw | Help | GetXml | Document)


def _eq(self: tuple[Any, ...], other: object) -> bool:
    return type(self) is type(other) and tuple.__eq__(self, other)


def _ne(self: tuple[Any, ...], other: object) -> bool:
    return not _eq(self, other)


def same_kind(*classes: type[tuple[Any, ...]]) -> None:
    """Equality of NamedTuples as frozen dataclasses have it: same class and same values
    (the hash stays the tuple's: equal values of one class hash alike)."""
    for cls in classes:
        setattr(cls, "__eq__", _eq)  # noqa: B010 - assigning a method mypy would refuse
        setattr(cls, "__ne__", _ne)  # noqa: B010


same_kind(Get, Query, Set, Command, FeedbackRegister, FeedbackDeregister, FeedbackDeregisterAll,
          FeedbackList, Raw, Help, GetXml, Document)
