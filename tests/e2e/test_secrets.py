"""No secret leaks: not to the screen, a log, the history, a cache file or an error message.

Sessions set hide_value configurations and send password-, passphrase- and key-named
command arguments; then every file under the isolated XDG dirs, all captured output and
every log record (DEBUG, all loggers, websockets included) is searched for the secrets
— and for the base64 forms in which a login password travels in headers. The device
must still have received every value intact: the simulator stores configurations, and a
recorder on its command dispatch keeps the arguments it got.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import io
import os
import re
import sys
from collections.abc import AsyncIterator, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pexpect  # type: ignore[import-untyped]
import pytest

from tests.clirun import child_env, xshell
from tests.conftest import PASSWORD, USER
from xshell.cli import main

PROXY = "Pr0xy-Hidden-771"  # hide_value configuration
NTP_KEY = "Ntp-Key-5a5a5a"  # hide_value configuration named *Key
NEW_PHRASE = "N3w-Phrase-4412"  # NewPassphrase
OPTION_KEY = "OPTKEY-0123456789AB"  # Key
CHALLENGE = "Chall-Otp-90210"  # ChallengePassword
RAW_OLD, RAW_NEW = "RawOld-Phrase-7", "RawNew-Phrase-8"  # a raw JSON-RPC line
TYPO = "Typo-Secret-3141"  # in a line that does not parse: never sent, never shown
SHORT = "short-KEY-77"  # a Key the schema refuses (too short): never echoed
RAW_PROXY = "RawSet-Proxy-6161"  # a raw xSet of a hide_value configuration, lower-case keys
RAW_TOKEN = "RawSet-Token-5252"  # a raw xSet of a hide_value configuration with a plain name
TOKEN_PATH = "NetworkServices Provisioning Token"  # hide_value, named like nothing secret
SENT = (PROXY, NTP_KEY, NEW_PHRASE, OPTION_KEY, CHALLENGE, RAW_OLD, RAW_NEW, RAW_PROXY, RAW_TOKEN,
        PASSWORD)
ALL = SENT + (TYPO, SHORT)
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[()][0-9A-B]|[=>])")
RESULT = re.compile(r"\*[csre] ")  # lines xshell prints: results and feedback
SCEP = "Security Certificates Services Enrollment SCEP Profiles Set"

SCRIPT = f"""\
xFeedback register /Configuration/NetworkServices
xConfiguration NetworkServices HTTP Proxy Password: "{PROXY}"
xConfiguration NetworkServices NTP Server 1 Key: "{NTP_KEY}"
xConfiguration NetworkServices HTTP Proxy Password
xCommand UserManagement User Passphrase Set Username: "bob" NewPassphrase: "{NEW_PHRASE}" YourPassphrase: "{PASSWORD}"
xCommand SystemUnit OptionKey Add Key: "{OPTION_KEY}"
xCommand {SCEP} ChallengePassword: "{CHALLENGE}" Fingerprint: "ab12" URL: "http://scep.example.com"
xCommand UserManagement User Passphrase Change OldPassphrase: "{TYPO}" NewPassphrase: "x" Bogus: 1
xCommand SystemUnit OptionKey Add Key: "{SHORT}"
{{"jsonrpc":"2.0","id":"raw-1","method":"xCommand/UserManagement/User/Passphrase/Change","params":{{"OldPassphrase":"{RAW_OLD}","NewPassphrase":"{RAW_NEW}"}}}}
{{"jsonrpc":"2.0","id":"raw-2","method":"xset","params":{{"path":["configuration","networkservices","http","proxy","password"],"value":"{RAW_PROXY}"}}}}
xConfiguration NetworkServices
{{"jsonrpc":"2.0","id":"raw-3","method":"xSet","params":{{"PATH":["Configuration","NetworkServices","Provisioning","Token"],"Value":"{RAW_TOKEN}"}}}}
xStatus Audio Volume
"""


def needles(values: tuple[str, ...] = ALL) -> list[str]:
    """The secrets, plus the login password as HTTP Basic and `auth-` carry it."""
    creds = f"{USER}:{PASSWORD}".encode()
    return [*values, base64.b64encode(creds).decode(), base64.urlsafe_b64encode(creds).decode().rstrip("=")]


def leaked(text: str) -> list[str]:
    return [n for n in needles() if n in text]


def xdg_files() -> Iterator[Path]:
    base = Path(os.environ["XDG_CONFIG_HOME"]).parent  # all four dirs share one parent
    return (p for p in base.rglob("*") if p.is_file())


def assert_clean_files() -> list[Path]:
    files = list(xdg_files())
    for path in files:
        data = path.read_bytes()
        found = [n for n in needles() if n.encode() in data]
        assert not found, f"{path} holds {found}"
    return files


class Codec:
    """The simulator plus what its command dispatch received."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.commands: list[tuple[str, dict[str, Any]]] = []

    @property
    def url(self) -> str:
        return str(self.server.url)

    def config(self, path: str) -> Any:
        return self.server.simulator.get_value(f"Configuration {path}")

    def args_of(self, command: str) -> list[dict[str, Any]]:
        return [args for path, args in self.commands if path == command]

    def assert_received_everything(self) -> None:
        assert self.config("NetworkServices HTTP Proxy Password") == RAW_PROXY  # the raw xSet: last
        assert self.config(TOKEN_PATH) == RAW_TOKEN
        assert self.config("NetworkServices NTP Server 1 Key") == NTP_KEY
        assert {"Username": "bob", "NewPassphrase": NEW_PHRASE, "YourPassphrase": PASSWORD} \
            in self.args_of("UserManagement User Passphrase Set")
        assert {"Key": OPTION_KEY} in self.args_of("SystemUnit OptionKey Add")
        assert any(a.get("ChallengePassword") == CHALLENGE for a in self.args_of(SCEP))
        assert {"OldPassphrase": RAW_OLD, "NewPassphrase": RAW_NEW} \
            in self.args_of("UserManagement User Passphrase Change")
        sent = repr(self.commands)
        assert TYPO not in sent and SHORT not in sent  # lines that did not parse are not sent


def codec_model() -> Any:
    """The built-in device plus a command with a ChallengePassword parameter."""
    from xshell.sim.builtin import parse_model
    text = resources.files("xshell.sim").joinpath("data", "device.xdm").read_text(encoding="utf-8")
    extra = (f"\ncommand {SCEP}  ChallengePassword: str 0..256  Fingerprint*: str 0..128  URL*: str 0..256\n"
             f"config {TOKEN_PATH}  str 0..64 = \"\" !hide\n")
    return parse_model(text + extra, "device.xdm+scep")


@pytest.fixture
async def codec() -> AsyncIterator[Codec]:
    from xshell.sim import Simulator
    sim = Simulator(codec_model(), user=USER, password=PASSWORD, rate_limit=None)
    real_run = sim.behaviours.run

    async with sim.serve() as server:
        dev = Codec(server)

        def recording_run(call: Any) -> Any:
            dev.commands.append((" ".join(call.path), dict(call.args)))
            return real_run(call)

        sim.behaviours.run = recording_run  # type: ignore[method-assign]
        yield dev


# --------------------------------------------------------------------------- script mode
@pytest.mark.parametrize("output", ["terminal", "json"])
async def test_script_file_sends_secrets_and_shows_none(codec: Codec, tmp_path: Path,
                                                        output: str) -> None:
    script = tmp_path / "secrets.xapi"
    script.write_text(SCRIPT)
    log = tmp_path / ("t.jsonl" if output == "json" else "t.log")  # both transcript formats
    status, out, err = await xshell(codec.url, "-o", output, "-f", str(script), "--log", str(log))
    assert status == 2, err  # the two lines that do not parse
    assert leaked(out) == [] and leaked(err) == []
    assert leaked(log.read_text(encoding="utf-8")) == [] and "raw-3" in log.read_text(encoding="utf-8")
    assert out.rstrip().splitlines()[-1] == "OK" if output == "terminal" else out.rstrip().endswith("50")
    assert '"***"' in out  # the hidden configuration read back
    assert f"{script}:8: parse error" in err and "Bogus" in err and "OldPassphrase: ***" in err
    assert f"{script}:9: parse error" in err and "Key: ***" in err
    codec.assert_received_everything()
    script.unlink()  # the user's own script holds them, of course; nothing else may
    assert_clean_files()


async def test_in_process_run_logs_no_secret_at_debug(codec: Codec, tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("websockets", "websockets.client", "websockets.server", "xshell"):
        caplog.set_level(logging.DEBUG, logger=name)
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)
    script = tmp_path / "secrets.xapi"
    script.write_text(SCRIPT)
    for auth in ("basic", "subprotocol"):
        status = await asyncio.to_thread(main, [codec.url, "--auth", auth, "-f", str(script)])
        assert status == 2
    captured = capsys.readouterr()
    assert leaked(captured.out) == [] and leaked(captured.err) == []
    assert any(r.name.startswith("xshell.transport.websockets") for r in caplog.records)  # it logged
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "") + repr(record.args)
        assert leaked(text) == [], (record.name, text[:300])
    assert leaked(caplog.text) == []
    codec.assert_received_everything()
    script.unlink()
    assert_clean_files()


# --------------------------------------------------------------------------- the password itself
async def test_a_wrong_password_is_never_shown(codec: Codec, caplog: pytest.LogCaptureFixture,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "Wr0ng-Guess-2718"
    status, out, err = await xshell(codec.url, "-p", wrong, "-c", "xStatus Audio Volume", password=None)
    assert status == 3 and out == ""
    assert "visible to other users" in err and "Authentication failed for user 'admin'" in err
    assert wrong not in err
    status, _, err = await xshell(codec.url, "--auth", "subprotocol", "-c", "xStatus Audio Volume",
                                  password=wrong)
    assert status == 3 and "Authentication failed" in err and wrong not in err

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("XSHELL_PASSWORD", wrong)
    assert await asyncio.to_thread(main, [codec.url, "-c", "xStatus Audio Volume"]) == 3
    creds = f"{USER}:{wrong}".encode()
    forms = (wrong, base64.b64encode(creds).decode())
    text = caplog.text + "".join(repr(r.args) for r in caplog.records) + "".join(capsys.readouterr())
    assert "Authentication failed" in text and not [f for f in forms if f in text]


@pytest.mark.parametrize("target", ["admin:Tgt-Secret-99@127.0.0.1", "wss://admin:Tgt-Secret-99@codec/ws",
                                    "ws://:Tgt-Secret-99@127.0.0.1:9/ws"])
async def test_credentials_in_the_target_are_refused_without_echo(target: str) -> None:
    status, out, err = await xshell(target, "-c", "xStatus Audio Volume")
    assert status == 3 and out == ""
    assert "Tgt-Secret-99" not in err and "--user" in err and len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- the interactive shell
async def test_plain_shell_history_holds_masks_and_the_device_the_values(codec: Codec) -> None:
    """A real terminal session: history keeps *** only; results and feedback show ***.

    The terminal itself shows what the user types while typing (as tshell does), so the
    transcript is searched in the lines xshell prints: results and feedback (`*c`, `*r`…).
    """
    child = pexpect.spawn(sys.executable, ["-m", "xshell", "--plain", codec.url], env=child_env(),
                          encoding="utf-8", timeout=20, dimensions=(24, 250))
    transcript = io.StringIO()
    child.logfile_read = transcript
    await child.expect(r"\(connected\)>", async_=True)
    for line in SCRIPT.splitlines():
        if TYPO not in line and SHORT not in line:
            child.sendline(line)
            await child.expect(r"\(connected\)>", async_=True)
    child.sendline("xStatus SystemUnit Uptime")  # the last answer: everything before is printed
    await child.expect(r"\*s SystemUnit Uptime: \d+", async_=True)
    child.sendline("exit")
    await child.expect(pexpect.EOF, async_=True)
    child.close()
    assert child.exitstatus == 0
    codec.assert_received_everything()
    history = [p for p in assert_clean_files() if "history" in p.parts]
    assert len(history) == 1
    kept = history[0].read_text()
    assert "xConfiguration NetworkServices HTTP Proxy Password: ***" in kept
    assert "OptionKey Add Key: ***" in kept and "ChallengePassword: ***" in kept
    assert 'NewPassphrase: *** YourPassphrase: ***' in kept
    printed = [ln for ln in ANSI.sub("", transcript.getvalue()).splitlines() if RESULT.search(ln)]
    assert '*c xConfiguration NetworkServices HTTP Proxy Password: "***"' in "\n".join(printed)
    assert [ln for ln in printed if leaked(ln)] == []
