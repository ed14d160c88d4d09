"""Memory stays flat for any body size: the server process is measured alone.

The server runs in a subprocess (tests/peers/measured_server.py); this process is the
client. Its peak RSS (``VmHWM``) may not grow by more than 32 MiB while a large body
streams through it, and every byte must arrive intact (size and sha256).

Sizes: ``TNS_UPLOAD_BYTES`` (default 256 MiB) for the slow-reader upload,
``TNS_ECHO_BYTES`` (default 256 MiB) for the ``req.pipe(res)`` echo.
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import h11
import pytest
import trio

from .peers._support import PEERS

MiB = 1024 * 1024
UPLOAD_BYTES = int(os.environ.get("TNS_UPLOAD_BYTES", 256 * MiB))
ECHO_BYTES = int(os.environ.get("TNS_ECHO_BYTES", 256 * MiB))
MAX_GROWTH = 32 * MiB
PAUSE = 2.0
BLOCK = MiB

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def memory(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of ``pid``, in bytes."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0]) * 1024
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (the figure that does not depend on other load)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak(pid: int) -> bool:
    """Reset ``VmHWM`` to the current RSS (Linux ``clear_refs`` 5); False if not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


@asynccontextmanager
async def measured_server(mode: str) -> AsyncIterator[tuple[int, int]]:
    """Start the measured server; yield (pid, port); kill it afterwards."""
    proc = await trio.lowlevel.open_process(
        [sys.executable, str(PEERS / "measured_server.py"), mode, str(PAUSE)],
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = b""
        with trio.fail_after(20):
            while not line.endswith(b"\n"):
                got = await proc.stdout.receive_some(64)
                assert got, "measured server exited before listening"
                line += got
        yield proc.pid, int(line)
    finally:
        with trio.CancelScope(shield=True):
            proc.kill()
            await proc.wait()
            if proc.stdout is not None:
                await proc.stdout.aclose()


def blocks(total: int) -> list[int]:
    return [min(BLOCK, total - off) for off in range(0, total, BLOCK)]


async def send_body(
    stream: trio.SocketStream, conn: h11.Connection, total: int, digest: Any, sent: list[int]
) -> None:
    """Send ``total`` bytes of numbered random blocks, hashing what leaves."""
    base = os.urandom(BLOCK)
    for i, n in enumerate(blocks(total)):
        block = (i.to_bytes(8, "big") + base[8:n]) if n > 8 else base[:n]
        digest.update(block)
        data = memoryview(conn.send(h11.Data(data=block)) or b"")
        for off in range(0, len(data), 64 * 1024):  # small steps: ``sent`` tracks the kernel
            await stream.send_all(data[off : off + 64 * 1024])
            sent[0] += len(data[off : off + 64 * 1024])
    await stream.send_all(conn.send(h11.EndOfMessage()) or b"")


async def receive_response(
    stream: trio.SocketStream, conn: h11.Connection, digest: Any | None = None
) -> tuple[h11.Response, bytes, int]:
    """Read one response; hash its body into ``digest`` (or keep it when None)."""
    response = None
    kept = bytearray()
    size = 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await stream.receive_some(256 * 1024))
        elif isinstance(event, h11.Response):
            response = event
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if digest is None:
                kept += event.data
            else:
                digest.update(event.data)
        elif isinstance(event, h11.EndOfMessage):
            assert response is not None
            return response, bytes(kept), size
        else:
            raise AssertionError(f"unexpected {event!r}")


async def post(port: int, path: str, total: int) -> tuple[h11.Connection, trio.SocketStream]:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    conn = h11.Connection(our_role=h11.CLIENT)
    head = h11.Request(
        method="POST",
        target=path,
        headers=[("Host", "127.0.0.1"), ("Content-Length", str(total))],
    )
    await stream.send_all(conn.send(head) or b"")
    return conn, stream


async def warm_up(port: int) -> None:
    """One small request first, so one-time allocations are not counted as growth."""
    conn, stream = await post(port, "/warm", 64 * 1024)
    async with stream:
        await send_body(stream, conn, 64 * 1024, hashlib.sha256(), [0])
        response, _, _ = await receive_response(stream, conn)
        assert response.status_code == 200


def report(name: str, figures: dict[str, Any]) -> None:
    print(f"\n{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


async def test_slow_reader_upload_keeps_memory_flat() -> None:
    """The handler waits 2 s before reading a large upload: the socket is not read meanwhile."""
    async with measured_server("upload") as (pid, port):
        await warm_up(port)
        before = memory(pid)
        cpu_before = cpu_seconds(pid)
        peak_reset = reset_peak(pid)
        digest = hashlib.sha256()
        sent = [0]
        conn, stream = await post(port, "/slow", UPLOAD_BYTES)
        async with stream, trio.open_nursery() as nursery:
            started = time.perf_counter()
            nursery.start_soon(send_body, stream, conn, UPLOAD_BYTES, digest, sent)
            await trio.sleep(PAUSE * 0.9)
            sent_during_pause = sent[0]
            during = memory(pid)
            with trio.fail_after(300):
                response, body, _ = await receive_response(stream, conn)
            total_seconds = time.perf_counter() - started
        after = memory(pid)
        cpu = cpu_seconds(pid) - cpu_before
    answer = json.loads(body)
    growth = after["VmHWM"] - (before["VmRSS"] if peak_reset else before["VmHWM"])
    report(
        "slow-reader upload",
        {
            "bytes": UPLOAD_BYTES,
            "rss_before_MiB": round(before["VmRSS"] / MiB, 1),
            "rss_during_pause_MiB": round(during["VmRSS"] / MiB, 1),
            "peak_growth_MiB": round(growth / MiB, 1),
            "client_sent_during_pause_MiB": round(sent_during_pause / MiB, 1),
            "read_MBps": round(UPLOAD_BYTES / answer["read_seconds"] / 1e6, 1),
            "MB_per_server_cpu_s": round(UPLOAD_BYTES / cpu / 1e6, 1),
            "total_s": round(total_seconds, 2),
        },
    )
    assert response.status_code == 200
    assert answer["size"] == UPLOAD_BYTES
    assert answer["sha256"] == digest.hexdigest()
    # Back-pressure: while the handler sleeps, only kernel buffers fill, not the server.
    assert sent_during_pause < min(UPLOAD_BYTES, 64 * MiB)
    assert during["VmRSS"] - before["VmRSS"] < MAX_GROWTH
    assert growth < MAX_GROWTH


async def test_streaming_echo_keeps_memory_flat() -> None:
    """``req.pipe(res)`` of a large body, the client sending and reading at once."""
    async with measured_server("echo") as (pid, port):
        await warm_up(port)
        before = memory(pid)
        cpu_before = cpu_seconds(pid)
        peak_reset = reset_peak(pid)
        sent_digest = hashlib.sha256()
        got_digest = hashlib.sha256()
        conn, stream = await post(port, "/echo", ECHO_BYTES)
        async with stream:
            started = time.perf_counter()
            with trio.fail_after(300):
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(send_body, stream, conn, ECHO_BYTES, sent_digest, [0])
                    response, _, size = await receive_response(stream, conn, got_digest)
            seconds = time.perf_counter() - started
        after = memory(pid)
        cpu = cpu_seconds(pid) - cpu_before
    growth = after["VmHWM"] - (before["VmRSS"] if peak_reset else before["VmHWM"])
    report(
        "streaming echo",
        {
            "bytes": ECHO_BYTES,
            "rss_before_MiB": round(before["VmRSS"] / MiB, 1),
            "peak_growth_MiB": round(growth / MiB, 1),
            "MBps": round(ECHO_BYTES / seconds / 1e6, 1),
            "MB_per_server_cpu_s": round(ECHO_BYTES / cpu / 1e6, 1),
        },
    )
    assert response.status_code == 200
    assert dict(response.headers)[b"transfer-encoding"] == b"chunked"
    assert size == ECHO_BYTES
    assert got_digest.hexdigest() == sent_digest.hexdigest()
    assert growth < MAX_GROWTH
