"""Worker processes under a supervisor: Node's ``cluster`` in Trio's shape.

One Trio process uses one core. ``cluster.run(main, workers=N)`` makes the
calling process a supervisor that starts N worker processes, each running
``await main(worker, *args)`` in a ``trio.run`` of its own. The workers serve
one port: each on a listening socket of its own with ``SO_REUSEPORT`` (the
kernel spreads new connections over them), or, where the platform lacks it,
on one listening socket the supervisor opens and every worker inherits.

The supervisor

- restarts a worker that dies, after a delay that doubles with each failure
  in a row (:class:`Backoff`), and logs why it died;
- on SIGTERM or SIGINT asks every worker to stop: a worker closes its
  servers (no new connection, idle ones closed, busy ones closed after their
  response), waits up to ``graceful_timeout`` for them, then exits; the
  supervisor returns 0 once every worker is gone;
- on SIGHUP replaces the workers one at a time: a new worker is started, and
  only once it listens is the old one asked to stop, so the port always has a
  listener and no request is lost.

Workers are started as new interpreters (``subprocess``: a fresh process
image, never a fork of a process that has threads), so ``main`` must be
importable by name: a module-level function of a module, or of the script
that called :func:`run` (guarded by ``if __name__ == "__main__":``, as for
``multiprocessing``'s spawn method). ``args`` travel pickled.

Every log line carries the pid of the process that wrote it.
"""

from __future__ import annotations

import base64
import logging
import os
import pickle
import runpy
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from importlib import import_module
from typing import Any, Protocol

import attrs
import trio

__all__ = ["Backoff", "ListenableServer", "Supervisor", "Worker", "WorkerProcess", "resolve_workers", "run"]

log = logging.getLogger("trio_nodestreams.cluster")

#: The environment variable that hands a worker its configuration.
WORKER_ENV = "TRIO_NODESTREAMS_WORKER"
#: The format of log lines when nothing else configured logging.
LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"
#: Seconds the supervisor waits past ``graceful_timeout`` before it kills a worker.
KILL_MARGIN = 5.0

_BOOT = "from trio_nodestreams.cluster import _worker_entry; _worker_entry()"


@attrs.frozen
class Backoff:
    """How long the supervisor waits before it restarts a worker that died.

    The n-th failure in a row waits ``initial * factor ** (n - 1)`` seconds, at
    most ``maximum``. A worker that was ready for ``reset_after`` seconds before
    it died starts the count again.
    """

    initial: float = 0.1
    factor: float = 2.0
    maximum: float = 10.0
    reset_after: float = 5.0

    def delay(self, failures: int) -> float:
        """The wait before restarting after ``failures`` failures in a row (>= 1)."""
        return float(min(self.maximum, self.initial * self.factor ** max(failures - 1, 0)))


def resolve_workers(value: int | str) -> int:
    """``"auto"`` -> the number of cores this process may run on; an int >= 1 as is.

    Raises:
      ValueError: ``value`` is neither ``"auto"`` nor a positive integer.
    """
    if value == "auto":
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            return os.cpu_count() or 1
    count = int(value)
    if count < 1:
        raise ValueError(f"workers must be >= 1 or 'auto', not {value!r}")
    return count


# -- the worker's side --------------------------------------------------------------------


class ListenableServer(Protocol):
    """What :meth:`Worker.listen` needs of a server (``http.Server`` has it all)."""

    async def listen(
        self, port: int = ..., host: str = ..., backlog: int = ..., *, reuse_port: bool = ..., fd: int | None = ...
    ) -> Any: ...

    def close(self, *, serve_pending: bool = ...) -> Any: ...

    def close_all_connections(self) -> None: ...

    async def wait_closed(self) -> None: ...


class Worker:
    """A worker process as ``main`` sees it: where to listen, and the graceful stop.

    Attributes:
      id: the worker's number, 1 to N (a replacement keeps the number).
      host, port: the address every worker serves.
      graceful_timeout: seconds in-flight requests get once a stop is asked.
      stopping: set once the supervisor (or a signal) asked this worker to stop.
    """

    def __init__(
        self,
        id: int,
        host: str,
        port: int,
        *,
        graceful_timeout: float,
        inherited_fd: int | None = None,
        status: Callable[[str], None] | None = None,
    ) -> None:
        self.id = id
        self.host = host
        self.port = port
        self.graceful_timeout = graceful_timeout
        self.stopping = trio.Event()
        self.pid = os.getpid()
        self._inherited_fd = inherited_fd
        self._status = status
        self._servers: list[ListenableServer] = []
        self._ready_sent = False

    async def listen(self, server: ListenableServer, backlog: int = 511) -> None:
        """Start ``server`` on the cluster's port; tell the supervisor this worker is ready.

        The server is closed gracefully when the worker is asked to stop.

        Raises:
          OSError: the port cannot be served.
          RuntimeError: a second server asks for the cluster's inherited socket.

        Cancellation:
          Cancelled while binding, nothing is left listening and the supervisor
          was not told this worker is ready.
        """
        if self._inherited_fd is not None:
            # The server takes the inherited socket over: no copy may stay open here, or
            # the kernel would keep queueing connections that nobody accepts.
            fd, self._inherited_fd = self._inherited_fd, -1
            if fd < 0:
                raise RuntimeError("this worker already serves the cluster's socket")
            await server.listen(backlog=backlog, fd=fd)
        else:
            await server.listen(self.port, self.host, backlog, reuse_port=True)
        self._servers.append(server)
        if self.stopping.is_set():
            server.close(serve_pending=True)
        self.ready()

    def ready(self) -> None:
        """Tell the supervisor that this worker serves (:meth:`listen` does it)."""
        if not self._ready_sent:
            self._ready_sent = True
            if self._status is not None:
                self._status("ready")

    def stop(self) -> None:
        """Begin the graceful stop: close every server this worker listens with."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        for server in self._servers:
            # A client that connected just before is served, not dropped as idle.
            server.close(serve_pending=True)

    async def _drain(self) -> bool:
        """After :meth:`stop`: wait for the servers to close, forcing them at the timeout.

        Returns:
          True if every server closed within ``graceful_timeout``.
        """
        graceful = True
        with trio.move_on_after(self.graceful_timeout) as waiting:
            for server in self._servers:
                await server.wait_closed()
        if waiting.cancelled_caught:
            graceful = False
            log.warning("graceful timeout (%.1f s): closing the connections still open", self.graceful_timeout)
            for server in self._servers:
                server.close_all_connections()
            with trio.move_on_after(1):
                for server in self._servers:
                    await server.wait_closed()
        return graceful


async def _run_worker(
    main: Callable[..., Awaitable[object]], worker: Worker, args: Sequence[object], lifeline: int | None
) -> None:
    """``main(worker, *args)`` with the worker's signals, lifeline and graceful stop around it."""
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:

            async def on_signals() -> None:
                async for signum in signals:
                    log.info("worker %d: %s, stopping gracefully", worker.id, signal.Signals(signum).name)
                    worker.stop()

            async def on_lifeline() -> None:
                assert lifeline is not None
                await trio.lowlevel.wait_readable(lifeline)
                # Readable means EOF: the supervisor is gone, nobody will stop this worker.
                log.warning("worker %d: the supervisor is gone, stopping", worker.id)
                worker.stop()

            async def on_stop() -> None:
                await worker.stopping.wait()
                await worker._drain()
                # The servers are closed: what main still waits for is not a request.
                main_scope.cancel()

            nursery.start_soon(on_signals)
            if lifeline is not None:
                nursery.start_soon(on_lifeline)
            nursery.start_soon(on_stop)
            with trio.CancelScope() as main_scope:
                await main(worker, *args)
            nursery.cancel_scope.cancel()


def configure_logging() -> None:
    """Log INFO and above to stderr with the pid on every line, unless logging is set up."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)


def _resolve(target: tuple[str, str, str | None]) -> Callable[..., Awaitable[object]]:
    module_name, qualname, path = target
    if path is not None:
        # The supervisor's __main__ was a script: run it as multiprocessing's spawn does.
        namespace = runpy.run_path(path, run_name="__mp_main__")
        obj: Any = namespace[qualname.split(".")[0]]
        rest = qualname.split(".")[1:]
    else:
        obj = import_module(module_name)
        rest = qualname.split(".")
    for part in rest:
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{module_name}.{qualname} is not callable")
    return obj  # type: ignore[no-any-return]


def _reason(exc: BaseException) -> str:
    """``RuntimeError: boom``: the one-line reason, looking inside groups of one."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _worker_entry() -> None:
    """The worker process: read the configuration, run ``main``, report how it went."""
    config: dict[str, Any] = pickle.loads(base64.b64decode(os.environ.pop(WORKER_ENV)))
    sys.path[:] = config["sys_path"]
    # A terminal's hangup reaches the whole process group: SIGHUP is the supervisor's.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    configure_logging()
    status_file = os.fdopen(config["status_fd"], "w", buffering=1)

    def status(line: str) -> None:
        try:
            status_file.write(line + "\n")
        except OSError:
            pass  # the supervisor is gone; the lifeline says so too

    try:
        main = _resolve(config["target"])
        worker = Worker(
            config["id"],
            config["host"],
            config["port"],
            graceful_timeout=config["graceful_timeout"],
            inherited_fd=config["socket_fd"],
            status=status,
        )
        trio.run(_run_worker, main, worker, config["args"], config["lifeline_fd"])
    except BaseException as exc:
        if isinstance(exc, SystemExit) and not exc.code:
            raise
        reason = _reason(exc)
        log.error("worker %d failed: %s", config["id"], reason, exc_info=exc)
        status(f"error {reason}")
        status_file.close()
        sys.exit(1)
    status_file.close()


# -- the supervisor's side ----------------------------------------------------------------


class WorkerProcess(Protocol):
    """A started worker as the supervisor sees it (a process, or a fake in tests)."""

    pid: int
    #: Set once the worker listens.
    ready: trio.Event
    #: Set once the worker is ready or has exited, whichever comes first.
    settled: trio.Event
    #: Set once the worker has exited and said all it had to say.
    exited: trio.Event
    #: The exit status once exited; a negative one is minus the signal that killed it.
    returncode: int | None
    #: Why the worker failed, in its own words, if it said so.
    reason: str | None

    def signal(self, signum: int) -> None:
        """Send ``signum`` unless the worker has exited."""


Spawn = Callable[[int], Awaitable[WorkerProcess]]


def describe_exit(proc: WorkerProcess) -> str:
    """``exited with status 1 (RuntimeError: boom)``, ``killed by SIGKILL``."""
    code = proc.returncode
    if code is not None and code < 0:
        try:
            text = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            text = f"killed by signal {-code}"
    else:
        text = f"exited with status {code}"
    if proc.reason:
        text += f" ({proc.reason})"
    return text


class _Slot:
    def __init__(self, id: int) -> None:
        self.id = id
        self.current: WorkerProcess | None = None
        self.attention = trio.Event()
        self.reload_done: trio.Event | None = None


class Supervisor:
    """Keeps ``workers`` workers alive; stops them on SIGTERM/SIGINT, replaces them on SIGHUP.

    Args:
      spawn: starts worker number ``n`` and returns it (for real processes,
        :func:`run` passes one that starts interpreters).
      workers: how many workers to keep.
      graceful_timeout: seconds a stopping worker gets for its in-flight
        requests; the supervisor kills it ``KILL_MARGIN`` seconds later.
      backoff: the restart delays.
      ready_timeout: seconds a new worker has to listen before it is killed.
      on_stop: called when the stop begins (no worker will be started after it).
    """

    def __init__(
        self,
        spawn: Spawn,
        workers: int,
        *,
        graceful_timeout: float = 30.0,
        backoff: Backoff = Backoff(),
        ready_timeout: float = 60.0,
        on_stop: Callable[[], object] | None = None,
    ) -> None:
        self._spawn = spawn
        self._on_stop = on_stop
        self.workers = workers
        self.graceful_timeout = graceful_timeout
        self.backoff = backoff
        self.ready_timeout = ready_timeout
        self.stopping = False
        self._stopped = trio.Event()
        self._slots = [_Slot(i + 1) for i in range(workers)]
        self._live: dict[WorkerProcess, None] = {}  # in start order
        # Workers replaced on SIGHUP, stopping gracefully.
        self._retired: dict[WorkerProcess, None] = {}
        self._reloading = False
        #: Restarts after a failure, in total (replacements on SIGHUP do not count).
        self.restarts = 0
        #: Set once every first worker is ready (or failed to be).
        self.started = trio.Event()
        #: Set once some worker is ready.
        self.serving = trio.Event()
        #: Set each time a SIGHUP's replacement round ends.
        self.reloaded = trio.Event()

    def pids(self) -> list[int]:
        """The pids of the current workers, by worker number (0: none running)."""
        return [slot.current.pid if slot.current is not None else 0 for slot in self._slots]

    async def run(self, signals: AsyncIterator[int]) -> int:
        """Supervise until a stop signal arrives and every worker has exited; return 0.

        Cancellation:
          Cancelling kills every worker (SIGKILL) and waits for them to exit.
        """
        try:
            async with trio.open_nursery() as outer:
                self._nursery = outer
                outer.start_soon(self._watch_signals, signals)
                async with trio.open_nursery() as slots:
                    first: list[trio.Event] = []
                    for slot in self._slots:
                        launched = trio.Event()
                        first.append(launched)
                        slots.start_soon(self._keep, slot, launched)
                    for launched in first:
                        await launched.wait()
                    self.started.set()
                outer.cancel_scope.cancel()
        finally:
            with trio.CancelScope(shield=True):
                for proc in list(self._live):
                    proc.signal(signal.SIGKILL)
        return 0

    async def _watch_signals(self, signals: AsyncIterator[int]) -> None:
        async for signum in signals:
            if signum == signal.SIGHUP:
                if self.stopping:
                    continue
                if self._reloading:
                    log.info("SIGHUP: a replacement round is under way; ignored")
                    continue
                self._nursery.start_soon(self._reload)
            else:
                self.stop(signal.Signals(signum).name)

    def stop(self, why: str = "stop") -> None:
        """Ask every worker to stop gracefully; :meth:`run` returns once they are gone."""
        if self.stopping:
            return
        self.stopping = True
        log.info("%s: stopping %d worker(s) gracefully (up to %.1f s)", why, len(self._live), self.graceful_timeout)
        self._stopped.set()
        if self._on_stop is not None:
            self._on_stop()
        for proc in list(self._live):
            proc.signal(signal.SIGTERM)
        for slot in self._slots:
            slot.attention.set()
        self._nursery.start_soon(self._kill_late)

    async def _kill_late(self) -> None:
        await trio.sleep(self.graceful_timeout + KILL_MARGIN)
        for proc in list(self._live):
            log.warning("worker (pid %d) still running after the graceful timeout: killing it", proc.pid)
            proc.signal(signal.SIGKILL)

    async def _reload(self) -> None:
        """Replace the workers one by one, each only once its successor listens."""
        self._reloading = True
        self.reloaded = trio.Event()
        log.info("SIGHUP: replacing %d worker(s) one by one", len(self._slots))
        try:
            for slot in self._slots:
                if self.stopping:
                    return
                done = slot.reload_done = trio.Event()
                slot.attention.set()
                await done.wait()
            log.info("SIGHUP: every worker replaced")
        finally:
            self._reloading = False
            self.reloaded.set()

    async def _launch(self, slot: _Slot) -> WorkerProcess | None:
        """Start a worker for ``slot`` and wait (bounded) until it listens or exits."""
        try:
            proc = await self._spawn(slot.id)
        except OSError as exc:
            log.error("worker %d could not be started: %s", slot.id, exc)
            return None
        self._live[proc] = None
        self._nursery.start_soon(self._reap, slot, proc)
        with trio.move_on_after(self.ready_timeout):
            await proc.settled.wait()
        if proc.ready.is_set():
            log.info("worker %d ready (pid %d)", slot.id, proc.pid)
            self.serving.set()
        elif not proc.exited.is_set():
            log.error("worker %d (pid %d) not ready after %.1f s: killing it", slot.id, proc.pid, self.ready_timeout)
            proc.signal(signal.SIGKILL)
        return proc

    async def _reap(self, slot: _Slot, proc: WorkerProcess) -> None:
        await proc.exited.wait()
        self._live.pop(proc, None)
        if proc in self._retired:
            del self._retired[proc]
            log.info("worker %d (pid %d), replaced, %s", slot.id, proc.pid, describe_exit(proc))
        else:
            slot.attention.set()

    async def _keep(self, slot: _Slot, launched: trio.Event) -> None:
        """Keep one worker running in ``slot`` until the supervisor stops."""
        failures = 0
        proc: WorkerProcess | None = None
        try:
            while True:
                if proc is None:
                    if self.stopping:
                        return
                    proc = slot.current = await self._launch(slot)
                    launched.set()
                    if proc is None:
                        failures += 1
                        await self._back_off(slot, failures)
                        continue
                    if self.stopping:
                        proc.signal(signal.SIGTERM)
                slot.attention = trio.Event()
                if not proc.exited.is_set() and not self.stopping and slot.reload_done is None:
                    await slot.attention.wait()
                if proc.exited.is_set():
                    slot.current = None
                    if self.stopping:
                        log.info("worker %d (pid %d) %s", slot.id, proc.pid, describe_exit(proc))
                        return
                    ready_at = getattr(proc, "ready_at", None)
                    if proc.ready.is_set() and ready_at is not None:
                        if trio.current_time() - ready_at >= self.backoff.reset_after:
                            failures = 0
                    failures += 1
                    delay = self.backoff.delay(failures)
                    when = "after it was ready" if proc.ready.is_set() else "before it was ready"
                    log.warning(
                        "worker %d (pid %d) %s %s; restarting in %.2f s (failure %d in a row)",
                        slot.id, proc.pid, describe_exit(proc), when, delay, failures,
                    )  # fmt: skip
                    proc = None
                    await self._back_off(slot, failures, delay)
                    if not self.stopping:
                        self.restarts += 1
                    continue
                if self.stopping:
                    await proc.exited.wait()
                    continue
                if slot.reload_done is not None:
                    await self._replace(slot, proc)
                    proc = slot.current
                    failures = 0
        finally:
            launched.set()
            if slot.reload_done is not None:
                slot.reload_done.set()
                slot.reload_done = None

    async def _replace(self, slot: _Slot, old: WorkerProcess) -> None:
        """Start ``slot``'s successor; once it listens, stop ``old`` gracefully."""
        assert slot.reload_done is not None
        new = await self._launch(slot)
        if new is not None and new.ready.is_set() and not self.stopping:
            slot.current = new
            if not old.exited.is_set():
                self._retired[old] = None
            log.info("worker %d: pid %d replaces pid %d, which stops gracefully", slot.id, new.pid, old.pid)
            old.signal(signal.SIGTERM)
        else:
            if new is not None:
                log.error(
                    "worker %d: the replacement %s; pid %d stays", slot.id,
                    describe_exit(new) if new.exited.is_set() else "did not get ready", old.pid,
                )  # fmt: skip
                new.signal(signal.SIGKILL)
        slot.reload_done.set()
        slot.reload_done = None

    async def _back_off(self, slot: _Slot, failures: int, delay: float | None = None) -> None:
        if delay is None:
            delay = self.backoff.delay(failures)
            log.warning("worker %d: restarting in %.2f s (failure %d in a row)", slot.id, delay, failures)
        with trio.move_on_after(delay):
            await self._stopped.wait()


# -- real processes -----------------------------------------------------------------------


class _Process:
    """A worker interpreter: its process, its status pipe, its exit."""

    def __init__(self, process: trio.Process) -> None:
        self.process = process
        self.pid = process.pid
        self.ready = trio.Event()
        self.settled = trio.Event()
        self.exited = trio.Event()
        self.returncode: int | None = None
        self.reason: str | None = None
        self.ready_at: float | None = None

    def signal(self, signum: int) -> None:
        if self.process.returncode is None:
            try:
                self.process.send_signal(signum)
            except ProcessLookupError:
                pass  # exited between the check and the signal

    async def watch(self, status: trio.lowlevel.FdStream) -> None:
        """Read the worker's status lines; record its exit once the pipe and the process end."""
        buffer = b""
        async with status:
            while True:
                data = await status.receive_some(4096)
                if not data:
                    break
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    self._on_line(line.decode(errors="replace"))
        self.returncode = await self.process.wait()
        self.exited.set()
        self.settled.set()

    def _on_line(self, line: str) -> None:
        if line == "ready":
            self.ready_at = trio.current_time()
            self.ready.set()
            self.settled.set()
        elif line.startswith("error "):
            self.reason = line[len("error ") :]


def _target_of(main: Callable[..., Awaitable[object]]) -> tuple[str, str, str | None]:
    """(module, qualname, script path or None): how a new interpreter finds ``main``."""
    module = getattr(main, "__module__", None)
    qualname = getattr(main, "__qualname__", None)
    if not module or not qualname or "<locals>" in qualname or "<lambda>" in qualname:
        raise TypeError(f"{main!r} is not importable by name: define it at module level")
    if module == "__main__":
        main_module = sys.modules["__main__"]
        spec = getattr(main_module, "__spec__", None)
        if spec is not None and spec.name:
            return spec.name, qualname, None  # run with -m: importable under its real name
        path = getattr(main_module, "__file__", None)
        if path is None:
            raise TypeError(f"{main!r} lives in an interactive __main__: define it in a module")
        return module, qualname, os.path.abspath(path)
    return module, qualname, None


def _reserve(host: str, port: int, reuse_port: bool | None, backlog: int) -> tuple[socket.socket, bool]:
    """Hold the cluster's port: a bound socket (SO_REUSEPORT) or the listening socket itself.

    With ``SO_REUSEPORT`` the supervisor's socket is bound but never listens, so
    the kernel gives it no connection; it keeps the port (port 0 picks one for
    every worker) while workers come and go. Without, it listens, and every
    worker accepts from it: connections wait in its queue while a worker restarts.

    Returns:
      The socket, and whether the workers use ``SO_REUSEPORT``.
    """
    family, type_, proto, _, sockaddr = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, type_, proto)
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        use_reuse = reuse_port is not False and hasattr(socket, "SO_REUSEPORT")
        if use_reuse:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            except OSError:
                if reuse_port:
                    raise
                use_reuse = False
        elif reuse_port:
            raise OSError("SO_REUSEPORT is not available on this platform")
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(sockaddr)
        if not use_reuse:
            sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock, use_reuse


async def _supervise(
    main: Callable[..., Awaitable[object]],
    workers: int,
    host: str,
    port: int,
    args: Sequence[object],
    graceful_timeout: float,
    reuse_port: bool | None,
    backoff: Backoff,
    ready_timeout: float,
    backlog: int,
    on_ready: Callable[[str, int], object] | None,
) -> int:
    target = _target_of(main)
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT, signal.SIGHUP) as signals:
        sock, use_reuse = _reserve(host, port, reuse_port, backlog)
        lifeline_r, lifeline_w = os.pipe()
        try:
            bound_host, bound_port = sock.getsockname()[:2]
            log.info(
                "supervisor: %d worker(s) on %s:%d (%s)", workers, bound_host, bound_port,
                "SO_REUSEPORT" if use_reuse else "one shared listening socket",
            )  # fmt: skip
            base = {
                "target": target,
                "sys_path": list(sys.path),
                "host": bound_host,
                "port": bound_port,
                "args": tuple(args),
                "graceful_timeout": graceful_timeout,
                "socket_fd": None if use_reuse else sock.fileno(),
                "lifeline_fd": lifeline_r,
            }
            async with trio.open_nursery() as nursery:

                spawning = 0

                async def spawn(worker_id: int) -> WorkerProcess:
                    nonlocal spawning
                    spawning += 1
                    try:
                        return await start(worker_id)
                    finally:
                        spawning -= 1
                        if supervisor.stopping and not spawning:
                            release()

                async def start(worker_id: int) -> WorkerProcess:
                    status_r, status_w = os.pipe()
                    config = {**base, "id": worker_id, "status_fd": status_w}
                    env = {**os.environ, WORKER_ENV: base64.b64encode(pickle.dumps(config)).decode()}
                    fds = [status_w, lifeline_r] + ([sock.fileno()] if not use_reuse else [])
                    try:
                        process = await trio.lowlevel.open_process(
                            [sys.executable, "-c", _BOOT], env=env, pass_fds=fds, stdin=subprocess.DEVNULL
                        )
                    except BaseException:
                        os.close(status_r)
                        raise
                    finally:
                        os.close(status_w)
                    proc = _Process(process)
                    nursery.start_soon(proc.watch, trio.lowlevel.FdStream(status_r))
                    return proc

                def release() -> None:
                    # The shared socket closes with the last worker's copy; the workers
                    # serve what its queue still holds as they close theirs. A worker
                    # being started still inherits it: then the last start closes it.
                    if not use_reuse and not spawning:
                        sock.close()

                supervisor = Supervisor(
                    spawn, workers, graceful_timeout=graceful_timeout, backoff=backoff,
                    ready_timeout=ready_timeout, on_stop=release,
                )  # fmt: skip

                async def announce() -> None:
                    await supervisor.started.wait()
                    await supervisor.serving.wait()
                    if on_ready is not None and not supervisor.stopping:
                        on_ready(bound_host, bound_port)

                nursery.start_soon(announce)
                status = await supervisor.run(signals)
                nursery.cancel_scope.cancel()
        finally:
            os.close(lifeline_w)
            os.close(lifeline_r)
            sock.close()
    log.info("supervisor: every worker stopped")
    return status


def run(
    main: Callable[..., Awaitable[object]],
    *,
    workers: int | str = 1,
    host: str = "127.0.0.1",
    port: int = 0,
    args: Sequence[object] = (),
    graceful_timeout: float = 30.0,
    reuse_port: bool | None = None,
    backoff: Backoff = Backoff(),
    ready_timeout: float = 60.0,
    backlog: int = 511,
    on_ready: Callable[[str, int], object] | None = None,
) -> int:
    """Run ``await main(worker, *args)`` in ``workers`` processes under this one, until SIGTERM or SIGINT.

    ``main`` gets a :class:`Worker`, and serves with ``await worker.listen(server)``.
    This process supervises (see the module's docstring) and returns once every
    worker is gone.

    Args:
      main: an ``async def`` importable by name (module level).
      workers: how many workers; ``"auto"``: one per core.
      host, port: where every worker serves (port 0 picks one for all).
      args: more arguments for ``main`` (pickled).
      graceful_timeout: seconds in-flight requests get on a stop or a replacement.
      reuse_port: ``None``: ``SO_REUSEPORT`` where the platform has it, else one
        shared listening socket; ``True`` or ``False`` forces either.
      backoff: restart delays for workers that die.
      ready_timeout: seconds a new worker has to listen before it is killed.
      backlog: the listen queue's length.
      on_ready: called with the bound host and port once the first workers are up.

    Logging is set up (INFO and above to stderr, the pid on every line) in the
    supervisor and in each worker, unless the program set it up already.

    Returns:
      0 once the workers stopped.

    Raises:
      OSError: the port cannot be bound.
      TypeError: ``main`` is not importable by name.
    """
    count = resolve_workers(workers)
    configure_logging()
    return trio.run(
        _supervise, main, count, host, port, args, graceful_timeout, reuse_port, backoff, ready_timeout,
        backlog, on_ready,
    )  # fmt: skip

