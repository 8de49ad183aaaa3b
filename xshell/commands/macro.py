"""`macro …`: the device's macros from the console — list, show, pull, push, edit, log.

Everything goes through the device's own API (`xCommand Macros …`, the `Macros Log`
event), so it works on any RoomOS device and on the simulator alike. Bodies are files:
`pull` writes and `push` reads them byte for byte (session.editing), `edit` opens
$VISUAL/$EDITOR on the current text and saves only a changed text, then says what the
device answered. A refused edit keeps the text in its temporary file and names it, so no
work is lost. `macro log` prints the device's log and keeps showing new entries (the
feedback pane, or stdout with `--follow` in scripts), each level coloured and filterable.
Device errors propagate to `Session.run`, which reports them as for any other line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

from xshell.commands.registry import Command, Scope, Section
from xshell.errors import XAPIError
from xshell.inert import inert
from xshell.lang import requests as rq
from xshell.session.core import Session
from xshell.session.editing import BodyError, edit_text, read_body, write_body
from xshell.session.result import EXIT_USAGE, EXIT_XAPI, Result

__all__ = ["COMMANDS", "LEVELS", "call", "done", "usage_error", "wants_json"]

LEVELS = ("debug", "log", "info", "warn", "error")
_SUBS = ("list", "show", "pull", "push", "edit", "activate", "deactivate", "remove", "rename",
         "restart", "log")
_USAGE = ("macro list | show NAME | pull NAME [FILE [force]] | push FILE [NAME] [activate|restart] | "
          "edit NAME | activate|deactivate|remove NAME | rename NAME NEW | restart | "
          "log [LEVEL…] | log off | log clear")
LOG_QUERY = ("Event", "Macros", "Log")


class _MacroRow(TypedDict):
    """One row of `macro list` (also its JSON form)."""

    name: str
    active: bool
    running: bool


async def call(session: Session, path: str, params: Mapping[str, Any] | None = None,
               body: str | None = None) -> Any:
    """One xCommand on the device (`path` as in "Macros/Macro/Get"), through the guard
    (`Session.send`): a change is refused in a read-only session, a removal is asked
    about (or refused in a script without --yes), as the same xCommand typed would be."""
    req = rq.Command(tuple(path.split("/")), tuple((params or {}).items()), body)
    return await session.send(req)


def wants_json(session: Session) -> bool:
    return session.output_format.json_documents


def done(session: Session, text: str, doc: Mapping[str, Any]) -> Result:
    """A local answer: one line, or one JSON document with `-o json`."""
    if wants_json(session):
        return Result([json.dumps(doc, ensure_ascii=False, separators=(",", ":"))])
    return Result([text])


def usage_error(message: str) -> Result:
    return Result([f"error: {message}"], EXIT_USAGE, kind="error")


def _verdict(what: str, exc: XAPIError, kept: Path | None = None) -> Result:
    """The device refused: its words, and where the user's text is kept."""
    line = f"error: the device refused {what}: {exc.message}"
    reason = exc.data.get("Reason") if isinstance(exc.data, dict) else None
    if reason and str(reason) not in exc.message:
        line += f" ({reason})"
    if kept is not None:
        line += f"; your text is kept in {kept}"
    return Result([line], EXIT_XAPI, kind="error")


async def _macros(session: Session, name: str | None = None, content: bool = False) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"Content": "True" if content else "False"}
    if name is not None:
        params["Name"] = name
    result = await call(session, "Macros/Macro/Get", params)
    rows = result.get("Macro", []) if isinstance(result, dict) else []
    return [r for r in (rows if isinstance(rows, list) else [rows]) if isinstance(r, dict)]


async def _content(session: Session, name: str) -> str:
    rows = await _macros(session, name, content=True)
    row = next((r for r in rows if r.get("Name") == name), rows[0] if rows else None)
    if row is None:
        raise BodyError(f"the device has no macro named {name!r}")
    return str(row.get("Content", ""))


async def _list(session: Session) -> Result:
    rows = await _macros(session)
    status = await call(session, "Macros/Runtime/Status")
    running = isinstance(status, dict) and str(status.get("Running", "")) == "True"
    table: list[_MacroRow] = []
    for r in rows:
        active = str(r.get("Active", "")) == "True"
        table.append({"name": str(r.get("Name", "")), "active": active, "running": active and running})
    if wants_json(session):
        return done(session, "", {"macros": table, "runtime": "running" if running else "stopped"})
    if not table:
        return Result([f"no macros on this device (runtime {'running' if running else 'stopped'})"])
    shown = [inert(r["name"]) for r in table]  # device text: one line each, widths as shown
    width = max(4, *map(len, shown))
    lines = [f"{'NAME':<{width}}  ACTIVE  RUNNING"]
    lines += [f"{name:<{width}}  {'yes' if r['active'] else 'no':<6}  {'yes' if r['running'] else 'no'}"
              for name, r in zip(shown, table)]
    lines.append(f"{len(table)} macro{'s' if len(table) != 1 else ''}; runtime "
                 f"{'running' if running else 'stopped'}")
    return Result(lines)


async def _push(session: Session, rest: list[str]) -> Result:
    after = [w for w in rest[1:] if w.lower() in ("activate", "restart")]
    names = [w for w in rest[1:] if w.lower() not in ("activate", "restart")]
    if not rest or len(names) > 1:
        return usage_error("macro push FILE [NAME] [activate|restart]")
    text = read_body(rest[0])
    name = names[0] if names else Path(rest[0]).stem
    try:
        await call(session, "Macros/Macro/Save", {"Name": name, "Overwrite": "True"}, text)
    except XAPIError as exc:
        return _verdict(f"macro {name}", exc)
    said = [f"macro {name} saved ({len(text.encode('utf-8', 'surrogatepass'))} bytes from {rest[0]})"]
    for word in (w.lower() for w in after):
        if word == "activate":
            await call(session, "Macros/Macro/Activate", {"Name": name})
            said.append(f"macro {name} activated")
        else:
            await call(session, "Macros/Runtime/Restart")
            said.append("macro runtime restarted")
    return done(session, "; ".join(said), {"saved": name, "file": rest[0], "then": [w.lower() for w in after]})


async def _edit(session: Session, name: str) -> Result:
    exists = any(r.get("Name") == name for r in await _macros(session))
    before = await _content(session, name) if exists else ""
    edit = await edit_text(before, f"{name}.js", session.context.terminal)
    if not edit.changed:
        edit.discard()
        return done(session, f"macro {name} unchanged; nothing saved", {"unchanged": name})
    try:
        await call(session, "Macros/Macro/Save", {"Name": name, "Overwrite": "True"}, edit.after)
    except XAPIError as exc:
        return _verdict(f"macro {name}", exc, kept=edit.path)
    edit.discard()
    size = len(edit.after.encode("utf-8", "surrogatepass"))
    return done(session, f"macro {name} {'saved' if exists else 'created'} ({size} bytes); the device said OK",
                {"saved": name, "bytes": size, "new": not exists})


def log_line(entry: Mapping[str, Any], stamp: bool) -> str:
    """`*l [TIME] LEVEL MACRO: MESSAGE` — the output lexer colours the level."""
    # every field is device text: inert each, so a "\n" in a message cannot forge a log line
    level = inert(str(entry.get("Level", "")).lower()) or "log"
    head = f"*l {inert(str(entry.get('Timestamp', '')))} " if stamp and entry.get("Timestamp") else "*l "
    macro = inert(str(entry.get("Macro", "")))
    return f"{head}{level} {macro or '(runtime)'}: {inert(str(entry.get('Message', '')))}"


def _event_fields(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    node: Any = payload
    for key in LOG_QUERY:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


async def _log(session: Session, rest: list[str]) -> Result:
    low = [w.lower() for w in rest]
    if low == ["clear"]:
        await call(session, "Macros/Log/Clear")
        return done(session, "macro log cleared", {"cleared": True})
    if low == ["off"]:
        if not await session.feedback.deregister("/Event/Macros/Log", list(LOG_QUERY)):
            return usage_error("macro log is not being followed")
        return done(session, "macro log: no longer following", {"following": False})
    bad = [w for w in low if w not in LEVELS]
    if bad:
        return usage_error(f"macro log: {bad[0]!r} is not a level ({', '.join(LEVELS)}), 'off' or 'clear'")
    levels = set(low) or set(LEVELS)
    as_json = wants_json(session)

    def shown(entry: Mapping[str, Any], stamp: bool) -> str | None:
        if str(entry.get("Level", "log")).lower() not in levels:
            return None
        return json.dumps(dict(entry), ensure_ascii=False, separators=(",", ":")) if as_json \
            else log_line(entry, stamp)

    result = await call(session, "Macros/Log/Get", {"Offset": 0})
    entries = result.get("Log", []) if isinstance(result, dict) else []
    lines = [ln for e in (entries if isinstance(entries, list) else [entries]) if isinstance(e, dict)
             if (ln := shown(e, True)) is not None]

    def render(payload: dict[str, Any]) -> list[str] | None:
        fields = _event_fields(payload)
        line = shown(fields, False) if fields is not None else None
        return None if line is None else [line]

    await session.feedback.register("/Event/Macros/Log", list(LOG_QUERY))
    reg = next((r for r in session.registrations.values() if tuple(map(str, r.query)) == LOG_QUERY), None)
    session.renderers[reg.expression if reg is not None else "/Event/Macros/Log"] = render
    if not as_json:
        which = "all levels" if levels == set(LEVELS) else ", ".join(lv for lv in LEVELS if lv in levels)
        then = ("new ones follow as they come (`macro log off` stops)" if session.context.follows
                else "a script shows new ones only with --follow")
        lines.append(f"** macro log: {len(lines)} entries ({which}); {then}")
    return Result(lines)


async def _macro(session: Session, args: tuple[str, ...]) -> Result:
    if not args:
        return usage_error(f"macro needs a subcommand: {_USAGE}")
    sub, rest = args[0].lower(), list(args[1:])
    try:
        if sub == "list" and not rest:
            return await _list(session)
        if sub == "show" and len(rest) == 1:
            return Result((await _content(session, rest[0])).splitlines() or [""])
        if sub == "pull" and (len(rest) in (1, 2) or (len(rest) == 3 and rest[2].lower() == "force")):
            file = rest[1] if len(rest) >= 2 else f"{rest[0]}.js"
            size = write_body(file, await _content(session, rest[0]), force=len(rest) == 3)
            return done(session, f"macro {rest[0]} written to {file} ({size} bytes)",
                        {"pulled": rest[0], "file": file, "bytes": size})
        if sub == "push":
            return await _push(session, rest)
        if sub == "edit" and len(rest) == 1:
            return await _edit(session, rest[0])
        if sub in ("activate", "deactivate", "remove") and len(rest) == 1:
            await call(session, f"Macros/Macro/{sub.capitalize()}", {"Name": rest[0]})
            return done(session, f"macro {rest[0]} {sub}d", {sub + "d": rest[0]})
        if sub == "rename" and len(rest) == 2:
            await call(session, "Macros/Macro/Rename", {"Name": rest[0], "NewName": rest[1]})
            return done(session, f"macro {rest[0]} renamed to {rest[1]}", {"renamed": rest[0], "to": rest[1]})
        if sub == "restart" and not rest:
            await call(session, "Macros/Runtime/Restart")
            return done(session, "macro runtime restarted", {"restarted": True})
        if sub == "log":
            return await _log(session, rest)
    except BodyError as exc:
        return Result([f"error: {exc}"], EXIT_USAGE, kind="error")
    except XAPIError as exc:
        return _verdict(f"macro {' '.join(args)}", exc)
    return usage_error(f"unknown or incomplete macro command {' '.join(args)!r}; {_USAGE}")


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    if not args:
        return [(s, "macro") for s in _SUBS]
    if [a.lower() for a in args] == ["log"]:
        return [(w, "macro log") for w in (*LEVELS, "off", "clear")]
    if args[0].lower() == "pull" and len(args) == 3:
        return [("force", "replace an existing file")]
    if args[0].lower() == "push" and len(args) >= 2:
        return [("activate", "then activate"), ("restart", "then restart the runtime")]
    return []


COMMANDS = (
    Command(rank=30, name="macro", scope=Scope.DEVICE, section=Section.DEVICE, usage=_USAGE,
            summary="the device's macros: list, show, pull, push, edit ($EDITOR), log",
            help_rows=(("macro list | show NAME", "the device's macros (name, active, running), one's text"),
                       ("macro pull NAME [FILE [force]] | push FILE [NAME] [activate|restart]",
                        "to and from a file, byte for byte (an existing FILE: only with force)"),
                       ("macro edit NAME", "edit in $VISUAL/$EDITOR; saved if changed, with the device's verdict"),
                       ("macro activate|deactivate|remove NAME | rename NAME NEW | restart", ""),
                       ("macro log [LEVEL…] | log off | log clear",
                        "the macro log, then live entries (levels: debug log info warn error)")),
            handler=_macro, complete=_complete),
)
