"""`as FORM LINE`: every form says exactly what the shell would send.

The round trip: for every command, configuration and status of the published schema a
line is made (every parameter, a repeated one twice, a multiline body with CRLF and
non-ASCII, instance numbers in multi-instance paths), parsed as the shell parses it and
turned into JSON-RPC; then each form is generated and read back by a small checker (JS
object literals, Python's ast, the putxml/getxml XML) and must give the same request.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import SCHEMA_FILE
from xshell.lang.ascode import CodeTarget, as_code
from xshell.lang.parse import parse
from xshell.lang.unparse import quote, to_jsonrpc
from xshell.schema.model import Node, Schema, ValueSpace

TARGET = CodeTarget(url="wss://room.example/ws", host="room.example", secure=True, username="admin")
BODY = "line one\r\nzwei ü \"q\" \\ <x>&amp;\n\tlast"


@pytest.fixture(scope="module")
def schema() -> Schema:
    if not SCHEMA_FILE.exists():
        pytest.skip("the published schema is not available")
    from xshell.schema.cisco import load_cisco
    return load_cisco(SCHEMA_FILE)


# ---------------------------------------------------------------- lines from the schema
def _sample(vs: ValueSpace | None, n: int = 0) -> str:
    """A legal value as typed: the typed text keeps quotes so strings stay strings."""
    if vs is None or vs.is_string:
        text = 'a "b" ü' + "x" * max(0, (vs.min_length or 0) if vs else 0)
        if vs is not None and vs.max_length is not None:
            text = text[: max(vs.max_length, vs.min_length or 0, 1)]
        return quote(text[:-1] + str(n) if n else text)
    if vs.is_integer:
        lo = vs.min if vs.min is not None else 0
        hi = vs.max if vs.max is not None else lo + 5
        return str(min(lo + n, hi))
    return vs.values[n % len(vs.values)] if vs.values else "x"


def _walk(node: Node, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Node]]:
    for child in node.children.values():
        here = path + (child.name,)
        if child.multi:
            here += (child.instances[0] if child.instances else 1,)
        yield here, child
        yield from _walk(child, here)


def _words(path: tuple[Any, ...]) -> str:
    return " ".join(str(e) for e in path)


def schema_lines(schema: Schema) -> Iterator[tuple[str, str | None]]:
    """(line, body) for every command, configuration and status leaf."""
    for root in ("Command", "Configuration", "Status"):
        for path, node in _walk(schema.root(root), ()):  # type: ignore[arg-type]
            if root == "Command" and node.kind == "command":
                words = []
                for p in node.params:
                    for n in range(2 if p.multiple or p.value_space.is_array else 1):
                        words.append(f"{p.name}: {_sample(p.value_space, n)}")
                yield (f"xCommand {_words(path)} {' '.join(words)}".rstrip(),
                       BODY if node.multiline else None)
            elif root == "Configuration" and node.is_leaf:
                yield f"xConfiguration {_words(path)}: {_sample(node.value_space)}", None
            elif root == "Status" and node.is_leaf:
                yield f"xStatus {_words(path)}", None
    yield "xFeedback register /Status/Audio/Volume", None
    yield "xFeedback register /Configuration/Video/Output/Connector[2]/MonitorRole", None


# ---------------------------------------------------------------- checkers
_JS_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_DEC = json.JSONDecoder()


def _js_object(text: str, i: int) -> tuple[dict[str, Any], int]:
    """A `{ Key: JSON, "Odd.Key": JSON }` literal at text[i]; (object, index after it)."""
    assert text[i] == "{"
    i += 1
    out: dict[str, Any] = {}
    while True:
        while text[i] == " ":
            i += 1
        if text[i] == "}":
            return out, i + 1
        if text[i] == '"':
            key, i = _DEC.raw_decode(text, i)
        else:
            m = _JS_IDENT.match(text, i)
            assert m, text[i:]
            key, i = m.group(), m.end()
        assert text[i:i + 2] == ": ", text[i:]
        out[key], i = _DEC.raw_decode(text, i + 2)
        if text[i] == ",":
            i += 1


def js_back(call: str) -> tuple[str, dict[str, Any]]:
    """The request a macro/jsxapi call makes (the proxy's rules, as jsxapi applies them)."""
    call = call.removeprefix("console.log(await ").removesuffix(");").removesuffix(")")
    call = call.removesuffix(";")
    if call.startswith("xapi.execute("):
        method, i = _DEC.raw_decode(call, len("xapi.execute("))
        params, _ = _js_object(call, i + 2)
        return method, params
    m = re.match(r"xapi\.(Command|Config|Status|Event)((?:\.(?!(?:get|set|on)\()[A-Za-z_$][\w$]*"
                 r"|\[\d+\])*)", call)
    assert m, call
    root = {"Config": "Configuration"}.get(m.group(1), m.group(1))
    path: list[Any] = [int(p[1:-1]) if p.startswith("[") else p[1:]
                       for p in re.findall(r"\.[A-Za-z_$][\w$]*|\[\d+\]", m.group(2))]
    rest = call[m.end():]
    if root == "Command":
        params: dict[str, Any] = {}
        if rest != "(":
            params, i = _js_object(rest, 1)
            if rest[i:].startswith(", "):
                params["body"], i = _DEC.raw_decode(rest, i + 2)
        return "xCommand/" + "/".join(path), params
    if rest.startswith(".get("):
        return "xGet", {"Path": [root, *path]}
    if rest.startswith(".set("):
        return "xSet", {"Path": [root, *path], "Value": _DEC.raw_decode(rest, 5)[0]}
    assert rest.startswith(".on(("), rest
    return "xFeedback/Subscribe", {"Query": [root, *path], "NotifyCurrentValue": False}


def py_back(lines: list[str]) -> tuple[str, dict[str, Any]]:
    """The request a pyxows script makes (pyxows' own method → JSON-RPC mapping)."""
    tree = ast.parse("\n".join(lines))
    call = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Await)
                and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Attribute)
                and n.value.func.attr != "wait_until_closed")
    name = call.func.attr  # type: ignore[attr-defined]
    args = [a.id if isinstance(a, ast.Name) else ast.literal_eval(a) for a in call.args]
    kw: dict[str, Any] = {}
    for k in call.keywords:
        if k.arg is None:
            kw.update(ast.literal_eval(k.value))
        else:
            kw[k.arg] = ast.literal_eval(k.value)
    if name == "xCommand":
        return "xCommand/" + "/".join(args[0]), kw
    if name == "xGet":
        return "xGet", {"Path": args[0]}
    if name == "xSet":
        return "xSet", {"Path": args[0], "Value": args[1]}
    if name == "xQuery":
        return "xQuery", {"Query": args[0]}
    if name == "subscribe":
        return "xFeedback/Subscribe", {"Query": args[0], "NotifyCurrentValue": args[2]}
    return args[0], kw


def _stringly(value: Any) -> Any:
    """XML carries text only: what the device reads, by the schema, from the element."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def curl_back(line: str, schema: Schema) -> tuple[str, dict[str, Any]]:
    argv = shlex.split(line)
    assert argv[0] == "curl"
    if "--data-binary" not in argv:
        url = urlsplit(argv[-1])
        location = parse_qs(url.query)["location"][0]
        path: list[Any] = []
        for part in re.findall(r"/([A-Za-z0-9_.]+)|\[@item='(\d+)'\]", location):
            path.append(part[0] or int(part[1]))
        return "xGet", {"Path": path}
    assert argv[-1].endswith("/putxml")
    root = ET.fromstring(argv[argv.index("--data-binary") + 1])
    if root.tag == "Configuration":
        path = []
        node = root
        while True:
            path.append(node.tag)
            if "item" in node.attrib:
                path.append(int(node.attrib["item"]))
            if not len(node):
                break
            assert len(node) == 1
            node = node[0]
        return "xSet", {"Path": path, "Value": node.text or ""}
    names, node, where = [], root, schema.root("Command")
    while where is not None and where.kind != "command":  # the device reads it by the schema
        assert len(node) == 1
        node = node[0]
        names.append(node.tag)
        where = where.child(node.tag)
    params: dict[str, Any] = {}
    for child in node:
        text = child.text or ""
        if child.tag in params:
            prev = params[child.tag]
            params[child.tag] = (prev if isinstance(prev, list) else [prev]) + [text]
        else:
            params[child.tag] = text
    return "xCommand/" + "/".join(names), params


# ---------------------------------------------------------------- the round trip
def _expected(line: str, body: str | None, schema: Schema) -> tuple[str, dict[str, Any]]:
    return to_jsonrpc(parse(line, schema, body))


@pytest.mark.slow  # walks the whole published schema; test_the_issue_example_reads_as_written stays everyday
def test_every_schema_line_round_trips_in_every_form(schema: Schema) -> None:
    count = 0
    for line, body in schema_lines(schema):
        method, params = _expected(line, body, schema)
        # jsonrpc: the document itself
        doc = json.loads(as_code("jsonrpc", method, params, TARGET, schema, show_secrets=True)[0])
        assert (doc["method"], doc["params"]) == (method, params), line
        # macro and jsxapi: the proxy call
        macro = as_code("macro", method, params, TARGET, schema, show_secrets=True)
        assert js_back(macro[0]) == (method, params), line
        script = as_code("jsxapi", method, params, TARGET, schema, show_secrets=True)
        assert js_back(script[2]) == (method, params), line
        assert script[2].removeprefix("console.log(await ").removesuffix(");") + ";" == macro[0] \
            or script[2] == macro[0]
        # python: pyxows
        assert py_back(as_code("python", method, params, TARGET, schema, show_secrets=True)) \
            == (method, params), line
        # curl: putxml / getxml (XML has text only)
        if method != "xFeedback/Subscribe":
            got_m, got_p = curl_back(as_code("curl", method, params, TARGET, schema, show_secrets=True)[0], schema)
            want = {k: (v if k == "Path" else _stringly(v)) for k, v in params.items()}
            assert (got_m, got_p) == (method, want), line
        count += 1
    every = sum(1 for root in ("Command", "Configuration", "Status") for _, n in schema.walk(root)
                if n.kind == "command" or (root != "Command" and n.is_leaf))
    assert count == every + 2 > 1900  # every command, configuration and status leaf


def test_bodies_are_byte_exact_in_every_form(schema: Schema) -> None:
    line = "xCommand UserInterface Extensions Panel Save PanelId: p1"
    method, params = _expected(line, BODY, schema)
    assert params["body"] == BODY
    assert js_back(as_code("macro", method, params, TARGET, schema)[0])[1]["body"] == BODY
    assert py_back(as_code("python", method, params, TARGET, schema))[1]["body"] == BODY
    assert curl_back(as_code("curl", method, params, TARGET, schema)[0], schema)[1]["body"] == BODY
    cloud = shlex.split(as_code("cloud", method, params, TARGET, schema)[0])
    assert json.loads(cloud[-1])["body"] == BODY


def test_the_issue_example_reads_as_written(schema: Schema) -> None:
    method, params = _expected('xCommand Dial Number: "alice@example.com"', None, schema)
    assert as_code("macro", method, params, TARGET, schema) == [
        'xapi.Command.Dial({ Number: "alice@example.com" });']
    assert as_code("python", method, params, TARGET, schema)[5] == \
        "        print(await client.xCommand(['Dial'], Number='alice@example.com'))"


@pytest.mark.parametrize("form", ["macro", "jsxapi", "python", "curl", "cloud", "jsonrpc"])
def test_secrets_are_masked_unless_asked(schema: Schema, form: str) -> None:
    hidden = next(p for p, n in _walk(schema.root("Configuration"), ())  # type: ignore[arg-type]
                  if n.is_leaf and n.hide_value and n.value_space is not None
                  and n.value_space.is_string and "assword" not in p[-1])
    lines = [f"xConfiguration {_words(hidden)}: \"topsecret1\"",
             'xCommand UserManagement User Passphrase Set NewPassphrase: "topsecret1" '
             'YourPassphrase: "topsecret1" Username: admin']
    for line in lines:
        method, params = _expected(line, None, schema)
        shown = "\n".join(as_code(form, method, params, TARGET, schema))
        assert "topsecret1" not in shown and "***" in shown, (form, line, shown)
        assert "topsecret1" in "\n".join(as_code(form, method, params, TARGET, schema,
                                                 show_secrets=True))


def test_history_masks_the_secrets_of_the_line_after_as_form() -> None:
    import xshell.commands  # noqa: F401 - `as` is a shell word
    from xshell.lang.unparse import redact_line
    assert redact_line('as curl --secrets xConfiguration SIP Authentication Password: "S3cr3t"') \
        == "as curl --secrets xConfiguration SIP Authentication Password: ***"
    assert "S3cr3t" not in redact_line(
        'as macro xCommand UserManagement User Passphrase Set NewPassphrase: "S3cr3t"')


async def test_a_transcript_never_holds_what_as_secrets_showed(tmp_path: Any) -> None:
    from tests.clirun import xshell as run_cli
    log = tmp_path / "t.jsonl"
    code, out, err = await run_cli("--demo", "--log", str(log), "-c",
                                   'as jsonrpc --secrets xConfiguration SIP Authentication Password: "S3cr3t"')
    assert code == 0, err
    assert json.loads(out)["params"]["Value"] == "S3cr3t"
    records = [json.loads(ln) for ln in log.read_text().splitlines()]
    assert [r["kind"] for r in records if r["kind"] in ("sent", "reply")] == ["sent", "reply"]
    assert "S3cr3t" not in log.read_text()


async def test_a_raw_json_rpc_line_reads_as_the_tshell_line_would() -> None:
    """`as FORM {…}`: the JSON-RPC line as typed, translated like the tshell line (its
    `xset` and string Path as the shell's own xSet), its secrets masked the same way."""
    from tests.clirun import xshell as run_cli
    raw = ('{"jsonrpc":"2.0","id":1,"method":"xset","params":'
           '{"Path":"Configuration/Audio/DefaultVolume","Value":50}}')
    code, out, err = await run_cli("--demo", "-c", f"as macro {raw}",
                                   "-c", "as macro xConfiguration Audio DefaultVolume: 50")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["xapi.Config.Audio.DefaultVolume.set(50);"] * 2
    secret = ('{"method":"xSet","params":{"Path":["Configuration","SIP","Authentication",'
              '"Password"],"Value":"S3cr3t"}}')
    code, out, err = await run_cli("--demo", "-c", f"as jsonrpc {secret}")
    assert code == 0, err
    assert json.loads(out)["params"] == {
        "Path": ["Configuration", "SIP", "Authentication", "Password"], "Value": "***"}
    code, out, err = await run_cli("--demo", "-c", f"as jsonrpc --secrets {secret}")
    assert json.loads(out)["params"]["Value"] == "S3cr3t"


async def test_a_failed_as_line_is_in_the_transcript_masked(tmp_path: Any) -> None:
    """Like every other failed line: `>` the line (secrets masked), `<` the error, `# exit 2`."""
    from tests.clirun import xshell as run_cli
    log = tmp_path / "t.log"
    code, _, err = await run_cli(
        "--demo", "--log", str(log), "-c",
        'as curl xConfiguration SIP Authentication Password: "S3cr3t" Bogus', "-c", "as bogus x")
    assert code == 2 and "unknown form 'bogus'" in err
    text = log.read_text()
    assert "S3cr3t" not in text
    records = [ln.split(" ", 2)[2] for ln in text.splitlines()]
    assert "> as curl xConfiguration SIP Authentication Password: ***" in records
    assert "> as bogus x" in records
    assert "< error: as: unknown form 'bogus'; use one of macro, jsxapi, python, curl, cloud, " \
           "jsonrpc" in records
    assert records.count("# exit 2") == 2


PANEL_LINE = 'as macro xCommand UserInterface Extensions Panel Save PanelId: "p1"'
PANEL_BODY = "<Extensions>\n  <Panel>  kept  </Panel>\t\n</Extensions>"
PANEL_CALL = ('xapi.Command.UserInterface.Extensions.Panel.Save({ PanelId: "p1" }, '
              '"<Extensions>\\n  <Panel>  kept  </Panel>\\t\\n</Extensions>");')


def test_an_as_line_of_a_multiline_command_asks_for_its_body() -> None:
    """The prompt, the full screen and scripts read the body after `as FORM LINE` as after LINE."""
    import xshell.commands  # noqa: F401 - `as` is a shell word
    from xshell.lang.bodies import needs_body
    from xshell.lang.line import CommandLine, read_line, with_body
    from xshell.ui.local_commands import split_submission
    read = read_line(PANEL_LINE)
    assert needs_body(read.text, None, read.tokens)
    assert needs_body(PANEL_LINE.replace("macro", "curl --secrets"))
    assert needs_body("@all " + PANEL_LINE)
    assert not needs_body(PANEL_LINE + " < panel.xml")
    assert not needs_body("as macro xStatus Audio Volume")
    assert not needs_body("as bogus xCommand UserInterface Extensions Panel Save PanelId: p1")
    full = with_body(read, PANEL_BODY)
    assert isinstance(full, CommandLine) and (full.name, full.body) == ("as", PANEL_BODY)
    lines, tail = split_submission(f"{PANEL_LINE}\n{PANEL_BODY}\n.\n", lambda ln: needs_body(ln.text))
    assert tail is None and [ln.full for ln in lines] == [f"{PANEL_LINE}\n{PANEL_BODY}"]


async def test_as_takes_a_body_in_scripts_and_from_a_file(tmp_path: Any) -> None:
    from tests.clirun import xshell as run_cli
    script = tmp_path / "panel.xsh"
    script.write_bytes(f"{PANEL_LINE}\n{PANEL_BODY}\n.\n".encode())
    (tmp_path / "panel.xml").write_bytes(PANEL_BODY.encode())
    for args in (("-c", f"{PANEL_LINE}\n{PANEL_BODY}\n."), ("-f", str(script)),
                 ("-c", f"{PANEL_LINE} < {tmp_path / 'panel.xml'}")):
        code, out, err = await run_cli("--demo", *args)
        assert (code, err, out.splitlines()) == (0, "", [PANEL_CALL]), args
