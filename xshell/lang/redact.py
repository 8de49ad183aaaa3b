"""Which values of a request are secrets — decided here once, whatever form the request took.

A secret may arrive as a tshell line (`xConfiguration … Password: x`, `xCommand … Passphrase:
x`) or as a raw JSON-RPC line (`{"method":"xset","params":{"path":"Configuration/…","value":…}}`
in any casing and path form the device accepts). History, echo, transcripts, parse errors and
the device's own error messages all ask the same two questions — is this configuration
secret, is this parameter secret — so both forms get the same answer from the schema's
meaning: `hide_value` configurations and password-like names (`is_secret_name`).

Until the device's Configuration schema is known, a hide_value configuration cannot be told
by its name, so every configuration value counts as secret then (`secret_config` with
`unknown=True`): losing a value from history is better than keeping a password in it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from xshell.lang.grammar import Kind, Token, resolve_verb, tokenize
from xshell.schema.model import Node, PathElem, Schema, is_secret_name

__all__ = ["MASK", "json_spans", "mask_body", "raw_secret_values", "raw_set_is_secret",
           "redact_entry", "redact_line", "redact_raw", "redact_spans", "schema_node",
           "secret_config"]

MASK = "***"
# `"Name": value` at any depth of a JSON text: a string (maybe unterminated) or a bare token
_JSON_PAIR = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:\s*("(?:[^"\\]|\\.)*"?|[^,{}\[\]\s"]+)')
_UNREAD = object()
log = logging.getLogger(__name__)
_PRIVATE_KEY = re.compile(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----).*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)",
                          re.S)


def schema_node(schema: Schema | None, path: Sequence[PathElem]) -> Node | None:
    """The schema node at `path` (root first), tolerant of anything odd in it."""
    if schema is None or not path:
        return None
    node = schema.root(str(path[0]).strip())
    for e in path[1:]:
        if node is None:
            return None
        if isinstance(e, int) or str(e).strip().isdigit():
            continue
        node = node.child(str(e).strip())
    return node


def secret_config(path: Sequence[PathElem], schema: Schema | None, unknown: bool = True) -> bool:
    """Whether the configuration at `path` (root first) holds a secret.

    Secret: its last name is password-like, or the schema marks it hide_value. When the
    schema has no Configuration tree yet, the answer is `unknown`.
    """
    names = [str(e).strip() for e in path if isinstance(e, str) and not e.strip().isdigit()]
    if names and is_secret_name(names[-1]):
        return True
    if schema is None or schema.root("Configuration") is None:
        return unknown
    node = schema_node(schema, path)
    return bool(node is not None and node.hide_value)


def _arg(params: dict[str, Any], name: str) -> tuple[str, Any] | None:
    """A parameter by name in any case (the device reads Path, path and PATH alike)."""
    low = name.lower()
    return next(((k, v) for k, v in params.items() if isinstance(k, str) and k.lower() == low), None)


def _raw_path(value: Any) -> list[PathElem] | None:
    """An xSet's Path as a list: a JSON list, or a `Configuration/A/B` / `Configuration A B` string."""
    if isinstance(value, str):
        value = [w for w in re.split(r"[/\s]+", value) if w]
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(e, (str, int)) and not isinstance(e, bool) for e in value):
        return None
    return value


def _opaque_params(obj: Any) -> bool:
    """Whether `obj` is an xSet or xCommand whose params are not an object.

    The device also takes positional params (`"params": [PATH, VALUE]`); which of them
    is a secret cannot be told by name then, so all of them are masked.
    """
    if not isinstance(obj, dict) or "params" not in obj or isinstance(obj["params"], dict):
        return False
    method = obj.get("method")
    low = method.strip().lower() if isinstance(method, str) else ""
    return low == "xset" or low.startswith("xcommand")


def raw_set_is_secret(obj: Any, schema: Schema | None) -> bool:
    """Whether `obj` (a raw JSON-RPC request) is an xSet whose Value must be masked.

    An xSet whose Path cannot be read is masked too: which configuration it sets is
    unknown, so it may be a hidden one.
    """
    if not isinstance(obj, dict):
        return False
    method, params = obj.get("method"), obj.get("params")
    if not isinstance(method, str) or method.strip().lower() != "xset" or not isinstance(params, dict):
        return False
    found = _arg(params, "Path")
    path = _raw_path(found[1]) if found is not None else None
    return path is None or secret_config(path, schema)


def _mask_keys(obj: Any, mask: Any) -> Any:
    """A JSON value with the values of password-like keys (any depth) replaced by `mask`."""
    if isinstance(obj, list):
        return [_mask_keys(v, mask) for v in obj]
    if not isinstance(obj, dict):
        return obj
    return {k: mask if isinstance(k, str) and is_secret_name(k) else _mask_keys(v, mask)
            for k, v in obj.items()}


def redact_raw(obj: Any, schema: Schema | None, mask: Any = MASK) -> Any:
    """A raw JSON-RPC request (or a batch: a list of them) with every secret value
    replaced by `mask`.

    Password-like keys at any depth (an xCommand's Passphrase, …), the Value of an
    xSet of a secret configuration (`raw_set_is_secret`), and the whole params of an
    xSet/xCommand whose params are not an object (`_opaque_params`). May raise
    RecursionError for absurdly deep input; callers mask the whole line then.
    """
    if isinstance(obj, list):
        return [redact_raw(o, schema, mask) for o in obj]
    out = _mask_keys(obj, mask)
    if _opaque_params(obj):
        out["params"] = mask
        return out
    if raw_set_is_secret(obj, schema) and isinstance(out.get("params"), dict):
        out["params"] = {k: mask if isinstance(k, str) and k.lower() == "value" else v
                         for k, v in out["params"].items()}
    return out


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


def raw_secret_values(obj: Any, schema: Schema | None) -> list[Any]:
    """The secret scalar values a raw request carries (for scrubbing a device's message)."""
    if isinstance(obj, list):
        return [v for o in obj for v in raw_secret_values(o, schema)]
    if _opaque_params(obj):
        return _leaves(obj["params"])
    found: list[Any] = []
    stack = [obj]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str) and is_secret_name(k):
                    found += _leaves(v)
                else:
                    stack.append(v)
        elif isinstance(node, list):
            stack.extend(node)
    if raw_set_is_secret(obj, schema) and isinstance(obj.get("params"), dict):
        value = _arg(obj["params"], "Value")
        if value is not None:
            found += _leaves(value[1])
    return found


def json_spans(text: str, at: int, schema: Schema | None,
               whole_if_unread: bool = False) -> list[tuple[int, int]]:
    """Where the JSON text `text` (starting at offset `at` of a line) holds secret values.

    Text that parses is checked: masking the spans found must give exactly what
    `redact_raw` gives, else (a secret in a form the scan does not follow: an escaped
    key, an object as the value, positional params) the whole text is one span. Text
    that does not parse is one span too with `whole_if_unread` (a line typed: what it
    would set cannot be known); without it (a wire frame cut short) it is scanned:
    password-like keys, and every `value` key.
    """
    try:
        obj: Any = json.loads(text)
    except (ValueError, RecursionError):
        if whole_if_unread:
            return [(at, at + len(text))] if text else []
        obj = _UNREAD
    values = obj is _UNREAD or any(raw_set_is_secret(o, schema)
                                   for o in (obj if isinstance(obj, list) else [obj]))
    found = [m for m in _JSON_PAIR.finditer(text)
             if is_secret_name(m.group(1)) or (values and m.group(1).lower() == "value")]
    spans = [(m.start(2), m.end(2)) for m in found]
    if obj is not _UNREAD:
        try:
            pieces, last = [], 0
            for start, end in spans:
                pieces += [text[last:start], "null"]
                last = end
            if json.loads("".join(pieces) + text[last:]) != redact_raw(obj, schema, None):
                return [(at, at + len(text))]
        except (ValueError, RecursionError):
            return [(at, at + len(text))]
    return [(at + start, at + end) for start, end in spans]


def redact_spans(line: str, schema: Schema | None = None,
                 tokens: Sequence[Token] | None = None) -> list[tuple[int, int]]:
    """Where `line` holds secret values, as sorted (start, end) offsets.

    Token based, so it works on lines that do not parse: after a password-like
    parameter (or a hide_value configuration's ':') everything up to the next
    `Name:` is masked, in case the user forgot the quotes around a secret with spaces.
    `tokens`: the line's tokens when the caller read it already (lang.line: read once).
    """
    toks = [t for t in (tokenize(line) if tokens is None else tokens) if t.kind is not Kind.WS]
    if toks and toks[0].kind is Kind.DEVICES:  # `@room1,room2 LINE`: LINE holds the secrets
        toks = toks[1:]
    if not toks:
        return []
    if toks[0].kind is Kind.SHELL:  # a shell command carrying an xAPI line (`as FORM LINE`)
        inner = next((t for t in toks[1:] if resolve_verb(t.text) or t.text[:1] in ("{", "[")), None)
        if inner is None:
            return []
        return [(s + inner.start, e + inner.start)
                for s, e in redact_spans(line[inner.start:], schema)]
    if toks[0].text[:1] in ("{", "["):  # raw JSON-RPC (a batch too): the same rules, read from its JSON
        rest = line[toks[0].start:].rstrip()
        return json_spans(rest, toks[0].start, schema, whole_if_unread=True)
    verb = resolve_verb(toks[0].text) if toks[0].kind is Kind.VERB else None
    if verb is None:  # an unknown first word (`xSet …/Password x`): what it means cannot be known
        return _after_secret_word(line, toks)
    if verb == "xConfiguration":
        return _config_spans(toks, schema)
    if verb not in ("xCommand", "xDocument"):
        return []
    spans: list[tuple[int, int]] = []
    masking = False
    for i, t in enumerate(toks[1:], start=1):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.kind in (Kind.PARAM, Kind.NODE):
            named = nxt is not None and nxt.kind is Kind.COLON
            valued = named or (nxt is not None and nxt.kind in (Kind.STRING, Kind.VALUE))
            pathed = toks[i - 1].text == "/"  # an unknown path ending in a secret (`Bar/Password x`)
            if _secretish(t.text) and (t.kind is Kind.PARAM or valued or pathed):
                masking = True
            elif named:
                masking = False
            elif masking:
                spans.append((t.start, t.end))
        elif t.kind in (Kind.STRING, Kind.VALUE, Kind.INDEX, Kind.ERROR) and masking:
            spans.append((t.start, t.end))
        elif t.kind in (Kind.VALUE, Kind.ERROR) and _secretish(_WORD_SEP.split(t.text.strip("/."))[-1]):
            masking = True  # an unknown word whose path ends in a secret (`Foo/Password`)
        elif t.kind in (Kind.TAG, Kind.HELP):
            masking = False
    return spans


_FUZZY_SECRETS = ("password", "passphrase", "passcode", "secret")
_WORD_SEP = re.compile(r"[^A-Za-z0-9_]+")
_NAMEISH = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _secretish(name: str, siblings: Sequence[Node] = ()) -> bool:
    """Whether `name` is, or was probably meant as, a secret's name: password-like, a
    misspelling of one (`Pasword`), or a word whose "did you mean" among `siblings`
    (the schema's names where it stands) is a secret. Errs on masking."""
    if not name or is_secret_name(name):
        return True if name else False
    import difflib  # here: a one-shot run that masks nothing does not pay for it

    words = [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)] or [name.lower()]
    if any(difflib.get_close_matches(w, _FUZZY_SECRETS, n=1, cutoff=0.8) for w in [*words, name.lower()]):
        return True
    by_low = {n.name.lower(): n for n in siblings}
    hit = difflib.get_close_matches(name.lower()[:100], list(by_low), n=1, cutoff=0.6)
    return bool(hit) and (by_low[hit[0]].hide_value or is_secret_name(by_low[hit[0]].name))


def _after_secret_word(line: str, toks: list[Token]) -> list[tuple[int, int]]:
    """A line of unknown form: everything after its first secret-looking name is masked."""
    for t in toks[1:]:
        for m in _NAMEISH.finditer(t.text):
            if _secretish(m.group()):
                start = t.start + m.end()
                while start < len(line) and line[start] in " \t:=/\"'":
                    start += 1
                end = len(line.rstrip())
                return [(start, end)] if start < end else []
    return []


def _secret_leaf(names: list[str], schema: Schema | None, guess: bool) -> bool:
    """Whether the configuration path `names` ends at a secret leaf (hide_value or
    password-like). Without a Configuration schema the name decides, and only when
    `guess` (no ':' on the line, so where the path ends is not written down)."""
    if schema is None or schema.root("Configuration") is None:
        return guess and is_secret_name(names[-1])
    node = schema_node(schema, ["Configuration", *names])
    return node is not None and not node.children and (node.hide_value or is_secret_name(node.name))


def _value_span(toks: list[Token]) -> list[tuple[int, int]]:
    """One span over `toks` up to a `| resultId=` tag (a value may be many words)."""
    value = []
    for t in toks:
        if t.kind in (Kind.TAG, Kind.HELP):
            break
        value.append(t)
    return [(value[0].start, value[-1].end)] if value else []


def _config_spans(toks: list[Token], schema: Schema | None) -> list[tuple[int, int]]:
    colon = next((i for i, t in enumerate(toks) if t.kind is Kind.COLON), None)
    # a path that reaches a secret leaf before its ':' (or with none: `… Password S3cret`):
    # every word after the leaf is the secret, mistyped, whatever the parser makes of it
    end = len(toks) if colon is None else colon
    names: list[str] = []
    for i in range(1, end - 1):
        if toks[i].kind in (Kind.NODE, Kind.INDEX):
            names.append(toks[i].text)
            if _secret_leaf(names, schema, guess=colon is None):
                return _value_span(toks[i + 1:])
    if colon is None or colon < 2:
        return []
    names = [t.text for t in toks[1:colon] if t.kind in (Kind.NODE, Kind.INDEX)]
    parent = schema_node(schema, ["Configuration", *names[:-1]]) if names else None
    siblings = tuple(parent.children.values()) if parent is not None else ()
    if not (_secretish(toks[colon - 1].text, siblings) or secret_config(["Configuration", *names], schema)):
        return []
    # everything after the ':' up to a `| resultId=` tag is the value: one mask, however
    # many words (a secret typed without quotes may hold spaces)
    return _value_span(toks[colon + 1:])


def redact_line(line: str, schema: Schema | None = None, tokens: Sequence[Token] | None = None) -> str:
    """`line` with every secret value replaced by *** (`tokens`: as read already, if it was)."""
    out, last = [], 0
    for start, end in redact_spans(line, schema, tokens):
        out += [line[last:start], MASK]
        last = end
    return "".join(out) + line[last:]


def mask_body(body: str) -> str:
    """A multiline command's body as it may be kept: PEM private keys masked, nothing else.

    A body is free text — a macro, a panel's XML, a certificate, a banner — and no
    schema says which of it is secret, so it is kept as typed; the one exception is a
    private key block (Security Certificates … Add), which must never reach a file.
    """
    return _PRIVATE_KEY.sub(lambda m: f"{m.group(1)}\n{MASK}\n{m.group(2)}", body)


def redact_entry(text: str, schema: Schema | None, tokens: Sequence[Token] | None = None) -> str:
    """`text` (a line, maybe with its multiline body) as history, echo and transcripts keep it.

    The one place those three mask a typed line, so they always show the same text:
    the first line by `redact_line`, the body by `mask_body`. Should masking ever fail
    on odd input, only the first word is kept: losing a line beats keeping a secret.
    """
    line, sep, body = text.partition("\n")
    try:
        shown = redact_line(line, schema, tokens)  # `tokens`: of the first line, as read once
    except Exception:  # never risk keeping a secret
        log.exception("could not mask a line")
        shown = (line.split(None, 1) or [""])[0] + " " + MASK
    return shown + sep + mask_body(body)
