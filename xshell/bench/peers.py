"""The references xshell is measured against: a raw websockets loop and pyxows.

The raw loop is the floor for any Python client built on websockets: it does what a
client must (encode, send, receive, decode, match the id) and nothing else. pyxows is
Cisco's own Python client, run unchanged. Each peer does the same work as the xshell
side of its figure, including the same warm-up, on its own fresh connection.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

PATH = ["Status", "Audio", "Volume"]
WARMUP = 1000


def _request(rid: int, method: str, params: Any) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params},
                      separators=(",", ":"))


@dataclass
class FloodOutcome:
    """How a flood of concurrent requests ended."""

    answered: int
    failed: int
    seconds: float
    hung: bool


class RawPeer:
    """A bare websockets connection speaking JSON-RPC by hand (Basic auth)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._id = 0

    @classmethod
    async def open(cls, url: str, user: str, password: str) -> RawPeer:
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        ws = await connect(url, additional_headers={"Authorization": f"Basic {token}"},
                           max_size=None, ping_interval=None)
        return cls(ws)

    async def close(self) -> None:
        await self.ws.close()

    async def call(self, method: str, params: Any) -> Any:
        """One request, waiting for its own reply (skipping notifications)."""
        self._id += 1
        rid = self._id
        await self.ws.send(_request(rid, method, params))
        while True:
            msg = json.loads(await self.ws.recv())
            if msg.get("id") == rid:
                return msg.get("result", msg.get("error"))

    async def round_trips(self, n: int) -> list[float]:
        """n sequential xGets; seconds per round trip."""
        ws, out = self.ws, []
        params = {"Path": PATH}
        for _ in range(WARMUP // 10):
            await self.call("xGet", params)
        for _ in range(n):
            self._id += 1
            rid = self._id
            start = time.perf_counter()
            await ws.send(_request(rid, "xGet", params))
            while json.loads(await ws.recv()).get("id") != rid:
                pass
            out.append(time.perf_counter() - start)
        return out

    async def pipelined(self, n: int) -> float:
        """Send n xGets without waiting, then read the n replies; seconds for all."""
        await self._pipeline(min(WARMUP, n))
        start = time.perf_counter()
        await self._pipeline(n)
        return time.perf_counter() - start

    async def _pipeline(self, n: int) -> None:
        ws = self.ws
        first = self._id + 1
        self._id += n
        for i in range(n):
            await ws.send(_request(first + i, "xGet", {"Path": PATH}))
        pending = set(range(first, first + n))
        while pending:
            pending.discard(json.loads(await ws.recv()).get("id"))

    async def events(self, n: int) -> float:
        """Subscribe, ask the bench server for n events, receive and decode them; seconds."""
        await self.call("xFeedback/Subscribe", {"Query": PATH})
        ws = self.ws
        start = time.perf_counter()
        self._id += 1
        await ws.send(_request(self._id, "bench/Burst", {"count": n}))
        got = 0
        while got < n:
            msg = json.loads(await ws.recv())
            if msg.get("method") == "xFeedback/Event":
                got += 1
        return time.perf_counter() - start


async def watch_flood(tasks: Sequence[asyncio.Future[Any]], progress: Callable[[], int],
                      stall: float) -> tuple[bool, float]:
    """Wait for every task; give up when `progress()` has not moved for `stall` seconds.

    Returns (hung, seconds). Unfinished tasks are cancelled when it hangs.
    """
    start = time.perf_counter()
    remaining = len(tasks)
    everything: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def one_done(_: asyncio.Future[Any]) -> None:
        nonlocal remaining
        remaining -= 1
        if remaining == 0 and not everything.done():
            everything.set_result(None)

    for task in tasks:
        task.add_done_callback(one_done)
    if not tasks:
        everything.set_result(None)
    last = -1
    while True:
        try:
            await asyncio.wait_for(asyncio.shield(everything), stall)
            return False, time.perf_counter() - start
        except TimeoutError:
            now = progress()
            if now == last:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                return True, time.perf_counter() - start
            last = now


def pyxows_available() -> bool:
    return importlib.util.find_spec("xows") is not None


class PyxowsPeer:
    """Cisco's pyxows (`import xows`), unchanged."""

    def __init__(self, url: str, user: str, password: str) -> None:
        import xows

        self.client = xows.XoWSClient(url, user, password)

    async def __aenter__(self) -> PyxowsPeer:
        await self.client.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await asyncio.wait_for(self.client.disconnect(), 5)
        except (TimeoutError, Exception):  # noqa: BLE001 - a hung pyxows may not close cleanly
            pass

    async def pipelined(self, n: int) -> float:
        get = self.client.xGet
        await asyncio.gather(*(get(PATH) for _ in range(min(WARMUP, n))))
        start = time.perf_counter()
        await asyncio.gather(*(get(PATH) for _ in range(n)))
        return time.perf_counter() - start

    async def flood(self, n: int, stall: float) -> FloodOutcome:
        answered = failed = 0
        get = self.client.xGet

        async def one() -> None:
            nonlocal answered, failed
            try:
                await get(PATH)
                answered += 1
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - any failure counts as not answered
                failed += 1

        tasks = [asyncio.ensure_future(one()) for _ in range(n)]
        hung, seconds = await watch_flood(tasks, lambda: answered + failed, stall)
        return FloodOutcome(answered, failed, seconds, hung)
