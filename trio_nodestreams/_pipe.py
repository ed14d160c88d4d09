"""``readable.pipe(dest)`` (node: lib/internal/streams/readable.js, Readable.prototype.pipe).

The pump is event driven, exactly as Node's: each ``'data'`` chunk is written
synchronously; a False from ``write()`` pauses the source until the
destination's ``'drain'``. It runs inside the scope's deferred-call task, so
no task is spent per chunk and nothing outlives the scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from . import _destroy
from ._state import Chunk, Destination, ReadableState, StreamLike, nop

if TYPE_CHECKING:
    from ._events import Listener
    from ._scope import Scope


class Source(Protocol):
    """The Readable that pipes."""

    _events: dict[str, tuple[Listener, ...]]

    @property
    def _readable_state(self) -> ReadableState: ...

    @property
    def _scope(self) -> Scope: ...

    def on(self, event: str, listener: Listener, /) -> object: ...

    def once(self, event: str, listener: Listener, /) -> object: ...

    def remove_listener(self, event: str, listener: Listener, /) -> object: ...

    def pause(self) -> object: ...

    def resume(self) -> object: ...

    def unpipe(self, dest: Destination | None = None) -> object: ...


def pipe(src: Source, dest: Destination, end: bool = True) -> None:
    """Pipe ``src`` into ``dest``; see :meth:`Readable.pipe`."""
    state = src._readable_state
    if len(state.pipes) == 1 and not state.multi_await_drain:
        state.multi_await_drain = True
        prev = state.await_drain_writers
        writers: set[Destination] = set()
        if prev is not None and not isinstance(prev, set):
            writers.add(prev)
        state.await_drain_writers = writers
    state.pipes.append(dest)

    ondrain: Callable[[], None] | None = None
    cleaned_up = False

    def onend() -> None:
        dest.end()

    def unpipe() -> None:
        src.unpipe(dest)

    end_fn = onend if end else unpipe
    if state.end_emitted:
        src._scope.next_tick(end_fn)
    else:
        src.once("end", end_fn)

    def onunpipe(readable: object, info: dict[str, bool] | None = None) -> None:
        if readable is src and info is not None and info.get("has_unpiped") is False:
            info["has_unpiped"] = True
            cleanup()

    def cleanup() -> None:
        nonlocal cleaned_up
        dest.remove_listener("close", onclose)
        dest.remove_listener("finish", onfinish)
        if ondrain is not None:
            dest.remove_listener("drain", ondrain)
        dest.remove_listener("error", onerror)
        dest.remove_listener("unpipe", onunpipe)
        src.remove_listener("end", onend)
        src.remove_listener("end", unpipe)
        src.remove_listener("data", ondata)
        if state.pipe_ondata is ondata:
            state.pipe_ondata = None
            state.pipe_write = state.pipe_pause = nop
        cleaned_up = True
        w = getattr(dest, "_writable_state", None)
        if ondrain is not None and state.await_drain_writers and (w is None or w.need_drain):
            ondrain()

    def pause() -> None:
        nonlocal ondrain
        if not cleaned_up:
            if len(state.pipes) == 1 and state.pipes[0] is dest:
                state.await_drain_writers = dest
                state.multi_await_drain = False
            elif len(state.pipes) > 1 and dest in state.pipes:
                writers = state.await_drain_writers
                if type(writers) is set:  # several pipes: multi_await_drain
                    writers.add(dest)
            src.pause()
        if ondrain is None:
            ondrain = _on_drain(src, dest)
            dest.on("drain", ondrain)

    dest.on("unpipe", onunpipe)
    write = dest.write

    def ondata(chunk: Chunk) -> None:
        if write(chunk) is False:
            pause()

    src.on("data", ondata)
    # What ondata does, for the per-chunk code that calls a lone listener itself.
    state.pipe_ondata = ondata
    state.pipe_write = write
    state.pipe_pause = pause

    def onerror(err: BaseException) -> None:
        unpipe()
        dest.remove_listener("error", onerror)
        if dest.listener_count("error") == 0:
            s = getattr(dest, "_writable_state", None) or getattr(dest, "_readable_state", None)
            if s is not None and not s.error_emitted:
                _destroy.error_or_destroy(cast(StreamLike, dest), err)
            else:
                dest.emit("error", err)

    dest.prepend_listener("error", onerror)

    def onclose() -> None:
        dest.remove_listener("finish", onfinish)
        unpipe()

    dest.once("close", onclose)

    def onfinish() -> None:
        dest.remove_listener("close", onclose)
        unpipe()

    dest.once("finish", onfinish)
    dest.emit("pipe", src)

    if getattr(dest, "writable_need_drain", False) is True:
        pause()
    elif not state.flowing:
        src.resume()


def _on_drain(src: Source, dest: Destination) -> Callable[[], None]:
    def ondrain() -> None:
        state = src._readable_state
        writers = state.await_drain_writers
        if writers is dest:
            state.await_drain_writers = None
        elif type(writers) is set:  # several pipes: multi_await_drain
            writers.discard(dest)
        if not state.await_drain_writers and "data" in src._events:
            src.resume()

    return ondrain
