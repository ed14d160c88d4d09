"""EventEmitter (node: lib/events.js).

Listeners are plain callables run synchronously, in registration order, by
:meth:`EventEmitter.emit`. Listener lists are stored as tuples and replaced on
change, so a listener added or removed during an emit does not affect that emit
(as in Node) and ``emit`` never copies.
"""

from __future__ import annotations

import inspect
import warnings
import weakref
from collections import deque
from collections.abc import Callable
from types import FunctionType, MethodType
from typing import Any, ClassVar

from ._errors import err_invalid_arg_type, err_out_of_range, err_unhandled_error

Listener = Callable[..., object]

class MaxListenersExceededWarning(RuntimeWarning):
    """More listeners than ``get_max_listeners()`` were added for one event: a likely leak."""

    emitter: EventEmitter
    type: str
    count: int

    def __init__(self, emitter: EventEmitter, event: str, count: int) -> None:
        super().__init__(
            f"Possible EventEmitter memory leak detected. {count} {event} listeners added to "
            f"{type(emitter).__name__}. Use emitter.set_max_listeners() to increase limit"
        )
        self.emitter = emitter
        self.type = event
        self.count = count

    @property
    def name(self) -> str:
        """Node's warning name."""
        return "MaxListenersExceededWarning"


_CO_VARARGS = 0x04


def capacity(fn: object) -> int | None:
    """How many positional arguments ``fn`` takes; None when any number (or unknown).

    Looked at once per listener (at ``on()``): a function's or a bound method's code
    object says it; other callables are taken to accept anything.
    """
    kind = type(fn)
    if kind is FunctionType:
        code = fn.__code__  # type: ignore[attr-defined]
        skip = 0
    elif kind is MethodType:
        func = fn.__func__  # type: ignore[attr-defined]
        if type(func) is not FunctionType:
            return None
        code = func.__code__
        skip = 1
    else:
        return _signature_capacity(fn)
    if code.co_flags & _CO_VARARGS:
        return None
    return int(code.co_argcount) - skip


def _signature_capacity(fn: object) -> int | None:
    # Builtins, partials, callable objects: ask inspect (slower, and rare for listeners).
    try:
        params = inspect.signature(fn).parameters.values()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    count = 0
    for param in params:
        if param.kind is param.VAR_POSITIONAL:
            return None
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


class _Trimmed:
    """A listener that takes fewer arguments than its event carries: it gets the first ones
    (JavaScript drops the rest; Python would raise)."""

    __slots__ = ("count", "listener")

    def __init__(self, listener: Listener, count: int) -> None:
        self.listener = listener
        self.count = count

    def __call__(self, *args: Any) -> object:
        return self.listener(*args[: self.count])


def fit(fn: Listener, nargs: int | None) -> Listener:
    """``fn``, or a wrapper passing it only as many of ``nargs`` arguments as it takes
    (``nargs`` None: not known in advance, so any number)."""
    count = capacity(fn)
    if count is None or (nargs is not None and count >= nargs):
        return fn
    return _Trimmed(fn, count)


class _Once:
    """A listener that removes itself before it runs; ``listener`` is the original."""

    __slots__ = ("call", "emitter", "event", "fired", "listener")

    def __init__(self, emitter: EventEmitter, event: str, listener: Listener) -> None:
        self.emitter = emitter
        self.event = event
        self.listener = listener
        self.call = fit(listener, emitter._event_arity.get(event))
        self.fired = False

    def __call__(self, *args: Any) -> object:
        if self.fired:
            return None
        self.fired = True
        self.emitter.remove_listener(self.event, self)
        return self.call(*args)


def _original(fn: Listener) -> Listener:
    if type(fn) is _Once or type(fn) is _Trimmed:
        return fn.listener
    return fn


def _same(fn: Listener, listener: Listener) -> bool:
    """Whether ``fn`` is ``listener``; a bound method is made anew at each access, so
    ``obj.method`` matches the one added earlier when object and function are the same."""
    return fn is listener or (type(fn) is MethodType and fn == listener)


def _unwrap_trimmed(fn: Listener) -> Listener:
    return fn.listener if type(fn) is _Trimmed else fn


class EventEmitter:
    """Node's EventEmitter: named events with synchronous listeners.

    ``emit('error', err)`` with no ``'error'`` listener raises ``err``.
    """

    #: Node's ``EventEmitter.defaultMaxListeners``: the limit for emitters that set none.
    default_max_listeners: ClassVar[int] = 10
    #: How many arguments this class emits each event with, where that is fixed: a listener
    #: that takes at least as many is called as it is; one that takes fewer (or any listener
    #: of an event not listed) is wrapped to get only the first ones.
    _event_arity: ClassVar[dict[str, int]] = {"newListener": 2, "removeListener": 2}

    _events: dict[str, tuple[Listener, ...]]
    _max_listeners: int | None
    _warned: set[str] | None
    #: ``emit`` is this class's own: per-chunk code may call a lone listener directly
    #: instead of going through ``emit`` (a subclass that overrides ``emit`` sees every event).
    _plain_emit: bool

    def __init__(self) -> None:
        self._events = {}
        self._max_listeners = None
        self._warned = None
        self._plain_emit = type(self).emit is EventEmitter.emit

    # -- adding ----------------------------------------------------------------

    def _add(self, event: str, listener: Listener, prepend: bool) -> None:
        if not callable(listener):
            raise err_invalid_arg_type("listener", "of type function", listener)
        events = self._events
        if "newListener" in events:
            self.emit("newListener", event, _original(listener))
        if type(listener) is not _Once:
            listener = fit(listener, self._event_arity.get(event))
        current = events.get(event)
        if current is None:
            events[event] = (listener,)
            return
        events[event] = (listener, *current) if prepend else (*current, listener)
        limit = self.get_max_listeners()
        count = len(current) + 1
        if limit > 0 and count > limit and (self._warned is None or event not in self._warned):
            if self._warned is None:
                self._warned = set()
            self._warned.add(event)
            warnings.warn(MaxListenersExceededWarning(self, event, count), stacklevel=3)

    def on(self, event: str, listener: Listener) -> EventEmitter:
        """Add ``listener`` for ``event``; returns the emitter."""
        self._add(event, listener, False)
        return self

    def add_listener(self, event: str, listener: Listener) -> EventEmitter:
        """Alias of :meth:`on`."""
        return self.on(event, listener)

    def prepend_listener(self, event: str, listener: Listener) -> EventEmitter:
        """Add ``listener`` in front of the others for ``event``."""
        self._add(event, listener, True)
        return self

    def once(self, event: str, listener: Listener) -> EventEmitter:
        """Add a listener that runs at most once."""
        self._add(event, _Once(self, event, listener), False)
        return self

    def prepend_once_listener(self, event: str, listener: Listener) -> EventEmitter:
        """Add a run-once listener in front of the others."""
        self._add(event, _Once(self, event, listener), True)
        return self

    # -- removing --------------------------------------------------------------

    def remove_listener(self, event: str, listener: Listener) -> EventEmitter:
        """Remove the most recently added instance of ``listener`` for ``event``."""
        current = self._events.get(event)
        if current is None:
            return self
        for i in range(len(current) - 1, -1, -1):
            fn = current[i]
            if _same(fn, listener) or _same(_original(fn), listener):
                rest = current[:i] + current[i + 1 :]
                if rest:
                    self._events[event] = rest
                else:
                    del self._events[event]
                if "removeListener" in self._events:
                    # Node reports the original function when it was the only
                    # listener, and otherwise exactly what it was asked to remove.
                    self.emit(
                        "removeListener", event, _original(fn) if len(current) == 1 else _unwrap_trimmed(listener)
                    )
                break
        return self

    def off(self, event: str, listener: Listener) -> EventEmitter:
        """Alias of :meth:`remove_listener`."""
        return self.remove_listener(event, listener)

    def remove_all_listeners(self, event: str | None = None) -> EventEmitter:
        """Remove every listener of ``event``, or of every event."""
        events = self._events
        if "removeListener" not in events:
            if event is None:
                events.clear()
            else:
                events.pop(event, None)
            return self
        if event is None:
            for name in [n for n in events if n != "removeListener"]:
                self.remove_all_listeners(name)
            self.remove_all_listeners("removeListener")
            return self
        current = events.get(event)
        if current is not None:
            for fn in reversed(current):
                self.remove_listener(event, fn)
        return self

    # -- emitting --------------------------------------------------------------

    def emit(self, event: str, *args: Any) -> bool:
        """Call every listener of ``event`` with ``args``; return whether there was one.

        Raises:
          The error itself for ``'error'`` with no listener (``ERR_UNHANDLED_ERROR``
          if it is not an exception), and whatever a listener raises.
        """
        handlers = self._events.get(event)
        if handlers is None:
            if event == "error":
                err = args[0] if args else None
                if isinstance(err, BaseException):
                    raise err
                raise err_unhandled_error(err)
            return False
        if len(handlers) == 1:  # the usual case ('data' into a pipe): no loop
            handlers[0](*args)
            return True
        for fn in handlers:
            fn(*args)
        return True

    # -- introspection ---------------------------------------------------------

    def listener_count(self, event: str, listener: Listener | None = None) -> int:
        """How many listeners ``event`` has (counting only ``listener`` if given)."""
        current = self._events.get(event, ())
        if listener is None:
            return len(current)
        return sum(1 for fn in current if _same(_original(fn), listener))

    def listeners(self, event: str) -> list[Listener]:
        """A copy of the listeners of ``event``, once-wrappers unwrapped."""
        return [_original(fn) for fn in self._events.get(event, ())]

    def raw_listeners(self, event: str) -> list[Listener]:
        """A copy of the listeners of ``event``, once-wrappers included."""
        return [_unwrap_trimmed(fn) for fn in self._events.get(event, ())]

    def event_names(self) -> list[str]:
        """The events that have listeners, in the order they were first added."""
        return list(self._events)

    def set_max_listeners(self, n: int) -> EventEmitter:
        """Warn when more than ``n`` listeners are added for one event (0: never warn)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise err_out_of_range("n", "a non-negative number", n)
        self._max_listeners = n
        return self

    def get_max_listeners(self) -> int:
        """The current limit (``default_max_listeners`` unless set)."""
        return EventEmitter.default_max_listeners if self._max_listeners is None else self._max_listeners


async def once(emitter: EventEmitter, event: str) -> list[Any]:
    """Wait for ``event`` and return its arguments (Node's ``events.once``).

    Raises:
      The error of an ``'error'`` emitted first (unless ``event`` is ``'error'``).

    Cancellation:
      The listeners are removed; the emitter is left as it was.
    """
    import trio

    done = trio.Event()
    outcome: list[Any] = []

    def on_event(*args: Any) -> None:
        if not outcome:
            outcome.append(("value", list(args)))
            done.set()

    def on_error(err: BaseException) -> None:
        if not outcome:
            outcome.append(("error", err))
            done.set()

    emitter.on(event, on_event)
    if event != "error":
        emitter.on("error", on_error)
    try:
        await done.wait()
    finally:
        emitter.remove_listener(event, on_event)
        if event != "error":
            emitter.remove_listener("error", on_error)
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value  # type: ignore[no-any-return]


class _On:
    """The async iterator behind :func:`on`."""

    def __init__(self, emitter: EventEmitter, event: str) -> None:
        import trio

        self._emitter = emitter
        self._event = event
        self._queue: deque[list[Any]] = deque()
        self._error: BaseException | None = None
        self._done = False
        self._wake = trio.Event()
        # The emitter must not keep the iterator alive: dropping it is how an
        # early ``break`` is noticed.
        ref = weakref.ref(self)

        def on_event(*args: Any) -> None:
            it = ref()
            if it is not None:
                it._queue.append(list(args))
                it._wake.set()

        def on_error(err: BaseException) -> None:
            it = ref()
            if it is not None:
                it._error = err
                it._close()
                it._wake.set()

        self._on_event = on_event
        self._on_error = on_error
        emitter.on(event, on_event)
        if event != "error":
            emitter.on("error", on_error)

    def _close(self) -> None:
        if not self._done:
            self._done = True
            self._emitter.remove_listener(self._event, self._on_event)
            if self._event != "error":
                self._emitter.remove_listener("error", self._on_error)

    def __aiter__(self) -> _On:
        return self

    async def __anext__(self) -> list[Any]:
        import trio

        while True:
            if self._queue:
                await trio.lowlevel.checkpoint()
                return self._queue.popleft()
            if self._error is not None:
                err, self._error = self._error, None
                raise err
            if self._done:
                raise StopAsyncIteration
            self._wake = trio.Event()
            await self._wake.wait()

    async def aclose(self) -> None:
        """Stop listening."""
        self._close()
        self._queue.clear()

    def __del__(self) -> None:
        # Leaving ``async for`` early drops the iterator: stop listening then.
        self._close()


def on(emitter: EventEmitter, event: str) -> _On:
    """Iterate over the arguments of every ``event`` (Node's ``events.on``).

    An ``'error'`` ends the iteration by raising it; leaving the loop removes the
    listeners. As in Node, emissions queue up unboundedly while nobody iterates.
    """
    return _On(emitter, event)
