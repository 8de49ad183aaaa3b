"""The guard (issue 16): destructive lines asked about or refused, read-only sessions.

Scripts through the real CLI against the simulator: what a user sees on stdout and
stderr, the exit status, that later lines still run, and — read back from the device —
that nothing refused was sent. The classification rules and the settings keys below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import xshell
from xshell.lang import requests as rq
from xshell.lang.destructive import GuardRules, classify, is_read_command
from xshell.lang.parse import parse

BOOT = "xCommand SystemUnit Boot"
RAW_BOOT = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "xCommand/SystemUnit/Boot", "params": {}})
RAW_WS_OFF = json.dumps({"jsonrpc": "2.0", "id": 8, "method": "xSet",
                         "params": {"Path": "Configuration/NetworkServices/Websocket", "Value": "Off"}})
RAW_VOLUME = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "xSet",
                         "params": {"Path": ["Configuration", "Audio", "DefaultVolume"], "Value": 33}})


# ---- scripts: refused without --yes, one line, exit 2, the script goes on --------------
async def test_a_scripted_reboot_without_yes_is_refused_and_later_lines_run(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "-c", BOOT, "-c", "xStatus Audio Volume")
    assert code == 2
    assert err.splitlines() == [
        "xshell: -c:1: error: not sent: xCommand SystemUnit Boot reboots or resets the device; "
        "give --yes to send it from a script"]
    assert "*s Audio Volume: 50" in out  # the next line ran, on a device that never rebooted
    assert "SystemUnitBootResult" not in out


async def test_a_reboot_from_a_file_is_refused_with_its_line_number(sim: Any, tmp_path: Path) -> None:
    script = tmp_path / "reboot.xapi"
    script.write_text("xStatus Audio Volume\nxcommand systemunit boot\nxStatus Audio Volume\n")
    code, out, err = await xshell(sim.url, "-f", str(script))
    assert code == 2
    assert err.startswith(f"xshell: {script}:2: error: not sent: xCommand SystemUnit Boot ")
    assert out.count("*s Audio Volume: 50") == 2


async def test_raw_json_rpc_lines_are_guarded_alike(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "-c", RAW_BOOT, "-c", RAW_WS_OFF,
                                  "-c", "xConfiguration NetworkServices Websocket")
    assert code == 2
    assert err.splitlines() == [
        "xshell: -c:1: error: not sent: xCommand SystemUnit Boot (JSON-RPC) reboots or resets "
        "the device; give --yes to send it from a script",
        "xshell: -c:2: error: not sent: xConfiguration NetworkServices Websocket (JSON-RPC) may "
        "cut xshell's connection to the device; give --yes to send it from a script"]
    assert "*c xConfiguration NetworkServices Websocket: FollowHTTPService" in out  # unchanged


async def test_a_connection_cutting_setting_is_refused_and_the_device_keeps_its_value(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "-c", "xConfiguration NetworkServices Websocket: Off",
                                  "-c", "xConfiguration NetworkServices Websocket")
    assert code == 2
    assert "may cut xshell's connection to the device" in err
    assert "*c xConfiguration NetworkServices Websocket: FollowHTTPService" in out


async def test_yes_sends_the_reboot(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "--yes", "-c", BOOT)
    assert code == 0, err
    assert "SystemUnitBootResult (status=OK)" in out
    assert "not sent" not in err


# ---- --read-only ---------------------------------------------------------------------
async def test_read_only_refuses_every_change_in_every_form_and_allows_reads(sim: Any) -> None:
    code, out, err = await xshell(
        sim.url, "--read-only",
        "-c", "xConfiguration Audio DefaultVolume: 33",
        "-c", "xCommand Audio Volume Set Level: 30",
        "-c", RAW_VOLUME,
        "-c", "xCommand Macros Macro Get",  # a read by its name: Get
        "-c", "xStatus Audio Volume",
        "-c", "xConfiguration Audio DefaultVolume")
    assert code == 2
    assert err.splitlines() == [
        "xshell: -c:1: error: not sent: xConfiguration Audio DefaultVolume would change the "
        "device, and this session is read-only",
        "xshell: -c:2: error: not sent: xCommand Audio Volume Set would change the device, and "
        "this session is read-only",
        "xshell: -c:3: error: not sent: xConfiguration Audio DefaultVolume (JSON-RPC) would "
        "change the device, and this session is read-only"]
    assert "*r MacroGetResult (status=OK)" in out
    assert "*s Audio Volume: 50" in out  # the Set never reached the device
    assert "*c xConfiguration Audio DefaultVolume: 50" in out


async def test_read_only_covers_the_shells_own_commands(sim: Any, tmp_path: Path) -> None:
    """`macro push`, `panel remove`… are requests like any other: read-only refuses them."""
    (tmp_path / "room.js").write_text("xapi.on();\n")
    code, out, err = await xshell(
        sim.url, "--read-only", "-c", f"macro push {tmp_path / 'room.js'}",
        "-c", "panel remove x", "-c", "macro list", "-c", "panel list")
    assert code == 2
    assert err.splitlines() == [
        "xshell: -c:1: error: not sent: xCommand Macros Macro Save would change the device, "
        "and this session is read-only",
        "xshell: -c:2: error: not sent: xCommand UserInterface Extensions Panel Remove would "
        "change the device, and this session is read-only"]
    assert "no macros on this device" in out  # nothing was saved; reads still answer
    assert "room" not in out


async def test_a_shell_command_that_removes_is_guarded_like_the_xcommand(sim: Any, tmp_path: Path) -> None:
    (tmp_path / "room.js").write_text("xapi.on();\n")
    push = f"macro push {tmp_path / 'room.js'}"
    code, out, err = await xshell(sim.url, "-c", push, "-c", "macro remove room", "-c", "macro list")
    assert code == 2
    assert err.splitlines() == [
        "xshell: -c:2: error: not sent: xCommand Macros Macro Remove removes or clears what is "
        "stored on the device; give --yes to send it from a script"]
    assert "1 macro; runtime" in out  # still there
    code, out, err = await xshell(sim.url, "--yes", "-c", "macro remove room", "-c", "macro list")
    assert code == 0, err
    assert "macro room removed" in out and "no macros on this device" in out


def test_no_command_module_reaches_the_device_around_the_guard() -> None:
    """Changes go through `Session.send` (the guard); only reads may use the client."""
    import re

    import xshell.commands as pkg
    for file in Path(pkg.__file__).parent.glob("*.py"):
        text = file.read_text(encoding="utf-8")
        assert not re.search(r"client\.(call|command|set|send)\(", text), file.name


async def test_read_only_from_a_profile(sim: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[devices.lobby]\nhost = "{sim.url}"\nread_only = true\n')
    code, out, err = await xshell("--config", str(config), "lobby",
                                  "-c", "xConfiguration Audio DefaultVolume: 33",
                                  "-c", "xConfiguration Audio DefaultVolume")
    assert code == 2
    assert "this session is read-only" in err
    assert "*c xConfiguration Audio DefaultVolume: 50" in out


async def test_settings_add_and_allow_patterns(sim: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[guard]\ncommands = ["Audio Volume *"]\nallow = ["SystemUnit Boot"]\n')
    code, out, err = await xshell("--config", str(config), sim.url,
                                  "-c", "xCommand Audio Volume Set Level: 30", "-c", BOOT)
    assert code == 2
    assert err.splitlines() == [
        "xshell: -c:1: error: not sent: xCommand Audio Volume Set is on the guard list ([guard] "
        "in the settings file); give --yes to send it from a script"]
    assert "SystemUnitBootResult (status=OK)" in out  # allowed back: sent without a word


async def test_a_bad_guard_setting_is_one_warning_and_the_default_stays(sim: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[guard]\ncommands = [1, 2]\n')
    code, out, err = await xshell("--config", str(config), sim.url, "-c", BOOT)
    assert code == 2
    assert f"xshell: {config}:2: [guard] commands: expected a list of strings" in err
    assert "reboots or resets the device" in err


async def test_guard_lists_the_patterns_in_force(sim: Any) -> None:
    code, out, err = await xshell(sim.url, "--read-only", "-c", "guard")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "guard: read-only: only reads, feedback, help and local commands are sent"
    assert "  xCommand SystemUnit Boot  (reboots or resets the device)" in lines
    assert "  xConfiguration NetworkServices Websocket  (may cut xshell's connection to the device)" in lines


# ---- the rules -------------------------------------------------------------------------
@pytest.mark.parametrize("line, kind", [
    ("xCommand SystemUnit Boot", "destructive"),
    ("xCommand SystemUnit FactoryReset Confirm: Yes", "destructive"),
    ("xCommand Macros Macro RemoveAll", "destructive"),
    ("xCommand UserInterface Extensions Clear", "destructive"),
    ("xCommand Security Certificates CA Delete Fingerprint: x", "destructive"),
    ("xCommand CallHistory DeleteAll", "destructive"),
    ("xCommand Webex Registration Logout", "destructive"),
    ("xCommand Security Session Terminate SessionId: 1", "destructive"),
    ("xConfiguration Network 1 IPv4 Address: 10.0.0.2", "destructive"),
    ("xConfiguration NetworkServices HTTP Mode: Off", "destructive"),
    ("xConfiguration Provisioning Mode: Off", "destructive"),
    ("xCommand Audio Volume Set Level: 30", "change"),
    ("xCommand Dial Number: 1234", "change"),
    ("xConfiguration Audio DefaultVolume: 30", "change"),
    ("xCommand Phonebook Search", "read"),
    ("xCommand UserManagement RemoteSupportUser GetState", "read"),
    ("xCommand Diagnostics Run", "read"),
    ("xStatus Audio Volume", "read"),
    ("xConfiguration NetworkServices Websocket", "read"),
    ('{"method": "xGet", "params": {"Path": ["Status"]}}', "read"),
    ('{"method": "XCOMMAND/systemunit/boot", "params": {}}', "destructive"),
    ('{"method": "xset", "params": {"path": "Configuration NetworkServices Websocket", "value": "Off"}}',
     "destructive"),
    ('{"method": "xSimulator/Fault", "params": {}}', "change"),
])
def test_classify(line: str, kind: str) -> None:
    assert classify(parse(line)).kind == kind


def test_a_verdict_never_carries_a_value() -> None:
    verdict = classify(parse('xConfiguration Network 1 IEEE8021X Password: "s3cret-pw"'))
    assert verdict.kind == "destructive"
    assert verdict.what == "xConfiguration Network IEEE8021X Password"


def test_read_words_come_from_the_command_name() -> None:
    assert is_read_command(("Bookings", "List"))
    assert not is_read_command(("Bookings", "Clear"))
    rules = GuardRules.from_lists(allow=["* RemoveAll"])
    assert classify(rq.Command(("Macros", "Macro", "RemoveAll")), rules).kind == "change"


def test_a_fleet_script_refuses_on_every_room_without_yes() -> None:
    import asyncio

    from tests.conftest import PASSWORD
    from tests.simproc import sim_process

    with sim_process("--password", PASSWORD, "--devices", "2") as (first, proc):
        second = proc.stdout.readline().rsplit(" at ", 1)[1].strip()  # type: ignore[union-attr]
        code, out, err = asyncio.run(xshell(first, second, "-c", BOOT, "-c", "xStatus Audio Volume"))
    assert code == 2
    assert [ln for ln in err.splitlines() if "not sent" in ln and ln.startswith("xshell: ")] == [
        f"xshell: Room 00{n}: -c:1: error: not sent: xCommand SystemUnit Boot reboots or resets "
        "the device; give --yes to send it from a script" for n in (1, 2)]
    assert out.count("*s Audio Volume: 50") == 2
