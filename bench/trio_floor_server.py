"""The floor of any Trio HTTP server: read to a blank line, answer canned bytes.

Usage: python bench/trio_floor_server.py PORT

No parsing at all: every ``\\r\\n\\r\\n`` in the input is a request (bodyless GETs only),
answered with fixed bytes in one ``send_all`` per read: ``/chunked`` with the bytes the
other servers send for it, any other path (``/``, ``/fixed``) with the 13-byte body.
What Trio's sockets and scheduler cost per request; nothing built on Trio can serve faster.
"""

from __future__ import annotations

import sys
from functools import partial

import trio

KIB = b"b" * 1024
FIXED = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\n"
         b"Keep-Alive: timeout=5\r\nContent-Length: 13\r\n\r\nHello, World!")
CHUNKED = (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: keep-alive\r\n"
           b"Keep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n"
           + b"".join(b"400\r\n" + KIB + b"\r\n" for _ in range(10)) + b"0\r\n\r\n")


async def connection(stream: trio.SocketStream) -> None:
    buf = b""
    try:
        while True:
            data = await stream.receive_some(65536)
            if not data:
                return
            buf += data
            heads = buf.split(b"\r\n\r\n")
            buf = heads.pop()
            if heads:
                await stream.send_all(b"".join(CHUNKED if b" /chunked " in h else FIXED for h in heads))
    except trio.BrokenResourceError:
        return


async def main(port: int) -> None:
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(partial(trio.serve_tcp, connection, port, host="127.0.0.1"))
        print(f"listening {listeners[0].socket.getsockname()[1]}", flush=True)


if __name__ == "__main__":
    try:
        trio.run(main, int(sys.argv[1]))
    except KeyboardInterrupt:
        pass
