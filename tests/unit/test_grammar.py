"""The tokenizer: what each piece of a line is, for the parser, completer and highlighter."""

from __future__ import annotations

import pytest

from xshell.lang.expression import ExpressionError, split_expression
from xshell.lang.grammar import Kind, resolve_verb, tag_value, tokenize, unquote

K = Kind


def kinds(line: str) -> list[tuple[str, str]]:
    """(kind, text) of the tokens that are not whitespace."""
    return [(t.kind.value, t.text) for t in tokenize(line) if t.kind is not K.WS]


@pytest.mark.parametrize("word,verb", [
    ("xStatus", "xStatus"), ("XSTATUS", "xStatus"), ("xstat", "xStatus"), ("xsta", "xStatus"),
    ("xconf", "xConfiguration"), ("xConfig", "xConfiguration"), ("xcon", "xConfiguration"),
    ("xcom", "xCommand"), ("xcommand", "xCommand"), ("xfeed", "xFeedback"), ("xpref", "xPreferences"),
    ("xdoc", "xDocument"), ("xEvent", "xEvent"), ("xeve", "xEvent"), ("xgetxml", "xGetxml"),
    ("xst", None), ("xc", None), ("x", None), ("xstatusx", None), ("status", None), ("", None),
])
def test_verbs_are_case_insensitive_with_unambiguous_prefixes(word: str, verb: str | None) -> None:
    assert resolve_verb(word) == verb


@pytest.mark.parametrize("line,expected", [
    ("xStatus Audio Volume", [("verb", "xStatus"), ("node", "Audio"), ("node", "Volume")]),
    ("xStatus Call 3 Status", [("verb", "xStatus"), ("node", "Call"), ("index", "3"), ("node", "Status")]),
    ("xConfiguration Video Input Connector[2] Name",
     [("verb", "xConfiguration"), ("node", "Video"), ("node", "Input"), ("node", "Connector"),
      ("index", "[2]"), ("node", "Name")]),
    ("xConfiguration Audio DefaultVolume: 75",
     [("verb", "xConfiguration"), ("node", "Audio"), ("node", "DefaultVolume"), ("colon", ":"), ("value", "75")]),
    ('xConfiguration SystemUnit Name: "My System"',
     [("verb", "xConfiguration"), ("node", "SystemUnit"), ("node", "Name"), ("colon", ":"), ("string", '"My System"')]),
    ("xCommand Dial Number:543210 Protocol:h323",
     [("verb", "xCommand"), ("node", "Dial"), ("param", "Number"), ("colon", ":"), ("value", "543210"),
      ("param", "Protocol"), ("colon", ":"), ("value", "h323")]),
    ('xCommand Dial Number "x"', [("verb", "xCommand"), ("node", "Dial"), ("node", "Number"), ("string", '"x"')]),
    ("xCommand Dial Number: sip:a@b.c", [("verb", "xCommand"), ("node", "Dial"), ("param", "Number"),
                                         ("colon", ":"), ("value", "sip:a@b.c")]),
    ("xCommand Dial Number: Protocol: Sip",
     [("verb", "xCommand"), ("node", "Dial"), ("param", "Number"), ("colon", ":"), ("param", "Protocol"),
      ("colon", ":"), ("value", "Sip")]),
    ("xstatus //vid//res//wid ?",
     [("verb", "xstatus"), ("search", "//"), ("node", "vid"), ("search", "//"), ("node", "res"),
      ("search", "//"), ("node", "wid"), ("help", "?")]),
    ("xConfiguration // Name ??", [("verb", "xConfiguration"), ("search", "//"), ("node", "Name"), ("help", "??")]),
    ("xStatus ** DisplayName", [("verb", "xStatus"), ("wildcard", "**"), ("node", "DisplayName")]),
    ("xStatus Audio?", [("verb", "xStatus"), ("node", "Audio"), ("help", "?")]),
    ('xStatus Audio Volume |resultId="Custom Value 1"',
     [("verb", "xStatus"), ("node", "Audio"), ("node", "Volume"), ("tag", '|resultId="Custom Value 1"')]),
    ("xStatus Audio | resultId=abc  ", [("verb", "xStatus"), ("node", "Audio"), ("tag", "| resultId=abc")]),
    ("xStatus Audio | bogus", [("verb", "xStatus"), ("node", "Audio"), ("error", "| bogus")]),
    ("xFeedback register /Configuration/Video/Input/Connector[@item='3']/Name",
     [("verb", "xFeedback"), ("subverb", "register"), ("expr", "/Configuration/Video/Input/Connector[@item='3']/Name")]),
    ("xFeedback Register Status Audio Volume",
     [("verb", "xFeedback"), ("subverb", "Register"), ("expr", "Status"), ("expr", "Audio"), ("expr", "Volume")]),
    ("xFeedback register Site[ 1 ]/x", [("verb", "xFeedback"), ("subverb", "register"), ("expr", "Site[ 1 ]/x")]),
    ("xFeedback deregisterall now", [("verb", "xFeedback"), ("subverb", "deregisterall"), ("error", "now")]),
    ("xFeedback bogus", [("verb", "xFeedback"), ("error", "bogus")]),
    ("xFeedback reg", [("verb", "xFeedback"), ("subverb", "reg")]),
    ("xpref outputmode json", [("verb", "xpref"), ("node", "outputmode"), ("value", "json")]),
    ("?", [("shell", "?")]),
    ("help xstatus", [("shell", "help"), ("value", "xstatus")]),
    ("BYE", [("shell", "BYE")]),
    ("xStatus help", [("verb", "xStatus"), ("node", "help")]),
    ("frobnicate now", [("error", "frobnicate"), ("value", "now")]),
    ('  {"jsonrpc": "2.0", "id": 1}  ', [("json", '{"jsonrpc": "2.0", "id": 1}')]),
    ("# xStatus Audio", [("comment", "# xStatus Audio")]),
    ("xStatus Au$dio 12x", [("verb", "xStatus"), ("error", "Au$dio"), ("error", "12x")]),
    ("xStatus ??? ***", [("verb", "xStatus"), ("error", "???"), ("error", "***")]),
    ("", []),
])
def test_token_kinds(line: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(line) == expected


@pytest.mark.parametrize("line", [
    'xCommand Dial Number: "alice', 'xCommand Dial Number: "al\\"ice', 'xCommand X Text: "a b \\',
])
def test_an_unterminated_string_runs_to_the_end_and_is_flagged(line: str) -> None:
    last = tokenize(line)[-1]
    assert (last.kind, last.complete, last.end) == (K.STRING, False, len(line))


def test_a_closed_string_keeps_escaped_quotes_inside() -> None:
    toks = [t for t in tokenize('xCommand X Text: "a \\"b\\" c" Y: 1') if t.kind is K.STRING]
    assert [(t.text, t.complete) for t in toks] == [('"a \\"b\\" c"', True)]


@pytest.mark.parametrize("line", [
    "xCommand Dial Number: \"x\" | resultId=\"1\"", "  xstat   Audio  ", "\x00\x01 xStatus",
    "xStatus\tAudio\nVolume", "{\"a\": 1} trailing", "xFeedback register /a[1/b c|d?",
    "xCommand X Y: \"é ü 漢字\" Z: ?", "xconf A B: x y z", "xCommand : : :",
])
def test_tokens_cover_the_line_exactly(line: str) -> None:
    toks = tokenize(line)
    assert "".join(t.text for t in toks) == line
    assert all(t.text == line[t.start:t.end] for t in toks)
    assert all(a.end == b.start for a, b in zip(toks, toks[1:]))


def test_text_cut_at_the_cursor_still_tokenizes() -> None:
    assert kinds("xCommand Dial Num") == [("verb", "xCommand"), ("node", "Dial"), ("node", "Num")]
    assert kinds("xCommand Dial Number:") == [("verb", "xCommand"), ("node", "Dial"), ("param", "Number"),
                                              ("colon", ":")]
    assert kinds("xsta") == [("verb", "xsta")]
    assert kinds("xStatus Audio //") == [("verb", "xStatus"), ("node", "Audio"), ("search", "//")]


@pytest.mark.parametrize("text,value", [
    ('"plain"', "plain"), ('""', ""), ('"a \\"q\\" b"', 'a "q" b'), ('"back\\\\slash"', "back\\slash"),
    ('"tab\\tnl\\n"', "tab\tnl\n"), ('"\\u00e9\\u4e2d"', "é中"), ('"keep \\q"', "keep \\q"),
    ('"open', "open"), ('"ends in \\', "ends in \\"),
])
def test_unquote(text: str, value: str) -> None:
    assert unquote(text) == value


def test_tag_value() -> None:
    assert tag_value('| resultId="a \\"b\\""') == 'a "b"'
    assert tag_value("|RESULTID=x1") == "x1"
    assert tag_value("| other=1") is None


@pytest.mark.parametrize("expr,values", [
    ("/Status/Audio/Volume", ["Status", "Audio", "Volume"]),
    ("Status Audio Volume", ["Status", "Audio", "Volume"]),
    ("/Configuration/Video/Input/Connector[@item='3']/Name", ["Configuration", "Video", "Input", "Connector", 3, "Name"]),
    ('Connector[@item="3"]', ["Connector", 3]),
    ("Connector[@item=3]", ["Connector", 3]),
    ("/Status/Video/Layout/Prediction/Site[1]", ["Status", "Video", "Layout", "Prediction", "Site", 1]),
    ("event/userinterface/extensions/*", ["event", "userinterface", "extensions"]),
    ("Status//Volume", ["Status", "**", "Volume"]),
    ("Status/**/Volume", ["Status", "**", "Volume"]),
    ("Status/Call/2/Status", ["Status", "Call", 2, "Status"]),
    ("", []),
])
def test_split_expression(expr: str, values: list) -> None:
    assert [e.value for e in split_expression(expr)] == values


def test_split_expression_offsets_point_into_the_text() -> None:
    expr = "/Status/Site[1]"
    assert [expr[e.start:e.end] for e in split_expression(expr)] == ["Status", "Site", "[1]"]


@pytest.mark.parametrize("expr,offset", [
    ("/Status/Site[x]", 12), ("/Status/Site[1", 12), ("/Status/$", 8), ("/Status/***", 8),
    ("/Status/Call/12345678901", 13),
])
def test_split_expression_errors_say_where(expr: str, offset: int) -> None:
    with pytest.raises(ExpressionError) as info:
        split_expression(expr)
    assert info.value.offset == offset


# --- `@DEVICES LINE`: a leading device list is its own token; the rest is a line ----------

@pytest.mark.parametrize("line,expected", [
    ("@all xStatus Audio", [("devices", "@all"), ("verb", "xStatus"), ("node", "Audio")]),
    ("  @room1,room2 xconf Audio DefaultVolume: 50",
     [("devices", "@room1,room2"), ("verb", "xconf"), ("node", "Audio"),
      ("node", "DefaultVolume"), ("colon", ":"), ("value", "50")]),
    ("@room1 help", [("devices", "@room1"), ("shell", "help")]),
    ("@", [("devices", "@")]),
    ("@a @b xStatus", [("devices", "@a"), ("error", "@b"), ("value", "xStatus")]),
    ("xStatus @a", [("verb", "xStatus"), ("error", "@a")]),
])
def test_a_leading_device_list_is_one_token_and_the_rest_tokenizes_as_a_line(
        line: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(line) == expected


def test_device_lists_split_into_names() -> None:
    from xshell.lang.grammar import devices_prefix, split_devices

    assert split_devices("@room1,room2") == ["room1", "room2"]
    assert split_devices("@a,,b,") == ["a", "b"]
    assert split_devices("@") == []
    assert devices_prefix("@a,b   xStatus Audio") == (["a", "b"], 7)
    assert devices_prefix(" @all xStatus") == (["all"], 6)
    assert devices_prefix("xStatus Audio") is None


def test_an_at_line_parses_nowhere_but_the_interactive_shell() -> None:
    from xshell.lang.bodies import needs_body
    from xshell.lang.parse import DEVICES_ONLY_INTERACTIVE, parse
    from xshell.lang.parse_errors import ParseError, format_parse_error

    with pytest.raises(ParseError) as err:
        parse("@all xStatus Audio Volume")
    assert err.value.message == DEVICES_ONLY_INTERACTIVE and err.value.column == 0
    assert needs_body("@all xCommand HttpClient Post Url: \"http://x\"")
    assert not needs_body("@all xStatus Audio")
    line = "@all xCommand SystemUnit AdminPassword Set NewPassword: hunter2"
    with pytest.raises(ParseError) as err:
        parse(line)
    shown = format_parse_error(line, err.value)
    assert "hunter2" not in "\n".join(shown) and shown[0].endswith("NewPassword: ***")
