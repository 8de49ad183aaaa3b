"""Nothing from the device or the network reaches a terminal or a transcript raw (CLI runs).

Each test runs the real `xshell` command against a device that sends OSC 52 (write the
clipboard), 8-bit CSI, a bidi override, DEL and a lone surrogate through one channel, and
reads the bytes written to stdout, stderr and the transcripts: none of those characters
is there raw, each is there as a visible escape, and the lines after it still ran.
(A broad table of hostile-device scenarios lives in tests/hostile/; this covers each
output channel once.)
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.clirun import xshell
from tests.inert_device import (HOSTILE, HOSTILE_JSON, OSC52, SHOWN, Device, assert_inert, error,
                                hostile_device, raw_http, result)

H = HOSTILE_JSON
KEY = H[1:-1]  # the hostile text as the inside of a JSON key


def shows_all(text: str) -> bool:
    return all(escape in text for escape in SHOWN)


async def test_value_key_and_attribute_key_on_stdout_and_later_lines_run() -> None:
    d = Device()
    d.gets["Status/Foo"] = result('{"K' + KEY + '":' + H + ',"g' + KEY + '":"x"}')
    async with hostile_device(d):
        code, out, err = await xshell(d.url, "-c", "xStatus Foo", "-c", "xStatus Foo")
    assert code == 0, err
    assert_inert(out + err)
    lines = out.splitlines()
    attr = [ln for ln in lines if ln.startswith("*s Foo (g")]
    keyed = [ln for ln in lines if ln.startswith("*s Foo K")]
    assert len(attr) == 2 and shows_all(attr[0])  # the lone surrogate did not end the run
    assert len(keyed) == 2 and shows_all(keyed[0].split(":")[0])  # the key itself
    assert json.loads(keyed[0].split(": ", 1)[1]) == HOSTILE + "\ud800"  # the value, exact


async def test_error_message_error_data_and_id_null_message() -> None:
    d = Device()
    d.methods["xCommand/Foo/Bar"] = error('{"code":1,"message":' + H + ',"data":{"D' + KEY + '":'
                                          + H + '}}')
    d.after["xCommand/Foo/Bar"] = ['{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":'
                                   + H + '}}']
    d.gets["Status/Foo"] = result("1")
    async with hostile_device(d):
        code, out, err = await xshell(d.url, "-c", "xCommand Foo Bar", "-c", "xStatus Foo")
    assert code == 1
    assert_inert(out + err)
    assert any(ln.startswith("*r FooBarResult D\\x1b]52") for ln in out.splitlines())  # data key
    reason = next(ln for ln in out.splitlines() if "Reason" in ln)
    assert json.loads(reason.split(": ", 1)[1]) == HOSTILE + "\ud800"
    unexpected = [ln for ln in err.splitlines() if "unexpected" in ln]
    assert unexpected and shows_all(unexpected[0])  # id:null: one line on stderr, inert
    assert out.rstrip().endswith("*s Foo: 1\n** end\n\nOK".rstrip())  # the next line ran


async def test_feedback_and_close_reason_in_a_follow_run() -> None:
    d = Device()
    d.methods["xFeedback/Subscribe"] = result('{"Id":1}')
    d.after["xFeedback/Subscribe"] = [
        '{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Id":1,"Status":{"Foo":{"K'
        + KEY + '":' + H + '}}}}']
    d.close_after["xFeedback/Subscribe"] = (4000, "bye" + OSC52 + "\x9b\u202e")
    async with hostile_device(d):
        code, out, err = await xshell(d.url, "-c", "xFeedback register Status/Foo", "--follow",
                                      "--max-events", "2")  # the 2nd after the reconnect
    assert_inert(out + err)
    event = next(ln for ln in out.splitlines() if ln.startswith("*s Foo K"))
    assert shows_all(event)
    lost = [ln for ln in err.splitlines() if "lost" in ln]
    assert lost and "(code 4000: bye\\x1b]52;c;SGk=\\x07\\u009b\\u202e)" in lost[0], err
    assert code == 0 and len([ln for ln in out.splitlines() if ln.startswith("*s Foo K")]) == 2


async def test_header_of_a_failed_upgrade_is_one_inert_line() -> None:
    # Latin-1 decoding makes bytes 0x9b/0x9d/0x9c C1 controls: CSI, OSC, ST
    bad = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\x9b31m\x9d52;c;SGk=\x9c\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n")
    async with raw_http(bad) as url:
        code, out, err = await xshell(url, "-c", "xStatus Foo")
    assert code == 3 and out == ""
    assert_inert(err)
    assert len(err.splitlines()) == 1
    assert "x\\u009b31m\\u009d52;c;SGk=\\u009c" in err


async def test_system_unit_name_in_fleet_headers_summary_and_notes() -> None:
    d = Device(name_json=H)
    d.gets["Status/Foo"] = result("1")
    d.after["xGet"] = ['{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"odd"}}']
    async with hostile_device(d):
        code, out, err = await xshell(d.url, d.url, "-c", "xStatus Foo")
    assert code == 0, err
    assert_inert(out + err)
    headers = [ln for ln in out.splitlines() if ln.startswith("== ")]
    assert len(headers) == 2 and shows_all(headers[0])
    notes = [ln for ln in err.splitlines() if "unexpected" in ln]
    assert notes and shows_all(notes[0].split(": device")[0])  # "xshell: NAME: device sent …"
    summary = [ln for ln in err.splitlines() if ln.startswith("\\x1b]52")]
    assert len(summary) == 2 and shows_all(summary[0])


async def test_text_and_jsonl_transcripts_hold_nothing_raw(tmp_path: Path) -> None:
    d = Device(version_json=H)  # the software version is in the "connected (…)" note
    d.gets["Status/Foo"] = result('{"K' + KEY + '":' + H + '}')
    d.methods["xCommand/Foo/Bar"] = error('{"code":1,"message":' + H + '}')
    texts = []
    async with hostile_device(d):
        for name in ("t.log", "t.jsonl"):
            code, out, err = await xshell(d.url, "-c", "xStatus Foo", "-c", "xCommand Foo Bar",
                                          "--log", str(tmp_path / name))
            assert code == 1, err
            texts.append((tmp_path / name).read_bytes().decode("utf-8"))  # strict: no surrogate
    text, jsonl = texts
    for content in texts:
        assert_inert(content)
    note = next(ln for ln in text.splitlines() if "connected (" in ln)
    assert shows_all(note)
    assert any(shows_all(ln) for ln in text.splitlines() if " < *s Foo K" in ln)
    records = [json.loads(ln) for ln in jsonl.splitlines()]
    assert records[0]["line"].startswith("connected (" + HOSTILE + "\ud800")  # exact, escaped
    reply = next(r for r in records if r.get("kind") == "reply")
    assert any(shows_all(ln) for ln in reply["lines"])  # the key, made inert by the renderer
