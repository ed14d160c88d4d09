"""IncomingMessage: a request (server side) or a response (client side) as a Readable.

(node: lib/_http_incoming.js) The body streams with back-pressure: once the
consumer stops reading, ``push()`` returns False and the connection stops
reading the socket until ``_read()`` asks for more.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
from weakref import getweakrefcount

from .. import _destroy
from .._destroy import _emit_close
from .._events import EventEmitter
from .._readable import Readable, _emit_readable_nt, _end_readable_nt, _resume, new_readable_state
from .._scope import Scope, current_scope
from ._rules import MAX_HEADER_PAIRS, headers_distinct, join_headers

Callback = Callable[..., object]

def _calibrate() -> tuple[int, int]:
    """The references a deferred call's drain loop holds to a bound method's object and
    to its argument while it runs (CPython's counts; they differ between versions)."""
    counts: list[int] = []

    class Probe:
        def tick(self, arg: object) -> None:
            counts.extend((_getrefcount(self), _getrefcount(arg)))  # type: ignore[misc]

    queue: deque[tuple[Callable[..., object], tuple[object, ...]]] = deque()
    queue.append((Probe().tick, (Probe(),)))
    fn, args = queue.popleft()
    fn(*args)
    return counts[0], counts[1]


_getrefcount: Callable[[object], int] | None = getattr(sys, "getrefcount", None)
_MARKER_SELF_REFS, _MARKER_ARG_REFS = _calibrate() if _getrefcount is not None else (0, 0)

# How far the chain of a dormant message's _dump() got (Node: resume_, endReadableNT,
# the destroy callback, emitCloseNT).
_FINAL_DUMPED = 0
_FINAL_RESUMED = 1
_FINAL_ENDED = 2
_FINAL_CLOSED = 3
_FINAL_CLOSE_EMITTED = 4

# What Readable.__init__ sets on the instance: a dormant message has none of them yet.
_STREAM_ATTRIBUTES = frozenset(
    {"_readable_state", "_async_scopes", "_trio", "_impl_read", "_impl_destroy", "_impl_construct"}
)


class IncomingMessage(Readable):
    """An HTTP message being received: its head as attributes, its body as the stream.

    Attributes:
      method, url: the request line (server side); ``url`` is ``""`` on the client.
      status_code, status_message: the status line (client side).
      http_version: ``"1.1"``; also ``http_version_major`` / ``http_version_minor``.
      raw_headers: ``[name, value, name, value, ...]`` as received.
      raw_trailers: the same for trailers, once the body ended.
      complete: True once the whole message was received.
      aborted: True when the connection was lost before the message completed.
      upgrade: the message asks to leave HTTP (``Upgrade`` or ``CONNECT``).
      socket: the connection.
    """

    _event_arity: ClassVar[dict[str, int]] = {**Readable._event_arity, "aborted": 0, "timeout": 0}

    # Defaults shared by every message until it sets its own (most never do).
    http_version_major: int | None = None
    http_version_minor: int | None = None
    http_version: str | None = None
    complete = False
    _headers: dict[str, Any] | None = None
    _headers_distinct: dict[str, list[str]] | None = None
    _trailers: dict[str, Any] | None = None
    _trailers_distinct: dict[str, list[str]] | None = None
    join_duplicate_headers = False
    aborted = False
    upgrade: bool | None = None
    url = ""
    method: str | None = None
    status_code: int | None = None
    status_message: str | None = None
    #: Node's _consuming: the consumer asked for the body (read, pipe, 'data'...).
    _consuming = False
    _dumped = False
    #: Called when the consumer wants more of the body: the connection reads again.
    _on_read: Callable[[], object] | None = None
    #: The request of a client response (Node's res.req).
    req: Any = None
    # A dormant message has no stream state yet (see _materialize). What happened to it
    # meanwhile is kept here, and the ticks Node's code would have queued for it are
    # queued as markers at the same places: whenever the state is built, it is the
    # state that code would have left, and the markers still due run that code.
    _dormant = True
    _dormant_end = False  # the body ended: push(None) was due
    _dormant_tick_done = False  # ... and the tick that push(None) queues (emitReadable) ran
    #: The exchange ended with nobody watching, and _dump() was due: how far the chain
    #: it starts got (_FINAL_* below); -1 before it started.
    _dormant_final = -1
    _dormant_ending = False  # the chain's endReadable tick is queued

    def __init__(
        self,
        socket: Any,
        *,
        scope: Scope | None = None,
        high_water_mark: int | None = None,
        max_header_pairs: int | None = MAX_HEADER_PAIRS,
    ) -> None:
        # Most requests are never read as streams (a GET whose handler answers from the
        # head): the Readable machinery is built the first time anything touches it.
        EventEmitter.__init__(self)
        self._scope = scope if scope is not None else current_scope()
        self._high_water_mark_option = high_water_mark
        self.socket = socket
        self.raw_headers: list[str] = []
        self.raw_trailers: list[str] = []
        self._max_header_pairs = max_header_pairs

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            # Only reached for attributes the instance and its class lack.
            if name in _STREAM_ATTRIBUTES and self.__dict__.get("_dormant", True):
                self._materialize()
                return self.__dict__[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _materialize(self) -> None:
        """Build the Readable state, as it would be had it been built at once."""
        self._dormant = False
        d = self.__dict__
        d.setdefault("_async_scopes", None)
        d.setdefault("_trio", None)
        state = self._readable_state = new_readable_state(
            object_mode=False,
            high_water_mark_option=self._high_water_mark_option,
            encoding=None,
            emit_close=True,
            auto_destroy=True,
        )
        # Node: no read-ahead until the consumer asks (the socket feeds the body).
        state.reading_more = True
        self._bind_readable(None, None, None)
        scope = self._scope
        if scope._done:
            state.scope_closed = True
        else:
            scope.register(self)
        _destroy.construct(self, self._after_construct_readable)
        if self._dormant_end:
            # push(None) on a stream never read: ended, and the tick that emits
            # 'readable' queued; once that tick ran, the flag it clears is clear.
            state.ended = True
            state.need_readable = False
            state.emitted_readable = not self._dormant_tick_done
        stage = self._dormant_final
        if stage >= _FINAL_DUMPED:
            # _dump(): resume() with the message ended.
            state.flowing = True
            state.paused = False
            state.resume_scheduled = stage < _FINAL_RESUMED
        if stage >= _FINAL_ENDED:
            state.end_emitted = True
            state.destroyed = True
        if stage >= _FINAL_CLOSED:
            state.closed = True
        if stage >= _FINAL_CLOSE_EMITTED:
            state.close_emitted = True

    def _push_end(self) -> None:
        """The body ended: ``push(None)``, or its equivalent while dormant."""
        if self._dormant:
            self._dormant_end = True
            self._scope.next_tick(self._marker_end)
        else:
            self.push(None)

    # The markers: each stands for the tick named, while the message is dormant. Each
    # runs inside the scope's drain loop, so what it queues is appended directly.
    # Ticks of Node's chain that change nothing (endReadable queued by each of
    # resume_'s reads after the first) have no marker: skipping them moves no change
    # of state past another tick.

    def _marker_end(self) -> None:  # emitReadable_ (queued by push(None))
        if not self._dormant or self._events:
            self._wake_up()
            _emit_readable_nt(self)
            return
        self._dormant_tick_done = True
        if self._dormant_final >= _FINAL_DUMPED:
            # Flowing by now: its read() finds the end and queues endReadable.
            self._dormant_ending = True
            self._scope._queue.append((self._marker_end_readable, ()))

    def _marker_resume(self, response: Any) -> None:  # resume_ (queued by _dump's resume())
        if not self._dormant or self._events:
            self._wake_up()
            _resume(self, self._readable_state)
            return
        if (
            _getrefcount is not None
            and _getrefcount(self) <= _MARKER_SELF_REFS + 1 + self._dormant_ending  # + response.req
            and _getrefcount(response) <= _MARKER_ARG_REFS
            and not response._events
            and not getweakrefcount(self)
            and not getweakrefcount(response)
        ):
            # Nothing but this tick holds the message and its response: nobody can
            # ever look at either again, so the rest of the chain can be skipped.
            self._dormant_final = _FINAL_CLOSE_EMITTED
            return
        self._dormant_final = _FINAL_RESUMED
        if not self._dormant_ending:
            # Its read(0) finds the end and queues endReadable.
            self._dormant_ending = True
            self._scope._queue.append((self._marker_end_readable, ()))

    def _marker_end_readable(self) -> None:  # endReadableNT: 'end', then auto-destroy
        if not self._dormant or self._events:
            self._wake_up()
            _end_readable_nt(self._readable_state, self)
            return
        if self._dormant_final >= _FINAL_ENDED:
            return  # the chain was cut short (see _marker_resume)
        self._dormant_final = _FINAL_ENDED
        self._scope._queue.append((self._marker_destroyed, ()))  # _destroy's report, below

    def _marker_destroyed(self) -> None:  # the destroy callback: closed, then 'close'
        if not self._dormant or self._events:
            self._wake_up()
            self._readable_state.closed = True
            self._scope.next_tick(_emit_close, self)
            return
        self._dormant_final = _FINAL_CLOSED
        self._scope._queue.append((self._marker_close, ()))

    def _marker_close(self) -> None:  # emitCloseNT
        if not self._dormant or self._events:
            self._wake_up()
            _emit_close(self)
            return
        self._dormant_final = _FINAL_CLOSE_EMITTED

    def _wake_up(self) -> None:
        # Someone listens now: the rest of the chain is Node's code on a built state.
        if self._dormant:
            self._materialize()

    # -- head ---------------------------------------------------------------------

    @property
    def headers(self) -> dict[str, Any]:
        """The headers, lower-case, duplicates joined as Node does (``set-cookie`` a list)."""
        if self._headers is None:
            self._headers = join_headers(
                self.raw_headers,
                join_duplicate_headers=self.join_duplicate_headers,
                max_header_pairs=self._max_header_pairs,
            )
        return self._headers

    @headers.setter
    def headers(self, value: dict[str, Any]) -> None:
        self._headers = value

    @property
    def headers_distinct(self) -> dict[str, list[str]]:
        """Every lower-case header name with the list of its values."""
        if self._headers_distinct is None:
            self._headers_distinct = headers_distinct(self.raw_headers, max_header_pairs=self._max_header_pairs)
        return self._headers_distinct

    @property
    def trailers(self) -> dict[str, Any]:
        """Trailer fields, lower-case, joined as Node does; empty until the body ended, then filled in place."""
        if self._trailers is None:
            self._trailers = join_headers(self.raw_trailers, join_duplicate_headers=self.join_duplicate_headers)
        return self._trailers

    @property
    def trailers_distinct(self) -> dict[str, list[str]]:
        """Every lower-case trailer name with the list of its values."""
        if self._trailers_distinct is None:
            self._trailers_distinct = headers_distinct(self.raw_trailers)
        return self._trailers_distinct

    def _add_trailers(self, raw: list[str]) -> None:
        """The trailers arrived: those who looked early see them in the dicts they hold."""
        self.raw_trailers = raw
        if self._trailers is not None:
            self._trailers.update(join_headers(raw, join_duplicate_headers=self.join_duplicate_headers))
        if self._trailers_distinct is not None:
            for name, values in headers_distinct(raw).items():
                self._trailers_distinct.setdefault(name, []).extend(values)

    @property
    def connection(self) -> Any:
        """Alias of :attr:`socket` (Node's deprecated ``connection``)."""
        return self.socket

    @property
    def client(self) -> Any:
        """Alias of :attr:`socket` (Node's deprecated ``client``)."""
        return self.socket

    def set_timeout(self, msecs: float, callback: Callback | None = None) -> IncomingMessage:
        """Set the connection's inactivity timeout; ``callback`` listens for ``'timeout'`` here."""
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is not None:
            self.socket.set_timeout(msecs)
        return self

    # -- body -----------------------------------------------------------------------

    def _read(self, size: int) -> None:
        if not self._consuming:
            self._readable_state.reading_more = False
            self._consuming = True
        on_read = self._on_read
        if on_read is not None:
            on_read()

    def _dump(self) -> None:
        """Read the rest of the body and drop it (nobody will consume it)."""
        if not self._dumped:
            self._dumped = True
            self.remove_all_listeners("data")
            self.resume()

    def _end_unobserved(self, response: Any) -> bool:
        """``_dump()`` a complete message that is still dormant, without building it.

        Node dumps such a message when its exchange ends: it flows, emits
        ``'end'``, auto-destroys and emits ``'close'``, over a few ticks. Nobody
        listens, so markers walk through those ticks; the state is built only if
        someone looks (then it is what the ticks so far left), and the walk stops
        early once nothing outside it holds the message or ``response``. Returns
        False (and changes nothing) for a message that is not dormant, not
        complete, or watched.
        """
        if not self._dormant or not self._dormant_end or self._events:
            return False
        self._dumped = True
        self._dormant_final = _FINAL_DUMPED
        self._scope.next_tick(self._marker_resume, response)
        return True

    def _destroy(self, err: BaseException | None, callback: Callback) -> None:
        if not self.readable_ended or not self.complete:
            self.aborted = True
            self.emit("aborted")
        sock = self.socket
        if sock is not None and not sock.destroyed and self.aborted:
            # An unfinished message takes its connection with it (unless the server's
            # last answer is still on its way out: the connection closes right after).
            if not sock._answering:
                sock.destroy(err)
            sock._close_hooks.append(lambda _had_error: self._scope.next_tick(self._report, err, callback))
        else:
            self._scope.next_tick(self._report, err, callback)

    def _report(self, err: BaseException | None, callback: Callback) -> None:
        # Node reports the error only to those listening for it.
        callback(err if self._events.get("error") else None)
