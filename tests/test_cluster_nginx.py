"""nginx, configured by examples/deploy/nginx.conf, in front of two supervised instances.

The example's upstream and listen ports are rewritten to free ones; everything
else (keep-alive, HTTP/1.1, unbuffered bodies, retries) is the file as shipped.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import trio

from .cluster_app import blob_chunk
from .cluster_support import supervised
from .peers._support import free_port, require

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "deploy" / "nginx.conf"

MAIN = """\
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/site.conf;
}}
"""


def site_config(listen: int, upstreams: list[int]) -> str:
    """The example, listening on ``listen``, with its two upstream lines aimed at ``upstreams``."""
    text = EXAMPLE.read_text()
    ports = iter(upstreams)
    text, count = re.subn(r"(?m)^(\s*server 127\.0\.0\.1:)800[12]\b", lambda m: f"{m[1]}{next(ports)}", text)
    assert count == 2
    text, count = re.subn(r"listen 127\.0\.0\.1:8080;", f"listen 127.0.0.1:{listen};", text)
    assert count == 1
    return text


@asynccontextmanager
async def nginx_in_front(upstreams: list[int], tmp_path: Path) -> AsyncIterator[int]:
    nginx = require("nginx")
    port = free_port()
    (tmp_path / "site.conf").write_text(site_config(port, upstreams))
    (tmp_path / "nginx.conf").write_text(MAIN.format(dir=tmp_path))
    proc = await trio.lowlevel.open_process(
        [nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:  # poll until nginx listens (the caller's deadline bounds it)
            if proc.poll() is not None:
                pytest.fail(f"nginx exited with {proc.returncode}: {(tmp_path / 'error.log').read_text()}")
            try:
                stream = await trio.open_tcp_stream("127.0.0.1", port)
            except OSError:
                await trio.sleep(0.02)
                continue
            await stream.aclose()
            break
        yield port
    finally:
        with trio.CancelScope(shield=True):
            if proc.poll() is None:
                proc.send_signal(signal.SIGQUIT)
                with trio.move_on_after(5):
                    await proc.wait()
                if proc.poll() is None:
                    proc.kill()
                    await proc.wait()


async def test_nginx_spreads_streams_and_fails_over(tmp_path: Path) -> None:
    with trio.fail_after(45):
        async with (
            supervised("--workers", "1") as first,
            supervised("--workers", "1") as second,
            nginx_in_front([first.port, second.port], tmp_path) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=20) as client,
        ):
            await first.wait_for(r"worker 1 ready")
            await second.wait_for(r"worker 1 ready")
            pids = {first.ready_pids()[1]: "first", second.ready_pids()[1]: "second"}

            # Requests spread over both instances.
            served = Counter()
            for _ in range(20):
                r = await client.get("/")
                assert r.status_code == 200
                served[pids[int(r.headers["x-worker-pid"])]] += 1
            assert served["first"] >= 5 and served["second"] >= 5, served

            # A streamed upload (chunked, unbuffered by nginx) and a streamed download, intact.
            pieces = [os.urandom(65536) for _ in range(64)]

            async def body() -> AsyncIterator[bytes]:
                for piece in pieces:
                    yield piece

            r = await client.post("/upload", content=body())
            size, digest = r.text.split()
            assert int(size) == 64 * 65536 and digest == hashlib.sha256(b"".join(pieces)).hexdigest()
            expected = hashlib.sha256(b"".join(blob_chunk(i) for i in range(8 * 16))).hexdigest()
            got = hashlib.sha256()
            async with client.stream("GET", "/blob?mb=8") as r:
                assert r.headers["transfer-encoding"] == "chunked"
                async for chunk in r.aiter_raw():
                    got.update(chunk)
            assert got.hexdigest() == expected

            # One instance dies (supervisor and worker at once): nginx fails over.
            os.killpg(second.proc.pid, signal.SIGKILL)
            await second.proc.wait()
            for _ in range(20):
                r = await client.get("/")
                assert r.status_code == 200
                assert pids[int(r.headers["x-worker-pid"])] == "first"
    # nginx saw the dead instance (a refused connect, or a reset kept-alive connection) and went on.
    log = (tmp_path / "error.log").read_text()
    dead = rf"upstream: \"http://127\.0\.0\.1:{second.port}/\""
    assert re.search(r"\[error\].*(Connection refused|Connection reset by peer|prematurely closed).*" + dead, log), log
