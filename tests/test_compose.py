"""pipeline(), compose(), Readable.from_iterable and the operators: back-pressure, cancellation, errors."""

from __future__ import annotations

import os
import resource
from collections.abc import AsyncIterator
from typing import Any

import pytest
import trio
import trio.testing

import trio_nodestreams as ns

CHUNK = 16 * 1024
HWM = 16 * 1024
# Size of the back-pressure flow; CI keeps it small, a manual run can use 1 GiB:
#   TNS_BACKPRESSURE_BYTES=$((1<<30)) .venv/bin/python -m pytest tests/test_compose.py -k backpressure -s
FLOW_BYTES = int(os.environ.get("TNS_BACKPRESSURE_BYTES", str(64 * 1024 * 1024)))


def _rss() -> int:
    """Current resident set size in bytes (VmRSS), or 0 where /proc is missing."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


async def test_backpressure_through_three_stages() -> None:
    """A fast source through three stages into a slow sink: no stage buffers more than hwm + one chunk."""
    chunk = b"x" * CHUNK
    total = FLOW_BYTES // CHUNK
    peak: dict[str, int] = {}
    rss_before = _rss()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    async with ns.open_scope():
        produced = 0

        def read(stream: ns.Readable, size: int) -> None:
            nonlocal produced
            while produced < total:
                produced += 1
                if not stream.push(chunk):
                    return
            stream.push(None)

        source = ns.Readable(read=read, high_water_mark=HWM)

        def upper(stream: Any, c: bytes, enc: str, cb: Any) -> None:
            cb(None, c)

        stages = [
            ns.PassThrough(high_water_mark=HWM),
            ns.Transform(transform=upper, high_water_mark=HWM),
            ns.PassThrough(high_water_mark=HWM),
        ]
        received = 0
        writes = 0

        async def slow_write(stream: ns.Writable, c: bytes, enc: str) -> None:
            nonlocal received, writes
            received += len(c)
            writes += 1
            for name, s in [("source", source), *((f"stage{i}", st) for i, st in enumerate(stages))]:
                peak[name + ".r"] = max(peak.get(name + ".r", 0), s.readable_length)
                if name != "source":
                    peak[name + ".w"] = max(peak.get(name + ".w", 0), s.writable_length)
            peak["sink.w"] = max(peak.get("sink.w", 0), stream.writable_length)
            if writes % 4 == 0:
                await trio.sleep(0)  # slower than the source: lets every buffer fill

        sink = ns.Writable(write=slow_write, high_water_mark=HWM)
        await ns.pipeline(source, *stages, sink)
    assert received == total * CHUNK
    limit = HWM + CHUNK
    assert all(v <= limit for v in peak.values()), peak
    growth = _rss() - rss_before
    maxrss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - maxrss_before
    print(
        f"\nbackpressure: {FLOW_BYTES / 2**20:.0f} MiB moved; peak buffers {peak}; "
        f"RSS growth {growth / 2**20:.1f} MiB; ru_maxrss growth {maxrss_growth / 2**20:.1f} MiB"
    )
    # Memory stays flat: the flow is not held anywhere.
    assert growth < 64 * 2**20


def _stage_task_names(scope: ns.Scope) -> list[str]:
    return [t.name for t in scope.nursery.child_tasks if "_run" not in t.name.rsplit(".", 1)[-1]]


async def test_cancel_mid_pipeline_destroys_every_stage() -> None:
    """Cancelling the caller mid-pipeline: every stage destroyed, no task left, finished() raises on each."""

    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"data"
            await trio.sleep(0)

    closed: list[str] = []

    async def stage(src: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        try:
            async for c in src:
                yield c
        finally:
            closed.append("stage")

    async with ns.open_scope() as scope:
        source = ns.Readable.from_iterable(endless(), object_mode=False, high_water_mark=64)
        mid = ns.PassThrough(high_water_mark=64)
        tail = ns.Transform(transform=lambda s, c, e, cb: cb(None, c), high_water_mark=64)

        async def slow(stream: Any, c: bytes, enc: str) -> None:
            await trio.sleep(0.001)

        sink = ns.Writable(write=slow, high_water_mark=64)
        with trio.move_on_after(0.1) as cs:
            await ns.pipeline(source, mid, stage, tail, sink)
        assert cs.cancelled_caught
        await trio.testing.wait_all_tasks_blocked()
        await scope.wait_idle()
        await trio.testing.wait_all_tasks_blocked()
        assert _stage_task_names(scope) == []
        for s in (source, mid, tail, sink):
            assert s.destroyed
            with pytest.raises(ns.NodeError):
                await ns.finished(s)
        assert closed == ["stage"]


async def test_cancel_scope_mid_pipeline() -> None:
    """Cancelling the whole scope mid-pipeline: the block exits, every stage is destroyed."""
    streams: list[Any] = []
    with trio.move_on_after(0.1):
        async with ns.open_scope():

            async def slow(stream: Any, c: Any, enc: str) -> None:
                await trio.sleep(0.001)

            streams[:] = [
                ns.Readable.from_iterable(iter(lambda: b"abc", None), object_mode=False),
                ns.PassThrough(),
                ns.Writable(write=slow),
            ]
            await ns.pipeline(*streams)
    assert all(s.destroyed for s in streams)


class Boom(Exception):
    pass


async def test_transform_error_reaches_caller_once() -> None:
    """An exception inside a transform is raised by pipeline() once, as itself (no ExceptionGroup).

    (A synchronous ``_transform`` that raises instead of calling back fails the scope, as a
    throw there is an uncaught exception in Node.)
    """
    seen: list[BaseException] = []
    async with ns.open_scope():

        async def t(stream: Any, c: Any, enc: str) -> Any:
            if c == 3:
                raise Boom("three")
            return c

        streams = [
            ns.Readable.from_iterable(range(10)),
            ns.Transform(transform=t, object_mode=True),
            ns.PassThrough(object_mode=True),
            ns.Writable(write=lambda s, c, e, cb: cb(), object_mode=True),
        ]
        for s in streams:
            s.on("error", seen.append)
        with pytest.raises(Boom) as info:
            await ns.pipeline(*streams)
        assert type(info.value) is Boom
        assert all(s.destroyed for s in streams)
    # Each stream reported the same error, and nothing else escaped the scope.
    assert {id(e) for e in seen} == {id(info.value)}


async def test_async_transform_error_once() -> None:
    """An async generator stage raising: pipeline() raises that exception exactly once."""

    async def stage(src: AsyncIterator[int]) -> AsyncIterator[int]:
        async for c in src:
            if c == 5:
                raise Boom(c)
            yield c

    async def sink(src: AsyncIterator[int]) -> int:
        return sum([c async for c in src])

    async with ns.open_scope():
        with pytest.raises(Boom):
            await ns.pipeline(range(10), stage, sink)


async def test_pipeline_value_and_sources() -> None:
    async def agen() -> AsyncIterator[int]:
        for i in range(4):
            yield i

    async def total(src: AsyncIterator[int]) -> int:
        return sum([c async for c in src])

    async def double(src: AsyncIterator[int]) -> AsyncIterator[int]:
        async for c in src:
            yield c * 2

    async with ns.open_scope():
        assert await ns.pipeline(agen, double, total) == 12
        assert await ns.pipeline(agen(), ns.PassThrough(object_mode=True), double, total) == 12
        assert await ns.pipeline([1, 2, 3], total) == 6
        assert await ns.pipeline(ns.Readable.from_iterable([b"a", b"b"], object_mode=False), total_bytes) == b"ab"


async def total_bytes(src: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in src])


async def test_pipeline_missing_args() -> None:
    async with ns.open_scope():
        with pytest.raises(ns.NodeError) as info:
            await ns.pipeline(ns.PassThrough())
        assert info.value.code == "ERR_MISSING_ARGS"


async def test_from_iterable_backpressure_and_close() -> None:
    """The iterator is not advanced while the buffer is full, and is closed on an early destroy."""
    pulled = 0
    closed = False

    async def gen() -> AsyncIterator[int]:
        nonlocal pulled, closed
        try:
            for i in range(1000):
                pulled += 1
                yield i
        finally:
            closed = True

    async with ns.open_scope() as scope:
        r = ns.Readable.from_iterable(gen(), high_water_mark=4)
        assert r.read() is None  # starts the producer
        await scope.wait_idle()
        await trio.testing.wait_all_tasks_blocked()
        assert r.readable_length == 4
        assert pulled <= 5
        r.destroy()
        await scope.wait_idle()
        await trio.testing.wait_all_tasks_blocked()
        assert closed
        assert pulled <= 5


async def test_from_iterable_sync_close() -> None:
    closed = []

    def gen() -> Any:
        try:
            yield from range(100)
        finally:
            closed.append(True)

    async with ns.open_scope():
        r = ns.Readable.from_iterable(gen())
        async for c in r:
            if c == 3:
                break
    assert closed == [True]


async def test_abandoned_from_iterable_does_not_hang_scope() -> None:
    """A stream read partly, then dropped: its producer task is given up when the scope ends."""
    finalized = []

    async def gen() -> AsyncIterator[int]:
        try:
            for i in range(100):
                yield i
        finally:
            finalized.append(True)

    with trio.fail_after(5):
        async with ns.open_scope():
            r = ns.Readable.from_iterable(gen())
            r.on("data", lambda c: r.pause() if c == 2 else None)
    assert r.destroyed
    assert finalized == [True]


async def test_map_concurrency_keeps_order() -> None:
    async def slow_double(x: int) -> int:
        await trio.sleep((10 - x) * 0.001)
        return x * 2

    async with ns.open_scope():
        out = await ns.Readable.from_iterable(range(10)).map(slow_double, concurrency=4).to_array()
    assert out == [x * 2 for x in range(10)]


async def test_map_concurrency_limit() -> None:
    running = 0
    peak = 0

    async def work(x: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await trio.sleep(0.001)
        running -= 1
        return x

    async with ns.open_scope():
        await ns.Readable.from_iterable(range(20)).map(work, concurrency=3).to_array()
    assert peak == 3


async def test_operator_error_destroys_result() -> None:
    def bad(x: int) -> int:
        if x == 2:
            raise Boom()
        return x

    async with ns.open_scope():
        src = ns.Readable.from_iterable(range(5))
        with pytest.raises(Boom):
            await src.map(bad).to_array()
        assert src.destroyed


async def test_compose_async_sink() -> None:
    got: list[int] = []

    async def sink(src: AsyncIterator[int]) -> None:
        async for c in src:
            got.append(c)

    async with ns.open_scope():
        d = ns.compose(ns.PassThrough(object_mode=True), sink)
        assert d.writable
        d.write(1)
        d.end(2)
        await ns.finished(d)
    assert got == [1, 2]


async def test_pipeline_cb_returns_last() -> None:
    results: list[Any] = []
    async with ns.open_scope():
        pt = ns.PassThrough()
        last = ns.pipeline_cb(ns.Readable.from_iterable([b"a"], object_mode=False), pt, results.append)
        assert last is pt
        pt.resume()
    assert results == [None]
