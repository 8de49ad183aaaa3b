"""TLS: verified by default, a trusted CA via ssl_context, explicit insecure, the pinning seam.

The simulator serves wss:// with a certificate from a throw-away trustme CA, so the
real verification path runs end to end over loopback.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any

import pytest
import trustme

from tests.conftest import PASSWORD, USER
from xshell.errors import ConnectionFailed, RateLimited, TLSFailed
from xshell.transport.client import XoWSClient
from xshell.transport.target import parse_target


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(ca: trustme.CA, *names: str) -> tuple[ssl.SSLContext, bytes]:
    cert = ca.issue_cert(*names)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    return ctx, der


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


@pytest.fixture
async def tls_sim(ca: trustme.CA) -> AsyncIterator[tuple[Any, bytes]]:
    """A wss:// simulator whose certificate names 127.0.0.1; yields (server, cert DER)."""
    from xshell.sim import Simulator
    ctx, der = server_context(ca, "127.0.0.1", "localhost")
    async with Simulator(user=USER, password=PASSWORD).serve(ssl_context=ctx) as server:
        yield server, der


async def test_trusted_ca_verifies(tls_sim: tuple[Any, bytes], ca: trustme.CA) -> None:
    server, der = tls_sim
    assert server.url.startswith("wss://")
    async with XoWSClient(server.url, USER, PASSWORD, ssl_context=trusting(ca)) as c:
        assert await c.get("Status/Audio/Volume") == server.simulator.get_value("Status Audio Volume")
        assert c.peer_certificate_der == der


async def test_untrusted_certificate_is_a_clear_tls_failure(tls_sim: tuple[Any, bytes]) -> None:
    server, _ = tls_sim
    with pytest.raises(TLSFailed) as info:
        await XoWSClient(server.url, USER, PASSWORD).connect()  # system CAs only
    message = str(info.value)
    assert f"TLS certificate of 127.0.0.1:{server.port} could not be verified" in message
    assert "--insecure" in message and "\n" not in message and PASSWORD not in message


async def test_insecure_skips_verification(tls_sim: tuple[Any, bytes]) -> None:
    server, der = tls_sim
    async with XoWSClient(server.url, USER, PASSWORD, insecure=True) as c:
        assert await c.get("Status/Audio/Volume") is not None
        assert c.peer_certificate_der == der
    async with XoWSClient(parse_target(server.url, insecure=True), USER, PASSWORD) as c:
        assert c.connected


async def test_hostname_mismatch_fails(ca: trustme.CA) -> None:
    from xshell.sim import Simulator
    ctx, _ = server_context(ca, "codec.example.com")
    async with Simulator(user=USER, password=PASSWORD).serve(ssl_context=ctx) as server:
        with pytest.raises(TLSFailed, match="mismatch"):
            await XoWSClient(server.url, USER, PASSWORD, ssl_context=trusting(ca)).connect()


async def test_verify_peer_runs_before_credentials_are_sent(ca: trustme.CA) -> None:
    """The hook rejects before the upgrade: the device's one-token rate limit stays unused."""
    from xshell.sim import Simulator
    from xshell.sim.handshake import RateLimit
    ctx, der = server_context(ca, "127.0.0.1")
    seen: list[bytes] = []

    def reject(cert: bytes) -> None:
        seen.append(cert)
        raise TLSFailed("Certificate of 127.0.0.1 does not match the pinned fingerprint")

    def broken(cert: bytes) -> None:
        raise KeyError("no pin store")

    sim = Simulator(user=USER, password=PASSWORD, rate_limit=RateLimit(rate=0.001, queue=0))
    async with sim.serve(ssl_context=ctx) as server:
        with pytest.raises(TLSFailed, match="pinned fingerprint"):
            await XoWSClient(server.url, USER, PASSWORD, insecure=True, verify_peer=reject).connect()
        assert seen == [der]
        with pytest.raises(TLSFailed, match="rejected"):
            await XoWSClient(server.url, USER, PASSWORD, insecure=True, verify_peer=broken).connect()
        async with XoWSClient(server.url, USER, PASSWORD, insecure=True,
                              verify_peer=seen.append) as c:  # the first upgrade of this device
            assert c.connected and seen[-1] == der
        with pytest.raises(RateLimited):  # proves the bucket counts upgrades
            await XoWSClient(server.url, USER, PASSWORD, insecure=True).connect()


async def test_wss_to_a_plain_port_fails_clearly(sim: Any) -> None:
    url = sim.url.replace("ws://", "wss://")
    with pytest.raises(ConnectionFailed) as info:
        await XoWSClient(url, USER, PASSWORD, insecure=True).connect()
    assert f"127.0.0.1:{sim.port}" in str(info.value)


def test_ssl_context_and_insecure_are_exclusive(ca: trustme.CA) -> None:
    with pytest.raises(ValueError, match="not both"):
        XoWSClient("codec", ssl_context=trusting(ca), insecure=True)
