"""What a device enforces, over the wire: roles, session caps, the feedback limit, the
inactivity timeout, a call's ticking Duration, the http→https redirect, a named room.

Each test talks to a listening simulator (the built-in device, which carries the
`Security Session` configurations and the schema's role lists) with a raw websockets
client and asserts the exact frames or HTTP answers a device gives; the CLI tests run
`xshell` / `xshell-sim` as subprocesses and read the one line a user sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.clirun import xshell
from tests.conftest import PASSWORD, USER
from tests.simproc import sim_process
from tests.integration.test_sim_protocol import WAIT, Peer, basic
from xshell.sim import Simulator
from xshell.sim.access import Account, AccountSyntaxError, parse_account

DENIED = '{"error":{"code":-31999,"message":"Permission Denied"},"id":1,"jsonrpc":"2.0"}'


def device(**kw: Any) -> Simulator:
    """The built-in device with an admin, a User-only and a RoomControl-only account."""
    users = [Account(USER, PASSWORD), Account("viewer", "pw", frozenset({"User"})),
             Account("panel", "pw", frozenset({"RoomControl"}))]
    return Simulator(users=users, rate_limit=None, **kw)


@contextlib.asynccontextmanager
async def peer_of(url: str, user: str = USER, password: str = PASSWORD) -> AsyncIterator[Peer]:
    async with connect(url, additional_headers=basic(user, password)) as ws:
        yield Peer(ws)


# --- roles -------------------------------------------------------------------------------

async def test_a_user_without_the_role_gets_permission_denied() -> None:
    async with device().serve() as server:
        async with peer_of(server.url, "panel", "pw") as panel:  # RoomControl reads no status here
            assert await panel.request("xGet", {"Path": ["Status", "Audio", "Volume"]}) == DENIED
            assert await panel.request("xCommand/Audio/Volume/Set", {"Level": 30}) == DENIED
            assert await panel.request("xFeedback/Subscribe", {"Query": ["Status", "Audio", "Volume"]}) == DENIED
            assert await panel.request("xQuery", {"Query": ["Status", "Audio"]}) == DENIED
            assert await panel.result("xQuery", {"Query": ["**", "Volume"]}) == {}  # a search shows less
        async with peer_of(server.url, "viewer", "pw") as viewer:  # User may read, not configure
            assert await viewer.result("xGet", {"Path": ["Configuration", "Audio", "DefaultVolume"]}) == 50
            assert await viewer.request("xSet", {"Path": ["Configuration", "Audio", "DefaultVolume"],
                                                 "Value": 40}) == DENIED
        assert server.simulator.configuration(("Audio", "DefaultVolume")) == 50
        async with peer_of(server.url) as admin:
            assert await admin.result("xSet", {"Path": ["Configuration", "Audio", "DefaultVolume"],
                                               "Value": 40}) is True


async def test_feedback_carries_only_what_the_user_may_read() -> None:
    async with device().serve() as server, peer_of(server.url, "panel", "pw") as panel, \
            peer_of(server.url) as admin:
        quiet = await panel.subscribe(["Status"])
        loud = await admin.subscribe(["Status"])
        server.simulator.set_status("Audio Volume", 33)
        assert (await admin.notification(loud))["Status"] == {"Audio": {"Volume": 33}}
        with pytest.raises(TimeoutError):  # the panel's frame would have come first
            await asyncio.wait_for(panel.notification(quiet), 0.3)


@pytest.mark.parametrize(("spec", "expected"), [
    ("ops", Account("ops", "dflt")),
    ("ops:s3cret", Account("ops", "s3cret")),
    ("ops:a:b:user,integrator", Account("ops", "a:b", frozenset({"User", "Integrator"}))),
])
def test_user_option_syntax(spec: str, expected: Account) -> None:
    assert parse_account(spec, "dflt") == expected


def test_unknown_role_is_named() -> None:
    with pytest.raises(AccountSyntaxError, match="unknown role 'Wizard'"):
        parse_account("ops:pw:User,Wizard", "")


# --- session caps ------------------------------------------------------------------------

async def _refusal(url: str, user: str = USER, password: str = PASSWORD) -> tuple[int, bytes]:
    with pytest.raises(InvalidStatus) as info:
        async with connect(url, additional_headers=basic(user, password)):
            pass
    return info.value.response.status_code, info.value.response.body


async def test_the_31st_session_is_refused_and_a_freed_slot_is_reused() -> None:
    async with device().serve() as server, contextlib.AsyncExitStack() as stack:
        opened: list[ClientConnection] = []
        for n in range(30):  # 20 admin sessions (the per-user cap), then 10 of viewer
            user, password = (USER, PASSWORD) if n < 20 else ("viewer", "pw")
            opened.append(await stack.enter_async_context(connect(server.url,
                                                                  additional_headers=basic(user, password))))
        assert await _refusal(server.url, "panel", "pw") == (503, b"Maximum number of sessions reached.\n")
        await opened[0].close()
        await asyncio.wait_for(server.simulator.wait_connections(29), WAIT)
        async with peer_of(server.url, "panel", "pw") as panel:
            assert await panel.request("xGet", {"Path": ["Status", "Audio", "Volume"]}) == DENIED


async def test_the_21st_session_of_one_user_is_refused() -> None:
    async with device().serve() as server, contextlib.AsyncExitStack() as stack:
        for _ in range(20):
            await stack.enter_async_context(connect(server.url, additional_headers=basic("viewer", "pw")))
        assert await _refusal(server.url, "viewer", "pw") == (
            503, b"Maximum number of sessions for this user reached.\n")
        async with peer_of(server.url) as admin:  # another user still gets in
            assert await admin.result("xGet", {"Path": ["Status", "Audio", "Volume"]}) == 50


async def test_the_caps_follow_the_devices_configuration_and_xshell_says_so() -> None:
    async with device().serve() as server:
        server.simulator.set_configuration("Security Session MaxTotalSessions", 1)
        async with peer_of(server.url):
            code, out, err = await xshell(server.url, "--user", USER, "-c", "xStatus Audio Volume")
    assert code == 3 and out == ""
    assert err.splitlines() == [(
        f"xshell: 127.0.0.1:{server.port} refused the connection with HTTP 503: it already has as "
        "many sessions open as it allows (Security Session MaxTotalSessions); close one and retry")]


# --- the feedback expression limit -------------------------------------------------------

async def test_38_feedback_expressions_per_session_then_subscriber_count_exceeded() -> None:
    async with device().serve() as server, \
            peer_of(server.url) as first, peer_of(server.url) as second:
        for n in range(38):
            assert await first.subscribe(["Status", "Audio", "Volume"], rid=n) == n
        assert await first.request("xFeedback/Subscribe", {"Query": ["Status"]}, rid=1) == \
            '{"error":{"code":-31998,"message":"Subscriber Count Exceeded"},"id":1,"jsonrpc":"2.0"}'
        assert await second.subscribe(["Status"]) == 0  # the limit is per session


async def test_xshell_shows_the_39th_registration_refused() -> None:
    async with device().serve() as server:
        paths = ["/".join(p) for p, _ in server.simulator.model.schema.walk("Status")][:39]
        argv = [a for p in paths for a in ("-c", f"xFeedback register /{p}")]
        code, out, err = await xshell(server.url, "--user", USER, *argv)
    assert code == 1
    assert out.count("\nOK\n") + out.startswith("OK\n") == 38
    assert [ln for ln in (out + err).splitlines() if "Subscriber Count Exceeded" in ln] != []


# --- the inactivity timeout --------------------------------------------------------------

async def test_an_idle_session_is_closed_a_busy_one_is_not() -> None:
    async with device(idle_timeout=0.4).serve() as server, \
            peer_of(server.url) as idle, peer_of(server.url) as busy:
        async def keep_busy() -> None:
            while True:
                await busy.result("xGet", {"Path": ["Status", "Audio", "Volume"]})
                await asyncio.sleep(0.1)  # pacing the busy client, not waiting for an event
        task = asyncio.get_running_loop().create_task(keep_busy())
        with pytest.raises(ConnectionClosed) as info:
            await asyncio.wait_for(idle.ws.recv(), WAIT)
        assert (info.value.rcvd.code, info.value.rcvd.reason) == (1000, "Session inactivity timeout")
        assert not task.done()
        task.cancel()


async def test_the_timeout_comes_from_security_session_inactivity_timeout() -> None:
    async with device().serve() as server:
        assert server.simulator.sessions.idle_seconds() is None  # the factory value: never
        server.simulator.set_configuration("Security Session InactivityTimeout", 5)
        assert server.simulator.sessions.idle_seconds() == 300.0  # minutes, as on a device


# --- a call's Duration -------------------------------------------------------------------

async def test_call_duration_ticks_and_the_disconnect_event_agrees() -> None:
    async with device(call_step=0.01).serve() as server, \
            peer_of(server.url) as peer:
        await peer.subscribe(["Event", "CallDisconnect"], rid="e")
        ticks = await peer.subscribe(["Status", "Call", "Duration"], rid="d")
        await peer.result("xCommand/Dial", {"Number": "room@example.com"})
        while True:  # the once-a-second tick, until the call has lasted a second
            note = await asyncio.wait_for(peer.notification(ticks), 5)
            if note["Status"]["Call"][0].get("Duration", 0) >= 1:
                break
        shown = await peer.result("xGet", {"Path": ["Status", "Call", 1, "Duration"]})
        assert shown >= 1
        await peer.result("xCommand/Call/Disconnect", {"CallId": 1})
        event = (await peer.notification(0))["Event"]["CallDisconnect"]
        assert event["Duration"] in (shown, shown + 1)


# --- http → https ------------------------------------------------------------------------

def _pair(tmp_path: Path) -> tuple[str, str]:
    trustme = pytest.importorskip("trustme")
    cert = trustme.CA().issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(cert_file)
    cert.private_key_pem.write_to_path(key_file)
    return str(cert_file), str(key_file)


async def test_the_plain_port_redirects_to_tls_and_xshell_names_the_wss_address(tmp_path: Path) -> None:
    cert, key = _pair(tmp_path)
    with sim_process("--password", PASSWORD, "--tls", "--cert", cert, "--key", key,
                     "--http-port", "0") as (url, proc):
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), WAIT)
        assert line.startswith("xshell-sim: plain HTTP redirects to TLS at ws://127.0.0.1:")
        plain = line.split()[-1]
        port = plain.split(":")[2].split("/")[0]
        reader, writer = await asyncio.open_connection("127.0.0.1", int(port))
        writer.write(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port.encode() + b"\r\n\r\n")
        head = (await asyncio.wait_for(reader.read(), WAIT)).split(b"\r\n")
        writer.close()
        tls_port = url.split(":")[2].split("/")[0]
        assert head[0] == b"HTTP/1.1 301 Moved Permanently"
        assert f"Location: https://127.0.0.1:{tls_port}/ws".encode() in head
        code, out, err = await xshell(plain, "--user", USER, "-c", "xStatus Audio Volume")
    assert code == 3 and out == ""
    assert err.splitlines() == [(
        f"xshell: 127.0.0.1:{port} redirected the ws:// upgrade to https://127.0.0.1:{tls_port}/ws "
        f"(HTTP 301): the device accepts only TLS (HTTP Mode HTTPS); try wss://127.0.0.1:{tls_port}/ws")]


@pytest.mark.parametrize(("args", "needle"), [
    (["--http-port", "0"], "--http-port redirects to TLS: it needs --tls --cert --key"),
    (["--user", "ops:pw:Wizard"], ("--user: user ops: unknown role 'Wizard' (roles: Admin, Audit, "
                                   "Integrator, PairedUser, RoomControl, TouchUser, User)")),
    (["--user", "ops", "--user", "ops:x"], "--user: the same NAME given twice"),
])
def test_bad_options_are_one_line_and_exit_2(args: list[str], needle: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "xshell.sim", "--port", "0", *args],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"xshell-sim: error: {needle}"]


# --- a --schema device has a name ---------------------------------------------------------

async def test_a_schema_device_answers_with_a_room_name(schema_file: Path) -> None:
    with sim_process("--schema", str(schema_file), "--password", PASSWORD) as (url, _):
        async with peer_of(url) as peer:
            assert await peer.result("xGet", {"Path": ["Configuration", "SystemUnit", "Name"]}) == \
                "Meeting Room 1"
        code, out, _ = await xshell(url, "--user", USER, "-c", "xConfiguration SystemUnit Name")
    assert code == 0 and '*c xConfiguration SystemUnit Name: "Meeting Room 1"' in out
