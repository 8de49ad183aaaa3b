"""jsxapi (Cisco's Node client) as a reference, run by node from the interop install.

The script is kept here as text and written to the bench's temp folder, so the package
needs no data files; jsxapi itself is the copy `.ci/run` installs for the interop tests
(tests/interop/node_modules/jsxapi). The timing is taken inside node, so node's own
start-up is not counted against jsxapi.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

SCRIPT = r"""'use strict';
const [jsxapiDir, url, user, password, n, warm] = process.argv.slice(2);
const jsxapi = require(jsxapiDir);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const batch = (xapi, count) =>
  Promise.all(Array.from({ length: count }, () => xapi.status.get('Audio Volume')));
async function main() {
  const xapi = jsxapi.connect(url, { username: user, password });
  await new Promise((resolve, reject) => { xapi.on('ready', resolve); xapi.on('error', reject); });
  await batch(xapi, Number(warm));
  const start = now();
  const values = await batch(xapi, Number(n));
  const seconds = now() - start;
  xapi.close();
  return { seconds, count: values.length, ok: values.every((v) => Number(v) === 50) };
}
main().then(
  (out) => { process.stdout.write(JSON.stringify(out) + '\n'); process.exit(0); },
  (err) => {
    process.stdout.write(JSON.stringify({ error: String((err && err.message) || err) }) + '\n');
    process.exit(2);
  },
);
"""


class JsxapiError(RuntimeError):
    """jsxapi could not be run or reported a failure."""


class JsxapiPeer:
    """Runs pipelined `xapi.status.get` batches in node and reports seconds per batch."""

    def __init__(self, node: str, jsxapi: Path, workdir: Path) -> None:
        self.node = node
        self.jsxapi = jsxapi
        self.script = workdir / "jsxapi_bench.js"
        self.script.parent.mkdir(parents=True, exist_ok=True)
        self.script.write_text(SCRIPT, encoding="utf-8")

    def pipelined(self, url: str, user: str, password: str, n: int, warm: int,
                  timeout: float = 120.0) -> float:
        try:
            done = subprocess.run(
                [self.node, str(self.script), str(self.jsxapi), url, user, password, str(n), str(warm)],
                capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise JsxapiError(f"jsxapi did not answer {n} requests within {timeout:g} s") from None
        line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        try:
            out = json.loads(line)
        except ValueError:
            err = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"
            raise JsxapiError(f"jsxapi run failed (exit {done.returncode}): {err}") from None
        if "error" in out:
            raise JsxapiError(f"jsxapi: {out['error']}")
        if not out.get("ok") or out.get("count") != n:
            raise JsxapiError(f"jsxapi got wrong answers ({out.get('count')} of {n})")
        return float(out["seconds"])
