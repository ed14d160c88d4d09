"""Server timeouts on Trio's MockClock: when each one fires, what the client sees, what is left.

Every connection here is one end of ``trio.testing.memory_stream_pair()`` and time
is ``MockClock(autojump_threshold=0)``: the clock jumps to the next deadline as soon
as every task waits, so a test states "not before T, and by T + the server's check
interval" without waiting for anything. Node's semantics (Node 20, lib/_http_server.js):

- ``headersTimeout``: a head not complete this long after it began gets 408 and the
  close; a new connection that sends nothing at all is treated the same way;
- ``requestTimeout``: a request not received whole this long after it began gets
  408 if its response has not started, and the socket is destroyed without a 408
  if it has (test-http-server-request-timeout-delayed-body.js);
- ``keepAliveTimeout``: an idle kept-alive connection closes after it plus a 1 s
  buffer (Node 20's ``HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER``), and its answers say
  ``Keep-Alive: timeout=N`` with the timeout alone;
- ``server.setTimeout(msecs[, callback])``: a socket idle that long emits
  ``'timeout'`` on the request, the response and the server; when nobody listens
  the socket is destroyed, otherwise it stays open (test-http-set-timeout-server.js).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trio
import trio.testing

from trio_nodestreams import http

from . import leakcheck

pytestmark = pytest.mark.leak_check

#: The server's own check interval bounds how late a timeout may fire (Node checks
#: its connections every connectionsCheckingInterval; the test allows as much).
INTERVAL = 0.1
TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


class Peer:
    """The client end of one connection: what it received, and when the server closed."""

    def __init__(self, stream: trio.abc.Stream) -> None:
        self.stream = stream
        self.received = bytearray()
        self.closed_at: float | None = None

    async def send(self, data: bytes) -> None:
        await self.stream.send_all(data)

    async def read_until(self, marker: bytes) -> None:
        while marker not in self.received:
            chunk = await self.stream.receive_some()
            assert chunk, f"closed before {marker!r}: {bytes(self.received)!r}"
            self.received += chunk

    async def read_to_end(self) -> float:
        """Read until the server closes; return when that was."""
        while True:
            try:
                chunk = await self.stream.receive_some()
            except trio.BrokenResourceError:
                chunk = b""
            if not chunk:
                self.closed_at = trio.current_time()
                return self.closed_at
            self.received += chunk


@asynccontextmanager
async def connection(server: http.Server) -> AsyncIterator[Peer]:
    """A new connection served by ``server`` until the block ends (and the server closes it)."""
    client, server_end = trio.testing.memory_stream_pair()
    with leakcheck.error_log() as errors:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(server.serve_connection, server_end)
            peer = Peer(client)
            try:
                yield peer
            finally:
                await client.aclose()
    assert not errors.bad, errors.bad


def answered(handler: Any = None, **options: Any) -> http.Server:
    def default(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.end(b"ok")

    return http.create_server(handler or default, connections_checking_interval=INTERVAL * 1000, **options)


def within(elapsed: float, timeout: float) -> bool:
    return timeout <= elapsed <= timeout + INTERVAL


# -- headersTimeout -----------------------------------------------------------------------


async def test_headers_timeout_answers_408_to_a_slow_head(autojump_clock: trio.testing.MockClock) -> None:
    """A head trickling in a byte at a time, each read well inside the timeout: the timeout
    counts from the head's first byte, not from the last read."""
    server = answered(headers_timeout=2000, request_timeout=10_000)
    with trio.fail_after(30):
        async with connection(server) as peer:
            start = trio.current_time()
            for byte in b"GET / HTTP/1.1\r\nHost: x\r\n":
                await peer.send(bytes([byte]))
                await trio.sleep(0.05)
                if peer.closed_at is not None:
                    break
            closed = await peer.read_to_end()
    assert bytes(peer.received) == TIMEOUT_408
    assert within(closed - start, 2.0), closed - start


async def test_headers_timeout_spares_a_head_that_completes_in_time(autojump_clock: trio.testing.MockClock) -> None:
    server = answered(headers_timeout=2000, request_timeout=10_000)
    with trio.fail_after(30):
        async with connection(server) as peer:
            await peer.send(b"GET / HTTP/1.1\r\n")
            await trio.sleep(1.9)
            await peer.send(b"Host: x\r\n\r\n")
            await peer.read_until(b"\r\n\r\nok")
            # A second request on the connection gets a fresh headers timeout.
            await trio.sleep(1.5)
            await peer.send(b"GET / HTTP/1.1\r\n")
            await trio.sleep(1.9)
            await peer.send(b"Host: x\r\n\r\n")
            while bytes(peer.received).count(b"\r\n\r\nok") < 2:
                chunk = await peer.stream.receive_some()
                assert chunk, bytes(peer.received)
                peer.received += chunk
    assert bytes(peer.received).count(b"HTTP/1.1 200 OK\r\n") == 2


async def test_silent_new_connection_gets_408_after_headers_timeout(autojump_clock: trio.testing.MockClock) -> None:
    """A connection that never sends a byte is not kept forever (nor only for the keep-alive)."""
    server = answered(headers_timeout=3000, request_timeout=10_000, keep_alive_timeout=1000)
    with trio.fail_after(30):
        async with connection(server) as peer:
            start = trio.current_time()
            closed = await peer.read_to_end()
    assert bytes(peer.received) == TIMEOUT_408
    assert within(closed - start, 3.0), closed - start


# -- requestTimeout -------------------------------------------------------------------------


async def test_request_timeout_answers_408_while_the_response_has_not_started(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """The head came at once, the body never finishes, the handler waits for it."""
    seen: list[str] = []

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("aborted", lambda: seen.append("aborted"))
        try:
            body = b"".join([chunk async for chunk in req])
        except trio.Cancelled:
            seen.append("handler cancelled")
            raise
        except Exception as exc:  # the abort surfaces here when it comes first
            seen.append(f"handler saw {getattr(exc, 'code', exc)}")
            return
        res.end(body)

    server = answered(handler, headers_timeout=2000, request_timeout=5000)
    with trio.fail_after(30):
        async with connection(server) as peer:
            start = trio.current_time()
            await peer.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
            closed = await peer.read_to_end()
    assert bytes(peer.received) == TIMEOUT_408
    assert within(closed - start, 5.0), closed - start
    assert "aborted" in seen and len(seen) == 2, seen


async def test_request_timeout_after_the_response_head_destroys_without_408(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """Ported from test/parallel/test-http-server-request-timeout-delayed-body.js: the
    response head (and a chunk) went out, the body stalls: the socket is destroyed,
    no 408 is written into the started response, the response closes unfinished."""
    events: list[str] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.write_head(200, {"Content-Type": "text/plain"})
        req.pipe(res)
        res.on("close", lambda: events.append(f"res close finished={res.writable_finished}"))
        req.on("aborted", lambda: events.append("req aborted"))

    server = answered(handler, headers_timeout=2000, request_timeout=5000)
    with trio.fail_after(30):
        async with connection(server) as peer:
            start = trio.current_time()
            await peer.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
            await peer.read_until(b"5\r\nhello\r\n")
            closed = await peer.read_to_end()
    received = bytes(peer.received)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"5\r\nhello\r\n"), received
    assert b"408" not in received
    assert within(closed - start, 5.0), closed - start
    assert "req aborted" in events and "res close finished=False" in events, events


async def test_request_timeout_zero_disables_it(autojump_clock: trio.testing.MockClock) -> None:
    server = answered(headers_timeout=0, request_timeout=0, keep_alive_timeout=0)
    with trio.fail_after(120):
        async with connection(server) as peer:
            await peer.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
            with trio.move_on_after(100):
                await peer.read_to_end()
            assert peer.closed_at is None  # 100 s later, still open
            await peer.send(b"world")
            await peer.read_until(b"\r\n\r\nok")


# -- keepAliveTimeout -----------------------------------------------------------------------


async def test_keep_alive_timeout_closes_an_idle_connection_one_second_later(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """Node 20 keeps an idle connection keepAliveTimeout + 1 s; it announces the timeout alone."""
    server = answered(keep_alive_timeout=5000, headers_timeout=60_000)
    with trio.fail_after(30):
        async with connection(server) as peer:
            await peer.send(GET)
            await peer.read_until(b"\r\n\r\nok")
            idle_from = trio.current_time()
            closed = await peer.read_to_end()
    assert b"Keep-Alive: timeout=5\r\n" in peer.received
    assert within(closed - idle_from, 6.0), closed - idle_from


async def test_keep_alive_timeout_restarts_with_each_request(autojump_clock: trio.testing.MockClock) -> None:
    server = answered(keep_alive_timeout=2000, headers_timeout=60_000)
    with trio.fail_after(60):
        async with connection(server) as peer:
            for n in range(1, 5):
                await peer.send(GET)
                while bytes(peer.received).count(b"\r\n\r\nok") < n:
                    peer.received += await peer.stream.receive_some()
                await trio.sleep(2.9)  # under 2 s + the 1 s buffer
            idle_from = trio.current_time() - 2.9
            closed = await peer.read_to_end()
    assert within(closed - idle_from, 3.0), closed - idle_from


async def test_keep_alive_timeout_after_a_response_that_beat_its_request_body(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """The handler answers at the head; the body (chunked or not) arrives in a later read;
    then the client is silent: the keep-alive timeout still closes the connection (found
    by the fuzzer, case 692 of seed 4242)."""
    for body_head, body in (
        (b"Transfer-Encoding: chunked", b"5\r\nhello\r\n0\r\n\r\n"),
        (b"Content-Length: 5", b"hello"),
    ):
        server = answered(keep_alive_timeout=1000, headers_timeout=60_000, request_timeout=120_000)
        with trio.fail_after(60):
            async with connection(server) as peer:
                await peer.send(b"POST / HTTP/1.1\r\nHost: x\r\n" + body_head + b"\r\n\r\n")
                await peer.read_until(b"\r\n\r\nok")  # answered before the body came
                await peer.send(body)
                idle_from = trio.current_time()
                with trio.move_on_after(30):
                    await peer.read_to_end()
        assert peer.closed_at is not None, (body_head, "still open 30 s after its last request")
        assert within(peer.closed_at - idle_from, 2.0), (body_head, peer.closed_at - idle_from)


async def test_keep_alive_expiry_is_a_timeout_the_server_may_keep(autojump_clock: trio.testing.MockClock) -> None:
    """Node's keep-alive runs on the socket timeout: a server 'timeout' listener gets the
    socket instead of the connection being closed."""
    server = answered(keep_alive_timeout=1000, headers_timeout=60_000)
    timeouts: list[float] = []
    server.on("timeout", lambda sock: timeouts.append(trio.current_time()))
    with trio.fail_after(30):
        async with connection(server) as peer:
            await peer.send(GET)
            await peer.read_until(b"\r\n\r\nok")
            idle_from = trio.current_time()
            with trio.move_on_after(5):
                await peer.read_to_end()
            assert peer.closed_at is None
            await peer.send(GET)  # still served
            while bytes(peer.received).count(b"\r\n\r\nok") < 2:
                peer.received += await peer.stream.receive_some()
    assert timeouts and within(timeouts[0] - idle_from, 2.0), (timeouts, idle_from)


# -- server.setTimeout and 'timeout' ----------------------------------------------------------


async def test_set_timeout_without_listener_destroys_an_idle_socket(autojump_clock: trio.testing.MockClock) -> None:
    """Activity restarts the inactivity timer; once idle that long the socket is destroyed."""
    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("end", lambda: res.end(b"ok"))  # answers once the body is whole
        req.resume()

    server = answered(handler, headers_timeout=60_000, request_timeout=120_000)
    assert server.set_timeout(1000) is server and server.timeout == 1000
    with trio.fail_after(60):
        async with connection(server) as peer:
            await peer.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
            for byte in b"12345":
                await trio.sleep(0.9)
                await peer.send(bytes([byte]))
            last = trio.current_time()
            closed = await peer.read_to_end()
    assert within(closed - last, 1.0), closed - last
    assert bytes(peer.received) == b""  # destroyed: no 408, no answer


async def test_set_timeout_callback_gets_the_socket_and_keeps_it(autojump_clock: trio.testing.MockClock) -> None:
    server = answered(headers_timeout=60_000, request_timeout=120_000)
    got: list[Any] = []
    server.set_timeout(1000, lambda sock: got.append((trio.current_time(), sock)))
    with trio.fail_after(60):
        async with connection(server) as peer:
            start = trio.current_time()
            await peer.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
            with trio.move_on_after(3.5):
                await peer.read_to_end()
            assert peer.closed_at is None  # the listener keeps the socket
            await peer.send(b"world")
            await peer.read_until(b"\r\n\r\nok")
    # Once per idle period: it fires again only after new activity.
    assert len(got) == 1, got
    assert within(got[0][0] - start, 1.0) and isinstance(got[0][1], http.Socket), got


async def test_timeout_reaches_request_and_response_first(autojump_clock: trio.testing.MockClock) -> None:
    """socketOnTimeout: the request (while its body is unfinished), the response and the
    server all hear 'timeout'; any one listener keeps the socket open."""
    heard: list[str] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.on("timeout", lambda sock: heard.append("req"))
        res.on("timeout", lambda sock: heard.append("res"))
        req.on("end", lambda: res.end(b"ok"))
        req.resume()

    server = answered(handler, headers_timeout=60_000, request_timeout=120_000)
    server.set_timeout(500)
    with trio.fail_after(60):
        async with connection(server) as peer:
            await peer.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
            await trio.sleep(2)
            assert peer.closed_at is None
            await peer.send(b"world")
            await peer.read_until(b"\r\n\r\nok")
    assert heard[:2] == ["req", "res"], heard


async def test_no_timeout_by_default(autojump_clock: trio.testing.MockClock) -> None:
    server = answered(headers_timeout=60_000, request_timeout=120_000)
    assert server.timeout == 0
    with trio.fail_after(200):
        async with connection(server) as peer:
            await peer.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
            with trio.move_on_after(100):
                await peer.read_to_end()
            assert peer.closed_at is None
            await peer.send(b"world")
            await peer.read_until(b"\r\n\r\nok")
