"""``async def`` implementations behind Node's callback signatures.

A stream's ``_write``, ``_final``, ``_destroy``... may be coroutine functions
(``async def _write(self, chunk, encoding)``, no callback). Each call then runs
as a task of the stream's scope, and its outcome is reported through the
callback the state machine passed, exactly as a callback implementation would.
Destroying the stream cancels those tasks.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from types import MethodType
from typing import TYPE_CHECKING, Any, Protocol

import trio

if TYPE_CHECKING:
    from ._scope import Scope
    from ._state import Callback

#: ``done(err, result)``: how a task reports its outcome back to the state machine.
Done = Callable[[BaseException | None, object], object]
AsyncFn = Callable[..., Awaitable[object]]


class AsyncHost(Protocol):
    """A stream that runs async implementations: its scope and the cancel scopes of its tasks."""

    _async_scopes: set[trio.CancelScope] | None

    @property
    def _scope(self) -> Scope: ...


def is_async(fn: object) -> bool:
    """Whether ``fn`` is an ``async def`` function or method."""
    return inspect.iscoroutinefunction(fn)


def run_async(
    stream: AsyncHost,
    coro_fn: AsyncFn,
    args: tuple[object, ...],
    done: Done,
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
        scopes = stream._async_scopes
        if scopes is None:
            scopes = stream._async_scopes = set()
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


def cancel_async(stream: AsyncHost) -> None:
    """Cancel the async implementations still running for ``stream``."""
    scopes = stream._async_scopes
    if scopes:
        for cancel_scope in list(scopes):
            cancel_scope.cancel()


# -- one adapter per hook: the callback signature the state machine calls ----------


def write_adapter(stream: AsyncHost, fn: AsyncFn) -> Callable[[object, str | None, Callback], None]:
    """``_write(chunk, encoding, callback)`` over ``await fn(chunk, encoding)``."""

    def write(chunk: object, encoding: str | None, callback: Callback) -> None:
        run_async(stream, fn, (chunk, encoding), lambda err, _r: callback(err))

    return write


def writev_adapter(stream: AsyncHost, fn: AsyncFn) -> Callable[[list[tuple[object, str | None]], Callback], None]:
    """``_writev(chunks, callback)`` over ``await fn(chunks)``."""

    def writev(chunks: list[tuple[object, str | None]], callback: Callback) -> None:
        run_async(stream, fn, (chunks,), lambda err, _r: callback(err))

    return writev


def callback_adapter(stream: AsyncHost, fn: AsyncFn) -> Callable[[Callback], None]:
    """``_final(callback)`` or ``_construct(callback)`` over ``await fn()``."""

    def final(callback: Callback) -> None:
        run_async(stream, fn, (), lambda err, _r: callback(err))

    return final


def destroy_adapter(stream: AsyncHost, fn: AsyncFn) -> Callable[[BaseException | None, Callback], None]:
    """``_destroy(err, callback)`` over ``await fn(err)``; destroying does not cancel it."""

    def destroy(err: BaseException | None, callback: Callback) -> None:
        def done(exc: BaseException | None, _result: object) -> None:
            callback(exc if exc is not None else err)

        run_async(stream, fn, (err,), done, cancel_on_destroy=False)

    return destroy


def transform_adapter(stream: AsyncHost, fn: AsyncFn) -> Callable[[object, str | None, Callback], None]:
    """``_transform(chunk, encoding, callback)`` over ``await fn(chunk, encoding)``; a
    returned value other than None is pushed."""

    def transform(chunk: object, encoding: str | None, callback: Callback) -> None:
        run_async(stream, fn, (chunk, encoding), callback)

    return transform


def flush_adapter(stream: AsyncHost, fn: AsyncFn) -> Callable[[Callback], None]:
    """``_flush(callback)`` over ``await fn()``; a returned value other than None is pushed."""

    def flush(callback: Callback) -> None:
        run_async(stream, fn, (), callback)

    return flush


# -- binding implementations at construction ------------------------------------------

Adapter = Callable[[Any, Any], Callable[..., object]]

# Which implementation methods a class defines with ``async def``: looked up once per class.
_CLASS_ASYNC: dict[tuple[type, str], bool] = {}


def bind_impl(stream: object, option: Callable[..., object] | None, name: str, adapter: Adapter) -> Callable[..., object] | None:
    """The callable the state machine calls for hook ``name`` of ``stream``.

    ``option`` (the constructor argument, ``fn(stream, ...)``) wins over the
    class's method ``name``; either may be an ``async def``, which ``adapter``
    turns into Node's callback signature. None when neither exists (the class
    attribute is None), as for an absent ``_writev`` or ``_final``.
    """
    if option is not None:
        fn: Callable[..., object] = MethodType(option, stream)
        return adapter(stream, fn) if is_async(option) else fn
    bound = getattr(stream, name)
    if bound is None:
        return None
    key = (type(stream), name)
    on_class = _CLASS_ASYNC.get(key)
    if on_class is None:
        on_class = _CLASS_ASYNC[key] = is_async(getattr(type(stream), name))
    impl: Callable[..., object] = adapter(stream, bound) if on_class else bound
    return impl
