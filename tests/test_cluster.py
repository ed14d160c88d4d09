"""Workers under a supervisor (trio_nodestreams.cluster), and the server's side of it.

The supervisor's policy (backoff, one-by-one replacement, the stop) runs on
MockClock with fake workers; real supervisors and workers run as processes on
127.0.0.1 under a counting load client for the three faults (SIGKILL of a
worker, SIGTERM, SIGHUP) and a worker that crashes at start. Every wait on a
process polls its output with a deadline.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio
import trio.testing

import trio_nodestreams as ns
from trio_nodestreams import cluster, http
from trio_nodestreams.http._server import PENDING_GRACE

from .cluster_support import Load, exchange, get, supervised
from .test_http_timeouts import GET, answered, connection

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and processes")

# -- the policy, on MockClock ----------------------------------------------------------------


class FakeWorker:
    """A worker that becomes ready or crashes after a while, and obeys signals."""

    def __init__(self, pid: int, events: list[str], *, crash: str | None, start: float, stop: float) -> None:
        self.pid = pid
        self.ready = trio.Event()
        self.settled = trio.Event()
        self.exited = trio.Event()
        self.returncode: int | None = None
        self.reason: str | None = None
        self.ready_at: float | None = None
        self.signals: list[int] = []
        self._events = events
        self._crash = crash
        self._start = start
        self._stop = stop
        self.ignore_sigterm = False

    async def live(self) -> None:
        await trio.sleep(self._start)
        if self.exited.is_set():
            return
        if self._crash is not None:
            self.reason = f"RuntimeError: {self._crash}"
            self._exit(1)
            return
        self.ready_at = trio.current_time()
        self._events.append(f"ready {self.pid}")
        self.ready.set()
        self.settled.set()

    def _exit(self, code: int) -> None:
        if not self.exited.is_set():
            self.returncode = code
            self._events.append(f"exit {self.pid} {code}")
            self.exited.set()
            self.settled.set()

    async def _graceful(self) -> None:
        await trio.sleep(self._stop)
        self._exit(0)

    def signal(self, signum: int) -> None:
        if self.exited.is_set():
            return
        self.signals.append(signum)
        self._events.append(f"{signal.Signals(signum).name} {self.pid}")
        if signum == signal.SIGKILL:
            self._exit(-signal.SIGKILL)
        elif signum == signal.SIGTERM and not self.ignore_sigterm:
            self.nursery.start_soon(self._graceful)


class Fakes:
    def __init__(self, nursery: trio.Nursery, *, crash: str | None = None, start: float = 1.0, stop: float = 0.5):
        self.nursery = nursery
        self.events: list[str] = []
        self.made: list[FakeWorker] = []
        self.crash = crash
        self.start = start
        self.stop = stop

    async def spawn(self, worker_id: int) -> cluster.WorkerProcess:
        proc = FakeWorker(100 + len(self.made), self.events, crash=self.crash, start=self.start, stop=self.stop)
        proc.nursery = self.nursery  # type: ignore[attr-defined]
        self.made.append(proc)
        self.events.append(f"spawn {proc.pid} as {worker_id}")
        self.nursery.start_soon(proc.live)
        return proc


@pytest.fixture
def mock_clock() -> trio.testing.MockClock:
    return trio.testing.MockClock(autojump_threshold=0)


async def _signals(receive: trio.MemoryReceiveChannel[int]) -> AsyncIterator[int]:
    async for signum in receive:
        yield signum


async def test_backoff_doubles_up_to_its_maximum() -> None:
    backoff = cluster.Backoff(initial=0.1, factor=2, maximum=1.0)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert cluster.resolve_workers("auto") >= 1
    assert cluster.resolve_workers(3) == 3
    with pytest.raises(ValueError):
        cluster.resolve_workers(0)


async def test_a_worker_that_crashes_at_start_is_restarted_with_backoff_not_in_a_loop(
    mock_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Over 10 s, a worker failing 0.05 s after each start is started 9 times, not hundreds."""
    caplog.set_level(logging.INFO, "trio_nodestreams.cluster")
    send, receive = trio.open_memory_channel[int](4)
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            fakes = Fakes(nursery, crash="no config", start=0.05)
            sup = cluster.Supervisor(fakes.spawn, 1, backoff=cluster.Backoff(initial=0.1, maximum=2.0))
            nursery.start_soon(sup.run, _signals(receive))
            await trio.sleep(10)
            # Starts at 0, 0.15, 0.4, 0.85, 1.7, 3.35, 5.4, 7.45, 9.5 (each failure waits
            # 0.1, 0.2, 0.4, ... at most 2 s after the 0.05 s the worker lives).
            assert len(fakes.made) == 9
            assert sup.restarts == 8
            await send.send(signal.SIGTERM)
    restarts = [r.getMessage() for r in caplog.records if "restarting in" in r.getMessage()]
    assert restarts[0] == (
        "worker 1 (pid 100) exited with status 1 (RuntimeError: no config) before it was ready; "
        "restarting in 0.10 s (failure 1 in a row)"
    )
    assert [m.split("restarting in ")[1].split(" s")[0] for m in restarts] == [
        "0.10", "0.20", "0.40", "0.80", "1.60", "2.00", "2.00", "2.00", "2.00",
    ]  # fmt: skip


async def test_a_worker_that_served_long_enough_restarts_at_once(mock_clock: trio.testing.MockClock) -> None:
    """The failure count starts again after ``reset_after`` seconds of service."""
    send, receive = trio.open_memory_channel[int](4)
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            fakes = Fakes(nursery, start=1.0)
            sup = cluster.Supervisor(fakes.spawn, 1, backoff=cluster.Backoff(initial=0.5, reset_after=5))
            nursery.start_soon(sup.run, _signals(receive))
            for _ in range(3):
                await trio.sleep(10)
                made = len(fakes.made)
                fakes.made[-1].signal(signal.SIGKILL)  # after 9 s of service each time
                died = trio.current_time()
                while len(fakes.made) == made or not fakes.made[-1].ready.is_set():
                    await trio.sleep(0.01)
                # Restarted after 0.5 s (not 1, 2), ready 1 s later.
                assert fakes.made[-1].ready_at == pytest.approx(died + 1.5, abs=0.02)
            await send.send(signal.SIGTERM)
    assert sup.restarts == 3


async def test_sighup_replaces_workers_one_by_one_with_a_listener_at_every_moment(
    mock_clock: trio.testing.MockClock,
) -> None:
    send, receive = trio.open_memory_channel[int](4)
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            fakes = Fakes(nursery, start=1.0, stop=0.5)
            sup = cluster.Supervisor(fakes.spawn, 2)
            nursery.start_soon(sup.run, _signals(receive))
            await sup.started.wait()
            first, second = old = sup.pids()
            assert sorted(old) == [100, 101]
            fakes.events.clear()
            await send.send(signal.SIGHUP)
            await trio.sleep(0.001)
            await sup.reloaded.wait()
            assert sup.pids() == [102, 103]
            await trio.sleep(1)
            assert fakes.events == [
                "spawn 102 as 1", "ready 102", f"SIGTERM {first}",
                "spawn 103 as 2", f"exit {first} 0", "ready 103", f"SIGTERM {second}", f"exit {second} 0",
            ]  # fmt: skip
            await send.send(signal.SIGTERM)
    assert fakes.events[-4:-2] == ["SIGTERM 102", "SIGTERM 103"]
    assert sorted(fakes.events[-2:]) == ["exit 102 0", "exit 103 0"]  # at the same moment
    assert sup.restarts == 0


async def test_a_replacement_that_fails_to_start_leaves_the_old_worker_serving(
    mock_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A SIGHUP with broken code: each replacement fails, the old workers stay; nothing spins."""
    send, receive = trio.open_memory_channel[int](4)
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            fakes = Fakes(nursery, start=1.0)
            sup = cluster.Supervisor(fakes.spawn, 2)
            nursery.start_soon(sup.run, _signals(receive))
            await sup.started.wait()
            old = sup.pids()
            fakes.crash = "syntax error in the new code"
            await send.send(signal.SIGHUP)
            await trio.sleep(0.001)
            await sup.reloaded.wait()
            assert sup.pids() == old
            assert all(not proc.signals for proc in fakes.made[:2])
            assert len(fakes.made) == 4  # one attempt per worker
            await send.send(signal.SIGTERM)
    failed = [r.getMessage() for r in caplog.records if "the replacement" in r.getMessage()]
    assert failed == [
        f"worker {n}: the replacement exited with status 1 (RuntimeError: syntax error in the new code); "
        f"pid {pid} stays"
        for n, pid in ((1, old[0]), (2, old[1]))
    ]
    assert sup.restarts == 0


async def test_stop_waits_for_graceful_workers_and_kills_one_that_ignores_it(
    mock_clock: trio.testing.MockClock,
) -> None:
    send, receive = trio.open_memory_channel[int](4)
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            fakes = Fakes(nursery, start=1.0, stop=3.0)
            sup = cluster.Supervisor(fakes.spawn, 2, graceful_timeout=10)
            done: list[float] = []

            async def supervise() -> None:
                assert await sup.run(_signals(receive)) == 0
                done.append(trio.current_time())

            nursery.start_soon(supervise)
            await sup.started.wait()
            fakes.made[1].ignore_sigterm = True
            stop_at = trio.current_time()
            await send.send(signal.SIGINT)
    assert fakes.made[0].returncode == 0  # stopped gracefully, 3 s later
    assert fakes.made[1].returncode == -signal.SIGKILL
    assert fakes.made[1].signals == [signal.SIGTERM, signal.SIGKILL]
    assert done[0] - stop_at == pytest.approx(10 + cluster.KILL_MARGIN)
    assert len(fakes.made) == 2  # nothing restarted during the stop


# -- the server's side ------------------------------------------------------------------------


async def test_two_servers_share_a_port_with_reuse_port() -> None:
    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.end(str(id(req.socket.server) if req.socket is not None else 0))

    with trio.fail_after(10):
        async with ns.open_scope():
            first = http.create_server(handler)
            await first.listen(0, "127.0.0.1", reuse_port=True)
            port = first.address()["port"]  # type: ignore[index]
            second = http.create_server(handler)
            await second.listen(port, "127.0.0.1", reuse_port=True)
            assert second.address()["port"] == port  # type: ignore[index]
            seen = set()
            while len(seen) < 2:  # the kernel spreads new connections over both
                _, _, body = await get(port, "/")
                seen.add(body)
            first.close()
            second.close()
    # A socket without SO_REUSEPORT keeps its port to itself.
    with socket.socket() as plain:
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        async with ns.open_scope():
            with pytest.raises(OSError, match="Address already in use"):
                await http.create_server(handler).listen(plain.getsockname()[1], "127.0.0.1", reuse_port=True)


async def test_listen_on_an_inherited_descriptor() -> None:
    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.end("via fd")

    raw = socket.socket()
    raw.bind(("127.0.0.1", 0))
    raw.listen()
    port = raw.getsockname()[1]
    with trio.fail_after(10):
        async with ns.open_scope():
            server = http.create_server(handler)
            await server.listen(fd=raw.detach())
            assert server.address()["port"] == port  # type: ignore[index]
            status, _, body = await get(port, "/")
            server.close()
    assert (status, body) == (200, b"via fd")


async def test_close_serves_the_connections_already_in_the_kernel_queue() -> None:
    """Connections accepted by the kernel but not yet by the server are answered, not reset.

    close() runs before the accept loop's first step: without the drain, each of
    these clients would get a reset (and with SO_REUSEPORT other workers cannot
    take them).
    """

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.end("served")

    with trio.fail_after(10):
        async with ns.open_scope():
            server = http.create_server(handler)
            await server.listen(0, "127.0.0.1", reuse_port=True)
            port = server.address()["port"]  # type: ignore[index]
            queued = []
            for _ in range(4):  # no checkpoint in this loop: the accept task has not run
                sock = socket.create_connection(("127.0.0.1", port))
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                queued.append(sock)
            server.close()
            answers = []
            for sock in queued:
                stream = trio.SocketStream(trio.socket.from_stdlib_socket(sock))
                got = b""
                while True:
                    data = await stream.receive_some(4096)
                    if not data:
                        break
                    got += data
                await stream.aclose()
                answers.append(got)
            await server.wait_closed()
    for got in answers:
        assert got.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close" in got
        assert got.endswith(b"served")


@pytest.mark.parametrize("serve_pending", [False, True])
async def test_close_and_a_connection_that_has_not_sent_its_request_yet(
    mock_clock: trio.testing.MockClock, serve_pending: bool
) -> None:
    """Node's close() drops it as idle at once; ``serve_pending`` answers it if it comes in time."""
    server = answered()
    with trio.fail_after(60):
        async with connection(server) as peer:
            await trio.testing.wait_all_tasks_blocked()
            server.close(serve_pending=serve_pending)
            if serve_pending:
                await trio.sleep(PENDING_GRACE / 2)
                await peer.send(GET)
            await peer.read_to_end()
    if serve_pending:
        assert peer.received.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close" in peer.received
    else:
        assert peer.received == b"" and peer.closed_at == 0


async def test_close_serve_pending_answers_the_next_request_on_a_kept_alive_connection(
    mock_clock: trio.testing.MockClock,
) -> None:
    """A client reusing its connection as the server closes is answered, not reset."""
    server = answered()
    with trio.fail_after(60):
        async with connection(server) as peer:
            await peer.send(GET)
            await peer.read_until(b"ok")
            assert b"Connection: keep-alive" in peer.received
            del peer.received[:]
            server.close(serve_pending=True)
            await trio.sleep(PENDING_GRACE / 2)
            await peer.send(GET)
            await peer.read_to_end()
    assert peer.received.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close" in peer.received
    assert peer.received.endswith(b"ok")


async def test_close_serve_pending_closes_a_silent_connection_after_the_grace(
    mock_clock: trio.testing.MockClock,
) -> None:
    server = answered()
    with trio.fail_after(60):
        async with connection(server) as peer:
            await trio.testing.wait_all_tasks_blocked()
            server.close(serve_pending=True)
            closed = await peer.read_to_end()
    assert peer.received == b""  # no 408: the client was not late, the server is closing
    assert closed == pytest.approx(PENDING_GRACE)


# -- real supervisors and workers, under load --------------------------------------------------


async def test_sigkill_of_a_worker_under_load() -> None:
    """Only requests on the killed worker's connections fail; the worker is restarted."""
    with trio.fail_after(40):
        async with supervised("--workers", "2") as sup, trio.open_nursery() as nursery:
            await sup.wait_for(r"worker \d ready", 2)
            load = Load(sup.port, 8)
            nursery.start_soon(load.run)
            await load.served(200)
            victim, open_on_victim = load.pids_of_connections().most_common(1)[0]
            os.kill(victim, signal.SIGKILL)
            line = (await sup.wait_for(rf"worker (\d) \(pid {victim}\) killed by SIGKILL after it was ready; restarting in"))[0]
            number = int(line[1])
            await sup.wait_for(rf"worker {number} ready", 2)
            new_pid = sup.ready_pids()[number]
            assert new_pid != victim
            # The replacement serves: new connections land on it (the kernel picks by hash).
            while True:
                _, headers, _ = await get(sup.port, "/")
                if int(headers["x-worker-pid"]) == new_pid:
                    break
            await load.served(load.ok + 100)
            load.stop()
        lost = load.lost()
        print(f"SIGKILL: {load.ok} answered, {len(lost)} lost of {open_on_victim} connections on the killed worker")
        assert 1 <= len(lost) <= open_on_victim, (lost, open_on_victim)
        assert {pid for pid, _ in load.failed_retries} <= {victim}, load.failed_retries
        assert {pid for pid, _ in lost} == {victim}, lost


@pytest.mark.parametrize("reuse_port", ["on", "off"])
async def test_sigterm_under_load_lets_started_requests_finish(reuse_port: str) -> None:
    """SO_REUSEPORT, and one listening socket shared by the workers (where it is missing)."""
    with trio.fail_after(40):
        async with supervised("--workers", "2", "--graceful-timeout", "10", "--reuse-port", reuse_port) as sup:
            await sup.wait_for(r"worker \d ready", 2)
            load = Load(sup.port, 8)
            load.stop_on_refused = True
            slow: list[tuple[int, bytes]] = []
            async with trio.open_nursery() as nursery:
                nursery.start_soon(load.run)
                await load.served(200)
                started = trio.Event()
                count = 0

                async def slow_request() -> None:
                    nonlocal count
                    stream = await trio.open_tcp_stream("127.0.0.1", sup.port)
                    async with stream:
                        await stream.send_all(b"GET /slow?ms=800 HTTP/1.1\r\nHost: x\r\n\r\n")
                        first = await stream.receive_some(4096)  # the head: the request started
                        count += 1
                        if count == 3:
                            started.set()
                        rest = first
                        while True:
                            data = await stream.receive_some(4096)
                            if not data:
                                break
                            rest += data
                    slow.append((len(first), rest))

                for _ in range(3):
                    nursery.start_soon(slow_request)
                await started.wait()
                sup.signal(signal.SIGTERM)
                assert await sup.proc.wait() == 0
                load.stop()
        for _, answer in slow:  # each read to the end: the worker closed once it was answered
            assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
            assert answer.endswith(b"4\r\nend\n\r\n0\r\n\r\n"), answer
        assert len(slow) == 3
        print(f"SIGTERM ({reuse_port}): {load.ok} answered, {len(load.retried)} sent again, {load.refused} refused")
        # No answer was cut, no kept-alive connection was closed under a request; what was
        # refused came after the listeners closed and never started.
        assert load.unanswered() == [], "\n".join(map(str, load.unanswered())) + "\n" + sup.log()
        assert load.retried == [], load.retried
        assert len(sup.matching(r"worker \d \(pid \d+\) exited with status 0")) == 2, sup.log()


async def test_sighup_under_load_loses_no_request() -> None:
    with trio.fail_after(50):
        async with supervised("--workers", "2") as sup, trio.open_nursery() as nursery:
            await sup.wait_for(r"worker \d ready", 2)
            old = set(sup.ready_pids().values())
            load = Load(sup.port, 8)
            nursery.start_soon(load.run)
            await load.served(200)
            sup.signal(signal.SIGHUP)
            await sup.wait_for(r"SIGHUP: every worker replaced")
            await sup.wait_for(r"replaced, exited with status 0", 2)
            new = set(sup.ready_pids().values())
            assert not new & old
            # Connections the old workers closed come back to the new ones (which of the
            # two the kernel picks for each is its hash's choice: no per-worker count).
            before = dict(load.by_pid)
            await load.served(load.ok + 100)
            load.stop()
            after = {pid for pid, count in load.by_pid.items() if count > before.get(pid, 0)}
            assert after and after <= new, (after, new)
        print(f"SIGHUP: {load.ok} answered, {len(load.retried)} sent again on a new connection")
        assert load.unanswered() == [] and load.refused == 0, (load.unanswered(), load.refused)
        # Not even a retry: a stopping worker answers the next request on each kept-alive
        # connection (with Connection: close) instead of closing it under the client.
        assert load.retried == [], load.retried


async def test_a_worker_crashing_at_start_is_logged_and_backed_off() -> None:
    with trio.fail_after(30):
        async with supervised("--workers", "1", "--crash", "missing setting X", "--backoff", "0.1") as sup:
            lines = await sup.wait_for(r"restarting in ([\d.]+) s \(failure (\d) in a row\)", 3)
            sup.signal(signal.SIGTERM)
            assert await sup.proc.wait() == 0
    assert [m[1] for m in lines[:3]] == ["0.10", "0.20", "0.40"]
    reasons = sup.matching(r"exited with status 1 \(RuntimeError: missing setting X\) before it was ready")
    assert len(reasons) >= 3
    # The traceback is in the worker's own log line, with its pid.
    assert sup.matching(r"\[\d+\] ERROR trio_nodestreams.cluster: worker 1 failed: RuntimeError: missing setting X")
    assert not sup.matching("serving on")


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie nobody reaped yet counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc")
async def test_workers_stop_on_their_own_when_the_supervisor_is_killed() -> None:
    with trio.fail_after(30):
        async with supervised("--workers", "1") as sup:
            pid = (await sup.wait_for(r"worker 1 ready \(pid (\d+)\)"))[0][1]
            sup.signal(signal.SIGKILL)
            await sup.proc.wait()
            while not _gone(int(pid)):  # poll: the worker is not our child
                await trio.sleep(0.05)
            await sup.wait_for(rf"\[{pid}\] WARNING trio_nodestreams.cluster: worker 1: the supervisor is gone, stopping")


async def test_cli_serve_workers_and_clean_exit_on_sigint() -> None:
    """``serve --workers 2`` through the CLI; SIGINT ends it with 0 and access lines carry the pid."""
    argv = [sys.executable, "-m", "trio_nodestreams", "serve", "--port", "0", "--workers", "2", "--graceful-timeout", "5"]
    with trio.fail_after(30):
        async with supervised(argv=argv) as sup:
            await sup.wait_for(r"worker \d ready", 2)
            status, _, body = await get(sup.port, "/")
            assert status == 200 and b"/echo" in body
            stream = await trio.open_tcp_stream("127.0.0.1", sup.port)
            async with stream:
                status, _, body = await exchange(
                    stream, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                )
            assert (status, body) == (200, b"hello")
            pids = set(sup.ready_pids().values())
            await sup.wait_for(r'\[(\d+)\] 127\.0\.0\.1 \[[\d:]+\] "POST /echo HTTP/1\.1" 200')
            sup.signal(signal.SIGINT)
            assert await sup.proc.wait() == 0
    line = sup.matching(r'\[(\d+)\] 127\.0\.0\.1 \[[\d:]+\] "POST /echo HTTP/1\.1" 200')[0]
    assert int(line[1]) in pids
    assert "Traceback" not in sup.log()


async def test_cli_serve_workers_over_tls() -> None:
    """``serve --workers 2 --tls-cert --tls-key``: every worker serves https with the
    certificate (its path travels to the workers, not the key's bytes)."""
    import ssl

    certs = Path(__file__).parent / "certs"
    argv = [sys.executable, "-m", "trio_nodestreams", "serve", "--port", "0", "--workers", "2",
            "--graceful-timeout", "5", "--tls-cert", str(certs / "server.pem"),
            "--tls-key", str(certs / "server-key.pem")]  # fmt: skip
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    with trio.fail_after(30):
        async with supervised(argv=argv) as sup:
            await sup.wait_for(r"worker \d ready", 2)
            await sup.wait_for(r"serving on https://127\.0\.0\.1:\d+/")
            for _ in range(4):
                tcp = await trio.open_tcp_stream("127.0.0.1", sup.port)
                stream = trio.SSLStream(tcp, context, server_hostname="localhost")
                async with stream:
                    await stream.send_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    data = b""
                    while chunk := await stream.receive_some():
                        data += chunk
                assert data.startswith(b"HTTP/1.1 200 OK") and b"https://127.0.0.1:" in data
            sup.signal(signal.SIGTERM)
            assert await sup.proc.wait() == 0
    assert "Traceback" not in sup.log()
