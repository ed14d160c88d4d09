"""zlib streams: byte-level interop with Node both ways, chunking properties, bounded
decompression, worker threads for large chunks, cancellation.

The Node legs run Node's zlib as a peer (tests/peers/node_zlib.js) and are skipped
where Node is missing; the same cases also run against Python's own zlib and brotli
modules, which need no peer.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import resource
import zlib as pyzlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli
import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trio_nodestreams as ns
from trio_nodestreams import zlib

from .peers._support import require, run

NODE_ZLIB = str(Path(__file__).parent / "peers" / "node_zlib.js")

#: Compressible, not trivially: words in a random order (seeded).
_rng = random.Random(1234)
WORDS = [b"alpha", b"beta", b"gamma", b"delta", b"epsilon", b"zeta", b"eta", b"theta", b"\x00\xff", b"\n"]
DATA = b" ".join(_rng.choice(WORDS) for _ in range(60000)) + os.urandom(0)  # ~330 KB
SMALL = DATA[:5000]

# (Node factory, our factory, Node inverse, our inverse, options)
COMPRESSORS: dict[str, tuple[str, Callable[..., zlib.ZlibBase], str, Callable[..., zlib.ZlibBase]]] = {
    "gzip": ("createGzip", zlib.create_gzip, "createGunzip", zlib.create_gunzip),
    "deflate": ("createDeflate", zlib.create_deflate, "createInflate", zlib.create_inflate),
    "deflate_raw": ("createDeflateRaw", zlib.create_deflate_raw, "createInflateRaw", zlib.create_inflate_raw),
    "gzip_unzip": ("createGzip", zlib.create_gzip, "createUnzip", zlib.create_unzip),
    "deflate_unzip": ("createDeflate", zlib.create_deflate, "createUnzip", zlib.create_unzip),
    "brotli": ("createBrotliCompress", zlib.create_brotli_compress, "createBrotliDecompress", zlib.create_brotli_decompress),
}

_CAMEL = {"window_bits": "windowBits", "mem_level": "memLevel", "chunk_size": "chunkSize", "finish_flush": "finishFlush"}


def _zlib_options() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"level": level} for level in (0, 1, 6, 9)]
    out += [{"flush": flush} for flush in (zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH, zlib.Z_PARTIAL_FLUSH, zlib.Z_BLOCK)]
    out += [{"strategy": s} for s in (1, 2, 3, 4)]
    out += [{"window_bits": 9, "mem_level": 1}, {"level": 9, "mem_level": 9, "chunk_size": 1024}]
    return out


def _brotli_options() -> list[dict[str, Any]]:
    return [
        {"params": {zlib.BROTLI_PARAM_QUALITY: q}} for q in (0, 4, 11)
    ] + [
        {"params": {zlib.BROTLI_PARAM_QUALITY: 5, zlib.BROTLI_PARAM_LGWIN: 10}, "flush": zlib.BROTLI_OPERATION_FLUSH},
        {"params": {zlib.BROTLI_PARAM_QUALITY: 2, zlib.BROTLI_PARAM_MODE: 1}},
    ]


def _cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    for fmt in COMPRESSORS:
        for opts in _brotli_options() if fmt == "brotli" else _zlib_options():
            cases.append((fmt, opts))
    cases.append(("deflate", {"dictionary": b"alpha beta gamma delta epsilon"}))
    cases.append(("deflate_raw", {"dictionary": b"alpha beta gamma delta epsilon"}))
    return cases


CASES = _cases()


def _node_opts(opts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in opts.items():
        if key == "dictionary":
            out[key] = value.hex()
        elif key == "params":
            out[key] = {str(k): v for k, v in value.items()}
        else:
            out[_CAMEL.get(key, key)] = value
    return out


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


async def through(make: Callable[..., zlib.ZlibBase], chunks: list[bytes], **opts: Any) -> bytes:
    """Write ``chunks`` into a fresh stream and return everything it produced."""
    with trio.fail_after(60):
        async with ns.open_scope():
            s = make(**opts)
            out: list[bytes] = []
            s.on("data", out.append)
            for c in chunks:
                s.write(c)
            s.end()
            await ns.finished(s)
            return b"".join(out)


def _decoder_opts(opts: dict[str, Any]) -> dict[str, Any]:
    # The inverse takes the settings a decoder needs (window, dictionary), not the encoder's.
    return {k: v for k, v in opts.items() if k in ("dictionary", "window_bits", "chunk_size")}


async def node(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    proc = await run([require("node"), NODE_ZLIB], stdin=json.dumps({"cases": cases}).encode(), timeout=120)
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    return result


async def test_node_decodes_ours() -> None:
    """Every format, level, strategy and flush mode we produce, Node decodes to the input."""
    produced = []
    for fmt, opts in CASES:
        _, ours, node_inverse, _ = COMPRESSORS[fmt]
        packed = await through(ours, _chunks(DATA, 7000), **opts)
        produced.append({"make": node_inverse, "opts": _node_opts(_decoder_opts(opts)), "chunks": [packed.hex()]})
    results = await node(produced)
    for (fmt, opts), result in zip(CASES, results, strict=True):
        assert result.get("error") is None, (fmt, opts, result)
        assert bytes.fromhex(result["out"]) == DATA, (fmt, opts)


async def test_ours_decodes_node() -> None:
    """Every format, level, strategy and flush mode Node produces, we decode to the input."""
    jobs = []
    for fmt, opts in CASES:
        node_make = COMPRESSORS[fmt][0]
        jobs.append({"make": node_make, "opts": _node_opts(opts), "chunks": [c.hex() for c in _chunks(DATA, 7000)]})
    results = await node(jobs)
    for (fmt, opts), result in zip(CASES, results, strict=True):
        assert result.get("error") is None, (fmt, opts, result)
        packed = bytes.fromhex(result["out"])
        inverse = COMPRESSORS[fmt][3]
        assert await through(inverse, _chunks(packed, 999), **_decoder_opts(opts)) == DATA, (fmt, opts)


def _py_decode(fmt: str, packed: bytes, opts: dict[str, Any]) -> bytes:
    if fmt == "brotli":
        out: bytes = brotli.decompress(packed)
        return out
    wbits = {"gzip": 31, "gzip_unzip": 31, "deflate": 15, "deflate_unzip": 15, "deflate_raw": -15}[fmt]
    if "dictionary" in opts:
        d = pyzlib.decompressobj(wbits, zdict=opts["dictionary"])
    else:
        d = pyzlib.decompressobj(wbits)
    return d.decompress(packed) + d.flush()


def _py_encode(fmt: str, data: bytes, opts: dict[str, Any]) -> bytes:
    if fmt == "brotli":
        params = opts.get("params", {})
        out: bytes = brotli.compress(data, quality=params.get(zlib.BROTLI_PARAM_QUALITY, 11))
        return out
    bits = opts.get("window_bits", 15)
    wbits = {"gzip": 16 + bits, "gzip_unzip": 16 + bits, "deflate": bits, "deflate_unzip": bits, "deflate_raw": -bits}[fmt]
    level = opts.get("level", -1)
    if "dictionary" in opts:
        c = pyzlib.compressobj(level, pyzlib.DEFLATED, wbits, 8, 0, opts["dictionary"])
    else:
        c = pyzlib.compressobj(level, pyzlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


@pytest.mark.parametrize(("fmt", "opts"), CASES, ids=[f"{f}-{o}" for f, o in CASES])
async def test_python_zlib_and_brotli_agree(fmt: str, opts: dict[str, Any]) -> None:
    """The same cases against Python's zlib and brotli modules (no peer needed): they decode
    ours, and we decode theirs."""
    _, ours, _, inverse = COMPRESSORS[fmt]
    packed = await through(ours, _chunks(SMALL, 333), **opts)
    assert _py_decode(fmt, packed, opts) == SMALL
    theirs = _py_encode(fmt, SMALL, opts)
    assert await through(inverse, _chunks(theirs, 77), **_decoder_opts(opts)) == SMALL


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(COMPRESSORS)),
    cuts=st.lists(st.integers(min_value=0, max_value=len(SMALL)), max_size=12),
    level=st.sampled_from([1, 6, 9]),
    chunk_size=st.sampled_from([64, 1000, 16384]),
)
def test_any_chunking_gives_the_same_output(fmt: str, cuts: list[int], level: int, chunk_size: int) -> None:
    """Any chunking of the input gives the same output: the same compressed bytes (deflate
    family, level 1-9) or the same decoded bytes (Brotli, every decoder)."""
    bounds = [0, *sorted(cuts), len(SMALL)]
    pieces = [SMALL[a:b] for a, b in itertools.pairwise(bounds)]
    opts: dict[str, Any] = (
        {"params": {zlib.BROTLI_PARAM_QUALITY: level}} if fmt == "brotli" else {"level": level}
    )
    _, ours, _, inverse = COMPRESSORS[fmt]

    async def main() -> None:
        whole = await through(ours, [SMALL], chunk_size=chunk_size, **opts)
        split = await through(ours, pieces, chunk_size=chunk_size, **opts)
        if fmt != "brotli":
            assert split == whole
        assert await through(inverse, [split], chunk_size=chunk_size) == SMALL
        cut = [split[a * len(split) // len(SMALL) : b * len(split) // len(SMALL)] for a, b in itertools.pairwise(bounds)]
        assert await through(inverse, cut, chunk_size=chunk_size) == SMALL

    trio.run(main)


async def test_large_chunks_run_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of INLINE_LIMIT bytes or more are compressed off the Trio thread; smaller ones inline."""
    hops: list[Any] = []
    real = trio.to_thread.run_sync

    async def counting(fn: Any, *args: Any, **kw: Any) -> Any:
        hops.append(fn)
        return await real(fn, *args, **kw)

    monkeypatch.setattr(trio.to_thread, "run_sync", counting)
    packed = await through(zlib.create_gzip, [DATA[: zlib.INLINE_LIMIT - 1]])
    assert hops == []
    packed = await through(zlib.create_gzip, [DATA])
    assert len(hops) == 1
    assert pyzlib.decompress(packed, 31) == DATA


async def test_a_bomb_written_in_one_chunk_is_decoded_step_by_step() -> None:
    """Ported in spirit from test/parallel/test-zlib-maxOutputLength.js: 64 MiB of zeros in one
    small write; the readable side never holds more than a step's output while nobody reads."""
    bomb = pyzlib.compress(bytes(64 << 20), 9)
    with trio.fail_after(60):
        async with ns.open_scope():
            g = zlib.create_inflate()
            g.write(bomb)
            for _ in range(20):
                await trio.testing.wait_all_tasks_blocked()
                await trio.sleep(0)
            # Paused: at most one step (16 buffers of chunk_size) is buffered.
            assert g.readable_length <= 16 * zlib.Z_DEFAULT_CHUNK
            total = 0
            async for chunk in g:
                total += len(chunk)
                if total >= 64 << 20:
                    break
            assert total == 64 << 20


async def test_one_shot_max_output_length_keeps_memory_bounded() -> None:
    """A 1 GiB bomb against max_output_length=1 MiB fails fast without growing the process."""
    bomb = pyzlib.compressobj(9)
    packed = b"".join(bomb.compress(bytes(1 << 24)) for _ in range(64)) + bomb.flush()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with trio.fail_after(30), pytest.raises(ns.NodeError) as info:
        await zlib.inflate(packed, max_output_length=1 << 20)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert info.value.code == "ERR_BUFFER_TOO_LARGE"
    assert (after - before) * 1024 < 64 << 20  # ru_maxrss is in KiB on Linux


async def test_corrupt_input_errors_carry_node_codes() -> None:
    """Ported from test/parallel/test-zlib-invalid-input.js: every decoder rejects garbage."""
    with trio.fail_after(10):
        await _corrupt_cases()


async def _corrupt_cases() -> None:
    for fn in (zlib.gunzip, zlib.inflate, zlib.inflate_raw, zlib.unzip):
        with pytest.raises(ns.NodeError) as info:
            await fn(b"\xff" * 20)
        assert info.value.code == "Z_DATA_ERROR"
        assert info.value.errno == -3  # type: ignore[attr-defined]
    with pytest.raises(ns.NodeError) as info:
        await zlib.brotli_decompress(b"this is not brotli at all")
    assert info.value.code == "ERR_BROTLI_DECOMPRESSION_FAILED"


async def test_bad_options_are_node_range_errors() -> None:
    """Ported from test/parallel/test-zlib-failed-init.js and test-zlib-deflate-constructors.js."""
    with trio.fail_after(10):
        await _bad_options()


async def _bad_options() -> None:
    async with ns.open_scope():
        for kwargs in ({"level": 10}, {"window_bits": 7}, {"mem_level": 0}, {"strategy": 5}, {"chunk_size": 10}):
            with pytest.raises(ns.NodeRangeError) as info:
                zlib.create_deflate(**kwargs)
            assert info.value.code == "ERR_OUT_OF_RANGE"
        with pytest.raises(ns.NodeRangeError):
            zlib.create_brotli_compress(params={99: 1})


async def test_destroy_while_a_worker_thread_compresses() -> None:
    """Destroying a stream mid-chunk drops the chunk's output; the scope exits cleanly."""
    with trio.fail_after(30):
        async with ns.open_scope():
            g = zlib.create_gzip()
            got: list[bytes] = []
            g.on("data", got.append)
            g.write(DATA)
            g.destroy()
            await trio.testing.wait_all_tasks_blocked()
        assert got == []
        assert g.destroyed


async def test_cancelling_the_scope_destroys_the_stream() -> None:
    """A cancelled scope destroys its zlib streams with AbortError, 'close' before the exit."""
    events: list[str] = []
    with trio.fail_after(10), trio.CancelScope() as cs:
        async with ns.open_scope():
            g = zlib.create_gunzip()
            g.on("error", lambda e: events.append(e.code))
            g.on("close", lambda: events.append("close"))
            wrote = trio.Event()
            g.write(await zlib.gzip(b"x"), lambda *_: wrote.set())
            await wrote.wait()
            cs.cancel()
            await trio.sleep_forever()
    assert cs.cancelled_caught
    assert events == ["ABORT_ERR", "close"]


async def test_reset_and_params_and_bytes_written() -> None:
    """params() changes the level mid-stream (the output stays one valid stream); reset()
    starts a fresh stream; bytes_written counts the input."""
    async with ns.open_scope():
        d = zlib.create_deflate(level=1)
        out: list[bytes] = []
        d.on("data", out.append)
        d.write(DATA[:50000])
        done = trio.Event()
        d.params(9, zlib.Z_FILTERED, lambda *_: done.set())
        await done.wait()
        d.write(DATA[50000:])
        d.end()
        await ns.finished(d)
        assert pyzlib.decompress(b"".join(out)) == DATA
        assert d.bytes_written == len(DATA)
