"""The HTTP server against real peers on 127.0.0.1: curl, Node's http client, httpx, nginx.

Each peer is skipped when its program is missing, except under CI (``CI`` set), where
a missing peer fails: tests/peers/install_peers.sh installs them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

import trio_nodestreams as ns
from trio_nodestreams import http

from .peers._support import (
    PEERS,
    fingerprint,
    free_port,
    hash_upload,
    require,
    run,
    serving,
    split_responses,
)

CURL = ("-sS", "--noproxy", "*")


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=10)


# -- curl ----------------------------------------------------------------------------------


async def test_curl_get_http11() -> None:
    curl = require("curl")

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.set_header("Content-Type", "text/plain")
        res.end(f"{req.method} {req.url} HTTP/{req.http_version}")

    async with serving(handler) as srv:
        proc = await run([curl, *CURL, "-i", srv.url("/hello?x=1")])
    head, _, body = proc.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 23" in head
    assert body == b"GET /hello?x=1 HTTP/1.1"
    assert srv.requests[0].headers["user-agent"].startswith("curl/")


async def test_curl_http10_streamed_response_is_close_delimited() -> None:
    curl = require("curl")

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        await res.send_all(b"part one, ")
        res.end(f"part two ({req.http_version})")

    async with serving(handler) as srv:
        proc = await run([curl, *CURL, "-0", "-i", srv.url("/")])
    head, _, body = proc.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Transfer-Encoding" not in head
    assert b"Connection: close" in head
    assert body == b"part one, part two (1.0)"


async def test_curl_http10_keep_alive_with_length() -> None:
    """HTTP/1.0 + ``Connection: keep-alive`` and an explicit Content-Length: kept alive, as Node does.

    (``end(data)`` alone is close-delimited for HTTP/1.0 in Node 20, checked against it.)
    """
    curl = require("curl")

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.set_header("Content-Length", len(req.url))
        res.end(req.url)

    async with serving(handler) as srv:
        proc = await run(
            [
                curl,
                *CURL,
                "-0",
                "-H",
                "Connection: keep-alive",
                "-w",
                " %{num_connects}\n",
                srv.url("/a"),
                srv.url("/b"),
            ]
        )
    assert proc.stdout == b"/a 1\n/b 0\n"
    assert len(srv.connections) == 1


async def test_curl_chunked_upload_from_stdin() -> None:
    curl = require("curl")
    data = os.urandom(3 * 1024 * 1024 + 17)
    async with serving(hash_upload) as srv:
        proc = await run([curl, *CURL, "-T", "-", srv.url("/up")], stdin=data)
    assert json.loads(proc.stdout) == fingerprint(data)
    req = srv.requests[0]
    assert req.method == "PUT"
    assert req.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in req.headers


async def test_curl_expect_100_continue(tmp_path: Path) -> None:
    curl = require("curl")
    data = os.urandom(2 * 1024 * 1024)
    body = tmp_path / "body.bin"
    body.write_bytes(data)
    async with serving(hash_upload) as srv:
        # Were the 100 not sent, curl would wait the full 20 s before sending the body.
        with trio.fail_after(10):
            proc = await run(
                [
                    curl,
                    *CURL,
                    "-v",
                    "--expect100-timeout",
                    "20",
                    "--data-binary",
                    f"@{body}",
                    srv.url("/up"),
                ]
            )
    assert srv.requests[0].headers["expect"] == "100-continue"
    assert b"< HTTP/1.1 100 Continue" in proc.stderr
    assert json.loads(proc.stdout) == fingerprint(data)


async def test_curl_expect_refused_by_check_continue(tmp_path: Path) -> None:
    """A ``'checkContinue'`` listener answering 417: curl gets it instead of sending the body."""
    curl = require("curl")
    body = tmp_path / "body.bin"
    body.write_bytes(os.urandom(2 * 1024 * 1024))

    def refuse(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.write_head(417, {"Connection": "close"})
        res.end("no thanks")

    async with serving(None) as srv:
        srv.server.on("checkContinue", refuse)
        with trio.fail_after(10):
            proc = await run(
                [
                    curl,
                    *CURL,
                    "-v",
                    "--expect100-timeout",
                    "20",
                    "--data-binary",
                    f"@{body}",
                    srv.url("/up"),
                ]
            )
    assert b"< HTTP/1.1 417 Expectation Failed" in proc.stderr
    assert b"100 Continue" not in proc.stderr
    assert proc.stdout == b"no thanks"
    assert srv.requests == []


async def test_curl_reuses_one_connection_for_several_urls() -> None:
    curl = require("curl")

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.end(req.url + "\n")

    async with serving(handler) as srv:
        urls = [srv.url(f"/{i}") for i in range(5)]
        proc = await run([curl, *CURL, *urls])
    assert proc.stdout == b"".join(b"/%d\n" % i for i in range(5))
    assert len(srv.connections) == 1
    assert len(srv.requests) == 5


# -- Node's http client --------------------------------------------------------------------

NODE_CLIENT = str(PEERS / "node_client.js")


async def test_node_keep_alive_agent_sequential_requests() -> None:
    node = require("node")

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.end(req.url)

    async with serving(handler) as srv:
        proc = await run([node, NODE_CLIENT, "agent", str(srv.port), "6"])
    results = json.loads(proc.stdout)["results"]
    assert [r["body"] for r in results] == [f"/req/{i}" for i in range(6)]
    assert [r["status"] for r in results] == [200] * 6
    assert [r["reused"] for r in results] == [False] + [True] * 5
    assert len({r["localPort"] for r in results}) == 1
    assert len(srv.connections) == 1


async def test_node_raw_socket_pipelined_requests_answered_in_order() -> None:
    node = require("node")
    started: list[str] = []

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        started.append(req.url)
        if req.url == "/1":
            await trio.sleep(0.2)  # the slowest answer comes first all the same
        res.end(f"answer {req.url}")

    async with serving(handler) as srv:
        proc = await run([node, NODE_CLIENT, "pipeline", str(srv.port)])
    raw = json.loads(proc.stdout)["raw"].encode("latin-1")
    responses = split_responses(raw)
    assert [body for _, _, body in responses] == [b"answer /1", b"answer /2", b"answer /3"]
    assert all(status == b"HTTP/1.1 200 OK" for status, _, _ in responses)
    assert [h["connection"] for _, h, _ in responses] == ["keep-alive", "keep-alive", "close"]
    assert started == ["/1", "/2", "/3"]
    assert len(srv.connections) == 1


async def test_node_chunked_post_streamed() -> None:
    node = require("node")
    async with serving(hash_upload) as srv:
        proc = await run([node, NODE_CLIENT, "chunked-post", str(srv.port), "96", "16384"])
    out = json.loads(proc.stdout)
    assert out["status"] == 200
    assert out["answer"] == out["sent"]
    assert out["sent"]["size"] == 96 * 16384
    assert srv.requests[0].headers["transfer-encoding"] == "chunked"


# -- httpx ------------------------------------------------------------------------------


async def test_httpx_get() -> None:
    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.write_head(201, {"Content-Type": "text/plain", "X-Url": req.url})
        res.end("created")

    async with serving(handler) as srv, client() as c:
        r = await c.get(srv.url("/thing?q=1"))
    assert r.status_code == 201
    assert r.text == "created"
    assert r.headers["x-url"] == "/thing?q=1"
    assert r.http_version == "HTTP/1.1"


async def test_httpx_post_body() -> None:
    data = os.urandom(4 * 1024 * 1024 + 3)
    async with serving(hash_upload) as srv, client() as c:
        r = await c.post(srv.url("/up"), content=data)
        chunked = await c.post(srv.url("/up"), content=_pieces(data))
    assert r.status_code == 200
    assert r.json() == fingerprint(data)
    assert srv.requests[0].headers["content-length"] == str(len(data))
    assert chunked.json() == fingerprint(data)
    assert srv.requests[1].headers["transfer-encoding"] == "chunked"
    assert len(srv.connections) == 1


async def _pieces(data: bytes) -> AsyncIterator[bytes]:
    for i in range(0, len(data), 100_000):
        yield data[i : i + 100_000]


async def test_httpx_post_echo() -> None:
    # httpx sends the whole body before it reads the answer, so an echo of more than the
    # kernel's socket buffers would stall (with Node's server too); keep it small.
    data = os.urandom(64 * 1024 + 3)

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.pipe(res)

    async with serving(handler) as srv, client() as c:
        r = await c.post(srv.url("/echo"), content=data)
        r2 = await c.post(srv.url("/echo"), content=b"second")
    assert r.status_code == 200
    assert r.content == data
    assert r.headers["transfer-encoding"] == "chunked"
    assert r2.content == b"second"
    assert len(srv.connections) == 1


async def test_httpx_streaming_response_read_incrementally() -> None:
    """The first chunk reaches the client before the handler writes the second."""
    gate = trio.Event()

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.set_header("Content-Type", "application/octet-stream")
        await res.send_all(b"first;")
        with trio.fail_after(5):
            await gate.wait()
        for i in range(64):
            await res.send_all(bytes([i]) * 65536)
        res.end(b";last")

    async with serving(handler) as srv, client() as c, c.stream("GET", srv.url("/stream")) as r:
        chunks = r.aiter_raw()
        assert await chunks.__anext__() == b"first;"
        gate.set()
        rest = b"".join([chunk async for chunk in chunks])
    assert rest == b"".join(bytes([i]) * 65536 for i in range(64)) + b";last"


# -- nginx as a reverse proxy ------------------------------------------------------------


@asynccontextmanager
async def nginx_proxy(nginx: str, upstream_port: int, tmp_path: Path) -> AsyncIterator[int]:
    """Run nginx on a free port in front of ``upstream_port``; stop it afterwards."""
    port = free_port()
    conf = (PEERS / "nginx.conf.template").read_text()
    conf = conf.replace("@DIR@", str(tmp_path)).replace("@PORT@", str(port))
    conf = conf.replace("@UPSTREAM_PORT@", str(upstream_port))
    conf_path = tmp_path / "nginx.conf"
    conf_path.write_text(conf)
    proc = await trio.lowlevel.open_process(
        [nginx, "-c", str(conf_path), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with trio.fail_after(10):
            while True:
                if proc.poll() is not None:
                    err = (tmp_path / "error.log").read_text(errors="replace")
                    pytest.fail(f"nginx exited with {proc.returncode}: {err}")
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
                proc.send_signal(signal.SIGQUIT)  # graceful: finish, then exit
                with trio.move_on_after(5):
                    await proc.wait()
                if proc.poll() is None:
                    proc.kill()
                    await proc.wait()
            if proc.stderr is not None:
                await proc.stderr.aclose()


async def test_nginx_chunked_request_reaches_handler(tmp_path: Path) -> None:
    curl = require("curl")
    nginx = require("nginx")
    data = os.urandom(3 * 1024 * 1024 + 5)
    async with serving(hash_upload) as srv, nginx_proxy(nginx, srv.port, tmp_path) as port:
        proc = await run([curl, *CURL, "-T", "-", f"http://127.0.0.1:{port}/up"], stdin=data)
    assert json.loads(proc.stdout) == fingerprint(data)
    req = srv.requests[0]
    assert req.headers["transfer-encoding"] == "chunked"  # unbuffered: nginx streams it on
    assert req.http_version == "1.1"


async def test_nginx_streamed_response_passes_through(tmp_path: Path) -> None:
    nginx = require("nginx")
    gate = trio.Event()
    payload = os.urandom(4 * 1024 * 1024)

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        await res.send_all(b"head;")
        with trio.fail_after(5):
            await gate.wait()
        for i in range(0, len(payload), 65536):
            await res.send_all(payload[i : i + 65536])
        res.end()

    async with (
        serving(handler) as srv,
        nginx_proxy(nginx, srv.port, tmp_path) as port,
        client() as c,
        c.stream("GET", f"http://127.0.0.1:{port}/stream") as r,
    ):
        chunks = r.aiter_raw()
        assert await chunks.__anext__() == b"head;"  # proxy_buffering off: no wait
        gate.set()
        rest = b"".join([chunk async for chunk in chunks])
        assert r.headers["transfer-encoding"] == "chunked"
    assert rest == payload


async def test_nginx_keeps_upstream_connection_alive(tmp_path: Path) -> None:
    nginx = require("nginx")

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.method == "POST":
            req.pipe(res)
        else:
            res.end(req.url)

    async with (
        serving(handler) as srv,
        nginx_proxy(nginx, srv.port, tmp_path) as port,
        client() as c,
    ):
        bodies = [(await c.get(f"http://127.0.0.1:{port}/{i}")).text for i in range(5)]
        echoed = await c.post(f"http://127.0.0.1:{port}/echo", content=b"x" * 100_000)
        after = (await c.get(f"http://127.0.0.1:{port}/after")).text
    assert bodies == [f"/{i}" for i in range(5)]
    assert echoed.content == b"x" * 100_000
    assert after == "/after"
    assert len(srv.requests) == 7
    assert len(srv.connections) == 1
    assert all(req.headers.get("connection") is None for req in srv.requests)


# -- nginx in front of our client -------------------------------------------------------


async def read_body(res: http.IncomingMessage) -> bytes:
    return b"".join([chunk async for chunk in res])


async def test_client_keep_alive_through_nginx(tmp_path: Path) -> None:
    """Our http client's Agent keeps one connection to nginx for N requests, bodies or not."""
    nginx = require("nginx")

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        body = await read_body(req)
        res.end(b"%s %s %d" % (req.method.encode(), req.url.encode(), len(body)))  # type: ignore[union-attr]

    agent = http.Agent(keep_alive=True)
    sockets: list[object] = []
    ports: set[int | None] = set()
    async with serving(handler) as srv, nginx_proxy(nginx, srv.port, tmp_path) as port:
        for i in range(12):
            method = "POST" if i % 3 == 2 else "GET"
            req = http.request(host="127.0.0.1", port=port, method=method, path=f"/{i}", agent=agent)
            req.end(b"z" * (i * 100) if method == "POST" else None)
            res = await req.response()
            body = await read_body(res)
            expected = f"{method} /{i} {i * 100 if method == 'POST' else 0}".encode()
            assert (res.status_code, body) == (200, expected)
            assert req.reused_socket == (i > 0)
            assert req.socket is not None
            sockets.append(req.socket)
            ports.add(req.socket.local_port)
        assert sum(len(v) for v in agent.free_sockets.values()) == 1
    assert len({id(s) for s in sockets}) == 1 and len(ports) == 1
    assert len(srv.requests) == 12


async def test_client_chunked_upload_through_nginx(tmp_path: Path) -> None:
    """A chunked upload written piece by piece by our client reaches our server intact through nginx."""
    nginx = require("nginx")
    pieces = [os.urandom(n) for n in (1, 65536, 7, 300_000, 1024 * 1024 + 3, 13, 200_000)] * 2
    data = b"".join(pieces)
    async with serving(hash_upload) as srv, nginx_proxy(nginx, srv.port, tmp_path) as port:
        req = http.request(host="127.0.0.1", port=port, method="PUT", path="/up")
        wire = bytearray()

        def record(sock: Any) -> None:
            plain_write = sock.write

            def write(data: bytes, callback: Any = None) -> bool:
                if len(wire) < 4096:
                    wire.extend(data[:4096])
                return bool(plain_write(data, callback))

            sock.write = write

        req.on("socket", record)
        for piece in pieces:
            await req.send_all(piece)
        req.end()
        res = await req.response()
        answer = json.loads(await read_body(res))
    head = bytes(wire).partition(b"\r\n\r\n")[0].lower()
    assert b"\r\ntransfer-encoding: chunked" in head and b"content-length" not in head
    assert res.status_code == 200 and answer == fingerprint(data)
    seen = srv.requests[0]
    assert seen.headers["transfer-encoding"] == "chunked"  # nginx streamed it on, unbuffered
    assert "content-length" not in seen.headers


# -- server lifecycle as a peer sees it ---------------------------------------------------


async def test_listener_closed_when_owning_scope_is_cancelled() -> None:
    with trio.CancelScope() as cancelled:
        async with ns.open_scope():
            server = http.create_server(lambda req, res: res.end())
            await server.listen(0, "127.0.0.1")
            port = server.address()["port"]  # type: ignore[index]
            await trio.sleep(0.01)
            cancelled.cancel()
    listener = server._listeners[0].socket
    try:
        with pytest.raises(OSError):
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            await stream.aclose()
    finally:
        listener.close()  # do not leak it into the next test while the bug stands
