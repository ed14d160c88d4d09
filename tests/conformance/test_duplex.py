"""Twins of tests/scenarios/duplex: Duplex, Transform and PassThrough against Node's golden logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import trio_nodestreams as ns

from ._golden import Log, scenario, settle

Callback = Callable[..., Any]


class Error(Exception):
    """Stands for JavaScript's ``Error`` (logged with name ``Error``)."""


def no_read(stream: Any, size: Any) -> None:
    """A _read that does nothing: data comes from explicit push() calls."""


def ok_write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
    cb()


def logging_write(log: Log) -> Callable[..., None]:
    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk)
        cb()

    return write


@scenario("duplex/half-open-false")
async def test_half_open_false(log: Log) -> None:
    """Port of test/parallel/test-stream-duplex-end.js and test-stream-duplex-readable-end.js."""
    d = ns.Duplex(allow_half_open=False, high_water_mark=100, read=no_read, write=logging_write(log))
    log("allowHalfOpen", d.allow_half_open)
    d.on("data", lambda c: log("data", c))
    d.on("end", lambda: log("end", d.writable_ended))
    d.on("finish", lambda: log("finish"))
    d.on("close", lambda: log("close"))
    d.write("w1")
    d.push("r1")
    d.push(None)
    await settle()
    log("after tick", d.readable_ended, d.writable_ended, d.writable_finished, d.writable)


@scenario("duplex/half-open-true")
async def test_half_open_true(log: Log) -> None:
    """Port of test/parallel/test-stream-duplex-end.js (allowHalfOpen default)."""
    d = ns.Duplex(high_water_mark=100, read=no_read, write=logging_write(log))
    log("allowHalfOpen", d.allow_half_open)
    d.on("data", lambda c: log("data", c))
    d.on("end", lambda: log("end"))
    d.on("finish", lambda: log("finish"))
    d.on("close", lambda: log("close"))
    d.push("r1")
    d.push(None)
    await settle()
    log("after read end", d.readable_ended, d.writable_ended, d.writable, d.destroyed)
    log("write", d.write("late"))
    await settle()
    d.end()
    log("end called")


@scenario("duplex/half-open-false-writable-first")
async def test_half_open_false_writable_first(log: Log) -> None:
    """Port of test/parallel/test-stream-duplex-end.js (allowHalfOpen:false, writable side first)."""
    d = ns.Duplex(allow_half_open=False, high_water_mark=100, read=no_read, write=ok_write)
    d.on("end", lambda: log("end"))
    d.on("finish", lambda: log("finish"))
    d.on("close", lambda: log("close"))
    d.resume()
    d.end("x")
    await settle()
    log("after finish", d.readable_ended, d.destroyed, d.readable)
    d.push(None)


@scenario("duplex/props-per-side")
async def test_props_per_side(log: Log) -> None:
    """Port of test/parallel/test-stream-duplex-props.js."""

    def write(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write", chunk, encoding)

    d = ns.Duplex(readable_object_mode=True, writable_high_water_mark=3, readable_high_water_mark=2,
                  read=no_read, write=write)
    log("readable", d.readable_object_mode, d.readable_high_water_mark)
    log("writable", d.writable_object_mode, d.writable_high_water_mark)
    log("push", d.push({"a": 1}), d.push([2]), d.readable_length)
    log("write", d.write("ab"), d.writable_length, d.write("c"), d.writable_length)

    def write_obj(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_write obj", chunk)

    o = ns.Duplex(writable_object_mode=True, readable_high_water_mark=4, writable_high_water_mark=1,
                  read=no_read, write=write_obj)
    log("o readable", o.readable_object_mode, o.readable_high_water_mark)
    log("o writable", o.writable_object_mode, o.writable_high_water_mark)
    log("o write", o.write({"x": 1}), o.writable_length)
    log("o push", o.push("abcd"), o.readable_length)
    b = ns.Duplex(object_mode=True, high_water_mark=5, read=no_read, write=ok_write)
    log("both", b.readable_object_mode, b.writable_object_mode, b.readable_high_water_mark,
        b.writable_high_water_mark)


@scenario("duplex/destroy")
async def test_destroy(log: Log) -> None:
    """Port of test/parallel/test-stream-duplex-destroy.js."""

    def destroy(stream: Any, err: Any, cb: Callback) -> None:
        log("_destroy", err)
        cb(err)

    d = ns.Duplex(high_water_mark=100, read=no_read, write=ok_write, destroy=destroy)
    d.resume()
    d.on("end", lambda: log("end"))
    d.on("finish", lambda: log("finish"))
    d.on("error", lambda e: log("error", e))
    d.on("close", lambda: log("close", d.readable, d.writable, d.destroyed))
    d.destroy(Error("kaboom"))
    d.destroy(Error("second"))
    log("sync", d.destroyed, d.readable, d.writable, d.errored is not None)
    await settle()
    q = ns.Duplex(high_water_mark=100, read=no_read, write=ok_write)
    q.on("error", lambda e: log("q error", e))
    q.on("close", lambda: log("q close"))
    q.destroy()


@scenario("duplex/transform-pushes")
async def test_transform_pushes(log: Log) -> None:
    """Port of test/parallel/test-stream2-transform.js (assorted pushes, callback with data)."""

    def transform(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_transform", chunk, encoding)
        stream.push(chunk[:1])
        stream.push(chunk[1:])
        cb(None, b"|")

    def flush(stream: Any, cb: Callback) -> None:
        log("_flush")
        stream.push("tail")
        cb(None, "end")

    t = ns.Transform(high_water_mark=100, transform=transform, flush=flush)
    t.on("data", lambda c: log("data", c))
    t.on("end", lambda: log("end"))
    t.write("abc")
    t.write("de")
    t.end()


@scenario("duplex/transform-event-order")
async def test_transform_event_order(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-final.js and test-stream-transform-final-sync.js."""

    def transform(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_transform", chunk)
        ns.next_tick(cb, None, chunk)

    def flush(stream: Any, cb: Callback) -> None:
        log("_flush")

        def later() -> None:
            stream.push("flushed")
            cb()

        ns.next_tick(later)

    t = ns.Transform(high_water_mark=100, transform=transform, flush=flush)
    t.on("prefinish", lambda: log("prefinish"))
    t.on("finish", lambda: log("finish"))
    t.on("data", lambda c: log("data", c))
    t.on("end", lambda: log("end"))
    t.on("close", lambda: log("close"))
    t.write("a")
    t.end("b", callback=lambda err=None: log("end cb"))
    log("sync over")


@scenario("duplex/transform-final")
async def test_transform_final(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-final.js (_final and _flush together)."""

    def transform(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_transform", chunk)
        cb(None, chunk)

    def final(stream: Any, cb: Callback) -> None:
        log("_final")
        ns.next_tick(cb)

    def flush(stream: Any, cb: Callback) -> None:
        log("_flush")
        cb(None, "z")

    t = ns.Transform(high_water_mark=100, transform=transform, final=final, flush=flush)
    t.on("prefinish", lambda: log("prefinish"))
    t.on("finish", lambda: log("finish"))
    t.on("data", lambda c: log("data", c))
    t.on("end", lambda: log("end"))
    t.on("close", lambda: log("close"))
    t.end("a")


@scenario("duplex/transform-error")
async def test_transform_error(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-destroy.js and test-stream2-transform.js (error)."""

    def transform(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_transform", chunk)
        if chunk == b"bad":
            cb(Error("transform failed"))
        else:
            cb(None, chunk)

    t = ns.Transform(high_water_mark=100, transform=transform)
    t.on("data", lambda c: log("data", c))
    t.on("end", lambda: log("end"))
    t.on("finish", lambda: log("finish"))
    t.on("error", lambda e: log("error", e, t.destroyed))
    t.on("close", lambda: log("close"))
    t.write("ok", callback=lambda err=None: log("cb ok", err))
    t.write("bad", callback=lambda err=None: log("cb bad", err))
    t.write("after", callback=lambda err=None: log("cb after", err))
    log("sync over")


@scenario("duplex/flush-error")
async def test_flush_error(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-flush-data.js / test-stream2-transform.js (flush error)."""

    def transform(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        cb(None, chunk)

    def flush(stream: Any, cb: Callback) -> None:
        log("_flush")
        cb(Error("flush failed"))

    t = ns.Transform(high_water_mark=100, transform=transform, flush=flush)
    t.on("data", lambda c: log("data", c))
    t.on("prefinish", lambda: log("prefinish"))
    t.on("finish", lambda: log("finish"))
    t.on("end", lambda: log("end"))
    t.on("error", lambda e: log("error", e))
    t.on("close", lambda: log("close"))
    t.end("x", callback=lambda err=None: log("end cb", err))


@scenario("duplex/transform-backpressure")
async def test_transform_backpressure(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-split-highwatermark.js and
    test-stream2-transform.js (back-pressure)."""

    def transform(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_transform", chunk, stream.readable_length)
        cb(None, chunk)

    t = ns.Transform(readable_high_water_mark=4, writable_high_water_mark=4, transform=transform)
    t.on("drain", lambda: log("drain"))
    for c in ["aa", "bb", "cc", "dd", "ee"]:
        log("write", c, t.write(c), t.writable_length, t.readable_length)
    await settle()
    log("settled", t.writable_length, t.readable_length)
    log("read", t.read(2))
    await settle()
    log("after read", t.writable_length, t.readable_length)
    log("read", t.read())
    await settle()
    log("after read all", t.writable_length, t.readable_length)
    t.on("data", lambda c: log("data", c))
    await settle()
    log("flowing", t.writable_length, t.readable_length)


@scenario("duplex/transform-objectmode-falsey")
async def test_transform_objectmode_falsey(log: Log) -> None:
    """Port of test/parallel/test-stream-transform-objectmode-falsey-value.js."""

    def transform(stream: Any, chunk: Any, encoding: Any, cb: Callback) -> None:
        log("_transform", chunk, encoding)
        cb(None, chunk)

    t = ns.Transform(object_mode=True, high_water_mark=10, transform=transform)
    t.on("data", lambda c: log("data", c))
    t.on("end", lambda: log("end"))
    for v in [0, False, "", -1, [], {}]:
        t.write(v)
    t.end()


@scenario("duplex/passthrough-drain")
async def test_passthrough_drain(log: Log) -> None:
    """Port of test/parallel/test-stream-passthrough-drain.js."""
    p = ns.PassThrough(high_water_mark=3)
    p.on("drain", lambda: log("drain", p.writable_length, p.readable_length))
    log("write", p.write("ab"), p.writable_length, p.readable_length)
    log("write", p.write("cd"), p.writable_length, p.readable_length)
    log("write", p.write("ef"), p.writable_length, p.readable_length)
    log("needDrain", p.writable_need_drain)
    await settle()
    log("read", p.read())
    await settle()
    log("read", p.read())
    await settle()
    log("left", p.writable_length, p.readable_length)


@scenario("duplex/passthrough")
async def test_passthrough(log: Log) -> None:
    """Port of test/parallel/test-stream2-transform.js (passthrough, object passthrough)."""
    p = ns.PassThrough(high_water_mark=100)
    p.on("finish", lambda: log("finish"))
    p.on("end", lambda: log("end"))
    p.on("close", lambda: log("close"))
    p.write(b"foog")
    p.write(b"bark")
    p.write("bazy")
    p.end("kuel")
    log("read", p.read(5))
    log("read", p.read(5))
    log("read", p.read(5))
    log("read", p.read(5))
    await settle()
    log("read", p.read())
    o = ns.PassThrough(object_mode=True, high_water_mark=10)
    o.write(1)
    o.write(True)
    o.write({"a": "b"})
    o.end("foo")
    o.on("data", lambda c: log("obj data", c))
    o.on("end", lambda: log("obj end"))
