"""Every script in examples/ runs as a real process, started exactly as its docstring's ``Run:`` line says.

The command is taken from the docstring itself (``bin/python examples/...``, run
from the repository root), so a docstring that stops working fails here.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import trio

from ._terminal import (
    DEADLINE,
    EXAMPLES,
    ROOT,
    docstring_command,
    interrupt,
    lines_after_interrupt,
    spawn,
)

SERVERS = ["echo_server.py", "proxy.py", "slow_stream.py", "upload_counter.py"]


@asynccontextmanager
async def example_server(name: str, *args: str) -> AsyncIterator[str]:
    """Run ``examples/<name>`` as its docstring says, on a free port; yield its base URL; stop it."""
    proc = await trio.lowlevel.open_process(
        docstring_command(name, "0", *args), cwd=ROOT, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = b""
        with trio.fail_after(20):
            while not line.endswith(b"\n"):
                got = await proc.stdout.receive_some(256)
                assert got, f"{name} exited before listening"
                line += got
        assert line.startswith(b"listening on http://127.0.0.1:"), line
        yield line.split()[-1].decode().rstrip("/")
    finally:
        with trio.CancelScope(shield=True):
            proc.terminate()
            with trio.move_on_after(5):
                await proc.wait()
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            if proc.stdout is not None:
                await proc.stdout.aclose()


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=10)


async def test_echo_server() -> None:
    data = os.urandom(200_000)
    async with example_server("echo_server.py") as url, client() as c:
        r = await c.post(url + "/", content=data[:60_000])
        streamed = await c.post(url + "/", content=_pieces(data))
    assert r.content == data[:60_000]
    assert streamed.content == data


async def _pieces(data: bytes) -> AsyncIterator[bytes]:
    for i in range(0, len(data), 50_000):
        yield data[i : i + 50_000]


async def test_upload_counter() -> None:
    data = os.urandom(3 * 1024 * 1024 + 1)
    async with example_server("upload_counter.py") as url, client() as c:
        r = await c.put(url + "/", content=data)
        empty = await c.post(url + "/")
    assert r.json() == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert empty.json() == {"size": 0, "sha256": hashlib.sha256(b"").hexdigest()}


async def test_slow_stream() -> None:
    arrivals = []
    async with (
        example_server("slow_stream.py", "4", "0.1") as url,
        client() as c,
        c.stream("GET", url + "/") as r,
    ):
        assert r.headers["transfer-encoding"] == "chunked"
        async for line in r.aiter_lines():
            arrivals.append((time.monotonic(), line))
    assert [line for _, line in arrivals] == [f"line {i} of 4" for i in range(1, 5)] + ["done"]
    assert arrivals[-1][0] - arrivals[0][0] >= 0.3  # streamed as written, not buffered


async def test_slow_stream_client_leaves() -> None:
    """A client that hangs up mid-stream does not break the server for the next one."""
    async with example_server("slow_stream.py", "50", "0.05") as url:
        port = int(url.rsplit(":", 1)[1])
        for _ in range(2):
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            async with stream:
                await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                got = b""
                with trio.fail_after(5):
                    while b"line 2 of 50" not in got:
                        got += await stream.receive_some()
            assert got.startswith(b"HTTP/1.1 200 OK\r\n")


async def test_backpressure_demo() -> None:
    with trio.fail_after(30):
        proc = await trio.run_process(
            docstring_command("backpressure_demo.py"),
            cwd=ROOT,
            capture_stdout=True,
            capture_stderr=True,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    stops = [line for line in lines if line.startswith("write() returned False")]
    drains = [line for line in lines if line.startswith("'drain'")]
    assert stops and drains
    assert len(drains) in (len(stops), len(stops) - 1)  # no 'drain' once the sink is ending
    assert all("4096 bytes buffered" in line for line in stops)
    assert lines[-1] == "finished: 16384 bytes through a 4096-byte sink"


def test_every_example_is_covered_here() -> None:
    """Each example has a docstring with one ``Run:`` line and is exercised by this module."""
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert scripts == sorted([*SERVERS, "backpressure_demo.py"])
    for name in scripts:
        assert (EXAMPLES / name).read_text().startswith('"""'), name
        docstring_command(name)  # exactly one well-formed Run: line


@pytest.mark.parametrize("name", SERVERS)
def test_ctrl_c_stops_an_example_with_one_line(name: str) -> None:
    child = spawn(docstring_command(name, "0", *(["1", "0"] if name == "slow_stream.py" else [])))
    child.expect(r"listening on (http://127\.0\.0\.1:\d+/)\r\n")
    # One request first: the server is then surely idle in accept(), where a person presses Ctrl-C.
    with httpx.Client(trust_env=False, timeout=DEADLINE) as c:
        assert c.get(child.match.group(1)).status_code in (200, 502)  # the proxy has no upstream
    status, after = interrupt(child)
    assert status == 130
    assert lines_after_interrupt(after) == ["stopped"]


@pytest.mark.parametrize("name", SERVERS)
def test_an_example_on_a_taken_port_says_so_in_one_line(name: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            docstring_command(name, str(port)), cwd=ROOT, capture_output=True, text=True,
            timeout=DEADLINE, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"cannot listen on 127.0.0.1:{port}: Address already in use"]
