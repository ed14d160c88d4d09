"""Twins of tests/scenarios/writable: Writable against Node's golden logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import trio_nodestreams as ns

from ._golden import Log, scenario, settle

Callback = Callable[..., Any]


class Error(Exception):
    """Stands for JavaScript's ``Error`` (logged with name ``Error``)."""


def held(log: Log, pending: list[Callback], *, label: str = "_write", with_length: bool = False,
         with_encoding: bool = True) -> Callable[..., None]:
    """A _write that logs its chunk and keeps its callback in ``pending``."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        parts: list[Any] = [label, chunk]
        if with_encoding:
            parts.append(encoding)
        if with_length:
            parts.append(stream.writable_length)
        log(*parts)
        pending.append(cb)

    return write


@scenario("writable/write-return-bytes")
async def test_write_return_bytes(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-needdrain-state.js and test-stream2-writable.js."""
    pending: list[Callback] = []
    w = ns.Writable(high_water_mark=5, write=held(log, pending, with_length=True))
    w.on("drain", lambda: log("drain", w.writable_length, w.writable_need_drain))
    log("write", w.write(b"ab"), w.writable_length, w.writable_need_drain)
    log("write", w.write(b"cd"), w.writable_length, w.writable_need_drain)
    log("write", w.write(b"e"), w.writable_length, w.writable_need_drain)
    log("write", w.write(b"fgh"), w.writable_length, w.writable_need_drain)
    await settle()
    while pending:
        pending.pop(0)()
        log("called back", w.writable_length, w.writable_need_drain)
        await settle()
    log("write", w.write(b"12345"), w.writable_length, w.writable_need_drain)
    await settle()
    pending.pop(0)()
    await settle()
    log("done", w.writable_length, w.writable_need_drain)


@scenario("writable/write-return-strings")
async def test_write_return_strings(log: Log) -> None:
    """Port of test/parallel/test-stream2-writable.js: strings count their encoded bytes."""
    pending: list[Callback] = []
    w = ns.Writable(high_water_mark=6, write=held(log, pending))
    log("write", w.write("h\u00e9"), w.writable_length)
    log("write", w.write("\u20ac"), w.writable_length)
    log("write", w.write("ff", "hex"), w.writable_length)
    log("write", w.write("aGk=", "base64"), w.writable_length)
    log("needDrain", w.writable_need_drain)
    w.on("drain", lambda: log("drain", w.writable_length))
    await settle()
    while pending:
        pending.pop(0)()
        await settle()
    log("done", w.writable_length)


@scenario("writable/write-return-objectmode")
async def test_write_return_objectmode(log: Log) -> None:
    """Port of test/parallel/test-stream2-writable.js (objectMode): highWaterMark counts objects."""
    pending: list[Callback] = []
    w = ns.Writable(object_mode=True, high_water_mark=2, write=held(log, pending))
    w.on("drain", lambda: log("drain", w.writable_length))
    log("props", w.writable_object_mode, w.writable_high_water_mark)
    log("write", w.write({"a": 1}), w.writable_length)
    log("write", w.write("a long string that is not one byte"), w.writable_length)
    log("write", w.write(0), w.writable_length)
    log("write", w.write(False), w.writable_length)
    log("write", w.write([1, 2]), w.writable_length)
    await settle()
    while pending:
        pending.pop(0)()
        log("called back", w.writable_length)
        await settle()


@scenario("writable/sync-write-drain-order")
async def test_sync_write_drain_order(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-samecb-singletick.js and test-stream-write-drain.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    w = ns.Writable(high_water_mark=3, write=write)
    w.on("drain", lambda: log("drain", w.writable_length))
    log("write", w.write(b"abc", callback=lambda err=None: log("cb", 1)), w.writable_length)
    log("write", w.write(b"de", callback=lambda err=None: log("cb", 2)), w.writable_length)
    log("write", w.write(b"fghij", callback=lambda err=None: log("cb", 3)), w.writable_length)
    log("sync part over", w.writable_need_drain)
    ns.next_tick(lambda: log("nextTick queued after writes"))
    await settle()
    log("step")
    w.cork()
    log("write", w.write(b"xy", callback=lambda err=None: log("cb", 4)), w.writable_length)
    log("write", w.write(b"z", callback=lambda err=None: log("cb", 5)), w.writable_length)
    log("write", w.write(b"w", callback=lambda err=None: log("cb", 6)), w.writable_length,
        w.writable_need_drain)
    w.uncork()
    log("uncorked", w.writable_length, w.writable_need_drain)
    await settle()
    log("done", w.writable_need_drain)


@scenario("writable/async-write-drain-order")
async def test_async_write_drain_order(log: Log) -> None:
    """Port of test/parallel/test-stream2-writable.js (write callbacks in order, drain)."""
    pending: list[Callback] = []
    w = ns.Writable(high_water_mark=2, write=held(log, pending, with_encoding=False))
    w.on("drain", lambda: log("drain"))
    log("write", w.write(b"a", callback=lambda err=None: log("cb", "a")))
    log("write", w.write(b"b", callback=lambda err=None: log("cb", "b")))
    log("write", w.write(b"c", callback=lambda err=None: log("cb", "c")))
    await settle()
    while pending:
        log("release")
        pending.pop(0)()
        log("released")
        await settle()


@scenario("writable/writable-length-pending")
async def test_writable_length_pending(log: Log) -> None:
    """Port of test/parallel/test-stream-writableState-uncorked-bufferedRequestCount.js (accounting)."""
    pending: list[Callback] = []
    w = ns.Writable(high_water_mark=100,
                    write=held(log, pending, with_encoding=False, with_length=True))
    w.write("aaa")
    log("length", w.writable_length)
    w.write("bb")
    log("length", w.writable_length)
    w.write("c")
    log("length", w.writable_length)
    await settle()
    log("length", w.writable_length)
    while pending:
        pending.pop(0)()
        log("length", w.writable_length)
        await settle()
    w.end()
    await settle()
    log("end", w.writable_length, w.writable_finished)


@scenario("writable/end-chunk-callback")
async def test_end_chunk_callback(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-end-cb-error.js and test-stream-writable-finished.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        ns.next_tick(cb)

    w = ns.Writable(high_water_mark=16, write=write)
    w.on("prefinish", lambda: log("prefinish"))
    w.on("finish", lambda: log("finish", w.writable_finished))
    w.on("close", lambda: log("close", w.closed, w.destroyed))
    log("write", w.write("a", callback=lambda err=None: log("write cb")))
    r = w.end("b", callback=lambda err=None: log("end cb", w.writable_finished))
    log("end returned self", r is w, w.writable_ended, w.writable_finished, w.writable)


@scenario("writable/end-callback-only")
async def test_end_callback_only(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-end-multiple.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        cb()

    w = ns.Writable(high_water_mark=16, write=write)
    w.on("finish", lambda: log("finish"))
    w.on("close", lambda: log("close"))
    w.on("error", lambda e: log("error", e))
    w.end(callback=lambda err=None: log("end cb 1"))
    w.end(callback=lambda err=None: log("end cb 2", err))
    log("sync over")
    await settle()
    w.end(callback=lambda err=None: log("end cb 3", err))
    log("after third end")


@scenario("writable/final-sync")
async def test_final_sync(log: Log) -> None:
    """Port of test/parallel/test-stream-write-final.js and test-stream-transform-final-sync.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    def final(stream: Any, cb: Callback) -> None:
        log("_final", stream.writable_ended, stream.writable_finished)
        cb()
        log("_final returned")

    w = ns.Writable(high_water_mark=16, write=write, final=final)
    w.on("prefinish", lambda: log("prefinish"))
    w.on("finish", lambda: log("finish", w.writable_finished))
    w.on("close", lambda: log("close"))
    w.write("x")
    w.end(callback=lambda err=None: log("end cb"))
    log("sync over")


@scenario("writable/final-delayed")
async def test_final_delayed(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-final-async.js."""
    final_cb: list[Callback] = []

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    def final(stream: Any, cb: Callback) -> None:
        log("_final")
        final_cb.append(cb)

    w = ns.Writable(high_water_mark=16, write=write, final=final)
    w.on("prefinish", lambda: log("prefinish"))
    w.on("finish", lambda: log("finish"))
    w.on("close", lambda: log("close"))
    w.end("x")
    await settle()
    await settle()
    log("before final cb", w.writable_ended, w.writable_finished)
    final_cb[0]()
    log("after final cb", w.writable_finished)


@scenario("writable/final-error")
async def test_final_error(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-final-throw.js / test-stream-write-final.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        cb()

    def final(stream: Any, cb: Callback) -> None:
        log("_final")
        ns.next_tick(cb, Error("final failed"))

    w = ns.Writable(high_water_mark=16, write=write, final=final)
    w.on("prefinish", lambda: log("prefinish"))
    w.on("finish", lambda: log("finish"))
    w.on("error", lambda e: log("error", e, w.errored is e, w.destroyed))
    w.on("close", lambda: log("close", w.writable_finished))
    w.end("x", callback=lambda err=None: log("end cb", err))


@scenario("writable/write-after-end")
async def test_write_after_end(log: Log) -> None:
    """Port of test/parallel/test-stream2-writable.js (write after end) and
    test-stream-writable-write-error.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    w = ns.Writable(high_water_mark=16, write=write)
    w.on("finish", lambda: log("finish"))
    w.on("error", lambda e: log("error", e))
    w.on("close", lambda: log("close"))
    w.end("a")
    ret = w.write("b", callback=lambda err=None: log("write cb", err))
    log("write returned", ret, w.destroyed)


@scenario("writable/write-null-invalid")
async def test_write_null_invalid(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-null.js and test-stream-writable-invalid-chunk.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    w = ns.Writable(high_water_mark=16, write=write)
    w.on("error", lambda e: log("error", e))
    for chunk in [None, 123, {}, True]:
        try:
            w.write(chunk)
            log("no throw")
        except ns.NodeError as e:
            log("throw", e)

    def write_obj(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write obj", chunk)
        cb()

    o = ns.Writable(object_mode=True, high_water_mark=2, write=write_obj)
    try:
        o.write(None)
    except ns.NodeError as e:
        log("objectMode throw", e)
    log("objectMode write 0", o.write(0))
    await settle()
    log("still writable", w.writable, w.destroyed)
    w.end("ok")


@scenario("writable/callback-twice")
async def test_callback_twice(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-write-cb-twice.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        cb()
        cb()

    w = ns.Writable(high_water_mark=16, write=write)
    w.on("error", lambda e: log("error", e, w.destroyed))
    w.on("close", lambda: log("close"))
    w.write("asd", callback=lambda err=None: log("write cb"))
    log("sync over")


@scenario("writable/not-implemented")
async def test_not_implemented(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-constructor-set-methods.js."""
    w = ns.Writable(high_water_mark=16)
    try:
        w.end(b"blerg")
        log("no throw")
    except ns.NodeError as e:
        log("throw", e)

    def writev(stream: Any, chunks: list[tuple[Any, str]], cb: Callback) -> None:
        log("_writev", [[c, e] for c, e in chunks])
        cb()

    v = ns.Writable(high_water_mark=16, writev=writev)
    v.on("finish", lambda: log("finish"))
    v.write("a")
    v.cork()
    v.write("b")
    v.write("c")
    v.end()


def logging_write(log: Log) -> Callable[..., None]:
    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk, encoding)
        cb()

    return write


def logging_writev(log: Log) -> Callable[..., None]:
    def writev(stream: Any, chunks: list[tuple[Any, str]], cb: Callback) -> None:
        log("_writev", [[c, e] for c, e in chunks])
        cb()

    return writev


@scenario("writable/cork-writev")
async def test_cork_writev(log: Log) -> None:
    """Port of test/parallel/test-stream-writev.js (decode=false) and
    test-stream-writableState-uncorked-bufferedRequestCount.js."""
    w = ns.Writable(high_water_mark=100, decode_strings=False, write=logging_write(log),
                    writev=logging_writev(log))
    w.on("finish", lambda: log("finish"))
    w.cork()
    w.cork()
    log("corked", w.writable_corked)
    w.write("hello, ", "ascii", lambda err=None: log("cb", 1))
    w.write("world", "utf8", lambda err=None: log("cb", 2))
    w.write(b"!", callback=lambda err=None: log("cb", 3))
    log("buffered", w.writable_length, w.writable_corked)
    w.uncork()
    log("after first uncork", w.writable_corked, w.writable_length)
    await settle()
    log("still corked", w.writable_length)
    w.uncork()
    log("after second uncork", w.writable_corked, w.writable_length)
    w.uncork()
    log("extra uncork", w.writable_corked)
    await settle()
    w.write("single", callback=lambda err=None: log("cb", 4))
    await settle()
    w.cork()
    w.write("\nand then...", "latin1", lambda err=None: log("cb", 5))
    w.write("facebea7deadbeefdecafbad", "hex", lambda err=None: log("cb", 6))
    ns.next_tick(w.uncork)
    await settle()
    w.end()


@scenario("writable/cork-writev-decoded")
async def test_cork_writev_decoded(log: Log) -> None:
    """Port of test/parallel/test-stream-writev.js (decode=true)."""
    w = ns.Writable(high_water_mark=100, write=logging_write(log), writev=logging_writev(log))
    w.cork()
    w.write("hello, ", "ascii", lambda err=None: log("cb", 1))
    w.write("world", "utf8", lambda err=None: log("cb", 2))
    w.write(b"!", callback=lambda err=None: log("cb", 3))
    w.write("\nand then...", "latin1", lambda err=None: log("cb", 4))
    w.write("facebea7deadbeefdecafbad", "hex", lambda err=None: log("cb", 5))
    w.uncork()
    log("uncorked")
    w.end(callback=lambda err=None: log("end cb"))


@scenario("writable/cork-no-writev")
async def test_cork_no_writev(log: Log) -> None:
    """Port of test/parallel/test-stream-writableState-uncorked-bufferedRequestCount.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk, stream.writable_length)
        ns.next_tick(cb)

    w = ns.Writable(high_water_mark=100, write=write)
    w.cork()
    w.write("a", callback=lambda err=None: log("cb a"))
    w.write("b", callback=lambda err=None: log("cb b"))
    w.write("c", callback=lambda err=None: log("cb c"))
    log("corked length", w.writable_length)
    w.uncork()
    log("uncorked", w.writable_length)
    await settle()
    log("drained", w.writable_length)


@scenario("writable/cork-end")
async def test_cork_end(log: Log) -> None:
    """Port of test/parallel/test-stream-writev.js (end while corked) and
    test-stream-writable-write-writev-finish.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    def writev(stream: Any, chunks: list[tuple[Any, str]], cb: Callback) -> None:
        log("_writev", [c for c, _ in chunks], stream.writable_corked)
        cb()

    w = ns.Writable(high_water_mark=100, write=write, writev=writev)
    w.on("finish", lambda: log("finish", w.writable_corked))
    w.cork()
    w.cork()
    w.write("a")
    w.write("b")
    w.end("c", callback=lambda err=None: log("end cb"))
    log("after end", w.writable_corked, w.writable_length)


@scenario("writable/decode-strings-false")
async def test_decode_strings_false(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-decoded-encoding.js."""
    for decode_strings in [False, True]:

        def write(stream: Any, chunk: Any, encoding: Any, cb: Callback, d: bool = decode_strings) -> None:
            log("_write", d, isinstance(chunk, bytes | bytearray | memoryview), chunk, encoding)
            cb()

        w = ns.Writable(high_water_mark=100, decode_strings=decode_strings, write=write)
        w.write("some-text", "utf8")
        w.write("plain")
        w.write("caf\u00e9", "latin1")
        w.write("6869", "hex")
        w.write("aGk=", "base64")
        w.write(b"buf")
        w.write("ucs", "utf16le")
        try:
            w.write("x", "no-such-encoding")
        except ns.NodeError as e:
            log("throw", e)
        await settle()


@scenario("writable/set-default-encoding")
async def test_set_default_encoding(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-change-default-encoding.js."""
    for decode_strings in [True, False]:

        def write(stream: Any, chunk: Any, encoding: Any, cb: Callback, d: bool = decode_strings) -> None:
            log("_write", d, chunk, encoding)
            cb()

        w = ns.Writable(high_water_mark=100, decode_strings=decode_strings, write=write)
        w.write("\u00e9")
        log("returns self", w.set_default_encoding("latin1") is w)
        w.write("\u00e9")
        w.write("\u00e9", "utf8")
        try:
            w.set_default_encoding("bogus")
        except ns.NodeError as e:
            log("throw", e)
        w.write("\u00e9")
        await settle()

    def write_default(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write default option", chunk, encoding)
        cb()

    d = ns.Writable(high_water_mark=100, default_encoding="hex", write=write_default)
    d.write("abcd")


@scenario("writable/destroy-pending")
async def test_destroy_pending(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-destroy.js and test-stream-write-destroy.js."""
    pending: list[Callback] = []
    w = ns.Writable(high_water_mark=100, write=held(log, pending, with_encoding=False))
    w.on("error", lambda e: log("error", e, w.destroyed, w.errored is e))
    w.on("close", lambda: log("close", w.closed))
    w.on("finish", lambda: log("finish"))
    w.write("a", callback=lambda err=None: log("cb a", err))
    w.write("b", callback=lambda err=None: log("cb b", err))
    w.write("c", callback=lambda err=None: log("cb c", err))
    w.destroy(Error("boom"))
    log("destroyed", w.destroyed, w.writable, w.writable_length)
    await settle()
    log("release in-flight")
    pending.pop(0)()
    await settle()
    log("write after destroy", w.write("d", callback=lambda err=None: log("cb d", err)))
    await settle()
    log("pending writes", len(pending))


@scenario("writable/destroy-no-error")
async def test_destroy_no_error(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-destroy.js (destroy() without an error)."""
    pending: list[Callback] = []
    w = ns.Writable(high_water_mark=100, write=held(log, pending, with_encoding=False))
    w.on("error", lambda e: log("error", e))
    w.on("close", lambda: log("close", w.errored))
    w.on("finish", lambda: log("finish"))
    w.write("a", callback=lambda err=None: log("cb a", err))
    w.write("b", callback=lambda err=None: log("cb b", err))
    w.destroy()
    log("destroyed", w.destroyed)
    await settle()
    pending.pop(0)()
    w.end(callback=lambda err=None: log("end cb", err))
    await settle()
    log("done", w.writable_ended)


@scenario("writable/write-cb-error")
async def test_write_cb_error(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-write-cb-error.js."""
    for mode in ["sync", "async"]:

        def write(stream: Any, chunk: Any, encoding: Any, cb: Callback, mode: str = mode) -> None:
            log(mode, "_write", chunk)
            if mode == "sync":
                cb(Error("bad"))
            else:
                ns.next_tick(cb, Error("bad"))

        w = ns.Writable(high_water_mark=100, write=write)
        w.on("error", lambda e, mode=mode, w=w: log(mode, "error", e, w.destroyed))
        w.on("finish", lambda mode=mode: log(mode, "finish"))
        w.on("close", lambda mode=mode: log(mode, "close"))
        log(mode, "write", w.write("hi", callback=lambda err=None, mode=mode: log(mode, "write cb", err)))
        log(mode, "write 2",
            w.write("more", callback=lambda err=None, mode=mode: log(mode, "write cb 2", err)))
        w.end(callback=lambda err=None, mode=mode: log(mode, "end cb", err))
        await settle()
        assert w.closed

    def failing(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        cb(Error("x"))

    lw = ns.Writable(high_water_mark=100, write=failing)
    lw.on("error", lambda e: log("loop error", e))
    cnt = 0
    while lw.write("a"):
        cnt += 1
    log("loop count", cnt)


@scenario("writable/emit-close-false")
async def test_emit_close_false(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-destroy.js (emitClose: false)."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        cb()

    w = ns.Writable(high_water_mark=100, emit_close=False, write=write)
    w.on("finish", lambda: log("finish"))
    w.on("close", lambda: log("close"))
    w.end("x")
    await settle()
    log("state", w.writable_finished, w.destroyed, w.closed)
    d = ns.Writable(high_water_mark=100, emit_close=False, write=write)
    d.on("close", lambda: log("close d"))
    d.on("error", lambda e: log("error d", e))
    d.destroy(Error("e"))
    await settle()
    log("state d", d.destroyed, d.closed)


@scenario("writable/auto-destroy-false")
async def test_auto_destroy_false(log: Log) -> None:
    """Port of test/parallel/test-stream-autodestroy.js (Writable)."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        cb()

    def destroy(stream: Any, err: Any, cb: Callback) -> None:
        log("_destroy", err)
        cb(err)

    w = ns.Writable(high_water_mark=100, auto_destroy=False, write=write, destroy=destroy)
    w.on("finish", lambda: log("finish"))
    w.on("close", lambda: log("close"))
    w.end("x")
    await settle()
    log("after finish", w.writable_finished, w.destroyed, w.closed)
    w.destroy()
    log("destroy called", w.destroyed)
    await settle()
    log("after destroy", w.closed)

    def failing(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        cb(Error("w"))

    e = ns.Writable(high_water_mark=100, auto_destroy=False, write=failing)
    e.on("error", lambda err: log("error e", err, e.destroyed))
    e.on("close", lambda: log("close e"))
    e.write("x")
    await settle()
    log("e state", e.destroyed, e.writable)


@scenario("writable/construct")
async def test_construct(log: Log) -> None:
    """Port of test/parallel/test-stream-construct.js (Writable)."""
    construct_cb: list[Callback] = []

    def construct(stream: Any, cb: Callback) -> None:
        log("construct")
        construct_cb.append(cb)

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    def final(stream: Any, cb: Callback) -> None:
        log("_final")
        cb()

    w = ns.Writable(high_water_mark=100, construct=construct, write=write, final=final)
    w.on("finish", lambda: log("finish"))
    w.on("close", lambda: log("close"))
    log("write", w.write("a", callback=lambda err=None: log("cb a")), w.writable_length)
    w.end("b")
    await settle()
    log("before construct cb", w.writable_length)
    construct_cb[0]()
    log("after construct cb")


@scenario("writable/construct-error")
async def test_construct_error(log: Log) -> None:
    """Port of test/parallel/test-stream-construct.js (construct error)."""

    def construct(stream: Any, cb: Callback) -> None:
        log("construct")
        ns.next_tick(cb, Error("construct failed"))

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    w = ns.Writable(high_water_mark=100, construct=construct, write=write)
    w.on("error", lambda e: log("error", e))
    w.on("close", lambda: log("close"))
    w.write("a", callback=lambda err=None: log("cb a", err))
    log("sync over")


@scenario("writable/state-props")
async def test_state_props(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-finished-state.js,
    test-stream-writable-ended-state.js and test-stream-writable-writable.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", stream.writable_ended, stream.writable_finished)
        ns.next_tick(cb)

    w = ns.Writable(high_water_mark=100, write=write)

    def snap(label: str) -> None:
        log(label, {
            "writable": w.writable,
            "ended": w.writable_ended,
            "finished": w.writable_finished,
            "corked": w.writable_corked,
            "length": w.writable_length,
            "destroyed": w.destroyed,
            "closed": w.closed,
            "needDrain": w.writable_need_drain,
            "hwm": w.writable_high_water_mark,
        })

    snap("new")
    w.cork()
    snap("corked")
    w.write("abc")
    w.uncork()
    snap("written")
    w.on("finish", lambda: snap("finish"))
    w.on("close", lambda: snap("close"))
    w.end(callback=lambda err=None: snap("end cb"))
    snap("ended")


@scenario("writable/finish-destroyed")
async def test_finish_destroyed(log: Log) -> None:
    """Port of test/parallel/test-stream-writable-finish-destroyed.js."""

    def write_a(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("a _write", chunk)

        def on_close() -> None:
            log("a close, calling back")
            cb()

        stream.on("close", on_close)

    a = ns.Writable(high_water_mark=100, write=write_a)
    a.on("finish", lambda: log("a finish"))
    a.end("asd", callback=lambda err=None: log("a end cb", err))
    a.destroy()
    await settle()

    def write_b(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("b _write", chunk)

        def on_close() -> None:
            log("b close, calling back")
            cb()
            stream.end(callback=lambda err=None: log("b end cb", err))

        stream.on("close", on_close)

    b = ns.Writable(high_water_mark=100, write=write_b)
    b.on("finish", lambda: log("b finish"))
    b.write("asd", callback=lambda err=None: log("b write cb", err))
    b.destroy()
    await settle()

    def write_c(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        pass

    c = ns.Writable(high_water_mark=100, write=write_c)
    c.on("finish", lambda: log("c finish"))
    c.on("close", lambda: log("c close"))
    c.end()
    c.destroy()
    log("c sync over")


@scenario("writable/writev-error")
async def test_writev_error(log: Log) -> None:
    """Port of test/parallel/test-stream-writev.js and test-stream-writable-write-cb-error.js (batched)."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    def writev(stream: Any, chunks: list[tuple[Any, str]], cb: Callback) -> None:
        log("_writev", [c for c, _ in chunks])
        ns.next_tick(cb, Error("writev failed"))

    w = ns.Writable(high_water_mark=100, write=write, writev=writev)
    w.on("error", lambda e: log("error", e, w.writable_length))
    w.on("finish", lambda: log("finish"))
    w.on("close", lambda: log("close"))
    w.cork()
    w.write("a", callback=lambda err=None: log("cb a", err))
    w.write("b", callback=lambda err=None: log("cb b", err))
    w.write("c", callback=lambda err=None: log("cb c", err))
    w.uncork()
    log("uncorked", w.writable_length)
    w.write("d", callback=lambda err=None: log("cb d", err))
    log("buffered", w.writable_length)
