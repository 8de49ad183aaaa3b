"""Building blocks for scenario behaviour: what the device does instead of answering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.hostile.scenario import Act, Ctx, HttpAct
from tests.hostile.wire import event, result, switching

Frame = str | bytes


def reply(make: Callable[[Any], str]) -> Act:
    """Answer each script request with the text `make(request id)`."""
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        ctx.send(make(request.get("id")))
    return act


def before(*frames: Frame | Callable[[Any], Frame]) -> Act:
    """Send `frames` (text, raw bytes, or made from the request id), then answer normally."""
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        for item in frames:
            data = item(request.get("id")) if callable(item) else item
            if isinstance(data, bytes):
                await ctx.write(data)
            else:
                ctx.send(data)
        ctx.answer(request)
    return act


def raw(*chunks: bytes | Callable[[Any], bytes], then_abort: bool = False) -> Act:
    """Write raw bytes instead of an answer (bad frames); optionally cut TCP after."""
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        for item in chunks:
            await ctx.write(item(request.get("id")) if callable(item) else item)
        if then_abort:
            ctx.abort()
    return act


def close(code: int | None, reason: bytes = b"") -> Act:
    """Close the WebSocket with `code` and `reason` instead of answering."""
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        await ctx.close(code, reason)
    return act


def abort() -> Act:
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        ctx.abort()
    return act


def silent() -> Act:
    """Never answer (the link stays up)."""
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        return None
    return act


def feedback(params: dict[str, Any]) -> Act:
    """Accept an xFeedback register (Id 0) and send one event carrying `params`."""
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        if str(request.get("method", "")).lower() == "xfeedback/subscribe":
            ctx.send(result(request.get("id"), {"Id": 0}))
            ctx.send(event(0, params))
        else:
            ctx.answer(request)
    return act


def subscribed_then(after: Act) -> Act:
    """Accept an xFeedback register (Id 0), then do `after` (close, abort, play dead)."""
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        if str(request.get("method", "")).lower() == "xfeedback/subscribe":
            ctx.send(result(request.get("id"), {"Id": 0}))
            await after(ctx, request)
        else:
            ctx.answer(request)
    return act


def first_then(first: Act, later: Act) -> Act:
    """`first` for the first script request ever seen, `later` for every one after it
    (a device that misbehaves once, then serves the reconnected client properly)."""
    seen: list[bool] = []

    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        if not seen and str(request.get("method", "")).lower() == "xfeedback/subscribe":
            seen.append(True)
            await first(ctx, request)
        else:
            await later(ctx, request)
    return act


def mute() -> Act:
    async def act(ctx: Ctx, request: dict[str, Any]) -> None:
        await ctx.mute()
    return act


def http(response: bytes | Callable[[bytes], bytes], *, hang: bool = False) -> HttpAct:
    """Answer the raw upgrade request with `response` (bytes, or made from the request)."""
    async def act(reader: Any, writer: Any, head: bytes) -> None:
        writer.write(response(head) if callable(response) else response)
        await writer.drain()
        if hang:
            await reader.read()
    return act


def upgraded(*after: bytes, extra: bytes = b"", accept: str | None = None,
             hang: bool = False) -> HttpAct:
    """A 101 (with `extra` header lines), then raw bytes."""
    return http(lambda head: switching(head, extra, accept) + b"".join(after), hang=hang)


def status(code: int, reason: bytes = b"Error", headers: bytes = b"", body: bytes = b"") -> HttpAct:
    return http(b"HTTP/1.1 %d %s\r\n%sContent-Length: %d\r\n\r\n%s"
                % (code, reason, headers, len(body), body))
