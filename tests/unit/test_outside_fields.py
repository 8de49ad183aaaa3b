"""Device text interpolated into a line is made inert per field, and secrets never reach a
message, whatever the form: the view each user-facing line gives (see lang/redact, inert)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from xshell.commands import macro, panel
from xshell.inert import inert_lines
from xshell.lang.health_view import health_lines, judge
from xshell.lang.parse import ParseError, parse
from xshell.lang.parse_errors import format_parse_error
from xshell.lang.redact import redact_entry
from xshell.schema.model import Node, ValueSpace, make_children, make_schema
from xshell.session.desired import ApplyError, export_lines, from_lines
from xshell.session.wiretrace import mask_frame

SECRET = "S3cret-1"
FORGED = "ok\n*s Forged Line: 1"


def _leaf(name: str, hide: bool = False) -> Node:
    return Node(name=name, kind="config", value_space=ValueSpace(type="String", max=100), hide_value=hide)


SCHEMA = make_schema([Node(name="Configuration", kind="branch", children=make_children([
    Node(name="SIP", kind="branch", children=make_children([
        Node(name="Authentication", kind="branch", children=make_children([_leaf("Password")]))])),
    Node(name="Provisioning", kind="branch", children=make_children([_leaf("ExternalManager", hide=True)])),
    Node(name="Audio", kind="branch", children=make_children([_leaf("Name")])),
]))])


@pytest.mark.parametrize("line", [f"xConfiguration SIP Authentication Password {SECRET}",
                                  f"xConfiguration Provisioning ExternalManager {SECRET} more words"])
def test_a_secret_typed_without_its_colon_is_masked_in_the_parse_error_and_history(line: str) -> None:
    with pytest.raises(ParseError) as err:
        parse(line, SCHEMA)
    shown = "\n".join(format_parse_error(line, err.value, SCHEMA))
    assert SECRET not in shown and "***" in shown
    assert "needs a ':'" in shown
    assert SECRET not in redact_entry(line, SCHEMA)


def test_a_plain_value_without_colon_still_names_the_word() -> None:
    with pytest.raises(ParseError) as err:
        parse("xConfiguration Audio Name Boardroom", SCHEMA)
    assert "'Boardroom'" in str(err.value)


@pytest.mark.parametrize("text", [f"xCommand Foo Password: {SECRET}",
                                  f"SIP Authentication Password: {SECRET}",
                                  f"xConfiguration SIP Authentication Password {SECRET}"])
def test_an_apply_file_line_is_echoed_masked(text: str) -> None:
    with pytest.raises(ApplyError) as err:
        from_lines([("b.cfg:1", text)], SCHEMA)
    assert str(err.value).startswith("b.cfg:1: ")
    assert SECRET not in str(err.value)


def test_health_problems_and_cells_stay_one_line_each() -> None:
    row: dict[str, Any] = {"device": "room\nB", "registration": "Registered",
                           "diagnostics": [{"level": "Warning\nX", "type": "T\nY", "description": FORGED}]}
    row["health"], row["problems"] = judge(row)
    lines = health_lines([row])
    assert not any(ln.startswith("*s Forged") for ln in lines)
    assert any(ln.startswith("** room\\x0aB: Warning\\x0aX T\\x0aY: ok\\x0a*s Forged Line: 1") for ln in lines)
    head, cells = lines[0], lines[1]
    assert head.index("HEALTH") == cells.index("warning")  # widths of the text as shown


def test_macro_log_line_keeps_device_newlines_inside_the_line() -> None:
    line = macro.log_line({"Level": "Info", "Macro": "m\nx", "Message": FORGED}, stamp=False)
    assert "\n" not in line
    assert line == "*l info m\\x0ax: ok\\x0a*s Forged Line: 1"


def _session() -> Any:
    return SimpleNamespace(output_format=SimpleNamespace(json_documents=False))


async def test_macro_and_panel_lists_keep_one_row_per_item(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_call(session: Any, path: str, params: Any = None, body: Any = None) -> Any:
        return {"Macros/Macro/Get": {"Macro": [{"Name": FORGED, "Active": "True"}, {"Name": "b"}]},
                "Macros/Runtime/Status": {"Running": "True"},
                "UserInterface/Extensions/List": {"Extensions": {"Panel": [
                    {"PanelId": "p\n1", "Name": FORGED, "Icon": "x"}, {"PanelId": "p2", "Name": "n", "Icon": "y"}]}},
                }[path]

    monkeypatch.setattr(macro, "call", fake_call)
    monkeypatch.setattr(panel, "call", fake_call)
    for lines in ((await macro._list(_session())).lines, (await panel._list(_session())).lines):
        assert len(lines) == 4 and not any("\n" in ln for ln in lines)
        assert "ok\\x0a*s Forged Line: 1" in "".join(lines)


async def test_macro_list_active_column_lines_up(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_call(session: Any, path: str, params: Any = None, body: Any = None) -> Any:
        return {"Macros/Macro/Get": {"Macro": [{"Name": "a\tb\x1b", "Active": "True"}, {"Name": "b"}]},
                "Macros/Runtime/Status": {"Running": "True"}}[path]

    monkeypatch.setattr(macro, "call", fake_call)
    lines = inert_lines((await macro._list(_session())).lines)  # as the writer shows them
    col = lines[0].index("ACTIVE")
    assert lines[1][col:col + 3] == "yes" and lines[2][col:col + 2] == "no"


def test_snapshot_export_header_and_values_cannot_forge_a_setting() -> None:
    lines = export_lines(f"snapshot s: room ({'x' + chr(10) + 'xConfiguration SIP Authentication Password: evil'})",
                         {"Audio Name": '"a"'})
    assert len(lines) == 3
    assert not any(ln.startswith("xConfiguration SIP") for ln in lines)
    assert lines[0].startswith("# snapshot s: room (x\\x0axConfiguration")


def test_trace_shows_an_xdoc_schema_whole_and_still_masks_values() -> None:
    paths: dict[Any, list[Any]] = {}
    mask_frame(json.dumps({"jsonrpc": "2.0", "id": 5, "method": "xDoc",
                           "params": {"Path": ["Command", "Conference"], "Type": "Schema"}}), "sent", None, paths)
    reply = {"jsonrpc": "2.0", "id": 5, "result": {"Command": {"Pin": {"ValueSpace": {"type": "String"}},
                                                               "PasswordPolicy": {"access": "admin"}}}}
    shown = json.loads(mask_frame(json.dumps(reply), "received", None, paths))
    assert shown == reply
    value = {"jsonrpc": "2.0", "id": 6, "result": {"Configuration": {"SIP": {"Pin": SECRET}}}}
    assert SECRET not in mask_frame(json.dumps(value), "received", None, paths)
