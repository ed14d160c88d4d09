"""Trio idioms on Node streams: ``async for``, ``receive_some``, ``send_all``, ``aclose``."""

from __future__ import annotations

from typing import Any

import pytest
import trio
import trio.testing

import trio_nodestreams as ns


async def settle() -> None:
    """Wait until the current scope has nothing left to run."""
    while True:
        await trio.testing.wait_all_tasks_blocked()
        if ns.current_scope().idle:
            return


async def quiesce() -> None:
    """Wait until every task is blocked (an async implementation may be parked on purpose)."""
    await trio.testing.wait_all_tasks_blocked()


class Boom(Exception):
    pass


def source(chunks: list[Any], **options: Any) -> ns.Readable:
    """A Readable that pushes ``chunks`` one per _read, then ends."""
    left = list(chunks)

    def read(stream: Any, size: int) -> None:
        stream.push(left.pop(0) if left else None)

    return ns.Readable(read=read, **options)


def trickle(chunks: list[Any], **options: Any) -> ns.Readable:
    """A Readable whose async _read yields to Trio before each push."""
    left = list(chunks)

    async def read(stream: Any, size: int) -> None:
        await trio.sleep(0)
        stream.push(left.pop(0) if left else None)

    return ns.Readable(read=read, **options)


def is_abort(err: object) -> bool:
    return isinstance(err, ns.NodeError) and err.code == "ABORT_ERR" and err.name == "AbortError"


# -- async for ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", [source, trickle])
async def test_async_for_bytes(make: Any) -> None:
    async with ns.open_scope():
        r = make([b"ab", b"cd", b"e"], high_water_mark=16)
        got = [chunk async for chunk in r]
        assert b"".join(got) == b"abcde"
        assert all(isinstance(c, bytes) for c in got)
        await settle()
        assert r.readable_ended and r.destroyed


async def test_async_for_object_mode_keeps_each_object() -> None:
    objs: list[Any] = [1, "two", {"three": 3}, [4], b"", 0, False]
    async with ns.open_scope():
        r = trickle(objs, object_mode=True, high_water_mark=2)
        got = [obj async for obj in r]
    assert got == objs


async def test_async_for_with_encoding_decodes_split_characters() -> None:
    data = "héllo wörld €𝄞".encode()
    pieces = [data[i : i + 1] for i in range(len(data))]
    async with ns.open_scope():
        r = trickle(pieces, encoding="utf8", high_water_mark=4)
        got = [text async for text in r]
    assert all(isinstance(t, str) for t in got)
    assert "".join(got) == "héllo wörld €𝄞"


async def test_async_for_early_break_destroys_with_abort_error() -> None:
    events: list[Any] = []
    async with ns.open_scope():
        r = source([b"a", b"b", b"c"], high_water_mark=1)
        r.on("error", lambda err: events.append(("error", err)))
        r.on("close", lambda: events.append(("close",)))
        async for chunk in r:
            assert chunk == b"a"
            break
        assert r.destroyed
        await settle()
    assert [e[0] for e in events] == ["error", "close"]
    assert is_abort(events[0][1])
    assert is_abort(r.errored)


async def test_async_for_exception_in_body_destroys_and_propagates() -> None:
    closed: list[bool] = []
    with pytest.RaisesGroup(pytest.RaisesExc(Boom, match="body")):
        async with ns.open_scope():
            r = source([b"a", b"b"], high_water_mark=1)
            r.on("error", lambda err: None)
            r.on("close", lambda: closed.append(True))
            async for _ in r:
                raise Boom("body")
    assert closed == [True]
    assert r.destroyed


async def test_async_for_after_end_with_destroy_on_return_false_keeps_stream() -> None:
    async with ns.open_scope():
        r = source([b"a", b"b", b"c"], high_water_mark=1)
        async for chunk in r.iterator(destroy_on_return=False):
            assert chunk == b"a"
            break
        assert not r.destroyed
        rest = [chunk async for chunk in r]
    assert b"".join(rest) == b"bc"


async def test_async_for_raises_the_stream_error() -> None:
    async with ns.open_scope():
        r = trickle([b"a"], high_water_mark=16)
        got: list[bytes] = []
        with pytest.raises(Boom, match="mid-stream"):
            async for chunk in r:
                got.append(chunk)
                r.destroy(Boom("mid-stream"))
        assert got == [b"a"]
        assert isinstance(r.errored, Boom)


async def test_async_for_raises_error_from_failed_read() -> None:
    def read(stream: Any, size: int) -> None:
        raise Boom("read failed")

    async with ns.open_scope():
        r = ns.Readable(read=read, high_water_mark=16)
        with pytest.raises(Boom, match="read failed"):
            async for _ in r:
                pass


async def test_async_for_on_already_ended_stream() -> None:
    async with ns.open_scope():
        r = source([], high_water_mark=16)
        assert [c async for c in r] == []
        # Iterating again after the end gives nothing and does not hang.
        assert [c async for c in r] == []


async def test_async_for_is_cancellable() -> None:
    async with ns.open_scope():
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        with trio.move_on_after(0.01) as cs:
            async for _ in r:
                pass  # pragma: no cover
        assert cs.cancelled_caught
        assert r.destroyed  # leaving the loop early, even by cancellation


# -- receive_some --------------------------------------------------------------------------


async def test_receive_some_respects_max_bytes_and_ends_with_empty() -> None:
    async with ns.open_scope():
        r = source([b"abcdef", b"gh"], high_water_mark=16)
        got: list[bytes] = []
        while chunk := await r.receive_some(3):
            assert 1 <= len(chunk) <= 3
            got.append(chunk)
        assert b"".join(got) == b"abcdefgh"
        assert await r.receive_some(3) == b""
        assert await r.receive_some() == b""


async def test_receive_some_without_max_bytes_returns_what_is_buffered() -> None:
    async with ns.open_scope():
        r = ns.Readable(read=lambda s, n: None, high_water_mark=64)
        r.push(b"ab")
        r.push(b"cd")
        assert await r.receive_some() == b"abcd"
        r.push(None)
        assert await r.receive_some() == b""


async def test_receive_some_waits_for_data() -> None:
    async with ns.open_scope() as scope:
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        got: list[bytes] = []

        async def receiver() -> None:
            got.append(await r.receive_some(10))

        scope.nursery.start_soon(receiver)
        await settle()
        assert got == []
        r.push(b"late")
        await settle()
        assert got == [b"late"]


async def test_receive_some_concurrent_calls_are_busy() -> None:
    async with ns.open_scope() as scope:
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        got: list[bytes] = []

        async def first() -> None:
            got.append(await r.receive_some(10))

        scope.nursery.start_soon(first)
        await settle()
        with pytest.raises(trio.BusyResourceError):
            await r.receive_some(10)
        r.push(b"x")
        await settle()
        assert got == [b"x"]
        # The busy flag is released once the first call returns.
        r.push(b"y")
        assert await r.receive_some(10) == b"y"


async def test_receive_some_failed_stream_is_broken_with_cause() -> None:
    async with ns.open_scope():
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        r.on("error", lambda err: None)
        err = Boom("failed")
        r.destroy(err)
        with pytest.raises(trio.BrokenResourceError) as info:
            await r.receive_some(10)
        assert info.value.__cause__ is err


async def test_receive_some_failure_while_waiting_is_broken_with_cause() -> None:
    async with ns.open_scope() as scope:
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        r.on("error", lambda err: None)
        caught: list[BaseException] = []

        async def receiver() -> None:
            try:
                await r.receive_some(10)
            except trio.BrokenResourceError as exc:
                caught.append(exc)

        scope.nursery.start_soon(receiver)
        await settle()
        err = Boom("later")
        r.destroy(err)
        await settle()
        assert len(caught) == 1 and caught[0].__cause__ is err


async def test_receive_some_after_destroy_is_closed() -> None:
    async with ns.open_scope():
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        r.push(b"dropped")
        r.destroy()
        with pytest.raises(trio.ClosedResourceError):
            await r.receive_some(10)
        await settle()
        with pytest.raises(trio.ClosedResourceError):
            await r.receive_some(10)


async def test_receive_some_rejects_nonpositive_max_bytes() -> None:
    async with ns.open_scope():
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        with pytest.raises(ValueError):
            await r.receive_some(0)


async def test_receive_some_cancelled_loses_nothing() -> None:
    async with ns.open_scope():
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        with trio.move_on_after(0.01):
            await r.receive_some(10)
        r.push(b"kept")
        assert await r.receive_some(10) == b"kept"


async def test_readable_is_a_trio_receive_stream() -> None:
    async with ns.open_scope():
        r = source([b"abc"], high_water_mark=16)
        assert isinstance(r, trio.abc.ReceiveStream)
        async with r:  # AsyncResource: aclose() on exit
            assert await r.receive_some(2) == b"ab"
        assert r.destroyed


# -- send_all ---------------------------------------------------------------------------------


async def test_send_all_blocks_until_drained() -> None:
    events: list[str] = []
    gate = trio.Event()

    async def slow_write(stream: Any, chunk: bytes, encoding: str) -> None:
        events.append(f"write {len(chunk)} start")
        await gate.wait()
        events.append(f"write {len(chunk)} done")

    async with ns.open_scope() as scope:
        w = ns.Writable(high_water_mark=4, write=slow_write)
        w.on("drain", lambda: events.append("drain"))

        async def sender() -> None:
            await w.send_all(b"12345678")  # 8 >= hwm 4: write() returns False
            events.append("send_all returned")

        scope.nursery.start_soon(sender)
        await quiesce()
        assert events == ["write 8 start"]
        assert w.writable_need_drain and w.writable_length == 8
        gate.set()
        await quiesce()
    assert events == ["write 8 start", "write 8 done", "drain", "send_all returned"]


async def test_send_all_under_hwm_returns_without_waiting() -> None:
    async def never(stream: Any, chunk: bytes, encoding: str) -> None:
        await trio.sleep_forever()

    with trio.move_on_after(1) as cs:
        async with ns.open_scope():
            w = ns.Writable(high_water_mark=16, write=never)
            w.on("error", lambda err: None)
            await w.send_all(b"abc")  # 3 < 16: returns while the write is still in flight
            assert w.writable_length == 3
            cs.cancel()
    assert cs.cancelled_caught


async def test_send_all_back_pressure_sequence() -> None:
    written: list[bytes] = []

    async def write(stream: Any, chunk: bytes, encoding: str) -> None:
        await trio.sleep(0)
        written.append(chunk)

    async with ns.open_scope():
        w = ns.Writable(high_water_mark=3, write=write)
        for i in range(20):
            await w.send_all(b"%02d" % i)
            assert w.writable_length < 3 or w.writable_need_drain
        await w.aclose()
        assert w.writable_finished
    assert b"".join(written) == b"".join(b"%02d" % i for i in range(20))


async def test_send_all_accepts_bytearray_and_memoryview() -> None:
    written: list[bytes] = []
    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: (written.append(c), cb()))
        await w.send_all(bytearray(b"ab"))
        await w.send_all(memoryview(b"cd"))
        await w.aclose()
    assert written == [b"ab", b"cd"]


async def test_send_all_after_end_is_closed() -> None:
    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: cb())
        w.end()
        with pytest.raises(trio.ClosedResourceError):
            await w.send_all(b"x")


async def test_send_all_on_failed_stream_is_broken_with_cause() -> None:
    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: cb())
        w.on("error", lambda err: None)
        err = Boom("broken")
        w.destroy(err)
        with pytest.raises(trio.BrokenResourceError) as info:
            await w.send_all(b"x")
        assert info.value.__cause__ is err


async def test_send_all_failure_during_drain_wait_is_broken_with_cause() -> None:
    async def write(stream: Any, chunk: bytes, encoding: str) -> None:
        await trio.sleep(0)
        raise Boom("write failed")

    async with ns.open_scope():
        w = ns.Writable(high_water_mark=2, write=write)
        w.on("error", lambda err: None)
        with pytest.raises(trio.BrokenResourceError) as info:
            await w.send_all(b"xyz")
        assert isinstance(info.value.__cause__, Boom)


async def test_send_all_after_destroy_is_closed() -> None:
    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: cb())
        w.destroy()
        with pytest.raises(trio.ClosedResourceError):
            await w.send_all(b"x")


async def test_wait_send_all_might_not_block() -> None:
    gate = trio.Event()

    async def write(stream: Any, chunk: bytes, encoding: str) -> None:
        await gate.wait()

    async with ns.open_scope() as scope:
        w = ns.Writable(high_water_mark=2, write=write)
        assert w.write(b"abc") is False
        done: list[bool] = []

        async def waiter() -> None:
            await w.wait_send_all_might_not_block()
            done.append(True)

        scope.nursery.start_soon(waiter)
        await quiesce()
        assert done == []
        gate.set()
        await quiesce()
        assert done == [True]


# -- aclose ------------------------------------------------------------------------------------


async def test_writable_is_a_trio_send_stream() -> None:
    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: cb())
        assert isinstance(w, trio.abc.SendStream)
        async with w:  # AsyncResource: aclose() on exit ends the stream
            await w.send_all(b"x")
        assert w.writable_finished


async def test_writable_aclose_ends_and_waits_for_finish() -> None:
    events: list[str] = []

    async def write(stream: Any, chunk: bytes, encoding: str) -> None:
        await trio.sleep(0.005)
        events.append("written")

    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=write)
        w.on("finish", lambda: events.append("finish"))
        w.write(b"x")
        await w.aclose()
        events.append("aclose returned")
        assert w.writable_finished
        await settle()
        assert w.destroyed  # auto_destroy
        await w.aclose()  # idempotent
    assert events == ["written", "finish", "aclose returned"]


async def test_writable_aclose_cancelled_destroys() -> None:
    async def never(stream: Any, chunk: bytes, encoding: str) -> None:
        await trio.sleep_forever()

    with trio.move_on_after(1):  # the stuck _write itself is only cancelled with the scope
        async with ns.open_scope():
            w = ns.Writable(high_water_mark=16, write=never)
            w.on("error", lambda err: None)
            w.write(b"x")
            with trio.move_on_after(0.01) as cs:
                await w.aclose()
            assert cs.cancelled_caught
            assert w.destroyed


async def test_destroy_cancels_an_in_flight_async_write() -> None:
    """A destroyed stream must not keep its scope open: its pending async _write is cancelled.

    Node's destroy() closes the resource under a pending write; the Trio analogue is
    cancelling the task that runs the async _write.
    """
    cancelled: list[bool] = []

    async def never(stream: Any, chunk: bytes, encoding: str) -> None:
        try:
            await trio.sleep_forever()
        except trio.Cancelled:
            cancelled.append(True)
            raise

    with trio.fail_after(2):
        async with ns.open_scope():
            w = ns.Writable(high_water_mark=16, write=never)
            w.write(b"x")
            await quiesce()
            w.destroy()
    assert cancelled == [True]


async def test_writable_aclose_reports_final_error() -> None:
    def final(stream: Any, cb: Any) -> None:
        cb(Boom("final"))

    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: cb(), final=final)
        w.on("error", lambda err: None)
        with pytest.raises(trio.BrokenResourceError) as info:
            await w.aclose()
        assert isinstance(info.value.__cause__, Boom)


async def test_readable_aclose_destroys() -> None:
    events: list[str] = []
    async with ns.open_scope():
        r = ns.Readable(read=lambda s, n: None, high_water_mark=16)
        r.on("close", lambda: events.append("close"))
        r.on("error", lambda err: events.append("error"))
        await r.aclose()
        assert r.destroyed
        await settle()
    assert events == ["close"]  # aclose() is destroy() without an error


async def test_duplex_aclose_and_receive() -> None:
    async with ns.open_scope():
        p = ns.PassThrough(high_water_mark=16)
        await p.send_all(b"hello")
        p.end()
        assert await p.receive_some(100) == b"hello"
        assert await p.receive_some(100) == b""


def test_a_bound_method_is_removed_by_the_same_expression_that_added_it() -> None:
    """``obj.method`` is a new object at each access in Python: ``off("x", self.on_x)``
    must still remove the listener ``on("x", self.on_x)`` added (Node compares with ===,
    which the same function value always passes)."""

    class Watcher:
        def __init__(self) -> None:
            self.seen: list[object] = []

        def on_x(self, value: object) -> None:
            self.seen.append(value)

    emitter = ns.EventEmitter()
    a, b = Watcher(), Watcher()
    emitter.on("x", a.on_x)
    emitter.on("x", b.on_x)
    emitter.once("x", a.on_x)
    assert emitter.listener_count("x", a.on_x) == 2
    emitter.off("x", a.on_x)  # the most recent one: the once
    emitter.emit("x", 1)
    assert (a.seen, b.seen) == ([1], [1])
    emitter.remove_listener("x", a.on_x)
    emitter.emit("x", 2)
    assert (a.seen, b.seen) == ([1], [1, 2])
    assert emitter.listener_count("x", a.on_x) == 0
