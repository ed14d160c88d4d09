"""OutgoingMessage: what a response and a request being sent share (node: lib/_http_outgoing.js).

One base for :class:`ServerResponse` and
:class:`ClientRequest`: the header store, the head rendered
once by Node's ``_storeHeader`` rules (``store_header``), the
framing of each write (chunked or raw), ``end()`` with its ``Content-Length``
for a body given whole, trailers, cork/uncork, ``strict_content_length``, and
the output queued while the message waits for its turn on the connection.

As in Node, it is not a ``Writable`` state machine: writes go straight to the
connection (:class:`Socket`), ``'finish'`` follows the write callback
of the last bytes, and ``'close'`` comes from the connection side. It speaks
Node's writable interface (``write``/``end``/``'drain'``/``'finish'``), so
``pipe()``, ``pipeline()`` and ``finished()`` take it, and Trio's: it is a
``trio.abc.SendStream`` (``await send_all(data)``, ``await aclose()``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import trio

from .._encoding import check_encoding, encode
from .._errors import (
    NodeError,
    err_invalid_arg_type,
    err_stream_already_finished,
    err_stream_destroyed,
    err_stream_write_after_end,
)
from .._events import EventEmitter
from .._scope import Scope
from ._rules import (
    _INVALID_HEADER_CHAR_RE,
    HeaderValue,
    OutHeaders,
    render_head,
    render_trailers,
    validate_header_name,
    validate_header_value,
)

if TYPE_CHECKING:
    from ._socket import Socket

Callback = Callable[..., object]

# Header names already checked, with their lower-case key: a server sets the same few
# names on every response. Bounded, so that names from peers cannot grow it forever.
_VALID_NAMES: dict[str, str] = {}
_VALID_NAMES_KEPT = 512
_INVALID_VALUE_CHAR = _INVALID_HEADER_CHAR_RE.search

#: Default ``writable_high_water_mark`` of a message without a connection.
HIGH_WATER_MARK = 64 * 1024
# Past this size a body write is not joined to the head or to its chunk framing
# (a copy); the pieces go to the connection one after the other instead.
_JOIN_LIMIT = 64 * 1024


def err_headers_sent(action: str) -> NodeError:
    """``ERR_HTTP_HEADERS_SENT``."""
    return NodeError(
        "ERR_HTTP_HEADERS_SENT", f"Cannot {action} headers after they are sent to the client"
    )


def err_content_length_mismatch(written: int, announced: int) -> NodeError:
    """Node's ``ERR_HTTP_CONTENT_LENGTH_MISMATCH``."""
    return NodeError(
        "ERR_HTTP_CONTENT_LENGTH_MISMATCH",
        f"Response body's content-length of {written} byte(s) does not match "
        f"the content-length of {announced} byte(s) set in header",
    )


def _nop(*_args: object) -> None:
    pass


def chunk_bytes(chunk: object, encoding: str | None) -> bytes:
    """A body chunk as bytes (``str`` encoded with ``encoding``, utf8 by default).

    Raises:
      NodeError: ``ERR_STREAM_NULL_VALUES`` for ``None``, ``ERR_INVALID_ARG_TYPE``
        for anything that is neither text nor bytes.
    """
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, str):
        if encoding is None or encoding in ("utf8", "utf-8"):
            return chunk.encode("utf-8", "surrogatepass")
        return encode(chunk, check_encoding(encoding))
    if isinstance(chunk, bytearray | memoryview):
        return bytes(chunk)
    if chunk is None:
        raise NodeError("ERR_STREAM_NULL_VALUES", "May not write null values to stream", name="TypeError")
    raise err_invalid_arg_type(
        "chunk", "of type string or an instance of Buffer or Uint8Array", chunk
    )


class OutgoingMessage(EventEmitter, trio.abc.SendStream):
    """An HTTP message being sent; the base of ``ServerResponse`` and ``ClientRequest``.

    ``write()`` returns False while the connection cannot keep up: wait for
    ``'drain'`` (or ``await send_all(data)``). ``'finish'`` follows the last byte
    handed to the connection.

    Attributes:
      finished: ``end()`` was called (Node's ``writableEnded``).
      chunked_encoding: the body is sent chunked.
      should_keep_alive: the connection may carry another message afterwards.
      use_chunked_encoding_by_default: a streamed body is chunked (HTTP/1.1).
      send_date: a ``Date`` header is added.
      strict_content_length: a body that does not add up to the announced
        ``Content-Length`` raises ``ERR_HTTP_CONTENT_LENGTH_MISMATCH``.
      socket: the connection, once this message has its turn on it.
    """

    _event_arity: ClassVar[dict[str, int]] = {
        **EventEmitter._event_arity,
        "finish": 0, "prefinish": 0, "close": 0, "drain": 0, "error": 1, "socket": 1, "timeout": 0,
        "response": 1, "information": 1, "continue": 0, "upgrade": 3, "connect": 3, "abort": 0,
    }  # fmt: skip

    status_code: int | None = None

    # Defaults shared by every message until it sets its own: a message is made per
    # request, and most of these never change.
    _max_listeners: int | None = None
    _warned: set[str] | None = None
    output_size = 0
    writable = True
    destroyed = False
    _last = False
    chunked_encoding = False
    should_keep_alive = True
    max_requests_on_connection_reached = False
    _default_keep_alive = True
    use_chunked_encoding_by_default = True
    send_date = False
    _removed_connection = False
    _removed_cont_len = False
    _removed_te = False
    strict_content_length = False
    _bytes_written = 0
    _content_length: int | None = None
    _has_body = True
    _trailer = ""
    _need_drain = False
    finished = False
    _header_sent = False
    _corked = 0
    _closed = False
    socket: Socket | None = None
    _header: bytes | None = None
    _out_headers: OutHeaders | None = None
    _keep_alive_timeout: float = 0
    _max_requests_per_socket = 0
    _has_agent = False
    _unique_headers: frozenset[str] | None = None
    _expect_continue = False
    _sent_100 = False
    #: Called with the byte count queued while waiting for the connection (Node's _onPendingData).
    _on_pending_data: Callable[[int], object] | None = None
    _errored: BaseException | None = None
    _sending = False
    #: Run when the message finished, before the 'finish' listeners (the connection's part).
    _finish_hook: Callable[[], object] | None = None

    def __init__(self, scope: Scope, *, high_water_mark: int | None = None) -> None:
        self._events = {}
        self._scope = scope
        # Node's outputData: what was written before the connection was ours.
        self._output: list[tuple[bytes, Callback | None]] = []
        self._high_water_mark = high_water_mark or HIGH_WATER_MARK

    # -- state, as Node's writable properties -------------------------------------

    @property
    def errored(self) -> BaseException | None:
        """The error this message was destroyed with, if any."""
        return self._errored

    @property
    def closed(self) -> bool:
        """Whether ``'close'`` was emitted."""
        return self._closed

    @property
    def headers_sent(self) -> bool:
        """Whether the head was rendered (it leaves with the first body bytes)."""
        return self._header is not None

    @property
    def writable_ended(self) -> bool:
        """Whether ``end()`` was called."""
        return self.finished

    @property
    def writable_finished(self) -> bool:
        """Whether everything was handed to the connection after ``end()``."""
        sock = self.socket
        return self.finished and self.output_size == 0 and (sock is None or not sock._out)

    @property
    def writable_object_mode(self) -> bool:
        """False, always (HTTP bodies are bytes)."""
        return False

    @property
    def writable_length(self) -> int:
        """Bytes queued here and in the connection."""
        sock = self.socket
        return self.output_size + (len(sock._out) if sock is not None else 0)

    @property
    def writable_high_water_mark(self) -> int:
        """The connection's high-water mark (or this message's, before it has one)."""
        sock = self.socket
        return sock.writable_high_water_mark if sock is not None else self._high_water_mark

    @property
    def writable_corked(self) -> int:
        """Cork calls in force, here and on the connection."""
        sock = self.socket
        return (sock.writable_corked if sock is not None else 0) + self._corked

    @property
    def writable_need_drain(self) -> bool:
        """Whether a write returned False and ``'drain'`` has not come yet."""
        return not self.destroyed and not self.finished and self._need_drain

    @property
    def connection(self) -> Socket | None:
        """Alias of :attr:`socket` (Node's deprecated ``connection``)."""
        return self.socket

    # -- headers ----------------------------------------------------------------

    def set_header(self, name: str, value: HeaderValue) -> Any:
        """Set a header to send, replacing any of the same name (case-insensitively).

        Raises:
          NodeError: ``ERR_HTTP_HEADERS_SENT``, ``ERR_INVALID_HTTP_TOKEN``,
            ``ERR_HTTP_INVALID_HEADER_VALUE``, ``ERR_INVALID_CHAR``.
        """
        if self._header is not None:
            raise err_headers_sent("set")
        key = _VALID_NAMES.get(name) if type(name) is str else None
        if key is None:
            validate_header_name(name)
            key = name.lower()
            if len(_VALID_NAMES) < _VALID_NAMES_KEPT:
                _VALID_NAMES[name] = key
        if type(value) is not str or _INVALID_VALUE_CHAR(value) is not None:
            validate_header_value(name, value)
        headers = self._out_headers
        if headers is None:
            headers = self._out_headers = {}
        headers[key] = (name, value)
        return self

    def set_headers(self, headers: Mapping[str, HeaderValue]) -> Any:
        """Set several headers at once (``set-cookie`` values are gathered into one list)."""
        if self._header is not None:
            raise err_headers_sent("set")
        if not isinstance(headers, Mapping):
            raise err_invalid_arg_type("headers", "an instance of Headers or Map", headers)
        cookies: list[Any] = []
        for name, value in headers.items():
            if name == "set-cookie":
                cookies.extend(value if isinstance(value, list | tuple) else [value])
                continue
            self.set_header(name, value)
        if cookies:
            self.set_header("set-cookie", cookies)
        return self

    def append_header(self, name: str, value: HeaderValue) -> Any:
        """Add a value to a header, keeping the earlier ones."""
        if self._header is not None:
            raise err_headers_sent("append")
        validate_header_name(name)
        validate_header_value(name, value)
        key = name.lower()
        headers = self._out_headers
        if headers is None or key not in headers:
            return self.set_header(name, value)
        given, old = headers[key]
        olds: list[Any] = list(old) if isinstance(old, list | tuple) else [old]
        news: list[Any] = list(value) if isinstance(value, list | tuple) else [value]
        headers[key] = (given, olds + news)
        return self

    def get_header(self, name: str) -> HeaderValue | None:
        """The value set for ``name``, or None."""
        if not isinstance(name, str):
            raise err_invalid_arg_type("name", "of type string", name)
        headers = self._out_headers
        if headers is None:
            return None
        entry = headers.get(name.lower())
        return None if entry is None else entry[1]

    def get_headers(self) -> dict[str, HeaderValue]:
        """A copy of the headers set, keyed by lower-case name."""
        headers = self._out_headers or {}
        return {key: value for key, (_name, value) in headers.items()}

    def get_header_names(self) -> list[str]:
        """The lower-case names of the headers set."""
        return list(self._out_headers or ())

    def get_raw_header_names(self) -> list[str]:
        """The names of the headers set, as given."""
        return [name for name, _value in (self._out_headers or {}).values()]

    def has_header(self, name: str) -> bool:
        """Whether ``name`` is set."""
        if not isinstance(name, str):
            raise err_invalid_arg_type("name", "of type string", name)
        headers = self._out_headers
        return headers is not None and name.lower() in headers

    def remove_header(self, name: str) -> None:
        """Unset ``name``; removing a framing header keeps Node from adding its own."""
        if not isinstance(name, str):
            raise err_invalid_arg_type("name", "of type string", name)
        if self._header is not None:
            raise err_headers_sent("remove")
        key = name.lower()
        if key == "connection":
            self._removed_connection = True
        elif key == "content-length":
            self._removed_cont_len = True
        elif key == "transfer-encoding":
            self._removed_te = True
        elif key == "date":
            self.send_date = False
        if self._out_headers is not None:
            self._out_headers.pop(key, None)

    def _store_header(self, first_line: str, headers: Sequence[Any] | Mapping[str, Any] | None) -> None:
        """Render the head (Node's ``_storeHeader``); it leaves with the first body bytes.

        ``headers`` None means the stored ones (``set_header``); else they are validated.
        """
        if headers is None:
            head, expect, _cl = render_head(self, first_line, None, self._out_headers or {})
        else:
            head, expect, _cl = render_head(self, first_line, headers, None)
        self._header = head
        self._header_sent = False
        if expect:
            self._send(b"", None)

    def _implicit_header(self) -> None:
        raise NotImplementedError

    def add_trailers(self, headers: Mapping[str, HeaderValue] | Sequence[tuple[str, HeaderValue]]) -> None:
        """Trailers to send after a chunked body (replacing any added before).

        Raises:
          NodeError: ``ERR_INVALID_HTTP_TOKEN`` for a bad name, ``ERR_INVALID_CHAR``
            for a bad value.
        """
        self._trailer = render_trailers(headers, self._unique_headers)

    # -- output -------------------------------------------------------------------

    def cork(self) -> None:
        """Hold writes until :meth:`uncork` (on the connection, once there is one)."""
        if self.socket is not None:
            self.socket.cork()
        else:
            self._corked += 1

    def uncork(self) -> None:
        """Undo one :meth:`cork`."""
        if self.socket is not None:
            self.socket.uncork()
        elif self._corked:
            self._corked -= 1

    def _send(self, data: bytes, callback: Callback | None) -> bool:
        """Send bytes already framed; the head goes first if it has not left yet."""
        if not self._header_sent and self._header is not None:
            header = self._header
            self._header_sent = True
            if len(data) <= _JOIN_LIMIT:
                data = header + data
            else:
                self._write_raw(header, None)
        return self._write_raw(data, callback)

    def _write_raw(self, data: bytes, callback: Callback | None) -> bool:
        sock = self.socket
        if sock is not None and sock.destroyed:
            # Destroyed: 'close' is on its way, nothing more goes out.
            return False
        if sock is not None and sock._http_message is self and not sock._ending:
            if self._output:
                self._flush_output(sock)
            return sock.write(data, callback)
        # Not our turn on the connection yet: keep it until it is.
        self._output.append((data, callback))
        self.output_size += len(data)
        if self._on_pending_data is not None:
            self._on_pending_data(len(data))
        return self.output_size < self._high_water_mark

    def _flush_output(self, sock: Socket) -> bool | None:
        """Hand what was queued before the connection was ours to it."""
        while self._corked:
            self._corked -= 1
            sock.cork()
        output = self._output
        if not output:
            return None
        sock.cork()
        ok = True
        for data, callback in output:
            ok = sock.write(data, callback)
        sock.uncork()
        self._output = []
        size = self.output_size
        self.output_size = 0
        if self._on_pending_data is not None:
            self._on_pending_data(-size)
        return ok

    def _flush(self) -> None:
        """The connection became ours: send what waited, then finish or drain."""
        sock = self.socket
        if sock is not None and sock.writable:
            ok = self._flush_output(sock)
            if self.finished:
                self._finish()
            elif ok and self._need_drain:
                self._need_drain = False
                self.emit("drain")

    def write(self, chunk: Any, encoding: str | Callback | None = None, callback: Callback | None = None) -> bool:
        """Write a piece of the body (the head goes first if it has not left yet).

        Returns:
          bool: False when the connection cannot keep up (wait for ``'drain'``).

        Raises:
          NodeError: ``ERR_STREAM_NULL_VALUES``, ``ERR_INVALID_ARG_TYPE``,
            ``ERR_HTTP_CONTENT_LENGTH_MISMATCH`` (``strict_content_length``).
        """
        if (
            encoding is None
            and type(chunk) is bytes
            and self.chunked_encoding
            and self._header_sent
            and self._has_body
            and not self.strict_content_length
            and not self.finished
            and not self.destroyed
        ):
            sock = self.socket
            size = len(chunk)
            if (
                sock is not None
                and sock._corked
                and sock._http_message is self
                and not self._output
                and not sock.destroyed
                and not sock._ending
                and 0 < size <= _JOIN_LIMIT
            ):
                # Short path: _write's steps for the next chunk of a chunked body whose
                # head is out, on a connection already corked for this tick.
                ok = sock.write(b"%x\r\n%b\r\n" % (size, chunk), callback)
                if not ok:
                    self._need_drain = True
                return ok
        if callable(encoding):
            encoding, callback = None, encoding
        ok = self._write(chunk, encoding, callback, from_end=False)
        if not ok:
            self._need_drain = True
        return ok

    def _write(self, chunk: Any, encoding: str | None, callback: Callback | None, *, from_end: bool) -> bool:
        """Node's ``write_``: checks, the implicit head, the chunk framing."""
        data = chunk if type(chunk) is bytes else chunk_bytes(chunk, encoding)
        if self.finished or self.destroyed:
            cb = callback or _nop
            if not self.destroyed:
                self._on_error(err_stream_write_after_end(), cb)
            else:
                self._scope.next_tick(cb, err_stream_destroyed("write"))
            return False
        size = len(data)
        if self.strict_content_length:
            written = self._bytes_written + size
            if self._strict_length() and (
                written != self._content_length if from_end else written > self._content_length  # type: ignore[operator]
            ):
                raise err_content_length_mismatch(written, self._content_length)  # type: ignore[arg-type]
            self._bytes_written = written
        if self._header is None:
            if from_end:
                self._content_length = size
            self._implicit_header()
        if not self._has_body:
            if callback is not None:
                self._scope.next_tick(callback)
            return True
        sock = self.socket
        if not from_end and sock is not None and not sock._corked:
            # Writes in the same tick leave together, in one system call.
            sock.cork()
            self._scope.next_tick(sock.uncork)
        if self.chunked_encoding and size:
            if size <= _JOIN_LIMIT:
                framed = b"%x\r\n%b\r\n" % (size, data)
                if (
                    self._header_sent
                    and sock is not None
                    and sock._http_message is self
                    and not self._output
                    and not sock.destroyed
                    and not sock._ending
                ):
                    # The head is out and the connection is ours: what _send and
                    # _write_raw would do comes down to this one call.
                    return sock.write(framed, callback)
                return self._send(framed, callback)
            self._send(b"%x\r\n" % size, None)
            self._send(data, None)
            return self._send(b"\r\n", callback)
        return self._send(data, callback)

    def _strict_length(self) -> bool:
        """Whether ``strict_content_length`` applies (Node's ``strictContentLength()``)."""
        return (
            self._content_length is not None
            and self._has_body
            and not self._removed_cont_len
            and not self.chunked_encoding
            and not self.has_header("transfer-encoding")
        )

    def _on_error(self, err: BaseException, callback: Callback) -> None:
        """A misuse after the fact: the callback gets ``err``, then ``'error'`` is emitted."""
        if self.destroyed:
            return
        self._scope.next_tick(self._emit_error_nt, err, callback)

    def _emit_error_nt(self, err: BaseException, callback: Callback) -> None:
        callback(err)
        if not self.destroyed:
            self.emit("error", err)

    def end(self, chunk: Any = None, encoding: str | Callback | None = None, callback: Callback | None = None) -> Any:
        """Finish the message; ``end(data)`` as the only write sets ``Content-Length``.

        Raises:
          NodeError: as :meth:`write`; a second ``end(data)`` reports
            ``ERR_STREAM_WRITE_AFTER_END`` to ``callback`` and ``'error'`` instead.
        """
        if callable(chunk):
            chunk, encoding, callback = None, None, chunk
        elif callable(encoding):
            encoding, callback = None, encoding
        # Everything end() sends leaves in one write. Node corks the socket for it
        # when there is a chunk or a head to send: should a step throw, the socket
        # stays corked and what this message wrote before does not go out either.
        corks = bool(chunk) or self._header is None
        data = b""
        if chunk:
            if self.finished:
                self._on_error(err_stream_write_after_end(), callback or _nop)
                return self
            try:
                data = self._end_chunk(chunk, encoding)
            except Exception:
                if self.socket is not None:
                    self.socket.cork()
                raise
        elif self.finished:
            if callback is not None:
                if not self.writable_finished:
                    self.once("finish", callback)
                else:
                    callback(err_stream_already_finished("end"))
            return self
        elif self._header is None:
            self._content_length = 0
            self._implicit_header()
        if callback is not None:
            self.once("finish", callback)
        if self.strict_content_length and self._strict_length() and self._bytes_written != self._content_length:
            if corks and self.socket is not None:
                self.socket.cork()
            raise err_content_length_mismatch(self._bytes_written, self._content_length)  # type: ignore[arg-type]
        if self._has_body and self.chunked_encoding:
            data += b"0\r\n" + self._trailer.encode("latin-1", "replace") + b"\r\n"
            self._send(data, self._on_finish)
        elif data or not self._header_sent or self.output_size or (
            self.socket is not None and self.socket._out
        ):
            self._send(data, self._on_finish)
        else:
            self._scope.next_tick(self._on_finish)
        sock = self.socket
        if sock is not None:
            # One uncork undoes every cork of this tick: the whole message leaves now.
            if sock._corked:
                sock._corked = 1
                sock.uncork()
        self._corked = 0
        self.finished = True
        if not self._output and sock is not None and sock._http_message is self:
            self._finish()
        return self

    def _end_chunk(self, chunk: Any, encoding: str | None) -> bytes:
        """The last body bytes given to ``end()``, checked and framed (Node's ``write_`` from end)."""
        data = chunk_bytes(chunk, encoding)
        if self.destroyed:
            self._scope.next_tick(_nop, err_stream_destroyed("write"))
            return b""
        size = len(data)
        if self.strict_content_length:
            written = self._bytes_written + size
            if self._strict_length() and written != self._content_length:
                raise err_content_length_mismatch(written, self._content_length)  # type: ignore[arg-type]
            self._bytes_written = written
        if self._header is None:
            self._content_length = size
            self._implicit_header()
        if not self._has_body:
            return b""
        if self.chunked_encoding and size:
            return b"%x\r\n%b\r\n" % (size, data)
        return data

    def _on_finish(self, err: BaseException | None = None) -> None:
        sock = self.socket
        if err is not None or (sock is not None and sock._had_error):
            return
        # The connection's own 'finish' work runs first, as its listener was first in Node.
        hook = self._finish_hook
        if hook is not None:
            self._finish_hook = None
            hook()
        if self._events.get("finish"):
            self.emit("finish")

    def _finish(self) -> None:
        """Everything is queued on the connection: Node's ``'prefinish'``."""
        if self._events.get("prefinish"):
            self.emit("prefinish")

    def flush_headers(self) -> None:
        """Send the head now, before any body."""
        if self._header is None:
            self._implicit_header()
        self._send(b"", None)

    def set_timeout(self, msecs: float, callback: Callback | None = None) -> Any:
        """Set the connection's inactivity timeout; ``callback`` listens for ``'timeout'`` here."""
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is None:
            self.once("socket", lambda socket: socket.set_timeout(msecs))
        else:
            self.socket.set_timeout(msecs)
        return self

    def destroy(self, error: BaseException | None = None) -> Any:
        """Destroy the message and its connection (``error`` goes to the connection)."""
        if self.destroyed:
            return self
        self.destroyed = True
        self._errored = error
        if self.socket is not None:
            self.socket.destroy(error)
        else:
            self.once("socket", lambda socket: socket.destroy(error))
        return self

    def pipe(self, *_args: Any, **_kwargs: Any) -> Any:
        """An outgoing message cannot be read from: ``'error'`` with ``ERR_STREAM_CANNOT_PIPE``."""
        self.emit("error", NodeError("ERR_STREAM_CANNOT_PIPE", "Cannot pipe, not readable"))

    # -- the Trio way -------------------------------------------------------------

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        """Write ``data``, then wait while the connection cannot take more.

        Raises:
          trio.BusyResourceError: another task is in ``send_all``.
          trio.ClosedResourceError: ``end()`` was called.
          trio.BrokenResourceError: the message was destroyed (the peer left).

        Cancellation:
          The data was written (it is queued); only the wait for the connection
          to take it is abandoned.
        """
        if self._sending:
            raise trio.BusyResourceError("another task is already sending on this message")
        if self.finished:
            raise trio.ClosedResourceError("the message was ended")
        if self.destroyed or (self.socket is not None and self.socket.destroyed):
            raise trio.BrokenResourceError("the connection is gone")
        self._sending = True
        try:
            if not self.write(bytes(data)):
                await self._wait_drain()
        finally:
            self._sending = False

    async def wait_send_all_might_not_block(self) -> None:
        """Wait until a write would not have to wait for ``'drain'``."""
        if self._need_drain and not self.destroyed and not self.finished:
            await self._wait_drain()

    async def _wait_drain(self) -> None:
        event = trio.Event()
        broken: list[bool] = []

        def on_drain(*_: object) -> None:
            event.set()

        def on_close(*_: object) -> None:
            broken.append(True)
            event.set()

        self.once("drain", on_drain)
        self.once("close", on_close)
        try:
            await event.wait()
        finally:
            self.remove_listener("drain", on_drain)
            self.remove_listener("close", on_close)
        if broken and not self.writable_finished:
            raise trio.BrokenResourceError("the connection closed")

    async def aclose(self) -> None:
        """End the message and wait until it was sent (or the connection closed).

        Cancellation:
          The message is ended either way; only the wait is abandoned.
        """
        if not self.finished and not self.destroyed:
            self.end()
        if self.writable_finished or self._closed or self.destroyed:
            await trio.lowlevel.checkpoint()
            return
        event = trio.Event()

        def done(*_: object) -> None:
            event.set()

        self.once("finish", done)
        self.once("close", done)
        try:
            await event.wait()
        finally:
            self.remove_listener("finish", done)
            self.remove_listener("close", done)
