"""The command line becomes one typed, frozen Options, and nothing below cli sees argparse.

Why it matters to a user: a mode that read an option argparse no longer had (a rename, a
typo in getattr's default) failed only at run time, in the one mode nobody tried.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xshell.cli import parse_options
from xshell.options import DeviceOptions, Options

PACKAGE = Path(__file__).resolve().parents[2] / "xshell"
OWN_COMMAND_LINES = ("cli.py", "sim/", "bench/")  # xshell-sim and the bench parse their own


def test_the_command_line_becomes_options_in_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XSHELL_USER", raising=False)
    options = parse_options(["room1.example.com", "wss://10.0.0.5:8443/ws", "-u", "tech",
                             "-c", "xStatus Audio", "-c", "xStatus Video", "-o", "json",
                             "--timeout", "5", "--accept-new", "--log", "run.jsonl",
                             "--jobs", "4", "--plain"])
    assert options.targets == ("room1.example.com", "wss://10.0.0.5:8443/ws")
    assert options.script.commands == ("xStatus Audio", "xStatus Video")
    assert (options.output.format, options.output.log, options.output.log_format,
            options.output.plain) == ("json", "run.jsonl", "jsonl", True)
    assert options.fleet.jobs == 4 and options.tls.accept_new
    assert [(d.name, d.connection.target, d.connection.user, d.connection.timeout,
             d.connection.auth) for d in options.devices] == [
        ("room1.example.com", "room1.example.com", "tech", 5.0, "basic"),
        ("10.0.0.5:8443", "wss://10.0.0.5:8443/ws", "tech", 5.0, "basic")]
    with pytest.raises(AttributeError):  # frozen: a NamedTuple group, as a frozen dataclass
        options.output.format = "terminal"  # type: ignore[misc]


def test_demo_is_one_device_and_defaults_need_no_command_line() -> None:
    (demo,) = parse_options(["--demo"]).devices
    assert (demo.name, demo.connection.demo, demo.connection.target) == ("demo", True, None)
    assert Options().output.format == "terminal" and DeviceOptions().tls.insecure is False


def test_no_layer_below_the_command_line_reads_argparse() -> None:
    """Modes, shell, session, config… read Options; only the programs' own command lines
    (xshell.cli, xshell-sim, the bench) touch argparse."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(OWN_COMMAND_LINES):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"^\s*(import argparse|from argparse import)|getattr\(args\b|(?<![.\w])args\.\w", line):
                found.append(f"xshell/{rel}:{n}: {line.strip()}")
    assert found == []
