"""Device profiles from the settings file, as a user runs them: `xshell boardroom -c …`.

The CLI runs as a subprocess (tests/clirun.py) against the in-process simulator; the
settings file is written to the test's own $XDG_CONFIG_HOME.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import xshell
from tests.conftest import PASSWORD
from xshell.cli import main, parse_options
from xshell.config.settings import config_path, load_settings
from xshell.modes.connect import keyring_password
from xshell.options import Connection, DeviceOptions, Options

STATUS = ("-c", "xStatus Audio Volume")
VOLUME = "*s Audio Volume: 50"


def settings_file(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def profile(key: str, url: str, **fields: Any) -> str:
    lines = [f"[devices.{key}]", f'host = "{url}"']
    lines += [f"{k} = {json.dumps(v)}" for k, v in fields.items()]
    return "\n".join(lines) + "\n"


async def test_a_profile_name_connects_to_its_device(sim: Any) -> None:
    settings_file(profile("boardroom", sim.url, name="Board Room"))
    status, out, err = await xshell("boardroom", *STATUS)
    assert status == 0, err
    assert out.splitlines()[0] == VOLUME and err == ""


async def test_the_profile_user_is_used_and_the_command_line_wins(sim: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_USER", "admin")  # the profile's user comes before $XSHELL_USER
    settings_file(profile("room", sim.url, user="operator"))
    status, _, err = await xshell("room", *STATUS)
    assert status == 3 and "Authentication failed for user 'operator'" in err
    status, out, err = await xshell("room", "-u", "admin", *STATUS)
    assert status == 0 and VOLUME in out, err


async def test_a_password_in_the_file_is_refused_never_used_nor_shown(sim: Any) -> None:
    path = settings_file(profile("room", sim.url, password=PASSWORD))
    status, out, err = await xshell("room", *STATUS, password=None)
    assert status == 3 and out == ""
    assert f"xshell: {path}:3: [devices.room] password: passwords are never read" in err
    assert PASSWORD not in err


async def test_a_legacy_profile_connects_with_legacy_typing(sim: Any) -> None:
    settings_file(profile("old", sim.url, legacy=True) + profile("new", sim.url))
    status, out, err = await xshell("old", *STATUS)
    assert status == 0 and out.splitlines()[0] == VOLUME, err
    _, legacy, _ = await xshell("old", "-o", "json", *STATUS)
    _, typed, _ = await xshell("new", "-o", "json", *STATUS)
    assert json.loads(legacy) == "50" and json.loads(typed) == 50  # legacy: values as strings


async def test_output_setting_is_the_default_and_o_wins(sim: Any) -> None:
    settings_file('[main]\noutput = "json"\n')
    status, out, err = await xshell(sim.url, *STATUS)
    assert status == 0 and json.loads(out) == 50, err
    status, out, err = await xshell(sim.url, "-o", "terminal", *STATUS)
    assert status == 0 and out.splitlines()[0] == VOLUME, err


async def test_settings_problems_are_warnings_and_the_run_goes_on(sim: Any) -> None:
    path = settings_file('[ui]\npane_widht = 30\n' + profile("room", sim.url))
    status, out, err = await xshell("room", *STATUS)
    assert status == 0 and VOLUME in out
    assert err.splitlines() == [f"xshell: {path}:2: unknown key 'pane_widht' in [ui] "
                                "(known: pane_width, key_bindings, theme)"]


async def test_first_run_writes_the_default_quietly_in_scripts(sim: Any) -> None:
    status, out, err = await xshell(sim.url, *STATUS)
    assert status == 0 and err == ""
    assert config_path().read_text().startswith("# xshell settings")


async def test_config_option_reads_another_file(sim: Any, tmp_path: Path) -> None:
    other = tmp_path / "fleet.toml"
    other.write_text(profile("lab", sim.url))
    status, out, err = await xshell("--config", str(other), "lab", *STATUS)
    assert status == 0 and VOLUME in out, err
    assert not config_path().exists()  # no default written for an explicit file
    status, _, err = await xshell("--config", str(tmp_path / "none.toml"), "lab", *STATUS)
    assert status == 2 and f"--config: no such file: {tmp_path / 'none.toml'}" in err


async def test_unusable_profile_and_profile_tls_conflicts_are_usage_errors(sim: Any) -> None:
    path = settings_file('[devices.nohost]\nuser = "x"\n'
                         + profile("pinned", sim.url, fingerprint="SHA256:" + "A" * 43))
    status, _, err = await xshell("nohost", *STATUS)
    assert status == 2
    assert f"profile 'nohost' ({path}:1) cannot be used: has no host" in err
    status, _, err = await xshell("pinned", *STATUS)
    assert status == 2
    assert f"fingerprint in profile 'pinned' ({path}:3) needs a wss:// device" in err


def test_list_profiles_prints_usable_names_in_file_order(tmp_path: Path) -> None:
    env = dict(os.environ)
    run = [sys.executable, "-m", "xshell", "--list-profiles"]
    empty = subprocess.run(run, capture_output=True, text=True, env=env, timeout=30)
    assert empty.returncode == 0 and empty.stdout == ""
    assert not config_path().exists()  # listing never writes the default
    settings_file(profile("zeta", "z.example.com") + profile("alpha", "a.example.com")
                  + '[devices.broken]\nuser = "x"\n')
    listed = subprocess.run(run, capture_output=True, text=True, env=env, timeout=30)
    assert listed.returncode == 0 and listed.stdout.splitlines() == ["zeta", "alpha"]


def test_list_profiles_stays_light() -> None:
    settings_file(profile("alpha", "a.example.com"))
    code = ("import sys\nfrom xshell.cli import main\nrc = main(['--list-profiles'])\n"
            "heavy = [m for m in ('prompt_toolkit', 'rich', 'websockets', 'asyncio', 'ssl') if m in sys.modules]\n"
            "assert not heavy, heavy\nraise SystemExit(rc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "alpha\n"


# ---- resolving targets (in-process) -------------------------------------------------------

def resolve(argv: list[str], text: str) -> tuple[DeviceOptions, ...]:
    return parse_options(argv, load_settings(settings_file(text))).devices


def test_command_line_options_win_over_profile_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XSHELL_USER", raising=False)
    text = profile("room", "wss://room.example.com/ws", user="operator", auth="subprotocol",
                   fingerprint="SHA256:" + "B" * 43, name="Board Room")
    (dev,) = resolve(["room"], text)
    assert (dev.connection.target, dev.connection.user, dev.connection.auth, dev.name,
            dev.profile) == ("wss://room.example.com/ws", "operator", "subprotocol", "Board Room", "room")
    assert dev.tls.fingerprint == "SHA256:" + "B" * 43
    (dev,) = resolve(["room", "-u", "admin", "--auth", "basic", "--insecure"], text)
    assert (dev.connection.user, dev.connection.auth, dev.tls.insecure, dev.tls.fingerprint) == (
        "admin", "basic", True, None)


def test_plain_targets_get_host_names_and_user_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_USER", "tech")
    devs = resolve(["10.0.0.5:8443", "room", "wss://[fe80::1]/ws"], profile("room", "r.example.com"))
    assert [d.name for d in devs] == ["10.0.0.5:8443", "room", "[fe80::1]"]  # the port when not 443
    assert [d.connection.user for d in devs] == ["tech", "tech", "tech"]
    assert [d.profile for d in devs] == [None, "room", None]
    monkeypatch.delenv("XSHELL_USER")
    assert resolve(["h"], "")[0].connection.user == "admin"


def test_several_targets_go_to_the_fleet_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Options] = []
    fleet = types.ModuleType("xshell.modes.fleet")
    fleet.run = lambda args: seen.append(args) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "xshell.modes.fleet", fleet)
    settings_file('[main]\noutput = "json"\n' + profile("a", "a.example.com", name="A"))
    assert main(["a", "b.example.com", "-c", "xStatus Audio", "--log", "run.jsonl", "--jobs", "4"]) == 0
    (options,) = seen
    assert [d.name for d in options.devices] == ["A", "b.example.com"]
    assert options.settings.output == "json" and options.output.format == "json"
    assert (options.output.log, options.output.log_format, options.fleet.jobs) == ("run.jsonl", "jsonl", 4)
    assert options.script.commands == ("xStatus Audio",)


def test_connect_profile_in_a_shell_opened_on_another_profile_uses_its_own_fields(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from xshell.session.shell_context import ShellContext
    from xshell.modes import interactive

    seen: list[Options] = []
    monkeypatch.setattr(interactive, "run", lambda args: seen.append(args) or 0)
    monkeypatch.setattr(sys, "stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    settings_file(profile("boardroom", "board.example.com", user="integrator",
                          fingerprint="SHA256:" + "A" * 43, legacy=True)
                  + profile("lobby", "lobby.example.com", user="tech"))
    assert main(["boardroom"]) == 0
    (options,) = seen
    assert [(d.name, d.connection.user, d.connection.legacy) for d in options.devices] == [
        ("boardroom", "integrator", True)]
    opener = interactive.DeviceOpener(options, ShellContext(settings=options.settings))
    lobby = opener.resolve("lobby")  # what `connect lobby` opens
    assert (lobby.connection.user, lobby.tls.fingerprint, lobby.connection.legacy) == (
        "tech", None, False)
    plain = opener.resolve("other.example.com")
    assert (plain.connection.user, plain.tls.fingerprint) == ("admin", None)


@pytest.mark.parametrize("argv,words", [
    (["--log-format", "text", "h", "-c", "x"], "--log-format needs --log FILE"),
    (["--jobs", "0", "h", "-c", "x"], "--jobs must be at least 1"),
    (["--demo", "h", "-c", "x"], "give no TARGET with it"),
])
def test_option_mistakes_are_usage_errors(argv: list[str], words: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert words in capsys.readouterr().err


# ---- the keyring --------------------------------------------------------------------------

FAKE_KEYRING = '''
import os
def get_password(service, user):
    with open(os.environ["FAKE_KEYRING_LOG"], "a") as fh:
        fh.write(f"{service} {user}\\n")
    if os.environ.get("FAKE_KEYRING_FAIL"):
        raise RuntimeError("no D-Bus session")
    return os.environ.get("FAKE_KEYRING_PASSWORD") if (service, user) == ("xshell", "room") else None
'''


@pytest.fixture
def fake_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `keyring` package importable by the child process; returns the call log."""
    (tmp_path / "pkgs").mkdir()
    (tmp_path / "pkgs" / "keyring.py").write_text(FAKE_KEYRING)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "pkgs"))
    monkeypatch.setenv("FAKE_KEYRING_LOG", str(tmp_path / "calls"))
    monkeypatch.setenv("FAKE_KEYRING_PASSWORD", PASSWORD)
    return tmp_path / "calls"


async def test_the_keyring_supplies_the_password_by_profile_name(sim: Any, fake_keyring: Path) -> None:
    settings_file(profile("room", sim.url))
    status, out, err = await xshell("room", *STATUS, password=None)
    assert status == 0 and VOLUME in out, err
    assert fake_keyring.read_text() == "xshell room\n"
    fake_keyring.unlink()
    status, _, _ = await xshell("room", *STATUS)  # $XSHELL_PASSWORD comes first
    assert status == 0 and not fake_keyring.exists()


async def test_a_plain_target_is_looked_up_by_host_and_a_failing_keyring_is_one_warning(
        sim: Any, fake_keyring: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_KEYRING_FAIL", "1")
    status, out, err = await xshell(sim.url, *STATUS, password=None)
    assert status == 3 and out == ""
    assert fake_keyring.read_text() == "xshell 127.0.0.1\n"
    warning = [ln for ln in err.splitlines() if "keyring" in ln]
    assert warning == ["xshell: warning: the system keyring could not be read "
                       "(RuntimeError); trying the next password source"]
    assert "Traceback" not in err


def test_keyring_lookup_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    fake = types.ModuleType("keyring")
    fake.get_password = lambda service, user: calls.append((service, user)) or "from-keyring"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    device = DeviceOptions(Connection(target="r.example.com"), profile="room")
    assert keyring_password(device) == "from-keyring" and calls == [("xshell", "room")]
    monkeypatch.setitem(sys.modules, "keyring", None)  # not importable: nothing is asked
    assert keyring_password(device) is None and len(calls) == 1
