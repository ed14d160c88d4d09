"""End-of-stream detection (node: lib/internal/streams/end-of-stream.js, utils.js).

:func:`eos` is Node's callback ``finished(stream, opts, cb)``; :func:`finished`
is its Trio form, an async function that returns on a clean end and raises
otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

import trio

from ._errors import err_invalid_arg_type, err_stream_premature_close
from ._events import Listener, fit

if TYPE_CHECKING:
    from ._scope import Scope
    from ._state import ReadableState, WritableState

Callback = Callable[..., object]


class Emitter(Protocol):
    """What :func:`eos` and :func:`finished` watch: a stream, or anything emitting like one
    (``'end'``, ``'finish'``, ``'error'``, ``'close'``) that has ``write`` or ``pipe``."""

    def on(self, event: str, listener: Listener, /) -> object: ...

    def remove_listener(self, event: str, listener: Listener, /) -> object: ...


class _Watched(Emitter, Protocol):
    _scope: Scope
    destroyed: bool


def _rstate(stream: object) -> ReadableState | None:
    state: ReadableState | None = getattr(stream, "_readable_state", None)
    return state


def _wstate(stream: object) -> WritableState | None:
    state: WritableState | None = getattr(stream, "_writable_state", None)
    return state


def is_node_stream(obj: object) -> bool:
    """Whether ``obj`` looks like one of our streams (or an emitter with pipe/write)."""
    return (
        _rstate(obj) is not None
        or _wstate(obj) is not None
        or (callable(getattr(obj, "on", None)) and (callable(getattr(obj, "write", None)) or callable(getattr(obj, "pipe", None))))
    )


def is_readable_node_stream(obj: object) -> bool:
    """Whether ``obj`` has a usable readable side."""
    if not (callable(getattr(obj, "pipe", None)) and callable(getattr(obj, "on", None))):
        return False
    w, r = _wstate(obj), _rstate(obj)
    if w is None:
        return True
    return r is not None and r.readable is not False


def is_writable_node_stream(obj: object) -> bool:
    """Whether ``obj`` has a usable writable side."""
    if not (callable(getattr(obj, "write", None)) and callable(getattr(obj, "on", None))):
        return False
    r, w = _rstate(obj), _wstate(obj)
    if r is None:
        return True
    return w is not None and w.writable is not False


def is_destroyed(stream: object) -> bool:
    """Whether ``stream`` is destroyed."""
    state = _wstate(stream) or _rstate(stream)
    return bool(getattr(stream, "destroyed", False) or (state is not None and state.destroyed))


def is_writable_finished(stream: object, strict: bool = True) -> bool | None:
    """Whether the writable side finished (non-strict: ended with nothing pending)."""
    if not is_writable_node_stream(stream):
        return None
    if getattr(stream, "writable_finished", False) is True:
        return True
    w = _wstate(stream)
    if w is None:
        return None
    if w.errored is not None:
        return False
    return bool(w.finished or (not strict and w.ended and w.length == 0))


def is_readable_finished(stream: object, strict: bool = True) -> bool | None:
    """Whether the readable side ended (non-strict: ended with nothing buffered)."""
    if not is_readable_node_stream(stream):
        return None
    r = _rstate(stream)
    if r is None:
        return None
    if r.errored is not None:
        return False
    return bool(r.end_emitted or (not strict and r.ended and r.length == 0))


def is_readable(stream: object) -> bool | None:
    """Whether the readable side may still produce data."""
    value = getattr(stream, "readable", None)
    if not isinstance(value, bool):
        return None
    if is_destroyed(stream):
        return False
    return is_readable_node_stream(stream) and value and not is_readable_finished(stream)


def is_writable(stream: object) -> bool | None:
    """Whether the writable side may still accept data."""
    value = getattr(stream, "writable", None)
    if not isinstance(value, bool):
        return None
    if is_destroyed(stream):
        return False
    w = _wstate(stream)
    ended = getattr(stream, "writable_ended", False) or (w is not None and w.ended and w.errored is None)
    return is_writable_node_stream(stream) and value and not ended


def is_finished(stream: object, readable: bool = True, writable: bool = True) -> bool:
    """Whether ``stream`` is done on the sides asked about."""
    if is_destroyed(stream):
        return True
    if readable and is_readable(stream):
        return False
    return not (writable and is_writable(stream))


def _errored(stream: object) -> BaseException | None:
    w, r = _wstate(stream), _rstate(stream)
    if w is not None and w.errored is not None:
        return w.errored
    if r is not None and r.errored is not None:
        return r.errored
    return None


def _will_emit_close(stream: object) -> bool:
    state = _wstate(stream) or _rstate(stream)
    return bool(state is not None and state.auto_destroy and state.emit_close and not state.closed)


def _is_closed(stream: object) -> bool:
    state = _wstate(stream) or _rstate(stream)
    return bool(state is not None and state.closed) or getattr(stream, "closed", False) is True


def eos(
    stream: Emitter,
    callback: Callback,
    *,
    readable: bool | None = None,
    writable: bool | None = None,
    error: bool = True,
) -> Callable[[], None]:
    """Call ``callback(err)`` once ``stream`` is done (Node's ``stream.finished``); ``err``
    is None on a clean end. A callback taking no argument is called without it.

    Returns:
      A function that removes every listener this call added.
    """
    if not is_node_stream(stream):
        raise err_invalid_arg_type("stream", "an instance of Stream", stream)
    watched = cast(_Watched, stream)
    done = False
    # Node calls back with the error (undefined when there is none); a callback that
    # takes no argument is called without it, as JavaScript would.
    report = fit(callback, 1)

    def call(err: BaseException | None = None) -> None:
        nonlocal done
        if done:
            return
        done = True
        report(err)

    want_r = is_readable_node_stream(stream) if readable is None else readable
    want_w = is_writable_node_stream(stream) if writable is None else writable
    w_state, r_state = _wstate(stream), _rstate(stream)
    will_emit_close = (
        _will_emit_close(stream)
        and is_readable_node_stream(stream) == want_r
        and is_writable_node_stream(stream) == want_w
    )
    writable_finished = bool(is_writable_finished(stream, False))
    readable_finished = bool(is_readable_finished(stream, False))

    def onfinish() -> None:
        nonlocal writable_finished, will_emit_close
        writable_finished = True
        if watched.destroyed:
            will_emit_close = False
        if will_emit_close and (not getattr(stream, "readable", False) or want_r):
            return
        if not want_r or readable_finished:
            call()

    def onend() -> None:
        nonlocal readable_finished, will_emit_close
        readable_finished = True
        if watched.destroyed:
            will_emit_close = False
        if will_emit_close and (not getattr(stream, "writable", False) or want_w):
            return
        if not want_w or writable_finished:
            call()

    def onerror(err: BaseException) -> None:
        call(err)

    def onclose() -> None:
        err = _errored(stream)
        if err is not None:
            call(err)
            return
        if want_r and not readable_finished and is_readable_node_stream(stream) and not is_readable_finished(stream, False):
            call(err_stream_premature_close())
            return
        if want_w and not writable_finished and not is_writable_finished(stream, False):
            call(err_stream_premature_close())
            return
        call()

    def onclosed() -> None:
        err = _errored(stream)
        call(err)

    aborted_listened = not will_emit_close and isinstance(getattr(stream, "aborted", None), bool)
    if aborted_listened:
        stream.on("aborted", onclose)
    stream.on("end", onend)
    stream.on("finish", onfinish)
    if error:
        stream.on("error", onerror)
    stream.on("close", onclose)

    scope = watched._scope
    if _is_closed(stream):
        scope.next_tick(onclose)
    elif (w_state is not None and w_state.error_emitted) or (r_state is not None and r_state.error_emitted):
        if not will_emit_close:
            scope.next_tick(onclosed)
    elif (
        (not want_r and (not will_emit_close or is_readable(stream)) and (writable_finished or is_writable(stream) is False))
        or (not want_w and (not will_emit_close or is_writable(stream)) and (readable_finished or is_readable(stream) is False))
    ):
        scope.next_tick(onclosed)

    def cleanup() -> None:
        nonlocal done
        done = True
        if aborted_listened:
            stream.remove_listener("aborted", onclose)
        stream.remove_listener("end", onend)
        stream.remove_listener("finish", onfinish)
        stream.remove_listener("error", onerror)
        stream.remove_listener("close", onclose)

    return cleanup


async def finished(stream: Emitter, *, readable: bool | None = None, writable: bool | None = None) -> None:
    """Wait until ``stream`` is done.

    Returns on a clean end (``'end'`` / ``'finish'``, as asked).

    Raises:
      NodeError: ``ERR_STREAM_PREMATURE_CLOSE`` when it closed early, or the stream's own error.

    Cancellation:
      Only the waiting stops; the stream is left as it is.
    """
    event = trio.Event()
    outcome: list[BaseException | None] = []

    def cb(err: BaseException | None = None) -> None:
        outcome.append(err)
        event.set()

    cleanup = eos(stream, cb, readable=readable, writable=writable)
    try:
        await event.wait()
    finally:
        cleanup()
    if outcome[0] is not None:
        raise outcome[0]
