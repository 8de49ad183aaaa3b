"""HTTP-level faults: the upgrade answered wrongly, or not at all (served on the raw port)."""

from __future__ import annotations

from tests.hostile import acts
from tests.hostile.scenario import HttpAct, Scenario
from tests.hostile.wire import frame

LOST = frozenset({3})


def _h(sid: str, http: HttpAct, **kw: object) -> Scenario:
    return Scenario(sid=sid, group="http", http=http, expect=LOST, **kw)  # type: ignore[arg-type]


HTTP = [
    *[_h(f"http-status-{code}", acts.status(code, b"Nope", body=b"<html>nope</html>"))
      for code in (200, 204, 301, 400, 401, 403, 404, 426, 500, 502, 503, 599)],
    _h("http-401-evil-challenge", acts.status(401, b"Unauthorized",
                                              b'WWW-Authenticate: Basic realm="\x1b]52;c;ZXZpbA==\x07"\r\n')),
    _h("http-redirect-other-host", acts.status(302, b"Found", b"Location: ws://elsewhere.example/ws\r\n")),
    _h("http-redirect-loop", acts.http(lambda head: b"HTTP/1.1 302 Found\r\nLocation: "
                                       + head.split(b" ")[1] + b"\r\nContent-Length: 0\r\n\r\n")),
    _h("http-101-no-accept", acts.upgraded(accept="")),
    _h("http-101-wrong-accept", acts.upgraded(accept="AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
    _h("http-101-c1-header", acts.upgraded(extra=b"X-Device: \x9b2J\x9d0;t\x9c\x85\r\n")),
    _h("http-101-then-eof", acts.upgraded()),
    _h("http-101-then-garbage", acts.upgraded(b"\xff" * 64)),
    _h("http-101-then-close-frame", acts.upgraded(frame(0x8, b"\x03\xf3\x1b[2Jbye"), hang=True)),
    _h("http-101-bad-extension", acts.upgraded(extra=b"Sec-WebSocket-Extensions: x-evil\x1b[2J\r\n")),
    _h("http-101-unoffered-protocol", acts.upgraded(extra=b"Sec-WebSocket-Protocol: \x1b[2Jevil\r\n")),
    _h("http-garbage-status-line", acts.http(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")),
    _h("http-tls-alert", acts.http(b"\x15\x03\x01\x00\x02\x02\x28")),
    _h("http-nul-status", acts.http(b"HTTP/1.1 4\x0004 N\x00pe\r\n\r\n")),
    _h("http-no-response-eof", acts.http(b"")),
    _h("http-no-response-hang", acts.http(b"", hang=True), wall=20.0),
    _h("http-header-line-100KB", acts.http(b"HTTP/1.1 101 Switching\r\nX: " + b"a" * 100_000 + b"\r\n\r\n")),
    _h("http-3000-headers", acts.http(b"HTTP/1.1 101 Switching\r\n" + b"X: y\r\n" * 3000 + b"\r\n")),
    _h("http-body-endless", acts.http(b"HTTP/1.1 500 Oops\r\nContent-Length: 100000000\r\n\r\n"
                                      + b"\x1b[2J" * 100_000)),
    _h("http-chunked", acts.http(b"HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"5\r\n\x1b[2Jx\r\n0\r\n\r\n")),
    _h("http-1.0", acts.http(b"HTTP/1.0 101 Switching\r\n\r\n")),
]
