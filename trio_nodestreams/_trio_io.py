"""Trio's stream protocol on top of Node's: ``receive_some``, ``send_all``, ``aclose``.

Node errors and Trio's resource errors meet here, once: a destroyed stream is
``trio.ClosedResourceError``; a failed one is ``trio.BrokenResourceError``
whose ``__cause__`` is the stream's own error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import trio

from ._events import EventEmitter

if TYPE_CHECKING:
    from ._readable import Readable
    from ._writable import Writable


class _Waiter:
    """One trio.Event armed by stream events; removes its listeners when done."""

    __slots__ = ("event", "events", "fire", "stream")

    def __init__(self, stream: Any, events: tuple[str, ...]) -> None:
        self.stream = stream
        self.events = events
        self.event = trio.Event()
        # One bound method, kept: listeners are removed by identity.
        self.fire = self._fire
        # The base-class methods: no flowing/paused mode side effects.
        for name in events:
            EventEmitter.on(stream, name, self.fire)

    def _fire(self, *_: Any) -> None:
        self.event.set()

    def close(self) -> None:
        for name in self.events:
            EventEmitter.remove_listener(self.stream, name, self.fire)


_RECEIVING = "_tns_receiving"
_TRIO_USER = "_tns_trio_user"
_CLOSED = "_tns_closed"


def _ignore_error(err: BaseException) -> None:
    pass


def adopt(stream: Any) -> None:
    """Mark ``stream`` as used through Trio's API, which reports its errors.

    Its errors reach the caller as ``BrokenResourceError`` from ``receive_some`` /
    ``send_all``, so an ``'error'`` event no one listens to must not also fail the scope.
    """
    if not getattr(stream, _TRIO_USER, False):
        setattr(stream, _TRIO_USER, True)
        EventEmitter.on(stream, "error", _ignore_error)


def _raise_for(stream: Any, what: str) -> None:
    if getattr(stream, _CLOSED, False):
        raise trio.ClosedResourceError(f"{what}: the stream was closed")
    err = stream.errored
    if err is not None:
        raise trio.BrokenResourceError(f"{what}: the stream failed") from err
    raise trio.ClosedResourceError(f"{what}: the stream was destroyed")


async def receive_some(stream: Readable, max_bytes: int | None) -> Any:
    """See :meth:`Readable.receive_some`."""
    if max_bytes is not None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
            raise TypeError("max_bytes must be an integer or None")
        if max_bytes < 1:
            raise ValueError("max_bytes must be >= 1")
    if getattr(stream, _RECEIVING, False):
        raise trio.BusyResourceError("another task is already receiving from this stream")
    state = stream._readable_state
    adopt(stream)
    if getattr(stream, _CLOSED, False):
        await trio.lowlevel.checkpoint()
        _raise_for(stream, "receive_some")
    setattr(stream, _RECEIVING, True)
    try:
        await trio.lowlevel.checkpoint_if_cancelled()
        if state.flowing is None:
            # Paused mode, without attaching a 'readable' listener for good.
            state.flowing = False
        while True:
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
            waiter = _Waiter(stream, ("readable", "end", "close", "error"))
            try:
                stream.read(0)
                if state.length == 0 and not state.ended and not state.destroyed:
                    await waiter.event.wait()
            finally:
                waiter.close()
    finally:
        setattr(stream, _RECEIVING, False)


async def send_all(stream: Writable, data: Any) -> None:
    """See :meth:`Writable.send_all`."""
    state = stream._writable_state
    adopt(stream)
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
    ok = stream.write(data)
    if ok:
        await trio.lowlevel.cancel_shielded_checkpoint()
        return
    await wait_writable(stream)


async def wait_writable(stream: Writable) -> None:
    """Wait until the stream does not need draining (or fails)."""
    state = stream._writable_state
    adopt(stream)
    if not stream.writable_need_drain:
        await trio.lowlevel.checkpoint()
        if state.destroyed or state.errored is not None:
            _raise_for(stream, "send_all")
        return
    waiter = _Waiter(stream, ("drain", "close", "error"))
    try:
        while stream.writable_need_drain and not state.destroyed and state.errored is None:
            await waiter.event.wait()
            waiter.event = trio.Event()
    finally:
        waiter.close()
    if state.errored is not None or (state.destroyed and not state.finished):
        _raise_for(stream, "send_all")


async def close_writable(stream: Writable, closing: bool = True) -> None:
    """End ``stream`` and wait for ``'finish'``; destroy it if that wait is cancelled or fails."""
    from ._finished import eos

    adopt(stream)
    if closing:
        setattr(stream, _CLOSED, True)
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


async def send_eof(stream: Writable) -> None:
    """See :meth:`Duplex.send_eof`: a second call (or one after ``end()``) only checkpoints."""
    if stream._writable_state.ending:
        await trio.lowlevel.checkpoint()
        return
    await close_writable(stream, closing=False)


async def close_readable(stream: Any) -> None:
    """See :meth:`Readable.aclose`; a Duplex first flushes and ends its writable side."""
    adopt(stream)
    w = stream._writable_state
    if w is not None and not w.destroyed and not w.ending and w.errored is None:
        try:
            await close_writable(stream, closing=False)
        except trio.BrokenResourceError:
            pass
    setattr(stream, _CLOSED, True)
    stream.destroy()
    await trio.lowlevel.checkpoint()
