"""Compression streams: gzip, deflate, raw deflate and Brotli (node: lib/zlib.js).

Each stream is a :class:`~trio_nodestreams.Transform` over a compressor or
decompressor: Python's ``zlib`` module for the deflate family, the ``brotli``
package for Brotli. A chunk large enough that compressing it costs more than a hop
to a worker thread is processed in one (``trio.to_thread``), as Node runs zlib on
its thread pool; small chunks are processed inline.

The deflate family is written as Node's zlib writes it: a raw deflate stream framed
by this module (the gzip or zlib header, then the CRC-32 or Adler-32 trailer), so
that :meth:`ZlibBase.params` can change the level mid-stream (Python's zlib has no
``deflateParams``: the compressor is replaced after a sync flush, primed with the
last 32 KiB as its dictionary).

Decompression is bounded: each step produces at most a few ``chunk_size`` buffers,
and the next step waits until the readable side has room, so a decompression bomb
written in one chunk never sits in memory whole. The one-shot helpers stop at
``max_output_length`` with ``ERR_BUFFER_TOO_LARGE``.
"""

from __future__ import annotations

import struct
import zlib as _zlib
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol

# Untyped where it is installed; where it is not, mypy cannot find it: neither is an error here.
import brotli as _brotli  # type: ignore[import-untyped, import-not-found, unused-ignore]
import trio

from ._duplex import Transform
from ._errors import NodeError, NodeRangeError, err_invalid_arg_type, err_out_of_range
from ._scope import Scope
from ._state import Callback, Chunk

__all__ = [
    "BrotliCompress",
    "BrotliDecompress",
    "Deflate",
    "DeflateRaw",
    "Gunzip",
    "Gzip",
    "Inflate",
    "InflateRaw",
    "Unzip",
    "ZlibBase",
    "brotli_compress",
    "brotli_decompress",
    "constants",
    "create_brotli_compress",
    "create_brotli_decompress",
    "create_deflate",
    "create_deflate_raw",
    "create_gunzip",
    "create_gzip",
    "create_inflate",
    "create_inflate_raw",
    "create_unzip",
    "deflate",
    "deflate_raw",
    "gunzip",
    "gzip",
    "inflate",
    "inflate_raw",
    "unzip",
]

Z_NO_FLUSH = 0
Z_PARTIAL_FLUSH = 1
Z_SYNC_FLUSH = 2
Z_FULL_FLUSH = 3
Z_FINISH = 4
Z_BLOCK = 5
Z_DEFAULT_COMPRESSION = -1
Z_DEFAULT_STRATEGY = 0
Z_FILTERED = 1
Z_HUFFMAN_ONLY = 2
Z_RLE = 3
Z_FIXED = 4
Z_NO_COMPRESSION = 0
Z_BEST_SPEED = 1
Z_BEST_COMPRESSION = 9
Z_DEFAULT_CHUNK = 16 * 1024
Z_MIN_CHUNK = 64
BROTLI_OPERATION_PROCESS = 0
BROTLI_OPERATION_FLUSH = 1
BROTLI_OPERATION_FINISH = 2
BROTLI_OPERATION_EMIT_METADATA = 3
BROTLI_PARAM_MODE = 0
BROTLI_PARAM_QUALITY = 1
BROTLI_PARAM_LGWIN = 2
BROTLI_PARAM_LGBLOCK = 3
BROTLI_PARAM_SIZE_HINT = 5
BROTLI_MODE_GENERIC = 0
BROTLI_MODE_TEXT = 1
BROTLI_MODE_FONT = 2

#: Node's ``zlib.constants`` (the ones this module uses or accepts).
constants: Mapping[str, int] = {
    "Z_NO_FLUSH": Z_NO_FLUSH,
    "Z_PARTIAL_FLUSH": Z_PARTIAL_FLUSH,
    "Z_SYNC_FLUSH": Z_SYNC_FLUSH,
    "Z_FULL_FLUSH": Z_FULL_FLUSH,
    "Z_FINISH": Z_FINISH,
    "Z_BLOCK": Z_BLOCK,
    "Z_OK": 0,
    "Z_STREAM_END": 1,
    "Z_NEED_DICT": 2,
    "Z_ERRNO": -1,
    "Z_STREAM_ERROR": -2,
    "Z_DATA_ERROR": -3,
    "Z_MEM_ERROR": -4,
    "Z_BUF_ERROR": -5,
    "Z_VERSION_ERROR": -6,
    "Z_NO_COMPRESSION": 0,
    "Z_BEST_SPEED": 1,
    "Z_BEST_COMPRESSION": 9,
    "Z_DEFAULT_COMPRESSION": Z_DEFAULT_COMPRESSION,
    "Z_FILTERED": 1,
    "Z_HUFFMAN_ONLY": 2,
    "Z_RLE": 3,
    "Z_FIXED": 4,
    "Z_DEFAULT_STRATEGY": Z_DEFAULT_STRATEGY,
    "Z_MIN_WINDOWBITS": 8,
    "Z_MAX_WINDOWBITS": 15,
    "Z_DEFAULT_WINDOWBITS": 15,
    "Z_MIN_CHUNK": Z_MIN_CHUNK,
    "Z_DEFAULT_CHUNK": Z_DEFAULT_CHUNK,
    "Z_MIN_MEMLEVEL": 1,
    "Z_MAX_MEMLEVEL": 9,
    "Z_DEFAULT_MEMLEVEL": 8,
    "Z_MIN_LEVEL": -1,
    "Z_MAX_LEVEL": 9,
    "BROTLI_OPERATION_PROCESS": BROTLI_OPERATION_PROCESS,
    "BROTLI_OPERATION_FLUSH": BROTLI_OPERATION_FLUSH,
    "BROTLI_OPERATION_FINISH": BROTLI_OPERATION_FINISH,
    "BROTLI_OPERATION_EMIT_METADATA": BROTLI_OPERATION_EMIT_METADATA,
    "BROTLI_PARAM_MODE": BROTLI_PARAM_MODE,
    "BROTLI_MODE_GENERIC": 0,
    "BROTLI_MODE_TEXT": 1,
    "BROTLI_MODE_FONT": 2,
    "BROTLI_PARAM_QUALITY": BROTLI_PARAM_QUALITY,
    "BROTLI_MIN_QUALITY": 0,
    "BROTLI_MAX_QUALITY": 11,
    "BROTLI_DEFAULT_QUALITY": 11,
    "BROTLI_PARAM_LGWIN": BROTLI_PARAM_LGWIN,
    "BROTLI_DEFAULT_WINDOW": 22,
    "BROTLI_PARAM_LGBLOCK": BROTLI_PARAM_LGBLOCK,
    "BROTLI_PARAM_SIZE_HINT": BROTLI_PARAM_SIZE_HINT,
}

#: Node's ``buffer.kMaxLength``: the default ``max_output_length``.
K_MAX_LENGTH = 2**32
#: Input of this size or more is processed in a worker thread; below it the hop costs
#: more than the work, as bench/fszlib_bench.py measures.
INLINE_LIMIT = 16 * 1024
#: Output buffers produced by one decompression step before the readable side is asked.
_STEP_BUFFERS = 16

_ZLIB_CODES = {
    2: "Z_NEED_DICT",
    -1: "Z_ERRNO",
    -2: "Z_STREAM_ERROR",
    -3: "Z_DATA_ERROR",
    -4: "Z_MEM_ERROR",
    -5: "Z_BUF_ERROR",
    -6: "Z_VERSION_ERROR",
}
_FLUSH_MODES = (Z_NO_FLUSH, Z_PARTIAL_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_FINISH, Z_BLOCK)


def _zlib_error(message: str, errno: int) -> NodeError:
    err = NodeError(_ZLIB_CODES.get(errno, "Z_ERRNO"), message)
    err.errno = errno  # type: ignore[attr-defined]
    return err


def _from_zlib(exc: _zlib.error) -> NodeError:
    # Python words zlib's errors "Error -3 while decompressing data: incorrect header check".
    text = str(exc)
    errno = -3
    head, _, tail = text.partition(":")
    words = head.split()
    if len(words) >= 2 and words[0] == "Error":
        try:
            errno = int(words[1])
        except ValueError:
            pass
    message = tail.strip() or ("Missing dictionary" if errno == 2 else text)
    return _zlib_error(message, errno)


def _unexpected_end() -> NodeError:
    return _zlib_error("unexpected end of file", -5)


def err_buffer_too_large(limit: int) -> NodeRangeError:
    """``ERR_BUFFER_TOO_LARGE``: output past ``max_output_length``."""
    return NodeRangeError("ERR_BUFFER_TOO_LARGE", f"Cannot create a Buffer larger than {limit} bytes")


class _FlushChunk(bytes):
    """The empty chunk :meth:`ZlibBase.flush` writes: it carries its flush kind through the
    writable side's queue, so the flush happens in order with the data before it."""

    kind: int


class _Engine(Protocol):
    """A compressor or decompressor: one step of work, run inline or in a worker thread."""

    def step(self, data: bytes, flag: int, limit: int) -> tuple[list[bytes], bool]:
        """Process ``data`` (b'' to go on); (output, whether input remains unprocessed)."""
        ...


# -- the deflate family ---------------------------------------------------------------------


class _Deflater:
    """Raw deflate framed as gzip, zlib or nothing, with a level that can change mid-stream."""

    def __init__(self, fmt: str, level: int, window_bits: int, mem_level: int, strategy: int, dictionary: bytes | None) -> None:
        self.fmt = fmt
        # zlib turns a window of 8 into 9, and says 9 in the header.
        self.window_bits = max(window_bits, 9)
        self.mem_level = mem_level
        self.level = level
        self.strategy = strategy
        self.dictionary = dictionary
        self.check = _zlib.crc32(b"") if fmt == "gzip" else _zlib.adler32(b"")
        self.size = 0
        self.header_sent = False
        self.finished = False
        self.tail = b""  # the last 32 KiB of input: the dictionary of a replacement compressor
        self.compressor = self._compressor(dictionary)

    def _compressor(self, dictionary: bytes | None) -> Any:
        if dictionary:
            return _zlib.compressobj(self.level, _zlib.DEFLATED, -self.window_bits, self.mem_level, self.strategy, dictionary)
        return _zlib.compressobj(self.level, _zlib.DEFLATED, -self.window_bits, self.mem_level, self.strategy)

    def _header(self) -> bytes:
        level, strategy = self.level, self.strategy
        if self.fmt == "gzip":
            xfl = 2 if level == 9 else 4 if (level == 1 or strategy >= 2 or 0 <= level < 2) else 0
            return b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes([xfl, 3])
        if self.fmt == "deflate":
            cmf = 8 | ((self.window_bits - 8) << 4)
            if strategy >= 2 or 0 <= level < 2:
                lflag = 0
            elif level < 6 and level != -1:
                lflag = 1
            elif level in (6, -1):
                lflag = 2
            else:
                lflag = 3
            flg = lflag << 6
            if self.dictionary:
                flg |= 0x20
            flg += 31 - ((cmf << 8) + flg) % 31
            head = bytes([cmf, flg])
            if self.dictionary:
                head += struct.pack(">I", _zlib.adler32(self.dictionary))
            return head
        return b""

    def step(self, data: bytes, flag: int, limit: int) -> tuple[list[bytes], bool]:
        out: list[bytes] = []
        if self.finished:
            return out, False
        if not self.header_sent:
            self.header_sent = True
            head = self._header()
            if head:
                out.append(head)
        if data:
            if self.fmt == "gzip":
                self.check = _zlib.crc32(data, self.check)
            elif self.fmt == "deflate":
                self.check = _zlib.adler32(data, self.check)
            self.size += len(data)
            self.tail = data[-32768:] if len(data) >= 32768 else (self.tail + data)[-32768:]
            piece = self.compressor.compress(data)
            if piece:
                out.append(piece)
        if flag == Z_FINISH:
            out.append(self.compressor.flush(Z_FINISH))
            if self.fmt == "gzip":
                out.append(struct.pack("<II", self.check & 0xFFFFFFFF, self.size & 0xFFFFFFFF))
            elif self.fmt == "deflate":
                out.append(struct.pack(">I", self.check & 0xFFFFFFFF))
            self.finished = True
        elif flag != Z_NO_FLUSH:
            piece = self.compressor.flush(flag)
            if piece:
                out.append(piece)
        return out, False

    def params(self, level: int, strategy: int) -> None:
        # Called after a sync flush: the deflate stream is at a block boundary, so a new
        # raw compressor can carry on; the tail as its dictionary keeps back-references.
        self.level, self.strategy = level, strategy
        self.compressor = self._compressor(self.tail or None)


class _Inflater:
    """Inflate of a zlib, gzip, raw or auto-detected stream; several gzip members in a row."""

    def __init__(self, fmt: str, window_bits: int, dictionary: bytes | None) -> None:
        self.fmt = fmt
        if fmt == "raw":
            self.wbits = -max(window_bits, 9) if window_bits else -15
        elif fmt == "gzip":
            self.wbits = 16 + (window_bits or 15)
        elif fmt == "unzip":
            self.wbits = 32 + (window_bits or 15)
        else:
            self.wbits = window_bits
        self.dictionary = dictionary
        self.decompressor = self._new()
        self.ended = False
        # Whether the input is gzip (Unzip learns it from the first bytes).
        self.gzip = fmt == "gzip"
        self.started = False
        # A next gzip member found when a step's output budget was spent.
        self.pending = b""
        # A gzip member ended exactly at the end of the input so far.
        self.member_done = False

    def _new(self) -> Any:
        if self.dictionary is not None and self.fmt in ("raw", "deflate"):
            return _zlib.decompressobj(self.wbits, zdict=self.dictionary)
        return _zlib.decompressobj(self.wbits)

    def step(self, data: bytes, flag: int, limit: int) -> tuple[list[bytes], bool]:
        out: list[bytes] = []
        d = self.decompressor
        if self.ended:
            return out, False
        if self.member_done:
            # The last member ended with the previous input: this input starts the next
            # one, unless it begins with a zero byte (padding: the rest is ignored).
            self.member_done = False
            if data and data[0] == 0:
                self.ended = True
                return out, False
            if data:
                d = self.decompressor = _zlib.decompressobj(self.wbits)
        if not data:
            data, self.pending = (self.pending or d.unconsumed_tail), b""
        if data and not self.started:
            self.started = True
            if self.fmt == "unzip":
                self.gzip = data[:2] == b"\x1f\x8b"
        limit = max(limit, 1)
        try:
            while True:
                piece = d.decompress(data, limit)
                if piece:
                    out.append(piece)
                    limit -= len(piece)
                if d.eof:
                    rest = d.unused_data
                    # Node reads gzip members one after another; a zero byte after a member
                    # ends the input (padding), anything else must start the next member.
                    if self.gzip and rest and rest[0] != 0:
                        d = self.decompressor = _zlib.decompressobj(self.wbits)
                        data = rest
                        if limit > 0:
                            continue
                        self.pending = rest
                        return out, True
                    if self.gzip and not rest:
                        self.member_done = True
                        return out, False
                    self.ended = True
                    return out, False
                if d.unconsumed_tail:
                    if limit > 0:
                        data = d.unconsumed_tail
                        continue
                    return out, True
                break
        except _zlib.error as exc:
            raise _from_zlib(exc) from None
        if flag == Z_FINISH:
            raise _unexpected_end()
        # Inflate gives all it can on every call: other flush kinds need no extra step.
        return out, False


# -- Brotli -------------------------------------------------------------------------------


def _brotli_failed() -> NodeError:
    err = NodeError("ERR_BROTLI_DECOMPRESSION_FAILED", "Decompression failed")
    err.errno = None  # type: ignore[attr-defined]
    return err


class _BrotliEncoder:
    def __init__(self, params: Mapping[int, int]) -> None:
        self.compressor = _brotli.Compressor(
            mode=params.get(BROTLI_PARAM_MODE, 0),
            quality=params.get(BROTLI_PARAM_QUALITY, 11),
            lgwin=params.get(BROTLI_PARAM_LGWIN, 22),
            lgblock=params.get(BROTLI_PARAM_LGBLOCK, 0),
        )
        self.finished = False

    def step(self, data: bytes, flag: int, limit: int) -> tuple[list[bytes], bool]:
        out: list[bytes] = []
        if self.finished:
            return out, False
        try:
            if data:
                out.append(self.compressor.process(data))
            if flag == BROTLI_OPERATION_FINISH:
                out.append(self.compressor.finish())
                self.finished = True
            elif flag == BROTLI_OPERATION_FLUSH:
                out.append(self.compressor.flush())
        except _brotli.error as exc:
            raise NodeError("ERR_BROTLI_COMPRESSION_FAILED", f"Compression failed: {exc}") from None
        return [o for o in out if o], False


class _BrotliDecoder:
    def __init__(self) -> None:
        self.decompressor = _brotli.Decompressor()
        self.ended = False

    def step(self, data: bytes, flag: int, limit: int) -> tuple[list[bytes], bool]:
        out: list[bytes] = []
        d = self.decompressor
        if self.ended:
            return out, False
        try:
            while True:
                budget = max(limit, 1)
                piece = d.process(data, output_buffer_limit=budget)
                data = b""
                if piece:
                    out.append(piece)
                    limit -= len(piece)
                if d.is_finished():
                    self.ended = True
                    return out, False
                # A full output buffer may leave output inside the decoder: go on with
                # empty input (within this step's budget, else in the next step).
                if len(piece) >= budget or not d.can_accept_more_data():
                    if limit > 0:
                        continue
                    return out, True
                break
        except _brotli.error:
            raise _brotli_failed() from None
        if flag == BROTLI_OPERATION_FINISH:
            raise _unexpected_end()
        return out, False


# -- the streams ----------------------------------------------------------------------------


class ZlibBase(Transform):
    """The base of every compression stream: a Transform over an engine.

    Chunks of at least ``INLINE_LIMIT`` bytes are processed in a worker thread; while one
    is, the stream takes no other chunk (the engine is used by one thread at a time).
    """

    _event_arity: ClassVar[dict[str, int]] = Transform._event_arity
    _finish_flush_flag: int
    _default_flush_flag: int
    _max_flush_flag: int

    def __init__(
        self,
        engine: _Engine,
        *,
        chunk_size: int,
        flush: int,
        finish_flush: int,
        max_flush: int,
        scope: Scope | None,
        high_water_mark: int | None = None,
        **options: Any,
    ) -> None:
        if not isinstance(chunk_size, int) or chunk_size < Z_MIN_CHUNK:
            raise err_out_of_range("options.chunkSize", f">= {Z_MIN_CHUNK}", chunk_size)
        for name, value in (("options.flush", flush), ("options.finishFlush", finish_flush)):
            if not isinstance(value, int) or not 0 <= value <= max_flush:
                raise err_out_of_range(name, f">= 0 and <= {max_flush}", value)
        Transform.__init__(
            self,
            high_water_mark=high_water_mark if high_water_mark is not None else chunk_size,
            scope=scope,
            **options,
        )
        self._engine = engine
        self._chunk_size = chunk_size
        self._default_flush_flag = flush
        self._finish_flush_flag = finish_flush
        self._max_flush_flag = max_flush
        # The free room in the output buffer Node would be filling: output is cut into
        # chunk_size buffers the way Node's zlib binding fills them.
        self._out_room = chunk_size
        #: Bytes written into the engine so far (Node's ``bytesWritten``).
        self.bytes_written = 0
        # A step that stopped for back-pressure: (flag, callback) to go on with in _read.
        self._resume: tuple[int, Callback] | None = None

    # -- Node's public methods --------------------------------------------------------------

    def flush(self, kind: int | Callback | None = None, callback: Callback | None = None) -> None:
        """Flush what was written so far (``Z_FULL_FLUSH`` by default) in order with the data;
        ``callback()`` runs once it is flushed."""
        if callable(kind):
            callback, kind = kind, None
        if kind is None:
            kind = Z_FULL_FLUSH if self._max_flush_flag == Z_BLOCK else BROTLI_OPERATION_FLUSH
        w = self._writable_state
        if w.finished:
            if callback is not None:
                self._scope.next_tick(callback)
        elif w.ending:
            if callback is not None:
                self.once("end", callback)
        else:
            marker = _FlushChunk()
            marker.kind = kind
            self.write(marker, None, (lambda *_: callback()) if callback is not None else None)

    def close(self, callback: Callback | None = None) -> None:
        """Destroy the stream; ``callback()`` runs at ``'close'``."""
        if callback is not None:
            self.once("close", callback)
        self.destroy()

    def reset(self) -> None:
        """Start over with a fresh engine (Node's ``reset()``)."""
        self._engine = self._make_engine()

    def _make_engine(self) -> _Engine:
        raise NotImplementedError

    # -- the Transform ----------------------------------------------------------------------

    def _transform(self, chunk: Chunk, encoding: str | None, callback: Callback) -> None:
        assert isinstance(chunk, bytes)
        flag = self._default_flush_flag
        if type(chunk) is _FlushChunk:
            flag = chunk.kind
        w = self._writable_state
        # The last chunk of an ended stream also finishes it (Node's maxFlush rule).
        if w.ending and w.length == len(chunk):
            flag = _max_flush(flag, self._finish_flush_flag)
        self.bytes_written += len(chunk)
        self._process(bytes(chunk) if type(chunk) is _FlushChunk else chunk, flag, callback)

    def _flush(self, callback: Callback) -> None:
        self._transform(b"", None, callback)

    def _final(self, callback: Callback) -> None:
        # As Node's zlib: 'finish' does not wait for the last output; _flush runs from
        # 'prefinish' and ends the readable side when it is done.
        callback()

    def _process(self, data: bytes, flag: int, callback: Callback, going_on: bool = False) -> None:
        limit = self._chunk_size * _STEP_BUFFERS
        engine = self._engine
        # A step that goes on with input already taken may produce a whole step's output:
        # it runs in a worker thread like large input.
        if len(data) < INLINE_LIMIT and not going_on:
            # Small input is processed here, but its outcome is delivered on the next tick:
            # Node's zlib always completes a write later, and its event order shows it
            # (write callbacks before 'prefinish', 'finish' before 'end').
            try:
                out, more = engine.step(data, flag, limit)
            except NodeError as err:
                self._scope.next_tick(self._failed, err, callback)
                return
            self._scope.next_tick(self._after_step, out, more, flag, callback)
        else:
            self._scope.start_soon(self._process_task, engine, data, flag, limit, callback)

    async def _process_task(self, engine: _Engine, data: bytes, flag: int, limit: int, callback: Callback) -> None:
        try:
            out, more = await trio.to_thread.run_sync(engine.step, data, flag, limit)
        except NodeError as err:
            if not self.destroyed:
                callback(err)
            return
        if not self.destroyed:
            self._after_step(out, more, flag, callback)

    def _failed(self, err: BaseException, callback: Callback) -> None:
        if not self.destroyed:
            callback(err)

    def _after_step(self, out: list[bytes], more: bool, flag: int, callback: Callback) -> None:
        if self.destroyed:
            return
        room = True
        for piece in out:
            room = self._push_cut(piece)
        if more:
            if room:
                self._process(b"", flag, callback, True)
            else:
                self._resume = (flag, callback)
            return
        callback()

    def _push_cut(self, data: bytes) -> bool:
        # Cut the output as Node's binding fills its chunk_size buffers: the first piece
        # fills the current buffer's free room, then whole buffers, then a partial one.
        size = self._chunk_size
        room = self._out_room
        n = len(data)
        ok = True
        i = 0
        while i < n:
            take = min(room, n - i)
            ok = self.push(data[i : i + take] if take != n else data)
            i += take
            room -= take
            if room == 0:
                room = size
        self._out_room = room
        return ok

    def _read(self, size: int) -> None:
        resume = self._resume
        if resume is not None:
            self._resume = None
            self._process(b"", resume[0], resume[1], True)
            return
        Transform._read(self, size)


def _max_flush(a: int, b: int) -> int:
    # Node orders zlib's flush kinds by strength, with Z_BLOCK between none and partial.
    order = {Z_NO_FLUSH: 0, Z_BLOCK: 1, Z_PARTIAL_FLUSH: 2, Z_SYNC_FLUSH: 3, Z_FULL_FLUSH: 4, Z_FINISH: 5}
    return a if order.get(a, a) >= order.get(b, b) else b


def _zlib_engine(
    fmt: str,
    compress: bool,
    *,
    level: int = Z_DEFAULT_COMPRESSION,
    window_bits: int | None = None,
    mem_level: int = 8,
    strategy: int = Z_DEFAULT_STRATEGY,
    dictionary: bytes | bytearray | memoryview | None = None,
) -> _Engine:
    """A deflate-family engine from Node's options, validated as Node validates them."""
    if not isinstance(level, int) or not -1 <= level <= 9:
        raise err_out_of_range("options.level", ">= -1 and <= 9", level)
    if window_bits is None:
        window_bits = 15
    elif not isinstance(window_bits, int) or not (8 <= window_bits <= 15 or (window_bits == 0 and not compress)):
        raise err_out_of_range("options.windowBits", ">= 8 and <= 15", window_bits)
    if not isinstance(mem_level, int) or not 1 <= mem_level <= 9:
        raise err_out_of_range("options.memLevel", ">= 1 and <= 9", mem_level)
    if not isinstance(strategy, int) or not 0 <= strategy <= 4:
        raise err_out_of_range("options.strategy", ">= 0 and <= 4", strategy)
    if dictionary is not None and not isinstance(dictionary, bytes | bytearray | memoryview):
        raise err_invalid_arg_type("options.dictionary", "an instance of Buffer", dictionary)
    zdict = None if dictionary is None else bytes(dictionary)
    if compress:
        return _Deflater(fmt, level, window_bits, mem_level, strategy, zdict)
    return _Inflater(fmt, window_bits, zdict)


def _brotli_engine(compress: bool, *, params: Mapping[int, int] | None = None) -> _Engine:
    """A Brotli engine from Node's ``params``, validated."""
    settings = dict(params or {})
    for key, value in settings.items():
        if key not in (BROTLI_PARAM_MODE, BROTLI_PARAM_QUALITY, BROTLI_PARAM_LGWIN, BROTLI_PARAM_LGBLOCK, BROTLI_PARAM_SIZE_HINT):
            raise NodeRangeError("ERR_BROTLI_INVALID_PARAM", f"{key} is not a valid Brotli parameter")
        if not isinstance(value, int) or isinstance(value, bool):
            raise err_invalid_arg_type(f"options.params[{key}]", "of type number", value)
    if not compress:
        return _BrotliDecoder()
    try:
        return _BrotliEncoder(settings)
    except _brotli.error as exc:
        raise NodeError("ERR_ZLIB_INITIALIZATION_FAILED", "Initialization failed") from exc


_ENGINE_OPTIONS = ("level", "window_bits", "mem_level", "strategy", "dictionary", "params")


class _ZlibStream(ZlibBase):
    _fmt: ClassVar[str]
    _compress: ClassVar[bool]

    def __init__(
        self,
        *,
        level: int = Z_DEFAULT_COMPRESSION,
        window_bits: int | None = None,
        mem_level: int = 8,
        strategy: int = Z_DEFAULT_STRATEGY,
        dictionary: bytes | None = None,
        chunk_size: int = Z_DEFAULT_CHUNK,
        flush: int = Z_NO_FLUSH,
        finish_flush: int = Z_FINISH,
        scope: Scope | None = None,
        **options: Any,
    ) -> None:
        self._level = level
        self._strategy = strategy
        self._settings: dict[str, Any] = {
            "level": level,
            "window_bits": window_bits,
            "mem_level": mem_level,
            "strategy": strategy,
            "dictionary": dictionary,
        }
        ZlibBase.__init__(
            self,
            _zlib_engine(self._fmt, self._compress, **self._settings),
            chunk_size=chunk_size,
            flush=flush,
            finish_flush=finish_flush,
            max_flush=Z_BLOCK,
            scope=scope,
            **options,
        )

    def _make_engine(self) -> _Engine:
        return _zlib_engine(self._fmt, self._compress, **{**self._settings, "level": self._level, "strategy": self._strategy})

    def params(self, level: int, strategy: int, callback: Callback | None = None) -> None:
        """Change the compression level and strategy from the next byte on (after a sync flush)."""
        if not isinstance(level, int) or not -1 <= level <= 9:
            raise err_out_of_range("level", ">= -1 and <= 9", level)
        if not isinstance(strategy, int) or not 0 <= strategy <= 4:
            raise err_out_of_range("strategy", ">= 0 and <= 4", strategy)
        if level == self._level and strategy == self._strategy:
            if callback is not None:
                self._scope.next_tick(callback)
            return

        def after_flush(*_: object) -> None:
            self._level, self._strategy = level, strategy
            engine = self._engine
            if isinstance(engine, _Deflater):
                engine.params(level, strategy)
            if callback is not None:
                callback()

        self.flush(Z_SYNC_FLUSH, after_flush)


class Gzip(_ZlibStream):
    """Compress to gzip (Node's ``zlib.Gzip``)."""

    _fmt = "gzip"
    _compress = True


class Gunzip(_ZlibStream):
    """Decompress gzip, member after member (Node's ``zlib.Gunzip``)."""

    _fmt = "gzip"
    _compress = False


class Deflate(_ZlibStream):
    """Compress to the zlib format (Node's ``zlib.Deflate``)."""

    _fmt = "deflate"
    _compress = True


class Inflate(_ZlibStream):
    """Decompress the zlib format (Node's ``zlib.Inflate``)."""

    _fmt = "deflate"
    _compress = False


class DeflateRaw(_ZlibStream):
    """Compress to raw deflate, no header (Node's ``zlib.DeflateRaw``)."""

    _fmt = "raw"
    _compress = True


class InflateRaw(_ZlibStream):
    """Decompress raw deflate (Node's ``zlib.InflateRaw``)."""

    _fmt = "raw"
    _compress = False


class Unzip(_ZlibStream):
    """Decompress gzip or the zlib format, told apart by the header (Node's ``zlib.Unzip``)."""

    _fmt = "unzip"
    _compress = False


class _BrotliStream(ZlibBase):
    _compress: ClassVar[bool]

    def __init__(
        self,
        *,
        params: Mapping[int, int] | None = None,
        chunk_size: int = Z_DEFAULT_CHUNK,
        flush: int = BROTLI_OPERATION_PROCESS,
        finish_flush: int = BROTLI_OPERATION_FINISH,
        scope: Scope | None = None,
        **options: Any,
    ) -> None:
        self._params = dict(params or {})
        ZlibBase.__init__(
            self,
            _brotli_engine(self._compress, params=self._params),
            chunk_size=chunk_size,
            flush=flush,
            finish_flush=finish_flush,
            max_flush=BROTLI_OPERATION_EMIT_METADATA,
            scope=scope,
            **options,
        )

    def _make_engine(self) -> _Engine:
        return _brotli_engine(self._compress, params=self._params)


class BrotliCompress(_BrotliStream):
    """Compress to Brotli (Node's ``zlib.BrotliCompress``); ``params`` as Node's."""

    _compress = True


class BrotliDecompress(_BrotliStream):
    """Decompress Brotli (Node's ``zlib.BrotliDecompress``)."""

    _compress = False


# -- factories --------------------------------------------------------------------------------

_DOC = """Make a {cls}: a Transform that {what}.

    Args:
      level, window_bits, mem_level, strategy, dictionary: zlib's settings, as Node's options.
      chunk_size: the size of the output buffers (16 KiB).
      flush: the flush kind after each chunk (``Z_NO_FLUSH``).
      finish_flush: the flush kind of the last chunk (``Z_FINISH``).
      scope: the scope to run in; default the current one.
      options: other Transform options (``high_water_mark`` ...).

    Returns:
      The stream. Cancelling its scope destroys it; a chunk being processed in a
      worker thread finishes there and its output is dropped.

    Raises:
      NodeRangeError: ``ERR_OUT_OF_RANGE`` for a setting outside zlib's range.
    """


def create_gzip(**options: Any) -> Gzip:
    return Gzip(**options)


def create_gunzip(**options: Any) -> Gunzip:
    return Gunzip(**options)


def create_deflate(**options: Any) -> Deflate:
    return Deflate(**options)


def create_inflate(**options: Any) -> Inflate:
    return Inflate(**options)


def create_deflate_raw(**options: Any) -> DeflateRaw:
    return DeflateRaw(**options)


def create_inflate_raw(**options: Any) -> InflateRaw:
    return InflateRaw(**options)


def create_unzip(**options: Any) -> Unzip:
    return Unzip(**options)


for _fn, _cls, _what in (
    (create_gzip, "Gzip", "compresses to gzip"),
    (create_gunzip, "Gunzip", "decompresses gzip (several members in a row)"),
    (create_deflate, "Deflate", "compresses to the zlib format"),
    (create_inflate, "Inflate", "decompresses the zlib format"),
    (create_deflate_raw, "DeflateRaw", "compresses to raw deflate"),
    (create_inflate_raw, "InflateRaw", "decompresses raw deflate"),
    (create_unzip, "Unzip", "decompresses gzip or the zlib format, detected from the header"),
):
    _fn.__doc__ = _DOC.format(cls=_cls, what=_what)

_BROTLI_DOC = """Make a {cls}: a Transform that {what}.

    Args:
      params: Brotli's parameters by ``BROTLI_PARAM_*`` key (quality 11 by default, as Node).
      chunk_size: the size of the output buffers (16 KiB).
      flush: the operation after each chunk (``BROTLI_OPERATION_PROCESS``).
      finish_flush: the operation of the last chunk (``BROTLI_OPERATION_FINISH``).
      scope: the scope to run in; default the current one.
      options: other Transform options (``high_water_mark`` ...).

    Returns:
      The stream. Cancelling its scope destroys it; a chunk being processed in a
      worker thread finishes there and its output is dropped.

    Raises:
      NodeRangeError: ``ERR_BROTLI_INVALID_PARAM`` for an unknown parameter.
    """


def create_brotli_compress(**options: Any) -> BrotliCompress:
    return BrotliCompress(**options)


def create_brotli_decompress(**options: Any) -> BrotliDecompress:
    return BrotliDecompress(**options)


create_brotli_compress.__doc__ = _BROTLI_DOC.format(cls="BrotliCompress", what="compresses to Brotli")
create_brotli_decompress.__doc__ = _BROTLI_DOC.format(cls="BrotliDecompress", what="decompresses Brotli")


# -- one-shot helpers -------------------------------------------------------------------------


async def _one_shot(build: Callable[..., _Engine], finish: int, data: bytes | bytearray | memoryview | str, options: dict[str, Any]) -> bytes:
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes | bytearray | memoryview):
        raise err_invalid_arg_type("buffer", "of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer", data)
    limit = options.pop("max_output_length", K_MAX_LENGTH)
    if not isinstance(limit, int) or not 1 <= limit <= K_MAX_LENGTH:
        raise err_out_of_range("options.maxOutputLength", f">= 1 and <= {K_MAX_LENGTH}", limit)
    chunk = options.pop("chunk_size", Z_DEFAULT_CHUNK)
    if not isinstance(chunk, int) or chunk < Z_MIN_CHUNK:
        raise err_out_of_range("options.chunkSize", f">= {Z_MIN_CHUNK}", chunk)
    finish = options.pop("finish_flush", finish)
    options.pop("flush", None)
    engine = build(**{k: v for k, v in options.items() if k in _ENGINE_OPTIONS})
    data = bytes(data)
    out: list[bytes] = []
    total = 0
    first = True
    # Step by step, each step's output bounded, in a worker thread unless the input is
    # small: memory stays within the limit plus one step.
    while True:
        step_limit = min(chunk * _STEP_BUFFERS, limit - total + 1)
        if first and len(data) < INLINE_LIMIT:
            pieces, more = engine.step(data, finish, step_limit)
        else:
            pieces, more = await trio.to_thread.run_sync(engine.step, data if first else b"", finish, step_limit)
        first = False
        for piece in pieces:
            total += len(piece)
            if total > limit:
                raise err_buffer_too_large(limit)
            out.append(piece)
        if not more:
            return b"".join(out)


def _zlib_builder(fmt: str, compress: bool) -> Callable[..., _Engine]:
    def build(**options: Any) -> _Engine:
        return _zlib_engine(fmt, compress, **options)

    return build


def _brotli_builder(compress: bool) -> Callable[..., _Engine]:
    def build(**options: Any) -> _Engine:
        return _brotli_engine(compress, **options)

    return build


async def gzip(data: bytes | str, **options: Any) -> bytes:
    """Compress ``data`` to gzip in one call (Node's ``zlib.gzip`` as a coroutine).

    Args:
      data: the input.
      options: those of :func:`create_gzip`, and ``max_output_length``.

    Returns:
      The output.

    Raises:
      NodeError: with Node's ``code`` (``Z_DATA_ERROR``, ``Z_BUF_ERROR``, ``ERR_BUFFER_TOO_LARGE`` ...).

    Cancellation abandons the result; a step running in a worker thread finishes there.
    """
    return await _one_shot(_zlib_builder("gzip", True), Z_FINISH, data, dict(options))


async def gunzip(data: bytes | str, **options: Any) -> bytes:
    """Decompress gzip in one call (Node's ``zlib.gunzip``); see :func:`gzip`."""
    return await _one_shot(_zlib_builder("gzip", False), Z_FINISH, data, dict(options))


async def deflate(data: bytes | str, **options: Any) -> bytes:
    """Compress to the zlib format in one call (Node's ``zlib.deflate``); see :func:`gzip`."""
    return await _one_shot(_zlib_builder("deflate", True), Z_FINISH, data, dict(options))


async def inflate(data: bytes | str, **options: Any) -> bytes:
    """Decompress the zlib format in one call (Node's ``zlib.inflate``); see :func:`gzip`."""
    return await _one_shot(_zlib_builder("deflate", False), Z_FINISH, data, dict(options))


async def deflate_raw(data: bytes | str, **options: Any) -> bytes:
    """Compress to raw deflate in one call (Node's ``zlib.deflateRaw``); see :func:`gzip`."""
    return await _one_shot(_zlib_builder("raw", True), Z_FINISH, data, dict(options))


async def inflate_raw(data: bytes | str, **options: Any) -> bytes:
    """Decompress raw deflate in one call (Node's ``zlib.inflateRaw``); see :func:`gzip`."""
    return await _one_shot(_zlib_builder("raw", False), Z_FINISH, data, dict(options))


async def unzip(data: bytes | str, **options: Any) -> bytes:
    """Decompress gzip or the zlib format in one call (Node's ``zlib.unzip``); see :func:`gzip`."""
    return await _one_shot(_zlib_builder("unzip", False), Z_FINISH, data, dict(options))


async def brotli_compress(data: bytes | str, **options: Any) -> bytes:
    """Compress to Brotli in one call (Node's ``zlib.brotliCompress``); see :func:`gzip`."""
    return await _one_shot(_brotli_builder(True), BROTLI_OPERATION_FINISH, data, dict(options))


async def brotli_decompress(data: bytes | str, **options: Any) -> bytes:
    """Decompress Brotli in one call (Node's ``zlib.brotliDecompress``); see :func:`gzip`."""
    return await _one_shot(_brotli_builder(False), BROTLI_OPERATION_FINISH, data, dict(options))
