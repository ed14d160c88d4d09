"""http.Agent: the client's connection pool (node: lib/_http_agent.js).

An agent keeps, per origin (its *name*), the connections in use, the free ones
and the requests waiting for one. Each connection is a
``ClientConnection`` whose task runs in the scope of
the request that opened it; when that scope ends, the connection closes and
leaves the pool. Requests made in other scopes may reuse it meanwhile.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Literal

import trio

from .._errors import NodeTypeError
from .._events import EventEmitter
from ._client_connection import ClientConnection, PooledRequest, open_tcp
from ._socket import Socket

__all__ = ["Agent", "global_agent"]

#: Makes the stream of a new connection: ``await create_connection(options)``.
CreateConnection = Callable[[dict[str, Any]], Awaitable[trio.abc.Stream]]


class Agent(EventEmitter):
    """A pool of client connections per origin (Node's ``http.Agent``).

    Args:
      keep_alive: keep free connections for later requests (``Connection: keep-alive``).
      keep_alive_msecs: TCP keep-alive initial delay of pooled connections.
      max_sockets: connections per origin; further requests wait.
      max_total_sockets: connections over all origins.
      max_free_sockets: free connections kept per origin.
      timeout: ms a connection may stay idle; a free one is then closed.
      scheduling: ``'lifo'`` (reuse the most recently used free connection) or ``'fifo'``.
      create_connection: an async ``fn(options) -> trio.abc.Stream`` opening
        connections (Node's ``createConnection``); TCP by default.

    Events: ``'free'`` ``(socket, options)`` when a connection is released.
    """

    _event_arity: ClassVar[dict[str, int]] = {**EventEmitter._event_arity, "free": 2}

    #: The URL scheme this agent's requests use.
    protocol = "http:"
    #: The port of a URL that names none.
    default_port = 80
    #: What a connection of this agent is wrapped in (https: a TLS socket).
    socket_class: ClassVar[type[Socket]] = Socket
    #: Request options, beyond the address, that a new connection needs (https: TLS ones).
    connection_option_names: ClassVar[tuple[str, ...]] = ()

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
        create_connection: CreateConnection | None = None,
    ) -> None:
        super().__init__()
        if scheduling not in ("lifo", "fifo"):
            raise NodeTypeError(
                "ERR_INVALID_ARG_VALUE",
                f"The argument 'scheduling' must be one of: 'fifo', 'lifo'. Received {scheduling!r}",
            )
        self.keep_alive = keep_alive
        self.keep_alive_msecs = keep_alive_msecs
        self.max_sockets = max_sockets
        self.max_total_sockets = max_total_sockets
        self.max_free_sockets = max_free_sockets
        self.timeout = timeout
        self.scheduling = scheduling
        self._create_connection = create_connection
        #: origin name -> connections in use.
        self.sockets: dict[str, list[Socket]] = {}
        #: origin name -> free connections.
        self.free_sockets: dict[str, list[Socket]] = {}
        #: origin name -> requests waiting for a connection.
        self.requests: dict[str, list[PooledRequest]] = {}
        self._queued_options: dict[str, dict[str, Any]] = {}
        self._conns: dict[Socket, ClientConnection] = {}
        self._total = 0
        self.on("free", self._on_free)

    def get_name(self, options: dict[str, Any]) -> str:
        """The pool key of an origin: ``host:port:local_address``."""
        return f"{options.get('host') or 'localhost'}:{options.get('port') or ''}:{options.get('local_address') or ''}"

    async def connect(self, options: dict[str, Any]) -> trio.abc.Stream:
        """Open the stream of a new connection (TCP, or ``create_connection``).

        Raises:
          OSError: the connection failed (mapped to Node's codes by the caller).
        """
        factory = options.get("create_connection") or self._create_connection
        if factory is not None:
            return await factory(options)
        return await open_tcp(options)

    # -- requests ---------------------------------------------------------------

    def add_request(self, req: PooledRequest, options: dict[str, Any]) -> None:
        """Give ``req`` a connection: a free one, a new one, or a place in the queue."""
        name = self.get_name(options)
        free = self.free_sockets.get(name)
        while free:
            sock = free.pop() if self.scheduling == "lifo" else free.pop(0)
            if not free:
                del self.free_sockets[name]
            conn = self._conns.get(sock)
            if conn is None or sock.destroyed:
                continue
            self.sockets.setdefault(name, []).append(sock)
            req.reused_socket = True
            conn.assign(req)
            return
        in_use = len(self.sockets.get(name, ()))
        if in_use < self.max_sockets and self._total < self.max_total_sockets:
            self._create(req, name, options)
        else:
            self.requests.setdefault(name, []).append(req)
            # The connection options of that origin, for whichever connection frees first.
            self._queued_options[name] = options

    def _create(self, req: PooledRequest, name: str, options: dict[str, Any]) -> ClientConnection:
        scope = req._scope
        conn = ClientConnection(self, name, scope, options)
        self._conns[conn.sock] = conn
        self.sockets.setdefault(name, []).append(conn.sock)
        self._total += 1
        conn.assign(req)
        scope.start_soon(conn.run)
        return conn

    def retry(self, old: ClientConnection, req: PooledRequest, replay: bytes) -> None:
        """Resend ``req`` on a new connection after its reused one failed before any answer."""
        conn = ClientConnection(self, old.name, req._scope, old.options)
        self._conns[conn.sock] = conn
        self.sockets.setdefault(old.name, []).append(conn.sock)
        self._total += 1
        conn.replay_into(req, replay)
        req._scope.start_soon(conn.run)

    def remove_request(self, req: PooledRequest) -> None:
        """Take a waiting request out of the queue (it was destroyed)."""
        for name, queue in list(self.requests.items()):
            if req in queue:
                queue.remove(req)
                if not queue:
                    del self.requests[name]
                    self._queued_options.pop(name, None)

    def release(self, conn: ClientConnection) -> None:
        """A request is done with ``conn`` and it may be reused: ``'free'``."""
        self.emit("free", conn.sock, conn.options)

    def _on_free(self, sock: Socket, options: dict[str, Any]) -> None:
        conn = self._conns.get(sock)
        if conn is None or sock.destroyed:
            return
        name = conn.name
        queue = self.requests.get(name)
        while queue:
            req = queue.pop(0)
            if not queue:
                del self.requests[name]
                self._queued_options.pop(name, None)
            if req.destroyed:
                queue = self.requests.get(name)
                continue
            # A waiting request takes the released connection; Node does not count
            # that as a reused socket (only a free one taken from the pool is).
            conn.assign(req)
            return
        in_use = self.sockets.get(name)
        if in_use and sock in in_use:
            in_use.remove(sock)
            if not in_use:
                del self.sockets[name]
        free = self.free_sockets.get(name, [])
        if not self.keep_alive or len(free) >= self.max_free_sockets:
            sock.destroy()
            return
        self.free_sockets[name] = free
        free.append(sock)
        conn.parked()

    def remove(self, conn: ClientConnection) -> None:
        """Forget a closed connection; a waiting request for its origin gets a new one."""
        if self._conns.pop(conn.sock, None) is None:
            return
        self._total -= 1
        for table in (self.sockets, self.free_sockets):
            lst = table.get(conn.name)
            if lst and conn.sock in lst:
                lst.remove(conn.sock)
                if not lst:
                    del table[conn.name]
        name = conn.name
        if not self.requests.get(name):
            # Nothing waits for this origin: the freed slot goes to the first origin
            # that waits (Node's removeSocket), unless that one has connections busy:
            # they will serve it.
            name = next(iter(self.requests), name)
            if self.sockets.get(name):
                return
        queue = self.requests.get(name)
        while queue:
            req = queue.pop(0)
            if not queue:
                del self.requests[name]
                self._queued_options.pop(name, None)
            if req.destroyed:
                queue = self.requests.get(name)
                continue
            try:
                self._create(req, name, self._queued_options.get(name, conn.options))
            except Exception:  # the request's scope is gone: it cannot be served
                continue
            break

    def destroy(self) -> None:
        """Close every connection of the pool, free or busy."""
        for conn in list(self._conns.values()):
            conn.sock.destroy()

    def __repr__(self) -> str:
        return f"<Agent keep_alive={self.keep_alive} sockets={self._total}>"


#: Node's ``http.globalAgent``: keep-alive on, 5 s idle timeout, as in Node 20.
global_agent = Agent(keep_alive=True, keep_alive_msecs=1000, timeout=5000)
