"""Soak: hours of feedback at a steady rate; does memory stay flat? (Not part of CI.)

    python -m xshell.bench.soak --minutes 60 --rate 1000 [--out .bench/soak.jsonl]

One process holds the whole chain a technician's session has: the simulator emitting
Status feedback at `rate` events/s, the real XoWS client over loopback, a Session rendering
every event as tshell lines, and the side pane's bounded ring buffer (flushed every 50 ms
as the UI does). Every `--every` seconds it prints and records the event count, the
achieved rate and the resident set size; the verdict compares RSS after warm-up with RSS
at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import secrets
import sys
import time
from pathlib import Path


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def soak(minutes: float, rate: int, every: float, out: Path) -> int:
    from xshell.sim import Simulator
    from xshell.session.core import Session
    from xshell.session.registrations import Feedback
    from xshell.transport.client import XoWSClient
    from xshell.contract import FeedbackEvent
    from xshell.ui.eventlog import EventLog

    password = secrets.token_urlsafe(9)
    sim = Simulator(user="admin", password=password, rate_limit=None)
    pane = EventLog(10_000)
    received = 0

    def on_feedback(fb: Feedback) -> None:
        nonlocal received
        received += 1
        pane.push(FeedbackEvent(fb.time, fb.lines, fb.path))

    out.parent.mkdir(parents=True, exist_ok=True)
    async with sim.serve(host="127.0.0.1", port=0) as handle:
        async with XoWSClient(handle.url, username="admin", password=password) as client:
            session = Session(client, device_key="soak", use_cache=False, on_feedback=on_feedback)
            await session.identify()
            result = await session.execute("xFeedback register /Status/Audio/Volume")
            assert result.ok, result.lines

            async def flusher() -> None:
                while True:
                    await asyncio.sleep(0.05)
                    pane.flush()

            async def producer() -> None:
                tick, per_tick = 0.01, max(1, rate // 100)
                loop = asyncio.get_running_loop()
                start, n = loop.time(), 0
                while True:
                    for _ in range(per_tick):
                        sim.set_status("Audio Volume", n % 100)
                        n += 1
                    start += tick
                    await asyncio.sleep(max(0.0, start - loop.time()))

            tasks = [asyncio.ensure_future(flusher()), asyncio.ensure_future(producer())]
            t0, last_t, last_n = time.monotonic(), time.monotonic(), 0
            samples: list[dict[str, float]] = []
            with out.open("w") as fh:
                try:
                    while time.monotonic() - t0 < minutes * 60:
                        await asyncio.sleep(every)
                        gc.collect()
                        now = time.monotonic()
                        sample = {"seconds": round(now - t0, 1), "events": received,
                                  "rate": round((received - last_n) / (now - last_t)),
                                  "rss_mb": round(rss_mb(), 1), "pane_lines": len(pane)}
                        last_t, last_n = now, received
                        samples.append(sample)
                        fh.write(json.dumps(sample) + "\n")
                        fh.flush()
                        print(json.dumps(sample), flush=True)
                finally:
                    for t in tasks:
                        t.cancel()
    warm = samples[min(len(samples) - 1, max(1, len(samples) // 10))]["rss_mb"] if samples else 0.0
    end = samples[-1]["rss_mb"] if samples else 0.0
    peak = max((s["rss_mb"] for s in samples), default=0.0)
    print(json.dumps({"verdict": "flat" if end - warm < 5.0 else "GROWING", "rss_after_warmup_mb": warm,
                      "rss_end_mb": end, "rss_peak_mb": peak, "events": received,
                      "minutes": minutes, "target_rate": rate}), flush=True)
    return 0 if end - warm < 5.0 else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m xshell.bench.soak", description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--rate", type=int, default=1000, help="feedback events per second")
    p.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    p.add_argument("--out", type=Path, default=Path(".bench/soak.jsonl"))
    a = p.parse_args(argv)
    return asyncio.run(soak(a.minutes, a.rate, a.every, a.out))


if __name__ == "__main__":
    sys.exit(main())
