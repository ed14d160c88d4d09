"""File streams: ``create_read_stream`` and ``create_write_stream`` (node: lib/internal/fs/streams.js).

Every system call runs in a worker thread (``trio.to_thread``), never on the Trio
thread. A thread hop costs far more here than a libuv thread-pool round trip, so both
streams batch: a ReadStream reads several ``high_water_mark`` chunks per hop when its
consumer is faster than one hop (the batch doubles, from one chunk to sixteen, each
time the consumer had to wait), and hands them out one ``push`` at a time as Node's
would; a WriteStream writes what piled up while
a write was in flight with one ``writev``.

Like Node's, a stream never closes its descriptor while a read or write of it is in a
worker thread: ``destroy()`` waits for that call, then closes.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable
from typing import ClassVar

import trio

from ._errors import NodeError, err_invalid_arg_type, err_out_of_range, uv_exception
from ._readable import Readable
from ._scope import Scope
from ._state import Callback, Chunk
from ._writable import Writable

__all__ = ["ReadStream", "WriteStream", "create_read_stream", "create_write_stream"]

#: Node's string flags (lib/internal/fs/utils.js stringToFlags) as os.open flags.
_FLAGS = {
    "r": os.O_RDONLY,
    "rs": os.O_RDONLY | os.O_SYNC,
    "sr": os.O_RDONLY | os.O_SYNC,
    "r+": os.O_RDWR,
    "rs+": os.O_RDWR | os.O_SYNC,
    "sr+": os.O_RDWR | os.O_SYNC,
    "w": os.O_TRUNC | os.O_CREAT | os.O_WRONLY,
    "wx": os.O_TRUNC | os.O_CREAT | os.O_WRONLY | os.O_EXCL,
    "xw": os.O_TRUNC | os.O_CREAT | os.O_WRONLY | os.O_EXCL,
    "w+": os.O_TRUNC | os.O_CREAT | os.O_RDWR,
    "wx+": os.O_TRUNC | os.O_CREAT | os.O_RDWR | os.O_EXCL,
    "xw+": os.O_TRUNC | os.O_CREAT | os.O_RDWR | os.O_EXCL,
    "a": os.O_APPEND | os.O_CREAT | os.O_WRONLY,
    "ax": os.O_APPEND | os.O_CREAT | os.O_WRONLY | os.O_EXCL,
    "xa": os.O_APPEND | os.O_CREAT | os.O_WRONLY | os.O_EXCL,
    "as": os.O_APPEND | os.O_CREAT | os.O_WRONLY | os.O_SYNC,
    "sa": os.O_APPEND | os.O_CREAT | os.O_WRONLY | os.O_SYNC,
    "a+": os.O_APPEND | os.O_CREAT | os.O_RDWR,
    "ax+": os.O_APPEND | os.O_CREAT | os.O_RDWR | os.O_EXCL,
    "xa+": os.O_APPEND | os.O_CREAT | os.O_RDWR | os.O_EXCL,
    "as+": os.O_APPEND | os.O_CREAT | os.O_RDWR | os.O_SYNC,
    "sa+": os.O_APPEND | os.O_CREAT | os.O_RDWR | os.O_SYNC,
}

#: The largest batch a ReadStream reads in one hop, in chunks of ``high_water_mark``.
_MAX_BATCH = 16
#: A WriteStream's default ``high_water_mark``: 1 MiB, where Node's is 16 KiB. A hop to a
#: worker thread costs about ten times a libuv thread-pool round trip here; with 16 KiB,
#: every 64 KiB chunk of a pipe would wait for its own hop, and nothing would pile up for
#: writev (measured in bench/fszlib_bench.py: a copy runs 3-5x slower).
WRITE_HIGH_WATER_MARK = 1 << 20
#: The most buffers one writev hands the kernel (Linux's IOV_MAX).
_IOV_MAX = 1024
_MAX_SAFE_INTEGER = 9007199254740991


def _flags(flags: str | int) -> int:
    if isinstance(flags, int) and not isinstance(flags, bool):
        return flags
    if isinstance(flags, str) and flags in _FLAGS:
        return _FLAGS[flags]
    raise err_invalid_arg_type("flags", "a valid flag string or an integer", flags)


def _validate_integer(value: object, name: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        if isinstance(value, float):
            raise err_out_of_range(name, "an integer", value)
        raise err_invalid_arg_type(name, "of type number", value)
    if not 0 <= value <= _MAX_SAFE_INTEGER:
        raise err_out_of_range(name, f">= 0 && <= {_MAX_SAFE_INTEGER}", value)
    return value


def _fspath(path: str | bytes | os.PathLike[str] | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, bytes):
        return os.fsdecode(path)
    if isinstance(path, str | os.PathLike):
        text = os.fspath(path)
        if "\x00" in text:
            raise err_invalid_arg_type("path", "a string without null bytes", text)
        return text
    raise err_invalid_arg_type("path", "of type string or an instance of Buffer or URL", path)


def _open(path: str, flags: int, mode: int) -> int:
    return os.open(path, flags | os.O_CLOEXEC, mode)


class _FileIO:
    """A mixin: the descriptor, one system call at a time in a worker thread, and a close that
    waits for that call (shared by ReadStream and WriteStream)."""

    fd: int | None
    _scope: Scope
    _busy: bool
    _after_io: Callable[[], object] | None

    def _io(self, fn: Callable[..., object], args: tuple[object, ...], done: Callable[[BaseException | None, object], object]) -> None:
        # One call in flight: _destroy waits for it before closing the descriptor.
        self._busy = True
        self._scope.start_soon(self._io_task, fn, args, done)

    async def _io_task(
        self, fn: Callable[..., object], args: tuple[object, ...], done: Callable[[BaseException | None, object], object]
    ) -> None:
        err: BaseException | None = None
        result: object = None
        try:
            result = await trio.to_thread.run_sync(fn, *args)
        except OSError as exc:
            err = exc
        finally:
            # The call is over: a destroy that waited for it closes the descriptor now
            # (also when the task is cancelled: the thread has returned by then).
            self._busy = False
            after, self._after_io = self._after_io, None
            if after is not None:
                after()
        done(err, result)

    def _close_fd(self, err: BaseException | None, callback: Callback) -> None:
        if self._busy:
            self._after_io = lambda: self._close_fd(err, callback)
            return
        fd = self.fd
        if fd is None:
            callback(err)
            return
        self.fd = None
        try:
            self._scope.start_soon(self._close_task, fd, err, callback)
        except NodeError:
            # The scope is tearing down and takes no task: close here (close() of a file
            # does not wait on the disk), so no descriptor outlives its scope.
            try:
                os.close(fd)
            except OSError as exc:
                callback(uv_exception(exc, "close") if err is None else err)
                return
            callback(err)

    async def _close_task(self, fd: int, err: BaseException | None, callback: Callback) -> None:
        # Shielded: a cancelled scope still closes what it opened (close() does not block long).
        with trio.CancelScope(shield=True):
            try:
                await trio.to_thread.run_sync(os.close, fd)
            except OSError as exc:
                callback(uv_exception(exc, "close") if err is None else err)
                return
        callback(err)


def _read_batch(fd: int, pos: int | None, size: int, count: int, remaining: float) -> tuple[list[bytes], bool, OSError | None]:
    """Up to ``count`` reads of ``size`` bytes: (chunks, reached the end, error after them)."""
    chunks: list[bytes] = []
    try:
        for _ in range(count):
            n = int(min(size, remaining))
            if n <= 0:
                return chunks, True, None
            data = os.read(fd, n) if pos is None else os.pread(fd, n, pos)
            if not data:
                return chunks, True, None
            chunks.append(data)
            remaining -= len(data)
            if pos is not None:
                pos += len(data)
            if len(data) < n:
                # A short read: the end of a file, or all a pipe or terminal has for now.
                # Reading on would wait for more and hold back what arrived.
                break
    except OSError as exc:
        if not chunks:
            raise
        return chunks, False, exc
    return chunks, False, None


class ReadStream(_FileIO, Readable):
    """A Readable over a file (Node's ``fs.ReadStream``); made by :func:`create_read_stream`.

    Events: ``'open'`` (with the descriptor) and ``'ready'`` once the file is open, then
    those of every Readable; ``'close'`` after the descriptor is closed.
    """

    _event_arity: ClassVar[dict[str, int]] = {**Readable._event_arity, "open": 1, "ready": 0}

    def __init__(
        self,
        path: str | bytes | os.PathLike[str] | None,
        *,
        flags: str | int = "r",
        fd: int | None = None,
        mode: int = 0o666,
        start: int | None = None,
        end: int | float | None = None,
        high_water_mark: int = 64 * 1024,
        encoding: str | None = None,
        auto_close: bool = True,
        emit_close: bool = True,
        scope: Scope | None = None,
    ) -> None:
        if fd is None:
            self.path: str | None = _fspath(path)
            if self.path is None:
                raise err_invalid_arg_type("path", "of type string or an instance of Buffer or URL", path)
            self.flags: str | int = flags
            self._open_flags = _flags(flags)
            self.mode = mode
        else:
            if not isinstance(fd, int) or isinstance(fd, bool) or fd < 0:
                raise err_invalid_arg_type("fd", "of type number", fd)
            self.path = _fspath(path) if path is not None else None
            self.flags = flags
            self.mode = mode
        #: The descriptor; None until 'open' (and after the stream closed it).
        self.fd: int | None = fd
        self.start = start
        #: Where the next read starts; None reads from the descriptor's own position.
        self.pos: int | None = None
        #: Bytes read so far.
        self.bytes_read = 0
        if start is not None:
            self.start = self.pos = _validate_integer(start, "start")
        # Where the next batch starts, and the bytes fetched so far (ahead of pos and
        # bytes_read by the chunks read ahead).
        self._next_pos = self.pos
        self._fetched = 0
        if end is None or end == float("inf"):
            self.end: int | float = float("inf")
        else:
            self.end = _validate_integer(end, "end")
            if start is not None and self.start is not None and self.start > self.end:
                raise err_out_of_range("start", f'<= "end" (here: {self.end})', self.start)
        self._busy = False
        self._after_io = None
        # Chunks read ahead in the last batch, handed out one per _read.
        self._ahead: collections.deque[bytes] = collections.deque()
        self._ahead_end = False
        self._ahead_error: BaseException | None = None
        self._batch = 1
        # A _read is waiting for the batch in flight.
        self._waiting = False
        Readable.__init__(
            self,
            high_water_mark=high_water_mark,
            encoding=encoding,
            emit_close=emit_close,
            auto_destroy=auto_close,
            scope=scope,
        )

    @property
    def pending(self) -> bool:
        """True until the file is open."""
        return self.fd is None

    @property
    def auto_close(self) -> bool:
        """Whether the descriptor is closed after ``'end'`` or an error."""
        return self._readable_state.auto_destroy

    @auto_close.setter
    def auto_close(self, value: bool) -> None:
        self._readable_state.auto_destroy = value

    def _construct(self, callback: Callback) -> None:
        if self.fd is not None:
            callback()
            return
        assert self.path is not None
        path = self.path

        def opened(err: BaseException | None, fd: object) -> None:
            if err is not None:
                assert isinstance(err, OSError)
                callback(uv_exception(err, "open", path))
                return
            assert isinstance(fd, int)
            self.fd = fd
            callback()
            self.emit("open", fd)
            self.emit("ready")

        self._io(_open, (path, self._open_flags, self.mode), opened)

    def _read(self, size: int) -> None:
        if self._ahead:
            # A chunk read ahead still arrives after _read returns, as every read of
            # Node's does (a push inside _read that decodes to nothing would stall the
            # stream: Node's read-more loop gives up when the buffer does not grow).
            self._scope.next_tick(self._hand_out_ahead)
            return
        if self._ahead_error is not None:
            err, self._ahead_error = self._ahead_error, None
            self.destroy(err)
            return
        if self._ahead_end:
            self.push(None)
            return
        self._waiting = True
        if not self._busy:
            self._fetch()

    def _fetch(self) -> None:
        # Read where the last batch stopped (chunks handed out or not).
        pos = self._next_pos
        remaining = self.end - (pos if pos is not None else self._fetched) + 1
        if remaining <= 0:
            self._ahead_end = True
            if self._waiting:
                self._waiting = False
                self.push(None)
            return
        count = self._batch
        fd = self.fd
        assert fd is not None
        size = self._readable_state.high_water_mark
        self._io(_read_batch, (fd, pos, size, count, remaining), self._on_read)

    def _prefetch(self) -> None:
        # Keep the next batch coming while the consumer works through this one (the
        # consumer asked for every chunk handed out, so it has room for more).
        if (
            not self._busy
            and not self._ahead_end
            and self._ahead_error is None
            and not self.destroyed
            and len(self._ahead) < self._batch // 2
        ):
            self._fetch()

    def _hand_out_ahead(self) -> None:
        if self._ahead and not self.destroyed:
            self._hand_out(self._ahead.popleft())
            self._prefetch()

    def _hand_out(self, chunk: bytes) -> None:
        # bytes_read and pos count what was pushed, as Node's (one read per push) do.
        self.bytes_read += len(chunk)
        if self.pos is not None:
            self.pos += len(chunk)
        self.push(chunk)

    def _on_read(self, err: BaseException | None, result: object) -> None:
        if self.destroyed:
            return
        if err is not None:
            assert isinstance(err, OSError)
            self._ahead_error = uv_exception(err, "read")
        else:
            assert isinstance(result, tuple)
            chunks, at_end, late_error = result
            total = 0
            for chunk in chunks:
                total += len(chunk)
            self._fetched += total
            if self._next_pos is not None:
                self._next_pos += total
            if late_error is not None:
                self._ahead_error = uv_exception(late_error, "read")
            self._ahead_end = at_end
            self._ahead.extend(chunks)
        if self._waiting:
            # The consumer waited for this batch: it takes chunks faster than one hop
            # brings them, so read more per hop from now on. A consumer slower than the
            # file (a network peer) never waits, and keeps the read-ahead small.
            self._batch = min(self._batch * 2, _MAX_BATCH)
            self._waiting = False
            if self._ahead:
                self._hand_out(self._ahead.popleft())
                self._prefetch()
            elif self._ahead_error is not None:
                err, self._ahead_error = self._ahead_error, None
                self.destroy(err)
            elif self._ahead_end:
                self.push(None)
            else:
                self._waiting = True
                self._fetch()

    def _destroy(self, err: BaseException | None, callback: Callback) -> None:
        self._ahead.clear()
        self._close_fd(err, callback)

    def close(self, callback: Callback | None = None) -> None:
        """Destroy the stream; ``callback(err=None)`` runs once it is closed."""
        if callback is not None:
            self.once("close", lambda: callback(None))
        self.destroy()



def _write_all(fd: int, chunks: list[bytes], pos: int | None) -> int:
    """Write every byte of ``chunks`` (writev in iovec-sized groups, finishing partial writes)."""
    written = 0
    i = 0
    while i < len(chunks):
        group = chunks[i : i + _IOV_MAX]
        i += len(group)
        size = sum(len(c) for c in group)
        if len(group) == 1:
            view = memoryview(group[0])
            done = 0
            while done < size:
                n = os.write(fd, view[done:]) if pos is None else os.pwrite(fd, view[done:], pos + done)
                done += n
        else:
            n = os.writev(fd, group) if pos is None else os.pwritev(fd, group, pos)
            if n < size:  # a partial writev: the rest, one buffer
                rest = memoryview(b"".join(group))[n:]
                done = 0
                while done < len(rest):
                    at = None if pos is None else pos + n + done
                    done += os.write(fd, rest[done:]) if at is None else os.pwrite(fd, rest[done:], at)
        written += size
        if pos is not None:
            pos += size
    return written


class WriteStream(_FileIO, Writable):
    """A Writable over a file (Node's ``fs.WriteStream``); made by :func:`create_write_stream`.

    Events: ``'open'`` (with the descriptor) and ``'ready'`` once the file is open, then
    those of every Writable; ``'close'`` after the descriptor is closed.
    """

    _event_arity: ClassVar[dict[str, int]] = {**Writable._event_arity, "open": 1, "ready": 0}

    def __init__(
        self,
        path: str | bytes | os.PathLike[str] | None,
        *,
        flags: str | int = "w",
        fd: int | None = None,
        mode: int = 0o666,
        start: int | None = None,
        high_water_mark: int = WRITE_HIGH_WATER_MARK,
        encoding: str | None = None,
        auto_close: bool = True,
        emit_close: bool = True,
        scope: Scope | None = None,
    ) -> None:
        if fd is None:
            self.path: str | None = _fspath(path)
            if self.path is None:
                raise err_invalid_arg_type("path", "of type string or an instance of Buffer or URL", path)
            self._open_flags = _flags(flags)
        else:
            if not isinstance(fd, int) or isinstance(fd, bool) or fd < 0:
                raise err_invalid_arg_type("fd", "of type number", fd)
            self.path = _fspath(path) if path is not None else None
        self.flags: str | int = flags
        self.mode = mode
        #: The descriptor; None until 'open' (and after the stream closed it).
        self.fd: int | None = fd
        self.start = start
        #: Where the next write goes; None writes at the descriptor's own position.
        self.pos: int | None = None
        #: Bytes written so far.
        self.bytes_written = 0
        if start is not None:
            self.start = self.pos = _validate_integer(start, "start")
        self._busy = False
        self._after_io = None
        Writable.__init__(
            self,
            high_water_mark=high_water_mark,
            decode_strings=True,
            emit_close=emit_close,
            auto_destroy=auto_close,
            scope=scope,
        )
        if encoding:
            self.set_default_encoding(encoding)

    @property
    def pending(self) -> bool:
        """True until the file is open."""
        return self.fd is None

    @property
    def auto_close(self) -> bool:
        """Whether the descriptor is closed after ``'finish'`` or an error."""
        return self._writable_state.auto_destroy

    @auto_close.setter
    def auto_close(self, value: bool) -> None:
        self._writable_state.auto_destroy = value

    _construct = ReadStream._construct

    def write(self, chunk: Chunk, encoding: str | Callback | None = None, callback: Callback | None = None) -> bool:
        """Write ``chunk``; see :meth:`trio_nodestreams.Writable.write`.

        The first write of a burst corks the stream until the deferred calls queued
        meanwhile have run (Node's ``setImmediate``), so that every chunk written in the
        same burst (a pipe's flow after ``'drain'``, one chunk per tick) reaches the file
        with one ``writev`` instead of one hop each; ``writable_corked`` shows it meanwhile.
        """
        state = self._writable_state
        if not state.corked and not state.writing and not state.ending and not state.destroyed and not state.buffered:
            state.corked += 1
            self._scope.set_immediate(self.uncork)
        return Writable.write(self, chunk, encoding, callback)

    def _write(self, chunk: Chunk, encoding: str | None, callback: Callback) -> None:
        assert isinstance(chunk, bytes)
        self._write_chunks([chunk], len(chunk), callback)

    def _writev(self, chunks: list[tuple[Chunk, str | None]], callback: Callback) -> None:
        data: list[bytes] = [c for c, _ in chunks if isinstance(c, bytes)]
        size = 0
        for c in data:
            size += len(c)
        self._write_chunks(data, size, callback)

    def _write_chunks(self, data: list[bytes], size: int, callback: Callback) -> None:
        fd = self.fd
        assert fd is not None
        pos = self.pos
        if pos is not None:
            self.pos = pos + size

        def written(err: BaseException | None, result: object) -> None:
            if err is not None:
                assert isinstance(err, OSError)
                callback(uv_exception(err, "write"))
                return
            assert isinstance(result, int)
            self.bytes_written += result
            callback()

        self._io(_write_all, (fd, data, pos), written)

    def _destroy(self, err: BaseException | None, callback: Callback) -> None:
        self._close_fd(err, callback)

    def close(self, callback: Callback | None = None) -> None:
        """End the stream and close the file; ``callback(err=None)`` runs once it is closed."""
        if callback is not None:
            if self.closed:
                self._scope.next_tick(callback, None)
                return
            self.once("close", lambda: callback(None))
        if not self._writable_state.ending:
            self.end()
        else:
            self.destroy()



def create_read_stream(
    path: str | bytes | os.PathLike[str] | None,
    *,
    flags: str | int = "r",
    fd: int | None = None,
    mode: int = 0o666,
    start: int | None = None,
    end: int | float | None = None,
    high_water_mark: int = 64 * 1024,
    encoding: str | None = None,
    auto_close: bool = True,
    emit_close: bool = True,
    scope: Scope | None = None,
) -> ReadStream:
    """Open ``path`` for reading as a Readable (Node's ``fs.createReadStream``).

    The file is opened in a worker thread after this returns (``'open'``, ``'ready'``);
    an error (``ENOENT``, ``EACCES``, ``EMFILE``, ``EISDIR`` on the first read of a
    directory) arrives as ``'error'`` with Node's ``code``, ``errno``, ``syscall`` and ``path``.

    Args:
      path: the file; ignored when ``fd`` is given.
      flags: Node's open flags (``'r'``, ``'r+'`` ...) or an ``os.O_*`` integer.
      fd: an open descriptor to read instead of opening ``path`` (no ``'open'`` event).
      mode: permission bits if the file is created.
      start, end: the byte range to read, both inclusive, as Node's.
      high_water_mark: the size of each read and of the buffer.
      encoding: decode to ``str``.
      auto_close: close the descriptor after ``'end'`` or an error.
      emit_close: emit ``'close'`` once closed.
      scope: the scope to run in; default the current one.

    Returns:
      The :class:`ReadStream`.

    Raises:
      NodeRangeError: ``ERR_OUT_OF_RANGE`` for a negative ``start``/``end`` or ``start > end``.
      NodeTypeError: ``ERR_INVALID_ARG_TYPE`` for a bad ``path``, ``flags``, ``start`` or ``end``.

    Cancelling the scope destroys the stream; its descriptor is closed once a read in
    progress returns.
    """
    return ReadStream(
        path,
        flags=flags,
        fd=fd,
        mode=mode,
        start=start,
        end=end,
        high_water_mark=high_water_mark,
        encoding=encoding,
        auto_close=auto_close,
        emit_close=emit_close,
        scope=scope,
    )


def create_write_stream(
    path: str | bytes | os.PathLike[str] | None,
    *,
    flags: str | int = "w",
    fd: int | None = None,
    mode: int = 0o666,
    start: int | None = None,
    high_water_mark: int = WRITE_HIGH_WATER_MARK,
    encoding: str | None = None,
    auto_close: bool = True,
    emit_close: bool = True,
    scope: Scope | None = None,
) -> WriteStream:
    """Open ``path`` for writing as a Writable (Node's ``fs.createWriteStream``).

    Chunks written while a write is in flight go out together with one ``writev``.

    Args:
      path: the file; ignored when ``fd`` is given.
      flags: Node's open flags (``'w'``, ``'a'``, ``'r+'`` ...) or an ``os.O_*`` integer.
      fd: an open descriptor to write instead of opening ``path`` (no ``'open'`` event).
      mode: permission bits if the file is created.
      start: the offset of the first byte written (with ``'r+'`` to keep the rest).
      high_water_mark: bytes buffered before ``write()`` returns False (1 MiB; Node's
        default is 16 KiB, see docs/node-compat.md).
      encoding: the default encoding of ``str`` chunks.
      auto_close: close the descriptor after ``'finish'`` or an error.
      emit_close: emit ``'close'`` once closed.
      scope: the scope to run in; default the current one.

    Returns:
      The :class:`WriteStream`.

    Raises:
      NodeRangeError: ``ERR_OUT_OF_RANGE`` for a negative ``start``.
      NodeTypeError: ``ERR_INVALID_ARG_TYPE`` for a bad ``path``, ``flags`` or ``start``.

    Cancelling the scope destroys the stream; its descriptor is closed once a write in
    progress returns (that write may have written part of its data).
    """
    return WriteStream(
        path,
        flags=flags,
        fd=fd,
        mode=mode,
        start=start,
        high_water_mark=high_water_mark,
        encoding=encoding,
        auto_close=auto_close,
        emit_close=emit_close,
        scope=scope,
    )
