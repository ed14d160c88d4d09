"""TLS under http: contexts from Node's option names, Node's error codes, the TLS socket.

Node builds a TLS connection from option names (``key``, ``cert``, ``ca``,
``reject_unauthorized``...); Python builds an :class:`ssl.SSLContext`. This
module turns the first into the second, maps what ``ssl`` raises to the codes
Node reports (``DEPTH_ZERO_SELF_SIGNED_CERT``, ``ERR_TLS_CERT_ALTNAME_INVALID``,
``ERR_SSL_*``, ``ECONNRESET``), and gives the connection the TLS surface of
Node's ``tls.TLSSocket`` (``authorized``, ``get_peer_certificate()``...).
"""

from __future__ import annotations

import errno
import hashlib
import os
import ssl
import tempfile
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import trio

from .._errors import NodeError, NodeSystemError, NodeTypeError, err_invalid_arg_type
from .._scope import Scope
from ..http._socket import Socket, econnreset

__all__ = [
    "CLIENT_TLS_OPTIONS",
    "SERVER_TLS_OPTIONS",
    "TLSSocket",
    "client_context",
    "peer_certificate",
    "server_context",
    "tls_error",
]

#: A PEM document: text or bytes, or several of them.
Pem = str | bytes | Sequence[str | bytes]

#: Node's option names that build a server's TLS context.
SERVER_TLS_OPTIONS = (
    "key", "cert", "ca", "passphrase", "request_cert", "reject_unauthorized", "alpn_protocols",
    "sni_callback", "min_version", "max_version", "ciphers",
)  # fmt: skip
#: Node's option names that build a client's TLS context (and key its pooled connections).
CLIENT_TLS_OPTIONS = (
    "ca", "cert", "key", "passphrase", "reject_unauthorized", "servername", "check_server_identity",
    "min_version", "max_version", "ciphers", "alpn_protocols", "ssl_context",
)  # fmt: skip

_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}

# OpenSSL's X509_V_ERR_* numbers -> the names Node reports as ``err.code``.
_VERIFY_CODES = {
    2: "UNABLE_TO_GET_ISSUER_CERT",
    3: "UNABLE_TO_GET_CRL",
    4: "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
    5: "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
    6: "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
    7: "CERT_SIGNATURE_FAILURE",
    8: "CRL_SIGNATURE_FAILURE",
    9: "CERT_NOT_YET_VALID",
    10: "CERT_HAS_EXPIRED",
    11: "CRL_NOT_YET_VALID",
    12: "CRL_HAS_EXPIRED",
    13: "ERROR_IN_CERT_NOT_BEFORE_FIELD",
    14: "ERROR_IN_CERT_NOT_AFTER_FIELD",
    15: "ERROR_IN_CRL_LAST_UPDATE_FIELD",
    16: "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
    17: "OUT_OF_MEM",
    18: "DEPTH_ZERO_SELF_SIGNED_CERT",
    19: "SELF_SIGNED_CERT_IN_CHAIN",
    20: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    21: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    22: "CERT_CHAIN_TOO_LONG",
    23: "CERT_REVOKED",
    24: "INVALID_CA",
    25: "PATH_LENGTH_EXCEEDED",
    26: "INVALID_PURPOSE",
    27: "CERT_UNTRUSTED",
    28: "CERT_REJECTED",
    62: "HOSTNAME_MISMATCH",
    63: "EMAIL_MISMATCH",
    64: "IP_ADDRESS_MISMATCH",
}

#: OpenSSL's reasons for an answer that is not TLS at all (an HTTP port, say).
_NOT_TLS = frozenset({"WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"})

#: Node's message for a connection lost before the handshake finished.
DISCONNECTED = "Client network socket disconnected before secure TLS connection was established"


def tls_error(exc: BaseException, *, client: bool = False) -> NodeError:
    """The Node error for a failed TLS handshake or TLS read (``exc`` or its cause).

    Certificate failures get OpenSSL's verify name as ``code``
    (``CERT_HAS_EXPIRED``...), a name mismatch ``ERR_TLS_CERT_ALTNAME_INVALID``,
    other TLS failures ``ERR_SSL_<REASON>``, a lost connection ``ECONNRESET``.
    """
    cause: BaseException | None = exc
    if isinstance(exc, trio.BrokenResourceError | trio.ClosedResourceError):
        cause = exc.__cause__
    if isinstance(cause, ssl.SSLCertVerificationError):
        name = _VERIFY_CODES.get(cause.verify_code, "UNABLE_TO_VERIFY_LEAF_SIGNATURE")
        message = cause.verify_message or str(cause)
        if name == "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
            # Node lets OpenSSL go on past the first failure and reports the last one:
            # for a server that sent its certificate alone, the leaf's signature. Python
            # stops at the first and cannot show the chain: a lone leaf is assumed.
            name, message = "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"
        if name in ("HOSTNAME_MISMATCH", "IP_ADDRESS_MISMATCH"):
            err = NodeError("ERR_TLS_CERT_ALTNAME_INVALID", f"Hostname/IP does not match certificate's altnames: {message}")
            err.reason = message  # type: ignore[attr-defined]
            return err
        return NodeError(name, message)
    if isinstance(cause, ssl.SSLError) and not isinstance(cause, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        reason = cause.reason or "UNKNOWN"
        if client and reason in _NOT_TLS:
            # Node's client meets these while it writes its hello: a system error.
            err = NodeSystemError("EPROTO", f"write EPROTO {cause}", errno=-errno.EPROTO, syscall="write")
            err.reason = reason.lower().replace("_", " ")  # type: ignore[attr-defined]
            return err
        err = NodeError("ERR_SSL_" + reason.upper(), str(cause))
        err.reason = reason.lower().replace("_", " ")  # type: ignore[attr-defined]
        err.library = cause.library  # type: ignore[attr-defined]
        return err
    return econnreset(DISCONNECTED)


def _pem_text(value: object, name: str) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii")
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return "\n".join(_pem_text(v, name) for v in value)
    raise err_invalid_arg_type(f"options.{name}", "of type string or Buffer", value)


def _version(value: object, name: str) -> ssl.TLSVersion:
    if isinstance(value, ssl.TLSVersion):
        return value
    version = _VERSIONS.get(value) if isinstance(value, str) else None
    if version is None:
        raise NodeTypeError("ERR_TLS_INVALID_PROTOCOL_VERSION", f"{value!r} is not a valid {name} TLS protocol version")
    return version


def _load_identity(ctx: ssl.SSLContext, cert: Pem, key: Pem | None, passphrase: str | bytes | None) -> None:
    """Load a certificate chain and key given as PEM contents (``ssl`` reads them from files)."""
    cert_text = _pem_text(cert, "cert")
    key_text = _pem_text(key, "key") if key is not None else None
    # A private directory: the key is on disk only for the moment ssl reads it.
    with tempfile.TemporaryDirectory(prefix="tns-tls-") as tmp:
        cert_path = os.path.join(tmp, "cert.pem")
        with open(cert_path, "w") as f:
            f.write(cert_text)
        key_path = None
        if key_text is not None:
            key_path = os.path.join(tmp, "key.pem")
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(key_text)
        try:
            ctx.load_cert_chain(cert_path, key_path, password=passphrase)
        except ssl.SSLError as exc:
            raise tls_error(exc) from exc


def _common(ctx: ssl.SSLContext, options: Mapping[str, Any]) -> None:
    if options.get("min_version") is not None:
        ctx.minimum_version = _version(options["min_version"], "minimum")
    if options.get("max_version") is not None:
        ctx.maximum_version = _version(options["max_version"], "maximum")
    if options.get("ciphers"):
        try:
            ctx.set_ciphers(options["ciphers"])
        except ssl.SSLError as exc:
            raise NodeError("ERR_SSL_NO_CIPHER_MATCH", f"No cipher match: {options['ciphers']!r}") from exc
    alpn = options.get("alpn_protocols")
    if alpn:
        ctx.set_alpn_protocols(list(alpn))


#: The server name each server-side TLS connection asked for (SNI), by its ssl object.
_servernames: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

SniCallback = Callable[[str], "ssl.SSLContext | None"]


def record_servernames(ctx: ssl.SSLContext, user: SniCallback | None = None) -> None:
    """Make ``ctx`` remember the server name of each connection (and ask ``user`` for a context).

    A context the user made keeps its own ``sni_callback``, which runs after the record.
    """
    previous = ctx.sni_callback
    if getattr(previous, "_tns_records", False):
        return

    def on_servername(sslobj: Any, servername: str | None, context: ssl.SSLContext) -> int | None:
        if servername is not None:
            _servernames[sslobj] = servername
            if user is not None:
                other = user(servername)
                if other is not None:
                    sslobj.context = other
        if previous is not None:
            return previous(sslobj, servername, context)  # type: ignore[arg-type]
        return None

    on_servername._tns_records = True  # type: ignore[attr-defined]
    ctx.sni_callback = on_servername


def server_context(options: Mapping[str, Any]) -> ssl.SSLContext:
    """A server's TLS context from Node's option names.

    Args:
      options: ``key``, ``cert`` (PEM, str or bytes; required), ``ca`` (trusted CAs
        for client certificates), ``passphrase``, ``request_cert`` (ask for a client
        certificate), ``reject_unauthorized`` (with ``request_cert``: refuse clients
        without a valid one; default True), ``alpn_protocols`` (default
        ``['http/1.1']``), ``sni_callback`` (``fn(servername) -> SSLContext | None``),
        ``min_version``/``max_version`` (``'TLSv1.2'``...), ``ciphers``.

    Raises:
      NodeError: a missing or unreadable certificate or key, a bad option.
    """
    cert = options.get("cert")
    if cert is None:
        raise NodeTypeError("ERR_INVALID_ARG_VALUE", "options.cert is required for a TLS server (or ssl_context)")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2  # Node's default minimum
    _load_identity(ctx, cert, options.get("key"), options.get("passphrase"))
    if options.get("request_cert"):
        ca = options.get("ca")
        if ca is not None:
            ctx.load_verify_locations(cadata=_pem_text(ca, "ca"))
        else:
            ctx.load_default_certs(ssl.Purpose.CLIENT_AUTH)
        # Python cannot ask for a certificate and accept an invalid one: without
        # reject_unauthorized a client may send none, but a bad one still fails.
        reject = options.get("reject_unauthorized", True)
        ctx.verify_mode = ssl.CERT_REQUIRED if reject else ssl.CERT_OPTIONAL
    _common(ctx, {"alpn_protocols": ["http/1.1"], **options})
    record_servernames(ctx, options.get("sni_callback"))
    return ctx


def client_context(options: Mapping[str, Any]) -> ssl.SSLContext:
    """A client's TLS context from Node's option names.

    Args:
      options: ``ca`` (trusted CAs instead of the system's), ``cert``/``key``/
        ``passphrase`` (a client certificate), ``reject_unauthorized`` (default
        True: verify the server's certificate and name), ``check_server_identity``
        (replaces the name check), ``min_version``/``max_version``, ``ciphers``,
        ``alpn_protocols``.

    Raises:
      NodeError: an unreadable certificate or key, a bad option.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ca = options.get("ca")
    if ca is not None:
        ctx.load_verify_locations(cadata=_pem_text(ca, "ca"))
    else:
        ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if options.get("cert") is not None:
        _load_identity(ctx, options["cert"], options.get("key"), options.get("passphrase"))
    if not options.get("reject_unauthorized", True):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif options.get("check_server_identity") is not None:
        ctx.check_hostname = False  # the user's check runs after the handshake
    _common(ctx, options)
    return ctx


def option_digest(options: Mapping[str, Any], names: Sequence[str]) -> str:
    """A short stable digest of the TLS options among ``names`` (for pool keys)."""
    parts = []
    for name in names:
        value = options.get(name)
        if value is None:
            continue
        if callable(value) or isinstance(value, ssl.SSLContext):
            value = f"{type(value).__name__}@{id(value):x}"
        parts.append(f"{name}={value!r}")
    if not parts:
        return ""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _name_dict(rdns: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    short = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU", "countryName": "C",
             "localityName": "L", "stateOrProvinceName": "ST"}  # fmt: skip
    for rdn in rdns or ():
        for key, value in rdn:
            out[short.get(key, key)] = value
    return out


async def _send_close_notify(stream: trio.SSLStream[Any]) -> None:
    """Send TLS close_notify and the transport's FIN, leaving the stream readable.

    trio only sends close_notify as part of closing; this reaches into its ssl
    object and outgoing buffer (the attributes are checked, never assumed).
    """
    sslobj = getattr(stream, "_ssl_object", None)
    outgoing = getattr(stream, "_outgoing", None)
    if not isinstance(sslobj, ssl.SSLObject) or not isinstance(outgoing, ssl.MemoryBIO):
        return
    try:
        sslobj.unwrap()
    except ssl.SSLError:
        pass  # SSLWantReadError: close_notify is written, the peer's is not read yet
    data = outgoing.read()
    transport = stream.transport_stream
    try:
        if data:
            await transport.send_all(data)
        if isinstance(transport, trio.abc.HalfCloseableStream):
            await transport.send_eof()
    except (trio.BrokenResourceError, trio.ClosedResourceError, trio.BusyResourceError, OSError):
        pass  # the peer is gone: the close goes on


def peer_certificate(tls: trio.SSLStream[Any]) -> dict[str, Any] | None:
    """The peer certificate of ``tls`` as Node shows it (see :meth:`TLSSocket.get_peer_certificate`)."""
    try:
        raw = tls.getpeercert(binary_form=True)
        info = tls.getpeercert()
    except trio.NeedHandshakeError:
        return None
    if not raw:
        return {}
    digest = hashlib.sha256(raw).hexdigest().upper()
    cert: dict[str, Any] = {
        "raw": raw,
        "fingerprint256": ":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
    }
    if info:
        cert["subject"] = _name_dict(info.get("subject"))
        cert["issuer"] = _name_dict(info.get("issuer"))
        alt = info.get("subjectAltName") or ()
        cert["subjectaltname"] = ", ".join(f"{kind}:{value}" for kind, value in alt)
        cert["valid_from"] = info.get("notBefore")
        cert["valid_to"] = info.get("notAfter")
        cert["serialNumber"] = info.get("serialNumber")
    return cert


class TLSSocket(Socket):
    """A connection over TLS (Node's ``tls.TLSSocket`` as the http layer shows it).

    Events, beyond :class:`~trio_nodestreams.http.Socket`'s: ``'secureConnect'``
    (client side, once the handshake succeeded).

    Attributes:
      encrypted: always True.
      authorized: the peer's certificate was verified (a client's: only when the
        server asked for one; a server's: when ``reject_unauthorized`` is on).
      authorization_error: why the peer is not authorized (Node's code), or None.
      alpn_protocol: the protocol agreed by ALPN, or False.
      servername: the name the client asked for (SNI), or False.
    """

    def __init__(self, stream: trio.abc.Stream | None, scope: Scope) -> None:
        self.authorized = False
        self.authorization_error: str | None = None
        self.alpn_protocol: str | bool = False
        self.servername: str | bool = False
        super().__init__(stream, scope)
        self.encrypted = True

    @property
    def _ssl(self) -> trio.SSLStream[Any] | None:
        stream = self._stream
        return stream if isinstance(stream, trio.SSLStream) else None

    def _attach(self, stream: trio.abc.Stream) -> None:
        super()._attach(stream)
        self.encrypted = True
        if isinstance(stream, trio.SSLStream) and not stream.server_side:
            # A client connection arrives with its handshake done (the agent did it).
            self._secured()
            self._scope.next_tick(self._emit_secure_connect)

    def _read_error(self, exc: trio.BrokenResourceError) -> NodeError:
        cause = exc.__cause__
        if isinstance(cause, ssl.SSLError) and not isinstance(cause, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return tls_error(exc)  # an alert from the peer: ERR_SSL_TLSV13_ALERT_...
        return super()._read_error(exc)

    def _flushed(self, count: int) -> None:
        # Bytes reach a TLS stream only in an await (no synchronous send as on TCP): the
        # task that sent them runs the callbacks they release now, instead of waking
        # the scope's runner for them (a task switch per response).
        with self._scope.holding():
            super()._flushed(count)

    async def aclose_stream(self, *, graceful: bool) -> None:
        """Close as the http socket does; a graceful close first ends TLS (close_notify and FIN).

        TLS cannot half-close: without close_notify a peer waiting for the end
        would wait for the linger time. Sending it with the transport's FIN, and
        still reading what the peer sends, is what Node's ``end()`` does.
        """
        stream = self._stream
        if graceful and isinstance(stream, trio.SSLStream) and not self.destroyed and not self.peer_ended:
            with trio.CancelScope(shield=True):
                with trio.move_on_after(5) as cs:
                    self._io_scope = cs
                    await self.wait_output_idle()
                    if not self.destroyed:
                        await _send_close_notify(stream)
                self._io_scope = None
        await super().aclose_stream(graceful=graceful)

    def _emit_secure_connect(self) -> None:
        if not self.destroyed and self._events.get("secureConnect"):
            self.emit("secureConnect")

    def _secured(self) -> None:
        """The handshake is done: learn what it agreed."""
        tls = self._ssl
        if tls is None:
            return
        self.alpn_protocol = tls.selected_alpn_protocol() or False
        verify = tls.context.verify_mode
        if tls.server_side:
            self.servername = _servernames.get(getattr(tls, "_ssl_object", None), False)
            if verify != ssl.CERT_NONE:
                # Verified by the handshake when sent; a client may send none (CERT_OPTIONAL).
                self.authorized = bool(tls.getpeercert(binary_form=True))
                # Node's verdict for a client that sent no certificate.
                self.authorization_error = None if self.authorized else "UNABLE_TO_GET_ISSUER_CERT"
        else:
            self.servername = tls.server_hostname or False
            self.authorized = verify == ssl.CERT_REQUIRED

    def get_protocol(self) -> str | None:
        """The TLS version agreed (``'TLSv1.3'``...), or None before the handshake."""
        tls = self._ssl
        try:
            return tls.version() if tls is not None else None
        except trio.NeedHandshakeError:
            return None

    def get_cipher(self) -> dict[str, Any] | None:
        """The cipher in use: ``{'name', 'standard_name', 'version'}``."""
        tls = self._ssl
        try:
            cipher = tls.cipher() if tls is not None else None
        except trio.NeedHandshakeError:
            return None
        if not cipher:
            return None
        return {"name": cipher[0], "standard_name": cipher[0], "version": cipher[1]}

    def get_peer_certificate(self, detailed: bool = False) -> dict[str, Any] | None:
        """The peer's certificate as Node shows it, ``{}`` if it sent none, None before the handshake.

        Keys: ``subject`` and ``issuer`` (``{'CN': ..., 'O': ...}``),
        ``subjectaltname`` (``'DNS:localhost, IP Address:127.0.0.1'``),
        ``valid_from``, ``valid_to``, ``serialNumber``, ``fingerprint256``,
        ``raw`` (DER bytes). A certificate that was not verified has only
        ``raw`` and ``fingerprint256`` (Python decodes verified ones only).
        ``detailed`` is accepted for Node's signature; the chain is not given.
        """
        tls = self._ssl
        return peer_certificate(tls) if tls is not None else None

    def __repr__(self) -> str:
        where = f"{self.remote_address}:{self.remote_port}" if self.remote_address else "?"
        return f"<TLSSocket {where}{' destroyed' if self.destroyed else ''}>"
