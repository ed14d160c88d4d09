"""What a stream knows about itself: ReadableState and WritableState.

(node: the ReadableState and WritableState constructors of
lib/internal/streams/readable.js and writable.js)

One object per side holds every flag and counter, so that the functions that
drive a Readable, a Writable or a Duplex work on the state and not on the
class: a Duplex is a Readable and a Writable sharing these functions. They are
slotted attrs classes: reading a field is a slot read, and making one is a
single generated ``__init__``.

The stream classes themselves are plain classes: Duplex inherits from both
Readable and Writable (a diamond), users subclass them and the HTTP classes
mix them with other bases, none of which attrs classes allow without giving up
slots or the generated ``__init__``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import attrs

from ._buffer_list import BufferList
from ._buffer_list import Chunk as Chunk
from ._encoding import StringDecoder
from ._errors import NodeTypeError, err_out_of_range

if TYPE_CHECKING:
    from ._events import Listener
    from ._scope import Scope

#: Callbacks in Node's style: ``cb(err=None, *values)``.
Callback = Callable[..., object]


#: Default high-water marks (Node >= 22: 64 KiB for bytes, 16 objects).
DEFAULT_HIGH_WATER_MARK = 64 * 1024
DEFAULT_OBJECT_HIGH_WATER_MARK = 16
# Node refuses to grow the high-water mark past 1 GiB when read(n) asks for more.
_MAX_HWM = 0x40000000


def get_default_high_water_mark(object_mode: bool = False) -> int:
    """The high-water mark streams get when none is given."""
    return DEFAULT_OBJECT_HIGH_WATER_MARK if object_mode else DEFAULT_HIGH_WATER_MARK


def high_water_mark(value: object, name: str, object_mode: bool) -> int:
    """Validate the ``high_water_mark`` option (None: the default for the mode).

    Raises:
      NodeTypeError: ``ERR_INVALID_ARG_VALUE`` for a negative or non-numeric value.
    """
    if value is None:
        return get_default_high_water_mark(object_mode)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value < 0
        or value != value  # NaN
    ):
        raise NodeTypeError(
            "ERR_INVALID_ARG_VALUE", f"The property 'options.{name}' is invalid. Received {value!r}"
        )
    return int(value)


def grown_high_water_mark(n: int) -> int:
    """The high-water mark after ``read(n)`` asked for more than it: the next power of two.

    Raises:
      NodeRangeError: ``ERR_OUT_OF_RANGE`` above 1 GiB.
    """
    if n > _MAX_HWM:
        raise err_out_of_range("size", "<= 1GiB", n)
    return 1 << (n - 1).bit_length()


def nop(*_: object) -> None:
    """The write callback of a ``write()`` given none."""


class Destination(Protocol):
    """What ``pipe()`` writes into: a Writable, or anything that writes and emits like one."""

    def write(self, chunk: object, /) -> bool: ...

    def end(self) -> object: ...

    def on(self, event: str, listener: Listener, /) -> object: ...

    def once(self, event: str, listener: Listener, /) -> object: ...

    def prepend_listener(self, event: str, listener: Listener, /) -> object: ...

    def remove_listener(self, event: str, listener: Listener, /) -> object: ...

    def listener_count(self, event: str, /) -> int: ...

    def emit(self, event: str, /, *args: object) -> bool: ...


class StreamLike(Protocol):
    """What the shared stream machinery needs: either state may be None (one-sided streams)."""

    @property
    def _readable_state(self) -> ReadableState | None: ...

    @property
    def _writable_state(self) -> WritableState | None: ...

    @property
    def _scope(self) -> Scope: ...

    def emit(self, event: str, /, *args: object) -> bool: ...

    def on(self, event: str, listener: Listener, /) -> object: ...

    def once(self, event: str, listener: Listener, /) -> object: ...

    def remove_listener(self, event: str, listener: Listener, /) -> object: ...

    def listener_count(self, event: str, /) -> int: ...

    def destroy(self, err: BaseException | None = None, callback: Callback | None = None) -> object: ...

    @property
    def destroyed(self) -> bool: ...


def _decoder(encoding: str | None) -> StringDecoder | None:
    return StringDecoder(encoding) if encoding else None


@attrs.define(eq=False)
class ReadableState:
    """Everything a Readable knows about itself; the field comments say what each one is for."""

    #: Chunks are any object but None, and ``length`` counts them instead of bytes.
    object_mode: bool
    #: ``push()`` returns False, and ``_read`` stops being called, once ``length`` reaches it.
    high_water_mark: int
    #: Emit ``'close'`` once destroyed.
    emit_close: bool = True
    #: Destroy the stream after ``'end'`` (and after an error).
    auto_destroy: bool = True
    #: Encoding of ``str`` chunks pushed without one: they are turned into bytes with it.
    default_encoding: str = "utf8"
    #: Decodes bytes to text once ``set_encoding()`` (or ``encoding=``) asked for ``str`` chunks.
    decoder: StringDecoder | None = attrs.field(default=None)
    #: The canonical name of the decoder's encoding, None while chunks stay bytes.
    encoding: str | None = None
    #: The buffered chunks, and their size (bytes, UTF-16 units of text, or objects).
    buffer: BufferList = attrs.Factory(BufferList)
    length: int = 0
    #: The destinations of ``pipe()``.
    pipes: list[Destination] = attrs.Factory(list)
    #: None: nobody consumes yet; True: flowing (``'data'`` carries the chunks);
    #: False: paused (``read()`` takes them). Reading starts only once it is not None.
    flowing: bool | None = None
    #: ``pause()`` was called (None: neither it nor ``resume()`` ever was).
    paused: bool | None = None
    #: ``push(None)`` was called: nothing more will be added, though ``'end'``
    #: waits until the buffer is empty.
    ended: bool = False
    #: ``'end'`` was emitted.
    end_emitted: bool = False
    #: A ``_read`` call is waiting for its ``push()``: no other is started meanwhile.
    reading: bool = False
    #: ``_construct`` has finished (True when there is none); nothing is read before.
    constructed: bool = True
    #: True while inside ``_read``: a ``push()`` made synchronously from there must not
    #: emit ``'data'`` or ``'readable'`` straight away, or the caller of ``read()`` would
    #: see events before it gets its return value. Starts True: nothing is emitted
    #: before the first ``read()``.
    sync: bool = True
    #: ``read()`` returned nothing (or too little): emit ``'readable'`` when data arrives.
    need_readable: bool = False
    #: A ``'readable'`` is queued or was emitted and not yet answered by a ``read()``;
    #: avoids emitting it twice for one arrival.
    emitted_readable: bool = False
    #: A ``'readable'`` listener exists: paused mode takes priority over ``'data'``.
    readable_listening: bool = False
    #: ``resume()`` queued the switch to flowing mode for the next tick.
    resume_scheduled: bool = False
    #: ``'error'`` was emitted (only once per stream).
    error_emitted: bool = False
    #: ``destroy()`` was called.
    destroyed: bool = False
    #: The error the stream was destroyed or failed with.
    errored: BaseException | None = None
    #: Destroying completed (``_destroy`` called back); ``'close'`` is emitted or due.
    closed: bool = False
    #: ``'close'`` was emitted.
    close_emitted: bool = False
    #: The pipe destination(s) whose ``'drain'`` we wait for before flowing again:
    #: one destination, or a set once there is more than one pipe (``multi_await_drain``).
    await_drain_writers: Destination | set[Destination] | None = None
    multi_await_drain: bool = False
    #: The read-ahead up to ``high_water_mark`` is queued for the next tick.
    reading_more: bool = False
    #: ``'data'`` was emitted at least once (``readable_did_read``).
    data_emitted: bool = False
    #: False for the readable side of a Duplex made with ``readable=False``.
    readable: bool = True
    #: The ``'data'`` listener of the last ``pipe()`` and what it does, ``if pipe_write(chunk)
    #: is False: pipe_pause()``: per-chunk code that finds it the lone listener does those two
    #: steps itself rather than call it.
    pipe_ondata: Listener | None = None
    pipe_write: Callable[[Chunk], object] = nop
    pipe_pause: Callable[[], object] = nop
    #: The scope's block exited: nothing can run the stream's deferred steps any more,
    #: so using it raises ``ERR_SCOPE_CLOSED``.
    scope_closed: bool = False

    def set_decoder(self, encoding: str | None) -> None:
        """Decode chunks with ``encoding`` from now on (None: keep bytes)."""
        decoder = _decoder(encoding)
        self.decoder = decoder
        self.encoding = decoder.encoding if decoder is not None else None


@attrs.define(eq=False)
class AfterWrite:
    """Write callbacks due on the next tick, counted: consecutive synchronous writes with
    the same callback share one deferred call (Node's afterWriteTickInfo)."""

    stream: StreamLike
    state: WritableState
    cb: Callback
    count: int = 1


#: One buffered write: ``(chunk, encoding, callback)``.
BufferedWrite = tuple[Chunk, str | None, Callback]


@attrs.define(eq=False)
class WritableState:
    """Everything a Writable knows about itself; the field comments say what each one is for."""

    #: Chunks are any object but None, and ``length`` counts them instead of bytes.
    object_mode: bool
    #: ``write()`` returns False once ``length`` reaches it.
    high_water_mark: int
    #: Encode ``str`` chunks to bytes before ``_write`` sees them.
    decode_strings: bool = True
    #: The encoding of ``str`` chunks written without one.
    default_encoding: str = "utf8"
    #: Emit ``'close'`` once destroyed.
    emit_close: bool = True
    #: Destroy the stream after ``'finish'`` (and after an error).
    auto_destroy: bool = True
    #: ``_final`` was called (it runs once, before ``'prefinish'``).
    final_called: bool = False
    #: ``write()`` returned False: emit ``'drain'`` once the buffer has emptied.
    need_drain: bool = False
    #: ``end()`` was called; ``ended``: ``end()`` has returned (its chunk is written);
    #: ``finished``: ``'finish'`` was emitted.
    ending: bool = False
    ended: bool = False
    finished: bool = False
    #: ``destroy()`` was called.
    destroyed: bool = False
    #: Bytes (or objects) written but not yet acknowledged by ``_write``'s callback;
    #: ``write()``'s return value compares it with ``high_water_mark``.
    length: int = 0
    #: A ``_write`` (or ``_writev``) is in progress: new writes are buffered.
    writing: bool = False
    #: ``cork()`` depth: writes are buffered while it is above zero.
    corked: int = 0
    #: True while inside ``_write``: a callback made synchronously from there defers
    #: the user's callback and ``'drain'`` to the next tick, so the caller of
    #: ``write()`` gets its return value before any of them run.
    sync: bool = True
    #: Guards against clearing the buffer re-entrantly from a write callback.
    buffer_processing: bool = False
    #: The callback handed to ``_write``, made once per stream.
    onwrite: Callback = nop
    #: The user callback and the size of the write in progress.
    writecb: Callback | None = None
    writelen: int = 0
    #: Write callbacks batched for the next tick (see :class:`AfterWrite`).
    after_write_tick_info: AfterWrite | None = None
    #: Writes waiting for the one in progress (or for ``uncork()``), from ``buffered_index``.
    buffered: list[BufferedWrite] = attrs.Factory(list)
    buffered_index: int = 0
    #: Every buffered chunk is bytes (``_writev`` gets them as they are).
    all_buffers: bool = True
    #: Every buffered callback is the no-op: ``_writev``'s callback need not fan out.
    all_noop: bool = True
    #: Callbacks still to be called; ``'finish'`` waits until it is zero.
    pendingcb: int = 0
    #: ``_construct`` has finished (True when there is none); nothing is written before.
    constructed: bool = True
    #: ``'prefinish'`` was emitted.
    prefinished: bool = False
    #: ``'error'`` was emitted (only once per stream).
    error_emitted: bool = False
    #: The error the stream was destroyed or failed with.
    errored: BaseException | None = None
    #: Destroying completed; ``'close'`` is emitted or due.
    closed: bool = False
    #: ``'close'`` was emitted.
    close_emitted: bool = False
    #: The callbacks given to ``end()``, called at ``'finish'`` or with the error.
    on_finished: list[Callback] = attrs.Factory(list)
    #: False for the writable side of a Duplex made with ``writable=False``; None: not set.
    writable: bool | None = None
    #: The scope's block exited: using the stream raises ``ERR_SCOPE_CLOSED``.
    scope_closed: bool = False

    def reset_buffer(self) -> None:
        """Forget the buffered writes."""
        self.buffered = []
        self.buffered_index = 0
        self.all_buffers = True
        self.all_noop = True
