"""Twins of tests/scenarios/http_client: our http client against Node's golden logs.

Each twin runs the scenario's raw server (tests/scenarios/http_client/lib/raw.js,
ported below: it records the exact bytes each request arrived as and answers
canned bytes) and drives our client as the scenario drives Node's. The server's
lines are logged first, then the client's, as raw.js does.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

import trio

import trio_nodestreams as ns
from trio_nodestreams import http

from ._golden import Log, scenario, set_immediate, settle

_PORT = re.compile(r"127\.0\.0\.1:\d+")


def mask(text: str) -> str:
    return _PORT.sub("127.0.0.1:<PORT>", text)


def js_json(value: Any) -> str:
    """JSON.stringify."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def split(buf: str) -> tuple[list[str], str]:
    """raw.js ``split``: the complete requests in ``buf`` and the rest."""
    out = []
    rest = buf
    while True:
        end = rest.find("\r\n\r\n")
        if end < 0:
            break
        head = rest[: end + 4]
        lower = head.lower()
        size = len(head)
        cl = re.search(r"\r\ncontent-length: *(\d+)", lower)
        if re.search(r"\r\ntransfer-encoding: *chunked", lower):
            if rest.startswith("0\r\n\r\n", end + 4):
                size = end + 4 + 5
            else:
                term = rest.find("\r\n0\r\n\r\n", end)
                if term < 0:
                    break
                size = term + 7
        elif cl:
            size = len(head) + int(cl.group(1))
            if len(rest) < size:
                break
        out.append(rest[:size])
        rest = rest[size:]
    return out, rest


class Conn:
    def __init__(self, n: int, stream: trio.SocketStream) -> None:
        self.n = n
        self.stream = stream
        self.buf = ""
        self.heads = 0
        #: Called with every later chunk once set (a 'data' listener added by onRequest).
        self.on_data: Callable[[bytes], object] | None = None
        #: Called when the client ends its side (the socket's 'end').
        self.on_end: Callable[[], object] | None = None

    def write(self, data: str) -> None:
        os.write(self.stream.socket.fileno(), data.encode("latin-1"))

    def end(self, data: str = "") -> None:
        if data:
            self.write(data)
        self.stream.socket.shutdown(1)

    def destroy(self) -> None:
        self.stream.socket.close()


class RawServer:
    """raw.js ``rawServer``."""

    def __init__(
        self,
        on_request: Callable[[Conn, str, int], object],
        on_head: Callable[[Conn, str], object] | None = None,
    ) -> None:
        self.on_request = on_request
        self.on_head = on_head
        self.server_lines: list[list[Any]] = []
        self.client_lines: list[list[Any]] = []
        self.conns: list[Conn] = []
        self.count = 0
        self.port = 0
        self.cancel = trio.CancelScope()

    def slog(self, *a: Any) -> None:
        self.server_lines.append(["server", *a])

    def clog(self, *a: Any) -> None:
        self.client_lines.append(["client", *a])

    async def start(self) -> None:
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        self.listener = listeners[0]
        self.port = self.listener.socket.getsockname()[1]
        ns.current_scope().nursery.start_soon(self._accept)

    async def _accept(self) -> None:
        try:
            with self.cancel:
                async with trio.open_nursery() as nursery:
                    while True:
                        stream = await self.listener.accept()
                        conn = Conn(len(self.conns), stream)
                        self.conns.append(conn)
                        self.slog("connection", conn.n)
                        nursery.start_soon(self._serve, conn)
        finally:
            # also when a twin fails before finish(): leave no socket open behind it
            for c in self.conns:
                c.stream.socket.close()
            self.listener.socket.close()

    async def _serve(self, conn: Conn) -> None:
        while True:
            try:
                got = await conn.stream.receive_some(65536)
            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                return
            if not got:
                if conn.on_end is not None:
                    conn.on_end()
                # a net.Server socket does not stay half-open: it ends its side too
                try:
                    conn.stream.socket.shutdown(1)
                except OSError:
                    pass
                return
            if conn.on_data is not None:
                conn.on_data(got)
            conn.buf += got.decode("latin-1")
            if self.on_head is not None:
                idx = conn.buf.find("\r\n\r\n")
                if idx >= 0 and conn.heads == 0:
                    conn.heads = 1
                    self.on_head(conn, conn.buf[: idx + 4])
            requests, conn.buf = split(conn.buf)
            for text in requests:
                conn.heads = 0
                self.slog("request", conn.n, mask(text))
                self.on_request(conn, text, self.count)
                self.count += 1

    async def finish(self, log: Log) -> None:
        await settle()
        for line in self.server_lines:
            log(*line)
        for line in self.client_lines:
            log(*line)
        for c in self.conns:
            c.stream.socket.close()
        self.cancel.cancel()
        await self.listener.aclose()


def trace(req: http.ClientRequest, clog: Callable[..., None], *, body: bool = True, done: trio.Event | None = None) -> None:
    """raw.js ``trace``."""
    req.on("socket", lambda _s: clog("socket"))
    req.on("finish", lambda: clog("finish"))

    def on_response(res: http.IncomingMessage) -> None:
        clog("response", res.status_code, res.status_message, res.http_version, mask(js_json(res.raw_headers)))
        if body:
            res.on("data", lambda d: clog("data", d.decode("latin-1")))
            res.on("end", lambda: clog("end", res.complete, res.raw_trailers))
            res.on("close", lambda: clog("res close"))

    req.on("response", on_response)
    req.on("error", lambda e: clog("error", e))

    def on_close() -> None:
        clog("close")
        if done is not None:
            done.set()

    req.on("close", on_close)


async def serve(on_request: Callable[[Conn, str, int], object], on_head: Any = None) -> RawServer:
    s = RawServer(on_request, on_head)
    await s.start()
    return s


@scenario("http_client/get-basic")
async def test_get_basic(log: Log) -> None:
    """Port of test/parallel/test-http-client-get-url.js: bytes sent and the event order."""
    s = await serve(lambda c, t, n: c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Answer: yes\r\n\r\nhello"))
    done = trio.Event()
    req = http.get(f"http://127.0.0.1:{s.port}/path?q=1")
    s.clog("props", req.method, req.path, req.host, req.protocol, req.headers_sent, req.writable_ended)
    trace(req, s.clog, done=done)
    req.on("response", lambda res: s.clog("reused", req.reused_socket))
    await done.wait()
    await s.finish(log)


@scenario("http_client/end-data-content-length")
async def test_end_data_content_length(log: Log) -> None:
    """Port of test/parallel/test-http-content-length.js: end(data) alone sets Content-Length."""
    s = await serve(lambda c, t, n: c.write("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"))
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, method="POST", path="/up", agent=False)
    trace(req, s.clog, done=done)
    req.end("hello world")
    s.clog("after end", req.writable_ended, req.headers_sent)
    await done.wait()
    await s.finish(log)


@scenario("http_client/write-chunked")
async def test_write_chunked(log: Log) -> None:
    """Port of test/parallel/test-http-chunked.js (client side): write() first means chunked."""
    s = await serve(
        lambda c, t, n: c.write(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n"
        )
    )
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, method="PUT", path="/c", agent=False)
    trace(req, s.clog, done=done)
    s.clog("write", req.write("abc"))
    s.clog("write", req.write(""))
    s.clog("write", req.write(b"defg"))
    req.end("h")
    await done.wait()
    await s.finish(log)


@scenario("http_client/flush-headers")
async def test_flush_headers(log: Log) -> None:
    """Port of test/parallel/test-http-flush-headers.js: the head leaves before any body."""
    holder: dict[str, http.ClientRequest] = {}

    def on_head(conn: Conn, head: str) -> None:
        s.slog("head", len(head) > 0)
        set_immediate(lambda: holder["req"].end("body"))

    s = await serve(lambda c, t, n: c.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), on_head)
    done = trio.Event()
    req = holder["req"] = http.request(
        host="127.0.0.1", port=s.port, method="POST", agent=False, headers={"X-Test": "flush"}
    )
    trace(req, s.clog, done=done)
    req.flush_headers()
    s.clog("headersSent", req.headers_sent)
    try:
        req.set_header("X-Late", "1")
    except ns.NodeError as e:
        s.clog("setHeader", e)
    await done.wait()
    await s.finish(log)


@scenario("http_client/expect-continue")
async def test_expect_continue(log: Log) -> None:
    """Port of test/parallel/test-http-expect-continue.js (client side)."""

    def on_head(conn: Conn, head: str) -> None:
        s.slog("head", "100-continue" in head)
        conn.write("HTTP/1.1 100 Continue\r\n\r\n")

    s = await serve(lambda c, t, n: c.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone"), on_head)
    done = trio.Event()
    req = http.request(
        host="127.0.0.1", port=s.port, method="POST", agent=False,
        headers={"Expect": "100-continue", "Content-Length": 5},
    )  # fmt: skip
    s.clog("headersSent", req.headers_sent)
    trace(req, s.clog, done=done)

    def on_continue() -> None:
        s.clog("continue")
        req.end("hello")

    req.on("continue", on_continue)
    req.on("information", lambda info: s.clog("information", info.status_code))
    await done.wait()
    await s.finish(log)


@scenario("http_client/headers-order")
async def test_headers_order(log: Log) -> None:
    """Port of test/parallel/test-http-mutable-headers.js: header order, casing and the API."""
    s = await serve(
        lambda c, t, n: c.write(
            "HTTP/1.1 204 No Content\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\n"
        )
    )
    done = trio.Event()
    req = http.request(
        host="127.0.0.1", port=s.port, path="/h", agent=False,
        headers={"X-First": "one", "content-TYPE": "text/plain", "accept": ["a/b", "c/d"]},
    )  # fmt: skip
    req.set_header("X-Second", 2)
    req.set_header("x-first", "uno")
    req.set_header("Cookie", ["k=v", "k2=v2"])
    req.set_header("X-Gone", "x")
    req.remove_header("x-gone")
    s.clog("names", req.get_header_names())
    s.clog("raw names", req.get_raw_header_names())
    s.clog("get", req.get_header("X-FIRST"), req.has_header("cookie"), req.has_header("x-gone"))
    s.clog("headers", mask(js_json(req.get_headers())))
    trace(req, s.clog, done=done)
    req.on("response", lambda res: s.clog("res headers", res.headers))
    req.end()
    await done.wait()
    await s.finish(log)


@scenario("http_client/agent-keepalive-reuse")
async def test_agent_keepalive_reuse(log: Log) -> None:
    """Port of test/parallel/test-http-keep-alive.js: one connection, queued requests, 'free'."""
    s = await serve(lambda c, t, n: c.write(f"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr{n}"))
    agent = http.Agent(keep_alive=True, max_sockets=1)
    agent.on("free", lambda *_: s.clog("agent free"))
    done = trio.Event()
    left = [3]
    for i in range(3):
        req = http.request(host="127.0.0.1", port=s.port, path=f"/{i}", agent=agent)

        def on_response(res: http.IncomingMessage, i: int = i, req: http.ClientRequest = req) -> None:
            s.clog("response", i, res.status_code, req.reused_socket)
            res.set_encoding("latin1")
            res.on("data", lambda d, i=i: s.clog("data", i, d))
            res.on("end", lambda i=i: s.clog("end", i))

        def on_close(i: int = i) -> None:
            s.clog("close", i)
            left[0] -= 1
            if left[0] == 0:

                def last() -> None:
                    s.clog("free sockets", sum(len(v) for v in agent.free_sockets.values()))
                    agent.destroy()
                    done.set()

                set_immediate(last)

        req.on("socket", lambda _s, i=i: s.clog("socket", i))
        req.on("response", on_response)
        req.on("close", on_close)
        req.end()
    s.clog("queued", sum(len(v) for v in agent.requests.values()))
    await done.wait()
    await s.finish(log)


@scenario("http_client/agent-false")
async def test_agent_false(log: Log) -> None:
    """Port of test/parallel/test-http-agent-false.js: Connection: close; DELETE has no framing."""
    s = await serve(lambda c, t, n: c.end("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close"))
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, method="DELETE", path="/x", agent=False)
    trace(req, s.clog, done=done)
    req.end()
    await done.wait()
    await s.finish(log)


@scenario("http_client/information")
async def test_information(log: Log) -> None:
    """Port of test/parallel/test-http-information-processing.js: 1xx heads before 'response'."""
    s = await serve(
        lambda c, t, n: c.write(
            "HTTP/1.1 102 Processing\r\n\r\n"
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nfin"
        )
    )
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, agent=False)
    req.on(
        "information",
        lambda info: s.clog(
            "information", info.status_code, info.status_message, info.http_version, info.headers, info.raw_headers
        ),
    )
    trace(req, s.clog, done=done)
    req.end()
    await done.wait()
    await s.finish(log)


@scenario("http_client/head-request")
async def test_head_request(log: Log) -> None:
    """Port of test/parallel/test-http-head-request.js: no body after a HEAD's Content-Length."""
    s = await serve(lambda c, t, n: c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"))
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, method="HEAD", agent=False)
    trace(req, s.clog, done=done)
    req.end()
    await done.wait()
    await s.finish(log)


@scenario("http_client/server-hangup")
async def test_server_hangup(log: Log) -> None:
    """Port of test/parallel/test-http-socket-hang-up.js: ECONNRESET before any response."""
    s = await serve(lambda c, t, n: c.destroy())
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, agent=False)
    trace(req, s.clog, done=done)
    req.end()
    await done.wait()
    await s.finish(log)


@scenario("http_client/malformed-response")
async def test_malformed_response(log: Log) -> None:
    """Port of test/parallel/test-http-client-parse-error.js: an HPE_* error, no 'response'."""
    s = await serve(lambda c, t, n: c.write("HTTP/1.1 2x0 OK\r\n\r\n"))
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, agent=False)
    trace(req, s.clog, done=done)
    req.end()
    await done.wait()
    await s.finish(log)


@scenario("http_client/connection-refused")
async def test_connection_refused(log: Log) -> None:
    """Port of test/parallel/test-net-connect-econnrefused.js: 'socket', ECONNREFUSED, 'close'."""
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    await listeners[0].aclose()
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=port, agent=False)
    req.on("socket", lambda _s: log("client", "socket"))
    req.on("finish", lambda: log("client", "finish"))
    req.on("error", lambda e: log("client", "error", e, e.syscall))

    def on_close() -> None:
        log("client", "close")
        done.set()

    req.on("close", on_close)
    req.end()
    await done.wait()


@scenario("http_client/timeout-destroy")
async def test_timeout_destroy(log: Log) -> None:
    """Port of test/parallel/test-http-client-timeout-event.js: 'timeout', destroy, hang up."""
    s = await serve(lambda c, t, n: None)
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, agent=False)
    trace(req, s.clog, done=done)

    def on_timeout() -> None:
        s.clog("timeout cb")
        req.destroy()

    req.set_timeout(50, on_timeout)
    req.on("timeout", lambda: s.clog("timeout event"))
    req.end()
    await done.wait()
    await s.finish(log)


@scenario("http_client/request-errors")
async def test_request_errors(log: Log) -> None:
    """Port of test/parallel/test-http-client-unescaped-path.js / test-http-invalid-urls.js."""

    def attempt(label: str, fn: Callable[[], object]) -> None:
        try:
            fn()
            log(label, "ok")
        except ns.NodeError as e:
            log(label, e)

    attempt("https", lambda: http.request("https://127.0.0.1/"))
    attempt("bad url", lambda: http.request("http://exa mple/"))
    attempt("unescaped", lambda: http.request(host="127.0.0.1", port=1, path="/a b", agent=False))
    attempt("control", lambda: http.request(host="127.0.0.1", port=1, path="/\x01", agent=False))
    attempt("method", lambda: http.request(host="127.0.0.1", port=1, method="G T", agent=False))
    attempt("header", lambda: http.request(host="127.0.0.1", port=1, headers={"X\r\n": "1"}, agent=False))


@scenario("http_client/chunked-trailers")
async def test_chunked_trailers(log: Log) -> None:
    """Port of test/parallel/test-http-set-trailers.js (client side): trailers at 'end'."""

    def on_request(conn: Conn, text: str, n: int) -> None:
        conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4\r\nwiki\r\n")

        async def later() -> None:
            await trio.sleep(0.02)
            conn.write("5\r\npedia\r\n0\r\nX-Sum: 9\r\n\r\n")

        ns.current_scope().nursery.start_soon(later)

    s = await serve(on_request)
    done = trio.Event()

    def on_response(res: http.IncomingMessage) -> None:
        s.clog("response", res.status_code, res.headers)
        res.on("data", lambda d: s.clog("data", d.decode()))
        res.on("end", lambda: s.clog("end", res.trailers, res.raw_trailers, res.complete))

    req = http.get(host="127.0.0.1", port=s.port, agent=False, callback=None)
    req.on("response", on_response)

    def on_close() -> None:
        s.clog("close")
        done.set()

    req.on("close", on_close)
    await done.wait()
    await s.finish(log)


# -- upgrade and CONNECT hand the connection over; responses the parser must refuse -------


async def _tunnel(log: Log, answer: str, event: str, **options: Any) -> None:
    """upgrade-duplex.js / connect-duplex.js: the socket of 'upgrade'/'connect' as a Duplex."""

    def on_request(conn: Conn, text: str, n: int) -> None:
        conn.write(answer)
        conn.on_data = lambda d: conn.write(d.decode("latin-1"))
        conn.on_end = lambda: s.slog("client ended", conn.n)

    s = await serve(on_request)
    done = trio.Event()
    req = http.request(host="127.0.0.1", port=s.port, agent=False, **options)
    req.on("response", lambda _res: s.clog("response (unexpected)"))
    req.on("error", lambda e: s.clog("error", e))
    req.on("close", lambda: s.clog("req close"))

    def on_tunnel(res: http.IncomingMessage, socket: Any, head: bytes) -> None:
        s.clog(event, res.status_code, res.status_message, res.headers, head.decode("latin-1"))
        s.clog("socket", socket.readable, socket.writable, socket.destroyed)
        echoed = bytearray()

        def on_data(d: bytes) -> None:
            echoed.extend(d)
            if echoed == b"ping":
                s.clog("echo", echoed.decode("latin-1"))
                socket.end()

        def on_close(*_: Any) -> None:
            s.clog("socket close")
            done.set()

        socket.on("data", on_data)
        socket.on("end", lambda: s.clog("socket end"))
        socket.on("close", on_close)
        socket.write(b"ping")

    req.on(event, on_tunnel)
    req.end()
    with trio.move_on_after(5):  # a client that never hands the socket over fails on the log
        await done.wait()
    await s.finish(log)


@scenario("http_client/upgrade-duplex")
async def test_upgrade_duplex(log: Log) -> None:
    """Port of test/parallel/test-http-upgrade-client.js: 'upgrade' hands over the socket as a
    Duplex with the bytes past the 101 head; write through it, read the echo, end it."""
    await _tunnel(
        log,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nwelcome",
        "upgrade",
        headers={"Connection": "Upgrade", "Upgrade": "echo"},
    )


@scenario("http_client/connect-duplex")
async def test_connect_duplex(log: Log) -> None:
    """Port of test/parallel/test-http-connect.js: 'connect' hands over the tunnel as a Duplex
    with the bytes past the 200 head; write through it, read the echo, end it."""
    await _tunnel(
        log,
        "HTTP/1.1 200 Connection established\r\nX-Tunnel: yes\r\n\r\nwelcome",
        "connect",
        method="CONNECT",
        path="example.test:443",
    )


async def _one_by_one(
    s: RawServer, count: int, first: int = 0, *, agent: Any = False,
    extra: Callable[[http.ClientRequest], object] | None = None,
) -> None:
    """One request after the other (each once the previous closed), traced like raw.js."""
    for i in range(first, first + count):
        closed = trio.Event()
        req = http.request(host="127.0.0.1", port=s.port, path=f"/{i}", agent=agent)
        trace(req, s.clog)
        if extra is not None:
            extra(req)
        req.on("close", lambda closed=closed: set_immediate(closed.set))
        req.end()
        with trio.move_on_after(5):
            await closed.wait()


@scenario("http_client/response-version")
async def test_response_version(log: Log) -> None:
    """After test/parallel/test-http-client-parse-error.js: HTTP/2.0 and HTTP/0.9 status lines
    parse, HTTP/1.2 is HPE_INVALID_VERSION; an HTTP/2.0 response is not kept alive."""
    answers = [
        "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/0.9 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nk1",
        "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nk2",
    ]
    s = await serve(lambda c, t, n: c.write(answers[n]))

    def reused(req: http.ClientRequest) -> None:
        req.on("response", lambda _res: s.clog("reused", req.reused_socket))

    await _one_by_one(s, 3, extra=reused)
    agent = http.Agent(keep_alive=True, max_sockets=1)
    await _one_by_one(s, 2, 3, agent=agent, extra=reused)
    agent.destroy()
    await s.finish(log)


@scenario("http_client/response-chunk-extensions")
async def test_response_chunk_extensions(log: Log) -> None:
    """After test/parallel/test-http-chunk-extensions-limit.js (client side): 16384 bytes of
    chunk extensions parse, 16385 are HPE_CHUNK_EXTENSIONS_OVERFLOW after 'response'."""
    head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    answers = [
        head + "2;" + "e" * 16384 + "\r\nok\r\n0\r\n\r\n",
        head + "2;" + "e" * 16385 + "\r\nok\r\n0\r\n\r\n",
    ]
    s = await serve(lambda c, t, n: c.write(answers[n]))

    def watch_res(req: http.ClientRequest) -> None:
        def on_response(res: http.IncomingMessage) -> None:
            res.on("aborted", lambda: s.clog("res aborted"))
            res.on("error", lambda e: s.clog("res error", e, e.message))

        req.on("response", on_response)

    await _one_by_one(s, 2, extra=watch_res)
    await s.finish(log)


@scenario("http_client/response-trailers-early")
async def test_response_trailers_early(log: Log) -> None:
    """After test/parallel/test-http-set-trailers.js (client side): res.trailers read early is
    empty, and that same object holds the trailers at 'end'."""
    send_rest: list[Callable[[], object]] = []

    def on_request(conn: Conn, text: str, n: int) -> None:
        conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4\r\nwiki\r\n")
        send_rest.append(
            lambda: conn.write("0\r\nX-Sum: 9\r\nx-sum: 10\r\nSet-Cookie: a\r\nset-cookie: b\r\n\r\n")
        )

    s = await serve(on_request)
    done = trio.Event()

    def on_response(res: http.IncomingMessage) -> None:
        early = res.trailers
        s.clog("response", res.status_code, dict(early), list(res.raw_trailers), res.complete)

        def on_data(d: bytes) -> None:
            s.clog("data", d.decode(), dict(res.trailers), list(res.raw_trailers), res.trailers is early)
            if send_rest:
                send_rest.pop()()

        res.on("data", on_data)
        res.on("end", lambda: s.clog("end", res.trailers, res.raw_trailers, res.trailers is early, early, res.complete))

    req = http.get(host="127.0.0.1", port=s.port, agent=False, callback=on_response)

    def on_close() -> None:
        s.clog("close")
        done.set()

    req.on("close", on_close)
    with trio.move_on_after(5):
        await done.wait()
    await s.finish(log)


@scenario("http_client/response-cut-mid-body")
async def test_response_cut_mid_body(log: Log) -> None:
    """After test/parallel/test-http-aborted.js (client side) and test-http-response-close.js: a
    FIN mid-body is res 'aborted', the request's 'close', res 'error' ECONNRESET, res 'close'."""
    answers = [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\nped",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
    ]
    s = await serve(lambda c, t, n: c.end(answers[n]))
    for i in range(len(answers)):
        res_closed = trio.Event()
        req = http.request(host="127.0.0.1", port=s.port, path=f"/{i}", agent=False)
        trace(req, s.clog)

        def on_response(res: http.IncomingMessage, res_closed: trio.Event = res_closed) -> None:
            res.on("aborted", lambda: s.clog("res aborted", res.aborted, res.complete))
            res.on("error", lambda e: s.clog("res error", e, e.message))
            res.on("close", lambda: set_immediate(res_closed.set))

        req.on("response", on_response)
        req.end()
        with trio.move_on_after(5):
            await res_closed.wait()
    await s.finish(log)


@scenario("http_client/response-keep-alive-garbage")
async def test_response_keep_alive_garbage(log: Log) -> None:
    """After test/parallel/test-http-client-parse-error.js: bytes after a complete keep-alive
    response are a parse error on that request; the agent does not reuse the connection."""
    answers = [
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext",
    ]
    s = await serve(lambda c, t, n: c.write(answers[n]))
    agent = http.Agent(keep_alive=True, max_sockets=1)

    def reused(req: http.ClientRequest) -> None:
        req.on("response", lambda _res: s.clog("reused", req.reused_socket))

    await _one_by_one(s, 2, agent=agent, extra=reused)
    s.clog("free sockets", sum(len(v) for v in agent.free_sockets.values()))
    agent.destroy()
    await s.finish(log)
