"""Readable (node: lib/internal/streams/readable.js).

The state machine runs synchronously, as Node's does; deferred steps go
through the scope's ``next_tick`` queue. Trio idioms (``async for``,
``receive_some``, ``aclose``) are layered on top of Node's ``'readable'`` /
``read()`` protocol and never replace it.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Sized
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

import trio

from . import _destroy, _iterops, _pipe, _resource
from ._async_impl import bind_impl, callback_adapter, destroy_adapter, run_async
from ._buffer_list import BufferList
from ._encoding import StringDecoder, check_encoding, decode, encode, text_length
from ._errors import (
    AbortError,
    at_call_site,
    err_invalid_arg_type,
    err_method_not_implemented,
    err_scope_closed,
    err_stream_push_after_eof,
    err_stream_unshift_after_end_event,
)
from ._events import EventEmitter, Listener
from ._feeder import Emit, Feeder
from ._finished import eos
from ._from import from_iterable
from ._scope import Scope, current_scope
from ._state import (
    Callback,
    Chunk,
    Destination,
    ReadableState,
    get_default_high_water_mark,
    grown_high_water_mark,
    high_water_mark,
)

if TYPE_CHECKING:
    from ._resource import TrioUse
    from ._state import WritableState

__all__ = ["Readable", "ReadableIterator", "ReadableState", "get_default_high_water_mark"]

D = TypeVar("D", bound=Destination)


def new_readable_state(
    *,
    object_mode: bool,
    high_water_mark_option: int | None,
    encoding: str | None,
    emit_close: bool,
    auto_destroy: bool,
    default_encoding: str = "utf8",
) -> ReadableState:
    """A ReadableState from the constructor options, validated."""
    if encoding is not None:
        encoding = check_encoding(encoding)
    state = ReadableState(
        object_mode,
        high_water_mark(high_water_mark_option, "highWaterMark", object_mode),
        emit_close,
        auto_destroy,
        check_encoding(default_encoding),
    )
    if encoding:
        state.set_decoder(encoding)
    return state


class Readable(EventEmitter, trio.abc.ReceiveStream):
    """A source of data, with Node's flowing and paused modes; a ``trio.abc.ReceiveStream``.

    Args:
      high_water_mark: bytes (or objects) to buffer before ``push`` returns False.
      encoding: decode chunks to ``str`` with this encoding.
      object_mode: carry any object but ``None`` instead of bytes.
      emit_close: emit ``'close'`` after destroy.
      auto_destroy: destroy after ``'end'`` (and on error).
      read: ``fn(stream, size)`` implementing ``_read``; may be ``async def fn(stream, size)``.
      destroy: ``fn(stream, err, callback)`` implementing ``_destroy``.
      construct: ``fn(stream, callback)`` implementing ``_construct``.
      scope: the scope to run in; default the current one.

    Implementations given as options, or as methods of a subclass, are bound
    when the stream is made; assigning ``stream._read`` afterwards has no effect.
    """

    _readable_state: ReadableState
    _writable_state: WritableState | None = None
    _scope: Scope
    _event_arity: ClassVar[dict[str, int]] = {
        **EventEmitter._event_arity,
        "data": 1,
        "end": 0,
        "close": 0,
        "error": 1,
        "pause": 0,
        "resume": 0,
        "readable": 0,
    }
    _async_scopes: set[trio.CancelScope] | None
    _trio: TrioUse | None
    _impl_read: Callable[[int], object]
    _impl_destroy: Callable[[BaseException | None, Callback], object]
    _impl_construct: Callable[[Callback], object] | None

    def __init__(
        self,
        *,
        high_water_mark: int | None = None,
        encoding: str | None = None,
        object_mode: bool = False,
        emit_close: bool = True,
        auto_destroy: bool = True,
        read: Callable[..., object] | None = None,
        destroy: Callable[..., object] | None = None,
        construct: Callable[..., object] | None = None,
        scope: Scope | None = None,
    ) -> None:
        EventEmitter.__init__(self)
        self._scope = scope if scope is not None else current_scope()
        self._async_scopes = None
        self._trio = None
        self._readable_state = new_readable_state(
            object_mode=object_mode,
            high_water_mark_option=high_water_mark,
            encoding=encoding,
            emit_close=emit_close,
            auto_destroy=auto_destroy,
        )
        self._bind_readable(read, destroy, construct)
        self._scope.register(self)
        _destroy.construct(self, self._after_construct_readable)

    # -- construction helpers (shared with Duplex) ----------------------------

    def _bind_readable(
        self,
        read: Callable[..., object] | None,
        destroy: Callable[..., object] | None,
        construct: Callable[..., object] | None,
    ) -> None:
        impl = bind_impl(self, read, "_read", _read_adapter)
        assert impl is not None
        self._impl_read = impl
        self._bind_common(destroy, construct)

    def _bind_common(self, destroy: Callable[..., object] | None, construct: Callable[..., object] | None) -> None:
        impl = bind_impl(self, destroy, "_destroy", destroy_adapter)
        assert impl is not None
        self._impl_destroy = impl
        self._impl_construct = bind_impl(self, construct, "_construct", callback_adapter)

    def _scope_exited(self) -> None:
        """The scope's block exited (the scope calls this): from now on using the stream
        raises ``ERR_SCOPE_CLOSED``."""
        for state in (self._readable_state, self._writable_state):
            if state is not None:
                state.scope_closed = True

    def _after_construct_readable(self) -> None:
        state = self._readable_state
        if state.need_readable:
            _maybe_read_more(self, state)

    # -- implementation hooks ---------------------------------------------------

    def _read(self, size: int) -> object:
        """Produce data with :meth:`push`; override, or pass ``read=``."""
        raise err_method_not_implemented("_read()")

    def _destroy(self, err: BaseException | None, callback: Callback) -> object:
        """Release resources, then ``callback(err)``; override, or pass ``destroy=``."""
        callback(err)
        return None

    #: ``_construct(callback)``: prepare the stream before any read or write; a subclass
    #: may define it (or pass ``construct=``).
    _construct: Callable[[Callback], object] | None = None

    # -- pushing ------------------------------------------------------------------

    def push(self, chunk: Chunk, encoding: str | None = None) -> bool:
        """Add ``chunk`` to the buffer (``None`` ends the stream).

        Returns:
          False once the buffer holds ``high_water_mark`` or more, or after the end.
        """
        state = self._readable_state
        if (
            (chunk is not None if state.object_mode else (type(chunk) is bytes and chunk))
            and state.decoder is None
            and not state.ended
            and not state.destroyed
            and state.errored is None
            and not state.scope_closed
        ):
            # Short path: what _add_chunk and _push_chunk do with a non-empty bytes chunk (or
            # any object in object mode); it runs once per chunk per stage.
            state.reading = False
            if state.flowing and not state.length and not state.sync:
                handlers = self._events.get("data")
                if handlers is not None:
                    # Flowing with nothing buffered: straight to 'data'.
                    writers = state.await_drain_writers
                    if writers is not None:
                        if type(writers) is set:  # several pipes wait (multi_await_drain)
                            writers.clear()
                        else:
                            state.await_drain_writers = None
                    state.data_emitted = True
                    if len(handlers) == 1 and self._plain_emit:
                        listener = handlers[0]
                        if listener is state.pipe_ondata:  # pipe()'s listener: its steps inline
                            if state.pipe_write(chunk) is False:
                                state.pipe_pause()
                        else:
                            listener(chunk)
                    else:
                        self.emit("data", chunk)
                    if not state.reading_more and state.constructed:  # _maybe_read_more
                        state.reading_more = True
                        self._scope.next_tick(_maybe_read_more_nt, self, state)
                    return not state.ended and (state.length < state.high_water_mark or not state.length)
            state.length += 1 if state.object_mode else len(chunk)
            state.buffer.append(chunk)
            if state.need_readable:
                _emit_readable(self)
            if not state.reading_more and state.constructed:  # _maybe_read_more
                state.reading_more = True
                self._scope.next_tick(_maybe_read_more_nt, self, state)
            return not state.ended and (state.length < state.high_water_mark or not state.length)
        return _add_chunk(self, chunk, encoding, False)

    def unshift(self, chunk: object, encoding: str | None = None) -> bool:
        """Put ``chunk`` back at the front of the buffer."""
        return _add_chunk(self, chunk, encoding, True)

    # -- reading ------------------------------------------------------------------

    def read(self, size: int | None = None) -> Chunk:
        """Take data from the buffer (Node's exact rules).

        Args:
          size: how much; None takes everything buffered (in flowing mode, one chunk).

        Returns:
          The data, or None when not enough is buffered yet.
        """
        state = self._readable_state
        if size is None and state.flowing and state.decoder is None and state.length and not state.scope_closed:
            # Short path for _flow's per-chunk read(): in flowing mode Node's howMuchToRead(NaN)
            # is one object, or the first chunk's length (> 0); the size, n == 0 and "ended"
            # checks of the general path cannot apply. It runs once per chunk.
            n_orig = -1
            state.emitted_readable = False
            buf = state.buffer
            n = 1 if state.object_mode else len(buf[0]) - buf.offset
            if (
                (state.need_readable or state.length - n < state.high_water_mark)
                and not state.ended
                and not state.reading
                and not state.destroyed
                and state.errored is None
                and state.constructed
            ):
                # Below the high-water mark once this chunk is taken: ask _read for more first.
                state.reading = True
                state.sync = True
                try:
                    self._impl_read(state.high_water_mark)
                except Exception as exc:
                    _destroy.error_or_destroy(self, exc)
                state.sync = False
                if not state.reading:
                    if state.flowing and state.length and state.decoder is None:
                        n = 1 if state.object_mode else len(buf[0]) - buf.offset
                    else:
                        n = _how_much(-1, state)
            if (
                state.flowing
                and state.decoder is None
                and state.length
                and n == (1 if state.object_mode else len(buf[0]) - buf.offset)
            ):
                # Take the head chunk whole (Node's fromList for n == its length, inline).
                ret = buf.popleft() if not buf.offset else buf.shift()
                state.length -= n
                writers = state.await_drain_writers
                if writers is not None:
                    if type(writers) is set:  # several pipes wait (multi_await_drain)
                        writers.clear()
                    else:
                        state.await_drain_writers = None
                if not state.length:
                    if state.ended:
                        _end_readable(self)
                    else:
                        state.need_readable = True
                if not state.error_emitted and not state.close_emitted:
                    state.data_emitted = True
                    handlers = self._events.get("data")
                    if handlers is not None and len(handlers) == 1 and self._plain_emit:
                        listener = handlers[0]
                        if listener is state.pipe_ondata:  # pipe()'s listener: its steps inline
                            if state.pipe_write(ret) is False:
                                state.pipe_pause()
                        else:
                            listener(ret)
                    else:
                        self.emit("data", ret)
                return ret
            return _read_from(self, state, n, n_orig)
        return _read_general(self, state, size)

    # -- modes --------------------------------------------------------------------

    def on(self, event: str, listener: Listener) -> Readable:
        """Add a listener; ``'data'`` starts flowing mode, ``'readable'`` selects paused mode."""
        EventEmitter.on(self, event, listener)
        if event == "data":
            self._on_data_listener()
        elif event == "readable":
            self._on_readable_listener()
        return self

    def _on_data_listener(self) -> None:
        state = self._readable_state
        state.readable_listening = "readable" in self._events
        if state.flowing is not False:
            self.resume()

    def _on_readable_listener(self) -> None:
        state = self._readable_state
        if not state.end_emitted and not state.readable_listening:
            state.readable_listening = state.need_readable = True
            state.flowing = False
            state.emitted_readable = False
            if state.length:
                _emit_readable(self)
            elif not state.reading:
                self._scope.next_tick(self.read, 0)

    def once(self, event: str, listener: Listener) -> Readable:
        """Add a run-once listener, with the same mode rules as :meth:`on`."""
        EventEmitter.once(self, event, listener)
        if event == "data":
            self._on_data_listener()
        elif event == "readable":
            self._on_readable_listener()
        return self

    def prepend_listener(self, event: str, listener: Listener) -> Readable:
        """Add a listener in front, with the same mode rules as :meth:`on`."""
        EventEmitter.prepend_listener(self, event, listener)
        if event == "data":
            self._on_data_listener()
        elif event == "readable":
            self._on_readable_listener()
        return self

    def prepend_once_listener(self, event: str, listener: Listener) -> Readable:
        """Add a run-once listener in front, with the same mode rules as :meth:`on`."""
        EventEmitter.prepend_once_listener(self, event, listener)
        if event == "data":
            self._on_data_listener()
        elif event == "readable":
            self._on_readable_listener()
        return self

    def remove_listener(self, event: str, listener: Listener) -> Readable:
        """Remove a listener; losing the last ``'readable'`` one may resume flowing."""
        EventEmitter.remove_listener(self, event, listener)
        if event == "readable":
            self._scope.next_tick(_update_readable_listening, self)
        return self

    def remove_all_listeners(self, event: str | None = None) -> Readable:
        """Remove listeners, with the same mode rules as :meth:`remove_listener`."""
        EventEmitter.remove_all_listeners(self, event)
        if event is None or event == "readable":
            self._scope.next_tick(_update_readable_listening, self)
        return self

    def resume(self) -> Readable:
        """Switch to flowing mode: ``'data'`` events carry the chunks."""
        state = self._readable_state
        if state.scope_closed:
            raise err_scope_closed()
        if not state.flowing:
            state.flowing = not state.readable_listening
            if not state.resume_scheduled:
                state.resume_scheduled = True
                self._scope.next_tick(_resume, self, state)
        state.paused = False
        return self

    def pause(self) -> Readable:
        """Stop flowing mode; data stays in the buffer."""
        state = self._readable_state
        if state.flowing is not False:
            state.flowing = False
            self.emit("pause")
        state.paused = True
        return self

    def is_paused(self) -> bool:
        """Whether :meth:`pause` was called (or flowing is explicitly off)."""
        state = self._readable_state
        return state.paused is True or state.flowing is False

    def set_encoding(self, encoding: str | None) -> Readable:
        """Decode the data to ``str`` from now on, including what is already buffered."""
        state = self._readable_state
        decoder = StringDecoder(encoding or "utf8")
        state.decoder = decoder
        state.encoding = decoder.encoding
        content = "".join(decoder.write(c) if isinstance(c, bytes) else c for c in state.buffer)
        state.buffer.clear()
        if content:
            state.buffer.push(content)
        state.length = _len(content)
        return self

    # -- piping -------------------------------------------------------------------

    def pipe(self, dest: D, end: bool = True) -> D:
        """Write everything read from here into ``dest``, respecting its back-pressure.

        Returns:
          ``dest``, so pipes can be chained.
        """
        if self._readable_state.scope_closed:
            raise err_scope_closed()
        _pipe.pipe(self, dest, end)
        return dest

    def unpipe(self, dest: Destination | None = None) -> Readable:
        """Stop piping into ``dest`` (or into every destination)."""
        state = self._readable_state
        if not state.pipes:
            return self
        if dest is None:
            dests = state.pipes
            state.pipes = []
            self.pause()
            for d in dests:
                d.emit("unpipe", self, {"has_unpiped": False})
            return self
        try:
            index = state.pipes.index(dest)
        except ValueError:
            return self
        del state.pipes[index]
        if not state.pipes:
            self.pause()
        dest.emit("unpipe", self, {"has_unpiped": False})
        return self

    # -- destroying ---------------------------------------------------------------

    def destroy(self, err: BaseException | None = None, callback: Callable[..., object] | None = None) -> Readable:
        """Destroy the stream: ``'error'`` (if ``err``) then ``'close'`` follow on the next tick."""
        _destroy.destroy(self, err, callback)
        return self

    # -- properties ---------------------------------------------------------------

    @property
    def readable(self) -> bool:
        """True while it is safe to call :meth:`read`."""
        r = self._readable_state
        return r.readable and not r.destroyed and not r.error_emitted and not r.end_emitted

    @readable.setter
    def readable(self, value: bool) -> None:
        self._readable_state.readable = bool(value)

    @property
    def readable_ended(self) -> bool:
        """Whether ``'end'`` was emitted."""
        return self._readable_state.end_emitted

    @property
    def readable_length(self) -> int:
        """Bytes (or objects, or characters once decoding) in the buffer."""
        return self._readable_state.length

    @property
    def readable_high_water_mark(self) -> int:
        """The high-water mark."""
        return self._readable_state.high_water_mark

    @property
    def readable_encoding(self) -> str | None:
        """The decoding set with ``encoding=`` or :meth:`set_encoding`."""
        return self._readable_state.encoding

    @property
    def readable_object_mode(self) -> bool:
        """Whether this is an object-mode stream."""
        return self._readable_state.object_mode

    @property
    def readable_flowing(self) -> bool | None:
        """None (no consumer yet), True (flowing) or False (paused)."""
        return self._readable_state.flowing

    @property
    def readable_aborted(self) -> bool:
        """Whether it was destroyed or errored before ``'end'``."""
        r = self._readable_state
        return r.readable and (r.destroyed or r.errored is not None) and not r.end_emitted

    @property
    def readable_did_read(self) -> bool:
        """Whether ``'data'`` was ever emitted."""
        return self._readable_state.data_emitted

    @property
    def readable_buffer(self) -> BufferList:
        """The buffered chunks."""
        return self._readable_state.buffer

    @property
    def destroyed(self) -> bool:
        """Whether :meth:`destroy` was called."""
        return self._readable_state.destroyed

    @property
    def closed(self) -> bool:
        """Whether destroying finished (``'close'`` is emitted or due)."""
        return self._readable_state.closed

    @property
    def errored(self) -> BaseException | None:
        """The error the stream was destroyed or failed with, if any."""
        return self._readable_state.errored

    # -- Trio idioms --------------------------------------------------------------

    # Node's async iterator, not ReceiveStream's (which would be the stream itself): leaving
    # the loop early must destroy the stream, and object-mode chunks are not bytes.
    def __aiter__(self) -> ReadableIterator:  # type: ignore[override]
        """``async for chunk in readable``; leaving the loop early destroys the stream."""
        return ReadableIterator(self)

    def iterator(self, *, destroy_on_return: bool = True) -> ReadableIterator:
        """An async iterator over the chunks (Node's ``readable.iterator()``)."""
        return ReadableIterator(self, destroy_on_return)

    async def receive_some(self, max_bytes: int | None = None) -> Chunk:
        """Trio's ``ReceiveStream.receive_some``: wait for data; ``b""`` at the end.

        Raises:
          trio.ClosedResourceError: the stream was destroyed before it ended.
          trio.BrokenResourceError: the stream failed (the error is its ``__cause__``).
          trio.BusyResourceError: another task is already receiving.

        Cancellation:
          Nothing is lost: data stays buffered for the next call.
        """
        return await _resource.receive_some(self, max_bytes)

    async def __aenter__(self) -> Readable:
        """``async with stream:`` closes it on exit, like any Trio resource."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Destroy the stream (Trio's ``AsyncResource.aclose``); later calls raise ``ClosedResourceError``."""
        await _resource.close_readable(self)

    # -- composition (trio_nodestreams._from, _iterops) -----------------------------

    @classmethod
    def from_iterable(
        cls,
        iterable: object,
        *,
        object_mode: bool = True,
        high_water_mark: int | None = None,
        encoding: str | None = None,
        scope: Scope | None = None,
    ) -> Readable:
        """A Readable yielding what ``iterable`` (sync or async) yields (Node's ``Readable.from``).

        A ``str`` or ``bytes`` argument is one chunk. The iterator is advanced only
        while the buffer is below ``high_water_mark`` (default 1), and closed
        (``close``/``aclose``) when the stream is destroyed early. An exception
        from the iterator destroys the stream with it.
        """
        return from_iterable(
            cls,
            iterable,
            object_mode=object_mode,
            high_water_mark=high_water_mark,
            encoding=encoding,
            scope=scope,
        )

    def _operate(self, body: _iterops.Body) -> Readable:
        """An object-mode Readable fed by ``body(iterator over self, emit)`` (Node's stream.js
        wraps each stream-returning operator the same way)."""

        async def produce(emit: Emit) -> None:
            it = self.iterator()
            try:
                try:
                    await body(it, emit)
                except _iterops.Stop:
                    pass
            finally:
                await _iterops.aclose_all([it])

        feeder = Feeder(produce)
        return Readable(
            object_mode=True, high_water_mark=1, scope=self._scope, read=feeder.read, destroy=feeder.destroy
        )

    def map(self, fn: Callable[[Chunk], object], concurrency: int = 1) -> Readable:
        """A stream of ``fn(chunk)`` (sync or async), up to ``concurrency`` calls at once, in order."""
        return self._operate(_iterops.map_(fn, concurrency))

    def filter(self, fn: Callable[[Chunk], object], concurrency: int = 1) -> Readable:
        """A stream of the chunks for which ``fn(chunk)`` is truthy."""
        return self._operate(_iterops.filter_(fn, concurrency))

    def flat_map(self, fn: Callable[[Chunk], object], concurrency: int = 1) -> Readable:
        """A stream of every item of the iterables or streams ``fn(chunk)`` returns."""
        return self._operate(_iterops.flat_map(fn, concurrency))

    def take(self, n: int) -> Readable:
        """A stream of the first ``n`` chunks; the source is destroyed after them."""
        return self._operate(_iterops.take(n))

    def drop(self, n: int) -> Readable:
        """A stream of the chunks after the first ``n``."""
        return self._operate(_iterops.drop(n))

    async def for_each(self, fn: Callable[[Chunk], object], concurrency: int = 1) -> None:
        """Call ``fn(chunk)`` for every chunk; return when the stream ended."""
        await _iterops.for_each(self, fn, concurrency)

    async def to_array(self) -> list[Chunk]:
        """Every chunk, in a list."""
        return await _iterops.to_array(self)

    async def reduce(self, fn: Callable[[Chunk, Chunk], object], *initial: object) -> Chunk:
        """Fold the chunks with ``fn(acc, chunk)``, from ``initial`` or the first chunk."""
        return await _iterops.reduce(self, fn, *initial[:1])

    async def some(self, fn: Callable[[Chunk], object], concurrency: int = 1) -> bool:
        """Whether ``fn(chunk)`` is truthy for some chunk (stops at the first)."""
        return await _iterops.some(self, fn, concurrency)

    async def every(self, fn: Callable[[Chunk], object], concurrency: int = 1) -> bool:
        """Whether ``fn(chunk)`` is truthy for every chunk."""
        return await _iterops.every(self, fn, concurrency)

    async def find(self, fn: Callable[[Chunk], object], concurrency: int = 1) -> Chunk:
        """The first chunk for which ``fn(chunk)`` is truthy, or None."""
        return await _iterops.find(self, fn, concurrency)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__} object at {id(self):#x}>"


# -- the state machine ---------------------------------------------------------


def _add_chunk(stream: Readable, chunk: Chunk, encoding: str | None, add_to_front: bool) -> bool:
    state = stream._readable_state
    if state.scope_closed:
        raise err_scope_closed()
    err: BaseException | None = None
    chunk_enc = encoding
    if not state.object_mode:
        if isinstance(chunk, str):
            enc = check_encoding(encoding) if encoding else state.default_encoding
            if state.encoding != enc:
                if add_to_front and state.encoding:
                    chunk = _reencode(chunk, enc, state.encoding)
                    chunk_enc = state.encoding
                else:
                    chunk = encode(chunk, enc)
                    chunk_enc = ""
            else:
                chunk_enc = enc
        elif isinstance(chunk, bytes):
            chunk_enc = ""
            if add_to_front and state.decoder is not None:
                # Node keeps the Buffer and its string join reads it as UTF-8.
                chunk = chunk.decode("utf-8", "replace")
                chunk_enc = state.encoding or "utf8"
        elif isinstance(chunk, bytearray | memoryview):
            chunk = bytes(chunk)
            chunk_enc = ""
        elif chunk is not None:
            err = at_call_site(
                err_invalid_arg_type("chunk", "of type string or an instance of Buffer or Uint8Array", chunk)
            )
    if err is not None:
        _destroy.error_or_destroy(stream, err)
        return False
    if chunk is None:
        state.reading = False
        _on_eof_chunk(stream, state)
    elif state.object_mode or len(chunk) > 0:
        if add_to_front:
            if state.end_emitted:
                _destroy.error_or_destroy(stream, at_call_site(err_stream_unshift_after_end_event()))
            elif state.destroyed or state.errored is not None:
                return False
            else:
                _push_chunk(stream, state, chunk, True)
        elif state.ended:
            _destroy.error_or_destroy(stream, at_call_site(err_stream_push_after_eof()))
        elif state.destroyed or state.errored is not None:
            return False
        else:
            state.reading = False
            if state.decoder is not None and not chunk_enc:
                chunk = state.decoder.write(chunk)
                if state.object_mode or len(chunk) != 0:
                    _push_chunk(stream, state, chunk, False)
                else:
                    _maybe_read_more(stream, state)
            else:
                _push_chunk(stream, state, chunk, False)
    elif not add_to_front:
        state.reading = False
        _maybe_read_more(stream, state)
    return not state.ended and (state.length < state.high_water_mark or state.length == 0)


def _read_general(stream: Readable, state: ReadableState, size: int | None) -> Chunk:
    """``read(size)``, every case (the short path of :meth:`Readable.read` is one of them)."""
    if state.scope_closed:
        raise err_scope_closed()
    # -1 stands for Node's NaN ("whatever there is"); any other negative reads nothing.
    if size is None:
        n = -1
    elif isinstance(size, bool) or not isinstance(size, int):
        try:
            n = int(size)
        except (TypeError, ValueError):
            n = -1
        else:
            n = -2 if n < 0 else n
    else:
        n = -2 if size < 0 else size
    n_orig = n
    # Asking for more than the high-water mark raises it (to the next power of two), or
    # the buffer could never hold what was asked for.
    if n > state.high_water_mark:
        state.high_water_mark = grown_high_water_mark(n)
    if n != 0:
        state.emitted_readable = False
    # read(0) only triggers a refill, or the 'readable' / 'end' that is already owed.
    if (
        n == 0
        and state.need_readable
        and (
            (state.length >= state.high_water_mark if state.high_water_mark != 0 else state.length > 0)
            or state.ended
        )
    ):
        if state.length == 0 and state.ended:
            _end_readable(stream)
        else:
            _emit_readable(stream)
        return None
    n = _how_much(n, state)
    # The end was pushed and the buffer cannot satisfy the read: 'end' is due once it is empty.
    if n == 0 and state.ended:
        if state.length == 0:
            _end_readable(stream)
        return None
    length = state.length
    # Read ahead (call _read) while what stays buffered after this read is below the
    # high-water mark, or when a 'readable' is owed; never after the end, during another
    # _read, once destroyed or errored, or before _construct is done.
    do_read = state.need_readable or length == 0 or length - n < state.high_water_mark
    if state.ended or state.reading or state.destroyed or state.errored is not None or not state.constructed:
        do_read = False
    elif do_read:
        state.reading = True
        state.sync = True
        if state.length == 0:
            state.need_readable = True
        try:
            stream._impl_read(state.high_water_mark)
        except Exception as exc:
            _destroy.error_or_destroy(stream, exc)
        state.sync = False
        # A synchronous push() answered: measure again what is there.
        if not state.reading:
            n = _how_much(n_orig, state)
    return _read_from(stream, state, n, n_orig)


def _read_from(stream: Readable, state: ReadableState, n: int, n_orig: int) -> Chunk:
    """The end of ``read()``: take ``n`` (Node's fromList), account for it, emit ``'data'``."""
    length = state.length
    if n > 0 and length:
        # Node's fromList, inline.
        buf = state.buffer
        if state.object_mode:
            ret = buf.shift()
        elif n >= length:
            ret = buf.join_all()
        elif state.decoder is not None:
            ret = buf.consume_text(n)
        else:
            ret = buf.consume(n)
    else:
        ret = None
    if ret is None:
        state.need_readable = state.length <= state.high_water_mark
        n = 0
    else:
        if not state.object_mode and state.decoder is not None:
            n = _len(ret)
        state.length -= n
        writers = state.await_drain_writers
        if writers is not None:
            if type(writers) is set:  # several pipes wait (multi_await_drain)
                writers.clear()
            else:
                state.await_drain_writers = None
    if state.length == 0:
        if not state.ended:
            state.need_readable = True
        if n_orig != n and state.ended:
            _end_readable(stream)
    if ret is not None and not state.error_emitted and not state.close_emitted:
        state.data_emitted = True
        stream.emit("data", ret)
    return ret


def _reencode(text: str, from_enc: str, to_enc: str) -> str:
    return decode(encode(text, from_enc), to_enc)


def _push_chunk(stream: Readable, state: ReadableState, chunk: Chunk, add_to_front: bool) -> None:
    if state.flowing and state.length == 0 and not state.sync and "data" in stream._events:
        writers = state.await_drain_writers
        if writers is not None:
            if type(writers) is set:  # several pipes wait (multi_await_drain)
                writers.clear()
            else:
                state.await_drain_writers = None
        state.data_emitted = True
        stream.emit("data", chunk)
    else:
        state.length += 1 if state.object_mode else _len(chunk)
        if add_to_front:
            state.buffer.unshift(chunk)
        else:
            state.buffer.append(chunk)
        if state.need_readable:
            _emit_readable(stream)
    if not state.reading_more and state.constructed:  # _maybe_read_more, inline
        state.reading_more = True
        stream._scope.next_tick(_maybe_read_more_nt, stream, state)


def _len(chunk: Sized) -> int:
    # Node measures text in UTF-16 code units; astral characters count twice.
    if type(chunk) is str and not chunk.isascii():
        return text_length(chunk)
    return len(chunk)


def _how_much(n: int, state: ReadableState) -> int:
    """Node's howMuchToRead: how much ``read(n)`` may take now (-1 is Node's NaN)."""
    if n == 0 or (n < -1) or (state.length == 0 and state.ended):
        return 0
    # Object mode hands out one object per read(), whatever was asked.
    if state.object_mode:
        return 1
    if n == -1:
        # read() with no size: one chunk at a time while flowing (so that each 'data'
        # carries one pushed chunk), everything buffered when paused.
        if state.flowing and state.length:
            return _len(state.buffer.first()) if state.decoder is not None else state.buffer.first_length()
        return state.length
    if n <= state.length:
        return n
    # More than is buffered: nothing yet, unless no more will come (then the rest).
    return state.length if state.ended else 0


def _on_eof_chunk(stream: Readable, state: ReadableState) -> None:
    if state.ended:
        return
    if state.decoder is not None:
        chunk = state.decoder.end()
        if chunk:
            state.buffer.push(chunk)
            state.length += 1 if state.object_mode else _len(chunk)
    state.ended = True
    if state.sync:
        _emit_readable(stream)
    else:
        state.need_readable = False
        state.emitted_readable = True
        _emit_readable_nt(stream)


def _emit_readable(stream: Readable) -> None:
    state = stream._readable_state
    state.need_readable = False
    if not state.emitted_readable:
        state.emitted_readable = True
        stream._scope.next_tick(_emit_readable_nt, stream)


def _emit_readable_nt(stream: Readable) -> None:
    state = stream._readable_state
    if not state.destroyed and state.errored is None and (state.length or state.ended):
        stream.emit("readable")
        state.emitted_readable = False
    state.need_readable = (
        not state.flowing and not state.ended and state.length <= state.high_water_mark
    )
    _flow(stream)


def _maybe_read_more(stream: Readable, state: ReadableState) -> None:
    if not state.reading_more and state.constructed:
        state.reading_more = True
        stream._scope.next_tick(_maybe_read_more_nt, stream, state)


def _maybe_read_more_nt(stream: Readable, state: ReadableState) -> None:
    while not state.reading and not state.ended and (
        state.length < state.high_water_mark or (state.flowing and state.length == 0)
    ):
        before = state.length
        stream.read(0)
        if before == state.length:
            break
    state.reading_more = False


def _update_readable_listening(stream: Readable) -> None:
    state = stream._readable_state
    state.readable_listening = "readable" in stream._events
    if state.resume_scheduled and state.paused is False:
        state.flowing = True
    elif "data" in stream._events:
        stream.resume()
    elif not state.readable_listening:
        state.flowing = None


def _resume(stream: Readable, state: ReadableState) -> None:
    if not state.reading:
        stream.read(0)
    state.resume_scheduled = False
    stream.emit("resume")
    _flow(stream)
    if state.flowing and not state.reading:
        stream.read(0)


def _flow(stream: Readable) -> None:
    state = stream._readable_state
    read = stream.read
    while state.flowing and read() is not None:
        pass


def _end_readable(stream: Readable) -> None:
    state = stream._readable_state
    if not state.end_emitted:
        state.ended = True
        stream._scope.next_tick(_end_readable_nt, state, stream)


def _end_readable_nt(state: ReadableState, stream: Readable) -> None:
    if state.errored is None and not state.close_emitted and not state.end_emitted and state.length == 0:
        state.end_emitted = True
        stream.emit("end")
        w = stream._writable_state
        if w is not None and getattr(stream, "writable", False) and getattr(stream, "allow_half_open", True) is False:
            stream._scope.next_tick(_end_writable_nt, stream)
        elif state.auto_destroy:
            if w is None or (w.auto_destroy and (w.finished or w.writable is False)):
                stream.destroy()


class _WritableSide(Protocol):
    writable: bool
    writable_ended: bool
    destroyed: bool

    def end(self) -> object: ...


def _end_writable_nt(stream: _WritableSide) -> None:
    if stream.writable and not stream.writable_ended and not stream.destroyed:
        stream.end()


# -- async implementations ------------------------------------------------------


def _read_adapter(stream: Readable, fn: Callable[..., Awaitable[object]]) -> Callable[[int], None]:
    """``_read(size)`` over ``await fn(size)``: pushes made while it runs count as its answer."""

    def read(size: int) -> None:
        state = stream._readable_state
        before = (state.length, state.ended)

        def done(err: BaseException | None, _result: object) -> None:
            if err is not None:
                _destroy.error_or_destroy(stream, err)
            elif state.reading and (state.length, state.ended) == before:
                # Returned without pushing: ask again rather than stall forever.
                state.reading = False
                _maybe_read_more(stream, state)

        run_async(stream, fn, (size,), done)

    return read


# -- async iteration ------------------------------------------------------------

class _Unset:
    """No outcome yet (None is a clean end)."""


_UNSET = _Unset()


class ReadableIterator:
    """The iterator behind ``async for chunk in readable``.

    Leaving the loop early (``break``, an exception, or dropping the iterator)
    destroys the stream with an ``AbortError`` unless ``destroy_on_return`` is
    False, as Node's ``readable[Symbol.asyncIterator]`` does.
    """

    __slots__ = (
        "__weakref__",
        "_cleanup",
        "_destroy_on_return",
        "_done",
        "_error",
        "_on_readable",
        "_wake",
        "stream",
    )

    def __init__(self, stream: Readable, destroy_on_return: bool = True) -> None:
        self.stream = stream
        self._destroy_on_return = destroy_on_return
        self._done = False
        self._error: BaseException | _Unset | None = _UNSET
        self._wake: trio.Event | None = None
        # The stream must not keep the iterator alive: dropping the iterator is
        # how an early ``break`` is noticed.
        ref = weakref.ref(self)

        def on_readable() -> None:
            it = ref()
            if it is not None and it._wake is not None:
                it._wake.set()

        def on_eos(err: BaseException | None = None) -> None:
            it = ref()
            if it is not None:
                it._on_eos(err)

        self._on_readable = on_readable
        stream.on("readable", on_readable)
        self._cleanup = eos(stream, on_eos, writable=False)

    def _on_eos(self, err: BaseException | None = None) -> None:
        if err is not None:
            previous = self._error
            self._error = _destroy.aggregate(None if isinstance(previous, _Unset) else previous, err)
        elif self._error is _UNSET:
            self._error = None
        if self._wake is not None:
            self._wake.set()

    def __aiter__(self) -> ReadableIterator:
        return self

    async def __anext__(self) -> Chunk:
        if self._done:
            raise StopAsyncIteration
        stream = self.stream
        try:
            while True:
                chunk = None if stream.destroyed else stream.read()
                if chunk is not None:
                    await trio.lowlevel.checkpoint_if_cancelled()
                    return chunk
                error = self._error
                if not isinstance(error, _Unset):
                    if error is not None:
                        raise error
                    self._finish()
                    raise StopAsyncIteration
                self._wake = trio.Event()
                woken = await stream._scope.park(self._wake)
                self._wake = None
                if not woken:
                    raise AbortError()
        except StopAsyncIteration:
            raise
        except BaseException as exc:
            if isinstance(exc, Exception) and self._error in (_UNSET, None):
                self._error = exc
            self._finish()
            raise

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        stream = self.stream
        error = self._error
        failed = error is not _UNSET and error is not None
        if (failed or self._destroy_on_return) and (
            error is _UNSET or stream._readable_state.auto_destroy
        ):
            _destroy.destroyer(stream, None)
        else:
            stream.remove_listener("readable", self._on_readable)
            self._cleanup()

    async def aclose(self) -> None:
        """Stop iterating now (as leaving the loop early does)."""
        self._finish()
        await trio.lowlevel.checkpoint()

    def __del__(self) -> None:
        # CPython frees the iterator as soon as an ``async for`` is left, so
        # this runs right at the ``break``, like Node's iterator return().
        if not self._done:
            try:
                self._finish()
            except Exception:  # pragma: no cover - destroy itself does not raise
                pass
