"""Property tests: buffer accounting and incremental decoding hold for any input.

Each test compares the stream with a tiny model (a ``bytearray``, a counter)
after every step, so a failing example points at the first step that diverged.
"""

from __future__ import annotations

import base64
from typing import Any

import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st

import trio_nodestreams as ns

SETTINGS = settings(max_examples=150, deadline=None)


async def settle() -> None:
    """Wait until the scope has nothing left to run (deferred calls and async implementations)."""
    while True:
        await trio.testing.wait_all_tasks_blocked()
        if ns.current_scope().idle:
            return


async def quiesce() -> None:
    """Wait until every task is blocked (an async ``_write`` may be parked on purpose)."""
    await trio.testing.wait_all_tasks_blocked()


def split(data: Any, cuts: list[int]) -> list[Any]:
    """Cut ``data`` at the given positions (clamped, sorted, duplicates allowed)."""
    points = sorted(min(max(c, 0), len(data)) for c in cuts)
    out, last = [], 0
    for p in [*points, len(data)]:
        out.append(data[last:p])
        last = p
    return out


# -- Readable: bytes out == bytes in, readable_length exact ---------------------------

chunk_bytes = st.binary(min_size=0, max_size=40)
readable_ops = st.lists(
    st.one_of(
        st.tuples(st.just("push"), chunk_bytes),
        st.tuples(st.just("unshift"), chunk_bytes),
        st.tuples(st.just("read"), st.integers(min_value=0, max_value=80)),
        st.tuples(st.just("read"), st.none()),
    ),
    max_size=40,
)


@SETTINGS
@given(ops=readable_ops, hwm=st.integers(min_value=0, max_value=64))
async def test_readable_bytes_and_length_match_model(ops: list[tuple[str, Any]], hwm: int) -> None:
    async with ns.open_scope():
        r = ns.Readable(high_water_mark=hwm, read=lambda stream, size: None)
        model = bytearray()
        for op, arg in ops:
            if op == "push":
                r.push(arg)
                model += arg
            elif op == "unshift":
                r.unshift(arg)
                model[:0] = arg
            elif arg is None:
                got = r.read()
                if model:
                    assert got == bytes(model)
                    model.clear()
                else:
                    assert got is None
            else:
                got = r.read(arg)
                if arg == 0 or arg > len(model):
                    assert got is None
                else:
                    assert got == bytes(model[:arg])
                    del model[:arg]
            assert r.readable_length == len(model), (op, arg)
        r.push(None)
        rest = r.read()
        assert (rest or b"") == bytes(model)
        assert r.readable_length == 0
        ended: list[bool] = []
        r.on("end", lambda: ended.append(True))
        r.read(0)
        await settle()
        assert ended == [True]


@SETTINGS
@given(ops=readable_ops)
async def test_readable_object_mode_count_matches_model(ops: list[tuple[str, Any]]) -> None:
    async with ns.open_scope():
        r = ns.Readable(object_mode=True, high_water_mark=4, read=lambda stream, size: None)
        model: list[Any] = []
        for op, arg in ops:
            if op == "push":
                r.push(arg)
                model.append(arg)
            elif op == "unshift":
                r.unshift(arg)
                model.insert(0, arg)
            else:
                # Object mode: read(n) with n > 0 and read() both give one object.
                got = r.read(arg)
                if arg == 0 or not model:
                    assert got is None
                else:
                    assert got == model.pop(0)
            assert r.readable_length == len(model)
        r.push(None)
        drained = []
        while (item := r.read()) is not None:
            drained.append(item)
        assert drained == model


# -- set_encoding and StringDecoder --------------------------------------------------

cuts = st.lists(st.integers(min_value=0, max_value=400), max_size=12)

ENCODINGS = {
    "utf8": (st.text(max_size=60), lambda t: t.encode("utf-8"), lambda t, b: t),
    "utf16le": (st.text(max_size=60), lambda t: t.encode("utf-16-le"), lambda t, b: t),
    "latin1": (
        st.text(alphabet=st.characters(max_codepoint=255), max_size=60),
        lambda t: t.encode("latin-1"),
        lambda t, b: t,
    ),
    "base64": (
        st.text(max_size=60),
        lambda t: t.encode("utf-8"),
        lambda t, b: base64.b64encode(b).decode(),
    ),
    "hex": (st.text(max_size=60), lambda t: t.encode("utf-8"), lambda t, b: b.hex()),
}


def encoding_case(name: str) -> st.SearchStrategy[tuple[str, bytes, str, list[int]]]:
    text_st, to_bytes, expect = ENCODINGS[name]
    return text_st.flatmap(
        lambda t: cuts.map(lambda c: (name, to_bytes(t), expect(t, to_bytes(t)), c))
    )


any_encoding_case = st.sampled_from(sorted(ENCODINGS)).flatmap(encoding_case)


@SETTINGS
@given(case=any_encoding_case)
async def test_set_encoding_decodes_any_split(case: tuple[str, bytes, str, list[int]]) -> None:
    encoding, data, expected, positions = case
    async with ns.open_scope():
        r = ns.Readable(high_water_mark=16, read=lambda stream, size: None)
        r.set_encoding(encoding)
        out: list[str] = []
        r.on("data", out.append)
        for chunk in split(data, positions):
            r.push(chunk)
        r.push(None)
        await settle()
        assert all(isinstance(piece, str) for piece in out)
        assert "".join(out) == expected


@SETTINGS
@given(case=any_encoding_case, when=st.integers(min_value=0, max_value=12))
async def test_set_encoding_after_buffered_chunks(
    case: tuple[str, bytes, str, list[int]], when: int
) -> None:
    """Chunks buffered before set_encoding() are decoded with the ones after it."""
    encoding, data, expected, positions = case
    async with ns.open_scope():
        r = ns.Readable(high_water_mark=1024, read=lambda stream, size: None)
        chunks = split(data, positions)
        for chunk in chunks[:when]:
            r.push(chunk)
        r.set_encoding(encoding)
        for chunk in chunks[when:]:
            r.push(chunk)
        r.push(None)
        got = r.read()
        assert (got or "") == expected


@SETTINGS
@given(case=any_encoding_case)
def test_string_decoder_any_split(case: tuple[str, bytes, str, list[int]]) -> None:
    encoding, data, expected, positions = case
    decoder = ns.StringDecoder(encoding)
    out = "".join(decoder.write(chunk) for chunk in split(data, positions)) + decoder.end()
    assert out == expected


@SETTINGS
@given(data=st.binary(max_size=60), positions=cuts)
def test_string_decoder_invalid_utf8_matches_whole_decode(
    data: bytes, positions: list[int]
) -> None:
    """Arbitrary bytes: split decoding equals decoding the whole (U+FFFD replacement included)."""
    decoder = ns.StringDecoder("utf8")
    out = "".join(decoder.write(chunk) for chunk in split(data, positions)) + decoder.end()
    whole = ns.StringDecoder("utf8")
    assert out == whole.write(data) + whole.end()


# -- Writable: writable_length under writes, corks and a controllable async _write ---

writable_ops = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(min_value=0, max_value=24)),
        st.tuples(st.just("cork"), st.none()),
        st.tuples(st.just("uncork"), st.none()),
        st.tuples(st.just("complete"), st.none()),
    ),
    max_size=40,
)


@SETTINGS
@given(ops=writable_ops, hwm=st.integers(min_value=1, max_value=48))
async def test_writable_length_matches_model(ops: list[tuple[str, Any]], hwm: int) -> None:
    async with ns.open_scope():
        in_flight: list[tuple[bytes, trio.Event]] = []
        seen = bytearray()

        async def write(stream: Any, chunk: bytes, encoding: str) -> None:
            done = trio.Event()
            in_flight.append((chunk, done))
            await done.wait()
            seen.extend(chunk)

        w = ns.Writable(high_water_mark=hwm, write=write)
        drains: list[int] = []
        w.on("drain", lambda: drains.append(1))
        pending: list[int] = []  # sizes written, not yet called back, in order
        written = bytearray()
        corked = 0
        need_drain = False
        model_drains = 0
        counter = 0
        for op, arg in ops:
            if op == "write":
                chunk = bytes((counter + i) % 256 for i in range(arg))
                counter += arg
                ok = w.write(chunk)
                written += chunk
                pending.append(arg)
                assert ok == (sum(pending) < hwm)
                need_drain = need_drain or not ok
            elif op == "cork":
                w.cork()
                corked += 1
            elif op == "uncork":
                w.uncork()
                corked = max(corked - 1, 0)
            elif in_flight:
                chunk, done = in_flight.pop(0)
                assert len(chunk) == pending[0]
                done.set()
                pending.pop(0)
                if need_drain and sum(pending) == 0:
                    need_drain = False
                    model_drains += 1
            await quiesce()
            assert w.writable_length == sum(pending), (op, arg)
            assert w.writable_corked == corked
            assert w.writable_need_drain == need_drain
            assert len(drains) == model_drains
            # Only one _write at a time, and never while corked data waits behind it.
            assert len(in_flight) <= 1
        while w.writable_corked:
            w.uncork()
        finished: list[bool] = []
        w.end(callback=lambda err=None: finished.append(err is None))
        with trio.fail_after(5):
            while not finished:
                await quiesce()
                if in_flight:
                    in_flight.pop(0)[1].set()
        await quiesce()
        assert finished == [True]
        assert bytes(seen) == bytes(written)
        assert w.writable_length == 0
