"""`xshell` as a user runs it against a wss:// device: exit statuses, messages, the pin file.

The CLI runs as a real subprocess; the device is an in-process simulator on the test's
event loop (so its certificate can be swapped in place), or an `xshell-sim --tls`
process. The first-contact question is answered once through a real terminal (pexpect).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect  # type: ignore[import-untyped]
import pytest

from tests.clirun import child_env, xshell
from tests.conftest import PASSWORD, USER
from tests.simproc import sim_process
from tests.integration import test_pinning
from tests.integration.test_pinning import Device, ca_signed, self_signed
from xshell.transport.pinning import fingerprint, known_hosts_path

VOLUME = "*s Audio Volume: 50"
device = test_pinning.device  # the wss:// simulator fixture (certificate swappable in place)


def pins() -> list[str]:
    path = known_hosts_path()
    if not path.exists():
        return []
    return [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")]


async def test_first_contact_without_a_terminal_exits_3_and_names_the_three_options(
        device: Device) -> None:
    status, out, err = await xshell(device.url, "-c", "xStatus Audio Volume")
    assert status == 3 and out == ""
    fp = fingerprint(device.der)
    message = err.strip()
    assert "\n" not in message and message.startswith("xshell: TLS certificate of 127.0.0.1:")
    assert f"--fingerprint {fp}" in message and "--accept-new" in message and "--insecure" in message
    assert PASSWORD not in err and device.logins == [] and pins() == []


async def test_accept_new_pins_then_runs_silently_then_refuses_a_new_certificate(
        device: Device, tmp_path: Path) -> None:
    status, out, err = await xshell(device.url, "--accept-new", "-c", "xStatus Audio Volume")
    assert status == 0, err
    assert VOLUME in out.splitlines()
    first = fingerprint(device.der)
    assert pins() == [f"127.0.0.1:{device.server.port} {first}"]
    assert "pinned" in err and str(known_hosts_path()) in err

    status, out, err = await xshell(device.url, "-c", "xStatus Audio Volume")  # pinned: no flag
    assert status == 0 and VOLUME in out.splitlines() and err == ""

    device.swap(*self_signed(tmp_path))
    for flags in ([], ["--accept-new"]):
        status, out, err = await xshell(device.url, *flags, "-c", "xStatus Audio Volume")
        assert status == 3 and out == ""
        line = len(known_hosts_path().read_text().splitlines())
        assert first in err and fingerprint(device.der) in err
        assert f"{known_hosts_path()}:{line}" in err and len(err.strip().splitlines()) == 1
    assert device.logins == [USER, USER]


async def test_fingerprint_option(device: Device, tmp_path: Path) -> None:
    colons = ":".join(f"{b:02X}" for b in hashlib.sha256(device.der).digest())
    status, out, err = await xshell(device.url, "--fingerprint", colons, "-c", "xStatus Audio Volume")
    assert status == 0 and VOLUME in out.splitlines(), err
    other = fingerprint(self_signed(tmp_path)[2])
    status, out, err = await xshell(device.url, "--fingerprint", other, "-c", "xStatus Audio Volume")
    assert status == 3 and other in err and fingerprint(device.der) in err
    assert pins() == [] and device.logins == [USER]


async def test_insecure_skips_the_check(device: Device) -> None:
    status, out, err = await xshell(device.url, "--insecure", "-c", "xStatus Audio Volume")
    assert status == 0 and VOLUME in out.splitlines(), err
    assert pins() == []


async def test_a_ca_signed_device_needs_no_pin(tmp_path: Path) -> None:
    from xshell.sim import Simulator
    ctx, _, _ = ca_signed(tmp_path, "127.0.0.1")
    async with Simulator(user=USER, password=PASSWORD, rate_limit=None).serve(ssl_context=ctx) as server:
        status, out, err = await xshell(server.url, "--cacert", str(tmp_path / "ca.pem"),
                                        "-c", "xStatus Audio Volume")
        assert status == 0 and VOLUME in out.splitlines() and err == ""
    assert pins() == []


@pytest.mark.parametrize("flags,words", [
    (["--fingerprint", "SHA256:nope"], "--fingerprint"),
    (["--insecure", "--accept-new"], "--insecure"),
    (["--insecure", "--fingerprint", "SHA256:" + "A" * 43], "--insecure"),
    (["--cacert", "/nonexistent/ca.pem"], "--cacert"),
])
async def test_contradicting_tls_options_are_usage_errors(flags: list[str], words: str) -> None:
    status, out, err = await xshell("wss://127.0.0.1:9/ws", *flags, "-c", "xStatus Audio Volume")
    assert status == 2 and out == ""
    assert f"xshell: error: {words}" in err


async def test_tls_options_on_a_plain_target_are_usage_errors(sim: Any) -> None:
    for args in ([sim.url, "--accept-new"], ["--demo", "--fingerprint", "SHA256:" + "A" * 43]):
        status, _, err = await xshell(*args, "-c", "xStatus Audio Volume")
        assert status == 2 and "no TLS" in err


def test_against_an_xshell_sim_tls_process(tmp_path: Path) -> None:
    cert, key, der = self_signed(tmp_path)
    env = child_env()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "xshell", *args, "-c", "xStatus Audio Volume"],
                              capture_output=True, text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)

    with sim_process("--tls", "--cert", str(cert), "--key", str(key), "--password", PASSWORD,
                     "--no-rate-limit") as (url, _):
        assert url.startswith("wss://")
        refused = run(url)
        assert refused.returncode == 3 and fingerprint(der) in refused.stderr
        pinned = run(url, "--accept-new")
        assert pinned.returncode == 0 and VOLUME in pinned.stdout.splitlines(), pinned.stderr
        again = run(url)
        assert again.returncode == 0 and again.stderr == ""
    assert pins() == [f"127.0.0.1:{url.split(':')[2].split('/')[0]} {fingerprint(der)}"]


async def test_the_question_on_a_terminal_comes_before_the_password(device: Device) -> None:
    """Answered through a pty: `no` exits 3 and asks no password; `yes` pins, then asks it."""
    def spawn() -> pexpect.spawn:
        return pexpect.spawn(sys.executable, ["-m", "xshell", "--plain", device.url],
                             env=child_env(password=None), encoding="utf-8", timeout=20,
                             dimensions=(24, 160))

    question = r"connect \(yes/no/\[fingerprint\]\)\? "
    child = spawn()
    await child.expect(question, async_=True)
    assert fingerprint(device.der) in (child.before or "")
    child.sendline("no")
    await child.expect(pexpect.EOF, async_=True)
    child.close()
    assert child.exitstatus == 3 and "Password" not in (child.before or "")
    assert pins() == [] and device.logins == []

    child = spawn()
    await child.expect(question, async_=True)
    child.sendline("yes")
    await child.expect("Password for admin: ", async_=True)
    child.sendline(PASSWORD)
    await child.expect(r"\(connected\)>", async_=True)
    child.sendline("xStatus Audio Volume")
    await child.expect(r"\*s Audio Volume: 50", async_=True)
    await child.expect(r"\(connected\)>", async_=True)
    child.sendline("exit")
    await child.expect(pexpect.EOF, async_=True)
    child.close()
    assert child.exitstatus == 0
    assert pins() == [f"127.0.0.1:{device.server.port} {fingerprint(device.der)}"]
    assert device.logins == [USER]
