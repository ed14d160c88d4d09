"""https against real peers on 127.0.0.1: curl and Node's https client against our
server, our client against Node's https server, nginx terminating TLS in front of our
plain server (our client through it) and nginx speaking TLS to our https server.

Each peer is skipped when its program is missing, except under CI (``CI`` set), where a
missing peer fails. Certificates are the committed ones in tests/certs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio

import trio_nodestreams as ns
from trio_nodestreams import http, https

from .peers._support import PEERS, free_port, hash_upload, require, run

pytestmark = pytest.mark.leak_check

ROOT = Path(__file__).resolve().parents[1]
CERTS = ROOT / "tests" / "certs"
CA = str(CERTS / "ca.pem")
CURL = ("-sS", "--noproxy", "*", "--cacert", CA)


def read(name: str) -> bytes:
    return (CERTS / name).read_bytes()


@asynccontextmanager
async def serving(handler: Any) -> AsyncIterator[int]:
    async with ns.open_scope():
        server = https.create_server({"key": read("server-key.pem"), "cert": read("server.pem")}, handler)
        await server.listen(0, "127.0.0.1")
        try:
            yield server.address()["port"]  # type: ignore[index]
        finally:
            server.close()
            server.close_all_connections()


async def test_curl_get_keep_alive_and_chunked_upload() -> None:
    curl = require("curl")

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/hash":
            await hash_upload(req, res)
        else:
            res.end(f"{req.url} over {req.socket.get_protocol()}")  # type: ignore[union-attr]

    data = os.urandom(3 * 1024 * 1024 + 17)
    with trio.fail_after(60):
        async with serving(handler) as port:
            base = f"https://localhost:{port}"
            proc = await run([curl, *CURL, "-v", f"{base}/one", f"{base}/two"])
            up = await run(
                [curl, *CURL, "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", f"{base}/hash"], stdin=data
            )
    assert proc.stdout == b"/one over TLSv1.3/two over TLSv1.3"
    assert b"Re-using existing connection" in proc.stderr or b"Reusing existing connection" in proc.stderr
    assert json.loads(up.stdout) == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


async def test_curl_refuses_without_the_ca() -> None:
    curl = require("curl")
    with trio.fail_after(30):
        async with serving(lambda req, res: res.end("x")) as port:
            proc = await trio.run_process(
                [curl, "-sS", "--noproxy", "*", f"https://localhost:{port}/"], capture_stdout=True,
                capture_stderr=True, check=False,
            )  # fmt: skip
            # The server serves on after the refusal.
            ok = await run([curl, *CURL, f"https://localhost:{port}/"])
    assert proc.returncode == 60, proc.stderr  # curl: peer certificate cannot be authenticated
    assert ok.stdout == b"x"


async def test_node_https_client_against_our_server() -> None:
    node = require("node")

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> Any:
        if req.url == "/hash":
            return hash_upload(req, res)
        res.end(req.url)
        return None

    async def dispatch(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        result = handler(req, res)
        if result is not None:
            await result

    with trio.fail_after(60):
        async with serving(dispatch) as port:
            proc = await run([node, str(PEERS / "node_https.js"), "client", str(port), "4", str(2 * 1024 * 1024)])
    out = json.loads(proc.stdout)
    assert [r["body"] for r in out["results"]] == [f"/req/{i}" for i in range(4)]
    assert [r["reused"] for r in out["results"]] == [False, True, True, True]
    assert all(r["authorized"] and r["protocol"] == "TLSv1.3" for r in out["results"])
    assert out["upload"]["answer"] == {"size": 2 * 1024 * 1024, "sha256": out["upload"]["sha256"]}


@asynccontextmanager
async def node_server() -> AsyncIterator[int]:
    node = require("node")
    proc = await trio.lowlevel.open_process([node, str(PEERS / "node_https.js"), "server"], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = b""
        with trio.fail_after(20):
            while not line.endswith(b"\n"):
                got = await proc.stdout.receive_some(64)
                assert got, "node exited before listening"
                line += got
        found = re.fullmatch(rb"(\d+)\n", line)
        assert found, line
        yield int(found.group(1))
    finally:
        with trio.CancelScope(shield=True):
            proc.kill()
            await proc.wait()
            if proc.stdout is not None:
                await proc.stdout.aclose()


async def test_our_client_against_node_https_server() -> None:
    with trio.fail_after(60):
        async with node_server() as port, ns.open_scope():
            agent = https.Agent(keep_alive=True, ca=read("ca.pem"))
            req = https.get(f"https://localhost:{port}/hello", agent=agent)
            res = await req.response()
            assert b"".join([c async for c in res]) == b"hello from node https"
            assert req.socket.authorized  # type: ignore[union-attr]

            data = os.urandom(3 * 1024 * 1024)
            req = https.request(f"https://localhost:{port}/hash", method="POST", agent=agent)
            for i in range(0, len(data), 65536):
                await req.send_all(data[i : i + 65536])
            req.end()
            res = await req.response()
            answer = json.loads(b"".join([c async for c in res]))
            assert answer == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            assert req.reused_socket

            res = await https.get(f"https://localhost:{port}/stream?n=2000", agent=agent).response()
            assert len(b"".join([c async for c in res])) == 2000 * 1024

            # Node's server with a certificate we do not trust: Node's code.
            req = https.get(f"https://localhost:{port}/hello", agent=False)
            with pytest.raises(ns.NodeError) as info:
                await req.response()
            assert info.value.code == "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
            agent.destroy()


# -- nginx --------------------------------------------------------------------------------


@asynccontextmanager
async def nginx_tls(plain_upstream: int, tls_upstream: int, tmp_path: Path) -> AsyncIterator[tuple[int, int]]:
    """nginx with TLS on both sides (tests/peers/nginx_tls.conf.template); yields (tls_port, plain_port)."""
    nginx = require("nginx")
    tls_port, plain_port = free_port(), free_port()
    conf = (PEERS / "nginx_tls.conf.template").read_text()
    for name, value in (("@DIR@", str(tmp_path)), ("@CERTS@", str(CERTS)), ("@TLS_PORT@", str(tls_port)),
                        ("@PLAIN_PORT@", str(plain_port)), ("@PLAIN_UPSTREAM@", str(plain_upstream)),
                        ("@TLS_UPSTREAM@", str(tls_upstream))):  # fmt: skip
        conf = conf.replace(name, value)
    (tmp_path / "nginx.conf").write_text(conf)
    proc = await trio.lowlevel.open_process(
        [nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with trio.fail_after(10):
            for port in (tls_port, plain_port):
                while True:
                    if proc.poll() is not None:
                        pytest.fail(f"nginx exited: {(tmp_path / 'error.log').read_text(errors='replace')}")
                    try:
                        stream = await trio.open_tcp_stream("127.0.0.1", port)
                    except OSError:
                        await trio.sleep(0.02)  # not listening yet: poll under the deadline
                        continue
                    await stream.aclose()
                    break
        yield tls_port, plain_port
    finally:
        with trio.CancelScope(shield=True):
            if proc.poll() is None:
                proc.send_signal(signal.SIGQUIT)
                with trio.move_on_after(5):
                    await proc.wait()
                if proc.poll() is None:
                    proc.kill()
                    await proc.wait()


async def test_nginx_terminates_tls_and_speaks_tls_to_our_server(tmp_path: Path) -> None:
    """Our https client -> nginx (TLS) -> our http server; plain client -> nginx -> our https server."""
    data = os.urandom(2 * 1024 * 1024 + 5)

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/hash":
            await hash_upload(req, res)
        else:
            res.end(f"{req.url} encrypted={req.socket.encrypted}")  # type: ignore[union-attr]

    with trio.fail_after(60):
        async with ns.open_scope():
            plain = http.create_server(handler)
            await plain.listen(0, "127.0.0.1")
            plain_port_ours: int = plain.address()["port"]  # type: ignore[index]
            async with (
                serving(handler) as tls_port_ours,
                nginx_tls(plain_port_ours, tls_port_ours, tmp_path) as (tls_port, plain_port),
            ):
                agent = https.Agent(keep_alive=True, ca=read("ca.pem"))
                bodies = []
                for i in range(3):
                    req = https.get(f"https://localhost:{tls_port}/{i}", agent=agent)
                    res = await req.response()
                    bodies.append(b"".join([c async for c in res]))
                assert bodies == [f"/{i} encrypted=False".encode() for i in range(3)]
                assert req.reused_socket
                req = https.request(f"https://localhost:{tls_port}/hash", method="POST", agent=agent)
                req.end(data)
                answer = json.loads(b"".join([c async for c in await req.response()]))
                assert answer == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                agent.destroy()

                # nginx verifies our https server against the test CA and keeps it alive.
                for i in range(2):
                    res = await http.get(f"http://127.0.0.1:{plain_port}/via/{i}", agent=False).response()
                    assert b"".join([c async for c in res]) == f"/via/{i} encrypted=True".encode()
                req = http.request(f"http://127.0.0.1:{plain_port}/hash", method="POST", agent=False)
                req.end(data)
                answer = json.loads(b"".join([c async for c in await req.response()]))
                assert answer == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            plain.close()
            plain.close_all_connections()
