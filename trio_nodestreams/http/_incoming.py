"""IncomingMessage: a request (server side) or a response (client side) as a Readable.

(node: lib/_http_incoming.js) The body streams with back-pressure: once the
consumer stops reading, ``push()`` returns False and the connection stops
reading the socket until ``_read()`` asks for more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from .._readable import Readable
from .._scope import Scope
from ._rules import MAX_HEADER_PAIRS, headers_distinct, join_headers

Callback = Callable[..., object]


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

    def __init__(
        self,
        socket: Any,
        *,
        scope: Scope | None = None,
        high_water_mark: int | None = None,
        max_header_pairs: int | None = MAX_HEADER_PAIRS,
    ) -> None:
        Readable.__init__(self, high_water_mark=high_water_mark, scope=scope)
        # Node: no read-ahead until the consumer asks (the socket feeds the body).
        self._readable_state.reading_more = True
        self.socket = socket
        self.http_version_major: int | None = None
        self.http_version_minor: int | None = None
        self.http_version: str | None = None
        self.complete = False
        self._headers: dict[str, Any] | None = None
        self._headers_distinct: dict[str, list[str]] | None = None
        self.raw_headers: list[str] = []
        self._trailers: dict[str, Any] | None = None
        self._trailers_distinct: dict[str, list[str]] | None = None
        self.raw_trailers: list[str] = []
        self.join_duplicate_headers = False
        self.aborted = False
        self.upgrade: bool | None = None
        self.url = ""
        self.method: str | None = None
        self.status_code: int | None = None
        self.status_message: str | None = None
        self._max_header_pairs = max_header_pairs
        # Node's _consuming: the consumer asked for the body (read, pipe, 'data'...).
        self._consuming = False
        self._dumped = False
        # Called when the consumer wants more of the body: the connection reads again.
        self._on_read: Callable[[], object] | None = None
        # The request of a client response (Node's res.req).
        self.req: Any = None

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

    def _end_unobserved(self) -> bool:
        """Finish a complete message nobody consumed or watches, without the tick chain.

        Node dumps such a message when its exchange ends: it flows, emits
        ``'end'``, auto-destroys and emits ``'close'``, a few ticks later. With no
        listener for any of those and nothing buffered, nobody can tell the steps
        apart, so the message goes straight to the state they leave it in.
        Returns False (and changes nothing) when someone could tell.
        """
        state = self._readable_state
        if not self.complete or state.length or state.pipes or state.flowing is not None or state.destroyed:
            return False
        events = self._events
        if events and any(
            events.get(name) for name in ("data", "end", "close", "readable", "error", "aborted", "resume", "pause")
        ):
            return False
        self._dumped = True
        state.flowing = True
        state.ended = True
        state.end_emitted = True
        state.reading = False
        state.destroyed = True
        state.closed = True
        state.close_emitted = True
        return True

    def _destroy(self, err: BaseException | None, callback: Callback) -> None:
        if not self.readable_ended or not self.complete:
            self.aborted = True
            self.emit("aborted")
        sock = self.socket
        if sock is not None and not sock.destroyed and self.aborted:
            # An unfinished message takes its connection with it.
            sock.destroy(err)
            sock._close_hooks.append(lambda _had_error: self._scope.next_tick(self._report, err, callback))
        else:
            self._scope.next_tick(self._report, err, callback)

    def _report(self, err: BaseException | None, callback: Callback) -> None:
        # Node reports the error only to those listening for it.
        callback(err if self._events.get("error") else None)
