"""Every script in examples/ runs as a real process and does what its docstring says."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import trio

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@asynccontextmanager
async def example_server(name: str, *args: str) -> AsyncIterator[str]:
    """Run ``examples/<name>`` on a free port; yield its base URL; stop it afterwards."""
    proc = await trio.lowlevel.open_process(
        [sys.executable, str(EXAMPLES / name), "0", *args], stdout=subprocess.PIPE
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
            [sys.executable, str(EXAMPLES / "backpressure_demo.py")],
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


def test_examples_have_docstrings() -> None:
    for path in EXAMPLES.glob("*.py"):
        source = path.read_text()
        assert source.startswith('"""'), path.name
        assert "Run:" in source, path.name
    assert json.dumps(sorted(p.name for p in EXAMPLES.glob("*.py")))
