"""Trio's stream contract on top of Node's: ``receive_some``, ``send_all``, ``aclose``.

Node errors and Trio's resource errors meet here, once: a stream closed with
``aclose()`` or destroyed is ``trio.ClosedResourceError``; a failed one is
``trio.BrokenResourceError`` whose ``__cause__`` is the stream's own error;
two tasks in ``receive_some`` (or in ``send_all`` / ``wait_send_all_might_not_block`` /
``send_eof``) at once is ``trio.BusyResourceError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

import attrs
import trio

from ._errors import err_scope_closed
from ._events import EventEmitter
from ._finished import eos
from ._state import StreamLike

if TYPE_CHECKING:
    from ._state import ReadableState, WritableState


@attrs.define(eq=False)
class TrioUse:
    """How a stream is used through Trio's API (made on first use)."""

    #: A task is in ``receive_some``.
    receiving: bool = False
    #: A task is in ``send_all`` or ``wait_send_all_might_not_block``.
    sending: bool = False
    #: ``aclose()`` was called: later calls raise ``ClosedResourceError``.
    closed: bool = False


class TrioStream(StreamLike, Protocol):
    """A stream as the functions below use it."""

    _trio: TrioUse | None

    @property
    def errored(self) -> BaseException | None: ...


class Receiver(TrioStream, Protocol):
    """A stream with a readable side."""

    @property
    def _readable_state(self) -> ReadableState: ...

    def read(self, size: int | None = None) -> object: ...


class Sender(TrioStream, Protocol):
    """A stream with a writable side."""

    @property
    def _writable_state(self) -> WritableState: ...

    @property
    def writable_need_drain(self) -> bool: ...

    def write(self, chunk: Any, /) -> bool: ...

    def end(self) -> object: ...


class _Waiter:
    """One trio.Event armed by stream events; removes its listeners when done."""

    __slots__ = ("event", "events", "fire", "stream")

    def __init__(self, stream: EventEmitter, events: tuple[str, ...]) -> None:
        self.stream = stream
        self.events = events
        self.event = trio.Event()
        # One bound method, kept: listeners are removed by identity.
        self.fire = self._fire
        # The base-class methods: no flowing/paused mode side effects.
        for name in events:
            EventEmitter.on(stream, name, self.fire)

    def _fire(self, *_: object) -> None:
        self.event.set()

    def close(self) -> None:
        for name in self.events:
            EventEmitter.remove_listener(self.stream, name, self.fire)


def _ignore_error(err: BaseException) -> None:
    pass


def adopt(stream: TrioStream) -> TrioUse:
    """Mark ``stream`` as used through Trio's API, which reports its errors.

    Its errors reach the caller as ``BrokenResourceError`` from ``receive_some`` /
    ``send_all``, so an ``'error'`` event no one listens to must not also fail the scope.

    Raises:
      trio.ClosedResourceError: the stream's scope has exited (its ``__cause__`` is
        ``ERR_SCOPE_CLOSED``).
    """
    r, w = stream._readable_state, stream._writable_state
    if (r is not None and r.scope_closed) or (w is not None and w.scope_closed):
        raise trio.ClosedResourceError("the stream's scope has exited") from err_scope_closed()
    use = stream._trio
    if use is None:
        use = stream._trio = TrioUse()
        assert isinstance(stream, EventEmitter)
        EventEmitter.on(stream, "error", _ignore_error)
    return use


def _raise_for(stream: TrioStream, what: str) -> None:
    use = stream._trio
    if use is not None and use.closed:
        raise trio.ClosedResourceError(f"{what}: the stream was closed")
    err = stream.errored
    if err is not None:
        raise trio.BrokenResourceError(f"{what}: the stream failed") from err
    raise trio.ClosedResourceError(f"{what}: the stream was destroyed")


async def receive_some(stream: Receiver, max_bytes: int | None) -> object:
    """See :meth:`Readable.receive_some`."""
    if max_bytes is not None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
            raise TypeError("max_bytes must be an integer or None")
        if max_bytes < 1:
            raise ValueError("max_bytes must be >= 1")
    use = adopt(stream)
    if use.receiving:
        raise trio.BusyResourceError("another task is already receiving from this stream")
    state = stream._readable_state
    if use.closed:
        await trio.lowlevel.checkpoint()
        _raise_for(stream, "receive_some")
    use.receiving = True
    try:
        await trio.lowlevel.checkpoint_if_cancelled()
        if state.flowing is None:
            # Paused mode, without attaching a 'readable' listener for good.
            state.flowing = False
        while True:
            if use.closed:
                # aclose() from another task wakes this one: closed, whatever is buffered.
                _raise_for(stream, "receive_some")
            if state.destroyed:
                # Like Node's async iterator: nothing more comes out of a destroyed
                # stream, whatever is still buffered.
                if state.end_emitted and state.errored is None:
                    await trio.lowlevel.cancel_shielded_checkpoint()
                    return b"" if not state.object_mode else None
                _raise_for(stream, "receive_some")
            if state.length:
                n = state.length
                if max_bytes is not None and not state.object_mode and state.decoder is None:
                    n = min(n, max_bytes)
                chunk = stream.read(n if not state.object_mode else None)
                if chunk is not None:
                    await trio.lowlevel.cancel_shielded_checkpoint()
                    return chunk
            if state.ended and state.length == 0:
                # Let 'end' be emitted in order before reporting EOF.
                if not state.end_emitted:
                    stream.read(0)
                await trio.lowlevel.cancel_shielded_checkpoint()
                return b"" if not state.object_mode else None
            assert isinstance(stream, EventEmitter)
            waiter = _Waiter(stream, ("readable", "end", "close", "error"))
            try:
                stream.read(0)
                if state.length == 0 and not state.ended and not state.destroyed:
                    await waiter.event.wait()
            finally:
                waiter.close()
    finally:
        use.receiving = False


async def send_all(stream: Sender, data: object) -> None:
    """See :meth:`Writable.send_all`."""
    use = adopt(stream)
    if use.sending:
        raise trio.BusyResourceError("another task is already sending on this stream")
    use.sending = True
    try:
        state = stream._writable_state
        await trio.lowlevel.checkpoint_if_cancelled()
        if state.destroyed or state.errored is not None:
            _raise_for(stream, "send_all")
        if state.ending:
            raise trio.ClosedResourceError("send_all after end()")
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        if not data and not state.object_mode:
            await trio.lowlevel.cancel_shielded_checkpoint()
            return
        if stream.write(data):
            await trio.lowlevel.cancel_shielded_checkpoint()
            return
        await _wait_drained(stream, state)
    finally:
        use.sending = False


async def wait_writable(stream: Sender) -> None:
    """See :meth:`Writable.wait_send_all_might_not_block`."""
    use = adopt(stream)
    if use.sending:
        raise trio.BusyResourceError("another task is already sending on this stream")
    use.sending = True
    try:
        state = stream._writable_state
        if use.closed:
            await trio.lowlevel.checkpoint()
            _raise_for(stream, "wait_send_all_might_not_block")
        await _wait_drained(stream, state)
    finally:
        use.sending = False


async def _wait_drained(stream: Sender, state: WritableState) -> None:
    if not stream.writable_need_drain:
        await trio.lowlevel.checkpoint()
        if state.destroyed or state.errored is not None:
            _raise_for(stream, "send_all")
        return
    assert isinstance(stream, EventEmitter)
    waiter = _Waiter(stream, ("drain", "close", "error"))
    try:
        while stream.writable_need_drain and not state.destroyed and state.errored is None:
            await waiter.event.wait()
            waiter.event = trio.Event()
    finally:
        waiter.close()
    if state.errored is not None or (state.destroyed and not state.finished):
        _raise_for(stream, "send_all")


async def close_writable(stream: Sender, closing: bool = True) -> None:
    """End ``stream`` and wait for ``'finish'``; destroy it if that wait is cancelled or fails."""
    use = adopt(stream)
    if closing:
        use.closed = True
    state = stream._writable_state
    if state.destroyed:
        await trio.lowlevel.checkpoint()
        return
    done = trio.Event()
    result: list[BaseException | None] = []

    def cb(err: BaseException | None = None) -> None:
        result.append(err)
        done.set()

    cleanup = eos(stream, cb, readable=False)
    try:
        if not state.ending:
            stream.end()
        await done.wait()
    except BaseException:
        stream.destroy()
        raise
    finally:
        cleanup()
    if result and result[0] is not None and not isinstance(result[0], trio.Cancelled):
        err = result[0]
        if getattr(err, "code", None) != "ERR_STREAM_PREMATURE_CLOSE":
            raise trio.BrokenResourceError("aclose: the stream failed") from err


async def send_eof(stream: Sender) -> None:
    """See :meth:`Duplex.send_eof`: a second call (or one after ``end()``) only checkpoints."""
    use = adopt(stream)
    if use.sending:
        raise trio.BusyResourceError("another task is sending on this stream")
    state = stream._writable_state
    if state.ending:
        await trio.lowlevel.checkpoint()
        return
    use.sending = True
    try:
        await close_writable(stream, closing=False)
    finally:
        use.sending = False


async def close_readable(stream: Receiver) -> None:
    """See :meth:`Readable.aclose`; a Duplex first flushes and ends its writable side."""
    use = adopt(stream)
    # Closed from now on, even if the flush below is cancelled (aclose_forcefully).
    use.closed = True
    w = stream._writable_state
    if w is not None and not w.destroyed and not w.ending and w.errored is None:
        try:
            await close_writable(cast(Sender, stream), closing=False)
        except trio.BrokenResourceError:
            pass
    stream.destroy()
    await trio.lowlevel.checkpoint()

