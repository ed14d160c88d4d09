"""trio_nodestreams' http server with the benchmark routes (mirror of bench/node_http_server.js).

Usage: python bench/ours_http_server.py PORT [--keep-alive-ms MS]

Routes: ``/`` and its older name ``/fixed`` (``res.end(body)``, 13 bytes), ``/chunked`` (ten
1 KiB ``res.write`` then ``res.end()``: chunked), ``/upload`` (counts ``'data'`` bytes, answers
the count on ``'end'``). ``--keep-alive-ms`` sets the server's ``keep_alive_timeout`` (default
Node's 5000 ms; the idle-connection benchmark holds connections longer). Prints
"listening PORT" once bound. Exits with status 3 and a reason on stderr when
``trio_nodestreams.http.create_server`` does not exist yet.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import trio

FIXED = b"Hello, World!"
KIB = b"b" * 1024
NOT_AVAILABLE = 3


def handler(req: Any, res: Any) -> None:
    url = req.url
    if url == "/" or url == "/fixed":
        res.set_header("Content-Type", "text/plain")
        res.end(FIXED)
    elif url == "/chunked":
        res.set_header("Content-Type", "application/octet-stream")
        for _ in range(10):
            res.write(KIB)
        res.end()
    elif url == "/upload":
        count = [0]

        def on_data(chunk: bytes) -> None:
            count[0] += len(chunk)

        def on_end() -> None:
            res.set_header("Content-Type", "text/plain")
            res.end(str(count[0]).encode())

        req.on("data", on_data)
        req.on("end", on_end)
    else:
        res.status_code = 404
        res.end()


async def main(port: int, keep_alive_ms: float) -> None:
    import trio_nodestreams as ns
    from trio_nodestreams import http

    async with ns.open_scope():
        server = http.create_server(handler, keep_alive_timeout=keep_alive_ms)
        await server.listen(port, "127.0.0.1")
        print(f"listening {port}", flush=True)
        await trio.sleep_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--keep-alive-ms", type=float, default=5000)
    args = parser.parse_args()
    try:
        import trio_nodestreams as ns
        from trio_nodestreams import http

        missing = [n for n in ("open_scope",) if not hasattr(ns, n)]
        if not hasattr(http, "create_server"):
            missing.append("http.create_server")
        if missing:
            raise ImportError("trio_nodestreams lacks " + ", ".join(missing))
    except ImportError as exc:
        print(f"n/a: {exc}", file=sys.stderr)
        sys.exit(NOT_AVAILABLE)
    try:
        trio.run(main, args.port, args.keep_alive_ms)
    except KeyboardInterrupt:
        sys.exit(0)
