"""Twins of tests/scenarios/events: EventEmitter against Node's golden logs."""

from __future__ import annotations

import warnings
from typing import Any

import trio_nodestreams as ns

from ._golden import Log, scenario, settle


class Error(Exception):
    """Stands for JavaScript's ``Error`` (logged with name ``Error``)."""


class RangeError(Exception):
    """Stands for JavaScript's ``RangeError``."""


@scenario("events/listener-order")
async def test_listener_order(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-prepend.js and test-event-emitter-once.js."""
    e = ns.EventEmitter()
    e.on("x", lambda *args: log("on 1", list(args)))
    e.once("x", lambda *args: log("once 2", list(args)))
    e.prepend_listener("x", lambda *args: log("prepend 3", list(args)))
    e.prepend_once_listener("x", lambda *args: log("prependOnce 4", list(args)))
    e.on("x", lambda *args: log("on 5", list(args)))
    log("count", e.listener_count("x"))
    log("emit", e.emit("x", "a", 1))
    log("count", e.listener_count("x"))
    log("emit", e.emit("x", "b"))

    def same() -> None:
        log("same")

    e.on("y", same)
    e.on("y", same)
    log("same count", e.listener_count("y"))
    e.emit("y")
    e.remove_listener("y", same)
    log("same count after one remove", e.listener_count("y"))


@scenario("events/remove-during-emit")
async def test_remove_during_emit(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-remove-listeners.js: removal during an emit."""
    e = ns.EventEmitter()

    def b() -> None:
        log("b")

    def c() -> None:
        log("c")

    def a() -> None:
        log("a")
        e.remove_listener("x", b)
        e.remove_listener("x", a)

    e.on("x", a)
    e.on("x", b)
    e.on("x", c)
    log("emit", e.emit("x"))
    log("emit", e.emit("x"))

    def adder() -> None:
        log("adder")
        e.on("y", lambda: log("added"))

    e.on("y", adder)
    e.emit("y")
    log("y count", e.listener_count("y"))

    def f() -> None:
        log("f")

    e.once("z", lambda: e.remove_listener("z", f))
    e.on("z", f)
    e.emit("z")
    e.emit("z")
    log("remove unknown returns self", e.remove_listener("nope", f) is e)


@scenario("events/new-listener-events")
async def test_new_listener_events(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-add-listeners.js and -remove-listeners.js."""
    e = ns.EventEmitter()

    def foo() -> None:
        log("foo")

    def bar() -> None:
        log("bar")

    def on_new(name: str, fn: Any) -> None:
        if name == "newListener":
            return
        log("newListener", name, fn is foo, fn is bar, e.listener_count(name))

    e.on("newListener", on_new)
    e.on(
        "removeListener",
        lambda name, fn: log("removeListener", name, fn is foo, fn is bar, e.listener_count(name)),
    )
    e.on("hello", foo)
    e.once("hello", bar)
    e.prepend_listener("other", foo)
    e.emit("hello")
    e.remove_listener("hello", foo)
    e.remove_listener("hello", foo)
    e.off("other", foo)
    log("names", e.event_names())

    g = ns.EventEmitter()
    added = False

    def on_new_g(name: str, fn: Any) -> None:
        nonlocal added
        if name == "event" and not added:
            added = True
            g.on("event", lambda: log("B"))

    g.on("newListener", on_new_g)
    g.on("event", lambda: log("A"))
    g.emit("event")


@scenario("events/emit-return")
async def test_emit_return(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-listeners.js: emit()'s return value and arguments."""
    e = ns.EventEmitter()
    log("no listener", e.emit("x", 1))
    e.on("x", lambda *args: log("listener", list(args)))
    log("with listener", e.emit("x"))
    log("with listener", e.emit("x", 1, "two", [3], None))
    e.once("o", lambda: log("once"))
    log("once first", e.emit("o"))
    log("once second", e.emit("o"))
    log("other event", e.emit("y"))


@scenario("events/introspection")
async def test_introspection(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-listeners.js and test-event-emitter-listener-count.js."""
    e = ns.EventEmitter()

    def l1() -> None:
        log("l1")

    def l2() -> None:
        log("l2")

    log("empty", e.event_names(), e.listener_count("a"), len(e.listeners("a")))
    e.on("b", l1)
    e.once("a", l2)
    e.on("a", l1)
    e.on("c", l2)
    log("names", e.event_names())
    log("count", e.listener_count("a"), e.listener_count("b"), e.listener_count("zz"))
    ls = e.listeners("a")
    log("listeners", len(ls), ls[0] is l2, ls[1] is l1)
    raw = e.raw_listeners("a")
    log("raw", len(raw), raw[0] is l2, getattr(raw[0], "listener", None) is l2, raw[1] is l1)
    ls.pop()
    log("copy", e.listener_count("a"))
    raw[0]()
    log("after calling once wrapper", e.listener_count("a"))
    log("default max", e.get_max_listeners(), ns.EventEmitter.default_max_listeners)
    log("set max returns self", e.set_max_listeners(3) is e, e.get_max_listeners())
    log("removeAll one returns self", e.remove_all_listeners("c") is e, e.event_names())
    e.remove_all_listeners()
    log("removeAll", e.event_names())


@scenario("events/remove-all-listeners")
async def test_remove_all_listeners(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-remove-all-listeners.js."""
    e = ns.EventEmitter()

    def a() -> None:
        pass

    def b() -> None:
        pass

    def c() -> None:
        pass

    names = {a: "a", b: "b", c: "c"}
    e.on("foo", a)
    e.on("foo", b)
    e.on("bar", c)
    e.on("baz", a)
    e.on("removeListener", lambda name, fn: log("removeListener", name, names.get(fn, "other")))
    e.remove_all_listeners("foo")
    log("names", e.event_names())
    e.remove_all_listeners()
    log("names", e.event_names())


@scenario("events/error-no-listener")
async def test_error_no_listener(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-errors.js and
    test-event-emitter-no-error-provided-to-error-event.js."""
    e = ns.EventEmitter()
    err = Error("boom")
    try:
        e.emit("error", err)
    except Exception as caught:
        log("threw same", caught is err, caught)
    for value in [None, "string value", 42]:
        try:
            e.emit("error", value)
        except Exception as caught:
            log("threw", caught)
    e.once("error", lambda got: log("listener", got is err))
    log("emit with listener", e.emit("error", err))
    try:
        e.emit("error", err)
    except Exception as caught:
        log("threw again", caught is err)

    thrower = ns.EventEmitter()

    def raise_type_error() -> None:
        raise TypeError("from listener")

    thrower.on("x", raise_type_error)
    thrower.on("x", lambda: log("second listener"))
    try:
        thrower.emit("x")
    except Exception as caught:
        log("listener exception propagates", caught)


@scenario("events/max-listeners")
async def test_max_listeners(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-max-listeners-warning.js and
    test-event-emitter-check-listener-leaks.js (the warning is a Python warning here)."""
    found: list[list[Any]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e = ns.EventEmitter()
        e.set_max_listeners(2)
        for _ in range(4):
            e.on("event-type", lambda: None)
            log("added", e.listener_count("event-type"))
        e.on("other", lambda: None)
        e.on("other", lambda: None)
        e.on("other", lambda: None)
        u = ns.EventEmitter()
        u.set_max_listeners(0)
        for _ in range(20):
            u.on("x", lambda: None)
        log("unlimited count", u.listener_count("x"))
    for w in caught:
        msg = w.message
        name = getattr(msg, "name", type(msg).__name__)
        found.append([name, getattr(msg, "count", None), getattr(msg, "type", None)])
    await settle()
    log("warnings", len(found))
    for name, count, event in found:
        log("warning", name, count, event)


@scenario("events/once-error-event")
async def test_once_error_event(log: Log) -> None:
    """Port of test/parallel/test-event-emitter-once.js."""
    e = ns.EventEmitter()

    def once_hello(n: int) -> None:
        log("once hello", n)
        e.emit("hello", n + 1)

    e.once("hello", once_hello)
    e.on("hello", lambda n: log("on hello", n))
    e.emit("hello", 1)
    log("count", e.listener_count("hello"))

    def remove() -> None:
        log("should not run")

    e.once("foo", remove)
    e.remove_listener("foo", remove)
    log("foo emit", e.emit("foo"))
    e.once("error", lambda err: log("once error", err))
    e.emit("error", RangeError("r"))
    try:
        e.emit("error", RangeError("r2"))
    except Exception as caught:
        log("second error throws", caught)


@scenario("events/events-once-on")
async def test_events_once_on(log: Log) -> None:
    """Port of test/parallel/test-events-once.js and test-events-on-async-iterator.js."""
    ee = ns.EventEmitter()
    ns.next_tick(lambda: ee.emit("ready", 1, 2))
    log("once", await ns.once(ee, "ready"))
    log("listeners after", ee.listener_count("ready"), ee.listener_count("error"))
    ns.next_tick(lambda: ee.emit("error", Error("boom")))
    try:
        await ns.once(ee, "ready")
    except Error as e:
        log("rejected", e)
    log("listeners after error", ee.listener_count("ready"), ee.listener_count("error"))
    ns.next_tick(lambda: ee.emit("error", Error("direct")))
    log("once error", await ns.once(ee, "error"))

    def ticks() -> None:
        ee.emit("tick", "a")
        ee.emit("tick", "b", "c")
        ee.emit("error", Error("x"))

    it = ns.on(ee, "tick")
    ns.next_tick(ticks)
    try:
        async for v in it:
            log("tick", v)
    except Error as e:
        log("on error", e)
    log("listeners after on", ee.listener_count("tick"), ee.listener_count("error"))
    ns.next_tick(lambda: (ee.emit("n", 1), ee.emit("n", 2)))
    async for v in ns.on(ee, "n"):
        log("n", v)
        if v[0] == 2:
            break
    log("listeners after break", ee.listener_count("n"), ee.listener_count("error"))
