"""`python -m xshell.bench --quick`: the benchmark suite runs end to end and reports every figure.

Speed is never asserted here (that is what the bench itself reports); these tests check
that the suite works: it prints the table and writes the JSON with a measured value, a
reference, a ratio, a bar and a verdict for every figure. The small pure pieces it
depends on (verdicts, the bench server's WebSocket framing, percentiles) get direct
tests because a wrong verdict or a broken frame would silently falsify every number.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xshell.bench import report
from xshell.bench.__main__ import FIGURES, select
from xshell.bench.stats import median, percentile
from xshell.bench.wsproto import OP_CLOSE, OP_TEXT, FrameReader, accept_key, encode_frame

ROOT = Path(__file__).resolve().parents[2]
ROWS = {
    "rtt": ["rtt.p50", "rtt.p99"],
    "pipelined": ["pipelined.pyxows", "pipelined.jsxapi"],
    "flood": ["flood"],
    "feedback": ["feedback"],
    "typing": ["typing.p99", "typing.panes_p99"],
    "completion": ["completion.p99"],
    "oneshot": ["oneshot"],
    "startup": ["startup", "startup.connected"],
    "discovery": ["discovery"],
    "rss": ["rss"],
    "fleet": ["fleet.200", "fleet.1000", "fleet.room_kb"],  # 20 and 100 rooms with --quick
    "apply": ["apply.check.20"],
    "health": ["health.20"],  # 200 rooms without --quick
    "sim": ["sim.pipelined", "sim.rtt.p50"],
    "hostile": ["hostile.wide_ms", "hostile.wide_block_ms", "hostile.wide_render_ms", "hostile.frame_rss"],
}
MEASURED = {report.PASS, report.MISS, report.INFO}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    env = {**os.environ, "XDG_CACHE_HOME": str(out.parent / "cache")}
    done = subprocess.run([sys.executable, "-m", "xshell.bench", "--quick", "--json", str(out)],
                          capture_output=True, text=True, timeout=55, cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL)
    return done, out


@pytest.mark.slow  # the quick benchmark run they share takes ~8 s
@pytest.mark.timeout(60)
def test_quick_run_prints_a_table_row_per_figure(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, _ = quick_run
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["figure", "value", "reference", "ratio", "bar", "result"]
    shown = {line.split()[0]: line.split()[-1] for line in lines[2:] if line and not line.startswith(" ")
             and line.split()[-1] in (report.PASS, report.MISS, report.INFO, report.SKIP, report.ERROR)}
    expected = [name for names in ROWS.values() for name in names]
    assert sorted(shown) == sorted(expected)
    assert report.ERROR not in shown.values()


@pytest.mark.slow  # the quick benchmark run they share takes ~8 s
@pytest.mark.timeout(60)
def test_quick_run_writes_every_figure_to_json(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, path = quick_run
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "xshell-bench/1" and doc["quick"] is True
    assert doc["repetitions"] >= 3
    rows = {row["name"]: row for row in doc["figures"]}
    assert sorted(rows) == sorted(n for names in ROWS.values() for n in names)
    for name, row in rows.items():
        if row["verdict"] == report.SKIP:  # an optional peer (pyxows, node/jsxapi) is missing
            assert row["note"], f"{name} skipped without saying why"
            continue
        assert row["verdict"] in MEASURED, f"{name}: {row['verdict']} {row['note']}"
        assert isinstance(row["value"], (int, float)) and row["value"] > 0, name
        if row["verdict"] == report.INFO and row["reference"] is None:
            continue  # a figure reported for information, with nothing to compare (fleet.room_kb)
        assert isinstance(row["reference"], (int, float)) and row["reference"] > 0, name
        assert row["ratio"] == pytest.approx(row["value"] / row["reference"]), name
        assert row["bar"], name
    assert f"results in {path}" in done.stderr


def test_figure_names_cover_the_table() -> None:
    assert list(FIGURES) == list(ROWS)
    assert select([]) == list(ROWS)
    assert select(["typing,rtt"]) == ["rtt", "typing"]


def test_unknown_figure_is_a_one_line_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "xshell.bench", "--only", "warp"], capture_output=True,
                          text=True, timeout=30, cwd=ROOT, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "unknown figure 'warp'" in done.stderr.splitlines()[-1]
    assert done.stdout == ""


def test_ratio_bars_decide_the_verdict() -> None:
    ok = report.compare("rtt", "rtt.p50", "t", "ms", 1.1, 1.0, "raw", at_most=1.2)
    slow = report.compare("rtt", "rtt.p50", "t", "ms", 1.3, 1.0, "raw", at_most=1.2)
    assert (ok.verdict, slow.verdict) == (report.PASS, report.MISS)
    assert slow.ratio == pytest.approx(1.3)
    # both the ratio and the absolute floor must hold
    fast_but_low = report.compare("feedback", "feedback", "t", "ev/s", 90_000, 80_000, "raw",
                                  at_least=1.0, value_at_least=100_000)
    assert fast_but_low.verdict == report.MISS
    under = report.limit("rss", "rss", "t", "MB", 40.0, below=80)
    assert (under.verdict, under.reference_name, under.ratio) == (report.PASS, "bar", 0.5)
    assert report.limit("rss", "rss", "t", "MB", 80.0, below=80).verdict == report.MISS


def test_table_shows_value_reference_ratio_bar_and_result() -> None:
    rows = [report.compare("pipelined", "pipelined.pyxows", "t", "req/s", 60_000, 40_000, "pyxows",
                           at_least=1.5),
            report.absent("pipelined", "pipelined.jsxapi", "t", report.SKIP, "node not found")]
    text = report.table(rows).splitlines()
    assert text[2].split() == ["pipelined.pyxows", "60k", "req/s", "40k", "req/s", "pyxows", "1.50×",
                               "≥", "1.5×", "PASS"]
    assert text[3].split()[-1] == report.SKIP
    assert text[-1] == "  pipelined.jsxapi: node not found"


def test_percentile_and_median() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 50) == pytest.approx(50.5)
    assert percentile(samples, 99) == pytest.approx(99.01)
    assert percentile([3.0], 99) == 3.0
    assert median([5.0, 1.0, 3.0]) == 3.0
    with pytest.raises(ValueError):
        percentile([], 50)


def _client_frame(payload: bytes, opcode: int = OP_TEXT, fin: bool = True, mask: bytes = b"\x01\x02\x03\x04") -> bytes:
    """A masked client frame, as browsers and websockets send them."""
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_frame_reader_unmasks_split_and_fragmented_messages() -> None:
    reader = FrameReader()
    big = b'{"jsonrpc":"2.0","id":1,"method":"xGet","params":{"Path":["' + b"x" * 70_000 + b'"]}}'
    wire = _client_frame(b"hello") + _client_frame(big)
    wire += _client_frame(b"frag", fin=False) + _client_frame(b"mented", opcode=0)
    wire += _client_frame(b"\x03\xe8", opcode=OP_CLOSE)
    got = []
    for i in range(0, len(wire), 977):  # arbitrary TCP chunking
        got += reader.feed(wire[i:i + 977])
    assert got == [(OP_TEXT, b"hello"), (OP_TEXT, big), (OP_TEXT, b"fragmented"), (OP_CLOSE, b"\x03\xe8")]


def test_frame_reader_refuses_unmasked_client_frames() -> None:
    with pytest.raises(ValueError, match="not masked"):
        FrameReader().feed(encode_frame(b"hi"))


def test_server_frames_and_accept_key_follow_rfc6455() -> None:
    assert encode_frame(b"hi") == b"\x81\x02hi"
    assert encode_frame(b"x" * 300)[:4] == b"\x81\x7e\x01\x2c"
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455 §1.3
