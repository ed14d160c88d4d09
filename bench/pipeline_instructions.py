"""Instructions per chunk, counted by valgrind (cachegrind): the per-chunk path, stage by stage.

Usage: .venv/bin/python bench/pipeline_instructions.py [--kinds 1k,obj,64k] [--n 2000] [--json]

Timings on a shared machine move by tens of percent between runs; instruction counts do
not. Each workload runs twice under ``valgrind --tool=cachegrind --cache-sim=no``, with N
and 3N chunks; the difference divided by 2N is the cost of one chunk, start-up excluded.

Workloads (chunks as in bench/pipeline_bench.py, high-water marks Node 20's defaults):
  pipeline    await pipeline(Readable, Transform, Transform, Writable): the section's figure
  channel_hop one Trio memory-channel hop (producer task -> consumer task): the anchor
  source      a flowing Readable into a 'data' listener that does nothing
  write       write() into an idle Writable whose _write calls back at once
  transform   write() into a Transform (pass-through) with a no-op 'data' listener
  pipe        Readable.pipe(Writable)

Also runnable as ``python bench/pipeline_instructions.py --run WORKLOAD KIND COUNT`` (what
valgrind runs).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKLOADS = ("pipeline", "channel_hop", "source", "write", "transform", "pipe")


def run_workload(workload: str, kind: str, n: int) -> None:
    """Run one workload of ``n`` chunks (inside valgrind)."""
    import trio

    import trio_nodestreams as ns

    sys.path.insert(0, str(HERE))
    from streams_trio import channel_hop, make_chunk

    chunk = make_chunk(kind)
    obj = kind == "obj"
    hwm = 16 if obj else 16384

    def source() -> ns.Readable:
        pushed = 0

        def read(s: ns.Readable, size: int) -> None:
            nonlocal pushed
            while pushed < n:
                pushed += 1
                if not s.push(chunk):
                    return
            s.push(None)

        return ns.Readable(read=read, high_water_mark=hwm, object_mode=obj)

    def passthru(s: Any, c: Any, e: Any, cb: Any) -> None:
        cb(None, c)

    def ack(s: Any, c: Any, e: Any, cb: Any) -> None:
        cb()

    async def main() -> None:
        if workload == "channel_hop":
            await channel_hop(chunk, n, 16, hwm)
            return
        async with ns.open_scope():
            if workload == "pipeline":
                await ns.pipeline(
                    source(),
                    ns.Transform(transform=passthru, high_water_mark=hwm, object_mode=obj),
                    ns.Transform(transform=passthru, high_water_mark=hwm, object_mode=obj),
                    ns.Writable(write=ack, high_water_mark=hwm, object_mode=obj),
                )
            elif workload == "source":
                r = source()
                done = trio.Event()
                r.on("data", lambda c: None)
                r.on("end", done.set)
                await done.wait()
            elif workload == "write":
                w = ns.Writable(write=ack, high_water_mark=hwm, object_mode=obj)
                for _ in range(n):
                    w.write(chunk)
            elif workload == "transform":
                t = ns.Transform(transform=passthru, high_water_mark=hwm, object_mode=obj)
                t.on("data", lambda c: None)
                await trio.lowlevel.checkpoint()
                for _ in range(n):
                    t.write(chunk)
            elif workload == "pipe":
                w = ns.Writable(write=ack, high_water_mark=hwm, object_mode=obj)
                source().pipe(w)
                await ns.finished(w)

    trio.run(main)


def count(workload: str, kind: str, n: int) -> int:
    """Instructions of one run of ``workload`` with ``n`` chunks, as cachegrind counts them."""
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, str(Path(__file__).resolve()), "--run", workload, kind, str(n)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    match = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if out.returncode != 0 or match is None:
        raise RuntimeError(out.stderr[-800:])
    return int(match.group(1).replace(",", ""))


def measure(kinds: list[str], n: int, workloads: tuple[str, ...] = WORKLOADS) -> dict[str, Any]:
    """{kind: {workload: instructions per chunk}} plus the pipeline's ratio to the hop."""
    results: dict[str, Any] = {}
    for kind in kinds:
        row: dict[str, Any] = {}
        for workload in workloads:
            row[workload] = (count(workload, kind, 3 * n) - count(workload, kind, n)) / (2 * n)
        if row.get("pipeline") and row.get("channel_hop"):
            row["hop/pipeline"] = row["channel_hop"] / row["pipeline"]
        results[kind] = row
    return results


def report(results: dict[str, Any]) -> str:
    lines = ["instructions per chunk (cachegrind)"]
    cols = [*WORKLOADS, "hop/pipeline"]
    lines.append(f"{'kind':>4} " + " ".join(f"{c:>12}" for c in cols))
    for kind, row in results.items():
        cells = []
        for c in cols:
            v = row.get(c)
            cells.append(f"{v:>12.2f}" if c == "hop/pipeline" and v else f"{v:>12,.0f}" if v else f"{'-':>12}")
        lines.append(f"{kind:>4} " + " ".join(cells))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="1k,obj,64k")
    parser.add_argument("--n", type=int, default=2000, help="chunks of the smaller run (the larger: 3n)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--run", nargs=3, metavar=("WORKLOAD", "KIND", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        workload, kind, n = args.run
        run_workload(workload, kind, int(n))
        return 0
    if shutil.which("valgrind") is None:
        print(json.dumps({"status": "n/a", "reason": "valgrind is not installed"}))
        return 0
    results = measure(args.kinds.split(","), args.n)
    print(json.dumps(results) if args.json else report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
