"""Malformed frames, odd JSON-RPC ids and error shapes, huge/deep/wide messages, close codes.

Expected exit statuses follow the README: 0 every line succeeded, 1 the request got an
xAPI error (or no usable answer), 3 the connection failed or was lost. Noise the device
sends besides a proper answer (garbage, replies nobody asked for) must not cost the
answer: those scenarios expect 0 and allow one warning line.
"""

from __future__ import annotations

from tests.hostile import acts
from tests.hostile.scenario import Scenario
from tests.hostile.wire import close_frame, dumps, error, event, frame, result, text_frame

LOST = frozenset({3})
ERR = frozenset({1})
OK = frozenset({0})
MiB = 1024 * 1024


def _deep(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _wide(n: int) -> str:
    return "{" + ",".join(f'"k{i}":{i}' for i in range(n)) + "}"


def _reply_text(body: str) -> acts.Act:
    """Reply with a hand-written result member (JSON the encoder would not make)."""
    return acts.reply(lambda rid: '{"jsonrpc":"2.0","id":%s,"result":%s}' % (dumps(rid), body))


def _error_member(body: str) -> acts.Act:
    return acts.reply(lambda rid: '{"jsonrpc":"2.0","id":%s,"error":%s}' % (dumps(rid), body))


def _s(sid: str, act: acts.Act, expect: frozenset[int] = OK, **kw: object) -> Scenario:
    group = sid.partition("-")[0]
    return Scenario(sid=sid, group=group, act=act, expect=expect, **kw)  # type: ignore[arg-type]


FRAMES = [
    _s("frame-reserved-opcode", acts.raw(frame(0x3, b"x")), LOST),
    _s("frame-reserved-control-opcode", acts.raw(frame(0xB, b"x")), LOST),
    _s("frame-rsv-bits", acts.raw(lambda rid: frame(0x1, result(rid, 1).encode(), rsv=4)), LOST),
    _s("frame-masked", acts.raw(lambda rid: frame(0x1, result(rid, 1).encode(), masked=True)), LOST),
    _s("frame-bad-utf8", acts.raw(lambda rid: frame(0x1, b'{"id":%d,"result":"\xff\xfe"}' % rid)), LOST),
    _s("frame-fragmented-ping", acts.raw(frame(0x9, b"p", fin=False)), LOST),
    _s("frame-long-ping", acts.raw(frame(0x9, b"p" * 200)), LOST),
    _s("frame-continuation-alone", acts.raw(frame(0x0, b"x")), LOST),
    _s("frame-text-inside-fragment", acts.raw(frame(0x1, b"{", fin=False), frame(0x1, b"{}")), LOST),
    _s("frame-close-one-byte", acts.raw(frame(0x8, b"\x03")), LOST),
    _s("frame-length-2^62", acts.raw(frame(0x1, b"{}", length=1 << 62)), LOST),
    _s("frame-length-50MB-truncated", acts.raw(frame(0x1, b"{" * 1024, length=50 * MiB), then_abort=True), LOST),
    _s("frame-header-truncated", acts.raw(b"\x81", then_abort=True), LOST),
    _s("frame-over-max-size", acts.raw(lambda rid: frame(0x1, b" " * (65 * MiB))), LOST, max_rss_mb=100),
    _s("frame-binary-json", acts.raw(lambda rid: frame(0x2, result(rid, 50).encode())),
       frozenset({0, 1}), max_err_lines=2),
    _s("frame-fragmented-reply", acts.raw(lambda rid: b"".join(
        [frame(0x1, result(rid, 50).encode()[:5], fin=False), frame(0x9, b"mid"),
         frame(0x0, result(rid, 50).encode()[5:9], fin=False),
         frame(0x0, result(rid, 50).encode()[9:])]))),
    _s("frame-ping-flood", acts.before(b"".join(frame(0x9, b"%d" % i) for i in range(2000)))),
    _s("frame-unsolicited-pongs", acts.before(b"".join(frame(0xA, b"x") for _ in range(100)))),
    _s("frame-empty-text", acts.before(text_frame(""))),
    _s("frame-1000-tiny-garbage", acts.before(b"".join(text_frame("x") for _ in range(1000))),
       max_err_lines=10, note="a flood of bad frames is summarised, not echoed 1000 times"),
]

JSON = [
    _s("json-truncated", acts.before('{"jsonrpc":"2.0","id":'), max_err_lines=2),
    _s("json-array", acts.before("[1,2,3]"), max_err_lines=2),
    _s("json-scalars", acts.before("42", '"str"', "null", "true", " "), max_err_lines=5),
    _s("json-bom", acts.before(lambda rid: "\ufeff" + result(rid, 50)), max_err_lines=2),
    _s("json-invalid-escape", acts.before('{"id":1,"result":"\\x"}'), max_err_lines=2),
    _s("json-nan", _reply_text("NaN"), frozenset({0, 1}), max_err_lines=2),
    _s("json-infinity-key", _reply_text('{"Volume":-Infinity}'), frozenset({0, 1}), max_err_lines=2),
    _s("json-dup-keys", acts.reply(lambda rid: '{"jsonrpc":"2.0","id":%d,"result":1,"result":2}' % rid)),
    _s("json-bigint-result", _reply_text("9" * 5000), frozenset({0, 1}), max_err_lines=2),
    _s("json-bigint-id", acts.before('{"jsonrpc":"2.0","id":%s,"result":1}' % ("7" * 5000)), max_err_lines=2),
    _s("json-deep-array-noise", acts.before("[" * 100_000 + "]" * 100_000), max_err_lines=2),
    _s("json-deep-result", _reply_text(_deep(100_000)), frozenset({0, 1}), max_err_lines=2),
    _s("json-deep-result-999", _reply_text(_deep(999)), frozenset({0, 1}), max_err_lines=2),
    _s("json-deep-event", acts.before('{"jsonrpc":"2.0","method":"xFeedback/Event","params":'
                                      '{"Id":4711,"Status":%s}}' % _deep(100_000)), max_err_lines=2),
    _s("json-wide-result", _reply_text(_wide(200_000)), max_rss_mb=150),
    _s("json-wide-list", _reply_text("[" + ",".join(["1"] * 200_000) + "]"), max_rss_mb=150),
    _s("json-huge-string-result", acts.reply(lambda rid: result(rid, "v" * (20 * MiB))), max_rss_mb=200),
    _s("json-huge-event-50MB", acts.before(
        lambda rid: event(4711, {"Status": {"Padding": "x" * (50 * MiB)}})),
       max_err_lines=2, max_rss_mb=200),
    _s("json-unknown-id", acts.before(lambda rid: result(rid + 1000, 1)), max_err_lines=2),
    _s("json-string-id", acts.before(lambda rid: result(str(rid), 1)), max_err_lines=2),
    _s("json-float-id", acts.before(lambda rid: result(float(rid) + 0.5, 1)), max_err_lines=2),
    _s("json-object-id", acts.before(lambda rid: result({"id": rid}, 1)), max_err_lines=2),
    _s("json-duplicate-reply", acts.before(lambda rid: result(rid, 50))),
    _s("json-result-and-error", acts.reply(lambda rid: '{"jsonrpc":"2.0","id":%d,"result":1,'
                                           '"error":{"code":1,"message":"m"}}' % rid),
       frozenset({0, 1}), max_err_lines=2),
    _s("json-neither-result-nor-error", acts.reply(lambda rid: dumps({"jsonrpc": "2.0", "id": rid})),
       frozenset({0, 1}), max_err_lines=2),
    _s("json-jsonrpc-1.0", acts.reply(lambda rid: dumps({"jsonrpc": "1.0", "id": rid, "result": 50})),
       frozenset({0, 1}), max_err_lines=2),
    _s("json-error-code-string", _error_member('{"code":"x","message":"m"}'), ERR, max_err_lines=2),
    _s("json-error-code-bigint", _error_member('{"code":%s,"message":"m"}' % ("1" * 5000)), ERR,
       max_err_lines=2),
    _s("json-error-message-object", _error_member('{"code":1,"message":{"a":[1,{"b":null}]}}'), ERR,
       max_err_lines=2),
    _s("json-error-is-string", _error_member('"boom"'), ERR, max_err_lines=2),
    _s("json-error-is-null", _error_member("null"), frozenset({0, 1}), max_err_lines=2),
    _s("json-error-no-message", _error_member('{"code":-31999}'), ERR, max_err_lines=2),
    _s("json-error-data-deep", _error_member('{"code":1,"message":"m","data":%s}' % _deep(100_000)),
       ERR, max_err_lines=2),
    _s("json-error-data-wide", _error_member('{"code":1,"message":"m","data":%s}' % _wide(100_000)),
       ERR, max_rss_mb=150),
    _s("json-error-message-huge", acts.reply(lambda rid: error(rid, 1, "m" * (5 * MiB))), ERR,
       max_rss_mb=150),
    _s("json-error-message-multiline", acts.reply(lambda rid: error(rid, 1, "line1\nline2\r\nline3")),
       ERR),
    _s("json-id-null-error-plain", acts.before(error(None, -32700, "Parse error")), max_err_lines=2),
    _s("json-notification-bad-params", acts.before(
        '{"jsonrpc":"2.0","method":"xFeedback/Event","params":[1]}',
        '{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Id":"x"}}',
        '{"jsonrpc":"2.0","method":"xFeedback/Event"}'), max_err_lines=3),
    _s("json-unknown-method", acts.before('{"jsonrpc":"2.0","method":"x\\u001b[2JEvil","params":{}}'),
       max_err_lines=2),
    _s("json-request-from-device", acts.before('{"jsonrpc":"2.0","id":5,"method":"xGet","params":{}}'),
       max_err_lines=2),
    _s("json-never-answered", acts.silent(), frozenset({1, 3}), timeout=2.0),
    _s("json-abort-instead", acts.abort(), LOST),
]

FOLLOW_LINES = ("xFeedback register /Status/Audio/Volume",)
FOLLOW_EVENT = acts.feedback({"Status": {"Audio": {"Volume": 33}}})
# --follow may reconnect (then the device sends the event, and the run ends at 0) or give
# up (3); either way within bounded time, in a few clear lines.
FOLLOW = [
    _s(f"follow-{name}", acts.first_then(acts.subscribed_then(fault), FOLLOW_EVENT),
       frozenset({0, 3}), follow=True, lines=FOLLOW_LINES, max_err_lines=5, wall=wall)
    for name, fault, wall in (("close-1001", acts.close(1001, b"rebooting"), 10.0),
                              ("close-1011", acts.close(1011, b"internal"), 10.0),
                              ("abort", acts.raw(b"", then_abort=True), 10.0),
                              ("dead-link", acts.mute(), 30.0))
]

CLOSES = [
    _s(f"close-{code}", acts.close(code, b"going away"), LOST)
    for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999)
] + [
    _s("close-no-status", acts.close(None), LOST),
    *[_s(f"close-invalid-{code}", acts.close(code, b"x"), LOST) for code in (0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535)],
    _s("close-reason-not-utf8", acts.close(1000, b"\xff\xfe\x9b"), LOST),
    _s("close-reason-123-bytes", acts.close(1000, b"r" * 123), LOST),
    _s("close-reason-too-long", acts.raw(frame(0x8, b"\x03\xe8" + b"r" * 200)), LOST),
    _s("close-then-garbage", acts.raw(close_frame(1000, b"bye"), b"\xff" * 100, then_abort=True), LOST),
]
