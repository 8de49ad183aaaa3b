"""The wire in view: every JSON-RPC frame of a session, timestamped, with secrets masked.

`trace on` (and `--trace`) installs `WireTrace.frame` as the client's plain frame hook
(XoWSClient.on_frame: the transport knows nothing of screens). Each frame becomes one
`TraceFrame` — its time, its direction and its text with secrets masked — handed to the
session's `on_trace` listener (the mode decides: stderr in scripts, a pane or the
output on the screen) and to the transcript as a record of its own.

Masking is schema-aware and never trusts the form: a sent frame is masked by the same
rules as a raw JSON-RPC line (password-like names at any depth, the Value of an xSet of
a hide_value configuration; xshell.lang.redact); a received one has password-like keys
masked, and every value of a hide_value configuration in a reply to an xGet/xQuery or in
a feedback notification (the request's path is remembered by id while tracing). A frame
that is not JSON is masked by the scan rules of `json_spans`. Until the Configuration
schema is known, every configuration value in a received tree counts as secret. The reply
to an `xDoc` schema request is shown unmasked: it defines parameters and nodes (a `Pin`
parameter, the `PasswordPolicy` branch) and holds no value.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xshell.lang.redact import MASK, json_spans, redact_raw, secret_config
from xshell.schema.model import Schema, is_secret_name

__all__ = ["TraceFrame", "WireTrace", "mask_frame", "start_trace", "stop_trace"]

log = logging.getLogger(__name__)
_REMEMBER = 1000  # requests whose path is kept for masking their reply


@dataclass(frozen=True, slots=True)
class TraceFrame:
    """One frame as shown: Unix time, "sent" | "received", masked JSON text."""

    time: float
    direction: str
    text: str

    def line(self) -> str:
        """`12:03:04.512 >> {…}` (`<<` for a received frame), local time."""
        stamp = datetime.fromtimestamp(self.time).strftime("%H:%M:%S.%f")[:-3]
        return f"{stamp} {'>>' if self.direction == 'sent' else '<<'} {self.text}"


def _mask_tree(value: Any, path: list[Any], schema: Schema | None) -> Any:
    """A received tree with password-like keys and secret configuration values masked."""
    if isinstance(value, list):
        return [_mask_tree(v, path, schema) for v in value]
    if isinstance(value, dict):
        return {k: MASK if isinstance(k, str) and is_secret_name(k)
                else _mask_tree(v, [*path, k] if isinstance(k, str) and k != "id" else path, schema)
                for k, v in value.items()}
    if path and str(path[0]) == "Configuration" and len(path) > 1 and secret_config(path, schema):
        return MASK
    return value


_DEFINITIONS: list[Any] = ["(an xDoc schema)"]  # remembered for an xDoc request: by identity


def _schema_doc(obj: Any) -> bool:
    """Whether a sent request is an `xDoc … Type: Schema` (its reply holds parameter and
    node definitions — `Pin`, `PasswordPolicy` — never a value, so nothing to mask)."""
    if not isinstance(obj, dict) or "id" not in obj or not isinstance(obj.get("params"), dict):
        return False
    method = obj.get("method")
    kind = next((v for k, v in obj["params"].items() if isinstance(k, str) and k.lower() == "type"), None)
    return (isinstance(method, str) and method.strip().lower() == "xdoc"
            and isinstance(kind, str) and kind.strip().lower() == "schema")


def mask_frame(raw: str | bytes, direction: str, schema: Schema | None,
               paths: dict[Any, list[Any]] | None = None) -> str:
    """The frame's text with every secret masked (see the module docstring)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else raw
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        pieces, last = [], 0
        for start, end in json_spans(text, 0, schema):
            pieces += [text[last:start], MASK]
            last = end
        return "".join(pieces) + text[last:]
    try:
        if direction == "sent":
            shown = redact_raw(obj, schema)
            method = obj.get("method") if isinstance(obj, dict) else None
            if paths is not None and isinstance(method, str) and "id" in obj \
                    and method.lower() in ("xget", "xquery"):  # their replies are trees
                params = obj.get("params")
                where = params.get("Path", params.get("Query")) if isinstance(params, dict) else None
                if isinstance(where, list):
                    paths[obj["id"]] = [e for e in where if e != "**"]
            elif paths is not None and _schema_doc(obj):  # its reply: definitions, no values
                paths[obj["id"]] = _DEFINITIONS
            if paths is not None and len(paths) > _REMEMBER:
                del paths[next(iter(paths))]
        elif isinstance(obj, dict):
            shown = dict(obj)
            if "result" in obj:
                base = paths.pop(obj.get("id"), None) if paths is not None else None
                if base is not _DEFINITIONS:  # an xDoc schema is shown whole: "Pin" is a name there
                    shown["result"] = _mask_tree(obj["result"], base or [], schema)
            if isinstance(obj.get("params"), dict):  # a notification: a tree from the roots
                shown["params"] = _mask_tree(obj["params"], [], schema)
            if "error" in obj:
                shown["error"] = _mask_tree(obj["error"], [], schema)
        else:
            shown = _mask_tree(obj, [], schema)
        return json.dumps(shown, ensure_ascii=False, separators=(",", ":"))
    except RecursionError:
        return f"(a frame of {len(text)} characters, too deep to mask: not shown)"


class WireTrace:
    """The frame hook of one session: masks, timestamps and hands each frame on."""

    def __init__(self, schema: Callable[[], Schema | None],
                 sink: Callable[[TraceFrame], None]) -> None:
        self._schema = schema
        self._sink = sink
        self._paths: dict[Any, list[Any]] = {}
        self.frames = 0
        self.where = "pane"  # the screen: "pane" (the feedback pane) or "inline" (the output)

    def frame(self, direction: str, raw: str | bytes) -> None:
        """XoWSClient.on_frame: one frame sent or received."""
        at = time.time()
        self.frames += 1
        try:
            text = mask_frame(raw, direction, self._schema(), self._paths)
        except Exception:  # never risk showing a secret
            log.exception("could not mask a traced frame")
            text = f"(a frame of {len(raw)} bytes that could not be masked: not shown)"
        self._sink(TraceFrame(at, direction, text))


def start_trace(session: Any, where: str = "pane") -> WireTrace:
    """Trace `session`'s frames from now on (again: only `where` changes).

    Frames go to the transcript, if one is open, and to `session.on_trace`, read per
    frame, so a listener set later (or a transcript started later) gets the next frame.
    """
    wire = session.wire
    if wire is None:
        def deliver(frame: TraceFrame) -> None:
            tr = session.context.transcript
            if tr is not None:
                tr.trace(session.label, frame.direction, frame.text, at=frame.time)
            show = session.on_trace
            if show is not None:
                show(frame)
        wire = WireTrace(lambda: session.schema, deliver)
        session.wire = wire
    wire.where = where
    session.client.on_frame = wire.frame
    return wire


def stop_trace(session: Any) -> int:
    """Stop tracing `session`; the number of frames traced (0: it was off)."""
    wire, session.wire = session.wire, None
    if wire is None:
        return 0
    if getattr(session.client, "on_frame", None) == wire.frame:
        session.client.on_frame = None
    return wire.frames
