"""Chunks/s through source -> transform -> sink on Trio; one measurement per process.

Usage: python bench/streams_trio.py IMPL KIND COUNT [--reps N] [--hwm H] [--buffer B]

IMPL:
  channel_hop     producer task -> memory channel -> consumer task (one hop per chunk)
  channel_chain3  producer -> channel -> pass-through task -> channel -> consumer (two hops)
  ours_pipeline   await ns.pipeline(source, transform, sink)
  ours_pipe       source.pipe(transform).pipe(sink); await ns.finished(sink)
KIND: 64k | 1k | obj (same chunks as bench/node_pipeline.js: one pre-made chunk pushed COUNT times).

Prints one JSON object; "status" is "ok", "n/a" (the API is not there yet) or "error".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import trio

KINDS = ("64k", "1k", "obj")


def make_chunk(kind: str) -> Any:
    if kind == "obj":
        return {"n": 1}
    return b"a" * (65536 if kind == "64k" else 1024)


async def channel_hop(chunk: Any, count: int, buffer: int, hwm: int) -> float:
    send, recv = trio.open_memory_channel[Any](buffer)
    seen = 0

    async def producer() -> None:
        async with send:
            for _ in range(count):
                await send.send(chunk)

    async def consumer() -> None:
        nonlocal seen
        async with recv:
            async for _ in recv:
                seen += 1

    t0 = time.perf_counter()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(producer)
        nursery.start_soon(consumer)
    dt = time.perf_counter() - t0
    assert seen == count, (seen, count)
    return dt


async def channel_chain3(chunk: Any, count: int, buffer: int, hwm: int) -> float:
    send1, recv1 = trio.open_memory_channel[Any](buffer)
    send2, recv2 = trio.open_memory_channel[Any](buffer)
    seen = 0

    async def producer() -> None:
        async with send1:
            for _ in range(count):
                await send1.send(chunk)

    async def middle() -> None:
        async with recv1, send2:
            async for c in recv1:
                await send2.send(c)

    async def consumer() -> None:
        nonlocal seen
        async with recv2:
            async for _ in recv2:
                seen += 1

    t0 = time.perf_counter()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(producer)
        nursery.start_soon(middle)
        nursery.start_soon(consumer)
    dt = time.perf_counter() - t0
    assert seen == count, (seen, count)
    return dt


class NotAvailable(Exception):
    """The trio_nodestreams API needed for this measurement does not exist (yet)."""


def _ns(*names: str) -> Any:
    try:
        import trio_nodestreams as ns
    except Exception as exc:
        raise NotAvailable(f"import trio_nodestreams failed: {exc!r}") from exc
    missing = [n for n in names if not hasattr(ns, n)]
    if missing:
        raise NotAvailable("trio_nodestreams lacks " + ", ".join(missing))
    return ns


def _build(
    ns: Any, chunk: Any, count: int, hwm: int, object_mode: bool
) -> tuple[Any, Any, Any, list[int]]:
    state = {"pushed": 0, "ended": False}
    seen = [0]

    def read(stream: Any, size: Any) -> None:
        if state["ended"]:
            return
        while state["pushed"] < count:
            state["pushed"] += 1
            if not stream.push(chunk):
                return
        state["ended"] = True
        stream.push(None)

    def transform(stream: Any, c: Any, encoding: Any, cb: Callable[..., None]) -> None:
        cb(None, c)

    def write(stream: Any, c: Any, encoding: Any, cb: Callable[..., None]) -> None:
        seen[0] += 1
        cb()

    source = ns.Readable(read=read, high_water_mark=hwm, object_mode=object_mode)
    middle = ns.Transform(transform=transform, high_water_mark=hwm, object_mode=object_mode)
    sink = ns.Writable(write=write, high_water_mark=hwm, object_mode=object_mode)
    return source, middle, sink, seen


async def ours_pipeline(chunk: Any, count: int, buffer: int, hwm: int) -> float:
    ns = _ns("open_scope", "Readable", "Transform", "Writable", "pipeline")
    async with ns.open_scope():
        source, middle, sink, seen = _build(ns, chunk, count, hwm, not isinstance(chunk, bytes))
        t0 = time.perf_counter()
        await ns.pipeline(source, middle, sink)
        dt = time.perf_counter() - t0
    assert seen[0] == count, (seen[0], count)
    return dt


async def ours_pipe(chunk: Any, count: int, buffer: int, hwm: int) -> float:
    ns = _ns("open_scope", "Readable", "Transform", "Writable", "finished")
    async with ns.open_scope():
        source, middle, sink, seen = _build(ns, chunk, count, hwm, not isinstance(chunk, bytes))
        t0 = time.perf_counter()
        source.pipe(middle).pipe(sink)
        await ns.finished(sink)
        dt = time.perf_counter() - t0
    assert seen[0] == count, (seen[0], count)
    return dt


IMPLS: dict[str, Callable[[Any, int, int, int], Awaitable[float]]] = {
    "channel_hop": channel_hop,
    "channel_chain3": channel_chain3,
    "ours_pipeline": ours_pipeline,
    "ours_pipe": ours_pipe,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("impl", choices=sorted(IMPLS))
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("count", type=int)
    parser.add_argument(
        "--reps", type=int, default=1, help="measured runs after one warm-up; best is reported"
    )
    parser.add_argument(
        "--hwm", type=int, default=None, help="high_water_mark (default 16384, objects 16)"
    )
    parser.add_argument("--buffer", type=int, default=16, help="memory channel max_buffer_size")
    args = parser.parse_args()
    hwm = args.hwm if args.hwm is not None else (16 if args.kind == "obj" else 16384)
    chunk = make_chunk(args.kind)
    fn = IMPLS[args.impl]
    out: dict[str, Any] = {"impl": args.impl, "kind": args.kind, "count": args.count, "hwm": hwm}
    if args.impl.startswith("channel"):
        out["buffer"] = args.buffer
    try:
        trio.run(fn, chunk, max(1, args.count // 10), args.buffer, hwm)  # warm-up
        runs = [trio.run(fn, chunk, args.count, args.buffer, hwm) for _ in range(args.reps)]
    except NotAvailable as exc:
        out.update(status="n/a", reason=str(exc))
    except BaseException as exc:
        out.update(status="error", reason=f"{type(exc).__name__}: {exc}"[:500])
        traceback.print_exc(file=sys.stderr)
    else:
        seconds = min(runs)
        out.update(
            status="ok",
            seconds=seconds,
            runs=runs,
            chunks_per_s=args.count / seconds,
            mb_per_s=None if args.kind == "obj" else len(chunk) * args.count / seconds / 1e6,
        )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
