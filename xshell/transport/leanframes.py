"""A lean reader for the device's data frames, beside websockets' own parser.

Why: websockets parses every incoming frame with generator coroutines and builds a Frame
object (an enum lookup, a dataclass, a check) per frame; in a feedback storm that costs as
much as everything else a raw receive loop does. A server's data frames are simple —
unmasked, no extension when none was negotiated — so this reader cuts them out of the
byte stream itself, as many as each `data_received` brings, and hands each payload on.

Everything else stays websockets' job, with its own close codes and reasons:

- a well-formed control frame (ping, pong, close) is handed to websockets *whole*, so its
  parser only ever sees complete frames and is always at a frame boundary: it answers
  pings, resolves our keepalive's pongs and runs the closing handshake as before;
- the first frame this reader does not expect — masked, reserved bits set, an unknown
  opcode, an overlong or fragmented control frame, a data frame over the size limit, a
  continuation without a start or a new message inside a fragmented one — is handed on
  with everything after it, for good: websockets then fails the connection exactly as it
  would have. So that its verdict is the same, websockets' `current_size` (the size of
  the fragmented message under way) is kept in step while a fragmented message arrives.

Only what the caller gets differs: each text message as a str (`on_text`), each binary
one as bytes (`on_binary`); text that is not UTF-8 goes to `on_bad_text` instead, which
is expected to fail the connection (RFC 6455 §8.1).

It reads and writes websockets' protocol object (internals): only xshell.transport.wsfast
uses it, behind the switch to the plain public API that module documents.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from websockets.protocol import State

__all__ = ["LeanReader"]

log = logging.getLogger(__name__)

Passthrough = Callable[[bytes], None]

_CONT, _TEXT, _BINARY, _CLOSE = 0x0, 0x1, 0x2, 0x8
_FIN = 0x80
_HEADER_MAX = 14  # 2 + 8 (length) + 4 (a mask, only ever in a frame handed on)
_BIG = 1 << 20  # a frame this big that arrived in pieces is decoded in place (see _whole_text)


class LeanReader:
    """Splits the post-handshake byte stream of a client connection into messages.

    `protocol` is websockets' protocol object (its `state`, `current_size` and
    `max_message_size` are read; `current_size` is kept in step during fragments);
    `passthrough(data)` feeds bytes to websockets' own parser. The three callbacks may
    be replaced at any time (the connection points them at its sink once it has one);
    an exception from `on_text`/`on_binary` is logged, never let out: a handler's bug
    must not break the socket. `bypassed` turns True once websockets has the stream
    for good.
    """

    __slots__ = ("_protocol", "on_text", "on_binary", "on_bad_text", "_pass", "_max", "_tail",
                 "_need", "_parts", "_text", "_size", "bypassed")

    def __init__(self, protocol: Any, passthrough: Passthrough, on_text: Callable[[str], None],
                 on_binary: Callable[[bytes], None],
                 on_bad_text: Callable[[UnicodeDecodeError], None]) -> None:
        self._protocol = protocol
        self.on_text = on_text
        self.on_binary = on_binary
        self.on_bad_text = on_bad_text
        self._pass = passthrough
        self._max: int | None = protocol.max_message_size
        self._tail = bytearray()  # an incomplete frame, kept until `_need` bytes are in
        self._need = 0
        self._parts: list[bytes] | None = None  # the fragmented message under way
        self._text = False
        self._size = 0
        self.bypassed = False

    def feed(self, data: bytes) -> None:
        """Take bytes from the socket; deliver every message they complete."""
        if self.bypassed:
            self._pass(data)
            return
        tail = self._tail
        if tail:
            tail += data  # a big frame arriving in pieces is copied once, not per piece
            if len(tail) < self._need:
                return
            if self._need > _BIG and self._whole_text(tail):
                return
            data = bytes(tail)
            tail.clear()
        self._parse(data)

    def _whole_text(self, tail: bytearray) -> bool:
        """Deliver the big final text frame at the start of `tail` without copying its bytes.

        A 50 MB frame would otherwise be held three times at once (the pieces, one bytes
        copy, the payload slice) beside its text. Here the text is decoded straight from the
        buffer, the buffer is emptied, and only then is the text handed on, so at most the
        buffer and the text (then the text and what it decodes to) are alive. False (nothing
        done) for any other frame: `_parse` then has all the checks.
        """
        b1 = tail[1]
        if tail[0] != 0x81 or b1 & 0x80 or self._parts is not None or (b1 & 0x7F) < 126:
            return False
        head = 4 if b1 & 0x7F == 126 else 10
        length = int.from_bytes(tail[2:head], "big")
        if self._max is not None and length > self._max:
            return False
        end = head + length
        with memoryview(tail) as view:
            try:
                text = str(view[head:end], "utf-8")
            except UnicodeDecodeError:
                return False
            rest = bytes(view[end:])
        tail.clear()
        self._need = 0
        try:
            self.on_text(text)
        except Exception:  # see the class docstring
            log.exception("internal error while handling a frame")
        del text
        if rest:
            self._parse(rest)
        return True

    def bypass(self, data: bytes) -> None:
        """Hand `data` and everything after it to websockets."""
        self.bypassed = True
        self._tail.clear()
        if data:
            self._pass(data)

    def _parse(self, data: bytes) -> None:
        n = len(data)
        pos = 0
        on_text = self.on_text
        short_ok = self._max is None or self._max >= 125
        while n - pos >= 2:
            b0 = data[pos]
            b1 = data[pos + 1]
            if b0 == 0x81 and b1 < 126 and short_ok and self._parts is None:
                # the storm's frame (final, unmasked, short text): no more checks needed
                end = pos + 2 + b1
                if end > n:
                    break
                try:
                    text = data[pos + 2:end].decode()
                except UnicodeDecodeError as exc:
                    self._bad(exc, data[end:])
                    return
                try:
                    on_text(text)
                except Exception:  # see the class docstring
                    log.exception("internal error while handling a frame")
                pos = end
                continue
            length = b1 & 0x7F
            head = pos + 2
            if length >= 126:
                head = pos + (4 if length == 126 else 10)
                if head > n:
                    break
                length = int.from_bytes(data[pos + 2:head], "big")
            opcode = b0 & 0x0F
            if b1 & 0x80 or b0 & 0x70:  # masked, or reserved bits: websockets says why
                self.bypass(data[pos:])
                return
            end = head + length
            if opcode >= _CLOSE:
                if length > 125 or not b0 & _FIN or opcode > 0xA:
                    self.bypass(data[pos:])
                    return
                if end > n:
                    break
                self._pass(data[pos:end])  # ping, pong, close: one whole frame
                pos = end
                if self._protocol.state is not State.OPEN:  # closing: the rest is websockets'
                    self.bypass(data[pos:])
                    return
                continue
            parts = self._parts
            limit = self._max
            if parts is None:
                if opcode == _CONT or opcode > _BINARY or (limit is not None and length > limit):
                    self.bypass(data[pos:])
                    return
            elif opcode != _CONT or (limit is not None and length > limit - self._size):
                self.bypass(data[pos:])
                return
            if end > n:
                break
            if parts is None:
                if b0 & _FIN:
                    if opcode == _TEXT:
                        try:
                            text = data[head:end].decode()
                        except UnicodeDecodeError as exc:
                            self._bad(exc, data[end:])
                            return
                        try:
                            self.on_text(text)
                        except Exception:  # see the class docstring
                            log.exception("internal error while handling a frame")
                    else:
                        self._emit(False, data[head:end])
                else:
                    self._parts = [data[head:end]]
                    self._text = opcode == _TEXT
                    self._size = self._protocol.current_size = length
            else:
                parts.append(data[head:end])
                if b0 & _FIN:
                    self._parts = None
                    self._protocol.current_size = None
                    if not self._emit(self._text, b"".join(parts)):
                        self._pass(data[end:])
                        return
                else:
                    self._size = self._protocol.current_size = self._size + length
            pos = end
        if pos < n:
            rest = data[pos:]
            self._tail += rest
            self._need = self._needed(rest)

    def _emit(self, text: bool, payload: bytes) -> bool:
        """Deliver one message; False when it was text that is not UTF-8 (then bypassed)."""
        try:
            if text:
                try:
                    message = payload.decode()
                except UnicodeDecodeError as exc:
                    self._bad(exc, b"")
                    return False
                self.on_text(message)
            else:
                self.on_binary(payload)
        except Exception:  # see the class docstring
            log.exception("internal error while handling a frame")
        return True

    def _bad(self, exc: UnicodeDecodeError, rest: bytes) -> None:
        """Invalid UTF-8: the connection fails (on_bad_text); the rest is websockets'."""
        self.bypassed = True
        self._tail.clear()
        self.on_bad_text(exc)
        if rest:
            self._pass(rest)

    @staticmethod
    def _needed(rest: bytes) -> int:
        """Bytes the incomplete frame at the start of `rest` needs in all (a lower bound)."""
        if len(rest) < 2:
            return 2
        length = rest[1] & 0x7F
        if length < 126:
            return 2 + length
        head = 4 if length == 126 else 10
        if len(rest) < head:
            return head
        return head + int.from_bytes(rest[2:head], "big")
