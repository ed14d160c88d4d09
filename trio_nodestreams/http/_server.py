"""http.Server on Trio (node: lib/_http_server.js).

One task per connection, in a scope of its own (a nursery plus the deferred-call
queue): a listener or handler that fails there ends that connection, logged,
never the server. The task reads the connection, feeds llhttp
(``_parser``), dispatches each request as Node does, and keeps reading
while responses are written or sit idle, so a client that leaves (FIN) or
resets (RST) is noticed at once. What the connection is doing is kept by
``ConnectionState`` (phases and a transition table); the
task turns its phases into reads, deadlines and the close.

Requests on a connection, pipelined or not, are answered in order: a response
whose turn has not come keeps what it writes until the ones before it finished.
A request body is read from the connection only while its consumer wants more,
so an upload the handler reads slowly holds at most ``high_water_mark`` bytes.
"""

from __future__ import annotations

import errno
import inspect
import logging
import math
import select
import socket as _stdsocket
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

import trio

from .._errors import NodeError, NodeRangeError, err_invalid_arg_type
from .._events import EventEmitter
from .._scope import Scope, current_scope, open_scope
from ._incoming import IncomingMessage
from ._parser import MessageEnd, ParseError, RequestHead, RequestParser, Upgrade
from ._rules import MAX_HEADER_SIZE, STATUS_CODES, expects_continue, host_and_expect
from ._server_response import ServerResponse
from ._server_state import ConnectionState, Event, Phase, Timer
from ._socket import Socket, econnreset

__all__ = ["ClientError", "Server", "create_server"]

log = logging.getLogger("trio_nodestreams.http")

Handler = Callable[[IncomingMessage, ServerResponse], object]

#: Node's buffer added to the keep-alive timeout before an idle connection closes (ms).
KEEP_ALIVE_TIMEOUT_BUFFER = 1000
#: Tiny-chunk flood guard: chunks a connection may send per second before it is slowed.
MAX_CHUNKS_PER_SECOND = 200_000
#: Chunks decoded between two checkpoints, so that a flood does not hold the CPU.
CHUNKS_PER_CHECKPOINT = 2048
#: Requests dispatched and not yet answered before the connection stops reading.
MAX_IN_FLIGHT = 64
#: Seconds an idle connection has to send its next request once ``close(serve_pending=True)`` ran.
PENDING_GRACE = 1.0

_CANNED: dict[str, bytes] = {
    "HPE_HEADER_OVERFLOW": b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n",
    "HPE_CHUNK_EXTENSIONS_OVERFLOW": b"HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n",
    "ERR_HTTP_REQUEST_TIMEOUT": b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
}
_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"


class ClientError(NodeError):
    """A request the parser refused, as ``'clientError'`` reports it (``code`` is ``HPE_*``).

    Attributes:
      reason: llhttp's reason, e.g. ``"Invalid header value char"``.
      raw_packet: the bytes of the read in which the error was found.
      bytes_parsed: how many of them were read.
    """

    def __init__(self, code: str, reason: str, raw_packet: bytes = b"", *, message: str | None = None) -> None:
        super().__init__(code, message if message is not None else f"Parse Error: {reason}")
        self.reason = reason
        self.raw_packet = raw_packet
        self.bytes_parsed = len(raw_packet)


def err_request_timeout() -> NodeError:
    """Node's ``ERR_HTTP_REQUEST_TIMEOUT``."""
    return NodeError("ERR_HTTP_REQUEST_TIMEOUT", "Request timeout")


def _ms_option(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != value:
        raise NodeRangeError(
            "ERR_OUT_OF_RANGE", f'The value of "options.{name}" is out of range. It must be >= 0. Received {value!r}'
        )
    return float(value)


class Server(EventEmitter):
    """An HTTP/1.1 server (Node's ``http.Server``).

    Args:
      handler: called for every request as ``handler(req, res)``; a plain function
        is a ``'request'`` listener, an ``async def`` runs as a task of the
        connection and is cancelled if its response closes unfinished.
      max_header_size: request head budget in bytes (431 past it).
      headers_timeout: ms a client has to send a whole head (408 after).
        Default: the smaller of 60 000 and ``request_timeout``.
      request_timeout: ms a client has to send a whole request (408 after; the
        connection is dropped if the response started); 0 disables.
      keep_alive_timeout: ms an idle kept-alive connection stays open (plus 1 s, as Node).
      max_requests_per_socket: HTTP/1.1 requests served on one connection (0: no
        limit); past it each request gets ``503`` and ``'dropRequest'``.
      high_water_mark: request and response buffer size in bytes.
      require_host_header: answer 400 to an HTTP/1.1 request without ``Host``.
      join_duplicate_headers: join repeated fields with ``", "`` instead of dropping them.
      unique_headers: field names always sent as one line.
      insecure_http_parser: accept what strict llhttp refuses (Node's lenient mode).
      no_delay: ``TCP_NODELAY`` on accepted connections (default on).
      keep_alive, keep_alive_initial_delay: TCP keep-alive on accepted connections.
      scope: the scope that owns the server's tasks (default: the one ``listen`` runs in).

    Events: ``'request'``, ``'connection'``, ``'listening'``, ``'close'``,
    ``'clientError'``, ``'checkContinue'``, ``'checkExpectation'``,
    ``'dropRequest'``, ``'upgrade'``, ``'connect'``, ``'timeout'``.
    """

    # How many arguments each event carries: listeners that take them all are called as
    # they are (no wrapper on every request).
    _event_arity: ClassVar[dict[str, int]] = {
        **EventEmitter._event_arity,
        "request": 2, "checkContinue": 2, "checkExpectation": 2, "connection": 1,
        "clientError": 2, "dropRequest": 2, "upgrade": 3, "connect": 3, "timeout": 1,
        "listening": 0, "close": 0,
    }  # fmt: skip

    #: The per-connection task class (https wraps the stream in TLS there).
    _connection_class: ClassVar[type[_Connection]]

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        max_header_size: int = MAX_HEADER_SIZE,
        headers_timeout: float | None = None,
        request_timeout: float = 300_000,
        keep_alive_timeout: float = 5_000,
        connections_checking_interval: float = 30_000,
        max_requests_per_socket: int = 0,
        high_water_mark: int | None = None,
        require_host_header: bool = True,
        join_duplicate_headers: bool = False,
        unique_headers: list[str] | None = None,
        insecure_http_parser: bool = False,
        no_delay: bool = True,
        keep_alive: bool = False,
        keep_alive_initial_delay: float = 0,
        scope: Scope | None = None,
    ) -> None:
        super().__init__()
        self.request_timeout = _ms_option(request_timeout, "requestTimeout")
        if headers_timeout is None:
            headers_timeout = min(60_000.0, self.request_timeout) if self.request_timeout else 60_000.0
        self.headers_timeout = _ms_option(headers_timeout, "headersTimeout")
        if self.request_timeout > 0 and self.headers_timeout > 0 and self.headers_timeout > self.request_timeout:
            raise NodeRangeError(
                "ERR_OUT_OF_RANGE",
                f'The value of "headersTimeout" is out of range. It must be <= requestTimeout. Received {headers_timeout}',
            )
        self.keep_alive_timeout = _ms_option(keep_alive_timeout, "keepAliveTimeout")
        self.connections_checking_interval = _ms_option(connections_checking_interval, "connectionsCheckingInterval")
        self.max_header_size = max_header_size
        self.max_requests_per_socket = max_requests_per_socket
        self.high_water_mark = high_water_mark
        self.require_host_header = require_host_header
        self.join_duplicate_headers = join_duplicate_headers
        self.insecure_http_parser = insecure_http_parser
        self.no_delay = no_delay
        self.keep_alive = keep_alive
        self.keep_alive_initial_delay = keep_alive_initial_delay
        self._unique_headers = frozenset(h.lower() for h in unique_headers) if unique_headers else None
        #: Node's ``server.maxHeadersCount``: header pairs kept in ``req.headers`` (None: 2000).
        self.max_headers_count: int | None = None
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
        self._sockets: list[_stdsocket.socket] = []
        self._accept_scope: trio.CancelScope | None = None
        self._connections: set[_Connection] = set()
        self._address: dict[str, Any] | None = None
        self._closed_event = trio.Event()
        self._closing = False
        self._serve_pending = False
        self.listening = False

    # -- lifecycle -----------------------------------------------------------------

    async def listen(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        backlog: int = 511,
        *,
        reuse_port: bool = False,
        fd: int | None = None,
    ) -> Server:
        """Bind and start serving in the current scope; returns once bound.

        Args:
          port: the TCP port; 0 picks a free one.
          host: the address to bind.
          backlog: the kernel's queue of connections not yet accepted.
          reuse_port: set ``SO_REUSEPORT`` (Node's ``reusePort``), so that several
            processes listen on the same port and the kernel spreads new
            connections over them.
          fd: serve an already bound socket instead of binding one (Node's
            ``listen({fd})``); the server takes it over and closes it.
            ``port``, ``host`` and ``reuse_port`` are then ignored.

        Raises:
          OSError: the address is in use or cannot be bound, or ``reuse_port``
            was asked where the platform has no ``SO_REUSEPORT``.
        """
        scope = self._scope if self._scope is not None else current_scope()
        self._scope = scope
        if fd is not None:
            sock = _stdsocket.socket(fileno=fd)
            sock.listen(backlog)
            sockets = [sock]
        else:
            sockets = await _bind_sockets(port, host, backlog, reuse_port)
        for sock in sockets:
            sock.setblocking(False)
        self._sockets = sockets
        self._listeners = [trio.SocketListener(trio.socket.from_stdlib_socket(s)) for s in sockets]
        addr = sockets[0].getsockname()
        self._address = {"address": addr[0], "family": "IPv6" if ":" in addr[0] else "IPv4", "port": addr[1]}
        self.listening = True
        self._accept_scope = trio.CancelScope()
        scope.nursery.start_soon(self._accept_all)
        scope.next_tick(self.emit, "listening")
        return self

    async def serve_connection(self, stream: trio.abc.Stream) -> None:
        """Serve HTTP on one connected stream until the connection ends.

        Any ``trio.abc.Stream`` will do: a ``trio.SocketStream``, a
        ``trio.SSLStream``, one end of ``trio.testing.memory_stream_pair()``.
        Fits ``trio.serve_tcp(server.serve_connection, port)``.

        Cancellation:
          Cancelling the call destroys the connection: its requests and
          responses are aborted, their handlers cancelled, the stream closed.
        """
        conn = self._connection_class(self, stream)
        self._connections.add(conn)
        await conn.run()

    def set_timeout(self, msecs: float = 0, callback: Callable[..., object] | None = None) -> Server:
        """Give every new connection an inactivity timeout of ``msecs``.

        On a timeout the request, the response and the server get ``'timeout'``
        (with the socket); when none of them listens, the connection is destroyed.
        """
        self.timeout = msecs
        if callback is not None:
            self.on("timeout", callback)
        return self

    def address(self) -> dict[str, Any] | None:
        """``{'address', 'family', 'port'}`` once listening."""
        return self._address

    def close(self, callback: Callable[..., object] | None = None, *, serve_pending: bool = False) -> Server:
        """Stop accepting; idle connections close now, busy ones after their response.

        ``'close'`` is emitted once every connection is gone.

        Args:
          callback: a ``'close'`` listener.
          serve_pending: keep a connection that is between requests (a new one, or
            a kept-alive one) open for up to ``PENDING_GRACE`` seconds, and answer
            its next request with ``Connection: close``, instead of closing it as
            idle as Node does: a client that sends just as the server closes is
            answered rather than reset. A graceful stop (``cluster``) uses it.
        """
        if callback is not None:
            self.once("close", callback)
        if self._closing:
            return self
        self._closing = True
        self._serve_pending = serve_pending
        self.listening = False
        self._stop_accepting()
        if self._accept_scope is not None:
            self._accept_scope.cancel()
        for conn in list(self._connections):
            conn.server_closing()
        self._maybe_closed()
        return self

    def _stop_accepting(self) -> None:
        """Serve what the kernel already accepted, then close the listening sockets now.

        Closing a listener resets the connections still in its queue; with
        ``SO_REUSEPORT`` other processes keep the port, and a client that was
        queued here must not be the one that pays. Draining and closing in one
        synchronous step leaves no gap in which the queue can grow.
        """
        if self._scope is None:
            return
        nursery = self._scope.nursery
        for sock in self._sockets:
            while True:
                try:
                    accepted, _ = sock.accept()
                except OSError:  # BlockingIOError: the queue is empty; or already closed
                    break
                stream = trio.SocketStream(trio.socket.from_stdlib_socket(accepted))
                conn = _Connection(self, stream)
                self._connections.add(conn)
                nursery.start_soon(conn.run)
        for listener in self._listeners:
            # A task waiting in accept() gets ClosedResourceError, and its loop ends.
            listener.socket.close()

    def close_idle_connections(self) -> None:
        """Close the connections that are between requests."""
        for conn in list(self._connections):
            if conn.state.idle:
                conn.sock.destroy()

    def close_all_connections(self) -> None:
        """Close every connection, busy or not."""
        for conn in list(self._connections):
            conn.sock.destroy()

    async def wait_closed(self) -> None:
        """Wait until :meth:`close` took effect and every connection is gone."""
        await self._closed_event.wait()

    def _maybe_closed(self) -> None:
        if (
            self._closing
            and not self._connections
            and not self._closed_event.is_set()
            and (self._accept_scope is None or self._accept_scope.cancel_called)
            and not self.listening
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
            except trio.ClosedResourceError:
                return  # close() closed the listener
            except OSError as exc:  # EMFILE and friends: back off, keep serving
                log.warning("accept failed: %s", exc)
                await trio.sleep(0.1)
                continue
            conn = self._connection_class(self, stream)
            self._connections.add(conn)
            nursery.start_soon(conn.run)
            # Waiting for the next client must not keep this one alive once it closed.
            del conn, stream


# What a handler meets when the client leaves: Trio's stream errors, a reset or an
# aborted body, a stream destroyed under it, a closed pipe.
_PEER_CODES = frozenset(
    {"ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE", "ERR_STREAM_DESTROYED", "ABORT_ERR"}
)


def _peer_fault(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection went away (not that the handler is wrong)."""
    if isinstance(exc, (trio.BrokenResourceError, trio.ClosedResourceError, ConnectionError)):
        return True
    return getattr(exc, "code", None) in _PEER_CODES


async def _bind_sockets(port: int, host: str, backlog: int, reuse_port: bool) -> list[_stdsocket.socket]:
    """Listening sockets on every address ``host`` names (as ``trio.open_tcp_listeners``)."""
    if reuse_port and not hasattr(_stdsocket, "SO_REUSEPORT"):
        raise OSError(errno.ENOPROTOOPT, "SO_REUSEPORT is not available on this platform")
    infos = await trio.socket.getaddrinfo(host, port, type=_stdsocket.SOCK_STREAM, flags=_stdsocket.AI_PASSIVE)
    seen: set[object] = set()
    sockets: list[_stdsocket.socket] = []
    try:
        for family, type_, proto, _, sockaddr in infos:
            if sockaddr in seen:
                continue
            seen.add(sockaddr)
            sock = _stdsocket.socket(family, type_, proto)
            sockets.append(sock)
            if sys.platform != "win32":
                # A restarted server must not wait for TIME_WAIT to end (Windows means
                # something else by SO_REUSEADDR: sharing a port with anyone).
                sock.setsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_REUSEADDR, 1)
            if reuse_port:
                sock.setsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_REUSEPORT, 1)
            if family == _stdsocket.AF_INET6:
                sock.setsockopt(_stdsocket.IPPROTO_IPV6, _stdsocket.IPV6_V6ONLY, 1)
            sock.bind(sockaddr)
            sock.listen(backlog)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def create_server(
    options_or_handler: Mapping[str, Any] | Handler | None = None,
    handler: Handler | None = None,
    **options: Any,
) -> Server:
    """Make a :class:`Server` (Node's ``http.createServer([options][, handler])``).

    Options come as keywords (or as a mapping first, as in Node); call
    ``await server.listen()`` to serve.
    """
    if isinstance(options_or_handler, Mapping):
        options = {**options_or_handler, **options}
    elif options_or_handler is not None:
        if handler is not None:
            raise err_invalid_arg_type("options", "of type object", options_or_handler)
        handler = options_or_handler
    return Server(handler, **options)


class _Connection:
    """One client connection: the task that reads, dispatches and watches it."""

    #: What the connection is wrapped in (https uses a TLS socket).
    socket_class: type[Socket] = Socket

    def __init__(self, server: Server, stream: trio.abc.Stream) -> None:
        self.server = server
        self.stream = stream
        self.state = ConnectionState()
        self.scope: Scope
        self.sock: Socket
        # Requests whose responses have not finished, in order (Node's state.incoming).
        self.incoming: deque[IncomingMessage] = deque()
        # Responses waiting for the connection (Node's state.outgoing).
        self.outgoing: deque[ServerResponse] = deque()
        # Bytes written by responses still waiting for their turn.
        self.outgoing_data = 0
        # The request whose body is arriving (Node's parser.incoming).
        self.current: IncomingMessage | None = None
        self.current_has_body = False
        self.requests_count = 0
        # Reading stops while a body's consumer is full, or too much output waits.
        self.body_paused = False
        self.output_paused = False
        self.wake = trio.Event()
        self.message_start = 0.0
        self.idle_since = 0.0
        self.error_handled = False
        self.upgrade_req: IncomingMessage | None = None
        self.upgraded = False
        self.chunks_window = 0.0
        self.chunks_at_window = 0
        self.chunks_checked = 0
        self.closing = False
        # With close(serve_pending=True): when this connection, idle, closes unless a request came.
        self.pending_until = math.inf
        self.now: Callable[[], float] = trio.current_time

    # -- the task -----------------------------------------------------------------

    async def run(self) -> None:
        server = self.server
        try:
            async with open_scope() as scope:
                self.scope = scope
                sock = self.sock = self.socket_class(self.stream, scope)
                sock.server = server
                sock._close_hooks.append(self._on_socket_close)
                sock.on("drain", self._on_socket_drain)
                sock.on("timeout", self._on_socket_timeout)
                if not server.no_delay:
                    # trio.SocketStream turns TCP_NODELAY on for every TCP connection.
                    sock.set_no_delay(False)
                if server.keep_alive:
                    sock.set_keep_alive(True, server.keep_alive_initial_delay)
                if server.timeout:
                    sock.set_timeout(server.timeout)
                server.emit("connection", sock)
                self.now = trio.lowlevel.current_clock().current_time
                self.idle_since = self.now()
                if server._closing:
                    self.server_closing()  # accepted just before close(), started after it
                try:
                    await self._serve()
                finally:
                    await self._finish()
        except Exception as exc:
            log.error("connection from %s failed: %r", self._peer(), exc, exc_info=exc)
        finally:
            server._connections.discard(self)
            server._maybe_closed()

    async def _finish(self) -> None:
        """The connection is over: close the stream, end what is still open."""
        sock = self.sock
        if self.upgraded:
            return  # the stream belongs to the upgrade listener now
        graceful = not sock.destroyed
        with trio.CancelScope(shield=True):
            await sock.aclose_stream(graceful=graceful)
        if self.state.phase is not Phase.CLOSED:
            self.state.handle(Event.CLOSED)
        # Run what the close queued ('close' events, aborted requests) now, so that
        # handlers waiting on them are cancelled before the scope waits for them.
        self.scope.run_ticks()

    async def _serve(self) -> None:
        sock = self.sock
        parser = RequestParser(
            max_header_size=self.server.max_header_size, lenient=self.server.insecure_http_parser
        )
        self.parser = parser
        state = self.state
        while state.open and not sock.destroyed and not sock._ending:
            # One cancel scope serves many reads: its deadline only ever moves
            # earlier. When it fires too early (the timer moved on), a new one
            # takes over, so requests do not pay for a scope or a deadline each.
            deadline = self._deadline()
            with trio.CancelScope(deadline=deadline) as cs:
                sock._io_scope = cs
                await self._serve_until(cs)
            sock._io_scope = None
            if cs.cancelled_caught and not sock.destroyed and not sock._ending:
                if self.now() >= self._deadline():
                    self._on_deadline()
        if sock._ending and not sock.destroyed:
            # Closing politely: what is queued goes out first (the writer may hold it).
            with trio.move_on_after(5):
                await sock.wait_output_idle()

    async def _serve_until(self, cs: trio.CancelScope) -> None:
        """Read and dispatch until the connection ends or ``cs`` is cancelled."""
        sock = self.sock
        state = self.state
        scope = self.scope
        while state.open and not sock.destroyed and not sock._ending:
            if self.body_paused or self.output_paused or len(self.incoming) >= MAX_IN_FLIGHT:
                self.wake = trio.Event()
                deadline = self._deadline()
                if deadline < cs.deadline:
                    cs.deadline = deadline
                await self.wake.wait()
                continue
            if state.phase is not Phase.RESPONDING:
                deadline = self._deadline()
                if deadline < cs.deadline:
                    cs.deadline = deadline
            data = await sock.receive()
            # This task drains what the processing queues: the runner stays asleep.
            # What was queued before these bytes came happens first.
            scope._held += 1
            sock._owner_busy = True
            try:
                scope.run_ticks()
                if data:
                    await self._feed(data)
                else:
                    self._on_peer_end()
                scope.run_ticks()
            finally:
                sock._owner_busy = False
                scope._held -= 1
                if scope._queue or scope._immediates:
                    scope._wake_or_start()  # left by an exception: the runner takes it
            if sock._out:
                if sock._fd >= 0:
                    sock._kick()  # the writer task sends the rest; this task keeps reading
                else:
                    # The read deadline does not apply to sending; destroy() still does.
                    with trio.CancelScope(shield=True) as flushing:
                        sock._io_scope = flushing
                        await sock.flush()
                    sock._io_scope = cs
                scope.run_ticks()

    @contextmanager
    def _unheld(self) -> Iterator[None]:
        """Let the runner run deferred calls while this task waits (it held it)."""
        scope = self.scope
        scope._held -= 1
        scope.run_ticks()
        if scope._queue or scope._immediates:
            scope._wake_or_start()
        try:
            yield
        finally:
            scope._held += 1

    def _resume(self) -> None:
        self.wake.set()

    def _deadline(self) -> float:
        """When the timeout of the current phase runs out (Node's timers, exactly)."""
        timer = self.state.timer
        server = self.server
        if timer is Timer.NONE:
            return math.inf
        if timer is Timer.KEEP_ALIVE:
            if not self.state.served:
                # A new connection that sends nothing gets the headers timeout, not a
                # keep-alive: a silent peer must not hold a connection forever.
                deadline = self.idle_since + server.headers_timeout / 1000 if server.headers_timeout else math.inf
                return min(deadline, self.pending_until)
            if not server.keep_alive_timeout:
                return self.pending_until
            return min(self.idle_since + (server.keep_alive_timeout + KEEP_ALIVE_TIMEOUT_BUFFER) / 1000, self.pending_until)
        deadline = math.inf
        if server.request_timeout:
            deadline = self.message_start + server.request_timeout / 1000
        if timer is Timer.HEADERS and server.headers_timeout:
            deadline = min(deadline, self.message_start + server.headers_timeout / 1000)
        return deadline

    def _on_deadline(self) -> None:
        """The current phase's timeout ran out."""
        timer = self.state.timer
        if timer is Timer.KEEP_ALIVE and self.now() >= self.pending_until:
            self.sock.destroy()  # the server closes, and this client sent nothing in time
        elif timer is Timer.KEEP_ALIVE and not self.state.served:
            self._socket_error(err_request_timeout())
        elif timer is Timer.KEEP_ALIVE:
            # Node's keep-alive runs on the socket timeout: the server may keep it.
            if not self.server.emit("timeout", self.sock):
                self.sock.destroy()
            else:
                self.idle_since = self.now()
        elif timer is not Timer.NONE:
            self._socket_error(err_request_timeout())

    # -- input --------------------------------------------------------------------

    async def _feed(self, data: bytes) -> None:
        parser = self.parser
        state = self.state
        events = parser.feed(data)
        if events:
            await self._process(events, data)
        if parser.in_message and not parser.in_body and state.phase in (Phase.IDLE, Phase.RESPONDING):
            # A head began in this read and continues in the next.
            state.handle(Event.HEAD_STARTED)
            self.message_start = self.now()
        if parser.chunks - self.chunks_checked >= CHUNKS_PER_CHECKPOINT:
            with self._unheld():
                await self._throttle()

    async def _process(self, events: list[Any], data: bytes) -> None:
        """Act on the parser's events, in order (Node's parser callbacks)."""
        count = len(events)
        i = 0
        while i < count:
            ev = events[i]
            i += 1
            kind = type(ev)
            if kind is bytes:
                # One push per piece llhttp reports, as Node's parserOnBody does.
                self._on_body(ev)
            elif kind is RequestHead:
                phase = self.state.phase
                if phase is Phase.IDLE or phase is Phase.RESPONDING:
                    self.state.handle(Event.HEAD_STARTED)
                    self.message_start = self.now()
                elif not self.state.accepts_requests:
                    return  # the connection is closing: what follows is not served
                spawned = self._on_head(ev)
                if spawned and i < count and self.server._async_handler is not None:
                    # Handlers start in request order, as Node calls them: let this
                    # one take its first step before the next request is dispatched.
                    # Yields for ordering only: a deadline must not cut a batch in two.
                    with self._unheld():
                        await trio.lowlevel.cancel_shielded_checkpoint()
                        await trio.lowlevel.cancel_shielded_checkpoint()
            elif kind is MessageEnd:
                self._on_message_end(ev)
            elif kind is ParseError:
                self._on_parse_error(ev, data)
                return
            elif kind is Upgrade:
                await self._on_upgrade(ev)
                return

    def _on_body(self, chunk: bytes) -> None:
        req = self.current
        if req is None or req._dumped:
            return
        if not req.push(chunk):
            self.body_paused = True
            req._on_read = self._on_body_read

    def _on_body_read(self) -> None:
        if self.body_paused:
            self.body_paused = False
            self.wake.set()

    def _on_message_end(self, end: MessageEnd) -> None:
        req = self.current
        self.current = None
        if req is None:
            return
        if self.current_has_body:
            self.current_has_body = False
            if self.state.handle(Event.BODY_COMPLETE) is Phase.IDLE:
                # Its response finished first: the connection is idle from now on.
                self.idle_since = self.now()
                if self.server._closing or self.closing:
                    self._idle_while_closing()
        # Node reads on after a message (readStart): the next one, or the end, must be seen.
        self.body_paused = False
        req.complete = True
        if end.raw_trailers:
            req._add_trailers(end.raw_trailers)
        req._push_end()

    def _on_peer_end(self) -> None:
        """The client ended its side (FIN) or reset the connection (RST)."""
        sock = self.sock
        if sock.peer_reset:
            err = sock._error or econnreset("read ECONNRESET")
            # Node reports a reset to 'clientError' listeners, as any socket error.
            sock.destroy(err)
            self._socket_error(err)
            return
        events = self.parser.feed_eof()
        if events and isinstance(events[-1], ParseError):
            error = events[-1]
            # Node's finish() error carries no packet and a bare message.
            self._socket_error(ClientError(error.code, error.reason, message="Parse Error"))
        else:
            self.state.handle(Event.PEER_ENDED)
            # Node's server ends its side too (httpAllowHalfOpen is off): what was
            # written goes out, then the connection closes and unfinished responses close.
            sock.end()
        if sock._events.get("end"):
            sock.emit("end")

    async def _throttle(self) -> None:
        """Slow a connection that sends floods of tiny chunks (CPU, not bytes, is the cost)."""
        chunks = self.parser.chunks
        self.chunks_checked = chunks
        now = self.now()
        if now - self.chunks_window > 1.0:
            self.chunks_window = now
            self.chunks_at_window = chunks
        else:
            excess = chunks - self.chunks_at_window - MAX_CHUNKS_PER_SECOND
            if excess > 0:
                await trio.sleep(excess / MAX_CHUNKS_PER_SECOND)
        await trio.lowlevel.checkpoint()

    # -- requests -------------------------------------------------------------------

    def _on_head(self, head: RequestHead) -> bool:
        """A request head arrived: Node's parserOnIncoming. True if a handler task started."""
        server = self.server
        sock = self.sock
        state = self.state
        req = IncomingMessage(
            sock,
            scope=self.scope,
            high_water_mark=server.high_water_mark,
            max_header_pairs=server.max_headers_count if server.max_headers_count is not None else 2000,
        )
        major, minor = head.http_version
        req.http_version_major = major
        req.http_version_minor = minor
        req.http_version = head.version
        req.method = head.method
        req.url = head.url
        req.raw_headers = head.raw_headers
        # Only what differs from the class defaults is set: most heads change little.
        if server.join_duplicate_headers:
            req.join_duplicate_headers = True
        req.upgrade = head.upgrade
        self.current = req
        has_body = head.body != "none"
        if has_body:
            req._on_read = self._on_body_read
        self.current_has_body = has_body
        if server.timeout and sock.timeout != server.timeout / 1000:
            sock.set_timeout(server.timeout)
        if head.upgrade:
            upgrade = head.method == "CONNECT" or bool(server._events.get("upgrade"))
            req.upgrade = upgrade
            if upgrade:
                # The bytes after the head belong to the new protocol (see _on_upgrade).
                state.handle(Event.HEAD_COMPLETE)
                self.upgrade_req = req
                self.current_has_body = False
                return False
        state.handle(Event.HEAD_WITH_BODY if has_body else Event.HEAD_COMPLETE)
        self.incoming.append(req)
        if not self.output_paused and (sock._need_drain or self.outgoing_data >= sock.writable_high_water_mark):
            self.output_paused = True
        res = ServerResponse(req, high_water_mark=server.high_water_mark)
        if server.keep_alive_timeout:
            res._keep_alive_timeout = server.keep_alive_timeout
        if server.max_requests_per_socket:
            res._max_requests_per_socket = server.max_requests_per_socket
        res._on_pending_data = self._update_outgoing_data
        res.should_keep_alive = head.keep_alive and not server._closing and not self.closing
        if server._unique_headers is not None:
            res._unique_headers = server._unique_headers
        if sock._http_message is not None:
            self.outgoing.append(res)
        else:
            res.assign_socket(sock)
        res._finish_hook = lambda: self._on_response_finish(req, res)
        if major == 1 and minor == 1:
            # What req.headers.host and req.headers.expect would say, without building them.
            has_host, expect = host_and_expect(head.raw_headers, req._max_header_pairs)
            if server.require_host_header and not has_host:
                res.write_head(400, ["Connection", "close"])
                res.end()
                return False
            limit = server.max_requests_per_socket
            if limit > 0:
                self.requests_count += 1
                res.max_requests_on_connection_reached = limit <= self.requests_count
                if limit < self.requests_count:
                    if server._events.get("dropRequest"):
                        server.emit("dropRequest", req, sock)
                    res.write_head(503)
                    res.end()
                    return False
            if expect is not None:
                if expects_continue(expect):
                    res._expect_continue = True
                    if server._events.get("checkContinue"):
                        return self._dispatch("checkContinue", req, res)
                    res.write_continue()
                    return self._dispatch("request", req, res)
                if server._events.get("checkExpectation"):
                    return self._dispatch("checkExpectation", req, res)
                res.write_head(417)
                res.end()
                return False
        return self._dispatch("request", req, res)

    def _dispatch(self, event: str, req: IncomingMessage, res: ServerResponse) -> bool:
        """Run the listeners of ``event``; start the async handler. True if a task started."""
        server = self.server
        try:
            server.emit(event, req, res)
        except Exception as exc:
            self._handler_failed(exc, req, res)
            return False
        if event == "request" and server._async_handler is not None and not res._closed:
            self.scope.start_soon(self._run_async_handler, server._async_handler, req, res)
            return True
        return False

    async def _run_async_handler(
        self, handler: Callable[..., Awaitable[object]], req: IncomingMessage, res: ServerResponse
    ) -> None:
        # A response that closes unfinished (the client left, the connection died)
        # can never be completed: its handler is cancelled, not left waiting forever.
        with trio.CancelScope() as cancel_scope:

            def abandon(*_: object) -> None:
                if not res.writable_finished:
                    cancel_scope.cancel()

            if res._closed and not res.writable_finished:
                abandon()  # closed before this task took its first step
            res.on("close", abandon)
            try:
                await handler(req, res)
            except Exception as exc:
                if (res._closed or res.destroyed or self.sock.destroyed) and _peer_fault(exc):
                    # The client left while the handler read or wrote: its fault, not the handler's.
                    log.debug("request %s %s ended early: %r", req.method, req.url, exc)
                else:
                    self._handler_failed(exc, req, res)
            finally:
                res.remove_listener("close", abandon)

    def _handler_failed(self, exc: BaseException, req: IncomingMessage, res: ServerResponse) -> None:
        log.error("request handler failed for %s %s: %r", req.method, req.url, exc, exc_info=exc)
        if not res.headers_sent and not res.finished and not res.destroyed:
            res._out_headers = None
            res.status_code = 500
            res.set_header("Connection", "close")
            res.end(STATUS_CODES[500])
        elif not res.writable_finished:
            sock = res.socket
            if sock is not None and sock._corked:
                # What the handler wrote before it failed still goes out, then the end.
                sock._corked = 1
                sock.uncork()
            res.destroy()

    def _on_response_finish(self, req: IncomingMessage, res: ServerResponse) -> None:
        """A response was handed to the connection whole (Node's resOnFinish)."""
        incoming = self.incoming
        if incoming and incoming[0] is req:
            incoming.popleft()
        # Nobody reads the body: it is read and dropped, so the connection can go on.
        if not req._consuming and not req._end_unobserved(res) and not req._readable_state.resume_scheduled:
            req._dump()
        sock = self.sock
        if sock._http_message is res:
            res.detach_socket(sock)
        if res._events:
            self.scope.next_tick(res._emit_close)
        else:
            # Nobody listens to anything: 'close' would change these two flags and
            # nothing else (an 'error' still due would find the response destroyed).
            res.destroyed = True
            res._closed = True
        state = self.state
        if res._last:
            state.handle(Event.LAST_RESPONSE_FINISHED)
            sock.destroy_soon()
            self._abort_outgoing()
        else:
            state.handle(Event.RESPONSE_FINISHED)
            if self.outgoing:
                nxt = self.outgoing.popleft()
                nxt.assign_socket(sock)
            elif state.phase is Phase.IDLE:
                self.idle_since = self.now()
                if self.server._closing or self.closing:
                    self._idle_while_closing()
        if self.output_paused or len(incoming) < MAX_IN_FLIGHT:
            self._on_socket_drain()
            self.wake.set()

    def _update_outgoing_data(self, delta: int) -> None:
        self.outgoing_data += delta
        self._on_socket_drain()

    def _on_socket_drain(self, *_: object) -> None:
        """Node's socketOnDrain: resume reading; tell the current response it may write."""
        sock = self.sock
        if self.output_paused and self.outgoing_data <= sock.writable_high_water_mark and not sock._need_drain:
            self.output_paused = False
            self.wake.set()
        msg = sock._http_message
        if msg is not None and not msg.finished and msg._need_drain and msg.writable_length == 0:
            msg._need_drain = False
            msg.emit("drain")

    def _on_socket_timeout(self) -> None:
        """Node's socketOnTimeout: tell the request, the response and the server."""
        sock = self.sock
        req = self.current
        handled = bool(req is not None and not req.complete and req.emit("timeout", sock))
        res = sock._http_message
        if res is not None and res.emit("timeout", sock):
            handled = True
        if self.server.emit("timeout", sock):
            handled = True
        if not handled:
            sock.destroy()

    def _on_socket_close(self, _had_error: bool) -> None:
        """Node's socketOnClose: requests not finished are aborted."""
        incoming = self.incoming
        while incoming:
            incoming.popleft().destroy(econnreset("aborted"))
        current = self.current
        if current is not None and not current.complete and not current.destroyed:
            # Its response finished early, but its body will never end now.
            current.destroy(econnreset("aborted"))
        self._abort_outgoing()

    def _abort_outgoing(self) -> None:
        outgoing = self.outgoing
        while outgoing:
            outgoing.popleft()._emit_close()

    def server_closing(self) -> None:
        """The server is closing: idle now, busy after the response in progress."""
        self.closing = True
        for res in self.outgoing:
            if not res.headers_sent:
                res.should_keep_alive = False
        msg = self.sock._http_message if hasattr(self, "sock") else None
        if msg is not None and not msg.headers_sent:
            msg.should_keep_alive = False
        if hasattr(self, "sock") and self.state.idle:
            self._idle_while_closing(at_once=True)

    def _idle_while_closing(self, at_once: bool = False) -> None:
        """The server closes and this connection is between requests: close it, or wait.

        With ``close(serve_pending=True)`` the client gets ``PENDING_GRACE`` seconds to
        send its next request (answered with ``Connection: close``): a client that
        reuses a kept-alive connection, or connected just before, is answered instead
        of meeting a close it cannot tell from a failure.
        """
        if self._input_waiting():
            return  # its next request is already here: it is served, then the connection closes
        if self.server._serve_pending:
            if self.pending_until == math.inf:
                self.pending_until = self.now() + PENDING_GRACE
                cs = self.sock._io_scope
                if cs is not None and cs.deadline > self.pending_until:
                    cs.deadline = self.pending_until
            return
        if at_once:
            self.sock.destroy()
        else:
            self.sock.destroy_soon()  # what was just written goes out first

    def _input_waiting(self) -> bool:
        """Whether the kernel holds bytes this connection has not read yet.

        An idle connection with a request already in the kernel is not closed by
        ``close()``: that request is served (with ``Connection: close``) rather
        than lost to the race between the client's send and the server's close.
        """
        fd = self.sock._fd
        if fd < 0 or not hasattr(select, "poll"):
            return False
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))

    # -- errors and upgrades ----------------------------------------------------------

    def _on_parse_error(self, error: ParseError, data: bytes) -> None:
        self._socket_error(ClientError(error.code, error.reason, data))

    def _socket_error(self, err: BaseException) -> None:
        """Node's socketOnError: ``'clientError'``, or a canned answer and the end."""
        if self.error_handled:
            return
        self.error_handled = True
        self.parser.stop()
        sock = self.sock
        if self.server.emit("clientError", err, sock):
            return  # the listener answers (or not) and closes
        msg = sock._http_message
        if sock.writable and (msg is None or not msg._header_sent):
            sock.write(_CANNED.get(getattr(err, "code", ""), _BAD_REQUEST))
        if sock._fd < 0 and sock._out and sock.writable:
            # On a plain socket what was written is with the kernel by now, as in
            # Node; on any other stream it may still be queued here (the answers to
            # the requests before the bad one, the canned answer): close once it
            # went out instead of dropping it.
            self.state.handle(Event.FAILED)
            sock._error = err
            sock._had_error = True
            sock._answering = True
            sock.end()
            self._on_socket_close(True)
            return
        self.state.handle(Event.FAILED)
        sock.destroy(err)

    async def _on_upgrade(self, event: Upgrade) -> None:
        """The request left HTTP: hand the connection over as a byte Duplex."""
        from .._trio_adapters import duplex_from_trio

        req = self.upgrade_req
        sock = self.sock
        if req is None:
            # Nobody takes the upgrade: the request was served as plain HTTP, and so
            # is what follows it (its body first, which llhttp skipped).
            events = self.parser.resume_http(event.rest)
            if events:
                await self._process(events, event.rest)
            return
        self.upgrade_req = None
        self.parser.stop()
        event_name = "connect" if req.method == "CONNECT" else "upgrade"
        if not self.server._events.get(event_name):
            # CONNECT with nobody to take the tunnel: Node drops the connection.
            self.state.handle(Event.FAILED)
            sock.destroy()
            return
        sock._owner_busy = False
        with self._unheld(), trio.CancelScope(shield=True) as flushing:
            sock._io_scope = flushing
            await sock.wait_output_idle()
        if sock.destroyed:
            return
        self.state.handle(Event.UPGRADED)
        self.upgraded = True
        req.complete = True
        duplex = duplex_from_trio(self.stream, scope=self.scope)
        try:
            self.server.emit(event_name, req, duplex, event.rest)
        except Exception as exc:
            log.error("%r listener failed for %s %s: %r", event_name, req.method, req.url, exc, exc_info=exc)
            duplex.destroy()

    def _peer(self) -> str:
        sock = getattr(self, "sock", None)
        if sock is None or sock.remote_address is None:
            return "?"
        return f"{sock.remote_address}:{sock.remote_port}"


Server._connection_class = _Connection
