"""`trace on|off` and `--trace`: every JSON-RPC frame, timestamped, secrets masked.

From the transport's plain hook (XoWSClient.on_frame) through the session's masking to
what a user reads: stderr in a script, a record of its own in a jsonl transcript, the
feedback pane or the output of the full screen, and `as FORM LINE` on the screen.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import xshell as run_cli
from tests.conftest import PASSWORD, USER
from tests.e2e_helpers import Term
from tests.e2e.test_e2e_pexpect import WIDE, run_fullscreen, start_fullscreen
from xshell.schema.model import Schema
from xshell.session.wiretrace import mask_frame
from xshell.transport.client import XoWSClient

SECRET = "Sip-Secret-99"
STAMP = r"\d\d:\d\d:\d\d\.\d\d\d"


@pytest.fixture(scope="module")
def published(request: pytest.FixtureRequest) -> Schema:
    from tests.conftest import SCHEMA_FILE
    if not SCHEMA_FILE.is_file():
        pytest.skip("the published schema is not available")
    from xshell.schema.cisco import load_cisco
    return load_cisco(SCHEMA_FILE)


# ---------------------------------------------------------------- the transport's hook
async def test_the_hook_sees_every_frame_in_order_and_none_costs_nothing(sim: Any) -> None:
    seen: list[tuple[str, Any]] = []
    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as c:
        assert c.on_frame is None
        c.on_frame = lambda direction, raw: seen.append((direction, json.loads(raw)))
        assert await c.get(["Status", "Audio", "Volume"]) == 50
        await c.notify("xCommand/Audio/Volume/Set", {"Level": 40})
        c.on_frame = None
        await c.get(["Status", "Audio", "Volume"])
    assert [d for d, _ in seen] == ["sent", "received", "sent"]
    assert seen[0][1]["method"] == "xGet" and seen[1][1]["result"] == 50
    assert seen[2][1] == {"jsonrpc": "2.0", "method": "xCommand/Audio/Volume/Set",
                          "params": {"Level": 40}}


async def test_a_failing_hook_loses_no_frame(sim: Any) -> None:
    def broken(direction: str, raw: Any) -> None:
        raise RuntimeError("a bug in a listener")
    async with XoWSClient(sim.url, username=USER, password=PASSWORD) as c:
        c.on_frame = broken
        assert await c.get(["Status", "Audio", "Volume"]) == 50


# ---------------------------------------------------------------- masking
def test_sent_and_received_secrets_are_masked_by_the_schema(published: Schema) -> None:
    paths: dict[Any, list[Any]] = {}
    sent = mask_frame(json.dumps({"jsonrpc": "2.0", "id": 7, "method": "xGet", "params": {
        "Path": ["Configuration", "NetworkServices", "NTP", "Server", 1]}}), "sent", published, paths)
    assert '"Path":["Configuration","NetworkServices","NTP","Server",1]' in sent
    reply = mask_frame(json.dumps({"jsonrpc": "2.0", "id": 7, "result": [
        {"id": 1, "Address": "ntp.example", "Key": "k3y-secret", "KeyId": "5"}]}),
        "received", published, paths)
    assert "k3y-secret" not in reply and "ntp.example" in reply and '"KeyId":"5"' in reply
    xset = mask_frame(json.dumps({"jsonrpc": "2.0", "id": 8, "method": "xSet", "params": {
        "Path": "Configuration/SIP/Authentication/Password", "Value": SECRET}}), "sent", published)
    event = mask_frame(json.dumps({"jsonrpc": "2.0", "method": "xFeedback/Event", "params": {
        "Configuration": {"SIP": {"Authentication": {"Password": SECRET, "UserName": "bob"}}},
        "Id": 0}}), "received", published)
    command = mask_frame(json.dumps({"jsonrpc": "2.0", "id": 9,
                                     "method": "xCommand/UserManagement/User/Passphrase/Set",
                                     "params": {"newpassphrase": SECRET, "Username": "bob"}}),
                         "sent", published)
    broken = mask_frame('{"method":"xSet","params":{"Value":"' + SECRET + '"', "sent", published)
    for text in (xset, event, command, broken):
        assert SECRET not in text and "***" in text, text
    assert '"UserName":"bob"' in event


# ---------------------------------------------------------------- scripts
async def test_trace_in_a_script_goes_to_stderr_masked_and_stdout_stays_the_answers() -> None:
    code, out, err = await run_cli(
        "--demo", "--trace", "-c", "xStatus Audio Volume",
        "-c", f'xConfiguration SIP Authentication Password: "{SECRET}"',
        "-c", "xConfiguration SIP Authentication", "-c", "trace off", "-c", "xStatus Audio Volume")
    assert code == 0, err
    assert out.count("*s Audio Volume: 50") == 2 and ">>" not in out
    frames = [ln for ln in err.splitlines() if re.match(rf"xshell: {STAMP} (>>|<<) \{{", ln)]
    sent = [json.loads(ln.split(" ", 3)[3]) for ln in frames if " >> " in ln]
    reads = [f for f in sent if f["method"] in ("xGet", "xSet")]  # (and the schema's xDoc)
    assert [f["method"] for f in reads][-3:] == ["xGet", "xSet", "xGet"]  # trace off: no more
    assert reads[-2]["params"]["Value"] == "***"
    assert any('"result":50' in ln for ln in frames)
    assert SECRET not in out + err


async def test_trace_on_in_a_script_says_the_frames_go_to_stderr() -> None:
    code, out, err = await run_cli("--demo", "-c", "trace on", "-c", "trace")
    assert code == 0, err
    assert out.splitlines() == ["trace: on (stderr): every JSON-RPC frame, secrets masked", "", "OK",
                                "trace: on (stderr), 0 frames so far", "", "OK"]


async def test_trace_frames_are_records_of_their_own_in_a_jsonl_transcript(tmp_path: Path) -> None:
    log = tmp_path / "run.jsonl"
    code, out, err = await run_cli(
        "--demo", "--log", str(log), "-c", "trace on", "-c",
        f'xConfiguration SIP Authentication Password: "{SECRET}"', "-c", "trace off")
    assert code == 0, err
    records = [json.loads(ln) for ln in log.read_text().splitlines()]
    traces = [r for r in records if r["kind"] == "trace"]
    frames = [(r["direction"], json.loads(r["frame"])) for r in traces]
    xset = next(i for i, (d, f) in enumerate(frames) if f.get("method") == "xSet")
    assert frames[xset][1]["params"]["Value"] == "***"
    assert frames[-1][0] == "received" and frames[-1][1]["result"] is True
    assert SECRET not in log.read_text() + out + err


async def test_trace_and_as_say_what_was_wrong_in_one_line() -> None:
    code, out, err = await run_cli("--demo", "-c", "trace sideways", "-c", "as perl xStatus Audio",
                                   "-c", "xStatus Audio Volume")
    assert code == 2
    assert "xshell: -c:1: error: trace: unknown form 'sideways'; use trace on [pane|inline]" in err
    assert "xshell: -c:2: error: as: unknown form 'perl'; use one of macro, jsxapi" in err
    assert "*s Audio Volume: 50" in out  # the later line still ran


async def test_as_prints_the_line_as_code_and_sends_nothing() -> None:
    code, out, err = await run_cli(
        "--demo", "--trace", "-c", 'as macro xCommand Dial Number: "alice@example.com"',
        "-c", f'as jsonrpc xConfiguration SIP Authentication Password: "{SECRET}"',
        "-c", f'as jsonrpc --secrets xConfiguration SIP Authentication Password: "{SECRET}"')
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == 'xapi.Command.Dial({ Number: "alice@example.com" });'
    assert json.loads(lines[1])["params"] == {
        "Path": ["Configuration", "SIP", "Authentication", "Password"], "Value": "***"}
    assert json.loads(lines[2])["params"]["Value"] == SECRET  # asked for
    methods = [json.loads(ln.split(" ", 3)[3]).get("method") for ln in err.splitlines()
               if re.match(rf"xshell: {STAMP} >> ", ln)]
    assert methods and not {"xCommand/Dial", "xSet"} & set(methods)  # only the schema was read


# ---------------------------------------------------------------- the full screen
def test_trace_on_the_full_screen_in_the_pane_then_inline(xshell: Callable[..., Term]) -> None:
    term = start_fullscreen(xshell, WIDE)
    run_fullscreen(term, "trace on", "trace: on (pane)")
    run_fullscreen(term, "xStatus Audio Volume", "*s Audio Volume: 50")
    row, col = term.wait_text('"result":50}')
    title_row, title_col = term.wait_text("Feedback (")
    assert row > title_row and col > title_col  # in the pane, not the output
    run_fullscreen(term, "trace on inline", "trace: on (inline)")
    run_fullscreen(term, f'xConfiguration SIP Authentication Password: "{SECRET}"', "OK",
                   echo="xConfiguration SIP Authentication Password: ***")
    row, col = term.wait_text('"result":true}')
    assert col < title_col  # in the output, among the answers
    assert not term.screen.contains(SECRET)
    run_fullscreen(term, "trace off", "trace: off (")
    term.key("ctrl-d")
    assert term.wait_exit() == 0


def test_frames_keep_their_order_under_load() -> None:
    """The hook is called in the loop turn a frame is sent or read: pipelined requests
    appear sent in order and every reply once."""
    async def main() -> list[tuple[str, int]]:
        from xshell.sim import Simulator
        seen: list[tuple[str, int]] = []
        async with Simulator(user=USER, password=PASSWORD).serve(host="127.0.0.1", port=0) as srv:
            async with XoWSClient(srv.url, username=USER, password=PASSWORD) as c:
                c.on_frame = lambda d, raw: seen.append((d, json.loads(raw)["id"]))
                await asyncio.gather(*(c.get(["Status", "Audio", "Volume"]) for _ in range(50)))
        return seen
    seen = asyncio.run(main())
    sent = [i for d, i in seen if d == "sent"]
    assert sent == sorted(sent) and len(sent) == 50
    assert sorted(i for d, i in seen if d == "received") == sent
