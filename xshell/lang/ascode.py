"""`as FORM LINE`: one xAPI line as the code that does the same, in another client's words.

Integrators try a line in the shell, then need it in a macro, a Node script, a Python
tool or a curl call. Every form here is made from the one JSON-RPC document the shell
would send for the line — (method, params) from `to_jsonrpc` — never from the typed text,
so a form cannot say something the shell would not: the same path (instance numbers as
integers), the same parameter names, the same value types (a string stays a string, an
integer an integer, a repeated parameter a list), the same body, byte for byte. The
round trip is tested for every command, configuration and status of the published schema
(tests/e2e/test_ascode.py parses each form back).

Secrets (a hide_value configuration's value, a password-like parameter) are masked as
`***` unless the caller asks for them; the device's own password is never printed: the
scripts read it from $XAPI_PASSWORD.

The forms:
  macro    the device's macro runtime: `xapi.Command.Dial({ Number: "…" });`
  jsxapi   a Node (ES module) script with Cisco's jsxapi, the same call awaited
  python   an asyncio script with pyxows (`client.xCommand(["Dial"], Number="…")`)
  jsonrpc  the JSON-RPC document itself
  curl     the device's HTTP API: putxml (commands, configurations) or getxml (reads);
           `cloud` — the Webex cloud xAPI REST form (xshell.lang.ascode_http)
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xshell.lang.redact import MASK, redact_raw, secret_config
from xshell.schema.model import Schema, is_secret_name

__all__ = ["FORMS", "CodeTarget", "as_code", "js_value", "mask_call"]

FORMS: tuple[str, ...] = ("macro", "jsxapi", "python", "curl", "cloud", "jsonrpc")
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_JS_ROOTS = {"Command": "Command", "Configuration": "Config", "Status": "Status", "Event": "Event"}


@dataclass(frozen=True)
class CodeTarget:
    """Where the code is to run against: the device's WebSocket URL, host and user."""

    url: str = "wss://DEVICE/ws"
    host: str = "DEVICE"
    secure: bool = True
    username: str = "admin"


def mask_call(method: str, params: dict[str, Any], schema: Schema | None) -> dict[str, Any]:
    """`params` with every secret value as `***` (password-like names at any depth, and
    the Value of an xSet of a secret configuration: the schema's hide_value)."""
    masked = redact_raw({"method": method, "params": params}, schema)
    out: dict[str, Any] = masked["params"]
    if method.lower() == "xset" and isinstance(params.get("Path"), list) \
            and secret_config(params["Path"], schema, unknown=False):
        out["Value"] = MASK
    return out


def _escape_unprintable(text: str) -> str:
    """JSON text with anything a terminal could obey (DEL, C1, bidi, lone surrogates)
    as \\uXXXX escapes: still the same string to a JS or JSON reader."""
    return "".join(c if c.isprintable() or c == " " else
                   "".join(f"\\u{u:04x}" for u in _utf16(c)) for c in text)


def _utf16(c: str) -> list[int]:
    o = ord(c)
    if o < 0x10000:
        return [o]
    o -= 0x10000
    return [0xD800 + (o >> 10), 0xDC00 + (o & 0x3FF)]


def js_value(value: Any) -> str:
    """A JSON value as a JS literal (JSON is one; keys of objects stay quoted)."""
    return _escape_unprintable(json.dumps(value, ensure_ascii=False))


def _js_key(name: str) -> str:
    return name if _IDENT.match(name) else js_value(name)


def _js_object(params: dict[str, Any]) -> str:
    if not params:
        return "{}"
    return "{ " + ", ".join(f"{_js_key(k)}: {js_value(v)}" for k, v in params.items()) + " }"


def _js_path(root: str, path: Sequence[Any]) -> str | None:
    """`xapi.Status.Video.Input.Connector[1].Connected`, or None if a part has no proxy form."""
    out = "xapi." + _JS_ROOTS[root]
    for e in path:
        if isinstance(e, int) and not isinstance(e, bool):
            out += f"[{e}]"
        elif isinstance(e, str) and _IDENT.match(e) and e != "**":
            out += "." + e
        else:
            return None
    return out


def js_call(method: str, params: dict[str, Any]) -> str:
    """The jsxapi/macro call for one request (without `await` or `;`)."""
    low = method.lower()
    if low.startswith("xcommand/"):
        names = method.split("/")[1:]
        path = _js_path("Command", names)
        rest = {k: v for k, v in params.items() if k != "body"}
        if path is not None:
            args = _js_object(rest) if rest or "body" in params else ""
            if "body" in params:
                args += ", " + js_value(params["body"])
            return f"{path}({args})"
    where = params.get("Path") if low in ("xget", "xset") else params.get("Query")
    if low in ("xget", "xset", "xfeedback/subscribe") and isinstance(where, list) and where \
            and where[0] in _JS_ROOTS and where[0] != "Command" and set(params) <= {
                "Path", "Value", "Query", "NotifyCurrentValue"}:
        path = _js_path(where[0], where[1:])
        if path is not None and low == "xget":
            return f"{path}.get()"
        if path is not None and low == "xset" and where[0] == "Configuration" and "Value" in params:
            return f"{path}.set({js_value(params['Value'])})"
        if path is not None and low == "xfeedback/subscribe" and not params.get("NotifyCurrentValue"):
            return f"{path}.on((value) => console.log(value))"
    return f"xapi.execute({js_value(method)}, {_js_object(params)})"


def _py_call(method: str, params: dict[str, Any]) -> str:
    """The pyxows call for one request (without `await`)."""
    low = method.lower()
    if low.startswith("xcommand/"):
        words = [f"{k}={_py(v)}" for k, v in params.items()
                 if k.isidentifier() and not keyword.iskeyword(k)]
        odd = {k: v for k, v in params.items() if not (k.isidentifier() and not keyword.iskeyword(k))}
        if odd:
            words.append(f"**{_py(odd)}")
        return f"client.xCommand({_py(method.split('/')[1:])}{''.join(', ' + w for w in words)})"
    keys = set(params)
    if low == "xget" and keys == {"Path"}:
        return f"client.xGet({_py(params['Path'])})"
    if low == "xset" and keys == {"Path", "Value"}:
        return f"client.xSet({_py(params['Path'])}, {_py(params['Value'])})"
    if low == "xquery" and keys == {"Query"}:
        return f"client.xQuery({_py(params['Query'])})"
    if low == "xfeedback/subscribe" and keys <= {"Query", "NotifyCurrentValue"}:
        return (f"client.subscribe({_py(params['Query'])}, print, "
                f"{_py(bool(params.get('NotifyCurrentValue', False)))})")
    return f"client.api_call({_py(method)}, **{_py(params)})"


def _py(value: Any) -> str:
    """A Python literal for a JSON value (repr: exact, and escapes what a terminal obeys)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    if value is None:
        return "None"
    return repr(value)


def as_code(form: str, method: str, params: dict[str, Any], target: CodeTarget,
            schema: Schema | None, show_secrets: bool = False) -> list[str]:
    """The lines of `form` doing what the JSON-RPC request (method, params) does.

    Raises ValueError naming the forms for an unknown form.
    """
    if not show_secrets:
        params = mask_call(method, params, schema)
    if form == "jsonrpc":
        doc = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        return [_escape_unprintable(json.dumps(doc, ensure_ascii=False))]
    if form == "macro":
        return [js_call(method, params) + ";"]
    if form == "jsxapi":
        feedback = method.lower() == "xfeedback/subscribe"
        call = js_call(method, params)
        return ["import jsxapi from 'jsxapi';",
                f"const xapi = await jsxapi.connect({js_value(target.url)}, "
                f"{{ username: {js_value(target.username)}, password: process.env.XAPI_PASSWORD }});",
                *( [f"{call};"] if feedback else [f"console.log(await {call});", "xapi.close();"])]
    if form == "python":
        call = _py_call(method, params)
        body = ([f"        await {call}", "        await client.wait_until_closed()"]
                if method.lower() == "xfeedback/subscribe" else [f"        print(await {call})"])
        return ["import asyncio, os", "import xows", "", "async def main() -> None:",
                f"    async with xows.XoWSClient({_py(target.url)}, username={_py(target.username)}, "
                "password=os.environ[\"XAPI_PASSWORD\"]) as client:",
                *body, "", "asyncio.run(main())"]
    if form in ("curl", "cloud"):
        from xshell.lang.ascode_http import cloud_lines, curl_lines
        return curl_lines(method, params, target) if form == "curl" else cloud_lines(method, params)
    raise ValueError(f"as: unknown form {form!r}; use one of {', '.join(FORMS)}")


def is_secret_param(name: str) -> bool:
    """A command parameter whose value is masked (password-like names)."""
    return is_secret_name(name)
