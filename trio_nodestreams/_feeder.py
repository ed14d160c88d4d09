"""A Readable fed by an async producer, only while it wants data.

Used wherever the data comes from something awaited: an async iterable
(``Readable.from_iterable``), a Trio stream or channel, an operator's body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

import trio

from ._async_impl import AsyncHost, run_async
from ._errors import err_stream_null_values

if TYPE_CHECKING:
    from ._state import Callback, ReadableState

#: ``await emit(value)`` pushes ``value`` and returns once the stream wants more.
Emit = Callable[[object], Awaitable[None]]
Produce = Callable[[Emit], Awaitable[None]]


class FedStream(AsyncHost, Protocol):
    """The Readable a :class:`Feeder` pushes into."""

    @property
    def _readable_state(self) -> ReadableState: ...

    def push(self, chunk: object, encoding: str | None = None) -> bool: ...

    def destroy(self, err: BaseException | None = None, callback: Callback | None = None) -> object: ...


class _GaveUp(Exception):
    """The scope ended while a producer waited for demand that can no longer come."""


class Feeder:
    """Feed a Readable from one scope task, only while the Readable wants data.

    ``produce(emit)`` is an async function; ``await emit(value)`` pushes a
    value and returns once the stream wants more. When ``produce`` returns
    the stream ends; when it raises the stream is destroyed with the error.
    Destroying the stream cancels the task, then runs ``cleanup`` (if the
    task never started) before the destroy callback.

    :meth:`read` and :meth:`destroy` have the signatures of the ``read=`` and
    ``destroy=`` options: pass them to the stream's constructor.
    """

    __slots__ = (
        "_cancel",
        "_cleanup",
        "_count",
        "_produce",
        "_started",
        "_stream",
        "_waiter",
        "_want",
        "done",
    )

    def __init__(self, produce: Produce, cleanup: Callable[[], Awaitable[None]] | None = None) -> None:
        self._stream: FedStream | None = None
        self._produce = produce
        self._cleanup = cleanup
        self._started = False
        self._want = False
        self._waiter: trio.Event | None = None
        self._cancel: trio.CancelScope | None = None
        #: Set once the producer task has finished (or will never run).
        self.done = trio.Event()
        self._count = 0

    def read(self, stream: FedStream, size: int = 0) -> None:
        """The stream's ``_read``: start the task, or let it go on."""
        self._want = True
        waiter = self._waiter
        if waiter is not None:
            waiter.set()
        if not self._started:
            self.start(stream)

    def start(self, stream: FedStream) -> None:
        """Start the producer task now (a sink that must run without readers)."""
        if not self._started:
            self._started = True
            self._stream = stream
            stream._scope.start_soon(self._run, stream)

    async def emit(self, value: object) -> None:
        """Push ``value``; wait while the stream's buffer is full."""
        if value is None:
            raise err_stream_null_values()
        stream = self._stream
        assert stream is not None
        if stream._readable_state.destroyed:
            await trio.lowlevel.checkpoint()  # destroy() cancelled this task
            return
        self._want = False
        if stream.push(value) or self._want:
            # Yield to Trio now and then: a producer that never has to wait would
            # otherwise starve every other task.
            self._count += 1
            if self._count >= 64:
                self._count = 0
                await trio.lowlevel.checkpoint()
            return
        while not self._want:
            self._waiter = trio.Event()
            try:
                woken = await stream._scope.park(self._waiter)
            finally:
                self._waiter = None
            if not woken:
                raise _GaveUp()

    async def _run(self, stream: FedStream) -> None:
        try:
            with trio.CancelScope() as cs:
                self._cancel = cs
                if stream._readable_state.destroyed:
                    cs.cancel()
                try:
                    await self._produce(self.emit)
                except _GaveUp:
                    if not stream._readable_state.destroyed:
                        stream.destroy()
                except Exception as exc:
                    if not stream._readable_state.destroyed:
                        stream.destroy(exc)
                else:
                    if not stream._readable_state.destroyed:
                        stream.push(None)
        finally:
            self.done.set()

    def destroy(self, stream: FedStream, err: BaseException | None, callback: Callback) -> None:
        """The stream's ``_destroy``: stop the task, clean up, then ``callback(err)``."""
        if not self._started:
            cleanup = self._cleanup
            if cleanup is None:
                callback(err)
                return
            self._started = True
            self.done.set()

            async def run_cleanup() -> None:
                await cleanup()

            run_async(stream, run_cleanup, (), lambda exc, _r: callback(exc or err))
            return
        if self._cancel is not None:
            self._cancel.cancel()
        if self.done.is_set():
            callback(err)
            return

        async def wait_done() -> None:
            await self.done.wait()

        run_async(stream, wait_done, (), lambda exc, _r: callback(exc or err))
