"""Readable operators as functions of async iterators: map, filter, flat_map, take, drop,
for_each, to_array, reduce, some, every, find.

(node: lib/internal/streams/operators.js) As in Node, the operators know
nothing of streams: each walks an async iterator. ``Readable.map`` and the
others wrap them: an operator returning a stream is a *body* ``body(it, emit)``
that the Readable feeds from one task (see ``Readable._operate``); the others
are awaited directly. ``fn`` may be sync or ``async def``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from typing import Protocol, TypeVar, cast

import trio

from ._errors import NodeTypeError, err_invalid_arg_type, err_out_of_range

T = TypeVar("T")

#: An operator's function: ``fn(chunk)``, sync or async.
Fn = Callable[[object], object]
#: ``await emit(value)`` hands a value to the resulting stream.
Emit = Callable[[object], Awaitable[None]]
#: What an operator returning a stream runs: ``await body(source_iterator, emit)``.
Body = Callable[[AsyncIterator[object], Emit], Awaitable[None]]


class _Closable(Protocol):
    async def aclose(self) -> object: ...


class Stop(Exception):
    """Ends an ordered walk early (take, some, find)."""


async def aiter_sync(iterable: Iterable[T]) -> AsyncIterator[T]:
    """An async iterator over a sync iterable."""
    for item in iterable:
        yield item


async def aclose_all(iterators: list[object]) -> None:
    """Close ``iterators``, outermost (last) first; re-raise the first failure after all."""
    first: BaseException | None = None
    for it in reversed(iterators):
        aclose = getattr(it, "aclose", None)
        if aclose is None:
            continue
        try:
            await cast(_Closable, it).aclose()
        except BaseException as exc:
            if first is None:
                first = exc
    iterators.clear()
    if first is not None:
        raise first


def is_async_iterable(obj: object) -> bool:
    """Whether ``obj`` has ``__aiter__``."""
    return callable(getattr(obj, "__aiter__", None))


def is_iterable(obj: object) -> bool:
    """Whether ``obj`` has ``__aiter__`` or ``__iter__``."""
    return is_async_iterable(obj) or callable(getattr(obj, "__iter__", None))


def as_async_iterator(value: object, owned: list[object]) -> AsyncIterator[object]:
    """An async iterator over ``value`` (a Readable, an async or sync iterable, or one
    ``str``/``bytes`` chunk), registered in ``owned`` for :func:`aclose_all`.

    Raises:
      NodeTypeError: ``ERR_INVALID_ARG_TYPE`` for anything else.
    """
    if isinstance(value, str | bytes):
        it: AsyncIterator[object] = aiter_sync([value])
    elif is_async_iterable(value):
        it = cast(AsyncIterable[object], value).__aiter__()
    elif is_iterable(value):
        it = aiter_sync(cast(Iterable[object], value))
    else:
        raise err_invalid_arg_type("val", "Readable, Iterable or AsyncIterable", value)
    owned.append(it)
    return it


async def _value(result: object) -> object:
    if inspect.isawaitable(result):
        return await result
    return result


def check_fn(fn: object) -> None:
    """Node's validateFunction for ``fn``."""
    if not callable(fn):
        raise err_invalid_arg_type("fn", "of type function", fn)


def check_concurrency(concurrency: object) -> int:
    """The ``concurrency`` option as a task count (``math.inf``: unbounded)."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int | float):
        raise err_invalid_arg_type("options.concurrency", "of type number", concurrency)
    if concurrency < 1:
        raise err_out_of_range("options.concurrency", ">= 1", concurrency)
    return int(concurrency) if concurrency != math.inf else 2**31


class _Slot:
    __slots__ = ("chunk", "error", "event", "value")

    def __init__(self, chunk: object) -> None:
        self.chunk = chunk
        self.value: object = None
        self.error: BaseException | None = None
        self.event = trio.Event()


OnValue = Callable[[object, object], Awaitable[None]]


async def walk(it: AsyncIterator[object], fn: Fn | None, concurrency: int, on_value: OnValue) -> None:
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


async def consume(source: AsyncIterable[object], body: Callable[[AsyncIterator[object]], Awaitable[T]]) -> T | None:
    """``await body(iterator)``, then close the iterator; :class:`Stop` ends the walk with None."""
    it = source.__aiter__()
    try:
        try:
            return await body(it)
        except Stop:
            return None
    finally:
        await aclose_all([it])


# -- operators returning a stream: bodies ------------------------------------------------


def map_(fn: Fn, concurrency: int = 1) -> Body:
    """The body of ``Readable.map``."""
    check_fn(fn)
    conc = check_concurrency(concurrency)

    async def body(it: AsyncIterator[object], emit: Emit) -> None:
        async def on_value(chunk: object, value: object) -> None:
            await emit(value)

        await walk(it, fn, conc, on_value)

    return body


def filter_(fn: Fn, concurrency: int = 1) -> Body:
    """The body of ``Readable.filter``."""
    check_fn(fn)
    conc = check_concurrency(concurrency)

    async def body(it: AsyncIterator[object], emit: Emit) -> None:
        async def on_value(chunk: object, keep: object) -> None:
            if keep:
                await emit(chunk)

        await walk(it, fn, conc, on_value)

    return body


def flat_map(fn: Fn, concurrency: int = 1) -> Body:
    """The body of ``Readable.flat_map``."""
    check_fn(fn)
    conc = check_concurrency(concurrency)

    async def body(it: AsyncIterator[object], emit: Emit) -> None:
        async def on_value(chunk: object, value: object) -> None:
            owned: list[object] = []
            inner = as_async_iterator(value, owned)
            try:
                while True:
                    try:
                        item = await inner.__anext__()
                    except StopAsyncIteration:
                        return
                    await emit(item)
            finally:
                await aclose_all(owned)

        await walk(it, fn, conc, on_value)

    return body


def _count(name: str, n: object) -> float:
    if isinstance(n, bool) or not isinstance(n, int | float) or n != n:
        raise err_invalid_arg_type(name, "of type number", n)
    if n < 0:
        raise err_out_of_range(name, ">= 0", n)
    return n


def take(n: float) -> Body:
    """The body of ``Readable.take``."""
    left = _count("number", n)

    async def body(it: AsyncIterator[object], emit: Emit) -> None:
        async def on_value(chunk: object, _: object) -> None:
            nonlocal left
            if left > 0:
                left -= 1
                await emit(chunk)
            else:
                left -= 1
            if left <= 0:
                raise Stop

        await walk(it, None, 1, on_value)

    return body


def drop(n: float) -> Body:
    """The body of ``Readable.drop``."""
    left = _count("number", n)

    async def body(it: AsyncIterator[object], emit: Emit) -> None:
        async def on_value(chunk: object, _: object) -> None:
            nonlocal left
            if left <= 0:
                await emit(chunk)
            left -= 1

        await walk(it, None, 1, on_value)

    return body


# -- operators returning a value --------------------------------------------------------


async def for_each(source: AsyncIterable[object], fn: Fn, concurrency: int = 1) -> None:
    """``Readable.for_each``."""
    check_fn(fn)
    conc = check_concurrency(concurrency)

    async def on_value(chunk: object, value: object) -> None:
        pass

    async def body(it: AsyncIterator[object]) -> None:
        await walk(it, fn, conc, on_value)

    await consume(source, body)


async def to_array(source: AsyncIterable[object]) -> list[object]:
    """``Readable.to_array``."""
    result: list[object] = []

    async def on_value(chunk: object, _: object) -> None:
        result.append(chunk)

    async def body(it: AsyncIterator[object]) -> None:
        await walk(it, None, 1, on_value)

    await consume(source, body)
    return result


_MISSING = object()


async def reduce(source: AsyncIterable[object], fn: Callable[[object, object], object], initial: object = _MISSING) -> object:
    """``Readable.reduce``."""
    check_fn(fn)
    acc = initial
    has_initial = initial is not _MISSING

    async def on_value(chunk: object, _: object) -> None:
        nonlocal acc, has_initial
        if not has_initial:
            acc = chunk
            has_initial = True
        else:
            acc = await _value(fn(acc, chunk))

    async def body(it: AsyncIterator[object]) -> None:
        await walk(it, None, 1, on_value)

    await consume(source, body)
    if not has_initial:
        raise NodeTypeError("ERR_MISSING_ARGS", "Reduce of an empty stream requires an initial value")
    return acc


async def find(source: AsyncIterable[object], fn: Fn, concurrency: int = 1) -> object:
    """``Readable.find``."""
    check_fn(fn)
    conc = check_concurrency(concurrency)
    found: list[object] = []

    async def on_value(chunk: object, ok: object) -> None:
        if ok:
            found.append(chunk)
            raise Stop

    async def body(it: AsyncIterator[object]) -> None:
        await walk(it, fn, conc, on_value)

    await consume(source, body)
    return found[0] if found else None


async def some(source: AsyncIterable[object], fn: Fn, concurrency: int = 1) -> bool:
    """``Readable.some``."""
    check_fn(fn)
    conc = check_concurrency(concurrency)
    hit = False

    async def on_value(chunk: object, ok: object) -> None:
        nonlocal hit
        if ok:
            hit = True
            raise Stop

    async def body(it: AsyncIterator[object]) -> None:
        await walk(it, fn, conc, on_value)

    await consume(source, body)
    return hit


async def every(source: AsyncIterable[object], fn: Fn, concurrency: int = 1) -> bool:
    """``Readable.every``."""
    check_fn(fn)

    async def negated(chunk: object) -> bool:
        return not await _value(fn(chunk))

    return not await some(source, negated, concurrency)
