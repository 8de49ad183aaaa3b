"""What a user feels: keystroke latency in the running app, completion time per keystroke.

Typing is measured in the real full-screen app (ShellApp over the real backend, client
and Session), fed keys through a pipe and rendering to a DummyOutput: a keystroke's
latency is the time from writing it to the pipe until the first completed render whose
input line shows it. The reference is the same app with no feedback arriving.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from xshell.bench import report
from xshell.bench.bench_context import Bench
from xshell.bench.stats import alternate, median, percentile

MS = 1000.0
LINE = "xConfiguration Audio DefaultVolume: 50"
CLEAR = "\x03"  # Ctrl-C empties the input line
STREAM_RATE = 5000


class KeyTimer:
    """Resolves when a render completes with the input line equal to what was expected."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self._expect: str | None = None
        self._fut: asyncio.Future[float] | None = None
        shell.application.after_render += self._rendered

    def _rendered(self, _app: object) -> None:
        fut = self._fut
        if fut is not None and not fut.done() and self.shell.input_buffer.text == self._expect:
            fut.set_result(time.perf_counter())

    async def first_render(self, timeout: float = 10.0) -> None:
        self._expect, self._fut = self.shell.input_buffer.text, asyncio.get_running_loop().create_future()
        await asyncio.wait_for(self._fut, timeout)

    async def press(self, pipe: Any, key: str, expect: str, timeout: float = 10.0) -> float:
        self._expect, self._fut = expect, asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        pipe.send_text(key)
        return await asyncio.wait_for(self._fut, timeout) - start


async def _typing(bench: Bench, keys: int, pace: float, stream: bool,
                  panes: bool = False) -> tuple[list[float], float]:
    """(per-key latencies, events/s that reached the app while typing).

    panes: a watch panel on the streamed value and the wire trace on in its pane, so
    every event also redraws the watch row and adds a trace line (issue 18)."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from xshell.shell.one_device import ShellBackendImpl
    from xshell.session.core import Session
    from xshell.ui.app import ShellApp

    async with bench.client(bench.server_url) as client:
        session = Session(client, device_key="bench-server")
        await session.identify()
        await session.store.ensure_all()
        backend = ShellBackendImpl(session, host="bench")
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            shell = ShellApp(backend, InMemoryHistory())
            timer = KeyTimer(shell)
            app = asyncio.ensure_future(shell.run())
            try:
                await timer.first_render()
                outcome = await backend.execute("xFeedback register /Status/Audio/Volume")
                if not outcome.ok:
                    raise RuntimeError(f"feedback registration failed: {' '.join(outcome.lines)}")
                for line in ("watch Status Audio Volume", "trace on pane") if panes else ():
                    outcome = await backend.execute(line)
                    if not outcome.ok:
                        raise RuntimeError(f"{line} failed: {' '.join(outcome.lines)}")
                if stream:
                    await client.call("bench/Stream", {"rate": STREAM_RATE, "seconds": 3600})
                rng = random.Random(7)
                lat: list[float] = []
                before, t0 = shell.events.total_events, time.perf_counter()
                typed = ""
                while len(lat) < keys:
                    if typed == LINE:
                        await timer.press(pipe, CLEAR, "")
                        typed = ""
                    typed += LINE[len(typed)]
                    lat.append(await timer.press(pipe, typed[-1], typed))
                    await asyncio.sleep(pace * rng.uniform(0.5, 1.5))
                rate = (shell.events.total_events - before) / (time.perf_counter() - t0)
                if stream:
                    await client.call("bench/Stop", {})
            finally:
                shell.request_exit(0)
                await asyncio.wait_for(app, 10)
                await backend.aclose()
    return lat, rate


async def typing(bench: Bench) -> list[report.Row]:
    keys = bench.size(100, 5)
    pace = bench.size(80, 10) / MS  # a fast typist: 40-120 ms between keys
    runs = await alternate({"stream": lambda: _typing(bench, keys, pace, True),
                            "panes": lambda: _typing(bench, keys, pace, True, panes=True),
                            "idle": lambda: _typing(bench, keys, pace, False)}, bench.reps, bench.side_timeout)
    bench.profiled("typing", lambda: _typing(bench, keys, pace, True))
    p99 = median([percentile(lat, 99) for lat, _ in runs["stream"]]) * MS
    idle = median([percentile(lat, 99) for lat, _ in runs["idle"]]) * MS
    rate = median([r for _, r in runs["stream"]])
    details = {"keys_per_rep": keys, "stream_events_per_s_seen": round(rate),
               "stream_p50_ms": round(median([percentile(lat, 50) for lat, _ in runs["stream"]]) * MS, 2),
               "idle_p50_ms": round(median([percentile(lat, 50) for lat, _ in runs["idle"]]) * MS, 2)}
    note = "" if rate >= 0.9 * STREAM_RATE else \
        f"only {rate:.0f} events/s reached the app (asked {STREAM_RATE}/s)"
    panes_p99 = median([percentile(lat, 99) for lat, _ in runs["panes"]]) * MS
    panes_rate = median([r for _, r in runs["panes"]])
    panes_note = "" if panes_rate >= 0.9 * STREAM_RATE else \
        f"only {panes_rate:.0f} events/s reached the app (asked {STREAM_RATE}/s)"
    return [report.limit("typing", "typing.p99", f"typing latency p99 with {STREAM_RATE} events/s",
                         "ms", p99, below=50, reference=idle, reference_name="idle app",
                         note=note, details=details),
            report.limit("typing", "typing.panes_p99",
                         f"typing latency p99 with {STREAM_RATE} events/s, watch panel and trace on",
                         "ms", panes_p99, below=50, reference=idle, reference_name="idle app",
                         note=panes_note, details={"stream_events_per_s_seen": round(panes_rate)})]


# ---------------------------------------------------------------- completion
def _schema_and_live(bench: Bench) -> tuple[Any, Any]:
    """The schema as the shell learns it (xDoc → from_xdoc) and live values of a fresh device."""
    from xshell.session.live import LiveTree
    from xshell.schema.model import ROOTS
    from xshell.schema.xdoc import from_xdoc, root_xdoc
    from xshell.sim.state import LiveState

    if bench.schema_file is not None:
        from xshell.schema.cisco import load_cisco
        from xshell.sim.fromschema import model_from_schema
        model = model_from_schema(load_cisco(bench.schema_file))
    else:
        from xshell.sim.builtin import load_builtin
        model = load_builtin()
    docs: dict[str, Any] = {r: root_xdoc(model.schema, r) for r in ROOTS if model.schema.root(r) is not None}
    schema = from_xdoc(docs, product=model.schema.product, version=model.schema.version)
    live = LiveTree()
    state = LiveState(model)
    for root in ("Status", "Configuration"):
        live.merge_result([root], state.get([root]))
    return schema, live


def _words(path: tuple[str, ...], schema: Any) -> list[str]:
    """Names along `path` with an instance id after each multi-instance node."""
    out: list[str] = []
    for i, name in enumerate(path[1:], start=2):
        out.append(name)
        node = schema.node(path[:i])
        if node is not None and node.multi and node.kind != "leaf":
            out.append(str(min(node.instances) if node.instances else 1))
    return out


def full_lines(schema: Any) -> list[str]:
    """One complete, plausible line per Status leaf, Configuration leaf and command."""
    lines: list[str] = []
    verbs = {"Status": "xStatus", "Configuration": "xConfiguration", "Command": "xCommand"}
    for root, verb in verbs.items():
        for path, node in schema.walk(root):
            if node.kind == "leaf" and root != "Command":
                text = f"{verb} {' '.join(_words(path, schema))}"
                if root == "Configuration" and node.value_space is not None:
                    vs = node.value_space
                    value = vs.values[0] if vs.is_literal and vs.values else (vs.default or "1")
                    text += f": {value}"
                lines.append(text)
            elif node.kind == "command":
                text = f"{verb} {' '.join(_words(path, schema))}"
                for param in node.params[:2]:
                    vs = param.value_space
                    value = vs.values[0] if vs.is_literal and vs.values else "1"
                    text += f" {param.name}: {value}"
                lines.append(text)
    return lines


def partial_lines(schema: Any, n: int, seed: int = 2024) -> list[str]:
    """n lines cut at random places, as they stand at some keystroke while typing."""
    rng = random.Random(seed)
    full = full_lines(schema)
    out = []
    for _ in range(n):
        line = rng.choice(full)
        out.append(line[:rng.randint(1, len(line))])
    return out


async def completion(bench: Bench) -> list[report.Row]:
    from xshell.lang.complete import candidates

    schema, live = _schema_and_live(bench)
    lines = partial_lines(schema, bench.size(1000, 200))

    def once() -> list[float]:
        out = []
        for text in lines:
            start = time.perf_counter()
            candidates(text, schema, live)
            out.append(time.perf_counter() - start)
        return out

    async def run() -> list[float]:
        return once()

    runs = await alternate({"xshell": run}, bench.reps, bench.side_timeout)
    bench.profiled("completion", run)
    p99 = median([percentile(s, 99) for s in runs["xshell"]]) * MS
    p50 = median([percentile(s, 50) for s in runs["xshell"]]) * MS
    worst = max(max(s) for s in runs["xshell"]) * MS
    return [report.limit("completion", "completion.p99",
                         f"completion per keystroke, {bench.schema_label} ({len(lines)} lines)", "ms",
                         p99, below=5, details={"p50_ms": round(p50, 3), "max_ms": round(worst, 2),
                                                "lines": len(lines)})]
