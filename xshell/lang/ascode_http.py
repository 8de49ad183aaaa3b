"""The HTTP forms of `as`: the device's own XML API (curl) and the Webex cloud xAPI (cloud).

Kept apart from xshell.lang.ascode because these forms speak XML documents and REST
resources rather than calls. The device form:
  commands      POST /putxml  <Command><Dial><Number>…</Number></Dial></Command>
                (a repeated parameter repeats its element; a multiline body is <body>)
  configuration POST /putxml  <Configuration><Video><Output><Connector item="1">…
  reads         GET  /getxml?location=/Status/Video/Input/Connector[@item='1']/Connected
                (an xQuery's `**` is XPath's `//`)
  feedback      POST /putxml  HttpFeedback Register: the device posts changes to a server
The device's password comes from $XAPI_PASSWORD, never from the shell.
XML has no types: an integer goes as its digits, which the device reads by the schema.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote as url_quote
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from xshell.lang.ascode import CodeTarget

__all__ = ["cloud_lines", "curl_lines", "xml_document"]

_CLOUD = "https://webexapis.com/v1"
_CLOUD_AUTH = '-H "Authorization: Bearer $WEBEX_TOKEN"'


def _text(value: Any) -> str:
    """Element text; a CR as `&#13;`, since an XML reader turns a raw CRLF into LF."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return escape(text, {"\r": "&#13;"})


def _nest(path: Sequence[Any], inner: str) -> str:
    """`<A><B item="1"><C>inner</C></B></A>` for a path whose integers are instance ids."""
    out = inner
    i = len(path) - 1
    while i >= 0:
        e = path[i]
        if isinstance(e, int) and not isinstance(e, bool) and i > 0:
            name = str(path[i - 1])
            out = f"<{name} item={quoteattr(str(e))}>{out}</{name}>"
            i -= 2
            continue
        out = f"<{e}>{out}</{e}>"
        i -= 1
    return out


def xml_document(method: str, params: dict[str, Any]) -> str | None:
    """The putxml document for a command or a configuration set (None: no such form)."""
    low = method.lower()
    if low.startswith("xcommand/"):
        inner = ""
        for name, value in params.items():
            tag = "body" if name == "body" else name
            for v in value if isinstance(value, list) else [value]:
                inner += f"<{tag}>{_text(v)}</{tag}>"
        return _nest(["Command", *method.split("/")[1:]], inner)
    path = params.get("Path")
    if low == "xset" and isinstance(path, list) and path and path[0] == "Configuration" \
            and set(params) == {"Path", "Value"}:
        return _nest(path, _text(params["Value"]))
    return None


def _location(path: Sequence[Any]) -> str:
    """An XPath for getxml: instance ids as [@item='N'], `**` as `//`."""
    out = ""
    for e in path:
        if isinstance(e, int) and not isinstance(e, bool):
            out += f"[@item='{e}']"
        elif e == "**":
            out += "/"
        else:
            out += f"/{e}"
    return out


def _base(target: CodeTarget) -> str:
    scheme = "https" if target.secure else "http"
    return f"{scheme}://{target.host}"


def _curl(target: CodeTarget) -> str:
    insecure = " -k" if target.secure else ""
    return f"curl -s{insecure} -u {shlex.quote(target.username)}:\"$XAPI_PASSWORD\""


def curl_lines(method: str, params: dict[str, Any], target: CodeTarget) -> list[str]:
    """The device's HTTP XML API equivalent, as a curl command line."""
    low = method.lower()
    doc = xml_document(method, params)
    if doc is None and low == "xfeedback/subscribe" and isinstance(params.get("Query"), list):
        expression = _location(params["Query"]) or "/"
        doc = xml_document("xCommand/HttpFeedback/Register", {
            "FeedbackSlot": 1, "ServerUrl": "http://YOUR-SERVER/feedback", "Format": "JSON",
            "Expression": expression})
    if doc is not None:
        return [f"{_curl(target)} -H 'Content-Type: text/xml' --data-binary "
                f"{shlex.quote(doc)} {_base(target)}/putxml"]
    where = params.get("Path") if low == "xget" else params.get("Query") if low == "xquery" else None
    if isinstance(where, list) and where and set(params) <= {"Path", "Query"}:
        url = f"{_base(target)}/getxml?location={url_quote(_location(where), safe='/')}"
        return [f"{_curl(target)} {shlex.quote(url)}"]
    return [f"# {method} has no equivalent in the device's HTTP XML API"]


def _dotted(path: Sequence[Any]) -> str:
    out = ""
    for e in path:
        if isinstance(e, int) and not isinstance(e, bool):
            out += f"[{e}]"
        else:
            out += ("." if out else "") + ("*" if e == "**" else str(e))
    return out


def cloud_lines(method: str, params: dict[str, Any]) -> list[str]:
    """The Webex cloud xAPI (REST) equivalent; the device is named by its Webex id."""
    low = method.lower()
    if low.startswith("xcommand/"):
        body: dict[str, Any] = {"deviceId": "YOUR_DEVICE_ID",
                                "arguments": {k: v for k, v in params.items() if k != "body"}}
        if "body" in params:
            body["body"] = params["body"]
        doc = json.dumps(body, ensure_ascii=False)
        return [f"curl -s -X POST {_CLOUD}/xapi/command/{'.'.join(method.split('/')[1:])} "
                f"{_CLOUD_AUTH} -H 'Content-Type: application/json' --data-binary {shlex.quote(doc)}"]
    where = params.get("Path") if low in ("xget", "xset") else params.get("Query")
    if not (isinstance(where, list) and where):
        return [f"# {method} has no equivalent in the cloud xAPI"]
    root, rest = where[0], _dotted(where[1:])
    if low in ("xget", "xquery") and root == "Status":
        url = f"{_CLOUD}/xapi/status?deviceId=YOUR_DEVICE_ID&name={url_quote(rest or '*', safe='.*[]')}"
        return [f"curl -s {_CLOUD_AUTH} {shlex.quote(url)}"]
    if low == "xget" and root == "Configuration":
        url = f"{_CLOUD}/deviceConfigurations?deviceId=YOUR_DEVICE_ID&key={url_quote(rest, safe='.*[]')}"
        return [f"curl -s {_CLOUD_AUTH} {shlex.quote(url)}"]
    if low == "xset" and root == "Configuration":
        patch = json.dumps([{"op": "replace", "path": f"{rest}/sources/configured/value",
                             "value": params.get("Value")}], ensure_ascii=False)
        return [f"curl -s -X PATCH '{_CLOUD}/deviceConfigurations?deviceId=YOUR_DEVICE_ID' "
                f"{_CLOUD_AUTH} -H 'Content-Type: application/json-patch+json' "
                f"--data-binary {shlex.quote(patch)}"]
    return [f"# {method} has no equivalent in the cloud xAPI (feedback: a webhook)"]
