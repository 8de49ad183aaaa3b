"""Cisco's own Python client, pyxows (`import xows`), against the simulator unchanged.

pyxows is strict in ways a sloppy server breaks: it registers a feedback handler only
when the Subscribe response arrives (a notification before it crashes its read loop),
maps HTTP statuses and JSON-RPC codes to its exception types, and sends Basic auth.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import PASSWORD, USER
from tests.integration.test_sim_protocol import WAIT, make_sim

xows = pytest.importorskip("xows")


@pytest.fixture
async def client(server: Any) -> AsyncIterator[Any]:
    async with xows.XoWSClient(server.url, username=USER, password=PASSWORD) as c:
        yield c


async def test_get_leaf_subtree_and_list(client: Any) -> None:
    assert await client.xGet(["Status", "Audio", "Volume"]) == 50
    assert await client.xGet(["Status", "SystemUnit", "State", "NumberOfActiveCalls"]) == 0
    assert await client.xGet(["Configuration", "Video", "Input", "Connector", 2]) == \
        {"InputSourceType": "PC", "Name": "PC", "id": 2}


async def test_query_with_wildcard(client: Any) -> None:
    assert await client.xQuery(["Status", "**", "VolumeMute"]) == {"Status": {"Audio": {"VolumeMute": "Off"}}}


async def test_set_with_string_value_as_the_pyxows_cli_sends_it(client: Any) -> None:
    assert await client.xSet(["Configuration", "Audio", "Ultrasound", "MaxVolume"], "65") is True
    assert await client.xGet(["Configuration", "Audio", "Ultrasound", "MaxVolume"]) == 65


async def test_command_results(client: Any) -> None:
    assert await client.xCommand(["Audio", "Volume", "Set"], Level=30) == {"status": "OK"}
    dial = await client.xCommand(["Dial"], Number="dave@example.com")
    assert dial == {"CallId": 1, "ConferenceId": 1, "status": "OK"}
    assert await client.xCommand(["Presentation", "Start"], ConnectorId=[1, 1]) == {"status": "OK"}


async def test_subscribe_with_current_value_then_changes(client: Any) -> None:
    got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def handler(data: dict[str, Any], sub_id: int) -> None:
        got.put_nowait({"data": data, "id": sub_id})

    sub = await client.subscribe(["Status", "Audio", "Volume"], handler, notify_current_value=True)
    assert sub == 0
    first = await asyncio.wait_for(got.get(), WAIT)
    assert first == {"data": {"Status": {"Audio": {"Volume": 50}}}, "id": 0}
    await client.xCommand(["Audio", "Volume", "Set"], Level=61)
    second = await asyncio.wait_for(got.get(), WAIT)
    assert second == {"data": {"Status": {"Audio": {"Volume": 61}}}, "id": 0}
    assert await client.unsubscribe(sub) is True


async def test_async_handlers_and_events(client: Any) -> None:
    got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def handler(data: dict[str, Any], sub_id: int) -> None:
        await got.put(data)

    await client.subscribe(["Event", "OutgoingCallIndication"], handler)
    call = await client.xCommand(["Dial"], Number="erin")
    event = await asyncio.wait_for(got.get(), WAIT)
    assert event == {"Event": {"OutgoingCallIndication": {"CallId": call["CallId"], "id": 1}}}


async def test_errors_map_to_pyxows_exceptions(client: Any) -> None:
    with pytest.raises(xows.InvalidParameter) as bad_path:
        await client.xGet(["Status", "Audio", "Loudness"])
    assert bad_path.value.args[0] == "No match on Path argument"
    with pytest.raises(xows.MethodNotFound):
        await client.xCommand(["Audio", "Volume", "Explode"])
    with pytest.raises(xows.InvalidParameter) as bad_arg:
        await client.xCommand(["Audio", "Volume", "Set"], Level=500)
    assert bad_arg.value.args[0] == 'Bad usage: Bad argument to parameter "Level".'
    with pytest.raises(xows.CommandError) as failed:
        await client.xCommand(["Call", "Disconnect"], CallId=42)
    assert failed.value.args[1]["Cause"] == 27
    with pytest.raises(xows.CommandError):
        await client.xSet(["Configuration", "Audio", "DefaultVolume"], 999)
    with pytest.raises(xows.InvalidParameter) as unknown:
        await client.unsubscribe(12)
    assert unknown.value.args == ("Unknown subscription Id", {"Id": 12})


async def test_subscriber_count_exceeded() -> None:
    async with make_sim(max_subscriptions=1).serve() as handle:
        async with xows.XoWSClient(handle.url, username=USER, password=PASSWORD) as c:
            await c.subscribe(["Status"], lambda *_: None)
            with pytest.raises(xows.SubscriberCountExceeded):
                await c.subscribe(["Status"], lambda *_: None)


async def test_wrong_password_is_authentication_failure(server: Any) -> None:
    c = xows.XoWSClient(server.url, username=USER, password="wrong")
    with pytest.raises(xows.AuthenticationFailure):
        await c.connect()


async def test_rate_limit_is_rate_limit_error() -> None:
    from xshell.sim import RateLimit

    async with make_sim(rate_limit=RateLimit(rate=0.001, queue=0)).serve() as handle:
        async with xows.XoWSClient(handle.url, username=USER, password=PASSWORD):
            pass
        with pytest.raises(xows.RateLimitError):
            await xows.XoWSClient(handle.url, username=USER, password=PASSWORD).connect()


async def test_server_drop_is_seen_as_closed(server: Any, client: Any) -> None:
    assert await client.xGet(["Status", "Audio", "Volume"]) == 50
    server.simulator.reboot(0.2)
    await asyncio.wait_for(client.wait_until_closed(), WAIT)  # TCP cut: aiohttp sees CLOSED
    await asyncio.wait_for(server.simulator.wait_ready(), WAIT)
