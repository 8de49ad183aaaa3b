"""The judge of the hostile table must itself catch every fault it is there to catch.

Without this, a table of passing scenarios could mean a blind checker: each case below
is a run a user would object to, and `problems()` has to name what is wrong.
"""

from __future__ import annotations

import pytest

from tests.hostile.scenario import Scenario
from tests.hostile.payloads import PAYLOADS, bad_chars
from tests.hostile.runner import Run, problems

pytestmark = pytest.mark.hostile

LOST = Scenario(sid="t", group="t", expect=frozenset({3}))
CLEAN = Run(status=3, stdout=b"", stderr=b"xshell: Connection to h lost\n", transcript=b"{}\n",
            seconds=0.2, rss_mb=30.0, killed=False)


def with_(**changes: object) -> Run:
    return Run(**{**CLEAN.__dict__, **changes})  # type: ignore[arg-type]


def test_a_clean_run_passes() -> None:
    assert problems(LOST, CLEAN) == []


@pytest.mark.parametrize("name", PAYLOADS)
def test_every_payload_written_raw_is_caught(name: str) -> None:
    raw = PAYLOADS[name].encode("utf-8", "surrogatepass")
    assert bad_chars(b"ok " + raw), name
    assert any("stdout" in p for p in problems(LOST, with_(stdout=b"*s A: " + raw + b"\n")))


@pytest.mark.parametrize("escaped", [b"\\x1b[2J", b"\\u001b", b"\\ud800", b"\xe2\x80\x8b zero width is fine"])
def test_escaped_forms_are_fine(escaped: bytes) -> None:
    assert bad_chars(escaped) == ""


@pytest.mark.parametrize(("run", "phrase"), [
    (with_(stderr=b"Traceback (most recent call last):\n  x\nValueError: y\n"), "traceback"),
    (with_(status=0), "exit status 0"),
    (with_(stderr=b"xshell: a\nxshell: b\n"), "2 stderr lines"),
    (with_(stderr=b""), "nothing on stderr"),
    (with_(stderr=b"xshell: " + b"x" * 500 + b"\n"), "characters"),
    (with_(rss_mb=500.0), "peak memory"),
    (with_(seconds=11.0), "not done within"),
    (with_(status=-9), "not done within"),
    (with_(transcript=b"\x1b]52;c;ZXZpbA==\x07\n"), "transcript"),
])
def test_each_fault_is_named(run: Run, phrase: str) -> None:
    found = "; ".join(problems(LOST, run))
    assert phrase in found


def test_a_broken_jsonl_transcript_is_caught() -> None:
    scenario = Scenario(sid="t", group="t", expect=frozenset({0}), log="jsonl")
    found = problems(scenario, with_(status=0, stderr=b"", transcript=b'{"a": 1}\n{"a": \n'))
    assert any("not JSON" in p for p in found)
