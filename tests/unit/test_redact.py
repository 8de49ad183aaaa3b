"""One rule for secrets, whatever the input form: a raw JSON-RPC line is masked like the tshell line.

A raw `xSet` of a hidden (hide_value) or password-like configuration, in any casing and path
form the device reads, must show *** wherever the tshell `xConfiguration … :` form would:
history and transcripts (redact_line), canonical text (to_line) and the device's error
message echoed back (render_error / scrub_error, terminal and JSON output).
"""

from __future__ import annotations

import json

import pytest

from xshell.errors import InvalidParams
from xshell.lang import requests as rq
from xshell.lang.parse import ParseError, parse
from xshell.lang.parse_errors import format_parse_error
from xshell.lang.redact import redact_entry
from xshell.lang.render_errors import render_error, scrub_error
from xshell.lang.unparse import redact_line, to_line
from xshell.schema.model import Node, ValueSpace, make_children, make_schema

TEXT = ValueSpace("String")
SCHEMA = make_schema([
    Node("Configuration", children=make_children([
        Node("Provisioning", children=make_children([
            Node("Token", "leaf", value_space=TEXT, hide_value=True),  # hidden, plain name
            Node("Mode", "leaf", value_space=TEXT),
        ])),
        Node("SIP", children=make_children([Node("Password", "leaf", value_space=TEXT)])),
    ])),
])
SECRET = "s3cr3t-Value-42"


def raw_set(method: str, path_key: str, path: object, value_key: str = "Value") -> str:
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                       "params": {path_key: path, value_key: SECRET}})


@pytest.mark.parametrize("line", [
    raw_set("xSet", "Path", ["Configuration", "Provisioning", "Token"]),  # hidden by the schema
    raw_set("xset", "path", ["configuration", "provisioning", "token"], "value"),
    raw_set("XSET", "PATH", "Configuration/Provisioning/Token", "VALUE"),  # a path string
    raw_set("xSet", "Path", "Configuration Provisioning Token"),
    raw_set("xSet", "Path", ["Configuration", "SIP", "Password"]),  # password-like
    raw_set("xSet", "Path", [" Configuration ", "sip", "password "]),
    raw_set("xSet", "Path", 42),  # a path nobody can read: it may name a hidden one
    '{"method":"xSet","params":{"Path":["Configuration","Provisioning","Token"],'
    f'"Value":{{"nested":"{SECRET}"}}}}}}',  # a value the scan cannot follow: the whole line
])
def test_a_raw_xset_of_a_secret_configuration_is_masked_in_every_form(line: str) -> None:
    for shown in (redact_line(line, SCHEMA), redact_line(line, None),
                  to_line(parse(line), redact=True, schema=SCHEMA)):
        assert SECRET not in shown and "***" in shown


def test_a_raw_xset_of_a_plain_configuration_is_kept_once_the_schema_is_known() -> None:
    line = raw_set("xset", "path", ["Configuration", "Provisioning", "Mode"], "value")
    assert redact_line(line, SCHEMA) == line
    assert SECRET in to_line(parse(line), redact=True, schema=SCHEMA)
    assert SECRET not in redact_line(line, None)  # which configuration is hidden is not known yet


def test_the_tshell_and_the_raw_form_follow_the_same_rule() -> None:
    tshell = f'xConfiguration Provisioning Token: "{SECRET}"'
    assert redact_line(tshell, SCHEMA) == "xConfiguration Provisioning Token: ***"
    assert redact_line(tshell, None) == "xConfiguration Provisioning Token: ***"
    assert redact_line('xConfiguration Provisioning Mode: "On"', SCHEMA) == \
        'xConfiguration Provisioning Mode: "On"'


def test_an_unparsable_raw_line_masks_every_value_and_secret_name() -> None:
    line = f'{{"method":"xSet","params":{{"path":["Configuration","X"],"value":"{SECRET}"'
    assert SECRET not in redact_line(line, SCHEMA)


def test_a_raw_command_masks_password_params_in_any_case_and_depth() -> None:
    line = json.dumps({"method": "xCommand/UserManagement/User/Passphrase/Change",
                       "params": {"oldpassphrase": SECRET, "Extra": {"NewPassphrase": SECRET + "2"},
                                  "Username": "bob"}})
    shown = redact_line(line, SCHEMA)
    assert SECRET not in shown and '"bob"' in shown


def test_the_devices_error_message_never_echoes_a_raw_secret() -> None:
    req = parse(raw_set("xset", "path", ["configuration", "provisioning", "token"], "value"))
    assert isinstance(req, rq.Raw)
    err = InvalidParams(f"bad value {SECRET}", data={"Reason": f"{SECRET} is too short"})
    assert not [ln for ln in render_error(req, err, SCHEMA) if SECRET in ln]
    scrubbed = scrub_error(req, err, SCHEMA)  # what the JSON output prints
    assert SECRET not in json.dumps(scrubbed.to_json()) and scrubbed.code == err.code


POSITIONAL = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "xSet",
                         "params": [["Configuration", "SIP", "Password"], SECRET]})
BATCH = json.dumps([{"jsonrpc": "2.0", "id": 1, "method": "xSet",
                     "params": {"Path": "Configuration/SIP/Password", "Value": SECRET}}])


@pytest.mark.parametrize("line", [
    POSITIONAL,
    POSITIONAL.replace('"xSet"', '"xCommand/UserManagement/User/Passphrase/Set"'),
    BATCH,
    f"@room1 {BATCH}",
    BATCH[:-3],  # a batch cut short: it cannot be read, so all of it goes
])
def test_positional_params_and_batches_are_masked_in_history(line: str) -> None:
    for shown in (redact_entry(line, SCHEMA), redact_entry(line, None)):
        assert SECRET not in shown and "***" in shown


def test_a_raw_request_with_positional_params_hides_them_everywhere() -> None:
    req = parse(POSITIONAL)
    assert isinstance(req, rq.Raw)
    assert SECRET not in to_line(req, redact=True, schema=SCHEMA)
    err = InvalidParams(f"bad value {SECRET}", data={"Reason": f"{SECRET} is too short"})
    assert not [ln for ln in render_error(req, err, SCHEMA) if SECRET in ln]
    assert SECRET not in json.dumps(scrub_error(req, err, SCHEMA).to_json())


def test_a_refused_batch_line_does_not_show_its_secret_in_the_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse(BATCH)
    shown = format_parse_error(BATCH, caught.value, SCHEMA)
    assert not [ln for ln in shown if SECRET in ln] and "***" in shown[0]


def test_a_misspelled_or_unknown_secret_name_is_masked_too() -> None:
    """A typo before a secret (did-you-mean Password), an unknown verb or a path ending in a
    secret leaf: the value is masked all the same (parse errors, --log)."""
    assert redact_line("xConfiguration SIP Authentication Pasword: Zz-b") == \
        "xConfiguration SIP Authentication Pasword: ***"
    assert redact_line("xCommand Foo Bar Pasphrase: Zz-b") == "xCommand Foo Bar Pasphrase: ***"
    assert redact_line("xSet Configuration/SIP/Authentication/Password Zz-b") == \
        "xSet Configuration/SIP/Authentication/Password ***"
    assert redact_line("frob Passphrase: Zz b c") == "frob Passphrase: ***"
    assert redact_line("xCommand Foo Bar/Password Zz-b") == "xCommand Foo Bar/Password ***"
    assert redact_line("frob status now") == "frob status now"
