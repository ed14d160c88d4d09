"""Golden-log harness: Python twins of the Node scenarios in tests/scenarios.

A twin is an async function taking ``log``; it runs inside ``open_scope()`` and
its log must equal, line for line, what real Node recorded in tests/golden.
Values are encoded exactly as tests/scenarios/lib/log.js encodes them.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import trio
import trio.testing

import trio_nodestreams as ns

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "golden"
SCENARIOS = ROOT / "scenarios"

Log = Callable[..., None]


def enc(v: Any) -> Any:
    """Encode one logged value the way log.js does."""
    if v is None:
        return None
    if isinstance(v, bool | str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else round(v, 6)
    if isinstance(v, bytes | bytearray | memoryview):
        return {"$buf": bytes(v).hex()}
    if isinstance(v, BaseException):
        return {"$err": getattr(v, "code", None), "name": getattr(v, "name", type(v).__name__)}
    if isinstance(v, list | tuple):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        return {str(k): enc(x) for k, x in v.items()}
    raise TypeError(f"cannot log {v!r}")


def read_golden(name: str) -> list[str]:
    """Return the recorded lines of scenario ``name`` (e.g. ``readable/push-return``)."""
    path = GOLDEN / f"{name}.jsonl"
    return path.read_text().splitlines()


async def settle() -> None:
    """Wait until nothing in the scope can run: the analogue of awaiting ``setImmediate``."""
    while True:
        await trio.testing.wait_all_tasks_blocked()
        if ns.current_scope().idle:
            return


_immediates: weakref.WeakKeyDictionary[
    ns.Scope, list[tuple[Callable[..., object], tuple[Any, ...]]]
] = weakref.WeakKeyDictionary()


def set_immediate(fn: Callable[..., object], *args: Any) -> None:
    """Node's ``setImmediate(fn, ...args)``, FIFO like Node's check phase.

    Callbacks queued before a round run in that round, in order, each followed
    by the tick queue (Node drains ``process.nextTick`` between immediates);
    callbacks queued during a round wait for the next one.
    """
    scope = ns.current_scope()
    queue = _immediates.get(scope)
    if queue is None:
        queue = _immediates[scope] = []
        scope.start_soon(_run_immediates, scope, queue)
    queue.append((fn, args))


async def _run_immediates(
    scope: ns.Scope, queue: list[tuple[Callable[..., object], tuple[Any, ...]]]
) -> None:
    while queue:
        await trio.testing.wait_all_tasks_blocked()
        batch = queue[:]
        del queue[:]
        for fn, args in batch:
            fn(*args)
            await trio.testing.wait_all_tasks_blocked()
    del _immediates[scope]


async def run_twin(name: str, twin: Callable[[Log], Awaitable[None]]) -> list[str]:
    """Run ``twin`` in a fresh scope until it settles and return its log lines."""
    lines: list[str] = []

    def log(*parts: Any) -> None:
        lines.append(json.dumps([enc(p) for p in parts], separators=(",", ":"), ensure_ascii=False))

    with trio.fail_after(30):
        async with ns.open_scope():
            await twin(log)
            await settle()
    return lines


def check(name: str, got: list[str]) -> None:
    """Assert that ``got`` equals the golden log of ``name``, showing a readable diff."""
    want = read_golden(name)
    assert got == want, "\n".join(
        [f"scenario {name}: log differs from Node's", "--- node", *want, "--- python", *got]
    )


def scenario(
    name: str, *, autojump: bool = False
) -> Callable[[Callable[[Log], Awaitable[None]]], Callable[..., Awaitable[None]]]:
    """Decorate a twin so that pytest runs it and compares its log with Node's.

    With ``autojump``, the twin runs on ``trio.testing.MockClock(autojump_threshold=0)``
    (pytest-trio's ``autojump_clock``): Node's timers are the subject, and no wall clock is.
    """

    def deco(twin: Callable[[Log], Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        if autojump:

            async def test_on_clock(autojump_clock: trio.testing.MockClock) -> None:
                check(name, await run_twin(name, twin))

            test: Callable[..., Awaitable[None]] = test_on_clock
        else:

            async def test_plain() -> None:
                check(name, await run_twin(name, twin))

            test = test_plain
        test.__name__ = twin.__name__
        test.__qualname__ = twin.__qualname__
        test.__doc__ = twin.__doc__
        return test

    return deco
