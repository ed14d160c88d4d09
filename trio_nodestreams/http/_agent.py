"""http.Agent: the client's connection pool (node: lib/_http_agent.js).

A connection is a :class:`ClientSocket` plus a *keeper* task that connects it,
runs one request/response exchange at a time, and waits (parked) while the
socket is free in the pool.
"""

from __future__ import annotations

import errno as _errno
import math
import socket as _stdsocket
from typing import TYPE_CHECKING, Any, Literal

import trio

from .._errors import NodeSystemError, NodeTypeError
from .._events import EventEmitter
from .._scope import Scope
from ._socket import Socket

if TYPE_CHECKING:
    from ._client import ClientRequest

__all__ = ["Agent", "ClientSocket", "global_agent"]


def _system_error(exc: OSError, syscall: str, host: str, port: int) -> NodeSystemError:
    """Map an ``OSError`` from connect to Node's error (``ECONNREFUSED`` ...)."""
    code = _errno.errorcode.get(exc.errno or 0, "ECONNRESET")
    if isinstance(exc, socket_gaierror_types()):
        return NodeSystemError("ENOTFOUND", f"getaddrinfo ENOTFOUND {host}", syscall="getaddrinfo")
    return NodeSystemError(
        code, f"{syscall} {code} {host}:{port}", errno=-(exc.errno or 0), syscall=syscall
    )


def socket_gaierror_types() -> tuple[type[BaseException], ...]:
    return (_stdsocket.gaierror,)


class ClientSocket(Socket):
    """The client side of one TCP connection (Node's ``net.Socket`` for http requests).

    It exists before it is connected (``connecting`` is True until then), as in Node,
    where ``'socket'`` fires before the connection is up.
    """

    def __init__(self, scope: Scope) -> None:
        super().__init__(None, scope)
        self._io_scope: trio.CancelScope | None = None
        self._replay: bytearray | None = None

    def write(self, data: bytes, callback: Any = None) -> bool:
        """Send ``data`` (recorded while the request may still be replayed)."""
        if self._replay is not None:
            if len(self._replay) + len(data) > REPLAY_LIMIT:
                self._replay = None
            else:
                self._replay += data
        return super().write(data, callback)

    def destroy(self, err: BaseException | None = None) -> ClientSocket:
        """Close the connection at once (also interrupts a running exchange)."""
        if self.destroyed:
            return self
        if self._io_scope is not None:
            self._io_scope.cancel()
        super().destroy(err)
        return self

    def set_timeout(self, msecs: float, callback: Any = None) -> ClientSocket:
        if self.connecting and msecs:
            # The timer starts with the connection; remember the setting.
            self.timeout = msecs / 1000
            if callback is not None:
                self.once("timeout", callback)
            return self
        super().set_timeout(msecs, callback)
        return self

    def alive(self) -> bool:
        """Whether a pooled socket is still usable: not closed by the server, nothing unread."""
        if self.destroyed or self._stream is None:
            return False
        raw = getattr(self._stream.socket, "_sock", None)
        try:
            if raw is None:
                with _stdsocket.fromfd(self._fd, _stdsocket.AF_INET, _stdsocket.SOCK_STREAM) as dup:
                    dup.recv(1, _stdsocket.MSG_PEEK | _stdsocket.MSG_DONTWAIT)
            else:
                raw.recv(1, _stdsocket.MSG_PEEK | _stdsocket.MSG_DONTWAIT)
        except BlockingIOError:
            return True
        except OSError:
            return False
        return False  # EOF (b"") or unexpected bytes: either way, not reusable


#: Request bytes kept for a retry on a reused connection; a longer request is not retried.
REPLAY_LIMIT = 1024 * 1024
#: Methods that are retried once when a reused connection fails before any response byte.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class _Conn:
    """One pooled connection and its keeper task."""

    def __init__(self, agent: Agent, key: str, scope: Scope, options: dict[str, Any]) -> None:
        self.agent = agent
        self.key = key
        self.scope = scope
        self.options = options
        self.sock = ClientSocket(scope)
        self.req: ClientRequest | None = None
        self.wake = trio.Event()
        self.served = 0
        self.stream: trio.SocketStream | None = None
        self.close_error: BaseException | None = None
        self.retired = False  # quietly dropped (a retry took its request)

    def assign(self, req: ClientRequest) -> None:
        self.req = req
        self.wake.set()

    async def _connect(self) -> trio.SocketStream:
        host = self.options["host"]
        port = self.options["port"]
        local = self.options.get("local_address")
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
        assert last is not None
        raise last

    async def run(self) -> None:
        """The keeper: connect, then serve the assigned requests until the socket closes."""
        sock = self.sock
        host, port = self.options["host"], self.options["port"]
        try:
            timeout = self.options.get("connect_timeout")
            try:
                with trio.fail_after(timeout / 1000 if timeout else math.inf):
                    cs = trio.CancelScope()
                    sock._io_scope = cs
                    with cs:
                        self.stream = await self._connect()
                    sock._io_scope = None
            except trio.TooSlowError:
                self.close_error = NodeSystemError(
                    "ETIMEDOUT", f"connect ETIMEDOUT {host}:{port}", errno=-_errno.ETIMEDOUT, syscall="connect"
                )
                return
            except OSError as exc:
                self.close_error = _system_error(exc, "connect", host, port)
                return
            if self.stream is None or sock.destroyed:
                return
            sock._attach(self.stream)
            sock.set_no_delay(True)
            if self.agent.keep_alive:
                sock.set_keep_alive(True, self.agent.keep_alive_msecs)
            self.scope.nursery.start_soon(sock.writer)
            if sock.timeout is not None:
                sock.set_timeout(sock.timeout * 1000)
            while not sock.destroyed:
                req = self.req
                if req is None:
                    self.wake = trio.Event()
                    idle = self.agent.timeout
                    with trio.move_on_after(idle / 1000 if idle else math.inf) as idle_cs:
                        kept = await self.scope.park(self.wake)
                    if idle_cs.cancelled_caught:
                        sock.emit("timeout")
                        break
                    if not kept:
                        break  # the owning scope ended: a pooled socket dies with it
                    continue
                reusable = await req._exchange(self)
                self.served += 1
                if not reusable:
                    break
        finally:
            self._close()

    def _close(self) -> None:
        sock = self.sock
        err = self.close_error or sock._write_error
        if not sock.destroyed:
            sock.destroy()
        sock._writer_wake.set()
        sock._timer_wake.set()
        self.agent._remove(self)
        if self.stream is not None:
            # Closing a socket needs no wait; do it now so the peer sees EOF at once.
            self.stream.socket.close()
        req = self.req
        if self.retired:
            return
        scope = req._scope if req is not None else self.scope

        def closed() -> None:
            if err is not None and "error" in sock._events:
                sock.emit("error", err)
            if req is not None and req.socket is sock:
                req._on_socket_close(err)
            sock.emit("close", err is not None)

        try:
            scope.next_tick(closed)
        except Exception:  # the scope is gone: nobody is left to tell
            pass


class Agent(EventEmitter):
    """A pool of client connections per origin (Node's ``http.Agent``).

    A pooled connection is owned by the scope that opened it: its keeper task
    runs in that scope's nursery, and when that scope ends the pooled socket
    is closed and dropped from the pool. Requests made in other scopes may
    reuse it meanwhile.

    Args:
      keep_alive: keep free sockets for later requests (sends ``Connection: keep-alive``).
      keep_alive_msecs: TCP keep-alive initial delay for pooled sockets.
      max_sockets: connections per origin; further requests queue.
      max_total_sockets: connections over all origins.
      max_free_sockets: free sockets kept per origin.
      timeout: ms a free socket may stay idle before it is closed.
      scheduling: ``'lifo'`` (reuse the most recently used free socket) or ``'fifo'``.

    Events: ``'free'`` ``(socket, options)`` when a socket is released.
    """

    def __init__(
        self,
        *,
        keep_alive: bool = False,
        keep_alive_msecs: float = 1000,
        max_sockets: float = math.inf,
        max_total_sockets: float = math.inf,
        max_free_sockets: int = 256,
        timeout: float | None = None,
        scheduling: Literal["lifo", "fifo"] = "lifo",
    ) -> None:
        super().__init__()
        if scheduling not in ("lifo", "fifo"):
            raise NodeTypeError(
                "ERR_INVALID_ARG_VALUE", f"The argument 'scheduling' must be one of: 'fifo', 'lifo'. Received {scheduling!r}"
            )
        self.keep_alive = keep_alive
        self.keep_alive_msecs = keep_alive_msecs
        self.max_sockets = max_sockets
        self.max_total_sockets = max_total_sockets
        self.max_free_sockets = max_free_sockets
        self.timeout = timeout
        self.scheduling = scheduling
        self.default_port = 80
        self.protocol = "http:"
        #: origin name -> sockets in use.
        self.sockets: dict[str, list[ClientSocket]] = {}
        #: origin name -> free sockets.
        self.free_sockets: dict[str, list[ClientSocket]] = {}
        #: origin name -> requests waiting for a socket.
        self.requests: dict[str, list[ClientRequest]] = {}
        self._conns: dict[ClientSocket, _Conn] = {}
        self._total = 0
        self.on("free", self._on_free)

    @staticmethod
    def get_name(options: dict[str, Any]) -> str:
        """The pool key of an origin: ``host:port:local_address``."""
        return f"{options.get('host') or 'localhost'}:{options.get('port') or ''}:{options.get('local_address') or ''}"

    # -- requests ---------------------------------------------------------------

    def add_request(self, req: ClientRequest, options: dict[str, Any]) -> None:
        """Give ``req`` a socket: a free one, a new one, or a place in the queue."""
        key = self.get_name(options)
        free = self.free_sockets.get(key)
        while free:
            sock = free.pop() if self.scheduling == "lifo" else free.pop(0)
            if not free:
                del self.free_sockets[key]
            conn = self._conns.get(sock)
            if conn is None or not sock.alive():
                if conn is not None:
                    sock.destroy()
                continue
            self.sockets.setdefault(key, []).append(sock)
            req.reused_socket = True
            conn.assign(req)
            req._on_socket(sock)
            return
        in_use = len(self.sockets.get(key, ()))
        if in_use < self.max_sockets and self._total < self.max_total_sockets:
            self._create(req, key, options)
        else:
            self.requests.setdefault(key, []).append(req)

    def _create(self, req: ClientRequest, key: str, options: dict[str, Any], *, quiet: bool = False) -> _Conn:
        scope = req._scope
        conn = _Conn(self, key, scope, options)
        self._conns[conn.sock] = conn
        self.sockets.setdefault(key, []).append(conn.sock)
        self._total += 1
        conn.assign(req)
        scope.start_soon(conn.run)
        if not quiet:
            req._on_socket(conn.sock)
        return conn

    def _retry(self, old: _Conn, req: ClientRequest, replay: bytes) -> None:
        """Move ``req`` to a fresh connection after its reused one failed; resend ``replay``."""
        old.retired = True
        conn = self._create(req, old.key, old.options, quiet=True)
        req.socket = conn.sock
        req._retry_data = replay

    def remove_request(self, req: ClientRequest) -> None:
        """Take a queued request out of the queue (it was destroyed)."""
        for key, queue in list(self.requests.items()):
            if req in queue:
                queue.remove(req)
                if not queue:
                    del self.requests[key]

    def _release(self, conn: _Conn) -> None:
        """A request is done with ``conn`` and the socket may be reused: emit ``'free'``."""
        conn.req = None
        self.emit("free", conn.sock, conn.options)

    def _on_free(self, sock: ClientSocket, options: dict[str, Any]) -> None:
        conn = self._conns.get(sock)
        if conn is None or sock.destroyed:
            return
        key = conn.key
        queue = self.requests.get(key)
        if queue:
            req = queue.pop(0)
            if not queue:
                del self.requests[key]
            conn.assign(req)
            req._on_socket(sock)
            return
        in_use = self.sockets.get(key)
        if in_use and sock in in_use:
            in_use.remove(sock)
            if not in_use:
                del self.sockets[key]
        free = self.free_sockets.setdefault(key, [])
        if not self.keep_alive or len(free) >= self.max_free_sockets:
            if not free:
                del self.free_sockets[key]
            sock.destroy()
            return
        free.append(sock)
        conn.wake.set()  # the keeper parks again with no request

    def _remove(self, conn: _Conn) -> None:
        """Forget a closed connection; a queued request for its origin gets a new one."""
        if self._conns.pop(conn.sock, None) is None:
            return
        self._total -= 1
        for table in (self.sockets, self.free_sockets):
            lst = table.get(conn.key)
            if lst and conn.sock in lst:
                lst.remove(conn.sock)
                if not lst:
                    del table[conn.key]
        queue = self.requests.get(conn.key)
        while queue:
            req = queue.pop(0)
            if not queue:
                del self.requests[conn.key]
            if req.destroyed:
                continue
            try:
                self._create(req, conn.key, conn.options)
            except Exception:
                continue
            break

    def destroy(self) -> None:
        """Close every socket of the pool, free or busy."""
        for conn in list(self._conns.values()):
            conn.sock.destroy()

    def __repr__(self) -> str:
        return f"<Agent keep_alive={self.keep_alive} sockets={self._total}>"


#: Node's ``http.globalAgent``: keep-alive on, as in Node 20.
global_agent = Agent(keep_alive=True, keep_alive_msecs=1000, timeout=5000)
