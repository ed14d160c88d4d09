"""Twins of tests/scenarios/zlib: compression streams against Node's event logs."""

from __future__ import annotations

import zlib as pyzlib
from collections.abc import Callable
from typing import Any

import brotli
import trio

from trio_nodestreams import zlib

from ._golden import Log, scenario

TEXT = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20


async def closed(stream: Any) -> None:
    done = trio.Event()
    stream.on("close", done.set)
    await done.wait()


@scenario("zlib/gzip-events")
async def test_gzip_events(log: Log) -> None:
    """Ported from test/parallel/test-zlib-write-after-flush.js: event order and bytes_written."""
    gz = zlib.create_gzip()
    out: list[bytes] = []
    gz.on("data", out.append)
    gz.on("prefinish", lambda: log("prefinish"))
    gz.on("finish", lambda: log("finish", gz.bytes_written))
    gz.on("end", lambda: log("end", pyzlib.decompress(b"".join(out), 31).decode()))
    gz.on("close", lambda: log("close", gz.destroyed))
    log("write", gz.write("hello ", lambda *_: log("cb 1")))
    log("write", gz.write("world", lambda *_: log("cb 2")))
    gz.end(lambda *_: log("end cb"))
    await closed(gz)


def _plain() -> bytes:
    return bytes((i * 7) % 251 for i in range(40000))


@scenario("zlib/inflate-chunks")
async def test_inflate_chunks(log: Log) -> None:
    """Ported from test/parallel/test-zlib-from-string.js (chunk_size cuts the output as Node's)."""
    plain = _plain()
    gz = await zlib.gzip(plain)
    for chunk_size in (16384, 1000):
        g = zlib.create_gunzip(chunk_size=chunk_size)
        sizes: list[int] = []
        g.on("data", lambda c, sizes=sizes: sizes.append(len(c)))
        g.end(gz)
        await closed(g)
        log("chunkSize", chunk_size, sizes, g.bytes_written == len(gz))
    two = zlib.create_gunzip(chunk_size=16384)
    sizes = []
    two.on("data", lambda c: sizes.append(len(c)))
    two.write(await zlib.gzip(plain[:20000]))
    two.end(await zlib.gzip(plain[:20000]))
    await closed(two)
    log("two writes", sizes)


async def _decode_partial(bufs: list[bytes]) -> str:
    return (await zlib.inflate(b"".join(bufs), finish_flush=zlib.Z_SYNC_FLUSH)).decode()


def _decode_partial(bufs: list[bytes]) -> str:
    return pyzlib.decompressobj().decompress(b"".join(bufs)).decode()


@scenario("zlib/flush")
async def test_flush(log: Log) -> None:
    """Ported from test/parallel/test-zlib-flush.js: flush() and params() in order with the writes."""
    d = zlib.create_deflate()
    out: list[bytes] = []
    d.on("data", out.append)
    d.on("end", lambda: log("end", _decode_partial(out)))
    d.on("close", lambda: log("close"))
    is_closed = trio.Event()
    d.on("close", is_closed.set)

    def after_params(*_: object) -> None:
        log("params", _decode_partial(out))
        d.end("ghi")

    def flushed_2(*_: object) -> None:
        log("flushed 2", _decode_partial(out))
        d.params(9, zlib.Z_DEFAULT_STRATEGY, after_params)

    def flushed_1(*_: object) -> None:
        log("flushed 1", _decode_partial(out))
        d.write("def")
        d.flush(zlib.Z_SYNC_FLUSH, flushed_2)

    d.write("abc")
    d.flush(flushed_1)
    await is_closed.wait()


@scenario("zlib/errors")
async def test_errors(log: Log) -> None:
    """Ported from test/parallel/test-zlib-truncated.js and test-zlib-invalid-input.js."""
    cases: list[tuple[str, Callable[..., Any], bytes]] = [
        ("gunzip garbage", zlib.create_gunzip, b"this is not gzip"),
        ("inflate garbage", zlib.create_inflate, b"this is not deflate"),
        ("inflateRaw bad block", zlib.create_inflate_raw, bytes([0xFF, 0xFF, 0xFF])),
        ("gunzip truncated", zlib.create_gunzip, (await zlib.gzip(TEXT))[:40]),
        ("inflate truncated", zlib.create_inflate, (await zlib.deflate(TEXT))[:40]),
        ("inflateRaw truncated", zlib.create_inflate_raw, (await zlib.deflate_raw(TEXT))[:40]),
        ("brotli truncated", zlib.create_brotli_decompress, (await zlib.brotli_compress(TEXT))[:10]),
        ("gunzip empty", zlib.create_gunzip, b""),
        ("brotli empty", zlib.create_brotli_decompress, b""),
        ("unzip garbage", zlib.create_unzip, b"neither format"),
        (
            "gunzip trailing garbage member",
            zlib.create_gunzip,
            await zlib.gzip(b"abc") + bytes([0x1F, 0x8B, 0xFF, 0xFF]),
        ),
    ]
    for name, make, data in cases:
        s = make()
        got = [0]

        def on_data(c: bytes, got: list[int] = got) -> None:
            got[0] += len(c)

        s.on("data", on_data)
        s.on("end", lambda name=name, got=got: log(name, "end", got[0]))
        s.on("error", lambda e, name=name: log(name, "error", e, e.errno, e.message))
        s.end(data)
        await closed(s)
        log(name, "close")
    g = zlib.create_gunzip(finish_flush=zlib.Z_SYNC_FLUSH)
    out: list[bytes] = []
    g.on("data", out.append)
    g.on("error", lambda e: log("sync flush", "error", e))
    g.end((await zlib.gzip(TEXT))[:60])
    await closed(g)
    partial = b"".join(out)
    log("sync flush", len(partial) > 0, TEXT.startswith(partial))


@scenario("zlib/one-shot")
async def test_one_shot(log: Log) -> None:
    """Ported from test/parallel/test-zlib-maxOutputLength.js, test-zlib-from-concatenated-gzip.js
    and test-zlib-convenience-methods.js."""
    text = b"the quick brown fox jumps over the lazy dog " * 50
    pairs = [
        ("gzip", "gunzip", zlib.gzip, zlib.gunzip),
        ("deflate", "inflate", zlib.deflate, zlib.inflate),
        ("deflateRaw", "inflateRaw", zlib.deflate_raw, zlib.inflate_raw),
        ("gzip", "unzip", zlib.gzip, zlib.unzip),
        ("deflate", "unzip", zlib.deflate, zlib.unzip),
        ("brotliCompress", "brotliDecompress", zlib.brotli_compress, zlib.brotli_decompress),
    ]
    for c, d, pack, unpack in pairs:
        log(c, d, await unpack(await pack(text)) == text)
    zeros = bytes(1 << 20)
    for name, fn, data in (
        ("gunzip", zlib.gunzip, await zlib.gzip(zeros)),
        ("brotliDecompress", zlib.brotli_decompress, await zlib.brotli_compress(zeros)),
        ("inflate", zlib.inflate, await zlib.deflate(zeros)),
    ):
        try:
            await fn(data, max_output_length=1000)
            log(name, "no error")
        except zlib.NodeError as e:
            log(name, e, e.message)
    log("exact limit", len(await zlib.gunzip(await zlib.gzip(b"x" * 1000), max_output_length=1000)))
    members = await zlib.gzip(b"abc") + await zlib.gzip(b"def") + bytes(10)
    log("members", (await zlib.gunzip(members)).decode())
    log("inflate trailing", (await zlib.inflate(await zlib.deflate(b"abc") + b"xyz")).decode())
    try:
        await zlib.gunzip(await zlib.gzip(b"abc") + b"xyz")
    except zlib.NodeError as e:
        log("gunzip trailing", e, e.message)
    try:
        await zlib.inflate(b"nope")
    except zlib.NodeError as e:
        log("inflate corrupt", e, e.errno, e.message)


@scenario("zlib/brotli-events")
async def test_brotli_events(log: Log) -> None:
    """Ported from test/parallel/test-zlib-brotli.js and test-zlib-brotli-flush.js."""
    c = zlib.create_brotli_compress(params={zlib.BROTLI_PARAM_QUALITY: 4})
    out: list[bytes] = []
    done = trio.Event()
    c.on("data", out.append)
    c.on("finish", lambda: log("finish", c.bytes_written))

    def on_end() -> None:
        packed = b"".join(out)
        log("end", brotli.decompress(packed).decode())
        d = zlib.create_brotli_decompress()
        back: list[bytes] = []
        d.on("data", back.append)
        d.on("finish", lambda: log("d finish"))
        d.on("end", lambda: log("d end", b"".join(back).decode()))
        d.on("close", lambda: log("d close"))
        d.on("close", done.set)
        d.write(packed[:5])
        d.end(packed[5:])

    def flushed(*_: object) -> None:
        log("flushed", brotli.Decompressor().process(b"".join(out)).decode())
        c.end("streams")

    c.on("end", on_end)
    c.on("close", lambda: log("close"))
    c.write("brotli ")
    c.flush(flushed)
    await done.wait()
