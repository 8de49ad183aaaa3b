"""The escape payloads, injected through every channel a device controls (issue 12 §1).

Each channel is a way a device's text reaches the user: reply values and keys, error
messages and data, a JSON-RPC error with id null, close reasons, HTTP upgrade headers,
status lines and bodies (read as Latin-1, so UTF-8 bytes 0x80–0x9F become C1 controls),
the SystemUnit Name (fleet headers and summary), the software version (connection
notes), feedback events. Every channel gets every payload; the output mode and the
transcript format rotate so that each channel is seen through each writer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.hostile import acts
from tests.hostile.scenario import Scenario
from tests.hostile.payloads import PAYLOADS
from tests.hostile.wire import error, result

MODES = (("terminal", "jsonl"), ("terminal", "text"), ("json", "jsonl"), ("json", "text"))
SET_LINE = "xConfiguration Audio DefaultVolume: 40"
DIAL_LINE = 'xCommand Dial Number: "alice@example.com"'


def _b(text: str) -> bytes:
    """The payload as a device's HTTP server or close frame would put it: UTF-8 bytes."""
    return text.encode("utf-8", "surrogatepass")


def _header_safe(text: str) -> bytes:
    """In a header line CR/LF would end the line; keep every other byte."""
    return _b(text).replace(b"\r", b"").replace(b"\n", b"")


Channel = Callable[[str], dict[str, Any]]

CHANNELS: dict[str, Channel] = {
    "value": lambda p: dict(act=acts.reply(lambda rid: result(rid, p))),
    "key": lambda p: dict(act=acts.reply(lambda rid: result(rid, {p: 1, "Volume": 50})),
                          lines=("xStatus Audio",)),
    "command_result": lambda p: dict(
        act=acts.reply(lambda rid: result(rid, {"status": p, "CallId": p, p: 1})), lines=(DIAL_LINE,)),
    "attribute_key": lambda p: dict(
        act=acts.reply(lambda rid: error(rid, -32602, "Bad value", {p: "x", "Reason": "r"})),
        lines=(SET_LINE,), expect=frozenset({1})),
    "error_message": lambda p: dict(act=acts.reply(lambda rid: error(rid, -31999, p)),
                                    expect=frozenset({1})),
    "error_data": lambda p: dict(
        act=acts.reply(lambda rid: error(rid, -32602, "Bad", {"Reason": p, "XPath": p, "Extra": [p]})),
        expect=frozenset({1})),
    "error_id_null": lambda p: dict(act=acts.before(error(None, -32700, p))),
    "close_reason": lambda p: dict(act=acts.close(1011, _b(p)[:123]), expect=frozenset({3})),
    "http_header": lambda p: dict(
        http=acts.upgraded(extra=b"Upgrade: " + _header_safe(p) + b"\r\n"), expect=frozenset({3})),
    "http_location": lambda p: dict(
        http=acts.status(302, b"Found", b"Location: ws://ev" + _header_safe(p) + b"il.example/ws\r\n"),
        expect=frozenset({3})),
    "http_status": lambda p: dict(
        http=acts.status(500, _header_safe(p), b"X-Info: " + _header_safe(p) + b"\r\n", _b(p) * 3),
        expect=frozenset({3})),
    "http_status_line": lambda p: dict(
        http=acts.http(b"HTTP/1.1 " + _header_safe(p) + b"\r\n\r\n"), expect=frozenset({3})),
    "fleet_name": lambda p: dict(identity={"name": p}, fleet=True),
    "version_note": lambda p: dict(identity={"version": p}),
    "event": lambda p: dict(
        act=acts.feedback({"Status": {"Audio": {"Volume": p}}}), follow=True, max_err_lines=2,
        lines=("xFeedback register /Status/Audio/Volume",)),
}


def escape_scenarios() -> list[Scenario]:
    out: list[Scenario] = []
    for ci, (channel, make) in enumerate(CHANNELS.items()):
        for pi, (name, payload) in enumerate(PAYLOADS.items()):
            output, log = MODES[(ci + pi) % len(MODES)]
            kwargs = make(payload)
            out.append(Scenario(sid=f"esc-{channel}-{name}", group=f"escape:{channel}",
                                output=output, log=log, **kwargs))
    return out
