"""The anchor for our HTTP server: a bare Trio + httptools keep-alive loop.

Usage: python bench/httptools_bare_server.py PORT

One task per connection: read, feed llhttp (httptools), answer every complete
request with prebuilt bytes in one ``send_all`` per read. Any path but ``/chunked``
(``/`` and ``/fixed`` in the benchmarks) gets the 13-byte body. ``/chunked`` answers the
same bytes our server sends for ten 1 KiB writes (ten chunks and the terminator),
joined into one send. No streams, no events: the cost of Trio's sockets plus the
parser, which is what our server can approach but not beat.
"""

from __future__ import annotations

import sys
import time
from email.utils import formatdate
from functools import partial

import httptools
import trio

KIB = b"b" * 1024
CHUNKED_BODY = b"".join(b"400\r\n" + KIB + b"\r\n" for _ in range(10)) + b"0\r\n\r\n"


def answer(url: bytes, date: bytes) -> bytes:
    if url == b"/chunked":
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nDate: " + date
                + b"\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + CHUNKED_BODY)
    body = b"Hello, World!"
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: " + date
            + b"\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 13\r\n\r\n" + body)


_date = [0, b""]


def http_date() -> bytes:
    """The Date value, rendered once per second (as Node and every fast server do)."""
    now = int(time.time())
    if _date[0] != now:
        _date[0] = now
        _date[1] = formatdate(now, usegmt=True).encode()
    return _date[1]


class Protocol:
    def __init__(self) -> None:
        self.url = b""
        self.out: list[bytes] = []

    def on_url(self, url: bytes) -> None:
        self.url = url

    def on_message_complete(self) -> None:
        self.out.append(answer(self.url, http_date()))


async def connection(stream: trio.SocketStream) -> None:
    proto = Protocol()
    parser = httptools.HttpRequestParser(proto)
    try:
        while True:
            data = await stream.receive_some(65536)
            if not data:
                return
            parser.feed_data(data)
            if proto.out:
                out = b"".join(proto.out)
                proto.out.clear()
                await stream.send_all(out)
    except (trio.BrokenResourceError, httptools.HttpParserError):
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
