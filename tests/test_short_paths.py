"""The per-chunk short paths do what the general paths do.

``push()``, ``read()``, ``write()``, ``Transform.write`` and a Transform's callback
each have a short path for the usual chunk, and a lone ``'data'`` listener (or a
pipe's) is called without ``emit()``. Here the same random pipelines run twice:
with the library's classes, and with subclasses whose methods take the general
path every time (an ``emit`` override also turns the lone-listener calls off).
Both runs must log the same events, in the same order, with the same lengths.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import trio
import trio.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trio_nodestreams as ns
from trio_nodestreams import _readable, _writable

Log = list[tuple[Any, ...]]


class RefReadable(ns.Readable):
    """A Readable that takes the general path everywhere."""

    def push(self, chunk: Any, encoding: str | None = None) -> bool:
        return _readable._add_chunk(self, chunk, encoding, False)

    def read(self, size: int | None = None) -> Any:
        return _readable._read_general(self, self._readable_state, size)

    def emit(self, event: str, *args: Any) -> bool:
        return ns.EventEmitter.emit(self, event, *args)


class RefWritable(ns.Writable):
    """A Writable that takes the general path everywhere."""

    def write(self, chunk: Any, encoding: Any = None, callback: Any = None) -> bool:
        return _writable._write(self, chunk, encoding, callback) is True

    def emit(self, event: str, *args: Any) -> bool:
        return ns.EventEmitter.emit(self, event, *args)


class RefTransform(ns.Transform):
    """A Transform that takes the general path everywhere (Node's transform.js, step by step)."""

    def push(self, chunk: Any, encoding: str | None = None) -> bool:
        return _readable._add_chunk(self, chunk, encoding, False)

    def read(self, size: int | None = None) -> Any:
        return _readable._read_general(self, self._readable_state, size)

    def write(self, chunk: Any, encoding: Any = None, callback: Any = None) -> bool:
        return _writable._write(self, chunk, encoding, callback) is True

    def emit(self, event: str, *args: Any) -> bool:
        return ns.EventEmitter.emit(self, event, *args)

    def _transformed(self, err: BaseException | None = None, data: Any = None) -> None:
        callback = self._transform_write_cb
        if err is not None:
            callback(err)
            return
        if data is not None:
            self.push(data)
        r = self._readable_state
        if self._writable_state.ended or self._transform_length == r.length or r.length < r.high_water_mark:
            callback(None)
        else:
            self._transform_callback = callback


# What each stage does with a chunk: pass it on, split it in two, drop it, or call back later.
STAGE_ACTIONS = st.lists(st.sampled_from(["pass", "split", "drop", "later"]), min_size=1, max_size=4)

scenarios = st.fixed_dictionaries(
    {
        "object_mode": st.booleans(),
        "chunks": st.lists(st.integers(1, 6), min_size=1, max_size=12),
        "per_read": st.integers(1, 3),
        "read_later": st.booleans(),
        "hwms": st.lists(st.integers(0, 6), min_size=4, max_size=4),
        "stages": st.lists(STAGE_ACTIONS, min_size=0, max_size=2),
        "sink": st.sampled_from(["sync", "later", "data"]),
        "connect": st.sampled_from(["pipe", "pipeline"]),
    }
)


def _chunk(size: int, object_mode: bool, i: int) -> Any:
    return {"i": i, "size": size} if object_mode else bytes([97 + i % 26]) * size


def _split(chunk: Any, object_mode: bool) -> tuple[Any, Any]:
    if object_mode:
        return {"half": 1, **chunk}, {"half": 2, **chunk}
    cut = max(1, len(chunk) // 2)
    return chunk[:cut], chunk[cut:] or None


def _show(chunk: Any) -> Any:
    return chunk if isinstance(chunk, dict) else chunk.decode()


async def run(scenario: dict[str, Any], reference: bool) -> Log:
    """Run ``scenario`` and return its event log."""
    log: Log = []
    om = scenario["object_mode"]
    hwms = scenario["hwms"]
    readable_cls = RefReadable if reference else ns.Readable
    writable_cls = RefWritable if reference else ns.Writable
    transform_cls = RefTransform if reference else ns.Transform
    chunks = [_chunk(size, om, i) for i, size in enumerate(scenario["chunks"])]

    async with ns.open_scope() as scope:
        pending = list(chunks)

        def push_some(s: Any) -> None:
            for _ in range(scenario["per_read"]):
                if not pending:
                    log.append(("src push end", s.push(None), s.readable_length))
                    return
                ok = s.push(pending.pop(0))
                log.append(("src pushed", ok, s.readable_length))
                if not ok:
                    return

        def read(s: Any, size: int) -> None:
            log.append(("src _read", s.readable_length, s.readable_flowing))
            if scenario["read_later"]:
                scope.next_tick(push_some, s)
            else:
                push_some(s)

        streams: list[Any] = [readable_cls(read=read, high_water_mark=hwms[0], object_mode=om)]
        for n, actions in enumerate(scenario["stages"]):
            seen = [0]

            def transform(s: Any, chunk: Any, enc: Any, cb: Any, n: int = n, actions: list[str] = actions, seen: list[int] = seen) -> None:
                action = actions[seen[0] % len(actions)]
                seen[0] += 1
                log.append((f"t{n}", action, _show(chunk), s.readable_length, s.writable_length))
                if action == "pass":
                    cb(None, chunk)
                elif action == "split":
                    first, second = _split(chunk, om)
                    log.append((f"t{n} push", s.push(first)))
                    cb(None, second)
                elif action == "drop":
                    cb()
                else:
                    scope.next_tick(cb, None, chunk)

            streams.append(transform_cls(transform=transform, high_water_mark=hwms[1 + n], object_mode=om))
        done = trio.Event()
        if scenario["sink"] == "data":
            last = streams[-1]
            last.on("data", lambda c: log.append(("data", _show(c), last.readable_length)))
            last.on("end", done.set)
            if len(streams) > 1:
                for a, b in itertools.pairwise(streams):
                    a.pipe(b)
        else:
            later = scenario["sink"] == "later"

            def write(s: Any, chunk: Any, enc: Any, cb: Any) -> None:
                log.append(("sink", _show(chunk), s.writable_length, s.writable_need_drain))
                if later:
                    scope.next_tick(cb)
                else:
                    cb()

            sink = writable_cls(write=write, high_water_mark=hwms[3], object_mode=om)
            sink.on("finish", done.set)
            streams.append(sink)
            if scenario["connect"] == "pipe":
                for a, b in itertools.pairwise(streams):
                    a.pipe(b)
            else:
                ns.pipeline_cb(*streams, lambda err=None: log.append(("pipeline", getattr(err, "code", err))))
        for i, s in enumerate(streams):
            for event in ("drain", "end", "finish", "prefinish", "close", "pause", "resume"):
                s.on(event, lambda *a, i=i, event=event: log.append((i, event)))
        with trio.fail_after(10):
            await done.wait()
            while True:
                await trio.testing.wait_all_tasks_blocked()
                if scope.idle:
                    break
    return log


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_short_paths_log_what_the_general_paths_log(scenario: dict[str, Any]) -> None:
    """Random pipelines: the library's classes and the general-path subclasses log the same."""
    fast = trio.run(run, scenario, False)
    general = trio.run(run, scenario, True)
    assert fast == general
    assert any(entry[0] == "src pushed" for entry in fast)


def test_the_reference_classes_take_the_general_path() -> None:
    """The comparison means something: the reference classes bypass every short path."""

    async def main() -> None:
        async with ns.open_scope():
            r = RefReadable(read=lambda s, n: None)
            assert not r._plain_emit
            t = RefTransform(transform=lambda s, c, e, cb: cb(None, c))
            assert not t._plain_emit and type(t).write is not ns.Transform.write
            assert ns.Readable(read=lambda s, n: None)._plain_emit

    trio.run(main)


# -- a request nobody reads is built only when looked at ------------------------------

_REQ_FIELDS = (
    "ended", "need_readable", "emitted_readable", "flowing", "resume_scheduled", "paused",
    "reading", "reading_more", "end_emitted", "destroyed", "closed", "close_emitted",
    "errored", "constructed", "sync", "data_emitted", "readable_listening",
)


async def _request_story(eager: bool, end_tick_first: bool, depth: int, listen: bool) -> Log:
    """A GET's request as the server drives it: the end, maybe its tick, the response's
    finish, then the ticks. Something looks at it from a ``process.nextTick`` nested
    ``depth`` deep, queued at the finish: it reads the state and maybe adds listeners.
    Returns what it saw, the events that followed and the final state."""
    from trio_nodestreams.http._incoming import IncomingMessage

    log: Log = []
    async with ns.open_scope() as scope:
        req = IncomingMessage(None, scope=scope)
        if eager:
            req._materialize()
        scope._held += 1  # the ticks run where this test says, not in the runner
        req.complete = True
        req._push_end()
        if end_tick_first:
            scope.run_ticks()

        def look(k: int) -> None:
            if k:
                scope.next_tick(look, k - 1)
                return
            state = req._readable_state
            log.append(("state", *(getattr(state, f) for f in _REQ_FIELDS)))
            log.append(("flags", req.readable_ended, req.readable_flowing, req.destroyed, req.readable))
            if listen:
                for event in ("readable", "end", "close", "resume"):
                    req.on(event, lambda *a, event=event: log.append((event, *a)))

        scope.next_tick(look, depth)
        res = ns.EventEmitter()
        res.req = req  # type: ignore[attr-defined]
        if not req._end_unobserved(res):
            req._dump()
        scope.run_ticks()
        scope._held -= 1
        log.append(("end state", req.readable_ended, req.destroyed, req._readable_state.close_emitted))
    return log


async def test_an_unread_request_reads_as_a_built_one_at_every_tick() -> None:
    """A request nobody reads keeps no stream state until something looks; whenever that
    is, it sees what the stream built at once would show, and the same events follow."""
    for end_tick_first in (False, True):
        for depth in range(12):
            for listen in (False, True):
                built = await _request_story(True, end_tick_first, depth, listen)
                dormant = await _request_story(False, end_tick_first, depth, listen)
                assert dormant == built, (end_tick_first, depth, listen)


async def test_an_unread_request_nobody_holds_skips_the_rest_of_its_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once nothing but the server holds a finished GET and its response, the ticks that
    would end and close its request are skipped (nobody can look); a request something
    still holds walks them all and reads as Node's at the end."""
    from trio_nodestreams import http
    from trio_nodestreams.http._incoming import IncomingMessage

    walked = []
    original = IncomingMessage._marker_destroyed

    def counting(self: IncomingMessage) -> None:
        walked.append(self.url)
        original(self)

    monkeypatch.setattr(IncomingMessage, "_marker_destroyed", counting)
    kept: list[http.IncomingMessage] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/keep":
            kept.append(req)
        res.end("ok")

    with trio.fail_after(10):
        async with ns.open_scope():
            server = http.create_server(handler)
            await server.listen(0, "127.0.0.1")
            port = server.address()["port"]  # type: ignore[index]
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            for path in ("/a", "/b", "/keep", "/c"):
                await stream.send_all(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                got = b""
                while not got.endswith(b"ok"):
                    got += await stream.receive_some(4096)
            await stream.aclose()
            server.close()
            server.close_all_connections()
    assert walked == ["/keep"]
    (req,) = kept
    assert (req.readable_ended, req.destroyed, req._readable_state.close_emitted) == (True, True, True)


@pytest.mark.parametrize("kind", ["writable", "transform"])
async def test_a_write_never_overtakes_writes_buffered_before_construction(kind: str) -> None:
    """Writes buffered while ``_construct`` runs are flushed one tick after the stream is
    constructed; a write that comes in between (another stream's tick queued before that
    flush: a file read completing while the destination file's open completes) queues
    behind them instead of going first. Found as a reordered file copy under load."""
    order: list[bytes] = []
    done: list[Any] = []

    def construct(_stream: Any, callback: Any) -> None:
        done.append(callback)

    def write(_stream: Any, chunk: bytes, _encoding: str, callback: Any) -> None:
        order.append(chunk)
        callback()

    def transform(_stream: Any, chunk: bytes, _encoding: str, callback: Any) -> None:
        order.append(chunk)
        callback(None, chunk)

    with trio.fail_after(10):
        async with ns.open_scope() as scope:
            if kind == "writable":
                w: Any = ns.Writable(construct=construct, write=write)
            else:
                w = ns.Transform(construct=construct, transform=transform)
                w.resume()
            for i in range(4):
                w.write(b"%d" % i)
            scope.run_ticks()
            assert done and order == []
            done[0]()  # constructed on the next tick; the buffer flushed on the one after
            scope.next_tick(w.write, b"4")
            scope.run_ticks()
            w.end()
    assert order == [b"0", b"1", b"2", b"3", b"4"]
