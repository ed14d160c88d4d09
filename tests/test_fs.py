"""File streams: copies, batching, errors, descriptors, cancellation, the Trio thread kept free."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

import trio_nodestreams as ns
from trio_nodestreams import fs, zlib


def _open_fds() -> set[int]:
    return {int(n) for n in os.listdir("/proc/self/fd")}


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(1 << 20) * 5 + b"tail")
    return path


async def _closed(stream: Any) -> None:
    done = trio.Event()
    stream.on("close", done.set)
    await done.wait()


async def test_copy_through_pipeline(big: Path, tmp_path: Path) -> None:
    """create_read_stream -> create_write_stream copies byte for byte and closes both files."""
    before = _open_fds()
    dst = tmp_path / "copy.bin"
    with trio.fail_after(30):
        async with ns.open_scope():
            r = fs.create_read_stream(big)
            w = fs.create_write_stream(dst)
            await ns.pipeline(r, w)
            assert r.bytes_read == w.bytes_written == big.stat().st_size
    assert dst.read_bytes() == big.read_bytes()
    assert _open_fds() == before


async def test_copy_through_gzip_and_back(big: Path, tmp_path: Path) -> None:
    """File -> gzip -> file -> gunzip -> file, the composition the static server uses."""
    packed = tmp_path / "big.gz"
    back = tmp_path / "back.bin"
    with trio.fail_after(60):
        async with ns.open_scope():
            await ns.pipeline(fs.create_read_stream(big), zlib.create_gzip(level=1), fs.create_write_stream(packed))
            await ns.pipeline(fs.create_read_stream(packed), zlib.create_gunzip(), fs.create_write_stream(back))
    assert back.read_bytes() == big.read_bytes()


async def test_reads_are_batched_and_never_on_the_trio_thread(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 5 MiB read in 64 KiB chunks takes far fewer than 80 thread hops, and no read or
    write system call runs on the Trio thread."""
    trio_thread = threading.get_ident()
    on_trio: list[str] = []
    calls: dict[str, int] = {}
    for name in ("pread", "read", "pwrite", "write", "writev", "pwritev", "open", "close"):
        real = getattr(os, name)

        def spy(*args: Any, _real: Any = real, _name: str = name) -> Any:
            if threading.get_ident() == trio_thread:
                on_trio.append(_name)
            calls[_name] = calls.get(_name, 0) + 1
            return _real(*args)

        monkeypatch.setattr(os, name, spy)
    hops = 0
    real_run_sync = trio.to_thread.run_sync

    async def counting(*args: Any, **kw: Any) -> Any:
        nonlocal hops
        hops += 1
        return await real_run_sync(*args, **kw)

    monkeypatch.setattr(trio.to_thread, "run_sync", counting)
    with trio.fail_after(30):
        async with ns.open_scope():
            r = fs.create_read_stream(big)
            closed = trio.Event()
            r.on("close", closed.set)
            size = 0
            async for chunk in r:
                size += len(chunk)
            await closed.wait()
    monkeypatch.undo()
    assert size == big.stat().st_size
    assert on_trio == []
    assert calls.get("pread", 0) == 0 and calls["read"] >= 81  # 80 full chunks, a short one, EOF
    assert hops < 30, hops  # open + batches growing to 16 chunks + close (one per chunk: 80+)


async def test_writes_piled_up_go_out_with_one_writev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks written while a write is in flight reach the file together (one writev)."""
    writev_sizes: list[int] = []
    real = os.writev

    def spy(fd: int, buffers: Any) -> int:
        writev_sizes.append(len(buffers))
        return real(fd, buffers)

    monkeypatch.setattr(os, "writev", spy)
    dst = tmp_path / "many.txt"
    with trio.fail_after(30):
        async with ns.open_scope():
            w = fs.create_write_stream(dst, high_water_mark=1 << 20)
            for i in range(200):
                w.write(f"line {i}\n")
            w.end()
            await _closed(w)
    assert dst.read_text() == "".join(f"line {i}\n" for i in range(200))
    assert writev_sizes and max(writev_sizes) >= 150


@pytest.mark.parametrize("code", ["EACCES", "EMFILE"])
async def test_open_errors_carry_node_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """EACCES and EMFILE from open() arrive as 'error' with Node's code, errno, syscall and path.

    Root reads anything and the descriptor table is shared with the test runner, so the
    failure is injected at os.open."""
    target = tmp_path / "locked.txt"
    target.write_text("x")
    number = getattr(errno, code)

    def failing_open(*_: Any) -> int:
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(os, "open", failing_open)
    got: list[Any] = []
    with trio.fail_after(10):
        async with ns.open_scope():
            for make in (fs.create_read_stream, fs.create_write_stream):
                stream = make(target)
                stream.on("error", got.append)
                await _closed(stream)
    assert [(e.code, e.errno, e.syscall, e.path) for e in got] == [(code, -number, "open", str(target))] * 2
    assert got[0].message.startswith(f"{code}: ") and got[0].message.endswith(f", open '{target}'")


async def test_eacces_for_real(tmp_path: Path) -> None:
    """A real refusal: a file without permissions (or, for root, whom permissions do not
    stop, a read-only sysfs file opened for writing) is EACCES at open."""
    got: list[Any] = []
    with trio.fail_after(10):
        async with ns.open_scope():
            if os.geteuid() != 0:
                target = tmp_path / "secret.txt"
                target.write_text("x")
                target.chmod(0)
                stream: Any = fs.create_read_stream(target)
            else:
                stream = fs.create_write_stream("/sys/kernel/notes", flags="r+")
            stream.on("error", got.append)
            await _closed(stream)
        assert (got[0].code, got[0].errno, got[0].syscall) == ("EACCES", -errno.EACCES, "open")


async def test_write_error_enospc() -> None:
    """A write that fails (/dev/full) reaches the write callback and 'error', then 'close'."""
    events: list[Any] = []
    with trio.fail_after(10):
        async with ns.open_scope():
            w = fs.create_write_stream("/dev/full")
            w.on("error", lambda e: events.append(("error", e.code, e.syscall)))
            w.on("close", lambda: events.append("close"))
            w.write(b"x" * 100, lambda e=None: events.append(("cb", getattr(e, "code", None))))
            await _closed(w)
    assert events == [("cb", "ENOSPC"), ("error", "ENOSPC", "write"), "close"]


async def test_fd_option_and_auto_close_false(big: Path) -> None:
    """fd= reads an open descriptor (no 'open' event); auto_close=False leaves it open."""
    fd = os.open(big, os.O_RDONLY)
    try:
        events: list[str] = []
        with trio.fail_after(10):
            async with ns.open_scope():
                r = fs.create_read_stream(None, fd=fd, start=0, end=9, auto_close=False)
                r.on("open", lambda _fd: events.append("open"))
                r.on("end", lambda: events.append("end"))
                chunks = [c async for c in r.iterator(destroy_on_return=False)]
        assert b"".join(chunks) == big.read_bytes()[:10]
        assert events == ["end"]
        os.fstat(fd)  # still open
        assert r.fd == fd and not r.destroyed
    finally:
        os.close(fd)


async def test_destroy_mid_read_closes_after_the_read_returns(big: Path) -> None:
    """destroy() while a read is in a worker thread: the descriptor is closed after it, once."""
    before = _open_fds()
    with trio.fail_after(10):
        async with ns.open_scope():
            r = fs.create_read_stream(big, high_water_mark=1 << 20)
            opened = trio.Event()
            r.on("open", lambda _fd: opened.set())
            await opened.wait()
            r.resume()
            r.destroy()
            await _closed(r)
            assert r.fd is None
    assert _open_fds() == before


async def test_cancelled_scope_closes_the_files(big: Path, tmp_path: Path) -> None:
    """Cancelling the scope mid-copy destroys both streams (AbortError) and closes both files."""
    before = _open_fds()
    errors: list[str] = []
    with trio.fail_after(10), trio.CancelScope() as cs:
        async with ns.open_scope():
            r = fs.create_read_stream(big, high_water_mark=1024)
            w = fs.create_write_stream(tmp_path / "partial.bin", high_water_mark=1024)
            for s in (r, w):
                s.on("error", lambda e: errors.append(e.code))
            flowing = trio.Event()
            w.once("drain", flowing.set)
            r.pipe(w)
            await flowing.wait()  # mid-copy: both files open, data moving
            cs.cancel()
            await trio.sleep_forever()
    assert cs.cancelled_caught
    assert errors == ["ABORT_ERR", "ABORT_ERR"]
    assert _open_fds() == before


async def test_flags_and_bad_arguments(tmp_path: Path) -> None:
    """wx refuses an existing file (EEXIST); bad flags, paths and fds are Node's type errors."""
    target = tmp_path / "exists.txt"
    target.write_text("x")
    got: list[Any] = []
    with trio.fail_after(10):
        async with ns.open_scope():
            w = fs.create_write_stream(target, flags="wx")
            w.on("error", got.append)
            await _closed(w)
            assert got[0].code == "EEXIST"
            for kwargs in ({"flags": "nope"}, {"fd": -1}):
                with pytest.raises(ns.NodeTypeError):
                    fs.create_read_stream(target, **kwargs)
            with pytest.raises(ns.NodeTypeError):
                fs.create_read_stream(123)  # type: ignore[arg-type]
            with pytest.raises(ns.NodeTypeError):
                fs.create_read_stream("a\x00b")


async def test_close_method_runs_its_callback(big: Path, tmp_path: Path) -> None:
    """ReadStream.close(cb) and WriteStream.close(cb), as Node's."""
    got: list[str] = []
    with trio.fail_after(10):
        async with ns.open_scope():
            r = fs.create_read_stream(big)
            r.close(lambda *_: got.append("r"))
            w = fs.create_write_stream(tmp_path / "c.txt")
            w.write("abc")
            w.close(lambda *_: got.append("w"))
            await _closed(w)
            if not r.closed:
                await _closed(r)
        assert sorted(got) == ["r", "w"]
        assert (tmp_path / "c.txt").read_text() == "abc"


async def test_a_pipe_delivers_what_arrived_without_waiting_for_more(tmp_path: Path) -> None:
    """A ReadStream over a pipe hands out a short read at once: the batch does not wait
    for the writer's next bytes."""
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, b"first line\n")
        with trio.fail_after(10):
            async with ns.open_scope():
                r = fs.create_read_stream(None, fd=read_fd, auto_close=False)
                got = trio.Event()
                chunks: list[bytes] = []

                def on_data(chunk: bytes) -> None:
                    chunks.append(chunk)
                    got.set()

                r.on("data", on_data)
                await got.wait()  # would hang if the batch waited for more input
                assert chunks == [b"first line\n"]
                os.close(write_fd)
                write_fd = -1
                await ns.finished(r)
        assert chunks == [b"first line\n"]
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)


async def test_a_slow_consumer_keeps_the_read_ahead_small(big: Path) -> None:
    """A consumer slower than the file never waits for a batch, so the batch (and the
    memory read ahead) stays small; a fast one grows it to sixteen chunks."""
    with trio.fail_after(30):
        async with ns.open_scope():
            slow = fs.create_read_stream(big, high_water_mark=16384)
            ahead_seen = 0
            count = 0
            async for _chunk in slow:
                count += 1
                ahead_seen = max(ahead_seen, len(slow._ahead))
                # The consumer is slower than the file: it takes the next chunk only once
                # no read is in flight (whatever the machine's load).
                while slow._busy:
                    await trio.sleep(0)
                await trio.testing.wait_all_tasks_blocked()
                if count == 100:
                    break
            assert slow._batch <= 4 and ahead_seen <= 6, (slow._batch, ahead_seen)
            fast = fs.create_read_stream(big)
            async for _chunk in fast:
                pass
            assert fast._batch >= 8

