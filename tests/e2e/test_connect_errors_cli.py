"""What `xshell` prints when it cannot connect: exactly one line, the cause and the fix, exit 3.

Each case is the mistake or fault a technician meets: the default wss:// aimed at a
plain port (the simulator's, and an nginx-like one that answers HTTP 400), ws:// aimed
at a TLS port, nothing listening, a name that does not resolve, a port that accepts but
never answers, the upgrade statuses (401, 403, 404, a redirect to https://), a TLS
alert, and a peer that hangs up mid-upgrade. The CLI runs as a real subprocess; the
peers are the simulator or a few lines of asyncio on the test's own loop.
"""

from __future__ import annotations

import asyncio
import http
import re
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve as ws_serve
from websockets.http11 import Request, Response

from tests.clirun import xshell
from tests.conftest import PASSWORD, USER
from tests.integration import test_pinning
from tests.integration.test_pinning import Device, ca_signed
from xshell.transport.pinning import fingerprint, known_hosts_path

device = test_pinning.device  # a wss:// simulator with a self-signed certificate
LINE = ("-c", "xStatus Audio Volume")

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def raw_server(handler: Handler, ctx: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    """A TCP (or TLS) server on loopback running `handler` per connection; yields its port."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ctx)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


@asynccontextmanager
async def answering(status: http.HTTPStatus, **headers: str) -> AsyncIterator[int]:
    """An HTTP server answering every WebSocket upgrade with `status`; yields its port."""
    def process_request(conn: ServerConnection, request: Request) -> Response:
        response = conn.respond(status, f"{status.phrase}\n")
        for name, value in headers.items():
            response.headers[name] = value
        return response

    async def never(ws: ServerConnection) -> None:
        raise AssertionError("no upgrade expected")

    async with ws_serve(never, "127.0.0.1", 0, process_request=process_request) as server:
        yield next(iter(server.sockets)).getsockname()[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def fails_with(line: str, *args: str) -> None:
    """The run exits 3, prints nothing on stdout and exactly `line` on stderr."""
    status, out, err = await xshell(*args, *LINE)
    assert (status, out, err) == (3, "", f"xshell: {line}\n")


# --------------------------------------------------------------------------- wrong scheme
async def test_host_port_means_wss_and_a_plain_port_says_try_ws(sim: Any) -> None:
    port = sim.port
    await fails_with(f"TLS handshake with 127.0.0.1:{port} failed: the device closed the "
                     "connection without setting up TLS; if that is a plain ws:// port, try "
                     f"ws://127.0.0.1:{port}/ws", f"127.0.0.1:{port}")


async def test_wss_to_a_web_server_answering_in_plain_http_says_try_ws() -> None:
    async def nginx_like(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)  # the ClientHello
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async with raw_server(nginx_like) as port:
        await fails_with(f"TLS handshake with 127.0.0.1:{port} failed: the device answered "
                         "without TLS (WRONG_VERSION_NUMBER); that is a plain ws:// port, try "
                         f"ws://127.0.0.1:{port}/ws?legacy", f"wss://127.0.0.1:{port}/ws?legacy")


async def test_ws_to_a_tls_port_says_try_wss(device: Device) -> None:
    port = device.server.port
    await fails_with(f"127.0.0.1:{port} closed the connection during the WebSocket upgrade "
                     f"(is that a TLS port? try wss://127.0.0.1:{port}/ws)", f"ws://127.0.0.1:{port}")
    assert device.logins == []


async def test_ws_answered_with_http_400_says_try_wss() -> None:
    async with answering(http.HTTPStatus.BAD_REQUEST) as port:
        await fails_with(f"127.0.0.1:{port} answered the ws:// upgrade with HTTP 400 (bad "
                         f"request): is that a TLS port? try wss://127.0.0.1:{port}/ws",
                         f"ws://127.0.0.1:{port}/ws")


# --------------------------------------------------------------------------- network
@pytest.mark.parametrize("scheme", ["ws", "wss"])
async def test_connection_refused(scheme: str) -> None:
    port = free_port()
    await fails_with(f"Connection to 127.0.0.1:{port} refused: nothing listens on port {port} "
                     "(wrong port, or is the device's NetworkServices HTTP Mode Off?)",
                     f"{scheme}://127.0.0.1:{port}/ws")


async def test_name_that_does_not_resolve() -> None:
    status, out, err = await xshell("xshell-no-such-host.invalid", *LINE)
    assert status == 3 and out == ""
    assert re.fullmatch(r"xshell: Cannot resolve the host name 'xshell-no-such-host\.invalid' "
                        r"\([^()\n]+\): check its spelling, or use the device's IP address\n", err)


@pytest.mark.parametrize("scheme,why", [
    ("ws", "it accepted the connection but did not answer the WebSocket upgrade (is that the "
           "device's web port?)"),
    ("wss", "the device does not answer (wrong address, or a firewall?)"),
])
async def test_a_port_that_never_answers_times_out_after_the_timeout(scheme: str, why: str) -> None:
    with socket.socket() as listener:  # the kernel accepts TCP; nobody ever reads
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        await fails_with(f"Timed out after 0.5 s connecting to 127.0.0.1:{port}: {why}",
                         f"{scheme}://127.0.0.1:{port}/ws", "--timeout", "0.5")


# --------------------------------------------------------------------------- HTTP statuses
async def test_wrong_password_is_403(sim: Any) -> None:
    status, out, err = await xshell(sim.url, *LINE, password="not-it")
    assert (status, out) == (3, "")
    assert err == (f"xshell: Authentication failed for user '{USER}' at 127.0.0.1:{sim.port}: "
                   "wrong username or password (HTTP 403)\n")


async def test_401_on_ws_mentions_an_https_only_device() -> None:
    async with answering(http.HTTPStatus.UNAUTHORIZED) as port:
        await fails_with(f"Authentication failed for user '{USER}' at 127.0.0.1:{port}: wrong "
                         "username or password (HTTP 401); if the device accepts only TLS (HTTP "
                         f"Mode HTTPS), try wss://127.0.0.1:{port}/ws", f"ws://127.0.0.1:{port}/ws")


async def test_404_names_the_service_setting_and_a_wrong_path(sim: Any) -> None:
    await fails_with(f"WebSocket service not enabled on 127.0.0.1:{sim.port} (HTTP 404): "
                     "xConfiguration NetworkServices Websocket: FollowHTTPService; or the path "
                     "is wrong: the device serves /ws, not /xapi", sim.url.replace("/ws", "/xapi"))


async def test_a_redirect_to_https_is_not_followed_and_says_try_wss() -> None:
    async with answering(http.HTTPStatus.MOVED_PERMANENTLY,
                         Location="https://127.0.0.1:8443/") as port:
        await fails_with(f"127.0.0.1:{port} redirected the ws:// upgrade to https://127.0.0.1:8443/ "
                         "(HTTP 301): the device accepts only TLS (HTTP Mode HTTPS); try "
                         "wss://127.0.0.1:8443/ws", f"ws://127.0.0.1:{port}/ws")


# --------------------------------------------------------------------------- TLS and hang-ups
async def test_a_tls_alert_from_the_device() -> None:
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)  # the ClientHello
        writer.write(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]))  # fatal handshake_failure
        await writer.drain()
        writer.close()

    async with raw_server(refuse) as port:
        await fails_with(f"TLS handshake with 127.0.0.1:{port} failed (SSLV3_ALERT_HANDSHAKE_FAILURE):"
                         " the device and this machine share no TLS version or cipher (old device "
                         "software? upgrade it, or check its TLS settings)", f"127.0.0.1:{port}")


async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read the upgrade request, then close without a word."""
    await reader.readuntil(b"\r\n\r\n")
    writer.close()


async def test_a_peer_that_hangs_up_during_the_upgrade() -> None:
    async with raw_server(hang_up) as port:
        await fails_with(f"127.0.0.1:{port} closed the connection during the WebSocket upgrade "
                         f"(is that a TLS port? try wss://127.0.0.1:{port}/ws)",
                         f"ws://127.0.0.1:{port}/ws")


async def test_a_tls_peer_that_hangs_up_during_the_upgrade(tmp_path: Path) -> None:
    ctx, _, _ = ca_signed(tmp_path, "127.0.0.1")
    async with raw_server(hang_up, ctx) as port:
        await fails_with(f"127.0.0.1:{port} closed the connection during the WebSocket upgrade "
                         "(the device may be restarting or have too many sessions open; try "
                         "again)", f"127.0.0.1:{port}", "--cacert", str(tmp_path / "ca.pem"))


# --------------------------------------------------------------------------- CA-failed pins
async def test_accept_new_does_not_pin_a_ca_signed_certificate_with_the_wrong_name(
        tmp_path: Path) -> None:
    from xshell.sim import Simulator
    ctx, cafile, der = ca_signed(tmp_path, "codec.example.com")
    fp = fingerprint(der)
    sim = Simulator(user=USER, password=PASSWORD, rate_limit=None)
    async with sim.serve(ssl_context=ctx) as server:
        url, port = server.url, server.port
        await fails_with(
            f"TLS certificate of 127.0.0.1:{port} failed verification (IP address mismatch, "
            "certificate is not valid for '127.0.0.1') although a trusted certificate authority "
            f"signed it; its fingerprint is {fp}. Either connect by a name the certificate "
            f"lists, or, if this is the right device, connect again with --fingerprint {fp} or "
            "--accept-invalid to pin it anyway (--accept-new pins only certificates no trusted "
            "CA signed)", url, "--cacert", str(cafile), "--accept-new")
        assert not known_hosts_path().exists()

        status, out, err = await xshell(url, "--cacert", str(cafile), "--accept-invalid", *LINE)
        assert status == 0 and "*s Audio Volume: 50" in out.splitlines(), err
        pins = [ln for ln in known_hosts_path().read_text().splitlines()
                if ln and not ln.startswith("#")]
        assert pins == [f"127.0.0.1:{port} {fp}"]
        assert err == (f"xshell: pinned the TLS certificate of 127.0.0.1:{port} ({fp}) in "
                       f"{known_hosts_path()}:4 although it failed verification (IP address "
                       "mismatch, certificate is not valid for '127.0.0.1')\n")


async def test_accept_new_still_pins_a_self_signed_certificate(device: Device) -> None:
    status, out, err = await xshell(device.url, "--accept-new", *LINE)
    assert status == 0, err
    assert err == (f"xshell: pinned the TLS certificate of 127.0.0.1:{device.server.port} "
                   f"({fingerprint(device.der)}) in {known_hosts_path()}:4\n")


async def test_accept_invalid_with_insecure_is_a_usage_error() -> None:
    status, out, err = await xshell("wss://127.0.0.1:9/ws", "--insecure", "--accept-invalid", *LINE)
    assert status == 2 and out == ""
    assert err.splitlines()[-1] == ("xshell: error: --insecure turns certificate checks off; it "
                                    "cannot be combined with --accept-invalid")


def test_a_hang_up_before_tls_is_retried_by_reconnect_but_a_plain_port_is_not() -> None:
    """A device that is starting up also hangs up mid-handshake: reconnecting must keep
    trying then (TLSFailed would stop it), while a port that answers without TLS is final."""
    from xshell.transport.openfailures import translate
    from xshell.transport.reconnect_policy import hopeless
    from xshell.transport.target import parse_target

    target = parse_target("codec:8443")
    assert not hopeless(translate(ConnectionResetError(), target, USER, 10.0))
    plain = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert hopeless(translate(plain, target, USER, 10.0))
