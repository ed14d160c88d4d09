"""Readable operators: map, filter, flat_map, take, drop, for_each, to_array, reduce, some, every, find.

(node: lib/internal/streams/operators.js)

Operators that return a stream return an object-mode Readable fed by one
scope task that reads the source only while the result wants data. The
others are async functions. ``fn`` may be sync or ``async def``. Stopping
early (``take``, ``some``, ``find``, or destroying the result) destroys the
source, as Node's iterator ``return()`` does.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import trio

from ._errors import NodeTypeError, err_invalid_arg_type, err_out_of_range

if TYPE_CHECKING:
    from ._readable import Readable

Fn = Callable[..., Any]
Emit = Callable[[Any], Awaitable[None]]

_MISSING: Any = object()


class _Stop(Exception):
    """Ends an ordered walk early (take, some, find)."""


async def _value(result: Any) -> Any:
    if inspect.isawaitable(result):
        return await result
    return result


def _check_fn(fn: Any) -> None:
    if not callable(fn):
        raise err_invalid_arg_type("fn", "of type function", fn)


def _check_concurrency(concurrency: Any) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int | float):
        raise err_invalid_arg_type("options.concurrency", "of type number", concurrency)
    if concurrency < 1:
        raise err_out_of_range("options.concurrency", ">= 1", concurrency)
    return int(concurrency) if concurrency != math.inf else 2**31


class _Slot:
    __slots__ = ("chunk", "error", "event", "value")

    def __init__(self, chunk: Any) -> None:
        self.chunk = chunk
        self.value: Any = None
        self.error: BaseException | None = None
        self.event = trio.Event()


async def _walk(it: Any, fn: Fn | None, concurrency: int, on_value: Callable[[Any, Any], Awaitable[None]]) -> None:
    """Apply ``fn`` to each chunk (up to ``concurrency`` at once); ``on_value(chunk, result)`` in source order."""
    if fn is None or concurrency <= 1:
        while True:
            try:
                chunk = await it.__anext__()
            except StopAsyncIteration:
                return
            await on_value(chunk, None if fn is None else await _value(fn(chunk)))
    send, recv = trio.open_memory_channel[_Slot](math.inf)
    limiter = trio.Semaphore(concurrency)
    error: BaseException | None = None

    async def work(slot: _Slot) -> None:
        try:
            slot.value = await _value(fn(slot.chunk))
        except Exception as exc:
            slot.error = exc
        finally:
            slot.event.set()

    async with trio.open_nursery() as nursery:

        async def feed() -> None:
            async with send:
                while True:
                    await limiter.acquire()
                    try:
                        chunk = await it.__anext__()
                    except StopAsyncIteration:
                        return
                    except Exception as exc:
                        slot = _Slot(None)
                        slot.error = exc
                        slot.event.set()
                        send.send_nowait(slot)
                        return
                    slot = _Slot(chunk)
                    send.send_nowait(slot)
                    nursery.start_soon(work, slot)

        nursery.start_soon(feed)
        try:
            async with recv:
                async for slot in recv:
                    await slot.event.wait()
                    if slot.error is not None:
                        raise slot.error
                    limiter.release()
                    await on_value(slot.chunk, slot.value)
        except Exception as exc:
            error = exc
        nursery.cancel_scope.cancel()
    if error is not None:
        raise error


def _stream_op(source: Readable, body: Callable[[Any, Emit], Awaitable[None]]) -> Readable:
    """An object-mode Readable fed by ``body(source_iterator, emit)``."""
    from ._compose import Feeder, _aclose_all
    from ._readable import Readable

    out = Readable(object_mode=True, high_water_mark=1, scope=source._scope)

    async def produce(emit: Emit) -> None:
        it = source.iterator()
        try:
            try:
                await body(it, emit)
            except _Stop:
                pass
        finally:
            await _aclose_all([it])

    feeder = Feeder(out, produce)
    out._read = feeder.read  # type: ignore[method-assign]
    out._destroy = feeder.destroy  # type: ignore[method-assign]
    return out


async def _consume(source: Readable, body: Callable[[Any], Awaitable[Any]]) -> Any:
    from ._compose import _aclose_all

    it = source.iterator()
    try:
        try:
            return await body(it)
        except _Stop:
            return None
    finally:
        await _aclose_all([it])


# -- operators returning a stream ------------------------------------------------------


def map_(source: Readable, fn: Fn, concurrency: int = 1) -> Readable:
    """See :meth:`Readable.map`."""
    _check_fn(fn)
    conc = _check_concurrency(concurrency)

    async def body(it: Any, emit: Emit) -> None:
        async def on_value(chunk: Any, value: Any) -> None:
            await emit(value)

        await _walk(it, fn, conc, on_value)

    return _stream_op(source, body)


def filter_(source: Readable, fn: Fn, concurrency: int = 1) -> Readable:
    """See :meth:`Readable.filter`."""
    _check_fn(fn)
    conc = _check_concurrency(concurrency)

    async def body(it: Any, emit: Emit) -> None:
        async def on_value(chunk: Any, keep: Any) -> None:
            if keep:
                await emit(chunk)

        await _walk(it, fn, conc, on_value)

    return _stream_op(source, body)


def flat_map(source: Readable, fn: Fn, concurrency: int = 1) -> Readable:
    """See :meth:`Readable.flat_map`."""
    from ._compose import _aclose_all, _as_async_iterable

    _check_fn(fn)
    conc = _check_concurrency(concurrency)

    async def body(it: Any, emit: Emit) -> None:
        async def on_value(chunk: Any, value: Any) -> None:
            owned: list[Any] = []
            inner = _as_async_iterable(value, owned)
            try:
                while True:
                    try:
                        item = await inner.__anext__()
                    except StopAsyncIteration:
                        return
                    await emit(item)
            finally:
                await _aclose_all(owned)

        await _walk(it, fn, conc, on_value)

    return _stream_op(source, body)


def _count(name: str, n: Any) -> float:
    if isinstance(n, bool) or not isinstance(n, int | float) or n != n:
        raise err_invalid_arg_type(name, "of type number", n)
    if n < 0:
        raise err_out_of_range(name, ">= 0", n)
    return n


def take(source: Readable, n: int) -> Readable:
    """See :meth:`Readable.take`."""
    left = _count("number", n)

    async def body(it: Any, emit: Emit) -> None:
        nonlocal left

        async def on_value(chunk: Any, _: Any) -> None:
            nonlocal left
            if left > 0:
                left -= 1
                await emit(chunk)
            else:
                left -= 1
            if left <= 0:
                raise _Stop

        await _walk(it, None, 1, on_value)

    return _stream_op(source, body)


def drop(source: Readable, n: int) -> Readable:
    """See :meth:`Readable.drop`."""
    left = _count("number", n)

    async def body(it: Any, emit: Emit) -> None:
        async def on_value(chunk: Any, _: Any) -> None:
            nonlocal left
            if left <= 0:
                await emit(chunk)
            left -= 1

        await _walk(it, None, 1, on_value)

    return _stream_op(source, body)


# -- operators returning a value -------------------------------------------------------


async def for_each(source: Readable, fn: Fn, concurrency: int = 1) -> None:
    """See :meth:`Readable.for_each`."""
    _check_fn(fn)
    conc = _check_concurrency(concurrency)

    async def on_value(chunk: Any, value: Any) -> None:
        pass

    async def body(it: Any) -> None:
        await _walk(it, fn, conc, on_value)

    await _consume(source, body)


async def to_array(source: Readable) -> list[Any]:
    """See :meth:`Readable.to_array`."""
    result: list[Any] = []

    async def on_value(chunk: Any, _: Any) -> None:
        result.append(chunk)

    async def body(it: Any) -> None:
        await _walk(it, None, 1, on_value)

    await _consume(source, body)
    return result


async def reduce(source: Readable, fn: Fn, initial: Any = _MISSING) -> Any:
    """See :meth:`Readable.reduce`."""
    _check_fn(fn)
    acc = initial
    has_initial = initial is not _MISSING

    async def on_value(chunk: Any, _: Any) -> None:
        nonlocal acc, has_initial
        if not has_initial:
            acc = chunk
            has_initial = True
        else:
            acc = await _value(fn(acc, chunk))

    async def body(it: Any) -> None:
        await _walk(it, None, 1, on_value)

    await _consume(source, body)
    if not has_initial:
        raise NodeTypeError("ERR_MISSING_ARGS", "Reduce of an empty stream requires an initial value")
    return acc


async def find(source: Readable, fn: Fn, concurrency: int = 1) -> Any:
    """See :meth:`Readable.find`."""
    _check_fn(fn)
    conc = _check_concurrency(concurrency)
    found: list[Any] = []

    async def on_value(chunk: Any, ok: Any) -> None:
        if ok:
            found.append(chunk)
            raise _Stop

    async def body(it: Any) -> None:
        await _walk(it, fn, conc, on_value)

    await _consume(source, body)
    return found[0] if found else None


async def some(source: Readable, fn: Fn, concurrency: int = 1) -> bool:
    """See :meth:`Readable.some`."""
    _check_fn(fn)
    conc = _check_concurrency(concurrency)
    hit = False

    async def on_value(chunk: Any, ok: Any) -> None:
        nonlocal hit
        if ok:
            hit = True
            raise _Stop

    async def body(it: Any) -> None:
        await _walk(it, fn, conc, on_value)

    await _consume(source, body)
    return hit


async def every(source: Readable, fn: Fn, concurrency: int = 1) -> bool:
    """See :meth:`Readable.every`."""
    _check_fn(fn)

    async def negated(chunk: Any) -> bool:
        return not await _value(fn(chunk))

    return not await some(source, negated, concurrency)
