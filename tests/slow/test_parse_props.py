"""Properties: any text yields a Request or a ParseError; requests survive to_line → parse."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FUZZ_EXAMPLES
from tests.unit.test_parse import SCHEMA
from xshell.lang.bodies import needs_body
from xshell.lang.grammar import tokenize
from xshell.lang.lexer import XapiLexer
from xshell.lang.parse import parse
from xshell.lang.parse_errors import ParseError, format_parse_error
from xshell.lang.requests import (Command, FeedbackDeregister, FeedbackDeregisterAll,
                                  FeedbackList, FeedbackRegister, Get, Help, Query, Raw,
                                  Request, Set)
from xshell.lang.suggest import suggest
from xshell.lang.unparse import redact_line, to_jsonrpc, to_line

FRAGMENTS = ["xStatus", "xcom", "xConfiguration", "xFeedback", "xEvent", "register", "deregister",
             "Dial", "Number", "Audio", "DefaultVolume", "Video", "Input", "Connector", ":", '"',
             "\\", "//", "**", "*", "?", "??", "|", " resultId=", "[1]", "[@item='1']", "/", "{",
             "}", "#", " ", "  ", "\t", "1", "-5", "99999999999999999999", "\x00", "é", "漢", "\n",
             "help", "Password", "\\u00", "[", "]", "=", "'"]
LINES = st.one_of(
    st.text(),
    st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)
PROPS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(line: str, schema: object) -> Request | ParseError:
    try:
        return parse(line, schema)  # type: ignore[arg-type]
    except ParseError as e:
        assert 0 <= e.column <= len(line)
        assert "\n" not in str(e)
        return e


@PROPS
@given(LINES, st.sampled_from([None, SCHEMA]))
def test_any_text_parses_or_fails_cleanly(line: str, schema: object) -> None:
    out = _outcome(line, schema)
    if isinstance(out, ParseError):
        shown = format_parse_error(line, out, schema)  # type: ignore[arg-type]
        assert len(shown) == 3 and shown[1].endswith("^")
    redact_line(line, schema)  # type: ignore[arg-type]
    needs_body(line, schema)  # type: ignore[arg-type]


@PROPS
@given(LINES)
def test_tokens_always_cover_the_text(line: str) -> None:
    toks = tokenize(line)
    assert "".join(t.text for t in toks) == line
    assert all(a.end == b.start for a, b in zip(toks, toks[1:]))


@PROPS
@given(LINES, st.sampled_from([None, SCHEMA]))
def test_suggest_and_lexer_accept_any_prefix(line: str, schema: object) -> None:
    for cut in {0, len(line) // 2, len(line)}:
        got = suggest(line[:cut], schema)  # type: ignore[arg-type]
        assert 0 <= got.start <= cut
    lexed = list(XapiLexer(schema).get_tokens_unprocessed(line))  # type: ignore[arg-type]
    assert "".join(v for _, _, v in lexed) == line


@pytest.mark.parametrize("line", [
    "xStatus " + "Audio" * 2000,
    "xStatus Call " + "9" * 10_000,
    'xCommand Dial Number: "' + "x" * 10_000 + '"',
    "xConfiguration Audio DefaultVolume: " + "7" * 10_000,
    "xCommand Dial CallRate: -" + "1" * 10_000,
    "xFeedback register /Status/" + "Call/" * 2000 + "[" + "1" * 5000 + "]",
    "xCommand " + "A: " * 3500,
    "\x00" * 10_000,
    '{"a": ' + "9" * 10_000 + "}",
    "? " * 5000,
    bytes(range(256)).decode("latin-1") * 40,
])
@pytest.mark.parametrize("schema", [None, SCHEMA])
def test_ten_thousand_character_lines(line: str, schema: object) -> None:
    out = _outcome(line, schema)
    if isinstance(out, ParseError):
        assert all(len(s) < 300 for s in format_parse_error(line, out))
    assert "".join(v for _, _, v in XapiLexer(schema).get_tokens_unprocessed(line)) == line  # type: ignore[arg-type]
    suggest(line, schema)  # type: ignore[arg-type]


# --- round trip: parse(to_line(r)) == r ---------------------------------------------------

names = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True)
ids = st.integers(0, 10**6)
texts = st.text(max_size=30)
tags = st.none() | texts


def _query(root: str, parts: list, tag: str | None = None) -> Query:
    """The Query the parser builds for a path with search markers (see Query's docstring)."""
    flat: list = [root]
    for p in parts:
        flat.extend(p if isinstance(p, tuple) else (p,))
    if "//" not in flat:
        return Query(tuple(flat), (), tag)
    cut = flat.index("//")
    return Query(tuple(flat[:cut] + ([] if flat[cut - 1] == "**" else ["**"])), tuple(flat), tag)


@st.composite
def feedback(draw: st.DrawFn) -> FeedbackRegister | FeedbackDeregister:
    root = draw(st.sampled_from(["Status", "Configuration", "Event"]))
    parts, query = [draw(st.sampled_from([root, root.lower(), root.upper()]))], [root]
    for _ in range(draw(st.integers(0, 5))):
        name = draw(names)
        parts.append(name)
        query.append(name)
        if draw(st.booleans()):
            n = draw(st.integers(1, 99))
            parts[-1] += draw(st.sampled_from([f"[{n}]", f"[@item='{n}']"]))
            query.append(n)
    expression = draw(st.sampled_from(["/", ""])) + "/".join(parts)
    cls = draw(st.sampled_from([FeedbackRegister, FeedbackDeregister]))
    return cls(expression, tuple(query), result_id=draw(tags))


path_elems = st.lists(names | ids, max_size=5)
params = st.dictionaries(names, texts | st.lists(texts, min_size=2, max_size=3).map(tuple),
                         max_size=4).map(lambda d: tuple({k.lower(): (k, v) for k, v in d.items()}.values()))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=10)

REQUESTS = st.one_of(
    st.builds(lambda r, p, t: Get((r, *p), t), st.sampled_from(["Status", "Configuration"]), path_elems, tags),
    st.builds(_query, st.sampled_from(["Status", "Configuration"]),
              st.lists(names | ids | st.just("**") | names.map(lambda n: ("//", n)), max_size=5).filter(
                  lambda p: any(e == "**" or isinstance(e, tuple) for e in p)), tags),
    st.builds(lambda n, p, v, t: Set(("Configuration", n, *p), v, t), names, path_elems, texts, tags),
    st.builds(lambda p, ps, t: Command(tuple(p), ps, None, t), st.lists(names, min_size=1, max_size=4), params, tags),
    feedback(),
    st.builds(FeedbackDeregisterAll, tags),
    st.builds(FeedbackList, tags),
    st.builds(lambda r, p, d: Help(r, tuple(p), d), st.sampled_from(["Status", "Configuration", "Command"]),
              st.lists(names | ids, max_size=4), st.booleans()),
    st.builds(lambda p, d: Help("Event", tuple(p), d), st.lists(names, max_size=3), st.booleans()),
    st.dictionaries(texts, json_values, max_size=4).map(Raw),
)


@settings(max_examples=400, deadline=None)
@given(REQUESTS)
def test_round_trip_without_a_schema(req: Request) -> None:
    line = to_line(req)
    assert parse(line) == req, line
    assert len(line.splitlines()) == 1  # history files and scripts keep it on one line


def _schema_requests() -> st.SearchStrategy[Request]:
    leaves = [path for path, node in SCHEMA.walk() if node.kind == "leaf" and path[0] in ("Status", "Configuration")]
    return st.one_of(
        st.sampled_from(leaves).map(lambda p: Get(tuple(p))),
        st.builds(lambda v, t: Set(("Configuration", "Audio", "DefaultVolume"), v, t), st.integers(0, 100), tags),
        st.builds(lambda v: Set(("Configuration", "UserInterface", "Theme", "Name"), v),
                  st.sampled_from(["Auto", "Light", "Night"])),
        st.builds(lambda n, v: Set(("Configuration", "Video", "Input", "Connector", n, "Name"), v),
                  st.integers(1, 3), st.text(max_size=50)),
        st.builds(lambda num, proto, rate: Command(("Dial",), (("Number", num),) + proto + rate),
                  st.text(max_size=40), st.sampled_from([(), (("Protocol", "H323"),), (("Protocol", "Spark"),)]),
                  st.integers(64, 6000).map(lambda r: (("CallRate", r),)) | st.just(())),
        st.builds(lambda ids: Command(("Video", "Input", "SetMainVideoSource"), (("ConnectorId", ids),)),
                  st.integers(1, 5) | st.lists(st.integers(1, 5), min_size=2, max_size=4).map(tuple)),
    )


@settings(max_examples=200, deadline=None)
@given(_schema_requests())
def test_round_trip_with_a_schema(req: Request) -> None:
    line = to_line(req, schema=SCHEMA)
    assert parse(line, SCHEMA) == req, line
    if not isinstance(req, (Help,)):
        method, _ = to_jsonrpc(req)
        assert method


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"S3cr[a-z0-9]{4,10}", fullmatch=True), st.from_regex(r"Z9[a-z]{4,8}", fullmatch=True))
def test_redacted_lines_never_hold_the_secret(new: str, old: str) -> None:
    req = Command(("UserManagement", "User", "Passphrase", "Set"),
                  (("NewPassphrase", new), ("OldPassphrase", old)))
    assert new in to_line(req) and old in to_line(req)
    for line in (to_line(req, redact=True), redact_line(to_line(req)),
                 redact_line(f"xCommand UserManagement User Passphrase Set NewPassphrase: {new} {old}")):
        assert new not in line and old not in line


def test_json_floats_survive_the_round_trip() -> None:
    req = Raw({"x": 0.1, "y": -1e300, "z": math.pi})
    assert parse(to_line(req)) == req


# Issue 5: 10,000 random lines through the parser (with the built-in device's schema, the
# way the shell runs it) give a Request or a ParseError — never any other exception.
_FUZZ_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
_FUZZ_WORDS = st.sampled_from(["xStatus", "xConfiguration", "xCommand", "xFeedback", "register",
                               "Audio", "Volume", "Dial", "Number:", '"', "//", "**", "?", "??",
                               "|", "resultId=", "{", "}", ":", "1", "Call", "[1]", "/Status/"])
_FUZZ_LINES = st.one_of(
    st.text(_FUZZ_ALPHABET, max_size=200),
    st.lists(st.one_of(_FUZZ_WORDS, st.text(_FUZZ_ALPHABET, max_size=8)), max_size=14).map(" ".join),
)


@pytest.mark.slow
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))  # 10,000 in CI
@given(line=_FUZZ_LINES)
def test_ten_thousand_random_lines_parse_or_fail_cleanly(line: str) -> None:
    from xshell.lang.parse import parse
    from xshell.lang.parse_errors import ParseError
    from xshell.sim.builtin import load_builtin

    schema = load_builtin().schema
    try:
        parse(line, schema)
    except ParseError as err:
        assert "\n" not in str(err)
