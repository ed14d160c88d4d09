"""The scope: a nursery plus Node's ``process.nextTick`` queue.

Node runs every deferred stream callback from one process-wide queue. Here
each :func:`open_scope` owns such a queue and drains it from a task of its own
nursery, so a listener that raises inside a deferred event fails the scope
(and whoever is ``async with``-ing it) instead of crashing the run, and no
stream machinery outlives the block that created it.
"""

from __future__ import annotations

import contextvars
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Protocol

import trio

from ._errors import AbortError, err_no_scope, err_scope_closed

_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "trio_nodestreams_scope", default=None
)

# How many deferred callbacks run back to back before the drain task yields to
# Trio; only fairness towards I/O tasks depends on it, never the callback order.
_BATCH = 512


class _Destroyable(Protocol):
    @property
    def destroyed(self) -> bool: ...

    def destroy(self, err: BaseException | None = None) -> object: ...

    def _scope_exited(self) -> None: ...


class Scope:
    """A nursery and a deferred-call queue that streams bind to.

    Obtain one with :func:`open_scope`. Streams created while it is current
    (or given ``scope=``) run their deferred events and their async
    implementations here.
    """

    __slots__ = (
        "__weakref__",
        "_closed",
        "_closing",
        "_done",
        "_draining",
        "_held",
        "_idle_waiters",
        "_immediates",
        "_nursery",
        "_park_scopes",
        "_parked",
        "_queue",
        "_runner_alive",
        "_streams",
        "_worker_tasks",
        "_workers",
    )

    def __init__(self, nursery: trio.Nursery) -> None:
        self._nursery = nursery
        self._queue: deque[tuple[Callable[..., object], tuple[object, ...]]] = deque()
        # Node's setImmediate queue: run once the deferred calls are all done.
        self._immediates: deque[tuple[Callable[..., object], tuple[object, ...]]] = deque()
        # A task that will drain the queue itself before it waits holds the runner:
        # deferred calls queued meanwhile do not wake it (no task switch for them).
        self._held = 0
        self._parked: trio.lowlevel.Task | None = None
        self._workers = 0
        self._closing = False
        self._closed = False
        self._done = False  # the block exited and teardown is over: nothing can run here now
        self._runner_alive = False
        self._draining = False
        self._idle_waiters: list[trio.Event] = []
        self._streams: weakref.WeakSet[_Destroyable] = weakref.WeakSet()
        self._worker_tasks: set[trio.lowlevel.Task] = set()
        self._park_scopes: set[trio.CancelScope] = set()

    @property
    def nursery(self) -> trio.Nursery:
        """The scope's nursery, for tasks that should live exactly as long as the scope."""
        return self._nursery

    @property
    def idle(self) -> bool:
        """True when no deferred callback is queued and no async implementation is running."""
        return not self._queue and not self._immediates and self._workers == 0

    def next_tick(self, fn: Callable[..., object], *args: object) -> None:
        """Queue ``fn(*args)`` to run after the current synchronous code (Node's ``process.nextTick``)."""
        self._queue.append((fn, args))
        if self._held:
            return
        parked = self._parked
        if parked is not None:
            self._parked = None
            trio.lowlevel.reschedule(parked)
        elif not self._runner_alive:
            self._start_runner()

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Run the block with the runner held; drain what it queued on the way out.

        For a task that processes I/O synchronously and drains the queue before
        it waits again: the calls it queues run in it, without waking the
        runner. The block must not wait (no ``await``) while it holds.
        """
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held:
                self.run_ticks()
                if self._queue or self._immediates:
                    # Queued from inside a deferred call that was running: the runner takes it.
                    self._wake_or_start()

    def _wake_or_start(self) -> None:
        parked = self._parked
        if parked is not None:
            self._parked = None
            trio.lowlevel.reschedule(parked)
        elif not self._runner_alive:
            self._start_runner()

    def set_immediate(self, fn: Callable[..., object], *args: object) -> None:
        """Queue ``fn(*args)`` to run once every deferred call queued before and by it ran.

        Node's ``setImmediate``: what an I/O event does there (a socket's
        ``'close'``) comes after the whole ``process.nextTick`` queue.
        """
        self._immediates.append((fn, args))
        if not self._held:
            self._wake_or_start()

    def start_soon(self, async_fn: Callable[..., Awaitable[object]], *args: object) -> None:
        """Run ``async_fn(*args)`` as a task of this scope; the scope waits for it.

        An exception from the task fails the scope, like any nursery task.
        """
        if self._closed:
            raise err_scope_closed()
        self._workers += 1
        self._nursery.start_soon(self._worker, async_fn, args)
        if not self._runner_alive:
            self._start_runner()

    def run_ticks(self) -> None:
        """Run the queued deferred calls now, in the calling task.

        A task about to wait for an outcome of those calls saves a task switch
        this way. Does nothing when called from inside a deferred call.
        """
        if self._draining:
            return
        self._draining = True
        try:
            queue = self._queue
            immediates = self._immediates
            while True:
                while queue:
                    fn, args = queue.popleft()
                    fn(*args)
                if not immediates:
                    break
                fn, args = immediates.popleft()
                fn(*args)
        finally:
            self._draining = False

    async def park(self, event: trio.Event) -> bool:
        """Wait for ``event`` without counting as work in progress.

        A task of this scope that waits for another stream (for data, or for
        demand) parks: the scope is idle meanwhile, and once the scope's block
        has exited with nothing else left to run, parked waits are given up.

        Returns:
          True when ``event`` was set; False when the scope gave up the wait.
        """
        with self.parking() as cs:
            await event.wait()
        return not cs.cancelled_caught

    @contextmanager
    def parking(self) -> Iterator[trio.CancelScope]:
        """Run the block's waits as :meth:`park` runs its wait: not as work in progress.

        Yields the cancel scope the scope cancels when it gives the wait up (its
        block exited and nothing else is left to run).
        """
        if trio.lowlevel.current_task() not in self._worker_tasks:
            with trio.CancelScope() as cs:
                yield cs
            return
        self._workers -= 1
        self._wake()
        try:
            with trio.CancelScope() as cs:
                self._park_scopes.add(cs)
                yield cs
        finally:
            self._park_scopes.discard(cs)
            self._workers += 1

    def register(self, stream: _Destroyable) -> None:
        """Track ``stream`` so that a cancelled or failed scope destroys it.

        Raises:
          NodeError: ``ERR_SCOPE_CLOSED`` once the scope's block has exited.
        """
        if self._done:
            raise err_scope_closed()
        self._streams.add(stream)

    async def wait_idle(self) -> None:
        """Wait until the deferred queue is empty and no async implementation runs."""
        while not self.idle:
            event = trio.Event()
            self._idle_waiters.append(event)
            if self._runner_alive:
                self._wake()
            else:
                self._start_runner()
            await event.wait()

    # -- internals ---------------------------------------------------------

    def _wake(self) -> None:
        parked = self._parked
        if parked is not None:
            self._parked = None
            trio.lowlevel.reschedule(parked)

    def _start_runner(self) -> None:
        if self._done:
            self._queue.clear()
            raise err_scope_closed()
        if self._closed:
            # Teardown: the nursery is gone; deferred work runs right away.
            self._drain_sync()
            return
        self._runner_alive = True
        self._nursery.start_soon(self._run)

    async def _worker(self, async_fn: Callable[..., Awaitable[object]], args: tuple[object, ...]) -> None:
        task = trio.lowlevel.current_task()
        self._worker_tasks.add(task)
        try:
            await async_fn(*args)
        finally:
            self._worker_tasks.discard(task)
            self._workers -= 1
            self._wake()

    def _drain_sync(self) -> None:
        queue = self._queue
        immediates = self._immediates
        while queue or immediates:
            fn, args = queue.popleft() if queue else immediates.popleft()
            fn(*args)

    async def _run(self) -> None:
        queue = self._queue
        immediates = self._immediates
        try:
            while True:
                n = 0
                while (queue or immediates) and not self._draining:
                    self._draining = True
                    try:
                        while (queue or immediates) and n < _BATCH:
                            # Every deferred call first, then one immediate (Node's order).
                            fn, args = queue.popleft() if queue else immediates.popleft()
                            fn(*args)
                            n += 1
                    finally:
                        self._draining = False
                    if n >= _BATCH:
                        n = 0
                        await trio.lowlevel.cancel_shielded_checkpoint()
                if self._workers == 0 and self._idle_waiters:
                    waiters, self._idle_waiters = self._idle_waiters, []
                    for event in waiters:
                        event.set()
                if self._closing and self._workers == 0 and not queue and not immediates:
                    if not self._park_scopes:
                        return
                    # Nothing can wake the parked tasks any more: give their waits up.
                    for cs in self._park_scopes:
                        cs.cancel()
                    self._park_scopes.clear()
                self._parked = trio.lowlevel.current_task()

                def abort(_: object) -> trio.lowlevel.Abort:
                    self._parked = None
                    return trio.lowlevel.Abort.SUCCEEDED

                await trio.lowlevel.wait_task_rescheduled(abort)
        finally:
            self._runner_alive = False

    def _teardown(self, failed: bool) -> list[BaseException]:
        """Destroy what is left after a failed or cancelled scope; return listener errors."""
        errors: list[BaseException] = []
        if failed:
            for stream in list(self._streams):
                if not stream.destroyed:
                    try:
                        stream.destroy(AbortError())
                    except Exception as exc:
                        errors.append(exc)
        queue = self._queue
        immediates = self._immediates
        while queue or immediates:
            fn, args = queue.popleft() if queue else immediates.popleft()
            try:
                fn(*args)
            except Exception as exc:
                errors.append(exc)
        self._done = True
        for stream in list(self._streams):
            stream._scope_exited()
        return errors


@asynccontextmanager
async def open_scope() -> AsyncIterator[Scope]:
    """Open a scope: a nursery that runs the deferred events of the streams made inside.

    Returns:
      An async context manager yielding the :class:`Scope`.

    Cancellation:
      If the block is cancelled, or a task or listener of the scope raises,
      every stream created in the scope that is not yet destroyed is destroyed
      with an ``AbortError``; its ``'error'`` and ``'close'`` listeners run
      before the block exits.
    """
    failed = True
    scope: Scope | None = None
    try:
        async with trio.open_nursery() as nursery:
            scope = Scope(nursery)
            token = _current.set(scope)
            try:
                yield scope
                failed = False
            finally:
                _current.reset(token)
                scope._closing = True
                scope._wake()
    except BaseException as exc:
        failed = True
        if scope is not None:
            scope._closed = True
            errors = scope._teardown(failed=True)
            if errors:
                raise BaseExceptionGroup("errors while tearing down a scope", [exc, *errors]) from None
        raise
    finally:
        if scope is not None and not failed:
            scope._closed = True
            errors = scope._teardown(failed=False)
            if errors:
                raise BaseExceptionGroup("errors in deferred callbacks after a scope closed", errors)


def current_scope() -> Scope:
    """Return the scope in force.

    Raises:
      NodeError: ``ERR_NO_SCOPE`` outside ``open_scope()``.
    """
    scope = _current.get()
    if scope is None:
        raise err_no_scope()
    return scope


def next_tick(fn: Callable[..., object], *args: object) -> None:
    """Queue ``fn(*args)`` on the current scope's deferred queue (Node's ``process.nextTick``)."""
    current_scope().next_tick(fn, *args)


def _enter(scope: Scope) -> contextvars.Token[Scope | None]:
    """Make ``scope`` current (the http server runs each handler under its request's scope)."""
    return _current.set(scope)
