"""Destroy, error and construct logic shared by every stream (node: lib/internal/streams/destroy.js).

These functions work on anything with ``_readable_state`` / ``_writable_state``
attributes (either may be None), so Readable, Writable and Duplex share them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import trio

from ._errors import AbortError, err_multiple_callback

if TYPE_CHECKING:
    from ._readable import ReadableState
    from ._writable import WritableState

Callback = Callable[..., object]

_K_DESTROY = "\x00destroy"
_K_CONSTRUCT = "\x00construct"


def _states(stream: Any) -> tuple[ReadableState | None, WritableState | None]:
    return stream._readable_state, stream._writable_state


def _record(err: BaseException | None, w: Any, r: Any) -> None:
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
        group = ExceptionGroup(str(b), [b, a])
        return group
    return b


def destroy(stream: Any, err: BaseException | None = None, cb: Callback | None = None) -> Any:
    """``stream.destroy(err, cb)``: release resources, then emit ``'error'`` (if any) and ``'close'``."""
    r, w = _states(stream)
    if (w is not None and w.destroyed) or (r is not None and r.destroyed):
        if cb is not None:
            cb()
        return stream
    _record(err, w, r)
    if w is not None:
        w.destroyed = True
    if r is not None:
        r.destroyed = True
    cancel_async(stream)
    s = w if w is not None else r
    assert s is not None
    if not s.constructed:

        def after_construct(er: BaseException | None = None) -> None:
            _destroy(stream, aggregate(er, err), cb)

        stream.once(_K_DESTROY, after_construct)
    else:
        _destroy(stream, err, cb)
    return stream


def _destroy(stream: Any, err: BaseException | None, cb: Callback | None) -> None:
    called = False

    def on_destroy(er: BaseException | None = None) -> None:
        nonlocal called
        if called:
            return
        called = True
        r, w = _states(stream)
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
        stream._destroy(err, on_destroy)
    except Exception as exc:
        on_destroy(exc)


def _emit_error_close(stream: Any, err: BaseException) -> None:
    emit_error(stream, err)
    _emit_close(stream)


def _emit_close(stream: Any) -> None:
    r, w = _states(stream)
    if w is not None:
        w.close_emitted = True
    if r is not None:
        r.close_emitted = True
    if (w is not None and w.emit_close) or (r is not None and r.emit_close):
        stream.emit("close")


def emit_error(stream: Any, err: BaseException) -> None:
    """Emit ``'error'`` once per stream."""
    r, w = _states(stream)
    if (w is not None and w.error_emitted) or (r is not None and r.error_emitted):
        return
    if w is not None:
        w.error_emitted = True
    if r is not None:
        r.error_emitted = True
    stream.emit("error", err)


def error_or_destroy(stream: Any, err: BaseException, sync: bool = False) -> None:
    """Destroy with ``err`` when auto-destroying, else record it and emit ``'error'``."""
    r, w = _states(stream)
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


def construct(stream: Any, cb: Callable[[], object]) -> None:
    """Run ``stream._construct`` (if any) on the next tick, then ``cb``."""
    if getattr(stream, "_construct", None) is None:
        return
    r, w = _states(stream)
    if r is not None:
        r.constructed = False
    if w is not None:
        w.constructed = False
    stream.once(_K_CONSTRUCT, cb)
    if stream.listener_count(_K_CONSTRUCT) > 1:
        return
    stream._scope.next_tick(_construct_nt, stream)


def _construct_nt(stream: Any) -> None:
    called = False

    def on_construct(err: BaseException | None = None) -> None:
        nonlocal called
        if called:
            error_or_destroy(stream, err if err is not None else err_multiple_callback())
            return
        called = True
        r, w = _states(stream)
        if r is not None:
            r.constructed = True
        if w is not None:
            w.constructed = True
        s = w if w is not None else r
        assert s is not None
        if s.destroyed:
            stream.emit(_K_DESTROY, err)
        elif err is not None:
            error_or_destroy(stream, err, True)
        else:
            stream._scope.next_tick(stream.emit, _K_CONSTRUCT)

    def callback(err: BaseException | None = None) -> None:
        stream._scope.next_tick(on_construct, err)

    try:
        stream._construct(callback)
    except Exception as exc:
        stream._scope.next_tick(on_construct, exc)


def destroyer(stream: Any, err: BaseException | None) -> None:
    """Destroy ``stream`` on behalf of a consumer; an unfinished stream gets an ``AbortError``."""
    if stream is None or is_destroyed(stream):
        return
    if err is None and not is_finished(stream):
        err = AbortError()
    stream.destroy(err)


def is_destroyed(stream: Any) -> bool:
    """Whether ``stream`` is destroyed."""
    r, w = getattr(stream, "_readable_state", None), getattr(stream, "_writable_state", None)
    s = w if w is not None else r
    return bool(getattr(stream, "destroyed", False) or (s is not None and s.destroyed))


def is_finished(stream: Any) -> bool:
    """Whether every side of ``stream`` ended cleanly."""
    r, w = getattr(stream, "_readable_state", None), getattr(stream, "_writable_state", None)
    if r is not None and r.readable and not r.end_emitted:
        return False
    return not (w is not None and w.writable and not w.finished)


# -- async implementations ----------------------------------------------------


def is_async(fn: object) -> bool:
    """Whether ``fn`` is an ``async def`` (bound or not)."""
    return inspect.iscoroutinefunction(fn)


_CLASS_ASYNC: dict[tuple[type, tuple[str, ...]], tuple[str, ...]] = {}


def adapt_async(stream: Any, adapters: dict[str, Callable[..., Any]]) -> None:
    """Wrap the ``async def`` implementations of ``stream`` with ``adapters[name]``.

    Which methods a class defines as coroutines is looked up once per class;
    implementations given as options (instance attributes) are checked each time.
    """
    names = tuple(adapters)
    key = (type(stream), names)
    on_class = _CLASS_ASYNC.get(key)
    if on_class is None:
        cls = type(stream)
        on_class = tuple(n for n in names if is_async(getattr(cls, n, None)))
        _CLASS_ASYNC[key] = on_class
    own = stream.__dict__
    for name in names:
        fn = own.get(name)
        if fn is not None:
            if is_async(fn):
                own[name] = adapters[name](stream, fn)
        elif name in on_class:
            own[name] = adapters[name](stream, getattr(stream, name))


def run_async(
    stream: Any,
    coro_fn: Callable[..., Any],
    args: tuple[Any, ...],
    done: Callback,
    *,
    cancel_on_destroy: bool = True,
) -> None:
    """Run ``await coro_fn(*args)`` in the stream's scope; report ``done(err, result)``.

    Destroying the stream cancels the task (unless ``cancel_on_destroy`` is
    False, as for ``_destroy`` itself), and ``done`` is then not called: the
    stream is gone. Cancellation from outside is not an error of the stream: it
    propagates to the scope, whose teardown destroys the stream.
    """
    cancel_scope = trio.CancelScope()
    scopes: set[trio.CancelScope] | None = None
    if cancel_on_destroy:
        scopes = stream.__dict__.get("_async_scopes")
        if scopes is None:
            scopes = stream.__dict__["_async_scopes"] = set()
        scopes.add(cancel_scope)

    async def task() -> None:
        try:
            with cancel_scope:
                try:
                    result = await coro_fn(*args)
                except Exception as exc:
                    err: BaseException | None = exc
                    result = None
                else:
                    err = None
            if not cancel_scope.cancelled_caught:
                done(err, result)
        finally:
            if scopes is not None:
                scopes.discard(cancel_scope)

    stream._scope.start_soon(task)


def cancel_async(stream: Any) -> None:
    """Cancel the async implementations still running for ``stream``."""
    scopes = stream.__dict__.get("_async_scopes")
    if scopes:
        for cancel_scope in list(scopes):
            cancel_scope.cancel()
