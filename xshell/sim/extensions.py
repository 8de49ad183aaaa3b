"""The simulated device's UI extensions: panels stored per device, as sent.

`UserInterface Extensions Panel Save PanelId: x` takes an XML body — an `<Extensions>`
document holding one `<Panel>`, or a bare `<Panel>` — and keeps the panel's element text
exactly as sent (no re-serialising: what `Export` gives back is what was pushed).
`Extensions Set` replaces the whole configuration with the panels of one `<Extensions>`
document; `Export` answers that configuration as one XML text; `List` answers the panels
as the structured result real devices send (`{"Extensions": {"Version", "Panel": [...]}}`);
`Clear` and `Panel Remove` drop them. A body that is not well-formed XML, or holds no
panel, is refused before anything changes, as a device refuses it.

Only the command names, arguments and the List shape are published; the error texts and
the shape of `Export` (`{"Extensions": "<Extensions>…"}`) are the simulator's own.
Panels survive a reboot (the store is not per-boot state).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from xshell.errors import CommandError
from xshell.sim.behaviour import ILLEGAL_ARGUMENT, OK, Behaviours, Result, on
from xshell.sim.xcommands import Call

__all__ = ["VERSION", "export_text", "extensions_of"]

VERSION = "1.11"
_PANEL = re.compile(r"<Panel(?:\s[^>]*)?>.*?</Panel\s*>|<Panel(?:\s[^>]*)?/>", re.DOTALL)
_ID = re.compile(r"<PanelId>\s*(.*?)\s*</PanelId>", re.DOTALL)


@dataclass
class Panel:
    panel_id: str
    xml: str  # the <Panel> element as sent
    fields: dict[str, str]


@dataclass
class ExtensionsStore:
    panels: dict[str, Panel] = field(default_factory=dict)
    config_id: str = ""


def extensions_of(b: Behaviours) -> ExtensionsStore:
    store = b.__dict__.get("_extensions")
    if store is None:
        store = b.__dict__["_extensions"] = ExtensionsStore()
    return store


def _bad_xml(why: str) -> CommandError:
    return CommandError(f"Invalid XML: {why}", data={"Cause": ILLEGAL_ARGUMENT})


def _panels(body: str) -> list[tuple[str, dict[str, str], str]]:
    """(PanelId, fields, element text) of each panel in `body`; refuses bad XML."""
    try:
        root = ET.fromstring(body.lstrip("\ufeff"))
    except ET.ParseError as exc:
        raise _bad_xml(str(exc)) from None
    if root.tag not in ("Extensions", "Panel"):
        raise _bad_xml(f"the document is <{root.tag}>, not <Extensions> or <Panel>")
    elements = [root] if root.tag == "Panel" else root.findall("Panel")
    texts = _PANEL.findall(body)
    if len(texts) != len(elements):  # a <Panel> inside something else: slice nothing wrong
        texts = [ET.tostring(e, encoding="unicode") for e in elements]
    out = []
    for element, text in zip(elements, texts, strict=True):
        fields = {c.tag: (c.text or "").strip() for c in element if len(c) == 0}
        out.append((fields.get("PanelId", ""), fields, text))
    return out


def _with_id(text: str, panel_id: str) -> str:
    """The element with `<PanelId>` naming the saved panel, as a device keeps it.

    A device exports every panel with its PanelId, whatever the pushed XML held, so a
    panel pushed without one (or under another id) can be found again by `Export`.
    The text is otherwise untouched: a panel that already names its id stays byte for byte.
    """
    tag = f"<PanelId>{escape(panel_id)}</PanelId>"
    found = _ID.search(text)
    if found is not None:
        return text if found.group(1) == escape(panel_id) else text[:found.start()] + tag + text[found.end():]
    if text.rstrip().endswith("/>"):  # <Panel/>: open it up
        head = text.rstrip()[:-2].rstrip()
        return f"{head}>{tag}</Panel>"
    start = text.index(">") + 1
    newline = re.match(r"\r?\n[ \t]*", text[start:])
    indent = newline.group(0) if newline else ""
    return text[:start] + indent + tag + text[start:]


@on("UserInterface Extensions Panel Save")
def _panel_save(b: Behaviours, call: Call) -> Result:
    panel_id = str(call.arg("PanelId"))
    found = _panels(call.body or "")
    if len(found) > 1:
        raise _bad_xml(f"expected one <Panel>, found {len(found)}")
    # an <Extensions> with no panel saves an empty one, named by the argument
    _, fields, text = found[0] if found else ("", {}, f"<Panel><PanelId>{escape(panel_id)}</PanelId></Panel>")
    fields["PanelId"] = panel_id  # the argument names the panel, whatever the XML says
    extensions_of(b).panels[panel_id] = Panel(panel_id, _with_id(text, panel_id), fields)
    b.dev.emit_event(("UserInterface", "Extensions", "Widget", "LayoutUpdated"), {})
    return dict(OK)


@on("UserInterface Extensions Panel Remove")
def _panel_remove(b: Behaviours, call: Call) -> Result:
    panel_id = str(call.arg("PanelId"))
    if extensions_of(b).panels.pop(panel_id, None) is None:
        raise CommandError(f'No panel with PanelId "{panel_id}"',
                           data={"Cause": ILLEGAL_ARGUMENT, "PanelId": panel_id})
    b.dev.emit_event(("UserInterface", "Extensions", "Widget", "LayoutUpdated"), {})
    return dict(OK)


@on("UserInterface Extensions Set")
def _set(b: Behaviours, call: Call) -> Result:
    found = _panels(call.body or "")
    store = extensions_of(b)
    store.panels = {pid: Panel(pid, text, fields) for pid, fields, text in found if pid}
    store.config_id = str(call.arg("ConfigId", ""))
    b.dev.emit_event(("UserInterface", "Extensions", "Widget", "LayoutUpdated"), {})
    return dict(OK)


@on("UserInterface Extensions Clear")
def _clear(b: Behaviours, call: Call) -> Result:
    extensions_of(b).panels.clear()
    b.dev.emit_event(("UserInterface", "Extensions", "Widget", "LayoutUpdated"), {})
    return dict(OK)


@on("UserInterface Extensions List")
def _list(b: Behaviours, call: Call) -> Result:
    rows: list[dict[str, object]] = []
    for i, p in enumerate(extensions_of(b).panels.values(), 1):
        row: dict[str, object] = {"id": i, "PanelId": p.panel_id, "Order": i, "Visibility": "Auto",
                                  "ActivityType": "Custom"}
        for key in ("Name", "Icon", "Type", "Location", "Color"):
            if p.fields.get(key):
                row[key] = p.fields[key]
        if isinstance(p.fields.get("Order"), str) and p.fields["Order"].isdigit():
            row["Order"] = int(p.fields["Order"])
        rows.append(row)
    ext: dict[str, object] = {"Version": VERSION}
    if rows:
        ext["Panel"] = rows
    return {"Extensions": ext, "status": "OK"}


def export_text(store: ExtensionsStore) -> str:
    """The whole configuration as one XML document; each panel's element as it was sent."""
    parts = [f"<Extensions>\n  <Version>{VERSION}</Version>\n"]
    parts += [f"  {p.xml}\n" for p in store.panels.values()]
    parts.append("</Extensions>\n")
    return "".join(parts)


@on("UserInterface Extensions Export")
def _export(b: Behaviours, call: Call) -> Result:
    return {"Extensions": export_text(extensions_of(b)), "status": "OK"}
