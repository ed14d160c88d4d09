"""Python twins of tests/scenarios/stream_more/*.js: more of Node's stream tests, ported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import trio_nodestreams as ns

from ._golden import Log, scenario, set_immediate, settle


class Error(Exception):
    """JavaScript's ``new Error(message)``."""


def nothing(*_: Any) -> None:
    """JavaScript's ``() => {}``."""


def ok_write(stream: Any, chunk: Any, encoding: str, cb: Callable[..., object]) -> None:
    cb()


@scenario("stream_more/destroy-event-order")
async def test_destroy_event_order(log: Log) -> None:
    """Port of test/parallel/test-stream-destroy-event-order.js: 'error' before 'close', both deferred."""
    rs = ns.Readable(high_water_mark=16, read=nothing)
    rs.on("close", lambda: log("close", rs.destroyed, rs.closed, rs.errored))
    rs.on("error", lambda err: log("error", err, rs.destroyed, rs.closed))
    ns.next_tick(lambda: log("tick"))
    rs.destroy(Error("kaboom"))
    log("after destroy", rs.destroyed, rs.closed)


@scenario("stream_more/end-paused")
async def test_end_paused(log: Log) -> None:
    """Port of test/parallel/test-stream-end-paused.js: 'end' of a paused empty stream is not lost."""

    def read(stream: Any, n: int) -> None:
        log("_read", n)
        stream.push(None)

    stream = ns.Readable(high_water_mark=16, read=read)
    stream.on("data", lambda c: log("data (must not happen)", c))
    stream.pause()
    log("paused", stream.is_paused(), stream.readable_flowing)
    await settle()
    log("later", stream.readable_ended, stream.readable_length)
    stream.on("end", lambda: log("end"))
    stream.on("close", lambda: log("close"))
    stream.resume()


@scenario("stream_more/error-once")
async def test_error_once(log: Log) -> None:
    """Port of test/parallel/test-stream-error-once.js: repeated misuse emits 'error' once."""
    w = ns.Writable(high_water_mark=16, write=ok_write)
    w.on("error", lambda err: log("w error", err))
    w.on("close", lambda: log("w close"))
    w.end()
    log("w write", w.write("h", lambda err=None: log("w cb1", err)))
    log("w write", w.write("h", lambda err=None: log("w cb2", err)))

    r = ns.Readable(high_water_mark=16, read=nothing)
    r.on("error", lambda err: log("r error", err))
    r.on("close", lambda: log("r close"))
    r.push(None)
    log("r push", r.push("h"))
    log("r push", r.push("h"))


@scenario("stream_more/events-prepend")
async def test_events_prepend(log: Log) -> None:
    """Port of test/parallel/test-stream-events-prepend.js: pipe() emits 'pipe' on the destination."""

    class W(ns.Writable):
        def _write(self, chunk: Any, encoding: str, callback: Any) -> None:
            log("_write", chunk)
            callback()

    class R(ns.Readable):
        def _read(self, size: int) -> None:
            self.push("ab")
            self.push(None)

    w = W(high_water_mark=16)
    r = R(high_water_mark=16)
    w.on("pipe", lambda src: log("pipe", src is r))
    w.on("unpipe", lambda src, *_: log("unpipe", src is r))
    w.on("finish", lambda: log("finish"))
    r.on("end", lambda: log("end"))
    log("pipe returns dest", r.pipe(w) is w)


@scenario("stream_more/decoder-objectmode")
async def test_decoder_objectmode(log: Log) -> None:
    """Port of test/parallel/test-stream-decoder-objectmode.js: decoded chunks stay separate in object mode."""
    r = ns.Readable(read=nothing, encoding="utf16le", object_mode=True, high_water_mark=16)
    r.push("abc".encode("utf-16-le"))
    r.push("def".encode("utf-16-le"))
    r.push(None)
    log("length", r.readable_length)
    log("read", r.read())
    log("read", r.read())
    log("read", r.read())
    r.on("end", lambda: log("end"))


@scenario("stream_more/transform-callback-twice")
async def test_transform_callback_twice(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-callback-twice.js: ERR_MULTIPLE_CALLBACK."""

    def transform(stream: Any, chunk: Any, encoding: str, cb: Any) -> None:
        log("_transform", chunk)
        cb()
        cb()

    t = ns.Transform(high_water_mark=16, transform=transform)
    t.on("error", lambda err: log("error", err, t.destroyed))
    t.on("close", lambda: log("close"))
    log("write", t.write("foo", lambda err=None: log("write cb", err)))


@scenario("stream_more/resume-scheduled")
async def test_resume_scheduled(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-resumeScheduled.js: resume is deferred to the next tick."""
    r = ns.Readable(high_water_mark=16, read=nothing)
    w = ns.Writable(high_water_mark=16, write=ok_write)
    r.on("resume", lambda: log("A resume", r.readable_flowing))
    r.pipe(w)
    log("A piped", r.readable_flowing)
    ns.next_tick(lambda: log("A tick", r.readable_flowing))
    await settle()

    r2 = ns.Readable(high_water_mark=16, read=nothing)
    r2.push(bytes([1, 2, 3]))
    r2.on("resume", lambda: log("B resume"))
    r2.on("data", lambda c: log("B data", c, r2.readable_flowing))
    log("B listening", r2.readable_flowing)
    ns.next_tick(lambda: log("B tick"))
    await settle()

    r3 = ns.Readable(high_water_mark=16, read=nothing)
    r3.resume()
    log("C resumed", r3.readable_flowing, r3.is_paused())
    r3.on("resume", lambda: log("C resume"))
    ns.next_tick(lambda: log("C tick"))


@scenario("stream_more/auto-destroy")
async def test_auto_destroy(log: Log) -> None:
    """Port of test/parallel/test-stream-auto-destroy.js: 'close' follows 'end' / 'finish'."""

    def r_read(stream: Any, n: int) -> None:
        stream.push("hello")
        stream.push("world")
        stream.push(None)

    def destroy_as(name: str) -> Callable[..., None]:
        def destroy(stream: Any, err: Any, cb: Any) -> None:
            log(f"{name} _destroy", err)
            cb()

        return destroy

    r = ns.Readable(high_water_mark=16, auto_destroy=True, read=r_read, destroy=destroy_as("R"))
    r.resume()
    r.on("end", lambda: log("R end"))
    r.on("close", lambda: log("R close", r.destroyed))
    await settle()

    def w_write(stream: Any, data: Any, enc: str, cb: Any) -> None:
        log("W _write", data)
        cb(None)

    w = ns.Writable(high_water_mark=16, auto_destroy=True, write=w_write, destroy=destroy_as("W"))
    w.write("hello")
    w.write("world")
    w.end()
    w.on("finish", lambda: log("W finish"))
    w.on("close", lambda: log("W close", w.destroyed))
    await settle()

    t = ns.Transform(
        high_water_mark=16,
        auto_destroy=True,
        transform=lambda s, data, enc, cb: cb(None, data),
        destroy=destroy_as("T"),
    )
    t.write("hello")
    t.write("world")
    t.end()
    t.resume()
    t.on("end", lambda: log("T end"))
    t.on("finish", lambda: log("T finish"))
    t.on("close", lambda: log("T close"))


@scenario("stream_more/pipe-after-end")
async def test_pipe_after_end(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-after-end.js: piping an already-ended Readable ends the destination."""

    class TestReadable(ns.Readable):
        def __init__(self, name: str) -> None:
            super().__init__(high_water_mark=16)
            self.name = name
            self.calls = 0

        def _read(self, size: int) -> None:
            self.calls += 1
            log(self.name + " _read", self.calls)
            self.push(None)

    class TestWritable(ns.Writable):
        def __init__(self) -> None:
            super().__init__(high_water_mark=16)

        def _write(self, chunk: Any, encoding: str, callback: Any) -> None:
            log("_write", chunk)
            callback()

    ender = TestReadable("ender")
    piper = TestReadable("piper")
    log("piper read", piper.read())
    piper.on("end", lambda: log("piper end"))
    await settle()
    ender.on("end", lambda: log("ender end"))
    log("ender read", ender.read())
    w = TestWritable()
    w.on("finish", lambda: log("finish"))
    w.on("pipe", lambda src: log("pipe"))
    piper.pipe(w)
    log("piped")


@scenario("stream_more/pipe-cleanup-pause")
async def test_pipe_cleanup_pause(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-cleanup-pause.js: unpipe under back-pressure does not stall the next pipe."""
    reader = ns.Readable(high_water_mark=16, read=nothing)
    buffer = b"x" * 64
    counts = {"w1": 0, "w2": 0}

    def w1_write(stream: Any, chunk: bytes, encoding: str, cb: Any) -> None:
        counts["w1"] += 1
        log("w1 _write", len(chunk), counts["w1"])
        stream.emit("chunk-received")
        cb()

    def w2_write(stream: Any, chunk: bytes, encoding: str, cb: Any) -> None:
        counts["w2"] += 1
        log("w2 _write", len(chunk), counts["w2"], reader.is_paused())
        cb()

    writer1 = ns.Writable(high_water_mark=16, write=w1_write)
    writer2 = ns.Writable(high_water_mark=16, write=w2_write)

    def on_chunk() -> None:
        log("unpipe w1")
        reader.unpipe(writer1)
        reader.pipe(writer2)
        reader.push(buffer)
        set_immediate(lambda: (reader.push(buffer), set_immediate(reader.push, buffer)))

    writer1.once("chunk-received", on_chunk)
    reader.pipe(writer1)
    reader.push(buffer)


@scenario("stream_more/pipe-flow")
async def test_pipe_flow(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-flow.js: flow into an hwm-0 writable; 'drain' only under back-pressure."""
    ticks = [5]
    writes = [0]

    def read(stream: Any, n: int) -> None:
        ticks[0] -= 1
        if ticks[0] + 1 > 0:
            ns.next_tick(lambda: rs.push({}))
            return
        rs.push({})
        rs.push(None)

    def write(stream: Any, data: Any, enc: Any, cb: Any) -> None:
        writes[0] += 1
        set_immediate(cb)

    rs = ns.Readable(object_mode=True, high_water_mark=16, read=read)
    ws = ns.Writable(high_water_mark=0, object_mode=True, write=write)
    rs.on("end", lambda: log("A end", writes[0]))
    ws.on("finish", lambda: log("A finish", writes[0]))
    rs.pipe(ws)

    rs2 = ns.Readable(high_water_mark=16, read=nothing)
    pt = rs2.pipe(ns.PassThrough(object_mode=True, high_water_mark=2))
    log("B drain listeners", pt.listener_count("drain"))
    pt.on("finish", lambda: log("B finish drain listeners", pt.listener_count("drain")))
    rs2.push("asd")
    log("B drain listeners", pt.listener_count("drain"))

    def later() -> None:
        rs2.push("asd")
        log("B drain listeners", pt.listener_count("drain"))
        rs2.push(None)
        log("B drain listeners", pt.listener_count("drain"))

    ns.next_tick(later)


@scenario("stream_more/pipe-need-drain")
async def test_pipe_need_drain(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-needDrain.js: pipe() pauses while the destination needs drain."""

    def write(stream: Any, buf: bytes, encoding: str, cb: Any) -> None:
        log("_write", buf)
        ns.next_tick(cb)

    w = ns.Writable(high_water_mark=1, write=write)
    n = 0
    while w.write("asd"):
        n += 1
    log("writes before false", n, w.writable_need_drain, w.writable_length)
    w.on("drain", lambda: log("drain"))

    def read(stream: Any, size: int) -> None:
        stream.push("asd")
        stream.push(None)

    r = ns.Readable(high_water_mark=16, read=read)
    r.on("pause", lambda: log("pause"))
    r.on("resume", lambda: log("resume"))
    r.on("end", lambda: log("end"))
    w.on("finish", lambda: log("finish"))
    r.pipe(w)


@scenario("stream_more/pipe-same-destination-twice")
async def test_pipe_same_destination_twice(log: Log) -> None:
    """Port of test/parallel/test-stream-pipe-same-destination-twice.js: unpipe() removes one pipe at a time."""

    def logging(label: str) -> Callable[..., None]:
        def write(stream: Any, c: Any, e: str, cb: Any) -> None:
            log(label, c)
            cb()

        return write

    pt = ns.PassThrough(high_water_mark=16)
    dest = ns.Writable(high_water_mark=16, write=logging("A _write"))
    pt.pipe(dest)
    pt.pipe(dest)
    log("A data listeners", pt.listener_count("data"))
    pt.unpipe(dest)
    log("A data listeners", pt.listener_count("data"))
    pt.write("foobar")
    pt.pipe(dest)
    await settle()

    pt2 = ns.PassThrough(high_water_mark=16)
    dest2 = ns.Writable(high_water_mark=16, write=logging("B _write"))
    pt2.pipe(dest2)
    pt2.pipe(dest2)
    log("B data listeners", pt2.listener_count("data"))
    pt2.write("foobar")
    await settle()

    pt3 = ns.PassThrough(high_water_mark=16)
    dest3 = ns.Writable(high_water_mark=16, write=logging("C _write (must not happen)"))
    dest3.on("unpipe", lambda *_: log("C unpipe"))
    pt3.pipe(dest3)
    pt3.pipe(dest3)
    pt3.unpipe(dest3)
    pt3.unpipe(dest3)
    log("C data listeners", pt3.listener_count("data"), pt3.readable_flowing)
    pt3.write("foobar")
    log("C length", pt3.readable_length)


@scenario("stream_more/unpipe-event")
async def test_unpipe_event(log: Log) -> None:
    """Port of test/parallel/test-stream-unpipe-event.js: when 'unpipe' is and is not emitted."""

    def make(name: str, quick: bool, end: bool = True, unpipe: bool = False) -> Callable[[], None]:
        dest = ns.Writable(high_water_mark=16, write=ok_write)

        def read(stream: Any, n: int) -> None:
            if quick:
                stream.push(None)

        src = ns.Readable(high_water_mark=16, read=read)
        dest.on("pipe", lambda *_: log(name, "pipe"))
        dest.on("unpipe", lambda *_: log(name, "unpipe"))
        dest.on("finish", lambda: log(name, "finish"))
        src.pipe(dest, end=end)
        if unpipe:
            src.unpipe(dest)
        return lambda: log(name, "data listeners", src.listener_count("data"), dest.writable_ended)

    checks = [
        make("quick", True),
        make("never", False),
        make("never+unpipe", False, unpipe=True),
        make("quick end:false", True, end=False),
        make("never end:false", False, end=False),
        make("never end:false+unpipe", False, end=False, unpipe=True),
    ]
    await settle()
    for check in checks:
        check()


@scenario("stream_more/hwm-0-async")
async def test_hwm_0_async(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-hwm-0-async.js: hwm 0 keeps calling _read for async pushes."""
    count = [3]

    def read(stream: Any, n: int) -> None:
        log("_read", n)

        def later() -> None:
            count[0] -= 1
            if count[0] + 1:
                r.push("a")
            else:
                r.push(None)

        ns.next_tick(later)

    r = ns.Readable(read=read, high_water_mark=0)
    r.on("end", lambda: log("end"))
    r.on("data", lambda c: log("data", c))


@scenario("stream_more/no-unneeded-readable")
async def test_no_unneeded_readable(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-no-unneeded-readable.js: a 'readable'-driven wrapper still ends."""

    def test(name: str, r: Any) -> None:
        def read(stream: Any, n: int) -> None:
            data = r.read()
            if data:
                wrapper.push(data)
                return

            def on_readable() -> None:
                late = r.read()
                log(name, "late read", late)
                if late:
                    wrapper.push(late)

            r.once("readable", on_readable)

        wrapper = ns.Readable(high_water_mark=16, read=read)

        def on_end() -> None:
            log(name, "source end")
            wrapper.push(None)

        r.once("end", on_end)
        wrapper.on("data", lambda c: log(name, "data", c))
        wrapper.once("end", lambda: log(name, "wrapper end"))

    source = ns.Readable(high_water_mark=16, read=nothing)
    source.push("foo")
    source.push("bar")
    source.push(None)
    test("A", source.pipe(ns.PassThrough(high_water_mark=16)))
    await settle()

    chunks = ["foo", "bar"]

    def read_b(stream: Any, n: int) -> None:
        if chunks:
            stream.push(chunks.pop(0))
        else:
            ns.next_tick(lambda: stream.push(None))

    test("B", ns.Readable(high_water_mark=16, read=read_b))


@scenario("stream_more/object-multi-push-async")
async def test_object_multi_push_async(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-object-multi-push-async.js: batches pushed per async fetch."""

    def make(name: str, maximum: int, batch: int) -> ns.Readable:
        state = {"i": 0, "reads": 0}

        def read(stream: Any, n: int) -> None:
            state["reads"] += 1

            def fetched() -> None:
                data = []
                if state["i"] <= maximum:
                    top = state["i"] + batch
                    while state["i"] < top:
                        data.append(state["i"])
                        state["i"] += 1
                if not data:
                    stream.push(None)
                else:
                    for d in data:
                        stream.push(d)

            set_immediate(fetched)

        readable = ns.Readable(object_mode=True, high_water_mark=4, read=read)
        readable.on("end", lambda: log(name, "end", state["i"], state["reads"]))
        return readable

    r = make("readable", 7, 3)

    def on_readable() -> None:
        got = []
        while (d := r.read()) is not None:
            got.append(d)
        log("readable", "read", got)

    r.on("readable", on_readable)
    r2 = make("data", 7, 3)
    r2.on("data", lambda d: log("data", "data", d))

    r3 = ns.Readable(
        object_mode=True,
        high_water_mark=4,
        read=lambda s, n: log("null-first _read (must not happen)"),
    )
    r3.on("data", lambda *_: log("null-first data (must not happen)"))
    r3.push(None)
    ns.next_tick(lambda: log("null-first tick"))
    r3.on("end", lambda: log("null-first end"))


@scenario("stream_more/readable-readable")
async def test_readable_readable(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-readable.js: the readable property."""
    r = ns.Readable(high_water_mark=16, read=nothing)
    log("A readable", r.readable)
    r.destroy()
    log("A destroyed readable", r.readable)

    def read_b(stream: Any, n: int) -> None:
        ns.next_tick(lambda: stream.destroy(Error()))

    b = ns.Readable(high_water_mark=16, read=read_b)
    b.on("error", lambda err: log("B error", err, b.readable))
    b.on("close", lambda: log("B close", b.readable))
    b.resume()
    log("B readable", b.readable)

    c = ns.Readable(high_water_mark=16, read=nothing)
    c.on("end", lambda: log("C end", c.readable, c.readable_ended))
    c.push(None)
    log("C after push null", c.readable)
    c.resume()


@scenario("stream_more/resume-hwm")
async def test_resume_hwm(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-resume-hwm.js: resume() above the hwm schedules no _read."""
    readable = ns.Readable(read=lambda s, n: log("_read (must not happen)"), high_water_mark=100)
    for _ in range(10):
        readable.push("a" * 200)
    log("length", readable.readable_length)
    readable.resume()

    def on_data(c: bytes) -> None:
        log("data", len(c))
        readable.pause()

    readable.once("data", on_data)
    readable.on("pause", lambda: log("pause", readable.readable_length))


@scenario("stream_more/unimplemented-read")
async def test_unimplemented_read(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-with-unimplemented-_read.js: ERR_METHOD_NOT_IMPLEMENTED."""
    r = ns.Readable(high_water_mark=16)
    r.on("error", lambda err: log("error", err, r.destroyed))
    r.on("close", lambda: log("close"))
    log("read", r.read())


@scenario("stream_more/transform-hwm0")
async def test_transform_hwm0(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-hwm0.js: an hwm-0 object Transform."""

    def transform(stream: Any, chunk: Any, enc: str, callback: Any) -> None:
        log("_transform", chunk)
        ns.next_tick(lambda: callback(None, chunk))

    t = ns.Transform(object_mode=True, high_water_mark=0, transform=transform)
    log("write 1", t.write(1))

    def on_drain() -> None:
        log("drain")
        log("write 2", t.write(2))
        t.end()

    t.on("drain", on_drain)

    def on_readable() -> None:
        log("readable 1 read", t.read())

        def later() -> None:
            log("later read", t.read())
            t.once("readable", lambda: log("readable 2 read", t.read()))

        set_immediate(later)

    t.once("readable", on_readable)


@scenario("stream_more/transform-split-objectmode")
async def test_transform_split_objectmode(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-split-objectmode.js: object mode on one side only."""
    parser = ns.Transform(
        readable_object_mode=True,
        writable_high_water_mark=1024,
        transform=lambda s, chunk, enc, cb: cb(None, {"val": chunk[0]}),
    )
    log(
        "parser",
        parser.readable_object_mode,
        parser.writable_object_mode,
        parser.readable_high_water_mark,
        parser.writable_high_water_mark,
    )
    parser.on("data", lambda obj: log("parsed", obj))
    parser.end(bytes([42]))

    serializer = ns.Transform(
        writable_object_mode=True,
        readable_high_water_mark=1024,
        transform=lambda s, obj, enc, cb: cb(None, bytes([obj["val"]])),
    )
    log(
        "serializer",
        serializer.readable_object_mode,
        serializer.writable_object_mode,
        serializer.readable_high_water_mark,
        serializer.writable_high_water_mark,
    )
    serializer.on("data", lambda chunk: log("serialized", chunk))
    serializer.write({"val": 42})


@scenario("stream_more/writable-aborted")
async def test_writable_aborted(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-aborted.js: writable_aborted."""
    a = ns.Writable(high_water_mark=16, write=nothing)
    log("A", a.writable_aborted)
    a.destroy()
    log("A destroyed", a.writable_aborted)
    b = ns.Writable(high_water_mark=16, write=nothing)
    log("B", b.writable_aborted)
    b.end()
    b.destroy()
    log("B ended destroyed", b.writable_aborted)
    c = ns.Writable(high_water_mark=16, write=ok_write)
    c.end("x")
    c.on("finish", lambda: log("C finish", c.writable_aborted))
    c.on("close", lambda: log("C close", c.writable_aborted))


@scenario("stream_more/writable-clear-buffer")
async def test_writable_clear_buffer(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-clear-buffer.js: the buffer shrinks by one per callback."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Any) -> None:
        log("_write", chunk, w.writable_length)
        set_immediate(cb)

    w = ns.Writable(object_mode=True, high_water_mark=16, write=write)
    w.cork()
    for i in range(1, 6):
        w.write(
            i,
            lambda err=None, i=i: log("cb", i, w.writable_length, len(w.writable_buffer)),
        )
    log("corked length", w.writable_length, len(w.writable_buffer), w.writable_corked)
    w.end()
    log("after end", w.writable_corked, w.writable_length)
    w.on("finish", lambda: log("finish"))


@scenario("stream_more/writable-final-destroy")
async def test_writable_final_destroy(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-final-destroy.js: destroy() after end() skips 'finish'."""

    def final(stream: Any, callback: Any) -> None:
        log("_final")
        ns.next_tick(callback)

    w = ns.Writable(high_water_mark=16, write=ok_write, final=final)
    w.end()
    w.destroy()
    w.on("prefinish", lambda: log("prefinish (must not happen)"))
    w.on("finish", lambda: log("finish (must not happen)"))
    w.on("error", lambda err: log("error", err))
    w.on("close", lambda: log("close", w.writable_finished))


@scenario("stream_more/writable-finish-destroyed")
async def test_writable_finish_destroyed(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-finish-destroyed.js: no 'finish' after destroy()."""

    def write_a(stream: Any, chunk: Any, encoding: str, cb: Any) -> None:
        log("A _write", chunk)

        def on_close() -> None:
            log("A close, calling back")
            cb()

        stream.on("close", on_close)

    a = ns.Writable(high_water_mark=16, write=write_a)
    a.on("finish", lambda: log("A finish (must not happen)"))
    a.end("asd")
    a.destroy()
    await settle()

    def write_b(stream: Any, chunk: Any, encoding: str, cb: Any) -> None:
        log("B _write", chunk)

        def on_close() -> None:
            log("B close, calling back")
            cb()
            stream.end()

        stream.on("close", on_close)

    b = ns.Writable(high_water_mark=16, write=write_b)
    b.on("finish", lambda: log("B finish (must not happen)"))
    b.on("error", lambda err: log("B error", err))
    b.write("asd")
    b.destroy()
    await settle()

    c = ns.Writable(high_water_mark=16, write=nothing)
    c.on("finish", lambda: log("C finish (must not happen)"))
    c.on("close", lambda: log("C close"))
    c.end()
    c.destroy()


@scenario("stream_more/writable-state-ending")
async def test_writable_state_ending(log: Log) -> None:
    """Port of test/parallel/test-stream-writableState-ending.js: ended / finished through end()."""
    w: Any = None

    def states(label: str) -> None:
        log(label, w.writable_ended, w.writable_finished, w.writable)

    def write(stream: Any, chunk: Any, encoding: str, cb: Any) -> None:
        states("_write")
        cb()

    w = ns.Writable(high_water_mark=16, write=write)
    w.on("finish", lambda: states("finish"))
    result = w.end("testing function end()", lambda err=None: states("end cb"))
    log("end returns this", result is w)
    states("after end")


@scenario("stream_more/empty-buffer-no-eof")
async def test_empty_buffer_no_eof(log: Log) -> None:
    """Port of test/parallel/test-stream2-readable-empty-buffer-no-eof.js: an empty push is not EOF."""
    buf = b"x" * 5
    reads = [5]

    def read_a(stream: Any, n: int) -> None:
        log("A _read", reads[0])
        k = reads[0]
        reads[0] -= 1
        if k == 5:
            set_immediate(r.push, buf)
        elif k == 4:
            set_immediate(r.push, b"")
            set_immediate(r.read, 0)
        elif k == 3:
            set_immediate(r.read, 0)
            ns.next_tick(r.push, b"")
        elif k == 2:
            set_immediate(r.read, 0)
            r.push(b"")
        elif k == 1:
            r.push(buf)
        elif k == 0:
            r.push(None)

    r = ns.Readable(high_water_mark=16, read=read_a)

    def flow_a() -> None:
        while (chunk := r.read()) is not None:
            log("A chunk", chunk.decode())

    r.on("readable", flow_a)
    r.on("end", lambda: log("A EOF"))
    flow_a()

    reads_b = [5]

    def read_b(stream: Any, n: int) -> None:
        k = reads_b[0]
        reads_b[0] -= 1
        if not k:
            stream.push(None)
        else:
            stream.push(b"x")

    rb = ns.Readable(encoding="base64", high_water_mark=16, read=read_b)

    def flow_b() -> None:
        while (chunk := rb.read()) is not None:
            log("B chunk", chunk)

    rb.on("readable", flow_b)
    rb.on("end", lambda: log("B EOF"))
    flow_b()


@scenario("stream_more/duplex-writable-finished")
async def test_duplex_writable_finished(log: Log) -> None:
    """Port of test/parallel/test-stream-duplex-writable-finished.js: writable_finished on a Duplex."""
    d: Any = None

    def write(stream: Any, chunk: Any, encoding: str, cb: Any) -> None:
        log("_write", chunk, d.writable_finished)
        cb()

    d = ns.Duplex(high_water_mark=16, read=nothing, write=write)
    d.on("finish", lambda: log("finish", d.writable_finished))
    d.end("testing finished state", lambda err=None: log("end cb", d.writable_finished))
    log("after end", d.writable_finished, d.writable_ended)


@scenario("stream_more/decode-partial")
async def test_decode_partial(log: Log) -> None:
    """Port of test/parallel/test-stream2-decode-partial.js: split multi-byte characters decode whole."""
    source = bytes([0xE2, 0x82, 0xAC, 0xC2, 0xA2])
    r = ns.Readable(encoding="utf8", high_water_mark=16, read=nothing)
    r.push(source[0:2])
    log("length", r.readable_length)
    r.push(source[2:4])
    log("length", r.readable_length)
    r.push(source[4:6])
    log("length", r.readable_length)
    r.push(None)
    r.on("data", lambda d: log("data", d))
    r.on("end", lambda: log("end"))


@scenario("stream_more/cork-uncork")
async def test_cork_uncork(log: Log) -> None:
    """Port of test/parallel/test-stream3-cork-uncork.js: corked writes reach _writev together."""

    def write(stream: Any, chunk: Any, enc: str, cb: Any) -> None:
        log("_write", chunk, enc)
        cb()

    def writev(stream: Any, chunks: list[tuple[Any, str]], cb: Any) -> None:
        log("_writev", [[c, e] for c, e in chunks])
        cb()

    w = ns.Writable(high_water_mark=1024, decode_strings=False, write=write, writev=writev)
    w.on("finish", lambda: log("finish"))
    w.cork()
    w.write("a")
    w.write(b"b")
    w.write("c", "latin1")
    log("corked", w.writable_corked, w.writable_length)
    await settle()
    log("nothing written yet")
    w.uncork()
    log("uncorked", w.writable_corked, w.writable_length)
    w.write("d")
    await settle()
    w.cork()
    w.cork()
    w.write("e")
    w.write("f")
    w.uncork()
    log("one uncork", w.writable_corked, w.writable_length)

    def later() -> None:
        log("tick")
        w.uncork()
        log("both uncorked", w.writable_corked)
        w.end()

    ns.next_tick(later)


@scenario("stream_more/cork-end")
async def test_cork_end(log: Log) -> None:
    """Port of test/parallel/test-stream3-cork-end.js: end() flushes the corked buffer through _writev."""

    def write(stream: Any, chunk: Any, enc: str, cb: Any) -> None:
        log("_write", chunk)
        cb()

    def writev(stream: Any, chunks: list[tuple[Any, str]], cb: Any) -> None:
        log("_writev", [c for c, _ in chunks])
        cb()

    w = ns.Writable(high_water_mark=1024, write=write, writev=writev)
    w.on("finish", lambda: log("finish"))
    w.cork()
    w.write("a")
    w.write("b")
    await settle()
    log("still corked", w.writable_corked, w.writable_length)
    w.end("c", lambda err=None: log("end cb"))
    log("after end", w.writable_corked, w.writable_length)


@scenario("stream_more/unpipe-drain")
async def test_unpipe_drain(log: Log) -> None:
    """Port of test/parallel/test-stream2-unpipe-drain.js: unpipe while the destination needs drain."""
    pending: list[Any] = []

    def write(stream: Any, chunk: bytes, enc: str, cb: Any) -> None:
        log("_write", len(chunk))
        pending.append(cb)

    dest = ns.Writable(high_water_mark=4, write=write)
    reads = [0]

    def read(stream: Any, n: int) -> None:
        reads[0] += 1
        log("_read", reads[0])
        if reads[0] <= 3:
            stream.push(bytes([reads[0]]) * 8)

    src = ns.Readable(high_water_mark=8, read=read)
    src.on("pause", lambda: log("pause", dest.writable_need_drain))
    dest.on("unpipe", lambda *_: log("unpipe"))
    src.pipe(dest)
    await settle()
    log("unpiping", src.readable_length, dest.writable_length)
    src.unpipe(dest)
    cbs, pending[:] = list(pending), []
    for cb in cbs:
        cb()
    await settle()
    log("flowing", src.readable_flowing, src.readable_length)
    log("read", src.read(4))


@scenario("stream_more/pause-then-read")
async def test_pause_then_read(log: Log) -> None:
    """Port of test/parallel/test-stream3-pause-then-read.js (condensed): flowing and paused reads keep order."""
    n = [0]

    def read(stream: Any, size: int) -> None:
        n[0] += 1
        if n[0] <= 10:
            stream.push(bytes([ord("a") + n[0] - 1]) * 9)
        else:
            stream.push(None)

    r = ns.Readable(high_water_mark=20, read=read)
    r.on("end", lambda: log("end"))
    log("read 5", r.read(5))
    log("read 0", r.read(0))
    await settle()
    log("read 13", r.read(13))

    def on_data(c: bytes) -> None:
        log("data", c)
        r.pause()
        log("paused read 7", r.read(7), r.readable_flowing)

        def later() -> None:
            def on_readable() -> None:
                got = []
                while (chunk := r.read(10)) is not None:
                    got.append(chunk)
                log("read 10s", got)
                r.resume()
                r.on("data", lambda d: log("flow", d))

            r.once("readable", on_readable)
            r.read(0)

        set_immediate(later)

    r.once("data", on_data)


@scenario("stream_more/readable-setencoding-then-unshift")
async def test_readable_setencoding_then_unshift(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-unshift.js (string onto a decoding stream)."""
    r = ns.Readable(high_water_mark=64, encoding="utf8", read=nothing)
    r.push("wörld".encode())
    log("length", r.readable_length)
    r.unshift("héllo ")
    log("length", r.readable_length)
    r.unshift(b">")
    log("length", r.readable_length)
    log("read", r.read())
    r.push(None)
    r.on("end", lambda: log("end"))
    r.read()


@scenario("stream_more/listener-arity")
async def test_listener_arity(log: Log) -> None:
    """Listeners and callbacks taking fewer arguments than the event carries get the first ones."""
    src = ns.Readable(read=nothing)

    def write(s: Any, c: Any, e: Any, cb: Any) -> None:
        log("write", c)
        cb()

    dst = ns.Writable(write=write)
    dst.on("pipe", lambda s: log("pipe", s is src))
    dst.on("unpipe", lambda s: log("unpipe", s is src))
    dst.on("unpipe", lambda: log("unpipe no args"))
    src.on("data", lambda: log("data no args"))
    src.pipe(dst)
    src.push(b"a")

    def step1() -> None:
        src.unpipe(dst)
        ns.eos(dst, lambda: log("finished no args"))
        ns.eos(dst, lambda err: log("finished err", err))
        dst.end()
        set_immediate(step2)

    def step2() -> None:
        def w_write(s: Any, c: Any, e: Any, cb: Any) -> None:
            log("w", c)
            cb()

        w = ns.Writable(object_mode=True, write=w_write)
        ns.pipeline_cb(ns.Readable.from_iterable(["x", "y"]), w, lambda err: log("pipeline err", err))
        set_immediate(step3)

    def step3() -> None:
        sink = ns.Writable(object_mode=True, write=ok_write)
        ns.pipeline_cb(ns.Readable.from_iterable(["z"]), sink, lambda: log("pipeline no args"))
        set_immediate(step4)

    def step4() -> None:
        bad = ns.Readable(read=lambda s, n: s.destroy(Error("bad")))
        ns.eos(bad, lambda: log("finished no args on error"))
        ns.eos(bad, lambda err: log("finished err on error", err))
        bad.on("error", lambda: log("error no args"))
        bad.resume()

    set_immediate(step1)
