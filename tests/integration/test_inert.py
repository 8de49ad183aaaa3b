"""The output boundary (xshell.inert), and the interactive screens that write through it.

The function itself: every character a terminal would obey comes out as a visible escape,
clean text comes out unchanged, JSON stays JSON. Then the plain prompt and the full-screen
UI, with the real backend, against a device whose name, software version, keys, values,
errors and feedback all carry OSC 52 (write the clipboard), 8-bit CSI, a bidi override
and a lone surrogate: what reaches the terminal holds none of them raw, and shows each.
The command-line channels (stdout, stderr, transcripts, fleet) are in test_inert_cli.py.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.formatted_text import fragment_list_to_text
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from tests.inert_device import (HOSTILE, HOSTILE_JSON, OSC52, SHOWN, Device, assert_inert, error,
                                hostile_device, result)
from xshell.inert import UNSAFE, InertFormatter, inert, inert_block, inert_lines
from xshell.shell.one_device import ShellBackendImpl
from xshell.modes.interactive import welcome
from xshell.session.core import Session
from xshell.transport.client import XoWSClient
from xshell.ui.app import ShellApp
from xshell.ui.plain import run_plain

# ------------------------------------------------------------------ the function


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b", "\\x1b"), ("\x07", "\\x07"), ("\r", "\\x0d"), ("\n", "\\x0a"), ("\x00", "\\x00"),
    ("\x7f", "\\u007f"), ("\x9b", "\\u009b"), ("\x9d", "\\u009d"), ("\x85", "\\u0085"),
    ("\u202e", "\\u202e"), ("\u202a", "\\u202a"), ("\u2066", "\\u2066"), ("\u2069", "\\u2069"),
    ("\u2028", "\\u2028"), ("\ud800", "\\ud800"), ("\udfff", "\\udfff"),
])
def test_each_unsafe_character_is_shown_as_an_escape(raw: str, shown: str) -> None:
    assert inert(f"a{raw}b") == f"a{shown}b"


def test_osc52_in_a_line_is_shown_not_obeyed() -> None:
    assert inert(f"*s Foo: {OSC52}") == "*s Foo: \\x1b]52;c;SGk=\\x07"


def test_clean_text_is_returned_as_is() -> None:
    line = "*s Audio Volume: 50\twith tab, é, 日本, emoji \U0001F600, \u200b"
    assert inert(line) is line
    assert inert_block(line + "\n" + line) == line + "\n" + line


def test_a_block_keeps_xshells_line_breaks_and_lines_split_on_them() -> None:
    assert inert_block("one\x1b\ntwo\r") == "one\\x1b\ntwo\\x0d"
    assert inert_lines(["a\nb\x9b", "c"]) == ["a", "b\\u009b", "c"]


@given(st.text())
def test_any_text_comes_out_inert_one_line_and_stable(text: str) -> None:
    out = inert(text)
    assert_inert(out)
    assert "\n" not in out
    assert inert(out) == out  # idempotent: two writers in a row change nothing more
    assert (out == text) == (UNSAFE.search(text) is None)


@given(st.lists(st.text()))
def test_any_lines_come_out_inert(lines: list[str]) -> None:
    out = inert_lines(lines)
    for line in out:
        assert_inert(line)
        assert "\n" not in line
    assert len(out) == sum(line.count("\n") + 1 for line in lines)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_inert_json_is_still_the_same_json(value: object) -> None:
    text = inert(json.dumps(value, ensure_ascii=False))
    assert_inert(text)
    assert json.loads(text) == value


def test_log_records_are_formatted_inert() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "device said %s", (HOSTILE,), None)
    assert InertFormatter().format(record) == "device said \\x1b]52;c;SGk=\\x07\\u009b31m\\u202e\\u007f"


def test_a_feedback_line_costs_little_when_clean() -> None:
    import timeit
    per_call = min(timeit.repeat(lambda: inert("*s Audio Volume: 50"), number=20_000, repeat=3)) / 20_000
    assert per_call < 5e-6  # ~0.1 µs on a laptop; a storm of 10 000 events/s stays cheap


# ------------------------------------------------------------------ the screens, end to end

SUB = '{"Id":1}'
EVENT = ('{"jsonrpc":"2.0","method":"xFeedback/Event","params":{"Id":1,"Status":{"Foo":{"K'
         + HOSTILE_JSON[1:-1] + '":' + HOSTILE_JSON + '}}}}')
ID_NULL = ('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":' + HOSTILE_JSON + '}}')


def device() -> Device:
    """Name, software, a key, an attribute key, a value, an error, an event: all hostile."""
    d = Device(name_json=HOSTILE_JSON, version_json=HOSTILE_JSON)
    d.gets["Status/Foo"] = result('{"K' + HOSTILE_JSON[1:-1] + '":' + HOSTILE_JSON + ',"g'
                                  + HOSTILE_JSON[1:-1] + '":"x"}')
    d.methods["xCommand/Foo/Bar"] = error('{"code":1,"message":' + HOSTILE_JSON + ',"data":'
                                          + HOSTILE_JSON + '}')
    d.methods["xFeedback/Subscribe"] = result(SUB)
    d.after["xFeedback/Subscribe"] = [EVENT, ID_NULL]
    return d


@asynccontextmanager
async def backend_on(d: Device) -> AsyncIterator[ShellBackendImpl]:
    """The interactive backend, wired as `xshell.modes.interactive` wires it."""
    holder: list[ShellBackendImpl] = []
    client = XoWSClient(d.url, on_protocol_error=lambda e: holder[0].on_protocol_error(e))
    await client.connect()
    session = Session(client, device_key="inert-test")
    await session.identify()
    backend = ShellBackendImpl(session, host="127.0.0.1")
    holder.append(backend)
    try:
        yield backend
    finally:
        await backend.aclose()
        await client.close()


SCRIPT = "xStatus Foo\nxCommand Foo Bar\nxFeedback register Status/Foo\nxStatus Foo\n"


def assert_shows_each_escape(text: str) -> None:
    for escape in SHOWN:
        assert escape in text, f"{escape} not shown in {text!r}"


async def test_plain_mode_writes_nothing_raw_and_shows_every_escape() -> None:
    async with hostile_device(device()) as d, backend_on(d) as backend:
        out = io.StringIO()
        banner = welcome(backend.session, "127.0.0.1", demo=False)
        code = await asyncio.wait_for(
            run_plain(backend, None, io.StringIO(SCRIPT), out, banner=banner), 20)
    text = out.getvalue()
    assert_inert(text)
    assert_shows_each_escape(text)
    assert "Welcome to \\x1b]52;c;SGk=\\x07" in text  # the banner names the device, inert
    assert "unexpected" in text  # the id:null error reached the feedback lines, inert
    assert "FooBarResult" in text and text.rstrip().endswith("OK")  # later lines ran
    assert code == 1  # the xCommand failed; the shell went on


async def test_full_screen_panes_toolbar_and_terminal_bytes_hold_nothing_raw() -> None:
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm")
    async with hostile_device(device()) as d, backend_on(d) as backend:
        with create_pipe_input() as inp, create_app_session(input=inp, output=output):
            banner = welcome(backend.session, "127.0.0.1", demo=False)
            app = ShellApp(backend, InMemoryHistory(), banner=banner)
            task = asyncio.create_task(app.run())
            try:
                for line in SCRIPT.splitlines():
                    app.submit(line)
                await _until(lambda: len(app.events) >= 2 and not app.busy
                             and "\\x1b]52" in "\n".join(app.output.text_lines()[-4:]))
                app.application.invalidate()  # a render with everything on screen:
                await _until(lambda: "Status/Foo" in screen.getvalue()  # the echo, and
                             and "\\u202e" in screen.getvalue())  # the device's text shown
                panes = "\n".join([*app.output.text_lines(), *app.events.lines_text(),
                                   fragment_list_to_text(app.toolbar())])
            finally:
                app.request_exit(0)
                await asyncio.wait_for(task, 5)
    assert_inert(panes)
    assert_shows_each_escape(panes)
    written = screen.getvalue()
    for raw in ("\x1b]52", "\x9b", "\x9d", "\u202e", "\x7f"):
        assert raw not in written
    assert "\\x1b]52;c;SGk=\\x07" in written  # the device name in the prompt and toolbar


async def _until(cond: object, timeout: float = 10.0) -> None:
    async def poll() -> None:
        while not cond():  # type: ignore[operator]
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


def test_hostile_constant_is_what_the_tests_claim() -> None:
    assert json.loads(HOSTILE_JSON) == HOSTILE + "\ud800"


def test_a_sent_escape_and_the_same_text_typed_out_look_different() -> None:
    """ESC [2J and the four characters `\\x1b` next to it: each reads as what it was."""
    assert inert("\x1b[2J and \\x1b[2J") == "\\x1b[2J and \\\\x1b[2J"
    assert inert_block("C:\\dir\n\x9b") == "C:\\\\dir\n\\u009b"
    assert inert("C:\\dir") == "C:\\dir"  # clean text: unchanged


def test_json_with_a_backslash_and_an_unsafe_character_stays_the_same_json() -> None:
    value = {"path\\x": "\u202e\\x1b", "n": ["\x9b"]}
    for text in (json.dumps(value, ensure_ascii=False), json.dumps(value, ensure_ascii=False, indent=2)):
        shown = inert_block(text) if "\n" in text else inert(text)
        assert_inert(shown)
        assert json.loads(shown) == value
