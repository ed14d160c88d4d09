"""https.Agent, https.request, https.get: the http client over TLS (node: lib/https.js).

The agent opens TCP as the http one does, then runs the TLS handshake before
the connection takes its first request; a certificate the client does not
trust, or a name it does not match, fails the request with Node's code.
Connections are pooled per origin and per TLS options: two requests with
different ``ca`` never share one.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Callable, Mapping
from typing import Any, Literal

import trio

from .._errors import NodeError, err_invalid_arg_type
from ..http._agent import Agent as HttpAgent
from ..http._agent import CreateConnection
from ..http._client_request import ClientRequest, _request
from ._tls import (
    CLIENT_TLS_OPTIONS,
    TLSSocket,
    client_context,
    option_digest,
    peer_certificate,
    tls_error,
)

__all__ = ["Agent", "get", "global_agent", "request"]

Callback = Callable[..., object]


class Agent(HttpAgent):
    """A pool of TLS client connections (Node's ``https.Agent``).

    Args:
      ca, cert, key, passphrase, reject_unauthorized, servername,
      check_server_identity, min_version, max_version, ciphers,
      alpn_protocols, ssl_context: TLS defaults for every request of this
        agent (a request's own options win). ``check_server_identity`` is
        ``fn(servername, cert) -> Exception | None`` with the certificate as
        ``TLSSocket.get_peer_certificate()`` shows it; it replaces the name
        check. ``ssl_context`` (an ``ssl.SSLContext``) is used as it is.
      max_cached_sessions: accepted for Node's signature (sessions are not resumed).
      **options: the http agent's options (``keep_alive``, ``max_sockets``...).
    """

    protocol = "https:"
    default_port = 443
    socket_class = TLSSocket
    connection_option_names = CLIENT_TLS_OPTIONS

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
        max_cached_sessions: int = 100,
        **tls: Any,
    ) -> None:
        unknown = set(tls) - set(CLIENT_TLS_OPTIONS)
        if unknown:
            raise TypeError(f"unexpected Agent options: {', '.join(sorted(unknown))}")
        super().__init__(
            keep_alive=keep_alive, keep_alive_msecs=keep_alive_msecs, max_sockets=max_sockets,
            max_total_sockets=max_total_sockets, max_free_sockets=max_free_sockets, timeout=timeout,
            scheduling=scheduling, create_connection=create_connection,
        )  # fmt: skip
        self.max_cached_sessions = max_cached_sessions
        #: TLS defaults for this agent's requests.
        self.options: dict[str, Any] = tls
        self._contexts: dict[str, ssl.SSLContext] = {}

    def _tls_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        merged = dict(self.options)
        for name in CLIENT_TLS_OPTIONS:
            if options.get(name) is not None:
                merged[name] = options[name]
        return merged

    def get_name(self, options: dict[str, Any]) -> str:
        """The pool key: the http one plus a digest of the TLS options."""
        return f"{super().get_name(options)}:{option_digest(self._tls_options(options), CLIENT_TLS_OPTIONS)}"

    def _context(self, tls: dict[str, Any]) -> ssl.SSLContext:
        given = tls.get("ssl_context")
        if given is not None:
            if not isinstance(given, ssl.SSLContext):
                raise err_invalid_arg_type("options.ssl_context", "an instance of ssl.SSLContext", given)
            return given
        key = option_digest(tls, [n for n in CLIENT_TLS_OPTIONS if n != "servername"])
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._contexts[key] = client_context(tls)
        return ctx

    async def connect(self, options: dict[str, Any]) -> trio.abc.Stream:
        """Open TCP (or ``create_connection``), then run the TLS handshake over it.

        Raises:
          NodeError: the handshake failed (``CERT_HAS_EXPIRED``,
            ``ERR_TLS_CERT_ALTNAME_INVALID``, ``ERR_SSL_*``, ``ECONNRESET``...).
          OSError: the TCP connection failed.

        Cancellation:
          The connection is closed; nothing is left open.
        """
        tls = self._tls_options(options)
        ctx = self._context(tls)
        transport = await super().connect(options)
        host = options["host"]
        servername = tls.get("servername") or host
        stream = trio.SSLStream(
            transport,
            ctx,
            server_hostname=servername if ctx.check_hostname or servername else None,
            https_compatible=True,
        )
        try:
            await stream.do_handshake()
            checker = tls.get("check_server_identity")
            if checker is not None and ctx.verify_mode != ssl.CERT_NONE:
                problem = checker(servername, peer_certificate(stream))
                if problem is not None:
                    if not isinstance(problem, NodeError):
                        wrapped = NodeError(getattr(problem, "code", "ERR_TLS_CERT_ALTNAME_INVALID"), str(problem))
                        wrapped.__cause__ = problem
                        problem = wrapped
                    raise problem
        except trio.BrokenResourceError as exc:
            await trio.aclose_forcefully(transport)
            raise tls_error(exc, client=True) from exc
        except BaseException:
            await trio.aclose_forcefully(transport)
            raise
        return stream


def request(
    url_or_options: str | Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | Callback | None = None,
    callback: Callback | None = None,
    **kwargs: Any,
) -> ClientRequest:
    """Start an HTTPS request (Node's ``https.request``); call ``end()`` on the result.

    Takes what :func:`trio_nodestreams.http.request` takes, plus TLS options:
    ``ca``, ``cert``/``key``/``passphrase`` (a client certificate),
    ``reject_unauthorized`` (default True), ``servername`` (SNI, and the name
    checked), ``check_server_identity``, ``min_version``/``max_version``,
    ``ciphers``, ``alpn_protocols``, ``ssl_context``. The agent defaults to
    :data:`global_agent`.

    A certificate failure is the request's ``'error'`` with Node's code:
    ``DEPTH_ZERO_SELF_SIGNED_CERT``, ``SELF_SIGNED_CERT_IN_CHAIN``,
    ``UNABLE_TO_VERIFY_LEAF_SIGNATURE``, ``CERT_HAS_EXPIRED``,
    ``ERR_TLS_CERT_ALTNAME_INVALID``; other handshake failures ``ERR_SSL_*``
    or ``ECONNRESET``.

    Raises:
      NodeError: as :func:`trio_nodestreams.http.request` (``ERR_INVALID_PROTOCOL``
        for an ``http:`` URL).
    """
    return _request(url_or_options, options, callback, kwargs, default_agent=global_agent)


def get(
    url_or_options: str | Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | Callback | None = None,
    callback: Callback | None = None,
    **kwargs: Any,
) -> ClientRequest:
    """Like :func:`request`, and ``end()`` is called for you (Node's ``https.get``)."""
    req = request(url_or_options, options, callback, **kwargs)
    req.end()
    return req


#: Node's ``https.globalAgent``: keep-alive on, 5 s idle timeout, as in Node 20.
global_agent = Agent(keep_alive=True, keep_alive_msecs=1000, timeout=5000)
