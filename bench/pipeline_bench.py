"""Chunks/s through source -> 2 Transforms -> sink: ours against Node's stream.pipeline and a Trio channel hop.

Usage: .venv/bin/python bench/pipeline_bench.py [--kinds 64k,1k,obj] [--scale F] [--json]

For each chunk kind (64 KiB bytes, 1 KiB bytes, object mode) it measures, best of REPS after
a warm-up:
  ours_pipeline   await ns.pipeline(Readable, Transform, Transform, Writable)
  ours_agen       await ns.pipeline(Readable, async generator stage, async generator stage, Writable)
  node_pipeline   Node's stream.pipeline with the same four streams (run by node)
  channel_hop     one trio memory channel hop per chunk (producer task -> consumer task)
and prints the ratio ours_pipeline / channel_hop (target: >= 4). High-water marks are Node
20's defaults (16 KiB, 16 objects) on every stream. Also hooked into bench/run.py as the
``pipeline`` section.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import streams_trio as _streams_trio
import trio
from streams_trio import make_chunk

COUNTS = {"64k": 20_000, "1k": 200_000, "obj": 200_000}
REPS = 3

NODE_SCRIPT = r"""
const { Readable, Transform, Writable, pipeline } = require('stream');
const [kind, count, reps] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const objectMode = kind === 'obj';
const chunk = objectMode ? { n: 1 } : Buffer.alloc(kind === '64k' ? 65536 : 1024, 0x61);
const hwm = objectMode ? 16 : 16384;
function once(n) {
  return new Promise((resolve, reject) => {
    let pushed = 0;
    const src = new Readable({ objectMode, highWaterMark: hwm, read() {
      while (pushed < n) { pushed++; if (!this.push(chunk)) return; }
      this.push(null);
    } });
    const t = () => new Transform({ objectMode, highWaterMark: hwm, transform(c, e, cb) { cb(null, c); } });
    let seen = 0;
    const sink = new Writable({ objectMode, highWaterMark: hwm, write(c, e, cb) { seen++; cb(); } });
    const t0 = process.hrtime.bigint();
    pipeline(src, t(), t(), sink, (err) => {
      if (err) return reject(err);
      if (seen !== n) return reject(new Error('lost chunks'));
      resolve(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  });
}
(async () => {
  await once(Math.max(1, Math.floor(count / 10)));
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(await once(count));
  process.stdout.write(JSON.stringify({ seconds: Math.min(...runs), node: process.version }) + '\n');
})().catch((err) => { console.error(err); process.exit(1); });
"""


async def channel_hop(chunk: Any, count: int) -> float:
    """One Trio memory-channel hop per chunk, with a 16-slot buffer (the streams section's anchor)."""
    return await _streams_trio.channel_hop(chunk, count, 16, 16)


def _source(ns: Any, chunk: Any, count: int, object_mode: bool) -> Any:
    hwm = 16 if object_mode else 16384
    pushed = 0

    def read(stream: Any, size: int) -> None:
        nonlocal pushed
        while pushed < count:
            pushed += 1
            if not stream.push(chunk):
                return
        stream.push(None)

    return ns.Readable(read=read, high_water_mark=hwm, object_mode=object_mode)


def _sink(ns: Any, object_mode: bool, seen: list[int]) -> Any:
    def write(stream: Any, c: Any, enc: str, cb: Callable[..., None]) -> None:
        seen[0] += 1
        cb()

    return ns.Writable(write=write, high_water_mark=16 if object_mode else 16384, object_mode=object_mode)


async def ours_pipeline(chunk: Any, count: int) -> float:
    import trio_nodestreams as ns

    object_mode = not isinstance(chunk, bytes)
    hwm = 16 if object_mode else 16384
    seen = [0]

    def passthru(stream: Any, c: Any, enc: str, cb: Callable[..., None]) -> None:
        cb(None, c)

    async with ns.open_scope():
        streams = [
            _source(ns, chunk, count, object_mode),
            ns.Transform(transform=passthru, high_water_mark=hwm, object_mode=object_mode),
            ns.Transform(transform=passthru, high_water_mark=hwm, object_mode=object_mode),
            _sink(ns, object_mode, seen),
        ]
        t0 = time.perf_counter()
        await ns.pipeline(*streams)
        dt = time.perf_counter() - t0
    assert seen[0] == count, seen
    return dt


async def ours_agen(chunk: Any, count: int) -> float:
    import trio_nodestreams as ns

    object_mode = not isinstance(chunk, bytes)

    async def stage(src: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for c in src:
            yield c

    received = [0]

    def write(stream: Any, c: Any, enc: str, cb: Callable[..., None]) -> None:
        received[0] += 1 if object_mode else len(c)
        cb()

    async with ns.open_scope():
        sink = ns.Writable(write=write, high_water_mark=16 if object_mode else 16384, object_mode=object_mode)
        t0 = time.perf_counter()
        await ns.pipeline(_source(ns, chunk, count, object_mode), stage, stage, sink)
        dt = time.perf_counter() - t0
    # The async iterator of a byte stream reads what is buffered at once (as Node's does).
    assert received[0] == (count if object_mode else count * len(chunk)), received
    return dt


IMPLS: dict[str, Callable[[Any, int], Awaitable[float]]] = {
    "ours_pipeline": ours_pipeline,
    "ours_agen": ours_agen,
    "channel_hop": channel_hop,
}


def best(fn: Callable[[Any, int], Awaitable[float]], chunk: Any, count: int, reps: int) -> float:
    trio.run(fn, chunk, max(1, count // 10))
    return min(trio.run(fn, chunk, count) for _ in range(reps))


def node_pipeline(kind: str, count: int, reps: int) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        return {"status": "n/a", "reason": "node is not installed"}
    out = subprocess.run(
        [node, "-e", NODE_SCRIPT, kind, str(count), str(reps)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if out.returncode != 0:
        return {"status": "error", "reason": out.stderr[-500:]}
    data = json.loads(out.stdout)
    return {"status": "ok", "seconds": data["seconds"], "chunks_per_s": count / data["seconds"]}


def run(kinds: list[str], scale: float, reps: int, agen_scale: float = 0.1) -> dict[str, Any]:
    """Measure every implementation for every kind; returns {kind: {impl: row}}."""
    results: dict[str, Any] = {}
    for kind in kinds:
        count = max(1, int(COUNTS[kind] * scale))
        chunk = make_chunk(kind)
        rows: dict[str, Any] = {"count": count}
        for impl, fn in IMPLS.items():
            n = max(1, int(count * agen_scale)) if impl == "ours_agen" else count
            try:
                seconds = best(fn, chunk, n, reps)
            except Exception as exc:
                rows[impl] = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"[:500]}
                continue
            rows[impl] = {"status": "ok", "count": n, "seconds": seconds, "chunks_per_s": n / seconds}
        rows["node_pipeline"] = node_pipeline(kind, count, reps)
        ours = rows["ours_pipeline"].get("chunks_per_s")
        for anchor in ("channel_hop", "node_pipeline"):
            theirs = rows[anchor].get("chunks_per_s")
            rows[f"ours/{anchor}"] = ours / theirs if ours and theirs else None
        results[kind] = rows
    return results


def report(results: dict[str, Any]) -> str:
    lines = ["pipeline: chunks/s through source -> 2 Transforms -> sink"]
    lines.append(f"{'kind':>4} {'ours_pipeline':>14} {'ours_agen':>10} {'node':>11} {'channel_hop':>12} {'x hop':>6} {'x node':>7}")
    for kind, rows in results.items():

        def rate(name: str, rows: dict[str, Any] = rows) -> str:
            row = rows.get(name, {})
            return f"{row['chunks_per_s']:,.0f}" if row.get("status") == "ok" else row.get("status", "-")

        def ratio(name: str, rows: dict[str, Any] = rows) -> str:
            v = rows.get(name)
            return f"{v:.2f}" if v else "-"

        lines.append(
            f"{kind:>4} {rate('ours_pipeline'):>14} {rate('ours_agen'):>10} {rate('node_pipeline'):>11} "
            f"{rate('channel_hop'):>12} {ratio('ours/channel_hop'):>6} {ratio('ours/node_pipeline'):>7}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="64k,1k,obj")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the chunk counts")
    parser.add_argument("--reps", type=int, default=REPS)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    results = run(args.kinds.split(","), args.scale, args.reps)
    print(json.dumps(results) if args.json else report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
