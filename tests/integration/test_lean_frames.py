"""The lean frame reader: what the client gets from any byte stream a server may send.

Two levels. The reader alone, on hypothesis-made frame sequences cut at random places,
must deliver exactly the messages in them and hand websockets whole control frames.
Over a real socket, from a hand-written server that answers the upgrade and then writes
chosen bytes, the client must see the same messages, answer pings, and fail the
connection with the close code and reason websockets itself would give for anything
malformed (a masked frame, reserved bits, a bad fragment sequence, an oversize message,
invalid UTF-8), so the reconnect logic reads the same "why" as before.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import State
from websockets.streams import StreamReader

from tests.conftest import PASSWORD, USER
from xshell.transport.client import XoWSClient
from xshell.transport.leanframes import LeanReader
from xshell.transport.opening import open_websocket
from xshell.transport.peercheck import PeerState
from xshell.transport.target import parse_target

WAIT = 5.0
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(opcode: int, payload: bytes, fin: bool = True, rsv: int = 0, mask: bytes | None = None) -> bytes:
    """One server frame, built by hand (so it can also break the rules)."""
    b0 = (0x80 if fin else 0) | rsv | opcode
    n = len(payload)
    m = 0x80 if mask is not None else 0
    if n < 126:
        head = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BBQ", b0, m | 127, n)
    if mask is not None:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return head + mask + payload
    return head + payload


def text(s: str, fin: bool = True) -> bytes:
    return frame(0x1, s.encode(), fin)


# ====================================================================== the reader alone

@dataclass
class FakeProtocol:
    """What LeanReader reads of websockets' protocol object."""

    max_message_size: int | None = 1 << 20
    state: State = State.OPEN
    current_size: int | None = None


@dataclass
class Fed:
    protocol: FakeProtocol = field(default_factory=FakeProtocol)
    messages: list[tuple[bool, bytes]] = field(default_factory=list)
    passed: bytearray = field(default_factory=bytearray)

    def reader(self) -> LeanReader:
        def bad(exc: UnicodeDecodeError) -> None:
            raise AssertionError(f"not UTF-8: {exc}")
        return LeanReader(self.protocol, self.passed.extend,
                          lambda t: self.messages.append((True, t.encode())),
                          lambda b: self.messages.append((False, bytes(b))), bad)


def whole_frames(data: bytes, *, mask: bool) -> tuple[list[Frame], bool]:
    """The whole frames at the start of `data`, and whether a partial one follows."""
    reader = StreamReader()
    reader.feed_data(data)
    out: list[Frame] = []
    while reader.buffer:
        gen = Frame.parse(reader.read_exact, mask=mask)
        try:
            next(gen)
        except StopIteration as stop:
            out.append(stop.value)
        else:
            return out, True
    return out, False


def control_frames(data: bytes) -> list[tuple[Opcode, bytes]]:
    """Parse the bytes handed to websockets as a client would (all must be whole frames)."""
    frames, partial = whole_frames(data, mask=False)
    assert not partial, "a partial frame was handed to websockets"
    return [(f.opcode, f.data) for f in frames]


payloads = st.one_of(st.binary(max_size=40), st.binary(min_size=120, max_size=300),
                     st.just(b"x" * 70_000))


@st.composite
def streams(draw: Any) -> tuple[list[bytes], list[tuple[bool, bytes]], list[tuple[Opcode, bytes]]]:
    """Frames (messages, fragmented ones with pings inside) and what they must give."""
    frames: list[bytes] = []
    messages: list[tuple[bool, bytes]] = []
    controls: list[tuple[Opcode, bytes]] = []
    for _ in range(draw(st.integers(1, 6))):
        is_text = draw(st.booleans())
        pieces = draw(st.lists(payloads, min_size=1, max_size=3))
        if is_text:  # text must be UTF-8 as a whole (a piece may still end mid-character)
            whole = b"".join(pieces).decode("latin-1").encode()
            cuts = sorted(draw(st.lists(st.integers(0, len(whole)), max_size=len(pieces) - 1)))
            pieces = [whole[a:b] for a, b in zip([0, *cuts], [*cuts, len(whole)])]
        for i, piece in enumerate(pieces):
            opcode = (0x1 if is_text else 0x2) if i == 0 else 0x0
            frames.append(frame(opcode, piece, fin=i == len(pieces) - 1))
            if draw(st.booleans()):
                ping = draw(st.binary(max_size=125))
                frames.append(frame(0x9, ping))
                controls.append((Opcode.PING, ping))
        messages.append((is_text, b"".join(pieces)))
    return frames, messages, controls


@settings(max_examples=300, deadline=None)
@given(stream=streams(), cuts=st.lists(st.integers(0, 80_000), max_size=12))
def test_any_split_of_the_stream_gives_the_same_messages(
        stream: tuple[list[bytes], list[tuple[bool, bytes]], list[tuple[Opcode, bytes]]],
        cuts: list[int]) -> None:
    frames, messages, controls = stream
    data = b"".join(frames)
    fed = Fed()
    reader = fed.reader()
    points = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    for a, b in zip(points, points[1:]):
        reader.feed(data[a:b])
    assert fed.messages == messages
    assert control_frames(bytes(fed.passed)) == controls
    assert not reader.bypassed and fed.protocol.current_size is None


def test_a_big_frame_in_pieces_is_held_at_most_twice() -> None:
    """A big text frame: its pieces and its text, never also a bytes copy and a slice of it.

    (Peak traced memory while the pieces arrive and the message is delivered; the frame
    right behind it in the last piece is delivered too, in order.)
    """
    import tracemalloc
    size = 8 << 20
    big = "x" * size
    data = frame(0x1, big.encode()) + text("after")
    got: list[int] = []
    reader = LeanReader(FakeProtocol(max_message_size=None), bytearray().extend,
                        lambda t: got.append(len(t)), lambda b: None, lambda e: None)
    chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)]
    del big, data
    tracemalloc.start()
    try:
        for chunk in chunks:
            reader.feed(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == [size, 5]
    assert peak < 2.3 * size, f"{peak / size:.2f}x the frame"


def test_a_fragmented_message_keeps_websockets_told_of_its_size() -> None:
    fed = Fed()
    reader = fed.reader()
    reader.feed(text("ab", fin=False) + frame(0x0, b"cde", fin=False))
    assert fed.protocol.current_size == 5 and fed.messages == []
    reader.feed(frame(0x0, b"f"))
    assert fed.protocol.current_size is None and fed.messages == [(True, b"abcdef")]


@pytest.mark.parametrize("bad", [
    frame(0x1, b"masked", mask=b"\x01\x02\x03\x04"),
    frame(0x1, b"rsv", rsv=0x40),
    frame(0x0, b"orphan continuation"),
    frame(0x3, b"unknown opcode"),
    frame(0x9, b"p" * 126),
    frame(0x9, b"fragmented ping", fin=False),
    frame(0x1, b"y" * 2000),  # over this reader's size limit
])
def test_a_frame_it_does_not_expect_goes_to_websockets_with_all_after_it(bad: bytes) -> None:
    fed = Fed(FakeProtocol(max_message_size=1000))
    reader = fed.reader()
    after = text("after")
    reader.feed(text("before") + bad + after)
    reader.feed(text("later"))
    assert fed.messages == [(True, b"before")]
    assert bytes(fed.passed) == bad + after + text("later") and reader.bypassed


def test_after_a_close_frame_the_rest_is_websockets() -> None:
    fed = Fed()
    reader = fed.reader()
    close = frame(0x8, Close(1000, "bye").serialize())

    def passthrough(data: bytes) -> None:
        fed.passed.extend(data)
        fed.protocol.state = State.CLOSING  # what websockets does on a close frame
    reader._pass = passthrough  # type: ignore[misc]
    reader.feed(close + text("too late"))
    assert fed.messages == [] and bytes(fed.passed) == close + text("too late")


# ====================================================================== over a real socket

@dataclass
class RawServer:
    """Answers the upgrade, then writes `script` (a list of byte chunks); records replies."""

    script: list[bytes]
    with_response: bool = True  # glue the first chunk to the 101 response
    received: bytearray = field(default_factory=bytearray)
    got_data: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        key = next(line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
                   if line.lower().startswith(b"sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1(key + GUID.encode()).digest())
        response = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        chunks = list(self.script)
        if self.with_response and chunks:
            chunks[0] = response + chunks[0]
        else:
            chunks.insert(0, response)
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0)  # separate segments where the kernel allows
        try:  # until the client's close frame: then end TCP, as a device does
            while data := await reader.read(65536):
                self.received.extend(data)
                self.got_data.set()
                if any(f.opcode is Opcode.CLOSE for f in self.client_frames()):
                    break
        finally:
            writer.close()

    def client_frames(self) -> list[Frame]:
        return whole_frames(bytes(self.received), mask=True)[0]

    async def close_sent(self) -> Close:
        """The close frame the client sent (waits for it)."""
        async def find() -> Close:
            while True:
                for f in self.client_frames():
                    if f.opcode is Opcode.CLOSE:
                        return Close.parse(f.data)
                self.got_data.clear()
                await self.got_data.wait()
        return await asyncio.wait_for(find(), WAIT)


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    servers: list[asyncio.Server] = []

    async def start(script: list[bytes], **kw: Any) -> RawServer:
        raw = RawServer(script, **kw)
        server = await asyncio.start_server(raw.handle, "127.0.0.1", 0)
        servers.append(server)
        raw.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws"
        return raw
    yield start
    for server in servers:
        server.close()


async def lean_connection(url: str, max_size: int | None = 1 << 20) -> tuple[Any, asyncio.Queue[Any]]:
    got: asyncio.Queue[Any] = asyncio.Queue()
    ws = await open_websocket(parse_target(url), username=USER, password=PASSWORD, auth="basic",
                              ssl_context=None, insecure=False, open_timeout=WAIT,
                              ping_interval=None, ping_timeout=None, max_size=max_size,
                              compression=None, proxy=None, peer=PeerState(), close_timeout=1.0,
                              lean=True)
    ws.xs_sink = got.put_nowait
    return ws, got


async def messages(got: asyncio.Queue[Any], n: int) -> list[Any]:
    return [await asyncio.wait_for(got.get(), WAIT) for _ in range(n)]


async def test_frames_glued_to_the_upgrade_and_split_anywhere_all_arrive(serve: Any) -> None:
    big = "é" * 40_000
    stream = (text("first") + frame(0x2, b"\x00\xff") + text(big[:100], fin=False)
              + frame(0x9, b"are you there") + frame(0x0, big[100:].encode()) + text("last"))
    raw = await serve([stream[:3], stream[3:9], stream[9:70_001], stream[70_001:]])
    ws, got = await lean_connection(raw.url)
    try:
        assert await messages(got, 4) == ["first", b"\x00\xff", big, "last"]

        async def pong() -> None:
            while not any(f.opcode is Opcode.PONG for f in raw.client_frames()):
                raw.got_data.clear()
                await raw.got_data.wait()
        await asyncio.wait_for(pong(), WAIT)
        assert [f.data for f in raw.client_frames() if f.opcode is Opcode.PONG] == [b"are you there"]
    finally:
        await ws.close()


async def test_a_close_frame_from_the_device_closes_cleanly(serve: Any) -> None:
    raw = await serve([text("bye soon") + frame(0x8, Close(1001, "going away").serialize())])
    ws, got = await lean_connection(raw.url)
    assert await messages(got, 1) == ["bye soon"]
    assert (await raw.close_sent()).code == 1001  # echoed, as the closing handshake wants
    await asyncio.wait_for(ws.wait_closed(), WAIT)
    assert ws.protocol.close_rcvd.code == 1001 and ws.protocol.close_rcvd.reason == "going away"


@pytest.mark.parametrize("bad, code, reason", [
    (frame(0x1, b"{}", mask=b"abcd"), 1002, "incorrect masking"),
    (frame(0x1, b"{}", rsv=0x20), 1002, "reserved bits must be 0"),
    (frame(0x0, b"{}"), 1002, "unexpected continuation frame"),
    (text("{", fin=False) + text("}"), 1002, "expected a continuation frame"),
    (text("{", fin=False) + frame(0x8, Close(1000, "").serialize()), 1002,
     "incomplete fragmented message"),
    (frame(0x9, b"x", fin=False), 1002, "fragmented control frame"),
    (frame(0x1, b"\xff\xfe"), 1007, "invalid start byte at position 0"),
    (frame(0x1, b"z" * 3000), 1009, ""),
    (text("z" * 600, fin=False) + frame(0x0, b"z" * 600), 1009, ""),
])
async def test_malformed_frames_fail_the_connection_as_websockets_would(
        serve: Any, bad: bytes, code: int, reason: str) -> None:
    raw = await serve([text("ok") + bad + text("never")])
    ws, got = await lean_connection(raw.url, max_size=1000)
    try:
        assert await messages(got, 1) == ["ok"]
        close = await raw.close_sent()
        assert close.code == code and reason in close.reason
        assert got.empty()
    finally:
        await ws.close()


async def test_the_client_reports_an_oversize_message_as_before(serve: Any) -> None:
    reply = '{"jsonrpc":"2.0","id":1,"result":' + '"' + "v" * 5000 + '"}'
    raw = await serve([text(reply[:100], fin=False), frame(0x0, reply[100:].encode())])
    async with XoWSClient(raw.url, USER, PASSWORD, max_size=4096, ping_interval=None,
                          reconnect=False) as client:
        reason = await asyncio.wait_for(client.wait_closed(), WAIT)
    assert reason == "the device sent a message larger than the size limit (4,096 bytes)"


async def test_a_failing_sink_does_not_break_the_connection(serve: Any, caplog: Any) -> None:
    raw = await serve([text("one")])
    ws, got = await lean_connection(raw.url)
    assert await messages(got, 1) == ["one"]

    def broken(message: Any) -> None:
        got.put_nowait(message)
        raise RuntimeError("handler bug")
    ws.xs_sink = broken
    raw_writer_frames = text("two") + frame(0x2, b"three")
    ws.transport.get_protocol().data_received(raw_writer_frames)  # as if from the socket
    assert await messages(got, 2) == ["two", b"three"]
    assert ws.protocol.state is State.OPEN
    assert sum("internal error while handling a frame" in r.message for r in caplog.records) == 2
    await ws.close()


def test_a_short_frame_over_a_tiny_size_limit_is_still_websockets_verdict() -> None:
    fed = Fed(FakeProtocol(max_message_size=10))
    reader = fed.reader()
    reader.feed(text("0123456789") + text("0123456789A"))
    assert fed.messages == [(True, b"0123456789")]
    assert bytes(fed.passed) == text("0123456789A") and reader.bypassed
