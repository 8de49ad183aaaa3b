"""Trust on first use for wss:// devices, the way SSH trusts host keys.

Codecs ship with self-signed certificates, so "verify against the system CAs" fails for
almost every device and "--insecure" teaches people to switch checking off for good.
Instead the SHA-256 fingerprint of the device's certificate is pinned per `host:port` in
$XDG_CONFIG_HOME/xshell/known_hosts (one `host:port SHA256:<base64>` per line, `#`
comments allowed) and every later connection must present the same certificate.

Everything here runs inside the client's `verify_peer` hook: after the TLS handshake and
before the upgrade request that carries the credentials, so a refused certificate never
sees the password. Nothing here blocks: a certificate nobody has decided on yet raises
`UnknownCertificate`, and the caller (modes.connect) asks the user with no connection
open, then connects again.

Two kinds of CA failure are told apart. A certificate no trusted CA vouches for (the
codec's self-signed one) is what pinning is for, and --accept-new pins it. A certificate
that does chain to a trusted CA but fails another check (a host name it does not list,
expired) is a warning the CA system is giving, so it is pinned only when the user says
so explicitly: --accept-invalid, --fingerprint, or a yes to a question that shows why.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xshell import paths
from xshell.errors import TLSFailed

log = logging.getLogger(__name__)

PREFIX = "SHA256:"
_B64_LEN = 43  # base64 of 32 bytes without the trailing '='
_HEADER = ("# xshell known hosts: pinned TLS certificates of devices, one per line:\n"
           "#   HOST:PORT SHA256:<base64 of the SHA-256 of the certificate (DER)>\n"
           "# Delete a line when a device's certificate was replaced on purpose.\n")
_LINE_FORM = "expected 'HOST:PORT SHA256:<base64>'"
_KEY_RE = re.compile(r"^(?:\[[0-9a-f:.]+\]|[^\s:\[\]]+):\d{1,5}$")

Notify = Callable[[str], None]


class UnknownCertificate(TLSFailed):
    """No pin and no permission to pin: the user has to decide (or the run is refused)."""

    def __init__(self, message: str, fingerprint: str) -> None:
        super().__init__(message)
        self.fingerprint = fingerprint


class CertificateMismatch(TLSFailed):
    """The device's certificate is not the pinned (or --fingerprint) one."""


def known_hosts_path() -> Path:
    """$XDG_CONFIG_HOME/xshell/known_hosts (~/.config when the variable is unset; xshell.paths)."""
    return paths.known_hosts_file()


def fingerprint(der: bytes) -> str:
    """`SHA256:<base64>` of a DER certificate, unpadded like OpenSSH prints host keys."""
    digest = hashlib.sha256(der).digest()
    return PREFIX + base64.b64encode(digest).decode("ascii").rstrip("=")


def parse_fingerprint(text: str) -> str:
    """Canonical `SHA256:<base64>` from what a user pastes; ValueError (one line) otherwise.

    Accepts the base64 form with or without `=` padding, and the 64-hex-digit form (with
    or without colons) that browsers and `openssl x509 -fingerprint -sha256` show — both
    optionally behind `SHA256:` in any case.
    """
    raw = text.strip()
    body = raw[len(PREFIX):] if raw[:len(PREFIX)].upper() == PREFIX else raw
    if raw.lower().startswith("sha1:") or raw.lower().startswith("md5:"):
        raise ValueError(f"fingerprint {raw!r}: only SHA-256 fingerprints are supported")
    hexdigits = body.replace(":", "")
    if len(hexdigits) == 64 and all(c in "0123456789abcdefABCDEF" for c in hexdigits):
        digest = bytes.fromhex(hexdigits)
    else:
        padded = body + "=" * (-len(body) % 4)
        try:
            digest = base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != 32 or len(body.rstrip("=")) != _B64_LEN:
            raise ValueError(f"fingerprint {raw!r}: expected SHA256:<43 base64 characters> "
                             "or 64 hex digits")
    return PREFIX + base64.b64encode(digest).decode("ascii").rstrip("=")


def host_key(host: str, port: int) -> str:
    """The known_hosts key: `host:port`, IPv6 in brackets, names in lower case."""
    shown = f"[{host}]" if ":" in host else host
    return f"{shown.lower()}:{port}"


@dataclass(frozen=True)
class Pin:
    """One known_hosts entry and where it is, so messages can say which line to edit."""

    key: str
    fingerprint: str
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class KnownHosts:
    """The pin file. Read afresh on every lookup: another shell may have added a pin."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else known_hosts_path()

    def entries(self) -> list[Pin]:
        """Every pin in the file; a line that is not a pin is an error naming file:line.

        Being strict is the safe choice: a garbled pin silently skipped would turn the
        next connection into a first contact.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):  # no file, so no pins
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise TLSFailed(f"Cannot read the pinned certificates in {self.path}: "
                            f"{getattr(exc, 'strerror', None) or exc}") from None
        pins = []
        for number, line in enumerate(text.splitlines(), 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            where = f"{self.path}:{number}"
            if len(fields) != 2 or not _KEY_RE.match(fields[0].lower()):
                raise TLSFailed(f"{where}: not a pin ({_LINE_FORM}); fix or delete that line")
            try:
                fp = parse_fingerprint(fields[1])
            except ValueError as exc:
                raise TLSFailed(f"{where}: {exc}; fix or delete that line") from None
            pins.append(Pin(fields[0].lower(), fp, self.path, number))
        return pins

    def pins(self, key: str) -> list[Pin]:
        """The pins for `host:port` (usually one; several allow a planned certificate change)."""
        return [p for p in self.entries() if p.key == key]

    def add(self, key: str, fp: str) -> Pin:
        """Append a pin (creating the file private to the user); raise OSError on failure."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            existing = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            existing = ""
        prefix = _HEADER if not existing else ("" if existing.endswith("\n") else "\n")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"{prefix}{key} {fp}\n")
        line = len((existing + prefix).splitlines()) + 1
        return Pin(key, fp, self.path, line)


# OpenSSL verify codes saying "no chain up to a trusted CA": unable to get the issuer
# (2, 20), self-signed leaf or chain (18, 19), cannot verify the leaf (21), root not
# trusted (27). OpenSSL reports these before the name and date checks, so any other
# code means a trusted CA signed the certificate and a later check failed.
_NO_TRUSTED_CHAIN = frozenset({2, 18, 19, 20, 21, 27})
_NAME_MISMATCH = frozenset({62, 63, 64})  # host name, e-mail, IP address
_DATES = frozenset({9, 10})  # not yet valid, expired


@dataclass(frozen=True)
class CAFailure:
    """Why the CA check of a certificate failed, and whether a trusted CA had signed it."""

    reason: str
    ca_signed: bool = False
    code: int = 0

    @property
    def fix(self) -> str:
        """What would make the certificate pass (for a CA-signed one), in a few words."""
        if self.code in _NAME_MISMATCH:
            return "connect by a name the certificate lists"
        if self.code in _DATES:
            return "renew the device's certificate (or check this machine's clock)"
        return "fix the device's certificate"


def verification_failure(exc: BaseException) -> CAFailure | None:
    """Why CA verification failed, if that is what `exc` (or its causes) is; else None.

    Only certificate verification failures fall back to pinning; a broken handshake, a
    refused port or our own pin refusal must be reported as they are.
    """
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLCertVerificationError):
            code = int(cur.verify_code or 0)
            reason = str(cur.verify_message or cur.reason or "verification failed").rstrip(".")
            if code in (2, 20, 21):  # OpenSSL's words name the mechanism, not the meaning
                reason += ": issued by a certificate authority this machine does not trust"
            return CAFailure(reason, ca_signed=code not in _NO_TRUSTED_CHAIN, code=code)
        cur = cur.__cause__ or cur.__context__
    return None


class PinPolicy:
    """What the user allowed for one device: stored pins, --fingerprint, --accept-new,
    --accept-invalid.

    `verify` is the client's verify_peer hook for connections made without CA
    verification; `verify_ca_passed` for connections whose chain a CA vouched for (only
    an explicit --fingerprint is enforced there). `failure` is why the CA check failed
    (the caller sets it before `verify` runs). `trust` records a yes from the user.
    """

    def __init__(self, host: str, port: int, *, store: KnownHosts | None = None,
                 expected: str | None = None, accept_new: bool = False,
                 accept_invalid: bool = False, notify: Notify | None = None) -> None:
        self.key = host_key(host, port)
        self.display = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.store = store if store is not None else KnownHosts()
        self.expected = parse_fingerprint(expected) if expected is not None else None
        self.accept_new = accept_new or accept_invalid
        self.accept_invalid = accept_invalid
        self.notify = notify or (lambda text: log.warning("%s", text))
        self.failure = CAFailure("not signed by a trusted certificate authority")
        self.accepted: set[str] = set()  # trusted this run even if the file is not writable

    def verify_ca_passed(self, der: bytes) -> None:
        if self.expected is not None:
            self._check_expected(fingerprint(der))

    def verify(self, der: bytes) -> None:
        fp = fingerprint(der)
        if self.expected is not None:
            self._check_expected(fp)
            if self.accept_new and not self.store.pins(self.key):
                self.trust(fp)
            return
        if fp in self.accepted:
            return
        pins = self.store.pins(self.key)
        if any(p.fingerprint == fp for p in pins):
            return
        if pins:
            pin = pins[0]
            raise CertificateMismatch(
                f"TLS certificate of {self.display} does not match its pin: the device presented "
                f"{fp}, but {pin.where} pins {pin.fingerprint}. If the certificate was replaced "
                f"on purpose, delete line {pin.line} of {pin.path}; otherwise someone may be "
                "intercepting the connection. Nothing was sent to the device")
        failure = self.failure
        if self.accept_new and (self.accept_invalid or not failure.ca_signed):
            self.trust(fp)
            return
        if failure.ca_signed:
            raise UnknownCertificate(
                f"TLS certificate of {self.display} failed verification ({failure.reason}) "
                f"although a trusted certificate authority signed it; its fingerprint is {fp}. "
                f"Either {failure.fix}, or, if this is the right device, connect again with "
                f"--fingerprint {fp} or --accept-invalid to pin it anyway (--accept-new pins "
                "only certificates no trusted CA signed)", fp)
        raise UnknownCertificate(
            f"TLS certificate of {self.display} is not trusted ({failure.reason}) and no pin "
            f"for it is stored in {self.store.path}; its fingerprint is {fp}. Check that "
            f"fingerprint on the device, then connect again with --fingerprint {fp}, or with "
            "--accept-new to pin it on first use, or with --insecure to skip verification", fp)

    def _check_expected(self, fp: str) -> None:
        if fp != self.expected:
            raise CertificateMismatch(
                f"TLS certificate of {self.display} has fingerprint {fp}, but --fingerprint "
                f"requires {self.expected}; refusing to connect. Nothing was sent to the device")

    def question(self, fp: str) -> str:
        """The first-contact question, worded like SSH's."""
        failure = self.failure
        if failure.ca_signed:
            why = (f"a trusted certificate authority signed its TLS certificate, but the "
                   f"certificate failed verification: {failure.reason}.\n"
                   f"Unless you know why, do not pin it: {failure.fix} instead.\n")
        else:
            why = f"its TLS certificate is not trusted ({failure.reason}).\n"
        return (f"The authenticity of {self.display} can't be established: {why}"
                f"Certificate fingerprint is {fp}.\n"
                "Compare it with the device's certificate before you answer.\n"
                f"Pin it in {self.store.path} and connect (yes/no/[fingerprint])? ")

    def trust(self, fp: str) -> None:
        """Accept `fp` for this run and store it; a store that cannot be written is a warning."""
        self.accepted.add(fp)
        try:
            pin = self.store.add(self.key, fp)
        except OSError as exc:
            self.notify(f"warning: could not store the pin for {self.display} in "
                        f"{self.store.path} ({exc.strerror or exc}); trusted for this run only")
            return
        despite = (f" although it failed verification ({self.failure.reason})"
                   if self.failure.ca_signed else "")
        self.notify(f"pinned the TLS certificate of {self.display} ({fp}) in {pin.where}{despite}")


def answer_means_yes(answer: str, fp: str) -> bool | None:
    """yes/y → True, no/n/empty → False, a pasted fingerprint → whether it matches; else None."""
    word = answer.strip()
    if word.lower() in ("yes", "y"):
        return True
    if word.lower() in ("no", "n", ""):
        return False
    try:
        return parse_fingerprint(word) == fp
    except ValueError:
        return None


__all__ = ["CAFailure", "CertificateMismatch", "KnownHosts", "Pin", "PinPolicy",
           "UnknownCertificate", "answer_means_yes", "fingerprint", "host_key", "known_hosts_path",
           "parse_fingerprint", "verification_failure"]
