"""`panel …`: the device's UI extensions (in-room control panels) from files.

`panel list` reads `UserInterface Extensions List`; `panel push FILE [ID]` sends the
file's XML byte for byte with `Panel Save` (the id defaults to the file's `<PanelId>`,
then to the file's name);
`panel pull ID [FILE]` writes the panel as the device exports it (`Extensions Export`,
the one published command that gives a panel's XML back): an `<Extensions>` document
holding that panel's element exactly as the device keeps it, so pull → edit → push →
pull gives the same bytes. `panel export FILE` / `panel import FILE [CONFIGID]` do the
same for the whole extensions configuration (`Extensions Export` / `Extensions Set`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from xshell.commands.macro import call, done, usage_error, wants_json
from xshell.commands.registry import Command, Scope, Section
from xshell.errors import XAPIError
from xshell.inert import inert
from xshell.session.core import Session
from xshell.session.editing import BodyError, read_body, write_body
from xshell.session.result import EXIT_USAGE, EXIT_XAPI, Result

__all__ = ["COMMANDS", "panel_xml"]

_USAGE = ("panel list | pull ID [FILE [force]] | push FILE [ID] | remove ID | "
          "export FILE [force] | import FILE [CONFIGID]")
_PANEL = re.compile(r"<Panel(?:\s[^>]*)?>.*?</Panel\s*>", re.DOTALL)
_ID = re.compile(r"<PanelId>\s*(.*?)\s*</PanelId>", re.DOTALL)
_VERSION = re.compile(r"<Version>\s*(.*?)\s*</Version>", re.DOTALL)


def panel_xml(export: str, panel_id: str) -> str | None:
    """The `<Extensions>` document of one panel cut from a whole export, or None."""
    version = _VERSION.search(export)
    for element in _PANEL.findall(export):
        found = _ID.search(element)
        if found is not None and found.group(1) == panel_id:
            nl = "\r\n" if "\r\n" in element else "\n"  # the panel's own line endings
            head = f"<Extensions>{nl}  <Version>{version.group(1)}</Version>{nl}" if version else f"<Extensions>{nl}"
            return f"{head}  {element}{nl}</Extensions>{nl}"
    return None


async def _export(session: Session) -> str:
    result = await call(session, "UserInterface/Extensions/Export")
    text = result.get("Extensions") if isinstance(result, dict) else None
    if not isinstance(text, str):
        raise BodyError("the device's Extensions Export answer holds no XML text")
    return text


def _refused(what: str, exc: XAPIError) -> Result:
    return Result([f"error: the device refused {what}: {exc.message}"], EXIT_XAPI, kind="error")


async def _list(session: Session) -> Result:
    result = await call(session, "UserInterface/Extensions/List")
    ext = result.get("Extensions", {}) if isinstance(result, dict) else {}
    rows = ext.get("Panel", []) if isinstance(ext, dict) else []
    rows = [r for r in (rows if isinstance(rows, list) else [rows]) if isinstance(r, dict)]
    table = [{k: str(r.get(k, "")) for k in ("PanelId", "Name", "Type", "Location", "Icon")} for r in rows]
    if wants_json(session):
        return done(session, "", {"panels": table})
    if not table:
        return Result(["no panels on this device"])
    cols = ("PanelId", "Name", "Icon")
    shown = [{c: inert(r[c]) for c in cols} for r in table]  # device text: one line each, widths as shown
    widths = {c: max(len(c), *(len(r[c]) for r in shown)) for c in cols}
    lines = ["  ".join(f"{c.upper():<{widths[c]}}" for c in cols).rstrip()]
    lines += ["  ".join(f"{r[c]:<{widths[c]}}" for c in cols).rstrip() for r in shown]
    lines.append(f"{len(table)} panel{'s' if len(table) != 1 else ''}")
    return Result(lines)


async def _panel(session: Session, args: tuple[str, ...]) -> Result:
    if not args:
        return usage_error(f"panel needs a subcommand: {_USAGE}")
    sub, rest = args[0].lower(), list(args[1:])
    try:
        if sub == "list" and not rest:
            return await _list(session)
        if sub == "pull" and (len(rest) in (1, 2) or (len(rest) == 3 and rest[2].lower() == "force")):
            xml = panel_xml(await _export(session), rest[0])
            if xml is None:
                return Result([f"error: the device has no panel with id {rest[0]!r} (`panel list`)"],
                              EXIT_XAPI, kind="error")
            file = rest[1] if len(rest) >= 2 else f"{rest[0]}.xml"
            size = write_body(file, xml, force=len(rest) == 3)
            return done(session, f"panel {rest[0]} written to {file} ({size} bytes)",
                        {"pulled": rest[0], "file": file, "bytes": size})
        if sub == "push" and len(rest) in (1, 2):
            text = read_body(rest[0])
            named = _ID.search(text)  # the id the file names wins over the file's name
            panel_id = rest[1] if len(rest) == 2 else named.group(1) if named and named.group(1) else Path(rest[0]).stem
            try:
                await call(session, "UserInterface/Extensions/Panel/Save", {"PanelId": panel_id}, text)
            except XAPIError as exc:
                return _refused(f"panel {panel_id}", exc)
            return done(session, f"panel {panel_id} saved ({len(text.encode('utf-8', 'surrogatepass'))} "
                        f"bytes from {rest[0]})", {"saved": panel_id, "file": rest[0]})
        if sub == "remove" and len(rest) == 1:
            await call(session, "UserInterface/Extensions/Panel/Remove", {"PanelId": rest[0]})
            return done(session, f"panel {rest[0]} removed", {"removed": rest[0]})
        if sub == "export" and (len(rest) == 1 or (len(rest) == 2 and rest[1].lower() == "force")):
            size = write_body(rest[0], await _export(session), force=len(rest) == 2)
            return done(session, f"extensions written to {rest[0]} ({size} bytes)",
                        {"exported": rest[0], "bytes": size})
        if sub == "import" and len(rest) in (1, 2):
            text = read_body(rest[0])
            config_id = rest[1] if len(rest) == 2 else Path(rest[0]).stem[:40]
            try:
                await call(session, "UserInterface/Extensions/Set", {"ConfigId": config_id}, text)
            except XAPIError as exc:
                return _refused("the extensions", exc)
            return done(session, f"extensions replaced from {rest[0]} (ConfigId {config_id})",
                        {"imported": rest[0], "config_id": config_id})
    except BodyError as exc:
        return Result([f"error: {exc}"], EXIT_USAGE, kind="error")
    except XAPIError as exc:
        return _refused(f"panel {' '.join(args)}", exc)
    return usage_error(f"unknown or incomplete panel command {' '.join(args)!r}; {_USAGE}")


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    if not args:
        return [(s, "panel") for s in ("list", "pull", "push", "remove", "export", "import")]
    sub = args[0].lower()
    if (sub == "pull" and len(args) == 3) or (sub == "export" and len(args) == 2):
        return [("force", "replace an existing file")]
    return []


COMMANDS = (
    Command(rank=31, name="panel", scope=Scope.DEVICE, section=Section.DEVICE, usage=_USAGE,
            summary="the device's UI extension panels to and from XML files",
            help_rows=(("panel list | pull ID [FILE [force]] | push FILE [ID] | remove ID",
                        "in-room control panels as XML files, byte for byte (an existing FILE: force)"),
                       ("panel export FILE [force] | import FILE [CONFIGID]",
                        "the whole extensions config (Extensions Export / Set)")),
            handler=_panel, complete=_complete),
)

