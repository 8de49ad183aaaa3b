"""Certificate pinning: the known-hosts file, fingerprints, and the trust decisions of a run.

The simulator serves wss:// with throw-away certificates: a self-signed one (what a codec
ships with) made from a fresh trustme CA used as the leaf, or one issued by a CA the test
trusts through --cacert. Every refusal is also checked to happen before the credentials
are sent: the device's credential check is wrapped and must never run.
"""

from __future__ import annotations

import hashlib
import os
import re
import ssl
import stat
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.conftest import PASSWORD, USER
from xshell.cli import parse_options
from xshell.errors import ConnectionFailed, TLSFailed
from xshell.modes.connect import Connector
from xshell.transport.pinning import (CertificateMismatch, KnownHosts, PinPolicy,
                                      UnknownCertificate, answer_means_yes, fingerprint,
                                      host_key, known_hosts_path, parse_fingerprint)

FP_RE = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")


# --------------------------------------------------------------------------- helpers
def self_signed(tmp: Path) -> tuple[Path, Path, bytes]:
    """A self-signed certificate like a codec's: (cert file, key file, DER)."""
    ca = trustme.CA()
    cert, key = tmp / f"{id(ca)}-cert.pem", tmp / f"{id(ca)}-key.pem"
    ca.cert_pem.write_to_path(str(cert))
    ca.private_key_pem.write_to_path(str(key))
    return cert, key, ssl.PEM_cert_to_DER_cert(ca.cert_pem.bytes().decode())


def issued(ca: trustme.CA, tmp: Path, *names: str) -> tuple[Path, Path, bytes]:
    leaf = ca.issue_cert(*names)
    cert, key = tmp / f"{names[0]}-cert.pem", tmp / f"{names[0]}-key.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    return cert, key, ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())

def ca_signed(tmp_path: Path, host: str) -> tuple[ssl.SSLContext, Path, bytes]:
    """A server context whose certificate for `host` a fresh CA signed; (ctx, CA file, DER).

    The CA certificate is written to tmp_path/"ca.pem" (for --cacert).
    """
    ca = trustme.CA()
    cert, key, der = issued(ca, tmp_path, host)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx, tmp_path / "ca.pem", der



@dataclass
class Device:
    """A running wss:// simulator whose certificate can be swapped in place."""

    server: Any
    ctx: ssl.SSLContext
    der: bytes
    logins: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.server.url)

    def swap(self, cert: Path, key: Path, der: bytes) -> None:
        self.ctx.load_cert_chain(cert, key)  # new handshakes present the new certificate
        self.der = der


@pytest.fixture
async def device(tmp_path: Path) -> AsyncIterator[Device]:
    from xshell.sim import Simulator
    cert, key, der = self_signed(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    sim = Simulator(user=USER, password=PASSWORD, rate_limit=None)
    dev = Device(None, ctx, der)
    real_check = sim.check_credentials

    def recording_check(user: str, password: str) -> bool:
        dev.logins.append(user)
        return real_check(user, password)

    sim.check_credentials = recording_check  # type: ignore[method-assign]
    async with sim.serve(ssl_context=ctx) as server:
        dev.server = server
        yield dev


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSHELL_PASSWORD", PASSWORD)


class Asker:
    """An injected terminal: replays answers and records the questions."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.questions: list[str] = []

    def __call__(self, question: str) -> str | None:
        self.questions.append(question)
        return self.answers.pop(0)


async def volume(url: str, *flags: str, interactive: bool = False,
                 ask: Callable[[str], str | None] | None = None,
                 notes: list[str] | None = None) -> Any:
    """Connect the way the CLI does and read one value; raise what the connect raised."""
    args = parse_options([url, *flags]).devices[0]
    sink = notes if notes is not None else []
    async with Connector(args, interactive_ok=interactive, ask=ask, notify=sink.append) as conn:
        client = await conn.connect()
        try:
            return await client.get("Status/Audio/Volume")
        finally:
            await client.close()


def pin_lines() -> list[str]:
    path = known_hosts_path()
    if not path.exists():
        return []
    return [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")]


# --------------------------------------------------------------------------- fingerprints
def test_fingerprint_accepts_the_forms_people_paste(tmp_path: Path) -> None:
    _, _, der = self_signed(tmp_path)
    fp = fingerprint(der)
    assert FP_RE.fullmatch(fp)
    hexed = hashlib.sha256(der).hexdigest()
    colons = ":".join(hexed[i:i + 2] for i in range(0, 64, 2)).upper()
    for pasted in (fp, fp + "=", "sha256:" + fp[7:], fp[7:], hexed, colons, "SHA256:" + colons,
                   f"  {fp}\n"):
        assert parse_fingerprint(pasted) == fp, pasted
    _, _, other = self_signed(tmp_path)
    assert parse_fingerprint(hashlib.sha256(other).hexdigest()) != fp


@pytest.mark.parametrize("bad", ["", "SHA256:", "SHA256:abc", "SHA256:" + "A" * 44, "zz" * 32,
                                 "SHA256:" + "!" * 43, "MD5:00:11"])
def test_bad_fingerprints_are_one_line_errors(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_fingerprint(bad)
    assert "\n" not in str(info.value) and ("SHA256" in str(info.value) or "SHA-256" in str(info.value))


def test_answers_to_the_question(tmp_path: Path) -> None:
    _, _, der = self_signed(tmp_path)
    fp = fingerprint(der)
    assert answer_means_yes("yes\n", fp) and answer_means_yes("Y", fp)
    assert answer_means_yes("no", fp) is False and answer_means_yes("\n", fp) is False
    assert answer_means_yes(hashlib.sha256(der).hexdigest(), fp) is True
    _, _, other = self_signed(tmp_path)
    assert answer_means_yes(fingerprint(other), fp) is False
    assert answer_means_yes("maybe", fp) is None


# --------------------------------------------------------------------------- the file
def test_known_hosts_lives_in_the_xdg_config_dir() -> None:
    assert known_hosts_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "xshell" / "known_hosts"


def test_add_creates_a_private_file_one_pin_per_line(tmp_path: Path) -> None:
    store = KnownHosts(tmp_path / "cfg" / "known_hosts")
    assert store.entries() == []
    fps = [fingerprint(self_signed(tmp_path)[2]) for _ in range(3)]
    first = store.add(host_key("Codec.Example.COM", 443), fps[0])
    second = store.add(host_key("fe80::1", 8443), fps[1])
    third = store.add(host_key("codec.example.com", 443), fps[2])  # a second pin: planned change
    text = store.path.read_text()
    lines = text.splitlines()
    assert lines[first.line - 1] == f"codec.example.com:443 {fps[0]}"
    assert lines[second.line - 1] == f"[fe80::1]:8443 {fps[1]}"
    assert lines[third.line - 1] == f"codec.example.com:443 {fps[2]}"
    assert all(ln.startswith("#") for ln in lines[:first.line - 1])  # the explaining header
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.fingerprint for p in store.pins("codec.example.com:443")] == [fps[0], fps[2]]
    assert store.pins("codec.example.com:8443") == []


def test_comments_blank_lines_and_hand_edits_are_read(tmp_path: Path) -> None:
    fp = fingerprint(self_signed(tmp_path)[2])
    hexed = parse_fingerprint(fp)
    path = tmp_path / "known_hosts"
    path.write_text(f"# my devices\n\n   10.0.0.5:443   {fp}   # boardroom\n"
                    f"[::1]:8443 {hexed}")  # no final newline: the next add must not glue lines
    store = KnownHosts(path)
    assert [(p.key, p.line) for p in store.entries()] == [("10.0.0.5:443", 3), ("[::1]:8443", 4)]
    pin = store.add("10.0.0.6:443", fp)
    assert pin.line == 5 and path.read_text().splitlines()[4] == f"10.0.0.6:443 {fp}"


@pytest.mark.parametrize("line", ["10.0.0.5 SHA256:abc", "10.0.0.5:443", "10.0.0.5:https SHA256:x",
                                  "10.0.0.5:443 SHA256:short", "a:1 b:2 c:3"])
def test_a_garbled_line_is_refused_with_its_place(tmp_path: Path, line: str) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(f"# ok\n{line}\n")
    with pytest.raises(TLSFailed) as info:
        KnownHosts(path).pins("10.0.0.5:443")
    assert f"{path}:2" in str(info.value) and "\n" not in str(info.value)


def test_policy_pins_first_use_only_with_accept_new(tmp_path: Path) -> None:
    store = KnownHosts(tmp_path / "known_hosts")
    der_a, der_b = self_signed(tmp_path)[2], self_signed(tmp_path)[2]
    with pytest.raises(UnknownCertificate) as info:
        PinPolicy("codec", 443, store=store).verify(der_a)
    assert info.value.fingerprint == fingerprint(der_a) and not store.path.exists()
    notes: list[str] = []
    PinPolicy("codec", 443, store=store, accept_new=True, notify=notes.append).verify(der_a)
    assert "pinned" in notes[0] and f"{store.path}:" in notes[0]
    PinPolicy("codec", 443, store=store).verify(der_a)  # pinned now
    with pytest.raises(CertificateMismatch):
        PinPolicy("codec", 443, store=store, accept_new=True).verify(der_b)
    PinPolicy("codec", 8443, store=store, accept_new=True).verify(der_b)  # another port, another pin


# --------------------------------------------------------------------------- a run's decisions
async def test_first_contact_interactive_yes_pins_and_is_not_asked_again(device: Device) -> None:
    ask, notes = Asker("yes"), list[str]()
    assert await volume(device.url, interactive=True, ask=ask, notes=notes) == 50
    fp = fingerprint(device.der)
    assert len(ask.questions) == 1
    assert fp in ask.questions[0] and f"127.0.0.1:{device.server.port}" in ask.questions[0]
    assert "self-signed" in ask.questions[0] and str(known_hosts_path()) in ask.questions[0]
    assert pin_lines() == [f"127.0.0.1:{device.server.port} {fp}"]
    assert any("pinned" in n for n in notes)
    again = Asker()
    assert await volume(device.url, interactive=True, ask=again) == 50
    assert again.questions == []


async def test_first_contact_interactive_no_sends_nothing(device: Device) -> None:
    with pytest.raises(TLSFailed) as info:
        await volume(device.url, interactive=True, ask=Asker("no"))
    assert "not trusted" in str(info.value) and PASSWORD not in str(info.value)
    assert pin_lines() == [] and device.logins == []
    with pytest.raises(TLSFailed):  # end of input is a no
        await volume(device.url, interactive=True, ask=Asker(None))
    assert device.logins == []


async def test_unclear_answers_are_asked_again_and_a_pasted_fingerprint_counts(device: Device) -> None:
    hexed = hashlib.sha256(device.der).hexdigest()
    ask = Asker("sure", hexed)
    assert await volume(device.url, interactive=True, ask=ask) == 50
    assert len(ask.questions) == 2 and "yes" in ask.questions[1]
    assert len(pin_lines()) == 1


async def test_a_wrong_pasted_fingerprint_is_a_no(device: Device, tmp_path: Path) -> None:
    other = fingerprint(self_signed(tmp_path)[2])
    with pytest.raises(TLSFailed):
        await volume(device.url, interactive=True, ask=Asker(other))
    assert pin_lines() == [] and device.logins == []


async def test_non_interactive_first_contact_is_refused_with_the_three_ways_out(device: Device) -> None:
    ask = Asker("yes")
    with pytest.raises(UnknownCertificate) as info:
        await volume(device.url, interactive=False, ask=ask)  # asking needs an interactive run
    message = str(info.value)
    fp = fingerprint(device.der)
    assert f"--fingerprint {fp}" in message and "--accept-new" in message and "--insecure" in message
    assert f"127.0.0.1:{device.server.port}" in message and "\n" not in message
    assert ask.questions == [] and device.logins == [] and not known_hosts_path().exists()


async def test_pinned_certificate_connects_without_a_question(device: Device) -> None:
    KnownHosts().add(f"127.0.0.1:{device.server.port}", fingerprint(device.der))
    assert await volume(device.url, interactive=True, ask=Asker()) == 50
    assert await volume(device.url) == 50
    assert device.logins == [USER, USER]


async def test_a_changed_certificate_is_refused_naming_both_and_the_line(device: Device,
                                                                        tmp_path: Path) -> None:
    old = fingerprint(device.der)
    KnownHosts().add("10.9.9.9:443", old)  # another device's pin comes first in the file
    pin = KnownHosts().add(f"127.0.0.1:{device.server.port}", old)
    device.swap(*self_signed(tmp_path))
    for interactive in (False, True):  # a changed certificate is never asked about
        ask = Asker("yes")
        with pytest.raises(CertificateMismatch) as info:
            await volume(device.url, interactive=interactive, ask=ask)
        message = str(info.value)
        assert old in message and fingerprint(device.der) in message
        assert f"{known_hosts_path()}:{pin.line}" in message and pin.line == 5
        assert ask.questions == []
    assert device.logins == []


async def test_ca_signed_certificate_passes_without_a_pin(tmp_path: Path) -> None:
    from xshell.sim import Simulator
    ctx, _, _ = ca_signed(tmp_path, "127.0.0.1")
    async with Simulator(user=USER, password=PASSWORD, rate_limit=None).serve(ssl_context=ctx) as server:
        ask = Asker()
        assert await volume(server.url, "--cacert", str(tmp_path / "ca.pem"), interactive=True,
                            ask=ask) == 50
        assert ask.questions == [] and not known_hosts_path().exists()
        with pytest.raises(UnknownCertificate):  # the same device without trusting that CA
            await volume(server.url)


async def test_ca_signed_with_the_wrong_name_is_pinned_only_when_asked_explicitly(
        tmp_path: Path) -> None:
    """--accept-new pins what no CA vouches for; a CA-signed certificate that fails its
    check needs --accept-invalid, --fingerprint, or a yes to a question naming the failure."""
    from xshell.sim import Simulator
    ctx, _, der = ca_signed(tmp_path, "codec.example.com")
    fp = fingerprint(der)
    cacert = ("--cacert", str(tmp_path / "ca.pem"))
    async with Simulator(user=USER, password=PASSWORD, rate_limit=None).serve(ssl_context=ctx) as server:
        for flags in ((), ("--accept-new",)):
            with pytest.raises(UnknownCertificate) as info:
                await volume(server.url, *cacert, *flags)
            message = str(info.value)
            assert "IP address mismatch, certificate is not valid for '127.0.0.1'" in message
            assert "trusted certificate authority signed it" in message
            assert f"--fingerprint {fp}" in message and "--accept-invalid" in message
            assert not known_hosts_path().exists()
        ask = Asker("no")
        with pytest.raises(TLSFailed):
            await volume(server.url, *cacert, "--accept-new", interactive=True, ask=ask)
        assert len(ask.questions) == 1 and not known_hosts_path().exists()
        assert "failed verification: IP address mismatch" in ask.questions[0]
        assert "connect by a name the certificate lists" in ask.questions[0]
        notes: list[str] = []
        assert await volume(server.url, *cacert, "--accept-invalid", notes=notes) == 50
        assert pin_lines() == [f"127.0.0.1:{server.port} {fp}"]
        assert any("pinned" in n and "although it failed verification" in n for n in notes)
        assert await volume(server.url, *cacert) == 50  # pinned now: no flag needed


async def test_an_expired_ca_signed_certificate_says_so(tmp_path: Path) -> None:
    import datetime
    from xshell.sim import Simulator
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", not_before=datetime.datetime(2019, 1, 1),
                         not_after=datetime.datetime(2020, 1, 1))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(ctx)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    async with Simulator(user=USER, password=PASSWORD, rate_limit=None).serve(ssl_context=ctx) as server:
        with pytest.raises(UnknownCertificate) as info:
            await volume(server.url, "--cacert", str(tmp_path / "ca.pem"), "--accept-new")
    assert "(certificate has expired)" in str(info.value)
    assert "renew the device's certificate" in str(info.value)
    assert not known_hosts_path().exists()


async def test_insecure_needs_no_pin_and_stores_none(device: Device) -> None:
    assert await volume(device.url, "--insecure") == 50
    assert not known_hosts_path().exists()


async def test_explicit_fingerprint(device: Device, tmp_path: Path) -> None:
    hexed = hashlib.sha256(device.der).hexdigest()
    assert await volume(device.url, "--fingerprint", hexed) == 50
    assert not known_hosts_path().exists()  # checked for this run, not stored
    other = fingerprint(self_signed(tmp_path)[2])
    with pytest.raises(CertificateMismatch) as info:
        await volume(device.url, "--fingerprint", other, interactive=True, ask=Asker("yes"))
    assert other in str(info.value) and fingerprint(device.der) in str(info.value)
    assert device.logins == [USER]
    assert await volume(device.url, "--fingerprint", hexed, "--accept-new") == 50  # verify + store
    assert pin_lines() == [f"127.0.0.1:{device.server.port} {fingerprint(device.der)}"]


async def test_accept_new_pins_then_refuses_a_swapped_certificate(device: Device,
                                                                 tmp_path: Path) -> None:
    notes: list[str] = []
    assert await volume(device.url, "--accept-new", notes=notes) == 50
    first = fingerprint(device.der)
    assert pin_lines() == [f"127.0.0.1:{device.server.port} {first}"]
    assert any("pinned" in n and first in n for n in notes)
    device.swap(*self_signed(tmp_path))
    with pytest.raises(CertificateMismatch) as info:
        await volume(device.url, "--accept-new")
    assert first in str(info.value) and fingerprint(device.der) in str(info.value)
    assert f"{known_hosts_path()}:" in str(info.value)
    assert pin_lines() == [f"127.0.0.1:{device.server.port} {first}"]  # unchanged
    assert device.logins == [USER]


async def test_unwritable_pin_store_trusts_for_this_run_only(device: Device) -> None:
    known_hosts_path().parent.parent.mkdir(parents=True, exist_ok=True)
    known_hosts_path().parent.write_text("not a directory")  # mkdir of …/xshell fails
    notes: list[str] = []
    args = parse_options([device.url, "--accept-new"]).devices[0]
    async with Connector(args, interactive_ok=False, notify=notes.append) as conn:
        for _ in range(2):  # a reconnect in the same run still trusts it
            client = await conn.connect()
            await client.close()
    assert any("warning" in n and "this run only" in n for n in notes)
    with pytest.raises(UnknownCertificate):  # the next run has to decide again
        await volume(device.url)


async def test_reconnect_uses_the_same_decision(device: Device) -> None:
    ask = Asker("yes")
    args = parse_options([device.url]).devices[0]
    async with Connector(args, interactive_ok=True, ask=ask, notify=lambda n: None) as conn:
        for _ in range(3):
            client = await conn.connect()
            assert await client.get("Status/Audio/Volume") == 50
            await client.close()
    assert len(ask.questions) == 1 and device.logins == [USER] * 3


async def test_plain_ws_and_demo_need_no_certificate(sim: Any) -> None:
    assert await volume(sim.url) == sim.simulator.get_value("Status Audio Volume")
    assert not known_hosts_path().exists()


async def test_a_bad_target_never_echoes_credentials() -> None:
    for target in ("admin:hunter2-Pw@10.0.0.5", "wss://admin:hunter2-Pw@10.0.0.5/ws"):
        with pytest.raises(ConnectionFailed) as info:
            await volume(target)
        assert "hunter2" not in str(info.value) and "bad target" in str(info.value)


async def test_a_reconnect_never_asks_on_the_terminal(tmp_path: Path) -> None:
    """The full-screen UI owns the screen by then: an unknown certificate is refused."""
    from xshell.sim import Simulator
    ctx, _, _ = ca_signed(tmp_path, "127.0.0.1")
    ask = Asker("yes")
    async with Simulator(user=USER, password=PASSWORD, rate_limit=None).serve(ssl_context=ctx) as server:
        args = parse_options([server.url, "--cacert", str(tmp_path / "ca.pem")]).devices[0]
        async with Connector(args, interactive_ok=True, ask=ask, notify=lambda n: None) as conn:
            client = await conn.connect()  # CA-signed: no question
            await client.close()
            new_cert, new_key, _ = self_signed(tmp_path)
            ctx.load_cert_chain(new_cert, new_key)
            with pytest.raises(UnknownCertificate):
                await conn.connect()
    assert ask.questions == [] and not known_hosts_path().exists()
