"""Twins of tests/scenarios/http_server: our http server against Node's golden logs.

Each twin starts our server on 127.0.0.1 with the scenario's handler, talks to it
with a raw Trio socket sending the scenario's bytes, and logs what the scenario
logs: server events as they happen, then the bytes the client received (Date
values masked as tests/scenarios/http_server/lib/wire.js masks them).
"""

from __future__ import annotations

import json
import re
import socket as _socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio
import trio.testing

import trio_nodestreams as ns
from trio_nodestreams import http

from ..hostile.cases import CASES, HALF_CLOSE, RESPONSES, writes
from ._golden import GOLDEN, Log, scenario, set_immediate, settle

Handler = Callable[[http.IncomingMessage, http.ServerResponse], object]

_DATE = re.compile(r"\r\nDate: [^\r]*\r\n")


def mask_date(text: str) -> str:
    """Replace every Date value with <DATE>, as wire.js does."""
    return _DATE.sub("\r\nDate: <DATE>\r\n", text)


class Error(Exception):
    """Stands for JavaScript's ``Error``."""


async def listen(handler: Handler, **options: Any) -> http.Server:
    """Our server on 127.0.0.1, an ephemeral port, in the current scope."""
    server = http.create_server(handler, **options)
    await server.listen(0, "127.0.0.1")
    return server


class Client:
    """A raw TCP client (wire.js ``connect``): collects every byte until the server closes."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.data = bytearray()
        self.changed = trio.Event()
        self.eof = trio.Event()
        self.on_end: Callable[[], object] | None = None
        #: True once the server ended the connection (FIN), not when it was reset or we closed it.
        self.ended = False

    @classmethod
    async def connect(cls, server: http.Server, nursery: trio.Nursery) -> Client:
        addr = server.address()
        assert addr is not None
        stream = await trio.open_tcp_stream("127.0.0.1", addr["port"])
        client = cls(stream)
        nursery.start_soon(client._reader)
        return client

    async def _reader(self) -> None:
        try:
            while True:
                try:
                    got = await self.stream.receive_some(65536)
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    break  # reset by the server, or closed by destroy()/reset() here
                if not got:
                    self.ended = True
                    break
                self.data += got
                self.changed.set()
                self.changed = trio.Event()
        except BaseException:
            self.stream.socket.close()
            raise
        if self.ended and self.on_end is not None:
            self.on_end()  # Node's 'end': only for a FIN
        self.eof.set()
        self.changed.set()

    @property
    def text(self) -> str:
        return self.data.decode("latin-1")

    async def write(self, data: str | bytes) -> None:
        await self.stream.send_all(data.encode("latin-1") if isinstance(data, str) else data)

    async def wait_for(self, needle: str) -> None:
        """Wait until the received bytes contain ``needle``."""
        while needle not in self.text:
            if self.eof.is_set():
                raise AssertionError(f"connection closed before {needle!r}: {self.text!r}")
            await self.changed.wait()

    def destroy(self) -> None:
        """Node's ``socket.destroy()``: close at once (a FIN, as nothing is left unread)."""
        self.stream.socket.close()

    def reset(self) -> None:
        """Node's ``socket.resetAndDestroy()``: close with an RST."""
        self.stream.socket.setsockopt(_socket.SOL_SOCKET, _socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.stream.socket.close()

    async def done(self) -> None:
        """wire.js ``done()``: half-close on a later turn."""
        await settle()
        await self.stream.send_eof()

    async def closed(self) -> str:
        """The bytes received, once the server closed the connection."""
        await self.eof.wait()
        await self.stream.aclose()
        return self.text


async def run(
    log: Log,
    handler: Callable[[http.IncomingMessage, http.ServerResponse, int], object],
    talk: Callable[[Client], Awaitable[None]],
    *,
    expected: int = 1,
    **options: Any,
) -> None:
    """wire.js ``run``: serve, talk, half-close after ``expected`` finished responses, log the bytes."""
    finished = trio.Event()
    count = {"seen": 0, "finished": 0}

    def on_request(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        n = count["seen"]
        count["seen"] += 1

        def on_finish() -> None:
            count["finished"] += 1
            if count["finished"] == expected:
                finished.set()

        res.on("finish", on_finish)
        handler(req, res, n)

    server = await listen(on_request, **options)
    async with trio.open_nursery() as nursery:
        client = await Client.connect(server, nursery)
        try:
            await talk(client)
            await finished.wait()
            await client.done()
            text = await client.closed()
        finally:
            client.stream.socket.close()  # also when talk() fails: leave no socket behind
    await settle()
    log("client", "bytes", mask_date(text))
    server.close()


def talk_bytes(data: str) -> Callable[[Client], Awaitable[None]]:
    async def talk(client: Client) -> None:
        await client.write(data)

    return talk


# ---------------------------------------------------------------------------------------


@scenario("http_server/end-hello")
async def test_end_hello(log: Log) -> None:
    """Port of test/parallel/test-http-content-length.js: end(data) alone gets Content-Length."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        res.on("finish", lambda: log("server", "res finish", res.headers_sent, res.writable_ended))
        res.on("close", lambda: log("server", "res close"))
        log("server", "request", req.method, req.url, req.http_version)
        res.end("hello")
        log("server", "after end", res.headers_sent, res.get_header("content-length"))

    await run(log, handler, talk_bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"))


@scenario("http_server/content-length")
async def test_content_length(log: Log) -> None:
    """Port of test/parallel/test-http-content-length.js: explicit Content-Length, raw body."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        res.on("finish", lambda: log("server", "res finish", n))
        if n == 0:
            res.set_header("Content-Length", 5)
            res.write("he")
            res.end("llo")
        else:
            res.remove_header("Content-Length")
            res.end("abc")
        log("server", "getHeader", n, res.get_header("Content-Length"))

    await run(
        log, handler,
        talk_bytes("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"),
        expected=2,
    )


def _strict_write_over(res: http.ServerResponse, log: Log) -> None:
    res.set_header("Content-Length", 3)
    log("server", "write", res.write("ab"))
    res.write("cd")


def _strict_first_write(res: http.ServerResponse, log: Log) -> None:
    res.set_header("Content-Length", 1)
    log("server", "write", res.write("abc"))
    res.end()


def _strict_end_short(res: http.ServerResponse, log: Log) -> None:
    res.write_head(200, {"Content-Length": 5})
    res.write("ab")
    res.end()


def _strict_end_data_short(res: http.ServerResponse, log: Log) -> None:
    res.write_head(200, {"Content-Length": 5})
    res.write("ab")
    res.end("c")


def _strict_end_data_over(res: http.ServerResponse, log: Log) -> None:
    res.set_header("Content-Length", 3)
    res.end("abcd")


def _strict_exact(res: http.ServerResponse, log: Log) -> None:
    res.set_header("Content-Length", 3)
    res.write("ab")
    res.end("c")


def _strict_chunked(res: http.ServerResponse, log: Log) -> None:
    res.write("ab")
    res.end("c")


_STRICT_CASES: list[tuple[str, Callable[[http.ServerResponse, Log], None]]] = [
    ("write-over", _strict_write_over),
    ("first-write-unchecked", _strict_first_write),
    ("end-short", _strict_end_short),
    ("end-data-short", _strict_end_data_short),
    ("end-data-over", _strict_end_data_over),
    ("exact", _strict_exact),
    ("chunked-unchecked", _strict_chunked),
]


@scenario("http_server/strict-content-length")
async def test_strict_content_length(log: Log) -> None:
    """Port of test/parallel/test-http-content-length-mismatch.js: strict_content_length raises."""
    current: list[tuple[str, Callable[[http.ServerResponse, Log], None]]] = []
    to_destroy: list[http.ServerResponse] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        name, fn = current[0]
        res.strict_content_length = True
        res.on("error", lambda e: log("server", name, "res error", e))
        res.on("finish", lambda: log("server", name, "res finish"))
        try:
            fn(res, log)
            log("server", name, "no throw")
        except ns.NodeError as e:
            log("server", name, "threw", e, e.message)
            log("server", name, "state", res.headers_sent, res.writable_ended)
            to_destroy.append(res)

    server = await listen(handler)
    async with trio.open_nursery() as nursery:
        for case in _STRICT_CASES:
            current[:] = [case]
            c = await Client.connect(server, nursery)
            await c.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            if case[0] in ("exact", "chunked-unchecked"):
                await c.wait_for("abc" if case[0] == "exact" else "0\r\n\r\n")
                await c.done()
            else:
                while not to_destroy:
                    await trio.sleep(0.001)
                await settle()
                to_destroy.pop().destroy()
            log("client", case[0], mask_date(await c.closed()))
    server.close()


@scenario("http_server/drop-request")
async def test_drop_request(log: Log) -> None:
    """Port of test/parallel/test-http-keep-alive-max-requests.js: requests past max_requests_per_socket get 503."""
    count = [0]

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        log("server", "request", count[0], req.url)
        count[0] += 1
        res.end("ok" + req.url)

    server = await listen(handler)
    server.max_requests_per_socket = 2
    server.on(
        "dropRequest",
        lambda req, socket: log("server", "dropRequest", req.method, req.url, socket is req.socket),
    )
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        c.on_end = lambda: log("client", "server ended")
        await c.write(
            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        await c.wait_for("503 Service Unavailable")
        await c.wait_for("0\r\n\r\n")
        log("client", "still open")
        await c.write("POST /4 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        await c.wait_for("\r\n\r\nHTTP/1.1 503 Service Unavailable")
        await c.wait_for("0\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nDate: ")
        await c.done()
        log("client", "bytes", mask_date(await c.closed()))
    server.close()


@scenario("http_server/write-chunked")
async def test_write_chunked(log: Log) -> None:
    """Port of test/parallel/test-http-chunked.js: write() x3 then end() is chunked."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        res.set_header("Content-Type", "text/plain")
        log("server", "write", res.write("one"))
        log("server", "write", res.write(""))
        log("server", "write", res.write(b"two"))
        log("server", "write", res.write("three"))
        res.end()
        log("server", "headersSent", res.headers_sent)

    await run(log, handler, talk_bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))


@scenario("http_server/cork-write-head")
async def test_cork_write_head(log: Log) -> None:
    """Scenario: a write() while corked fixes the head at once (set_header then raises
    ERR_HTTP_HEADERS_SENT) though nothing leaves before uncork(); Node's
    OutgoingMessage.write_() renders the implicit head before the cork holds the bytes."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        res.set_header("X-Before", "1")
        res.cork()
        log("server", "corked", res.writable_corked, res.headers_sent)
        log("server", "write", res.write("a"))
        log("server", "headersSent", res.headers_sent)
        late: list[tuple[str, Callable[[], object]]] = [
            ("setHeader", lambda: res.set_header("X-Late", "1")),
            ("removeHeader", lambda: res.remove_header("X-Before")),
            ("writeHead", lambda: res.write_head(201)),
        ]
        for name, fn in late:
            try:
                fn()
            except ns.NodeError as err:
                log("server", name, err)
        for i in range(9):
            res.write(str(i))
        res.uncork()
        log("server", "uncorked", res.writable_corked)
        res.end()

    await run(log, handler, talk_bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))


@scenario("http_server/head")
async def test_head(log: Log) -> None:
    """Port of test/parallel/test-http-head-response-has-no-body.js."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        log("server", "request", n, req.method)
        res.on("finish", lambda: log("server", "res finish", n))
        log("server", "write", n, res.write("hello"))
        res.end(" world")

    await run(
        log, handler,
        talk_bytes("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        expected=2,
    )


@scenario("http_server/headers-api")
async def test_headers_api(log: Log) -> None:
    """Port of test/parallel/test-http-mutable-headers.js and test-http-append-header.js."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        res.set_header("X-One", "1")
        res.set_header("Set-Cookie", ["a=1", "b=2"])
        res.append_header("set-cookie", "c=3")
        res.append_header("X-One", ["2", "3"])
        res.append_header("X-New", "n")
        res.set_header("X-Num", 42)
        res.set_header("Cookie", ["k=1", "l=2"])
        res.set_header("X-Gone", "g")
        res.remove_header("x-gone")
        res.remove_header("Date")
        log("server", "getHeaders", dict(res.get_headers()))
        log("server", "getHeaderNames", res.get_header_names())
        log("server", "getRawHeaderNames", res.get_raw_header_names())
        log("server", "hasHeader", res.has_header("x-one"), res.has_header("X-Gone"))
        log("server", "getHeader", res.get_header("X-ONE"), res.get_header("x-num"))
        bad: list[Callable[[], object]] = [
            lambda: res.set_header("Bad Name", "v"),
            lambda: res.set_header("X-V", "a\nb"),
            lambda: res.set_header("X-U", None),  # type: ignore[arg-type]
            lambda: res.append_header("", "v"),
        ]
        for fn in bad:
            try:
                fn()
            except ns.NodeError as err:
                log("server", "throws", err)
        res.end("ok")
        try:
            res.set_header("X-Late", "1")
        except ns.NodeError as err:
            log("server", "after end", err)

    await run(log, handler, talk_bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))


@scenario("http_server/keep-alive-pipelined")
async def test_keep_alive_pipelined(log: Log) -> None:
    """Port of test/parallel/test-http-pipeline-requests-connection-leak.js (pipelining part)."""
    pending: list[http.ServerResponse] = []
    outer = ns.current_scope().nursery

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        log("server", "request", n, req.url, n == 0 or req.socket is pending[0].socket)
        res.on("finish", lambda: log("server", "res finish", n))
        res.on("close", lambda: log("server", "res close", n))
        pending.append(res)
        if n == 1:
            pending[1].end("second")

            async def later() -> None:
                await settle()
                pending[0].end("first")

            outer.start_soon(later)

    await run(
        log, handler,
        talk_bytes("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"),
        expected=2,
    )


@scenario("http_server/no-body-status")
async def test_no_body_status(log: Log) -> None:
    """Port of test/parallel/test-http-204-response-no-body.js / test-http-304.js."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        log("server", "request", n, req.url)
        res.on("finish", lambda: log("server", "res finish", n))
        if n == 0:
            res.status_code = 204
            res.end("ignored")
        elif n == 1:
            res.write_head(304, {"ETag": '"abc"'})
            log("server", "write", n, res.write("ignored"))
            res.end()
        else:
            res.write_head(204, {"Transfer-Encoding": "chunked"})
            res.end()

    await run(
        log, handler,
        talk_bytes("GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n"
                   "GET /204te HTTP/1.1\r\nHost: x\r\n\r\n"),
        expected=3,
    )


@scenario("http_server/request-headers")
async def test_request_headers(log: Log) -> None:
    """Port of test/parallel/test-http-incoming-message-headers-distinct.js and test-http-header-read.js."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        log("server", "headers", req.headers)
        log("server", "rawHeaders", req.raw_headers)
        log("server", "headersDistinct", dict(req.headers_distinct))
        res.end()

    await run(
        log, handler,
        talk_bytes(
            "GET / HTTP/1.1\r\nHost: x\r\nhost: y\r\nContent-Type: a\r\ncontent-type: b\r\n"
            "User-Agent: u1\r\nUSER-AGENT: u2\r\nSet-Cookie: s1\r\nset-cookie: s2\r\n"
            "Cookie: c1=1\r\nCOOKIE: c2=2\r\nAccept: x/y\r\nAccept: z/w\r\nX-Custom: 1\r\nx-custom: 2\r\n"
            "Authorization: one\r\nAuthorization: two\r\nETag: e1\r\nEtag: e2\r\nVia: v1\r\nVia: v2\r\n"
            "X-Empty:\r\nX-Space:   padded value  \r\nX-Obs: caf\xe9\r\n\r\n"
        ),
    )


@scenario("http_server/trailer-invalid")
async def test_trailer_invalid(log: Log) -> None:
    """Port of test/parallel/test-http-server-de-chunked-trailer.js."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        try:
            res.write_head(200, {"Trailer": "X-T", "Content-Length": "2"})
        except ns.NodeError as err:
            log("server", "writeHead", err, res.headers_sent)
        res.end("ok")

    await run(log, handler, talk_bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))


@scenario("http_server/trailers")
async def test_trailers(log: Log) -> None:
    """Port of test/parallel/test-http-set-trailers.js."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        res.on("finish", lambda: log("server", "res finish", n))
        if n == 0:
            res.set_header("Trailer", "X-Checksum")
            res.write("data")
            try:
                res.add_trailers({"Bad Name": "x"})
            except ns.NodeError as err:
                log("server", "addTrailers", err)
            res.add_trailers({"X-Checksum": "abc", "X-Multi": ["1", "2"], "X-Joined": ["j"]})
            res.end()
        else:
            res.write_head(200, {"Content-Length": "2"})
            res.end("ok")
            log("server", "writeHead", "content-length ok")

    await run(
        log, handler,
        talk_bytes("GET /0 HTTP/1.1\r\nHost: x\r\n\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\n"),
        expected=2,
    )


@scenario("http_server/write-head")
async def test_write_head(log: Log) -> None:
    """Port of test/parallel/test-http-write-head.js and test-http-write-head-2.js."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        res.on("finish", lambda: log("server", "res finish", n))
        if n == 0:
            res.write_head(200, {"Content-Type": "text/plain", "X-List": ["a", "b"]})
            res.end("obj")
        elif n == 1:
            res.write_head(201, "Made It", ["X-A", "1", "X-A", "2", "Content-Length", "3"])
            res.end("arr")
        elif n == 2:
            res.set_header("X-Set", "s")
            res.set_header("X-Both", "from-set")
            res.write_head(202, {"X-Both": "from-head"})
            log("server", "getHeader", res.get_header("x-both"))
            res.end()
        else:
            for code in [99, 1000, "20x"]:
                try:
                    res.write_head(code)  # type: ignore[arg-type]
                except ns.NodeError as err:
                    log("server", "writeHead", str(code), err)
            res.write_head(299)
            try:
                res.write_head(200)
            except ns.NodeError as err:
                log("server", "writeHead twice", err)
            res.end("x")

    await run(
        log, handler,
        talk_bytes("GET /0 HTTP/1.1\r\nHost: x\r\n\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
                   "GET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n"),
        expected=4,
    )


# -- scenarios with their own client script ----------------------------------------------


@scenario("http_server/connection-close")
async def test_connection_close(log: Log) -> None:
    """Port of test/parallel/test-http-server-keep-alive-timeout.js (close path): chunked upload, Connection: close."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        log("server", "request", req.headers.get("connection"), req.headers.get("transfer-encoding"))
        body: list[bytes] = []
        req.on("data", body.append)

        def on_end() -> None:
            log("server", "req end", b"".join(body).decode(), req.trailers)
            res.end("bye")

        req.on("end", on_end)
        res.on("finish", lambda: log("server", "res finish"))

    server = await listen(handler)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        c.on_end = lambda: log("client", "server ended")
        await c.write(
            "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
        )
        log("client", "bytes", mask_date(await c.closed()))
    server.close()


@scenario("http_server/event-order")
async def test_event_order(log: Log) -> None:
    """Port of test/parallel/test-http-server-close-destroy-timeout.js (event order part)."""
    send_rest: list[Callable[[], object]] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        log("server", "request", req.method, req.headers["content-length"])

        def on_data(d: bytes) -> None:
            log("server", "req data", d.decode())
            if send_rest:
                send_rest.pop()()

        def on_end() -> None:
            log("server", "req end", req.complete)
            res.end("done")
            log("server", "after res.end", res.writable_ended, res.writable_finished)

        req.on("data", on_data)
        req.on("end", on_end)
        req.on("close", lambda: log("server", "req close", req.destroyed))
        res.on("finish", lambda: log("server", "res finish"))
        res.on("close", lambda: log("server", "res close"))

    server = await listen(handler)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        send_rest.append(lambda: nursery.start_soon(c.write, "world"))
        await c.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
        await c.wait_for("done")
        await c.done()
        log("client", "bytes", mask_date(await c.closed()))
    server.close()


@scenario("http_server/expect-continue")
async def test_expect_continue(log: Log) -> None:
    """Port of test/parallel/test-http-expect-continue.js: 100 Continue without a 'checkContinue' listener."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        log("server", "request", req.headers["expect"])
        body: list[bytes] = []
        req.on("data", body.append)

        def on_end() -> None:
            log("server", "req end", b"".join(body).decode())
            res.end("got " + b"".join(body).decode())

        req.on("end", on_end)

    server = await listen(handler)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        await c.write("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        await c.wait_for("100 Continue\r\n\r\n")
        log("client", "100 seen")
        await c.write("hello")
        await c.wait_for("got hello")
        await c.done()
        log("client", "bytes", mask_date(await c.closed()))
    server.close()


@scenario("http_server/flush-headers")
async def test_flush_headers(log: Log) -> None:
    """Port of test/parallel/test-http-flush-headers.js: the head leaves before any body."""
    release: list[Callable[[], None]] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.set_header("X-Early", "1")
        res.flush_headers()
        log("server", "flushed", res.headers_sent)

        def go() -> None:
            res.write("late")
            res.end()

        release.append(go)

    server = await listen(handler)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        await c.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await c.wait_for("\r\n\r\n")
        log("client", "head arrived")
        release.pop()()
        await c.wait_for("0\r\n\r\n")
        await c.done()
        log("client", "bytes", mask_date(await c.closed()))
    server.close()


@scenario("http_server/http10")
async def test_http10(log: Log) -> None:
    """Port of test/parallel/test-http-1.0.js: HTTP/1.0 bodies are close-delimited."""
    count = [0]

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        i = count[0]
        count[0] += 1
        log("server", "request", i, req.http_version, req.headers.get("connection"))
        res.on("finish", lambda: log("server", "res finish", i))
        if i == 0:
            res.write("a")
            res.end("b")
        elif i == 1:
            res.end("hello")
        else:
            res.set_header("Content-Length", 2)
            res.end("ok")

    server = await listen(handler)

    async def one(request: str, needle: str | None = None) -> None:
        async with trio.open_nursery() as nursery:
            c = await Client.connect(server, nursery)
            await c.write(request)
            if needle:
                await c.wait_for(needle)
                await c.done()
            log("client", "bytes", mask_date(await c.closed()))

    await one("GET / HTTP/1.0\r\n\r\n")
    await one("GET / HTTP/1.0\r\nHost: x\r\n\r\n")
    await one("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "\r\n\r\nok")
    server.close()


# -- hostile: Node's answer to every raw request of tests/hostile/cases.py ----------------


def _node_answers() -> dict[str, dict[str, Any]]:
    lines = (GOLDEN / "http_server" / "hostile.jsonl").read_text().splitlines()
    return {entry[1]: entry[2] for entry in map(json.loads, lines)}


NODE_HOSTILE = _node_answers()


def _complete_keep_alive(text: str, count: int = 1) -> bool:
    """probe_node.js ``completeKeepAlive``: ``count`` whole responses, none announcing a close."""
    for _ in range(count):
        end = text.find("\r\n\r\n")
        if end < 0:
            return False
        head = text[:end]
        if re.search(r"\r\nconnection: close", head, re.I):
            return False
        if re.search(r"\r\ntransfer-encoding: chunked", head, re.I):
            last = text.find("\r\n0\r\n\r\n", end)
            if last < 0:
                return False
            size = last + 7
        else:
            m = re.search(r"\r\ncontent-length: (\d+)", head, re.I)
            if m is None or len(text) - end - 4 < int(m.group(1)):
                return False
            size = end + 4 + int(m.group(1))
        text = text[size:]
    return True


def _echo(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    """probe_node.js's handler: answer with the request as JSON once its body ended."""
    body: list[bytes] = []
    req.on("data", body.append)

    def on_end() -> None:
        res.end(json.dumps(
            {"method": req.method, "url": req.url, "version": req.http_version,
             "body": b"".join(body).decode("latin-1"), "trailers": req.trailers},
            separators=(",", ":"), ensure_ascii=False,
        ))

    req.on("end", on_end)


async def probe(
    server: http.Server, pieces: list[bytes], *, half_close: bool = False, responses: int = 1
) -> dict[str, Any]:
    """Send ``pieces`` on a fresh connection and record the answer as probe_node.js does.

    Each piece after the first leaves once the server has read and handled what came
    before (all tasks blocked); then the client half-closes if ``half_close``.
    """
    addr = server.address()
    assert addr is not None
    stream = await trio.open_tcp_stream("127.0.0.1", addr["port"])
    chunks = bytearray()
    closed = timed_out = False
    async with stream:
        try:
            for i, piece in enumerate(pieces):
                if i:
                    await trio.testing.wait_all_tasks_blocked()
                await stream.send_all(piece)
            if half_close:
                await stream.send_eof()
        except trio.BrokenResourceError:
            pass
        with trio.move_on_after(3) as cs:
            while True:
                try:
                    got = await stream.receive_some(65536)
                except trio.BrokenResourceError:
                    break  # reset: Node's client sees 'error', then 'close' without 'end'
                if not got:
                    closed = True
                    break
                chunks += got
                if _complete_keep_alive(chunks.decode("latin-1"), responses):
                    break
        timed_out = cs.cancelled_caught
    raw = mask_date(chunks.decode("latin-1"))
    m = re.match(r"HTTP/1\.[01] \d{3} [^\r\n]*", raw)
    return {"status": m.group(0) if m else None, "closed_by_server": closed,
            "timeout": timed_out, "raw": raw}


@pytest.mark.parametrize("name", list(CASES))
async def test_hostile(name: str) -> None:
    """scenario: http_server/hostile (tests/hostile/probe_node.js): Node's status line, close and bytes."""
    want = NODE_HOSTILE[name]
    async with ns.open_scope():
        server = await listen(_echo)
        got = await probe(
            server, writes(name), half_close=name in HALF_CLOSE, responses=RESPONSES.get(name, 1)
        )
        # the server still answers a normal request afterwards
        after = await probe(server, [CASES["ok_get"]])
        server.close()
    assert (got["status"], got["closed_by_server"], got["timeout"]) == (
        want["status"], want["closed_by_server"], want["timeout"]
    ), (got, want)
    assert got["raw"] == want["raw"]
    assert after["status"] == "HTTP/1.1 200 OK"


async def probe_memory(
    server: http.Server, pieces: list[bytes], *, half_close: bool = False, responses: int = 1
) -> dict[str, Any]:
    """:func:`probe` over ``trio.testing.memory_stream_pair``, through ``serve_connection``.

    No kernel takes the bytes here: whatever the server queued and has not sent when it
    closes must still reach the client, as it does through a socket.
    """
    client, server_end = trio.testing.memory_stream_pair()
    chunks = bytearray()
    closed = timed_out = False
    async with trio.open_nursery() as nursery:
        nursery.start_soon(server.serve_connection, server_end)
        try:
            for i, piece in enumerate(pieces):
                if i:
                    await trio.testing.wait_all_tasks_blocked()
                await client.send_all(piece)
            if half_close:
                await client.send_eof()
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        with trio.move_on_after(3) as cs:
            while True:
                try:
                    got = await client.receive_some(65536)
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    break
                if not got:
                    closed = True
                    break
                chunks += got
                if _complete_keep_alive(chunks.decode("latin-1"), responses):
                    break
        timed_out = cs.cancelled_caught
        await client.aclose()
    raw = mask_date(chunks.decode("latin-1"))
    m = re.match(r"HTTP/1\.[01] \d{3} [^\r\n]*", raw)
    return {"status": m.group(0) if m else None, "closed_by_server": closed, "timeout": timed_out, "raw": raw}


@pytest.mark.parametrize("name", list(CASES))
async def test_hostile_over_a_memory_stream(name: str, autojump_clock: trio.testing.MockClock) -> None:
    """scenario: http_server/hostile, each case over a memory stream (``serve_connection``):
    the same answer as Node's through a socket, nothing queued lost at the close."""
    want = NODE_HOSTILE[name]
    async with ns.open_scope():
        server = http.create_server(_echo)
        got = await probe_memory(
            server, writes(name), half_close=name in HALF_CLOSE, responses=RESPONSES.get(name, 1)
        )
    assert (got["status"], got["closed_by_server"], got["timeout"]) == (
        want["status"], want["closed_by_server"], want["timeout"]
    ), (got, want)
    assert got["raw"] == want["raw"]


@scenario("http_server/upgrade")
async def test_upgrade(log: Log) -> None:
    """Port of test/parallel/test-http-upgrade-server.js: an 'upgrade' listener gets (req, socket, head)
    and speaks its own protocol on the socket; no 'request' event for that request."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        log("server", "request", req.url)
        res.end()

    server = await listen(handler)

    def on_upgrade(req: http.IncomingMessage, socket: ns.Duplex, head: bytes) -> None:
        log("server", "upgrade", req.method, req.url, req.headers["upgrade"], head.decode("latin-1"))
        socket.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
        socket.write(head)
        socket.on("data", socket.write)

        def on_end() -> None:
            log("server", "socket end")
            socket.end()

        socket.on("end", on_end)

    server.on("upgrade", on_upgrade)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        await c.write("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello")
        await c.wait_for("hello")
        await c.write(" world")
        await c.wait_for(" world")
        await c.stream.send_eof()
        log("client", "bytes", mask_date(await c.closed()))
    server.close()


# -- how a connection ends: FIN, RST, timeouts, parse errors at EOF ------------------------


def watch(log: Log, emitter: ns.EventEmitter, label: str, events: list[str]) -> None:
    """lib/watch.js ``watch``: log each named event; an error also logs its message."""
    for event in events:

        def listener(*args: Any, event: str = event) -> None:
            if args and isinstance(args[0], BaseException):
                log("server", f"{label} {event}", args[0], getattr(args[0], "message", str(args[0])))
            else:
                log("server", f"{label} {event}")

        emitter.on(event, listener)


def spy_client_error(log: Log, server: http.Server) -> None:
    """lib/watch.js ``spyClientError``: log every 'clientError' without adding a listener."""
    emit = server.emit

    def spying(event: str, *args: Any) -> bool:
        if event == "clientError":
            log("server", "clientError", args[0], getattr(args[0], "message", str(args[0])))
        return emit(event, *args)

    server.emit = spying  # type: ignore[method-assign]


async def give_up_after(seconds: float, *waits: Callable[[], Awaitable[object]]) -> None:
    """Await ``waits`` in turn, for ``seconds`` in all.

    A server that never gets there then fails on the log, which shows what is missing,
    rather than on a hang.
    """
    with trio.move_on_after(seconds):
        for wait in waits:
            await wait()


async def _idle_response_then(log: Log, url: str, leave: Callable[[Client], None]) -> None:
    """client-fin-idle-response.js / client-reset-idle-response.js, the client leaving by ``leave``."""
    res_closed = trio.Event()

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        log("server", "request", req.method, req.url)
        watch(log, req, "req", ["aborted", "error", "end", "close"])
        watch(log, res, "res", ["error", "finish", "close"])
        watch(log, req.socket, "socket", ["end", "error", "close"])
        req.resume()
        res.write_head(200, {"Content-Type": "text/plain"})
        res.write("first")

        def on_close() -> None:
            log("server", "state at res close", res.writable_ended, res.writable_finished, res.destroyed,
                req.complete, req.destroyed, req.socket.destroyed)
            res_closed.set()

        res.on("close", on_close)

    server = await listen(handler)
    spy_client_error(log, server)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        await c.write(f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n")
        await c.wait_for("first\r\n")
        leave(c)
        await give_up_after(5, c.eof.wait, res_closed.wait)
        await settle()
        log("client", "ended by server", c.ended)
        log("client", "bytes", mask_date(c.text))
        server.close(lambda *_: log("server", "closed"))
        server.close_all_connections()  # as in the scenario: a no-op once every connection is gone
        await give_up_after(5, server.wait_closed)
        await c.stream.aclose()


@scenario("http_server/client-fin-idle-response")
async def test_client_fin_idle_response(log: Log) -> None:
    """After test/parallel/test-http-server-close-idle.js: a FIN while a started response is idle
    ends the connection at once; req, res and the socket report the close."""

    def fin(c: Client) -> None:
        c.stream.socket.shutdown(_socket.SHUT_WR)

    await _idle_response_then(log, "/idle", fin)


@scenario("http_server/client-reset-idle-response")
async def test_client_reset_idle_response(log: Log) -> None:
    """After test/parallel/test-http-server-destroy-socket-on-client-error.js: an RST while a
    started response is idle is ECONNRESET ('clientError'), not an end; the socket is destroyed."""
    await _idle_response_then(log, "/reset", Client.reset)


async def _request_timeout_after_head(log: Log) -> None:
    res_closed = trio.Event()

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        log("server", "request", req.method, req.url, req.headers["content-length"])
        watch(log, req, "req", ["aborted", "error", "end", "close"])
        watch(log, res, "res", ["error", "finish", "close"])
        watch(log, req.socket, "socket", ["end", "error", "close"])
        req.on("data", lambda d: log("server", "req data", d.decode("latin-1")))
        res.write_head(200, {"Content-Type": "text/plain"})
        req.pipe(res)

        def on_close() -> None:
            log("server", "state at res close", res.headers_sent, res.writable_ended, res.destroyed,
                req.complete, req.destroyed, req.socket.destroyed)
            res_closed.set()

        res.on("close", on_close)

    server = await listen(handler, request_timeout=300, headers_timeout=300)
    spy_client_error(log, server)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        await c.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
        await c.wait_for("hello\r\n")
        # ... and nothing more: the other 5 bytes never come. The clock is Trio's MockClock,
        # so the server's 300 ms pass as soon as everything waits.
        await give_up_after(10, c.eof.wait, res_closed.wait)
        await settle()
        log("client", "ended by server", c.ended)
        log("client", "bytes", mask_date(c.text))
        server.close(lambda *_: log("server", "closed"))
        server.close_all_connections()  # as in the scenario: a no-op once every connection is gone
        await give_up_after(10, server.wait_closed)
        await c.stream.aclose()


@scenario("http_server/request-timeout-after-head", autojump=True)
async def test_request_timeout_after_head(log: Log) -> None:
    """After test/parallel/test-http-server-request-timeout-delayed-body.js: the request timeout
    firing after the head was sent (a req.pipe(res) handler whose client stops) destroys the
    socket, with no 408; req is aborted ('aborted', res 'close', 'error' ECONNRESET, 'close')."""
    await _request_timeout_after_head(log)


@scenario("http_server/end-twice")
async def test_end_twice(log: Log) -> None:
    """After test/parallel/test-http-outgoing-end-multiple.js and test-http-res-write-after-end.js:
    res.end(a) then res.end(b) keeps the first response and reports ERR_STREAM_WRITE_AFTER_END."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        res.on("error", lambda e: log("server", n, "res error", e, e.message))
        res.on("finish", lambda: log("server", n, "res finish"))
        if n == 0:
            res.end(f"a{n}")
            ret = res.end("b", lambda e=None: log("server", n, "end(b) callback", e))
            log("server", n, "end(b) returned res", ret is res, res.writable_ended)
        elif n == 1:
            res.end(f"a{n}")
            res.end("b")
            log("server", n, "end(b) without callback", res.writable_ended)
        elif n == 2:
            res.end(f"a{n}")
            res.end(lambda e=None: log("server", n, "end() callback", "undefined" if e is None else e))
            log("server", n, "end() after end", res.writable_finished)
        else:

            def first(e: BaseException | None = None) -> None:
                log("server", n, "first end callback", res.writable_finished, res.destroyed)
                res.end(lambda e=None: log("server", n, "end() after finish callback", e))
                res.end("c", lambda e=None: log("server", n, "end(c) after finish callback", e, res.destroyed))

            res.end(f"a{n}", first)

    async def talk(c: Client) -> None:
        # one request at a time, so that each response's events stand on their own
        for n in range(4):
            await c.write(f"GET /{n} HTTP/1.1\r\nHost: x\r\n\r\n")
            await c.wait_for(f"\r\n\r\na{n}")

    await run(log, handler, talk, expected=4)


@scenario("http_server/unread-request-state")
async def test_unread_request_state(log: Log) -> None:
    """After test/parallel/test-http-dump-req-when-res-ends.js: a request nobody reads has
    Node's stream state and events whenever the handler first looks at it."""

    # talk() sends request n+1 once request n logged its last line.
    seen = [trio.Event() for _ in range(5)]

    def last(n: int, *line: object) -> None:
        log("server", n, *line)
        seen[n].set()

    def st(req: http.IncomingMessage) -> list[object]:
        return [req.complete, req.readable_ended, req.readable_flowing, req.destroyed, req.readable]

    def handler(req: http.IncomingMessage, res: http.ServerResponse, n: int) -> None:
        if n == 0:
            log("server", n, "at once", *st(req))
            res.end(f"a{n}")
            log("server", n, "after end()", *st(req))
            ns.next_tick(lambda: log("server", n, "tick", *st(req)))
            set_immediate(lambda: last(n, "immediate", *st(req)))
        elif n == 1:
            res.end(f"a{n}")

            def look() -> None:
                log("server", n, "immediate", *st(req))
                req.on("readable", lambda: log("server", n, "readable", req.read()))
                req.on("end", lambda: log("server", n, "end"))
                req.on("close", lambda: log("server", n, "close"))
                set_immediate(lambda: last(n, "later", *st(req)))

            set_immediate(look)
        elif n == 2:

            def on_end() -> None:
                log("server", n, "end", *st(req))
                res.end(f"a{n}")

            def tick() -> None:
                log("server", n, "tick", *st(req))
                req.on("readable", lambda: log("server", n, "readable", req.read()))
                req.on("end", on_end)
                req.on("close", lambda: last(n, "close"))

            ns.next_tick(tick)
        elif n == 3:

            def on_end3() -> None:
                log("server", n, "end", *st(req))
                res.end(f"a{n}")

            def look3() -> None:
                log("server", n, "immediate", *st(req))
                req.on("end", on_end3)
                req.on("close", lambda: last(n, "close", *st(req)))
                req.resume()

            set_immediate(look3)
        else:
            req.on("close", lambda: last(n, "close", *st(req)))
            res.on("finish", lambda: log("server", n, "res finish", *st(req)))
            res.end(f"a{n}")

    async def talk(c: Client) -> None:
        for n in range(5):
            await c.write(f"GET /{n} HTTP/1.1\r\nHost: x\r\n\r\n")
            await c.wait_for(f"\r\n\r\na{n}")
            await seen[n].wait()

    await run(log, handler, talk, expected=5)


@scenario("http_server/eof-mid-chunked-body")
async def test_eof_mid_chunked_body(log: Log) -> None:
    """After test/parallel/test-http-server-client-error.js: EOF inside a chunked body is
    HPE_INVALID_EOF_STATE ('clientError'), answered 400; the request is aborted."""
    req_closed = trio.Event()

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        log("server", "request", req.method, req.url, req.headers["transfer-encoding"])
        watch(log, req, "req", ["aborted", "error", "end"])
        watch(log, res, "res", ["error", "finish", "close"])
        watch(log, req.socket, "socket", ["end", "error", "close"])
        req.on("data", lambda d: log("server", "req data", d.decode("latin-1")))
        req.on("end", lambda: res.end("done"))

        def on_close() -> None:
            log("server", "req close", req.complete, req.aborted, res.headers_sent)
            req_closed.set()

        req.on("close", on_close)

    server = await listen(handler)
    spy_client_error(log, server)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        await c.write("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\nwor")
        await c.stream.send_eof()
        await give_up_after(5, c.eof.wait, req_closed.wait)
        await settle()
        log("client", "ended by server", c.ended)
        log("client", "bytes", mask_date(c.text))
        server.close(lambda *_: log("server", "closed"))
        server.close_all_connections()  # as in the scenario: a no-op once every connection is gone
        await give_up_after(5, server.wait_closed)
        await c.stream.aclose()


@scenario("http_server/trailers-before-end")
async def test_trailers_before_end(log: Log) -> None:
    """After test/parallel/test-http-set-trailers.js: req.trailers read early is empty, and that
    same object holds the trailers at 'end'."""
    send_trailers: list[Callable[[], object]] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        early = req.trailers
        log("server", "at request", early, req.raw_trailers, req.complete)

        def on_data(d: bytes) -> None:
            log("server", "req data", d.decode("latin-1"), req.trailers, req.raw_trailers, req.trailers is early)
            if send_trailers:
                send_trailers.pop()()

        def on_end() -> None:
            log("server", "req end", req.trailers, req.raw_trailers, req.trailers is early, early, req.complete)
            res.end("ok")

        req.on("data", on_data)
        req.on("end", on_end)

    server = await listen(handler)
    async with trio.open_nursery() as nursery:
        c = await Client.connect(server, nursery)
        send_trailers.append(
            lambda: nursery.start_soon(c.write, "0\r\nX-Sum: 9\r\nx-sum: 10\r\nX-Other: o\r\n\r\n")
        )
        await c.write("POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        await c.wait_for("\r\n\r\nok")
        await c.done()
        log("client", "bytes", mask_date(await c.closed()))
    server.close()


@scenario("http_server/client-abort-mid-upload")
async def test_client_abort_mid_upload(log: Log) -> None:
    """Port of test/parallel/test-http-aborted.js (server side, a body in flight): req 'aborted',
    res 'close', req 'error' (ECONNRESET "aborted"), req 'close'; for a FIN and for an RST."""
    closed: list[trio.Event] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        tag = req.url[1:]
        log("server", tag, "request", req.method, req.headers["content-length"], req.aborted)
        watch(log, req, f"{tag} req", ["aborted", "error", "end", "close"])
        watch(log, res, f"{tag} res", ["error", "finish", "close"])
        req.on("data", lambda d: log("server", tag, "req data", d.decode("latin-1")))
        res.write("hello")

        def on_close() -> None:
            log("server", tag, "state at req close", req.aborted, req.complete, res.writable_ended,
                res.destroyed, req.socket.destroyed)
            closed[-1].set()

        req.on("close", on_close)

    server = await listen(handler)
    spy_client_error(log, server)
    async with trio.open_nursery() as nursery:
        for tag in ("fin", "rst"):
            closed.append(trio.Event())
            c = await Client.connect(server, nursery)
            await c.write(f"POST /{tag} HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            await c.wait_for("hello\r\n")
            if tag == "fin":
                c.destroy()
            else:
                c.reset()
            await give_up_after(5, c.eof.wait, closed[-1].wait)
            await settle()
            log("client", tag, "bytes", mask_date(c.text))
        server.close(lambda *_: log("server", "closed"))
        server.close_all_connections()  # as in the scenario: a no-op once every connection is gone
        await give_up_after(5, server.wait_closed)
