"""The HTTP server against hostile and broken clients, beyond the raw-request corpus.

Every case runs the server in its own scope under a deadline: after the case the
server must still answer a normal request, and ``server.close()`` must let the
scope exit (no task left behind). The raw corpus of tests/hostile/cases.py is
replayed against Node's answers in tests/conformance/test_http_server.py.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trio

import trio_nodestreams as ns
from trio_nodestreams import http

GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def ok(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    res.end("ok")


async def connect(server: http.Server) -> trio.SocketStream:
    addr = server.address()
    assert addr is not None
    return await trio.open_tcp_stream("127.0.0.1", addr["port"])


async def read_until_close(stream: trio.SocketStream, timeout: float = 5) -> tuple[bytes, str]:
    """Everything the server sends, and how it ended: ``"eof"``, ``"reset"`` or ``"timeout"``."""
    data = bytearray()
    with trio.move_on_after(timeout):
        while True:
            try:
                got = await stream.receive_some(65536)
            except trio.BrokenResourceError:
                return bytes(data), "reset"
            if not got:
                return bytes(data), "eof"
            data += got
    return bytes(data), "timeout"


async def read_response(stream: trio.SocketStream, timeout: float = 5) -> bytes:
    """One response whose body is framed by Content-Length."""
    data = bytearray()
    with trio.fail_after(timeout):
        while True:
            head, sep, body = bytes(data).partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(body) >= length:
                    return bytes(data)
            got = await stream.receive_some(65536)
            assert got, f"closed before a whole response: {bytes(data)!r}"
            data += got


ALIVE = b"GET /alive HTTP/1.1\r\nHost: x\r\n\r\n"


async def still_serves(server: http.Server) -> None:
    """A fresh connection still gets an answer."""
    stream = await connect(server)
    async with stream:
        await stream.send_all(ALIVE)
        answer = await read_response(stream)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer


@asynccontextmanager
async def serving(handler: Any = ok, *, deadline: float = 10, **options: Any) -> AsyncIterator[http.Server]:
    """Serve in a scope of its own; afterwards check it still serves, close it, and require the scope to exit."""
    with trio.fail_after(deadline):
        async with ns.open_scope():
            server = http.create_server(_alive_or(handler), **options)
            await server.listen(0, "127.0.0.1")
            yield server
            await still_serves(server)
            server.close()
            await server.wait_closed()


def _alive_or(handler: Any) -> Any:
    """``handler``, except that GET /alive (the still-serving check) is answered here."""

    if inspect.iscoroutinefunction(handler):

        async def on_request_async(req: http.IncomingMessage, res: http.ServerResponse) -> None:
            if req.url == "/alive":
                res.end("alive")
            else:
                await handler(req, res)

        return on_request_async

    def on_request(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/alive":
            res.end("alive")
        else:
            handler(req, res)

    return on_request


# -- timeouts --------------------------------------------------------------------------


async def test_slowloris_headers_timeout() -> None:
    """Port of test/parallel/test-http-server-headers-timeout-delayed-headers.js: a head sent byte by byte gets 408."""
    async with serving(headers_timeout=300, request_timeout=0) as server:
        stream = await connect(server)
        async with stream:
            start = trio.current_time()
            await stream.send_all(b"GET / HTTP/1.1\r\n")

            async def drip() -> None:
                for byte in b"Host: x\r\nX-Slow: " + b"a" * 1000:
                    await stream.send_all(bytes([byte]))
                    await trio.sleep(0.02)

            async with trio.open_nursery() as nursery:
                nursery.start_soon(drip)
                data, how = await read_until_close(stream)
                nursery.cancel_scope.cancel()
            elapsed = trio.current_time() - start
        assert data == b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
        assert how in ("eof", "reset")
        assert 0.25 <= elapsed < 2, elapsed


async def test_request_timeout_while_body_trickles() -> None:
    """Port of test/parallel/test-http-server-request-timeout-delayed-body.js: 408 once request_timeout passes."""
    seen: list[Any] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("data", lambda chunk: seen.append(chunk))
        req.on("aborted", lambda: seen.append("aborted"))
        req.on("error", lambda err: seen.append(err.code))
        res.on("close", lambda: seen.append(("res close", res.writable_finished)))

    async with serving(handler, request_timeout=300, headers_timeout=300) as server:
        stream = await connect(server)
        async with stream:
            start = trio.current_time()
            await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
            data, how = await read_until_close(stream)
            elapsed = trio.current_time() - start
        await trio.testing.wait_all_tasks_blocked()
    assert data == b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
    assert how == "eof"
    assert 0.25 <= elapsed < 2, elapsed
    assert seen[0] == b"hello"
    assert "aborted" in seen and "ECONNRESET" in seen and ("res close", False) in seen


async def test_idle_keep_alive_connection_closed() -> None:
    """Port of test/parallel/test-http-server-keep-alive-timeout.js: an idle kept-alive connection is closed."""
    async with serving(keep_alive_timeout=200) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(GET)
            answer = await read_response(stream)
            assert b"Keep-Alive: timeout=0\r\n" in answer  # Node rounds down to whole seconds
            start = trio.current_time()
            rest, how = await read_until_close(stream)
            elapsed = trio.current_time() - start
    assert (rest, how) == (b"", "eof")
    assert 0.15 <= elapsed < 1.5, elapsed


async def test_keep_alive_timeout_restarts_per_request() -> None:
    """scenario: requests spaced closer than keep_alive_timeout keep the connection open."""
    async with serving(keep_alive_timeout=300) as server:
        stream = await connect(server)
        async with stream:
            for _ in range(4):
                await stream.send_all(GET)
                assert (await read_response(stream)).startswith(b"HTTP/1.1 200 OK")
                await trio.sleep(0.15)


# -- broken clients --------------------------------------------------------------------


@pytest.mark.parametrize("how", ["fin", "reset"])
async def test_client_vanishes_mid_body(how: str) -> None:
    """Port of test/parallel/test-http-server-client-error.js / test-http-abort-stream-end.js:
    req 'aborted' then 'error' ECONNRESET (it has a listener), res 'close' without 'finish'."""
    events: list[Any] = []
    closed = trio.Event()

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("data", lambda chunk: events.append(("data", chunk)))
        req.on("aborted", lambda: events.append("aborted"))
        req.on("error", lambda err: events.append(("error", err.code, err.message)))
        req.on("close", lambda: events.append("req close"))
        res.on("finish", lambda: events.append("res finish"))

        def on_close() -> None:
            events.append("res close")
            closed.set()

        res.on("close", on_close)

    async with serving(handler) as server:
        stream = await connect(server)
        await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")
        while not any(isinstance(e, tuple) and e[0] == "data" for e in events):
            await trio.sleep(0.005)
        if how == "reset":
            import socket
            import struct

            stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        await stream.aclose()
        with trio.fail_after(2):
            await closed.wait()
        await trio.testing.wait_all_tasks_blocked()
    assert events[0] == ("data", b"partial")
    assert "aborted" in events and "res close" in events and "req close" in events
    assert ("error", "ECONNRESET", "aborted") in events
    assert "res finish" not in events
    assert events.index("aborted") < events.index(("error", "ECONNRESET", "aborted"))


async def test_client_vanishes_without_error_listener() -> None:
    """scenario: without an 'error' listener the abort is quiet: 'aborted' and 'close' only, nothing raised."""
    events: list[str] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("aborted", lambda: events.append("aborted"))
        req.on("close", lambda: events.append("req close"))
        res.on("close", lambda: events.append("res close"))

    async with serving(handler) as server:
        stream = await connect(server)
        await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        await trio.sleep(0.05)
        await stream.aclose()
        while "req close" not in events:
            await trio.sleep(0.005)
    assert events[0] == "aborted" and set(events) == {"aborted", "req close", "res close"}


async def test_response_to_a_client_that_left() -> None:
    """scenario: a client that leaves is noticed at once: the response closes, its handler is cancelled."""
    finished = trio.Event()
    events: list[Any] = []

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.on("close", lambda: (events.append("close"), finished.set()))
        res.on("finish", lambda: events.append("finish"))
        try:
            await trio.sleep(10)  # the client leaves meanwhile
        except trio.Cancelled:
            events.append("handler cancelled")
            raise
        res.end()

    async with serving(handler) as server:
        stream = await connect(server)
        await stream.send_all(GET)
        await trio.sleep(0.05)
        stream.socket.close()
        with trio.fail_after(3):
            await finished.wait()
            while len(events) < 2:
                await trio.sleep(0.01)
    # (serving() checks on the way out that the server goes on serving.)
    assert events == ["close", "handler cancelled"]


async def test_oversized_headers_431() -> None:
    """Port of test/parallel/test-http-max-header-size.js: past max_header_size, 431 and close."""
    requests: list[str] = []
    async with serving(lambda req, res: (requests.append(req.url), res.end()), max_header_size=1024) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 2000 + b"\r\n\r\n")
            data, how = await read_until_close(stream)
    assert data == b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
    assert how in ("eof", "reset")
    assert requests == []


async def test_client_error_listener_owns_the_answer() -> None:
    """Port of test/parallel/test-http-server-client-error.js: a 'clientError' listener writes its own answer."""
    errors: list[Any] = []

    def on_client_error(err: http.ClientError, sock: http.Socket) -> None:
        errors.append((err.code, err.bytes_parsed > 0))
        sock.write(b"HTTP/1.1 400 Bad Request\r\nX-Mine: 1\r\nConnection: close\r\n\r\n")
        sock.end()

    async with serving() as server:
        server.on("clientError", on_client_error)
        stream = await connect(server)
        async with stream:
            await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
            data, _ = await read_until_close(stream)
    assert data == b"HTTP/1.1 400 Bad Request\r\nX-Mine: 1\r\nConnection: close\r\n\r\n"
    assert errors == [("HPE_INVALID_HEADER_TOKEN", True)]


async def test_chunk_extension_over_16k_is_413() -> None:
    """Port of test/parallel/test-http-chunk-extensions-limit.js: a chunk extension past 16 KiB gets 413."""
    events: list[Any] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("data", lambda chunk: events.append(chunk))
        req.on("aborted", lambda: events.append("aborted"))

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n")
            await trio.sleep(0.05)
            try:
                await stream.send_all(b"1;" + b"e" * 20000 + b"\r\na\r\n0\r\n\r\n")
            except trio.BrokenResourceError:
                pass
            data, _ = await read_until_close(stream)
    assert data == b"HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n"
    assert events == [b"ok", "aborted"]


async def test_chunk_flood_completes_and_does_not_starve_others() -> None:
    """scenario: 150 000 one-byte chunks arrive whole; meanwhile another connection is answered promptly."""
    count = 150_000

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.method == "GET":
            res.end("ok")
            return
        got = bytearray()
        req.on("data", got.extend)
        req.on("end", lambda: res.end(f"{len(got)} {set(got) == {ord('a')}}"))

    async with serving(handler, deadline=30) as server:
        latencies: list[float] = []
        flood_done = trio.Event()
        answer: list[bytes] = []

        async def flood() -> None:
            stream = await connect(server)
            async with stream:
                await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                await stream.send_all(b"1\r\na\r\n" * count + b"0\r\n\r\n")
                answer.append(await read_response(stream, timeout=20))
            flood_done.set()

        async def poll() -> None:
            stream = await connect(server)
            async with stream:
                while not flood_done.is_set():
                    start = trio.current_time()
                    await stream.send_all(GET)
                    await read_response(stream)
                    latencies.append(trio.current_time() - start)
                    await trio.sleep(0.01)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(flood)
            nursery.start_soon(poll)
    assert answer[0].endswith(b"\r\n\r\n150000 True")
    # Decoded a slice at a time with checkpoints, the flood leaves room for the other
    # connection (measured: 40 ms worst case; 290 ms when a 64 KiB read of tiny chunks
    # was decoded in one step).
    assert len(latencies) >= 3 and max(latencies) < 0.25, latencies


async def test_many_idle_connections_then_close() -> None:
    """scenario: server.close() ends idle connections at once; their clients see EOF; 'close' fires."""
    closed = trio.Event()
    async with ns.open_scope():
        server = http.create_server(ok)
        await server.listen(0, "127.0.0.1")
        server.on("close", closed.set)
        streams = [await connect(server) for _ in range(20)]
        for s in streams[:10]:
            await s.send_all(GET)
            await read_response(s)
        await trio.testing.wait_all_tasks_blocked()
        with trio.fail_after(2):
            server.close()
            for s in streams:
                _, how = await read_until_close(s)
                assert how in ("eof", "reset")
                await s.aclose()
            await closed.wait()


# -- handler failures ------------------------------------------------------------------


def _failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "request handler failed" in r.getMessage()]


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_handler_raises_before_head_is_500(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    """scenario: a handler that raises before any header answers 500 and closes; the server keeps serving."""
    calls: list[str] = []

    def sync_handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        calls.append(req.url)
        if req.url == "/boom":
            raise RuntimeError("boom")
        res.end("ok")

    async def async_handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        calls.append(req.url)
        await trio.sleep(0)
        if req.url == "/boom":
            raise RuntimeError("boom")
        res.end("ok")

    handler = sync_handler if kind == "sync" else async_handler
    with caplog.at_level(logging.ERROR, logger="trio_nodestreams.http"):
        async with serving(handler) as server:
            stream = await connect(server)
            async with stream:
                await stream.send_all(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
                data, how = await read_until_close(stream)
            assert data.startswith(b"HTTP/1.1 500 Internal Server Error\r\n"), data
            # As Node answers a rejected async handler: the reason phrase as the body.
            assert b"Connection: close\r\n" in data and data.endswith(b"\r\n\r\nInternal Server Error")
            assert how == "eof"
    assert calls == ["/boom"]
    [record] = _failures(caplog)
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_handler_raises_after_head_drops_connection(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    """scenario: a handler that raises after the head went out: the connection is dropped, mid-response."""

    def sync_handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/boom":
            res.write("partial")
            raise RuntimeError("late boom")
        res.end("ok")

    async def async_handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/boom":
            res.flush_headers()
            await trio.sleep(0.01)
            raise RuntimeError("late boom")
        res.end("ok")

    handler = sync_handler if kind == "sync" else async_handler
    with caplog.at_level(logging.ERROR, logger="trio_nodestreams.http"):
        async with serving(handler) as server:
            stream = await connect(server)
            async with stream:
                await stream.send_all(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
                data, how = await read_until_close(stream)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and b"Transfer-Encoding: chunked" in data
    assert not data.endswith(b"0\r\n\r\n")  # no last chunk: the client knows it is cut short
    assert how in ("eof", "reset")
    [record] = _failures(caplog)
    assert "late boom" in repr(record.exc_info)


@pytest.mark.parametrize("what", ["res", "socket"])
async def test_handler_destroys_mid_request(what: str) -> None:
    """Port of test/parallel/test-http-server-destroy-socket-on-client-error.js (destroy part):
    res.destroy() or req.socket.destroy() while the body is incomplete ends the connection at once."""
    events: list[str] = []

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("aborted", lambda: events.append("aborted"))
        res.on("close", lambda: events.append("res close"))
        await trio.sleep(0.05)
        if what == "res":
            res.destroy()
        else:
            req.socket.destroy()

    async with serving(handler) as server:
        stream = await connect(server)
        async with stream:
            await stream.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            data, how = await read_until_close(stream, timeout=2)
        while len(events) < 2:
            await trio.sleep(0.005)
    assert (data, how) in ((b"", "eof"), (b"", "reset"))
    assert sorted(events) == ["aborted", "res close"]


async def test_handler_waiting_forever_is_cancelled_when_its_client_leaves() -> None:
    """A handler whose response can no longer be completed (the client left mid-body) is
    cancelled, so it cannot keep its connection, and the server's close, waiting forever."""
    cancelled = trio.Event()

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url != "/wait":
            res.end("ok")
            return
        try:
            await trio.sleep_forever()
        except trio.Cancelled:
            cancelled.set()
            raise

    async with serving(handler) as server:
        stream = await connect(server)
        await stream.send_all(b"POST /wait HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
        await trio.sleep(0.1)
        await stream.aclose()
        with trio.fail_after(3):
            await cancelled.wait()
