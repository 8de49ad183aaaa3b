"""Completion candidates: a pure function of the text, the schema and the live values.

`suggest` (shared grammar) says *what kind* of thing goes at the cursor; this module says
*which* things, with the meta a technician needs to choose: the value space, the current
value of a status or configuration leaf, the first line of the description. Matching is
case-insensitive prefix first, then substring, then fuzzy (letters in order), so `vol`
finds Volume and `dfv` finds DefaultVolume. No prompt-toolkit here: the UI adapts
`Candidate` to its own Completion type.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from xshell.contract import Candidate
from xshell.lang.grammar import ALL_DEVICES, SUBVERBS, VERBS, Kind, tokenize
from xshell.lang.vocabulary import shell_vocabulary
from xshell.lang.instance_ids import instance_source
from xshell.lang.protocols import LiveValues
from xshell.lang.search import search_matches
from xshell.lang.suggest import Suggestion, suggest
from xshell.lang.unparse import quote
from xshell.schema.model import Node, Param, PathElem, Schema, ValueSpace

MAX_CANDIDATES = 200
_MAIN_VERBS = ("xStatus", "xConfiguration", "xCommand", "xFeedback", "xEvent", "xPreferences")
_HELP_PREFIX = re.compile(r"\s*help\s+", re.I)  # `help xStatus Au` completes like `xStatus Au`
_PATH_ARGS = re.compile(r"\s*(\S+)\s+")  # `watch ` (the registry's takes_paths commands)
_FEEDBACK_HEAD = re.compile(r"\s*\S+\s+\S+\s*")  # `xFeedback deregister `
# `shell_words` keys: the names the shell knows at run time, by kind (the command
# registry's argument completers ask for them).
DEVICE_WORDS = "@"  # the connected devices' names (and the groups', which select them)
GROUP_WORDS = "@groups"  # which of those names are [groups] names (labelled "group")
PROFILE_WORDS = "profiles"
SNAPSHOT_WORDS = "snapshots"
WATCH_WORDS = "watches"  # the current device's `watch` expressions (for `unwatch`)


def _first_line(text: str, limit: int = 60) -> str:
    line = text.strip().split(". ")[0].split("\n")[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _fuzzy(word: str) -> re.Pattern[str]:
    return re.compile(".*?".join(map(re.escape, word.lower())))


def rank(word: str, names: Iterable[str], keep_order: bool = False) -> list[str]:
    """Names matching `word`: prefix matches, then substring, then fuzzy.

    Each group alphabetical, or in the given order with `keep_order` (literal values,
    whose schema order means something: Auto first, Off before On as the device lists).
    """
    low = word.lower()
    if not low:
        return list(names) if keep_order else sorted(names, key=str.lower)
    prefix: list[str] = []
    sub: list[str] = []
    fuzzy: list[str] = []
    pat = _fuzzy(low)
    for n in names:
        nl = n.lower()
        if nl.startswith(low):
            prefix.append(n)
        elif low in nl:
            sub.append(n)
        elif pat.search(nl):
            fuzzy.append(n)
    if keep_order:
        return prefix + sub + fuzzy
    key = str.lower
    return sorted(prefix, key=key) + sorted(sub, key=key) + sorted(fuzzy, key=key)


def describe_node(node: Node) -> str:
    """Short meta for a node: its value space, kind or instance range."""
    if node.kind == "leaf" and node.value_space is not None:
        return node.value_space.describe()
    if node.kind == "command":
        return "command" + (" (multiline)" if node.multiline else "")
    if node.kind == "event":
        return "event"
    if node.multi:
        if node.instances:
            return f"[{min(node.instances)}..{max(node.instances)}]"
        return "[n]"
    return "…"


def _show_value(value: object, node: Node) -> str:
    if node.hide_value:
        return "***"
    text = quote(value) if isinstance(value, str) and node.value_space is not None \
        and node.value_space.is_string else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _node_meta(node: Node, live: LiveValues | None, path: Sequence[PathElem]) -> str:
    parts = [describe_node(node)]
    if live is not None and node.kind == "leaf":
        value = live.value(path)
        if value is not None:
            parts.append("= " + _show_value(value, node))
    if node.description:
        parts.append(_first_line(node.description))
    return "  ".join(parts)


@functools.lru_cache(maxsize=16)
def _names_found(schema: Schema, pattern: tuple[PathElem, ...]) -> tuple[str, ...]:
    """The names a `//` search `pattern` (root first, the word typed last) selects.

    Asked of the search matcher itself, so completion offers exactly the names the
    query will return: the last element of each schema path the pattern selects whose
    parent it does not (below a match the whole subtree is selected too).
    """
    everything = pattern[-1] == ""  # `//` alone: every name below is in the answer
    found = {path[-1] for path, _ in schema.walk(str(pattern[0]))
             if len(path) > 1 and search_matches(path, pattern)
             and (everything or not search_matches(path[:-1], pattern))}
    return tuple(sorted(found, key=str.lower))


def candidates(text: str, schema: Schema | None, live: LiveValues | None = None,
               registrations: Sequence[str] = (),
               shell_words: Mapping[str, Sequence[str]] | None = None) -> list[Candidate]:
    """Completions for the cursor at the end of `text`. Never raises on odd input.

    `registrations` are the registered feedback expressions (for `deregister`).
    `shell_words` adds names the shell knows at run time for a shell command's
    arguments (snapshot names for `diff`, device names for `use`, profiles for `connect`),
    keyed by kind (DEVICE_WORDS, PROFILE_WORDS, SNAPSHOT_WORDS); the connected devices
    also complete a leading `@a,b`. Shell commands and their arguments come from the
    installed `ShellVocabulary` (the command registry's).
    """
    lead = next((t for t in tokenize(text) if t.kind is not Kind.WS), None)
    if lead is not None and lead.kind is Kind.DEVICES:
        return _after_devices(text, lead.end, schema, live, registrations, shell_words or {})
    helped = _HELP_PREFIX.match(text)
    if helped:
        inner = candidates(text[helped.end():], schema, live, registrations, shell_words)
        return [replace(c, start=c.start + helped.end()) for c in inner
                if c.meta != "shell command"]
    pathed = _PATH_ARGS.match(text)
    if pathed and pathed.group(1).lower() in shell_vocabulary().path_words:
        return _path_args(text, pathed.end(), schema, live)
    s = suggest(text, schema)
    if s.kind == "expression" and s.args[:1] == ("deregister",):
        head = _FEEDBACK_HEAD.match(text)
        base = head.end() if head else s.start
        return [Candidate(e, base, e, "registered")
                for e in rank(text[base:], registrations)][:MAX_CANDIDATES]
    out = _dispatch(s, schema, live, shell_words or {})
    return out[:MAX_CANDIDATES]


def _path_args(text: str, end: int, schema: Schema | None, live: LiveValues | None
               ) -> list[Candidate]:
    """`watch PATH…`: one path in words completes as the xStatus/xConfiguration line it
    is; otherwise the word being typed completes as a slash path (`Status/Audio/Vo`)."""
    rest = text[end:]
    first = rest.split(None, 1)[0] if rest.strip() else ""
    if first[:1] in ("x", "X") and (" " in rest or first.lower().startswith(("xs", "xc"))):
        return [replace(c, start=c.start + end)
                for c in candidates(rest, schema, live) if c.meta == "xAPI" or " " in rest
                and c.meta != "shell command"]
    word_at = len(text) - len(re.split(r"\s", text)[-1])
    head = "xFeedback register "
    inner = [c for c in candidates(head + text[word_at:], schema, live)
             if not c.display.startswith("/Event")]
    out = [replace(c, start=c.start - len(head) + word_at) for c in inner]
    if not rest:
        out += [Candidate(v + " ", end, v, "one path in words") for v in ("xStatus", "xConfiguration")]
    return out


def _after_devices(text: str, end: int, schema: Schema | None, live: LiveValues | None,
                   registrations: Sequence[str],
                   shell_words: Mapping[str, Sequence[str]]) -> list[Candidate]:
    """`@a,b LINE`: device names inside the prefix; after it, LINE completes as a line."""
    if end == len(text):
        s = suggest(text, schema)
        if s.kind != "devices":
            return []
        listed = {n.lower() for n in s.args}
        names = [n for n in shell_words.get(DEVICE_WORDS, ()) if n.lower() not in listed]
        if not listed:
            names.append(ALL_DEVICES)
        groups = {g.lower() for g in shell_words.get(GROUP_WORDS, ())}
        return [Candidate(n, s.start, n, "every device" if n == ALL_DEVICES
                          else "group" if n.lower() in groups else "device")
                for n in rank(s.word, names)][:MAX_CANDIDATES]
    inner = candidates(text[end:], schema, live, registrations, shell_words)
    return [replace(c, start=c.start + end) for c in inner
            if not (c.meta == "shell command" and c.display in shell_vocabulary().whole_shell)]


def _dispatch(s: Suggestion, schema: Schema | None, live: LiveValues | None,
              shell_words: Mapping[str, Sequence[str]]) -> list[Candidate]:
    w, st = s.word, s.start
    if s.kind == "verb":
        shell = sorted(c for c in shell_vocabulary().names if c != "?")
        verbs = rank(w, _MAIN_VERBS) or rank(w, VERBS)
        return ([Candidate(n + " ", st, n, "xAPI") for n in verbs]
                + [Candidate(n + " ", st, n, "shell command") for n in rank(w, shell)])
    if s.kind == "shell":
        return _shell_args(s, shell_words)
    if s.kind == "subverb":
        return [Candidate(v + " ", st, v, "feedback") for v in rank(w, SUBVERBS, keep_order=True)]
    if s.kind == "expression":
        return _expressions(s)
    if s.kind == "node":
        return _nodes(s, schema, live)
    if s.kind == "index":
        return _indexes(s, live) + _nodes(s, schema, live)
    if s.kind == "param_name":
        return _params(s)
    if s.kind == "value":
        return _values(s, live, schema)
    return []


def _shell_args(s: Suggestion, shell_words: Mapping[str, Sequence[str]]) -> list[Candidate]:
    """A shell command's argument: what its registry entry offers for the args typed."""
    vocab = shell_vocabulary()
    name = vocab.canonical(s.verb or "") or (s.verb or "").lower()
    complete = vocab.args.get(name)
    offered = complete(s.args, shell_words) if complete is not None else ()
    meta_of = dict(reversed(offered))  # the first meta given for a word wins
    return [Candidate(o, s.start, o, meta_of[o]) for o in rank(s.word, list(meta_of))]


def _nodes(s: Suggestion, schema: Schema | None, live: LiveValues | None) -> list[Candidate]:
    if s.search and schema is not None and s.root:
        pattern = (*s.path, s.word)
        return [Candidate(n, s.start, n, "search") for n in rank(s.word, _names_found(schema, pattern))]
    node = s.node
    if node is None:
        return []
    by_name = {c.name: c for c in node.children.values()}
    out = []
    for name in rank(s.word, by_name):
        child = by_name[name]
        leaf = child.kind == "leaf"
        suffix = "" if leaf and s.verb == "xConfiguration" else " "
        out.append(Candidate(name + suffix, s.start, name, _node_meta(child, live, (*s.path, name))))
    return out


def _indexes(s: Suggestion, live: LiveValues | None) -> list[Candidate]:
    node = s.node
    ids: set[int] = set(node.instances) if node is not None else set()
    if live is not None:
        ids.update(live.instances(s.path))
    label = node.name if node is not None else "instance"
    return [Candidate(f"{i} ", s.start, str(i), f"{label} {i}")
            for i in sorted(ids) if str(i).startswith(s.word)]


def _params(s: Suggestion) -> list[Candidate]:
    node = s.node
    if node is None:
        return []
    given = {g.lower() for g in s.params_given}
    params = {p.name: p for p in node.params if p.multiple or p.name.lower() not in given}
    names = rank(s.word, params)
    names.sort(key=lambda n: not params[n].required)  # required first, rank kept within
    return [Candidate(f"{n}: ", s.start, n + ("(r)" if params[n].required else ""), _param_meta(params[n]))
            for n in names]


def _param_meta(p: Param) -> str:
    parts = [p.value_space.describe()]
    if p.multiple:
        parts.append("repeatable")
    if p.description:
        parts.append(_first_line(p.description))
    return "  ".join(parts)


def _values(s: Suggestion, live: LiveValues | None, schema: Schema | None = None) -> list[Candidate]:
    vs: ValueSpace | None = s.value_space
    if vs is None:
        return []
    hidden = s.node is not None and s.param is None and s.node.hide_value
    current = None
    if s.param is None and s.node is not None and live is not None and not hidden:
        current = live.value(s.path)
    sep = " " if s.param is not None else ""  # a command goes on: the next Tab offers parameters
    if vs.is_literal:
        def literal_meta(v: str) -> str:
            if current is not None and str(current).lower() == v.lower():
                return "current value"
            return "default" if vs.default is not None and vs.default.lower() == v.lower() else ""
        return [Candidate(v + sep, s.start, v, literal_meta(v))
                for v in rank(s.word.strip('"'), vs.values, keep_order=True)]
    out: list[Candidate] = []
    seen: set[str] = set()

    def add(value: object, meta: str, end: str = "") -> None:
        text = quote(str(value)) if vs.is_string else str(value)
        if text not in seen and text.lower().startswith(s.word.lower()):
            seen.add(text)
            out.append(Candidate(text + end, s.start, text, meta))

    if current is not None:
        add(current, "current value")
    if vs.default is not None and not hidden:
        add(vs.default, "default")
    if s.param is not None and schema is not None and live is not None:
        source = instance_source(schema, s.path, s.param)
        for i in live.instances(source) if source is not None else ():
            add(i, f"{source[-1]} {i} (live)", sep)  # type: ignore[index]  # not None inside the loop
    if vs.is_integer:
        for bound, meta in ((vs.min, "minimum"), (vs.max, "maximum")):
            if bound is not None:
                add(bound, meta)
    return out


def _expressions(s: Suggestion) -> list[Candidate]:
    if not s.path:
        lead = "/" if s.word.startswith("/") or not s.word else ""
        return [Candidate(lead + r + "/", s.start, "/" + r, "root")
                for r in rank(s.word.lstrip("/"), ("Status", "Configuration", "Event"))]
    node = s.node
    if node is None:
        return []
    by_name = {c.name: c for c in node.children.values()}
    return [Candidate(n + ("/" if by_name[n].children else ""), s.start, n,
                      _node_meta(by_name[n], None, ()))
            for n in rank(s.word, by_name)]
