"""The hidden `xSimulator/Fault` method: a fault switched on over the wire.

Clients in other processes and languages cannot reach `Simulator.faults`, so the same
switches are one JSON-RPC request away (only with `xshell-sim --faults`); the method's
parameters are listed in xshell.sim.faults. Everything is validated before the reply,
so a bad request gets one clear -32602 naming the parameter, and the fault strikes only
after the reply is on its way (drop, close and silence wait until it is written).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from xshell.errors import InvalidParams
from xshell.sim.faults import GARBAGE, KINDS, MiB, _GARBAGE_BY_NORM, _KIND_BY_NORM, _norm, _seconds, \
    sendable_close_code
from xshell.sim.jsonrpc import Answer

if TYPE_CHECKING:
    from xshell.sim.faults import Faults
    from xshell.sim.server import Connection

__all__ = ["fault_rpc"]


def fault_rpc(faults: Faults, conn: Connection, params: Any) -> Answer:
    """xSimulator/Fault: validate now (errors reach the caller), strike after the reply."""
    if not isinstance(params, dict):
        raise _bad("params", "must be an object")
    get = {str(k).lower(): v for k, v in params.items()}.get
    raw_kind = get("kind")
    kind = _KIND_BY_NORM.get(_norm(str(raw_kind))) if isinstance(raw_kind, str) else None
    if kind is None:
        raise _bad("Kind", f"unknown fault kind {raw_kind!r}; one of {', '.join(KINDS)}")
    seconds = get("seconds")
    try:
        strike = _strike(faults, conn, kind, seconds, get)
    except (TypeError, ValueError) as exc:
        raise _bad("Kind", str(exc)) from None

    def after() -> None:
        if kind in ("drop", "close", "silence"):  # the reply must get out first
            faults._spawn(_after_flush(conn, strike))
        else:
            strike()
    return Answer({"status": "OK"}, after)


def _strike(faults: Faults, conn: Connection, kind: str, seconds: Any,
            get: Callable[[str], Any]) -> Callable[[], None]:
    if kind in ("reboot", "rate_limit", "delay", "subscribe_delay", "not_ready"):
        value = _seconds(seconds, kind)
        return lambda: getattr(faults, kind)(value)
    if kind == "silence":
        value_or_none = None if seconds is None else _seconds(seconds, kind)
        return lambda: faults.silence(value_or_none)
    if kind == "subscriber_limit":
        value_or_none = None if seconds is None else _seconds(seconds, kind)
        cap = get("count")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
            raise ValueError(f"subscriber_limit: Count must be a whole number >= 0, not {cap!r}")
        return lambda: faults.subscriber_limit(value_or_none, cap)
    if kind == "drop_on":
        method, skip = get("method"), get("skip")
        skip = 0 if skip is None else skip
        if not isinstance(method, str) or not method:
            raise ValueError(f"drop_on: Method must be a method name, not {method!r}")
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ValueError(f"drop_on: Skip must be a whole number >= 0, not {skip!r}")
        return lambda: faults.drop_on(method, skip)
    if kind == "close":
        code, reason = get("code"), get("reason")
        code = 1000 if code is None else code
        reason = "" if reason is None else str(reason)
        if isinstance(code, bool) or not isinstance(code, int) or not sendable_close_code(code):
            raise ValueError(f"close code {code!r} cannot be sent (1000-1003, 1007-1014, 3000-4999)")
        return lambda: faults.close(code, reason)
    if kind == "garbage":
        size, count = get("size"), get("count")
        size = 20 * MiB if size is None else size
        count = 2 if count is None else count
        if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= 256 * MiB:
            raise ValueError(f"Size {size!r} must be a number of bytes up to 256 MiB")
        garbage_type = get("type")
        if _GARBAGE_BY_NORM.get(_norm(str(garbage_type))) is None:
            raise ValueError(f"unknown garbage Type {garbage_type!r}; one of {', '.join(GARBAGE)}")
        if _norm(str(garbage_type)) == "reorder" and (not isinstance(count, int) or count < 2):
            raise ValueError(f"reorder needs a Count of at least 2 replies, not {count!r}")
        return lambda: faults.send_garbage(str(garbage_type), size=size, count=count, conn=conn)
    action: Callable[[], Any] = getattr(faults, kind)  # drop, heal, clear
    return action


async def _after_flush(conn: Connection, strike: Callable[[], None]) -> None:
    await conn.flush(1.0)
    strike()


def _bad(parameter: str, reason: str) -> InvalidParams:
    return InvalidParams("Bad usage: Missing or invalid parameter(s).",
                         data={"Parameter": parameter, "Reason": reason})
