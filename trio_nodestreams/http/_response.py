"""ServerResponse: the response as a Writable (node: lib/_http_server.js, _http_outgoing.js).

The head is rendered by :func:`~._common.store_header` exactly as Node renders
it, the first time a body byte (or ``flush_headers``) needs it. ``end(data)``
as the only write gets a ``Content-Length``; a streamed body is chunked for
HTTP/1.1 and close-delimited for HTTP/1.0; HEAD, 204 and 304 carry no body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._encoding import check_encoding, encode
from .._errors import (
    NodeError,
    NodeRangeError,
    NodeTypeError,
    err_invalid_arg_type,
    err_stream_destroyed,
    err_stream_write_after_end,
)
from .._writable import Writable
from ._common import (
    STATUS_CODES,
    Framing,
    HeaderValue,
    HeadFlags,
    OutHeaders,
    check_invalid_header_char,
    encode_chunk,
    last_chunk,
    render_trailers,
    status_message,
    store_header,
    validate_status_code,
    write_head_flags,
)
from ._outgoing import HeaderStore, err_headers_sent

if TYPE_CHECKING:
    from ._incoming import IncomingMessage
    from ._socket import Socket

Callback = Callable[..., object]

#: Node's shape of one Link value for ``writeEarlyHints``.
_LINK_VALUE = re.compile(r'^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$')


def _as_bytes(chunk: Any, encoding: str | None) -> bytes:
    if isinstance(chunk, str):
        return encode(chunk, check_encoding(encoding or "utf8"))
    if isinstance(chunk, bytes | bytearray | memoryview):
        return bytes(chunk)
    raise err_invalid_arg_type("chunk", "of type string or an instance of Buffer or Uint8Array", chunk)


class ServerResponse(HeaderStore, Writable):
    """The response to one request; write the body, ``end()`` it.

    ``write()`` returns False when the client does not read fast enough; wait
    for ``'drain'`` (or ``await res.send_all(data)``). ``'finish'`` follows the
    last byte, then ``'close'``; a lost connection gives ``'close'`` alone.
    """

    def __init__(
        self,
        req: IncomingMessage,
        socket: Socket,
        flags: HeadFlags,
        *,
        high_water_mark: int | None = None,
    ) -> None:
        Writable.__init__(self, high_water_mark=high_water_mark, scope=req._scope)
        self.req = req
        self.socket: Socket | None = socket
        self._flags = flags
        self._out_headers: OutHeaders = {}
        self.status_code = 200
        self.status_message: str | None = None
        self._framing: Framing | None = None
        self._head: bytes | None = None
        self._trailer = ""
        self._wrote_body = False
        self._body_sent = 0
        self._has_written = False
        self.finished = False
        #: Node's ``strictContentLength``: a body that does not add up to the
        #: ``Content-Length`` raises ``ERR_HTTP_CONTENT_LENGTH_MISMATCH``.
        self.strict_content_length = False
        self._bytes_written = 0  # body bytes counted while strict_content_length is on
        # A pipelined response waits for the ones before it: until the server
        # attaches it, its output (and the write callbacks) queue here.
        self._attached = True
        self._pending_out: list[tuple[bytes, Callback | None]] = []

    # -- head -------------------------------------------------------------------

    @property
    def headers_sent(self) -> bool:
        """Whether the head was rendered and sent."""
        return self._framing is not None

    @property
    def send_date(self) -> bool:
        """Whether a ``Date`` header is added (default True)."""
        return self._flags.send_date

    @send_date.setter
    def send_date(self, value: bool) -> None:
        self._flags.send_date = bool(value)

    @property
    def connection(self) -> Socket | None:
        """Alias of :attr:`socket`."""
        return self.socket

    def write_head(
        self,
        status_code: int,
        status_message: str | Mapping[str, HeaderValue] | Sequence[Any] | None = None,
        headers: Mapping[str, HeaderValue] | Sequence[Any] | None = None,
    ) -> ServerResponse:
        """Set the status and headers (merged over ``set_header`` ones) and fix the head.

        Raises:
          NodeError: ``ERR_HTTP_HEADERS_SENT``, ``ERR_HTTP_INVALID_STATUS_CODE``,
            ``ERR_INVALID_CHAR`` (status message), header validation errors.
        """
        if self._framing is not None:
            raise err_headers_sent("write")
        if status_message is not None and not isinstance(status_message, str):
            headers, status_message = status_message, None
        code = validate_status_code(status_code)
        if status_message is None:
            status_message = self.status_message or status_message_for(code)
        if check_invalid_header_char(status_message):
            raise NodeError("ERR_INVALID_CHAR", "Invalid character in statusMessage")
        self.status_code = code
        self.status_message = status_message
        if headers is not None:
            if isinstance(headers, Mapping):
                if self._out_headers:
                    for name, value in headers.items():
                        self.set_header(name, value)
                    self._render_head(None)
                else:
                    # Node: with no set_header() before, the object is rendered as
                    # given and not stored (a failed render leaves nothing behind).
                    self._render_head(list(headers.items()))
            else:
                if self._out_headers:
                    # Node: with headers set already, an array merges pair by pair.
                    items = _pairs(headers)
                    for name, value in items:
                        self.append_header(name, value) if self.has_header(name) else self.set_header(
                            name, value
                        )
                    self._render_head(None)
                else:
                    self._render_head(headers)
        else:
            self._render_head(None)
        return self

    writeHead = write_head

    def _render_head(self, direct: Sequence[Any] | None) -> None:
        """Fix the head (not yet sent: it leaves with the first body bytes or flush)."""
        code = self.status_code
        if not (100 <= code <= 999):
            raise NodeRangeError("ERR_HTTP_INVALID_STATUS_CODE", f"Invalid status code: {code}")
        message = self.status_message or status_message_for(code)
        flags = self._flags
        write_head_flags(flags, code)
        first = f"HTTP/1.1 {code} {message}\r\n"
        if direct is not None:
            framing = store_header(flags, first, direct)
        else:
            framing = store_header(flags, first, out_headers=self._out_headers)
        self._framing = framing
        self._head = framing.head

    def flush_headers(self) -> None:
        """Send the head now, before any body."""
        if self._framing is None:
            self._render_head(None)
        self._send(b"", None)

    def add_trailers(self, headers: Mapping[str, HeaderValue] | Sequence[tuple[str, HeaderValue]]) -> None:
        """Trailers to send after a chunked body."""
        self._trailer = render_trailers(headers)

    def write_continue(self, callback: Callback | None = None) -> None:
        """Send ``100 Continue``."""
        self._flags.sent_100 = True
        self._raw(b"HTTP/1.1 100 Continue\r\n\r\n", callback)

    def write_processing(self, callback: Callback | None = None) -> None:
        """Send ``102 Processing``."""
        self._raw(b"HTTP/1.1 102 Processing\r\n\r\n", callback)

    def write_early_hints(self, hints: Mapping[str, HeaderValue], callback: Callback | None = None) -> None:
        """Send ``103 Early Hints`` with ``hints``; nothing is sent without a ``link``.

        Raises:
          NodeError: ``ERR_INVALID_ARG_VALUE`` for a link not shaped like
            ``</styles.css>; rel=preload; as=style``.
        """
        link = hints.get("link")
        if link is None:
            return
        links = list(link) if isinstance(link, list | tuple) else [link]
        if not isinstance(link, str | list | tuple) or not all(
            isinstance(x, str) and _LINK_VALUE.match(x) for x in links
        ):
            raise NodeTypeError(
                "ERR_INVALID_ARG_VALUE",
                "The argument 'hints' must be an array or string of format "
                '"</styles.css>; rel=preload; as=style"',
            )
        if not links:
            return
        head = "HTTP/1.1 103 Early Hints\r\nLink: " + ", ".join(str(x) for x in links) + "\r\n"
        for name, value in hints.items():
            if name != "link":
                head += f"{name}: {value}\r\n"
        self._raw((head + "\r\n").encode("latin-1"), callback)

    def _raw(self, data: bytes, callback: Callback | None) -> None:
        if self.socket is not None and not self.socket.destroyed:
            self._sock_write(data, callback)

    def _sock_write(self, data: bytes, callback: Callback | None) -> None:
        """Hand ``data`` to the socket, or queue it while an earlier response is being sent."""
        if not self._attached:
            self._pending_out.append((data, callback))
            return
        assert self.socket is not None
        self.socket.write(data, callback)

    def _attach(self) -> None:
        """Become the response being sent on the connection: flush what was queued."""
        self._attached = True
        pending, self._pending_out = self._pending_out, []
        sock = self.socket
        for data, callback in pending:
            if sock is None or sock.destroyed:
                if callback is not None:
                    from ._socket import econnreset

                    callback(econnreset())
            else:
                sock.write(data, callback)

    # -- body ---------------------------------------------------------------------

    def _send(self, body: bytes, callback: Callback | None) -> None:
        """Frame one write of body bytes for the fixed head and send it."""
        framing = self._framing
        assert framing is not None
        if framing.body == "chunked":
            body = encode_chunk(body)
        elif framing.body == "none":
            body = b""
        self._send_framed(body, callback)

    def _send_framed(self, body: bytes, callback: Callback | None) -> None:
        """Send bytes already framed, after the head if it has not left yet."""
        head = self._head
        self._head = None
        data = head + body if head else body
        sock = self.socket
        if sock is None or sock.destroyed:
            if callback is not None:
                from ._socket import econnreset

                callback(econnreset())
            return
        if data or not self._attached:
            self._sock_write(data, callback)
        elif callback is not None:
            callback()

    def write(self, chunk: Any, encoding: str | Callback | None = None, callback: Callback | None = None) -> bool:
        """Write a piece of the body (the head goes first, if not yet sent)."""
        if chunk is None:
            raise NodeError("ERR_STREAM_NULL_VALUES", "May not write null values to stream", name="TypeError")
        if callable(encoding):
            encoding, callback = None, encoding
        state = self._writable_state
        if state.ending or state.destroyed:
            # Node's OutgoingMessage: the callback gets the error, then 'error' is
            # emitted; the response itself is not destroyed (what was sent stands).
            if state.destroyed:
                err = err_stream_destroyed("write")
                if callback is not None:
                    self._scope.next_tick(callback, err)
            else:
                self._scope.next_tick(self._write_after_end, err_stream_write_after_end(), callback)
            return False
        if self.strict_content_length and isinstance(chunk, str | bytes | bytearray | memoryview):
            # Node checks before the head is fixed: the first write after
            # set_header is counted, not checked.
            size = len(_as_bytes(chunk, encoding))
            announced = self._strict_length()
            if announced is not None and self._bytes_written + size > announced:
                raise err_content_length_mismatch(self._bytes_written + size, announced)
            self._bytes_written += size
        self._has_written = True
        if self._framing is None and isinstance(chunk, str | bytes | bytearray | memoryview):
            # Node's write_(): the first write fixes the head at once, even while
            # corked (set_header then raises ERR_HTTP_HEADERS_SENT); its bytes
            # leave with the first body bytes.
            self._render_head(None)
        return Writable.write(self, chunk, encoding, callback)

    def _write_after_end(self, err: NodeError, callback: Callback | None) -> None:
        if callback is not None:
            callback(err)
        if not self._writable_state.close_emitted:  # Node: destroyed once 'close' is out
            self.emit("error", err)

    def end(self, chunk: Any = None, encoding: str | Callback | None = None, callback: Callback | None = None) -> ServerResponse:
        """Finish the response; ``end(data)`` as the only write sets ``Content-Length``."""
        if callable(chunk):
            chunk, encoding, callback = None, None, chunk
        elif callable(encoding):
            encoding, callback = None, encoding
        strict = self.strict_content_length and not self.finished
        if strict and (chunk or self._framing is None) and self.socket is not None:
            # Node corks for end(data) or an unsent head, before its checks: a
            # mismatch leaves the socket corked, so nothing more goes out.
            self.socket.cork()
            corked: Socket | None = self.socket
        else:
            corked = None
        if strict and chunk:
            size = len(_as_bytes(chunk, encoding if isinstance(encoding, str) else None))
            announced = self._strict_length()
            if announced is not None and self._bytes_written + size != announced:
                raise err_content_length_mismatch(self._bytes_written + size, announced)
            self._bytes_written += size
        if self._framing is None and not self._has_written and not self.writable_ended:
            data = b"" if chunk is None else _as_bytes(chunk, encoding if isinstance(encoding, str) else None)
            self._flags.content_length = len(data)
            self._render_head(None)
            if chunk is not None:
                chunk = data
                encoding = None
        if strict:
            announced = self._strict_length()
            if announced is not None and self._bytes_written != announced:
                raise err_content_length_mismatch(self._bytes_written, announced)
        self.finished = True
        Writable.end(self, chunk, encoding, callback)
        if corked is not None:
            corked.uncork()
        return self

    def _strict_length(self) -> int | None:
        """The length ``strict_content_length`` holds the body to, once the head is fixed."""
        framing = self._framing
        if (
            framing is None
            or framing.body != "content-length"
            or framing.content_length is None
            or self._flags.removed_content_length
            or self.has_header("transfer-encoding")
        ):
            return None
        return framing.content_length

    def _write(self, chunk: Any, encoding: str | None, callback: Callback) -> None:
        if self._framing is None:
            self._render_head(None)
        data = chunk if isinstance(chunk, bytes) else _as_bytes(chunk, encoding)
        self._send(data, callback)

    def _writev(self, chunks: list[tuple[Any, str | None]], callback: Callback) -> None:
        if self._framing is None:
            self._render_head(None)
        parts = [c if isinstance(c, bytes) else _as_bytes(c, e) for c, e in chunks]
        assert self._framing is not None
        if self._framing.body == "chunked" and len(parts) > 1:
            # Each write keeps its own chunk, as Node frames them; one socket write.
            self._send_framed(b"".join(encode_chunk(p) for p in parts), callback)
        else:
            self._send(b"".join(parts), callback)

    def _final(self, callback: Callback) -> None:
        if self._framing is None:
            if self._flags.content_length is None:
                self._flags.content_length = 0
            self._render_head(None)
        framing = self._framing
        assert framing is not None
        if framing.body == "chunked":
            self._send_framed(last_chunk(self._trailer), callback)
        else:
            self._send(b"", callback)

    def _destroy(self, err: BaseException | None, callback: Callback) -> None:
        # Node: destroying an unfinished response destroys its connection.
        sock = self.socket
        if sock is not None and not self.writable_finished:
            sock.destroy()
        callback(None)

    @property
    def writable_finished(self) -> bool:
        """Whether everything was written and handed to the kernel."""
        sock = self.socket
        return self._writable_state.finished or (
            self._writable_state.ending
            and self._writable_state.length == 0
            and self._head is None
            and self._framing is not None
            and (sock is None or sock.writable_length == 0)
        )

    def set_timeout(self, msecs: float, callback: Callback | None = None) -> ServerResponse:
        """Call ``socket.set_timeout``; ``callback`` listens for this response's ``'timeout'``."""
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is not None:
            self.socket.set_timeout(msecs)
        return self


def err_content_length_mismatch(written: int, announced: int) -> NodeError:
    """Node's ``ERR_HTTP_CONTENT_LENGTH_MISMATCH``."""
    return NodeError(
        "ERR_HTTP_CONTENT_LENGTH_MISMATCH",
        f"Response body's content-length of {written} byte(s) does not match "
        f"the content-length of {announced} byte(s) set in header",
    )


def status_message_for(code: int) -> str:
    """Node's reason phrase for ``code``."""
    return STATUS_CODES.get(code) or status_message(code)


def _pairs(headers: Sequence[Any]) -> list[tuple[str, Any]]:
    if headers and isinstance(headers[0], list | tuple):
        return [(str(e[0]), e[1]) for e in headers]
    return [(str(headers[i]), headers[i + 1]) for i in range(0, len(headers) - 1, 2)]
