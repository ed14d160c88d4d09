"""A seeded mutation fuzzer over request heads and chunked bodies, against the server.

Each case takes one or two requests from a small corpus (heads with and without
bodies, Content-Length and chunked bodies with extensions and trailers,
pipelined pairs, HTTP/1.0, ``Expect``, ``Upgrade``), mutates them (flips, inserts
and deletes bytes, duplicates and drops CRLFs, splices in fragments of other
requests, repeats header lines, truncates), cuts the result into reads at random
places, sends it over an in-memory connection (Trio's MockClock, so the server's
timeouts pass at once) and then half-closes, closes, or just stays silent.

For every case:

- no traceback from library code is logged (any ERROR record, or one whose
  exception passes through ``trio_nodestreams``), and no exception escapes;
- the connection ends within the server's timeouts and leaves no task behind;
- what the server sent is a sequence of well-formed HTTP/1.1 responses (read by
  h11 as a client that sent the requests the server saw), of which only the last
  may be cut short, or nothing.

``TNS_FUZZ_CASES`` sets the number of cases (default 5000), ``TNS_FUZZ_SEED`` the
seed, and ``TNS_FUZZ_CASE=N`` runs case N alone: a failure names both.
"""

from __future__ import annotations

import os
import random
from typing import Any

import h11
import pytest
import trio
import trio.testing

import trio_nodestreams as ns
from trio_nodestreams import http
from trio_nodestreams.http import _server

from . import leakcheck
from .faultwire import End, wire

pytestmark = pytest.mark.leak_check

SEED = int(os.environ.get("TNS_FUZZ_SEED", "4242"))
CASES = int(os.environ.get("TNS_FUZZ_CASES", "5000"))
ONLY = os.environ.get("TNS_FUZZ_CASE")
#: The server's timeouts (ms), small so that silent peers end quickly on the mock clock.
TIMEOUTS = {"headers_timeout": 1000, "request_timeout": 2000, "keep_alive_timeout": 500}
#: Mock seconds within which every connection must have ended: every timer above,
#: chained (a request served, then another one left unfinished), plus Node's 1 s buffer.
ENDS_WITHIN = 2.0 + 0.5 + 1.0 + 2.0


def where(number: int) -> str:
    return f"fuzz seed {SEED}, case {number} (replay: TNS_FUZZ_SEED={SEED} TNS_FUZZ_CASE={number})"


# -- the corpus --------------------------------------------------------------------------------

CORPUS: list[bytes] = [
    b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n",
    b"GET /path/to?q=1&r=%20 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: fuzz/1\r\nAccept: */*\r\n"
    b"Accept-Encoding: gzip, deflate\r\nCookie: a=b; c=d\r\n\r\n",
    b"HEAD /head HTTP/1.1\r\nHost: example.test\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: example.test\r\n\r\n",
    b"DELETE /thing HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n",
    b"GET /old HTTP/1.0\r\n\r\n",
    b"GET /old-ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"POST /form HTTP/1.1\r\nHost: example.test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 11\r\n\r\nhello=world",
    b"PUT /upload HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n",
    b"POST /chunked HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n6;ext=1;q=\"x y\"\r\n world\r\n0\r\n\r\n",
    b"POST /trailers HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
    b"a\r\n0123456789\r\n1\r\n!\r\n0\r\nX-Sum: 11\r\nX-Other: yes\r\n\r\n",
    b"POST /expect HTTP/1.1\r\nHost: example.test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody",
    b"GET /chat HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    b"PATCH /p HTTP/1.1\r\nHost: example.test\r\nContent-Length: 3\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\nabc",
    b"GET / HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
]
FRAGMENTS: list[bytes] = [
    b"\r\n",
    b"\r\n\r\n",
    b"Content-Length: 5\r\n",
    b"Content-Length: 99999999999999999999\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Connection: close\r\n",
    b"Connection: keep-alive, Upgrade\r\n",
    b"Expect: 100-continue\r\n",
    b"Host: other\r\n",
    b" folded\r\n",
    b"0\r\n\r\n",
    b"ffffffffffffffffff\r\n",
    b"3;" + b"e" * 40 + b"\r\nabc\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n",
    b"\x00",
    b"X-Long: " + b"v" * 300 + b"\r\n",
]
INTERESTING = b"\r\n\t :;,=\"\\\x00\x7f\xff/0129afAFxX-"


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One mutation of ``data``."""
    buf = bytearray(data)
    choice = rng.randrange(10)
    pos = rng.randrange(len(buf) + 1)
    if choice == 0 and buf:
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    elif choice == 1:
        buf[pos:pos] = bytes([rng.choice(INTERESTING) if rng.random() < 0.7 else rng.randrange(256)])
    elif choice == 2 and buf:
        del buf[rng.randrange(len(buf)) :][:1]
    elif choice == 3:
        crlfs = [i for i in range(len(buf) - 1) if buf[i : i + 2] == b"\r\n"]
        if crlfs:
            i = rng.choice(crlfs)
            buf[i:i] = b"\r\n"  # a CRLF twice
    elif choice == 4:
        crlfs = [i for i in range(len(buf) - 1) if buf[i : i + 2] == b"\r\n"]
        if crlfs:
            i = rng.choice(crlfs)
            del buf[i : i + rng.choice((1, 2))]  # a CRLF (or its CR) dropped
    elif choice == 5:
        buf[pos:pos] = rng.choice(FRAGMENTS)
    elif choice == 6:
        other = rng.choice(CORPUS)
        a = rng.randrange(len(other))
        buf[pos:pos] = other[a : a + rng.randint(1, 40)]  # a piece of another request spliced in
    elif choice == 7:
        lines = bytes(buf).split(b"\r\n")
        if len(lines) > 2:
            i = rng.randrange(1, len(lines) - 1)
            lines.insert(i, lines[i])  # a header line repeated
            buf = bytearray(b"\r\n".join(lines))
    elif choice == 8 and buf:
        del buf[rng.randrange(len(buf)) :]  # truncated
    elif buf:
        i = rng.randrange(len(buf))
        buf[i] = rng.choice(b"0123456789abcdefABCDEF")  # a digit changed (lengths, chunk sizes)
    return bytes(buf)


def make_case(number: int) -> tuple[bytes, list[bytes], str, str]:
    """(bytes sent, their reads, how the client ends, handler kind) of case ``number``."""
    rng = random.Random(f"{SEED}:{number}")
    data = rng.choice(CORPUS)
    if rng.random() < 0.3:
        data += rng.choice(CORPUS)  # pipelined
    for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3, 4))):
        data = mutate(data, rng)
    reads: list[bytes] = []
    rest = data
    while rest:
        size = rng.choice((1, 2, 3, 7, 16, 64, 1 << 16)) if rng.random() < 0.8 else len(rest)
        reads.append(rest[:size])
        rest = rest[size:]
    ending = rng.choice(("fin", "fin", "close", "silent", "silent"))
    handler = rng.choice(("sync", "body", "pipe", "stream"))
    return data, reads, ending, handler


# -- the server side -------------------------------------------------------------------------


class Seen:
    """The request heads the server parsed, in order (their methods, for the reader):
    those it answers itself (400 without Host, 417) as well as those it dispatches."""

    def __init__(self) -> None:
        self.methods: list[str] = []


@pytest.fixture(autouse=True)
def _record_heads(monkeypatch: pytest.MonkeyPatch) -> None:
    on_head = _server._Connection._on_head

    def recording(conn: Any, head: Any) -> bool:
        seen = SEEN.get(id(conn.server))
        if seen is not None:
            seen.methods.append(head.method)
        return on_head(conn, head)

    monkeypatch.setattr(_server._Connection, "_on_head", recording)


#: id(server) -> what it parsed (servers made by make_server).
SEEN: dict[int, Seen] = {}


def make_server(kind: str, seen: Seen) -> http.Server:

    if kind == "sync":

        def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
            res.set_header("Content-Type", "text/plain")
            res.end(b"hello")

    elif kind == "pipe":

        def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
            res.write_head(200, {"Content-Type": "application/octet-stream"})
            req.pipe(res)

    elif kind == "body":

        async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:  # type: ignore[misc]
            try:
                body = b"".join([chunk async for chunk in req])
            except ns.NodeError:
                return  # a careful handler: the request was aborted
            res.end(b"got %d" % len(body))

    else:

        async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:  # type: ignore[misc]
            res.write(b"one,")
            await trio.sleep(0.01)
            res.end(b"two")

    server = http.create_server(handler, **TIMEOUTS)
    SEEN.clear()
    SEEN[id(server)] = seen
    return server


# -- reading what came back ----------------------------------------------------------------------


def check_responses(data: bytes, methods: list[str]) -> str | None:
    """None if ``data`` is zero or more well-formed responses (the last may be cut short by
    the close), else what is wrong. ``methods``: the requests answered, in order."""
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=64 * 1024)
    pending = list(methods)

    def ask() -> None:
        method = pending.pop(0) if pending else "GET"
        conn.send(h11.Request(method=method, target="/", headers=[("Host", "fuzz")]))
        conn.send(h11.EndOfMessage())

    ask()
    if data:
        conn.receive_data(data)
    closed = False
    while True:
        state = conn.their_state
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            if closed and state in (h11.SEND_RESPONSE, h11.SEND_BODY):
                return None  # the close came between responses, or cut the last one short
            return f"malformed response: {exc}"
        if event is h11.NEED_DATA:
            if closed:
                return None if conn.their_state in (h11.SEND_RESPONSE, h11.SEND_BODY) else "stuck"
            closed = True
            conn.receive_data(b"")
            continue
        if isinstance(event, h11.ConnectionClosed):
            return None
        if isinstance(event, h11.EndOfMessage):
            if conn.their_state is h11.DONE and conn.our_state is h11.DONE:
                conn.start_next_cycle()
                ask()
            continue
        if isinstance(event, h11.Response) and event.http_version != b"1.1":
            return f"answer in HTTP/{event.http_version.decode()}"
        if isinstance(event, h11.PAUSED):
            return f"h11 paused in {conn.states}"


# -- the fuzzer ------------------------------------------------------------------------------------


async def run_case(number: int, problems: list[str]) -> None:
    data, reads, ending, kind = make_case(number)
    seen = Seen()
    server = make_server(kind, seen)
    client, server_end = wire()
    received = bytearray()
    ended_at: list[float] = []
    ended = trio.Event()
    start = trio.current_time()

    async def serve(end: End) -> None:
        await server.serve_connection(end)
        ended_at.append(trio.current_time())
        ended.set()

    read_all = trio.Event()

    async def read(end: End) -> None:
        try:
            while chunk := await end.receive_some():
                received.extend(chunk)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        read_all.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(serve, server_end)
        nursery.start_soon(read, client)
        try:
            for piece in reads:
                await client.send_all(piece)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass  # the server closed first: fine
        if ending == "fin":
            client.fin()
        elif ending == "close":
            client.close()
        with trio.move_on_after(ENDS_WITHIN * 2):
            await ended.wait()
            await read_all.wait()  # what the server sent before it closed
        nursery.cancel_scope.cancel()
    await client.aclose()
    label = f"{where(number)} [{kind} handler, ends with {ending}; sent {data[:120]!r}...]"
    if not ended_at:
        problems.append(f"{label}: the connection did not end within the server's timeouts")
        return
    if ended_at[0] - start > ENDS_WITHIN:
        problems.append(f"{label}: the connection ended after {ended_at[0] - start:.2f} s")
    if ending != "close":
        wrong = check_responses(bytes(received), seen.methods)
        if wrong:
            problems.append(f"{label}: {wrong}; received {bytes(received)[:300]!r}")


async def test_fuzz_request_heads_and_bodies(autojump_clock: trio.testing.MockClock) -> None:
    numbers = [int(ONLY)] if ONLY is not None else list(range(CASES))
    problems: list[str] = []
    with leakcheck.real_deadline(600), trio.fail_after(10 * ENDS_WITHIN * len(numbers)):
        await trio.testing.wait_all_tasks_blocked()
        baseline = leakcheck.all_tasks()
        current: list[int] = [-1]
        with leakcheck.error_log(label=lambda: where(current[0])) as errors:
            for number in numbers:
                current[0] = number
                await run_case(number, problems)
                if errors.bad:
                    problems.extend(errors.bad)
                    errors.bad.clear()
                left = leakcheck.all_tasks() - baseline
                if left:
                    problems.append(f"{where(number)}: tasks left:\n{leakcheck.describe_tasks(left)}")
                if len(problems) > 20:
                    break
    assert not problems, f"{len(problems)} problem(s), first ones:\n" + "\n".join(problems[:10])
