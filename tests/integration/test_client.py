"""XoWSClient against the built-in simulator over loopback (plus pure parts of the transport).

Everything that crosses the wire goes through a real socket to the real simulator; the
only hand-made servers are the few the simulator cannot play (an HTTP 401 on a request
that carries credentials, and a method the device never answers).
"""

from __future__ import annotations

import asyncio
import base64
import http
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve as ws_serve
from websockets.http11 import Request, Response

from tests.conftest import PASSWORD, USER
from xshell.errors import (AuthenticationFailed, CommandError, ConnectionFailed, ConnectionLost,
                           DeviceRebooting, InvalidParams, InvalidRequest, MethodNotFound,
                           ProtocolError, RateLimited, RequestTimeout, ServiceNotEnabled,
                           SubscriberCountExceeded, XAPIError)
from xshell.transport.client import XoWSClient
from xshell.transport.xapi import normalize_path
from xshell.transport.openfailures import status_error
from xshell.transport.opening import auth_subprotocol, basic_authorization
from xshell.transport.rpc import RpcTable, Subscription
from xshell.transport.wslog import RedactingLogger

WAIT = 10.0  # upper bound for awaiting an event; never a sleep


def _secrets(password: str = PASSWORD) -> list[str]:
    """The password and every encoding of it that travels on the upgrade."""
    return [password, basic_authorization(USER, password).split()[1],
            auth_subprotocol(USER, password)[5:]]


class Feed:
    """A feedback handler that queues what it gets, for awaiting with a timeout."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[dict[str, Any], int]] = asyncio.Queue()

    def __call__(self, payload: dict[str, Any], sub_id: int) -> None:
        self.queue.put_nowait((payload, sub_id))

    async def next(self) -> tuple[dict[str, Any], int]:
        return await asyncio.wait_for(self.queue.get(), WAIT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ====================================================================== pure parts

@pytest.mark.parametrize("given,expected", [
    ("Status/Audio/Volume", ["Status", "Audio", "Volume"]),
    ("/Status/Call/3/Status/", ["Status", "Call", 3, "Status"]),
    ("Status Call 3 Status", ["Status", "Call", 3, "Status"]),
    (["Configuration", "SIP", "Proxy", "1", "Address"], ["Configuration", "SIP", "Proxy", 1, "Address"]),
    (("Status", "**", "Volume"), ["Status", "**", "Volume"]),
    (["Status", 2], ["Status", 2]),
])
def test_paths_normalize_digit_strings_to_ints(given: Any, expected: list[Any]) -> None:
    assert normalize_path(given) == expected


@pytest.mark.parametrize("given,fragment", [
    ("", "empty path"), ([], "empty path"), (["Status", ""], "element 2 is empty"),
    (["Status", None], "element 2"), (["Status", True], "element 2"), (42, "must be a list"),
])
def test_bad_paths_are_value_errors(given: Any, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        normalize_path(given)


def test_credentials_encodings() -> None:
    # user "admin", password "s3cret-Pa55?>" — chosen so base64 needs '+', '/' or padding
    assert basic_authorization("admin", "") == "Basic " + base64.b64encode(b"admin:").decode()
    token = auth_subprotocol("admin", "s3cret-Pa55?>")
    assert token.startswith("auth-") and "=" not in token and "+" not in token and "/" not in token
    blob = token[5:].replace("-", "+").replace("_", "/")
    assert base64.b64decode(blob + "=" * (-len(blob) % 4)) == b"admin:s3cret-Pa55?>"


@pytest.mark.parametrize("status,cls,fragment", [
    (401, AuthenticationFailed, "Authentication failed for user 'admin' at codec: wrong username or "
                                "password (HTTP 401)"),
    (403, AuthenticationFailed, "(HTTP 403)"),
    (502, DeviceRebooting, "the device is probably rebooting"),
    (503, RateLimited, "rate limit"),
    (404, ServiceNotEnabled, "WebSocket service not enabled on codec (HTTP 404): "
                             "xConfiguration NetworkServices Websocket: FollowHTTPService"),
    (500, ServiceNotEnabled, "(HTTP 500)"),
])
def test_upgrade_status_messages(status: int, cls: type[Exception], fragment: str) -> None:
    err = status_error(status, "admin", "codec")
    assert isinstance(err, cls) and isinstance(err, ConnectionFailed)
    assert fragment in str(err) and "\n" not in str(err)


def test_websockets_debug_log_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    from websockets.frames import Frame, Opcode
    logger = RedactingLogger(logging.getLogger("test.redact"))
    with caplog.at_level(logging.DEBUG, logger="test.redact"):
        logger.debug("> %s: %s", "Authorization", "Basic c2VjcmV0")
        logger.debug("< %s: %s", "Sec-WebSocket-Protocol", "auth-c2VjcmV0")
        logger.debug("> %s", Frame(Opcode.TEXT, b'{"params":{"Passphrase":"secret"}}'))
        logger.debug("> %s: %s", "Host", "codec")
    assert "c2VjcmV0" not in caplog.text and "secret" not in caplog.text
    assert "[redacted]" in caplog.text and "TEXT [" in caplog.text and "Host: codec" in caplog.text


class Table:
    """An RpcTable with its protocol errors collected."""

    def __init__(self) -> None:
        self.errors: list[ProtocolError] = []
        self.rpc = RpcTable(self.errors.append)


async def test_reply_resolves_by_id_in_any_order() -> None:
    t = Table()
    ids = [t.rpc.open("xGet", {"Path": ["Status", n]}) for n in ("A", "B", "C")]
    for rid, _, _ in reversed(ids):
        t.rpc.dispatch(json.dumps({"id": rid, "jsonrpc": "2.0", "result": rid * 10}))
    assert [fut.result() for _, _, fut in ids] == [10, 20, 30]
    assert json.loads(ids[0][1]) == {"jsonrpc": "2.0", "id": 1, "method": "xGet",
                                     "params": {"Path": ["Status", "A"]}}
    assert t.errors == [] and t.rpc.pending == {}


async def test_error_reply_becomes_typed_xapi_error() -> None:
    t = Table()
    rid, _, fut = t.rpc.open("xFeedback/Unsubscribe", {"Id": 7})
    t.rpc.dispatch(json.dumps({"error": {"code": -32602, "data": {"Id": 7},
                                         "message": "Unknown subscription Id"}, "id": rid}))
    err = fut.exception()
    assert isinstance(err, InvalidParams)
    assert (err.code, err.message, err.data) == (-32602, "Unknown subscription Id", {"Id": 7})


@pytest.mark.parametrize("frame,fragment", [
    (b'{"id":1}', "binary frame"),
    ("not json", "not JSON"),
    ("[1,2]", "not a JSON object"),
    ('{"id":999,"result":1}', "unknown id"),
    ('{"id":"x","result":1}', "unknown id"),
    ('{"error":{"code":-32700,"message":"Parse error"},"id":null}', "could not read a request: Parse error"),
    ('{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Id":5,"Status":{}}}', "unknown subscription Id 5"),
    ('{"jsonrpc":"2.0","method":"xSomething","params":{}}', "unexpected message"),
])
async def test_bad_frames_are_reported_not_raised(frame: str | bytes, fragment: str) -> None:
    t = Table()
    _, _, fut = t.rpc.open("xGet", {"Path": ["Status"]})
    t.rpc.dispatch(frame)
    assert len(t.errors) == 1 and fragment in str(t.errors[0])
    t.rpc.dispatch('{"id":1,"result":"still works"}')
    assert fut.result() == "still works"


async def test_duplicate_reply_is_reported_and_late_reply_is_not() -> None:
    t = Table()
    rid, _, fut = t.rpc.open("xGet", {"Path": ["Status"]})
    t.rpc.dispatch(json.dumps({"id": rid, "result": 1}))
    t.rpc.dispatch(json.dumps({"id": rid, "result": 1}))
    assert fut.result() == 1 and len(t.errors) == 1 and "duplicate" in str(t.errors[0])
    late, _, late_fut = t.rpc.open("xGet", {"Path": ["Status"]})
    t.rpc.expire(late, RequestTimeout("no answer"))
    assert isinstance(late_fut.exception(), RequestTimeout) and t.rpc.pending == {}
    t.rpc.dispatch(json.dumps({"id": late, "result": 2}))
    assert len(t.errors) == 1


async def test_subscribe_reply_installs_handler_before_next_frame() -> None:
    t = Table()
    got: list[tuple[dict[str, Any], int]] = []
    sub = Subscription(("Status", "Audio"), lambda p, i: got.append((p, i)), True)
    rid, _, fut = t.rpc.open("xFeedback/Subscribe", {"Query": ["Status", "Audio"]},
                             t.rpc.subscribe_hook(sub))
    # reply and current value arrive back to back, before the caller's task runs again
    t.rpc.dispatch(json.dumps({"id": rid, "result": {"Id": 0}}))
    t.rpc.dispatch('{"method":"xFeedback/Event","params":{"Id":0,"Status":{"Audio":{"Volume":50}}}}')
    assert fut.result() == {"Id": 0}
    assert got == [({"Status": {"Audio": {"Volume": 50}}}, 0)]
    assert t.rpc.subscriptions[0] == sub and t.errors == []


async def test_handler_exception_does_not_stop_dispatch(caplog: pytest.LogCaptureFixture) -> None:
    t = Table()

    def boom(payload: dict[str, Any], sub_id: int) -> None:
        raise RuntimeError("handler bug")
    rid, _, _ = t.rpc.open("xFeedback/Subscribe", {"Query": ["Status"]},
                           t.rpc.subscribe_hook(Subscription(("Status",), boom)))
    t.rpc.dispatch(json.dumps({"id": rid, "result": {"Id": 3}}))
    with caplog.at_level(logging.ERROR):
        t.rpc.dispatch('{"method":"xFeedback/Event","params":{"Id":3,"Status":{}}}')
    assert "handler bug" in caplog.text
    _, _, fut = t.rpc.open("xGet", {"Path": ["Status"]})
    t.rpc.dispatch('{"id":2,"result":5}')
    assert fut.result() == 5


async def test_fail_all_fails_every_pending_request() -> None:
    t = Table()
    futs = [t.rpc.open("xGet", {"Path": ["Status"]})[2] for _ in range(3)]
    t.rpc.fail_all(lambda: ConnectionLost("gone"))
    assert all(isinstance(f.exception(), ConnectionLost) for f in futs) and t.rpc.pending == {}


# ====================================================================== against the simulator

@pytest.fixture
async def slow_sim() -> AsyncIterator[Any]:
    """A simulator whose HttpClient commands take long enough to race against."""
    from xshell.sim import Simulator
    async with Simulator(user=USER, password=PASSWORD, http_delay=0.5).serve() as server:
        yield server


POST = "xCommand/HttpClient/Post"
POST_ARGS = {"Url": "https://example.com/hook", "body": "{}"}


async def test_get_returns_what_the_device_holds(client: XoWSClient, sim: Any) -> None:
    device = sim.simulator
    assert await client.get("Status/Audio/Volume") == device.get_value("Status Audio Volume")
    assert await client.get(["Configuration", "SystemUnit", "Name"]) == \
        device.get_value("Configuration SystemUnit Name")
    subtree = await client.get(["Status", "Audio"])
    assert subtree["Volume"] == device.get_value("Status Audio Volume")


async def test_query_is_rooted_and_wildcarded(client: XoWSClient, sim: Any) -> None:
    result = await client.query(["Status", "**", "Volume"])
    assert result["Status"]["Audio"]["Volume"] == sim.simulator.get_value("Status Audio Volume")


async def test_set_changes_the_configuration(client: XoWSClient, sim: Any) -> None:
    before = await client.get("Configuration/Audio/DefaultVolume")
    wanted = 40 if before != 40 else 45
    assert await client.set("Configuration/Audio/DefaultVolume", wanted) is True
    assert await client.get("Configuration/Audio/DefaultVolume") == wanted
    assert sim.simulator.get_value("Configuration Audio DefaultVolume") == wanted


async def test_command_with_params_list_path_and_body(client: XoWSClient, sim: Any) -> None:
    wanted = (await client.get("Status/Audio/Volume") + 7) % 100
    assert (await client.command(["Audio", "Volume", "Set"], {"Level": wanted}))["status"] == "OK"
    assert sim.simulator.get_value("Status Audio Volume") == wanted
    reply = await client.command("HttpClient/Post", {"Url": "https://example.com/x",
                                                     "Header": ["A: 1", "B: 2"]}, body='{"k":1}')
    assert reply["status"] == "OK"
    assert (await client.command("Command/Audio/Volume/Set", {"Level": 3}))["status"] == "OK"


async def test_doc_returns_the_schema_node(client: XoWSClient) -> None:
    doc = await client.doc(["Command", "Audio", "Volume", "Set"])
    assert doc["command"] == "True" and "Level" in doc


async def test_call_and_notify_raw(client: XoWSClient, sim: Any) -> None:
    assert await client.call("xGet", {"Path": ["Status", "Audio", "Volume"]}) == \
        sim.simulator.get_value("Status Audio Volume")
    wanted = (sim.simulator.get_value("Status Audio Volume") + 11) % 100
    await client.notify("xCommand/Audio/Volume/Set", {"Level": wanted})
    # the device handles frames in order: the next reply proves the notification ran
    assert await client.get("Status/Audio/Volume") == wanted
    assert client.in_flight == 0


async def test_legacy_target_gets_strings(sim: Any) -> None:
    from xshell.transport.target import parse_target
    async with XoWSClient(parse_target(sim.url, legacy=True), USER, PASSWORD) as c:
        value = await c.get("Status/Audio/Volume")
    assert value == str(sim.simulator.get_value("Status Audio Volume"))


async def test_two_thousand_concurrent_requests_all_answered(client: XoWSClient, sim: Any) -> None:
    paths = [["Status", "Audio", "Volume"], ["Configuration", "SystemUnit", "Name"],
             ["Configuration", "Audio", "DefaultVolume"]]
    expected = [sim.simulator.get_value(" ".join(p)) for p in paths]
    results = await asyncio.gather(*(client.get(paths[i % 3]) for i in range(2000)))
    assert results == [expected[i % 3] for i in range(2000)]
    assert client.in_flight == 0
    assert client.last_rtt is not None and client.last_rtt > 0


async def test_replies_are_matched_by_id_not_order(slow_sim: Any) -> None:
    async with XoWSClient(slow_sim.url, USER, PASSWORD) as c:
        post = asyncio.create_task(c.call(POST, POST_ARGS))
        volume = await c.get("Status/Audio/Volume")
        assert not post.done()  # the later request was answered first
        assert (await asyncio.wait_for(post, WAIT))["status"] == "OK"
        assert volume == slow_sim.simulator.get_value("Status Audio Volume")


async def test_request_timeout_drops_the_pending_entry(slow_sim: Any) -> None:
    errors: list[ProtocolError] = []
    async with XoWSClient(slow_sim.url, USER, PASSWORD, on_protocol_error=errors.append) as c:
        with pytest.raises(RequestTimeout) as info:
            await c.call(POST, POST_ARGS, timeout=0.05)
        assert "HttpClient/Post" in str(info.value) and "127.0.0.1" in str(info.value)
        assert c.in_flight == 0
        # a second slow request answered after the first's late reply arrived
        assert (await c.call(POST, POST_ARGS, timeout=WAIT))["status"] == "OK"
        assert errors == []  # the late reply was dropped quietly, not "unknown id"
        assert c.connected


async def test_client_wide_timeout_applies(slow_sim: Any) -> None:
    async with XoWSClient(slow_sim.url, USER, PASSWORD, timeout=0.05) as c:
        with pytest.raises(RequestTimeout):
            await c.command("HttpClient/Post", {"Url": "https://example.com/x"}, body="{}")
        assert c.connected and c.in_flight == 0


async def test_link_drop_fails_pending_and_later_requests(slow_sim: Any) -> None:
    reasons: list[str] = []
    c = XoWSClient(slow_sim.url, USER, PASSWORD, on_close=reasons.append)
    await c.connect()
    try:
        post = asyncio.create_task(c.call(POST, POST_ARGS))
        await c.get("Status/Audio/Volume")  # the post is on the wire now
        slow_sim.simulator.reboot(30)       # TCP cut without a close frame, like a codec
        with pytest.raises(ConnectionLost) as info:
            await asyncio.wait_for(post, WAIT)
        assert "127.0.0.1" in str(info.value)
        reason = await asyncio.wait_for(c.wait_closed(), WAIT)
        assert reasons == [reason] and "without a close frame" in reason
        assert not c.connected
        with pytest.raises(ConnectionLost):
            await c.get("Status/Audio/Volume")
        with pytest.raises(DeviceRebooting) as again:
            await c.connect()
        assert "rebooting" in str(again.value)
    finally:
        await c.close()


async def test_server_shutdown_mid_request_is_connection_lost() -> None:
    from xshell.sim import Simulator
    sim = Simulator(user=USER, password=PASSWORD, http_delay=5.0)
    async with sim.serve() as server:
        c = XoWSClient(server.url, USER, PASSWORD)
        await c.connect()
        post = asyncio.create_task(c.call(POST, POST_ARGS))
        await c.get("Status/Audio/Volume")
    with pytest.raises(ConnectionLost):
        await asyncio.wait_for(post, WAIT)
    assert "closed the connection" in await asyncio.wait_for(c.wait_closed(), WAIT)
    await c.close()


async def test_close_fails_pending_requests(slow_sim: Any) -> None:
    c = XoWSClient(slow_sim.url, USER, PASSWORD)
    await c.connect()
    post = asyncio.create_task(c.call(POST, POST_ARGS))
    await c.get("Status/Audio/Volume")
    await c.close()
    with pytest.raises(ConnectionLost):
        await asyncio.wait_for(post, WAIT)
    assert c.closed.result() == "the connection was closed by the client"
    with pytest.raises(ConnectionLost, match="Not connected"):
        await c.get("Status/Audio/Volume")
    await c.close()  # idempotent


async def test_subscribe_with_current_value_then_changes(client: XoWSClient, sim: Any) -> None:
    feed = Feed()
    sub_id = await client.subscribe(["Status", "Audio", "Volume"], feed, notify_current=True)
    payload, got_id = await feed.next()
    assert got_id == sub_id
    assert payload == {"Status": {"Audio": {"Volume": sim.simulator.get_value("Status Audio Volume")}}}
    wanted = (sim.simulator.get_value("Status Audio Volume") + 5) % 100
    await client.command("Audio/Volume/Set", {"Level": wanted})
    assert await feed.next() == ({"Status": {"Audio": {"Volume": wanted}}}, sub_id)
    assert client.subscriptions[sub_id].query == ("Status", "Audio", "Volume")


async def test_subscribe_without_current_value_sends_nothing_until_change(client: XoWSClient,
                                                                          sim: Any) -> None:
    feed = Feed()
    sub_id = await client.subscribe("Configuration/Audio/DefaultVolume", feed)
    await client.get("Status/Audio/Volume")  # a round trip: anything queued would be here
    assert feed.queue.empty()
    wanted = 33 if sim.simulator.get_value("Configuration Audio DefaultVolume") != 33 else 34
    await client.set("Configuration/Audio/DefaultVolume", wanted)
    assert await feed.next() == ({"Configuration": {"Audio": {"DefaultVolume": wanted}}}, sub_id)


async def test_unsubscribe_stops_feedback(client: XoWSClient, sim: Any) -> None:
    gone, kept = Feed(), Feed()
    gone_id = await client.subscribe(["Status", "Audio", "Volume"], gone)
    kept_id = await client.subscribe(["Status", "Audio", "Volume"], kept)
    assert gone_id != kept_id
    assert await client.unsubscribe(gone_id) is True
    assert gone_id not in client.subscriptions
    await client.command("Audio/Volume/Set", {"Level": (sim.simulator.get_value("Status Audio Volume") + 9) % 100})
    await kept.next()
    await client.get("Status/Audio/Volume")
    assert gone.queue.empty()
    with pytest.raises(InvalidParams):
        await client.unsubscribe(gone_id)


async def test_async_handler_and_failing_handler(client: XoWSClient, sim: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    seen = asyncio.Event()

    async def handler(payload: dict[str, Any], sub_id: int) -> None:
        await asyncio.sleep(0)
        seen.set()

    def broken(payload: dict[str, Any], sub_id: int) -> None:
        raise RuntimeError("handler bug")

    with caplog.at_level(logging.ERROR):
        await client.subscribe(["Status", "Audio", "Volume"], broken, notify_current=True)
        await client.subscribe(["Status", "Audio", "Volume"], handler, notify_current=True)
        await asyncio.wait_for(seen.wait(), WAIT)
    assert "handler bug" in caplog.text
    assert await client.get("Status/Audio/Volume") == sim.simulator.get_value("Status Audio Volume")


@pytest.mark.parametrize("request_it,cls,code", [
    (lambda c: c.command("No/Such/Command"), MethodNotFound, -32601),
    (lambda c: c.call("xNoSuchMethod", {}), MethodNotFound, -32601),
    (lambda c: c.get("Status/NoSuchNode/AtAll"), InvalidParams, -32602),
    (lambda c: c.command("Audio/Volume/Set", {"Level": 500}), InvalidParams, -32602),
    (lambda c: c.unsubscribe(4711), InvalidParams, -32602),
    (lambda c: c.command("Dial", {"Number": " "}), CommandError, 1),
    (lambda c: c.call("", {}), InvalidRequest, -32600),
])
async def test_device_errors_are_typed(client: XoWSClient, request_it: Callable[[XoWSClient], Any],
                                       cls: type[XAPIError], code: int) -> None:
    with pytest.raises(cls) as info:
        await request_it(client)
    assert info.value.code == code and info.value.message
    assert client.connected and await client.get("Status/Audio/Volume") is not None


async def test_subscriber_count_exceeded() -> None:
    from xshell.sim import Simulator
    async with Simulator(user=USER, password=PASSWORD, max_subscriptions=1).serve() as server:
        async with XoWSClient(server.url, USER, PASSWORD) as c:
            await c.subscribe("Status/Audio/Volume", Feed())
            with pytest.raises(SubscriberCountExceeded) as info:
                await c.subscribe("Status/Audio/Volume", Feed())
            assert info.value.code == -31998 and len(c.subscriptions) == 1


# ---------------------------------------------------------------- opening failures

async def test_wrong_password_is_one_sentence_without_secrets(sim: Any,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    wrong = "Not-The-Pa55word"
    with caplog.at_level(logging.DEBUG):
        for auth in ("basic", "subprotocol"):
            c = XoWSClient(sim.url, USER, wrong, auth=auth)
            with pytest.raises(AuthenticationFailed) as info:
                await c.connect()
            message = str(info.value)
            assert message.startswith(f"Authentication failed for user '{USER}' at 127.0.0.1:")
            assert message.endswith("wrong username or password (HTTP 403)")
            for secret in _secrets(wrong):
                assert secret not in message and secret not in repr(c)
        async with XoWSClient(sim.url, USER, PASSWORD, auth="subprotocol") as ok:
            await ok.get("Status/Audio/Volume")
    assert "Authorization" in caplog.text  # the debug log ran, and was redacted
    leaks = {rec.name for rec in caplog.records for secret in _secrets(wrong) + _secrets(PASSWORD)
             if secret in rec.getMessage()}
    assert not leaks, f"secret logged by {sorted(leaks)}"


async def test_subprotocol_auth_connects(sim: Any) -> None:
    async with XoWSClient(sim.url, USER, PASSWORD, auth="subprotocol") as c:
        assert await c.get("Status/Audio/Volume") == sim.simulator.get_value("Status Audio Volume")


async def test_http_401_is_authentication_failed() -> None:
    def process_request(conn: ServerConnection, request: Request) -> Response:
        return conn.respond(http.HTTPStatus.UNAUTHORIZED, "Authentication required.\n")

    async def never(ws: ServerConnection) -> None:
        raise AssertionError("no upgrade expected")

    async with ws_serve(never, "127.0.0.1", 0, process_request=process_request) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        with pytest.raises(AuthenticationFailed, match=r"user 'admin' at 127\.0\.0\.1:\d+: wrong "
                                                       r"username or password \(HTTP 401\)"):
            await XoWSClient(f"ws://127.0.0.1:{port}/ws", USER, PASSWORD).connect()


async def test_rate_limited_is_503() -> None:
    from xshell.sim import Simulator
    from xshell.sim.handshake import RateLimit
    sim = Simulator(user=USER, password=PASSWORD, rate_limit=RateLimit(rate=0.001, queue=0))
    async with sim.serve() as server:
        async with XoWSClient(server.url, USER, PASSWORD):
            with pytest.raises(RateLimited, match="HTTP 503"):
                await XoWSClient(server.url, USER, PASSWORD).connect()


async def test_wrong_path_is_service_not_enabled(sim: Any) -> None:
    url = sim.url.replace("/ws", "/not-ws")
    with pytest.raises(ServiceNotEnabled) as info:
        await XoWSClient(url, USER, PASSWORD).connect()
    assert "(HTTP 404): xConfiguration NetworkServices Websocket: FollowHTTPService" in str(info.value)


async def test_connection_refused() -> None:
    port = free_port()
    with pytest.raises(ConnectionFailed) as info:
        await XoWSClient(f"ws://127.0.0.1:{port}/ws", USER, PASSWORD).connect()
    assert f"127.0.0.1:{port} refused" in str(info.value)


async def test_unresolvable_host() -> None:
    with pytest.raises(ConnectionFailed) as info:
        await XoWSClient("ws://xshell-no-such-host.invalid/ws", USER, PASSWORD, open_timeout=5).connect()
    assert "xshell-no-such-host.invalid" in str(info.value)


async def test_open_timeout_when_nothing_answers() -> None:
    with socket.socket() as listener:  # accepts TCP in the kernel, never answers HTTP
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(ConnectionFailed, match=r"Timed out after 0\.2 s connecting to 127\.0\.0\.1"):
            await XoWSClient(f"ws://127.0.0.1:{port}/ws", USER, PASSWORD, open_timeout=0.2).connect()


def test_bad_arguments_are_value_errors() -> None:
    with pytest.raises(ValueError, match="auth"):
        XoWSClient("codec", auth="digest")
    with pytest.raises(ValueError, match="':'"):
        XoWSClient("codec", username="a:b")
    with pytest.raises(ValueError, match="bad port"):
        XoWSClient("codec:99999")


async def test_repr_never_shows_the_password(client: XoWSClient) -> None:
    text = repr(client)
    assert "connected" in text and USER in text
    assert all(secret not in text for secret in _secrets())


def _redirector(location: str) -> Any:
    """A tiny HTTP server that answers every upgrade with 302 to `location`."""
    def process_request(conn: ServerConnection, request: Request) -> Response:
        response = conn.respond(http.HTTPStatus.FOUND, "moved\n")
        response.headers["Location"] = location
        return response

    async def never(ws: ServerConnection) -> None:
        raise AssertionError("no upgrade expected")

    return ws_serve(never, "127.0.0.1", 0, process_request=process_request)


async def test_redirect_on_the_same_host_keeps_credentials(sim: Any) -> None:
    async with _redirector(sim.url) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with XoWSClient(f"ws://127.0.0.1:{port}/ws", USER, PASSWORD) as c:
            assert await c.get("Status/Audio/Volume") == sim.simulator.get_value("Status Audio Volume")


async def test_redirect_to_another_host_is_refused(sim: Any) -> None:
    async with _redirector(sim.url.replace("127.0.0.1", "localhost")) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        with pytest.raises(ConnectionFailed, match="redirected the WebSocket to another host"):
            await XoWSClient(f"ws://127.0.0.1:{port}/ws", USER, PASSWORD).connect()
    assert sim.simulator.connections == 0
