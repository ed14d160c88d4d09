"""Duplex, Transform and PassThrough (node: lib/internal/streams/duplex.js, transform.js, passthrough.js)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _destroy
from ._errors import err_method_not_implemented
from ._events import EventEmitter
from ._readable import Readable
from ._scope import Scope, current_scope
from ._writable import Callback, Writable

_MISSING: Any = object()


class Duplex(Readable, Writable):
    """A stream with an independent readable side and writable side.

    Args:
      allow_half_open: when False, the writable side ends once the readable side does.
      readable, writable: False makes that side start out ended.
      object_mode, high_water_mark: apply to both sides unless the
        ``readable_*`` / ``writable_*`` variants say otherwise.
      Other options are those of :class:`Readable` and :class:`Writable`.
    """

    allow_half_open: bool

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
        read: Callable[..., Any] | None = None,
        write: Callable[..., Any] | None = None,
        writev: Callable[..., Any] | None = None,
        final: Callable[..., Any] | None = None,
        destroy: Callable[..., Any] | None = None,
        construct: Callable[..., Any] | None = None,
        scope: Scope | None = None,
    ) -> None:
        EventEmitter.__init__(self)
        self._scope = scope if scope is not None else current_scope()
        r_obj = object_mode or bool(readable_object_mode)
        w_obj = object_mode or bool(writable_object_mode)
        self._init_readable(
            object_mode=r_obj,
            high_water_mark=high_water_mark if high_water_mark is not None else readable_high_water_mark,
            encoding=encoding,
            emit_close=emit_close,
            auto_destroy=auto_destroy,
            default_encoding=default_encoding,
        )
        self._init_writable(
            object_mode=w_obj,
            high_water_mark=high_water_mark if high_water_mark is not None else writable_high_water_mark,
            decode_strings=decode_strings,
            default_encoding=default_encoding,
            emit_close=emit_close,
            auto_destroy=auto_destroy,
        )
        self.allow_half_open = allow_half_open is not False
        if readable is False:
            r = self._readable_state
            r.readable = False
            r.ended = True
            r.end_emitted = True
        if writable is False:
            w = self._writable_state
            w.writable = False
            w.ending = True
            w.ended = True
            w.finished = True
        for name, fn in (
            ("read", read),
            ("write", write),
            ("writev", writev),
            ("final", final),
            ("destroy", destroy),
            ("construct", construct),
        ):
            if fn is not None:
                from ._readable import _bind

                setattr(self, "_" + name, _bind(self, fn))
        self._adapt_async()
        self._adapt_async_writable()
        self._scope.register(self)
        _destroy.construct(self, self._after_construct_duplex)

    def _after_construct_duplex(self) -> None:
        self._after_construct_readable()
        self._after_construct_writable()

    # Both bases define these; the Duplex answers for both sides.
    _destroy = Readable._destroy

    def destroy(self, err: BaseException | None = None, callback: Callback | None = None) -> Duplex:
        """Destroy both sides."""
        Writable.destroy(self, err, callback)
        return self

    @property
    def destroyed(self) -> bool:
        """Whether both sides are destroyed."""
        return self._readable_state.destroyed and self._writable_state.destroyed

    @property
    def closed(self) -> bool:
        """Whether destroying finished."""
        return self._readable_state.closed

    @property
    def errored(self) -> BaseException | None:
        """The error the stream was destroyed or failed with, if any."""
        return self._writable_state.errored or self._readable_state.errored

    async def send_eof(self) -> None:
        """Trio's ``HalfCloseableStream.send_eof``: end the writable side and wait for ``'finish'``."""
        from ._trio_io import send_eof

        await send_eof(self)

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


class Transform(Duplex):
    """A Duplex whose output is computed from its input.

    Args:
      transform: ``fn(stream, chunk, encoding, callback)``; call ``callback(err, data=None)``,
        or push any number of chunks first. Also ``async def fn(stream, chunk, encoding)``,
        whose return value (if not None) is pushed.
      flush: ``fn(stream, callback)`` run after the last input, before ``'end'``.
      Other options are those of :class:`Duplex`.
    """

    def __init__(
        self,
        *,
        transform: Callable[..., Any] | None = None,
        flush: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        from ._readable import _bind

        r_hwm = options.get("readable_high_water_mark")
        if r_hwm == 0 and options.get("high_water_mark") is None:
            options.setdefault("writable_high_water_mark", 0)
        Duplex.__init__(self, **options)
        self._readable_state.sync = False
        self._transform_callback: Callback | None = None
        if transform is not None:
            self._transform = _bind(self, transform)  # type: ignore[method-assign]
        if flush is not None:
            self._flush = _bind(self, flush)
        if _destroy.is_async(self._transform):
            self._transform = _async_transform(self, self._transform)  # type: ignore[method-assign]
        if self._flush is not None and _destroy.is_async(self._flush):
            self._flush = _async_flush(self, self._flush)
        # A subclass (or final=) replacing _final still needs the readable side ended.
        self.on("prefinish", self._transform_prefinish)

    def _transform(self, chunk: Any, encoding: str, callback: Callback) -> Any:
        """Turn ``chunk`` into output; override, or pass ``transform=``."""
        raise err_method_not_implemented("_transform()")

    _flush: Callable[..., Any] | None = None

    def _transform_prefinish(self) -> None:
        if getattr(self._final, "__func__", None) is not Transform._final:
            _transform_final(self, None)

    def _final(self, callback: Callback) -> None:
        _transform_final(self, callback)

    def _write(self, chunk: Any, encoding: str, callback: Callback) -> None:
        r = self._readable_state
        w = self._writable_state
        length = r.length

        def after(err: BaseException | None = None, data: Any = None) -> None:
            if err is not None:
                callback(err)
                return
            if data is not None:
                self.push(data)
            if w.ended or length == r.length or r.length < r.high_water_mark:
                callback(None)
            else:
                self._transform_callback = callback

        self._transform(chunk, encoding, after)

    def _read(self, size: int) -> None:
        callback = self._transform_callback
        if callback is not None:
            self._transform_callback = None
            callback(None)


def _transform_final(stream: Transform, cb: Callback | None) -> None:
    flush = stream._flush
    if flush is not None and not stream.destroyed:

        def after(err: BaseException | None = None, data: Any = None) -> None:
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

        flush(after)
    else:
        stream.push(None)
        if cb is not None:
            cb(None)


def _async_transform(stream: Transform, fn: Callable[..., Any]) -> Callable[..., None]:
    def transform(chunk: Any, encoding: str, callback: Callback) -> None:
        _destroy.run_async(stream, fn, (chunk, encoding), callback)

    return transform


def _async_flush(stream: Transform, fn: Callable[..., Any]) -> Callable[..., None]:
    def flush(callback: Callback) -> None:
        _destroy.run_async(stream, fn, (), callback)

    return flush


class PassThrough(Transform):
    """A Transform that passes every chunk through unchanged."""

    def _transform(self, chunk: Any, encoding: str, callback: Callback) -> None:
        callback(None, chunk)
