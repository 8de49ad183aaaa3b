"""What an output format is: the contract every module of xshell.lang.formats fulfils.

A Protocol rather than a base class so a format is any small object with these members;
`format_registry.register` checks the members are there, so a half-written format
fails when it is added, not on the first answer a user asks for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from xshell.errors import XAPIError
    from xshell.lang import requests as rq
    from xshell.lang.parse_errors import ParseError
    from xshell.schema.model import Schema

# Lines for one notification, or (lines, slash path) when the format found the path on
# its way (the feedback pane filters on it; registrations.Feedback keeps both).
FeedbackLines = list[str] | tuple[list[str], str]


@runtime_checkable
class OutputFormat(Protocol):
    """One way of printing what a device answered. Every method returns the lines to show
    and never raises for what a device sends (a shape it cannot lay out is still shown)."""

    name: str  # one lowercase word: what -o, [main] output and `output NAME` accept
    description: str  # a few words for --help, e.g. "tshell terminal lines"
    # True when every answer is one JSON document per line (for jq): shell commands with a
    # document form (snapshot, diff) answer with it, and a several-device run tags each
    # line with its device instead of heading a block.
    json_documents: bool

    def result(self, req: rq.Request, result: Any, schema: Schema | None) -> list[str]:
        """The device's (or the local table's) answer to `req`."""
        ...

    def error(self, req: rq.Request | None, exc: XAPIError, schema: Schema | None) -> list[str]:
        """The device's error for `req`; secrets the request carried are masked."""
        ...

    def parse_error(self, line: str, exc: ParseError, schema: Schema | None) -> list[str]:
        """A line xshell refused before sending anything (caret under the fault)."""
        ...

    def feedback(self, payload: dict[str, Any], schema: Schema | None, expression: str,
                 resync: bool, chains: dict[Any, Any]) -> FeedbackLines:
        """One xFeedback/Event notification; `resync` marks current values re-sent after a
        reconnect. `chains` is a cache the caller keeps per schema for the format's use."""
        ...

    def help(self, schema: Schema, req: rq.Help) -> list[str]:
        """The schema's answer to `VERB PATH ?`."""
        ...


__all__ = ["FeedbackLines", "OutputFormat"]
