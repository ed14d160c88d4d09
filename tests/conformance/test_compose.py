"""Twins of tests/scenarios/compose: pipe, pipeline, finished, Readable.from, compose and operators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import trio_nodestreams as ns

from ._golden import Log, scenario, settle

Callback = Callable[..., Any]


class Error(Exception):
    """Stands for JavaScript's ``Error``."""


class RangeError(Exception):
    """Stands for JavaScript's ``RangeError``."""


def no_read(stream: Any, size: Any) -> None:
    """A _read that does nothing: data comes from explicit push() calls."""


def nul(err: Any) -> Any:
    return err


@scenario("compose/pipe-slow-writable")
async def test_pipe_slow_writable(log: Log) -> None:
    """scenario: pipe() into a slow Writable: write() returns False at the hwm, the source pauses until 'drain'."""
    src = ns.Readable(high_water_mark=4, read=no_read)
    pending: list[Callback] = []

    def write(s: Any, chunk: Any, enc: Any, cb: Callback) -> None:
        log("write", chunk)
        pending.append(cb)

    dst = ns.Writable(high_water_mark=4, write=write)
    orig = dst.write

    def logged_write(chunk: Any, *args: Any) -> bool:
        r = orig(chunk, *args)
        log("write-ret", r, dst.writable_length)
        return r

    dst.write = logged_write  # type: ignore[method-assign]
    dst.on("drain", lambda: log("drain"))
    dst.on("finish", lambda: log("finish"))
    src.on("pause", lambda: log("pause"))
    src.on("resume", lambda: log("resume"))
    src.on("end", lambda: log("end"))
    src.pipe(dst)
    for c in ["ab", "cd", "ef", "gh"]:
        src.push(c)
    src.push(None)
    await settle()
    log("step1", src.readable_length, src.is_paused())
    while True:
        cbs = pending[:]
        pending.clear()
        if not cbs:
            log("done", dst.writable_finished)
            break
        for cb in cbs:
            cb()
        await settle()


@scenario("compose/pipe-end-false")
async def test_pipe_end_false(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-flow.js (end: false): the destination is not ended."""
    src = ns.Readable(object_mode=True, high_water_mark=2, read=no_read)
    dst = ns.PassThrough(object_mode=True, high_water_mark=2)
    dst.on("data", lambda c: log("data", c))
    dst.on("finish", lambda: log("finish"))
    src.on("end", lambda: log("src-end"))
    dst.on("unpipe", lambda *a: log("unpipe"))
    src.pipe(dst, end=False)
    src.push("a")
    src.push("b")
    src.push(None)
    await settle()
    log("after", dst.writable_ended, dst.writable, src.readable_ended, src.destroyed)
    dst.end("c")


@scenario("compose/unpipe")
async def test_unpipe(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-unpipe-streams.js: unpipe one destination, then all."""
    source = ns.Readable(read=no_read, high_water_mark=16)

    def mk(name: str) -> ns.Writable:
        def write(s: Any, c: Any, e: Any, cb: Callback) -> None:
            log("write", name, c)
            cb()

        return ns.Writable(high_water_mark=16, write=write)

    d1, d2 = mk("d1"), mk("d2")
    d1.on("pipe", lambda s: log("pipe", "d1"))
    d2.on("pipe", lambda s: log("pipe", "d2"))
    d1.on("unpipe", lambda s, *a: log("unpipe", "d1", s is source))
    d2.on("unpipe", lambda s, *a: log("unpipe", "d2", s is source))
    source.pipe(d1)
    source.pipe(d2)
    log("pipes", len(source._readable_state.pipes))
    source.push("x")
    await settle()
    source.unpipe(d2)
    log("pipes", len(source._readable_state.pipes), source.readable_flowing)
    source.push("y")
    await settle()
    source.unpipe()
    log("pipes", len(source._readable_state.pipes), source.readable_flowing)
    source.push("z")
    await settle()
    log("length", source.readable_length)


@scenario("compose/pipe-multiple")
async def test_pipe_multiple(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-multiple-pipes.js: one source, several destinations."""
    readable = ns.Readable(read=no_read, high_water_mark=16)
    dests = [ns.PassThrough(high_water_mark=16) for _ in range(3)]
    for i, d in enumerate(dests):
        readable.pipe(d)
        d.on("data", lambda c, i=i: log("data", i, c))
        d.on("finish", lambda i=i: log("finish", i))
    readable.push(b"foo")
    await settle()
    log("unpipe-1")
    readable.unpipe(dests[1])
    readable.push(b"bar")
    readable.push(None)


@scenario("compose/pipe-multiple-slow")
async def test_pipe_multiple_slow(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-await-drain.js: the source waits for every slow destination."""
    reader = ns.Readable(read=no_read, high_water_mark=4)
    held: list[Callback] = []

    def mk(name: str, slow: bool) -> ns.Writable:
        def write(s: Any, c: Any, e: Any, cb: Callback) -> None:
            w = reader._readable_state.await_drain_writers
            log("write", name, len(c), len(w) if isinstance(w, set) else None)
            if slow:
                held.append(cb)
            else:
                ns.next_tick(cb)

        return ns.Writable(high_water_mark=4, write=write)

    w1, w2 = mk("w1", False), mk("w2", True)
    reader.pipe(w1)
    reader.pipe(w2)
    w1.on("drain", lambda: log("drain", "w1"))
    w2.on("drain", lambda: log("drain", "w2"))
    reader.push(bytes(10))
    await settle()
    reader.push(bytes(3))
    log("paused", reader.is_paused(), reader.readable_length)
    await settle()
    for cb in held[:]:
        held.remove(cb)
        cb()
    await settle()
    log("paused", reader.is_paused(), reader.readable_length)
    for cb in held[:]:
        held.remove(cb)
        cb()


@scenario("compose/pipe-dest-error")
async def test_pipe_dest_error(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-error-handling.js: a destination error unpipes it."""
    src = ns.Readable(read=no_read, high_water_mark=16)
    dst = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: cb(Error("write failed")))
    dst.on("unpipe", lambda *a: log("unpipe"))
    dst.on("error", lambda err: log("dst-error", str(err), len(src._readable_state.pipes)))
    dst.on("close", lambda: log("dst-close", dst.destroyed))
    src.on("pause", lambda: log("src-pause"))
    src.pipe(dst)
    src.push("x")
    await settle()
    log("src", src.destroyed, src.readable_flowing, src.readable_length)


@scenario("compose/pipe-after-end")
async def test_pipe_after_end(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-after-end.js: piping an ended source still ends the destination."""
    src = ns.Readable(read=no_read, high_water_mark=16)
    src.push(None)
    src.resume()
    ended: list[bool] = []

    def on_end() -> None:
        log("end")
        ended.append(True)

    src.on("end", on_end)
    await settle()
    assert ended

    def write(s: Any, c: Any, e: Any, cb: Callback) -> None:
        log("write", c)
        cb()

    dst = ns.Writable(high_water_mark=16, write=write)
    dst.on("pipe", lambda s: log("pipe"))
    dst.on("finish", lambda: log("finish"))
    src.pipe(dst)


def _log_states(log: Log, streams: dict[str, Any]) -> None:
    for name, s in streams.items():
        log("state", name, s.destroyed, s.errored)


@scenario("compose/pipeline-success")
async def test_pipeline_success(log: Log) -> None:
    """scenario: pipeline(source, transform, transform, sink) success: callback once, every stream's flags."""
    src = ns.Readable(object_mode=True, high_water_mark=2, read=no_read)
    up = ns.Transform(object_mode=True, high_water_mark=2, transform=lambda s, c, e, cb: cb(None, c.upper()))

    def dup_t(s: Any, c: Any, e: Any, cb: Callback) -> None:
        s.push(c)
        cb(None, c)

    dup = ns.Transform(object_mode=True, high_water_mark=2, transform=dup_t)
    seen: list[Any] = []

    def write(s: Any, c: Any, e: Any, cb: Callback) -> None:
        seen.append(c)
        cb()

    sink = ns.Writable(object_mode=True, high_water_mark=2, write=write)
    streams = {"src": src, "up": up, "dup": dup, "sink": sink}
    for name, s in streams.items():
        s.on("close", lambda name=name: log("close", name))
    sink.on("finish", lambda: log("finish"))

    def callback(err: Any = None) -> None:
        log("callback", err)
        log("seen", seen)
        _log_states(log, streams)

    ret = ns.pipeline_cb(src, up, dup, sink, callback)
    log("ret-is-sink", ret is sink)
    for c in ["a", "b", "c"]:
        src.push(c)
    src.push(None)


@scenario("compose/pipeline-failure")
async def test_pipeline_failure(log: Log) -> None:
    """Port of test/parallel/test-stream-pipeline.js (a middle stream errors): all destroyed, callback errs."""
    src = ns.Readable(object_mode=True, high_water_mark=2, read=no_read)

    def t(s: Any, c: Any, e: Any, cb: Callback) -> None:
        if c == "boom":
            cb(RangeError("boom"))
        else:
            cb(None, c)

    bad = ns.Transform(object_mode=True, high_water_mark=2, transform=t)
    pt = ns.PassThrough(object_mode=True, high_water_mark=2)

    def write(s: Any, c: Any, e: Any, cb: Callback) -> None:
        log("write", c)
        cb()

    sink = ns.Writable(object_mode=True, high_water_mark=2, write=write)
    streams = {"src": src, "bad": bad, "pt": pt, "sink": sink}
    for name, s in streams.items():
        s.on("close", lambda name=name: log("close", name))
        s.on("error", lambda err, name=name: log("error", name, err))

    def callback(err: Any = None) -> None:
        log("callback", err)
        _log_states(log, streams)

    ns.pipeline_cb(src, bad, pt, sink, callback)
    src.push("a")
    await settle()
    src.push("boom")


@scenario("compose/pipeline-source-destroyed")
async def test_pipeline_source_destroyed(log: Log) -> None:
    """Port of test/parallel/test-stream-pipeline.js (source destroyed without error): premature close."""
    src = ns.Readable(high_water_mark=16, read=no_read)
    pt = ns.PassThrough(high_water_mark=16)

    def write(s: Any, c: Any, e: Any, cb: Callback) -> None:
        log("write", c)
        cb()

    sink = ns.Writable(high_water_mark=16, write=write)
    streams = {"src": src, "pt": pt, "sink": sink}
    for name, s in streams.items():
        s.on("close", lambda name=name: log("close", name))

    def callback(err: Any = None) -> None:
        log("callback", err)
        _log_states(log, streams)

    ns.pipeline_cb(src, pt, sink, callback)
    src.push("x")
    await settle()
    src.destroy()


@scenario("compose/pipeline-sink-error")
async def test_pipeline_sink_error(log: Log) -> None:
    """Port of test/parallel/test-stream-pipeline.js (the destination fails): the source is destroyed too."""
    n = 0

    def read(s: Any, size: Any) -> None:
        nonlocal n
        if n < 5:
            s.push(str(n))
            n += 1
        else:
            s.push(None)

    src = ns.Readable(high_water_mark=4, read=read)

    def write(s: Any, c: Any, e: Any, cb: Callback) -> None:
        log("write", c)
        if c == b"2":
            cb(TypeError("nope"))
        else:
            cb()

    sink = ns.Writable(high_water_mark=4, write=write)
    src.on("close", lambda: log("close", "src", src.destroyed, src.readable_ended))
    sink.on("close", lambda: log("close", "sink"))

    def callback(err: Any = None) -> None:
        log("callback", err)
        log("state", src.destroyed, src.errored, sink.destroyed, sink.errored)

    ns.pipeline_cb(src, sink, callback)


@scenario("compose/pipeline-async-stages")
async def test_pipeline_async_stages(log: Log) -> None:
    """Port of test/parallel/test-stream-pipeline-async-iterator.js: async generator source, stage, consumer."""

    async def source() -> AsyncIterator[str]:
        for c in ["a", "b", "c"]:
            yield c

    async def upper(src: AsyncIterator[str]) -> AsyncIterator[str]:
        async for c in src:
            yield c.upper()

    async def consume(src: AsyncIterator[str]) -> str:
        got = [c async for c in src]
        return "".join(got)

    pt = ns.PassThrough(object_mode=True, high_water_mark=2)

    def callback(err: Any = None, value: Any = None) -> None:
        log("callback", err, value)
        log("pt", pt.destroyed, pt.readable_ended)

    ns.pipeline_cb(source, upper, pt, consume, callback)


@scenario("compose/pipeline-async-stage-error")
async def test_pipeline_async_stage_error(log: Log) -> None:
    """Port of test/parallel/test-stream-pipeline.js (an async generator stage throws): error once."""
    src = ns.Readable(object_mode=True, high_water_mark=2, read=no_read)

    async def stage(s: AsyncIterator[int]) -> AsyncIterator[int]:
        async for c in s:
            if c == 3:
                raise RangeError("three")
            yield c

    def write(s: Any, c: Any, e: Any, cb: Callback) -> None:
        log("write", c)
        cb()

    sink = ns.Writable(object_mode=True, high_water_mark=2, write=write)
    src.on("close", lambda: log("close", "src"))
    sink.on("close", lambda: log("close", "sink"))
    calls = 0

    def callback(err: Any = None) -> None:
        nonlocal calls
        calls += 1
        log("callback", calls, err)
        log("state", src.destroyed, sink.destroyed, sink.errored)

    ns.pipeline_cb(src, stage, sink, callback)
    src.push(1)
    src.push(2)
    await settle()
    src.push(3)


@scenario("compose/pipeline-empty-string")
async def test_pipeline_empty_string(log: Log) -> None:
    """Port of test/parallel/test-stream-pipeline-with-empty-string.js: an empty string source succeeds."""
    pt = ns.PassThrough(object_mode=True, high_water_mark=2)
    got: list[Any] = []
    pt.on("data", got.append)
    await ns.pipeline([""], pt)
    log("done", got, pt.writable_finished)


@scenario("compose/finished-end")
async def test_finished_end(log: Log) -> None:
    """Port of test/parallel/test-stream-finished.js (readable end, writable finish): no error."""
    rs = ns.Readable(high_water_mark=16, read=no_read)
    ns.eos(rs, lambda err=None: log("readable-finished", err, rs.readable_ended))
    rs.on("end", lambda: log("end"))
    rs.resume()
    rs.push("x")
    rs.push(None)
    ws = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: cb())
    ns.eos(ws, lambda err=None: log("writable-finished", err, ws.writable_finished))
    ws.on("finish", lambda: log("finish"))
    ws.end("y")


@scenario("compose/finished-premature")
async def test_finished_premature(log: Log) -> None:
    """Port of test/parallel/test-stream-finished.js (premature close): ERR_STREAM_PREMATURE_CLOSE."""
    rs = ns.Readable(high_water_mark=16, read=no_read)
    ns.eos(rs, lambda err=None: log("readable", err))
    rs.push("x")
    ws = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: None)
    ns.eos(ws, lambda err=None: log("writable", err))
    ws.write("a")
    rs2 = ns.Readable(high_water_mark=16, read=no_read)
    ns.eos(rs2, lambda err=None: log("errored", err))
    await settle()
    rs.destroy()
    ws.destroy()
    rs2.destroy(RangeError("bad"))
    rs2.on("error", lambda err: log("rs2-error"))


@scenario("compose/finished-after-end")
async def test_finished_after_end(log: Log) -> None:
    """Port of test/parallel/test-stream-finished.js (finished on a closed stream; cleanup removes listeners)."""
    rs = ns.Readable(high_water_mark=16, read=no_read)
    rs.push(None)
    rs.resume()

    def on_close() -> None:
        log("close")
        ns.eos(rs, lambda err=None: log("late", err))
        rs2 = ns.Readable(high_water_mark=16, read=no_read)
        cleanup = ns.eos(rs2, lambda err=None: log("never"))
        log("listeners", rs2.listener_count("end"), rs2.listener_count("close"))
        cleanup()
        log("listeners", rs2.listener_count("end"), rs2.listener_count("close"))
        rs2.destroy()

    rs.on("close", on_close)


@scenario("compose/from-array")
async def test_from_array(log: Log) -> None:
    """Port of test/parallel/test-readable-from.js (arrays, sync generators): object mode, hwm 1, laziness."""
    r = ns.Readable.from_iterable(["a", "b", "c"])
    log("props", r.readable_object_mode, r.readable_high_water_mark)
    r.on("data", lambda c: log("data", c))
    r.on("end", lambda: log("end"))
    closed: list[bool] = []
    r.on("close", lambda: (log("close"), closed.append(True)))
    await settle()
    assert closed
    pulled = 0

    def gen() -> Iterator[int]:
        nonlocal pulled
        for i in range(10):
            pulled += 1
            yield i

    g = ns.Readable.from_iterable(gen(), high_water_mark=3)
    fired: list[bool] = []
    g.on("readable", lambda: (log("readable", pulled, g.readable_length), fired.append(True)))
    await settle()
    assert fired
    log("read", g.read(), pulled)
    g.destroy()
    g.on("close", lambda: log("g-close", pulled))


@scenario("compose/from-string")
async def test_from_string(log: Log) -> None:
    """Port of test/parallel/test-readable-from.js (strings and buffers): one chunk."""
    s = ns.Readable.from_iterable("hello")
    s.on("data", lambda c: log("str", c))

    def on_end() -> None:
        log("str-end")
        b = ns.Readable.from_iterable(b"bin")
        b.on("data", lambda c: log("buf", c))
        b.on("end", lambda: log("buf-end", b.readable_object_mode))

    s.on("end", on_end)


@scenario("compose/from-async-generator")
async def test_from_async_generator(log: Log) -> None:
    """Port of test/parallel/test-readable-from.js (async generators, early break): the finally runs."""

    async def gen() -> AsyncIterator[int]:
        try:
            for i in range(100):
                yield i
        finally:
            log("finally")

    got = []
    async for c in ns.Readable.from_iterable(gen()):
        got.append(c)
        if c == 2:
            break
    await settle()
    log("got", got)
    nulls = ns.Readable.from_iterable([1, None, 2])
    nulls.on("data", lambda c: log("null-data", c))
    nulls.on("error", lambda err: log("null-error", err))
    nulls.on("close", lambda: log("null-close", nulls.destroyed))


@scenario("compose/from-iterator-error")
async def test_from_iterator_error(log: Log) -> None:
    """Port of test/parallel/test-readable-from.js (an iterator that throws): destroyed with that error."""

    def gen() -> Iterator[int]:
        yield 1
        raise RangeError("gen failed")

    r = ns.Readable.from_iterable(gen())
    r.on("data", lambda c: log("data", c))
    r.on("error", lambda err: log("error", err))
    r.on("end", lambda: log("end"))
    r.on("close", lambda: log("close", r.destroyed, r.errored))


@scenario("compose/compose-basic")
async def test_compose_basic(log: Log) -> None:
    """Port of test/parallel/test-stream-compose.js: compose(Transform, async generator, Transform)."""

    async def times10(src: AsyncIterator[int]) -> AsyncIterator[int]:
        async for c in src:
            yield c * 10

    d = ns.compose(
        ns.Transform(object_mode=True, high_water_mark=2, transform=lambda s, c, e, cb: cb(None, c + 1)),
        times10,
        ns.Transform(object_mode=True, high_water_mark=2, transform=lambda s, c, e, cb: cb(None, str(c))),
    )
    log("sides", d.readable, d.writable, d.readable_object_mode, d.writable_object_mode)
    got: list[Any] = []
    d.on("data", got.append)
    d.on("end", lambda: log("end", got))
    d.on("finish", lambda: log("finish"))
    d.on("close", lambda: log("close"))
    d.write(1)
    d.write(2)
    d.end(3)


@scenario("compose/operators")
async def test_operators(log: Log) -> None:
    """Port of test/parallel/test-stream-map.js, -filter.js, -some-find-every.mjs, -reduce.js, -drop-take.js."""
    R = ns.Readable.from_iterable

    async def double(x: int) -> int:
        return x * 2

    log("map", await R([1, 2, 3, 4]).map(double).to_array())
    log("map-conc", await R([1, 2, 3, 4]).map(lambda x: x + 1, concurrency=2).to_array())
    log("filter", await R([1, 2, 3, 4]).filter(lambda x: x % 2 == 0).to_array())
    log("flatMap", await R([1, 2]).flat_map(lambda x: [x, x]).to_array())
    log("take", await R([1, 2, 3, 4]).take(2).to_array())
    log("drop", await R([1, 2, 3, 4]).drop(3).to_array())
    log("reduce", await R([1, 2, 3, 4]).reduce(lambda a, b: a + b, 10))
    log("reduce-no-init", await R([1, 2, 3, 4]).reduce(lambda a, b: a * b))
    try:
        await R([]).reduce(lambda a, b: a + b)
    except ns.NodeError as err:
        log("reduce-empty", err)
    log("some", await R([1, 2, 3]).some(lambda x: x > 2), await R([1]).some(lambda x: x > 2))
    log("every", await R([1, 2, 3]).every(lambda x: x > 0), await R([1, 2]).every(lambda x: x > 1))
    log("find", await R([1, 2, 3]).find(lambda x: x > 1), await R([1]).find(lambda x: x > 1))
    seen: list[int] = []
    await R([1, 2]).for_each(seen.append)
    log("forEach", seen)
    src = R([1, 2, 3, 4, 5])
    log("take-destroys", await src.take(1).to_array(), src.destroyed)
