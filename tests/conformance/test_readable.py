"""Python twins of tests/scenarios/readable/*.js: Readable must log what Node logs."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import trio_nodestreams as ns

from ._golden import Log, scenario, set_immediate, settle


class Error(Exception):
    """JavaScript's ``new Error(message)``."""


class RangeError(Exception):
    """JavaScript's ``new RangeError(message)``."""


def noop(*args: Any) -> None:
    """JavaScript's ``() => {}``."""


# -- push() and highWaterMark ------------------------------------------------


@scenario("readable/push-return-bytes")
async def test_push_return_bytes(log: Log) -> None:
    """Port of test/parallel/test-stream2-push.js: push() returns False once readable_length reaches the hwm."""
    r = ns.Readable(high_water_mark=4, read=lambda s, n: log("_read", n))
    log("push ab", r.push("ab"), r.readable_length)
    log("push c", r.push("c"), r.readable_length)
    log("push d", r.push("d"), r.readable_length)
    log("push e", r.push("e"), r.readable_length)
    log("push empty", r.push(""), r.readable_length)
    log("push empty buf", r.push(b""), r.readable_length)
    await settle()
    log("read", r.read(), r.readable_length)
    await settle()
    log("push f", r.push(b"f"), r.readable_length)
    log("push null", r.push(None), r.readable_length)
    log("read", r.read(), r.readable_length)


@scenario("readable/push-return-object")
async def test_push_return_object(log: Log) -> None:
    """Port of test/parallel/test-stream2-objects.js: push() and readable_length count objects."""
    r = ns.Readable(object_mode=True, high_water_mark=2, read=lambda s, n: log("_read", n))
    log("hwm", r.readable_high_water_mark, r.readable_object_mode)
    log("push a", r.push("a"), r.readable_length)
    log("push 0", r.push(0), r.readable_length)
    log("push false", r.push(False), r.readable_length)
    log("push empty", r.push(""), r.readable_length)
    z = ns.Readable(object_mode=True, high_water_mark=0, read=noop)
    log("hwm0 push", z.push({"x": 1}), z.readable_length)
    await settle()
    log("read", r.read(), r.readable_length)
    log("read", r.read(), r.readable_length)
    log("read 5", r.read(5), r.readable_length)
    await settle()
    log("read", r.read(), r.readable_length)
    log("push null", r.push(None))
    log("read", r.read(), r.readable_length)
    r.on("end", lambda: log("end"))


@scenario("readable/push-order")
async def test_push_order(log: Log) -> None:
    """Port of test/parallel/test-stream-push-order.js: two pushes per _read, read(0) fills to the hwm."""
    items = ["1", "2", "3", "4", "5", "6"]

    def read(s: ns.Readable, n: int) -> None:
        log("_read", n, s.readable_length)
        one = items.pop(0) if items else None
        if not one:
            s.push(None)
        else:
            two = items.pop(0) if items else None
            log("push", one, s.push(one))
            log("push", two, s.push(two))

    s = ns.Readable(high_water_mark=20, encoding="ascii", read=read)
    log("read0", s.read(0))
    await settle()
    log("length", s.readable_length, s.readable_ended)
    s.on("end", lambda: log("end"))
    log("read", s.read())
    log("read", s.read())


@scenario("readable/push-null-object-mode")
async def test_push_null_object_mode(log: Log) -> None:
    """Port of test/parallel/test-stream2-objects.js: only None ends an object stream; falsy values flow."""
    items: list[Any] = [0, False, "", "x", [1], {"a": None}]

    def read(s: ns.Readable, n: int) -> None:
        log("_read", n)
        if items:
            log("push", s.push(items.pop(0)))
        else:
            log("push null", s.push(None))

    r = ns.Readable(object_mode=True, high_water_mark=3, read=read)
    r.on("data", lambda d: log("data", d, r.readable_length))
    r.on("end", lambda: log("end", r.readable_length))
    r.on("close", lambda: log("close"))


@scenario("readable/push-strings")
async def test_push_strings(log: Log) -> None:
    """Port of test/parallel/test-stream-push-strings.js: sync, next-tick and deferred pushes from _read."""

    class MyStream(ns.Readable):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.chunks_left = 3

        def _read(self, size: int) -> None:
            log("_read", self.chunks_left)
            left = self.chunks_left
            self.chunks_left -= 1
            if left == 0:
                self.push(None)
            elif left == 1:
                set_immediate(lambda: self.push("last chunk"))
            elif left == 2:
                self.push("second to last chunk")
            elif left == 3:
                ns.next_tick(lambda: self.push("first chunk"))
            else:
                raise Error("?")

    ms = MyStream(high_water_mark=16384)

    def on_readable() -> None:
        while (chunk := ms.read()) is not None:
            log("read", chunk.decode())

    ms.on("readable", on_readable)
    ms.on("end", lambda: log("end", ms.chunks_left))


@scenario("readable/push-after-eof")
async def test_push_after_eof(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-destroy.js: push() after None -> ERR_STREAM_PUSH_AFTER_EOF."""
    a = ns.Readable(high_water_mark=16, read=noop)
    a.on("error", lambda e: log("A error", e, a.destroyed, a.errored is e))
    a.on("close", lambda: log("A close"))
    a.on("end", lambda: log("A end"))
    log("A push", a.push("a"))
    log("A push null", a.push(None))
    log("A push after", a.push("b"), a.readable_length)
    log("A state", a.destroyed, a.errored is not None)
    await settle()

    def read(s: ns.Readable, n: int) -> None:
        s.push(None)
        log("B push after", s.push("asd"))

    b = ns.Readable(auto_destroy=False, high_water_mark=16, read=read)
    b.on("error", lambda e: log("B error", e, b.destroyed))
    b.on("end", lambda: log("B end"))
    b.on("close", lambda: log("B close"))
    b.resume()


@scenario("readable/invalid-chunk")
async def test_invalid_chunk(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-invalid-chunk.js: a non-bytes chunk -> ERR_INVALID_ARG_TYPE."""

    def try_it(method: str, val: Any, label: str) -> None:
        r = ns.Readable(high_water_mark=16, read=noop)
        r.on("error", lambda e: log(label, "error", e, r.destroyed, r.errored is e))
        r.on("close", lambda: log(label, "close"))
        log(label, method, getattr(r, method)(val))
        log(label, "state", r.destroyed, r.readable_length)

    try_it("push", [], "push []")
    try_it("push", {}, "push {}")
    try_it("push", 0, "push 0")
    try_it("unshift", [], "unshift []")
    try_it("unshift", {}, "unshift {}")
    try_it("unshift", 0, "unshift 0")


@scenario("readable/add-chunk-during-data")
async def test_add_chunk_during_data(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-add-chunk-during-data.js: push/unshift inside 'data'."""

    def make(method: str) -> None:
        r = ns.Readable(high_water_mark=16, read=noop)

        def first(chunk: bytes) -> None:
            log(method, "first data", chunk, r.readable_length)
            getattr(r, method)(chunk)
            log(method, "after", r.readable_length)
            r.on("data", lambda c: log(method, "data", c))

        r.once("data", first)
        r.push("Hello, world")

    for method in ["push", "unshift"]:
        make(method)


# -- read(size) ----------------------------------------------------------------


@scenario("readable/read-zero")
async def test_read_zero(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-needReadable.js: read(0) triggers _read, consumes nothing."""

    def read(s: ns.Readable, n: int) -> None:
        log("_read", n)
        s.push("abc")

    r = ns.Readable(high_water_mark=8, read=read)
    r.on("readable", lambda: log("readable", r.readable_length))
    log("read0", r.read(0), r.readable_length)
    await settle()
    log("length", r.readable_length)
    log("read0", r.read(0), r.readable_length)
    await settle()
    log("length", r.readable_length)
    log("read", r.read(), r.readable_length)
    await settle()
    log("length", r.readable_length)


@scenario("readable/read-size")
async def test_read_size(log: Log) -> None:
    """Port of test/parallel/test-stream2-readable-from-list.js: read(n) exact, None when short, rest at end."""
    r = ns.Readable(high_water_mark=100, read=noop)
    r.push("abc")
    r.push("defg")
    r.push("h")
    log("read 2", r.read(2), r.readable_length)
    log("read 3", r.read(3), r.readable_length)
    log("read 4", r.read(4), r.readable_length)
    log("read 3", r.read(3), r.readable_length)
    log("read 1", r.read(1), r.readable_length)
    r.push("ij")
    log("read 5", r.read(5), r.readable_length)
    r.push(None)
    log("ended", r.readable_ended)
    r.on("end", lambda: log("end", r.readable_ended, r.readable_length))
    log("read 5", r.read(5), r.readable_length)
    log("read", r.read(), r.readable_length)


@scenario("readable/read-all")
async def test_read_all(log: Log) -> None:
    """Port of test/parallel/test-stream2-readable-non-empty-end.js: read() returns everything (one object)."""
    r = ns.Readable(high_water_mark=100, read=noop)
    r.push("ab")
    r.push("cd")
    r.push(bytes([0, 255]))
    log("read", r.read(), r.readable_length)
    log("read empty", r.read(), r.readable_length)

    o = ns.Readable(object_mode=True, high_water_mark=100, read=noop)
    o.push("ab")
    o.push("cd")
    o.push([1, 2])
    log("oread", o.read(), o.readable_length)
    log("oread 1", o.read(1), o.readable_length)
    log("oread 100", o.read(100), o.readable_length)
    log("oread", o.read(), o.readable_length)


@scenario("readable/read-raises-hwm")
async def test_read_raises_hwm(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-flow-recursion.js: read(n > hwm) raises the hwm."""
    total = 5000

    def read(s: ns.Readable, size: int) -> None:
        nonlocal total
        log("_read", size, s.readable_high_water_mark)
        size = min(size, total)
        total -= size
        if size == 0:
            s.push(None)
        else:
            s.push(b"x" * size)

    stream = ns.Readable(high_water_mark=2, read=read)
    depth = 0

    def flow(size: int) -> None:
        nonlocal depth
        depth += 1
        chunk = stream.read(size)
        log("read", size, None if chunk is None else len(chunk), depth)
        if chunk is None:
            stream.once("readable", lambda: flow(size))
        else:
            log("complete", depth, stream.readable_high_water_mark, stream.readable_length)
        depth -= 1

    flow(5000)
    stream.on("end", lambda: log("end"))
    stream.on(
        "close", lambda: log("close", stream.readable_length, stream.readable_high_water_mark)
    )
    await settle()
    log("hwm", stream.readable_high_water_mark)
    log("read", stream.read())
    stream.resume()


@scenario("readable/read-after-end")
async def test_read_after_end(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-ended.js: read() after 'end' is None; a 2nd None is ignored."""
    r = ns.Readable(high_water_mark=16, read=lambda s, n: log("_read"))
    r.on("readable", lambda: log("readable", r.read()))
    r.on("error", lambda e: log("error", e))

    def on_end() -> None:
        log("end", r.readable_ended, r.readable)
        log("read after end", r.read(), r.read(0), r.read(3))

    r.on("end", on_end)
    r.on("close", lambda: log("close", r.destroyed))
    log("push a", r.push("a"))
    log("push null", r.push(None))
    log("push null again", r.push(None))
    log("ended", r.readable_ended, r.readable)


@scenario("readable/read-calls")
async def test_read_calls(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-reading-readingMore.js: when and with what size _read runs."""
    n = 0

    def read(s: ns.Readable, size: int) -> None:
        nonlocal n
        n += 1
        log("_read", n, size, r.readable_length)
        if n <= 6:
            ns.next_tick(lambda: log("push", s.push("abc"), r.readable_length))
        else:
            ns.next_tick(lambda: s.push(None))

    r = ns.Readable(high_water_mark=10, read=read)
    log("created")
    await settle()
    log("no call without a reader", n)
    log("read0", r.read(0))
    await settle()
    log("length", r.readable_length)
    r.on("data", lambda c: log("data", c))
    r.on("end", lambda: log("end", n))


@scenario("readable/hwm-zero")
async def test_hwm_zero(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-hwm-0.js and -hwm-0-no-flow-data.js: high_water_mark=0."""
    r = ns.Readable(high_water_mark=0, read=lambda s, n: log("_read"))
    r.on("readable", lambda: log("readable", r.read(), r.readable_ended))
    r.on("end", lambda: log("end"))

    def tick() -> None:
        log("read", r.read())
        log("push null", r.push(None))

    ns.next_tick(tick)
    await settle()
    s = ns.Readable(high_water_mark=0, read=lambda st, n: log("s _read"))
    log("s push", s.push("a"), s.readable_length)
    s.on("data", lambda c: log("s data", c))
    log("s flowing", s.readable_flowing)


@scenario("readable/readable-length")
async def test_readable_length(log: Log) -> None:
    """Port of test/parallel/test-stream2-readable-from-list.js: readable_length in bytes, chars, objects."""
    b = ns.Readable(high_water_mark=100, read=noop)
    b.push("abc")
    b.push(bytes([1, 2]))
    b.unshift("zz")
    log("bytes", b.readable_length)
    b.read(4)
    log("bytes after read 4", b.readable_length)

    s = ns.Readable(high_water_mark=100, encoding="utf8", read=noop)
    s.push("\u00e9\u00e9".encode())
    log("chars", s.readable_length)
    s.push(bytes([0xC3]))
    log("chars partial", s.readable_length)
    s.push(bytes([0xA9]))
    log("chars completed", s.readable_length)
    s.push("\U0001f600".encode())
    log("chars astral (UTF-16 units)", s.readable_length)

    o = ns.Readable(object_mode=True, high_water_mark=100, read=noop)
    o.push("long string")
    o.push({"a": 1})
    o.unshift(42)
    log("objects", o.readable_length)
    o.read()
    log("objects after read", o.readable_length)


# -- 'readable' ------------------------------------------------------------------


@scenario("readable/readable-event")
async def test_readable_event(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-event.js (cases 1-3): 'readable' for a late listener."""
    a = ns.Readable(high_water_mark=3, read=lambda s, n: log("A _read"))
    log("A push", a.push(b"blerg"))
    await settle()
    a.on("readable", lambda: log("A readable", a.readable_length))
    await settle()
    b = ns.Readable(high_water_mark=3, read=lambda s, n: log("B _read"))
    log("B push", b.push(b"bl"))
    await settle()
    b.on("readable", lambda: log("B readable", b.readable_length))
    await settle()
    c = ns.Readable(high_water_mark=30, read=lambda s, n: log("C _read"))
    log("C push", c.push(b"blerg"))
    c.push(None)
    await settle()
    c.on("readable", lambda: log("C readable", c.readable_length, c.readable_ended))
    c.on("end", lambda: log("C end"))


@scenario("readable/readable-event-empty-strings")
async def test_readable_event_empty_strings(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-event.js (case 4): empty strings give no data."""
    underlying = ["", "x", "y", "", "z"]

    def read(s: ns.Readable, n: int) -> None:
        def later() -> None:
            if not underlying:
                s.push(None)
            else:
                s.push(underlying.pop(0))

        ns.next_tick(later)

    r = ns.Readable(encoding="utf8", high_water_mark=16, read=read)
    r.on("readable", lambda: log("readable", r.read()))
    r.on("end", lambda: log("end"))
    r.on("close", lambda: log("close"))


@scenario("readable/readable-coalescing")
async def test_readable_coalescing(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-emittedReadable.js: one 'readable' per drained buffer."""
    r = ns.Readable(high_water_mark=100, read=lambda s, n: log("_read"))
    r.on("readable", lambda: log("readable", r.readable_length))
    r.push("a")
    r.push("b")
    ns.next_tick(lambda: r.push("c"))
    await settle()
    log("step 2")
    r.push("d")
    await settle()
    log("step 3")
    log("read", r.read())
    r.push("e")
    r.push("f")
    await settle()
    log("step 4")
    log("read 1", r.read(1))
    r.push("g")
    await settle()
    log("step 5")
    r.push(None)
    r.on("end", lambda: log("end"))
    await settle()
    log("read", r.read())


@scenario("readable/emit-readable-short-stream")
async def test_emit_readable_short_stream(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-emit-readable-short-stream.js (Readable cases)."""
    t = ns.Readable(high_water_mark=16, read=noop)

    def on_readable_a() -> None:
        log("A readable")
        while (c := t.read()) is not None:
            log("A read", c)

    t.on("readable", on_readable_a)
    t.on("end", lambda: log("A end"))
    t.push("content")
    t.push(None)
    await settle()
    u = ns.Readable(high_water_mark=16, read=noop)

    def on_readable_b() -> None:
        log("B readable")
        while (c := u.read()) is not None:
            log("B read", c)

    u.on("readable", on_readable_b)
    u.on("end", lambda: log("B end"))
    u.push("content")
    await settle()
    u.push(None)


@scenario("readable/readable-precedence")
async def test_readable_precedence(log: Log) -> None:
    """Port of test/parallel/test-stream-readableListening-state.js: 'readable' beats 'data'."""
    r = ns.Readable(high_water_mark=16, read=noop)

    def on_readable() -> None:
        log("readable", r.readable_flowing, r.readable_length)
        while (c := r.read()) is not None:
            log("read", c)

    r.on("readable", on_readable)
    log("after readable", r.readable_flowing)
    r.on("data", lambda c: log("data", c))
    log("after data", r.readable_flowing)
    r.resume()
    log("after resume", r.readable_flowing, r.is_paused())
    r.push("one")
    await settle()
    log("step 2", r.readable_flowing)
    r.push("two")
    r.push(None)
    r.on("end", lambda: log("end"))


@scenario("readable/readable-removed")
async def test_readable_removed(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-readable-then-resume.js: removing 'readable' resumes 'data'."""
    chunks: list[Any] = ["hello", None]

    def read(st: ns.Readable, n: int) -> None:
        log("_read")
        st.push(chunks.pop(0))

    s = ns.Readable(object_mode=True, high_water_mark=1, read=read)

    def readable_listener() -> None:
        log("readable (must not happen)")

    s.on("readable", readable_listener)
    log("flowing", s.readable_flowing)
    s.on("data", lambda d: log("data", d))
    log("flowing", s.readable_flowing)
    s.on("end", lambda: log("end"))
    s.remove_listener("readable", readable_listener)
    log("flowing after remove", s.readable_flowing)
    ns.next_tick(lambda: log("tick flowing", s.readable_flowing))

    t = ns.Readable(encoding="utf8", high_water_mark=16, read=noop)

    def on_readable() -> None:
        pass

    t.on("readable", on_readable)
    t.remove_listener("readable", on_readable)
    t.pause()
    log("t paused", t.is_paused(), t.readable_flowing)
    ns.next_tick(lambda: log("t tick", t.is_paused(), t.readable_flowing))


# -- flowing and paused --------------------------------------------------------


@scenario("readable/data-end-close-order")
async def test_data_end_close_order(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-data.js: 'data'* then 'end' then 'close', with state."""
    chunks = ["a", "bc", "def"]

    def read(s: ns.Readable, n: int) -> None:
        log("_read", n, r.readable_ended)
        c = chunks.pop(0) if chunks else None
        log("push", s.push(c))

    r = ns.Readable(high_water_mark=16, read=read)

    def state(name: str) -> None:
        log(name, r.readable_flowing, r.readable_ended, r.readable, r.destroyed, r.closed,
            r.readable_length)

    def on_data(c: bytes) -> None:
        log("data", c)
        state("at data")

    r.on("data", on_data)
    r.on("end", lambda: state("at end"))
    r.on("close", lambda: state("at close"))
    state("start")
    ns.next_tick(lambda: state("tick"))


@scenario("readable/flowing-state")
async def test_flowing_state(log: Log) -> None:
    """Port of test/parallel/test-stream-ispaused.js: readable_flowing None -> True -> False; is_paused()."""
    readable = ns.Readable(high_water_mark=16, read=noop)

    def s(label: str) -> None:
        log(label, readable.readable_flowing, readable.is_paused())

    s("initial")
    readable.on("data", lambda c: log("data", c))
    s("after on data")
    readable.pause()
    s("after pause")
    readable.resume()
    s("after resume")
    readable.pause()
    readable.push("x")
    await settle()
    s("paused with data")
    log("length", readable.readable_length)
    readable.resume()
    s("resumed")
    await settle()
    log("length", readable.readable_length)
    readable.remove_all_listeners("data")
    s("data removed")
    readable.push("y")
    await settle()
    log("length", readable.readable_length)
    p = ns.Readable(high_water_mark=16, read=noop)
    log("p initial", p.readable_flowing, p.is_paused())
    p.pause()
    log("p paused", p.readable_flowing, p.is_paused())
    p.on("data", lambda c: log("p data", c))
    log("p on data", p.readable_flowing, p.is_paused())
    p.push("z")
    await settle()
    log("p length", p.readable_length)


@scenario("readable/pause-resume-events")
async def test_pause_resume_events(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-pause-and-resume.js: 'pause'/'resume' events."""
    r = ns.Readable(object_mode=True, high_water_mark=4, read=noop)
    r.on("pause", lambda: log("pause event", r.readable_flowing))
    r.on("resume", lambda: log("resume event", r.readable_flowing))

    def on_data(d: Any) -> None:
        log("data", d)
        if d == 2:
            r.pause()
            log("paused in data", r.is_paused())

    r.on("data", on_data)
    r.push(1)
    r.push(2)
    r.push(3)
    log("sync", r.readable_flowing)

    q = ns.Readable(high_water_mark=16, read=noop)
    q.on("pause", lambda: log("q pause"))
    q.on("resume", lambda: log("q resume"))
    log("q pause()")
    q.pause()
    log("q pause() again")
    q.pause()
    await settle()
    log("step 2", r.readable_length)
    log("pause again")
    r.pause()
    log("resume")
    r.resume()
    log("resume twice")
    r.resume()
    await settle()
    log("step 3", r.readable_length)
    r.push(None)
    r.on("end", lambda: log("end"))


# -- unshift -----------------------------------------------------------------------


@scenario("readable/unshift-basic")
async def test_unshift_basic(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-unshift.js: unshift() puts chunks in front."""
    a = ns.Readable(high_water_mark=16, read=noop)
    a.on("data", lambda c: log("A data", c))
    log("A unshift", a.unshift("abc"))

    b = ns.Readable(high_water_mark=16, read=noop)
    b.on("data", lambda c: log("B data", c))
    b.push("back")
    b.unshift("front")

    c = ns.Readable(high_water_mark=16, read=noop)
    c.on("data", lambda ch: log("C data", ch))
    c.unshift(base64.b64encode(b"abc").decode(), "base64")

    d = ns.Readable(high_water_mark=16, read=noop)
    d.set_encoding("base64")
    d.on("data", lambda ch: log("D data", ch))
    for enc in ["utf8", "latin1", "hex", "base64"]:
        d.unshift("abc", enc)

    e = ns.Readable(high_water_mark=16, read=noop, encoding="base64")
    e.on("data", lambda ch: log("E data", ch))
    e.push("abc")
    e.unshift("abc")

    f = ns.Readable(object_mode=True, high_water_mark=16, read=noop)
    f.on("data", lambda ch: log("F data", ch))
    for item in ["a", 1, {"k": "v"}, []]:
        log("F unshift", f.unshift(item), f.readable_length)

    g = ns.Readable(high_water_mark=4, read=noop)
    log("G unshift", g.unshift("abcdef"), g.readable_length)
    log("G push", g.push("x"), g.readable_length)
    log("G read", g.read(2), g.read(), g.readable_length)


@scenario("readable/unshift-after-end")
async def test_unshift_after_end(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-unshift.js: unshift after 'end' -> ERR_STREAM_UNSHIFT_AFTER_END_EVENT."""
    r = ns.Readable(high_water_mark=16, read=noop)
    r.push("a")
    r.push(None)
    log("unshift before end", r.unshift("z"), r.readable_length)
    r.on("data", lambda c: log("data", c))

    def on_end() -> None:
        log("end")
        log("unshift after end", r.unshift("late"))
        log("after", r.errored, r.destroyed)

    r.on("end", on_end)
    r.on("error", lambda e: log("error", e, r.errored is e, r.destroyed))
    r.on("close", lambda: log("close"))


@scenario("readable/unshift-empty-chunk")
async def test_unshift_empty_chunk(log: Log) -> None:
    """Port of test/parallel/test-stream-unshift-empty-chunk.js: unshifting b"" is a no-op."""
    n_chunks = 5
    chunk = b"x" * 10

    def read(s: ns.Readable, n: int) -> None:
        log("_read", n)

        def later() -> None:
            nonlocal n_chunks
            n_chunks -= 1
            r.push(None if n_chunks == 0 else chunk)

        set_immediate(later)

    r = ns.Readable(high_water_mark=16, read=read)
    read_all = False

    def on_readable() -> None:
        nonlocal read_all
        while (c := r.read()) is not None:
            log("read", c.decode())
            put_back = b"y" * (0 if read_all else 5)
            read_all = not read_all
            r.unshift(put_back)

    r.on("readable", on_readable)
    r.on("end", lambda: log("end"))


@scenario("readable/unshift-then-data")
async def test_unshift_then_data(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-unshift.js (ArrayReader): read, unshift, then 'data'."""
    hwm = 5
    buffer = ["0"] * (hwm * 2)

    def read(s: ns.Readable, size: int) -> None:
        log("_read", size)
        while buffer:
            c = buffer.pop(0)
            if not buffer:
                s.push(c)
                s.push(None)
                return
            if not s.push(c):
                return

    stream = ns.Readable(high_water_mark=hwm, read=read)

    def on_read() -> None:
        while (c := stream.read()) is not None:
            log("read", c)
            stream.remove_listener("readable", on_read)
            log("unshift", stream.unshift("a"))
            stream.on("data", lambda d: log("data", d))
            break

    stream.once("readable", on_read)
    stream.on("end", lambda: log("end"))


# -- set_encoding --------------------------------------------------------------------


@scenario("readable/set-encoding-utf8-split")
async def test_set_encoding_utf8_split(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-setEncoding-existing-buffers.js: split UTF-8."""
    a = ns.Readable(high_water_mark=16, read=noop)
    a.push(b"a")
    a.push(b"b")
    a.set_encoding("utf8")
    a.on("data", lambda c: log("A data", c))

    b = ns.Readable(high_water_mark=16, read=noop)
    for byte in [0xF0, 0x9F, 0x8E, 0x89]:
        b.push(bytes([byte]))
    b.set_encoding("utf8")
    b.on("data", lambda c: log("B data", c))

    c = ns.Readable(high_water_mark=16, read=noop)
    c.push(bytes([0xF0]))
    c.push(bytes([0x9F]))
    c.set_encoding("utf8")
    log("C length", c.readable_length, c.readable_encoding)
    c.push(bytes([0x8E]))
    log("C length", c.readable_length)
    c.push(bytes([0x89]))
    c.on("data", lambda ch: log("C data", ch))
    await settle()

    d = ns.Readable(high_water_mark=16, encoding="utf8", read=noop)
    data = "h\u00e9\u20ac\U0001f600!".encode()
    d.on("data", lambda ch: log("D data", ch))
    d.on("end", lambda: log("D end"))
    for i in range(len(data)):
        d.push(data[i : i + 1])
    d.push(bytes([0xE2, 0x82]))
    d.push(None)


@scenario("readable/set-encoding-utf16le")
async def test_set_encoding_utf16le(log: Log) -> None:
    """Port of test/parallel/test-stream2-set-encoding.js (utf16le): odd bytes and surrogate pairs."""
    r = ns.Readable(high_water_mark=64, read=noop)
    r.set_encoding("utf16le")
    log("encoding", r.readable_encoding)
    data = "a\u00e9\U0001f600z".encode("utf-16-le")
    for part in [data[0:1], data[1:4], data[4:6], data[6:]]:
        r.push(part)
    r.push(None)
    r.on("data", lambda c: log("data", c))
    r.on("end", lambda: log("end"))


@scenario("readable/set-encoding-latin1-ascii")
async def test_set_encoding_latin1_ascii(log: Log) -> None:
    """Port of test/parallel/test-stream2-set-encoding.js (latin1/binary/ascii): single-byte decoding."""

    def make(enc: str) -> None:
        r = ns.Readable(high_water_mark=64, read=noop)
        r.set_encoding(enc)
        log(enc, "encoding", r.readable_encoding)
        r.on("data", lambda c: log(enc, "data", c))
        r.push(bytes([0x41, 0xE9, 0xFF]))
        r.push(bytes([0x7F, 0x80]))

    for enc in ["latin1", "binary", "ascii"]:
        make(enc)


@scenario("readable/set-encoding-hex")
async def test_set_encoding_hex(log: Log) -> None:
    """Port of test/parallel/test-stream2-set-encoding.js (hex): read(n) counts decoded characters."""
    r = ns.Readable(high_water_mark=64, read=noop)
    r.set_encoding("hex")
    r.push(b"abcdef")
    log("length", r.readable_length)
    log("read 5", r.read(5), r.readable_length)
    log("read 4", r.read(4), r.readable_length)
    r.push(None)
    out: list[str] = []

    def on_readable() -> None:
        while (c := r.read(4)) is not None:
            out.append(c)
        log("readable", out)

    r.on("readable", on_readable)
    r.on("end", lambda: log("end"))


@scenario("readable/set-encoding-base64")
async def test_set_encoding_base64(log: Log) -> None:
    """Port of test/parallel/test-stream2-base64-single-char-read-end.js: base64/base64url remainders."""

    def make(enc: str) -> None:
        r = ns.Readable(high_water_mark=64, encoding=enc, read=noop)
        r.on("data", lambda c: log(enc, "data", c))
        r.on("end", lambda: log(enc, "end"))
        r.push(b"1")
        r.push(bytes([0xFB, 0xFF]))
        r.push(bytes([0xFE, 0x01, 0x02, 0x03]))
        r.push(b"?")
        r.push(None)

    for enc in ["base64", "base64url"]:
        make(enc)
    s = ns.Readable(high_water_mark=64, encoding="base64", read=noop)
    out: list[str] = []
    s.on("data", out.append)
    s.on("end", lambda: log("single", out))
    s.push(b"1")
    s.push(None)


@scenario("readable/set-encoding-null")
async def test_set_encoding_null(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-setEncoding-null.js: set_encoding(None) means utf8."""
    r = ns.Readable(high_water_mark=16, read=noop)
    log("before", r.readable_encoding)
    log("returns this", r.set_encoding(None) is r)
    log("after", r.readable_encoding)
    r.push("\u00e9".encode())
    log("read", r.read())
    r2 = ns.Readable(high_water_mark=16, read=noop, encoding="latin1")
    log("r2", r2.readable_encoding)
    r2.set_encoding("utf8")
    log("r2 after", r2.readable_encoding)


# -- destroy, close, construct --------------------------------------------------------


@scenario("readable/destroy-no-error")
async def test_destroy_no_error(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-destroy.js (first case): destroy() without error."""
    r = ns.Readable(high_water_mark=16, read=noop)

    def state(label: str) -> None:
        log(label, r.destroyed, r.closed, r.errored, r.readable, r.readable_aborted,
            r.readable_ended)

    r.resume()
    r.push("x")
    r.on("data", lambda c: log("data", c))
    r.on("end", lambda: log("end"))
    r.on("error", lambda e: log("error", e))
    r.on("close", lambda: state("close"))
    state("before")
    log("destroy returns this", r.destroy() is r)
    state("after")
    log("push after destroy", r.push("y"), r.readable_length)
    log("read after destroy", r.read())
    log("destroy again", r.destroy() is r)
    ns.next_tick(lambda: state("tick"))


@scenario("readable/destroy-with-error")
async def test_destroy_with_error(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-destroy.js (error cases): 'error' then 'close'."""
    r = ns.Readable(high_water_mark=16, read=noop)
    r.resume()
    expected = Error("kaboom")

    def state(label: str) -> None:
        log(label, r.destroyed, r.closed, r.errored is expected, r.readable_aborted)

    def on_error(e: BaseException) -> None:
        log("error", e, e is expected)
        state("at error")

    r.on("end", lambda: log("end"))
    r.on("error", on_error)
    r.on("close", lambda: state("at close"))
    r.destroy(expected)
    state("sync")
    r.destroy(Error("second"))
    state("after second")
    ns.next_tick(lambda: log("tick"))


@scenario("readable/destroy-custom")
async def test_destroy_custom(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-destroy.js (_destroy cases): swallow, replace, defer."""

    def destroy_a(s: ns.Readable, err: BaseException | None, cb: Callable[..., None]) -> None:
        log("A _destroy", err)
        cb()

    a = ns.Readable(high_water_mark=16, read=noop, destroy=destroy_a)
    a.on("error", lambda e: log("A error", e))
    a.on("close", lambda: log("A close", a.errored))
    a.destroy(Error("kaboom"))
    log("A sync", a.destroyed, a.errored)

    def destroy_b(s: ns.Readable, err: BaseException | None, cb: Callable[..., None]) -> None:
        log("B _destroy", err)
        cb(RangeError("replaced"))

    b = ns.Readable(high_water_mark=16, read=noop, destroy=destroy_b)
    b.on("error", lambda e: log("B error", e))
    b.on("close", lambda: log("B close"))
    b.destroy()
    log("B sync", b.destroyed, b.errored)

    def destroy_c(s: ns.Readable, err: BaseException | None, cb: Callable[..., None]) -> None:
        log("C _destroy", err)

        def later() -> None:
            log("C cb")
            cb(Error("late"))

        ns.next_tick(later)

    c = ns.Readable(high_water_mark=16, read=noop, destroy=destroy_c)
    c.on("error", lambda e: log("C error", e, c.errored is e))
    c.on("close", lambda: log("C close"))
    c.destroy()
    log("C sync", c.destroyed, c.closed, c.errored)
    c.destroy(Error("ignored"))
    log("C sync 2", c.errored)


@scenario("readable/error-no-end")
async def test_error_no_end(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-error-end.js: destroy(err) before 'end' -> no 'end'."""
    r = ns.Readable(high_water_mark=16, read=noop)
    r.on("end", lambda: log("end"))
    r.on("data", lambda c: log("data", c))
    r.on("error", lambda e: log("error", e))
    r.on("close", lambda: log("close", r.readable_ended, r.readable_aborted))
    r.push("asd")
    r.push(None)
    r.destroy(Error("kaboom"))
    log("sync", r.destroyed)
    await settle()

    s = ns.Readable(high_water_mark=16, read=noop)
    s.on("end", lambda: log("s end"))
    s.on("close", lambda: log("s close", s.readable_ended))
    s.push(None)
    s.resume()

    def tick() -> None:
        log("s destroy in tick")
        s.destroy()

    ns.next_tick(tick)


@scenario("readable/aborted")
async def test_aborted(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-aborted.js: readable_aborted."""
    a = ns.Readable(high_water_mark=16, read=noop)
    log("A", a.readable_aborted)
    a.destroy()
    log("A destroyed", a.readable_aborted)

    b = ns.Readable(high_water_mark=16, read=noop)
    b.push(None)
    b.destroy()
    log("B push null + destroy", b.readable_aborted)

    c = ns.Readable(high_water_mark=16, read=noop)
    c.push("asd")
    c.destroy()
    log("C push + destroy", c.readable_aborted)

    d = ns.Readable(high_water_mark=16, read=noop)
    d.push("asd")
    d.push(None)
    log("D before end", d.readable_aborted)

    def on_end() -> None:
        log("D at end", d.readable_aborted)
        d.destroy()
        log("D destroyed after end", d.readable_aborted)
        ns.next_tick(lambda: log("D tick", d.readable_aborted))

    d.on("end", on_end)
    d.resume()


@scenario("readable/emit-close-false")
async def test_emit_close_false(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-destroy.js (emitClose): no 'close' with emit_close=False."""
    r = ns.Readable(emit_close=False, high_water_mark=16, read=noop)
    r.on("close", lambda: log("A close"))
    r.on("end", lambda: log("A end"))
    r.on("data", lambda c: log("A data", c))
    r.push("a")
    r.push(None)
    await settle()
    log("A state", r.destroyed, r.closed, r.readable_ended)
    d = ns.Readable(emit_close=False, high_water_mark=16, read=noop)
    d.on("close", lambda: log("B close"))
    d.on("error", lambda e: log("B error", e))
    d.destroy(Error("x"))
    await settle()
    log("B state", d.destroyed, d.closed, d.errored is not None)


@scenario("readable/auto-destroy-false")
async def test_auto_destroy_false(log: Log) -> None:
    """Port of test/parallel/test-stream-autodestroy.js (readable): auto_destroy=False keeps it open."""
    r = ns.Readable(auto_destroy=False, high_water_mark=16, read=noop)
    r.on("data", lambda c: log("data", c))
    r.on("end", lambda: log("end", r.destroyed))
    r.on("close", lambda: log("close", r.destroyed, r.closed))
    r.push("a")
    r.push(None)
    await settle()
    log("after end", r.destroyed, r.closed, r.readable_ended)
    r.destroy()
    log("destroyed", r.destroyed, r.closed)
    await settle()
    t = ns.Readable(auto_destroy=True, high_water_mark=16, read=noop)
    t.on("end", lambda: log("T end", t.destroyed))
    t.on("close", lambda: log("T close", t.destroyed, t.closed))
    t.resume()
    t.push(None)


@scenario("readable/construct")
async def test_construct(log: Log) -> None:
    """Port of test/parallel/test-stream-construct.js (Readable): _read waits for construct's callback."""
    holder: dict[str, Callable[..., None]] = {}

    def construct_a(s: ns.Readable, cb: Callable[..., None]) -> None:
        log("A construct")
        holder["cb"] = cb

    def read_a(s: ns.Readable, n: int) -> None:
        log("A _read", n)
        s.push("x")
        s.push(None)

    a = ns.Readable(high_water_mark=16, construct=construct_a, read=read_a)
    a.on("data", lambda c: log("A data", c))
    a.on("end", lambda: log("A end"))
    a.on("close", lambda: log("A close"))
    log("A read0", a.read(0))
    await settle()
    log("A calling back")
    holder["cb"]()
    await settle()

    def construct_b(s: ns.Readable, cb: Callable[..., None]) -> None:
        log("B construct")
        ns.next_tick(cb, Error("boom"))

    b = ns.Readable(
        high_water_mark=16, construct=construct_b, read=lambda s, n: log("B _read (must not happen)")
    )
    b.on("error", lambda e: log("B error", e, b.destroyed))
    b.on("close", lambda: log("B close"))
    b.resume()
    await settle()

    def construct_c(s: ns.Readable, cb: Callable[..., None]) -> None:
        log("C construct")
        cb()

    def destroy_c(s: ns.Readable, err: BaseException | None, cb: Callable[..., None]) -> None:
        log("C _destroy", err)
        cb(err)

    c = ns.Readable(
        high_water_mark=16, construct=construct_c, read=lambda s, n: log("C _read"),
        destroy=destroy_c,
    )
    log("C destroy")
    c.destroy()
    c.on("close", lambda: log("C close"))


# -- readable_did_read ---------------------------------------------------------------


@scenario("readable/did-read")
async def test_did_read(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-didRead.js: readable_did_read after delivered chunks only."""

    async def check(label: str, readable: ns.Readable, fn: Callable[[], object]) -> None:
        log(label, "before", readable.readable_did_read)
        readable.on("error", lambda e: log(label, "error", e))
        readable.on("data", lambda c: log(label, "data"))
        readable.on("end", lambda: log(label, "end"))
        readable.on("close", lambda: log(label, "close"))
        fn()
        log(label, "sync", readable.readable_did_read)
        await settle()
        log(label, "after", readable.readable_did_read)

    def only_null() -> ns.Readable:
        return ns.Readable(high_water_mark=16, read=lambda s, n: s.push(None))

    def with_data(s: ns.Readable, n: int) -> None:
        s.push("data")
        s.push(None)

    r = only_null()
    await check("read", r, lambda: r.read())
    r = only_null()
    await check("resume", r, lambda: r.resume())
    r = only_null()
    await check("destroy", r, lambda: r.destroy())
    r = only_null()
    await check("destroy err", r, lambda: r.destroy(Error()))
    r = ns.Readable(high_water_mark=16, read=with_data)
    await check("on data", r, lambda: r.on("data", noop))
    r = ns.Readable(high_water_mark=16, read=with_data)

    def on_off() -> None:
        r.on("data", noop)
        r.off("data", noop)

    await check("on off data", r, on_off)


# -- async iteration -------------------------------------------------------------------


@scenario("readable/async-iter")
async def test_async_iter(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-async-iterators.js: async for collects every chunk."""
    chunks = ["a", "b", "c"]

    def read(s: ns.Readable, n: int) -> None:
        c = chunks.pop(0) if chunks else None
        ns.next_tick(lambda: s.push(c))

    r = ns.Readable(high_water_mark=16, read=read)
    r.on("end", lambda: log("end"))
    r.on("close", lambda: log("close", r.destroyed))
    async for c in r:
        log("chunk", c, r.readable_flowing)
    log("loop done", r.readable_ended, r.destroyed)


@scenario("readable/async-iter-break")
async def test_async_iter_break(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-async-iterators.js: break destroys the stream."""
    i = 0

    def read(s: ns.Readable, n: int) -> None:
        nonlocal i
        value = i
        i += 1
        s.push(value)

    r = ns.Readable(object_mode=True, high_water_mark=2, read=read)
    r.on("end", lambda: log("end"))
    r.on("error", lambda e: log("error", e))
    r.on("close", lambda: log("close", r.destroyed, r.readable_aborted, r.errored))
    async for c in r:
        log("chunk", c)
        if c == 2:
            break
    log("after loop", r.destroyed)


@scenario("readable/async-iter-error")
async def test_async_iter_error(log: Log) -> None:
    """Port of test/parallel/test-stream-readable-async-iterators.js: destroy(err) makes the loop raise."""
    r = ns.Readable(high_water_mark=16, read=noop)
    r.on("close", lambda: log("close"))
    r.push("a")
    try:
        async for c in r:
            log("chunk", c)
            set_immediate(lambda: r.destroy(TypeError("bad")))
        log("no throw")
    except Exception as e:
        log("caught", e, r.destroyed)


@scenario("readable/read-odd-sizes")
async def test_read_odd_sizes(log: Log) -> None:
    """Port of Node's readable.js read(n) coercion (test/parallel/test-stream-readable-hwm-0-no-flow-data.js
    neighbourhood): negative sizes read nothing, fractions truncate, numeric strings parse."""
    r = ns.Readable(read=noop, high_water_mark=100)
    r.push("abcdef")
    log("read(-1)", r.read(-1), r.readable_length)
    log("read(-5)", r.read(-5), r.readable_length)
    log("read(1.5)", r.read(1.5), r.readable_length)  # type: ignore[arg-type]
    log('read("2")', r.read("2"), r.readable_length)  # type: ignore[arg-type]
    log('read("x")', r.read("x"), r.readable_length)  # type: ignore[arg-type]
    log("hwm", r.readable_high_water_mark)
