"""Trio's stream contract, checked by trio.testing's own checkers, clogged makers included.

``check_one_way_stream``, ``check_two_way_stream`` (which also runs the flipped
direction) and ``check_half_closeable_stream`` run against:

- the adapters over Trio streams (``readable_from_trio`` / ``writable_from_trio``,
  ``duplex_from_trio``, and one of ours facing a plain Trio stream);
- the stream types as users implement them: a Writable feeding a Readable, two
  Duplexes crossing, and Transforms joined by ``pipeline_cb``.

Each runs with a real ``clogged_stream_maker``: a pair whose ``send_all`` and
``wait_send_all_might_not_block`` block until the other side reads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio
import trio.testing

import trio_nodestreams as ns

Callback = Callable[..., object]
Maker = Callable[[], Awaitable[tuple[Any, Any]]]


def epipe() -> ns.NodeSystemError:
    return ns.NodeSystemError("EPIPE", "write EPIPE: the other side was closed")


def econnreset() -> ns.NodeSystemError:
    return ns.NodeSystemError("ECONNRESET", "the other side was closed")


class Link:
    """One direction of an in-memory connection made only of the streams' implementation
    hooks: ``_write`` pushes into the peer's readable side, and holds its callback while
    the peer's buffer is full (back-pressure) until the peer's ``_read`` asks for more."""

    def __init__(self) -> None:
        self.held: list[Callback] = []
        self.reader: Any = None
        self.writer: Any = None
        self.ended = False

    def write(self, stream: Any, chunk: bytes, encoding: Any, callback: Callback) -> None:
        reader = self.reader
        if reader.destroyed:
            callback(epipe())
        elif reader.push(chunk):
            callback()
        else:
            self.held.append(callback)

    def read(self, stream: Any, size: int) -> None:
        held, self.held = self.held, []
        for callback in held:
            callback()

    def final(self, stream: Any, callback: Callback) -> None:
        self.ended = True
        if not self.reader.destroyed:
            self.reader.push(None)
        callback()

    def reader_gone(self) -> None:
        """The reading side closed: pending writes fail now, later ones as they come."""
        held, self.held = self.held, []
        for callback in held:
            callback(epipe())

    def writer_gone(self) -> None:
        """The writing side was destroyed: the reader fails unless the writer had ended."""
        reader = self.reader
        if not self.ended and reader is not None and not reader.destroyed:
            reader.destroy(econnreset())


def link_pair(reader_hwm: int | None = None, writer_hwm: int | None = None) -> tuple[ns.Writable, ns.Readable]:
    """A Writable whose writes a Readable delivers: a one-way in-memory stream."""
    link = Link()

    def r_destroy(stream: Any, err: BaseException | None, callback: Callback) -> None:
        link.reader_gone()
        callback(err)

    def w_destroy(stream: Any, err: BaseException | None, callback: Callback) -> None:
        link.writer_gone()
        callback(err)

    reader = ns.Readable(read=link.read, destroy=r_destroy, high_water_mark=reader_hwm)
    writer = ns.Writable(write=link.write, final=link.final, destroy=w_destroy, high_water_mark=writer_hwm)
    link.reader, link.writer = reader, writer
    return observed(writer), observed(reader)


def observed(stream: Any) -> Any:
    """The checkers see a stream's errors through Trio's API (BrokenResourceError); one that
    fails before its first Trio call must not fail the scope with an unheard 'error' event
    (Node's rule, tested elsewhere)."""
    stream.on("error", lambda err: None)
    return stream


def duplex_pair(hwm: int | None = None) -> tuple[ns.Duplex, ns.Duplex]:
    """Two Duplexes, each one's writes read by the other: a two-way in-memory stream."""
    ab, ba = Link(), Link()

    def make(out: Link, into: Link) -> ns.Duplex:
        def read(stream: Any, size: int) -> None:
            into.read(stream, size)

        def destroy(stream: Any, err: BaseException | None, callback: Callback) -> None:
            into.reader_gone()
            out.writer_gone()
            callback(err)

        return ns.Duplex(
            read=read,
            write=out.write,
            final=out.final,
            destroy=destroy,
            readable_high_water_mark=hwm,
            writable_high_water_mark=hwm,
        )

    a, b = make(ab, ba), make(ba, ab)
    ab.writer, ab.reader = a, b
    ba.writer, ba.reader = b, a
    return observed(a), observed(b)


def transform_pair(hwm: int | None = None) -> tuple[ns.PassThrough, ns.PassThrough]:
    """Two PassThroughs joined by ``pipeline_cb``: what is sent into one is received from the other."""
    first = ns.PassThrough(high_water_mark=hwm)
    last = ns.PassThrough(high_water_mark=hwm)
    ns.pipeline_cb(first, last, lambda err: None)
    return first, last


def clog(stream: Any) -> Any:
    """Write until ``stream`` needs draining: then send_all and its wait block until the peer reads."""
    for _ in range(64):
        if stream.writable_need_drain:
            return stream
        stream.write(b"x")
    raise AssertionError("the stream never applied back-pressure")


# -- makers: (plain maker, clogged maker) per case ---------------------------------------


async def adapters_one_way() -> tuple[Any, Any]:
    send, receive = trio.testing.memory_stream_one_way_pair()
    return ns.writable_from_trio(send), ns.readable_from_trio(receive)


async def adapters_one_way_clogged() -> tuple[Any, Any]:
    send, receive = trio.testing.lockstep_stream_one_way_pair()
    return clog(ns.writable_from_trio(send, high_water_mark=1)), ns.readable_from_trio(receive)


async def adapters_duplex() -> tuple[Any, Any]:
    a, b = trio.testing.memory_stream_pair()
    return ns.duplex_from_trio(a), ns.duplex_from_trio(b)


async def adapters_duplex_clogged() -> tuple[Any, Any]:
    a, b = trio.testing.lockstep_stream_pair()
    return (
        clog(ns.duplex_from_trio(a, writable_high_water_mark=1)),
        clog(ns.duplex_from_trio(b, writable_high_water_mark=1)),
    )


async def ours_and_plain_trio() -> tuple[Any, Any]:
    a, b = trio.testing.memory_stream_pair()
    return ns.duplex_from_trio(a), b


async def ours_and_plain_trio_clogged() -> tuple[Any, Any]:
    a, b = trio.testing.lockstep_stream_pair()
    return clog(ns.duplex_from_trio(a, writable_high_water_mark=1)), b


async def writable_into_readable() -> tuple[Any, Any]:
    return link_pair()


async def writable_into_readable_clogged() -> tuple[Any, Any]:
    writer, reader = link_pair(reader_hwm=1, writer_hwm=1)
    return clog(writer), reader


async def duplexes() -> tuple[Any, Any]:
    return duplex_pair()


async def duplexes_clogged() -> tuple[Any, Any]:
    a, b = duplex_pair(hwm=1)
    return clog(a), clog(b)


async def transforms() -> tuple[Any, Any]:
    return transform_pair()


async def transforms_clogged() -> tuple[Any, Any]:
    first, last = transform_pair(hwm=1)
    return clog(first), last


ONE_WAY: dict[str, tuple[Maker, Maker]] = {
    "readable_from_trio+writable_from_trio": (adapters_one_way, adapters_one_way_clogged),
    "Writable into Readable": (writable_into_readable, writable_into_readable_clogged),
    "Transform pipeline": (transforms, transforms_clogged),
}

TWO_WAY: dict[str, tuple[Maker, Maker]] = {
    "duplex_from_trio both ends": (adapters_duplex, adapters_duplex_clogged),
    "duplex_from_trio facing a Trio stream": (ours_and_plain_trio, ours_and_plain_trio_clogged),
    "Duplex pair": (duplexes, duplexes_clogged),
}

HALF_CLOSEABLE: dict[str, tuple[Maker, Maker]] = {
    "duplex_from_trio both ends": (adapters_duplex, adapters_duplex_clogged),
    "Duplex pair": (duplexes, duplexes_clogged),
}


@pytest.mark.parametrize("name", sorted(ONE_WAY))
async def test_one_way_stream(name: str) -> None:
    """trio.testing.check_one_way_stream, with a clogged maker."""
    maker, clogged = ONE_WAY[name]
    with trio.fail_after(20):
        async with ns.open_scope():
            await trio.testing.check_one_way_stream(maker, clogged)


@pytest.mark.parametrize("name", sorted(TWO_WAY))
async def test_two_way_stream(name: str) -> None:
    """trio.testing.check_two_way_stream (both directions), with a clogged maker."""
    maker, clogged = TWO_WAY[name]
    with trio.fail_after(20):
        async with ns.open_scope():
            await trio.testing.check_two_way_stream(maker, clogged)


@pytest.mark.parametrize("name", sorted(HALF_CLOSEABLE))
async def test_half_closeable_stream(name: str) -> None:
    """trio.testing.check_half_closeable_stream, with a clogged maker."""
    maker, clogged = HALF_CLOSEABLE[name]
    with trio.fail_after(20):
        async with ns.open_scope():
            await trio.testing.check_half_closeable_stream(maker, clogged)


async def test_the_clogged_makers_are_clogged() -> None:
    """send_all on each clogged maker's stream does block until the other side reads."""
    makers = [c for _, c in ONE_WAY.values()] + [c for _, c in TWO_WAY.values()]
    with trio.fail_after(20):
        async with ns.open_scope():
            for clogged in makers:
                s, r = await clogged()
                sent = False

                async def send(s: Any = s) -> None:
                    nonlocal sent
                    await s.send_all(b"y")
                    sent = True

                async with trio.open_nursery() as nursery:
                    nursery.start_soon(send)
                    await trio.testing.wait_all_tasks_blocked()
                    assert not sent, clogged.__name__
                    nursery.cancel_scope.cancel()
                await trio.aclose_forcefully(s)
                await trio.aclose_forcefully(r)


async def test_concurrent_send_all_is_busy() -> None:
    """A second task calling send_all while the first waits out back-pressure gets
    BusyResourceError, as a second receive_some does; so does send_eof."""
    with trio.fail_after(5):
        async with ns.open_scope():
            a, b = duplex_pair(hwm=1)
            clog(a)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(a.send_all, b"z")
                await trio.testing.wait_all_tasks_blocked()
                with pytest.raises(trio.BusyResourceError):
                    await a.send_all(b"z")
                with pytest.raises(trio.BusyResourceError):
                    await a.wait_send_all_might_not_block()
                with pytest.raises(trio.BusyResourceError):
                    await a.send_eof()
                nursery.cancel_scope.cancel()
            await trio.aclose_forcefully(a)
            await trio.aclose_forcefully(b)
