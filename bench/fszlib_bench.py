"""File and zlib streams against Node and cp, in one run (ratios are what matter).

    .venv/bin/python bench/fszlib_bench.py [--copy-mib 1024] [--gzip-mib 64] [--rounds 3] [--json]

- copy: a file in /tmp copied by ``cp``, by Node's ``fs.createReadStream(src).pipe(
  fs.createWriteStream(dst))`` and by ours (create_read_stream -> create_write_stream,
  default options on both sides). Each round runs the three in a rotating order and
  deletes the copy after each; the figure per tool is its median process wall time
  (startup included for all three), and each ratio is the median of the per-round
  ratios. The source file is deleted at the end.
- gzip / gunzip: the same compressible bytes (words in a seeded random order) through
  Node's createGzip and ours in 64 KiB chunks, MB/s of input; gunzip reads Node's output.
- crossover: microseconds to compress one chunk inline and through a worker-thread hop,
  per chunk size: where the hop stops dominating (zlib.INLINE_LIMIT).
- latency: while ours gzips the same bytes, a task of the same Trio run sleeps 1 ms in a
  loop; how late it wakes (p50, p99, max) says how free the Trio thread stays.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = sys.executable


def _run(argv: list[str], timeout: float = 300) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {out.stderr[-400:]}")
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    return wall, (json.loads(lines[-1]) if lines else {})


def make_file(path: Path, mib: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(block)


def bench_copy(work: Path, mib: int, rounds: int) -> dict[str, Any]:
    src = work / "src.bin"
    make_file(src, mib)
    tools: dict[str, list[str]] = {
        "cp": ["cp", str(src), str(work / "dst.bin")],
        "ours": [PY, str(BENCH / "fszlib_ours.py"), "copy", str(src), str(work / "dst.bin")],
    }
    if shutil.which("node"):
        tools["node"] = ["node", str(BENCH / "node_fszlib.js"), "copy", str(src), str(work / "dst.bin")]
    walls: dict[str, list[float]] = {name: [] for name in tools}
    names = list(tools)
    try:
        for r in range(rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                wall, _ = _run(tools[name])
                if (work / "dst.bin").stat().st_size != mib << 20:
                    raise RuntimeError(f"{name} copied a wrong size")
                (work / "dst.bin").unlink()
                walls[name].append(wall)
    finally:
        src.unlink(missing_ok=True)
        (work / "dst.bin").unlink(missing_ok=True)
    out: dict[str, Any] = {"mib": mib, "rounds": rounds}
    for name, values in walls.items():
        out[name] = {"seconds": statistics.median(values), "all": values, "mb_s": (mib << 20) / 1e6 / statistics.median(values)}
    for other in ("node", "cp"):
        if other in walls:
            per_round = [walls[other][i] / walls["ours"][i] for i in range(rounds)]
            out[f"ours_vs_{other}"] = {"ratio": statistics.median(per_round), "rounds": per_round}
    return out


def compressible(mib: int) -> bytes:
    rng = random.Random(7)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    out = bytearray()
    while len(out) < mib << 20:
        out += b" ".join(rng.choice(words) for _ in range(1000)) + b"\n"
    return bytes(out[: mib << 20])


def bench_codec(work: Path, mib: int, rounds: int) -> dict[str, Any]:
    plain = work / "plain.txt"
    plain.write_bytes(compressible(mib))
    packed = work / "plain.txt.gz"
    out: dict[str, Any] = {"mib": mib}
    have_node = shutil.which("node") is not None
    try:
        if have_node:
            subprocess.run(["node", "-e", f"require('fs').writeFileSync({str(packed)!r}, require('zlib').gzipSync(require('fs').readFileSync({str(plain)!r})))"], check=True, timeout=300)
        else:
            import gzip as stdlib_gzip

            packed.write_bytes(stdlib_gzip.compress(plain.read_bytes()))
        jobs: dict[str, dict[str, list[str]]] = {
            "gzip_level6": {"ours": [PY, str(BENCH / "fszlib_ours.py"), "gzip", str(plain), "6"]},
            "gzip_level1": {"ours": [PY, str(BENCH / "fszlib_ours.py"), "gzip", str(plain), "1"]},
            "gunzip": {"ours": [PY, str(BENCH / "fszlib_ours.py"), "gunzip", str(packed)]},
        }
        if have_node:
            jobs["gzip_level6"]["node"] = ["node", str(BENCH / "node_fszlib.js"), "gzip", str(plain), "6"]
            jobs["gzip_level1"]["node"] = ["node", str(BENCH / "node_fszlib.js"), "gzip", str(plain), "1"]
            jobs["gunzip"]["node"] = ["node", str(BENCH / "node_fszlib.js"), "gunzip", str(packed)]
        for job, tools in jobs.items():
            seconds: dict[str, list[float]] = {name: [] for name in tools}
            for _ in range(rounds):
                for name, argv in tools.items():
                    _, row = _run(argv)
                    seconds[name].append(row["seconds"])
            row_out: dict[str, Any] = {}
            for name, values in seconds.items():
                row_out[name] = {"seconds": statistics.median(values), "mb_s": (mib << 20) / 1e6 / statistics.median(values)}
            if "node" in seconds:
                per_round = [seconds["node"][i] / seconds["ours"][i] for i in range(rounds)]
                row_out["ours_vs_node"] = {"ratio": statistics.median(per_round), "rounds": per_round}
            out[job] = row_out
        _, out["latency"] = _run([PY, str(BENCH / "fszlib_ours.py"), "latency", str(plain)])
    finally:
        plain.unlink(missing_ok=True)
        packed.unlink(missing_ok=True)
    return out


def bench_crossover() -> dict[str, Any]:
    import trio

    sys.path.insert(0, str(ROOT))
    from trio_nodestreams import zlib

    data = compressible(1)
    out: dict[str, Any] = {}

    async def main() -> None:
        for size in (1024, 4096, 16384, 65536, 262144):
            chunk = data[:size]
            reps = max(20, (1 << 22) // size)
            engine = zlib._zlib_engine("gzip", True)
            t0 = time.perf_counter()
            for _ in range(reps):
                engine.step(chunk, zlib.Z_NO_FLUSH, 1 << 30)
            inline = (time.perf_counter() - t0) / reps
            engine = zlib._zlib_engine("gzip", True)
            t0 = time.perf_counter()
            for _ in range(reps):
                await trio.to_thread.run_sync(engine.step, chunk, zlib.Z_NO_FLUSH, 1 << 30)
            hop = (time.perf_counter() - t0) / reps
            out[str(size)] = {"inline_us": inline * 1e6, "thread_us": hop * 1e6, "hop_us": (hop - inline) * 1e6}

    trio.run(main)
    return out


def report(res: dict[str, Any]) -> str:
    lines = []
    copy = res.get("copy")
    if copy:
        lines.append(f"copy {copy['mib']} MiB, median of {copy['rounds']} rounds (process wall time):")
        for name in ("cp", "node", "ours"):
            if name in copy:
                lines.append(f"  {name:5} {copy[name]['seconds']:7.2f} s  {copy[name]['mb_s']:8.0f} MB/s")
        for other in ("node", "cp"):
            if f"ours_vs_{other}" in copy:
                lines.append(f"  ours / {other}: {copy[f'ours_vs_{other}']['ratio']:.2f}x")
    codec = res.get("codec")
    if codec:
        lines.append(f"zlib on {codec['mib']} MiB of text, 64 KiB chunks (MB/s of input):")
        for job in ("gzip_level6", "gzip_level1", "gunzip"):
            row = codec.get(job)
            if row:
                parts = [f"{name} {row[name]['mb_s']:.0f}" for name in ("node", "ours") if name in row]
                ratio = f"  ours/node {row['ours_vs_node']['ratio']:.2f}x" if "ours_vs_node" in row else ""
                lines.append(f"  {job:12} " + "  ".join(parts) + ratio)
    lat = (codec or {}).get("latency")
    if lat:
        lines.append(
            f"  a 1 ms ticker during our gzip: late by p50 {lat['p50_ms']:.2f} ms, "
            f"p99 {lat['p99_ms']:.2f} ms, max {lat['max_ms']:.2f} ms ({lat['ticks']} ticks)"
        )
    cross = res.get("crossover")
    if cross:
        lines.append("gzip one chunk: inline vs worker thread (µs):")
        for size, row in cross.items():
            lines.append(f"  {int(size):7d} B  inline {row['inline_us']:8.1f}  thread {row['thread_us']:8.1f}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copy-mib", type=int, default=1024)
    ap.add_argument("--gzip-mib", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tns-fszlib-", dir="/tmp"))
    try:
        res = {
            "copy": bench_copy(work, args.copy_mib, args.rounds),
            "codec": bench_codec(work, args.gzip_mib, args.rounds),
            "crossover": bench_crossover(),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(res) if args.json else report(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
