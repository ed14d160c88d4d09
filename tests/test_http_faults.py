"""Fault suite: peers that vanish at every point of an HTTP exchange, and nothing is left behind.

A peer vanishes three ways (tests/faultwire.py): ``fin`` (half-close, keeps
reading), ``close`` (FIN, then its kernel refuses data: EPIPE) and ``rst``
(reset: ECONNRESET, never read as an end). Cases put the vanishing at every
byte of a request (mid-head, mid-body with Content-Length and chunked, mid
pipelined batch, between keep-alive requests) and across the response
(streamed, or started and idle: a long poll that wrote its head and a chunk and
waits), on both sides:

- the server, against scripted clients;
- the client against our server, with the network failing after an exact byte
  count in either direction, or the client destroying its request;
- the client against a raw server that vanishes mid-response.

Most cases run over in-memory connections with ``MockClock(autojump_threshold=0)``;
a smaller part runs over real TCP sockets, where FIN and RST (``SO_LINGER`` 0)
are the kernel's. After each batch: no task, fd or connection object beyond the
baseline, RSS back within a small tolerance after a warm-up, every handler that
was waiting cancelled, and a GET on another connection answered during the batch;
at the end ``server.close()`` completes.

Every case is numbered and derived from a seed: a failure names both, and
``TNS_FAULT_SEED=S TNS_FAULT_CASE=N`` replays that case alone (a case that only
fails beside others shows a race: the single-fault tests at the end pin each one
found so far). A run does not stop at the first problem: it reports every kind
found, with the first cases of each. About 9 400 faults: 6 349 against the server
and 2 852 against the client over memory, 177 + 18 over TCP.
"""

from __future__ import annotations

import contextvars
import gc
import os
import random
import socket as stdsocket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import trio
import trio.testing

import trio_nodestreams as ns
from trio_nodestreams import http

from . import leakcheck
from .faultwire import VANISH_KINDS, Cut, End, Vanish, wire

pytestmark = pytest.mark.leak_check

SEED = int(os.environ.get("TNS_FAULT_SEED", "1729"))
ONLY = os.environ.get("TNS_FAULT_CASE")
#: Cases run at once; a batch ends with the leak checks.
BATCH = 200
#: RSS growth allowed over the post-warm-up baseline (allocator slack, not leaks:
#: a leaked connection costs about 20 KB, so 10 000 faults would show hundreds of MiB).
RSS_TOLERANCE = 8 * 1024 * 1024
#: Mock seconds a server connection may take to end after its peer vanished: none
#: of the server's timers is that short, so a connection kept by a timer shows.
END_WITHIN = 1.0
#: The server's timers, far above END_WITHIN.
TIMEOUTS = {"headers_timeout": 20_000, "request_timeout": 30_000, "keep_alive_timeout": 10_000}

MiB = 1024 * 1024


def where(number: int) -> str:
    """How to replay one case."""
    return f"seed {SEED}, case {number} (replay: TNS_FAULT_SEED={SEED} TNS_FAULT_CASE={number})"


def rng_for(number: int) -> random.Random:
    return random.Random(f"{SEED}:{number}")


def split(data: bytes, rng: random.Random) -> list[bytes]:
    """``data`` cut into reads: whole, byte by byte, or at random places."""
    if len(data) <= 1:
        return [data] if data else []
    style = rng.random()
    if style < 0.3:
        return [data]
    if style < 0.4 and len(data) < 400:
        return [data[i : i + 1] for i in range(len(data))]
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(1, 6))))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


# -- the server under test --------------------------------------------------------------


BLOCK = bytes(range(256)) * 4  # 1 KiB
STREAM_BLOCKS = 12


class Handlers:
    """The handler every server here runs, and what each invocation did.

    Paths: ``/plain`` (Content-Length answer), ``/echo`` (reads the body, answers
    its size), ``/pipe`` (``req.pipe(res)``), ``/stream`` (blocks written over
    time), ``/poll`` (writes the head and one event, then waits: it must be
    cancelled when its client leaves). ``X-Case`` names the case.
    """

    def __init__(self) -> None:
        self.state: dict[str, str] = {}

    async def handle(self, req: http.IncomingMessage, res: http.ServerResponse) -> None:
        key = f"{req.headers.get('x-case', '?')} {req.method} {req.url}"
        self.state[key] = "started"
        try:
            await self._serve(req, res)
        except trio.Cancelled:
            self.state[key] = "cancelled"
            raise
        except BaseException as exc:
            self.state[key] = f"failed: {exc!r}"
            raise
        self.state[key] = "finished"

    async def _serve(self, req: http.IncomingMessage, res: http.ServerResponse) -> None:
        url = req.url
        if url == "/plain":
            res.set_header("Content-Type", "text/plain")
            res.end(b"plain answer")
        elif url == "/echo":
            body = b"".join([chunk async for chunk in req])
            res.end(b"echo %d" % len(body))
        elif url == "/pipe":
            res.write_head(200, {"Content-Type": "application/octet-stream"})
            req.pipe(res)
        elif url == "/stream":
            res.write_head(200, {"Content-Type": "application/octet-stream"})
            for _ in range(STREAM_BLOCKS):
                res.write(BLOCK)
                await trio.sleep(0.001)
            res.end()
        elif url == "/poll":
            res.write_head(200, {"Content-Type": "text/event-stream"})
            res.write(b"data: ready\n\n")
            await trio.sleep_forever()
        else:
            res.status_code = 404
            res.end()

    def waiting(self) -> list[str]:
        """Invocations that neither finished nor were cancelled."""
        return [key for key, state in self.state.items() if state == "started"]


def make_server(handlers: Handlers, **options: Any) -> http.Server:
    return http.create_server(handlers.handle, **{**TIMEOUTS, **options})


# -- requests ------------------------------------------------------------------------------

HEAD_FIELDS = "Host: faults.test\r\nUser-Agent: faults/1\r\nAccept: */*\r\n"
UPLOAD = bytes((i * 7) & 0xFF for i in range(300))
CHUNKED_BODY = (
    b"40\r\n" + UPLOAD[:64] + b"\r\n"
    b"10;name=value\r\n" + UPLOAD[64:80] + b"\r\n"
    b"80\r\n" + UPLOAD[80:208] + b"\r\n"
    b"0\r\nX-Trailer: done\r\n\r\n"
)


def get(path: str, case: int, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\n{HEAD_FIELDS}X-Case: {case:06d}\r\n{extra}\r\n".encode()


def post_length(path: str, case: int) -> bytes:
    head = f"POST {path} HTTP/1.1\r\n{HEAD_FIELDS}X-Case: {case:06d}\r\nContent-Length: {len(UPLOAD)}\r\n\r\n"
    return head.encode() + UPLOAD


def post_chunked(path: str, case: int) -> bytes:
    head = f"POST {path} HTTP/1.1\r\n{HEAD_FIELDS}X-Case: {case:06d}\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head.encode() + CHUNKED_BODY


#: name -> requests sent one after the other (each waits for the answers before it),
#: as a function of the case number. A pipelined batch is one element.
TEMPLATES: dict[str, Callable[[int], list[bytes]]] = {
    "get": lambda n: [get("/plain", n)],
    "post-length": lambda n: [post_length("/echo", n)],
    "post-chunked": lambda n: [post_chunked("/echo", n)],
    "pipe-chunked": lambda n: [post_chunked("/pipe", n)],
    "stream": lambda n: [get("/stream", n)],
    "poll": lambda n: [get("/poll", n)],
    "pipelined": lambda n: [
        get("/plain", n) + post_length("/echo", n) + post_chunked("/echo", n) + get("/stream", n) + get("/plain", n)
    ],
    "keep-alive": lambda n: [get("/plain", n), post_chunked("/echo", n), get("/poll", n)],
}
#: How many answers each request of a template gets before the next is sent.
ANSWERS: dict[str, list[int]] = {"pipelined": [5], "keep-alive": [1, 1, 1]}


@dataclass
class ServerCase:
    number: int
    template: str
    side: str  # "request": vanish after `at` request bytes; "response": after `at` response bytes
    at: int
    kind: Vanish

    def __str__(self) -> str:
        return f"{self.template} {self.side}@{self.at} {self.kind}"


def server_cases(response_sizes: dict[str, int]) -> list[ServerCase]:
    """Every server case, in a fixed order (numbers are positions in this list)."""
    out: list[ServerCase] = []
    picker = random.Random(SEED)
    for template, make in TEMPLATES.items():
        total = sum(len(r) for r in make(0))
        # Every byte of the request, with the ways to vanish in turn (every other byte twice).
        for at in range(0, total + 1):
            out.append(ServerCase(0, template, "request", at, VANISH_KINDS[at % 3]))
            if at % 2 == 0:
                out.append(ServerCase(0, template, "request", at, VANISH_KINDS[(at + 1) % 3]))
        size = response_sizes[template]
        if template == "keep-alive":
            continue  # its responses are read whole, as each next request waits for them
        points = sorted(set(range(0, min(size, 200))) | set(picker.sample(range(size + 1), min(size + 1, 200))))
        for i, at in enumerate(points):
            out.append(ServerCase(0, template, "response", at, VANISH_KINDS[i % 3]))
    for number, case in enumerate(out):
        case.number = number
    return out


def _complete_answers(data: bytes) -> int:
    """How many whole responses ``data`` holds (Content-Length or chunked framing)."""
    count = 0
    while True:
        head_end = data.find(b"\r\n\r\n")
        if head_end < 0:
            return count
        head = data[:head_end].lower()
        rest = data[head_end + 4 :]
        if b"transfer-encoding: chunked" in head:
            end = rest.find(b"\r\n0\r\n\r\n")
            if end < 0 and not rest.startswith(b"0\r\n\r\n"):
                return count
            data = rest[end + 7 :] if end >= 0 else rest[5:]
        else:
            length = 0
            for line in head.split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if len(rest) < length:
                return count
            data = rest[length:]
        count += 1


async def scripted_client(end: End, case: ServerCase, rng: random.Random) -> tuple[float, bytes]:
    """Play ``case`` as the client; return (when it vanished, what it received)."""
    received = bytearray()
    requests = TEMPLATES[case.template](case.number)
    answers = ANSWERS.get(case.template, [1] * len(requests))
    budget = case.at if case.side == "request" else 1 << 30
    got_answers = 0
    for request, wanted in zip(requests, answers, strict=True):
        part = request[:budget]
        budget -= len(part)
        for piece in split(part, rng):
            await end.send_all(piece)
        if len(part) < len(request):
            break
        if case.template in ANSWERS and case.template == "keep-alive":
            # The next request waits for this answer (a poll's answer never completes).
            got_answers += wanted
            while _complete_answers(bytes(received)) < got_answers and b"data: ready\n\n" not in received:
                chunk = await end.receive_some()
                if not chunk:
                    break
                received += chunk
    if case.side == "response":
        # Read until `at` bytes came, or the server has nothing more for now.
        while len(received) < case.at:
            with trio.move_on_after(0.2):
                chunk = await end.receive_some()
                if not chunk:
                    break
                received += chunk
                continue
            break
    vanished = trio.current_time()
    end.vanish(case.kind)
    if case.kind == "fin":
        # A half-closed client reads on: the server must end its side too.
        with trio.move_on_after(5):
            while True:
                try:
                    chunk = await end.receive_some()
                except trio.BrokenResourceError:
                    break
                if not chunk:
                    break
                received += chunk
        assert not end._in.pieces, "the client stopped reading before the server's end"
    return vanished, bytes(received)


@dataclass
class Outcome:
    case: ServerCase
    vanished: float = 0.0
    ended: float = -1.0
    received: bytes = b""
    error: str = ""


async def serve_case(server: http.Server, case: ServerCase, outcomes: list[Outcome]) -> None:
    client, server_end = wire()
    server_end.jitter = random.Random(f"{SEED}:{case.number}:jitter")
    outcome = Outcome(case)
    outcomes.append(outcome)

    async def serve() -> None:
        await server.serve_connection(server_end)
        outcome.ended = trio.current_time()

    CURRENT_CASE.set(case.number)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(serve)
        try:
            outcome.vanished, outcome.received = await scripted_client(client, case, rng_for(case.number))
        except (trio.BrokenResourceError, trio.ClosedResourceError, AssertionError) as exc:
            outcome.error = repr(exc)
            client.reset()
    await client.aclose()


class Watcher:
    """A GET on a connection of its own, again and again: the server keeps answering."""

    def __init__(self, server: http.Server) -> None:
        self.server = server
        self.answered = 0
        self.running = trio.Event()
        self.running.set()
        self.idle = trio.Event()
        self.stopped = False

    async def run(self) -> None:
        number = 0
        while not self.stopped:
            if not self.running.is_set():
                self.idle.set()
                await self.running.wait()
                continue
            self.idle = trio.Event()
            number += 1
            client, server_end = wire("watcher", "watched")
            with trio.fail_after(2):
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(self.server.serve_connection, server_end)
                    await client.send_all(get("/plain", 999_999, "Connection: close\r\n"))
                    data = bytearray()
                    while chunk := await client.receive_some():
                        data += chunk
                    await client.aclose()
            assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"plain answer"), data
            self.answered += 1
            await trio.sleep(0.05)
        self.idle.set()

    async def pause(self) -> None:
        self.running = trio.Event()
        await self.idle.wait()

    def resume(self) -> None:
        self.running.set()


@dataclass
class Baseline:
    tasks: set[trio.lowlevel.Task] = field(default_factory=set)
    fds: dict[int, str] = field(default_factory=dict)
    rss: int = 0


#: The case whose connection is running (read by the error log, through Trio's task contexts).
CURRENT_CASE: contextvars.ContextVar[int | None] = contextvars.ContextVar("fault_case", default=None)


def current_case() -> str:
    number = CURRENT_CASE.get()
    return "outside any case" if number is None else where(number)


class Problems:
    """What went wrong, by kind: the run goes on so that one failure shows every kind."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, kind: str, detail: str) -> None:
        self.found.setdefault(kind, []).append(detail)

    def report(self) -> str:
        lines = [f"{sum(len(v) for v in self.found.values())} problem(s) in {len(self.found)} kind(s):"]
        for kind, details in self.found.items():
            lines.append(f"- {kind}: {len(details)}, first ones:")
            lines.extend(f"    {d}" for d in details[:3])
        return "\n".join(lines)


def report_errors(errors: leakcheck.ErrorLog, problems: Problems, label: str) -> None:
    """Library errors logged during a batch, one kind per message."""
    for line in errors.bad:
        case_label, _, message = line.partition("] ")
        text, _, frames = message.partition(" [")
        if case_label.endswith("outside any case"):
            case_label = f"[{label}"  # logged by a task no case started (the server's accept loop)
        problems.add(f"library error logged: {text[:160]}", f"{case_label}] at [{frames}")
    errors.bad.clear()


def check_batch(
    label: str,
    problems: Problems,
    tracker: leakcheck.Tracker,
    baseline: Baseline,
    handlers: Handlers,
    server: http.Server,
) -> None:
    """Everything a finished batch must have given back; after a leak, the baseline moves on."""
    waiting = handlers.waiting()
    if waiting:
        problems.add("handler still waiting (not cancelled) after its client left", f"{label}: {waiting[:5]}")
    if server._connections:
        problems.add("server still counts connections", f"{label}: {len(server._connections)}")
        server._connections.clear()
    alive = tracker.alive()
    if alive:
        kinds = sorted({type(o).__name__ for o in alive})
        problems.add(f"connection objects left reachable ({', '.join(kinds)})", f"{label}: {leakcheck.describe(alive, 3)}")
    del alive
    tracker.refs.clear()
    left = leakcheck.all_tasks() - baseline.tasks
    if left:
        problems.add("tasks left", f"{label}: {leakcheck.describe_tasks(left)[:500]}")
        baseline.tasks |= left
    fds = leakcheck.new_fds(baseline.fds)
    if fds:
        problems.add("fds left open", f"{label}: {fds}")
        baseline.fds = leakcheck.open_fds()
    if baseline.rss:
        grown = leakcheck.rss_bytes() - baseline.rss
        if os.environ.get("TNS_FAULT_RSS"):
            print(f"{label}: RSS {grown / MiB:+.1f} MiB")
        if grown >= RSS_TOLERANCE:
            problems.add("RSS above the baseline", f"{label}: +{grown / MiB:.1f} MiB")
            baseline.rss += grown


def check_outcomes(outcomes: list[Outcome], problems: Problems) -> None:
    for outcome in outcomes:
        case = outcome.case
        if outcome.ended < 0:
            problems.add(f"server connection never ended ({case.template} {case.side} {case.kind})", f"{where(case.number)} ({case})")
            continue
        late = outcome.ended - outcome.vanished
        if late >= END_WITHIN:
            problems.add(
                f"server connection ended late ({case.template} {case.side} {case.kind})",
                f"{where(case.number)} ({case}): {late:.3f} s after its peer vanished",
            )
        if outcome.received and not outcome.received.startswith(b"HTTP/1.1 "):
            problems.add("answer is not HTTP/1.1", f"{where(case.number)} ({case}): {outcome.received[:80]!r}")
        if outcome.error:
            problems.add(f"client script failed ({case.template} {case.side} {case.kind})", f"{where(case.number)} ({case}): {outcome.error}")


async def measure_response_sizes() -> dict[str, int]:
    """What each template's clean exchange sends back, in bytes."""
    sizes: dict[str, int] = {}
    server = make_server(Handlers())
    for template in TEMPLATES:
        if template in ("poll", "keep-alive"):
            continue
        client, server_end = wire()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(server.serve_connection, server_end)
            for request in TEMPLATES[template](0):
                await client.send_all(request)
            data = bytearray()
            while _complete_answers(bytes(data)) < sum(ANSWERS.get(template, [1])):
                data += await client.receive_some()
            await client.aclose()
        sizes[template] = len(data)
    # A poll sends its head and one event, then nothing until its client leaves.
    client, server_end = wire()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(server.serve_connection, server_end)
        await client.send_all(TEMPLATES["poll"](0)[0])
        data = bytearray()
        while not data.endswith(b"data: ready\n\n\r\n"):
            data += await client.receive_some()
        sizes["poll"] = len(data)
        client.reset()
    sizes["keep-alive"] = 0
    return sizes


async def run_batches(
    cases: list[Any],
    run_case: Callable[[Any, list[Any]], Awaitable[None]],
    check: Callable[[list[Any], Problems], None],
    server: http.Server,
    handlers: Handlers,
    tracker: leakcheck.Tracker,
    problems: Problems,
) -> int:
    """Run ``cases`` in batches beside a watcher, check each batch; return the GETs answered."""
    watcher = Watcher(server)
    total_answered = 0
    with leakcheck.error_log(label=current_case) as errors:
        async with trio.open_nursery() as outer:
            outer.start_soon(watcher.run)
            await watcher.pause()
            baseline = Baseline(tasks=leakcheck.all_tasks(), fds=leakcheck.open_fds())
            watcher.resume()
            for first in range(0, len(cases), BATCH):
                batch = cases[first : first + BATCH]
                label = f"batch {first // BATCH} (cases {', '.join(str(c.number) for c in batch[:3])}, ...)"
                before = watcher.answered
                outcomes: list[Any] = []
                with trio.move_on_after(60) as stuck:
                    async with trio.open_nursery() as nursery:
                        for case in batch:
                            nursery.start_soon(run_case, case, outcomes)
                            await trio.lowlevel.checkpoint()
                if stuck.cancelled_caught:
                    problems.add("batch did not finish in 60 mock seconds", label)
                check(outcomes, problems)
                await watcher.pause()
                if len(cases) > 1 and watcher.answered == before:
                    problems.add("no GET answered during a batch", label)
                total_answered += watcher.answered - before
                report_errors(errors, problems, label)
                check_batch(label, problems, tracker, baseline, handlers, server)
                if not baseline.rss and first >= BATCH:
                    # Two batches warmed the allocator and the caches up.
                    gc.collect()
                    baseline.rss = leakcheck.rss_bytes()
                handlers.state.clear()
                watcher.resume()
            await watcher.pause()
            watcher.stopped = True
            watcher.resume()
    return total_answered


def selected(cases: list[Any]) -> list[Any]:
    """The cases to run: all, in an order shuffled by the seed (so that every batch mixes
    kinds of exchange and the first one warms the allocator up for the rest), or the one
    ``TNS_FAULT_CASE`` names."""
    if ONLY is not None:
        return [case for case in cases if case.number == int(ONLY)]
    order = list(cases)
    random.Random(SEED).shuffle(order)
    return order


# -- the server, over memory -----------------------------------------------------------------


async def test_server_peers_vanish_everywhere(autojump_clock: trio.testing.MockClock, no_leaks: leakcheck.Tracker) -> None:
    """The server against clients that vanish (FIN, close, RST) at every byte of every exchange."""
    sizes = await measure_response_sizes()
    cases = selected(server_cases(sizes))
    handlers = Handlers()
    server = make_server(handlers)

    async def run_case(case: ServerCase, outcomes: list[Outcome]) -> None:
        await serve_case(server, case, outcomes)

    problems = Problems()
    with leakcheck.real_deadline(300), trio.fail_after(3600):
        answered = await run_batches(cases, run_case, check_outcomes, server, handlers, no_leaks, problems)
    server.close()
    with trio.fail_after(1):
        await server.wait_closed()
    assert not problems.found, f"{len(cases)} cases, seed {SEED}: " + problems.report()
    assert answered > 0


# -- the client ----------------------------------------------------------------------------------


@dataclass
class ClientCase:
    number: int
    peer: str  # "raw": a scripted server; "ours": our server behind a failing network
    script: str  # RAW_SCRIPTS name, or OUR_TEMPLATES name
    side: str  # "response" / "request" (bytes before the fault), "idle" (between requests)
    at: int
    kind: str  # a Vanish kind, or "destroy" (the client gives up)

    def __str__(self) -> str:
        return f"{self.peer} {self.script} {self.side}@{self.at} {self.kind}"


@dataclass
class ClientOutcome:
    case: ClientCase
    result: tuple[str, Any] = ("unfinished", None)
    extra: list[tuple[str, Any]] = field(default_factory=list)
    server_ended: list[float] = field(default_factory=list)
    vanished: float = -1.0


def new_request(**options: Any) -> http.ClientRequest:
    req = http.request(**options)
    # As any Node client must: an 'error' nobody listens to is raised (here, into the scope).
    req.on("error", lambda err: None)
    return req


async def client_outcome(req: http.ClientRequest, destroy_after: int | None = None) -> tuple[str, Any]:
    """What the request came to: ("complete" | "incomplete", body), ("error" | "aborted", code)."""
    try:
        res = await req.response()
    except ns.NodeError as exc:
        return ("error", exc.code)
    body = bytearray()
    try:
        if destroy_after == 0:
            res.destroy()
        async for chunk in res:
            body += chunk
            if destroy_after is not None and len(body) >= destroy_after:
                res.destroy()
    except ns.NodeError as exc:
        return ("aborted", exc.code)
    return ("complete" if res.complete else "incomplete", bytes(body))


GOOD = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\ngood"
RAW_SCRIPTS: dict[str, bytes] = {
    "length": b"HTTP/1.1 200 OK\r\nContent-Length: 26\r\nConnection: keep-alive\r\n\r\nabcdefghijklmnopqrstuvwxyz",
    "chunked": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n"
    ),
    "until-close": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nthe body runs to the end",
    "early-hints": (
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    ),
    # The first response is whole and keeps the connection; the second is cut.
    "reuse": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nfirst",
    # A chunked upload the server stops reading.
    "upload": b"",
}
RAW_BODIES = {
    "length": b"abcdefghijklmnopqrstuvwxyz",
    "chunked": b"hello, world",
    "until-close": b"the body runs to the end",
    "early-hints": b"ok",
    "reuse": b"first",
    "upload": b"good",
}
UPLOAD_PARTS = [b"a" * 100, b"b" * 50, b"c" * 7]


def raw_request_size() -> int:
    """Bytes of the upload request our client sends (head and chunked body)."""
    return _RAW_REQUEST_SIZE[0]


_RAW_REQUEST_SIZE = [0]


async def read_request(end: End, data: bytearray) -> bool:
    """Read one whole request into ``data`` (consumed from its front); False at the end."""
    while True:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = bytes(data[:head_end]).lower()
            if b"transfer-encoding: chunked" in head:
                body_end = data.find(b"\r\n0\r\n\r\n", head_end)
                if body_end >= 0:
                    del data[: body_end + 7]
                    return True
            else:
                del data[: head_end + 4]
                return True
        try:
            chunk = await end.receive_some()
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            return False
        if not chunk:
            return False
        data += chunk


async def drain(end: End) -> None:
    """Read until the peer closes (bounded), as a server that half-closed."""
    with trio.move_on_after(5):
        while True:
            try:
                if not await end.receive_some():
                    return
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return


async def raw_peer(end: End, case: ClientCase, outcome: ClientOutcome, index: int) -> None:
    """A scripted server that vanishes where ``case`` says (a retry's connection behaves)."""
    rng = rng_for(case.number)
    data = bytearray()
    try:
        if index > 0:
            if await read_request(end, data):
                await end.send_all(GOOD)
            await drain(end)
            return
        if case.side == "request":
            while len(data) < case.at:
                chunk = await end.receive_some()
                if not chunk:
                    break
                data += chunk
            outcome.vanished = trio.current_time()
            end.vanish(case.kind)  # type: ignore[arg-type]
            if case.kind == "fin":
                await drain(end)
            return
        if not await read_request(end, data):
            return
        script = RAW_SCRIPTS[case.script]
        if case.script == "reuse":
            await end.send_all(script)
            if case.side == "idle":
                outcome.vanished = trio.current_time()
                end.vanish(case.kind)  # type: ignore[arg-type]
                if case.kind == "fin":
                    await drain(end)
                return
            if not await read_request(end, data):
                return
        elif case.script == "upload":
            script = GOOD
        for piece in split(script[: case.at], rng):
            await end.send_all(piece)
        outcome.vanished = trio.current_time()
        end.vanish(case.kind)  # type: ignore[arg-type]
        if case.kind == "fin":
            await drain(end)
    except (trio.BrokenResourceError, trio.ClosedResourceError):
        pass  # the client left first
    finally:
        await end.aclose()


async def run_client_case(case: ClientCase, outcomes: list[ClientOutcome], server: http.Server | None) -> None:
    """Our client against the case's peer, in a scope of its own."""
    outcome = ClientOutcome(case)
    outcomes.append(outcome)
    CURRENT_CASE.set(case.number)
    with trio.move_on_after(30):
        async with trio.open_nursery() as peers, ns.open_scope():
            index = 0

            async def create_connection(options: dict[str, Any]) -> trio.abc.Stream:
                nonlocal index
                client_end, server_end = wire()
                client_end.jitter = random.Random(f"{SEED}:{case.number}:{index}:client")
                server_end.jitter = random.Random(f"{SEED}:{case.number}:{index}:server")
                if case.peer == "raw":
                    peers.start_soon(raw_peer, server_end, case, outcome, index)
                else:
                    assert server is not None
                    if index == 0:
                        cut = case_cut(case, client_end, server_end)
                        if cut is not None:
                            outcome.vanished = -2.0  # set when the cut fires

                    async def serve(end: End = server_end) -> None:
                        await server.serve_connection(end)
                        outcome.server_ended.append(trio.current_time())

                    peers.start_soon(serve)
                index += 1
                await trio.lowlevel.checkpoint()
                return client_end

            agent = http.Agent(keep_alive=True, create_connection=create_connection)
            if case.peer == "raw":
                await raw_exchange(case, outcome, agent)
            else:
                await our_exchange(case, outcome, agent)
            agent.destroy()
        return
    outcome.result = ("hung", None)


async def raw_exchange(case: ClientCase, outcome: ClientOutcome, agent: http.Agent) -> None:
    options = {"host": "raw.test", "port": 8080, "agent": agent, "headers": {"X-Case": str(case.number)}}
    if case.script == "reuse":
        first = new_request(path="/first", **options)
        first.end()
        outcome.extra.append(await client_outcome(first))
        await trio.sleep(0.01)  # the connection goes back to the pool
    if case.script == "upload":
        req = new_request(method="POST", path="/upload", **options)
        for part in UPLOAD_PARTS[:-1]:
            req.write(part)
            await trio.sleep(0.001)
        req.end(UPLOAD_PARTS[-1])
    else:
        req = new_request(path="/", **options)
        req.end()
    outcome.result = await client_outcome(req)


def raw_cases(start: int) -> list[ClientCase]:
    out: list[ClientCase] = []
    for name, script in RAW_SCRIPTS.items():
        if name == "upload":
            for at in range(0, raw_request_size() + 1):
                out.append(ClientCase(0, "raw", name, "request", at, VANISH_KINDS[at % 3]))
            continue
        for at in range(0, len(script) + 1):
            for kind in VANISH_KINDS:
                out.append(ClientCase(0, "raw", name, "response", at, kind))
        if name == "reuse":
            for kind in VANISH_KINDS:
                out.append(ClientCase(0, "raw", name, "idle", 0, kind))
    for i, case in enumerate(out):
        case.number = start + i
    return out


def check_raw(outcomes: list[ClientOutcome], problems: Problems) -> None:
    for outcome in outcomes:
        case = outcome.case
        status, value = outcome.result
        label = f"{where(case.number)} ({case}): {status} {value!r}"
        tag = f"({case.script} {case.side} {case.kind})"
        if status in ("unfinished", "hung"):
            problems.add(f"client request never ended {tag}", label)
            continue
        if status in ("error", "aborted") and not (value == "ECONNRESET" or str(value).startswith("HPE_")):
            problems.add(f"unexpected error code {value} {tag}", label)
        for extra in outcome.extra:
            if extra != ("complete", RAW_BODIES["reuse"]):
                problems.add("first response of a reused connection lost", f"{label}: {extra!r}")
        script = RAW_SCRIPTS[case.script]
        body = RAW_BODIES[case.script]
        if case.script == "upload" or case.side == "idle" or (case.script == "reuse" and case.at == 0):
            # The server left before any answer: a request on a reused connection is
            # resent once; an upload the server stopped reading fails.
            if case.script == "upload" and case.side == "request":
                ok = status in ("error", "aborted")
            else:
                ok = (status, value) == ("complete", GOOD[-4:])
            if not ok:
                problems.add(f"wrong outcome {tag}", label)
            continue
        if case.script == "until-close":
            head = script.index(b"\r\n\r\n") + 4
            if case.kind == "rst" or case.at < head:
                ok = status != "complete"
            else:
                ok = (status, value) == ("complete", script[head : case.at])
            if not ok:
                problems.add(f"wrong outcome {tag}", label)
            continue
        if case.at == len(script):
            ok = (status, value) == ("complete", body)
        else:
            ok = status != "complete"
        if not ok:
            problems.add(f"wrong outcome {tag}", label)


OUR_TEMPLATES = ("get", "upload", "stream", "poll")
OUR_BODIES = {"get": b"plain answer", "upload": b"echo %d" % sum(map(len, UPLOAD_PARTS)), "stream": BLOCK * STREAM_BLOCKS}


def case_cut(case: ClientCase, client_end: End, server_end: End) -> Cut | None:
    """The network failure of an "ours" case, on its first connection."""
    if case.kind == "destroy":
        return None
    writer = client_end if case.side == "request" else server_end
    return Cut(writer, case.at, case.kind)  # type: ignore[arg-type]


async def our_exchange(case: ClientCase, outcome: ClientOutcome, agent: http.Agent) -> None:
    options = {"host": "ours.test", "port": 8080, "agent": agent, "headers": {"X-Case": f"{case.number:06d}"}}
    if case.script == "upload":
        req = new_request(method="POST", path="/echo", **options)
        for part in UPLOAD_PARTS[:-1]:
            req.write(part)
            await trio.sleep(0.001)
        req.end(UPLOAD_PARTS[-1])
    else:
        req = new_request(path={"get": "/plain", "stream": "/stream", "poll": "/poll"}[case.script], **options)
        req.end()
    destroy_after = None
    if case.kind == "destroy":
        destroy_after = case.at
    elif case.script == "poll":
        destroy_after = 1 << 30  # never: the network fails first
    outcome.result = await client_outcome(req, destroy_after)
    if case.kind == "destroy":
        outcome.vanished = trio.current_time()


async def measure_our_sizes(server: http.Server) -> dict[str, tuple[int, int]]:
    """(request bytes, response bytes) our client and server exchange for each template."""
    sizes: dict[str, tuple[int, int]] = {}
    for template in OUR_TEMPLATES:
        ends: list[End] = []
        async with trio.open_nursery() as nursery, ns.open_scope():

            async def create_connection(
                options: dict[str, Any], ends: list[End] = ends, nursery: trio.Nursery = nursery
            ) -> trio.abc.Stream:
                client_end, server_end = wire()
                ends.append(client_end)
                nursery.start_soon(server.serve_connection, server_end)
                return client_end

            agent = http.Agent(keep_alive=True, create_connection=create_connection)
            case = ClientCase(0, "ours", template, "response", 0, "none")
            outcome = ClientOutcome(case)
            if template == "poll":
                case.kind = "destroy"
                case.at = 1
            await our_exchange(case, outcome, agent)
            assert template == "poll" or outcome.result == ("complete", OUR_BODIES[template]), outcome.result
            sizes[template] = (ends[0].bytes_sent, ends[0].bytes_received)
            agent.destroy()
    return sizes


def our_cases(start: int, sizes: dict[str, tuple[int, int]]) -> list[ClientCase]:
    out: list[ClientCase] = []
    picker = random.Random(SEED + 1)
    for template in OUR_TEMPLATES:
        sent, received = sizes[template]
        for at in range(0, sent + 1):
            out.append(ClientCase(0, "ours", template, "request", at, ("fin", "rst")[at % 2]))
        points = sorted(set(range(0, min(received, 120))) | set(picker.sample(range(received), min(received, 120))))
        for i, at in enumerate(points):
            out.append(ClientCase(0, "ours", template, "response", at, ("fin", "rst")[i % 2]))
        body = len(OUR_BODIES.get(template, b"x"))
        for at in sorted({0, 1, body // 2, body} | set(picker.sample(range(body + 1), min(body + 1, 20)))):
            if template != "poll" or at <= 1:
                out.append(ClientCase(0, "ours", template, "response", at, "destroy"))
    for i, case in enumerate(out):
        case.number = start + i
    return out


def check_ours(outcomes: list[ClientOutcome], problems: Problems) -> None:
    for outcome in outcomes:
        case = outcome.case
        status, value = outcome.result
        label = f"{where(case.number)} ({case}): {status} {value!r}"
        tag = f"({case.script} {case.side} {case.kind})"
        if status in ("unfinished", "hung"):
            problems.add(f"client request never ended {tag}", label)
            continue
        if status == "complete" and value != OUR_BODIES.get(case.script):
            problems.add(f"complete response with a wrong body {tag}", label)
        expected_codes = ("ECONNRESET", "ERR_STREAM_PREMATURE_CLOSE") if case.kind == "destroy" else ("ECONNRESET",)
        if status in ("error", "aborted") and not (value in expected_codes or str(value).startswith("HPE_")):
            problems.add(f"unexpected error code {value} {tag}", label)
        if outcome.vanished >= 0:
            late = [t - outcome.vanished for t in outcome.server_ended if t - outcome.vanished >= END_WITHIN]
            if late:
                problems.add(f"server connection ended late {tag}", f"{label}: {late}")
        if len(outcome.server_ended) != 1:
            problems.add(f"server connections: {len(outcome.server_ended)} ended, 1 opened {tag}", label)


def check_client(outcomes: list[ClientOutcome], problems: Problems) -> None:
    check_raw([o for o in outcomes if o.case.peer == "raw"], problems)
    check_ours([o for o in outcomes if o.case.peer == "ours"], problems)


async def measure_raw_request() -> int:
    """Bytes of our client's upload request (what a raw server may cut), from a clean exchange."""
    case = ClientCase(0, "raw", "upload", "response", len(GOOD), "fin")
    outcome = ClientOutcome(case)
    ends: list[End] = []
    async with trio.open_nursery() as nursery, ns.open_scope():

        async def create_connection(options: dict[str, Any]) -> trio.abc.Stream:
            client_end, server_end = wire()
            ends.append(client_end)
            nursery.start_soon(raw_peer, server_end, case, outcome, 0)
            return client_end

        agent = http.Agent(keep_alive=True, create_connection=create_connection)
        await raw_exchange(case, outcome, agent)
        agent.destroy()
    assert outcome.result == ("complete", b"good"), outcome.result
    return ends[0].bytes_sent


async def test_client_peers_vanish_everywhere(autojump_clock: trio.testing.MockClock, no_leaks: leakcheck.Tracker) -> None:
    """The client against a raw server that vanishes at every byte, and against ours behind a failing network."""
    handlers = Handlers()
    server = make_server(handlers)
    _RAW_REQUEST_SIZE[0] = await measure_raw_request()
    cases = raw_cases(100_000)
    cases += our_cases(100_000 + len(cases), await measure_our_sizes(server))
    cases = selected(cases)

    async def run_case(case: ClientCase, outcomes: list[ClientOutcome]) -> None:
        await run_client_case(case, outcomes, server)

    problems = Problems()
    with leakcheck.real_deadline(300), trio.fail_after(3600):
        answered = await run_batches(cases, run_case, check_client, server, handlers, no_leaks, problems)
    server.close()
    with trio.fail_after(1):
        await server.wait_closed()
    assert not problems.found, f"{len(cases)} cases, seed {SEED}: " + problems.report()
    assert answered > 0


# -- real sockets: the kernel's FIN and RST ----------------------------------------------------


def linger_reset(sock: trio.socket.SocketType) -> None:
    """Close with ``SO_LINGER`` 0: the kernel sends RST instead of FIN."""
    sock.setsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


async def read_some(sock: trio.socket.SocketType) -> bytes:
    try:
        return await sock.recv(65536)
    except (ConnectionResetError, BrokenPipeError):
        return b""


@dataclass
class RealCase:
    number: int
    template: str
    side: str
    at: int
    kind: Vanish

    def __str__(self) -> str:
        return f"tcp {self.template} {self.side}@{self.at} {self.kind}"


def real_server_cases(start: int) -> list[RealCase]:
    out: list[RealCase] = []
    for template in ("get", "post-length", "post-chunked", "pipe-chunked", "stream", "poll", "pipelined"):
        request = b"".join(TEMPLATES[template](0))
        head = request.index(b"\r\n\r\n") + 4
        points = sorted({0, 1, head // 2, head - 1, head, (head + len(request)) // 2, len(request) - 1, len(request)})
        for at in points:
            for kind in VANISH_KINDS:
                out.append(RealCase(0, template, "request", at, kind))
        if template in ("stream", "poll", "pipelined", "pipe-chunked"):
            for at in (1, 100, 300):  # each of these answers is longer
                for kind in VANISH_KINDS:
                    out.append(RealCase(0, template, "response", at, kind))
    for i, case in enumerate(out):
        case.number = start + i
    return out


async def real_client(port: int, case: RealCase, problems: Problems) -> None:
    """Play ``case`` over TCP and leave the way it says."""
    rng = rng_for(case.number)
    sock = trio.socket.socket()
    try:
        await sock.connect(("127.0.0.1", port))
        request = b"".join(TEMPLATES[case.template](case.number))
        part = request[: case.at] if case.side == "request" else request
        for piece in split(part, rng):
            await sock.send(piece)
        received = bytearray()
        if case.side == "response":
            # The poll's first event is all it sends; the others send more than `at`.
            while len(received) < case.at and b"data: ready\n\n" not in received:
                chunk = await read_some(sock)
                if not chunk:
                    break
                received += chunk
        if case.kind == "rst":
            linger_reset(sock)
        elif case.kind == "close":
            sock.close()
        else:
            sock.shutdown(stdsocket.SHUT_WR)
            with trio.move_on_after(5) as waiting:
                while await read_some(sock):
                    pass
            if waiting.cancelled_caught:
                problems.add(f"server kept a half-closed TCP connection open ({case.template} {case.side})", f"{where(case.number)} ({case})")
    finally:
        sock.close()


async def until(condition: Callable[[], bool], seconds: float = 5) -> bool:
    """Wait (bounded) for the server to notice what the kernel told it."""
    with trio.move_on_after(seconds):
        while not condition():
            await trio.sleep(0.005)
        return True
    return False


async def test_server_real_sockets_fin_close_rst(no_leaks: leakcheck.Tracker) -> None:
    """Over TCP, the kernel's FIN and RST at the edges of every part of an exchange."""
    cases = selected(real_server_cases(200_000))
    handlers = Handlers()
    problems = Problems()
    with trio.fail_after(120), leakcheck.error_log(label=current_case) as errors:
        async with ns.open_scope():
            server = make_server(handlers)
            await server.listen(0, "127.0.0.1")
            port = server.address()["port"]  # type: ignore[index]
            await trio.testing.wait_all_tasks_blocked()  # the accept loops are running
            baseline = Baseline(tasks=leakcheck.all_tasks(), fds=leakcheck.open_fds())

            def settled() -> bool:
                return not server._connections and not handlers.waiting() and leakcheck.all_tasks() <= baseline.tasks

            for first in range(0, len(cases), 40):
                batch = cases[first : first + 40]
                label = f"tcp batch {first // 40} (cases {', '.join(str(c.number) for c in batch[:3])}, ...)"

                async def one(case: RealCase) -> None:
                    CURRENT_CASE.set(case.number)
                    await real_client(port, case, problems)

                async with trio.open_nursery() as nursery:
                    for case in batch:
                        nursery.start_soon(one, case)
                if not await until(settled):
                    problems.add(
                        "connections still open 5 s after their peers left",
                        f"{label}: {len(server._connections)} open, waiting: {handlers.waiting()[:5]}",
                    )
                report_errors(errors, problems, label)
                check_batch(label, problems, no_leaks, baseline, handlers, server)
                handlers.state.clear()
                # A GET on a fresh connection is answered between batches.
                stream = await trio.open_tcp_stream("127.0.0.1", port)
                async with stream:
                    await stream.send_all(get("/plain", 999_999, "Connection: close\r\n"))
                    answer = bytearray()
                    while chunk := await stream.receive_some():
                        answer += chunk
                if not answer.endswith(b"plain answer"):
                    problems.add("GET not answered between batches", f"{label}: {bytes(answer[:80])!r}")
                await until(settled)
            server.close()
            await server.wait_closed()
    assert not problems.found, f"{len(cases)} cases, seed {SEED}: " + problems.report()


RAW_TCP_CUTS = ("head", "body", "all")


def raw_tcp_cases(start: int) -> list[ClientCase]:
    out = []
    for script in ("length", "chunked", "until-close"):
        data = RAW_SCRIPTS[script]
        head = data.index(b"\r\n\r\n") + 4
        for at in (head // 2, head + (len(data) - head) // 2, len(data)):
            for kind in ("fin", "rst"):
                out.append(ClientCase(0, "tcp", script, "response", at, kind))
    for i, case in enumerate(out):
        case.number = start + i
    return out


async def test_client_real_sockets_fin_versus_rst(no_leaks: leakcheck.Tracker) -> None:
    """Our client against a TCP server that leaves mid-response: a kernel RST is never an end."""
    cases = selected(raw_tcp_cases(300_000))
    problems = Problems()
    with trio.fail_after(60):
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        port = listeners[0].socket.getsockname()[1]
        fds = leakcheck.open_fds()
        for case in cases:
            outcome = ClientOutcome(case)
            async with trio.open_nursery() as nursery:

                async def serve_one(case: ClientCase = case) -> None:
                    stream = await listeners[0].accept()
                    data = bytearray()
                    while b"\r\n\r\n" not in data:
                        data += await stream.receive_some()
                    script = RAW_SCRIPTS[case.script]
                    await stream.send_all(script[: case.at])
                    if case.kind == "rst":
                        linger_reset(stream.socket)
                    else:
                        await stream.send_eof()
                        with trio.move_on_after(5):
                            while await stream.receive_some():
                                pass
                    await trio.aclose_forcefully(stream)

                nursery.start_soon(serve_one)
                async with ns.open_scope():
                    agent = http.Agent(keep_alive=False)
                    req = new_request(host="127.0.0.1", port=port, path="/", agent=agent)
                    req.end()
                    outcome.result = await client_outcome(req)
            check_raw([outcome], problems)
        for listener in listeners:
            await listener.aclose()
        left = leakcheck.new_fds(fds)
        assert not left, f"fds left open: {left}"
    assert not problems.found, f"{len(cases)} cases, seed {SEED}: " + problems.report()


# -- single faults, each a minimal reproduction of something the suites above found ----------


async def test_handler_reading_an_aborted_body_is_not_a_handler_failure(autojump_clock: trio.testing.MockClock) -> None:
    """A client that leaves mid-upload is the client's fault: the async handler reading the
    body is cancelled (or sees the abort), and nothing is logged above DEBUG, also when the
    client left before the handler took its first step (issue: the head and the end of the
    connection arrive together)."""
    request = post_length("/echo", 1)
    head = request.index(b"\r\n\r\n") + 4
    for kind in VANISH_KINDS:
        for body_bytes, wait in ((0, False), (10, False), (100, True)):
            handlers = Handlers()
            server = make_server(handlers)
            client, server_end = wire()
            with trio.fail_after(5), leakcheck.error_log() as errors:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(server.serve_connection, server_end)
                    await client.send_all(request[: head + body_bytes])
                    if wait:
                        await trio.sleep(0.1)  # the handler is reading the body
                        assert handlers.waiting() == ["000001 POST /echo"]
                    client.vanish(kind)
                    if kind == "fin":
                        await drain(client)
                await client.aclose()
            assert not handlers.waiting(), (kind, body_bytes)
            assert not errors.bad, (kind, body_bytes, errors.bad)


async def test_response_bytes_are_sent_by_one_task_at_a_time() -> None:
    """The connection's writer task is sending (its peer reads slowly) when the connection's
    own task has more to send: it must wait for that send, not start a second one at once
    (a Trio stream raises BusyResourceError; bytes would interleave)."""

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.write(b"first")  # from the handler's task: the writer task sends it
        req.pipe(res)  # the next body bytes are written by the connection's task

    server = http.create_server(handler)
    client, server_end = trio.testing.lockstep_stream_pair()  # a send waits for its reader
    with trio.fail_after(5), leakcheck.error_log() as errors:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(server.serve_connection, server_end)
            await client.send_all(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            await trio.testing.wait_all_tasks_blocked()  # the writer task is inside send_all
            nursery.start_soon(client.send_all, b"5\r\nhello\r\n0\r\n\r\n")
            await trio.testing.wait_all_tasks_blocked()
            received = bytearray()
            while not received.endswith(b"0\r\n\r\n"):
                chunk = await client.receive_some()
                assert chunk, bytes(received)
                received += chunk
            await client.aclose()
    assert not errors.bad, errors.bad
    assert received.endswith(b"\r\n\r\n5\r\nfirst\r\n5\r\nhello\r\n0\r\n\r\n"), bytes(received)


async def test_reused_connection_closed_before_any_answer_resends_the_request(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """A GET on a kept-alive connection that the server closes before answering is resent once
    on a new connection, with its bytes (they were recorded when it was written)."""
    for kind in VANISH_KINDS:
        case = ClientCase(0, "raw", "reuse", "response", 0, kind)
        outcomes: list[ClientOutcome] = []
        with trio.fail_after(60):
            await run_client_case(case, outcomes, None)
        assert outcomes[0].extra == [("complete", b"first")], (kind, outcomes[0])
        assert outcomes[0].result == ("complete", b"good"), (kind, outcomes[0])


async def test_a_closed_connection_is_not_kept_by_the_accept_loop(no_leaks: leakcheck.Tracker) -> None:
    """Once a TCP connection closed, nothing keeps its objects (socket, last request and
    response, buffers) reachable while the server listens on."""
    handlers = Handlers()
    with trio.fail_after(10):
        async with ns.open_scope():
            server = make_server(handlers)
            await server.listen(0, "127.0.0.1")
            stream = await trio.open_tcp_stream("127.0.0.1", server.address()["port"])  # type: ignore[index]
            async with stream:
                await stream.send_all(get("/plain", 1, "Connection: close\r\n"))
                while await stream.receive_some():
                    pass
            assert await until(lambda: not server._connections)
            await trio.testing.wait_all_tasks_blocked()
            alive = no_leaks.alive()
            kept = leakcheck.describe(alive)
            del alive
            server.close()
    assert not kept, kept


async def test_client_connection_reused_many_times_keeps_its_listeners(autojump_clock: trio.testing.MockClock) -> None:
    """Twenty requests over one kept-alive connection: the connection's socket does not
    collect a listener per request (past ten, Node warns of a leak)."""
    server = make_server(Handlers())
    counts = []
    with trio.fail_after(30):
        async with trio.open_nursery() as nursery, ns.open_scope():
            ends: list[End] = []

            async def create_connection(options: dict[str, Any]) -> trio.abc.Stream:
                client_end, server_end = wire()
                ends.append(client_end)
                nursery.start_soon(server.serve_connection, server_end)
                return client_end

            agent = http.Agent(keep_alive=True, create_connection=create_connection)
            for n in range(20):
                req = new_request(host="ours.test", port=8080, path="/plain", agent=agent)
                req.end()
                assert await client_outcome(req) == ("complete", b"plain answer"), n
                sock = req.socket
                assert sock is not None
                counts.append(sum(len(v) for v in sock._events.values()))
                await trio.sleep(0.001)
            agent.destroy()
    assert len(ends) == 1
    assert len(set(counts[1:])) == 1, counts


async def test_a_response_that_filled_its_buffer_does_not_stall_its_connection(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """The last body bytes of a response fill the reader's buffer (reading pauses); the
    response is read to its end; the next request on the kept-alive connection must
    still get its answer."""
    big = b"x" * 65536

    async def peer(end: End) -> None:
        data = bytearray()
        await read_request(end, data)
        await end.send_all(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(big) + big)
        await read_request(end, data)
        await end.send_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await drain(end)

    with trio.fail_after(30):
        async with trio.open_nursery() as peers, ns.open_scope():

            async def create_connection(options: dict[str, Any]) -> trio.abc.Stream:
                client_end, server_end = wire()
                peers.start_soon(peer, server_end)
                return client_end

            agent = http.Agent(keep_alive=True, create_connection=create_connection)
            first = new_request(host="raw.test", port=8080, path="/big", agent=agent)
            first.end()
            assert await client_outcome(first) == ("complete", big)
            second = new_request(host="raw.test", port=8080, path="/next", agent=agent)
            second.end()
            outcome: tuple[str, Any] = ("no answer in 10 s", None)
            with trio.move_on_after(10):
                outcome = await client_outcome(second)
            agent.destroy()
    assert second.reused_socket
    assert outcome == ("complete", b"ok"), "the second request on the connection got no answer"


async def test_server_close_completes_once_waiting_clients_vanish(autojump_clock: trio.testing.MockClock) -> None:
    """close() with long polls in progress waits for them; when their clients vanish (each
    way in turn) the handlers are cancelled and the close completes, with 'close'."""
    handlers = Handlers()
    closed: list[float] = []
    with trio.fail_after(30):
        async with ns.open_scope() as scope:
            server = make_server(handlers, scope=scope)
            clients: list[End] = []
            async with trio.open_nursery() as nursery:
                for n in range(12):
                    client, server_end = wire()
                    clients.append(client)
                    nursery.start_soon(server.serve_connection, server_end)
                    await client.send_all(get("/poll", n))
                for client in clients:
                    data = bytearray()
                    while b"data: ready\n\n" not in data:
                        data += await client.receive_some()
                assert len(handlers.waiting()) == 12
                server.close(lambda *_: closed.append(trio.current_time()))
                await trio.sleep(1)
                assert not closed and len(handlers.waiting()) == 12  # busy connections are waited for
                vanished = trio.current_time()
                for i, client in enumerate(clients):
                    client.vanish(VANISH_KINDS[i % 3])
                with trio.fail_after(END_WITHIN):
                    await server.wait_closed()
                for client in clients:
                    await client.aclose()
    assert not handlers.waiting()
    assert closed and closed[0] - vanished < END_WITHIN
