"""Turn what a user types as a device address into the one XoWS URL to open.

Technicians type `10.1.2.3`, `codec.example.com:8443`, `[fe80::1]:443` or paste a full
`wss://…/ws?legacy` URL; all of them must end up as the same kind of `Target` so the
client never guesses. Defaults follow the device (xows.md §1): TLS on 443 and path
`/ws`. Parsing is pure and fails with a ValueError whose text is one line saying what
was wrong — never echoing anything that might be a password (user:pass@host).
"""

from __future__ import annotations

from typing import NamedTuple
import ipaddress
import re
import urllib.parse

DEFAULT_PATH = "/ws"
_DEFAULT_PORTS = {"ws": 80, "wss": 443}
_HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$")


class Target(NamedTuple):
    """A parsed device address.

    `url` is what the WebSocket client opens; `host` is bare (no brackets), `port` is
    always filled (443/80 when not given); `display` is the short form for prompts and
    error messages (`host` or `host:port` when the port is not the default).
    `insecure` carries the user's explicit choice to skip certificate verification.
    """

    url: str
    host: str
    port: int
    secure: bool
    legacy: bool
    display: str
    insecure: bool = False


def _fail(reason: str) -> ValueError:
    return ValueError(reason)


def _check_host(host: str) -> str:
    """Return the host if it is a hostname or an IP literal; raise ValueError otherwise."""
    if not host:
        raise _fail("missing host name")
    if "%" in host:
        raise _fail("IPv6 zone ids ('%') are not supported; use the address without a zone")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if ":" in host:
        raise _fail(f"bad IPv6 address {host!r}")
    if not _HOST_RE.match(host):
        raise _fail(f"bad host name {host!r}: use letters, digits, '-', '_' and '.'")
    return host


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _split(text: str) -> urllib.parse.SplitResult:
    """urlsplit with the default scheme added, and bare IPv6 literals bracketed."""
    if "://" not in text:
        if text.count(":") >= 2 and not text.startswith("["):
            # A bare IPv6 address cannot carry a port; let ip_address judge it.
            addr, sep, rest = text.partition("/")
            try:
                ipaddress.IPv6Address(addr)
            except ValueError:
                raise _fail(f"bad IPv6 address {addr!r}: write it as [ADDRESS]:PORT "
                            "when giving a port") from None
            text = f"[{addr}]{sep}{rest}"
        text = "wss://" + text
    try:
        return urllib.parse.urlsplit(text)
    except ValueError as exc:  # e.g. unbalanced brackets
        raise _fail(f"cannot parse the address: {exc}") from None


def _port_of(parts: urllib.parse.SplitResult, scheme: str) -> tuple[int, bool]:
    """(port, given explicitly). Ports outside 1..65535 are refused."""
    netloc = parts.netloc.rpartition("@")[2]
    tail = netloc.rpartition("]")[2] if netloc.startswith("[") else netloc
    if ":" not in tail:
        return _DEFAULT_PORTS[scheme], False
    raw = tail.rpartition(":")[2]
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise _fail(f"bad port {raw!r}: expected a number from 1 to 65535")
    return int(raw), True


def _with_legacy(query: str, legacy: bool) -> tuple[str, bool]:
    """The query string to send and whether it selects legacy typing (`?legacy`)."""
    fields = urllib.parse.parse_qsl(query, keep_blank_values=True)
    has = any(name.lower() == "legacy" for name, _ in fields)
    if legacy and not has:
        query = f"{query}&legacy" if query else "legacy"
        has = True
    return query, has


def parse_target(target: str, *, legacy: bool = False, insecure: bool = False) -> Target:
    """Parse `host`, `host:port`, `[v6]:port`, a bare IPv6 address, `ws://…` or `wss://…`.

    Without a scheme the device's default `wss://` is used; a missing path becomes `/ws`;
    `legacy=True` adds `?legacy` unless it is already there. Raises ValueError (one line).
    """
    if not isinstance(target, str):
        raise _fail(f"target must be text, not {type(target).__name__}")
    text = target.strip()
    if not text:
        raise _fail("empty target: give a host name or address")
    if any(ch.isspace() for ch in text):
        raise _fail("the target must not contain spaces")
    authority = re.split(r"[/?#]", text.partition("://")[2] if "://" in text else text, maxsplit=1)[0]
    if "@" in authority:
        # Never echo it: the part before '@' may be a password.
        raise _fail("user names or passwords in the target are not supported; "
                    "use --user and the password prompt")
    if "://" in text:
        scheme = text.partition("://")[0].lower()
        if scheme not in _DEFAULT_PORTS:
            hint = " (use wss://HOST or just HOST)" if scheme in ("http", "https") else ""
            raise _fail(f"unsupported scheme {scheme!r}: only ws:// and wss://{hint}")
    parts = _split(text)
    scheme = parts.scheme.lower()
    if parts.fragment or text.endswith("#"):
        raise _fail("a '#' fragment is not allowed in the target")
    if parts.netloc.startswith("[") and "]" not in parts.netloc:
        raise _fail("unbalanced '[' in the address")
    port, explicit = _port_of(parts, scheme)
    raw_host = parts.netloc
    if raw_host.startswith("["):
        raw_host = raw_host[1:].partition("]")[0]
        if not raw_host or ":" not in raw_host:
            raise _fail(f"bad IPv6 address in brackets: [{raw_host}]")
    elif explicit:
        raw_host = raw_host.rpartition(":")[0]
    host = _check_host(raw_host)
    path = parts.path if parts.path not in ("", "/") else DEFAULT_PATH
    query, is_legacy = _with_legacy(parts.query, legacy)
    shown = _bracketed(host)
    netloc = f"{shown}:{port}" if explicit and port != _DEFAULT_PORTS[scheme] else shown
    url = urllib.parse.urlunsplit((scheme, netloc, path, query, ""))
    if query and not url.endswith("?" + query):  # urlunsplit drops a bare "?"; keep the form
        url = f"{scheme}://{netloc}{path}?{query}"
    display = f"{shown}:{port}" if port != _DEFAULT_PORTS[scheme] else shown
    return Target(url=url, host=host, port=port, secure=scheme == "wss", legacy=is_legacy,
                  display=display, insecure=insecure)


def mask_userinfo(text: str) -> str:
    """`text` (a target as typed) with everything before its last '@' shown as `***`.

    A target never carries credentials (parse_target refuses them), so an '@' means
    somebody typed `user:password@host`; the password may itself contain '@' or '/',
    hence the *last* '@' of the whole text, not a URL parser's idea of the authority.
    """
    if "@" not in text:
        return text
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme.isalnum():
        scheme, sep, rest = "", "", text
    return f"{scheme}{sep}***@{rest.rpartition('@')[2]}"


def display_of(target: str, *, insecure: bool = False) -> str:
    """How a target is shown before (or without) a connection: host, with the port when
    it is not the default (`127.0.0.1:9002`); a target that does not parse is shown as
    typed, credentials masked."""
    try:
        return parse_target(target, insecure=insecure).display
    except (ValueError, TypeError):
        return mask_userinfo(str(target))

