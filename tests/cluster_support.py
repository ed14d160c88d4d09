"""Helpers for tests/test_cluster.py: a supervisor run as a process, and a counting load client."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import trio

APP = Path(__file__).resolve().parent / "cluster_app.py"
SERVING = re.compile(r"serving on https?://127\.0\.0\.1:(\d+)/")


class Supervised:
    """A supervisor process (its workers in its process group) and what it printed."""

    def __init__(self, proc: trio.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = trio.Event()
        self.port = 0

    async def _read(self, stream: trio.abc.ReceiveStream) -> None:
        buffer = b""
        async for data in stream:
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            self.lines.extend(line.decode(errors="replace") for line in lines)
            self._changed.set()
            self._changed = trio.Event()
        if buffer:
            self.lines.append(buffer.decode(errors="replace"))
        self._changed.set()

    async def wait_for(self, pattern: str, count: int = 1) -> list[re.Match[str]]:
        """Wait until ``count`` lines match ``pattern`` (the caller's deadline bounds it)."""
        regex = re.compile(pattern)
        while True:
            found = [m for m in map(regex.search, self.lines) if m is not None]
            if len(found) >= count:
                return found
            if self.proc.poll() is not None and self._changed.is_set():
                raise AssertionError(f"the supervisor exited ({self.proc.returncode}) first:\n" + self.log())
            await self._changed.wait()

    def matching(self, pattern: str) -> list[re.Match[str]]:
        regex = re.compile(pattern)
        return [m for m in map(regex.search, self.lines) if m is not None]

    def ready_pids(self) -> dict[int, int]:
        """Worker number -> the pid of its latest ready worker."""
        return {int(m[1]): int(m[2]) for m in self.matching(r"worker (\d+) ready \(pid (\d+)\)")}

    def log(self) -> str:
        return "\n".join(self.lines)

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)


@asynccontextmanager
async def supervised(*args: str, argv: list[str] | None = None) -> AsyncIterator[Supervised]:
    """Run ``tests/cluster_app.py ARGS`` (or ``argv``) until its first worker serves.

    Whatever is left at the end, the supervisor and its workers, is killed.
    """
    command = argv if argv is not None else [sys.executable, str(APP), *args]
    proc = await trio.lowlevel.open_process(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: one kill ends it and its workers
    )
    assert proc.stdout is not None and proc.stderr is not None
    sup = Supervised(proc)
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(sup._read, proc.stdout)
            nursery.start_soon(sup._read, proc.stderr)
            try:
                if "--crash" not in args:
                    sup.port = int((await sup.wait_for(SERVING.pattern))[0][1])
                yield sup
            finally:
                with trio.CancelScope(shield=True):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    await proc.wait()
    finally:
        with trio.CancelScope(shield=True):
            await proc.stdout.aclose()
            await proc.stderr.aclose()


class Cut(Exception):
    """The connection ended during an exchange; ``got_bytes`` says whether the answer had begun."""

    def __init__(self, reason: str, got_bytes: bool) -> None:
        super().__init__(reason)
        self.got_bytes = got_bytes


async def exchange(stream: trio.SocketStream, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request``; read one answer framed by Content-Length or chunked encoding."""
    got = b""
    try:
        await stream.send_all(request)
        while b"\r\n\r\n" not in got:
            data = await stream.receive_some(65536)
            if not data:
                raise Cut("EOF in the head", bool(got))
            got += data
        head, _, rest = got.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(rest) < length:
                data = await stream.receive_some(65536)
                if not data:
                    raise Cut("EOF in the body", True)
                rest += data
            return status, headers, rest[:length]
        body = b""
        while True:  # chunked
            while b"\r\n" not in rest:
                data = await stream.receive_some(65536)
                if not data:
                    raise Cut("EOF in a chunk", True)
                rest += data
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                data = await stream.receive_some(65536)
                if not data:
                    raise Cut("EOF in a chunk", True)
                rest += data
            body += rest[:size]
            rest = rest[size + 2 :]
            if size == 0:
                return status, headers, body
    except (OSError, trio.BrokenResourceError, trio.ClosedResourceError) as exc:
        raise Cut(repr(exc), bool(got)) from exc


class Load:
    """Keep-alive GET load over ``connections`` connections, one request in flight on each.

    Counts, with the pid of the worker that served the connection last:

    - ``failed``: an answer cut after it began, a bad status, or a request on a
      new connection that ended with no answer;
    - ``retried``: a request on a kept-alive connection that the server closed
      before any byte of an answer; the client sends it again on a new
      connection, as RFC 9112 section 9.3.1 allows for idempotent requests
      (the server closed an idle connection while the request was on its way);
    - ``refused``: a connection attempt refused (nothing listens; the request never started).
    """

    def __init__(self, port: int, connections: int, path: str = "/") -> None:
        self.port = port
        self.connections = connections
        self.request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        self.ok = 0
        self.by_pid: Counter[int] = Counter()
        self.failed: list[tuple[int | None, str]] = []
        self.retried: list[tuple[int | None, str]] = []
        # Retried requests whose retry failed too.
        self.failed_retries: list[tuple[int | None, str]] = []
        self.refused = 0
        #: The pid that served each connection's last answer (None: not connected).
        self.conn_pid: list[int | None] = [None] * connections
        self.stopped = trio.Event()
        self._progress = trio.Event()
        #: Stop a connection's loop at its first refusal (the server is going away).
        self.stop_on_refused = False

    def stop(self) -> None:
        self.stopped.set()

    async def served(self, n: int, pid: int | None = None) -> None:
        """Wait until ``n`` answers came (from ``pid``, if given)."""
        while (self.by_pid[pid] if pid is not None else self.ok) < n:
            self._progress = trio.Event()
            await self._progress.wait()

    def pids_of_connections(self) -> Counter[int]:
        return Counter(pid for pid in self.conn_pid if pid is not None)

    async def run(self) -> None:
        async with trio.open_nursery() as nursery:
            for i in range(self.connections):
                nursery.start_soon(self._connection, i)

    async def _connection(self, i: int) -> None:
        stream: trio.SocketStream | None = None
        reused = False
        retry = False  # the current request is being sent again
        try:
            while not self.stopped.is_set():
                if stream is None:
                    try:
                        stream = await trio.open_tcp_stream("127.0.0.1", self.port)
                    except OSError:
                        self.refused += 1
                        self.conn_pid[i] = None
                        retry = False
                        if self.stop_on_refused:
                            return
                        await trio.sleep(0.01)  # pacing while nothing listens, not ordering
                        continue
                    reused = False
                try:
                    status, headers, _body = await exchange(stream, self.request)
                except Cut as cut:
                    await stream.aclose()
                    stream = None
                    if reused and not cut.got_bytes and not retry:
                        self.retried.append((self.conn_pid[i], f"connection {i}: {cut}"))
                        retry = True
                    else:
                        # One request, counted once even when its retry failed too.
                        how = "retry" if retry else "reused" if reused else "new"
                        if not retry:
                            self.failed.append((self.conn_pid[i], f"connection {i} ({how}): {cut}"))
                        else:
                            self.failed_retries.append((self.conn_pid[i], f"connection {i} ({how}): {cut}"))
                        retry = False
                    continue
                retry = False
                pid = int(headers.get("x-worker-pid", "0"))
                self.conn_pid[i] = pid
                if status != 200:
                    self.failed.append((pid, f"connection {i}: status {status}"))
                else:
                    self.ok += 1
                    self.by_pid[pid] += 1
                    self._progress.set()
                reused = True
                if headers.get("connection", "").lower() == "close":
                    await stream.aclose()
                    stream = None
        finally:
            if stream is not None:
                with trio.CancelScope(shield=True):
                    await stream.aclose()

    def lost(self) -> list[tuple[int | None, str]]:
        """Every request that needed a retry or failed (each once)."""
        return self.failed + self.retried

    def unanswered(self) -> list[tuple[int | None, str]]:
        """Every request that got no answer: failed at once, or failed again when retried."""
        return self.failed + self.failed_retries


async def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """One GET on a new connection."""
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        return await exchange(stream, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
