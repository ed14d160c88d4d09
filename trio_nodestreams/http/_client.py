"""http.request and ClientRequest (node: lib/_http_client.js).

The request is a Writable whose head is rendered by Node's ``_storeHeader``
rules (:func:`~._common.store_header`): ``end(data)`` alone gets
``Content-Length``, a ``write()`` first gets chunked encoding, GET/HEAD/DELETE/
OPTIONS/TRACE/CONNECT without a body get neither. Its connection comes from an
:class:`~._agent.Agent`; the exchange (reading the response while the body may
still be uploading) runs in the keeper task of that connection.

The response is an :class:`~._incoming.IncomingMessage` whose body streams with
back-pressure: when its buffer is full the socket is not read until the
consumer asks for more.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import trio

from .._encoding import check_encoding, encode
from .._errors import NodeError, NodeTypeError, err_invalid_arg_type
from .._scope import Scope, current_scope
from .._writable import Writable
from ._agent import IDEMPOTENT, Agent, ClientSocket, _Conn, global_agent
from ._common import (
    MAX_HEADER_SIZE,
    Framing,
    HeaderValue,
    HeadFlags,
    OutHeaders,
    check_is_http_token,
    encode_chunk,
    expects_continue,
    join_headers,
    last_chunk,
    render_trailers,
    store_header,
)
from ._guard import ChunkedDecoder, EndOfMessage, LengthDecoder, Rejection
from ._incoming import IncomingMessage
from ._outgoing import HeaderStore, err_headers_sent
from ._response_parser import CloseDecoder, ResponseHead, ResponseHeadParser, response_body
from ._socket import econnreset

__all__ = ["ClientRequest", "get", "request"]

Callback = Callable[..., object]

#: Methods whose requests get no chunked framing by default (Node's list).
_NO_BODY_DEFAULT = frozenset({"GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
_INVALID_PATH = re.compile(r"[^\u0021-\u00ff]")
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/<>?@\\^|\x7f]")
#: ms the body of an ``Expect: 100-continue`` request is held waiting for ``100 Continue``.
CONTINUE_TIMEOUT = 1000


def _parse_error(rejection: Rejection) -> NodeError:
    err = NodeError(rejection.code, f"Parse Error: {rejection.reason}")
    err.reason = rejection.reason  # type: ignore[attr-defined]
    return err


def _as_bytes(chunk: Any, encoding: str | None) -> bytes:
    if isinstance(chunk, str):
        return encode(chunk, check_encoding(encoding or "utf8"))
    if isinstance(chunk, bytes | bytearray | memoryview):
        return bytes(chunk)
    raise err_invalid_arg_type("chunk", "of type string or an instance of Buffer or Uint8Array", chunk)


def _url_options(url: str) -> dict[str, Any]:
    """Node's ``urlToHttpOptions`` for an ``http:`` URL string."""
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError as exc:
        raise NodeTypeError("ERR_INVALID_URL", "Invalid URL") from exc
    if not parts.scheme or not parts.netloc or hostname is None or _FORBIDDEN_HOST.search(hostname):
        raise NodeTypeError("ERR_INVALID_URL", "Invalid URL")
    if parts.scheme.lower() != "http":
        raise NodeTypeError(
            "ERR_INVALID_PROTOCOL", f'Protocol "{parts.scheme.lower()}:" not supported. Expected "http:"'
        )
    options: dict[str, Any] = {
        "protocol": "http:",
        "hostname": hostname,
        "path": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    }
    if port is not None:
        options["port"] = port
    if parts.username is not None:
        auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
        options["auth"] = auth
    return options


class ClientRequest(HeaderStore, Writable):
    """An HTTP request in progress (Node's ``http.ClientRequest``); make one with :func:`request`.

    Write the body with ``write()``/``end()`` (``write()`` returns False while
    the connection cannot keep up). Events: ``'socket'``, ``'finish'`` (the
    last byte left), ``'continue'``, ``'information'`` (1xx, 100 included, as
    Node), ``'response'`` (an :class:`IncomingMessage`), ``'upgrade'``,
    ``'timeout'``, ``'error'``, ``'close'``.

    ``await req.response()`` waits for the response (or raises the request's
    error). Cancelling a Trio scope around that wait does not abort the
    request; ``req.destroy()`` does.
    """

    def __init__(self, options: dict[str, Any], scope: Scope) -> None:
        Writable.__init__(
            self, high_water_mark=options.get("high_water_mark"), emit_close=False, auto_destroy=False, scope=scope
        )
        self._options = options
        method = options["method"]
        self.method: str = method
        self.path: str = options["path"]
        self.host: str = options["host"]
        self.port: int = options["port"]
        self.protocol = "http:"
        self.agent: Agent = options["agent"]
        self.max_header_size: int = options.get("max_header_size") or MAX_HEADER_SIZE
        self.socket: ClientSocket | None = None
        self.res: IncomingMessage | None = None
        self.reused_socket = False
        self.aborted = False
        self.timeout: float | None = options.get("timeout")
        agent = self.agent
        keep_alive = bool(agent.keep_alive or math.isfinite(agent.max_sockets))
        self.should_keep_alive = keep_alive
        self._flags = HeadFlags(
            has_body=True,
            should_keep_alive=keep_alive,
            use_chunked_encoding_by_default=method not in _NO_BODY_DEFAULT,
            has_agent=True,
        )
        self._out_headers: OutHeaders = {}
        self._framing: Framing | None = None
        self._head: bytes | None = None
        self._trailer = ""
        self._has_written = False
        self._pending: list[tuple[bytes, Callback | None]] = []
        self._attached = False
        self._held: list[tuple[bytes, Callback | None]] | None = None
        self._continue_timeout: float = options.get("continue_timeout", CONTINUE_TIMEOUT)
        self._closed = False
        self._had_error = False
        self._error: BaseException | None = None
        self._detached = False
        self._retry_data: bytes | None = None
        self._retried = False
        self.finished = False
        self._timeout_listener = self._on_socket_timeout

    # -- head ---------------------------------------------------------------------

    @property
    def headers_sent(self) -> bool:
        """Whether the head was rendered (it may still wait for the socket)."""
        return self._framing is not None

    @property
    def connection(self) -> ClientSocket | None:
        """Alias of :attr:`socket`."""
        return self.socket

    def _render_head(self, direct: Sequence[Any] | None = None) -> None:
        first = f"{self.method} {self.path} HTTP/1.1\r\n"
        if direct is not None:
            framing = store_header(self._flags, first, direct)
        else:
            framing = store_header(self._flags, first, out_headers=self._out_headers)
        self._framing = framing
        self._head = framing.head
        if framing.flush_now and self._has_expect_continue(direct):
            self._held = []
        if framing.flush_now:
            self._send(b"", None)

    def _has_expect_continue(self, direct: Sequence[Any] | None) -> bool:
        if direct is not None:
            pairs = [(str(direct[i]), direct[i + 1]) for i in range(0, len(direct) - 1, 2)]
            values = [v for k, v in pairs if k.lower() == "expect"]
        else:
            entry = self._out_headers.get("expect")
            values = [] if entry is None else [entry[1]]
        return any(expects_continue(str(v)) for v in values)

    def flush_headers(self) -> None:
        """Send the head now, before any body."""
        if self._framing is None:
            self._render_head()
        self._send(b"", None)

    def add_trailers(self, headers: Mapping[str, HeaderValue] | Sequence[tuple[str, HeaderValue]]) -> None:
        """Trailers to send after a chunked body."""
        self._trailer = render_trailers(headers)

    def set_no_delay(self, no_delay: bool = True) -> None:
        """``TCP_NODELAY`` on the connection (on by default)."""
        if self.socket is not None and not self.socket.connecting:
            self.socket.set_no_delay(no_delay)

    def set_socket_keep_alive(self, enable: bool = False, initial_delay: int = 0) -> None:
        """``SO_KEEPALIVE`` on the connection."""
        if self.socket is not None and not self.socket.connecting:
            self.socket.set_keep_alive(enable, initial_delay)

    def set_timeout(self, msecs: float, callback: Callback | None = None) -> ClientRequest:
        """Emit ``'timeout'`` after ``msecs`` of socket inactivity (0 disables); it does not abort."""
        if callback is not None:
            if msecs:
                self.once("timeout", callback)
            else:
                self.remove_listener("timeout", callback)
        self.timeout = msecs
        if self.socket is not None:
            self._apply_timeout(self.socket)
        return self

    def _apply_timeout(self, sock: ClientSocket) -> None:
        if self.timeout is None:
            return
        listener = self._timeout_listener
        sock.remove_listener("timeout", listener)
        if self.timeout:
            sock.on("timeout", listener)
        sock.set_timeout(self.timeout)

    def _on_socket_timeout(self) -> None:
        if not self._closed:
            self.emit("timeout")

    # -- body -----------------------------------------------------------------------

    def write(self, chunk: Any, encoding: str | Callback | None = None, callback: Callback | None = None) -> bool:
        """Write a piece of the body (the head goes first, if not yet sent)."""
        if chunk is None:
            raise NodeError("ERR_STREAM_NULL_VALUES", "May not write null values to stream", name="TypeError")
        self._has_written = True
        if self._framing is None and not self.writable_ended:
            self._render_head()  # the head is fixed by the first write, corked or not
        return Writable.write(self, chunk, encoding, callback)

    def end(self, chunk: Any = None, encoding: str | Callback | None = None, callback: Callback | None = None) -> ClientRequest:
        """Finish the request; ``end(data)`` as the only write sets ``Content-Length``."""
        if callable(chunk):
            chunk, encoding, callback = None, None, chunk
        elif callable(encoding):
            encoding, callback = None, encoding
        if self._framing is None and not self._has_written and not self.writable_ended:
            data = b"" if chunk is None else _as_bytes(chunk, encoding if isinstance(encoding, str) else None)
            self._flags.content_length = len(data)
            self._render_head()
            if chunk is not None:
                chunk = data
                encoding = None
        self.finished = True
        Writable.end(self, chunk, encoding, callback)
        return self

    def _write(self, chunk: Any, encoding: str | None, callback: Callback) -> None:
        if self._framing is None:
            self._render_head()
        data = chunk if isinstance(chunk, bytes) else _as_bytes(chunk, encoding)
        self._send(data, callback)

    def _writev(self, chunks: list[tuple[Any, str | None]], callback: Callback) -> None:
        if self._framing is None:
            self._render_head()
        framing = self._framing
        assert framing is not None
        pieces = [c if isinstance(c, bytes) else _as_bytes(c, e) for c, e in chunks]
        if framing.body == "chunked":
            # Node frames every write() as its own chunk, corked or not.
            self._send_raw(b"".join(encode_chunk(p) for p in pieces), callback)
        else:
            self._send(b"".join(pieces), callback)

    def _send_raw(self, body: bytes, callback: Callback | None) -> None:
        head = self._head
        self._head = None
        if head:
            self._out(head, None, body_part=False)
        self._out(body, callback, body_part=True)

    def _final(self, callback: Callback) -> None:
        if self._framing is None:
            if self._flags.content_length is None:
                self._flags.content_length = 0
            self._render_head()
        framing = self._framing
        assert framing is not None
        self._send(b"", callback, last=framing.body == "chunked")

    def _send(self, body: bytes, callback: Callback | None, *, last: bool = False) -> None:
        framing = self._framing
        assert framing is not None
        head = self._head
        self._head = None
        if framing.body == "chunked":
            body = encode_chunk(body)
            if last:
                body += last_chunk(self._trailer)
        elif framing.body == "none":
            body = b""
        if head:
            self._out(head, None, body_part=False)
        if body or callback is not None:
            self._out(body, callback, body_part=True)

    def _out(self, data: bytes, callback: Callback | None, *, body_part: bool) -> None:
        """Hand bytes to the connection, or queue them until it is attached (or 100 came)."""
        if self._held is not None and body_part:
            self._held.append((data, callback))
            return
        if not self._attached:
            self._pending.append((data, callback))
            return
        sock = self.socket
        if sock is None or sock.destroyed:
            if callback is not None:
                self._scope.next_tick(callback)
            return
        if not data:
            if callback is not None:
                callback()
            return
        sock.write(data, _quiet(callback))

    def _flush_queue(self, queue: list[tuple[bytes, Callback | None]]) -> None:
        sock = self.socket
        assert sock is not None
        data = b"".join(d for d, _ in queue)
        callbacks = [cb for _, cb in queue if cb is not None]

        def done(err: BaseException | None = None) -> None:
            for cb in callbacks:
                cb()

        if data:
            sock.write(data, done)
        else:
            done()

    def _release_held(self) -> None:
        held, self._held = self._held, None
        if held:
            self._flush_queue(held)

    # -- connection -------------------------------------------------------------------

    def _on_socket(self, sock: ClientSocket) -> None:
        """The agent gave this request a socket: ``'socket'`` on the next tick."""
        self.socket = sock
        self._scope.next_tick(self._emit_socket, sock)

    def _emit_socket(self, sock: ClientSocket) -> None:
        if self._closed or self.socket is not sock:
            return
        self._apply_timeout(sock)
        self.emit("socket", sock)

    def _attach(self, conn: _Conn) -> None:
        sock = conn.sock
        self.socket = sock
        self._attached = True
        retry = self._retry_data
        self._retry_data = None
        if retry is not None:
            sock.write(retry)
        pending, self._pending = self._pending, []
        if pending:
            self._flush_queue(pending)
        if self.timeout is not None:
            self._apply_timeout(sock)

    async def _exchange(self, conn: _Conn) -> bool:
        """Send this request on ``conn`` and read its response; True if ``conn`` may be reused.

        Runs in the connection's keeper task.
        """
        sock = conn.sock
        scope = self._scope
        if self._closed or self._writable_state.destroyed:
            return False
        reused = conn.served > 0
        may_retry = reused and self.method in IDEMPOTENT and not self._retried
        sock._replay = bytearray() if may_retry else None
        io = trio.CancelScope()
        sock._io_scope = io
        try:
            with io:
                self._attach(conn)
                return await self._read_response(conn, may_retry)
            # Cancelled: the socket was destroyed (req.destroy(), a timeout listener ...).
            return False
        finally:
            sock._io_scope = None
            sock._replay = None
            scope.run_ticks()

    async def _read_response(self, conn: _Conn, may_retry: bool) -> bool:
        sock = conn.sock
        scope = self._scope
        data = b""
        got_any = False
        while True:  # 1xx heads, then the final one
            parser = ResponseHeadParser(self.max_header_size)
            verdict = parser.feed(data) if data else None
            while verdict is None:
                waiting_continue = self._held is not None
                with trio.move_on_after(self._continue_timeout / 1000 if waiting_continue else math.inf):
                    data = await sock.receive()
                    if not data:
                        scope.run_ticks()
                        replay = sock._replay
                        if may_retry and not got_any and replay is not None and not self._closed:
                            self._retried = True
                            self.agent._retry(conn, self, bytes(replay))
                            return False
                        conn.close_error = None
                        return False
                    got_any = True
                    scope.run_ticks()
                    verdict = parser.feed(data)
                    continue
                self._release_held()  # no 100 in time: send the body anyway
            sock._replay = None
            if isinstance(verdict, Rejection):
                conn.close_error = _parse_error(verdict)
                return False
            head = verdict
            data = parser.unused
            if 100 <= head.status_code < 200 and head.status_code != 101:
                if head.status_code == 100:
                    self._release_held()
                    self.emit("continue")
                self.emit(
                    "information",
                    _Information(head),
                )
                continue
            break
        if self._held is not None:
            # A final answer without 100: the held body is not sent; the connection is done.
            for _data, cb in self._held:
                if cb is not None:
                    cb()
            self._held = None
            self.should_keep_alive = False
        return await self._read_body(conn, head, data)

    async def _read_body(self, conn: _Conn, head: ResponseHead, data: bytes) -> bool:
        sock = conn.sock
        scope = self._scope
        want = trio.Event()

        def on_read() -> None:
            want.set()

        res = IncomingMessage(sock, scope=scope, on_read=on_read)
        res.status_code = head.status_code
        res.status_message = head.status_message
        major, minor = head.http_version
        res.http_version = f"{major}.{minor}"
        res.http_version_major, res.http_version_minor = major, minor
        res.raw_headers = head.raw_headers
        res.req = self  # type: ignore[attr-defined]
        self.res = res
        kind = response_body(head, self.method)
        upgrade = head.status_code == 101 or (self.method == "CONNECT" and 200 <= head.status_code < 300)
        if upgrade:
            res.upgrade = True
            if "upgrade" in self._events or (self.method == "CONNECT" and "connect" in self._events):
                # The raw socket is not handed over: the event is a notice, then the
                # connection closes (upgrades are not supported by this client).
                self.emit("connect" if self.method == "CONNECT" else "upgrade", res, sock, data)
            return False
        reusable = head.keep_alive and kind != "close" and self.should_keep_alive
        ended = trio.Event()
        release = {"done": False}

        def free() -> None:
            # Node's emitFreeNT: 'close' for the request, then the socket is free.
            if release["done"]:
                return
            release["done"] = True
            self._detached = True
            self._closed = True
            self.emit("close")
            if not sock.destroyed:
                self.agent._release(conn)
            ended.set()

        def on_end() -> None:
            if reusable and self.writable_finished:
                res.socket = None
                scope.next_tick(free)
            else:
                ended.set()

        def on_finish() -> None:
            if reusable and res.complete and res.readable_ended and not release["done"]:
                res.socket = None
                scope.next_tick(free)

        res.on("end", on_end)
        self.once("finish", on_finish)
        if self.aborted or not self.emit("response", res):
            res.resume()  # nobody listens: the body is read and discarded (Node's _dump)

        decoder: ChunkedDecoder | LengthDecoder | CloseDecoder | None
        if kind == "chunked":
            decoder = ChunkedDecoder(max_header_size=self.max_header_size)
        elif kind == "length":
            assert head.content_length is not None
            decoder = LengthDecoder(head.content_length)
        elif kind == "close":
            decoder = CloseDecoder()
        else:
            decoder = None
        leftover = b""
        if decoder is None:
            res.complete = True
            res.push(None)
            leftover = data
        else:
            state = res._readable_state
            while True:
                if data:
                    for ev in decoder.feed(data):
                        if isinstance(ev, bytes):
                            if not res.destroyed:
                                res.push(ev)
                        elif isinstance(ev, EndOfMessage):
                            res.raw_trailers = ev.trailers
                            res.complete = True
                            leftover = ev.unused
                            if not res.destroyed:
                                res.push(None)
                            break
                        else:
                            conn.close_error = _parse_error(ev)
                            return False
                    if res.complete:
                        break
                    data = b""
                # Read the socket only while the response wants more: that is the back-pressure.
                while (
                    not res.destroyed
                    and state.length >= state.high_water_mark
                    and state.flowing is not True
                ):
                    want = trio.Event()
                    if not await scope.park(want):
                        return False
                if res.destroyed:
                    return False
                data = await sock.receive()
                scope.run_ticks()
                if not data:
                    if kind == "close":
                        res.complete = True
                        res.push(None)
                        reusable = False
                        break
                    return False  # cut short: the close path aborts the response
        if leftover:
            reusable = False
        if not reusable:
            # Node's responseOnEnd: the socket closes once 'end' was emitted.
            while not ended.is_set() and not sock.destroyed:
                if not await scope.park(ended):
                    return False
            return False
        while not ended.is_set() and not sock.destroyed:
            if not await scope.park(ended):
                return False
        return release["done"] and not sock.destroyed

    def _on_socket_close(self, err: BaseException | None) -> None:
        """The connection closed: Node's ``socketCloseListener`` (plus its error listener)."""
        if self._closed:
            return
        res = self.res
        if res is not None:
            if not res.complete and not res.destroyed:
                res.destroy(err or econnreset("aborted"))
            if err is not None and not self._had_error and "error" in self._events:
                # Node reports a failure after the response on the request too; here only
                # to those listening (the response's readers get it from the response).
                self._had_error = True
                self.emit("error", err)
            self._closed = True
            self._writable_state.destroyed = True
            self.emit("close")
            return
        error = self._error or err
        if error is None and not self._had_error:
            error = econnreset("socket hang up")
        self._closed = True
        self._writable_state.destroyed = True
        if error is not None and not self._had_error:
            self._had_error = True
            self._error = error
            self.emit("error", error)
        self.emit("close")

    def _destroy(self, err: BaseException | None, callback: Callback) -> None:
        if err is not None:
            self._error = err
        sock = self.socket
        res = self.res
        if res is not None and not res.complete and not res.destroyed:
            res.destroy(err)
        if self._detached or self._closed:
            pass
        elif (sock is not None and self._attached) or (sock is not None and sock.connecting):
            sock.destroy()
        else:
            self.agent.remove_request(self)
            self._scope.next_tick(self._on_socket_close, None)
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
            and self._attached
            and not self._pending
            and (sock is None or sock.writable_length == 0)
        )

    def abort(self) -> None:
        """Deprecated in Node: destroy the request (``'abort'`` first)."""
        if self.aborted:
            return
        self.aborted = True
        self._scope.next_tick(self.emit, "abort")
        self.destroy()

    # -- the Trio way ---------------------------------------------------------------

    async def response(self) -> IncomingMessage:
        """Wait for the response.

        Raises:
          NodeError: the request's error (``ECONNREFUSED``, ``ECONNRESET``, ``HPE_*`` ...).

        Cancellation:
          Only the wait is abandoned; the request goes on (``destroy()`` it to stop it).
        """
        if self.res is not None:
            return self.res
        if self._error is not None and self._closed:
            raise self._error
        done = trio.Event()
        box: dict[str, Any] = {}

        def on_response(res: IncomingMessage) -> None:
            box["res"] = res
            done.set()

        def on_error(err: BaseException) -> None:
            box.setdefault("err", err)
            done.set()

        def on_close() -> None:
            done.set()

        self.on("response", on_response)
        self.on("error", on_error)
        self.on("close", on_close)
        try:
            await done.wait()
        finally:
            self.remove_listener("response", on_response)
            self.remove_listener("error", on_error)
            self.remove_listener("close", on_close)
        if "res" in box:
            return box["res"]  # type: ignore[no-any-return]
        raise box.get("err") or econnreset("socket hang up")

    def __repr__(self) -> str:
        return f"<ClientRequest {self.method} http://{self.host}:{self.port}{self.path}>"


class _Information:
    """What ``'information'`` carries: a 1xx head."""

    def __init__(self, head: ResponseHead) -> None:
        self.status_code = head.status_code
        self.status_message = head.status_message
        major, minor = head.http_version
        self.http_version = f"{major}.{minor}"
        self.http_version_major, self.http_version_minor = major, minor
        self.raw_headers = head.raw_headers
        self.headers = join_headers(head.raw_headers)

    def __repr__(self) -> str:
        return f"<information {self.status_code} {self.status_message}>"


def _quiet(callback: Callback | None) -> Callback | None:
    """A socket write callback that reports no error (the close path reports it once)."""
    if callback is None:
        return None

    def cb(err: BaseException | None = None) -> None:
        callback()

    return cb


def request(
    url_or_options: str | Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | Callback | None = None,
    callback: Callback | None = None,
    **kwargs: Any,
) -> ClientRequest:
    """Start an HTTP request (Node's ``http.request``); call ``end()`` on the result.

    Args:
      url_or_options: an ``http://`` URL string, or the options as a mapping.
      options: options merged over the URL's (or the callback).
      callback: a ``'response'`` listener.
      **kwargs: options as keywords: ``method``, ``host``/``hostname``, ``port``,
        ``path``, ``headers`` (mapping, or a flat list sent as is), ``agent``
        (an :class:`Agent`; ``False`` for a fresh one; ``None`` for
        :data:`global_agent`), ``timeout`` (ms of socket inactivity before
        ``'timeout'``), ``connect_timeout`` (ms; ``ETIMEDOUT`` after it),
        ``set_host`` (add ``Host``), ``auth`` (``"user:pass"``),
        ``max_header_size``, ``local_address``, ``default_port``,
        ``high_water_mark``, ``continue_timeout`` (ms to hold the body of an
        ``Expect: 100-continue`` request).

    Raises:
      NodeError: ``ERR_INVALID_URL``, ``ERR_INVALID_PROTOCOL``,
        ``ERR_UNESCAPED_CHARACTERS``, ``ERR_INVALID_HTTP_TOKEN``, header errors;
        ``ERR_NO_SCOPE`` outside ``open_scope()``.
    """
    if callable(options):
        options, callback = None, options
    merged: dict[str, Any] = {}
    if isinstance(url_or_options, str):
        merged.update(_url_options(url_or_options))
    elif url_or_options is not None:
        merged.update(url_or_options)
    if options is not None:
        merged.update(options)
    merged.update(kwargs)
    scope = current_scope()

    protocol = merged.get("protocol") or "http:"
    if protocol != "http:":
        raise NodeTypeError("ERR_INVALID_PROTOCOL", f'Protocol "{protocol}" not supported. Expected "http:"')
    agent = merged.get("agent")
    if agent is False:
        agent = Agent()
    elif agent is None:
        agent = global_agent
    elif not isinstance(agent, Agent):
        raise err_invalid_arg_type("options.agent", "of type Agent, False or None", agent)
    default_port = merged.get("default_port") or agent.default_port
    port = int(merged.get("port") or default_port)
    host = merged.get("hostname") or merged.get("host") or "localhost"
    path = merged.get("path") or "/"
    if _INVALID_PATH.search(path):
        raise NodeTypeError("ERR_UNESCAPED_CHARACTERS", "Request path contains unescaped characters")
    method = (merged.get("method") or "GET").upper() if isinstance(merged.get("method") or "GET", str) else None
    if method is None or not check_is_http_token(method):
        raise NodeTypeError("ERR_INVALID_HTTP_TOKEN", f'Method must be a valid HTTP token ["{merged.get("method")}"]')
    resolved = dict(merged)
    resolved.update(
        method=method, host=host, port=port, path=path, agent=agent,
        local_address=merged.get("local_address"),
    )  # fmt: skip
    req = ClientRequest(resolved, scope)
    if callback is not None:
        req.once("response", callback)
    headers = merged.get("headers")
    if isinstance(headers, list | tuple):
        req._render_head(list(headers))
    else:
        if headers:
            for name, value in headers.items():
                req.set_header(name, value)
        if merged.get("set_host", True) and not req.has_header("host"):
            host_header = f"[{host}]" if ":" in host and not host.startswith("[") else host
            if port != default_port:
                host_header += f":{port}"
            req.set_header("Host", host_header)
        auth = merged.get("auth")
        if auth and not req.has_header("authorization"):
            req.set_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode("ascii"))
        if req.get_header("expect") is not None:
            if req.headers_sent:
                raise err_headers_sent("render")
            req._render_head()
    if merged.get("timeout") is not None:
        req.set_timeout(merged["timeout"])
    agent.add_request(req, {"host": host, "port": port, "local_address": merged.get("local_address"),
                            "connect_timeout": merged.get("connect_timeout")})
    return req


def get(
    url_or_options: str | Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | Callback | None = None,
    callback: Callback | None = None,
    **kwargs: Any,
) -> ClientRequest:
    """Like :func:`request`, and ``end()`` is called for you (Node's ``http.get``)."""
    req = request(url_or_options, options, callback, **kwargs)
    req.end()
    return req
