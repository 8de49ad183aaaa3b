"""Completion candidates: what a technician is offered at the cursor, and the meta beside it.

Mostly pure (`lang.complete.candidates` on the built-in device's schema and a LiveTree),
plus the prompt-toolkit face (a backend's `complete` through `ui.adapters.BackendCompleter`
on Document objects) and a sweep over
the full published schema: partial lines made from its paths must complete to the
name being typed, and nothing may raise.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from xshell.contract import Candidate
from xshell.lang.complete import MAX_CANDIDATES, candidates, rank
from xshell.shell.one_device import complete_in
from xshell.ui.adapters import BackendCompleter
from xshell.session.live import LiveTree, reroot
from xshell.schema.model import Node, Schema
from xshell.sim.builtin import load_builtin

SCHEMA = load_builtin().schema
VERB_OF_ROOT = {"Status": "xStatus", "Configuration": "xConfiguration", "Command": "xCommand"}


def complete(text: str, live: LiveTree | None = None, regs: list[str] | None = None,
             schema: Schema | None = SCHEMA) -> list[Candidate]:
    found = candidates(text, schema, live, regs or [])
    for c in found:
        assert 0 <= c.start <= len(text), (text, c)
    return found


def shown(text: str, **kw: object) -> list[str]:
    return [c.display for c in complete(text, **kw)]  # type: ignore[arg-type]


def node(path: str) -> Node:
    found = SCHEMA.node(path.split())
    assert found is not None, path
    return found


def live_with(doc: dict[str, object]) -> LiveTree:
    live = LiveTree()
    live.merge(doc)
    return live


# ------------------------------------------------------------------ the live tree
@pytest.mark.parametrize("schema", [SCHEMA, None])
def test_get_answers_are_re_rooted_where_they_belong(schema: Schema | None) -> None:
    one = [{"id": 3, "Status": "Connected"}]
    assert reroot(["Status", "Call", "Status"], one, schema) == {"Status": {"Call": one}}
    assert reroot(["Status", "Call", 3, "Status"], "Connected", schema) == {"Status": {"Call": one}}
    assert reroot(["Status", "Call"], one, schema) == {"Status": {"Call": one}}
    names = [{"id": 1, "Name": "Cam"}, {"id": 2, "Name": "PC"}]
    live = LiveTree()
    live.merge_result(["Configuration", "Video", "Input", "Connector", "Name"], names, schema)
    assert live.instances(["Configuration", "Video", "Input", "Connector"]) == [1, 2]
    assert live.value(["configuration", "video", "input", "connector", 2, "name"]) == "PC"
    live.merge_result(["Status", "Audio", "Volume"], 40, schema)
    assert live.value(["Status", "Audio", "Volume"]) == 40


def test_live_tree_follows_feedback_and_ignores_events() -> None:
    live = LiveTree()
    live.merge({"Status": {"Call": [{"id": 4, "Status": "Dialling", "Duration": 0}]}})
    live.merge({"status": {"Call": [{"id": 4, "Status": "Connected", "status": "attr"}]}})
    assert live.value(["Status", "Call", 4, "Status"]) == "Connected"
    assert live.value(["Status", "Call", 4, "Duration"]) == 0
    assert live.value(["Status", "Call", 4]) is None  # a subtree is not a value
    live.merge({"Event": {"CallDisconnect": {"CallId": 4}}})
    assert live.value(["Event", "CallDisconnect", "CallId"]) is None
    live.merge({"Status": {"Call": [{"id": "4", "ghost": "True"}]}})
    assert live.instances(["Status", "Call"]) == []
    for junk in (None, [], "x", {"Status": 5}, {"Status": {"Call": [1, {"id": "x"}, {"id": True}]}}):
        live.merge(junk)


# ------------------------------------------------------------------ verbs
def test_first_word_offers_verbs_then_shell_commands() -> None:
    found = complete("")
    texts = [c.text for c in found]
    for verb in ("xStatus ", "xConfiguration ", "xCommand ", "xFeedback "):
        assert verb in texts
    kinds = [c.meta for c in found]
    assert kinds.index("shell command") > kinds.index("xAPI")
    assert "bye" in [c.display for c in found if c.meta == "shell command"]
    assert shown("xc")[:2] == ["xCommand", "xConfiguration"]
    assert shown("XSTA")[0] == "xStatus"


def test_abbreviated_verbs_complete_their_paths() -> None:
    assert shown("xstat Aud") == ["Audio"]
    assert "DefaultVolume" in shown("xconf audio ")


# ------------------------------------------------------------------ paths
def branch_lines() -> list[tuple[str, Node]]:
    out = []
    for root, verb in VERB_OF_ROOT.items():
        for path, n in SCHEMA.walk(root):
            if n.kind == "branch":
                out.append((" ".join([verb, *path[1:]]) + " ", n))
    return out


def test_every_branch_at_every_depth_offers_its_children() -> None:
    lines = branch_lines()
    assert len(lines) > 50
    for text, n in lines:
        found = complete(text)
        names = [c.display for c in found]
        assert set(names) >= {c.name for c in n.children.values()}, text
        assert all(c.start == len(text) for c in found)


def test_a_partial_name_completes_by_prefix_with_canonical_case() -> None:
    found = complete("xStatus audio vol")
    assert [c.display for c in found] == ["Volume", "VolumeMute"]
    assert found[0].text == "Volume " and found[0].start == len("xStatus audio ")
    leaf = complete("xConfiguration Audio DefaultVol")[0]
    assert leaf.text == "DefaultVolume"  # a setting is followed by ':', not a space


def test_fuzzy_matching_comes_after_prefix_and_substring() -> None:
    assert rank("vol", ["MaxVolume", "Volume", "VxOxL", "Other"]) == ["Volume", "MaxVolume", "VxOxL"]
    assert rank("", ["b", "A", "c"]) == ["A", "b", "c"]
    assert rank("o", ["On", "Off", "Auto"], keep_order=True) == ["On", "Off", "Auto"]
    assert "DefaultVolume" in shown("xConfiguration Audio dfv")


def test_instance_ids_that_exist_now() -> None:
    live = live_with({"Status": {"Call": [{"id": 7, "Status": "Connected"},
                                          {"id": 9, "Status": "Dialling"}]}})
    found = complete("xStatus Call ", live=live)
    assert [c.text for c in found[:2]] == ["7 ", "9 "]
    assert "Status" in [c.display for c in found]  # ids are optional: children too
    assert shown("xStatus Call 9", live=live)[0] == "9"
    live.merge({"Status": {"Call": [{"id": 7, "ghost": "True"}]}})
    assert "7" not in shown("xStatus Call ", live=live)
    fixed = node("Configuration Video Input Connector")
    assert shown("xConfiguration Video Input Connector ")[:len(fixed.instances)] == \
        [str(i) for i in fixed.instances]


def test_search_offers_names_from_anywhere_below() -> None:
    found = shown("xStatus //vol")
    assert found and all(re.search("v.*o.*l", n.lower()) for n in found)
    prefixed = [n for n in found if n.lower().startswith("vol")]
    assert found[:len(prefixed)] == prefixed and "Volume" in prefixed
    assert "Width" in shown("xStatus //wi")
    assert len(complete("xStatus //")) == MAX_CANDIDATES  # every name, capped


# ------------------------------------------------------------------ commands
def test_parameters_not_yet_given_required_first() -> None:
    dial = node("Command Dial")
    found = complete("xCommand Dial ")
    required = [p.name for p in dial.params if p.required]
    assert [c.text for c in found[:len(required)]] == [f"{n}: " for n in required]
    assert found[0].display.endswith("(r)")
    after = shown("xCommand Dial Number: 1 ")
    assert "Number(r)" not in after and "Number" not in after
    assert len(after) == len(dial.params) - 1
    repeat = shown('xCommand HttpFeedback Register Expression: "/Status" ')
    assert "Expression" in repeat  # repeatable: offered again


def test_literal_values_in_schema_order_and_integer_bounds() -> None:
    call_type = node("Command Dial").param("CallType")
    assert call_type is not None
    assert shown("xCommand Dial CallType: ") == list(call_type.value_space.values)
    assert shown("xCommand Dial CallType: vi") == ["Video"]
    level = node("Command Audio Volume Set").param("Level")
    assert level is not None
    found = complete("xCommand Audio Volume Set Level: ")
    assert {(c.text, c.meta) for c in found} >= {(str(level.value_space.min), "minimum"),
                                                 (str(level.value_space.max), "maximum")}


def test_setting_values_show_the_current_one_first() -> None:
    vs = node("Configuration Audio DefaultVolume").value_space
    assert vs is not None
    live = live_with({"Configuration": {"Audio": {"DefaultVolume": 37}}})
    found = complete("xConfiguration Audio DefaultVolume: ", live=live)
    assert (found[0].text, found[0].meta) == ("37", "current value")
    assert ("37", "current value") not in {(c.text, c.meta) for c in complete(
        "xConfiguration Audio DefaultVolume: ")}
    mute = live_with({"Configuration": {"Audio": {"Microphones": {"Mute": {"Enabled": "InCallOnly"}}}}})
    metas = {c.text: c.meta for c in complete("xConfiguration Audio Microphones Mute Enabled: ", live=mute)}
    assert metas["InCallOnly"] == "current value"


def test_string_values_are_quoted_as_tshell_reads_them() -> None:
    live = live_with({"Configuration": {"SystemUnit": {"Name": 'Room "7"'}}})
    found = complete("xConfiguration SystemUnit Name: ", live=live)
    assert found[0].text == '"Room \\"7\\""'


def test_hidden_settings_never_show_their_value() -> None:
    secret = "Sim-Digest-7731"
    live = live_with({"Configuration": {"SIP": {"Authentication": {"Password": secret}}}})
    for text in ("xConfiguration SIP Authentication ", "xConfiguration SIP Authentication Password: ",
                 "xConfiguration SIP Authentication Password: S"):
        for c in complete(text, live=live):
            assert secret not in c.text + c.display + c.meta, text
    meta = {c.display: c.meta for c in complete("xConfiguration SIP Authentication ", live=live)}
    assert "= ***" in meta["Password"]


def test_leaf_meta_has_value_space_current_value_and_description() -> None:
    volume = node("Status Audio Volume")
    assert volume.value_space is not None and volume.description
    live = live_with({"Status": {"Audio": {"Volume": 63}}})
    meta = {c.display: c.meta for c in complete("xStatus Audio Vol", live=live)}["Volume"]
    assert meta.startswith(volume.value_space.describe())
    assert "= 63" in meta and volume.description.split(".")[0][:20] in meta


# ------------------------------------------------------------------ feedback and shell
def test_feedback_expressions_in_slash_form() -> None:
    assert shown("xFeedback ")[:2] == ["register", "deregister"]
    assert [c.text for c in complete("xFeedback register ")] == ["/Configuration/", "/Event/", "/Status/"]
    assert [c.text for c in complete("xFeedback register /Status/Au")] == ["Audio/"]
    below = shown("xFeedback register /status/audio/")
    assert set(below) == {c.name for c in node("Status Audio").children.values()}
    assert "CallDisconnect" in shown("xFeedback register /Event/")


def test_deregister_offers_what_is_registered() -> None:
    regs = ["/Event/CallDisconnect", "/Status/Audio", "/Status/Call"]
    assert [c.text for c in complete("xFeedback deregister ", regs=regs)] == regs
    found = complete("xFeedback deregister /status/a", regs=regs)
    assert [c.text for c in found][:1] == ["/Status/Audio"]  # prefix first, fuzzy after
    assert found[0].start == len("xFeedback deregister ")


def test_help_completes_like_the_line_it_explains() -> None:
    found = complete("help xStatus Au")
    assert [c.text for c in found] == ["Audio "] and found[0].start == len("help xStatus ")
    assert all(c.meta != "shell command" for c in complete("help "))


def test_shell_command_arguments() -> None:
    assert shown("output ") == ["json", "terminal", "tshell-json", "xml"]
    assert shown("xPreferences ") == ["outputmode"]
    assert shown("xpref outputmode ") == ["json", "terminal", "xml"]
    assert shown("xpref outputmode json ") == []
    assert shown("output json ") == []


def test_snapshot_names_complete_wherever_a_snapshot_is_named() -> None:
    words = {"snapshots": ["before", "after-upgrade"]}  # run-time names by kind
    texts = lambda line: [c.text for c in candidates(line, None, shell_words=words)]  # noqa: E731 - a one-line helper
    assert texts("snapshot ") == ["delete", "export", "list", "restore", "save", "show"]
    assert texts("snapshot show ") == ["after-upgrade", "before"]
    assert texts("snapshot restore ") == texts("apply ") == ["after-upgrade", "before"]
    assert texts("snapshot delete be") == ["before"]
    assert texts("diff ") == ["after-upgrade", "before"]
    assert texts("diff before ") == ["after-upgrade", "before"]
    assert texts("diff before after-upgrade ") == []
    assert texts("snapshot save ") == []  # a new name: nothing to offer
    assert texts("snapshot restore before ") == texts("apply before ") == ["--check", "--keep-going"]
    assert texts("snapshot restore before --check ") == ["--keep-going"]
    assert texts("macro pull room room.js ") == texts("panel pull lights l.xml ") == ["force"]
    assert texts("panel export all.xml ") == ["force"]
    from xshell.commands.registry import lookup
    snapshot = lookup("snapshot")
    assert snapshot is not None and "restore NAME [--check] [--keep-going]" in snapshot.usage


def test_without_a_schema_only_the_words_of_the_language() -> None:
    assert "xStatus" in shown("", schema=None)
    assert shown("xStatus Au", schema=None) == []
    assert shown("xFeedback register ", schema=None) == ["/Configuration", "/Event", "/Status"]


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("xStaus Cofigrmd//:\"?|*[]12 \tAVolume{}-")),
               max_size=40))
def test_odd_text_never_raises(text: str) -> None:
    complete(text, live_with({"Status": {"Call": [{"id": 1, "Status": "Connected"}]}}),
             regs=["/Status/Audio"])


# ------------------------------------------------------------------ prompt-toolkit face
@dataclass
class _View:
    """What a backend's completion reads of a session."""

    schema: Schema | None
    live: LiveTree = field(default_factory=LiveTree)
    regs: list[str] = field(default_factory=list)
    watched: list[str] = field(default_factory=list)

    @property
    def feedback(self) -> _View:
        return self

    @property
    def watches(self) -> _Watched:
        return _Watched(self.watched)

    def expressions(self) -> list[str]:
        return list(self.regs)

    def complete(self, before_cursor: str) -> list[Candidate]:
        """As ShellBackendImpl.complete, with this view as the session."""
        return complete_in(self, before_cursor)  # type: ignore[arg-type]


@dataclass
class _Watched:
    """The session's `watch` table as completion reads it (for `unwatch `)."""

    watched: list[str]

    def expressions(self) -> list[str]:
        return list(self.watched)


def test_watch_paths_complete_in_words_and_as_slash_paths() -> None:
    view = _View(SCHEMA, watched=["Status/Audio/Volume"])
    texts = {t: [c.text for c in view.complete(t)] for t in (
        "watch xStatus Audio Vo", "watch Status/Au", "watch Status/Audio/Volume Status/Ca", "unwatch ")}
    assert texts["watch xStatus Audio Vo"][:2] == ["Volume ", "VolumeMute "]
    assert texts["watch Status/Au"] == ["Audio/"]
    assert texts["watch Status/Audio/Volume Status/Ca"][:2] == ["Call/", "Cameras/"]
    assert texts["unwatch "] == ["all", "Status/Audio/Volume"]


def test_xapi_completer_on_documents() -> None:
    view = _View(SCHEMA, live_with({"Status": {"Audio": {"Volume": 44}}}), ["/Status/Audio"])
    completer = BackendCompleter(view)  # type: ignore[arg-type]

    def run(text: str, cursor: int | None = None) -> list[object]:
        doc = Document(text, len(text) if cursor is None else cursor)
        return list(completer.get_completions(doc, CompleteEvent(completion_requested=True)))

    got = run("xStatus Audio Vol")
    assert [c.text for c in got] == ["Volume ", "VolumeMute "]  # type: ignore[attr-defined]
    assert got[0].start_position == -3  # type: ignore[attr-defined]
    assert "= 44" in got[0].display_meta_text  # type: ignore[attr-defined]
    mid = run("xStatus Audio Vol Mute", cursor=len("xStatus Audio Vol"))
    assert [c.text for c in mid][:1] == ["Volume"]  # the space is there already: not two
    assert run('xCommand Macros Macro Save Name: "m"\nxSta') == []  # a body is free text
    assert [c.text for c in run("xFeedback deregister ")] == ["/Status/Audio"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("text,expected,replaces", [
    ("xSt", "xStatus ", 3),                                   # verb
    ("xStatus Audio Microphones Mu", "Mute ", 2),             # node, third level
    ("xStatus Call ", "7 ", 0),                               # an instance that exists now
    ("xStatus //volumem", "VolumeMute", 7),                   # search
    ("xCommand Dial Number: 1 Proto", "Protocol: ", 5),       # parameter not yet given
    ("xCommand Dial Protocol: s", "Sip ", 1),                 # literal value, then a space
    ("xFeedback register /Status/Audio/Vol", "Volume", 3),    # slash-form expression
    ("xFeedback deregister /Sta", "/Status/Audio", 4),        # a registered expression
])
def test_completer_on_documents_for_each_kind(text: str, expected: str, replaces: int) -> None:
    view = _View(SCHEMA, live_with({"Status": {"Call": [{"id": 7, "Status": "Connected"}]}}),
                 ["/Status/Audio"])
    completer = BackendCompleter(view)  # type: ignore[arg-type]
    got = list(completer.get_completions(Document(text), CompleteEvent(completion_requested=True)))
    hit = next(c for c in got if c.text == expected)
    assert hit.start_position == -replaces


# ------------------------------------------------------------------ the full published schema
@pytest.fixture(scope="module")
def published() -> Schema:
    from tests.conftest import SCHEMA_FILE
    from xshell.schema.cisco import load_cisco

    if not SCHEMA_FILE.is_file():
        pytest.skip(f"published schema not found at {SCHEMA_FILE}")
    return load_cisco(SCHEMA_FILE)


def partial_lines(schema: Schema, count: int, seed: int) -> list[tuple[str, str]]:
    """(line cut inside its last name, that name) for random schema paths."""
    rnd = random.Random(seed)
    paths = [(root, path) for root in VERB_OF_ROOT for path, _ in schema.walk(root) if len(path) > 1]
    out = []
    for root, path in rnd.sample(paths, count):
        last = path[-1]
        cut = rnd.randint(1, len(last))
        out.append((" ".join([VERB_OF_ROOT[root], *path[1:-1], last[:cut]]), last))
    return out


def test_published_schema_partial_lines_complete_to_the_name(schema_file: Path, published: Schema) -> None:
    lines = partial_lines(published, 1000, seed=20260101)
    for text, name in lines:
        found = complete(text, schema=published)
        assert name in [c.display for c in found], text
        word = text.rsplit(" ", 1)[-1].lower()
        first_other = next(i for i, c in enumerate(found + [Candidate("", 0, "")])
                           if not c.display.lower().startswith(word))
        assert all(not c.display.lower().startswith(word) for c in found[first_other:]), text


def test_published_schema_every_kind_of_position(schema_file: Path, published: Schema) -> None:
    rnd = random.Random(7)
    commands = [p for p, n in published.walk("Command") if n.kind == "command" and n.params]
    for path in rnd.sample(commands, 200):
        cmd = published.node(path)
        assert cmd is not None
        text = " ".join(["xCommand", *path[1:]]) + " "
        names = [c.display.removesuffix("(r)") for c in complete(text, schema=published)]
        assert set(names) == {p.name for p in cmd.params}, text
        first = cmd.params[0]
        values = complete(f"{text}{first.name}: ", schema=published)
        if first.value_space.is_literal:
            assert [c.text for c in values] == [v + " " for v in first.value_space.values][:MAX_CANDIDATES]
    for text in ("xStatus //", "xConfiguration //net", "xFeedback register /Event/",
                 "xEvent ", "xStatus Call ", "help xCommand Dial "):
        assert complete(text, schema=published), text


# --- `@DEVICES LINE` ---------------------------------------------------------------------

def test_device_names_complete_inside_the_at_list() -> None:
    from xshell.lang.suggest import suggest

    words = {"@": ["room1", "room2", "lobby"]}
    assert [c.text for c in candidates("@", None, shell_words=words)] == ["all", "lobby", "room1", "room2"]
    assert [(c.text, c.start) for c in candidates("@room1,", None, shell_words=words)] == [
        ("lobby", 7), ("room2", 7)]
    assert [c.text for c in candidates("@ro", None, shell_words=words)] == ["room1", "room2"]
    assert candidates("@", None) == [Candidate("all", 1, "all", "every device")]
    s = suggest("@room1,lo")
    assert (s.kind, s.word, s.start, s.args) == ("devices", "lo", 7, ("room1",))


def test_groups_are_labelled_group_after_at() -> None:
    from xshell.shell.device_words import DeviceWords

    words = DeviceWords(lambda: ["room1"], tuple, tuple, lambda: ["floor2"])
    assert [(c.text, c.meta) for c in candidates("@", None, shell_words=words)] == [
        ("all", "every device"), ("floor2", "group"), ("room1", "device")]


def test_after_the_at_list_the_line_completes_as_a_line() -> None:
    schema = SCHEMA
    from xshell.lang.suggest import suggest

    got = {c.text: c.start for c in candidates("@all xStatus Audio Vol", schema)}
    assert got == {"Volume ": len("@all xStatus Audio "), "VolumeMute ": len("@all xStatus Audio ")}
    verbs = [c.display for c in candidates("@a ", schema)]
    assert "xStatus" in verbs and "help" in verbs
    assert not {"use", "connect", "disconnect", "devices", "bye"} & set(verbs)
    s = suggest("@a,b xStatus Au", schema)
    assert (s.kind, s.word, s.start, s.verb) == ("node", "Au", 13, "xStatus")


# --- issue 14: what completion offers is what the device has or the query returns ---------
def test_search_offers_only_names_the_search_returns() -> None:
    found = shown("xStatus //vol")
    assert found == ["Volume", "VolumeMute"]  # not fuzzy `v…o…l` names `//vol` never selects
    assert shown("xStatus //vid//res") == ["Resolution"]


def test_instance_id_parameters_offer_the_live_ids() -> None:
    live = live_with({"Status": {"Call": [{"id": 7, "Status": "Connected"}, {"id": 9, "Status": "Held"}]}})
    for verb in ("Disconnect", "Hold", "Resume"):
        got = complete(f"xCommand Call {verb} CallId: ", live)
        assert [(c.text, c.meta) for c in got][:2] == [("7 ", "Call 7 (live)"), ("9 ", "Call 9 (live)")]


def test_instance_id_sources_derive_from_the_published_schema(published: Schema) -> None:
    from xshell.lang.instance_ids import instance_source

    def source(command: str, param: str) -> str | None:
        path = ("Command", *command.split())
        node = published.node(path)
        assert node is not None and node.param(param) is not None, command
        found = instance_source(published, path, node.param(param))  # type: ignore[arg-type]
        return " ".join(found) if found else None

    assert source("Call Disconnect", "CallId") == "Status Call"
    assert source("Conference Participant Mute", "CallId") == "Status Call"
    assert source("Video Input SetMainVideoSource", "ConnectorId") == "Status Video Input Connector"
    assert source("Presentation Start", "ConnectorId") == "Status Video Input Connector"
    assert source("Camera PositionSet", "CameraId") == "Status Cameras Camera"
    assert source("Audio VuMeter Start", "ConnectorId") is None  # ambiguous: no wrong ids


def test_the_menu_shows_device_values_inert_and_inserts_no_bidi_control() -> None:
    """A device's name and status values reach the menu as visible escapes, and a value
    completed into the line is a literal the parser reads back to the same text."""
    from xshell.inert import UNSAFE
    from xshell.lang.parse import parse
    from xshell.lang.requests import Set

    name = "Room\u202eevil\u2066x"
    view = _View(SCHEMA, live_with({"Configuration": {"SystemUnit": {"Name": name}},
                                    "Status": {"Audio": {"Volume": "4\x1b[2J\u202e"}}}))
    completer = BackendCompleter(view)  # type: ignore[arg-type]
    shown = []
    for text in ("xConfiguration SystemUnit Name: ", "xStatus Audio Vol"):
        for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True)):
            shown += [c.text, c.display_text, c.display_meta_text]
    assert shown and not [s for s in shown if UNSAFE.search(s)]
    assert any("= 4\\x1b[2J\\u202e" in s for s in shown)
    current = next(c for c in candidates("xConfiguration SystemUnit Name: ", SCHEMA, view.live)
                   if c.meta == "current value")
    req = parse("xConfiguration SystemUnit Name: " + current.text, SCHEMA)
    assert isinstance(req, Set) and req.value == name
