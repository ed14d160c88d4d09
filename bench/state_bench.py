"""ReadableState / WritableState as slotted attrs classes against plain ``__slots__`` classes.

Usage: .venv/bin/python bench/state_bench.py [--json]

The stream states are attrs classes (``attrs.define``: slotted, one generated
``__init__``). The reference here is what they replaced: a hand-written class with
``__slots__`` and an ``__init__`` assigning every field. Both are built with the
same fields and defaults; measured in one run, interleaved, best of 7:

  construct   making one state (as every stream does, once per side)
  reads       the 13 field reads of the per-chunk short paths' guards
  writes      4 field updates of the per-chunk path

Prints nanoseconds per operation and the ratio attrs / __slots__ (below 1: attrs is faster).
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from collections.abc import Callable
from typing import Any

from trio_nodestreams._buffer_list import BufferList
from trio_nodestreams._state import ReadableState, WritableState


def _nop(*_: object) -> None:
    pass


def _slots_class(name: str, cls: type) -> type:
    """A plain ``__slots__`` class with ``cls``'s fields and defaults, and a written-out ``__init__``."""
    import attrs

    fields = attrs.fields(cls)
    required = [f.name for f in fields if f.default is attrs.NOTHING]
    lines = [f"def __init__(self, {', '.join(required)}):"]
    namespace: dict[str, Any] = {}
    for f in fields:
        if f.default is attrs.NOTHING:
            lines.append(f"    self.{f.name} = {f.name}")
        elif isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"_factory_{f.name}"] = f.default.factory
            lines.append(f"    self.{f.name} = _factory_{f.name}()")
        else:
            namespace[f"_default_{f.name}"] = f.default
            lines.append(f"    self.{f.name} = _default_{f.name}")
    exec("\n".join(lines), namespace)
    return type(name, (), {"__slots__": tuple(f.name for f in fields), "__init__": namespace["__init__"]})


SlotsReadableState = _slots_class("SlotsReadableState", ReadableState)
SlotsWritableState = _slots_class("SlotsWritableState", WritableState)


def _reads(r: Any, w: Any) -> Callable[[], object]:
    def reads() -> object:
        return (
            r.flowing and r.length == 0 and not r.sync and not r.ended and not r.destroyed and r.errored is None
        ) or (w.ending or w.destroyed or w.writing or w.corked or w.errored is not None or not w.constructed)

    return reads


def _writes(r: Any) -> Callable[[], None]:
    def writes() -> None:
        r.reading = False
        r.length += 1
        r.length -= 1
        r.data_emitted = True

    return writes


def measure() -> dict[str, Any]:
    assert isinstance(ReadableState(False, 16384).buffer, BufferList)
    cases: list[tuple[str, Callable[[], object], Callable[[], object], int]] = [
        ("construct ReadableState", lambda: SlotsReadableState(False, 16384), lambda: ReadableState(False, 16384), 200_000),
        ("construct WritableState", lambda: SlotsWritableState(False, 16384), lambda: WritableState(False, 16384), 200_000),
        (
            "13 reads",
            _reads(SlotsReadableState(False, 16384), SlotsWritableState(False, 16384)),
            _reads(ReadableState(False, 16384), WritableState(False, 16384)),
            1_000_000,
        ),
        ("4 writes", _writes(SlotsReadableState(False, 16384)), _writes(ReadableState(False, 16384)), 1_000_000),
    ]
    results: dict[str, Any] = {}
    for name, slots, attrs_fn, number in cases:
        best_slots = best_attrs = float("inf")
        for _ in range(7):
            best_slots = min(best_slots, timeit.timeit(slots, number=number) / number * 1e9)
            best_attrs = min(best_attrs, timeit.timeit(attrs_fn, number=number) / number * 1e9)
        results[name] = {"slots_ns": best_slots, "attrs_ns": best_attrs, "attrs/slots": best_attrs / best_slots}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = measure()
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"{'':26} {'__slots__ ns':>13} {'attrs ns':>10} {'attrs/__slots__':>16}")
    for name, row in results.items():
        print(f"{name:26} {row['slots_ns']:>13.1f} {row['attrs_ns']:>10.1f} {row['attrs/slots']:>16.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
