"""Finding what an HTTP test leaves behind: Trio tasks, file descriptors, connection objects.

Three probes, usable on their own (the fault suite checks after every batch) or
through the ``leak_check`` marker / ``no_leaks`` fixture (``tests/conftest.py``):

- :class:`Tracker` keeps a weak reference to every connection-level object the
  http package creates while it is installed (server and client sockets, the
  server's per-connection object, pooled client connections, requests and
  responses); :meth:`Tracker.alive` names those still reachable after a full
  garbage collection.
- :func:`open_fds` lists this process's descriptors from ``/proc/self/fd``.
- :func:`all_tasks` walks Trio's task tree from the root task.

A connection that is gone must have no task, no descriptor and no object left:
any one of them is how "about 60 such requests exhaust a 64-fd limit" starts.
"""

from __future__ import annotations

import gc
import inspect
import logging
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import trio

from trio_nodestreams.http import (
    _client_connection,
    _client_request,
    _incoming,
    _server,
    _server_response,
    _socket,
)

#: Connection-level classes whose instances must not outlive their connection.
TRACKED: tuple[type, ...] = (
    _socket.Socket,
    _server._Connection,
    _client_connection.ClientConnection,
    _incoming.IncomingMessage,
    _server_response.ServerResponse,
    _client_request.ClientRequest,
)


class Tracker:
    """Weak references to every tracked object created while installed."""

    def __init__(self) -> None:
        self.refs: list[weakref.ref[Any]] = []
        self.created: dict[str, int] = {}
        self._saved: list[tuple[type, Any]] = []

    def install(self) -> None:
        """Wrap the tracked constructors (undone by :meth:`uninstall`)."""
        for cls in TRACKED:
            original = cls.__dict__["__init__"]
            self._saved.append((cls, original))
            cls.__init__ = self._wrap(cls, original)  # type: ignore[misc]

    def uninstall(self) -> None:
        """Put the constructors back."""
        while self._saved:
            cls, original = self._saved.pop()
            cls.__init__ = original  # type: ignore[misc]

    def _wrap(self, cls: type, original: Any) -> Any:
        refs = self.refs
        created = self.created
        name = cls.__name__

        def __init__(obj: Any, *args: Any, **kwargs: Any) -> None:
            original(obj, *args, **kwargs)
            # Subclasses' constructors call their base's: count each object once.
            if type(obj) is cls:
                refs.append(weakref.ref(obj))
                created[name] = created.get(name, 0) + 1

        __init__.__wrapped__ = original  # type: ignore[attr-defined]
        return __init__

    def alive(self) -> list[Any]:
        """The tracked objects still reachable after a full collection."""
        gc.collect()
        found = []
        for ref in self.refs:
            obj = ref()
            if obj is not None:
                found.append(obj)
        return found

    def forget_dead(self) -> None:
        """Drop the references whose objects are gone (keeps long runs small)."""
        self.refs[:] = [ref for ref in self.refs if ref() is not None]

    def __enter__(self) -> Tracker:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def describe(objs: list[Any], limit: int = 8) -> str:
    """Name leaked objects and what holds each of them (one level of referrers)."""
    lines = []
    for obj in objs[:limit]:
        holders = []
        for ref in gc.get_referrers(obj):
            if ref is objs:
                continue
            if type(ref).__name__ == "frame":
                holders.append(f"frame {ref.f_code.co_name}")
            elif inspect.iscoroutine(ref):
                state = inspect.getcoroutinestate(ref)
                owners = sorted({type(o).__name__ for o in gc.get_referrers(ref) if o is not objs})
                holders.append(f"coroutine {ref.__qualname__} ({state}, held by {owners})")
            elif isinstance(ref, dict):
                owners = [o for o in gc.get_referrers(ref) if getattr(o, "__dict__", None) is ref]
                holders.append(f"__dict__ of {type(owners[0]).__name__}" if owners else "dict")
            else:
                holders.append(type(ref).__name__)
        lines.append(f"{obj!r} held by {sorted(set(holders))}")
    if len(objs) > limit:
        lines.append(f"... and {len(objs) - limit} more")
    return "\n".join(lines)


def open_fds() -> dict[int, str]:
    """This process's open descriptors and what each points to (empty off Linux)."""
    out = {}
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return out
    for name in names:
        try:
            out[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue  # the descriptor listdir itself used, closed by now
    return out


def new_fds(before: dict[int, str]) -> dict[int, str]:
    """Descriptors open now that were not open (to the same thing) in ``before``."""
    return {fd: what for fd, what in open_fds().items() if before.get(fd) != what}


def rss_bytes() -> int:
    """Resident set size of this process (0 off Linux)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def all_tasks() -> set[trio.lowlevel.Task]:
    """Every task of the current Trio run."""
    found: set[trio.lowlevel.Task] = set()
    stack = [trio.lowlevel.current_root_task()]
    while stack:
        task = stack.pop()
        if task is None or task in found:
            continue
        found.add(task)
        for nursery in task.child_nurseries:
            stack.extend(nursery.child_tasks)
    return found


def describe_tasks(tasks: set[trio.lowlevel.Task]) -> str:
    """Each task's name and where it waits."""
    lines = []
    for task in sorted(tasks, key=lambda t: t.name):
        where = [f"{f.f_code.co_name}:{line}" for f, line in task.iter_await_frames()]
        lines.append(f"{task.name} at {' <- '.join(reversed(where[-4:]))}")
    return "\n".join(lines)


def strip_log_records(records: list[logging.LogRecord]) -> None:
    """Free what log records hold (exceptions, tracebacks, arguments) once they were formatted.

    pytest keeps each phase's records until the test's teardown ends; a record of an
    error holds its traceback, and through its frames the objects being checked.
    """
    for record in records:
        try:
            record.msg = record.getMessage()
        except Exception:  # a record that cannot format keeps its text unformatted
            record.msg = str(record.msg)
        record.args = ()
        record.exc_info = None
        record.stack_info = None


def library_frames(exc: BaseException) -> list[str]:
    """The frames of ``exc``'s traceback (and its causes') that run library code."""
    out = []
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        tb = e.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if f"{os.sep}trio_nodestreams{os.sep}" in filename and f"{os.sep}tests{os.sep}" not in filename:
                out.append(f"{os.path.basename(filename)}:{tb.tb_lineno} {tb.tb_frame.f_code.co_name}")
            tb = tb.tb_next
        todo.extend([e.__cause__, e.__context__])
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
    return out


def leaves(exc: BaseException) -> list[str]:
    """The exceptions inside ``exc`` (a group's leaves), as ``Type('message')``."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in leaves(inner)]
    return [repr(exc)]


class ErrorLog(logging.Handler):
    """Collects the records at ERROR and above from the library, or with a traceback through it.

    ``label`` (if given) is called at each record to say what was running (a case number).
    """

    def __init__(self, label: Callable[[], str] | None = None) -> None:
        super().__init__(logging.ERROR)
        self.bad: list[str] = []
        self.label = label

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        frames = library_frames(exc) if exc is not None else []
        if frames or record.name.startswith("trio_nodestreams"):
            where = f"[{self.label()}] " if self.label is not None else ""
            message = record.getMessage()
            if isinstance(exc, BaseExceptionGroup):
                # A group's repr hides what it holds: name the leaves.
                message = message.split(": ExceptionGroup(")[0] + ": " + ", ".join(leaves(exc))
            self.bad.append(f"{where}{record.levelname} {record.name}: {message} [{'; '.join(frames)}]")


@contextmanager
def error_log(logger: str = "", label: Callable[[], str] | None = None) -> Iterator[ErrorLog]:
    """Collect library errors logged under ``logger`` (default: all) for the block."""
    handler = ErrorLog(label)
    target = logging.getLogger(logger)
    target.addHandler(handler)
    try:
        yield handler
    finally:
        target.removeHandler(handler)


def linux() -> bool:
    """Whether /proc can be read (the fd and RSS probes need it)."""
    return sys.platform.startswith("linux")


@contextmanager
def real_deadline(seconds: float) -> Iterator[trio.CancelScope]:
    """A deadline in real seconds, for code under a MockClock.

    A task that never blocks (a busy loop) keeps a MockClock from ever jumping,
    so a mock-time deadline would never come: this one, kept by a thread, does.

    Raises:
      trio.TooSlowError: the block was cancelled by it.
    """
    token = trio.lowlevel.current_trio_token()
    scope = trio.CancelScope()
    done = threading.Event()

    def watch() -> None:
        if not done.wait(seconds):
            try:
                token.run_sync_soon(scope.cancel)
            except trio.RunFinishedError:
                pass

    thread = threading.Thread(target=watch, name="real_deadline", daemon=True)
    thread.start()
    try:
        with scope:
            yield scope
    finally:
        done.set()
        thread.join()
    if scope.cancelled_caught:
        raise trio.TooSlowError(f"not done after {seconds} real seconds")
