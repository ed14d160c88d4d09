"""https.Agent, https.request, https.get: the http client over TLS (node: lib/https.js).

The agent opens TCP as the http one does, then runs the TLS handshake before
the connection takes its first request; a certificate the client does not
trust, or a name it does not match, fails the request with Node's code.
Connections are pooled per origin and per TLS options: two requests with
different ``ca`` never share one.
"""

from __future__ import annotations

import base64
import math
import os
import re
import ssl
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import trio

from .._errors import NodeError, NodeTypeError, err_invalid_arg_type
from ..http._agent import Agent as HttpAgent
from ..http._agent import CreateConnection
from ..http._client_connection import open_tcp
from ..http._client_request import ClientRequest, _request
from ..http._socket import econnreset
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
      proxy: an ``http://[user:pass@]host:port`` proxy: each connection is a
        ``CONNECT`` tunnel through it, with TLS inside (the proxy sees only the
        target's name and port). A refusal fails the request with ``ERR_PROXY_TUNNEL``.
      proxy_env: without ``proxy``, take it from ``HTTPS_PROXY`` (or
        ``https_proxy``), skipping the hosts ``NO_PROXY`` names (opt-in, as in Node).
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
        proxy: str | None = None,
        proxy_env: bool = False,
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
        if proxy is not None:
            _proxy_address(proxy)  # refuse a bad URL now, not at the first request
        #: The ``http://`` proxy every connection tunnels through (``CONNECT``), or None.
        self.proxy = proxy
        #: Take the proxy from ``HTTPS_PROXY`` / ``NO_PROXY`` when ``proxy`` is None.
        self.proxy_env = proxy_env
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
        host = options["host"]
        proxy = self.proxy_for(host)
        if proxy is not None and not (options.get("create_connection") or self._create_connection):
            transport = await _tunnel(proxy, host, options["port"], options)
        else:
            transport = await super().connect(options)
        servername = tls.get("servername") or host
        stream = trio.SSLStream(transport, ctx, server_hostname=servername, https_compatible=True)
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


    def proxy_for(self, host: str) -> str | None:
        """The proxy a connection to ``host`` goes through, or None (direct)."""
        if self.proxy is not None:
            return self.proxy
        if not self.proxy_env:
            return None
        proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
        if not proxy:
            return None
        skip = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
        name = host.lower().strip("[]")
        for entry in (e.strip().lower() for e in skip.split(",")):
            entry = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
            if entry == "*" or (entry and (name == entry.lstrip(".") or name.endswith("." + entry.lstrip(".")))):
                return None
        return proxy


def _proxy_address(proxy: str) -> tuple[str, int, str | None]:
    try:
        parts = urlsplit(proxy)
        port = parts.port or 80
    except ValueError as exc:
        raise NodeTypeError("ERR_INVALID_URL", f"Invalid URL: {proxy}") from exc
    if parts.scheme != "http" or not parts.hostname:
        raise NodeTypeError("ERR_INVALID_ARG_VALUE", f"The proxy must be an http:// URL. Received {proxy!r}")
    auth = None
    if parts.username is not None:
        auth = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return parts.hostname, port, auth


#: Bytes of a proxy's answer to ``CONNECT`` read before it is refused as too long.
_PROXY_HEAD_LIMIT = 16384


async def _tunnel(proxy: str, host: str, port: int, options: Mapping[str, Any]) -> trio.abc.Stream:
    """A ``CONNECT`` tunnel to ``host:port`` through the http proxy ``proxy``.

    Raises:
      NodeError: ``ERR_PROXY_TUNNEL`` (the proxy refused, or did not answer HTTP).
      OSError: the proxy cannot be reached.
    """
    proxy_host, proxy_port, auth = _proxy_address(proxy)
    stream = await open_tcp({"host": proxy_host, "port": proxy_port, "local_address": options.get("local_address")})
    try:
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        head = f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n"
        if auth is not None:
            head += f"Proxy-Authorization: Basic {base64.b64encode(auth.encode()).decode('ascii')}\r\n"
        await stream.send_all((head + "\r\n").encode("latin-1"))
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = await stream.receive_some(4096)
            if not chunk:
                raise econnreset("socket hang up")
            answer += chunk
            if len(answer) > _PROXY_HEAD_LIMIT:
                raise NodeError("ERR_PROXY_TUNNEL", "The proxy's answer to CONNECT is too long")
        head_bytes, _, rest = answer.partition(b"\r\n\r\n")
        status_line = head_bytes.split(b"\r\n", 1)[0].decode("latin-1")
        found = re.match(r"HTTP/1\.[01] (\d{3})", status_line)
        if found is None or found.group(1) != "200":
            raise NodeError("ERR_PROXY_TUNNEL", f"Failed to establish a tunnel to {target} through the proxy: {status_line}")
        if rest:
            # The server speaks after the client's hello: bytes now are not TLS's.
            raise NodeError("ERR_PROXY_TUNNEL", "The proxy sent data before the TLS handshake")
    except trio.BrokenResourceError as exc:
        await trio.aclose_forcefully(stream)
        raise econnreset("socket hang up") from exc
    except BaseException:
        await trio.aclose_forcefully(stream)
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
