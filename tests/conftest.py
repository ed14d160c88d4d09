"""Shared fixtures: the leak check for HTTP tests.

Mark a module or test with ``pytest.mark.leak_check`` (or request the ``no_leaks``
fixture) and, once the test is done:

- no Trio task may be left beyond the test's own (checked inside the test's run,
  right after the test function returns);
- no file descriptor may be open that was not open before the test;
- no connection-level object made during the test (server or client socket, the
  server's connection, a pooled client connection, a request or a response) may
  still be reachable after a full garbage collection.

``TNS_LEAK_CHECK=all`` applies the check to every ``test_http*`` module.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Iterator
from typing import Any

import pytest
import trio

from . import leakcheck

try:  # where pytest keeps each phase's log records until the teardown ends
    from _pytest.logging import caplog_records_key
except ImportError:  # pragma: no cover - an older or newer pytest
    caplog_records_key = None  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "leak_check: after the test, no Trio task, fd or connection object made by it may be left",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # TNS_LEAK_CHECK=all puts every HTTP test under the check (to survey, not by default).
    check_all = os.environ.get("TNS_LEAK_CHECK") == "all"
    for item in items:
        if check_all and item.path.name.startswith("test_http"):
            item.add_marker(pytest.mark.leak_check)
        if item.get_closest_marker("leak_check") is not None:
            names = getattr(item, "fixturenames", None)
            if names is not None and "no_leaks" not in names:
                # First, so that its teardown runs after every other fixture's.
                names.insert(0, "no_leaks")


_call_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_call_failed] = True
    return report


@pytest.fixture
def no_leaks(request: pytest.FixtureRequest) -> Iterator[leakcheck.Tracker]:
    """Fail the test if it leaves an fd open or a connection object reachable."""
    fds = leakcheck.open_fds()
    with leakcheck.Tracker() as tracker:
        yield tracker
    if request.node.stash.get(_call_failed, False):
        return  # the failure's traceback holds what the test used: nothing to learn here
    if caplog_records_key is not None:
        stashed = request.node.stash.get(caplog_records_key, {})
        for records in stashed.values():
            leakcheck.strip_log_records(records)
    alive = tracker.alive()
    leaked_fds = leakcheck.new_fds(fds)
    problems = []
    if alive:
        problems.append(f"{len(alive)} connection object(s) still reachable:\n{leakcheck.describe(alive)}")
    if leaked_fds:
        problems.append(f"file descriptors left open: {leaked_fds}")
    del alive
    if problems:
        pytest.fail("leak check: " + "\n".join(problems), pytrace=False)


def _check_tasks(fn: Any) -> Any:
    """Wrap an async test: afterwards, no task may remain that was not there before it."""

    @functools.wraps(fn)
    async def checked(*args: Any, **kwargs: Any) -> None:
        before = leakcheck.all_tasks()
        await fn(*args, **kwargs)
        # What the test cancelled may need a step or two to be gone.
        for _ in range(3):
            await trio.lowlevel.checkpoint()
        left = leakcheck.all_tasks() - before
        if left:
            pytest.fail(
                f"leak check: {len(left)} task(s) left behind by the test:\n{leakcheck.describe_tasks(left)}",
                pytrace=False,
            )

    return checked


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    # Runs around pytest-trio's own wrapper (conftest hooks are registered later, so
    # they run first): the test it hands to trio.run is the checked one.
    if isinstance(item, pytest.Function) and "no_leaks" in item.fixturenames:
        obj = item.obj
        if inspect.iscoroutinefunction(obj) and not hasattr(obj, "hypothesis"):
            item.obj = _check_tasks(obj)
    return (yield)
