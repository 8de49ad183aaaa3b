"""Cisco's jsxapi 6 (Node), unchanged, against a real `xshell-sim` process.

jsxapi is the client most RoomOS integrations are written with; if it cannot talk to the
simulator, the simulator is not "indistinguishable from a device". The Node script
(tests/interop/jsxapi_session.js) only records what jsxapi returned; the expectations live
here and are checked against a second, independent view of the same device: a bare
JSON-RPC connection made with `websockets` (Basic auth, as pyxows does), so a test never
compares jsxapi with a value it produced itself.

Skips cleanly when `node` is missing; otherwise conftest's `jsxapi_dir` installs jsxapi
into tests/interop/node_modules (gitignored) once, on the first run that needs it.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import PASSWORD, USER
from tests.simproc import sim_process

INTEROP = Path(__file__).resolve().parents[1] / "interop"
SCRIPT = INTEROP / "jsxapi_session.js"
NODE = shutil.which("node")
NODE_RUN_TIMEOUT = 30.0
BAD_LEVEL = 500  # outside Audio Volume Set's Level range (0..100) on every product
DIAL_NUMBER = "jsxapi-interop@example.com"

# conftest's jsxapi_dir installs jsxapi once; the first test's setup may wait for that npm
# install, so these tests get more than the suite's 60 s (each node run has its own 30 s).
pytestmark = [pytest.mark.node, pytest.mark.usefixtures("jsxapi_dir"), pytest.mark.timeout(240)]


class RawXoWS:
    """A minimal JSON-RPC client on its own socket: the test's independent view of the device."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return its reply (the whole envelope), skipping notifications."""
        request_id = next(self._ids)
        self._ws.send(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._ws.recv(timeout=10))
            if reply.get("id") == request_id:
                return reply

    def result(self, method: str, params: dict[str, Any]) -> Any:
        """The request's result; a failure names the request and the device's error."""
        reply = self.call(method, params)
        assert "result" in reply, f"{method} {params} failed on the raw connection: {reply}"
        return reply["result"]


@contextlib.contextmanager
def raw_xows(url: str) -> Iterator[RawXoWS]:
    """Connect with Basic auth (as pyxows does); accept the self-signed cert a device ships with."""
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    context = None
    if url.startswith("wss:"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with connect(url, additional_headers={"Authorization": f"Basic {token}"},
                 ssl=context, max_size=None, open_timeout=10) as ws:
        yield RawXoWS(ws)


VOLUME = ["Status", "Audio", "Volume"]
DEFAULT_VOLUME = ["Configuration", "Audio", "DefaultVolume"]


def _run_script(mode: str, url: str, user: str, password: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the Node script and return the JSON it printed (fails loudly on anything else)."""
    argv = [NODE or "node", str(SCRIPT), mode, url, user, password]
    if args is not None:
        argv.append(json.dumps(args))
    proc = subprocess.run(argv, cwd=INTEROP, capture_output=True, text=True, timeout=NODE_RUN_TIMEOUT)
    lines = proc.stdout.strip().splitlines()
    assert lines, f"jsxapi script printed nothing (rc={proc.returncode}): {proc.stderr[-2000:]}"
    report = json.loads(lines[-1])
    assert "fatal" not in report, f"jsxapi script failed: {report['fatal']} {proc.stderr[-2000:]}"
    return report


def _other_than(preferred: int, current: Any) -> int:
    """The brief's value, unless the device already holds it (then a change would be invisible)."""
    return preferred if current != preferred else preferred + 1


@contextlib.contextmanager
def _isolated_sim(base: Path, *extra: str) -> Iterator[str]:
    """An `xshell-sim` process with its own XDG dirs (as conftest isolates each test); yields its URL."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
            mp.setenv(var, str(base / var.lower()))
        with sim_process("--user", USER, "--password", PASSWORD, *extra) as (url, _proc):
            yield url


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One plain-ws `xshell-sim` process shared by the module (starting one costs ~0.5 s)."""
    with _isolated_sim(tmp_path_factory.mktemp("xdg-jsxapi")) as url:
        yield {"url": url}


@pytest.fixture(scope="module")
def session(device: dict[str, Any]) -> dict[str, Any]:
    """Run the whole jsxapi session once; record the device's state before and after it."""
    url = device["url"]
    with raw_xows(url) as raw:
        before = {"volume": raw.result("xGet", {"Path": VOLUME}),
                  "default": raw.result("xGet", {"Path": DEFAULT_VOLUME})}
        args = {"level": _other_than(33, before["volume"]), "badLevel": BAD_LEVEL,
                "defaultVolume": _other_than(42, before["default"]), "number": DIAL_NUMBER}
        report = _run_script("session", url, USER, PASSWORD, args)
        after = {"volume": raw.result("xGet", {"Path": VOLUME}),
                 "default": raw.result("xGet", {"Path": DEFAULT_VOLUME}),
                 "bad_command": raw.call("xCommand/Audio/Volume/Set", {"Level": BAD_LEVEL}),
                 "doc": raw.call("xDoc", {"Path": DEFAULT_VOLUME, "Type": "Schema"})}
    assert report.get("connect", {}).get("ok"), f"jsxapi could not connect: {report.get('connect')}"
    return {"args": args, "before": before, "after": after, "report": report}


def _step(session: dict[str, Any], name: str) -> Any:
    """The value jsxapi produced for one step, or a failure naming the step and jsxapi's error."""
    outcome = session["report"].get(name)
    assert outcome is not None, f"jsxapi step {name!r} did not run: {sorted(session['report'])}"
    assert outcome["ok"], f"jsxapi step {name!r} failed: {outcome['error']}"
    return outcome["value"]


def test_status_get_returns_device_value(session: dict[str, Any]) -> None:
    initial = session["before"]["volume"]
    assert isinstance(initial, int)
    assert _step(session, "status_get") == initial
    assert _step(session, "proxy_status_get") == initial


def test_config_set_then_get(session: dict[str, Any]) -> None:
    target = session["args"]["defaultVolume"]
    assert _step(session, "config_set") is True
    assert _step(session, "config_get") == target
    assert session["after"]["default"] == target, "jsxapi's xSet did not reach the device"


def test_command_changes_status_and_feedback_arrives(session: dict[str, Any]) -> None:
    level = session["args"]["level"]
    outcome = _step(session, "status_feedback")
    assert isinstance(outcome["registration"]["Id"], int)
    assert outcome["command"].get("status") == "OK"
    assert outcome["value"] == level
    assert _step(session, "status_after_command") == level
    assert session["after"]["volume"] == level


def test_command_error_rejects_with_device_code_and_message(session: dict[str, Any]) -> None:
    outcome = _step(session, "command_error")
    assert outcome["rejected"], f"Level {BAD_LEVEL} was accepted: {outcome.get('result')}"
    device_error = session["after"]["bad_command"].get("error")
    assert device_error, f"raw Level {BAD_LEVEL} did not fail: {session['after']['bad_command']}"
    assert isinstance(outcome["error"]["code"], int)
    assert outcome["error"]["message"]
    assert (outcome["error"]["code"], outcome["error"]["message"]) == (device_error["code"], device_error["message"])
    assert session["after"]["volume"] == session["args"]["level"], "a rejected command changed the volume"


def test_doc_returns_value_space(session: dict[str, Any]) -> None:
    doc = _step(session, "doc")
    space = doc["ValueSpace"]
    assert space["type"] == "Integer"
    assert int(space["min"]) <= session["args"]["defaultVolume"] <= int(space["max"])
    assert doc == session["after"]["doc"].get("result")


def test_event_after_dial(session: dict[str, Any]) -> None:
    outcome = _step(session, "event_feedback")
    assert isinstance(outcome["registration"]["Id"], int)
    call_id = outcome["dial"]["CallId"]
    assert outcome["event"]["CallId"] == call_id
    assert DIAL_NUMBER in outcome["event"]["RemoteURI"]
    assert _step(session, "hangup").get("status") == "OK"


def test_session_had_no_transport_errors(session: dict[str, Any]) -> None:
    assert session["report"]["transport_errors"] == []


def test_wrong_password_fails_clearly(device: dict[str, Any]) -> None:
    wrong = PASSWORD + "-wrong"
    report = _run_script("badauth", device["url"], USER, wrong)
    assert not report["connect"]["ok"], "jsxapi connected with a wrong password"
    message = report["connect"]["error"]["message"]
    assert "403" in message, f"expected an HTTP 403 refusal, jsxapi said: {message}"
    assert wrong not in json.dumps(report)


def test_tls_with_self_signed_cert_and_host_only_url(tmp_path: Path) -> None:
    """A device's usual form: wss:// with a self-signed cert, URL given without /ws."""
    import trustme

    cert = trustme.CA().issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    with _isolated_sim(tmp_path / "xdg", "--tls", "--cert", str(cert_file), "--key", str(key_file)) as url:
        assert url.startswith("wss://"), f"--tls served {url}"
        with raw_xows(url) as raw:
            volume = raw.result("xGet", {"Path": VOLUME})
        parts = urlsplit(url)
        report = _run_script("probe", f"{parts.scheme}://{parts.netloc}", USER, PASSWORD)
    assert report["connect"]["ok"], f"jsxapi could not connect over TLS: {report['connect']}"
    assert report["status_get"] == {"ok": True, "value": volume}
    assert report["transport_errors"] == []
