"""`watch PATH…` and `unwatch PATH|all`: values pinned and kept live from feedback.

PATH is either one path in tshell words (`watch xStatus Audio Volume`, `watch
xConfiguration Audio DefaultVolume`, `watch xStatus //Volume`), or any number of slash
paths as `xFeedback register` takes them (`watch Status/Audio/Volume Status/Call/*/Status
Configuration/Audio/DefaultVolume`; `*` is any instance, `//` any depth). A `//NAME` goes
to the device as `**/NAME`, which matches whole node names: `watch xStatus //Volume` follows
nodes named Volume, not VolumeMute (a read's `xStatus //Volume` filters names by prefix
client-side; feedback has no such filter). The watches
themselves live in the session (xshell.session.watches); how they are shown depends on
the shell: the full screen's watch panel, a follow until Ctrl-C in --plain, or the
values then every change in a script (which then follows them, until Ctrl-C or
--max-events).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence

from xshell.commands.registry import Command, Scope, Section
from xshell.errors import SubscriberCountExceeded, XAPIError
from xshell.lang import requests as rq
from xshell.lang.complete import WATCH_WORDS
from xshell.lang.grammar import resolve_verb
from xshell.lang.parse import parse
from xshell.lang.parse_errors import ParseError
from xshell.session.core import Session
from xshell.session.registrations import Feedback
from xshell.session.result import EXIT_OK, EXIT_USAGE, EXIT_XAPI, Result
from xshell.session.watches import Watch

WATCH_USAGE = "watch PATH… | watch (list)"
UNWATCH_USAGE = "unwatch PATH|all"
_ROOT_VERBS = {"xStatus": "Status", "xConfiguration": "Configuration"}


class WatchError(ValueError):
    """A PATH that cannot be watched; the message is one line for the user."""


def watch_paths(args: Sequence[str], session: Session) -> list[tuple[str, tuple[rq.PathElem, ...]]]:
    """(expression as typed, subscription query) for each PATH of `watch ARGS`."""
    if not all(a.strip() for a in args):  # `watch ""`: say what watch takes, in its words
        raise WatchError("watch: give a status or configuration path")
    verb = resolve_verb(args[0])
    if verb is None and args[0].lower() in ("status", "configuration"):
        verb = "x" + args[0].capitalize()
    if verb in _ROOT_VERBS or verb in ("xCommand", "xEvent", "xFeedback"):
        return [_word_path(verb, args, session)]
    return [_slash_path(arg, session) for arg in args]


def _word_path(verb: str | None, args: Sequence[str], session: Session
               ) -> tuple[str, tuple[rq.PathElem, ...]]:
    if verb not in _ROOT_VERBS:
        raise WatchError(f"watch: {verb} has no values to watch; name a status or a "
                         "configuration (xFeedback register /Event/… shows events)")
    text = " ".join([verb, *args[1:]])
    try:
        req = parse(text, session.schema)
    except ParseError as exc:
        raise WatchError(f"watch: {exc.message} in {text!r}") from None
    if isinstance(req, rq.Get):
        return " ".join(args), tuple(req.path)
    if isinstance(req, rq.Query):
        search = req.search or req.query
        return " ".join(args), tuple("**" if e == "//" else e for e in search)
    raise WatchError(f"watch: {' '.join(args)!r} is not a path (no ':' value, no '?')")


def _slash_path(arg: str, session: Session) -> tuple[str, tuple[rq.PathElem, ...]]:
    try:
        req = parse(f"xFeedback register {arg}", session.schema)
    except ParseError as exc:
        raise WatchError(f"watch: {exc.message} in {arg!r} (write Status/Audio/Volume, "
                         "or one path in words: xStatus Audio Volume)") from None
    if not isinstance(req, rq.FeedbackRegister) or not req.query:
        raise WatchError(f"watch: {arg!r} is not a path")
    if str(req.query[0]) == "Event":
        raise WatchError(f"watch: {arg!r} is an event, not a value "
                         "(xFeedback register shows events as they come)")
    return arg, tuple(req.query)


async def _watch(session: Session, args: tuple[str, ...]) -> Result:
    table = session.watches
    if not args:
        return Result(_listing(session))
    try:
        paths = watch_paths(args, session)
        for root in {str(q[0]) for _, q in paths}:
            await session.store.ensure(root)  # names canonical, hide_value known
        paths = watch_paths(args, session)
    except WatchError as exc:
        return Result([f"error: {exc}"], EXIT_USAGE, kind="error")
    added: list[Watch] = []
    lines: list[str] = []
    code = EXIT_OK
    for expression, query in paths:
        try:
            watch = await table.add(expression, query)
        except SubscriberCountExceeded as exc:
            lines.append(f"error: watch {expression}: the device takes no more feedback "
                         f"subscriptions ({exc.message}); this session holds "
                         f"{_held(session)}; unwatch or deregister some")
            code = EXIT_XAPI
            continue
        except XAPIError as exc:
            reason = exc.data.get("Reason") if isinstance(exc.data, dict) else None
            lines.append(f"error: watch {expression}: {reason or exc.message}")
            code = EXIT_XAPI
            continue
        if watch is None:
            lines.append(f"already watching {expression}")
            continue
        added.append(watch)
    if table.listener is None and table.foreground and added:
        return await _follow(session, added, lines)
    if table.listener is None:
        for watch in added:
            lines += table.current_lines(watch)
        return Result(lines, code, kind="answer" if code == EXIT_OK or added else "error")
    for watch in added:
        n = len(watch.values)
        lines.append(f"watching {watch.expression} ({n} value{'' if n == 1 else 's'} now) "
                     "in the watch panel")
    if added:
        lines.append(f"** {_held(session)} in use; unwatch PATH|all ends a watch")
    return Result(lines, code, kind="answer" if code == EXIT_OK or added else "error")


async def _follow(session: Session, added: list[Watch], lines: list[str]) -> Result:
    """--plain: the current values, then every change, until Ctrl-C ends the command."""
    table = session.watches
    current = lines + [ln for w in added for ln in table.current_lines(w)]
    if session.on_feedback is not None and current:
        session.on_feedback(Feedback(time.time(), added[0].expression, "/", current))
    try:
        await session.client.wait_gone()
        why = "the connection closed"
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()  # Ctrl-C is how this command ends: not a failure
        why = "stopped"
    for watch in added:
        await table.remove(watch)
    names = ", ".join(w.expression for w in added)
    return Result([f"watch {why}: {names}"])


def _held(session: Session) -> str:
    regs, watches = len(session.registrations), len(session.watches)
    return (f"{regs} registration{'' if regs == 1 else 's'} and "
            f"{watches} watch{'' if watches == 1 else 'es'}")


def _listing(session: Session) -> list[str]:
    table = session.watches
    if not table.watches:
        return ["no watches (watch PATH… pins values; e.g. watch Status/Audio/Volume)"]
    out = []
    for watch in table.watches.values():
        n = len(watch.values)
        out.append(f"{watch.expression}  ({n} value{'' if n == 1 else 's'})")
    return out


async def _unwatch(session: Session, args: tuple[str, ...]) -> Result:
    table = session.watches
    if not args:
        return Result([f"error: usage: {UNWATCH_USAGE}"], EXIT_USAGE, kind="error")
    if len(args) == 1 and args[0].lower() == "all":
        n = await table.remove_all()
        return Result([f"unwatched {n} path{'' if n == 1 else 's'}"])
    lines: list[str] = []
    code = EXIT_OK
    for arg in _unwatch_args(args):
        try:
            query = watch_paths((arg,) if " " not in arg else tuple(arg.split()), session)[0][1]
        except (WatchError, IndexError):
            query = ()
        watch = table.find(arg, query)
        if watch is None:
            known = ", ".join(table.expressions()) or "none"
            lines.append(f"error: unwatch: not watching {arg!r} (watching: {known})")
            code = EXIT_USAGE
            continue
        await table.remove(watch)
        lines.append(f"unwatched {watch.expression}")
    return Result(lines, code, kind="answer" if code == EXIT_OK else "error")


def _unwatch_args(args: Sequence[str]) -> list[str]:
    """One word form (`unwatch xStatus Audio Volume`) or several slash paths."""
    verb = resolve_verb(args[0])
    if verb in _ROOT_VERBS or args[0].lower() in ("status", "configuration"):
        return [" ".join(args)]
    return list(args)


def _complete_unwatch(args: Sequence[str], words: Mapping[str, Sequence[str]]
                      ) -> list[tuple[str, str]]:
    if args:
        return []
    return [("all", "every watch"), *((w, "watched") for w in words.get(WATCH_WORDS, ()))]


COMMANDS = (
    Command(name="watch", scope=Scope.DEVICE, section=Section.DEVICE, rank=40,
            usage=WATCH_USAGE, summary="pin values, kept live from feedback",
            help_rows=(("watch PATH…", "pin status/configuration values, kept live from feedback "
                        "(Status/Call/*/Status, xStatus //Volume)"),
                       ("watch", "list the watches")),
            handler=_watch, takes_paths=True),
    Command(name="unwatch", scope=Scope.DEVICE, section=Section.DEVICE, rank=41,
            usage=UNWATCH_USAGE, summary="stop watching a path, or every path",
            handler=_unwatch, complete=_complete_unwatch),
)
