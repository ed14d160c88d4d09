"""ServerResponse: the answer to one request (node: lib/_http_server.js).

An :class:`OutgoingMessage` with a status line. Pipelined responses
wait for their turn: a response gets the connection (:meth:`assign_socket`) when
the ones before it finished; until then what it writes is queued in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._errors import NodeError, NodeTypeError, err_invalid_arg_value
from ._outgoing import Callback, OutgoingMessage, err_headers_sent
from ._rules import (
    STATUS_CODES,
    HeaderValue,
    check_invalid_header_char,
    status_message,
    validate_status_code,
)

if TYPE_CHECKING:
    from ._incoming import IncomingMessage
    from ._socket import Socket

_CHUNKED_RE = re.compile(r"(?:^|\W)chunked(?:\Z|\W)", re.IGNORECASE | re.ASCII)
#: Node's shape of one Link value for ``write_early_hints``.
_LINK_VALUE = re.compile(r'^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$')


# "HTTP/1.1 200 OK\r\n" for every code of Node's table.
_STATUS_LINES: dict[int | None, str] = {code: f"HTTP/1.1 {code} {text}\r\n" for code, text in STATUS_CODES.items()}


def status_message_for(code: int) -> str:
    """Node's reason phrase for ``code`` (``'unknown'`` when it has none)."""
    return STATUS_CODES.get(code) or status_message(code)


class ServerResponse(OutgoingMessage):
    """The response to one request: set the status and headers, write the body, ``end()`` it.

    ``write()`` returns False when the client does not read fast enough; wait
    for ``'drain'`` (or ``await res.send_all(data)``). ``'finish'`` follows the
    last byte handed to the connection, then ``'close'``; a lost connection
    gives ``'close'`` alone.

    Attributes:
      status_code: sent with the implicit head (default 200).
      status_message: its reason phrase (Node's table by default).
      req: the request this answers.
    """

    send_date = True
    status_code: int | None = 200
    status_message: str | None = None

    def __init__(self, req: IncomingMessage, *, high_water_mark: int | None = None) -> None:
        OutgoingMessage.__init__(self, req._scope, high_water_mark=high_water_mark)
        if req.method == "HEAD":
            self._has_body = False
        self.req = req
        if (req.http_version_major or 0) < 1 or (req.http_version_minor or 0) < 1:
            te = req.headers.get("te")
            self.use_chunked_encoding_by_default = bool(_CHUNKED_RE.search(te)) if isinstance(te, str) else False
            self.should_keep_alive = False

    # -- the connection ------------------------------------------------------------

    def assign_socket(self, socket: Socket) -> None:
        """Take the connection: it is this response's turn (Node's ``assignSocket``).

        Raises:
          NodeError: ``ERR_HTTP_SOCKET_ASSIGNED`` when the connection is taken.
        """
        if socket._http_message is not None:
            raise NodeError("ERR_HTTP_SOCKET_ASSIGNED", "ServerResponse has an already assigned socket")
        socket._http_message = self
        socket._close_hooks.append(self._on_socket_close)
        self.socket = socket
        if self._events.get("socket"):
            self.emit("socket", socket)
        self._flush()

    def detach_socket(self, socket: Socket) -> None:
        """Give the connection back (this response finished)."""
        try:
            socket._close_hooks.remove(self._on_socket_close)
        except ValueError:
            pass
        socket._http_message = None
        self.socket = None

    def _on_socket_close(self, _had_error: bool = False) -> None:
        self._emit_close()

    def _emit_close(self) -> None:
        if not self._closed:
            self.destroyed = True
            self._closed = True
            self.emit("close")

    # -- the head -----------------------------------------------------------------

    def write_head(
        self,
        status_code: int,
        reason: str | Mapping[str, HeaderValue] | Sequence[Any] | None = None,
        headers: Mapping[str, HeaderValue] | Sequence[Any] | None = None,
    ) -> ServerResponse:
        """Set the status and headers (merged over ``set_header`` ones) and fix the head.

        Args:
          status_code: 100-999.
          reason: the reason phrase, or the headers when no phrase is given.
          headers: a mapping, a list of ``[name, value]`` pairs or a flat
            ``[name, value, ...]`` list.

        Raises:
          NodeError: ``ERR_HTTP_HEADERS_SENT``, ``ERR_HTTP_INVALID_STATUS_CODE``,
            ``ERR_INVALID_CHAR`` (reason), header validation errors.
        """
        if self._header is not None:
            raise err_headers_sent("write")
        code = validate_status_code(status_code)
        if isinstance(reason, str):
            self.status_message = reason
        else:
            if not self.status_message:
                self.status_message = status_message_for(code)
            if headers is None:
                headers = reason
        self.status_code = code
        direct: Any
        if self._out_headers:
            # Headers set before: the given ones are set over them.
            if isinstance(headers, Mapping):
                for name, value in headers.items():
                    if name:
                        self.set_header(name, value)
            elif headers is not None:
                for name, value in _pairs(headers):
                    if name:
                        self.set_header(name, value)
            direct = None
        else:
            direct = headers
        message = self.status_message
        if check_invalid_header_char(message):
            raise NodeTypeError("ERR_INVALID_CHAR", "Invalid character in statusMessage")
        if code in (204, 304) or 100 <= code <= 199:
            self._has_body = False
        if self._expect_continue and not self._sent_100:
            # The client may still send the body it was waiting to send.
            self.should_keep_alive = False
        self._store_header(f"HTTP/1.1 {code} {message}\r\n", direct if direct is not None else None)
        return self

    writeHead = write_head

    def _implicit_header(self) -> None:
        code = self.status_code
        line = _STATUS_LINES.get(code) if self.status_message is None and type(code) is int else None
        if line is None or code is None:
            self.write_head(code or 200)
            return
        # write_head(code) for a code of Node's table and its own reason phrase: nothing
        # to validate, and the status line is made once.
        self.status_message = STATUS_CODES[code]
        if code in (204, 304) or 100 <= code <= 199:
            self._has_body = False
        if self._expect_continue and not self._sent_100:
            self.should_keep_alive = False
        self._store_header(line, None)

    # -- interim responses ------------------------------------------------------------

    def write_continue(self, callback: Callback | None = None) -> None:
        """Send ``100 Continue``."""
        self._write_raw(b"HTTP/1.1 100 Continue\r\n\r\n", callback)
        self._sent_100 = True

    def write_processing(self, callback: Callback | None = None) -> None:
        """Send ``102 Processing``."""
        self._write_raw(b"HTTP/1.1 102 Processing\r\n\r\n", callback)

    def write_early_hints(self, hints: Mapping[str, HeaderValue], callback: Callback | None = None) -> None:
        """Send ``103 Early Hints`` with ``hints``; nothing is sent without a ``link``.

        Raises:
          NodeError: ``ERR_INVALID_ARG_VALUE`` for a link not shaped like
            ``</styles.css>; rel=preload; as=style``.
        """
        if not isinstance(hints, Mapping):
            raise NodeTypeError("ERR_INVALID_ARG_TYPE", 'The "hints" argument must be of type object')
        link = hints.get("link")
        if link is None:
            return
        links = list(link) if isinstance(link, list | tuple) else [link]
        if not isinstance(link, str | list | tuple) or not all(
            isinstance(x, str) and _LINK_VALUE.match(x) for x in links
        ):
            raise err_invalid_arg_value(
                "hints", link, 'must be an array or string of format "</styles.css>; rel=preload; as=style"'
            )
        if not links:
            return
        head = "HTTP/1.1 103 Early Hints\r\nLink: " + ", ".join(str(x) for x in links) + "\r\n"
        for name, value in hints.items():
            if name != "link":
                head += f"{name}: {value}\r\n"
        self._write_raw((head + "\r\n").encode("latin-1", "replace"), callback)


def _pairs(headers: Sequence[Any]) -> list[tuple[Any, Any]]:
    if headers and isinstance(headers[0], list | tuple):
        return [(e[0], e[1]) for e in headers]
    if len(headers) % 2:
        raise err_invalid_arg_value("headers", headers)
    return [(headers[i], headers[i + 1]) for i in range(0, len(headers), 2)]
