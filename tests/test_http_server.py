"""Functional tests of the http server API: trio_nodestreams.http.Server, ServerResponse, IncomingMessage.

Byte-exact agreement with Node is pinned by the twins in tests/conformance/test_http_server.py;
these tests cover the rest of the surface, each against what Node 20 does (the port's
source is named in the docstring; expectations were checked against node where not obvious).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trio

import trio_nodestreams as ns
from trio_nodestreams import http

from .test_http_hostile import connect, read_until_close

Res = http.ServerResponse
Req = http.IncomingMessage

# After each test: no task, fd or connection object left (tests/conftest.py).
pytestmark = pytest.mark.leak_check


@asynccontextmanager
async def serving(handler: Any = None, *, deadline: float = 10, **options: Any) -> AsyncIterator[http.Server]:
    """Serve in a scope of its own; close the server at the end and require the scope to exit."""
    with trio.fail_after(deadline):
        async with ns.open_scope():
            server = http.create_server(handler, **options)
            await server.listen(0, "127.0.0.1")
            yield server
            server.close()


class Response:
    """One parsed response: status line, headers (lower-case names, in order), body, trailers."""

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, trailers: list[tuple[str, str]]):
        self.status = status
        self.code = int(status.split()[1])
        self.headers = headers
        self.body = body
        self.trailers = trailers

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ", ".join(values) if values else None

    def __repr__(self) -> str:
        return f"Response({self.status!r}, {self.headers!r}, {self.body!r})"


class Reader:
    """Reads responses off a raw connection, as a client that knows the methods it asked with."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buf = bytearray()
        self.eof = False

    async def _more(self) -> None:
        got = await self.stream.receive_some(65536)
        if not got:
            self.eof = True
        self.buf += got

    async def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            if self.eof:
                raise EOFError(bytes(self.buf))
            await self._more()
        line, _, rest = bytes(self.buf).partition(b"\r\n")
        self.buf = bytearray(rest)
        return line

    async def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            if self.eof:
                raise EOFError(bytes(self.buf))
            await self._more()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    async def _fields(self) -> list[tuple[str, str]]:
        fields = []
        while line := await self._line():
            name, _, value = line.decode("latin-1").partition(":")
            fields.append((name.lower(), value.strip()))
        return fields

    async def response(self, method: str = "GET", timeout: float = 5) -> Response:
        with trio.fail_after(timeout):
            status = (await self._line()).decode("latin-1")
            headers = await self._fields()
            res = Response(status, headers, b"", [])
            if res.code < 200 or method == "HEAD" or res.code in (204, 304):
                return res
            if res.header("transfer-encoding") == "chunked":
                body = bytearray()
                while size := int((await self._line()).split(b";")[0], 16):
                    body += await self._exactly(size)
                    assert await self._line() == b""
                res.trailers = await self._fields()
                res.body = bytes(body)
            elif (length := res.header("content-length")) is not None:
                res.body = await self._exactly(int(length))
            else:
                while not self.eof:
                    await self._more()
                res.body, self.buf = bytes(self.buf), bytearray()
            return res

    async def closed(self, timeout: float = 5) -> bool:
        """True when the server closed the connection (EOF or reset) with nothing more sent."""
        with trio.fail_after(timeout):
            try:
                while not self.eof:
                    await self._more()
            except trio.BrokenResourceError:
                return not self.buf
        return not self.buf


async def ask(server: http.Server, data: bytes, method: str = "GET") -> Response:
    """One request on a fresh connection."""
    stream = await connect(server)
    async with stream:
        await stream.send_all(data)
        return await Reader(stream).response(method)


def get(path: str = "/", extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode()


# -- status and headers ------------------------------------------------------------------


async def test_status_code_and_message() -> None:
    """Port of test/parallel/test-http-status-message.js and test-http-status-code.js."""
    seen: list[Any] = []

    def handler(req: Req, res: Res) -> None:
        seen.append((res.status_code, res.status_message))
        if req.url == "/custom":
            res.status_code = 404
            res.status_message = "Nope"
        elif req.url == "/418":
            res.status_code = 418
        elif req.url == "/bad":
            res.status_code = 99
            try:
                res.end()
            except ns.NodeError as err:
                seen.append(err.code)
                res.status_code = 200
        res.end()

    async with serving(handler) as server:
        assert (await ask(server, get("/custom"))).status == "HTTP/1.1 404 Nope"
        assert (await ask(server, get("/418"))).status == "HTTP/1.1 418 I'm a Teapot"
        assert (await ask(server, get("/bad"))).status == "HTTP/1.1 200 OK"
    assert seen[0] == (200, None)
    assert "ERR_HTTP_INVALID_STATUS_CODE" in seen


async def test_header_api() -> None:
    """Port of test/parallel/test-http-mutable-headers.js: set/get/has/remove/append, names, copies."""
    out: dict[str, Any] = {}

    def handler(req: Req, res: Res) -> None:
        assert res.get_headers() == {} and res.get_header_names() == []
        res.set_header("Content-Type", "text/plain")
        res.set_header("X-Multi", ["a", "b"])
        res.append_header("x-multi", "c")
        res.append_header("X-Fresh", "f")
        out["type"] = res.get_header("content-type")
        out["missing"] = res.get_header("nope")
        out["has"] = (res.has_header("CONTENT-TYPE"), res.has_header("nope"))
        out["names"] = res.get_header_names()
        out["raw_names"] = res.get_raw_header_names()
        headers = res.get_headers()
        headers["x-injected"] = "no"  # a copy: changing it changes nothing
        res.remove_header("X-FRESH")
        res.remove_header("never-set")
        out["after_remove"] = res.get_headers()
        res.end("ok")

    async with serving(handler) as server:
        answer = await ask(server, get())
    assert out["type"] == "text/plain" and out["missing"] is None
    assert out["has"] == (True, False)
    assert out["names"] == ["content-type", "x-multi", "x-fresh"]
    assert out["raw_names"] == ["Content-Type", "X-Multi", "X-Fresh"]
    assert out["after_remove"] == {"content-type": "text/plain", "x-multi": ["a", "b", "c"]}
    assert [v for k, v in answer.headers if k == "x-multi"] == ["a", "b", "c"]
    assert answer.header("x-fresh") is None and answer.header("x-injected") is None


async def test_header_validation_errors() -> None:
    """Port of test/parallel/test-http-header-validators.js and test-http-invalidheaderfield.js."""
    errors: list[tuple[str, str]] = []

    def handler(req: Req, res: Res) -> None:
        for fn in (
            lambda: res.set_header("Bad Name", "v"),
            lambda: res.set_header("", "v"),
            lambda: res.set_header("X-Ctl", "a\rb"),
            lambda: res.set_header("X-Nul", "a\x00b"),
            lambda: res.append_header("X:Colon", "v"),
            lambda: res.write_head(200, "bad\nmessage"),
        ):
            try:
                fn()
            except ns.NodeError as err:
                errors.append((err.code, type(err).__mro__[2].__name__))
        res.status_message = None
        res.end()

    async with serving(handler) as server:
        assert (await ask(server, get())).status == "HTTP/1.1 200 OK"
    assert [code for code, _ in errors] == [
        "ERR_INVALID_HTTP_TOKEN", "ERR_INVALID_HTTP_TOKEN", "ERR_INVALID_CHAR",
        "ERR_INVALID_CHAR", "ERR_INVALID_HTTP_TOKEN", "ERR_INVALID_CHAR",
    ]


async def test_write_head_forms_and_headers_sent() -> None:
    """Port of test/parallel/test-http-write-head.js: object and array forms, headers_sent, ERR_HTTP_HEADERS_SENT."""
    checks: list[Any] = []

    def handler(req: Req, res: Res) -> None:
        if req.url == "/obj":
            res.set_header("X-Early", "1")
            checks.append(res.headers_sent)
            res.write_head(201, {"X-Obj": "o", "X-List": ["1", "2"]})
            checks.append(res.headers_sent)
            for fn in (lambda: res.set_header("X-Late", "1"), lambda: res.remove_header("X-Early"),
                       lambda: res.append_header("X-Late", "1"), lambda: res.write_head(200)):
                try:
                    fn()
                except ns.NodeError as err:
                    checks.append(err.code)
            res.end("obj")
        else:
            res.write_head(202, "Fine", [["X-Pair", "p"], ["X-Pair", "q"]])
            res.end("pairs")

    async with serving(handler) as server:
        obj = await ask(server, get("/obj"))
        pairs = await ask(server, get("/pairs"))
    assert obj.status == "HTTP/1.1 201 Created"
    assert [k for k, _ in obj.headers][:4] == ["x-early", "x-obj", "x-list", "x-list"]
    assert checks == [False, True] + ["ERR_HTTP_HEADERS_SENT"] * 4
    assert pairs.status == "HTTP/1.1 202 Fine"
    assert [v for k, v in pairs.headers if k == "x-pair"] == ["p", "q"]
    assert (obj.body, pairs.body) == (b"obj", b"pairs")


async def test_flush_headers_then_body() -> None:
    """Port of test/parallel/test-http-flush-headers.js: the head arrives before any body is written."""
    release = trio.Event()

    async def handler(req: Req, res: Res) -> None:
        res.set_header("X-A", "1")
        res.flush_headers()
        assert res.headers_sent
        await release.wait()
        res.end("body")

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(get())
            head = b""
            while b"\r\n\r\n" not in head:
                head += await stream.receive_some(65536)
            assert head.startswith(b"HTTP/1.1 200 OK\r\nX-A: 1\r\n")
            assert b"Transfer-Encoding: chunked" in head
            release.set()
            rest = b""
            while not (head + rest).endswith(b"0\r\n\r\n"):
                rest += await stream.receive_some(65536)
    assert (head + rest).endswith(b"\r\n\r\n4\r\nbody\r\n0\r\n\r\n")


async def test_corked_writes_leave_in_one_burst() -> None:
    """Scenario: ten writes between cork() and uncork() leave together, head first, each its own chunk."""
    release = trio.Event()
    held: list[int] = []

    async def handler(req: Req, res: Res) -> None:
        sock = res.socket
        assert sock is not None
        res.cork()
        for i in range(10):
            res.write(f"c{i}")
        assert res.headers_sent
        held.append(sock.writable_length)  # all of it waits in the socket, nothing left yet
        res.uncork()
        await release.wait()
        res.end()

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(get())
            first = await stream.receive_some(65536)
            release.set()
            rest = b""
            while not rest.endswith(b"0\r\n\r\n"):
                rest += await stream.receive_some(65536)
    head, _, body = first.partition(b"\r\n\r\n")
    assert held == [len(first)]  # one burst: what was held is what arrived first
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Transfer-Encoding: chunked" in head
    assert body == b"".join(b"2\r\nc%d\r\n" % i for i in range(10))
    assert rest == b"0\r\n\r\n"


async def test_send_date_false() -> None:
    """Port of test/parallel/test-http-date-header.js (sendDate = false)."""

    def handler(req: Req, res: Res) -> None:
        res.send_date = req.url != "/nodate"
        res.end("x")

    async with serving(handler) as server:
        assert (await ask(server, get("/nodate"))).header("date") is None
        date = (await ask(server, get("/date"))).header("date")
    assert date is not None and re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", date)


async def test_add_trailers() -> None:
    """Port of test/parallel/test-http-set-trailers.js: trailers follow a chunked body, HTTP/1.0 drops them."""

    def handler(req: Req, res: Res) -> None:
        res.write("data")
        res.add_trailers({"X-Sum": "abc"})
        res.end()

    async with serving(handler) as server:
        chunked = await ask(server, get())
        stream = await connect(server)
        async with stream:
            await stream.send_all(b"GET / HTTP/1.0\r\n\r\n")
            old, _ = await read_until_close(stream)
    assert chunked.body == b"data" and chunked.trailers == [("x-sum", "abc")]
    assert old.endswith(b"\r\n\r\ndata") and b"X-Sum" not in old


async def test_write_after_end() -> None:
    """Port of test/parallel/test-http-res-write-after-end.js: False, callback(err), then 'error'."""
    events: list[Any] = []
    done = trio.Event()

    def handler(req: Req, res: Res) -> None:
        res.on("error", lambda err: (events.append(("error", err.code)), done.set()))
        res.end("a")
        events.append(("write", res.write("b", callback=lambda err=None: events.append(("cb", err.code)))))

    async with serving(handler) as server:
        answer = await ask(server, get())
        await done.wait()
    assert answer.body == b"a"
    assert events == [("write", False), ("cb", "ERR_STREAM_WRITE_AFTER_END"), ("error", "ERR_STREAM_WRITE_AFTER_END")]


# -- Expect, 1xx ------------------------------------------------------------------------------


async def test_check_continue_listener_decides() -> None:
    """Port of test/parallel/test-http-expect-continue.js (checkContinue): no automatic 100; write_continue sends it."""
    calls: list[str] = []

    def on_check(req: Req, res: Res) -> None:
        calls.append("checkContinue")
        body: list[bytes] = []
        req.on("data", body.append)
        req.on("end", lambda: res.end(b"got " + b"".join(body)))
        res.write_continue()

    async with serving(lambda req, res: calls.append("request")) as server:
        server.on("checkContinue", on_check)
        stream = await connect(server)
        async with stream:
            await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            reader = Reader(stream)
            interim = await reader.response()
            await stream.send_all(b"body")
            final = await reader.response()
    assert interim.status == "HTTP/1.1 100 Continue" and interim.headers == []
    assert final.body == b"got body"
    assert calls == ["checkContinue"]


async def test_check_expectation() -> None:
    """Port of test/parallel/test-http-expect-handling.js: 'checkExpectation' gets unknown expectations, else 417."""
    calls: list[str] = []

    def on_expectation(req: Req, res: Res) -> None:
        calls.append(req.headers["expect"])
        res.status_code = 418
        res.end()

    async with serving(lambda req, res: calls.append("request")) as server:
        plain = await ask(server, get(extra="Expect: tea\r\n"))
        server.on("checkExpectation", on_expectation)
        handled = await ask(server, get(extra="Expect: tea\r\n"))
    assert plain.status == "HTTP/1.1 417 Expectation Failed"
    assert handled.status == "HTTP/1.1 418 I'm a Teapot"
    assert calls == ["tea"]


async def test_write_early_hints() -> None:
    """Port of test/parallel/test-http-early-hints.js: 103 with Link values joined; no link, no 103; bad link throws."""
    errors: list[str] = []

    def handler(req: Req, res: Res) -> None:
        res.write_early_hints({})
        try:
            res.write_early_hints({"link": "not-a-link"})
        except ns.NodeError as err:
            errors.append(err.code)
        res.write_early_hints({"link": ["</a.css>; rel=preload; as=style", "</b.js>; rel=preload"], "x-extra": "y"})
        res.end("page")

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(get())
            raw = b""
            while not raw.endswith(b"page"):
                raw += await stream.receive_some(65536)
    assert raw.startswith(
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload; as=style, </b.js>; rel=preload\r\n"
        b"x-extra: y\r\n\r\nHTTP/1.1 200 OK\r\n"
    )
    assert errors == ["ERR_INVALID_ARG_VALUE"]


# -- bodiless responses, HTTP/1.0 --------------------------------------------------------------


@pytest.mark.parametrize(("path", "method", "status"), [("/", "HEAD", 200), ("/204", "GET", 204), ("/304", "GET", 304)])
async def test_responses_without_body(path: str, method: str, status: int) -> None:
    """Port of test/parallel/test-http-head-response-has-no-body.js, test-http-204-response-no-body.js, test-http-304.js."""

    def handler(req: Req, res: Res) -> None:
        res.status_code = {"/204": 204, "/304": 304}.get(req.url, 200)
        res.write("ignored")
        res.end("also ignored")

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode() + get("/next"))
            reader = Reader(stream)
            first = await reader.response(method)
            second = await reader.response()
    assert first.code == status and first.header("content-length") is None
    assert first.header("transfer-encoding") is None
    assert second.body == b"ignoredalso ignored"  # the next response starts right after the head


async def test_http10_streamed_body_is_close_delimited() -> None:
    """Port of test/parallel/test-http-1.0.js: no chunking for HTTP/1.0; the close ends the body."""

    async def handler(req: Req, res: Res) -> None:
        res.write("one ")
        await trio.sleep(0.01)
        res.end("two")

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(b"GET / HTTP/1.0\r\n\r\n")
            raw, how = await read_until_close(stream)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"Connection: close" in head and b"Transfer-Encoding" not in head
    assert (body, how) == (b"one two", "eof")


# -- connections ------------------------------------------------------------------------------


async def test_keep_alive_reuse_and_socket_identity() -> None:
    """Port of test/parallel/test-http-keep-alive.js: one connection, several requests; req.socket is res.socket."""
    sockets: list[Any] = []
    seen: list[Any] = []

    def handler(req: Req, res: Res) -> None:
        seen.append((req.socket, res.socket, req.url))
        res.end(req.url)

    async with serving(handler) as server:
        server.on("connection", sockets.append)
        stream = await connect(server)
        async with stream:
            reader = Reader(stream)
            for i in range(3):
                await stream.send_all(get(f"/{i}"))
                assert (await reader.response()).body == f"/{i}".encode()
    assert len(sockets) == 1
    assert all(a is sockets[0] and b is sockets[0] for a, b, _ in seen)
    assert isinstance(sockets[0], http.Socket) and sockets[0].remote_address == "127.0.0.1"


async def test_pipelined_requests_answered_in_order() -> None:
    """Port of test/parallel/test-http-pipeline-regr-3332.js: 20 pipelined requests, slower ones first, in order."""

    async def handler(req: Req, res: Res) -> None:
        n = int(req.url[1:])
        await trio.sleep((20 - n) * 0.002)
        res.end(str(n))

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(b"".join(get(f"/{i}") for i in range(20)))
            reader = Reader(stream)
            bodies = [(await reader.response()).body for _ in range(20)]
    assert bodies == [str(i).encode() for i in range(20)]


async def test_max_requests_per_socket() -> None:
    """Port of test/parallel/test-http-keep-alive-max-requests.js: 'max=' announced; the last says close.

    As in Node, the server keeps the connection: a request past the limit gets 503
    and 'dropRequest', and the connection ends when the client ends it.
    """
    dropped: list[str] = []
    async with serving(lambda req, res: res.end(req.url), max_requests_per_socket=2) as server:
        server.on("dropRequest", lambda req, sock: dropped.append(req.url))
        stream = await connect(server)
        async with stream:
            reader = Reader(stream)
            await stream.send_all(get("/a"))
            first = await reader.response()
            await stream.send_all(get("/b"))
            second = await reader.response()
            await stream.send_all(get("/c"))
            third = await reader.response()
            await stream.send_eof()
            assert await reader.closed()
    assert first.header("keep-alive") == "timeout=5, max=2" and first.header("connection") == "keep-alive"
    assert second.header("connection") == "close" and second.header("keep-alive") is None
    assert third.code == 503 and third.header("connection") == "close" and third.body == b""
    assert dropped == ["/c"]


async def test_close_waits_for_busy_connections() -> None:
    """Port of test/parallel/test-http-server-close-idle.js: close() ends idle connections at once, busy ones after their response."""
    release = trio.Event()
    events: list[str] = []

    async def handler(req: Req, res: Res) -> None:
        await release.wait()
        res.end("late")

    async with serving(handler) as server:
        server.on("close", lambda: events.append("close"))
        idle = await connect(server)
        busy = await connect(server)
        await busy.send_all(get())
        await trio.testing.wait_all_tasks_blocked()
        server.close()
        assert await Reader(idle).closed()
        await trio.testing.wait_all_tasks_blocked()
        assert events == []
        release.set()
        reader = Reader(busy)
        answer = await reader.response()
        assert await reader.closed()
        await server.wait_closed()
        await trio.testing.wait_all_tasks_blocked()
        await idle.aclose()
        await busy.aclose()
    assert answer.body == b"late" and answer.header("connection") == "close"
    assert events == ["close"]
    assert not server.listening


async def test_close_idle_and_all_connections() -> None:
    """Port of test/parallel/test-http-server-close-all.js and test-http-server-close-idle.js."""
    never = trio.Event()

    async def handler(req: Req, res: Res) -> None:
        if req.url == "/hang":
            res.write("partial")
            await never.wait()
        res.end("ok")

    async with serving(handler) as server:
        kept = await connect(server)
        await kept.send_all(get())
        assert (await Reader(kept).response()).body == b"ok"
        hanging = await connect(server)
        await hanging.send_all(get("/hang"))
        await trio.testing.wait_all_tasks_blocked()
        server.close_idle_connections()
        assert await Reader(kept).closed()
        assert server.listening  # the listener is untouched
        server.close_all_connections()
        rest, how = await read_until_close(hanging)
        assert how in ("eof", "reset") and not rest.endswith(b"0\r\n\r\n")
        await kept.aclose()
        await hanging.aclose()
        never.set()


# -- back-pressure ----------------------------------------------------------------------------


async def test_unread_upload_stops_the_server_reading() -> None:
    """Port of test/parallel/test-http-pause.js: a handler that does not read makes the client's send block.

    Like Node's socket reads, one read may land past the mark: the buffered body stays
    under ``high_water_mark`` plus one read (64 KiB).
    """
    hwm = 16384
    total = 64 * 1024 * 1024
    requests: list[Req] = []
    resume = trio.Event()

    def handler(req: Req, res: Res) -> None:
        requests.append(req)
        size = [0]

        def on_data(chunk: bytes) -> None:
            size[0] += len(chunk)

        async def later() -> None:
            await resume.wait()
            req.on("data", on_data)
            req.on("end", lambda: res.end(str(size[0])))

        ns.current_scope().start_soon(later)

    async with serving(handler, high_water_mark=hwm, deadline=30) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {total}\r\n\r\n".encode())
            sent = 0
            block = b"x" * 65536

            async def upload() -> None:
                # Never cancelled: a cancelled send_all may have sent part of its block.
                nonlocal sent
                while sent < total:
                    await stream.send_all(block)
                    sent += len(block)

            async with trio.open_nursery() as nursery:
                nursery.start_soon(upload)
                await trio.sleep(0.5)
                assert sent < total / 2, "the client's send never blocked"
                [req] = requests
                assert req.readable_length <= hwm + 65536
                resume.set()
                answer = await Reader(stream).response(timeout=20)
    assert answer.body == str(total).encode(), answer


async def test_write_returns_false_then_drain() -> None:
    """Port of test/parallel/test-http-outgoing-message-write-callback.js / test-http-res-write-end-dont-take-array.js:
    res.write() returns False against a client that does not read; 'drain' once it reads."""
    events: list[Any] = []

    async def handler(req: Req, res: Res) -> None:
        writes = 0
        while res.write(b"y" * 65536):
            writes += 1
            assert writes < 10_000
            await trio.sleep(0)
        events.append(("false after", writes, res.writable_need_drain))
        drained = trio.Event()
        res.once("drain", drained.set)
        await drained.wait()
        events.append("drain")
        res.end()
        events.append(("total", (writes + 1) * 65536))

    async with serving(handler, deadline=20) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(get())
            await trio.sleep(0.3)  # not reading: the kernel buffers fill up
            assert events and events[0][0] == "false after"
            answer = await Reader(stream).response(timeout=15)
    assert events[1] == "drain" and events[0][2] is True
    assert len(answer.body) == events[2][1]


async def test_unread_body_is_dumped_not_aborted() -> None:
    """Port of test/parallel/test-http-server-unconsumed.js / test-http-dump-req-when-res-ends.js:
    a response ended before the body arrived drops the body; req ends and closes, no 'aborted'."""
    events: list[str] = []

    def handler(req: Req, res: Res) -> None:
        if req.url == "/next":
            res.end("next")
            return
        req.on("aborted", lambda: events.append("aborted"))
        req.on("end", lambda: events.append("end"))
        req.on("close", lambda: events.append(f"close {req.complete}"))
        res.on("finish", lambda: events.append("res finish"))
        res.end("early")

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            reader = Reader(stream)
            await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            assert (await reader.response()).body == b"early"
            await trio.testing.wait_all_tasks_blocked()
            events.append("rest sent")
            await stream.send_all(b"defghij" + get("/next"))
            assert (await reader.response()).body == b"next"
    assert events == ["res finish", "rest sent", "end", "close True"]


# -- smaller surface: events and properties the byte-level tests do not touch -------------------


async def test_listening_close_events_and_address() -> None:
    """Port of test/parallel/test-http-server-close-all.js (events part): 'listening', address(), close(cb)."""
    events: list[str] = []
    async with ns.open_scope():
        server = http.create_server(lambda req, res: res.end())
        server.on("listening", lambda: events.append("listening"))
        await server.listen(0, "127.0.0.1")
        addr = server.address()
        assert addr is not None and addr["address"] == "127.0.0.1" and addr["family"] == "IPv4"
        assert server.listening
        await settle_ticks()
        server.close(lambda *a: events.append("close cb"))
        server.on("close", lambda *a: events.append("close"))
        with trio.fail_after(5):
            await server.wait_closed()
        await settle_ticks()
    assert events == ["listening", "close cb", "close"]
    assert not server.listening


async def settle_ticks() -> None:
    for _ in range(3):
        await trio.sleep(0)


async def test_write_processing_and_message_properties() -> None:
    """Port of test/parallel/test-http-information-processing.js and test-http-set-header-chain.js:
    102 Processing, set_headers, res.req, connection aliases, finished, the version parts and trailers."""
    seen: dict[str, Any] = {}

    async def handler(req: Req, res: Res) -> None:
        res.write_processing()
        assert res.set_headers({"X-A": "1", "X-B": ["2", "3"]}) is res
        body = b"".join([c async for c in req])
        seen.update(
            req_is=res.req is req, conn=(res.connection is res.socket, req.connection is req.socket),
            version=(req.http_version, req.http_version_major, req.http_version_minor),
            aborted=req.aborted, complete=req.complete, body=body,
            trailers=req.trailers, distinct=req.trailers_distinct, raw=req.raw_trailers,
        )  # fmt: skip
        seen["finished"] = [res.finished]
        res.end("ok")
        seen["finished"].append(res.finished)

    upload = (
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2\r\nhi\r\n0\r\nX-T: 1\r\nx-t: 2\r\n\r\n"
    )
    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(upload)
            reader = Reader(stream)
            res = await reader.response()
    assert res.status == "HTTP/1.1 102 Processing"  # the 1xx comes first
    assert seen["req_is"] and seen["conn"] == (True, True)
    assert seen["version"] == ("1.1", 1, 1) and seen["aborted"] is False and seen["complete"] is True
    assert seen["body"] == b"hi" and seen["trailers"] == {"x-t": "1, 2"}
    assert seen["distinct"] == {"x-t": ["1", "2"]} and seen["raw"] == ["X-T", "1", "x-t", "2"]
    assert seen["finished"] == [False, True]


async def test_require_host_header_false() -> None:
    """Port of test/parallel/test-http-server-require-host-header.js: the option turns the 400 off."""
    async with serving(lambda req, res: res.end(str(req.headers.get("host")))) as server:
        strict = await ask(server, b"GET / HTTP/1.1\r\n\r\n")
    async with serving(lambda req, res: res.end(str(req.headers.get("host"))), require_host_header=False) as server:
        lenient = await ask(server, b"GET / HTTP/1.1\r\n\r\n")
    assert strict.code == 400
    assert (lenient.code, lenient.body) == (200, b"None")


async def test_response_set_timeout_fires_once_per_idle_period() -> None:
    """Port of test/parallel/test-http-set-timeout-server.js (response timeout): the callback
    gets the socket, once per idle period; the listener keeps the socket alive."""
    fired: list[Any] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.set_timeout(100, lambda sock: fired.append(sock))

    async with serving(handler) as server:
        stream = await connect(server)
        await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await trio.sleep(0.55)
        assert len(fired) == 1
        assert fired[0] is not None and not fired[0].destroyed
        await stream.aclose()
        server.close_all_connections()


async def test_server_set_timeout_without_listeners_destroys_the_socket() -> None:
    """Port of test/parallel/test-http-server-timeout.js (no listener): the socket is destroyed."""
    async with serving(lambda req, res: None) as server:
        server.set_timeout(100)
        stream = await connect(server)
        await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data, how = await read_until_close(stream, timeout=3)
        await stream.aclose()
        assert data == b""
        assert how in ("eof", "reset")


async def test_server_timeout_event_gets_the_socket() -> None:
    """Port of test/parallel/test-http-set-timeout-server.js (server 'timeout' listener)."""
    seen: list[Any] = []
    async with serving(lambda req, res: None) as server:
        server.set_timeout(100, lambda sock: (seen.append(sock), sock.destroy()))
        stream = await connect(server)
        await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _data, how = await read_until_close(stream, timeout=3)
        await stream.aclose()
        assert how in ("eof", "reset")
        assert len(seen) == 1


async def test_no_delay_false_turns_nagle_back_on() -> None:
    """``no_delay=False``: accepted connections send with Nagle's algorithm (Trio turns
    TCP_NODELAY on for every TCP stream; the default keeps it so)."""
    import socket as stdsocket

    seen: dict[str, int] = {}

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        stream = req.socket.stream
        assert isinstance(stream, trio.SocketStream)
        seen[req.url] = stream.socket.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_NODELAY)
        res.end()

    with trio.fail_after(10):
        async with ns.open_scope():
            for url, option in (("/nagle", False), ("/default", True)):
                server = http.create_server(handler, no_delay=option)
                await server.listen(0, "127.0.0.1")
                stream = await trio.open_tcp_stream("127.0.0.1", server.address()["port"])
                async with stream:
                    await stream.send_all(f"GET {url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                    while await stream.receive_some():
                        pass
                server.close()
    assert seen == {"/nagle": 0, "/default": 1}
