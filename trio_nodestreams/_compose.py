"""Composition: ``pipeline``, ``compose`` and ``Readable.from_iterable``.

(node: lib/internal/streams/pipeline.js, compose.js, from.js, duplexify.js)

Node streams in a pipeline are joined with :meth:`Readable.pipe`, which is
event driven: no task is spent per chunk. Iterables and async generator
stages cannot be driven by events; each chain of them is consumed by one task
of the scope (a *pump*), which the pipeline cancels when it fails.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, overload

import attrs
import trio

from . import _destroy
from ._async_impl import run_async
from ._duplex import Duplex, PassThrough
from ._errors import (
    AbortError,
    NodeTypeError,
    err_invalid_arg_type,
    err_invalid_arg_value,
    err_missing_args,
    err_stream_destroyed,
    err_stream_premature_close,
)
from ._events import EventEmitter, fit
from ._feeder import Emit, Feeder
from ._finished import (
    eos,
    is_node_stream,
    is_readable,
    is_readable_finished,
    is_readable_node_stream,
    is_writable,
)
from ._iterops import aclose_all, as_async_iterator, is_async_iterable, is_iterable
from ._readable import Readable
from ._scope import Scope, current_scope
from ._state import Callback, Chunk

__all__ = ["Stage", "compose", "pipeline", "pipeline_cb"]

#: A stage of :func:`pipeline` or :func:`compose`: a Node stream (or anything that emits
#: like one), a sync or async iterable, or a function (first: one returning an iterable;
#: later: an async generator function ``fn(source)``; last: also an async function
#: consuming ``source``). Which of them fits where is checked when the pipeline starts.
Stage = EventEmitter | Iterable[object] | AsyncIterable[object] | Callable[..., object]

_aclose_all = aclose_all
_is_async_iterable = is_async_iterable
_is_iterable = is_iterable


def err_invalid_return_value(expected: str, name: str, value: object) -> NodeTypeError:
    """``ERR_INVALID_RETURN_VALUE``."""
    return NodeTypeError(
        "ERR_INVALID_RETURN_VALUE",
        f'Expected {expected} to be returned from the "{name}" function but got {type(value).__name__}.',
    )


# -- pipeline -----------------------------------------------------------------------


@attrs.define(eq=False)
class _Pipeline:
    """The bookkeeping of one ``pipeline()`` call (Node's pipelineImpl closure)."""

    #: Called once with ``(err, value)`` when every stage has finished (Node's callback).
    callback: Callback
    scope: Scope
    #: The Trio form hears of a failure at once (see pipeline()); Node's callback only
    #: once every stage has finished.
    failed: Callable[[BaseException], object] | None = None
    #: The error to report (Node's rules: the first, unless a premature close came first).
    error: BaseException | None = None
    #: The return value of a final async function stage.
    value: object = None
    #: Destroys each stage that has not finished, with the pipeline's error.
    destroys: list[Callable[[BaseException | None], None]] = attrs.Factory(list)
    #: Stages (and pumps) whose end is still awaited.
    finish_count: int = 0
    #: Listener removals for a last stage that stays readable after success.
    last_cleanup: list[Callable[[], object]] = attrs.Factory(list)
    #: The cancel scopes of the tasks driving async stages.
    tasks: list[trio.CancelScope] = attrs.Factory(list)
    aborted: bool = False
    done: bool = False

    def finish(self, err: BaseException | None = None) -> None:
        self.finish_count -= 1
        self.finish_impl(err, self.finish_count == 0)

    def finish_impl(self, err: BaseException | None, final: bool) -> None:
        if err is not None and (self.error is None or getattr(self.error, "code", None) == "ERR_STREAM_PREMATURE_CLOSE"):
            self.error = err
        if self.error is None and not final:
            return
        while self.destroys:
            self.destroys.pop(0)(self.error)
        if self.error is not None:
            # Async stages have no 'destroy': cancel the tasks driving them.
            for cs in self.tasks:
                cs.cancel()
            failed = self.failed
            if failed is not None and getattr(self.error, "code", None) != "ERR_STREAM_PREMATURE_CLOSE":
                self.failed = None
                failed(self.error)
        if final and not self.done:
            self.done = True
            if self.error is None:
                for fn in self.last_cleanup:
                    fn()
            self.scope.next_tick(self.callback, self.error, self.value)

    def abort(self, err: BaseException) -> None:
        """Fail the pipeline from outside (cancellation): destroy every stage."""
        self.aborted = True
        self.finish_impl(err, False)

    def spawn(self, fn: Callable[..., Awaitable[None]], *args: object) -> None:
        """Run ``fn(*args)`` in the scope under a cancel scope this pipeline owns."""
        cs = trio.CancelScope()
        self.tasks.append(cs)
        if self.error is not None:
            cs.cancel()

        async def task() -> None:
            with cs:
                await fn(*args)

        self.scope.start_soon(task)


def _destroyer(stream: Any, reading: bool, writing: bool) -> tuple[Callable[[BaseException | None], None], Callable[[], None]]:
    finished = False

    def on_close(*_: object) -> None:
        nonlocal finished
        finished = True

    stream.on("close", on_close)

    def on_eos(err: BaseException | None = None) -> None:
        nonlocal finished
        finished = err is None

    cleanup = eos(stream, on_eos, readable=reading, writable=writing)

    def destroy(err: BaseException | None) -> None:
        nonlocal finished
        if finished:
            return
        finished = True
        _destroy.destroyer(stream, err if err is not None else err_stream_destroyed("pipe"))

    return destroy, cleanup


def _pipe(src: Any, dst: Any, finish: Callback, end: bool) -> Callable[[], None]:
    ended = False

    def on_dst_close(*_: object) -> None:
        if not ended:
            finish(err_stream_premature_close())

    dst.on("close", on_dst_close)
    src.pipe(dst, end=False)
    if end:

        def end_fn() -> None:
            nonlocal ended
            ended = True
            dst.end()

        if is_readable_finished(src):
            src._scope.next_tick(end_fn)
        else:
            src.once("end", end_fn)
    else:
        finish()

    def on_src_eos(err: BaseException | None = None) -> None:
        r = getattr(src, "_readable_state", None)
        if (
            err is not None
            and getattr(err, "code", None) == "ERR_STREAM_PREMATURE_CLOSE"
            and r is not None
            and r.ended
            and r.errored is None
            and not r.error_emitted
        ):
            src.once("end", finish).once("error", finish)
        else:
            finish(err)

    eos(src, on_src_eos, readable=True, writable=False)
    return eos(dst, finish, readable=False, writable=True)


def _as_async_iterable(value: Any, owned: list[Any]) -> Any:
    """What an async generator stage receives as its source; registers it in ``owned``."""
    if is_readable_node_stream(value) and getattr(value, "_readable_state", None) is not None:
        it: Any = value.iterator()
        owned.append(it)
        return it
    return as_async_iterator(value, owned)


async def _pump_to_node(p: _Pipeline, iterable: Any, owned: list[Any], writable: Any, end: bool) -> None:
    """Write what ``iterable`` yields into ``writable``, respecting its back-pressure."""
    error: BaseException | None = None
    wake: trio.Event | None = None

    def resume(err: BaseException | None = None) -> None:
        nonlocal error
        if err is not None and error is None:
            error = err
        if wake is not None:
            wake.set()

    async def wait() -> None:
        nonlocal wake
        if error is None:
            wake = trio.Event()
            try:
                woken = await p.scope.park(wake)
            finally:
                wake = None
            if not woken:
                raise AbortError()
        if error is not None:
            raise error

    writable.on("drain", resume)
    cleanup = eos(writable, resume, readable=False)
    outcome: BaseException | None = None
    reported = False
    try:
        it = iterable if owned and owned[-1] is iterable else _as_async_iterable(iterable, owned)
        if writable.writable_need_drain:
            await wait()
        while True:
            try:
                chunk = await it.__anext__()
            except StopAsyncIteration:
                break
            if not writable.write(chunk):
                await wait()
            elif error is not None:
                raise error
        if end:
            writable.end()
            await wait()
    except Exception as exc:
        outcome = _destroy.aggregate(error, exc) if error is not exc else exc
    except BaseException:
        # Cancelled by the pipeline: it already failed; report after closing.
        outcome = p.error or AbortError()
        raise
    finally:
        cleanup()
        writable.remove_listener("drain", resume)
        try:
            await _aclose_all(owned)
        except Exception as exc:
            if outcome is None:
                outcome = exc
        finally:
            if not reported:
                reported = True
                p.finish(outcome)


async def _run_last(p: _Pipeline, awaitable: Any, owned: list[Any], pt: PassThrough, end: bool) -> None:
    """Await the last stage's coroutine; its value is the pipeline's value."""
    outcome: BaseException | None = None
    try:
        value = await awaitable
    except Exception as exc:
        outcome = exc
    except BaseException:
        outcome = p.error or AbortError()
        raise
    else:
        p.value = value
        if value is not None:
            pt.write(value)
        if end:
            pt.end()
    finally:
        try:
            await _aclose_all(owned)
        except Exception as exc:
            if outcome is None:
                outcome = exc
        if outcome is not None:
            pt.destroy(outcome)
        p.scope.next_tick(p.finish, outcome)


def _start(
    streams: list[Any],
    callback: Callback,
    end: bool = True,
    failed: Callable[[BaseException], object] | None = None,
) -> tuple[_Pipeline, Any]:
    if len(streams) == 1 and isinstance(streams[0], list | tuple):
        streams = list(streams[0])
    if len(streams) < 2:
        raise err_missing_args("streams")
    scope = current_scope()
    for s in streams:
        sc = getattr(s, "_scope", None)
        if sc is not None:
            scope = sc
            break
    p = _Pipeline(callback, scope, failed)
    ret: Any = None
    owned: list[Any] = []  # iterators created since the last Node stream; one pump closes them
    n = len(streams)
    for i, stream in enumerate(streams):
        reading = i < n - 1
        writing = i > 0
        stage_end = reading or end
        is_last = i == n - 1
        if is_node_stream(stream):
            if stage_end:
                destroy, cleanup = _destroyer(stream, reading, writing)
                p.destroys.append(destroy)
                if is_readable(stream) and is_last:
                    p.last_cleanup.append(cleanup)

            def on_error(err: BaseException) -> None:
                if getattr(err, "name", None) != "AbortError" and getattr(err, "code", None) != "ERR_STREAM_PREMATURE_CLOSE":
                    p.finish(err)

            stream.on("error", on_error)
            if is_readable(stream) and is_last:

                def remove_on_error(s: Any = stream, f: Callback = on_error) -> None:
                    s.remove_listener("error", f)

                p.last_cleanup.append(remove_on_error)
        if i == 0:
            if callable(stream) and not is_node_stream(stream):
                ret = stream()
                if not _is_iterable(ret):
                    raise err_invalid_return_value("Iterable, AsyncIterable or Stream", "source", ret)
            elif isinstance(stream, str | bytes) or _is_iterable(stream) or is_readable_node_stream(stream):
                ret = stream
            else:
                raise err_invalid_arg_type("streams[0]", "Readable, Iterable or AsyncIterable", stream)
        elif callable(stream) and not is_node_stream(stream):
            source = _as_async_iterable(ret, owned)
            ret = stream(source)
            if reading:
                if not _is_async_iterable(ret):
                    raise err_invalid_return_value("AsyncIterable", f"transform[{i - 1}]", ret)
                ret = ret.__aiter__()
                owned.append(ret)
            else:
                pt = PassThrough(object_mode=True, scope=scope)
                chain, owned = owned, []
                if inspect.isawaitable(ret):
                    p.finish_count += 1
                    p.spawn(_run_last, p, ret, chain, pt, stage_end)
                elif _is_async_iterable(ret):
                    ret = ret.__aiter__()
                    chain.append(ret)
                    p.finish_count += 1
                    p.spawn(_pump_to_node, p, ret, chain, pt, stage_end)
                else:
                    raise err_invalid_return_value("AsyncIterable or Promise", "destination", ret)
                ret = pt
                destroy, cleanup = _destroyer(ret, False, True)
                p.destroys.append(destroy)
                if is_last:
                    p.last_cleanup.append(cleanup)
        elif is_node_stream(stream):
            if is_readable_node_stream(ret) and getattr(ret, "_readable_state", None) is not None:
                p.finish_count += 2
                cleanup = _pipe(ret, stream, p.finish, stage_end)
                if is_readable(stream) and is_last:
                    p.last_cleanup.append(cleanup)
            elif isinstance(ret, str | bytes) or _is_iterable(ret):
                chain, owned = owned, []
                p.finish_count += 1
                p.spawn(_pump_to_node, p, ret, chain, stream, stage_end)
            else:
                raise err_invalid_arg_type("val", "Readable, Iterable or AsyncIterable", ret)
            ret = stream
        else:
            raise err_invalid_arg_type(f"streams[{i}]", "Stream, Function or AsyncIterable", stream)
    return p, ret


def pipeline_cb(*args: Stage, end: bool = True) -> Any:
    """Node's callback form: ``pipeline_cb(*streams, callback)``; returns the last stream.

    ``callback(err, value)`` runs once, after every stage finished or failed; a callback
    taking fewer arguments gets the first ones (``callback(err)``, or ``callback()``).
    """
    if not args or not callable(args[-1]) or is_node_stream(args[-1]):
        raise err_invalid_arg_type("streams[stream.length - 1]", "of type function", args[-1] if args else None)
    *streams, callback = args
    assert callable(callback)
    called = False
    # Node calls back with (err, value); a callback taking fewer arguments gets the first ones.
    report = fit(callback, 2)

    def once(err: BaseException | None = None, value: object = None) -> None:
        nonlocal called
        if called:
            return
        called = True
        report(err, value)

    return _start(streams, once, end)[1]


@overload
async def pipeline(streams: Sequence[Stage], /, *, end: bool = True) -> Any: ...


@overload
async def pipeline(first: Stage, second: Stage, /, *rest: Stage, end: bool = True) -> Any: ...


async def pipeline(*streams: Stage, end: bool = True) -> Any:
    """Connect ``streams`` in order and wait until the last one is done.

    Args:
      *streams: a source (a Readable, a sync or async iterable, or an async
        generator function taking no arguments), any number of Duplex /
        Transform streams or async generator functions ``fn(source)``, and a
        destination (a Writable, or an async function ``fn(source)``).
      end: end the destination when the source ends (default True).

    Returns:
      The return value of a final async function stage, else None.

    Raises:
      The first error of any stage (Node's rules pick which), once, as soon as
      it is known; every stage's ``destroy()`` has been called by then. (A
      premature close is reported only at the end, in case a stage's own error
      follows and takes precedence.) So a task that is cancelled because of the
      failure, such as an HTTP handler whose response the failure destroyed,
      still sees the error first.

    Cancellation:
      Every stage is destroyed with an ``AbortError`` and every task the
      pipeline started is cancelled before ``trio.Cancelled`` propagates.
    """
    done = trio.Event()
    outcome: list[Any] = []

    def callback(err: BaseException | None = None, value: object = None) -> None:
        if not outcome:
            outcome.extend((err, value))
            done.set()

    def failed(err: BaseException) -> None:
        callback(err)

    p, _last = _start(list(streams), callback, end, failed)
    try:
        await done.wait()
    except BaseException:
        if not outcome:
            p.abort(AbortError())
        raise
    err, value = outcome
    if err is not None:
        raise err
    return value


# -- compose / Duplex.from(async generator function) ----------------------------------


class _GenDuplex(Duplex):
    """A Duplex whose writable side feeds an async generator function's source (Node's fromAsyncGen)."""

    def __init__(self, fn: Callable[..., object], *, scope: Scope | None = None) -> None:
        self._slot: tuple[Chunk, Callback | None, bool] | None = None
        self._slot_event = trio.Event()
        self._fn = fn
        sink = not inspect.isasyncgenfunction(fn)
        self._feeder = Feeder(self._produce)
        super().__init__(object_mode=True, high_water_mark=1, readable=not sink, scope=scope)
        if sink:
            self._feeder.start(self)

    async def _source(self) -> AsyncIterator[Chunk]:
        while True:
            while self._slot is None:
                self._slot_event = trio.Event()
                if not await self._scope.park(self._slot_event):
                    raise AbortError()
            chunk, cb, done = self._slot
            self._slot = None
            if cb is not None:
                self._scope.next_tick(cb)
            if done:
                return
            yield chunk

    async def _produce(self, emit: Emit) -> None:
        source = self._source()
        result = self._fn(source)
        chain: list[object] = [source]
        try:
            if isinstance(result, AsyncIterable):
                it = result.__aiter__()
                chain.append(it)
                while True:
                    try:
                        value = await it.__anext__()
                    except StopAsyncIteration:
                        break
                    await emit(value)
            elif inspect.isawaitable(result):
                await result
            else:
                raise err_invalid_return_value("AsyncIterable or Promise", "body", result)
        finally:
            await _aclose_all(chain)

    def _offer(self, chunk: Chunk, cb: Callback | None, done: bool) -> None:
        self._slot = (chunk, cb, done)
        self._slot_event.set()

    def _write(self, chunk: Chunk, encoding: str | None, callback: Callback) -> None:
        self._offer(chunk, callback, False)

    def _final(self, callback: Callback) -> None:
        if self._readable_state.readable:
            self._offer(None, callback, True)
            return
        # A sink: 'finish' waits for the function to return.
        self._offer(None, None, True)

        async def wait() -> None:
            await self._feeder.done.wait()
            if self.errored is not None:
                raise self.errored

        run_async(self, wait, (), lambda err, _r: callback(err))

    def _read(self, size: int) -> None:
        self._feeder.read(self, size)

    def _destroy(self, err: BaseException | None, callback: Callback) -> None:
        self._feeder.destroy(self, err, callback)


def _duplex_from(body: Any) -> Any:
    if is_node_stream(body):
        return body
    if inspect.isasyncgenfunction(body) or inspect.iscoroutinefunction(body):
        return _GenDuplex(body)
    if _is_iterable(body):
        return Readable.from_iterable(body)
    raise err_invalid_arg_type("body", "Stream, AsyncGeneratorFunction or AsyncIterable", body)


def compose(*streams: Stage) -> Duplex:
    """Combine ``streams`` into one Duplex: writes go to the first, reads come from the last.

    Args:
      *streams: Node streams and async generator functions ``fn(source)``, as for
        :func:`pipeline`; the first must be writable, the last readable (or an
        async function consuming the source).

    Raises:
      NodeError: ``ERR_MISSING_ARGS`` with no streams; ``ERR_INVALID_ARG_VALUE``
        when a stage cannot be read from or written to.
    """
    if not streams:
        raise err_missing_args("streams")
    if len(streams) == 1:
        return _duplex_from(streams[0])  # type: ignore[no-any-return]
    orig = list(streams)
    items: list[Any] = list(streams)  # checked below; used by duck typing, as Node does
    if callable(items[0]) and not is_node_stream(items[0]):
        items[0] = _duplex_from(items[0])
    if callable(items[-1]) and not is_node_stream(items[-1]):
        items[-1] = _duplex_from(items[-1])
    for n, s in enumerate(items):
        if not is_node_stream(s):
            continue
        if n < len(items) - 1 and not is_readable(s):
            raise err_invalid_arg_value(f"streams[{n}]", orig[n], "must be readable")
        if n > 0 and not is_writable(s):
            raise err_invalid_arg_value(f"streams[{n}]", orig[n], "must be writable")

    ondrain: Callback | None = None
    onfinish: Callback | None = None
    onreadable: Callback | None = None
    onclose: Callback | None = None
    closing = False
    d: Duplex

    head = items[0]
    writable = bool(is_writable(head))

    def onfinished(err: BaseException | None = None, *_: object) -> None:
        nonlocal onclose, closing
        cb = onclose
        onclose = None
        closing = True
        if cb is not None:
            cb(err)
        elif err is not None:
            d.destroy(err)
        elif not readable and not writable:
            d.destroy()

    tail = pipeline_cb(*items, onfinished)
    readable = bool(is_readable(tail))

    def _write(stream: Duplex, chunk: Chunk, encoding: str | None, callback: Callback) -> None:
        nonlocal ondrain
        if head.write(chunk, encoding):
            callback()
        else:
            ondrain = callback

    def _final(stream: Duplex, callback: Callback) -> None:
        nonlocal onfinish
        head.end()
        onfinish = callback

    def pull() -> None:
        nonlocal onreadable
        while True:
            buf = tail.read()
            if buf is None:
                onreadable = pull
                return
            if not d.push(buf):
                return

    def _read(stream: Duplex, size: int) -> None:
        pull()

    def _destroy_fn(stream: Duplex, err: BaseException | None, callback: Callback) -> None:
        nonlocal onreadable, ondrain, onfinish, onclose
        if err is None and not closing:
            err = AbortError()
        onreadable = ondrain = onfinish = None
        if closing:
            callback(err)
        else:
            onclose = callback
            _destroy.destroyer(tail, err)

    d = Duplex(
        writable_object_mode=bool(getattr(head, "writable_object_mode", False)),
        readable_object_mode=bool(getattr(tail, "readable_object_mode", False)),
        writable=writable,
        readable=readable,
        scope=tail._scope,
        write=_write if writable else None,
        final=_final if writable else None,
        read=_read if readable else None,
        destroy=_destroy_fn,
    )
    if writable:

        def on_head_drain() -> None:
            nonlocal ondrain
            if ondrain is not None:
                cb, ondrain = ondrain, None
                cb()

        head.on("drain", on_head_drain)

        def on_tail_eos(*_: object) -> None:
            nonlocal onfinish
            if onfinish is not None:
                cb, onfinish = onfinish, None
                cb()

        eos(tail, on_tail_eos)
    if readable:

        def on_tail_readable() -> None:
            nonlocal onreadable
            if onreadable is not None:
                cb, onreadable = onreadable, None
                cb()

        tail.on("readable", on_tail_readable)
        tail.on("end", lambda: d.push(None))
    return d
