"""Destroy, error and construct logic shared by every stream (node: lib/internal/streams/destroy.js).

These functions work on anything with ``_readable_state`` / ``_writable_state``
attributes (either may be None), so Readable, Writable and Duplex share them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ._async_impl import AsyncHost, cancel_async
from ._errors import AbortError, at_call_site, err_multiple_callback, err_scope_closed
from ._state import Callback, ReadableState, StreamLike, WritableState

# Internal events: a destroy waiting for _construct, and the end of _construct.
_K_DESTROY = "\x00destroy"
_K_CONSTRUCT = "\x00construct"


class Host(StreamLike, AsyncHost, Protocol):
    """A stream with its destroy and construct implementations bound."""

    _impl_destroy: Callable[[BaseException | None, Callback], object]
    _impl_construct: Callable[[Callback], object] | None


def _record(err: BaseException | None, w: WritableState | None, r: ReadableState | None) -> None:
    if err is not None:
        if w is not None and w.errored is None:
            w.errored = err
        if r is not None and r.errored is None:
            r.errored = err


def aggregate(a: BaseException | None, b: BaseException | None) -> BaseException | None:
    """Node's ``aggregateTwoErrors``: keep the first, or both in a group when they differ."""
    if a is None:
        return b
    if b is None or a is b:
        return a
    if isinstance(a, Exception) and isinstance(b, Exception):
        return ExceptionGroup(str(b), [b, a])
    return b


def destroy(stream: Host, err: BaseException | None = None, cb: Callback | None = None) -> None:
    """``stream.destroy(err, cb)``: release resources, then emit ``'error'`` (if any) and ``'close'``."""
    r, w = stream._readable_state, stream._writable_state
    if (w is not None and w.destroyed) or (r is not None and r.destroyed):
        if cb is not None:
            cb()
        return
    if (w is not None and w.scope_closed) or (r is not None and r.scope_closed):
        raise err_scope_closed()
    _record(err, w, r)
    if w is not None:
        w.destroyed = True
    if r is not None:
        r.destroyed = True
    cancel_async(stream)
    s = w if w is not None else r
    if s is not None and not s.constructed:

        def after_construct(er: BaseException | None = None) -> None:
            _destroy(stream, aggregate(er, err), cb)

        stream.once(_K_DESTROY, after_construct)
    else:
        _destroy(stream, err, cb)


def _destroy(stream: Host, err: BaseException | None, cb: Callback | None) -> None:
    called = False

    def on_destroy(er: BaseException | None = None, *_: object) -> None:
        nonlocal called
        if called:
            return
        called = True
        r, w = stream._readable_state, stream._writable_state
        _record(er, w, r)
        if w is not None:
            w.closed = True
        if r is not None:
            r.closed = True
        if cb is not None:
            cb(er)
        if er is not None:
            stream._scope.next_tick(_emit_error_close, stream, er)
        else:
            stream._scope.next_tick(_emit_close, stream)

    try:
        stream._impl_destroy(err, on_destroy)
    except Exception as exc:
        on_destroy(exc)


def _emit_error_close(stream: StreamLike, err: BaseException) -> None:
    emit_error(stream, err)
    _emit_close(stream)


def _emit_close(stream: StreamLike) -> None:
    r, w = stream._readable_state, stream._writable_state
    if w is not None:
        w.close_emitted = True
    if r is not None:
        r.close_emitted = True
    if (w is not None and w.emit_close) or (r is not None and r.emit_close):
        stream.emit("close")


def emit_error(stream: StreamLike, err: BaseException) -> None:
    """Emit ``'error'`` once per stream."""
    r, w = stream._readable_state, stream._writable_state
    if (w is not None and w.error_emitted) or (r is not None and r.error_emitted):
        return
    if w is not None:
        w.error_emitted = True
    if r is not None:
        r.error_emitted = True
    stream.emit("error", err)


def error_or_destroy(stream: StreamLike, err: BaseException, sync: bool = False) -> None:
    """Destroy with ``err`` when auto-destroying, else record it and emit ``'error'``."""
    r, w = stream._readable_state, stream._writable_state
    if (w is not None and w.destroyed) or (r is not None and r.destroyed):
        return
    if (r is not None and r.auto_destroy) or (w is not None and w.auto_destroy):
        stream.destroy(err)
    else:
        _record(err, w, r)
        if sync:
            stream._scope.next_tick(emit_error, stream, err)
        else:
            emit_error(stream, err)


def construct(stream: Host, cb: Callable[[], object]) -> None:
    """Run ``stream._construct`` (if any) on the next tick, then ``cb``."""
    if stream._impl_construct is None:
        return
    r, w = stream._readable_state, stream._writable_state
    if r is not None:
        r.constructed = False
    if w is not None:
        w.constructed = False
    stream.once(_K_CONSTRUCT, cb)
    if stream.listener_count(_K_CONSTRUCT) > 1:
        return
    stream._scope.next_tick(_construct_nt, stream)


def _construct_nt(stream: Host) -> None:
    called = False

    def on_construct(err: BaseException | None = None) -> None:
        nonlocal called
        if called:
            error_or_destroy(stream, err if err is not None else at_call_site(err_multiple_callback()))
            return
        called = True
        r, w = stream._readable_state, stream._writable_state
        if r is not None:
            r.constructed = True
        if w is not None:
            w.constructed = True
        s = w if w is not None else r
        if s is not None and s.destroyed:
            stream.emit(_K_DESTROY, err)
        elif err is not None:
            error_or_destroy(stream, err, True)
        else:
            stream._scope.next_tick(stream.emit, _K_CONSTRUCT)

    def callback(err: BaseException | None = None, *_: object) -> None:
        stream._scope.next_tick(on_construct, err)

    assert stream._impl_construct is not None
    try:
        stream._impl_construct(callback)
    except Exception as exc:
        stream._scope.next_tick(on_construct, exc)


def destroyer(stream: StreamLike | None, err: BaseException | None) -> None:
    """Destroy ``stream`` on behalf of a consumer; an unfinished stream gets an ``AbortError``."""
    if stream is None or is_destroyed(stream):
        return
    if err is None and not is_finished(stream):
        err = AbortError()
    stream.destroy(err)


def _states(stream: object) -> tuple[ReadableState | None, WritableState | None]:
    # Duck-typed emitters (a pipeline stage with on() and write()) have no states.
    return getattr(stream, "_readable_state", None), getattr(stream, "_writable_state", None)


def is_destroyed(stream: object) -> bool:
    """Whether ``stream`` is destroyed."""
    r, w = _states(stream)
    s = w if w is not None else r
    return bool(getattr(stream, "destroyed", False) or (s is not None and s.destroyed))


def is_finished(stream: object) -> bool:
    """Whether every side of ``stream`` ended cleanly."""
    r, w = _states(stream)
    if r is not None and r.readable and not r.end_emitted:
        return False
    return not (w is not None and w.writable and not w.finished)
