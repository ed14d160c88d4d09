"""Twins of tests/scenarios/https: our https server and client against Node's golden logs.

The certificates are the committed ones in tests/certs (made by tests/certs/make.py).
As in the scenarios, server and client lines are kept apart and logged at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import trio

from trio_nodestreams import https

from ._golden import Log, scenario

CERTS = Path(__file__).resolve().parents[1] / "certs"


def read(name: str) -> bytes:
    return (CERTS / name).read_bytes()


@scenario("https/secure-connection-order")
async def test_secure_connection_order(log: Log) -> None:
    """'connection', 'secureConnection', then 'request'; the TLS facts of both sockets."""
    server_lines: list[list[Any]] = []
    client_lines: list[list[Any]] = []

    def handler(req: Any, res: Any) -> None:
        s = req.socket
        server_lines.append(
            ["server", "request", req.url, s.encrypted, s.authorized, s.alpn_protocol, s.servername, s.get_protocol()]
        )
        res.end("ok " + req.url)

    server = https.create_server({"key": read("server-key.pem"), "cert": read("server.pem")}, handler)
    server.on("connection", lambda _s: server_lines.append(["server", "connection"]))
    server.on("secureConnection", lambda s: server_lines.append(["server", "secureConnection", s.encrypted, s.servername]))
    server.on("tlsClientError", lambda e, _s: server_lines.append(["server", "tlsClientError", e]))
    await server.listen(0, "127.0.0.1")
    port = server.address()["port"]  # type: ignore[index]
    agent = https.Agent(keep_alive=True, ca=read("ca.pem"))
    for url in ("/first", "/second"):
        req = https.get(host="localhost", port=port, path=url, agent=agent)
        req.on("socket", lambda s: client_lines.append(["client", "socket", s.encrypted]))
        res = await req.response()
        s = req.socket
        assert s is not None
        client_lines.append(
            ["client", "response", res.status_code, req.reused_socket, s.encrypted, s.authorized,
             s.alpn_protocol, s.get_protocol()]  # type: ignore[attr-defined]
        )  # fmt: skip
        body = b"".join([chunk async for chunk in res])
        client_lines.append(["client", "end", body.decode()])
    agent.destroy()
    server.close()
    await server.wait_closed()
    for line in server_lines + client_lines:
        log(*line)


async def _plain_400(stream: trio.SocketStream) -> None:
    async with stream:
        await stream.receive_some(65536)
        await stream.send_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")


async def _hangup(stream: trio.SocketStream) -> None:
    await stream.receive_some(65536)
    await trio.aclose_forcefully(stream)


@scenario("https/client-cert-errors")
async def test_client_cert_errors(log: Log) -> None:
    """The client's error code for each certificate failure, as Node's."""
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("trusted", "server", {"ca": read("ca.pem")}),
        ("no-ca", "server", {}),
        ("selfsigned", "selfsigned", {}),
        ("root-in-chain", "server-with-root", {"ca": read("other-ca.pem")}),
        ("expired", "expired", {"ca": read("ca.pem")}),
        ("wrong-host", "wronghost", {"ca": read("ca.pem")}),
        ("servername-mismatch", "server", {"ca": read("ca.pem"), "servername": "wrong.example"}),
        ("not-verified", "selfsigned", {"reject_unauthorized": False}),
        ("plain-port", "plain", {"ca": read("ca.pem")}),
        ("hangup", "hangup", {"ca": read("ca.pem")}),
    ]
    for name, kind, options in cases:
        async with trio.open_nursery() as nursery:
            server: https.Server | None = None
            if kind in ("plain", "hangup"):
                listeners = await nursery.start(trio.serve_tcp, _plain_400 if kind == "plain" else _hangup, 0)
                port = listeners[0].socket.getsockname()[1]
            else:
                key = "server-key.pem" if kind == "server-with-root" else f"{kind}-key.pem"
                server = https.create_server({"key": read(key), "cert": read(f"{kind}.pem")}, lambda q, s: s.end("ok"))
                server.on("tlsClientError", lambda e, s: None)
                await server.listen(0, "127.0.0.1")
                port = server.address()["port"]  # type: ignore[index]
            req = https.get(host="localhost", port=port, agent=False, **options)
            try:
                res = await req.response()
            except Exception as exc:
                log(name, "error", exc)
            else:
                log(name, "response", res.status_code, req.socket.authorized)  # type: ignore[union-attr]
                async for _chunk in res:
                    pass
            if server is not None:
                server.close()
                await server.wait_closed()
            nursery.cancel_scope.cancel()


@scenario("https/server-client-errors")
async def test_server_client_errors(log: Log) -> None:
    """'tlsClientError' for plain HTTP, a short hello, a missing client certificate; then served."""
    server_lines: list[list[Any]] = []
    client_lines: list[list[Any]] = []

    def handler(req: Any, res: Any) -> None:
        s = req.socket
        server_lines.append(["server", "request", req.url, s.authorized, s.get_peer_certificate()["subjectaltname"]])
        res.end("ok")

    server = https.create_server(
        {"key": read("server-key.pem"), "cert": read("server.pem"), "ca": read("ca.pem"), "request_cert": True}, handler
    )
    server.on("secureConnection", lambda s: server_lines.append(["server", "secureConnection", s.authorized]))
    server.on("tlsClientError", lambda e, _s: server_lines.append(["server", "tlsClientError", e]))
    await server.listen(0, "127.0.0.1")
    port = server.address()["port"]  # type: ignore[index]

    async def raw(data: bytes, name: str) -> None:
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        got = 0
        async with stream:
            await stream.send_all(data)
            try:
                while chunk := await stream.receive_some(65536):
                    got += len(chunk)
            except trio.BrokenResourceError:
                pass
        client_lines.append(["client", name, "closed", got])

    await raw(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "plain-http")
    await raw(bytes.fromhex("16030100050100000100"), "short-hello")
    opts: dict[str, Any] = {"host": "localhost", "port": port, "agent": False, "ca": read("ca.pem")}
    req = https.get(**opts)
    try:
        await req.response()
        client_lines.append(["client", "no-cert", "response"])
    except Exception as exc:
        client_lines.append(["client", "no-cert", "error", exc])
    req = https.get(**opts, cert=read("client.pem"), key=read("client-key.pem"))
    res = await req.response()
    client_lines.append(["client", "with-cert", "response", res.status_code])
    async for _chunk in res:
        pass
    server.close()
    await server.wait_closed()
    for line in server_lines + client_lines:
        log(*line)
