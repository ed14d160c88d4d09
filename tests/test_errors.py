"""Errors reach whoever waits on the stream.

An exception raised by a synchronous implementation hook (``_read``, ``_write``,
``_transform``, ``_final``, ``_flush``, ``_destroy``, ``_construct``, given as
options or methods) destroys that stream with it: ``await pipeline()``,
``await finished()``, ``async for`` and ``'error'`` listeners see it, and the
scope goes on. (Node lets such an exception escape; docs/node-compat.md lists
the departure.) Errors reported later name the user's call site, and Node's
TypeError and RangeError are Python's TypeError and ValueError.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import pytest
import trio
import trio.testing

import trio_nodestreams as ns
from trio_nodestreams import http

from .test_http_hostile import connect, read_until_close

Callback = Callable[..., object]


class Boom(Exception):
    """The exception a hook raises."""


def boom(*_: Any) -> None:
    raise Boom("from a hook")


def source(chunks: list[bytes]) -> ns.Readable:
    return ns.Readable.from_iterable(chunks, object_mode=False)


def passthrough(s: Any, chunk: Any, enc: Any, cb: Callback) -> None:
    cb(None, chunk)


def sink() -> ns.Writable:
    return ns.Writable(write=lambda s, c, e, cb: cb())


# Each case: a pipeline whose one stage has a hook that raises.
CASES: dict[str, Callable[[], list[Any]]] = {
    "_read": lambda: [ns.Readable(read=boom), sink()],
    "_write": lambda: [source([b"a", b"b"]), ns.Writable(write=boom)],
    "_writev": lambda: [source([b"a", b"b", b"c"]), ns.Writable(writev=boom, high_water_mark=1)],
    "_transform": lambda: [source([b"a"]), ns.Transform(transform=boom), sink()],
    "_final": lambda: [source([b"a"]), ns.Writable(write=lambda s, c, e, cb: cb(), final=boom)],
    "_flush": lambda: [source([b"a"]), ns.Transform(transform=passthrough, flush=boom), sink()],
    "_construct": lambda: [source([b"a"]), ns.Writable(write=lambda s, c, e, cb: cb(), construct=boom)],
}


class RaisingTransform(ns.Transform):
    """A subclass whose method raises, as options do."""

    def _transform(self, chunk: Any, encoding: str | None, callback: Callback) -> None:
        raise Boom("from a method")


@pytest.mark.parametrize("hook", sorted(CASES))
async def test_a_raising_hook_fails_the_pipeline_not_the_scope(hook: str) -> None:
    """``await pipeline()`` raises the hook's exception itself; the scope carries on."""
    with trio.fail_after(5):
        async with ns.open_scope():
            streams = CASES[hook]()
            with pytest.raises(Boom):
                await ns.pipeline(*streams)
            assert all(s.destroyed for s in streams)
            # The scope is intact: a pipeline after the failure runs.
            await ns.pipeline(source([b"x"]), sink())


async def test_a_raising_method_fails_the_pipeline() -> None:
    with trio.fail_after(5):
        async with ns.open_scope():
            t = RaisingTransform()
            with pytest.raises(Boom, match="from a method"):
                await ns.pipeline(source([b"a"]), t, sink())
            assert isinstance(t.errored, Boom)


async def test_finished_and_error_listeners_see_a_raising_write() -> None:
    with trio.fail_after(5):
        async with ns.open_scope():
            w = ns.Writable(write=boom)
            seen: list[BaseException] = []
            w.on("error", seen.append)
            assert w.write(b"x") is False
            with pytest.raises(Boom):
                await ns.finished(w)
            assert len(seen) == 1 and isinstance(seen[0], Boom)
            assert w.destroyed


async def test_write_callback_gets_the_exception() -> None:
    """The write that raised is failed as if ``_write`` had called back with the exception."""
    with trio.fail_after(5):
        async with ns.open_scope():
            w = ns.Writable(write=boom)
            w.on("error", lambda err: None)
            got: list[Any] = []
            w.write(b"x", got.append)
            await trio.testing.wait_all_tasks_blocked()
            assert len(got) == 1 and isinstance(got[0], Boom)


async def test_async_for_raises_a_transform_error() -> None:
    with trio.fail_after(5):
        async with ns.open_scope():
            t = ns.Transform(transform=boom)
            t.write(b"x")
            with pytest.raises(Boom):
                async for _ in t:
                    pass


async def test_async_for_raises_a_read_error() -> None:
    with trio.fail_after(5):
        async with ns.open_scope():
            r = ns.Readable(read=boom)
            with pytest.raises(Boom):
                async for _ in r:
                    pass


async def test_raising_destroy_reaches_finished() -> None:
    with trio.fail_after(5):
        async with ns.open_scope():
            r = ns.Readable(read=lambda s, n: None, destroy=boom)
            r.destroy()
            with pytest.raises(Boom):
                await ns.finished(r)


async def test_missing_write_implementation_still_raises_at_the_call() -> None:
    """Not a hook raising: no hook at all. Node throws ERR_METHOD_NOT_IMPLEMENTED from write()."""
    with trio.fail_after(5):
        async with ns.open_scope():
            w = ns.Writable()
            with pytest.raises(ns.NodeError) as info:
                w.write(b"x")
            assert info.value.code == "ERR_METHOD_NOT_IMPLEMENTED"


async def test_a_server_handler_catches_its_pipeline_error() -> None:
    """In an HTTP handler, a raising Transform fails the handler's ``await pipeline()``; the
    handler catches it and the server goes on serving."""
    caught: list[BaseException] = []

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/bad":
            try:
                await ns.pipeline(req, ns.Transform(transform=boom), res)
            except Boom as exc:
                caught.append(exc)
        else:
            res.end("ok")

    with trio.fail_after(10):
        async with ns.open_scope():
            server = http.create_server(handler)
            await server.listen(0, "127.0.0.1")
            bad = await connect(server)
            await bad.send_all(b"POST /bad HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
            await read_until_close(bad)
            await bad.aclose()
            good = await connect(server)
            await good.send_all(b"GET /good HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data, _how = await read_until_close(good)
            await good.aclose()
            server.close()
    assert len(caught) == 1 and isinstance(caught[0], Boom)
    assert data.startswith(b"HTTP/1.1 200 OK") and data.endswith(b"ok")


async def test_push_error_names_the_push_call() -> None:
    """``push(123)`` on a byte stream fails the stream later; the traceback ends at the push."""
    with trio.fail_after(5):
        async with ns.open_scope():

            def read(s: ns.Readable, n: int) -> None:
                s.push(123)  # the call site the error must name

            with pytest.raises(TypeError) as info:
                await ns.pipeline(ns.Readable(read=read), sink())
    assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].name == "read" and frames[-1].line == "s.push(123)  # the call site the error must name"


async def test_write_after_end_names_the_write_call() -> None:
    with trio.fail_after(5):
        async with ns.open_scope():
            w = sink()
            w.end()
            w.write(b"late")  # the call site
            with pytest.raises(ns.NodeError) as info:
                await ns.finished(w)
    assert info.value.code == "ERR_STREAM_WRITE_AFTER_END"
    assert traceback.extract_tb(info.value.__traceback__)[-1].line == 'w.write(b"late")  # the call site'


async def test_node_type_and_range_errors_are_python_ones() -> None:
    with trio.fail_after(5):
        async with ns.open_scope():
            with pytest.raises(TypeError):
                sink().write(None)
            with pytest.raises(TypeError):
                ns.Readable(high_water_mark=-1)
            with pytest.raises(TypeError):
                sink().write(b"x", "no-such-encoding")
            with pytest.raises(ValueError):
                ns.Readable(read=lambda s, n: None).read(2**31)
            with pytest.raises(ValueError):
                ns.EventEmitter().set_max_listeners(-1)
    made = ns.NodeError("ERR_INVALID_CHAR", "Invalid character", name="TypeError")
    assert isinstance(made, TypeError) and isinstance(made, ns.NodeTypeError) and made.name == "TypeError"
    ranged = ns.NodeError("ERR_OUT_OF_RANGE", "too big", name="RangeError")
    assert isinstance(ranged, ValueError) and ranged.code == "ERR_OUT_OF_RANGE"
    assert not isinstance(ns.NodeError("ERR_X", "plain"), TypeError | ValueError)
