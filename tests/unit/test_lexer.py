"""Highlighting of input lines: pygments token types from the shared tokenizer."""

from __future__ import annotations

import pytest
from pygments import highlight
from pygments.formatters import NullFormatter
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, String, Token,
                            Whitespace)

from tests.unit.test_parse import SCHEMA
from xshell.lang.lexer import XapiLexer


def colours(text: str, schema: object = None) -> list[tuple[object, str]]:
    """Non-blank (token type, text) pairs."""
    return [(t, v) for _, t, v in XapiLexer(schema).get_tokens_unprocessed(text) if v.strip()]


def test_a_command_line_is_coloured_by_role() -> None:
    assert colours('xCommand Dial Number: "alice" CallRate: 768 | resultId="1"') == [
        (Keyword, "xCommand"), (Name, "Dial"), (Name.Attribute, "Number"), (Operator, ":"),
        (String.Double, '"alice"'), (Name.Attribute, "CallRate"), (Operator, ":"),
        (Number.Integer, "768"), (Comment.Preproc, '| resultId="1"')]


def test_status_search_index_and_help() -> None:
    assert colours("xStatus //vid Call 2 ?") == [
        (Keyword, "xStatus"), (Operator, "//"), (Name, "vid"), (Name, "Call"),
        (Number.Integer, "2"), (Operator, "?")]


def test_feedback_comments_shell_and_errors() -> None:
    assert colours("xFeedback register /Status/Audio") == [
        (Keyword, "xFeedback"), (Keyword.Pseudo, "register"), (Name.Variable, "/Status/Audio")]
    assert colours("# note") == [(Comment.Single, "# note")]
    assert colours("help") == [(Name.Builtin, "help")]
    assert colours("frobnicate") == [(Error, "frobnicate")]


def test_json_lines_use_the_json_lexer() -> None:
    got = colours('{"method": "xGet"}')
    assert (Name.Tag, '"method"') in got and any(t in String for t, _ in got)


@pytest.mark.parametrize("line,bad", [
    ("xStatus Audio Volme", "Volme"),
    ("xCommand Dial Numbr: 1", "Numbr"),
    ("xConfiguration Audio DefaultVolume: 500", "500"),
    ("xFeedback register /Status/Zzz", "/Status/Zzz"),
])
def test_with_a_schema_the_rejected_word_is_an_error(line: str, bad: str) -> None:
    errors = [v for t, v in colours(line, SCHEMA) if t is Error]
    assert errors == [bad]
    assert not [v for t, v in colours(line) if t is Error]  # without a schema nothing is known


def test_an_incomplete_but_valid_line_shows_no_error() -> None:
    assert not [v for t, v in colours("xCommand Dial Number: ", SCHEMA) if t is Error]
    assert not [v for t, v in colours("xStatus Audio ", SCHEMA) if t is Error]


def test_a_word_still_being_typed_is_not_an_error_until_it_is_finished() -> None:
    assert not [v for t, v in colours("xStatus Aud", SCHEMA) if t is Error]
    assert not [v for t, v in colours("xCommand Dial Prot", SCHEMA) if t is Error]
    assert [v for t, v in colours("xStatus Aud ", SCHEMA) if t is Error] == ["Aud"]
    assert [v for t, v in colours("xStatus Audx", SCHEMA) if t is Error] == ["Audx"]


def test_multiline_body_lines_are_strings_until_the_dot() -> None:
    text = "xCommand SystemUnit WelcomeBanner Set\nHello\nxStatus not a command\n.\nxStatus Audio\n"
    got = colours(text)
    assert (String.Doc, "Hello") in got and (String.Doc, "xStatus not a command") in got
    assert (Operator, ".") in got and got[-2:] == [(Keyword, "xStatus"), (Name, "Audio")]


@pytest.mark.parametrize("text", [
    "", "\n", "xStatus Audio\r\n\n", "  xcom  Dial  Number: \"a\\\"b\"  \n", "{\"a\": [1, 2\n",
    "xCommand Macros Macro Save Name: m\nbody\n", "\x00\x0b\x1c junk \u2028 more",
])
def test_tokens_cover_the_text_exactly(text: str) -> None:
    toks = list(XapiLexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in toks) == text
    pos = 0
    for index, ttype, value in toks:
        assert index == pos and ttype in Token
        pos += len(value)


def test_works_through_the_pygments_api() -> None:
    assert highlight("xStatus Audio\n", XapiLexer(), NullFormatter()) == "xStatus Audio\n"
    assert all(t is not Whitespace or not v.strip() for t, v in XapiLexer().get_tokens("xStatus  A"))


def test_a_device_list_is_labels_and_an_unknown_name_is_an_error_once_typed() -> None:
    lexer = XapiLexer(SCHEMA)
    toks = [(t, v) for _, t, v in lexer.get_tokens_unprocessed("@room1,room2 xStatus Audio") if v.strip()]
    assert toks == [(Operator, "@"), (Name.Label, "room1"), (Token.Punctuation, ","),
                    (Name.Label, "room2"), (Keyword, "xStatus"), (Name, "Audio")]
    lexer.devices = ["room1", "room2"]
    assert (Error, "lobby") in [(t, v) for _, t, v in lexer.get_tokens_unprocessed("@lobby xStatus")]
    assert (Name.Label, "ro") in [(t, v) for _, t, v in lexer.get_tokens_unprocessed("@room1,ro")]
    assert (Name.Label, "ALL") in [(t, v) for _, t, v in lexer.get_tokens_unprocessed("@ALL xStatus")]


def test_after_a_device_list_unknown_names_are_still_marked() -> None:
    assert (Error, "Audiox") in colours("@all xStatus Audiox Volume", SCHEMA)
    assert (Error, "Audiox") not in colours("@all xStatus Audio Volume", SCHEMA)
