"""``Readable.from_iterable`` (node: lib/internal/streams/from.js).

As in Node, the function is given the class to instantiate, so it needs no
import of the Readable module (which calls it from a classmethod).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from ._errors import err_invalid_arg_type, err_stream_null_values
from ._feeder import Emit, FedStream, Feeder
from ._iterops import aclose_all, is_async_iterable
from ._state import Callback

if TYPE_CHECKING:
    from ._scope import Scope


class Constructible(FedStream, Protocol):
    """A Readable class instance as from_iterable makes it."""


R = TypeVar("R", bound=Constructible)


def from_iterable(
    cls: Callable[..., R],
    iterable: object,
    *,
    object_mode: bool = True,
    high_water_mark: int | None = None,
    encoding: str | None = None,
    scope: Scope | None = None,
) -> R:
    """See :meth:`Readable.from_iterable`; ``cls`` is the class to instantiate."""
    if isinstance(iterable, str | bytes | bytearray | memoryview):
        chunk = bytes(iterable) if isinstance(iterable, bytearray | memoryview) else iterable

        def read_once(stream: Constructible, size: int) -> None:
            stream.push(chunk)
            stream.push(None)

        return cls(
            object_mode=object_mode,
            high_water_mark=high_water_mark,
            encoding=encoding,
            read=read_once,
            scope=scope,
        )
    hwm = 1 if high_water_mark is None else high_water_mark
    if is_async_iterable(iterable):
        aiterator = cast(AsyncIterable[object], iterable).__aiter__()

        async def produce(emit: Emit) -> None:
            try:
                await _drain_async(aiterator, emit)
            finally:
                await aclose_all([aiterator])

        async def cleanup() -> None:
            await aclose_all([aiterator])

        feeder = Feeder(produce, cleanup)
        return cls(
            object_mode=object_mode,
            high_water_mark=hwm,
            encoding=encoding,
            scope=scope,
            read=feeder.read,
            destroy=feeder.destroy,
        )
    if callable(getattr(iterable, "__iter__", None)):
        iterator: Iterator[object] = iter(cast(Iterable[object], iterable))

        def read(stream: Constructible, size: int) -> None:
            while True:
                try:
                    value = next(iterator)
                except StopIteration:
                    stream.push(None)
                    return
                except Exception as exc:
                    stream.destroy(exc)
                    return
                if value is None:
                    stream.destroy(err_stream_null_values())
                    return
                if not stream.push(value):
                    return

        def destroy(stream: Constructible, err: BaseException | None, callback: Callback) -> None:
            close = getattr(iterator, "close", None)
            try:
                if close is not None:
                    close()
            except Exception as exc:
                err = exc
            stream._scope.next_tick(callback, err)

        return cls(
            object_mode=object_mode,
            high_water_mark=hwm,
            encoding=encoding,
            scope=scope,
            read=read,
            destroy=destroy,
        )
    raise err_invalid_arg_type("iterable", "of type Iterable", iterable)


async def _drain_async(aiterator: AsyncIterator[object], emit: Emit) -> None:
    while True:
        try:
            value = await aiterator.__anext__()
        except StopAsyncIteration:
            return
        if inspect.isawaitable(value):
            value = await value
        await emit(value)
