"""One pooled client connection and the task that keeps it (node: lib/_http_client.js).

The task opens the connection, then reads it for as long as it lives: the
response of the request it carries (parsed by llhttp, ``_parser``), and,
while the connection waits free in the pool, the server's end, so a connection
the server closed leaves the pool at once. Requests are written by the
request itself (:class:`OutgoingMessage`) and sent by the
connection's socket while this task keeps reading: a server may answer while
the upload is still going. What the connection is doing is kept by
``ExchangeState``.

This module knows requests only through :class:`ExchangeRequest`, so the pool
(``_agent``) and the request (``_client_request``) need not import each other.
"""

from __future__ import annotations

import errno as _errno
import math
import socket as _stdsocket
from typing import Any, ClassVar, Protocol

import trio

from .._errors import NodeError, NodeSystemError
from .._scope import Scope
from ._client_state import Event, ExchangeState, Phase
from ._incoming import IncomingMessage
from ._parser import MessageEnd, ParseError, ResponseHead, ResponseParser, Upgrade
from ._socket import Socket, econnreset

__all__ = ["ClientConnection", "ExchangeRequest", "Information", "Pool", "PooledRequest", "open_tcp"]

#: Methods resent once when a reused connection fails before any response byte.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class Pool(Protocol):
    """What a connection needs of the pool that owns it (an ``Agent``); a Protocol, so
    that the connection and the pool do not import each other."""

    keep_alive: bool
    keep_alive_msecs: float
    timeout: float | None
    socket_class: ClassVar[type[Socket]]

    async def connect(self, options: dict[str, Any]) -> trio.abc.Stream: ...

    def remove(self, conn: ClientConnection) -> None: ...

    def release(self, conn: ClientConnection) -> None: ...

    def retry(self, old: ClientConnection, req: PooledRequest, replay: bytes) -> None: ...


class PooledRequest(Protocol):
    """What the pool needs of a request."""

    _scope: Scope
    reused_socket: bool
    destroyed: bool

    def _on_socket(self, conn: ClientConnection) -> None: ...


class ExchangeRequest(PooledRequest, Protocol):
    """What a connection needs of the request it carries (a ``ClientRequest``)."""

    method: str
    aborted: bool
    finished: bool
    should_keep_alive: bool
    socket: Socket | None
    res: IncomingMessage | None
    upgrade_or_connect: bool
    max_header_size: int
    insecure_http_parser: bool
    join_duplicate_headers: bool
    max_headers_count: int | None
    _held: list[Any] | None
    _continue_timeout: float
    _ended: bool
    _closed: bool
    _error: BaseException | None
    _output: list[Any]
    _need_drain: bool

    @property
    def writable_finished(self) -> bool: ...

    def emit(self, event: str, *args: Any) -> bool: ...

    def on(self, event: str, listener: Any) -> Any: ...

    def once(self, event: str, listener: Any) -> Any: ...

    def remove_listener(self, event: str, listener: Any) -> Any: ...

    def listener_count(self, event: str) -> int: ...

    def _release_held(self) -> None: ...

    def _drop_held(self) -> None: ...


def _system_error(exc: OSError, syscall: str, host: str, port: int) -> NodeSystemError:
    """Map an ``OSError`` from connect to Node's error (``ECONNREFUSED`` ...)."""
    if isinstance(exc, _stdsocket.gaierror):
        return NodeSystemError("ENOTFOUND", f"getaddrinfo ENOTFOUND {host}", syscall="getaddrinfo")
    code = _errno.errorcode.get(exc.errno or 0, "ECONNREFUSED")
    return NodeSystemError(code, f"{syscall} {code} {host}:{port}", errno=-(exc.errno or 0), syscall=syscall)


async def open_tcp(options: dict[str, Any]) -> trio.SocketStream:
    """A TCP connection to ``options['host']:options['port']`` (from ``local_address`` if given).

    Raises:
      OSError: the connection failed.
    """
    host, port = options["host"], options["port"]
    local = options.get("local_address")
    infos = await trio.socket.getaddrinfo(host, port, type=_stdsocket.SOCK_STREAM)
    last: OSError | None = None
    for family, type_, proto, _name, addr in infos:
        sock = trio.socket.socket(family, type_, proto)
        try:
            if local:
                await sock.bind((local, 0))
            await sock.connect(addr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        except BaseException:
            sock.close()
            raise
        return trio.SocketStream(sock)
    raise last if last is not None else OSError(_errno.ECONNREFUSED, "no address to connect to")


def parse_error(error: ParseError) -> NodeError:
    """The error a response llhttp refused is reported with (``HPE_*``)."""
    err = NodeError(error.code, f"Parse Error: {error.reason}")
    err.reason = error.reason  # type: ignore[attr-defined]
    return err


class Information:
    """What ``'information'`` carries: a 1xx head."""

    def __init__(self, res: IncomingMessage) -> None:
        self.status_code = res.status_code
        self.status_message = res.status_message
        self.http_version = res.http_version
        self.http_version_major = res.http_version_major
        self.http_version_minor = res.http_version_minor
        self.raw_headers = res.raw_headers
        self.headers = res.headers

    def __repr__(self) -> str:
        return f"<information {self.status_code} {self.status_message}>"


class ClientConnection:
    """One connection of an :class:`Agent`, and the task that keeps it."""

    def __init__(self, agent: Pool, name: str, scope: Scope, options: dict[str, Any]) -> None:
        self.agent = agent
        self.name = name
        self.scope = scope
        self.options = options
        self.sock = agent.socket_class(None, scope)
        self.state = ExchangeState()
        self.req: ExchangeRequest | None = None
        self.res: IncomingMessage | None = None
        self.parser: ResponseParser | None = None
        self.wake = trio.Event()
        self.res_paused = False
        self.informational = False
        self.upgrade_res: IncomingMessage | None = None
        self.had_error = False
        # Request bytes recorded while a retry on a new connection is still possible.
        self.replay: bytearray | None = None
        self.got_bytes = False
        self.retired = False
        self._replay_data: bytes | None = None
        self.idle_since = 0.0
        # Listeners added and removed for each exchange: one object each, so that
        # removing finds what was added.
        self._repark = False
        self._drain_listener = self._on_drain
        self._timeout_listener = self._response_on_timeout

    # -- the pool's side -------------------------------------------------------------

    def assign(self, req: PooledRequest) -> None:
        """Carry ``req`` next (a new connection's first request, or a free one's next)."""
        self.req = req  # type: ignore[assignment]
        if self.state.phase is Phase.IDLE:
            self.state.handle(Event.ASSIGNED)
        req._on_socket(self)
        self.wake.set()

    def replay_into(self, req: PooledRequest, replay: bytes) -> None:
        """A retry: carry ``req`` by resending what it sent on a failed connection."""
        self.req = req  # type: ignore[assignment]
        self._replay_data = replay
        self.attached(req)  # type: ignore[arg-type]

    def attached(self, req: ExchangeRequest) -> None:
        """The request took this connection (its ``'socket'`` was emitted)."""
        sock = self.sock
        req.socket = sock
        sock._http_message = req
        sock._close_hooks.append(self._socket_close_listener)
        sock.on("drain", self._drain_listener)
        req.once("finish", self._request_on_finish)
        if self.state.exchanges > 1 or self._replay_data is not None:
            may_retry = req.method in IDEMPOTENT and self._replay_data is None and not self.retired
            self.replay = bytearray() if may_retry else None
        if self._replay_data is not None:
            sock.write(self._replay_data)
            self._replay_data = None
        sock._record = self.replay
        self.got_bytes = False

    def release_unused(self, req: PooledRequest) -> None:
        """The request was destroyed before it used the connection: back to the pool."""
        if self.req is req:
            self.req = None
            if self.state.phase is Phase.AWAITING and not self.sock.connecting:
                self.state.handle(Event.FAILED)
                self.sock.destroy()
            elif self.sock.connecting:
                self.sock.destroy()

    def parked(self) -> None:
        """The connection is free in the pool: its task waits parked from now on."""
        self.idle_since = trio.current_time()
        io = self.sock._io_scope
        if io is not None:
            # The wait in progress began while an exchange ran: begin it again, parked.
            self._repark = True
            io.cancel()

    # -- the task -----------------------------------------------------------------

    async def run(self) -> None:
        """Open the connection, then keep it: read, parse, release, until it closes."""
        try:
            if await self._open():
                await self._keep()
        finally:
            await self._closed()

    async def _open(self) -> bool:
        sock = self.sock
        options = self.options
        timeout = options.get("connect_timeout")
        host, port = options["host"], options["port"]
        try:
            with trio.CancelScope() as cs:
                sock._io_scope = cs
                with trio.fail_after(timeout / 1000 if timeout else math.inf):
                    stream = await self.agent.connect(options)
        except trio.TooSlowError:
            self._fail(
                NodeSystemError(
                    "ETIMEDOUT", f"connect ETIMEDOUT {host}:{port}", errno=-_errno.ETIMEDOUT, syscall="connect"
                )
            )
            return False
        except NodeError as exc:  # the agent's own (TLS) errors carry their codes
            self._fail(exc)
            return False
        except OSError as exc:
            self._fail(_system_error(exc, "connect", host, port))
            return False
        finally:
            sock._io_scope = None
        if cs.cancelled_caught or sock.destroyed:
            if not cs.cancelled_caught:
                await trio.aclose_forcefully(stream)
            return False
        sock._attach(stream)
        sock.set_no_delay(True)
        if self.agent.keep_alive:
            sock.set_keep_alive(True, self.agent.keep_alive_msecs)
        if self.agent.timeout:
            sock.set_timeout(self.agent.timeout)
        if sock._events.get("connect"):
            sock.emit("connect")
        sock._kick()  # what the request wrote while connecting
        self.state.handle(Event.CONNECTED)
        return True

    async def _keep(self) -> None:
        sock = self.sock
        state = self.state
        scope = self.scope
        while not sock.destroyed and not sock._ending and state.phase is not Phase.UPGRADED:
            if self.res_paused:
                # Waiting for the consumer: parked, so an abandoned response does not
                # keep its scope open.
                self.wake = trio.Event()
                with scope.parking() as cs:
                    sock._io_scope = cs
                    await self.wake.wait()
                sock._io_scope = None
                if cs.cancelled_caught and not sock.destroyed and not sock._ending:
                    sock.destroy()
                continue
            deadline = math.inf
            req = self.req
            holding = req is not None and req._held is not None and state.phase is Phase.AWAITING
            if holding:
                assert req is not None
                deadline = trio.current_time() + req._continue_timeout / 1000
            elif state.phase is Phase.IDLE and self.agent.timeout:
                deadline = self.idle_since + self.agent.timeout / 1000
            idle = state.phase is Phase.IDLE
            # A free connection in the pool is parked: when the scope that opened it
            # ends, the wait is given up and the connection closes.
            with scope.parking() if idle else trio.CancelScope() as cs:
                cs.deadline = deadline
                sock._io_scope = cs
                data = await sock.receive()
            sock._io_scope = None
            if cs.cancelled_caught:
                if sock.destroyed or sock._ending:
                    break
                if self._repark:
                    self._repark = False  # released meanwhile: wait again, parked
                    continue
                if idle:
                    # Idle too long, or the scope that owns the connection ended.
                    sock.destroy()
                    continue
                if holding and req is not None:
                    req._release_held()  # no 100 in time: the body goes anyway
                continue
            # What was queued before these bytes came happens first (as in Node, where
            # they arrive in a later turn of the loop).
            scope.run_ticks()
            if not data:
                self._on_end()
                break
            with scope.holding():
                self._on_data(data)

    async def _closed(self) -> None:
        """The connection is over: close the stream, leave the pool, tell the request."""
        sock = self.sock
        if self.state.phase is Phase.UPGRADED:
            self.agent.remove(self)
            return
        with trio.CancelScope(shield=True):
            await sock.aclose_stream(graceful=sock._ending)
        if self.state.phase is not Phase.CLOSED:
            self.state.handle(Event.CLOSED)
        self.agent.remove(self)

    # -- reading ------------------------------------------------------------------

    def _on_data(self, data: bytes) -> None:
        state = self.state
        if state.phase not in (Phase.AWAITING, Phase.RECEIVING):
            # Bytes nobody asked for (on a free connection, or after a whole response):
            # the connection cannot be trusted with another request.
            self.sock.destroy()
            return
        self.got_bytes = True
        self.replay = self.sock._record = None
        req = self.req
        assert req is not None
        parser = self.parser
        if parser is None:
            parser = self.parser = ResponseParser(
                max_header_size=req.max_header_size, lenient=req.insecure_http_parser
            )
        if state.phase is Phase.AWAITING and self.res is None and not self.informational:
            parser.expect(req.method)
        self._process(parser.feed(data), data)

    def _process(self, events: list[Any], data: bytes) -> None:
        for ev in events:
            kind = type(ev)
            if kind is bytes:
                # One push per piece llhttp reports, as Node's parserOnBody does.
                self._on_body(ev)
            elif kind is ResponseHead:
                self._on_head(ev)
            elif kind is MessageEnd:
                self._on_message_end(ev)
            elif kind is ParseError:
                # Node reports a parse error from its data handler, at once.
                self._fail(parse_error(ev), now=True)
                return
            elif kind is Upgrade:
                self._on_upgrade(ev)
                return
            if self.sock.destroyed:
                return

    def _on_head(self, head: ResponseHead) -> None:
        """Node's parserOnIncomingClient."""
        req = self.req
        assert req is not None
        sock = self.sock
        res = IncomingMessage(
            sock,
            scope=req._scope,
            max_header_pairs=req.max_headers_count if req.max_headers_count is not None else 2000,
        )
        major, minor = head.http_version
        res.http_version_major = major
        res.http_version_minor = minor
        res.http_version = head.version
        res.status_code = head.status_code
        res.status_message = head.status_message
        res.raw_headers = head.raw_headers
        res.join_duplicate_headers = req.join_duplicate_headers
        res.upgrade = head.upgrade
        if req.res is not None:
            # A second response to one request: the server is broken.
            sock.destroy()
            return
        if head.upgrade:
            req.res = res
            self.upgrade_res = res
            return
        code = head.status_code
        if 100 <= code < 200:
            self.informational = True
            self.state.handle(Event.INFORMATION)
            if code == 100:
                req._release_held()
                req.emit("continue")
            req.emit("information", Information(res))
            return
        has_body = head.body != "none"
        self.state.handle(Event.HEAD_WITH_BODY if has_body else Event.HEAD_COMPLETE)
        if req._held is not None:
            req._drop_held()
        if req.should_keep_alive and not head.keep_alive:
            # The server must answer keep-alive for the connection to be kept.
            req.should_keep_alive = False
        self.res = res
        req.res = res
        res.req = req
        res._on_read = self._resume
        res.on("end", self._response_on_end)
        sock.on("timeout", self._timeout_listener)
        if req.aborted or not req.emit("response", res):
            # Nobody listens: the body is read and dropped so the connection can go on.
            res._dump()

    def _on_body(self, chunk: bytes) -> None:
        res = self.res
        if res is None or res._dumped:
            return
        if not res.push(chunk):
            self.res_paused = True

    def _resume(self) -> None:
        if self.res_paused:
            self.res_paused = False
            self.wake.set()

    def _on_message_end(self, end: MessageEnd) -> None:
        if self.informational:
            self.informational = False
            return
        res = self.res
        if res is None:
            return
        if self.state.phase is Phase.RECEIVING:
            self.state.handle(Event.BODY_COMPLETE)
        # The connection is read again: its end (and the next response) must be seen.
        self.res_paused = False
        res.complete = True
        if end.raw_trailers:
            res._add_trailers(end.raw_trailers)
        res.push(None)

    def _on_end(self) -> None:
        """The server ended the connection (FIN) or reset it (Node's socketOnEnd)."""
        sock = self.sock
        req = self.req
        phase = self.state.phase
        if phase is Phase.RECEIVING and not sock.peer_reset and self.parser is not None:
            # A body that runs to the end of the connection completes now; a message
            # cut short is not an error here (Node ignores finish()'s verdict): the
            # close aborts the response.
            self._process([ev for ev in self.parser.feed_eof() if not isinstance(ev, ParseError)], b"")
        if req is not None and phase is Phase.AWAITING and self.res is None:
            if self._may_retry(req):
                return
            err = sock._error if sock.peer_reset and sock._error is not None else econnreset("socket hang up")
            self._fail(err)
            return
        if sock.peer_reset and req is not None and self.state.phase is not Phase.COMPLETE:
            self._fail(sock._error or econnreset("read ECONNRESET"))
            return
        # Node destroys the socket at the peer's end; its 'close' follows the deferred calls.
        sock.destroy()

    def _may_retry(self, req: ExchangeRequest) -> bool:
        """A reused connection closed before any answer: resend an idempotent request once."""
        replay = self.sock._record
        if not replay or self.got_bytes or req._closed or req.destroyed:
            return False
        self.replay = None
        self.retired = True
        sock = self.sock
        try:
            sock._close_hooks.remove(self._socket_close_listener)
        except ValueError:
            pass
        sock._http_message = None
        self.req = None
        self.state.handle(Event.FAILED)
        sock.destroy()
        self.agent.retry(self, req, bytes(replay))
        return True

    def _fail(self, err: BaseException, *, now: bool = False) -> None:
        """The connection failed: the request hears it once, then the connection closes.

        ``now``: in the step that found it (a parse error); else on a later tick,
        as a socket's ``'error'`` comes.
        """
        req = self.req
        if not self.had_error:
            self.had_error = True
            if req is not None and not req._closed:
                req._error = err
                if now:
                    self._emit_error(req, err)
                else:
                    self.scope.next_tick(self._emit_error, req, err)
        if self.state.phase is not Phase.CLOSED:
            self.state.handle(Event.FAILED)
        if not self.sock.destroyed:
            self.sock.destroy(err)
        else:
            self.sock._had_error = True

    def _emit_error(self, req: ExchangeRequest, err: BaseException) -> None:
        if not req._closed:
            req.emit("error", err)

    # -- exchange end (Node's responseOnEnd / requestOnFinish / emitFreeNT) -------------

    def _response_on_end(self) -> None:
        req = self.req
        sock = self.sock
        if req is None:
            return
        sock.remove_listener("timeout", self._timeout_listener)
        req._ended = True
        if not req.should_keep_alive:
            if sock.writable:
                # The task closes it once it runs again: after what is queued now.
                sock.destroy_soon()
        elif req.writable_finished and self.res is not None and not self.res.aborted:
            self._response_keep_alive()

    def _request_on_finish(self) -> None:
        req = self.req
        if req is None:
            return
        self.state.handle(Event.REQUEST_FINISHED)
        if req.should_keep_alive and req._ended:
            self._response_keep_alive()

    def _on_drain(self) -> None:
        """Node's ondrain: the connection took what the request wrote; it may write more."""
        req = self.req
        if req is not None and self.sock._http_message is req and not req.finished and req._need_drain:
            req._need_drain = False
            req.emit("drain")

    def _response_on_timeout(self) -> None:
        res = self.res
        if res is not None and self.req is not None and self.sock._http_message is self.req:
            res.emit("timeout")

    def _response_keep_alive(self) -> None:
        """The exchange is over and the connection may carry another: release it."""
        req = self.req
        sock = self.sock
        assert req is not None
        try:
            sock._close_hooks.remove(self._socket_close_listener)
        except ValueError:
            pass
        sock.remove_listener("timeout", self._timeout_listener)
        sock.remove_listener("drain", self._drain_listener)
        cb = getattr(req, "_timeout_cb", None)
        if cb is not None:
            sock.remove_listener("timeout", cb)
            sock.set_timeout(self.agent.timeout or 0)
        req.destroyed = True
        if self.res is not None:
            self.res.socket = None
        self.scope.next_tick(self._emit_free, req)

    def _emit_free(self, req: ExchangeRequest) -> None:
        req._closed = True
        req.emit("close")
        sock = self.sock
        if sock._http_message is req:
            sock._http_message = None
        self.req = None
        self.res = None
        self.replay = sock._record = None
        if sock.destroyed:
            return
        self.state.handle(Event.RELEASED)
        self.idle_since = trio.current_time()
        self.agent.release(self)

    def _socket_close_listener(self, _had_error: bool) -> None:
        """Node's socketCloseListener: the connection closed during an exchange."""
        req = self.req
        if req is None:
            return
        req.destroyed = True
        res = self.res
        if res is not None:
            if not res.complete:
                res.destroy(econnreset("aborted"))
            req._closed = True
            req.emit("close")
            if not res.aborted and res.readable:
                res.push(None)
        else:
            if not self.had_error:
                self.had_error = True
                err = econnreset("socket hang up")
                req._error = err
                req.emit("error", err)
            req._closed = True
            req.emit("close")
        req._output.clear()

    # -- upgrades -------------------------------------------------------------------------

    def _on_upgrade(self, event: Upgrade) -> None:
        """The server switched protocols (101, or 2xx to CONNECT): hand the connection over."""
        from .._trio_adapters import duplex_from_trio

        req = self.req
        res = self.upgrade_res
        sock = self.sock
        assert req is not None
        if res is None:
            sock.destroy()
            return
        name = "connect" if req.method == "CONNECT" else "upgrade"
        if not req.listener_count(name):
            sock.destroy()
            return
        req.upgrade_or_connect = True
        self.state.handle(Event.UPGRADED)
        try:
            sock._close_hooks.remove(self._socket_close_listener)
        except ValueError:
            pass
        sock._http_message = None
        stream = sock.stream
        assert stream is not None
        duplex = duplex_from_trio(stream, scope=self.scope)
        req.emit(name, res, duplex, event.rest)
        req.destroyed = True
        req._closed = True
        req.emit("close")
