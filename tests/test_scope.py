"""open_scope(): where streams run their deferred events and their async implementations."""

from __future__ import annotations

from collections.abc import Callable
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


def read_nothing(stream: Any, size: int) -> None:
    """A _read that never pushes."""


# -- no scope ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: ns.Readable(read=read_nothing),
        lambda: ns.Writable(write=lambda s, c, e, cb: cb()),
        lambda: ns.Duplex(),
        lambda: ns.Transform(),
        lambda: ns.PassThrough(),
        lambda: ns.next_tick(print),
        lambda: ns.current_scope(),
    ],
    ids=[
        "Readable",
        "Writable",
        "Duplex",
        "Transform",
        "PassThrough",
        "next_tick",
        "current_scope",
    ],
)
async def test_outside_a_scope_raises_err_no_scope(make: Any) -> None:
    with pytest.raises(ns.NodeError) as info:
        make()
    assert info.value.code == "ERR_NO_SCOPE"
    assert "open_scope()" in str(info.value)


def test_outside_trio_raises_err_no_scope() -> None:
    with pytest.raises(ns.NodeError, match=r"open_scope\(\)") as info:
        ns.Readable(read=read_nothing)
    assert info.value.code == "ERR_NO_SCOPE"


async def test_scope_argument_overrides_the_current_scope() -> None:
    async with ns.open_scope() as outer, ns.open_scope() as inner:
        assert ns.current_scope() is inner
        r = ns.Readable(read=read_nothing, scope=outer)
        assert r._scope is outer


async def test_current_scope_is_the_innermost() -> None:
    async with ns.open_scope() as outer:
        assert ns.current_scope() is outer
        async with ns.open_scope() as inner:
            assert ns.current_scope() is inner
        assert ns.current_scope() is outer


# -- errors in listeners ------------------------------------------------------------------


class Boom(Exception):
    pass


async def test_listener_raising_in_deferred_event_fails_the_scope() -> None:
    with pytest.RaisesGroup(Boom, allow_unwrapped=False):
        async with ns.open_scope():
            r = ns.Readable(high_water_mark=16, read=read_nothing)

            def on_data(chunk: bytes) -> None:
                raise Boom(chunk)

            r.on("data", on_data)  # resume() is deferred: 'data' runs from the tick queue
            r.push(b"x")
            await trio.sleep_forever()


async def test_raising_next_tick_callback_fails_the_scope() -> None:
    ran: list[str] = []
    with pytest.RaisesGroup(pytest.RaisesExc(Boom, match="tick")):
        async with ns.open_scope():

            def bad() -> None:
                raise Boom("tick")

            ns.next_tick(bad)
            ns.next_tick(ran.append, "after")  # never runs: the scope failed first
            await trio.sleep_forever()
    # The failed drain leaves the rest of the queue to the teardown.
    assert ran in ([], ["after"])


async def test_error_event_without_listener_fails_the_scope() -> None:
    with pytest.RaisesGroup(pytest.RaisesExc(Boom, match="no listener")):
        async with ns.open_scope():
            r = ns.Readable(high_water_mark=16, read=read_nothing)
            r.destroy(Boom("no listener"))
            await trio.sleep_forever()


async def test_body_exception_propagates_like_a_nursery_body() -> None:
    """A strict nursery: the body's exception arrives in a group; the teardown adds nothing."""
    with pytest.RaisesGroup(pytest.RaisesExc(Boom, match="body")):
        async with ns.open_scope():
            ns.Readable(read=read_nothing)
            raise Boom("body")


# -- cancellation ---------------------------------------------------------------------------


async def test_cancelling_the_scope_destroys_live_streams() -> None:
    events: list[tuple[str, Any]] = []
    with trio.move_on_after(0.01) as cs:
        async with ns.open_scope():
            r = ns.Readable(high_water_mark=16, read=read_nothing)
            r.on("error", lambda err: events.append(("r error", err)))
            r.on("close", lambda: events.append(("r close", r.destroyed)))
            w = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: None)  # never calls back
            w.on("error", lambda err: events.append(("w error", err)))
            w.on("close", lambda: events.append(("w close", w.destroyed)))
            w.write(b"stuck")
            done = ns.Readable(high_water_mark=16, read=read_nothing)
            done.on("close", lambda: events.append(("done close", None)))
            done.on("error", lambda err: events.append(("done error", err)))
            done.destroy()
            await settle()
            events.clear()
            await trio.sleep_forever()
    assert cs.cancelled_caught
    kinds = [name for name, _ in events]
    assert kinds.index("r error") < kinds.index("r close")
    assert kinds.index("w error") < kinds.index("w close")
    assert "done error" not in kinds and "done close" not in kinds  # already destroyed
    for name, value in events:
        if name.endswith("error"):
            assert isinstance(value, ns.AbortError)
            assert value.code == "ABORT_ERR"
            assert value.name == "AbortError"
        else:
            assert value is True


async def test_no_task_outlives_the_scope() -> None:
    started: list[str] = []

    async def slow_write(stream: Any, chunk: bytes, encoding: str) -> None:
        started.append("write")
        await trio.sleep_forever()

    async def slow_read(stream: Any, size: int) -> None:
        started.append("read")
        await trio.sleep_forever()

    before = set(trio.lowlevel.current_task().child_nurseries)
    with trio.move_on_after(0.01):
        async with ns.open_scope() as scope:
            w = ns.Writable(high_water_mark=16, write=slow_write)
            w.write(b"x")
            r = ns.Readable(high_water_mark=16, read=slow_read)
            r.resume()
            scope.start_soon(trio.sleep_forever)
            await trio.testing.wait_all_tasks_blocked()
            nursery = scope.nursery
            assert nursery.child_tasks
            await trio.sleep_forever()
    assert sorted(started) == ["read", "write"]
    assert not nursery.child_tasks
    assert set(trio.lowlevel.current_task().child_nurseries) == before
    assert w.destroyed and r.destroyed


async def test_scope_exit_waits_for_async_implementations() -> None:
    log: list[str] = []

    async def write(stream: Any, chunk: bytes, encoding: str) -> None:
        await trio.sleep(0.01)
        log.append("written")

    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=write)
        w.write(b"x", callback=lambda err=None: log.append("cb"))
        w.end(callback=lambda err=None: log.append("end cb"))
        w.on("finish", lambda: log.append("finish"))
    assert log == [
        "written",
        "cb",
        "end cb",
        "finish",
    ]  # Node 20: end() callbacks run before 'finish'


# -- next_tick ----------------------------------------------------------------------------


async def test_next_tick_is_fifo_and_passes_arguments() -> None:
    order: list[Any] = []
    async with ns.open_scope():
        for i in range(5):
            ns.next_tick(order.append, i)
        ns.next_tick(lambda *a: order.append(a), "a", "b")
        assert order == []  # deferred, not run inline
        await settle()
    assert order == [0, 1, 2, 3, 4, ("a", "b")]


async def test_ticks_queued_during_a_drain_run_in_the_same_drain() -> None:
    order: list[str] = []
    async with ns.open_scope() as scope:

        async def other_task() -> None:
            order.append("task")

        def first() -> None:
            order.append("first")
            # A Trio task started now cannot run before the drain finishes ...
            scope.nursery.start_soon(other_task)
            # ... while ticks queued now run in this drain, after those already queued.
            ns.next_tick(nested)

        def nested() -> None:
            order.append("nested")
            ns.next_tick(order.append, "nested-nested")

        ns.next_tick(first)
        ns.next_tick(order.append, "second")
        await settle()
    assert order == ["first", "second", "nested", "nested-nested", "task"]


async def test_stream_ticks_interleave_with_user_ticks_in_order() -> None:
    order: list[str] = []
    async with ns.open_scope():
        r = ns.Readable(high_water_mark=16, read=read_nothing)
        r.on("readable", lambda: order.append("readable"))
        ns.next_tick(order.append, "tick before push")
        r.push(b"x")
        ns.next_tick(order.append, "tick after push")
        await settle()
    assert order == ["tick before push", "readable", "tick after push"]


# -- async implementations ---------------------------------------------------------------------


async def test_async_write_raising_becomes_the_error_event() -> None:
    events: list[Any] = []

    async def write(stream: Any, chunk: bytes, encoding: str) -> None:
        await trio.sleep(0)
        raise Boom("write failed")

    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=write)
        w.on("error", lambda err: events.append(("error", err)))
        w.on("close", lambda: events.append(("close",)))
        w.write(b"x", lambda err=None: events.append(("cb", err)))
        await settle()
    assert [e[0] for e in events] == ["cb", "error", "close"]
    assert isinstance(events[0][1], Boom) and events[1][1] is events[0][1]
    assert w.errored is events[0][1]
    assert w.destroyed


async def test_async_read_pushes() -> None:
    async def read(stream: Any, size: int) -> None:
        await trio.sleep(0)
        stream.push(b"abc")
        stream.push(None)

    got: list[Any] = []
    async with ns.open_scope():
        r = ns.Readable(high_water_mark=16, read=read)
        r.on("data", got.append)
        r.on("end", lambda: got.append("end"))
        await settle()
    assert got == [b"abc", "end"]


async def test_async_read_raising_destroys() -> None:
    async def read(stream: Any, size: int) -> None:
        raise Boom("read failed")

    got: list[Any] = []
    async with ns.open_scope():
        r = ns.Readable(high_water_mark=16, read=read)
        r.on("error", lambda err: got.append(err))
        r.on("close", lambda: got.append("close"))
        r.resume()
        await settle()
    assert len(got) == 2 and isinstance(got[0], Boom) and got[1] == "close"


async def test_async_transform_and_flush() -> None:
    async def transform(stream: Any, chunk: bytes, encoding: str) -> bytes:
        await trio.sleep(0)
        return chunk.upper()

    async def flush(stream: Any) -> None:
        await trio.sleep(0)
        stream.push(b"!")

    got: list[Any] = []
    async with ns.open_scope():
        t = ns.Transform(high_water_mark=16, transform=transform, flush=flush)
        t.on("data", got.append)
        t.on("end", lambda: got.append("end"))
        t.on("finish", lambda: got.append("finish"))
        t.write(b"ab")
        t.end(b"cd")
        await settle()
    assert got == [b"AB", b"CD", b"!", "end", "finish"]  # as Node 20 orders them


async def test_async_final_construct_destroy() -> None:
    log: list[str] = []

    async def construct(stream: Any) -> None:
        await trio.sleep(0)
        log.append("construct")

    async def write(stream: Any, chunk: bytes, encoding: str) -> None:
        log.append(f"write {chunk.decode()}")

    async def final(stream: Any) -> None:
        await trio.sleep(0)
        log.append("final")

    async def destroy(stream: Any, err: BaseException | None) -> None:
        await trio.sleep(0)
        log.append(f"destroy {err!r}")

    async with ns.open_scope():
        w = ns.Writable(
            high_water_mark=16, construct=construct, write=write, final=final, destroy=destroy
        )
        w.on("finish", lambda: log.append("finish"))
        w.on("close", lambda: log.append("close"))
        w.write(b"x")
        log.append("wrote")
        w.end()
        await settle()
    assert log == ["wrote", "construct", "write x", "final", "finish", "destroy None", "close"]


async def test_async_final_raising_is_the_error() -> None:
    async def final(stream: Any) -> None:
        raise Boom("final failed")

    got: list[Any] = []
    async with ns.open_scope():
        w = ns.Writable(high_water_mark=16, write=lambda s, c, e, cb: cb(), final=final)
        w.on("error", got.append)
        w.on("finish", lambda: got.append("finish"))
        w.on("close", lambda: got.append("close"))
        w.end()
        await settle()
    assert len(got) == 2 and isinstance(got[0], Boom) and got[1] == "close"


async def test_async_construct_raising_destroys_before_any_read() -> None:
    async def construct(stream: Any) -> None:
        raise Boom("construct failed")

    got: list[Any] = []
    async with ns.open_scope():
        r = ns.Readable(
            high_water_mark=16, construct=construct, read=lambda s, n: got.append("read")
        )
        r.on("error", got.append)
        r.on("close", lambda: got.append("close"))
        r.resume()
        await settle()
    assert len(got) == 2 and isinstance(got[0], Boom) and got[1] == "close"


async def test_async_destroy_error_replaces_none() -> None:
    async def destroy(stream: Any, err: BaseException | None) -> None:
        raise Boom("destroy failed")

    got: list[Any] = []
    async with ns.open_scope():
        r = ns.Readable(high_water_mark=16, read=read_nothing, destroy=destroy)
        r.on("error", got.append)
        r.on("close", lambda: got.append("close"))
        r.destroy()
        await settle()
    assert len(got) == 2 and isinstance(got[0], Boom) and got[1] == "close"


async def test_subclass_async_methods() -> None:
    class Upper(ns.Transform):
        async def _transform(self, chunk: bytes, encoding: str) -> bytes:  # type: ignore[override]
            await trio.sleep(0)
            return chunk.upper()

    class Source(ns.Readable):
        def __init__(self) -> None:
            super().__init__(high_water_mark=16)
            self.left = [b"a", b"b"]

        async def _read(self, size: int) -> None:  # type: ignore[override]
            await trio.sleep(0)
            self.push(self.left.pop(0) if self.left else None)

    got: list[Any] = []
    async with ns.open_scope():
        src, up = Source(), Upper(high_water_mark=16)
        src.pipe(up)
        up.on("data", got.append)
        up.on("end", lambda: got.append("end"))
        await settle()
    assert got == [b"A", b"B", "end"]


async def test_a_stream_used_after_its_scope_exited_raises() -> None:
    """Nothing can run a stream's deferred steps once its scope's block exited: using it
    raises ERR_SCOPE_CLOSED (Trio's methods: ClosedResourceError caused by it), at once and
    without doing part of the work."""
    with trio.fail_after(5):
        async with ns.open_scope() as scope:
            r = ns.Readable(read=lambda s, n: None)
            w = ns.Writable(write=lambda s, c, e, cb: cb())
            d = ns.PassThrough()
            done = ns.Readable(read=lambda s, n: None)
            done.destroy()

        def closed(call: Callable[[], object]) -> None:
            with pytest.raises(ns.NodeError) as info:
                call()
            assert info.value.code == "ERR_SCOPE_CLOSED"

        closed(lambda: r.push(b"x"))
        assert r.readable_length == 0
        closed(lambda: r.read())
        closed(lambda: r.resume())
        closed(lambda: r.pipe(w))
        closed(lambda: r.destroy())
        closed(lambda: w.write(b"x"))
        assert w.writable_length == 0
        closed(lambda: w.end())
        closed(lambda: d.write(b"x"))
        closed(lambda: ns.Readable(read=lambda s, n: None, scope=scope))
        done.destroy()  # already destroyed: nothing to do, no error
        for call in (lambda: r.receive_some(), lambda: w.send_all(b"x"), lambda: d.aclose()):
            with pytest.raises(trio.ClosedResourceError) as trio_info:
                await call()
            assert getattr(trio_info.value.__cause__, "code", None) == "ERR_SCOPE_CLOSED"
        with pytest.raises(ns.NodeError, match="scope of this stream has exited"):
            async for _ in r:
                pass
