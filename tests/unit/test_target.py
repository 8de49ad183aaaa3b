"""Target parsing: what the user types → the URL the client opens (pure, no network)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, strategies as st

from xshell.transport.target import Target, parse_target

CASES = [
    # typed,                      url,                          host,        port, secure, legacy, display
    ("10.1.2.3",                  "wss://10.1.2.3/ws",          "10.1.2.3",  443, True,  False, "10.1.2.3"),
    ("codec.example.com",         "wss://codec.example.com/ws", "codec.example.com", 443, True, False,
     "codec.example.com"),
    ("codec:8443",                "wss://codec:8443/ws",        "codec",     8443, True, False, "codec:8443"),
    ("codec:443",                 "wss://codec/ws",             "codec",     443, True,  False, "codec"),
    ("[fe80::1]:8443",            "wss://[fe80::1]:8443/ws",    "fe80::1",   8443, True, False, "[fe80::1]:8443"),
    ("[::1]",                     "wss://[::1]/ws",             "::1",       443, True,  False, "[::1]"),
    ("fe80::1",                   "wss://[fe80::1]/ws",         "fe80::1",   443, True,  False, "[fe80::1]"),
    ("ws://codec",                "ws://codec/ws",              "codec",     80,  False, False, "codec"),
    ("ws://codec/",               "ws://codec/ws",              "codec",     80,  False, False, "codec"),
    ("ws://codec:8080/ws",        "ws://codec:8080/ws",         "codec",     8080, False, False, "codec:8080"),
    ("WSS://codec/ws/",           "wss://codec/ws/",            "codec",     443, True,  False, "codec"),
    ("wss://codec/ws?legacy",     "wss://codec/ws?legacy",      "codec",     443, True,  True,  "codec"),
    ("codec?legacy",              "wss://codec/ws?legacy",      "codec",     443, True,  True,  "codec"),
    ("ws://127.0.0.1:5000/ws",    "ws://127.0.0.1:5000/ws",     "127.0.0.1", 5000, False, False,
     "127.0.0.1:5000"),
    ("  codec  ",                 "wss://codec/ws",             "codec",     443, True,  False, "codec"),
]


@pytest.mark.parametrize("typed,url,host,port,secure,legacy,display", CASES)
def test_accepted_forms(typed: str, url: str, host: str, port: int, secure: bool, legacy: bool,
                        display: str) -> None:
    t = parse_target(typed)
    assert (t.url, t.host, t.port, t.secure, t.legacy, t.display) == (
        url, host, port, secure, legacy, display)


@pytest.mark.parametrize("typed,url", [
    ("codec", "wss://codec/ws?legacy"),
    ("ws://codec/ws/", "ws://codec/ws/?legacy"),
    ("wss://codec/ws?legacy", "wss://codec/ws?legacy"),  # not doubled
    ("wss://codec/ws?x=1", "wss://codec/ws?x=1&legacy"),
])
def test_legacy_flag_adds_query_once(typed: str, url: str) -> None:
    t = parse_target(typed, legacy=True)
    assert t.url == url and t.legacy


def test_insecure_is_carried() -> None:
    assert parse_target("codec", insecure=True).insecure
    assert not parse_target("codec").insecure


@pytest.mark.parametrize("typed,fragment", [
    ("", "empty target"),
    ("   ", "empty target"),
    ("http://codec", "unsupported scheme 'http'"),
    ("https://codec/ws", "use wss://HOST"),
    ("ftp://codec", "unsupported scheme"),
    ("codec:0", "bad port '0'"),
    ("codec:65536", "bad port '65536'"),
    ("codec:http", "bad port 'http'"),
    ("codec:", "bad port ''"),
    ("[::1", "address"),
    ("[1.2.3.4]:80", "address"),
    ("fe80::1:443x", "bad IPv6 address"),
    ("ws://", "missing host name"),
    ("wss://:443/ws", "missing host name"),
    ("co dec", "spaces"),
    ("codec#frag", "fragment"),
    ("-codec", "bad host name"),
    ("code$c", "bad host name"),
    ("ws://[fe80::1%25eth0]/ws", "zone"),
])
def test_rejected_with_one_line_reason(typed: str, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_target(typed)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize("typed", ["admin:s3cret@codec", "wss://admin:s3cret@codec/ws",
                                   "admin:s3:cr:et@codec", "s3cret@codec:443"])
def test_credentials_in_target_are_refused_without_echo(typed: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_target(typed)
    assert "s3" not in str(info.value)
    assert "password" in str(info.value)


def test_non_string_target_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="text"):
        parse_target(1234)  # type: ignore[arg-type]


# ---------------------------------------------------------------- properties

labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(
    lambda s: not s.startswith("-"))
hostnames = st.lists(labels, min_size=1, max_size=4).map(".".join)
ports = st.integers(min_value=1, max_value=65535)
ipv6 = st.ip_addresses(v=6).map(str)


@given(host=hostnames, port=ports)
def test_host_port_round_trips(host: str, port: int) -> None:
    t = parse_target(f"{host}:{port}")
    assert (t.host, t.port, t.secure) == (host, port, True)
    assert parse_target(t.url) == t


@given(addr=ipv6, port=ports, secure=st.booleans(), legacy=st.booleans())
def test_ipv6_urls_round_trip(addr: str, port: int, secure: bool, legacy: bool) -> None:
    scheme = "wss" if secure else "ws"
    t = parse_target(f"{scheme}://[{addr}]:{port}/ws", legacy=legacy)
    assert ipaddress.ip_address(t.host) == ipaddress.ip_address(addr)
    assert (t.port, t.secure, t.legacy) == (port, secure, legacy)
    assert t.url.endswith("/ws?legacy" if legacy else "/ws")
    assert parse_target(t.url) == t


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_value_error(text: str) -> None:
    try:
        t = parse_target(text)
    except ValueError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(t, Target)
        assert t.url.startswith(("ws://", "wss://"))
        assert 1 <= t.port <= 65535
