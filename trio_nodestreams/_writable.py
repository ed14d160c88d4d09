"""Writable (node: lib/internal/streams/writable.js).

``write()`` returns False once ``high_water_mark`` is buffered and ``'drain'``
follows when the buffer empties; cork/uncork batch writes into ``_writev``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

import trio

from . import _destroy, _resource
from ._async_impl import (
    bind_impl,
    callback_adapter,
    destroy_adapter,
    write_adapter,
    writev_adapter,
)
from ._encoding import check_encoding, encode, normalize_encoding
from ._errors import (
    NodeError,
    at_call_site,
    err_invalid_arg_type,
    err_method_not_implemented,
    err_multiple_callback,
    err_scope_closed,
    err_stream_already_finished,
    err_stream_cannot_pipe,
    err_stream_destroyed,
    err_stream_null_values,
    err_stream_write_after_end,
    err_unknown_encoding,
)
from ._events import EventEmitter
from ._scope import Scope, current_scope
from ._state import AfterWrite, BufferedWrite, Callback, Chunk, WritableState, high_water_mark, nop

if TYPE_CHECKING:
    from ._resource import TrioUse
    from ._state import ReadableState

__all__ = ["Writable", "WritableState"]

_nop = nop
# What a buffered write leaves in its slot once handed to _write.
_CONSUMED: BufferedWrite = (None, None, nop)


def new_writable_state(
    *,
    object_mode: bool,
    high_water_mark_option: int | None,
    decode_strings: bool,
    default_encoding: str,
    emit_close: bool,
    auto_destroy: bool,
) -> WritableState:
    """A WritableState from the constructor options, validated."""
    return WritableState(
        object_mode,
        high_water_mark(high_water_mark_option, "highWaterMark", object_mode),
        decode_strings is not False,
        check_encoding(default_encoding or "utf8"),
        emit_close,
        auto_destroy,
    )


class Writable(EventEmitter, trio.abc.SendStream):
    """A destination for data, with back-pressure through :meth:`write`'s return value;
    a ``trio.abc.SendStream``.

    Args:
      high_water_mark: bytes (or objects) buffered before ``write`` returns False.
      decode_strings: encode ``str`` chunks to bytes before ``_write`` (default True).
      default_encoding: encoding for ``str`` chunks written without one.
      object_mode: accept any object but ``None``.
      emit_close: emit ``'close'`` after destroy.
      auto_destroy: destroy after ``'finish'`` (and on error).
      write: ``fn(stream, chunk, encoding, callback)`` implementing ``_write``;
        or ``async def fn(stream, chunk, encoding)``.
      writev: ``fn(stream, chunks, callback)``; ``chunks`` is a list of ``(chunk, encoding)``.
      final: ``fn(stream, callback)``, called before ``'finish'``.
      destroy: ``fn(stream, err, callback)``.
      construct: ``fn(stream, callback)``.
      scope: the scope to run in; default the current one.

    Implementations given as options, or as methods of a subclass, are bound
    when the stream is made; assigning ``stream._write`` afterwards has no effect.
    """

    _writable_state: WritableState
    _readable_state: ReadableState | None = None
    _scope: Scope
    _event_arity: ClassVar[dict[str, int]] = {
        **EventEmitter._event_arity,
        "drain": 0,
        "finish": 0,
        "prefinish": 0,
        "close": 0,
        "error": 1,
        "pipe": 1,
        "unpipe": 2,
    }
    _async_scopes: set[trio.CancelScope] | None
    _trio: TrioUse | None
    _impl_write: Callable[[Chunk, str | None, Callback], object]
    _impl_writev: Callable[[list[tuple[Chunk, str | None]], Callback], object] | None
    _impl_final: Callable[[Callback], object] | None
    _impl_destroy: Callable[[BaseException | None, Callback], object]
    _impl_construct: Callable[[Callback], object] | None

    def __init__(
        self,
        *,
        high_water_mark: int | None = None,
        decode_strings: bool = True,
        default_encoding: str = "utf8",
        object_mode: bool = False,
        emit_close: bool = True,
        auto_destroy: bool = True,
        write: Callable[..., object] | None = None,
        writev: Callable[..., object] | None = None,
        final: Callable[..., object] | None = None,
        destroy: Callable[..., object] | None = None,
        construct: Callable[..., object] | None = None,
        scope: Scope | None = None,
    ) -> None:
        EventEmitter.__init__(self)
        self._scope = scope if scope is not None else current_scope()
        self._async_scopes = None
        self._trio = None
        self._writable_state = new_writable_state(
            object_mode=object_mode,
            high_water_mark_option=high_water_mark,
            decode_strings=decode_strings,
            default_encoding=default_encoding,
            emit_close=emit_close,
            auto_destroy=auto_destroy,
        )
        self._writable_state.onwrite = self._onwrite
        self._bind_writable(write, writev, final)
        self._bind_common(destroy, construct)
        self._scope.register(self)
        _destroy.construct(self, self._after_construct_writable)

    # -- construction helpers (shared with Duplex) ----------------------------------

    def _bind_writable(
        self,
        write: Callable[..., object] | None,
        writev: Callable[..., object] | None,
        final: Callable[..., object] | None,
    ) -> None:
        impl = bind_impl(self, write, "_write", write_adapter)
        assert impl is not None
        self._impl_write = impl
        self._impl_writev = bind_impl(self, writev, "_writev", writev_adapter)
        self._impl_final = bind_impl(self, final, "_final", callback_adapter)

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

    def _after_construct_writable(self) -> None:
        state = self._writable_state
        if not state.writing:
            _clear_buffer(self, state)
        _finish_maybe(self, state)

    # -- implementation hooks ---------------------------------------------------------

    def _write(self, chunk: Chunk, encoding: str | None, callback: Callback) -> object:
        """Consume one chunk, then ``callback(err=None)``; override, or pass ``write=``."""
        writev = self._impl_writev
        if writev is None:
            raise err_method_not_implemented("_write()")
        writev([(chunk, encoding)], callback)
        return None

    #: ``_writev(chunks, callback)``: consume several buffered chunks at once; a subclass
    #: may define it (or pass ``writev=``).
    _writev: Callable[[list[tuple[Chunk, str | None]], Callback], object] | None = None
    #: ``_final(callback)``: called once after the last write, before ``'finish'``.
    _final: Callable[[Callback], object] | None = None
    #: ``_construct(callback)``: prepare the stream before any write.
    _construct: Callable[[Callback], object] | None = None

    def _destroy(self, err: BaseException | None, callback: Callback) -> object:
        """Release resources, then ``callback(err)``; override, or pass ``destroy=``."""
        callback(err)
        return None

    # -- writing ------------------------------------------------------------------------

    def write(self, chunk: Chunk, encoding: str | Callback | None = None, callback: Callback | None = None) -> bool:
        """Write ``chunk``; ``callback(err)`` runs once it is handled.

        Returns:
          False when the buffer reached ``high_water_mark``: wait for ``'drain'``.

        Raises:
          NodeError: ``ERR_STREAM_NULL_VALUES``, ``ERR_INVALID_ARG_TYPE``, ``ERR_UNKNOWN_ENCODING``.
        """
        state = self._writable_state
        object_mode = state.object_mode
        if (
            encoding is None
            and (chunk is not None if object_mode else type(chunk) is bytes)
            and not state.writing
            and not state.corked
            and not state.ending
            and not state.destroyed
            and state.errored is None
            and state.constructed
            and not state.buffered
            and not state.scope_closed
        ):
            # Short path (the steps of _write and _do_write): plain bytes, or any object in
            # object mode, into an idle stream go straight to _write. It runs once per chunk
            # per stage.
            state.pendingcb += 1
            length = 1 if object_mode else len(chunk)
            state.length += length
            state.writelen = length
            state.writecb = _nop if callback is None else callback
            state.writing = state.sync = True
            try:
                self._impl_write(chunk, None if object_mode else "buffer", state.onwrite)
            except Exception as exc:
                hook_failed(self, state, exc)
            state.sync = False
            # Measured after a synchronous _write had its chance to call back (Node >= 20).
            if state.length < state.high_water_mark:
                return state.errored is None and not state.destroyed
            state.need_drain = True
            return False
        return _write(self, chunk, encoding, callback) is True

    def _onwrite(self, er: BaseException | None = None, *_: object) -> None:
        """The callback ``_write`` and ``_writev`` get (Node's onwrite), bound once per stream."""
        state = self._writable_state
        cb = state.writecb
        if cb is None:
            _destroy.error_or_destroy(self, at_call_site(err_multiple_callback()))
            return
        sync = state.sync
        state.writing = False
        state.writecb = None
        state.length -= state.writelen
        state.writelen = 0
        if er is not None:
            if state.errored is None:
                state.errored = er
            r = self._readable_state
            if r is not None and r.errored is None:
                r.errored = er
            if sync:
                self._scope.next_tick(_onwrite_error, self, state, er, cb)
            else:
                _onwrite_error(self, state, er, cb)
            return
        if state.buffered and len(state.buffered) > state.buffered_index:
            _clear_buffer(self, state)
        if sync:
            # Callbacks of synchronous writes run on the next tick; a run of them with the
            # same callback shares one deferred call (Node's afterWriteTickInfo).
            info = state.after_write_tick_info
            if info is not None and info.cb is cb:
                info.count += 1
            else:
                info = state.after_write_tick_info = AfterWrite(self, state, cb)
                self._scope.next_tick(_after_write_tick, info)
        else:
            _after_write(self, state, 1, cb)

    def cork(self) -> None:
        """Buffer writes until :meth:`uncork` (calls nest)."""
        self._writable_state.corked += 1

    def uncork(self) -> None:
        """Undo one :meth:`cork`; the last one flushes the buffer (through ``_writev`` if any)."""
        state = self._writable_state
        if state.corked:
            state.corked -= 1
            if not state.writing:
                _clear_buffer(self, state)

    def set_default_encoding(self, encoding: str) -> Writable:
        """Set the encoding of ``str`` chunks written without one."""
        name = normalize_encoding(encoding)
        if name is None:
            raise err_unknown_encoding(encoding)
        self._writable_state.default_encoding = name
        return self

    def end(
        self,
        chunk: object = None,
        encoding: str | Callback | None = None,
        callback: Callback | None = None,
    ) -> Writable:
        """Write ``chunk`` (if any) and signal that nothing more will be written.

        ``callback(err=None)`` runs at ``'finish'``, or with the error.
        """
        state = self._writable_state
        if state.scope_closed:
            raise err_scope_closed()
        if callable(chunk):
            callback, chunk, encoding = chunk, None, None
        elif callable(encoding):
            callback, encoding = encoding, None
        err: BaseException | None = None
        if chunk is not None:
            ret = _write(self, chunk, encoding, None)
            if isinstance(ret, BaseException):
                err = ret
        if state.corked:
            state.corked = 1
            self.uncork()
        if err is not None:
            pass
        elif state.errored is None and not state.ending:
            state.ending = True
            _finish_maybe(self, state, True)
            state.ended = True
        elif state.finished:
            err = at_call_site(err_stream_already_finished("end"))
        elif state.destroyed:
            err = at_call_site(err_stream_destroyed("end"))
        if callback is not None:
            if err is not None or state.finished:
                self._scope.next_tick(callback, err)
            elif state.errored is not None:
                self._scope.next_tick(callback, state.errored)
            else:
                state.on_finished.append(callback)
        return self

    def pipe(self, *_: Any, **__: Any) -> None:
        """A Writable cannot be piped from: fails with ``ERR_STREAM_CANNOT_PIPE``."""
        _destroy.error_or_destroy(self, at_call_site(err_stream_cannot_pipe()))

    def destroy(self, err: BaseException | None = None, callback: Callback | None = None) -> Writable:
        """Destroy the stream; pending write callbacks get ``ERR_STREAM_DESTROYED``."""
        state = self._writable_state
        if not state.destroyed and (state.buffered_index < len(state.buffered) or state.on_finished):
            self._scope.next_tick(_error_buffer, state)
        _destroy.destroy(self, err, callback)
        return self

    # -- properties ---------------------------------------------------------------------

    @property
    def writable(self) -> bool:
        """True while :meth:`write` may be called."""
        w = self._writable_state
        return (
            w.writable is not False
            and not w.destroyed
            and w.errored is None
            and not w.ending
            and not w.ended
        )

    @writable.setter
    def writable(self, value: bool) -> None:
        self._writable_state.writable = bool(value)

    @property
    def writable_ended(self) -> bool:
        """Whether :meth:`end` was called."""
        return self._writable_state.ending

    @property
    def writable_finished(self) -> bool:
        """Whether ``'finish'`` was emitted."""
        return self._writable_state.finished

    @property
    def writable_length(self) -> int:
        """Bytes (or objects) written but not yet handled."""
        return self._writable_state.length

    @property
    def writable_high_water_mark(self) -> int:
        """The high-water mark."""
        return self._writable_state.high_water_mark

    @property
    def writable_corked(self) -> int:
        """How many :meth:`uncork` calls are needed to flush."""
        return self._writable_state.corked

    @property
    def writable_need_drain(self) -> bool:
        """True after :meth:`write` returned False and before ``'drain'``."""
        w = self._writable_state
        return not w.destroyed and not w.ending and w.need_drain

    @property
    def writable_object_mode(self) -> bool:
        """Whether this is an object-mode stream."""
        return self._writable_state.object_mode

    @property
    def writable_aborted(self) -> bool:
        """Whether it was destroyed or errored before ``'finish'``."""
        w = self._writable_state
        return w.writable is not False and (w.destroyed or w.errored is not None) and not w.finished

    @property
    def writable_buffer(self) -> list[tuple[Chunk, str | None]]:
        """The buffered ``(chunk, encoding)`` pairs."""
        w = self._writable_state
        return [(e[0], e[1]) for e in w.buffered[w.buffered_index :]]

    @property
    def destroyed(self) -> bool:
        """Whether :meth:`destroy` was called."""
        return self._writable_state.destroyed

    @property
    def closed(self) -> bool:
        """Whether destroying finished."""
        return self._writable_state.closed

    @property
    def errored(self) -> BaseException | None:
        """The error the stream was destroyed or failed with, if any."""
        return self._writable_state.errored

    # -- Trio idioms ----------------------------------------------------------------------

    async def send_all(self, data: object) -> None:
        """Trio's ``SendStream.send_all``: write ``data``, then wait out back-pressure.

        Raises:
          trio.ClosedResourceError: the stream was ended or destroyed.
          trio.BrokenResourceError: the stream failed (its error is the ``__cause__``).

        Cancellation:
          The data was handed to :meth:`write` and stays queued; only the wait for
          ``'drain'`` is abandoned.
        """
        await _resource.send_all(self, data)

    async def wait_send_all_might_not_block(self) -> None:
        """Wait until :meth:`write` would return True."""
        await _resource.wait_writable(self)

    async def __aenter__(self) -> Writable:
        """``async with stream:`` closes it on exit, like any Trio resource."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """End the stream and wait for ``'finish'``; destroy it if cancelled or failed."""
        await _resource.close_writable(self)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__} object at {id(self):#x}>"


# -- the state machine ----------------------------------------------------------------


def _write(stream: Writable, chunk: object, encoding: str | Callback | None, cb: Callback | None) -> bool | BaseException:
    state: WritableState = stream._writable_state
    if state.scope_closed:
        raise err_scope_closed()
    data: Chunk
    enc: str | None
    if type(chunk) is bytes and encoding is None and not state.object_mode:
        # The common case, kept short: it runs once per chunk per stage.
        data, enc = chunk, "buffer"
        if cb is None:
            cb = _nop
    else:
        data, enc, cb = _normalize_write(state, chunk, encoding, cb)
    if state.ending or state.destroyed:
        err: NodeError = at_call_site(err_stream_write_after_end() if state.ending else err_stream_destroyed("write"))
        stream._scope.next_tick(cb, err)
        _destroy.error_or_destroy(stream, err, True)
        return err
    state.pendingcb += 1
    length = 1 if state.object_mode else len(data)
    state.length += length
    # A write never overtakes buffered ones. In Node the buffer is flushed in the tick
    # right after the stream is constructed, before any other callback can write; here
    # another task (a file read completing) may write in between.
    if state.writing or state.corked or state.errored is not None or not state.constructed or state.buffered:
        state.buffered.append((data, enc, cb))
        if state.all_buffers and enc != "buffer":
            state.all_buffers = False
        if state.all_noop and cb is not _nop:
            state.all_noop = False
    else:
        state.writelen = length
        state.writecb = cb
        state.writing = True
        state.sync = True
        try:
            stream._impl_write(data, enc, state.onwrite)
        except Exception as exc:
            hook_failed(stream, state, exc)
        state.sync = False
    # Measured after a synchronous _write had its chance to call back (Node >= 20).
    ret = state.length < state.high_water_mark
    if not ret:
        state.need_drain = True
    return ret and state.errored is None and not state.destroyed


def _normalize_write(
    state: WritableState, chunk: object, encoding: str | Callback | None, cb: Callback | None
) -> tuple[Chunk, str | None, Callback]:
    """Validate a chunk and resolve its encoding (every case but plain bytes)."""
    if callable(encoding):
        cb = encoding
        encoding = None
    if not encoding:
        enc = None if state.object_mode else state.default_encoding
    elif encoding == "buffer":
        enc = "buffer"
    else:
        name = normalize_encoding(encoding)
        if name is None:
            raise err_unknown_encoding(encoding)
        enc = name
    if cb is None:
        cb = _nop
    if chunk is None:
        raise err_stream_null_values()
    if not state.object_mode:
        if isinstance(chunk, str):
            if state.decode_strings:
                chunk = encode(chunk, enc if enc and enc != "buffer" else "utf8")
                enc = "buffer"
        elif isinstance(chunk, bytes):
            enc = "buffer"
        elif isinstance(chunk, bytearray | memoryview):
            chunk = bytes(chunk)
            enc = "buffer"
        else:
            raise err_invalid_arg_type(
                "chunk", "of type string or an instance of Buffer or Uint8Array", chunk
            )
    return chunk, enc, cb


def _do_write(stream: Writable, state: WritableState, writev: bool, length: int, chunk: Chunk, encoding: str | None, cb: Callback) -> None:
    state.writelen = length
    state.writecb = cb
    state.writing = True
    state.sync = True
    if state.destroyed:
        state.onwrite(err_stream_destroyed("write"))
    else:
        try:
            if writev:
                assert stream._impl_writev is not None
                stream._impl_writev(chunk, state.onwrite)
            else:
                stream._impl_write(chunk, encoding, state.onwrite)
        except Exception as exc:
            hook_failed(stream, state, exc)
    state.sync = False


def hook_failed(stream: Writable, state: WritableState, exc: Exception) -> None:
    """``_write`` (or ``_writev``, ``_transform``) raised: fail the write with ``exc``.

    Node lets such an exception escape ``write()`` (and, uncaught, end the process); here
    it destroys the stream with it, as ``callback(exc)`` would, so that it reaches whoever
    waits on the stream (``await pipeline()``, ``await finished()``, ``'error'``
    listeners) instead of failing the whole scope.

    Raises:
      NodeError: ``ERR_METHOD_NOT_IMPLEMENTED`` from a stream given no implementation at
        all: that one is raised at the ``write()`` call, as Node does.
    """
    if isinstance(exc, NodeError) and exc.code == "ERR_METHOD_NOT_IMPLEMENTED":
        raise exc
    if state.writing and state.writecb is not None:
        stream._onwrite(exc)  # the write is still pending: as if it called back with exc
    else:
        _destroy.error_or_destroy(stream, exc)


def _onwrite_error(stream: Writable, state: WritableState, er: BaseException, cb: Callback) -> None:
    state.pendingcb -= 1
    cb(er)
    _error_buffer(state)
    _destroy.error_or_destroy(stream, er)


def _after_write_tick(info: AfterWrite) -> None:
    info.state.after_write_tick_info = None
    _after_write(cast(Writable, info.stream), info.state, info.count, info.cb)


def _after_write(stream: Writable, state: WritableState, count: int, cb: Callback) -> None:
    if not state.ending and not stream.destroyed and state.length == 0 and state.need_drain:
        state.need_drain = False
        stream.emit("drain")
    if cb is _nop:
        state.pendingcb -= count
    else:
        while count > 0:
            count -= 1
            state.pendingcb -= 1
            cb(None)
    if state.destroyed:
        _error_buffer(state)
    _finish_maybe(stream, state)


def _error_buffer(state: WritableState) -> None:
    if state.writing:
        return
    for i in range(state.buffered_index, len(state.buffered)):
        chunk, _enc, callback = state.buffered[i]
        state.length -= 1 if state.object_mode else len(chunk)
        callback(state.errored if state.errored is not None else err_stream_destroyed("write"))
    callbacks, state.on_finished = state.on_finished, []
    for fn in callbacks:
        fn(state.errored if state.errored is not None else err_stream_destroyed("end"))
    state.reset_buffer()


def _clear_buffer(stream: Writable, state: WritableState) -> None:
    if state.corked or state.buffer_processing or state.destroyed or not state.constructed:
        return
    buffered = state.buffered
    i = state.buffered_index
    count = len(buffered) - i
    if not count:
        return
    state.buffer_processing = True
    if count > 1 and stream._impl_writev is not None:
        state.pendingcb -= count - 1
        entries = buffered[i:]
        if state.all_noop:
            callback: Callback = _nop
        else:

            def callback(err: BaseException | None = None, *_: object) -> None:
                for entry in entries:
                    entry[2](err)

        chunks = [(e[0], e[1]) for e in entries]
        state.reset_buffer()
        _do_write(stream, state, True, state.length, chunks, "", callback)
    else:
        object_mode = state.object_mode
        n = len(buffered)
        while True:
            chunk, enc, callback = buffered[i]
            buffered[i] = _CONSUMED  # let the chunk go as soon as it is written
            i += 1
            _do_write(stream, state, False, 1 if object_mode else len(chunk), chunk, enc, callback)
            if i >= n or state.writing:
                break
        if state.buffered is not buffered:
            pass  # a callback above replaced the buffer (destroy); nothing to trim
        elif i == len(buffered):
            state.reset_buffer()
        elif i > 256:
            del buffered[:i]
            state.buffered_index = 0
        else:
            state.buffered_index = i
    state.buffer_processing = False


def _need_finish(state: WritableState) -> bool:
    return (
        state.ending
        and not state.destroyed
        and state.constructed
        and state.length == 0
        and state.errored is None
        and len(state.buffered) == 0
        and not state.finished
        and not state.writing
        and not state.error_emitted
        and not state.close_emitted
    )


def _call_final(stream: Writable, state: WritableState) -> None:
    called = False

    def on_finish(err: BaseException | None = None, *_: object) -> None:
        nonlocal called
        if called:
            _destroy.error_or_destroy(stream, err if err is not None else at_call_site(err_multiple_callback()))
            return
        called = True
        state.pendingcb -= 1
        if err is not None:
            callbacks, state.on_finished = state.on_finished, []
            for fn in callbacks:
                fn(err)
            _destroy.error_or_destroy(stream, err, state.sync)
        elif _need_finish(state):
            state.prefinished = True
            stream.emit("prefinish")
            state.pendingcb += 1
            stream._scope.next_tick(_finish, stream, state)

    state.sync = True
    state.pendingcb += 1
    assert stream._impl_final is not None
    try:
        stream._impl_final(on_finish)
    except Exception as exc:
        on_finish(exc)
    state.sync = False


def _prefinish(stream: Writable, state: WritableState) -> None:
    if not state.prefinished and not state.final_called:
        if stream._impl_final is not None and not state.destroyed:
            state.final_called = True
            _call_final(stream, state)
        else:
            state.prefinished = True
            stream.emit("prefinish")


def _finish_maybe(stream: Writable, state: WritableState, sync: bool = False) -> None:
    if _need_finish(state):
        _prefinish(stream, state)
        if state.pendingcb == 0:
            if sync:
                state.pendingcb += 1
                stream._scope.next_tick(_finish_if_needed, stream, state)
            elif _need_finish(state):
                state.pendingcb += 1
                _finish(stream, state)


def _finish_if_needed(stream: Writable, state: WritableState) -> None:
    if _need_finish(state):
        _finish(stream, state)
    else:
        state.pendingcb -= 1


def _finish(stream: Writable, state: WritableState) -> None:
    state.pendingcb -= 1
    state.finished = True
    callbacks, state.on_finished = state.on_finished, []
    for fn in callbacks:
        fn(None)
    stream.emit("finish")
    if state.auto_destroy:
        r = stream._readable_state
        if r is None or (r.auto_destroy and (r.end_emitted or r.readable is False)):
            stream.destroy()
