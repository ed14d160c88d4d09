"""Trio streams and channels as Node streams (Trio's own stream checkers run in tests/test_trio_contracts.py)."""

from __future__ import annotations

import hashlib
import os
import time
from functools import partial
from typing import Any

import trio
import trio.testing

import trio_nodestreams as ns

# Bytes moved over real sockets; a manual run can use 256 MiB:
#   TNS_SOCKET_BYTES=$((256<<20)) .venv/bin/python -m pytest tests/test_trio_adapters.py -k socket -s
SOCKET_BYTES = int(os.environ.get("TNS_SOCKET_BYTES", str(64 * 1024 * 1024)))


async def test_channels() -> None:
    async with ns.open_scope():
        send, receive = trio.open_memory_channel[Any](0)
        r = ns.readable_from_channel(receive)

        async def producer() -> None:
            async with send:
                for i in range(5):
                    await send.send({"n": i})

        async with trio.open_nursery() as nursery:
            nursery.start_soon(producer)
            got = await r.to_array()
        assert got == [{"n": i} for i in range(5)]

        send2, receive2 = trio.open_memory_channel[Any](1)
        w = ns.writable_from_channel(send2)
        received: list[Any] = []

        async def consumer() -> None:
            async with receive2:
                async for item in receive2:
                    received.append(item)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(consumer)
            await ns.pipeline(ns.Readable.from_iterable(range(10)), w)
        assert received == list(range(10))


async def test_readable_from_trio_reads_only_on_demand() -> None:
    """A paused Readable stops reading: the Trio stream is not drained past the high-water mark."""
    async with ns.open_scope() as scope:
        send, receive = trio.testing.memory_stream_one_way_pair()
        r = ns.readable_from_trio(receive, high_water_mark=1024, receive_size=256)
        r.pause()
        await send.send_all(b"x" * 100_000)
        r.read(0)
        await scope.wait_idle()
        await trio.testing.wait_all_tasks_blocked()
        assert 1024 <= r.readable_length <= 1024 + 256
        r.destroy()


async def test_socket_to_socket_sha256() -> None:
    """A Readable over a real SocketStream piped into a Writable over another: bytes arrive intact."""
    block = os.urandom(1 << 20)
    blocks = SOCKET_BYTES // len(block)
    want = hashlib.sha256()
    for _ in range(blocks):
        want.update(block)
    got = hashlib.sha256()
    received = 0

    async def sink_handler(stream: trio.SocketStream) -> None:
        nonlocal received
        while True:
            data = await stream.receive_some(1 << 16)
            if not data:
                break
            received += len(data)
            got.update(data)

    async def source_handler(stream: trio.SocketStream) -> None:
        for _ in range(blocks):
            await stream.send_all(block)
        await stream.send_eof()

    t0 = time.perf_counter()
    async with trio.open_nursery() as nursery:
        (source_listener,) = await nursery.start(partial(trio.serve_tcp, _once(source_handler), 0, host="127.0.0.1"))
        (sink_listener,) = await nursery.start(partial(trio.serve_tcp, _once(sink_handler), 0, host="127.0.0.1"))
        async with ns.open_scope():
            a = await trio.open_tcp_stream("127.0.0.1", source_listener.socket.getsockname()[1])
            b = await trio.open_tcp_stream("127.0.0.1", sink_listener.socket.getsockname()[1])
            await ns.pipeline(ns.readable_from_trio(a), ns.writable_from_trio(b))
        while received < blocks * len(block):
            await trio.sleep(0.01)
        nursery.cancel_scope.cancel()
    dt = time.perf_counter() - t0
    print(f"\nsocket->socket: {SOCKET_BYTES / 2**20:.0f} MiB in {dt:.2f} s ({SOCKET_BYTES / dt / 1e6:.0f} MB/s)")
    assert received == blocks * len(block)
    assert got.hexdigest() == want.hexdigest()


def _once(handler: Any) -> Any:
    async def run(stream: trio.SocketStream) -> None:
        async with stream:
            await handler(stream)

    return run


async def test_duplex_from_socket_half_close() -> None:
    """duplex_from_trio over a SocketStream: end() sends EOF, the reply still arrives."""

    async def echo(stream: trio.SocketStream) -> None:
        async with stream:
            data = b""
            while chunk := await stream.receive_some(1024):
                data += chunk
            await stream.send_all(data.upper())

    async with trio.open_nursery() as nursery:
        (listener,) = await nursery.start(partial(trio.serve_tcp, echo, 0, host="127.0.0.1"))
        async with ns.open_scope():
            sock = await trio.open_tcp_stream("127.0.0.1", listener.socket.getsockname()[1])
            d = ns.duplex_from_trio(sock)
            d.write(b"hello ")
            d.end(b"world")
            chunks = [c async for c in d]
            assert b"".join(chunks) == b"HELLO WORLD"
        nursery.cancel_scope.cancel()
