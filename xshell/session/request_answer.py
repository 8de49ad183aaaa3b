"""A parsed request answered: by the session's own feedback table, or by the device.

Split from xshell.session.core, which reads the line, checks it against the schema and
the guard and records it: what is left is what answering one request means — the local
registrations answer `xFeedback register/deregister/list`, help comes from the schema,
everything else is one call to the device whose reply is learned (completion of live
values) and rendered in the session's output format. A read of instances that do not
exist now answers empty, as tshell does, not as an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xshell.errors import XAPIError
from xshell.lang import requests as rq
from xshell.lang.unparse import to_jsonrpc
from xshell.session.result import EXIT_OK, EXIT_USAGE, EXIT_XAPI, Result
from xshell.session.result import error_result as _error
from xshell.session.sliced import render_sliced

if TYPE_CHECKING:
    from xshell.session.core import Session

__all__ = ["answer"]


async def answer(session: Session, req: rq.Request) -> Result:
    """The answer to `req` (already parsed and let through the guard), as lines to show.
    Device errors propagate: `Session.run` turns them into one line."""
    if isinstance(req, rq.Help):
        return _help(session, req)
    if isinstance(req, rq.FeedbackRegister):
        await session.feedback.register(req.expression, req.query, req.notify_current)
        return _done(session, req, True)
    if isinstance(req, rq.FeedbackDeregister):
        if not await session.feedback.deregister(req.expression, req.query):
            known = ", ".join(session.feedback.expressions()) or "none"
            return _error(f"no feedback is registered as {req.expression!r} "
                          f"(registered: {known})", EXIT_USAGE)
        return _done(session, req, True)
    if isinstance(req, rq.FeedbackDeregisterAll):
        await session.feedback.deregister_all()
        return _done(session, req, True)
    if isinstance(req, rq.FeedbackList):
        return _done(session, req, session.feedback.expressions())
    if isinstance(req, rq.Raw):
        reply = await session.client.call(req.obj.get("method"), req.obj.get("params"))
        return _done(session, req, reply)
    method, params = to_jsonrpc(req)
    try:
        result = await session.client.call(method, params)
    except XAPIError as exc:
        empty = _no_instance(session, req, exc)
        if empty is None:
            raise
        return _done(session, req, empty)  # `xStatus Call` with no call: empty, as tshell says
    if isinstance(req, rq.Get):
        session.live.merge_result(req.path, result, session.schema)
    elif isinstance(req, rq.Query):
        session.live.merge(result)
    return Result(await render_sliced(session.output_format, req, result, session.schema))


def _no_instance(session: Session, req: rq.Request, exc: XAPIError) -> list[Any] | dict[str, Any] | None:
    """The empty answer for a read of instances that do not exist now, else None
    (`xGetxml /Status/Call` with no call: an empty `<XmlDoc>`, as for xStatus)."""
    if "no match" not in exc.message.lower():
        return None
    if isinstance(req, rq.GetXml):
        return {}
    if not isinstance(req, rq.Get) or session.schema is None:
        return None
    return session.schema.empty_read(req.path)


def _done(session: Session, req: rq.Request, result: Any) -> Result:
    return Result(session.output_format.result(req, result, session.schema))


def _help(session: Session, req: rq.Help) -> Result:
    if session.schema is None or session.schema.root(req.root) is None:
        return _error(f"the device gave no schema for {req.root}; help is not available",
                      EXIT_XAPI)
    lines = session.output_format.help(session.schema, req)
    return Result(lines, EXIT_XAPI if lines and lines[-1] == "ERROR" else EXIT_OK)
