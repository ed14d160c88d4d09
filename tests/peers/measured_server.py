"""A server alone in its process, so that its memory can be measured from outside.

Usage: python measured_server.py upload|echo [PAUSE_SECONDS]
Prints the port on the first line of stdout, then serves until killed.

upload: for ``/slow``, waits PAUSE_SECONDS before reading the body (the socket must stop being
read meanwhile), then answers ``{"size", "sha256", "read_seconds"}``.
echo: ``req.pipe(res)``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time

import trio

import trio_nodestreams as ns
from trio_nodestreams import http


async def main(mode: str, pause: float) -> None:
    async def upload(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        if req.url == "/slow":
            await trio.sleep(pause)
        started = time.perf_counter()
        digest = hashlib.sha256()
        size = 0
        async for chunk in req:
            digest.update(chunk)
            size += len(chunk)
        elapsed = time.perf_counter() - started
        res.set_header("Content-Type", "application/json")
        res.end(json.dumps({"size": size, "sha256": digest.hexdigest(), "read_seconds": elapsed}))

    def echo(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        req.pipe(res)

    async with ns.open_scope():
        server = http.create_server(upload if mode == "upload" else echo)
        await server.listen(0, "127.0.0.1")
        print(server.address()["port"], flush=True)  # type: ignore[index]
        await trio.sleep_forever()


if __name__ == "__main__":
    trio.run(main, sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
