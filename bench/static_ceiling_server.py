"""The ceiling for ``serve DIR`` on a small file: our HTTP server answering every GET with
the same 1 KiB from memory, headers as a static server sends them, no file system at all.

Usage: python bench/static_ceiling_server.py PORT FILE
"""

from __future__ import annotations

import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import http


async def main(port: int, path: str) -> None:
    with open(path, "rb") as f:
        body = f.read()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Last-Modified", "Mon, 30 Nov 2026 07:00:00 GMT"),
        ("ETag", '"400-18ecc1b21441084c"'),
        ("Accept-Ranges", "bytes"),
        ("Content-Length", str(len(body))),
    ]

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        res.write_head(200, headers)
        res.end(body)

    async with ns.open_scope():
        server = http.create_server(handler)
        await server.listen(port, "127.0.0.1")
        await trio.sleep_forever()


if __name__ == "__main__":
    try:
        trio.run(main, int(sys.argv[1]), sys.argv[2])
    except KeyboardInterrupt:
        pass
