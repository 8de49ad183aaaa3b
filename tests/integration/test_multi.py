"""Several rooms in one interactive shell: connect, use, devices, disconnect, `@…` lines.

Driven as the UI drives a backend — execute(), status, the feedback sink, the completer
and lexer on Documents — against two or three in-process simulators, each opened through
the real DeviceOpener (Connector, Session, ShellBackendImpl). Waits are on conditions.
"""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import fragment_list_to_text

from tests.conftest import PASSWORD
from tests.integration.conftest import Rooms, device, discovered, run_args
from tests.integration.test_interactive_backend import Watch
from xshell.shell.one_device import ShellBackendImpl
from xshell.shell.many_devices import MultiBackend
from xshell.shell.device_record import Device
from xshell.session.core import Session
from xshell.contract import ShellBackend
from xshell.ui.adapters import BackendCompleter, BackendLexer
from xshell.ui.eventlog import EventLog
from xshell.ui.plain import run_plain
from xshell.ui.toolbar import prompt_fragments


def hostport(rooms: Rooms, i: int) -> str:
    """How the shell shows room i's address: host and port."""
    return rooms.urls[i].split("/")[2]


async def run(m: MultiBackend, line: str) -> list[str]:
    outcome = await m.execute(line)
    return outcome.lines


async def two(m: MultiBackend, rooms: Rooms) -> None:
    assert (await m.execute(f"connect {rooms.urls[1]} as room2")).ok


def prompt(m: MultiBackend) -> str:
    return fragment_list_to_text(prompt_fragments(m.status))


def completions(m: MultiBackend, text: str) -> list[str]:
    return [c.display_text for c in BackendCompleter(m).get_completions(Document(text), CompleteEvent())]


# ------------------------------------------------------------------ connect / use
async def test_one_device_looks_as_before_and_connect_makes_the_new_one_current(
        multi: MultiBackend, rooms: Rooms) -> None:
    assert isinstance(multi, ShellBackend)
    own_name = rooms.sims[0].configuration("SystemUnit Name")
    assert multi.status.device == own_name  # one device: the device's own name, as before
    software = rooms.sims[1].status("SystemUnit Software Version")
    lines = await run(multi, f"connect {rooms.urls[1]} as room2")
    assert lines == [f"connected to room2 ({hostport(rooms, 1)}, {software})",
                     "devices: room1, room2 (`use NAME` switches, `@all LINE` runs a line on "
                     "every device)"]
    assert prompt(multi).startswith("room2")
    assert multi.status.device == "room2" and multi.status.state == "connected"
    assert await run(multi, "use room1") == [f"using room1 ({hostport(rooms, 0)})"]
    assert prompt(multi).startswith("room1")
    assert await run(multi, "use ROOM2") == [f"using room2 ({hostport(rooms, 1)})"]  # any case
    assert (await multi.execute("xStatus Audio Volume")).ok


async def test_a_connect_without_a_name_takes_host_and_port(
        multi: MultiBackend, rooms: Rooms) -> None:
    lines = await run(multi, f"connect {rooms.urls[1]}")
    assert lines[0].startswith(f"connected to {hostport(rooms, 1)} (")
    lines = await run(multi, f"connect {rooms.urls[2]}")
    assert lines[0].startswith(f"connected to {hostport(rooms, 2)} (")
    assert multi.names() == ("room1", hostport(rooms, 1), hostport(rooms, 2))
    assert (await multi.execute(f"@{hostport(rooms, 2)} xStatus Audio Volume")).ok  # usable after @
    snap = await run(multi, f"@{hostport(rooms, 1)} snapshot save s")
    assert f"values from {hostport(rooms, 1)} (" in snap[1]  # named as the shell names it


async def test_a_derived_name_that_is_taken_is_made_unique(multi: MultiBackend) -> None:
    first = multi.devices[0]
    session = Session(first.session.client, device_key="twin", name="room1")  # a profile's name, taken
    twin = Device("room1", ShellBackendImpl(session, host="elsewhere"), host="elsewhere")
    multi.add(twin)
    assert multi.names() == ("room1", "room1-2")
    assert (first.session.label, twin.session.label) == ("room1", "room1-2")  # transcripts, snapshots


async def test_use_of_an_unknown_name_lists_the_known_ones(multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    outcome = await multi.execute("use lobby")
    assert not outcome.ok
    assert outcome.lines == ["use: no device named 'lobby' (connected: room1, room2)"]
    assert multi.status.device == "room2"  # still where we were


@pytest.mark.parametrize("line,message", [
    ("connect {url1} as room1", "connect: a device is already named room1"),
    ("connect {url0} as again", "already connected as room1 (`use room1`)"),
    ("connect {url1} as all", "'all' is reserved"),
    ("connect {url1} as two,rooms", "is not a usable name"),
    ("connect", "usage: connect PROFILE|URL [as NAME]"),
])
async def test_duplicates_and_bad_names_are_refused_in_one_line(
        multi: MultiBackend, rooms: Rooms, line: str, message: str) -> None:
    outcome = await multi.execute(line.format(url0=rooms.urls[0], url1=rooms.urls[1]))
    assert not outcome.ok and len(outcome.lines) == 1
    assert message in outcome.lines[0]
    assert multi.names() == ("room1",)


async def test_a_device_that_refuses_the_password_is_one_line_and_the_shell_goes_on(
        multi: MultiBackend, rooms: Rooms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", "wrong-" + PASSWORD)
    outcome = await multi.execute(f"connect {rooms.urls[1]} as room2")
    assert not outcome.ok and len(outcome.lines) == 1
    assert "Authentication failed" in outcome.lines[0] and "XSHELL_PASSWORD" in outcome.lines[0]
    secret_url = rooms.urls[1].replace("ws://", "ws://admin:hunter2@")
    outcome = await multi.execute(f"connect {secret_url} as room2")
    assert not outcome.ok and len(outcome.lines) == 1 and "hunter2" not in outcome.lines[0]
    assert "hunter2" not in multi.history_line(f"connect {secret_url} as room2")
    for tricky in ("ws://admin:P@ss@w0rd@room9/ws", "admin:pa/ss@w0rd@room9"):  # '@' and '/' in it
        for line in (f"connect {tricky} as r9", f"@all connect {tricky}", f"connect as r9 {tricky}"):
            shown = multi.history_line(line)
            assert "w0rd" not in shown and "room9" in shown, shown
            assert "w0rd" not in " ".join((await multi.execute(line)).lines)
    assert multi.names() == ("room1",)
    assert (await multi.execute("xStatus Audio Volume")).ok


async def test_devices_lists_each_with_the_current_marked(multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    await run(multi, "xFeedback register /Status/Audio")
    software = rooms.sims[0].status("SystemUnit Software Version")
    table = await run(multi, "devices")
    assert table[0].split() == ["NAME", "HOST", "STATE", "SOFTWARE", "FEEDBACK"]
    assert table[1].split() == ["room1", hostport(rooms, 0), "connected", str(software), "0", "registrations"]
    assert table[2].split() == ["*", "room2", hostport(rooms, 1), "connected", str(software), "1",
                                "registration"]


async def test_disconnect_closes_one_and_never_the_last(multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    assert await run(multi, "disconnect room2") == ["disconnected from room2",
                                                    f"using room1 ({hostport(rooms, 0)})"]
    await asyncio.wait_for(rooms.sims[1].wait_connections(0), 5)
    assert multi.names() == ("room1",)
    assert multi.status.device == rooms.sims[0].configuration("SystemUnit Name")
    outcome = await multi.execute("disconnect")
    assert not outcome.ok and outcome.lines == [
        "disconnect: room1 is the only device; `bye` leaves the shell"]


# ------------------------------------------------------------------ feedback
async def test_feedback_from_every_device_is_tagged_and_the_pane_filter_matches_the_tag(
        multi: MultiBackend, rooms: Rooms) -> None:
    pane = Watch(multi)  # type: ignore[arg-type]  # any ShellBackend will do
    await two(multi, rooms)
    assert (await multi.execute("@all xFeedback register /Status/Audio/Volume")).ok
    rooms.sims[0].set_status("Audio Volume", 31)
    rooms.sims[1].set_status("Audio Volume", 72)
    await pane.until(lambda: {e.device for e in pane.events} >= {"room1", "room2"})
    log = EventLog()
    for ev in pane.events:
        log.push(ev)
    log.flush()
    shown = log.lines_text()
    assert any(line.endswith("[room1] *s Audio Volume: 31") for line in shown)
    assert any(line.endswith("[room2] *s Audio Volume: 72") for line in shown)
    log.set_filter("room2")
    assert log.lines_text() and all("[room2]" in line for line in log.lines_text())


async def test_a_device_that_goes_away_is_named_in_the_pane_and_in_the_summary(
        multi: MultiBackend, rooms: Rooms) -> None:
    pane = Watch(multi)  # type: ignore[arg-type]  # any ShellBackend will do
    await two(multi, rooms)
    await run(multi, f"connect {rooms.urls[2]} as room3")
    await rooms.stop(2)
    await pane.until(lambda: any(e.device == "room3" and "connection" in " ".join(e.lines)
                                 for e in pane.events))
    outcome = await multi.execute("@all xStatus Audio Volume")
    assert not outcome.ok
    summary = outcome.lines[-1]
    assert summary.startswith("** 3 devices: 2 ok, 1 failed (room3: ")
    assert outcome.lines.count("*s Audio Volume: 50") == 2


# ------------------------------------------------------------------ @DEVICES LINE
async def test_at_all_runs_on_every_device_and_groups_the_answers(
        multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    rooms.sims[0].set_status("Audio Volume", 30)
    rooms.sims[1].set_status("Audio Volume", 70)
    lines = await run(multi, "@all xStatus Audio Volume")
    assert lines == ["── room1 ──", "*s Audio Volume: 30", "** end", "", "OK",
                     "── room2 ──", "*s Audio Volume: 70", "** end", "", "OK",
                     "** 2 devices: 2 ok"]
    assert (await run(multi, "@room2 xStatus Audio Volume"))[:2] == ["── room2 ──",
                                                                     "*s Audio Volume: 70"]


async def test_a_failure_on_one_device_is_summarised(multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    assert (await multi.execute('@room2 xCommand Dial Number: "alice@example.com"')).ok
    outcome = await multi.execute("@room1,room2 xCommand Call Disconnect CallId: 1")
    assert not outcome.ok
    assert outcome.lines[-1] == "** 2 devices: 1 ok, 1 failed (room1: No active call(s) found.)"
    room2 = outcome.lines[outcome.lines.index("── room2 ──") + 1:]
    assert room2[:2] == ["", "OK"]  # room2's call was hung up
    assert rooms.sims[1].status(("SystemUnit", "State", "NumberOfActiveCalls")) == 0


async def test_unknown_names_are_one_error_and_nothing_is_sent(multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    before = rooms.sims[0].status("Audio Volume")
    outcome = await multi.execute("@room1,lobby xCommand Audio Volume Set Level: 11")
    assert not outcome.ok
    assert outcome.lines == ["@: no device named lobby (connected: room1, room2); nothing was sent"]
    assert rooms.sims[0].status("Audio Volume") == before
    for line, message in (("@ xStatus Audio", "@: name the devices"),
                          ("@all", "@: nothing to run"),
                          ("@all use room1", "@: use concerns the whole shell"),
                          ("@all clear", "@: clear concerns the whole shell"),
                          ("@room2 pane hide", "@: pane concerns the whole shell")):
        outcome = await multi.execute(line)
        assert not outcome.ok and len(outcome.lines) == 1 and outcome.lines[0].startswith(message)


async def test_an_at_line_keeps_its_secrets_out_of_history(multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    line = "@all xCommand SystemUnit AdminPassword Set NewPassword: hunter2 OldPassword: x"
    shown = multi.history_line(line)
    assert shown.startswith("@all xCommand SystemUnit AdminPassword Set") and "hunter2" not in shown


async def test_scripts_refuse_an_at_line_with_one_clear_message(client: Any) -> None:
    session = Session(client)
    result = await session.execute("@all xStatus Audio Volume")
    assert result.exit_code == 2
    assert any("@DEVICES LINE works in the interactive shell only; for scripts pass several "
               "TARGETs" in line for line in result.lines)


# ------------------------------------------------------------------ completion, lexer
async def test_device_names_complete_after_at_commas_and_use(multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    await run(multi, f"connect {rooms.urls[2]} as lobby")
    assert completions(multi, "@") == ["all", "lobby", "room1", "room2"]
    assert completions(multi, "@room1,") == ["lobby", "room2"]
    assert completions(multi, "@room1,r") == ["room2"]
    assert completions(multi, "use r") == ["room1", "room2"]
    assert completions(multi, "disconnect l") == ["lobby"]
    await discovered(multi)
    assert "Volume" in completions(multi, "@all xStatus Audio Vol")


async def test_the_lexer_marks_an_unknown_device_name(multi: MultiBackend, rooms: Rooms) -> None:
    await two(multi, rooms)
    def styles(text: str) -> dict[str, str]:
        get_line = BackendLexer(multi).lex_document(Document(text))
        return {t: s for s, t, *_ in get_line(0)}

    known = styles("@room1,room2 xStatus Audio")
    assert "error" not in known["room2"].lower() and "xStatus" in known
    assert "error" in styles("@room1,lobby xStatus Audio")["lobby"].lower()


# ------------------------------------------------------------------ as the user runs it
async def test_piped_lines_in_plain_mode(multi: MultiBackend, rooms: Rooms) -> None:
    rooms.sims[1].set_status("Audio Volume", 64)
    out = io.StringIO()
    script = (f"connect {rooms.urls[1]} as room2\n@all xStatus Audio Volume\n"
              "use nowhere\ndevices\n")
    status = await run_plain(multi, None, input=io.StringIO(script), output=out)
    text = out.getvalue().splitlines()
    assert status == 1  # `use nowhere` failed
    assert text[0].startswith("connected to room2") and text[1].startswith("devices: room1, room2")
    assert text[2:6] == ["── room1 ──", "*s Audio Volume: 50", "** end", ""]
    assert "*s Audio Volume: 64" in text and "** 2 devices: 2 ok" in text
    assert "use: no device named 'nowhere' (connected: room1, room2)" in text
    assert text[-1].split()[:2] == ["*", "room2"]


async def test_several_targets_start_one_shell_with_the_first_current(
        rooms: Rooms, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from xshell.modes import interactive

    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    args = run_args(device(rooms.urls[0], "room1"), device("ws://127.0.0.1:9/ws", "gone"),
                    device(rooms.urls[1], "room2"))
    monkeypatch.setattr("sys.stdin", io.StringIO("use\n@all xStatus Audio Volume\n"))
    assert await interactive._run(args) == 0
    out, err = capsys.readouterr()
    assert "xshell: gone: " in err
    assert "Connected to room1, room2; using room1." in out
    assert f"using room1 ({hostport(rooms, 0)}); connected: room1, room2" in out
    assert "** 2 devices: 2 ok" in out


async def test_the_first_devices_password_opens_the_next_one(
        multi: MultiBackend, rooms: Rooms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XSHELL_PASSWORD")  # nothing else gives one: no prompt, no keyring
    outcome = await multi.execute(f"connect {rooms.urls[1]} as room2")
    assert outcome.ok, outcome.lines
    assert multi.names() == ("room1", "room2")


async def test_shell_wide_commands_are_in_the_transcript(
        multi: MultiBackend, rooms: Rooms, tmp_path: Any) -> None:
    log = tmp_path / "day.jsonl"
    assert (await multi.execute(f"log start {log}")).ok
    url = rooms.urls[1]
    assert (await multi.execute(f"connect {url} as room2")).ok
    assert (await multi.execute("use room1")).ok
    assert not (await multi.execute("use lobby")).ok
    assert (await multi.execute("@all xStatus Audio Volume")).ok
    await multi.execute("log stop")
    text = log.read_text(encoding="utf-8")
    assert PASSWORD not in text
    records = [json.loads(ln) for ln in text.splitlines()]
    sent = [(r["device"], r["line"]) for r in records if r["kind"] == "sent"]
    assert [line for _, line in sent][:3] == [f"connect {url} as room2",
                                               "use room1", "use lobby"]
    assert [d for d, _ in sent][:3] == ["room1", "room2", "room1"]  # where each was typed
    assert sorted(d for d, line in sent if line == "xStatus Audio Volume") == ["room1", "room2"]
    replies = [r for r in records if r["kind"] == "reply"]
    shell_wide = [r for r in replies if not any("Audio Volume" in ln for ln in r["lines"])]
    assert [r["ok"] for r in shell_wide][-3:] == [True, True, False]
    assert "lobby" in shell_wide[-1]["lines"][0]


async def test_at_all_apply_shows_each_diff_then_one_table_and_the_worst_exit(
        multi: MultiBackend, rooms: Rooms, tmp_path: Any) -> None:
    await two(multi, rooms)
    await run(multi, f"connect {rooms.urls[2]} as room3")
    rooms.sims[1].set_configuration("Audio DefaultVolume", 61)  # room2: already as desired
    cfg = tmp_path / "w.cfg"
    cfg.write_text("xConfiguration Audio DefaultVolume: 61\nxConfiguration Audio SoundsAndAlerts "
                   "RingVolume: 40\n", encoding="utf-8")
    checked = await multi.execute(f"@room1,room2 apply {cfg} --check")
    assert checked.ok
    lines = checked.lines
    table = lines.index("ROOM   WOULD CHANGE  AS DESIRED  FAILED/NOT SENT  EXIT")
    assert lines.index("── room1 ──") < lines.index("── room2 ──") < table  # after both diffs
    assert lines.count("+*c xConfiguration Audio DefaultVolume: 61") == 1
    assert lines[table + 1:] == ["room1             2           0              0/0     0",
                                 "room2             1           1              0/0     0",
                                 "** 2 devices: 2 ok; worst exit 0"]
    await rooms.stop(2)  # room3 goes away: its exit (2 or 3, as far as it got) is the worst
    applied = await multi.execute(f"@all apply {cfg}")
    assert not applied.ok
    table = applied.lines.index("ROOM   CHANGED  AS DESIRED  FAILED/NOT SENT  EXIT")
    assert applied.lines.index("── room3 ──") < table
    assert applied.lines[table + 1:table + 3] == ["room1        2           0              0/0     0",
                                                  "room2        1           1              0/0     0"]
    room3 = applied.lines[table + 3]
    assert room3.startswith("room3        -           -                -     ")
    worst = room3.split()[-1]
    assert worst in ("2", "3")
    assert applied.lines[-1].startswith("** 3 devices: 2 ok, 1 failed (room3: ")
    assert applied.lines[-1].endswith(f"; worst exit {worst}")
    assert rooms.sims[0].configuration("Audio DefaultVolume") == 61


async def test_garbage_a_device_sends_while_it_is_opened_reaches_the_pane_not_the_terminal(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """The prompt (or the full screen) may already be drawn while a device is identified
    (draw first, connect behind it): what it sends then is shown with its other feedback,
    made inert, once the shell takes it in, and nothing is printed on the terminal."""
    from tests.inert_device import Device as HostileDevice, hostile_device
    from xshell.modes.interactive import DeviceOpener
    from xshell.session.shell_context import ShellContext

    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    garbage = HostileDevice(after={"xGet": ["not json \x1b[31m", '{"jsonrpc":"2.0","id":777,"result":1}']})
    async with hostile_device(garbage) as d:
        hostile = device(d.url, "hostile")
        opener = DeviceOpener(run_args(hostile), ShellContext())
        m = MultiBackend(opener.connect)
        log = EventLog()
        m.set_feedback_sink(log.push)
        try:
            m.add(await opener.open(hostile, interactive_ok=True, key_problem=m.key_problem))
            log.flush()  # what the pane shows at its next redraw
            shown = [line for line in log.lines_text() if "unexpected" in line]
        finally:
            await m.aclose()
    # identify asks two values, each answer followed by the two frames: those after the
    # first answer came before the second one, so while the device was being identified
    assert any("'not json \\x1b[31m'" in line for line in shown), shown
    assert any("unknown id 777" in line for line in shown), shown
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
