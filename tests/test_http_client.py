"""The http client against real servers: Node's http server, our own server, raw sockets.

Node's server runs from tests/peers/node_server_for_client.js (skipped without node,
failing under CI). Memory figures come from a client alone in its process
(tests/peers/client_upload.py); ``TNS_CLIENT_UPLOAD_BYTES`` sets the upload size
(default 256 MiB; 1 GiB for the long run).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio

import trio_nodestreams as ns
from trio_nodestreams import http

from .peers._support import PEERS, require, serving

MiB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]
UPLOAD_BYTES = int(os.environ.get("TNS_CLIENT_UPLOAD_BYTES", 256 * MiB))
PROXY_BYTES = int(os.environ.get("TNS_PROXY_BYTES", 256 * MiB))
MAX_GROWTH = 32 * MiB

# After each test: no task, fd or connection object left (tests/conftest.py).
pytestmark = pytest.mark.leak_check


async def read_all(res: http.IncomingMessage) -> bytes:
    return b"".join([chunk async for chunk in res])


@asynccontextmanager
async def subprocess_port(argv: list[str]) -> AsyncIterator[tuple[int, int]]:
    """Start a server process that prints its port first; yield (pid, port)."""
    proc = await trio.lowlevel.open_process(argv, stdout=subprocess.PIPE, cwd=ROOT)
    try:
        assert proc.stdout is not None
        line = b""
        with trio.fail_after(20):
            while not line.endswith(b"\n"):
                got = await proc.stdout.receive_some(64)
                assert got, f"{argv} exited before listening"
                line += got
        found = re.search(rb"(\d+)/?\s*$", line)
        assert found, line
        yield proc.pid, int(found.group(1))
    finally:
        with trio.CancelScope(shield=True):
            proc.kill()
            await proc.wait()
            if proc.stdout is not None:
                await proc.stdout.aclose()


@asynccontextmanager
async def node_server() -> AsyncIterator[int]:
    node = require("node")
    async with subprocess_port([node, str(PEERS / "node_server_for_client.js")]) as (_pid, port):
        yield port


# -- Node's http server ------------------------------------------------------------


async def test_against_node_server_get_post_stream() -> None:
    with trio.fail_after(60):  # a connection that stops reading must fail the test, not hang it
        async with node_server() as port, ns.open_scope():
            agent = http.Agent(keep_alive=True)
            res = await http.get(f"http://127.0.0.1:{port}/hello", agent=agent).response()
            assert res.status_code == 200 and await read_all(res) == b"hello from node"

            data = os.urandom(300_000)
            req = http.request(host="127.0.0.1", port=port, method="POST", path="/hash", agent=agent)
            req.write(data[:100_000])
            req.end(data[100_000:])
            answer = json.loads(await read_all(await req.response()))
            assert answer == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "te": "chunked", "cl": None}

            req = http.request(host="127.0.0.1", port=port, method="POST", path="/hash", agent=agent)
            req.end(b"x" * 1000)
            answer = json.loads(await read_all(await req.response()))
            assert answer["cl"] == "1000" and answer["te"] is None

            res = await http.get(host="127.0.0.1", port=port, path="/stream?n=500", agent=agent).response()
            assert res.headers["transfer-encoding"] == "chunked"
            assert await read_all(res) == b"x" * 1024 * 500

            # Every request of this test went over one kept-alive connection.
            ports = set()
            for _ in range(5):
                res = await http.get(host="127.0.0.1", port=port, path="/conn", agent=agent).response()
                ports.add(await read_all(res))
            assert len(ports) == 1
            agent.destroy()


async def test_against_node_server_echo_pipe() -> None:
    """req.pipe-style upload and a streamed response, both with back-pressure."""
    async with node_server() as port, ns.open_scope():
        src = ns.Readable.from_iterable([os.urandom(64 * 1024) for _ in range(64)])
        chunks: list[bytes] = []
        src.on("data", chunks.append)
        req = http.request(host="127.0.0.1", port=port, method="PUT", path="/echo", agent=False)
        src.pipe(req)
        res = await req.response()
        got = hashlib.sha256()
        size = 0
        async for chunk in res:
            got.update(chunk)
            size += len(chunk)
        assert size == 64 * 64 * 1024
        assert got.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()


# -- our own server ------------------------------------------------------------------


async def test_keep_alive_one_connection_for_many_requests() -> None:
    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        body = b"".join([c async for c in req])
        res.end(b"%s %s %d" % (req.method.encode(), req.url.encode(), len(body)))  # type: ignore[union-attr]

    agent = http.Agent(keep_alive=True)
    async with serving(handler) as srv:
        frees = []
        agent.on("free", lambda sock, opts: frees.append(sock))
        for i in range(20):
            req = http.request(host="127.0.0.1", port=srv.port, method="POST", path=f"/{i}", agent=agent)
            req.end(b"y" * i)
            res = await req.response()
            assert await read_all(res) == f"POST /{i} {i}".encode()
            assert req.reused_socket == (i > 0)
        assert len(srv.connections) == 1
        assert len(frees) == 20
        assert sum(len(v) for v in agent.free_sockets.values()) == 1
    # The scope that opened the pooled socket ended: the socket is closed and dropped.
    assert agent.free_sockets == {} and agent.sockets == {}


async def test_parallel_requests_respect_max_sockets() -> None:
    active = [0]
    peak = [0]

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        active[0] += 1
        peak[0] = max(peak[0], active[0])
        await trio.sleep(0.02)
        active[0] -= 1
        res.end("ok")

    agent = http.Agent(keep_alive=True, max_sockets=3)
    async with serving(handler) as srv:
        results = []

        async def one(i: int) -> None:
            res = await http.get(host="127.0.0.1", port=srv.port, path=f"/{i}", agent=agent).response()
            results.append(await read_all(res))

        async with trio.open_nursery() as nursery:
            for i in range(12):
                nursery.start_soon(one, i)
        assert results == [b"ok"] * 12
        assert peak[0] == 3
        assert len(srv.connections) == 3


async def test_server_closing_idle_socket_is_survived() -> None:
    """keep_alive_timeout closes the pooled socket: the next request detects it and reconnects."""
    async with serving(lambda req, res: res.end("fine")) as srv:
        agent = http.Agent(keep_alive=True)
        for _ in range(3):
            res = await http.get(host="127.0.0.1", port=srv.port, agent=agent).response()
            assert await read_all(res) == b"fine"
            await trio.sleep(0.05)  # the response's release, then the server closes the idle socket
            srv.server.close_idle_connections()
            await trio.sleep(0.05)
        assert len(srv.connections) == 3


async def test_reused_socket_failing_before_response_is_retried_once() -> None:
    """The race Node leaves to the user: the server closes a kept-alive socket as the
    next request arrives. An idempotent request is retried on a new connection."""
    conns: list[int] = []

    async def raw_server(task_status: Any) -> None:
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        task_status.started(listeners[0].socket.getsockname()[1])

        async def serve(stream: trio.SocketStream, n: int) -> None:
            async with stream:
                buf = b""
                answered = 0
                while True:
                    got = await stream.receive_some(65536)
                    if not got:
                        return
                    buf += got
                    while b"\r\n\r\n" in buf:
                        _, _, buf = buf.partition(b"\r\n\r\n")
                        if n == 0 and answered == 1:
                            return  # close without an answer, as if the idle timer fired
                        await stream.send_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n%d" % n)
                        answered += 1

        async with listeners[0], trio.open_nursery() as nursery:
            while True:
                stream = await listeners[0].accept()
                conns.append(len(conns))
                nursery.start_soon(serve, stream, len(conns) - 1)

    with trio.fail_after(10):  # a request that is never resent must fail, not hang
        async with trio.open_nursery() as outer:
            port = await outer.start(raw_server)
            async with ns.open_scope():
                agent = http.Agent(keep_alive=True)
                res = await http.get(host="127.0.0.1", port=port, agent=agent).response()
                assert await read_all(res) == b"0"
                await trio.sleep(0.05)
                req = http.get(host="127.0.0.1", port=port, agent=agent)
                res = await req.response()
                assert req.reused_socket
                assert await read_all(res) == b"1"
                # The new connection is pooled and reused in turn.
                res = await http.get(host="127.0.0.1", port=port, agent=agent).response()
                await read_all(res)
            outer.cancel_scope.cancel()
    assert len(conns) == 2


async def test_early_response_during_upload_is_surfaced() -> None:
    """The server answers 413 without reading a large upload: the client sees the answer."""

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.status_code = 413
        res.set_header("Connection", "close")
        res.end("too big")

    async with serving(handler) as srv:
        req = http.request(host="127.0.0.1", port=srv.port, method="POST", path="/", agent=False)
        req.on("error", lambda e: None)
        block = b"z" * (1024 * 1024)

        async def upload() -> None:
            for _ in range(512):  # 512 MiB: far more than the kernel buffers hold
                if req.destroyed:
                    return
                if not req.write(block):
                    drained = trio.Event()
                    req.once("drain", drained.set)
                    req.once("close", drained.set)
                    await drained.wait()
            req.end()

        with trio.fail_after(20):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(upload)
                res = await req.response()
                assert res.status_code == 413
                assert await read_all(res) == b"too big"
                with trio.move_on_after(5):
                    while not req.destroyed:
                        await trio.sleep(0.01)
                assert req.destroyed
                nursery.cancel_scope.cancel()


async def test_response_back_pressure_stops_reading_the_socket() -> None:
    """A response nobody reads: the client holds about a high-water mark, not the body."""
    sent = [0]
    finished = trio.Event()

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        block = b"q" * 65536
        for _ in range(64 * 16):  # 64 MiB
            await res.send_all(block)
            sent[0] += len(block)
        res.end()
        finished.set()

    async with serving(handler) as srv:
        req = http.get(host="127.0.0.1", port=srv.port, agent=False)
        res = await req.response()
        res.pause()
        await trio.sleep(0.5)
        assert res.readable_length <= 2 * res.readable_high_water_mark + 65536
        assert sent[0] < 16 * MiB  # the server is held back by TCP, through us
        got = len(b"".join([c async for c in res]))
        await finished.wait()
        assert got == 64 * MiB


async def test_trio_cancellation_and_destroy() -> None:
    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        await trio.sleep(10)

    async with serving(handler) as srv:
        req = http.get(host="127.0.0.1", port=srv.port, agent=False)
        errors: list[BaseException] = []
        req.on("error", errors.append)
        with trio.move_on_after(0.1) as cs:
            await req.response()
        assert cs.cancelled_caught
        req.destroy()
        with pytest.raises(ns.NodeError) as info:
            await req.response()
        assert info.value.code == "ECONNRESET"
        await trio.sleep(0.01)
        assert [getattr(e, "code", None) for e in errors] == ["ECONNRESET"]


async def test_errors_as_exceptions_from_response() -> None:
    async with ns.open_scope():
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        port = listeners[0].socket.getsockname()[1]
        await listeners[0].aclose()
        with pytest.raises(ns.NodeError) as info:
            await http.get(host="127.0.0.1", port=port, agent=False).response()
        assert info.value.code == "ECONNREFUSED"

        async def hang(*_: Any) -> Any:
            await trio.sleep_forever()

        with pytest.raises(ns.NodeError) as info:
            await http.get(
                host="127.0.0.1", port=port, agent=False, connect_timeout=50, create_connection=hang
            ).response()
        assert info.value.code == "ETIMEDOUT"


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HPE_UNEXPECTED_CONTENT_LENGTH"),
        (b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", "HPE_INVALID_HEADER_TOKEN"),
        (b"XTTP/1.1 200 OK\r\n\r\n", "HPE_INVALID_CONSTANT"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HPE_INVALID_CHUNK_SIZE"),
        (b"HTTP/1.1 200 OK\r\nX: " + b"a" * 20000 + b"\r\n\r\n", "HPE_HEADER_OVERFLOW"),
    ],
)
async def test_malformed_responses_are_errors_not_hangs(answer: bytes, code: str) -> None:
    async with trio.open_nursery() as outer:
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        port = listeners[0].socket.getsockname()[1]

        async def serve_once() -> None:
            stream = await listeners[0].accept()
            async with stream:
                await stream.receive_some(65536)
                await stream.send_all(answer)
                await trio.sleep(5)

        outer.start_soon(serve_once)
        async with ns.open_scope():
            req = http.get(host="127.0.0.1", port=port, agent=False)
            with trio.fail_after(3):
                try:
                    res = await req.response()
                    errors: list[BaseException] = []
                    res.on("error", errors.append)
                    await ns.finished(res)
                    raise AssertionError("no error")
                except ns.NodeError as exc:
                    assert exc.code in (code, "ECONNRESET", "ERR_STREAM_PREMATURE_CLOSE")
                    if "Content-Length: 1\r\nContent-Length" in answer.decode() or b"XTTP" in answer:
                        assert exc.code == code
        outer.cancel_scope.cancel()
        await listeners[0].aclose()


async def test_request_outside_a_scope_says_what_to_do() -> None:
    with pytest.raises(ns.NodeError) as info:
        http.get("http://127.0.0.1:1/")
    assert info.value.code == "ERR_NO_SCOPE"


async def test_headers_sent_errors_and_cork() -> None:
    async with serving(lambda req, res: req.pipe(res)) as srv:
        req = http.request(host="127.0.0.1", port=srv.port, method="POST", agent=False)
        req.cork()
        req.write("a")
        req.write("b")
        ns.next_tick(req.uncork)
        with pytest.raises(ns.NodeError) as info:
            req.set_header("X", "1")
        assert info.value.code == "ERR_HTTP_HEADERS_SENT"
        req.end("c")
        res = await req.response()
        assert await read_all(res) == b"abc"


# -- memory ----------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_chunked_upload_keeps_client_memory_flat() -> None:
    async with subprocess_port(
        [sys.executable, str(PEERS / "measured_server.py"), "upload", "0"]
    ) as (_pid, port):
        with trio.fail_after(600):
            proc = await trio.run_process(
                [sys.executable, str(PEERS / "client_upload.py"), str(port), str(UPLOAD_BYTES)],
                capture_stdout=True,
                cwd=ROOT,
            )
    result = json.loads(proc.stdout)
    growth = result["hwm_after"] - result["rss_before"]
    print(f"\nclient chunked upload: bytes={UPLOAD_BYTES} peak_growth_MiB={growth / MiB:.1f}")
    assert result["status"] == 200
    assert result["answer"]["size"] == UPLOAD_BYTES
    assert result["answer"]["sha256"] == result["sha256"]
    assert growth < MAX_GROWTH


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_proxy_example_moves_bytes_intact_with_flat_memory() -> None:
    from .test_http_memory import memory, reset_peak

    async with subprocess_port([sys.executable, str(PEERS / "measured_server.py"), "echo"]) as (_p, up), subprocess_port(
        [sys.executable, str(ROOT / "examples" / "proxy.py"), "0", f"127.0.0.1:{up}"]
    ) as (proxy_pid, proxy_port), ns.open_scope():
        # warm up
        req = http.request(host="127.0.0.1", port=proxy_port, method="POST", path="/", agent=False)
        req.end(b"w" * 65536)
        assert len(await read_all(await req.response())) == 65536
        before = memory(proxy_pid)
        was_reset = reset_peak(proxy_pid)
        sent = hashlib.sha256()
        got = hashlib.sha256()
        size = [0]
        req = http.request(host="127.0.0.1", port=proxy_port, method="POST", path="/", agent=False)
        base = os.urandom(MiB)

        async def upload() -> None:
            for i in range(PROXY_BYTES // MiB):
                block = i.to_bytes(8, "big") + base[8:]
                sent.update(block)
                await req.send_all(block)
            req.end()

        with trio.fail_after(600):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(upload)
                res = await req.response()
                async for chunk in res:
                    got.update(chunk)
                    size[0] += len(chunk)
        after = memory(proxy_pid)
    growth = after["VmHWM"] - (before["VmRSS"] if was_reset else before["VmHWM"])
    print(f"\nproxy example: bytes={PROXY_BYTES} proxy_peak_growth_MiB={growth / MiB:.1f}")
    assert size[0] == PROXY_BYTES
    assert got.hexdigest() == sent.hexdigest()
    assert growth < MAX_GROWTH


# -- the command line --------------------------------------------------------------------


async def test_cli_get_downloads_to_a_file(tmp_path: Path) -> None:
    data = os.urandom(8 * MiB + 123)

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/missing":
            res.status_code = 404
            res.end("no")
            return
        res.set_header("Content-Length", len(data))
        for off in range(0, len(data), 256 * 1024):
            await res.send_all(data[off : off + 256 * 1024])
        res.end()

    async with serving(handler) as srv:
        out = tmp_path / "file.bin"
        proc = await trio.run_process(
            [sys.executable, "-m", "trio_nodestreams", "get", srv.url("/file"), "-o", str(out)],
            capture_stderr=True, cwd=ROOT, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert out.read_bytes() == data
        assert proc.stderr == b""  # no progress bar off a terminal (tests/test_cli.py draws it in a pty)
        proc = await trio.run_process(
            [sys.executable, "-m", "trio_nodestreams", "get", srv.url("/missing"), "-o", str(tmp_path / "x")],
            capture_stderr=True, cwd=ROOT, check=False,
        )  # fmt: skip
        assert proc.returncode == 1 and b"404" in proc.stderr
        proc = await trio.run_process(
            [sys.executable, "-m", "trio_nodestreams", "get", "ftp://127.0.0.1/"],
            capture_stderr=True, cwd=ROOT, check=False,
        )  # fmt: skip
        assert proc.returncode == 2 and b"ERR_INVALID_PROTOCOL" in proc.stderr


# -- request options and Agent surface the byte-level twins do not touch -------------------


async def test_request_options_and_agent_surface() -> None:
    """Port of test/parallel/test-http-agent-getname.js, test-http-basic-auth.js,
    test-http-request-dont-override-options.js and test-http-client-abort-event.js:
    get_name, auth, set_host, hostname, default_port, the socket options, abort()."""
    import socket as stdsocket

    heads: list[dict[str, Any]] = []

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        heads.append(dict(req.headers))
        res.end("ok")

    assert http.Agent().get_name({"host": "example", "port": 80}) == "example:80:"
    assert http.Agent().get_name({"host": "h", "port": 81, "local_address": "127.0.0.1"}) == "h:81:127.0.0.1"
    assert http.global_agent.keep_alive is True  # Node 19+: the global agent keeps alive
    async with serving(handler, require_host_header=False) as srv:
        agent = http.Agent(keep_alive=True, max_free_sockets=1, scheduling="fifo", max_total_sockets=4)
        req = http.request(
            hostname="127.0.0.1", host="ignored.invalid", port=srv.port, auth="u:p", agent=agent
        )
        req.end()
        res = await req.response()
        assert await read_all(res) == b"ok"
        assert req.socket is not None and not req.socket.connecting
        req.set_no_delay(False)
        assert req.socket._stream is not None
        assert req.socket._stream.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_NODELAY) == 0
        req.set_socket_keep_alive(True)
        assert req.socket._stream.getsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_KEEPALIVE) == 1
        res = await http.get(host="127.0.0.1", port=srv.port, set_host=False, agent=agent).response()
        await read_all(res)
        res = await http.get(host="127.0.0.1", port=srv.port, default_port=srv.port, agent=agent).response()
        await read_all(res)
        agent.destroy()

        aborted = http.request(host="127.0.0.1", port=srv.port, agent=False)
        events: list[str] = []
        aborted.on("abort", lambda: events.append("abort"))
        aborted.on("error", lambda err: events.append(err.code))
        aborted.abort()
        aborted.abort()
        await trio.sleep(0.05)
        assert aborted.aborted and aborted.destroyed and events[:1] == ["abort"] and events.count("abort") == 1
    assert heads[0]["host"] == f"127.0.0.1:{srv.port}" and heads[0]["authorization"] == "Basic dTpw"
    assert "host" not in heads[1]
    assert heads[2]["host"] == "127.0.0.1"  # the port is left out when it is the default
    with pytest.raises(ns.NodeError) as info:
        http.Agent(scheduling="random")  # type: ignore[arg-type]
    assert info.value.code == "ERR_INVALID_ARG_VALUE"


async def test_max_total_sockets_hands_a_closed_slot_to_another_origin() -> None:
    """Node's removeSocket: with every slot taken, a connection that closes lets a request
    waiting for another origin open one (here one slot, two origins, no keep-alive)."""
    with trio.fail_after(10):
        async with ns.open_scope():
            server = http.create_server(lambda req, res: res.end(req.headers["host"]))
            await server.listen(0, "127.0.0.1")
            port = server.address()["port"]
            agent = http.Agent(max_total_sockets=1)

            async def open_tcp(options: dict[str, Any]) -> trio.abc.Stream:
                return await trio.open_tcp_stream("127.0.0.1", port)

            got: list[bytes] = []

            async def one(host: str) -> None:
                req = http.get(
                    {"host": host, "port": port, "agent": agent, "create_connection": open_tcp,
                     "headers": {"host": host}}
                )  # fmt: skip
                res = await req.response()
                got.append(b"".join([chunk async for chunk in res]))

            async with trio.open_nursery() as nursery:
                nursery.start_soon(one, "a.test")
                nursery.start_soon(one, "b.test")
            assert sorted(got) == [b"a.test", b"b.test"]
            assert agent.requests == {} and agent._queued_options == {}
            server.close()
