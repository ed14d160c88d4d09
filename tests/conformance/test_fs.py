"""Twins of tests/scenarios/fs: file streams against Node's event logs."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trio

import trio_nodestreams as ns
from trio_nodestreams import fs

from ._golden import Log, scenario


@pytest.fixture(autouse=True)
def _tmpdir(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with tempfile.TemporaryDirectory(prefix="tns-fs-") as d:
        monkeypatch.setenv("TNS_FS_DIR", d)
        yield


def tmp() -> Path:
    return Path(os.environ["TNS_FS_DIR"])


async def closed(stream: Any) -> None:
    done = trio.Event()
    stream.on("close", done.set)
    await done.wait()


def opts_json(opts: dict[str, Any]) -> str:
    names = {"high_water_mark": "highWaterMark"}
    return json.dumps({names.get(k, k): v for k, v in opts.items()}, separators=(",", ":"))


@scenario("fs/read-events")
async def test_read_events(log: Log) -> None:
    """Ported from test/parallel/test-fs-read-stream.js: 'open', 'ready', data, 'end', 'close'."""
    file = tmp() / "ten.txt"
    file.write_bytes(b"0123456789")
    r = fs.create_read_stream(file, high_water_mark=4)
    assert r.path is not None
    log("pending", r.pending, "bytesRead", r.bytes_read, "path", os.path.basename(r.path))
    r.on("open", lambda fd: log("open", "number" if isinstance(fd, int) else type(fd).__name__, r.pending))
    r.on("ready", lambda: log("ready"))
    r.on("data", lambda c: log("data", c, r.bytes_read))
    r.on("end", lambda: log("end", r.bytes_read))
    r.on("close", lambda: log("close", r.destroyed))
    await closed(r)


@scenario("fs/read-range")
async def test_read_range(log: Log) -> None:
    """Ported from test/parallel/test-fs-read-stream.js (start/end, inclusive)."""
    file = tmp() / "abc.txt"
    file.write_bytes(b"abcdefghijklmnopqrstuvwxyz")
    cases: list[dict[str, Any]] = [
        {"start": 2, "end": 5},
        {"start": 20},
        {"end": 0},
        {"start": 24, "end": 100},
        {"start": 30},
        {"start": 0, "end": 9, "high_water_mark": 3},
    ]
    for opts in cases:
        r = fs.create_read_stream(file, **opts)
        got: list[str] = []
        r.on("data", lambda c, got=got: got.append(c.decode()))
        await closed(r)
        log(opts_json(opts), got, r.bytes_read)


@scenario("fs/read-errors")
async def test_read_errors(log: Log) -> None:
    """Ported from test/parallel/test-fs-read-stream-err.js: ENOENT at open, EISDIR at the first read."""
    for target in (tmp() / "missing.txt", tmp()):
        r = fs.create_read_stream(target)
        r.on("open", lambda _fd: log("open"))
        r.on("ready", lambda: log("ready"))
        r.on("data", lambda c: log("data", c))
        r.on("end", lambda: log("end"))
        r.on("error", lambda e: log("error", e, e.errno, e.syscall, None if e.path is None else os.path.basename(e.path)))
        await closed(r)
        log("close", r.destroyed)


@scenario("fs/bad-range")
async def test_bad_range(log: Log) -> None:
    """Ported from test/parallel/test-fs-read-stream-throw-type-error.js: options checked at creation."""
    cases: list[dict[str, Any]] = [
        {"start": 5, "end": 2},
        {"start": -1},
        {"end": -1},
        {"start": 1.5},
        {"start": "a"},
        {"start": 0, "end": 0},
    ]
    for opts in cases:
        try:
            r = fs.create_read_stream(__file__, **opts)
            log(opts_json(opts), "ok")
            r.destroy()
        except ns.NodeError as e:
            log(opts_json(opts), e)
    try:
        fs.create_write_stream(__file__ + ".none", start=-1)
    except ns.NodeError as e:
        log("write start -1", e)


@scenario("fs/write-events")
async def test_write_events(log: Log) -> None:
    """Ported from test/parallel/test-fs-write-stream.js and test-fs-write-stream-end.js."""
    file = tmp() / "out.txt"
    w = fs.create_write_stream(file)
    log("pending", w.pending, "bytesWritten", w.bytes_written)
    w.on("open", lambda fd: log("open", "number" if isinstance(fd, int) else "?"))
    w.on("ready", lambda: log("ready"))
    w.on("finish", lambda: log("finish", w.bytes_written))
    w.on("close", lambda: log("close", w.destroyed))
    log("write", w.write("hello ", lambda *_: log("cb 1")))
    log("write", w.write(b"world", lambda *_: log("cb 2")))
    w.end("!", lambda *_: log("end cb"))
    await closed(w)
    log("content", file.read_text())

    w2 = fs.create_write_stream(file, flags="r+", start=6)
    w2.end("WORLD")
    await closed(w2)
    log("content", file.read_text(), w2.bytes_written)

    w3 = fs.create_write_stream(file, flags="a")
    w3.write("12")
    w3.end("34")
    await closed(w3)
    log("content", file.read_text())

    w4 = fs.create_write_stream(tmp())
    w4.on("error", lambda e: log("error", e, e.errno, e.syscall, os.path.basename(e.path) == tmp().name))
    w4.on("close", lambda: log("close", w4.destroyed))
    w4.write("x", lambda e=None: log("write cb", e))
    await closed(w4)


@scenario("fs/read-encoding")
async def test_read_encoding(log: Log) -> None:
    """Ported from test/parallel/test-fs-read-stream-encoding.js: characters split across chunks."""
    file = tmp() / "utf8.txt"
    file.write_text("aé€😀z", encoding="utf-8")
    r = fs.create_read_stream(file, high_water_mark=3, encoding="utf8")
    r.on("data", lambda c: log("data", c))
    r.on("end", lambda: log("end", r.bytes_read))
    r.on("close", lambda: log("close"))
    await closed(r)
