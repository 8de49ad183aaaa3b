"""`as macro|jsxapi|python|curl|cloud|jsonrpc [--secrets] LINE`: a line as code.

The line is parsed exactly as the shell would send it (with the device's schema, so
values get their types) and nothing is sent; xshell.lang.ascode writes the form. A
transcript records the line and the masked answer even when `--secrets` showed the
secrets on screen, so `recorded=False` here and the handler writes its own records.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.lang import requests as rq
from xshell.lang.ascode import FORMS, CodeTarget, as_code
from xshell.lang.line import XapiLine, read_line
from xshell.lang.parse import parse
from xshell.lang.parse_errors import ParseError, closest, quote_word
from xshell.lang.unparse import is_local, to_jsonrpc
from xshell.session.result import EXIT_USAGE, Result
from xshell.lang.redact import redact_entry

USAGE = f"as {'|'.join(FORMS)} [--secrets] LINE"


def _error(text: str) -> Result:
    return Result([f"error: as: {text}"], EXIT_USAGE, kind="error")


def _target(session: Any) -> CodeTarget:
    client = session.client
    t = getattr(client, "target", None)
    user = getattr(client, "username", "admin") or "admin"
    if t is None:
        return CodeTarget(username=user)
    return CodeTarget(url=t.url, host=t.display, secure=t.secure, username=user)


def _root(req: rq.Request) -> str | None:
    if isinstance(req, (rq.Get, rq.Set)):
        return str(req.path[0]) if req.path else None
    if isinstance(req, rq.Query):
        return str(req.query[0]) if req.query else None
    if isinstance(req, rq.FeedbackRegister):
        return str(req.query[0]) if req.query else None
    return "Command" if isinstance(req, rq.Command) else None


_HEAD = re.compile(r"\s*(\S+)\s*(.*)\Z", re.S)


def _split(text: str) -> tuple[str, str]:
    """(first word, the rest as typed) of the text after `as`: the rest is never re-tokenised,
    so a raw JSON-RPC line reaches the parser exactly as it was typed."""
    m = _HEAD.match(text)
    return (m.group(1), m.group(2).strip()) if m else ("", "")


def _raw_call(obj: Any) -> tuple[str, dict[str, Any]] | None:
    """(method, params) of a raw JSON-RPC line, as `to_jsonrpc` would give them for the
    typed line (`xset` → xSet, a `Configuration/A/B` Path → a list); None if unreadable."""
    method, params = obj.get("method"), obj.get("params", {})
    if not isinstance(method, str) or not isinstance(params, dict):
        return None
    low = method.strip().lower()
    canon = {"xget": "xGet", "xset": "xSet", "xquery": "xQuery", "xdoc": "xDoc"}.get(low)
    if canon is not None:
        method = canon
    elif low.startswith("xcommand/"):
        method = "xCommand/" + method.strip().split("/", 1)[1]
    path = params.get("Path")
    if isinstance(path, str) and low in ("xget", "xset"):
        params = {**params, "Path": [int(w) if w.isdigit() else w
                                     for w in re.split(r"[/\s]+", path) if w]}
    return method, params


async def _as(session: Any, args: tuple[str, ...]) -> Result:
    """The answer, and its transcript records: the line as typed (masked) and the masked
    answer, for a failed line too (every other failed line gets its `>`, `<`, `# exit`)."""
    typed = args[0] if args else ""  # takes_text: the text after `as`, as typed (then a body)
    result, recorded = await _answer(session, typed)
    tr = session.context.transcript
    if tr is not None:  # never the secrets, whatever the screen showed; a body only counted
        first, nl, body = typed.partition("\n")
        tr.sent(session.label, redact_entry(f"as {first}".rstrip(), session.schema),
                len(body.split("\n")) if nl else 0)
        tr.reply(session.label, result.lines if recorded is None else recorded, result.exit_code)
    return result


async def _answer(session: Any, typed: str) -> tuple[Result, list[str] | None]:
    """(what the screen shows, what a transcript records instead if it differs).

    A multiline command's body comes after the first newline (kept byte for byte), or
    from `< FILE` / `.` at the line's end as for the bare line."""
    typed, nl, body = typed.partition("\n")
    form, words = _split(typed)
    if not form:
        return _error(f"which form? {USAGE}"), None
    if form.lower() not in FORMS:
        return _error(f"unknown form {quote_word(form)}; use one of {', '.join(FORMS)}"), None
    form = form.lower()
    option, rest = _split(words)
    show = option.lower() == "--secrets"
    if show:
        words = rest
    elif option.startswith("--"):  # a mistyped option: the rest is never echoed
        hint = "did you mean --secrets?" if closest(option, ["--secrets"]) else "the one option is --secrets"
        return _error(f"unknown option {quote_word(option)} ({hint})"), None
    text = words
    read = read_line(text)
    if not isinstance(read, XapiLine):
        return _error(f"give an xAPI line after the form: {USAGE}"), None
    if not nl:  # `… < FILE` or `… .`: the body from the file or the editor
        sourced = await session.body_from_source(read)
        if isinstance(sourced, Result):
            return sourced, None
        text, body = sourced.text, sourced.body
    payload = body or None  # as the bare line: an empty body is none
    try:
        req = parse(text, None, payload)
        root = _root(req)
        if isinstance(req, rq.Raw):  # hide_value known: the masking is exact, as for a line
            await session.store.ensure("Configuration")
        elif root is not None:
            await session.store.ensure(root)
            req = parse(text, session.schema, payload)
    except ParseError as exc:
        return Result(session.output_format.parse_error(text, exc, session.schema), EXIT_USAGE,
                      kind="parse_error"), None
    if isinstance(req, rq.Raw):
        call = _raw_call(req.obj)
        if call is None:
            return _error("a raw request needs a string \"method\" and an object \"params\""), None
        method, params = call
    elif is_local(req) or isinstance(req, rq.Help):
        shown = redact_entry(text, session.schema)
        return _error(f"{shown!r} is answered by the shell itself; it sends nothing to show"), None
    else:
        method, params = to_jsonrpc(req)
    target = _target(session)
    lines = as_code(form, method, params, target, session.schema, show_secrets=show)
    masked = as_code(form, method, params, target, session.schema) if show else None
    return Result(lines, bare=True), masked  # code to pipe: no OK after it


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    if not args:
        return [(f, "as") for f in FORMS]
    if len(args) == 1:
        return [("--secrets", "show secret values"), ("xCommand", "verb"),
                ("xConfiguration", "verb"), ("xStatus", "verb"), ("xFeedback", "verb")]
    return []


COMMANDS = (Command(
    rank=20, name="as", scope=Scope.DEVICE, section=Section.DEVICE, usage=USAGE,
    summary="print LINE as code: a macro, jsxapi, pyxows, curl, cloud REST or JSON-RPC",
    help_rows=(("as FORM LINE", f"LINE as code, nothing sent; FORM: {', '.join(FORMS)}"),
               ("as FORM --secrets LINE", "the same with secret values shown (not recorded)")),
    handler=_as, complete=_complete, recorded=False, takes_text=True),)
