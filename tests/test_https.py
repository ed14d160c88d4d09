"""https: the http server and client over TLS, on 127.0.0.1 and over memory.

Certificates come from trustme (a CA made per module) and, where a fixed one is
needed (expired, wrong host), from tests/certs. Every case also checks that a
peer's fault logs nothing above DEBUG and that the next connection is served;
the leak check counts tasks, fds and connection objects after each test.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import socket as stdsocket
import ssl
import struct
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
import trustme

import trio_nodestreams as ns
from trio_nodestreams import http, https

pytestmark = pytest.mark.leak_check

CERTS = Path(__file__).resolve().parent / "certs"


def read(name: str) -> bytes:
    return (CERTS / name).read_bytes()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls(ca: trustme.CA) -> dict[str, Any]:
    """Server options: a certificate for localhost and 127.0.0.1."""
    leaf = ca.issue_cert("localhost", "127.0.0.1")
    return {"key": leaf.private_key_pem.bytes(), "cert": leaf.cert_chain_pems[0].bytes()}


def client_ctx(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


class Served:
    def __init__(self, server: https.Server) -> None:
        self.server = server
        self.port: int = server.address()["port"]  # type: ignore[index]
        self.events: list[tuple[Any, ...]] = []
        self._changed = trio.Event()

    def record(self, *event: Any) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        """Wait until ``predicate()`` holds (checked after each server event)."""
        while not predicate():
            self._changed = trio.Event()
            await self._changed.wait()

    def url(self, path: str = "/") -> str:
        return f"https://localhost:{self.port}{path}"


@asynccontextmanager
async def serving(handler: Any, tls: dict[str, Any], **options: Any) -> AsyncIterator[Served]:
    async with ns.open_scope():
        server = https.create_server({**tls, **options}, handler)
        await server.listen(0, "127.0.0.1")
        served = Served(server)
        server.on("secureConnection", lambda s: served.record("secureConnection"))
        server.on("tlsClientError", lambda e, s: served.record("tlsClientError", e.code))
        server.on("request", lambda req, res: served.record("request", req.url))
        try:
            yield served
        finally:
            server.close()
            server.close_all_connections()
            await server.wait_closed()


def echo_url(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    res.end(f"{req.method} {req.url}")


async def body_of(res: http.IncomingMessage) -> bytes:
    return b"".join([chunk async for chunk in res])


async def tls_connect(port: int, ca: trustme.CA, **kwargs: Any) -> trio.SSLStream[trio.SocketStream]:
    tcp = await trio.open_tcp_stream("127.0.0.1", port)
    stream = trio.SSLStream(tcp, client_ctx(ca), server_hostname="localhost", https_compatible=True, **kwargs)
    await stream.do_handshake()
    return stream


async def read_until_close(stream: trio.abc.ReceiveStream) -> bytes:
    out = bytearray()
    try:
        while chunk := await stream.receive_some(65536):
            out += chunk
    except trio.BrokenResourceError:
        pass
    return bytes(out)


@pytest.fixture
def quiet(caplog: pytest.LogCaptureFixture) -> Callable[[], None]:
    """Returns a check: nothing was logged above DEBUG (a peer's fault is not ours)."""
    caplog.set_level(logging.DEBUG)

    def check() -> None:
        loud = [r for r in caplog.records if r.levelno > logging.DEBUG]
        assert not loud, [r.getMessage() for r in loud]

    return check


# -- the server ----------------------------------------------------------------------


async def test_get_and_tls_facts(ca: trustme.CA, tls: dict[str, Any]) -> None:
    seen: dict[str, Any] = {}

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        s = req.socket
        seen.update(
            encrypted=s.encrypted, authorized=s.authorized, protocol=s.get_protocol(),  # type: ignore[union-attr]
            alpn=s.alpn_protocol, servername=s.servername, cert=s.get_peer_certificate(),  # type: ignore[union-attr]
        )  # fmt: skip
        res.end("hello")

    with trio.fail_after(10):
        async with serving(handler, tls) as srv:
            req = https.get(srv.url("/x"), ca=ca.cert_pem.bytes(), alpn_protocols=["http/1.1"], agent=False)
            res = await req.response()
            assert await body_of(res) == b"hello"
            sock = req.socket
            assert isinstance(sock, https.TLSSocket)
            assert sock.encrypted and sock.authorized and sock.authorization_error is None
            assert sock.alpn_protocol == "http/1.1"
            cert = sock.get_peer_certificate()
            assert cert is not None and cert["subjectaltname"] == "DNS:localhost, IP Address:127.0.0.1"
            assert len(cert["fingerprint256"]) == 95
            assert sock.get_cipher() is not None
    assert seen == {
        "encrypted": True, "authorized": False, "protocol": "TLSv1.3", "alpn": "http/1.1",
        "servername": "localhost", "cert": {},
    }  # fmt: skip
    assert srv.events == [("secureConnection",), ("request", "/x")]


async def test_keep_alive_pipelining_and_chunked(ca: trustme.CA, tls: dict[str, Any]) -> None:
    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        body = await body_of(req)
        res.write(f"{req.url}:".encode())
        res.end(hashlib.sha256(body).hexdigest()[:8])

    with trio.fail_after(10):
        async with serving(handler, tls) as srv:
            stream = await tls_connect(srv.port, ca)
            pipelined = (
                b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                b"POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                b"POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
            )
            await stream.send_all(pipelined)
            raw = await read_until_close(stream)
            await stream.aclose()
    # Answered in order on the one connection, chunked (the handler wrote first).
    assert raw.count(b"HTTP/1.1 200 OK") == 3
    a, b, c = raw.index(b"/a:"), raw.index(b"/b:"), raw.index(b"/c:")
    assert a < b < c
    assert hashlib.sha256(b"abc").hexdigest()[:8].encode() in raw
    assert raw.count(b"Transfer-Encoding: chunked") == 3
    assert srv.events[0] == ("secureConnection",) and len(srv.events) == 4


async def test_agent_keeps_alive_and_pools_by_tls_options(ca: trustme.CA, tls: dict[str, Any]) -> None:
    with trio.fail_after(10):
        async with serving(echo_url, tls) as srv:
            agent = https.Agent(keep_alive=True)
            reused = []
            for ca_pem in (ca.cert_pem.bytes(), ca.cert_pem.bytes(), ca.cert_pem.bytes() + b"\n"):
                req = https.get(srv.url("/k"), ca=ca_pem, agent=agent)
                res = await req.response()
                await body_of(res)
                await trio.testing.wait_all_tasks_blocked()
                reused.append(req.reused_socket)
            # A different ``ca`` is another pool: a new connection, never a shared one.
            assert reused == [False, True, False]
            assert len(agent.free_sockets) == 2
            agent.destroy()
    assert srv.events.count(("secureConnection",)) == 2


async def test_chunked_upload_and_download_with_back_pressure(ca: trustme.CA, tls: dict[str, Any]) -> None:
    """2 MiB each way over TLS, sha256 intact; the handler streams its answer with 'drain'."""
    payload = bytes(range(256)) * 8192

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        digest = hashlib.sha256()
        async for chunk in req:
            digest.update(chunk)
        res.set_header("x-upload", digest.hexdigest())
        for i in range(0, len(payload), 65536):
            await res.send_all(payload[i : i + 65536])
        res.end()

    with trio.fail_after(20):
        async with serving(handler, tls) as srv:
            req = https.request(srv.url("/up"), method="POST", ca=ca.cert_pem.bytes(), agent=False)
            for i in range(0, len(payload), 32768):
                await req.send_all(payload[i : i + 32768])
            req.end()
            res = await req.response()
            got = hashlib.sha256()
            async for chunk in res:
                got.update(chunk)
                await trio.sleep(0)
    assert res.headers["x-upload"] == hashlib.sha256(payload).hexdigest()
    assert res.headers["transfer-encoding"] == "chunked"
    assert got.hexdigest() == hashlib.sha256(payload).hexdigest()


async def test_upgrade_over_tls(ca: trustme.CA, tls: dict[str, Any]) -> None:
    async with ns.open_scope():
        server = https.create_server(tls)

        def on_upgrade(req: http.IncomingMessage, duplex: Any, head: bytes) -> None:
            duplex.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
            duplex.write(head)
            duplex.on("data", duplex.write)
            duplex.on("end", duplex.end)

        server.on("upgrade", on_upgrade)
        await server.listen(0, "127.0.0.1")
        port = server.address()["port"]  # type: ignore[index]
        with trio.fail_after(10):
            stream = await tls_connect(port, ca)
            await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nfirst")
            got = b""
            while not got.endswith(b"first"):
                got += await stream.receive_some(65536)
            assert got.startswith(b"HTTP/1.1 101 ")
            await stream.send_all(b"second")
            assert await stream.receive_some(65536) == b"second"
            await stream.aclose()
        server.close()
        server.close_all_connections()


async def test_server_ssl_context_and_sni_callback(ca: trustme.CA, tls: dict[str, Any]) -> None:
    other = ca.issue_cert("other.test")
    other_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    other.configure_cert(other_ctx)
    asked: list[str] = []

    def pick(name: str) -> ssl.SSLContext | None:
        asked.append(name)
        return other_ctx if name == "other.test" else None

    with trio.fail_after(10):
        async with serving(echo_url, tls, sni_callback=pick) as srv:
            # other.test resolves nowhere: connect to 127.0.0.1 and ask for it by SNI.
            req = https.get(host="127.0.0.1", port=srv.port, servername="other.test", ca=ca.cert_pem.bytes(), agent=False)
            res = await req.response()
            assert await body_of(res) == b"GET /"
            assert req.socket.servername == "other.test"  # type: ignore[union-attr]
    assert asked == ["other.test"]

    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    async with ns.open_scope():
        server = https.create_server(echo_url, ssl_context=server_ctx)
        await server.listen(0, "127.0.0.1")
        port = server.address()["port"]  # type: ignore[index]
        with trio.fail_after(10):
            req = https.get(f"https://localhost:{port}/ctx", ssl_context=client_ctx(ca), agent=False)
            assert await body_of(await req.response()) == b"GET /ctx"
        server.close()
    with pytest.raises(ns.NodeError) as info:
        https.create_server(echo_url, ssl_context=server_ctx, cert=tls["cert"])
    assert info.value.code == "ERR_INVALID_ARG_VALUE"


async def test_client_certificate_verified_and_required(ca: trustme.CA, tls: dict[str, Any], quiet: Callable[[], None]) -> None:
    client = ca.issue_cert("client@example.test")
    seen: list[Any] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        s = req.socket
        seen.append((s.authorized, s.get_peer_certificate()["subjectaltname"]))  # type: ignore[union-attr, index]
        res.end("ok")

    opts = {"ca": ca.cert_pem.bytes(), "request_cert": True}
    with trio.fail_after(10):
        async with serving(handler, tls, **opts) as srv:
            req = https.get(srv.url(), ca=ca.cert_pem.bytes(), agent=False,
                            cert=client.cert_chain_pems[0].bytes(), key=client.private_key_pem.bytes())  # fmt: skip
            assert (await req.response()).status_code == 200
            stranger = trustme.CA().issue_cert("stranger@example.test")
            for extra in ({}, {"cert": stranger.cert_chain_pems[0].bytes(), "key": stranger.private_key_pem.bytes()}):
                req = https.get(srv.url(), ca=ca.cert_pem.bytes(), agent=False, **extra)
                with pytest.raises(ns.NodeError) as info:
                    await req.response()
                assert info.value.code.startswith("ERR_SSL_TLSV"), info.value.code
    assert seen == [(True, "email:client@example.test")]
    codes = [e[1] for e in srv.events if e[0] == "tlsClientError"]
    assert codes == ["ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]
    quiet()


async def test_request_cert_without_rejecting(ca: trustme.CA, tls: dict[str, Any]) -> None:
    seen = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        seen.append((req.socket.authorized, req.socket.authorization_error))  # type: ignore[union-attr]
        res.end()

    with trio.fail_after(10):
        async with serving(handler, tls, ca=ca.cert_pem.bytes(), request_cert=True, reject_unauthorized=False) as srv:
            await (await https.get(srv.url(), ca=ca.cert_pem.bytes(), agent=False).response()).aclose()
    assert seen == [(False, "UNABLE_TO_GET_ISSUER_CERT")]


# -- bad input against the server ---------------------------------------------------------


async def test_plain_http_to_the_tls_port(ca: trustme.CA, tls: dict[str, Any], quiet: Callable[[], None]) -> None:
    with trio.fail_after(10):
        async with serving(echo_url, tls) as srv:
            plain = await trio.open_tcp_stream("127.0.0.1", srv.port)
            await plain.send_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            # Nothing HTTP comes back (Node sends nothing either); the connection closes.
            assert b"HTTP/1.1" not in await read_until_close(plain)
            await plain.aclose()
            res = await https.get(srv.url("/next"), ca=ca.cert_pem.bytes(), agent=False).response()
            assert await body_of(res) == b"GET /next"
    assert srv.events[0] == ("tlsClientError", "ERR_SSL_HTTP_REQUEST")
    quiet()


async def test_tls_to_the_plain_port_is_eproto(ca: trustme.CA) -> None:
    async with ns.open_scope():
        server = http.create_server(echo_url)
        await server.listen(0, "127.0.0.1")
        port = server.address()["port"]  # type: ignore[index]
        with trio.fail_after(10):
            with pytest.raises(ns.NodeError) as info:
                await https.get(f"https://localhost:{port}/", ca=ca.cert_pem.bytes(), agent=False).response()
            res = await http.get(f"http://localhost:{port}/plain").response()
            assert await body_of(res) == b"GET /plain"
        server.close()
        server.close_all_connections()
    # The server's 400 is what the client's TLS meets: not TLS at all (Node's EPROTO).
    assert info.value.code == "EPROTO"


async def test_stalled_handshake_closed_at_handshake_timeout(
    tls: dict[str, Any], autojump_clock: trio.testing.MockClock, quiet: Callable[[], None]
) -> None:
    async with ns.open_scope() as scope:
        server = https.create_server(tls, echo_url, handshake_timeout=5_000)
        errors: list[Any] = []
        server.on("tlsClientError", lambda err, sock: errors.append((err.code, trio.current_time())))
        client, server_end = trio.testing.memory_stream_pair()
        start = trio.current_time()
        with trio.fail_after(60):
            scope.start_soon(server.serve_connection, server_end)
            await client.send_all(b"\x16\x03\x01")  # a hello that never completes
            assert await read_until_close(client) == b""
    assert errors == [("ERR_TLS_HANDSHAKE_TIMEOUT", start + 5)]
    quiet()


async def test_default_handshake_timeout_is_node_s(tls: dict[str, Any], autojump_clock: trio.testing.MockClock) -> None:
    async with ns.open_scope() as scope:
        server = https.create_server(tls, echo_url)
        assert server.handshake_timeout == 120_000
        client, server_end = trio.testing.memory_stream_pair()
        with trio.fail_after(600):
            scope.start_soon(server.serve_connection, server_end)
            await read_until_close(client)
        assert trio.current_time() == pytest.approx(120)


async def test_headers_timeout_over_tls(ca: trustme.CA, tls: dict[str, Any], autojump_clock: trio.testing.MockClock) -> None:
    """The http timers run over TLS too, from the end of the handshake: a silent client gets 408."""
    async with ns.open_scope() as scope:
        server = https.create_server(tls, echo_url, headers_timeout=2_000, request_timeout=3_000)
        client_end, server_end = trio.testing.memory_stream_pair()
        client = trio.SSLStream(client_end, client_ctx(ca), server_hostname="localhost", https_compatible=True)
        with trio.fail_after(60):
            scope.start_soon(server.serve_connection, server_end)
            await trio.sleep(1)  # time passes before the handshake: it does not count
            await client.do_handshake()
            start = trio.current_time()
            await client.send_all(b"GET / HTTP/1.1\r\n")
            raw = await read_until_close(client)
        assert raw.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        assert trio.current_time() - start == pytest.approx(2)


async def test_peer_reset_mid_handshake(ca: trustme.CA, tls: dict[str, Any], quiet: Callable[[], None]) -> None:
    with trio.fail_after(10):
        async with serving(echo_url, tls) as srv:
            sock = stdsocket.create_connection(("127.0.0.1", srv.port))
            sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # the start of a ClientHello
            sock.setsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # RST
            await srv.wait_for(lambda: bool(srv.events))
            res = await https.get(srv.url("/after"), ca=ca.cert_pem.bytes(), agent=False).response()
            assert await body_of(res) == b"GET /after"
    assert srv.events[0] == ("tlsClientError", "ECONNRESET")
    quiet()


async def test_request_body_cut_without_close_notify(ca: trustme.CA, tls: dict[str, Any], quiet: Callable[[], None]) -> None:
    outcome: list[Any] = []
    done = trio.Event()

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("aborted", lambda: outcome.append("aborted"))
        try:
            await body_of(req)
        except trio.Cancelled:
            # The response can never be finished now: its handler is cancelled.
            outcome.append("cancelled")
            done.set()
            raise
        outcome.append("complete")

    with trio.fail_after(10):
        async with serving(handler, tls) as srv:
            stream = await tls_connect(srv.port, ca)
            await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
            await srv.wait_for(lambda: ("request", "/") in srv.events)
            await trio.aclose_forcefully(stream.transport_stream)  # TCP close, no close_notify
            await done.wait()
    assert outcome == ["aborted", "cancelled"]
    quiet()


# -- the client ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert", "options", "code"),
    [
        ("server", {}, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
        ("selfsigned", {}, "DEPTH_ZERO_SELF_SIGNED_CERT"),
        ("server-with-root", {"ca": "other-ca.pem"}, "SELF_SIGNED_CERT_IN_CHAIN"),
        ("expired", {"ca": "ca.pem"}, "CERT_HAS_EXPIRED"),
        ("wronghost", {"ca": "ca.pem"}, "ERR_TLS_CERT_ALTNAME_INVALID"),
        (
            "server",
            {"ca": "ca.pem", "min_version": "TLSv1.3", "max_version": "TLSv1.3", "force_tls12": True},
            "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
        ),
    ],
)
async def test_client_error_codes(cert: str, options: dict[str, Any], code: str, quiet: Callable[[], None]) -> None:
    options = dict(options)
    key = "server-key.pem" if cert == "server-with-root" else f"{cert}-key.pem"
    server_opts: dict[str, Any] = {"key": read(key), "cert": read(f"{cert}.pem")}
    if options.pop("force_tls12", False):
        server_opts["max_version"] = "TLSv1.2"
    if "ca" in options:
        options["ca"] = read(options["ca"])
    with trio.fail_after(10):
        async with serving(echo_url, server_opts) as srv:
            req = https.get(srv.url(), agent=False, **options)
            errors: list[Any] = []
            req.on("error", errors.append)
            with pytest.raises(ns.NodeError) as info:
                await req.response()
            # The server's side is the client's fault: a quiet 'tlsClientError'.
            await srv.wait_for(lambda: bool(srv.events))
    assert info.value.code == code
    assert errors == [info.value]
    assert srv.events[0][0] == "tlsClientError"
    quiet()


async def test_reject_unauthorized_false_and_check_server_identity(ca: trustme.CA, tls: dict[str, Any]) -> None:
    with trio.fail_after(10):
        async with serving(echo_url, tls) as srv:
            req = https.get(srv.url(), reject_unauthorized=False, agent=False)
            res = await req.response()
            assert await body_of(res) == b"GET /"
            assert req.socket.authorized is False  # type: ignore[union-attr]

            calls: list[tuple[str, str]] = []

            def refuse(host: str, cert: dict[str, Any]) -> Exception | None:
                calls.append((host, cert["subjectaltname"]))
                return ns.NodeError("ERR_TLS_CERT_ALTNAME_INVALID", "pinned elsewhere")

            req = https.get(srv.url(), ca=ca.cert_pem.bytes(), check_server_identity=refuse, agent=False)
            with pytest.raises(ns.NodeError, match="pinned elsewhere"):
                await req.response()

            # The user's check replaces the name check: a name the certificate lacks passes.
            req = https.get(host="127.0.0.1", port=srv.port, servername="not-in-cert.test", agent=False,
                            ca=ca.cert_pem.bytes(), check_server_identity=lambda host, cert: None)  # fmt: skip
            assert (await req.response()).status_code == 200
    assert calls == [("localhost", "DNS:localhost, IP Address:127.0.0.1")]


async def test_response_cut_without_close_notify(ca: trustme.CA, tls: dict[str, Any], quiet: Callable[[], None]) -> None:
    """A server that drops TCP mid-body: the response is aborted (ECONNRESET), not complete."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(server_ctx)

    async def serve(tcp: trio.SocketStream) -> None:
        stream = trio.SSLStream(tcp, server_ctx, server_side=True, https_compatible=True)
        await stream.receive_some(65536)
        await stream.send_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        await trio.aclose_forcefully(tcp)

    async with ns.open_scope(), trio.open_nursery() as nursery:
        listeners = await nursery.start(trio.serve_tcp, serve, 0)
        port = listeners[0].socket.getsockname()[1]
        with trio.fail_after(10):
            res = await https.get(f"https://localhost:{port}/", ca=ca.cert_pem.bytes(), agent=False).response()
            with pytest.raises(ns.NodeError) as info:
                await body_of(res)
        nursery.cancel_scope.cancel()
    assert info.value.code == "ECONNRESET"
    quiet()


async def test_protocol_and_options_checks(tls: dict[str, Any]) -> None:
    async with ns.open_scope():
        with pytest.raises(ns.NodeError) as info:
            https.get("http://localhost/")
        assert info.value.code == "ERR_INVALID_PROTOCOL"
        with pytest.raises(ns.NodeError) as info:
            https.create_server({"key": tls["key"]})
        assert info.value.code == "ERR_INVALID_ARG_VALUE"
        with pytest.raises(ns.NodeError) as info:
            https.create_server(tls, min_version="TLSv9")
        assert info.value.code == "ERR_TLS_INVALID_PROTOCOL_VERSION"
        with pytest.raises(TypeError):
            https.Agent(cafile="x")
    assert https.global_agent.default_port == 443 and https.global_agent.protocol == "https:"


# -- through an http proxy (CONNECT) ------------------------------------------------------


class Proxy:
    """A CONNECT proxy on 127.0.0.1 that records what it was asked; ``refuse`` answers 407."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.heads: list[bytes] = []
        self.port = 0

    async def handle(self, client: trio.SocketStream) -> None:
        async with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = await client.receive_some(4096)
                if not chunk:
                    return
                head += chunk
            self.heads.append(head)
            if self.refuse:
                await client.send_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = head.split(b" ")[1].decode().rpartition(":")
            upstream = await trio.open_tcp_stream(host.strip("[]"), int(port))
            async with upstream:
                await client.send_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")

                async def pump(src: trio.SocketStream, dst: trio.SocketStream) -> None:
                    try:
                        while data := await src.receive_some(65536):
                            await dst.send_all(data)
                        await dst.send_eof()
                    except (trio.BrokenResourceError, trio.ClosedResourceError):
                        pass

                async with trio.open_nursery() as nursery:
                    nursery.start_soon(pump, client, upstream)
                    nursery.start_soon(pump, upstream, client)


@asynccontextmanager
async def proxying(refuse: bool = False) -> AsyncIterator[Proxy]:
    proxy = Proxy(refuse)
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(trio.serve_tcp, proxy.handle, 0)
        proxy.port = listeners[0].socket.getsockname()[1]
        yield proxy
        nursery.cancel_scope.cancel()


async def test_requests_through_a_connect_proxy(ca: trustme.CA, tls: dict[str, Any]) -> None:
    payload = bytes(range(256)) * 4096
    with trio.fail_after(20):
        async with proxying() as proxy, serving(hash_handler, tls) as srv:
            agent = https.Agent(keep_alive=True, ca=ca.cert_pem.bytes(), proxy=f"http://user:pw@127.0.0.1:{proxy.port}")
            res = await https.get(srv.url("/x"), agent=agent).response()
            assert await body_of(res) == b"GET /x"
            req = https.request(srv.url("/hash"), method="POST", agent=agent)
            req.end(payload)
            res = await req.response()
            assert await body_of(res) == hashlib.sha256(payload).hexdigest().encode()
            assert req.reused_socket  # one tunnel, kept alive
            agent.destroy()
    assert len(proxy.heads) == 1
    head = proxy.heads[0].decode()
    assert head.startswith(f"CONNECT localhost:{srv.port} HTTP/1.1\r\nHost: localhost:{srv.port}\r\n")
    assert "Proxy-Authorization: Basic dXNlcjpwdw==\r\n" in head


async def test_proxy_refusal_and_proxy_env(
    ca: trustme.CA, tls: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with trio.fail_after(20):
        async with proxying(refuse=True) as proxy, serving(echo_url, tls) as srv:
            agent = https.Agent(ca=ca.cert_pem.bytes(), proxy=f"http://127.0.0.1:{proxy.port}")
            with pytest.raises(ns.NodeError) as info:
                await https.get(srv.url(), agent=agent).response()
            assert info.value.code == "ERR_PROXY_TUNNEL" and "407" in str(info.value)

            monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
            monkeypatch.setenv("NO_PROXY", "example.test,.other.test")
            env_agent = https.Agent(ca=ca.cert_pem.bytes(), proxy_env=True)
            assert env_agent.proxy_for("localhost") == f"http://127.0.0.1:{proxy.port}"
            assert env_agent.proxy_for("example.test") is None
            assert env_agent.proxy_for("a.other.test") is None
            assert https.Agent(ca=ca.cert_pem.bytes()).proxy_for("localhost") is None  # opt-in
            with pytest.raises(ns.NodeError) as info:
                await https.get(srv.url(), agent=env_agent).response()
            assert info.value.code == "ERR_PROXY_TUNNEL"
    assert len(proxy.heads) == 2
    with pytest.raises(ns.NodeError) as bad:
        https.Agent(proxy="socks5://127.0.0.1:1080")
    assert bad.value.code == "ERR_INVALID_ARG_VALUE"


async def hash_handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    if req.url != "/hash":
        res.end(f"{req.method} {req.url}")
        return
    digest = hashlib.sha256()
    async for chunk in req:
        digest.update(chunk)
    res.end(digest.hexdigest())


# -- a large transfer both ways ------------------------------------------------------------

TLS_BYTES = int(os.environ.get("TNS_TLS_BYTES", 256 * 1024 * 1024))


def blocks(total: int, seed: int) -> Iterator[bytes]:
    """``total`` pseudo-random bytes in 256 KiB blocks, never all in memory."""
    rng = random.Random(seed)
    sent = 0
    while sent < total:
        size = min(256 * 1024, total - sent)
        yield rng.randbytes(size)
        sent += size


async def test_large_upload_and_download_keep_sha256(ca: trustme.CA, tls: dict[str, Any]) -> None:
    """TNS_TLS_BYTES (256 MiB) up and down over TLS, hashed on the fly; buffers stay bounded."""
    expected = hashlib.sha256()
    for block in blocks(TLS_BYTES, 1):
        expected.update(block)
    peak = [0]

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/hash":
            await hash_handler(req, res)
            return
        for block in blocks(TLS_BYTES, 1):
            await res.send_all(block)
            peak[0] = max(peak[0], res.writable_length + (req.socket.writable_length if req.socket else 0))
        res.end()

    with trio.fail_after(300):
        async with serving(handler, tls) as srv:
            req = https.request(srv.url("/hash"), method="POST", ca=ca.cert_pem.bytes(), agent=False)
            for block in blocks(TLS_BYTES, 1):
                await req.send_all(block)
            req.end()
            res = await req.response()
            assert await body_of(res) == expected.hexdigest().encode()

            res = await https.get(srv.url("/down"), ca=ca.cert_pem.bytes(), agent=False).response()
            got = hashlib.sha256()
            size = 0
            async for chunk in res:
                got.update(chunk)
                size += len(chunk)
    assert size == TLS_BYTES
    assert got.hexdigest() == expected.hexdigest()
    assert peak[0] <= 2 * 1024 * 1024  # back-pressure: the sender waits, nothing piles up
