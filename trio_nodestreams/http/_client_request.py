"""http.request and ClientRequest (node: lib/_http_client.js).

A :class:`ClientRequest` is an :class:`OutgoingMessage` with a
request line: ``end(data)`` alone gets ``Content-Length``, a ``write()`` first
gets chunked encoding, GET/HEAD/DELETE/OPTIONS/TRACE/CONNECT without a body get
neither. An :class:`Agent` gives it a connection; the connection's
task (``_client_connection``) sends it and reads the response, which
arrives as an :class:`IncomingMessage` whose body streams with
back-pressure.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import trio

from .._errors import NodeTypeError, err_invalid_arg_type
from .._scope import Scope, current_scope
from ._agent import Agent, global_agent
from ._incoming import IncomingMessage
from ._outgoing import OutgoingMessage, err_headers_sent
from ._rules import MAX_HEADER_SIZE, check_is_http_token
from ._socket import econnreset

if TYPE_CHECKING:
    from ._client_connection import ClientConnection

__all__ = ["ClientRequest", "get", "request"]

Callback = Callable[..., object]

#: Methods whose requests get no chunked framing by default (Node's list).
_NO_BODY_DEFAULT = frozenset({"GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
_INVALID_PATH = re.compile(r"[^\u0021-\u00ff]")
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/<>?@\\^|\x7f]")
#: ms the body of an ``Expect: 100-continue`` request is held waiting for ``100 Continue``.
CONTINUE_TIMEOUT = 1000


def url_options(url: str) -> dict[str, Any]:
    """Node's ``urlToHttpOptions`` for a URL string.

    Raises:
      NodeError: ``ERR_INVALID_URL``.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError as exc:
        raise NodeTypeError("ERR_INVALID_URL", "Invalid URL") from exc
    if not parts.scheme or not parts.netloc or hostname is None or _FORBIDDEN_HOST.search(hostname):
        raise NodeTypeError("ERR_INVALID_URL", "Invalid URL")
    options: dict[str, Any] = {
        "protocol": parts.scheme.lower() + ":",
        "hostname": hostname,
        "path": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    }
    if port is not None:
        options["port"] = port
    if parts.username is not None:
        options["auth"] = parts.username + (f":{parts.password}" if parts.password is not None else "")
    return options


class ClientRequest(OutgoingMessage):
    """An HTTP request in progress (Node's ``http.ClientRequest``); make one with :func:`request`.

    Write the body with ``write()``/``end()``. Events: ``'socket'``,
    ``'finish'``, ``'continue'``, ``'information'`` (1xx), ``'response'`` (an
    :class:`IncomingMessage`), ``'upgrade'`` / ``'connect'``
    ``(res, socket, head)`` with the connection as a byte Duplex,
    ``'timeout'``, ``'abort'``, ``'error'``, ``'close'``.

    ``await req.response()`` waits for the response (or raises the request's
    error). Cancelling that wait does not abort the request; ``destroy()`` does.

    Attributes:
      method, path, host, port, protocol: where it goes.
      agent: the :class:`Agent` that gives it a connection.
      res: the response, once it came.
      reused_socket: it went out on a connection that carried requests before.
      aborted: ``abort()`` was called.
    """

    def __init__(self, options: Mapping[str, Any], scope: Scope) -> None:
        OutgoingMessage.__init__(self, scope, high_water_mark=options.get("high_water_mark"))
        self.method: str = options["method"]
        self.path: str = options["path"]
        self.host: str = options["host"]
        self.port: int = options["port"]
        self.protocol: str = options.get("protocol") or "http:"
        self.agent: Agent = options["agent"]
        self.max_header_size: int = options.get("max_header_size") or MAX_HEADER_SIZE
        self.insecure_http_parser = bool(options.get("insecure_http_parser", False))
        self.join_duplicate_headers = bool(options.get("join_duplicate_headers", False))
        self.max_headers_count: int | None = None
        self.timeout: float | None = options.get("timeout")
        self.use_chunked_encoding_by_default = self.method not in _NO_BODY_DEFAULT
        self._ended = False
        self.res: IncomingMessage | None = None
        self.aborted = False
        self.upgrade_or_connect = False
        self.reused_socket = False
        self._has_agent = True
        agent = self.agent
        if not agent.keep_alive and not math.isfinite(agent.max_sockets):
            self._last = True
            self.should_keep_alive = False
        else:
            self._last = False
            self.should_keep_alive = True
        # The body of an Expect: 100-continue request waits here for the 100.
        self._held: list[tuple[bytes, Callback | None]] | None = None
        self._continue_timeout: float = options.get("continue_timeout", CONTINUE_TIMEOUT)
        self._error: BaseException | None = None
        self._connection: ClientConnection | None = None
        self._timeout_listening = False

    # -- the head ----------------------------------------------------------------

    def _implicit_header(self) -> None:
        if self._header is not None:
            raise err_headers_sent("render")
        self._store_header(f"{self.method} {self.path} HTTP/1.1\r\n", None)

    def _store_header(self, first_line: str, headers: Any) -> None:
        OutgoingMessage._store_header(self, first_line, headers)
        if self._header_sent and self._expects_continue():
            # The head went out at once; the body waits for 100 Continue (or a while).
            self._held = []

    def _expects_continue(self) -> bool:
        from ._rules import expects_continue

        value = self.get_header("expect")
        if value is None and self._header is not None:
            head = self._header.decode("latin-1").lower()
            return "\r\nexpect:" in head and "100-continue" in head
        return value is not None and expects_continue(str(value))

    def _write_raw(self, data: bytes, callback: Callback | None) -> bool:
        if self._held is not None:
            self._held.append((data, callback))
            return True
        return OutgoingMessage._write_raw(self, data, callback)

    def _release_held(self) -> None:
        """Send the body held for ``100 Continue``."""
        held, self._held = self._held, None
        if held:
            for data, callback in held:
                OutgoingMessage._write_raw(self, data, callback)

    def _drop_held(self) -> None:
        """A final answer came instead of 100: the held body is never sent."""
        held, self._held = self._held, None
        if held:
            self.should_keep_alive = False
            for _data, callback in held:
                if callback is not None:
                    self._scope.next_tick(callback)

    # -- the connection -------------------------------------------------------------

    def _on_socket(self, conn: ClientConnection) -> None:
        """The agent gave this request a connection: ``'socket'`` on the next tick (Node's onSocket)."""
        self._connection = conn
        self._scope.next_tick(self._on_socket_nt, conn)

    def _on_socket_nt(self, conn: ClientConnection) -> None:
        if self.destroyed:
            # Destroyed while waiting: the connection goes back to the pool unused.
            conn.release_unused(self)
            self._destroyed_before_socket()
            return
        sock = conn.sock
        # The connection learns first: it may keep a copy of what is written next.
        conn.attached(self)
        if self.timeout is not None:
            self._listen_socket_timeout()
            sock.set_timeout(self.timeout)
        self.emit("socket", sock)
        self._flush()

    def _destroyed_before_socket(self) -> None:
        err = self._error
        if not self.aborted and err is None:
            err = econnreset("socket hang up")
        if err is not None:
            self._error = err
            self.emit("error", err)
        self._closed = True
        self.emit("close")

    def _listen_socket_timeout(self) -> None:
        if self._timeout_listening:
            return
        self._timeout_listening = True

        def emit_timeout() -> None:
            if self.socket is not None and self.socket._http_message is self:
                self.emit("timeout")

        self._timeout_cb = emit_timeout
        if self.socket is not None:
            self.socket.on("timeout", emit_timeout)
        else:
            self.once("socket", lambda sock: sock.on("timeout", emit_timeout))

    def set_timeout(self, msecs: float, callback: Callback | None = None) -> ClientRequest:
        """Emit ``'timeout'`` after ``msecs`` of inactivity (0 disables); it does not abort."""
        if self._ended:
            return self
        self._listen_socket_timeout()
        if callback is not None:
            self.once("timeout", callback)
        self.timeout = msecs
        if self.socket is not None:
            self.socket.set_timeout(msecs)
        return self

    def set_no_delay(self, no_delay: bool = True) -> None:
        """``TCP_NODELAY`` on the connection (on by default)."""
        if self.socket is not None:
            self.socket.set_no_delay(no_delay)
        else:
            self.once("socket", lambda sock: sock.set_no_delay(no_delay))

    def set_socket_keep_alive(self, enable: bool = False, initial_delay: float = 0) -> None:
        """``SO_KEEPALIVE`` on the connection."""
        if self.socket is not None:
            self.socket.set_keep_alive(enable, initial_delay)
        else:
            self.once("socket", lambda sock: sock.set_keep_alive(enable, initial_delay))

    # -- ending ---------------------------------------------------------------------

    def abort(self) -> None:
        """Deprecated in Node: destroy the request (``'abort'`` first)."""
        if self.aborted:
            return
        self.aborted = True
        self._scope.next_tick(self.emit, "abort")
        self.destroy()

    def destroy(self, error: BaseException | None = None) -> ClientRequest:
        """Destroy the request and its connection; ``'error'`` (if given) and ``'close'`` follow."""
        if self.destroyed:
            return self
        self.destroyed = True
        if self.res is not None:
            self.res._dump()
        self._error = error
        if self.socket is not None:
            self.socket.destroy(error)
        elif self._connection is None:
            # Still waiting for a connection: leave the queue.
            self.agent.remove_request(self)
            self._scope.next_tick(self._destroyed_before_socket)
        return self

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
        raise box.get("err") or self._error or econnreset("socket hang up")

    def __repr__(self) -> str:
        return f"<ClientRequest {self.method} {self.protocol}//{self.host}:{self.port}{self.path}>"


def request(
    url_or_options: str | Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | Callback | None = None,
    callback: Callback | None = None,
    **kwargs: Any,
) -> ClientRequest:
    """Start an HTTP request (Node's ``http.request``); call ``end()`` on the result.

    Args:
      url_or_options: a URL string, or the options as a mapping.
      options: options merged over the URL's (or the callback).
      callback: a ``'response'`` listener.
      **kwargs: options as keywords: ``method``, ``host``/``hostname``, ``port``,
        ``path``, ``headers`` (mapping, or a flat list sent as is), ``agent``
        (an :class:`Agent`; ``False`` for a fresh one; ``None`` for the
        global one), ``timeout`` (ms of inactivity before ``'timeout'``),
        ``connect_timeout`` (ms; ``ETIMEDOUT`` after it), ``create_connection``
        (an async ``fn(options) -> trio.abc.Stream`` used instead of TCP),
        ``set_host``, ``auth`` (``"user:pass"``), ``max_header_size``,
        ``insecure_http_parser``, ``join_duplicate_headers``, ``local_address``,
        ``default_port``, ``high_water_mark``, ``continue_timeout`` (ms to hold
        the body of an ``Expect: 100-continue`` request).

    Raises:
      NodeError: ``ERR_INVALID_URL``, ``ERR_INVALID_PROTOCOL``,
        ``ERR_UNESCAPED_CHARACTERS``, ``ERR_INVALID_HTTP_TOKEN``, header errors;
        ``ERR_NO_SCOPE`` outside ``open_scope()``.
    """
    return _request(url_or_options, options, callback, kwargs, default_agent=global_agent)


def _request(
    url_or_options: str | Mapping[str, Any] | None,
    options: Mapping[str, Any] | Callback | None,
    callback: Callback | None,
    kwargs: Mapping[str, Any],
    *,
    default_agent: Agent,
) -> ClientRequest:
    if callable(options):
        options, callback = None, options
    merged: dict[str, Any] = {}
    if isinstance(url_or_options, str):
        merged.update(url_options(url_or_options))
    elif url_or_options is not None:
        merged.update(url_or_options)
    if options is not None:
        merged.update(options)
    merged.update(kwargs)
    scope = current_scope()

    agent = merged.get("agent")
    if agent is False:
        agent = type(default_agent)()
    elif agent is None:
        agent = default_agent
    elif not isinstance(agent, Agent):
        raise err_invalid_arg_type("options.agent", "of type Agent, False or None", agent)
    expected = agent.protocol
    protocol = merged.get("protocol") or expected
    path = str(merged.get("path") or "/")
    if _INVALID_PATH.search(path):
        raise NodeTypeError("ERR_UNESCAPED_CHARACTERS", "Request path contains unescaped characters")
    if protocol != expected:
        raise NodeTypeError("ERR_INVALID_PROTOCOL", f'Protocol "{protocol}" not supported. Expected "{expected}"')
    default_port = merged.get("default_port") or agent.default_port
    port = int(merged.get("port") or default_port)
    host = merged.get("hostname") or merged.get("host") or "localhost"
    method = merged.get("method")
    if method is not None and not isinstance(method, str):
        raise err_invalid_arg_type("options.method", "of type string", method)
    if method:
        if not check_is_http_token(method):
            raise NodeTypeError("ERR_INVALID_HTTP_TOKEN", f'Method must be a valid HTTP token ["{method}"]')
        method = method.upper()
    else:
        method = "GET"
    resolved = dict(merged)
    resolved.update(method=method, host=host, port=port, path=path, agent=agent, protocol=protocol)
    req = ClientRequest(resolved, scope)
    if callback is not None:
        req.once("response", callback)
    headers = merged.get("headers")
    if isinstance(headers, list | tuple):
        req._store_header(f"{method} {path} HTTP/1.1\r\n", list(headers))
    else:
        if headers:
            for name, value in headers.items():
                req.set_header(name, value)
        if merged.get("set_host", True) and not req.get_header("host"):
            host_header = host
            if ":" in host and host.count(":") > 1 and not host.startswith("["):
                host_header = f"[{host}]"
            if port and port != default_port:
                host_header += f":{port}"
            req.set_header("Host", host_header)
        auth = merged.get("auth")
        if auth and not req.get_header("authorization"):
            req.set_header("Authorization", "Basic " + base64.b64encode(str(auth).encode()).decode("ascii"))
        if req.get_header("expect") is not None:
            if req._header is not None:
                raise err_headers_sent("render")
            req._store_header(f"{method} {path} HTTP/1.1\r\n", None)
    unique = merged.get("unique_headers")
    if unique:
        req._unique_headers = frozenset(str(h).lower() for h in unique)
    if merged.get("timeout") is not None:
        req.set_timeout(merged["timeout"])
    connection_options = {
        "host": host,
        "port": port,
        "local_address": merged.get("local_address"),
        "connect_timeout": merged.get("connect_timeout"),
        "create_connection": merged.get("create_connection"),
        "servername": merged.get("servername"),
    }
    for name in agent.connection_option_names:
        if name in merged:
            connection_options[name] = merged[name]
    agent.add_request(req, connection_options)
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

