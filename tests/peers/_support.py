"""Shared helpers for the interop tests: peer discovery, a served handler, subprocess runs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio

import trio_nodestreams as ns
from trio_nodestreams import http

PEERS = Path(__file__).resolve().parent


def require(binary: str) -> str:
    """Path of ``binary``; skip when it is missing, but fail under CI (CI installs every peer)."""
    path = shutil.which(binary)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is missing under CI; run tests/peers/install_peers.sh")
        pytest.skip(f"{binary} is not installed")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """A listening server, its port and the connections it accepted."""

    def __init__(self, server: http.Server, port: int) -> None:
        self.server = server
        self.port = port
        self.connections: list[Any] = []
        self.requests: list[http.IncomingMessage] = []

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@asynccontextmanager
async def serving(handler: Any, **options: Any) -> AsyncIterator[Served]:
    """Run ``handler`` on a fresh server on 127.0.0.1 for the body of the ``async with``."""
    async with ns.open_scope():
        server = http.create_server(handler, **options)
        await server.listen(0, "127.0.0.1")
        served = Served(server, server.address()["port"])  # type: ignore[index]
        server.on("connection", served.connections.append)
        server.on("request", lambda req, res: served.requests.append(req))
        try:
            yield served
        finally:
            server.close()
            server.close_all_connections()


async def hash_upload(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    """Handler: read the whole body, answer its size and sha256 as JSON."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in req:
        digest.update(chunk)
        size += len(chunk)
    res.set_header("Content-Type", "application/json")
    res.end(json.dumps({"size": size, "sha256": digest.hexdigest()}))


def fingerprint(data: bytes) -> dict[str, Any]:
    """What :func:`hash_upload` answers for ``data``."""
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


async def run(
    cmd: Sequence[str], *, stdin: bytes = b"", timeout: float = 30
) -> subprocess.CompletedProcess[bytes]:
    """Run a peer to completion; fail the test with its stderr if it fails."""
    with trio.fail_after(timeout):
        proc = await trio.run_process(
            list(cmd), stdin=stdin, capture_stdout=True, capture_stderr=True, check=False
        )
    assert proc.returncode == 0, (cmd, proc.returncode, proc.stderr.decode(errors="replace"))
    return proc


def split_responses(raw: bytes) -> list[tuple[bytes, dict[str, str], bytes]]:
    """Cut a byte stream of Content-Length framed responses into (status line, headers, body)."""
    out = []
    while raw:
        head, sep, raw = raw.partition(b"\r\n\r\n")
        assert sep, f"truncated head: {head!r}"
        status, *lines = head.split(b"\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        out.append((status, headers, raw[:length]))
        raw = raw[length:]
    return out
