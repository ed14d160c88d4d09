"""http.Server on Trio (node: lib/_http_server.js).

One task per connection, in a scope of its own: a listener or handler that
fails there ends that connection (logged), never the server. Requests on a
connection, pipelined or not, are answered in order. The request body is
read from the socket only while the IncomingMessage wants more, so an
upload the handler reads slowly holds at most ``high_water_mark`` bytes.

Request heads and bodies are parsed by :mod:`._guard` (Node's llhttp rules:
nothing a more lenient parser would let through for smuggling); response heads
are rendered by :mod:`._common` exactly as Node renders them.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

import trio

from .._errors import NodeError
from .._events import EventEmitter
from .._scope import Scope, current_scope, open_scope
from ._common import MAX_HEADER_SIZE, STATUS_CODES, expects_continue, response_flags
from ._guard import (
    ChunkedDecoder,
    EndOfMessage,
    LengthDecoder,
    Rejection,
    RequestHead,
    RequestHeadParser,
)
from ._incoming import IncomingMessage
from ._response import ServerResponse
from ._socket import Socket, econnreset

log = logging.getLogger("trio_nodestreams.http")

Handler = Callable[[IncomingMessage, ServerResponse], object]

#: Tiny-chunk flood guard: chunks a connection may decode per second before it is slowed.
MAX_CHUNKS_PER_SECOND = 200_000
#: Largest slice of a chunked body decoded in one step.
CHUNKED_FEED = 8192
#: Chunks decoded between two checkpoints, so that a flood does not hold the CPU.
CHUNKS_PER_CHECKPOINT = 512
#: Unread request body the server discards to keep a connection alive; past it, it closes.
MAX_DUMP_BYTES = 1024 * 1024
#: Pipelined requests answered ahead of time on one connection before it stops reading.
MAX_PIPELINED = 16


def _canned(status: int) -> bytes:
    return b"HTTP/1.1 %d %s\r\nConnection: close\r\n\r\n" % (status, STATUS_CODES[status].encode())


class ClientError(NodeError):
    """A request the parser refused, as ``'clientError'`` reports it (``code`` is ``HPE_*``)."""

    def __init__(self, code: str, reason: str, raw_packet: bytes = b"") -> None:
        super().__init__(code, f"Parse Error: {reason}")
        self.reason = reason
        self.raw_packet = raw_packet
        self.bytes_parsed = len(raw_packet)


class Server(EventEmitter):
    """An HTTP/1.1 server (Node's ``http.Server``).

    Args:
      handler: called for every request, as ``handler(req, res)``; a plain
        function is a ``'request'`` listener, an ``async def`` runs as a task of
        the connection.
      max_header_size: request head budget in bytes (431 past it).
      headers_timeout: ms a client has to send a whole head (408 after).
      request_timeout: ms a client has to send a whole request (408 after); 0 disables.
      keep_alive_timeout: ms an idle kept-alive connection stays open.
      max_requests_per_socket: HTTP/1.1 requests served on one connection (0: no
        limit). The last one is answered ``Connection: close`` but, as in Node, the
        connection stays open; each request past the limit gets ``503`` and
        ``'dropRequest'`` (req, socket) instead of ``'request'``.
      high_water_mark: request/response buffer size in bytes.
      require_host_header: answer 400 to an HTTP/1.1 request without ``Host``.

    Events: ``'request'``, ``'connection'``, ``'listening'``, ``'close'``,
    ``'clientError'``, ``'checkContinue'``, ``'checkExpectation'``, ``'dropRequest'``.
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        max_header_size: int = MAX_HEADER_SIZE,
        headers_timeout: float = 60_000,
        request_timeout: float = 300_000,
        keep_alive_timeout: float = 5_000,
        max_requests_per_socket: int = 0,
        high_water_mark: int | None = None,
        require_host_header: bool = True,
        scope: Scope | None = None,
    ) -> None:
        super().__init__()
        self.max_header_size = max_header_size
        self.headers_timeout = headers_timeout
        self.request_timeout = request_timeout
        self.keep_alive_timeout = keep_alive_timeout
        self.max_requests_per_socket = max_requests_per_socket
        self.high_water_mark = high_water_mark
        self.require_host_header = require_host_header
        #: ms of socket inactivity before ``'timeout'`` (0: none), Node's ``server.timeout``.
        self.timeout: float = 0
        self._scope = scope
        self._async_handler: Callable[..., Awaitable[object]] | None = None
        if handler is not None:
            if inspect.iscoroutinefunction(handler):
                self._async_handler = handler
            else:
                self.on("request", handler)
        self._listeners: list[trio.SocketListener] = []
        self._accept_scope: trio.CancelScope | None = None
        self._connections: set[_Connection] = set()
        self._address: dict[str, Any] | None = None
        self._closed_event = trio.Event()
        self._closing = False
        self.listening = False

    # -- lifecycle -----------------------------------------------------------------

    async def listen(self, port: int = 0, host: str = "127.0.0.1", backlog: int = 511) -> Server:
        """Bind and start serving in the current scope; returns once bound.

        Raises:
          OSError: the address is in use or cannot be bound.
        """
        scope = self._scope if self._scope is not None else current_scope()
        self._scope = scope
        listeners = await trio.open_tcp_listeners(port, host=host, backlog=backlog)
        self._listeners = listeners
        sock = listeners[0].socket
        addr = sock.getsockname()
        self._address = {
            "address": addr[0],
            "family": "IPv6" if ":" in addr[0] else "IPv4",
            "port": addr[1],
        }
        self.listening = True
        self._accept_scope = trio.CancelScope()
        scope.nursery.start_soon(self._accept_all)
        scope.next_tick(self.emit, "listening")
        return self

    def set_timeout(self, msecs: float = 0, callback: Callable[..., object] | None = None) -> Server:
        """Give every new connection an inactivity timeout of ``msecs``.

        On a timeout the request, the response and the server get ``'timeout'``
        (with the socket); when none of them listens, the socket is destroyed.
        """
        self.timeout = msecs
        if callback is not None:
            self.on("timeout", callback)
        return self

    def address(self) -> dict[str, Any] | None:
        """``{'address', 'family', 'port'}`` once listening."""
        return self._address

    def close(self, callback: Callable[..., object] | None = None) -> Server:
        """Stop accepting; idle connections close now, busy ones after their response.

        ``'close'`` is emitted once every connection is gone.
        """
        if callback is not None:
            self.once("close", callback)
        if self._closing:
            return self
        self._closing = True
        self.listening = False
        if self._accept_scope is not None:
            self._accept_scope.cancel()
        for conn in self._connections:
            conn.closing()
        self.close_idle_connections()
        self._maybe_closed()
        return self

    def close_idle_connections(self) -> None:
        """Close connections that are between requests."""
        for conn in list(self._connections):
            if conn.idle:
                conn.cancel()

    def close_all_connections(self) -> None:
        """Close every connection, busy or not."""
        for conn in list(self._connections):
            conn.cancel()

    async def wait_closed(self) -> None:
        """Wait until :meth:`close` took effect and every connection is gone."""
        await self._closed_event.wait()

    def _maybe_closed(self) -> None:
        if self._closing and not self._connections and not self._closed_event.is_set() and (
            self._accept_scope is None or self._accept_scope.cancel_called
        ):
            self._closed_event.set()
            if self._scope is not None:
                self._scope.next_tick(self.emit, "close")

    async def _accept_all(self) -> None:
        assert self._accept_scope is not None and self._scope is not None
        nursery = self._scope.nursery
        try:
            with self._accept_scope:
                async with trio.open_nursery() as accepting:
                    for listener in self._listeners:
                        accepting.start_soon(self._accept_loop, listener, nursery)
        finally:
            # Also when the owning scope is cancelled: the port must not stay open.
            with trio.CancelScope(shield=True):
                for listener in self._listeners:
                    await listener.aclose()
            self.listening = False
        self._maybe_closed()

    async def _accept_loop(self, listener: trio.SocketListener, nursery: trio.Nursery) -> None:
        while True:
            try:
                stream = await listener.accept()
            except OSError as exc:  # EMFILE and friends: back off, keep serving
                log.warning("accept failed: %s", exc)
                await trio.sleep(0.1)
                continue
            conn = _Connection(self, stream)
            self._connections.add(conn)
            nursery.start_soon(conn.run)


def create_server(handler: Handler | None = None, **options: Any) -> Server:
    """Make a :class:`Server` (Node's ``http.createServer``); call ``await server.listen()``."""
    return Server(handler, **options)


class _Connection:
    """One client connection: reads requests, dispatches them, waits for their responses."""

    def __init__(self, server: Server, stream: trio.SocketStream) -> None:
        self.server = server
        self.stream = stream
        self.cancel_scope = trio.CancelScope()
        self.idle = True
        self.leftover = b""
        self.requests = 0
        self.requests_counted = 0  # HTTP/1.1 requests, for max_requests_per_socket
        self.socket: Socket | None = None
        self.want_read = trio.Event()
        self.response_done = trio.Event()
        self.chunk_budget_start = 0.0
        self.chunks_seen = 0
        self.chunks_at_checkpoint = 0
        self.peer_ended = False
        self.upgraded = False
        # Responses not finished yet, in request order; the first one is on the wire.
        self.outgoing: list[ServerResponse] = []
        self.outgoing_changed = trio.Event()
        # Set once a response that ends the connection (Connection: close) finished.
        self.last_sent = False
        self.read_scope = trio.CancelScope()
        self.handler_spawned = False

    def cancel(self) -> None:
        self.cancel_scope.cancel()

    def closing(self) -> None:
        """The server is closing: responses not yet started announce ``Connection: close``."""
        for res in self.outgoing:
            if not res.headers_sent:
                res._flags.should_keep_alive = False

    async def run(self) -> None:
        server = self.server
        try:
            with self.cancel_scope:
                async with open_scope() as scope:
                    self.scope = scope
                    sock = Socket(self.stream, scope)
                    sock.on_closed = self._outgoing_changed
                    sock.on("timeout", self._on_socket_timeout)
                    if server.timeout:
                        sock.set_timeout(server.timeout)
                    self.socket = sock
                    sock.set_no_delay(True)
                    scope.nursery.start_soon(sock.writer)
                    server.emit("connection", sock)
                    try:
                        await self.serve(sock)
                    finally:
                        sock.end()
                        with trio.move_on_after(5) as cs:
                            cs.shield = True
                            await sock._closed_event.wait()
                        sock.destroyed = True
                        sock._writer_wake.set()
                        sock._timer_wake.set()
        except Exception as exc:
            log.exception("connection from %s failed: %r", self._peer(), exc)
        finally:
            with trio.CancelScope(shield=True):
                await self.stream.aclose()
            if self.socket is not None and self.socket._events.get("close") is not None:
                try:
                    self.socket.emit("close", False)
                except Exception:
                    log.exception("'close' listener of a socket failed")
            server._connections.discard(self)
            server._maybe_closed()

    def _on_socket_timeout(self) -> None:
        """Node's ``socketOnTimeout``: tell the request, the response and the server."""
        sock = self.socket
        res = self.outgoing[0] if self.outgoing else None
        req = res.req if res is not None else None
        handled = False
        if req is not None and not req.complete:
            handled = req.emit("timeout", sock) or handled
        if res is not None:
            handled = res.emit("timeout", sock) or handled
        handled = self.server.emit("timeout", sock) or handled
        if not handled and sock is not None:
            sock.destroy()

    def _peer(self) -> str:
        try:
            host, port = self.stream.socket.getpeername()[:2]
            return f"{host}:{port}"
        except OSError:
            return "?"

    # -- reading ----------------------------------------------------------------------

    async def _receive(self, deadline: float) -> bytes | None:
        """Bytes from the socket; b"" at EOF; None when ``deadline`` passed."""
        assert self.socket is not None
        if deadline == math.inf:
            return await self.socket.receive()
        with trio.move_on_at(deadline):
            return await self.socket.receive()
        return None

    async def _read_head(self, sock: Socket) -> RequestHead | None:
        server = self.server
        parser = RequestHeadParser(server.max_header_size)
        now = trio.current_time()
        data = self.leftover
        self.leftover = b""
        received = bool(data)
        # Idle wait for the first byte of a kept-alive connection's next request.
        if not data and self.requests:
            # The deadline goes on the read scope (cheaper than a scope per wait): when
            # it passes, the serve loop ends right here, as for an end of input.
            read_scope = self.read_scope
            read_scope.deadline = now + server.keep_alive_timeout / 1000
            try:
                first = await sock.receive()
            finally:
                read_scope.deadline = math.inf
            if not first or (read_scope.cancel_called and not self.last_sent):
                return None  # the end, or bytes that came as the timeout fired
            data = first
            received = True
            now = trio.current_time()  # the head's time starts with its first byte
        deadline = now + server.headers_timeout / 1000 if server.headers_timeout else math.inf
        raw = bytearray()
        while True:
            if data:
                # Busy from the first byte on: close_idle_connections() leaves it alone.
                self.idle = False
                raw += data
                verdict = parser.feed(data)
                if isinstance(verdict, RequestHead):
                    self.leftover = bytes(parser.unused)
                    return verdict
                if isinstance(verdict, Rejection):
                    await self._drain_outgoing(sock)
                    self._reject(sock, verdict, bytes(raw))
                    return None
            got = await self._receive(deadline)
            if got is None:
                if received or not self.requests:
                    await self._drain_outgoing(sock)
                    self._answer_and_close(sock, 408)
                return None
            if not got:
                return None  # closed between or inside a head: nothing to answer
            data = got
            received = True

    def _reject(self, sock: Socket, rejection: Rejection, raw: bytes) -> None:
        err = ClientError(rejection.code, rejection.reason, raw)
        if "clientError" in self.server._events:
            self.server.emit("clientError", err, sock)
        else:
            sock.write(rejection.response)
            sock.end()

    def _answer_and_close(self, sock: Socket, status: int) -> None:
        sock.write(_canned(status))
        sock.end()

    # -- serving -------------------------------------------------------------------------

    async def serve(self, sock: Socket) -> None:
        """Read requests and dispatch them; pipelined ones are dispatched before earlier answers end.

        As in Node, a request whose head is already buffered is dispatched at once;
        its response queues behind the earlier ones and goes out in request order.
        """
        server = self.server
        with self.read_scope:
            while not sock.destroyed and not sock._ending and not self.last_sent:
                self.idle = not self.outgoing
                if self.outgoing:
                    crowded = len(self.outgoing) >= MAX_PIPELINED or sock.writable_need_drain
                    if crowded or not self.leftover:
                        await self._wait_outgoing(sock, read=not crowded and not self.leftover)
                        if self.peer_ended and not self.leftover:
                            break
                        continue
                elif server._closing and not self.leftover:
                    break
                if self.handler_spawned:
                    # Let the async handler just spawned run its first step before
                    # the next pipelined request is dispatched: handlers start in
                    # request order, as Node's do (two checkpoints: one batch each).
                    self.handler_spawned = False
                    await trio.lowlevel.checkpoint()
                    await trio.lowlevel.checkpoint()
                head = await self._read_head(sock)
                if head is None:
                    break
                self.requests += 1
                if not await self._serve_one(sock, head):
                    break
        await self._drain_outgoing(sock)

    async def _wait_outgoing(self, sock: Socket, *, read: bool) -> None:
        """Wait for a response to finish; with ``read``, also for the client's next bytes."""
        changed = self.outgoing_changed
        # A response a plain handler finished only waits for its deferred events:
        # running them here spares the task switches of the wait below.
        self.scope.run_ticks()
        if changed.is_set() or sock.destroyed:
            return
        if not read or self.peer_ended:
            await changed.wait()
            return
        async with trio.open_nursery() as nursery:

            async def watch() -> None:
                got = await sock.receive()
                if not got:
                    self.peer_ended = True
                    return  # a half-close: the answers still go out
                self.leftover += got
                nursery.cancel_scope.cancel()

            nursery.start_soon(watch)
            await changed.wait()
            nursery.cancel_scope.cancel()

    async def _drain_outgoing(self, sock: Socket) -> None:
        """Let the responses still owed go out; a dead socket or a closing one aborts them."""
        while self.outgoing and not sock.destroyed and not self.last_sent:
            self.scope.run_ticks()
            if self.outgoing and not sock.destroyed and not self.last_sent:
                await self.outgoing_changed.wait()
        for res in self.outgoing:
            if res._writable_state.finished:
                continue
            res.socket = None  # never attached: destroying it must not touch the socket
            if not res.req.complete:
                res.req.destroy(econnreset("aborted"))
            res.destroy()
        self.outgoing.clear()

    def _response_finished(self, res: ServerResponse) -> None:
        """A response was sent entirely: if it announced the end of the connection, stop reading."""
        framing = res._framing
        if framing is None or not framing.keep_alive:
            self.last_sent = True
            self.read_scope.cancel()
            self._outgoing_changed()

    def _response_closed(self, res: ServerResponse) -> None:
        """A response closed (after its 'finish', or destroyed): the next one may go out.

        The next response is attached on a later tick, after the 'close'
        listeners of this one, which is where Node's order puts its first write.
        """
        if res not in self.outgoing:
            return
        first = self.outgoing[0] is res
        self.outgoing.remove(res)
        if first and self.outgoing and not self.last_sent:
            self.scope.next_tick(self.outgoing[0]._attach)
        self._outgoing_changed()

    def _outgoing_changed(self) -> None:
        self.outgoing_changed.set()
        self.outgoing_changed = trio.Event()

    async def _serve_one(self, sock: Socket, head: RequestHead) -> bool:
        """Dispatch one request and read its body; False when the connection must stop reading."""
        server = self.server
        scope = self.scope
        started = trio.current_time()
        version = head.http_version
        expect = head.header("expect")
        # check_request_semantics(), sharing the Expect lookup with the code below.
        status: int | None = None
        if version == (1, 1):
            if server.require_host_header and head.header("host") is None:
                status = 400
            elif expect is not None and not expects_continue(expect):
                status = 417
        req = IncomingMessage(
            sock, high_water_mark=server.high_water_mark, scope=scope, on_read=self._on_read
        )
        req._readable_state.auto_destroy = False
        req.method = head.method
        req.url = head.target
        major, minor = head.http_version
        req.http_version = f"{major}.{minor}"
        req.http_version_major = major
        req.http_version_minor = minor
        req.raw_headers = head.raw_headers
        keep_alive = head.keep_alive and not server._closing
        # Node counts HTTP/1.1 requests only; past the limit they are dropped (503).
        limit = server.max_requests_per_socket
        max_reached = dropped = False
        if version == (1, 1) and limit > 0 and status != 400:
            self.requests_counted += 1
            max_reached = limit <= self.requests_counted
            dropped = limit < self.requests_counted
        # Node looks at Expect for HTTP/1.1 requests only.
        wants_continue = version == (1, 1) and expects_continue(expect) and not dropped
        flags = response_flags(
            method=head.method,
            http_version=version,
            keep_alive=keep_alive,
            # TE only matters below HTTP/1.1 (whether the response may be chunked).
            request_te=head.header("te") if version[0] < 1 or version[1] < 1 else None,
            expect_continue=wants_continue,
            keep_alive_timeout_ms=server.keep_alive_timeout,
            max_requests_per_socket=server.max_requests_per_socket,
            max_requests_on_connection_reached=max_reached,
        )
        res = ServerResponse(req, sock, flags, high_water_mark=server.high_water_mark)

        if head.body == "chunked":
            decoder: ChunkedDecoder | LengthDecoder | None = ChunkedDecoder(
                max_header_size=server.max_header_size
            )
        elif head.body == "length" and head.content_length:
            decoder = LengthDecoder(head.content_length)
        else:
            decoder = None
        if decoder is None:
            req.complete = True
            req.push(None)

        if head.upgrade:
            event = "connect" if head.method == "CONNECT" else "upgrade"
            if event in server._events:
                await self._drain_outgoing(sock)
                await self._hand_over(sock, req, event)
                return False
            if event == "connect":
                # CONNECT with nobody to take the tunnel: a clear answer, then close.
                await self._drain_outgoing(sock)
                self._answer_and_close(sock, 501)
                return False

        self.response_done = done = trio.Event()
        if self.outgoing:
            res._attached = False
        self.outgoing.append(res)

        def on_finish() -> None:
            done.set()
            if not req.readable_ended and not req.destroyed:
                # Node's resOnFinish: a body nobody reads is dumped (read to its
                # end and dropped), not aborted; the request closes after 'end'.
                req._readable_state.auto_destroy = True
                if not _consuming(req):
                    req._dumped = True
                    req.remove_all_listeners("data")
                    req.resume()
            self.want_read.set()
            self._response_finished(res)

        def on_close() -> None:
            done.set()
            self.want_read.set()
            self._response_closed(res)
            if not req.destroyed and (req.readable_ended or not res._writable_state.finished):
                req.destroy()

        res.on("finish", on_finish)
        res.on("close", on_close)

        if status == 400:
            # Node's requireHostHeader answer: an ordinary response, then the end.
            res.write_head(400, ["Connection", "close"])
            res.end()
            return False
        if dropped:
            server.emit("dropRequest", req, sock)
            res.write_head(503)
            res.end()
        elif status == 417:
            if "checkExpectation" in server._events:
                self._dispatch("checkExpectation", req, res)
            else:
                res.write_head(417)
                res.end()
        elif wants_continue:
            if "checkContinue" in server._events:
                self._dispatch("checkContinue", req, res)
            else:
                res.write_continue()
                self._dispatch("request", req, res)
        else:
            self._dispatch("request", req, res)

        body_ok = await self._pump_body(sock, req, res, decoder, started)
        return body_ok and keep_alive

    async def _hand_over(self, sock: Socket, req: IncomingMessage, event: str) -> None:
        """Give the connection to an ``'upgrade'``/``'connect'`` listener, as a byte Duplex.

        The listener gets ``(req, socket, head)`` as in Node: ``head`` holds the bytes
        read past the request head. From then on the connection speaks the listener's
        protocol; it stays in this connection's scope until the Duplex is done.
        """
        from .._trio_adapters import duplex_from_trio

        if sock.writable_length or sock._writer_busy:
            await sock.wait_flushed()
        sock.end()  # our writer stops; the stream itself now belongs to the Duplex
        head, self.leftover = self.leftover, b""
        req.upgrade = True
        duplex = duplex_from_trio(self.stream, scope=self.scope)
        duplex.on("close", lambda: None)
        self.upgraded = True
        try:
            self.server.emit(event, req, duplex, head)
        except Exception as exc:
            log.exception("%r listener failed for %s %s: %r", event, req.method, req.url, exc)
            duplex.destroy()

    def _dispatch(self, event: str, req: IncomingMessage, res: ServerResponse) -> None:
        server = self.server
        sock = self.socket
        # What a plain handler writes in one go leaves in one system call.
        if sock is not None:
            sock.cork()
        try:
            server.emit(event, req, res)
        except Exception as exc:
            if sock is not None:
                sock.uncork()  # what the handler wrote before failing still goes out
                sock = None
            self._handler_failed(exc, req, res)
            return
        finally:
            if sock is not None:
                sock.uncork()
        if event == "request" and server._async_handler is not None:
            self.scope.start_soon(self._run_async_handler, server._async_handler, req, res)
            self.handler_spawned = True

    async def _run_async_handler(
        self, handler: Callable[..., Awaitable[object]], req: IncomingMessage, res: ServerResponse
    ) -> None:
        # A response that closes unfinished (the client left, the connection died)
        # can never be completed: its handler is cancelled rather than left waiting
        # forever in the connection's scope.
        with trio.CancelScope() as cancel_scope:

            def abandon() -> None:
                if not res.writable_finished:
                    cancel_scope.cancel()

            res.on("close", abandon)
            try:
                await handler(req, res)
            except Exception as exc:
                self._handler_failed(exc, req, res)
            finally:
                res.remove_listener("close", abandon)

    def _handler_failed(self, exc: BaseException, req: IncomingMessage, res: ServerResponse) -> None:
        log.error(
            "request handler failed for %s %s: %r", req.method, req.url, exc, exc_info=exc
        )
        if not res.headers_sent and not res.writable_ended:
            res._out_headers.clear()
            res.status_code = 500
            res.set_header("Connection", "close")
            res.end()
        elif not res.writable_finished:
            if res.socket is not None:
                res.socket.destroy()
            res.destroy()

    def _on_read(self) -> None:
        self.want_read.set()

    async def _pump_body(
        self,
        sock: Socket,
        req: IncomingMessage,
        res: ServerResponse,
        decoder: ChunkedDecoder | LengthDecoder | None,
        started: float,
    ) -> bool:
        """Move the request body from the socket into ``req``; False if the connection must close."""
        if decoder is None:
            return True
        server = self.server
        deadline = started + server.request_timeout / 1000 if server.request_timeout else math.inf
        data = self.leftover
        self.leftover = b""
        dumped = 0
        state = req._readable_state
        chunked = isinstance(decoder, ChunkedDecoder)
        while True:
            dumping = req._dumped or req.destroyed
            if not data:
                # Read only while the consumer wants more: that is the back-pressure.
                while not dumping and state.length >= state.high_water_mark and state.flowing is not True:
                    self.want_read = trio.Event()
                    with trio.move_on_at(deadline):
                        await self.want_read.wait()  # also set when the response is done
                    dumping = req._dumped or req.destroyed
                    if trio.current_time() >= deadline:
                        break
                got = await self._receive(deadline)
                if got is None:
                    if not res.headers_sent:
                        _detach(res).destroy()
                        self._answer_and_close(sock, 408)
                    req.destroy(econnreset("aborted"))
                    return False
                if not got:
                    req.destroy(econnreset("aborted"))
                    res.destroy()
                    return False
                data = got
            if chunked and len(data) > CHUNKED_FEED:
                # Decode a chunked body a slice at a time: a buffer full of tiny
                # chunks is much CPU, and other connections must get their turn.
                events = decoder.feed(data[:CHUNKED_FEED])
                data = data[CHUNKED_FEED:]
            else:
                events = decoder.feed(data)
                data = b""
            pieces: list[bytes] = []
            for ev in events:
                if isinstance(ev, bytes):
                    pieces.append(ev)
                elif isinstance(ev, EndOfMessage):
                    if pieces and not dumping:
                        req.push(b"".join(pieces))
                    pieces = []
                    req.raw_trailers = ev.trailers
                    req.complete = True
                    self.leftover = ev.unused
                    if not req.destroyed:
                        req.push(None)
                    return True
                else:  # Rejection
                    if pieces and not dumping:
                        req.push(b"".join(pieces))
                    req.destroy(NodeError(ev.code, ev.reason))
                    if not res.headers_sent:
                        _detach(res).destroy()
                        self._reject(sock, ev, b"")
                    else:
                        sock.destroy()
                    return False
            if pieces:
                if dumping:
                    dumped += sum(len(p) for p in pieces)
                    if dumped > MAX_DUMP_BYTES:
                        return False
                else:
                    req.push(pieces[0] if len(pieces) == 1 else b"".join(pieces))
            if isinstance(decoder, ChunkedDecoder):
                await self._throttle(decoder.chunks)

    async def _throttle(self, chunks_total: int) -> None:
        """Slow a connection that sends floods of tiny chunks (CPU, not bytes, is the cost)."""
        now = trio.current_time()
        if now - self.chunk_budget_start > 1.0:
            self.chunk_budget_start = now
            self.chunks_seen = chunks_total
        else:
            excess = chunks_total - self.chunks_seen - MAX_CHUNKS_PER_SECOND
            if excess > 0:
                await trio.sleep(excess / MAX_CHUNKS_PER_SECOND)
                self.chunks_at_checkpoint = chunks_total
        if chunks_total - self.chunks_at_checkpoint >= CHUNKS_PER_CHECKPOINT:
            self.chunks_at_checkpoint = chunks_total
            await trio.lowlevel.checkpoint()


def _detach(res: ServerResponse) -> ServerResponse:
    """Take the socket away from ``res``: the server answers on it itself."""
    res.socket = None
    return res


def _consuming(req: IncomingMessage) -> bool:
    """Whether the handler reads the body (Node's ``req._consuming``)."""
    state = req._readable_state
    return state.flowing is not None or req.readable_did_read or req.listener_count("readable") > 0
