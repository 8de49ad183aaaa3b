"""The `xshell` command as scripts use it: a subprocess against a real xshell-sim process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.simproc import sim_process

PASSWORD = "cli-Pa55word"


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with sim_process("--user", "admin", "--password", PASSWORD) as (url, _):
        yield url


def xshell(*args: str, password: str | None = PASSWORD, stdin: str | None = None,
           timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XSHELL_PASSWORD"}
    if password is not None:
        env["XSHELL_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "xshell", *args], input=stdin if stdin is not None else "",
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_version() -> None:
    out = xshell("--version")
    assert out.returncode == 0 and out.stdout.startswith("xshell ")


def test_missing_target_is_a_usage_error() -> None:
    out = xshell("-c", "xStatus Audio Volume")
    assert out.returncode == 2
    assert "TARGET" in out.stderr


def test_status_one_shot_prints_tshell_lines(sim_url: str) -> None:
    out = xshell(sim_url, "-c", "xStatus Audio Volume")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["*s Audio Volume: 50", "** end", "", "OK"]


def test_lines_run_in_order_and_set_is_visible(sim_url: str) -> None:
    out = xshell(sim_url, "-c", "xConfiguration Audio DefaultVolume: 35",
                 "-c", "xConfiguration Audio DefaultVolume")
    assert out.returncode == 0, out.stderr
    assert "*c xConfiguration Audio DefaultVolume: 35" in out.stdout.splitlines()


def test_xapi_error_exits_1_and_later_lines_still_run(sim_url: str) -> None:
    out = xshell(sim_url, "-c", "xCommand Call Disconnect CallId: 4711", "-c", "xStatus Audio Volume")
    assert out.returncode == 1, out.stdout + out.stderr
    assert '*r CallDisconnectResult Reason: "No active call(s) found."' in out.stdout
    assert "ERROR" in out.stdout.splitlines()
    assert out.stdout.rstrip().endswith("OK")  # the second line ran


def test_parse_error_exits_2_with_column(sim_url: str) -> None:
    out = xshell(sim_url, "-c", 'xCommand Dial Number "x"')
    assert out.returncode == 2
    assert "missing ':' after Number" in out.stderr
    assert "^" in out.stderr
    assert "-c:1" in out.stderr


def test_schema_rejects_out_of_range_before_sending(sim_url: str) -> None:
    out = xshell(sim_url, "-c", "xCommand Audio Volume Set Level: 500")
    assert out.returncode == 2
    assert "0..100" in out.stderr


def test_wrong_password_exits_3_with_one_sentence(sim_url: str) -> None:
    out = xshell(sim_url, "-c", "xStatus Audio Volume", password="not-the-one")
    assert out.returncode == 3
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "uthentication" in lines[0]
    assert "not-the-one" not in out.stderr + out.stdout


def test_connection_refused_exits_3() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = xshell(f"ws://127.0.0.1:{port}/ws", "-c", "xStatus Audio Volume")
    assert out.returncode == 3
    assert "127.0.0.1" in out.stderr and "refused" in out.stderr.lower()


def test_json_output_is_one_document_per_request(sim_url: str) -> None:
    out = xshell(sim_url, "-o", "json", "-c", "xStatus Audio Volume", "-c", "xStatus Call 4711",
                 "-c", "xCommand Call Disconnect CallId: 4711")
    assert out.returncode == 1
    docs = [json.loads(line) for line in out.stdout.splitlines()]
    assert docs[:2] == [50, {}]  # a call that is not there: an empty answer, as tshell gives
    assert docs[2]["error"]["message"] == "No active call(s) found."


def test_script_file_with_comments_and_multiline_body(sim_url: str, tmp_path: Path) -> None:
    script = tmp_path / "check.xapi"
    script.write_text("# a comment\n\nxCommand HttpClient Post Url: \"http://example.com/hook\"\n"
                      "{\"hello\": 1}\nsecond line\n.\nxStatus Audio Volume\n")
    out = xshell(sim_url, "-f", str(script))
    assert out.returncode == 0, out.stderr
    assert "*r HttpClientPostResult (status=OK): " in out.stdout.splitlines()[:4]
    assert "*s Audio Volume: " in out.stdout


def test_stdin_that_is_not_a_terminal_is_a_script(sim_url: str) -> None:
    out = xshell(sim_url, stdin="xStatus Audio Volume\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("*s Audio Volume: ")


def test_unterminated_body_is_a_parse_error(sim_url: str) -> None:
    out = xshell(sim_url, stdin='xCommand HttpClient Post Url: "http://example.com/x"\nbody\n')
    assert out.returncode == 2
    assert "." in out.stderr


def test_follow_prints_feedback_until_max_events(sim_url: str) -> None:
    out = xshell(sim_url, "--follow", "--max-events", "1",
                 "-c", "xFeedback register /Status/Audio/Volume",
                 "-c", "xCommand Audio Volume Set Level: 61")
    assert out.returncode == 0, out.stderr
    assert "*s Audio Volume: 61" in out.stdout.splitlines()


def test_demo_needs_no_target() -> None:
    out = xshell("--demo", "-c", "xStatus SystemUnit State NumberOfActiveCalls", password=None)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("*s SystemUnit State NumberOfActiveCalls: 0")


# What a plain one-shot read over ws:// must not load: each is milliseconds of a run that
# takes about a hundred (README "Benchmarks", oneshot), and none is needed by it — the UI,
# websockets' proxy lookup (no *_proxy variable set), certificate pinning (ws://), the wire
# trace, `as` forms, feedback expressions, typo suggestions, the password prompt.
NOT_ON_ONE_SHOT = ("prompt_toolkit", "http.client", "xshell.transport.pinning",
                   "xshell.session.wiretrace", "xshell.lang.ascode", "xshell.lang.expression",
                   "difflib", "getpass", "xshell.commands.registry")
DEFERRED = ("importlib.metadata", "urllib.request")  # stand-ins until something reads them


def test_one_shot_path_loads_only_what_it_needs(sim_url: str) -> None:
    code = ("import sys\nfrom xshell.cli import main\n"
            f"rc = main([{sim_url!r}, '-c', 'xStatus Audio Volume'])\n"
            f"loaded = [m for m in {NOT_ON_ONE_SHOT!r} if m in sys.modules]\n"
            f"real = [m for m in {DEFERRED!r} if type(sys.modules.get(m)).__name__ == 'module']\n"
            "assert not loaded and not real, (loaded, real)\n"
            "raise SystemExit(rc)\n")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["XSHELL_PASSWORD"] = PASSWORD
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("*s Audio Volume: ")
