"""Transcripts (`log start FILE`, `--log FILE`): what lands in the file, in both formats.

Against the in-process simulator: the file must hold the lines sent, the replies and the
feedback events, with timestamps a tool can parse — and never a secret the user typed or
the device sent.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, USER
from tests.integration.test_session import Collector as Events  # awaitable on_feedback target
from xshell.session.shell_context import ShellContext
from xshell.session.core import Session
from xshell.session.result import EXIT_OK, EXIT_USAGE
from xshell.lang.redact import redact_entry
from xshell.session.transcript import TranscriptError, open_transcript
from xshell.transport.client import XoWSClient

TEXT_LINE = re.compile(r"^(\S+) (\S+) ([<>!#])(?: (.*))?$")


@pytest.fixture
async def session(sim: Any) -> AsyncIterator[Session]:
    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as client:
        s = Session(client, device_key="127.0.0.1_sim", on_feedback=Events(), name="boardroom")
        await s.identify()
        yield s
        if s.context.transcript is not None:
            s.context.transcript.close()


def parse_time(stamp: str) -> datetime:
    assert stamp.endswith("Z")
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")


def text_records(path: Path) -> list[tuple[str, str, str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = TEXT_LINE.match(line)
        assert m, f"not a transcript line: {line!r}"
        parse_time(m.group(1))
        out.append((m.group(1), m.group(2), m.group(3), m.group(4) or ""))
    return out


async def volume_change(session: Session) -> None:
    """Register for the volume, change it, and wait until the event has been delivered."""
    events = session.on_feedback
    assert isinstance(events, Events)
    assert (await session.execute("xFeedback register /Status/Audio/Volume")).ok
    assert (await session.execute("xCommand Audio Volume Set Level: 63")).ok
    await events.wait_for(lambda items: any("*s Audio Volume: 63" in fb.lines for fb in items))


# --------------------------------------------------------------------------- in a session
async def test_text_transcript_holds_sent_reply_and_feedback(session: Session, tmp_path: Path) -> None:
    log = tmp_path / "t.log"
    started = await session.execute(f"log start {log}")
    assert started.lines == [f"log: writing to {log} (text)"] and started.ok
    reply = await session.execute("xStatus Audio Volume")
    await volume_change(session)
    assert (await session.execute("log stop")).lines == [f"log: stopped writing to {log}"]

    records = text_records(log)
    assert {r[1] for r in records} == {"boardroom"}
    body = [(m, text) for _, _, m, text in records]
    assert body[0] == ("#", "log started") and body[-1] == ("#", "log stopped")
    at = body.index((">", "xStatus Audio Volume"))
    assert body[at + 1: at + 1 + len(reply.lines)] == [("<", ln) for ln in reply.lines]
    assert (">", "xCommand Audio Volume Set Level: 63") in body
    assert ("!", "*s Audio Volume: 63") in body
    times = [parse_time(r[0]) for r in records]
    assert times == sorted(times)


async def test_help_is_recorded_once_as_typed(session: Session, tmp_path: Path) -> None:
    log = tmp_path / "h.log"
    await session.execute(f"log start {log}")
    helped = await session.execute("help xStatus Audio")
    await session.execute("log stop")
    body = [(m, text) for _, _, m, text in text_records(log)]
    assert [t for m, t in body if m == ">"] == ["help xStatus Audio"]
    assert [t for m, t in body if m == "<"] == helped.lines


async def test_jsonl_transcript_records(session: Session, tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    assert (await session.execute(f"log start {log}")).lines == [f"log: writing to {log} (jsonl)"]
    await session.execute("xStatus Audio Volume")
    await session.execute("xStatus Audio NoSuchThing")
    await volume_change(session)
    await session.execute("log stop")

    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    for rec in records:
        parse_time(rec["time"])
        assert rec["device"] == "boardroom"
    kinds = [r["kind"] for r in records]
    assert kinds[0] == "note" and kinds[-1] == "note" and {"sent", "reply", "feedback"} <= set(kinds)
    sent = [r for r in records if r["kind"] == "sent"]
    assert sent[0]["line"] == "xStatus Audio Volume" and sent[0]["body_lines"] == 0
    replies = [r for r in records if r["kind"] == "reply"]
    assert replies[0]["ok"] is True and replies[0]["exit"] == 0
    assert replies[0]["lines"][-1] == "OK" and replies[0]["lines"][0].startswith("*s Audio Volume: ")
    assert replies[1]["ok"] is False and replies[1]["exit"] != 0
    feedback = [r for r in records if r["kind"] == "feedback"]
    assert any("*s Audio Volume: 63" in r["lines"] for r in feedback)


async def test_no_secret_reaches_the_transcript(session: Session, tmp_path: Path,
                                                sim: Any) -> None:
    log = tmp_path / "t.log"
    await session.execute(f"log start {log}")
    await session.execute('xCommand UserManagement User Passphrase Change '
                          'OldPassphrase: "Old-Pass-1234" NewPassphrase: "New-Pass-5678"')
    await session.execute('xConfiguration SIP Authentication Password: "Hunter-2222"')
    await session.execute("xConfiguration SIP")  # the simulator sends its password in clear
    await session.execute('xCommand HttpClient Post Url: "http://example.com/x"\n'
                          '{"token": "Body-Secret-99"}\nsecond line')
    await session.execute("log stop")
    text = log.read_text(encoding="utf-8")
    for secret in ("Old-Pass-1234", "New-Pass-5678", "Hunter-2222", "Sim-Digest-7731",
                   "Body-Secret-99"):
        assert secret not in text
    assert "NewPassphrase: ***" in text
    assert '*c xConfiguration SIP Authentication Password: "***"' in text
    assert 'xCommand HttpClient Post Url: "http://example.com/x" (body: 2 lines)' in text


def test_transcript_line_masks_configurations_until_the_schema_is_known() -> None:
    assert redact_entry("xConfiguration Audio DefaultVolume: 50", None) == \
        "xConfiguration Audio DefaultVolume: ***"
    assert redact_entry("xStatus Audio Volume", None) == "xStatus Audio Volume"
    assert redact_entry('xCommand Dial Number: "bob" Password: "pw1"', None) == \
        'xCommand Dial Number: "bob" Password: ***'


async def test_transcript_line_keeps_plain_configurations_with_a_schema(session: Session) -> None:
    await session.store.ensure("Configuration")
    assert redact_entry("xConfiguration Audio DefaultVolume: 50", session.schema) == \
        "xConfiguration Audio DefaultVolume: 50"
    assert redact_entry('xConfiguration Provisioning ExternalManager Password: "p w"',
                        session.schema) == \
        "xConfiguration Provisioning ExternalManager Password: ***"


async def test_log_command_forms_and_errors(session: Session, tmp_path: Path) -> None:
    assert (await session.execute("log")).lines[0].startswith("log: off")
    assert (await session.execute("log stop")).lines == ["log: off; nothing to stop"]
    missing = tmp_path / "no-such-dir" / "t.log"
    bad = await session.execute(f"log start {missing}")
    assert bad.exit_code == EXIT_USAGE
    assert bad.lines == [f"error: log: cannot open transcript {missing}: No such file or directory"]
    wrong = await session.execute(f"log start {tmp_path / 'x.log'} yaml")
    assert wrong.exit_code == EXIT_USAGE and "'yaml' is not one of text, jsonl" in wrong.lines[0]
    assert (await session.execute("log rotate")).exit_code == EXIT_USAGE

    first = tmp_path / "a.log"
    assert (await session.execute(f'log start "{first}" jsonl')).ok
    assert (await session.execute("log")).lines == [f"log: writing to {first} (jsonl)"]
    again = await session.execute(f"log start {tmp_path / 'b.log'}")
    assert again.exit_code == EXIT_USAGE and "already writing to" in again.lines[0]
    assert (await session.execute("xStatus Audio Volume")).exit_code == EXIT_OK  # still alive
    assert not (tmp_path / "b.log").exists()


async def test_one_transcript_records_every_device(sim: Any, tmp_path: Path) -> None:
    context = ShellContext()
    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as c1, \
            XoWSClient(sim.url, username=USER, password=PASSWORD) as c2:
        room = Session(c1, context=context, name="room-a")
        lobby = Session(c2, context=context, name="lobby b")
        log = tmp_path / "all.log"
        await room.execute(f"log start {log}")
        await lobby.execute("xStatus Audio Volume")
        await room.execute("xStatus Standby State")
        await lobby.execute("log stop")
    records = text_records(log)
    assert ("lobby_b", ">", "xStatus Audio Volume") in [(r[1], r[2], r[3]) for r in records]
    assert ("room-a", ">", "xStatus Standby State") in [(r[1], r[2], r[3]) for r in records]
    assert records[-1][1:] == ("lobby_b", "#", "log stopped")


# --------------------------------------------------------------------------- the file itself
def test_append_two_runs_and_close_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "shared.log"
    for n in (1, 2):
        tr = open_transcript(path)
        tr.note("dev", f"run {n}")
        tr.close()
        tr.close()
        tr.note("dev", "after close")  # ignored, never raises
    notes = [r[3] for r in text_records(path)]
    assert notes == ["run 1", "run 2"]
    assert (path.stat().st_mode & 0o777) == 0o600


def test_text_lines_stay_one_record_each(tmp_path: Path) -> None:
    tr = open_transcript(tmp_path / "t.log", "text")
    tr.sent("", "xCommand Foo\x1b[2J Bar")
    tr.reply("dev", ["*r Foo: 1", "", "ERROR"], exit_code=1)
    tr.close()
    lines = (tmp_path / "t.log").read_text(encoding="utf-8").splitlines()
    assert [ln.split(" ", 1)[1] for ln in lines] == [
        "- > xCommand Foo\\x1b[2J Bar", "dev < *r Foo: 1", "dev <", "dev < ERROR", "dev # exit 1"]


def test_format_follows_the_file_name(tmp_path: Path) -> None:
    formats = []
    for name, fmt in (("a.JSONL", None), ("a.log", None), ("b.jsonl", "text")):
        tr = open_transcript(tmp_path / name, fmt) if fmt else open_transcript(tmp_path / name)
        formats.append(tr.format)
        tr.close()
    assert formats == ["jsonl", "text", "text"]


def test_open_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match=f"cannot open transcript {tmp_path}: is a directory"):
        open_transcript(tmp_path)
    with pytest.raises(TranscriptError, match="'xml' is not one of text, jsonl"):
        open_transcript(tmp_path / "x", "xml")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
async def test_a_failing_disk_stops_the_log_not_the_shell(session: Session) -> None:
    assert (await session.execute("log start /dev/full")).ok
    result = await session.execute("xStatus Audio Volume")
    assert result.ok and result.lines[-1] == "OK"
    status = await session.execute("log")
    assert status.lines == ["log: stopped: writing /dev/full failed: No space left on device"]
    assert (await session.execute("log stop")).ok


async def test_connection_changes_and_device_garbage_are_noted(session: Session, tmp_path: Path) -> None:
    """The interactive backend records what happened to the link, tagged with the device."""
    from xshell.shell.one_device import ShellBackendImpl

    path = tmp_path / "link.log"
    session.context.transcript = open_transcript(str(path))
    backend = ShellBackendImpl(session, host="127.0.0.1")
    try:
        backend.on_connection_state("reconnecting", "connection lost: 1006")
        backend.on_protocol_error(ValueError("frame 7 is not JSON"))
    finally:
        await backend.aclose()
    notes = [(dev, text) for _, dev, mark, text in text_records(path) if mark == "#"]
    assert ("boardroom", "connection reconnecting: connection lost: 1006") in notes
    assert ("boardroom", "device sent something unexpected: frame 7 is not JSON") in notes


@pytest.mark.parametrize("line", [
    "xConfiguration Audio DefaultVolume:50 extra",
    'xConfiguration SIP Authentication Password: two words',
    '[{"jsonrpc":"2.0","method":"xSet","params":{"Path":"Configuration/SIP/Authentication/Password",'
    '"Value":"s3cret"}}]',
])
async def test_history_and_transcript_keep_the_same_masked_text(session: Session, tmp_path: Path,
                                                                line: str) -> None:
    """Before the schema is known, what history shows is what the transcript writes."""
    from xshell.shell.one_device import ShellBackendImpl

    log = tmp_path / "t.log"
    await session.execute(f"log start {log}")
    shown = ShellBackendImpl(session, host="sim").history_line(line)
    await session.execute(line)
    await session.execute("log stop")
    sent = [r[3] for r in text_records(log) if r[2] == ">"]
    assert sent == [shown]
    assert "50" not in shown and "s3cret" not in shown and "words" not in shown
