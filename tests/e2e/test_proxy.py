"""Proxies from the environment: used when set, skipped (and not even looked up) when not.

websockets resolves `proxy=True` through urllib.request; xshell asks only where a proxy can
be set (xshell.transport.opening.proxy_choice), and a proxy that fails is named as such —
a dead proxy must not read as "nothing listens on the device's port".
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.simproc import sim_process
from xshell.transport.opening import proxy_choice, proxy_shown
from xshell.transport.target import parse_target

PASSWORD = "proxy-Pa55word"


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with sim_process("--user", "admin", "--password", PASSWORD) as (url, _):
        yield url


def xshell(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xshell", *args], input="", capture_output=True,
                          text=True, timeout=30, env={**env, "XSHELL_PASSWORD": PASSWORD})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


def test_no_proxy_variable_means_no_lookup(no_proxy_env: None) -> None:
    assert proxy_choice(True) is None
    assert proxy_choice("http://proxy:3128") == "http://proxy:3128"
    assert proxy_choice(None) is None


def test_a_proxy_variable_hands_the_lookup_to_websockets(no_proxy_env: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert proxy_choice(True) is True
    target = parse_target("wss://room.example/ws", legacy=False, insecure=False)
    assert proxy_shown(True, target) == "http://proxy.example:3128"
    monkeypatch.setenv("NO_PROXY", "room.example")
    assert proxy_shown(True, target) is None


def test_an_empty_proxy_variable_is_no_proxy(no_proxy_env: None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", "")
    assert proxy_choice(True) is None


def test_a_dead_proxy_is_named_without_its_password(sim_url: str) -> None:
    dead = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["http_proxy"] = f"http://bob:hunter22@127.0.0.1:{dead}"
    out = xshell(sim_url, "-c", "xStatus Audio Volume", env=env)
    assert out.returncode == 3
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert f"through the proxy http://127.0.0.1:{dead}: connection refused" in lines[0]
    assert "hunter22" not in out.stderr and "bob" not in out.stderr
    env["no_proxy"] = "127.0.0.1"  # bypassed: straight to the device
    out = xshell(sim_url, "-c", "xStatus Audio Volume", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("*s Audio Volume: ")
