"""Duplex, Transform and PassThrough (node: lib/internal/streams/duplex.js, transform.js, passthrough.js)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypedDict, Unpack

import trio

from . import _destroy, _resource
from ._async_impl import bind_impl, flush_adapter, transform_adapter
from ._errors import err_method_not_implemented
from ._events import EventEmitter
from ._readable import Readable, _maybe_read_more_nt, _read_adapter, new_readable_state
from ._scope import Scope, current_scope
from ._state import AfterWrite, Callback, Chunk, ReadableState, WritableState, nop
from ._writable import Writable, _after_write, _after_write_tick, hook_failed, new_writable_state

_nop = nop

__all__ = ["Duplex", "PassThrough", "Transform"]


class Duplex(Readable, Writable, trio.abc.HalfCloseableStream):
    """A stream with an independent readable side and writable side; a
    ``trio.abc.HalfCloseableStream``.

    Args:
      allow_half_open: when False, the writable side ends once the readable side does.
      readable, writable: False makes that side start out ended.
      object_mode, high_water_mark: apply to both sides unless the
        ``readable_*`` / ``writable_*`` variants say otherwise.
      Other options are those of :class:`Readable` and :class:`Writable`.
    """

    allow_half_open: bool
    _event_arity: ClassVar[dict[str, int]] = {**Readable._event_arity, **Writable._event_arity}
    _readable_state: ReadableState
    _writable_state: WritableState

    def __init__(
        self,
        *,
        allow_half_open: bool = True,
        readable: bool = True,
        writable: bool = True,
        high_water_mark: int | None = None,
        readable_high_water_mark: int | None = None,
        writable_high_water_mark: int | None = None,
        object_mode: bool = False,
        readable_object_mode: bool | None = None,
        writable_object_mode: bool | None = None,
        encoding: str | None = None,
        decode_strings: bool = True,
        default_encoding: str = "utf8",
        emit_close: bool = True,
        auto_destroy: bool = True,
        read: Callable[..., object] | None = None,
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
        r_obj = object_mode or bool(readable_object_mode)
        w_obj = object_mode or bool(writable_object_mode)
        r = self._readable_state = new_readable_state(
            object_mode=r_obj,
            high_water_mark_option=high_water_mark if high_water_mark is not None else readable_high_water_mark,
            encoding=encoding,
            emit_close=emit_close,
            auto_destroy=auto_destroy,
            default_encoding=default_encoding,
        )
        w = self._writable_state = new_writable_state(
            object_mode=w_obj,
            high_water_mark_option=high_water_mark if high_water_mark is not None else writable_high_water_mark,
            decode_strings=decode_strings,
            default_encoding=default_encoding,
            emit_close=emit_close,
            auto_destroy=auto_destroy,
        )
        w.onwrite = self._onwrite
        self.allow_half_open = allow_half_open is not False
        if readable is False:
            r.readable = False
            r.ended = True
            r.end_emitted = True
        if writable is False:
            w.writable = False
            w.ending = True
            w.ended = True
            w.finished = True
        impl = bind_impl(self, read, "_read", _read_adapter)
        assert impl is not None
        self._impl_read = impl
        self._bind_writable(write, writev, final)
        self._bind_common(destroy, construct)
        self._scope.register(self)
        _destroy.construct(self, self._after_construct_duplex)

    def _after_construct_duplex(self) -> None:
        self._after_construct_readable()
        self._after_construct_writable()

    # Both bases define these; the Duplex answers for both sides.
    _destroy = Readable._destroy
    _bind_common = Readable._bind_common

    def destroy(self, err: BaseException | None = None, callback: Callback | None = None) -> Duplex:
        """Destroy both sides."""
        Writable.destroy(self, err, callback)
        return self

    @property
    def destroyed(self) -> bool:
        """Whether both sides are destroyed."""
        return bool(self._readable_state.destroyed and self._writable_state.destroyed)

    @property
    def closed(self) -> bool:
        """Whether destroying finished."""
        return bool(self._readable_state.closed)

    @property
    def errored(self) -> BaseException | None:
        """The error the stream was destroyed or failed with, if any."""
        err: BaseException | None = self._writable_state.errored or self._readable_state.errored
        return err

    async def send_eof(self) -> None:
        """Trio's ``HalfCloseableStream.send_eof``: end the writable side and wait for ``'finish'``."""
        await _resource.send_eof(self)

    async def __aenter__(self) -> Duplex:
        """``async with duplex:`` closes it on exit."""
        return self

    # Python looks attributes up along the MRO; the ones below must come from the right side.
    pipe = Readable.pipe
    on = Readable.on
    once = Readable.once
    remove_listener = Readable.remove_listener
    remove_all_listeners = Readable.remove_all_listeners
    prepend_listener = Readable.prepend_listener
    prepend_once_listener = Readable.prepend_once_listener
    aclose = Readable.aclose


class DuplexOptions(TypedDict, total=False):
    """The keyword arguments of :class:`Duplex` (what :class:`Transform` passes on)."""

    allow_half_open: bool
    readable: bool
    writable: bool
    high_water_mark: int | None
    readable_high_water_mark: int | None
    writable_high_water_mark: int | None
    object_mode: bool
    readable_object_mode: bool | None
    writable_object_mode: bool | None
    encoding: str | None
    decode_strings: bool
    default_encoding: str
    emit_close: bool
    auto_destroy: bool
    read: Callable[..., object] | None
    write: Callable[..., object] | None
    writev: Callable[..., object] | None
    final: Callable[..., object] | None
    destroy: Callable[..., object] | None
    construct: Callable[..., object] | None
    scope: Scope | None


class Transform(Duplex):
    """A Duplex whose output is computed from its input.

    Args:
      transform: ``fn(stream, chunk, encoding, callback)``; call ``callback(err, data=None)``,
        or push any number of chunks first. Also ``async def fn(stream, chunk, encoding)``,
        whose return value (if not None) is pushed.
      flush: ``fn(stream, callback)`` run after the last input, before ``'end'``.
      Other options are those of :class:`Duplex`.
    """

    _impl_transform: Callable[[Chunk, str | None, Callback], object]
    _impl_flush: Callable[[Callback], object] | None

    def __init__(
        self,
        *,
        transform: Callable[..., object] | None = None,
        flush: Callable[..., object] | None = None,
        **options: Unpack[DuplexOptions],
    ) -> None:
        r_hwm = options.get("readable_high_water_mark")
        if r_hwm == 0 and options.get("high_water_mark") is None:
            options.setdefault("writable_high_water_mark", 0)
        Duplex.__init__(self, **options)
        self._readable_state.sync = False
        # The write callback held back while the readable side is full (Node's kCallback).
        self._transform_callback: Callback | None = None
        # The transform in progress: its write callback and the readable length before it
        # (one at a time: the next _write waits for this one's callback).
        self._transform_write_cb: Callback = self._onwrite
        self._transform_length = 0
        # The callback handed to _transform, made once.
        self._after_transform = self._transformed
        # write() may run _transform itself (the steps of Writable.write and _write in one
        # frame) unless a subclass replaced _write or a write= option did.
        self._direct_write = options.get("write") is None and type(self)._write is Transform._write
        impl = bind_impl(self, transform, "_transform", transform_adapter)
        assert impl is not None
        self._impl_transform = impl
        self._impl_flush = bind_impl(self, flush, "_flush", flush_adapter)
        # A subclass (or final=) replacing _final still needs the readable side ended:
        # 'prefinish' does it then (as Node does, for Transforms that predate _flush).
        self._own_final = options.get("final") is None and type(self)._final is Transform._final
        self.on("prefinish", self._transform_prefinish)

    def _transform(self, chunk: Chunk, encoding: str | None, callback: Callback) -> object:
        """Turn ``chunk`` into output; override, or pass ``transform=``."""
        raise err_method_not_implemented("_transform()")

    #: ``_flush(callback)``: emit what is left after the last input; a subclass may
    #: define it (or pass ``flush=``).
    _flush: Callable[[Callback], object] | None = None

    def _transform_prefinish(self) -> None:
        if not self._own_final:
            _transform_final(self, None)

    def _final(self, callback: Callback) -> None:
        _transform_final(self, callback)

    def write(self, chunk: Chunk, encoding: str | Callback | None = None, callback: Callback | None = None) -> bool:
        """Write ``chunk`` to be transformed; see :meth:`Writable.write`."""
        state = self._writable_state
        object_mode = state.object_mode
        if not (
            self._direct_write
            and encoding is None
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
            return Writable.write(self, chunk, encoding, callback)
        # Short path: Writable.write's, with _write's steps inline (one frame fewer per chunk).
        state.pendingcb += 1
        length = 1 if object_mode else len(chunk)
        state.length += length
        state.writelen = length
        state.writecb = _nop if callback is None else callback
        state.writing = state.sync = True
        self._transform_write_cb = state.onwrite
        self._transform_length = self._readable_state.length
        try:
            self._impl_transform(chunk, None if object_mode else "buffer", self._after_transform)
        except Exception as exc:
            hook_failed(self, state, exc)
        state.sync = False
        if state.length < state.high_water_mark:
            return state.errored is None and not state.destroyed
        state.need_drain = True
        return False

    def _write(self, chunk: Chunk, encoding: str | None, callback: Callback) -> None:
        self._transform_write_cb = callback
        self._transform_length = self._readable_state.length
        self._impl_transform(chunk, encoding, self._after_transform)

    def _transformed(self, err: BaseException | None = None, data: Chunk = None) -> None:
        # The callback of _transform: push its output, then take the next input unless
        # the readable side is full (then _read lets it go on).
        callback = self._transform_write_cb
        if err is not None:
            callback(err)
            return
        r = self._readable_state
        if data is not None:
            if (
                r.flowing
                and not r.length
                and not r.sync
                and (data is not None if r.object_mode else (type(data) is bytes and data))
                and r.decoder is None
                and not r.ended
                and not r.destroyed
                and r.errored is None
                and r.await_drain_writers is None
                and self._plain_emit
                and (handlers := self._events.get("data")) is not None
                and len(handlers) == 1
            ):
                # push(data), inline: flowing with nothing buffered, so straight to the lone
                # 'data' listener (Readable.push's short path).
                r.reading = False
                r.data_emitted = True
                listener = handlers[0]
                if listener is r.pipe_ondata:  # pipe()'s listener: its steps inline
                    if r.pipe_write(data) is False:
                        r.pipe_pause()
                else:
                    listener(data)
                if not r.reading_more and r.constructed:
                    r.reading_more = True
                    self._scope.next_tick(_maybe_read_more_nt, self, r)
            else:
                self.push(data)
        w = self._writable_state
        if w.ended or self._transform_length == r.length or r.length < r.high_water_mark:
            cb = w.writecb
            if callback is w.onwrite and cb is not None and not w.buffered:
                # onwrite(None), inline for the usual case: no error, nothing buffered.
                w.writing = False
                w.writecb = None
                w.length -= w.writelen
                w.writelen = 0
                if w.sync:
                    info = w.after_write_tick_info
                    if info is not None and info.cb is cb:
                        info.count += 1
                    else:
                        info = w.after_write_tick_info = AfterWrite(self, w, cb)
                        self._scope.next_tick(_after_write_tick, info)
                else:
                    _after_write(self, w, 1, cb)
            else:
                callback(None)
        else:
            self._transform_callback = callback

    def _read(self, size: int) -> None:
        callback = self._transform_callback
        if callback is not None:
            self._transform_callback = None
            callback(None)


def _transform_final(stream: Transform, cb: Callback | None) -> None:
    flush = stream._impl_flush
    if flush is not None and not stream.destroyed:
        called = False

        def after(err: BaseException | None = None, data: Chunk = None) -> None:
            nonlocal called
            called = True
            if err is not None:
                if cb is not None:
                    cb(err)
                else:
                    stream.destroy(err)
                return
            if data is not None:
                stream.push(data)
            stream.push(None)
            if cb is not None:
                cb(None)

        try:
            flush(after)
        except Exception as exc:
            # As for _write: the exception fails the stream instead of escaping (see hook_failed).
            if called:
                _destroy.error_or_destroy(stream, exc)
            else:
                after(exc)
    else:
        stream.push(None)
        if cb is not None:
            cb(None)


class PassThrough(Transform):
    """A Transform that passes every chunk through unchanged."""

    def _transform(self, chunk: Chunk, encoding: str | None, callback: Callback) -> None:
        callback(None, chunk)
