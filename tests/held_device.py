"""A device that takes the connection but answers only when the test lets it (`release()`).

A TCP relay on 127.0.0.1 in front of a real simulator, on its own thread and loop, so a
synchronous pexpect test can hold the device while it reads the screen and types: every
connection is accepted at once (the client sees nothing wrong) and its bytes are relayed
to the simulator only after `release()`. `python -m tests.held_device SIM_PORT` runs one
by hand (prints its port; Enter releases).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Iterator

__all__ = ["HeldDevice", "held_device"]


class HeldDevice:
    """The relay; `port` to connect to, `release()` to let the device answer."""

    def __init__(self, sim_port: int) -> None:
        self.sim_port = sim_port
        self.port = 0
        self.accepted = threading.Event()  # a client has connected (and is waiting)
        self._loop = asyncio.new_event_loop()
        self._gate = asyncio.Event()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="held-device", daemon=True)

    def start(self) -> HeldDevice:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the held device did not start")
        return self

    def release(self) -> None:
        self._loop.call_soon_threadsafe(self._gate.set)

    def close(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.ensure_future(self._relay(reader, writer))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted.set()
        try:
            await self._gate.wait()
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.sim_port)
        except (OSError, asyncio.CancelledError):
            writer.close()
            raise

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)


@contextlib.contextmanager
def held_device(sim_port: int) -> Iterator[HeldDevice]:
    device = HeldDevice(sim_port).start()
    try:
        yield device
    finally:
        device.close()


if __name__ == "__main__":
    with held_device(int(sys.argv[1])) as held:
        print(held.port, flush=True)
        sys.stdin.readline()
        held.release()
        print("released", flush=True)
        sys.stdin.readline()
