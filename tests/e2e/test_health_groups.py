"""Groups of rooms (`[groups]`, tags, the inventory CSV, `@GROUP`, `--filter`) and `health`
on `xshell-sim --devices 20 --unhealthy 4` (Room 005, 010, 015 and 020 are unhealthy)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import xshell
from tests.conftest import PASSWORD
from tests.e2e.test_fleet_cli import LINE, read_lines
from tests.simproc import sim_process
from xshell.config.groups import parse_filters, select
from xshell.config.settings import load_settings

UNHEALTHY = {"Room 005", "Room 010", "Room 015", "Room 020"}


@pytest.fixture(scope="module")
def rooms() -> Iterator[dict[str, str]]:
    with sim_process("--devices", "20", "--unhealthy", "4", "--faults", "--password", PASSWORD) as (first, proc):
        found = {"Room 001": first}
        for line in read_lines(proc, 19):
            m = LINE.match(line.rstrip("\n"))
            assert m, line
            found[m.group(1)] = m.group(3)
        yield found


def write_config(tmp_path: Path, rooms: dict[str, str]) -> Path:
    """An inventory CSV of the 20 rooms (1-5 tagged floor3) and two groups."""
    rows = ["name,host,tags,user"] + [
        f"r{name[-3:]},{url},{'floor3 video' if int(name[-3:]) <= 5 else 'floor4'},admin"
        for name, url in sorted(rooms.items())]
    (tmp_path / "rooms.csv").write_text("\n".join(rows) + "\nbroken-row,,x,admin\n")
    config = tmp_path / "config.toml"
    config.write_text('[inventory]\nfile = "rooms.csv"\n\n[groups]\nfloor3 = ["tag=floor3"]\n'
                      'teens = ["r01*", "r002"]\n')
    return config


def table_rows(out: str) -> dict[str, list[str]]:
    """The health table's rows by room (first column); header, ** lines and the closing
    blank line and OK/ERROR (a script ends each answer so) left out."""
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["ROOM", "HEALTH"], out
    cells = [re.split(r"\s{2,}", ln) for ln in lines[1:]
             if ln.strip() and ln not in ("OK", "ERROR") and not ln.startswith("**")]
    return {c[0]: c for c in cells}


def test_groups_tags_and_patterns_select_profiles(tmp_path: Path, rooms: dict[str, str]) -> None:
    settings = load_settings(write_config(tmp_path, rooms))
    assert len(settings.profiles) == 20
    assert any("rooms.csv:22: a row needs a name and a host" in w for w in settings.warnings)
    keys, problem = select(["floor3"], settings.groups, settings.profiles)
    assert problem is None and keys == ["r001", "r002", "r003", "r004", "r005"]
    keys, _ = select(["teens"], settings.groups, settings.profiles)
    assert keys == [f"r{n:03d}" for n in range(10, 20)] + ["r002"]
    assert select(["nowhere"], settings.groups, settings.profiles)[1] == (
        "@nowhere: no group or profile of that name (groups: floor3, teens)")
    assert parse_filters(["size=big"])[1] is not None


def test_health_table_over_twenty_rooms_some_unhealthy(rooms: dict[str, str]) -> None:
    code, out, err = asyncio.run(xshell(*rooms.values(), "-c", "health"))
    table = table_rows(out)
    assert len(table) == 20
    assert {name for name, row in table.items() if row[1] == "error"} == UNHEALTHY
    assert {row[1] for name, row in table.items() if name not in UNHEALTHY} == {"ok"}
    assert "** Room 010: registration Failed" in out
    assert out.splitlines()[-1] == "** 20 rooms: 16 ok, 4 not ok"
    assert "== Room" not in out  # one table, not a block per room
    assert code == 1  # a monitoring job sees "not ok"


def test_health_json_document_and_exit(rooms: dict[str, str]) -> None:
    code, out, _ = asyncio.run(xshell(*list(rooms.values())[:6], "-c", "health", "-o", "json"))
    doc = json.loads(out)
    assert doc["summary"]["rooms"] == 6 and doc["summary"]["error"] == 1 and doc["exit"] == 1
    bad = [r for r in doc["rooms"] if r["health"] != "ok"]
    assert [r["device"] for r in bad] == ["Room 005"]
    assert bad[0]["registration"] == "Failed" and bad[0]["diagnostics"][-1]["level"] == "Error"
    assert code == 1


def test_health_over_a_group_and_filters(tmp_path: Path, rooms: dict[str, str]) -> None:
    config = str(write_config(tmp_path, rooms))
    code, out, err = asyncio.run(xshell("--config", config, "@floor3", "-c", "health"))
    assert sorted(table_rows(out)) == ["r001", "r002", "r003", "r004", "r005"]
    assert code == 1
    code, out, err = asyncio.run(xshell("--config", config, "@teens", "--filter", "tag=floor4",
                                        "-c", "health"))
    assert sorted(table_rows(out)) == [f"r{n:03d}" for n in range(10, 20)]  # r002 is floor3
    code, out, err = asyncio.run(xshell("--config", config, "@floor3", "--filter", "version=ce99.*",
                                        "-c", "health"))
    assert out == "" and "xshell: 5 devices left out by --filter" in err and code == 0
    code, out, err = asyncio.run(xshell("--config", config, "@floor3", "--filter", "version=11.27",
                                        "--filter", "product=codec pro", "-c", "health"))
    assert len(table_rows(out)) == 5
    code, out, err = asyncio.run(xshell("--config", config, "@upstairs", "-c", "health"))
    assert code == 2 and "@upstairs: no group or profile of that name" in err


def test_simulator_raises_more_diagnostics(rooms: dict[str, str]) -> None:
    url = rooms["Room 003"]
    code, out, err = asyncio.run(xshell(url, "-c", "health"))
    assert code == 0 and [row[1] for row in table_rows(out).values()] == ["ok"]
    raw = ('{"jsonrpc":"2.0","id":1,"method":"xSimulator/Diagnostics","params":'
           '{"Level":"Critical","Type":"FanStatus","Description":"Fan 2 stopped."}}')
    code, out, err = asyncio.run(xshell(url, "-c", raw))
    assert code == 0, err
    try:
        code, out, err = asyncio.run(xshell(url, "-c", "health"))
        assert [row[1] for row in table_rows(out).values()] == ["critical"]
        assert ": Critical FanStatus: Fan 2 stopped." in out and code == 1
    finally:
        asyncio.run(xshell(url, "-c", '{"jsonrpc":"2.0","id":2,"method":"xSimulator/Diagnostics",'
                                      '"params":{"Clear":true}}'))


def test_a_group_member_that_is_no_profile_is_an_error_unless_it_looks_like_a_host(
        tmp_path: Path) -> None:
    """`evil = ["r*", "nope"]`: one line naming the file, the group and the word, exit 2 —
    never a DNS lookup of `nope`; a dotted name, an address or a URL is still a host."""
    config = tmp_path / "config.toml"
    config.write_text('[devices.r1]\nhost = "127.0.0.1:1"\n\n[groups]\nevil = ["r*", "nope"]\n'
                      'hosts = ["r*", "10.0.0.1", "room.example", "fe80::1", "ws://h/ws"]\n')
    code, out, err = asyncio.run(xshell("--config", str(config), "@evil", "-c", "xStatus Audio"))
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"xshell: error: {config}:5: group evil: 'nope' is not a profile"]
    keys, problem = select(["hosts"], load_settings(config).groups, load_settings(config).profiles)
    assert problem is None and keys == ["r1", "10.0.0.1", "room.example", "fe80::1", "ws://h/ws"]


@pytest.mark.parametrize(("value", "why"), [
    ("tag=", "expected KEY=VALUE with KEY one of tag, product, version"),
    ("bogus=1", "expected KEY=VALUE with KEY one of tag, product, version"),
    ("tag=\x1b[2J", "the value has a control character"),
    ("product=[", "'[' at position 1 opens a set that is never closed with ']'"),
])
def test_a_bad_filter_is_one_line_without_the_usage_block(value: str, why: str) -> None:
    code, out, err = asyncio.run(xshell("--demo", "--filter", value, "-c", "xStatus Audio"))
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"xshell: error: --filter {value!r}: {why}"), err
    assert "\x1b" not in err
