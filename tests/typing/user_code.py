"""User code, type-checked with ``mypy --strict`` (CI runs it; tests/test_typing.py too).

It uses each stream type where Trio's ABCs are expected, and the public surface
(options, callbacks, listeners, chunks) as a user would. Lines that must be
rejected carry ``# type: ignore[code]``: with ``warn_unused_ignores`` (part of
--strict), mypy fails if one of them is accepted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import trio
import trio.testing

import trio_nodestreams as ns
from trio_nodestreams import http


async def consume(stream: trio.abc.ReceiveStream) -> bytes:
    data = b""
    while chunk := await stream.receive_some():
        data += chunk
    return data


async def produce(stream: trio.abc.SendStream, data: bytes) -> None:
    await stream.send_all(data)
    await stream.aclose()


async def half_close(stream: trio.abc.HalfCloseableStream) -> None:
    await stream.send_eof()


async def resource(r: trio.abc.AsyncResource) -> None:
    await r.aclose()


def read_impl(stream: ns.Readable, size: int) -> None:
    stream.push(b"x")
    stream.push(None)


def write_impl(stream: ns.Writable, chunk: bytes, encoding: str | None, callback: Callable[..., object]) -> None:
    callback()


def transform_impl(stream: ns.Transform, chunk: bytes, encoding: str | None, callback: Callable[..., object]) -> None:
    callback(None, chunk.upper())


class Upper(ns.Transform):
    """A subclass, as users write them."""

    def _transform(self, chunk: bytes, encoding: str | None, callback: Callable[..., object]) -> None:
        callback(None, chunk.upper())


async def upper_lines(source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async for chunk in source:
        yield chunk.upper()


async def main() -> None:
    async with ns.open_scope() as scope:
        readable = ns.Readable(read=read_impl, high_water_mark=1024)
        writable = ns.Writable(write=write_impl, object_mode=False)
        duplex = ns.Duplex(read=read_impl, write=write_impl, allow_half_open=False)
        transform = ns.Transform(transform=transform_impl)
        passthrough = ns.PassThrough()
        adapter = ns.duplex_from_trio(trio.testing.memory_stream_pair()[0])

        # Each stream type where Trio's ABCs are expected.
        await consume(readable)
        await consume(duplex)
        await consume(transform)
        await consume(passthrough)
        await produce(writable, b"data")
        await produce(duplex, b"data")
        await half_close(duplex)
        await half_close(Upper())
        await half_close(adapter)
        await resource(readable)
        trio_streams: list[trio.abc.Stream] = [duplex, transform, passthrough, adapter]

        # Listeners and callbacks.
        readable.on("data", lambda chunk: None).on("end", lambda: None)
        writable.once("finish", lambda: None)
        writable.write(b"x", lambda err=None: None)
        writable.end(b"y", callback=lambda err=None: None)
        ns.eos(writable, lambda err: None)
        ns.pipeline_cb(readable, transform, writable, lambda err, value: None)
        dest: ns.PassThrough = readable.pipe(ns.PassThrough())

        # The Trio forms.
        await ns.pipeline(ns.Readable.from_iterable([b"a", b"b"]), upper_lines, writable)
        await ns.finished(writable)
        chunks = await ns.Readable.from_iterable(range(3)).to_array()
        doubled = ns.Readable.from_iterable(range(3)).map(lambda n: n * 2)
        async for item in doubled:
            print(item)
        ns.next_tick(print, "later")
        scope.next_tick(print, "later")

        # The HTTP classes are streams too.
        async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
            await consume(req)
            await produce(res, b"hello")

        server = http.create_server(handler)

        # What must be rejected.
        await produce(readable, b"x")  # type: ignore[arg-type]
        await consume(writable)  # type: ignore[arg-type]
        await half_close(readable)  # type: ignore[arg-type]
        await half_close(writable)  # type: ignore[arg-type]
        ns.Readable(high_water_mark="16")  # type: ignore[arg-type]
        ns.Writable(object_mode=1.5)  # type: ignore[arg-type]
        readable.on("data", 42)  # type: ignore[arg-type]
        ns.Readable(scope=object())  # type: ignore[arg-type]
        await ns.pipeline(readable)  # type: ignore[call-overload]
        readable.pipe(42)  # type: ignore[type-var]
        print(trio_streams, dest, chunks, server)


def client_request_is_a_send_stream(req: http.ClientRequest) -> trio.abc.SendStream:
    return req


def options_are_checked() -> None:
    ns.PassThrough(high_water_mark=4, object_mode=True)
    ns.Transform(transform=transform_impl, readable_object_mode=True)
    ns.PassThrough(hwm=4)  # type: ignore[call-arg]
    ns.Transform(object_mode="yes")  # type: ignore[arg-type]
