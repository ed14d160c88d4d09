"""https.Server: the http server over TLS (node: lib/https.js, lib/_tls_wrap.js).

Each accepted connection is wrapped in a ``trio.SSLStream`` and its handshake
runs in the connection's own task, under ``handshake_timeout``: a slow or
failing client costs only its own connection. A failed handshake is the
peer's fault: ``'tlsClientError'``, a close, a DEBUG log line. Once the
handshake is done (``'secureConnection'``), the connection is served by the
http server's code, unchanged.
"""

from __future__ import annotations

import logging
import math
import ssl
from collections.abc import Mapping
from typing import Any, ClassVar

import trio

from .._errors import NodeError, NodeTypeError, err_invalid_arg_type
from ..http._server import Handler, _Connection, _ms_option
from ..http._server import Server as HttpServer
from ._tls import TLSSocket, record_servernames, server_context, tls_error

__all__ = ["Server", "create_server"]

log = logging.getLogger("trio_nodestreams.https")


def err_handshake_timeout() -> NodeError:
    """Node's ``ERR_TLS_HANDSHAKE_TIMEOUT``."""
    return NodeError("ERR_TLS_HANDSHAKE_TIMEOUT", "TLS handshake timeout")


class Server(HttpServer):
    """An HTTPS server (Node's ``https.Server``): :class:`~trio_nodestreams.http.Server` over TLS.

    Args:
      handler: as for the http server.
      ssl_context: a server ``ssl.SSLContext`` to use as it is (the Python way);
        or build one from Node's options instead:
      key, cert: PEM contents (str or bytes) of the key and certificate chain.
      ca: PEM of the CAs that client certificates must chain to.
      passphrase: of an encrypted key.
      request_cert: ask clients for a certificate.
      reject_unauthorized: with ``request_cert``, refuse a client without a
        valid certificate (default True). Without it a client may send none;
        an invalid one still fails the handshake (Python's ``ssl`` cannot accept it).
      alpn_protocols: offered by ALPN (default ``['http/1.1']``).
      sni_callback: ``fn(servername) -> ssl.SSLContext | None``, called during
        the handshake to pick a context per server name.
      handshake_timeout: ms a client has to finish the handshake (Node's 120 000);
        0 disables.
      min_version, max_version: ``'TLSv1.2'``, ``'TLSv1.3'``...
      ciphers: an OpenSSL cipher list.
      **options: the http server's options.

    Events, beyond the http server's: ``'secureConnection'`` ``(socket)`` after
    each handshake, before any ``'request'`` on it; ``'tlsClientError'``
    ``(err, socket)`` when a handshake fails (the connection is closed).

    Raises:
      NodeError: a bad or missing certificate or key, a bad TLS option.
    """

    _event_arity: ClassVar[dict[str, int]] = {
        **HttpServer._event_arity,
        "secureConnection": 1,
        "tlsClientError": 2,
    }

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        handshake_timeout: float = 120_000,
        key: Any = None,
        cert: Any = None,
        ca: Any = None,
        passphrase: str | bytes | None = None,
        request_cert: bool = False,
        reject_unauthorized: bool = True,
        alpn_protocols: list[str] | None = None,
        sni_callback: Any = None,
        min_version: str | None = None,
        max_version: str | None = None,
        ciphers: str | None = None,
        **options: Any,
    ) -> None:
        tls_options = {
            "key": key, "cert": cert, "ca": ca, "passphrase": passphrase, "alpn_protocols": alpn_protocols,
            "sni_callback": sni_callback, "min_version": min_version, "max_version": max_version,
            "ciphers": ciphers,
        }  # fmt: skip
        given = {name: value for name, value in tls_options.items() if value is not None}
        if request_cert:
            given["request_cert"] = True
            given["reject_unauthorized"] = reject_unauthorized
        if ssl_context is not None:
            if not isinstance(ssl_context, ssl.SSLContext):
                raise err_invalid_arg_type("options.ssl_context", "an instance of ssl.SSLContext", ssl_context)
            if given:
                raise NodeTypeError(
                    "ERR_INVALID_ARG_VALUE",
                    f"ssl_context is given: {', '.join(sorted(given))} must be set on it instead",
                )
            # The context stays the user's; it only learns to tell us the server name.
            record_servernames(ssl_context)
            self.ssl_context = ssl_context
        else:
            self.ssl_context = server_context(given)
        self.handshake_timeout = _ms_option(handshake_timeout, "handshakeTimeout")
        super().__init__(handler, **options)


class _TlsConnection(_Connection):
    """A connection of an https server: the handshake first, then HTTP."""

    socket_class = TLSSocket

    def __init__(self, server: HttpServer, stream: trio.abc.Stream) -> None:
        if not isinstance(stream, trio.SSLStream):
            assert isinstance(server, Server)
            # https_compatible: a client that closes without close_notify has
            # ended (as browsers do); a body it cut short is still caught by HTTP framing.
            stream = trio.SSLStream(stream, server.ssl_context, server_side=True, https_compatible=True)
        super().__init__(server, stream)

    async def _serve(self) -> None:
        if await self._handshake():
            # The http timers start once TLS is up, as Node's run from 'secureConnection'.
            self.idle_since = self.now()
            await super()._serve()

    async def _handshake(self) -> bool:
        """Run the TLS handshake under ``handshake_timeout``; True when it succeeded."""
        server = self.server
        assert isinstance(server, Server)
        sock = self.sock
        stream = self.stream
        assert isinstance(stream, trio.SSLStream) and isinstance(sock, TLSSocket)
        timeout = server.handshake_timeout
        err: NodeError | None = None
        with trio.CancelScope(deadline=trio.current_time() + timeout / 1000 if timeout else math.inf) as cs:
            sock._io_scope = cs
            try:
                await stream.do_handshake()
            except trio.BrokenResourceError as exc:
                err = tls_error(exc)
                await _send_alert(stream)
            except trio.ClosedResourceError:
                return False
        sock._io_scope = None
        if sock.destroyed:
            return False  # destroyed meanwhile (the server closed its connections)
        if cs.cancelled_caught:
            err = err_handshake_timeout()
        if err is not None:
            # The client's fault: nothing above DEBUG, and the server serves on.
            log.debug("TLS handshake with %s failed: %r", self._peer(), err)
            sock.destroy()
            if server._events.get("tlsClientError"):
                server.emit("tlsClientError", err, sock)
            return False
        sock._secured()
        if server._events.get("secureConnection"):
            server.emit("secureConnection", sock)
        return True


Server._connection_class = _TlsConnection


async def _send_alert(stream: trio.SSLStream[Any]) -> None:
    """Send the alert OpenSSL wrote on a failed handshake (trio leaves it unsent).

    The client then learns why (``certificate required``...) instead of seeing a reset.
    """
    outgoing = getattr(stream, "_outgoing", None)
    data = outgoing.read() if isinstance(outgoing, ssl.MemoryBIO) else b""
    if data:
        with trio.move_on_after(1):
            try:
                await stream.transport_stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                pass  # the client is gone: nobody to tell


def create_server(
    options_or_handler: Mapping[str, Any] | Handler | None = None,
    handler: Handler | None = None,
    **options: Any,
) -> Server:
    """Make an https :class:`Server` (Node's ``https.createServer([options][, handler])``).

    Options come as keywords (or as a mapping first, as in Node): the TLS ones
    of :class:`Server` and the http server's. ``await server.listen()`` serves.

    Raises:
      NodeError: a bad or missing certificate or key, a bad TLS option.
    """
    if isinstance(options_or_handler, Mapping):
        options = {**options_or_handler, **options}
    elif options_or_handler is not None:
        if handler is not None:
            raise err_invalid_arg_type("options", "of type object", options_or_handler)
        handler = options_or_handler
    return Server(handler, **options)

