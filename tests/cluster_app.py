"""A server run under ``cluster.run`` by tests/test_cluster.py (and bench/cluster_bench.py).

Run as a script (the workers then find ``app`` in it as multiprocessing's spawn
method would): ``python tests/cluster_app.py --workers 2 --port 0``. It prints
``serving on http://HOST:PORT/`` once a worker listens; the supervisor's log
goes to stderr.

Routes (every answer carries ``X-Worker-Pid``):
  ``/``                 ``ok`` and the pid
  ``/slow?ms=N``        a chunked answer: ``start``, then ``end`` N ms later
  ``/upload``           the body's size and SHA-256, read as a stream
  ``/blob?mb=N``        N MiB of ``blob_chunk(i)`` pieces, streamed
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import cluster, http

CHUNK = 64 * 1024


def blob_chunk(i: int) -> bytes:
    """The i-th 64 KiB piece of ``/blob``: a pattern that a swap or a loss would change."""
    return bytes((i * 7 + j) & 0xFF for j in range(256)) * (CHUNK // 256)


def _query(url: str, key: str, default: int) -> int:
    _, _, qs = url.partition("?")
    for part in qs.split("&"):
        name, _, value = part.partition("=")
        if name == key and value.isdigit():
            return int(value)
    return default


async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    pid = str(os.getpid())
    res.set_header("X-Worker-Pid", pid)
    path = req.url.split("?", 1)[0]
    if path == "/":
        res.set_header("Content-Type", "text/plain")
        res.end(f"ok {pid}\n")
    elif path == "/slow":
        res.write("start\n")
        await trio.sleep(_query(req.url, "ms", 500) / 1000)
        res.end("end\n")
    elif path == "/upload":
        digest = hashlib.sha256()
        size = 0
        async for chunk in req:
            size += len(chunk)
            digest.update(chunk)
        res.end(f"{size} {digest.hexdigest()}\n")
    elif path == "/blob":
        for i in range(_query(req.url, "mb", 1) * 16):
            await res.send_all(blob_chunk(i))
        res.end()
    else:
        res.status_code = 404
        res.end("not found\n")


async def app(worker: cluster.Worker, crash: str | None) -> None:
    """The worker's main: the test server on the cluster's port."""
    if crash:
        raise RuntimeError(crash)
    async with ns.open_scope():
        server = http.create_server(handler, keep_alive_timeout=30_000)
        await worker.listen(server)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", default="2")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--graceful-timeout", type=float, default=5.0)
    ap.add_argument("--backoff", type=float, default=0.1)
    ap.add_argument("--reuse-port", choices=["auto", "on", "off"], default="auto")
    ap.add_argument("--crash", default=None, help="every worker raises RuntimeError(CRASH) at start")
    args = ap.parse_args(argv)

    def on_ready(host: str, port: int) -> None:
        print(f"serving on http://{host}:{port}/", flush=True)

    return cluster.run(
        app,
        workers=args.workers,
        port=args.port,
        args=(args.crash,),
        graceful_timeout=args.graceful_timeout,
        reuse_port={"auto": None, "on": True, "off": False}[args.reuse_port],
        backoff=cluster.Backoff(initial=args.backoff),
        on_ready=on_ready,
    )


if __name__ == "__main__":
    sys.exit(main())
