"""Our side of bench/fszlib_bench.py (one measurement per process, as Node's side).

    python bench/fszlib_ours.py copy SRC DST     create_read_stream -> create_write_stream
    python bench/fszlib_ours.py gzip FILE LEVEL  gzip FILE's bytes in 64 KiB chunks
    python bench/fszlib_ours.py gunzip FILE      gunzip FILE, output counted
    python bench/fszlib_ours.py latency FILE     gzip FILE while a task ticks every millisecond:
                                                 how late its wake-ups come (the Trio thread's
                                                 responsiveness while zlib works in threads)

Prints one JSON line: {"seconds": ..., "bytes": ...}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import trio

import trio_nodestreams as ns
from trio_nodestreams import fs, zlib


async def copy(src: str, dst: str) -> None:
    t0 = time.perf_counter()
    async with ns.open_scope():
        await ns.pipeline(fs.create_read_stream(src), fs.create_write_stream(dst))
    print(json.dumps({"seconds": time.perf_counter() - t0, "bytes": os.stat(dst).st_size}))


async def codec(mode: str, path: str, level: int) -> None:
    data = Path(path).read_bytes()
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    out = 0

    def count(chunk: bytes) -> None:
        nonlocal out
        out += len(chunk)

    t0 = time.perf_counter()
    async with ns.open_scope():
        z = zlib.create_gzip(level=level) if mode == "gzip" else zlib.create_gunzip()
        sink = ns.Writable(write=lambda _s, c, _e, cb: (count(c), cb()))
        await ns.pipeline(ns.Readable.from_iterable(chunks), z, sink)
    print(json.dumps({"seconds": time.perf_counter() - t0, "bytes": len(data), "out": out}))


async def latency(path: str) -> None:
    data = Path(path).read_bytes()
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    late: list[float] = []
    t0 = time.perf_counter()
    async with ns.open_scope():
        done = False

        async def ticker() -> None:
            while not done:
                start = trio.current_time()
                await trio.sleep(0.001)
                late.append(trio.current_time() - start - 0.001)

        ns.current_scope().start_soon(ticker)
        z = zlib.create_gzip()
        sink = ns.Writable(write=lambda _s, _c, _e, cb: cb())
        await ns.pipeline(ns.Readable.from_iterable(chunks), z, sink)
        done = True
    late.sort()
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - t0,
                "bytes": len(data),
                "ticks": len(late),
                "p50_ms": late[len(late) // 2] * 1e3,
                "p99_ms": late[int(len(late) * 0.99)] * 1e3,
                "max_ms": late[-1] * 1e3,
            }
        )
    )


def main() -> None:
    mode = sys.argv[1]
    if mode == "latency":
        trio.run(latency, sys.argv[2])
    elif mode == "copy":
        trio.run(copy, sys.argv[2], sys.argv[3])
    else:
        trio.run(codec, mode, sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 6)


if __name__ == "__main__":
    main()
