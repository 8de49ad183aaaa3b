"""What goes at the cursor: the pure classification a completer turns into candidates."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_parse import SCHEMA, _load_published
from xshell.lang.suggest import Suggestion, suggest
from xshell.schema.model import Schema


def s(text: str, schema: Schema | None = SCHEMA) -> Suggestion:
    return suggest(text, schema)


@pytest.mark.parametrize("text,kind,word,start", [
    ("", "verb", "", 0),
    ("xst", "verb", "xst", 0),
    ("  xco", "verb", "xco", 2),
    ("he", "verb", "he", 0),
    ("xStatus ", "node", "", 8),
    ("xStatus Au", "node", "Au", 8),
    ("xStatus Audio ", "node", "", 14),
    ("xStatus Audio Volume ", "nothing", "", 21),
    ("xStatus Video Input Connector ", "index", "", 30),
    ("xStatus Video Input Connector 1", "index", "1", 30),
    ("xStatus Video Input Connector Co", "node", "Co", 30),
    ("xStatus Video Input Connector 1 ", "node", "", 32),
    ("xStatus Audio Zzz ", "nothing", "", 18),
    ("xStatus Audio ? ", "nothing", "", 16),
    ("xStatus //", "node", "", 10),
    ("xStatus //vi", "node", "vi", 10),
    ("xCommand ", "node", "", 9),
    ("xCommand Di", "node", "Di", 9),
    ("xCommand Dial ", "param_name", "", 14),
    ("xCommand Dial Num", "param_name", "Num", 14),
    ("xCommand Dial Number:", "value", "", 21),
    ("xCommand Dial Number: ", "value", "", 22),
    ('xCommand Dial Number: "ali', "value", '"ali', 22),
    ('xCommand Dial Number: "ali ce', "value", '"ali ce', 22),
    ("xCommand Dial Number: 1 ", "param_name", "", 24),
    ("xCommand Dial Number: 1 Pro", "param_name", "Pro", 24),
    ("xCommand Dial Number: 1 Protocol: S", "value", "S", 34),
    ("xConfiguration Audio DefaultVolume", "node", "DefaultVolume", 21),
    ("xConfiguration Audio DefaultVolume ", "nothing", "", 35),
    ("xConfiguration Audio DefaultVolume:", "value", "", 35),
    ("xConfiguration Audio DefaultVolume: 5", "value", "5", 36),
    ("xConfiguration Audio DefaultVolume: 5 ", "nothing", "", 38),
    ("xEvent ", "node", "", 7),
    ("xFeedback ", "subverb", "", 10),
    ("xFeedback reg", "subverb", "reg", 10),
    ("xFeedback register ", "expression", "", 19),
    ("xFeedback register /Status/Au", "expression", "Au", 27),
    ("xFeedback register Status Au", "expression", "Au", 26),
    ("xFeedback list ", "nothing", "", 15),
    ("help ", "shell", "", 5),
    ("output js", "shell", "js", 7),
    ("xpref outputmode ", "shell", "", 17),
    ("frobnicate ", "nothing", "", 11),
    ('{"a": ', "nothing", "", 6),
    ("xStatus Audio | resultId=", "nothing", "| resultId=", 14),
])
def test_kind_word_and_start(text: str, kind: str, word: str, start: int) -> None:
    got = s(text)
    assert (got.kind, got.word, got.start) == (kind, word, start)
    assert text[got.start:] == got.word or got.word == ""


def test_node_context_carries_the_resolved_schema_node() -> None:
    got = s("xstatus audio ")
    assert got.path == ("Status", "Audio") and got.node is SCHEMA.root("Status").child("Audio")  # type: ignore[union-attr]
    assert got.root == "Status" and got.verb == "xStatus"


def test_index_context_is_on_the_multi_instance_node() -> None:
    got = s("xconfiguration video input connector ")
    assert got.kind == "index" and got.node is not None and got.node.instances == (1, 2, 3)
    assert got.path == ("Configuration", "Video", "Input", "Connector")


def test_param_context_lists_what_is_already_given() -> None:
    got = s("xcommand dial number: 1 protocol: sip ")
    assert got.kind == "param_name" and got.params_given == ("Number", "Protocol")
    assert got.node is not None and got.node.name == "Dial"


def test_value_context_carries_the_param_and_value_space() -> None:
    got = s("xCommand Dial Protocol: ")
    assert got.param is not None and got.param.name == "Protocol"
    assert got.value_space is not None and got.value_space.values == ("H323", "Sip", "Spark")
    conf = s("xConfiguration UserInterface Theme Name: ")
    assert conf.kind == "value" and conf.value_space is not None and "Night" in conf.value_space.values


def test_search_context_is_flagged() -> None:
    got = s("xConfiguration Video //na")
    assert got.search and got.node is not None and got.node.name == "Video"
    assert got.path == ("Configuration", "Video", "//")


def test_feedback_expression_context_resolves_what_is_typed() -> None:
    got = s("xFeedback register /status/video/input/connector[1]/")
    assert got.kind == "expression" and got.word == "" and got.args == ("register",)
    assert got.path == ("Status", "Video", "Input", "Connector", 1)
    assert got.node is not None and got.node.name == "Connector"
    assert s("xFeedback register /Stat").word == "Stat"
    assert s("xFeedback register /nope/").kind == "nothing"


def test_without_a_schema_the_shape_of_the_line_still_decides() -> None:
    assert s("xStatus Audio ", None).kind == "node"
    assert s("xCommand Dial Number: ", None).kind == "value"
    assert s("xCommand Dial Number: 1 Pr", None).kind == "param_name"
    assert s("xCommand Dial Nu", None).kind == "node"  # a schema is needed to know Dial is a command
    assert s("xConfiguration A B: ", None).value_space is None


def test_a_partial_schema_does_not_block_unknown_roots() -> None:
    from tests.unit.test_parse import small_schema
    got = s("xCommand Anything ", small_schema("Status"))
    assert got.kind == "node" and got.node is None


def test_works_with_the_published_schema(schema_file: Path) -> None:
    published = _load_published(str(schema_file))
    got = suggest("xCommand Audio Volume Set ", published)
    assert got.kind == "param_name" and any(p.name == "Level" for p in got.node.params)  # type: ignore[union-attr]
    assert suggest("xstatus audio vol", published).kind == "node"
