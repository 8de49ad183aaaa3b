"""`-o json`: one compact JSON document per answer, exactly what the device said."""

from __future__ import annotations

import json
from typing import Any

from xshell.errors import xapi_error
from xshell.lang import requests as rq
from xshell.lang.render_json import json_error, json_feedback, json_result
from xshell.schema.model import Node, ValueSpace, make_children, make_schema

S = ValueSpace("String", min_length=0, max_length=255)


def branch(name: str, *children: Node, **kw: Any) -> Node:
    return Node(name, "branch", children=make_children(children), **kw)


SCHEMA = make_schema([
    branch("Configuration",
           branch("SIP", branch("Authentication", Node("UserName", "leaf", value_space=S),
                                Node("Password", "leaf", value_space=S, hide_value=True))),
           branch("Provisioning", branch("Server", Node("Password", "leaf", value_space=S, hide_value=True),
                                         multi=True))),
    branch("Status", Node("Volume", "leaf", value_space=ValueSpace("Integer"))),
])


def one_line(text: str) -> Any:
    assert "\n" not in text
    return json.loads(text)


def test_scalar_result_is_the_bare_json_value() -> None:
    assert json_result(rq.Get(("Status", "Audio", "Volume")), 50) == "50"


def test_subtree_keeps_device_key_order_and_is_compact() -> None:
    result = {"b": 1, "A": {"Z": "x", "Y": [{"id": 2, "V": "é"}]}}
    text = json_result(rq.Get(("Status", "Whatever")), result)
    assert text == '{"b":1,"A":{"Z":"x","Y":[{"id":2,"V":"é"}]}}'


def test_result_id_wraps_so_it_survives_scalars() -> None:
    doc = one_line(json_result(rq.Get(("Status", "Audio", "Volume"), result_id="r-1"), 50))
    assert doc == {"ResultId": "r-1", "result": 50}
    doc = one_line(json_result(rq.Set(("Configuration", "Audio", "DefaultVolume"), 5, result_id="s"), True))
    assert doc == {"ResultId": "s", "result": True}


def test_command_feedback_verbs_and_raw() -> None:
    cmd = {"CallId": 2, "status": "OK"}
    assert one_line(json_result(rq.Command(("Dial",)), cmd)) == cmd
    assert one_line(json_result(rq.FeedbackList(), ["/Status/Audio"])) == ["/Status/Audio"]
    reply = {"id": 3, "jsonrpc": "2.0", "result": True}
    assert json_result(rq.Raw({"method": "xSet"}), reply) == '{"id":3,"jsonrpc":"2.0","result":true}'


def test_error_member_is_the_devices_own() -> None:
    e = xapi_error({"code": 1, "message": "Not paired with isdn link", "data": {"Cause": 21}})
    assert one_line(json_error(e)) == {"error": {"code": 1, "message": "Not paired with isdn link",
                                                 "data": {"Cause": 21}}}
    e = xapi_error({"code": -32602, "message": "No match on Path argument"})
    assert one_line(json_error(e, result_id="x")) == {
        "ResultId": "x", "error": {"code": -32602, "message": "No match on Path argument"}}


def test_feedback_keeps_the_subscription_id() -> None:
    payload = {"Id": 0, "Status": {"Call": [{"ghost": "True", "id": 2}]}}
    assert one_line(json_feedback(payload)) == payload


def test_hidden_configurations_are_redacted_with_a_schema() -> None:
    req = rq.Get(("Configuration", "SIP", "Authentication"))
    doc = one_line(json_result(req, {"Password": "hunter2", "UserName": "bob"}, SCHEMA))
    assert doc == {"Password": "***", "UserName": "bob"}
    leaf = rq.Get(("Configuration", "SIP", "Authentication", "Password"))
    assert one_line(json_result(leaf, "hunter2", SCHEMA)) == "***"
    query = rq.Query(("Configuration", "**", "Password"))
    result = {"Configuration": {"Provisioning": {"Server": [{"Password": "pw1", "id": 1}]}}}
    assert "pw1" not in json_result(query, result, SCHEMA)
    fb = json_feedback({"Id": 4, "Configuration": {"SIP": {"Authentication": {"Password": "pw2"}}}}, SCHEMA)
    assert "pw2" not in fb and one_line(fb)["Id"] == 4


def test_without_a_schema_nothing_is_changed() -> None:
    result = {"Password": "hunter2"}
    assert one_line(json_result(rq.Get(("Configuration", "SIP", "Authentication")), result)) == result
