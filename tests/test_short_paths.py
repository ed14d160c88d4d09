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
