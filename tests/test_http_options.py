"""Server and client options of Node's http module that the byte-level twins do not touch.

Each test runs one exchange over ``trio.testing.memory_stream_pair()`` (the server
through ``Server.serve_connection``, the client through an ``Agent`` whose
``create_connection`` hands out the memory stream), or over 127.0.0.1 where the
option is a socket option. Expectations follow Node 20 (lib/_http_server.js,
lib/_http_client.js, lib/_http_incoming.js, lib/_http_outgoing.js); the port's
source is named in each docstring.
"""

from __future__ import annotations

import socket as stdsocket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio
import trio.testing

import trio_nodestreams as ns
from trio_nodestreams import http

from . import leakcheck

# After each test: no task, fd or connection object left (tests/conftest.py).
pytestmark = pytest.mark.leak_check

DEADLINE = 10
Handler = Callable[[http.IncomingMessage, http.ServerResponse], object]


async def exchange(server: http.Server, request: bytes) -> bytes:
    """Send ``request`` on a new connection served by ``server``; return all it answered.

    The request should say ``Connection: close`` so that the server ends the connection.
    """
    client, server_end = trio.testing.memory_stream_pair()
    received = bytearray()
    with leakcheck.error_log() as errors:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(server.serve_connection, server_end)
            await client.send_all(request)
            while True:
                try:
                    chunk = await client.receive_some()
                except trio.BrokenResourceError:
                    break
                if not chunk:
                    break
                received += chunk
            await client.aclose()
    assert not errors.bad, errors.bad
    return bytes(received)


def head_lines(answer: bytes) -> list[str]:
    """The header lines of the first response in ``answer``."""
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return head.split("\r\n")[1:]


# -- server options --------------------------------------------------------------------------


async def test_server_join_duplicate_headers() -> None:
    """Node 20's joinDuplicateHeaders (lib/_http_incoming.js, matchKnownFields): a field
    that keeps its first value by default is joined with ", " under the option; other
    fields are joined either way."""
    seen: list[dict[str, Any]] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        seen.append(dict(req.headers))
        res.end("ok")

    request = (
        b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\nUser-Agent: b\r\n"
        b"X-Multi: 1\r\nX-Multi: 2\r\nConnection: close\r\n\r\n"
    )
    with trio.fail_after(DEADLINE):
        await exchange(http.create_server(handler), request)
        await exchange(http.create_server(handler, join_duplicate_headers=True), request)
    assert seen[0]["user-agent"] == "a" and seen[0]["x-multi"] == "1, 2"
    assert seen[1]["user-agent"] == "a, b" and seen[1]["x-multi"] == "1, 2"


async def test_server_max_headers_count() -> None:
    """Port of test/parallel/test-http-max-headers-count.js (server side): req.headers keeps
    only the first maxHeadersCount pairs, req.rawHeaders keeps them all; 0 means no limit."""
    seen: list[tuple[int, int]] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        seen.append((len(req.headers), len(req.raw_headers)))
        res.end("ok")

    fields = b"".join(b"X-F%d: %d\r\n" % (i, i) for i in range(10))
    request = b"GET / HTTP/1.1\r\nHost: x\r\n" + fields + b"Connection: close\r\n\r\n"
    with trio.fail_after(DEADLINE):
        server = http.create_server(handler)
        assert server.max_headers_count is None  # Node's default: 2000 pairs
        server.max_headers_count = 3
        await exchange(server, request)
        server.max_headers_count = 0
        await exchange(server, request)
    assert seen == [(3, 24), (12, 24)]


async def test_server_unique_headers() -> None:
    """Port of test/parallel/test-http-multiple-headers.js (server side): a field named in
    uniqueHeaders goes out as one line joined with "; ", others as one line per value."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.set_header("X-Unique", ["a", "b"])
        res.set_header("X-Split", ["c", "d"])
        res.end("ok")

    with trio.fail_after(DEADLINE):
        answer = await exchange(
            http.create_server(handler, unique_headers=["x-UNIQUE"]),
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    lines = head_lines(answer)
    assert "X-Unique: a; b" in lines
    assert "X-Split: c" in lines and "X-Split: d" in lines


async def test_server_insecure_http_parser() -> None:
    """Port of test/parallel/test-http-insecure-parser.js: a header value with a control
    character is refused (400) by the strict parser and accepted under insecureHTTPParser."""
    seen: list[str] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        seen.append(req.headers["x-bad"])
        res.end("ok")

    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\nConnection: close\r\n\r\n"
    with trio.fail_after(DEADLINE):
        strict = await exchange(http.create_server(handler), request)
        lenient = await exchange(http.create_server(handler, insecure_http_parser=True), request)
    assert strict.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert lenient.startswith(b"HTTP/1.1 200 OK\r\n") and lenient.endswith(b"ok")
    assert seen == ["a\x01b"]


async def test_request_set_timeout_reaches_its_listener(autojump_clock: trio.testing.MockClock) -> None:
    """Port of test/parallel/test-http-set-timeout-server.js (the request's form):
    req.setTimeout(msecs, callback) sets the socket's timeout; the callback hears it, and
    listening keeps the socket open until the request completes and is answered."""
    heard: list[float] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        assert req.set_timeout(500, lambda *_: heard.append(trio.current_time())) is req
        req.on("end", lambda: res.end("ok"))
        req.resume()

    client, server_end = trio.testing.memory_stream_pair()
    server = http.create_server(handler)
    received = bytearray()
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(server.serve_connection, server_end)
            start = trio.current_time()
            await client.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nab")
            await trio.sleep(2)
            await client.send_all(b"cd")
            while chunk := await client.receive_some():
                received += chunk
            await client.aclose()
    assert len(heard) == 1 and heard[0] - start == pytest.approx(0.5)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"ok")


async def test_server_socket_options_on_accepted_connections() -> None:
    """The server's noDelay and keepAlive options (lib/_http_server.js,
    connectionListenerInternal): TCP_NODELAY is on by default on every accepted
    connection, and keepAlive turns SO_KEEPALIVE on."""
    options: list[tuple[int, int]] = []

    def on_connection(sock: http.Socket) -> None:
        stream = sock.stream
        assert isinstance(stream, trio.SocketStream)
        options.append(
            (
                stream.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_NODELAY),
                stream.getsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_KEEPALIVE),
            )
        )

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.end("ok")

    with trio.fail_after(DEADLINE):
        for keep_alive in (False, True):
            async with ns.open_scope():
                server = http.create_server(handler, keep_alive=keep_alive, keep_alive_initial_delay=2000)
                server.on("connection", on_connection)
                await server.listen(0, "127.0.0.1")
                port = server.address()["port"]  # type: ignore[index]
                stream = await trio.open_tcp_stream("127.0.0.1", port)
                await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                while await stream.receive_some():
                    pass
                await stream.aclose()
                server.close()
    assert options[0][0] != 0 and options[0][1] == 0
    assert options[1][0] != 0 and options[1][1] != 0


# -- client options ---------------------------------------------------------------------------


def whole(got: bytearray) -> bool:
    """Whether ``got`` holds a whole request (a head, and a chunked body's last chunk and trailers)."""
    head, sep, body = bytes(got).partition(b"\r\n\r\n")
    if not sep:
        return False
    if b"\r\ntransfer-encoding: chunked" not in head.lower():
        return True
    end = body.find(b"0\r\n")
    while end > 0 and body[end - 2 : end] != b"\r\n":
        end = body.find(b"0\r\n", end + 1)
    return end >= 0 and body.endswith(b"\r\n\r\n", end)


def canned(answer: bytes, requests: list[bytes]) -> Callable[[dict[str, Any]], Awaitable[trio.abc.Stream]]:
    """An Agent ``create_connection`` whose peer reads one request head and answers ``answer``."""

    async def peer(stream: trio.abc.Stream) -> None:
        got = bytearray()
        try:
            while not whole(got):
                chunk = await stream.receive_some()
                if not chunk:
                    break
                got += chunk
            requests.append(bytes(got))
            await stream.send_all(answer)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            await stream.aclose()

    async def create_connection(options: dict[str, Any]) -> trio.abc.Stream:
        client, server_end = trio.testing.memory_stream_pair()
        ns.current_scope().nursery.start_soon(peer, server_end)
        return client

    return create_connection


async def fetch(answer: bytes, **options: Any) -> tuple[http.ClientRequest, http.IncomingMessage | BaseException, list[bytes]]:
    """One request through a canned peer: the request, its response (or error), the bytes sent."""
    requests: list[bytes] = []
    with trio.fail_after(DEADLINE):
        async with ns.open_scope():
            agent = http.Agent(create_connection=canned(answer, requests))
            setup = options.pop("setup", None)
            req = http.request(host="peer.test", port=80, agent=agent, **options)
            if setup is not None:
                setup(req)
            req.end()
            try:
                res: http.IncomingMessage | BaseException = await req.response()
            except ns.NodeError as exc:
                res = exc
            else:
                assert isinstance(res, http.IncomingMessage)
                async for _chunk in res:
                    pass
            agent.destroy()
    return req, res, requests


async def test_client_create_connection_request_option() -> None:
    """Port of test/parallel/test-http-createConnection.js: the request's createConnection
    option opens the connection instead of TCP, and gets the request's options."""
    requests: list[bytes] = []
    seen: list[dict[str, Any]] = []
    inner = canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", requests)

    async def create_connection(options: dict[str, Any]) -> trio.abc.Stream:
        seen.append(options)
        return await inner(options)

    with trio.fail_after(DEADLINE):
        async with ns.open_scope():
            req = http.get(host="peer.test", port=8080, path="/x", agent=False, create_connection=create_connection)
            res = await req.response()
            assert b"".join([bytes(c) async for c in res]) == b"ok"
    assert seen[0]["host"] == "peer.test" and seen[0]["port"] == 8080
    assert requests[0].startswith(b"GET /x HTTP/1.1\r\n") and b"\r\nHost: peer.test:8080\r\n" in requests[0]


async def test_client_join_duplicate_headers_and_max_headers_count() -> None:
    """Port of test/parallel/test-http-max-headers-count.js (client side), and the request's
    joinDuplicateHeaders option: it joins a field that keeps its first value by default;
    maxHeadersCount limits res.headers, not rawHeaders."""
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: a\r\nContent-Type: b\r\nX-A: 1\r\nX-B: 2\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    _req, plain, _sent = await fetch(answer)
    _req, joined, _sent = await fetch(answer, join_duplicate_headers=True)

    def limit(req: http.ClientRequest) -> None:
        req.max_headers_count = 2

    _req, limited, _sent = await fetch(answer, setup=limit)
    assert isinstance(plain, http.IncomingMessage) and plain.headers["content-type"] == "a"
    assert isinstance(joined, http.IncomingMessage) and joined.headers["content-type"] == "a, b"
    assert isinstance(limited, http.IncomingMessage)
    assert limited.headers == {"content-type": "a"} and len(limited.raw_headers) == 10


async def test_client_insecure_http_parser() -> None:
    """Port of test/parallel/test-http-insecure-parser.js (client side): a response header
    with a control character is an HPE_* error for the strict parser, and accepted under
    insecureHTTPParser."""
    answer = b"HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nContent-Length: 2\r\n\r\nok"
    _req, strict, _sent = await fetch(answer)
    _req, lenient, _sent = await fetch(answer, insecure_http_parser=True)
    assert isinstance(strict, ns.NodeError) and strict.code.startswith("HPE_")
    assert isinstance(lenient, http.IncomingMessage) and lenient.headers["x-bad"] == "a\x01b"


async def test_client_unique_headers_trailers_and_finished() -> None:
    """Port of test/parallel/test-http-multiple-headers.js (client side), with
    request.finished and writableFinished: uniqueHeaders joins a field into one line ("; "); addTrailers
    sends trailers after a chunked body; finished is set by end(), writableFinished once
    the request was handed to the connection."""
    states: list[tuple[bool, bool]] = []

    def setup(req: http.ClientRequest) -> None:
        req.set_header("X-Unique", ["a", "b"])
        req.set_header("X-Split", ["c", "d"])
        req.set_header("Trailer", "X-Sum")
        req.write("body")
        req.add_trailers({"X-Sum": "42"})
        states.append((req.finished, req.writable_finished))
        req.on("finish", lambda: states.append((req.finished, req.writable_finished)))

    _req, res, sent = await fetch(
        b"HTTP/1.1 204 No Content\r\n\r\n", method="POST", unique_headers=["X-UNIQUE"], setup=setup
    )
    assert isinstance(res, http.IncomingMessage) and res.status_code == 204
    assert states == [(False, False), (True, True)]
    head = sent[0].decode("latin-1")
    assert "\r\nX-Unique: a; b\r\n" in head and "\r\nX-Split: c\r\nX-Split: d\r\n" in head
    assert "\r\nTransfer-Encoding: chunked\r\n" in head


# -- Agent options ----------------------------------------------------------------------------


def served_by(server: http.Server) -> Callable[[dict[str, Any]], Awaitable[trio.abc.Stream]]:
    """An Agent ``create_connection`` whose connections ``server`` serves (in the current scope)."""

    async def create_connection(options: dict[str, Any]) -> trio.abc.Stream:
        client, server_end = trio.testing.memory_stream_pair()
        ns.current_scope().nursery.start_soon(server.serve_connection, server_end)
        return client

    return create_connection


def ok(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    res.end("ok")


def get(host: str, agent: http.Agent) -> http.ClientRequest:
    """A GET whose response is kept for :func:`body` (a response nobody listens for is dumped)."""
    return http.get(host=host, agent=agent, callback=lambda res: None)


async def body(req: http.ClientRequest) -> bytes:
    res = await req.response()
    return b"".join([bytes(chunk) async for chunk in res])


async def test_agent_scheduling_max_free_sockets_and_timeout(autojump_clock: trio.testing.MockClock) -> None:
    """Port of test/parallel/test-http-agent-scheduling.js and test-http-agent-timeout.js:
    'lifo' reuses the connection freed last, 'fifo' the one freed first; maxFreeSockets
    bounds the free list (a connection past it is closed); a free connection idle for the
    agent's timeout is closed and leaves the pool."""
    server = http.create_server(ok)
    reused: dict[str, bool] = {}
    with trio.fail_after(60):
        for scheduling in ("lifo", "fifo"):
            async with ns.open_scope():
                agent = http.Agent(
                    keep_alive=True, scheduling=scheduling, timeout=1000, create_connection=served_by(server)
                )
                first = get("peer.test", agent)
                second = get("peer.test", agent)
                assert await body(first) == b"ok"
                assert await body(second) == b"ok"
                await trio.testing.wait_all_tasks_blocked()
                assert agent.free_sockets["peer.test:80:"] == [first.socket, second.socket]
                third = get("peer.test", agent)
                assert await body(third) == b"ok"
                reused[scheduling] = third.socket is (second.socket if scheduling == "lifo" else first.socket)
                assert third.reused_socket
                await trio.sleep(0.9)
                assert len(agent.free_sockets["peer.test:80:"]) == 2
                await trio.sleep(0.2)  # each connection idle for the timeout: closed
                assert agent.free_sockets == {} and agent.sockets == {}
        async with ns.open_scope():
            agent = http.Agent(keep_alive=True, max_free_sockets=1, create_connection=served_by(server))
            first = get("peer.test", agent)
            second = get("peer.test", agent)
            assert await body(first) == b"ok"
            assert await body(second) == b"ok"
            await trio.testing.wait_all_tasks_blocked()
            assert agent.free_sockets["peer.test:80:"] == [first.socket]
            assert second.socket is not None and second.socket.destroyed
            agent.destroy()
    assert reused == {"lifo": True, "fifo": True}


async def test_agent_max_total_sockets_queues_requests_of_any_origin() -> None:
    """After test/parallel/test-http-agent-maxtotalsockets.js: past maxTotalSockets a request
    waits in agent.requests even for an origin with no connection; a free connection of
    its own origin serves it."""
    server = http.create_server(ok)
    with trio.fail_after(DEADLINE):
        async with ns.open_scope():
            agent = http.Agent(keep_alive=True, max_total_sockets=1, create_connection=served_by(server))
            first = get("a.test", agent)
            other = get("b.test", agent)
            again = get("a.test", agent)
            assert list(agent.sockets) == ["a.test:80:"]
            assert {name: len(queue) for name, queue in agent.requests.items()} == {"b.test:80:": 1, "a.test:80:": 1}
            assert await body(first) == b"ok"
            assert await body(again) == b"ok"
            assert again.socket is first.socket
            other.on("error", lambda err: None)
            other.destroy()
            agent.destroy()


async def test_request_local_address() -> None:
    """Port of test/parallel/test-http-localaddress.js: localAddress binds the connection's
    local end (and is part of the pool's key)."""
    with trio.fail_after(DEADLINE):
        async with ns.open_scope():
            server = http.create_server(lambda req, res: res.end(req.socket.remote_address))
            await server.listen(0, "127.0.0.1")
            port = server.address()["port"]  # type: ignore[index]
            req = http.get(host="127.0.0.1", port=port, local_address="127.0.0.2", agent=False)
            assert await body(req) == b"127.0.0.2"
            assert req.socket is not None and req.socket.local_address == "127.0.0.2"
            server.close()


# -- the Socket ------------------------------------------------------------------------------


async def test_socket_counts_addresses_and_close() -> None:
    """Node's net.Socket surface of a server connection (after
    test/parallel/test-http-byteswritten.js): bytesRead and bytesWritten count the wire bytes,
    address() is the local end, remote* the peer, and 'close' says whether an error closed it."""
    sockets: list[http.Socket] = []
    closes: list[bool] = []

    def on_connection(sock: http.Socket) -> None:
        sockets.append(sock)
        sock.on("close", closes.append)

    request = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = bytearray()
    with trio.fail_after(DEADLINE):
        async with ns.open_scope():
            server = http.create_server(ok)
            server.on("connection", on_connection)
            await server.listen(0, "127.0.0.1")
            port = server.address()["port"]  # type: ignore[index]
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            await stream.send_all(request)
            while chunk := await stream.receive_some():
                answer += chunk
            client_port = stream.socket.getsockname()[1]
            await stream.aclose()
            server.close()
    sock = sockets[0]
    assert sock.bytes_read == len(request) and sock.bytes_written == len(answer)
    assert sock.address() == {"address": "127.0.0.1", "family": "IPv4", "port": port}
    assert (sock.remote_address, sock.remote_port, sock.remote_family) == ("127.0.0.1", client_port, "IPv4")
    assert sock.destroyed and closes == [False]


async def test_response_pipe_is_an_error() -> None:
    """Node's OutgoingMessage.pipe: an outgoing message cannot be read from, so pipe()
    emits 'error' with ERR_STREAM_CANNOT_PIPE (and the response can still be ended)."""
    codes: list[str] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.on("error", lambda err: codes.append(err.code))
        res.pipe(ns.PassThrough())
        res.end("ok")

    with trio.fail_after(DEADLINE):
        answer = await exchange(http.create_server(handler), b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert codes == ["ERR_STREAM_CANNOT_PIPE"] and answer.endswith(b"ok")


async def test_agent_keep_alive_msecs_sets_the_tcp_keep_alive_delay() -> None:
    """Node's keepAliveMsecs: pooled connections get SO_KEEPALIVE with that initial delay
    (TCP_KEEPIDLE, in whole seconds, where the platform has it)."""
    with trio.fail_after(DEADLINE):
        async with ns.open_scope():
            server = http.create_server(ok)
            await server.listen(0, "127.0.0.1")
            port = server.address()["port"]  # type: ignore[index]
            agent = http.Agent(keep_alive=True, keep_alive_msecs=3000)
            req = http.get(host="127.0.0.1", port=port, agent=agent, callback=lambda res: None)
            assert await body(req) == b"ok"
            assert req.socket is not None
            stream = req.socket.stream
            assert isinstance(stream, trio.SocketStream)
            assert stream.getsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_KEEPALIVE) != 0
            if hasattr(stdsocket, "TCP_KEEPIDLE"):
                assert stream.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_KEEPIDLE) == 3
            agent.destroy()
            server.close()
