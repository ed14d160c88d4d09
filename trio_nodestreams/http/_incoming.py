"""IncomingMessage: a request (server side) or a response (client side) as a Readable.

(node: lib/_http_incoming.js) The body streams with back-pressure: when the
consumer stops reading, ``push()`` returns False and the connection stops
reading the socket until ``_read()`` asks for more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._readable import Readable
from .._scope import Scope
from ._common import headers_distinct, join_headers

Callback = Callable[..., object]


class IncomingMessage(Readable):
    """An HTTP message being received: its head as attributes, its body as the stream.

    Attributes:
      method: the request method (server side), else None.
      url: the request target (server side), else ``""``.
      status_code, status_message: the response status (client side).
      http_version: ``"1.1"``; also ``http_version_major`` / ``http_version_minor``.
      headers: lower-case names; duplicates joined by Node's rules; ``set-cookie`` a list.
      headers_distinct: every name -> the list of its values.
      raw_headers: ``[name, value, name, value, ...]`` as received.
      trailers, raw_trailers: the same for trailers, once the body ended.
      complete: True once the whole message was received.
      aborted: True when the connection was lost before the message completed.
      socket: the connection.
    """

    def __init__(
        self,
        socket: Any,
        *,
        high_water_mark: int | None = None,
        scope: Scope | None = None,
        on_read: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(high_water_mark=high_water_mark, scope=scope)
        self.socket = socket
        self.method: str | None = None
        self.url = ""
        self.status_code: int | None = None
        self.status_message: str | None = None
        self.http_version = "1.1"
        self.http_version_major = 1
        self.http_version_minor = 1
        self.raw_headers: list[str] = []
        self.raw_trailers: list[str] = []
        self._headers: dict[str, Any] | None = None
        self._trailers: dict[str, Any] | None = None
        self.complete = False
        self.aborted = False
        self.upgrade = False
        self._on_read = on_read
        # Set by the server once the response finished and nobody reads the body.
        self._dumped = False

    # -- head ---------------------------------------------------------------------

    @property
    def headers(self) -> dict[str, Any]:
        """The headers, lower-case, duplicates joined as Node does."""
        if self._headers is None:
            self._headers = join_headers(self.raw_headers)
        return self._headers

    @headers.setter
    def headers(self, value: dict[str, Any]) -> None:
        self._headers = value

    @property
    def headers_distinct(self) -> dict[str, list[str]]:
        """Every lower-case header name with the list of its values."""
        return headers_distinct(self.raw_headers)

    @property
    def trailers(self) -> dict[str, Any]:
        """The trailers (empty until the body ended)."""
        if self._trailers is None:
            self._trailers = join_headers(self.raw_trailers) if self.raw_trailers else {}
        return self._trailers

    @property
    def trailers_distinct(self) -> dict[str, list[str]]:
        """Every lower-case trailer name with the list of its values."""
        return headers_distinct(self.raw_trailers)

    @property
    def connection(self) -> Any:
        """Alias of :attr:`socket` (Node's deprecated ``req.connection``)."""
        return self.socket

    def set_timeout(self, msecs: float, callback: Callback | None = None) -> IncomingMessage:
        """Call ``socket.set_timeout``; ``callback`` listens for this message's ``'timeout'``."""
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is not None:
            self.socket.set_timeout(msecs)
        return self

    # -- body -----------------------------------------------------------------------

    def _read(self, size: int) -> None:
        if self._on_read is not None:
            self._on_read()

    def _destroy(self, err: BaseException | None, callback: Callback) -> None:
        if not self.readable_ended or not self.complete:
            self.aborted = True
            self.emit("aborted")
        # Node reports the error only to those who listen for it.
        callback(err if "error" in self._events else None)
