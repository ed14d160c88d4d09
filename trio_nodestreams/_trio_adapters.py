"""Trio streams and channels as Node streams, and Node streams as Trio streams.

A Readable over a Trio ``ReceiveStream`` reads from one scope task, and only
while the Readable wants data (its ``_read`` was called and ``push`` has not
yet returned False), so a full buffer stops the reads and TCP's window does
the rest. A Writable over a ``SendStream`` awaits ``send_all`` per write (or
per batch of buffered writes), so ``write()`` returns False while the socket
is slow.

In the other direction nothing is needed: :class:`Readable`, :class:`Writable`
and :class:`Duplex` are ``trio.abc.ReceiveStream``, ``trio.abc.SendStream`` and
``trio.abc.HalfCloseableStream``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import trio

from ._async_impl import run_async
from ._duplex import Duplex
from ._feeder import Emit, Feeder
from ._readable import Readable
from ._scope import Scope
from ._writable import Writable

Callback = Callable[..., object]

DEFAULT_RECEIVE_SIZE = 65536

__all__ = [
    "duplex_from_trio",
    "readable_from_channel",
    "readable_from_trio",
    "writable_from_channel",
    "writable_from_trio",
]

def _receiver(receive_stream: trio.abc.ReceiveStream, receive_size: int) -> Callable[[Emit], Awaitable[None]]:
    async def produce(emit: Emit) -> None:
        while True:
            data = await receive_stream.receive_some(receive_size)
            if not data:
                return
            await emit(bytes(data))

    return produce


def _closing_destroy(feeder: Feeder | None, resource: trio.abc.AsyncResource) -> Callable[..., None]:
    """A ``destroy=`` option that stops the reader task, then closes ``resource``."""

    def destroy(stream: Readable | Writable, err: BaseException | None, callback: Callback) -> None:
        def after_reader(er: BaseException | None = None) -> None:
            async def close() -> None:
                await trio.aclose_forcefully(resource)

            run_async(stream, close, (), lambda exc, _r: callback(er if er is not None else exc))

        if feeder is None:
            after_reader(err)
        else:
            assert isinstance(stream, Readable)  # a feeder feeds a readable side
            feeder.destroy(stream, err, after_reader)

    return destroy


def readable_from_trio(
    receive_stream: trio.abc.ReceiveStream,
    *,
    high_water_mark: int | None = None,
    receive_size: int = DEFAULT_RECEIVE_SIZE,
    encoding: str | None = None,
    scope: Scope | None = None,
) -> Readable:
    """A byte Readable over a Trio ``ReceiveStream``.

    Args:
      receive_stream: what to read from; it is closed when the Readable is destroyed.
      high_water_mark: bytes buffered before reading pauses (default 64 KiB).
      receive_size: ``max_bytes`` of each ``receive_some``.

    Errors from ``receive_some`` destroy the Readable with that error.
    """
    feeder = Feeder(_receiver(receive_stream, receive_size))
    return Readable(
        high_water_mark=high_water_mark,
        encoding=encoding,
        scope=scope,
        read=feeder.read,
        destroy=_closing_destroy(feeder, receive_stream),
    )


def _sender(send_stream: trio.abc.SendStream) -> tuple[Callable[..., Awaitable[None]], Callable[..., Awaitable[None]]]:
    async def write(stream: Writable, chunk: bytes, encoding: str | None) -> None:
        await send_stream.send_all(chunk)

    async def writev(stream: Writable, chunks: list[tuple[bytes, str | None]]) -> None:
        await send_stream.send_all(b"".join(c for c, _ in chunks))

    return write, writev


def writable_from_trio(
    send_stream: trio.abc.SendStream,
    *,
    high_water_mark: int | None = None,
    scope: Scope | None = None,
) -> Writable:
    """A byte Writable over a Trio ``SendStream``.

    ``end()`` sends EOF (``send_eof`` where the stream has it, else ``aclose``);
    destroying the Writable closes the stream. An error from ``send_all``
    destroys the Writable with that error.
    """
    write, writev = _sender(send_stream)

    async def final(stream: Writable) -> None:
        send_eof = getattr(send_stream, "send_eof", None)
        if send_eof is not None:
            await send_eof()
        else:
            await send_stream.aclose()

    return Writable(
        high_water_mark=high_water_mark,
        write=write,
        writev=writev,
        final=final,
        destroy=_closing_destroy(None, send_stream),
        scope=scope,
    )


def duplex_from_trio(
    trio_stream: trio.abc.Stream,
    *,
    allow_half_open: bool = True,
    high_water_mark: int | None = None,
    readable_high_water_mark: int | None = None,
    writable_high_water_mark: int | None = None,
    receive_size: int = DEFAULT_RECEIVE_SIZE,
    scope: Scope | None = None,
) -> Duplex:
    """A byte Duplex over a bidirectional Trio stream (a ``SocketStream``, a ``StapledStream``...).

    ``end()`` half-closes with ``send_eof`` where the Trio stream has it;
    otherwise the stream is closed once both sides are done. Destroying the
    Duplex closes the Trio stream.
    """
    write, writev = _sender(trio_stream)

    async def final(stream: Writable) -> None:
        send_eof = getattr(trio_stream, "send_eof", None)
        if send_eof is not None:
            await send_eof()

    feeder = Feeder(_receiver(trio_stream, receive_size))
    return Duplex(
        allow_half_open=allow_half_open,
        high_water_mark=high_water_mark,
        readable_high_water_mark=readable_high_water_mark,
        writable_high_water_mark=writable_high_water_mark,
        read=feeder.read,
        write=write,
        writev=writev,
        final=final,
        destroy=_closing_destroy(feeder, trio_stream),
        scope=scope,
    )


def readable_from_channel(
    receive_channel: trio.abc.ReceiveChannel[object],
    *,
    high_water_mark: int | None = None,
    scope: Scope | None = None,
) -> Readable:
    """An object-mode Readable of what ``receive_channel`` delivers; it ends when the channel closes.

    A ``None`` item is an error (``ERR_STREAM_NULL_VALUES``): None ends a stream.
    """

    async def produce(emit: Emit) -> None:
        while True:
            try:
                item = await receive_channel.receive()
            except trio.EndOfChannel:
                return
            await emit(item)

    feeder = Feeder(produce)
    return Readable(
        object_mode=True,
        high_water_mark=high_water_mark,
        scope=scope,
        read=feeder.read,
        destroy=_closing_destroy(feeder, receive_channel),
    )


def writable_from_channel(
    send_channel: trio.abc.SendChannel[Any],
    *,
    high_water_mark: int | None = None,
    scope: Scope | None = None,
) -> Writable:
    """An object-mode Writable that sends each chunk on ``send_channel``; ``end()`` closes the channel."""

    async def write(stream: Writable, chunk: object, encoding: str | None) -> None:
        await send_channel.send(chunk)

    async def final(stream: Writable) -> None:
        await send_channel.aclose()

    return Writable(
        object_mode=True,
        high_water_mark=high_water_mark,
        write=write,
        final=final,
        destroy=_closing_destroy(None, send_channel),
        scope=scope,
    )
