"""Anchor: a minimal ASGI app for ``hypercorn --worker-class trio``.

Run: ``cd bench && ../.venv/bin/hypercorn --worker-class trio --workers 0 -b 127.0.0.1:PORT asgi_app:app``

Routes as in bench/node_http_server.js: ``/`` and ``/fixed`` (13 bytes, Content-Length), ``/chunked``
(ten 1 KiB body messages, no Content-Length, so chunked), ``/upload`` (counts the body's bytes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

FIXED = b"Hello, World!"
KIB = b"b" * 1024

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path in ("/", "/fixed"):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"13")],
            }
        )
        await send({"type": "http.response.body", "body": FIXED})
    elif path == "/chunked":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/octet-stream")],
            }
        )
        for _ in range(10):
            await send({"type": "http.response.body", "body": KIB, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/upload":
        n = 0
        more = True
        while more:
            message = await receive()
            n += len(message.get("body", b""))
            more = message.get("more_body", False)
        body = str(n).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/plain"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
    else:
        await send(
            {"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]}
        )
        await send({"type": "http.response.body", "body": b""})
