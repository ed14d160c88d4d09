"""Command line: ``python -m trio_nodestreams serve [--host H] [--port P]``.

``serve`` runs a demo server on 127.0.0.1 whose routes show the stream toolkit
at work: ``/echo`` pipes the request into the response, ``/upload`` streams a
body into a hashing sink, ``/stream`` writes a slow chunked response that
waits out back-pressure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from typing import Any

import trio

import trio_nodestreams as ns
from trio_nodestreams import http

PAGE = """\
trio_nodestreams demo server: Node's streams and http module on Trio.

Try:
  curl http://{host}:{port}/                          this page
  curl --data-binary @somefile http://{host}:{port}/echo      the body streamed back (req.pipe(res))
  curl -T bigfile http://{host}:{port}/upload         size and SHA-256 of a streamed upload
  curl -N http://{host}:{port}/stream?n=10            a chunked response, written slowly

Every body is a stream with back-pressure: a slow client slows the server's
reads, an unread upload stops the server reading the socket; memory stays flat.
"""


def _query(url: str) -> dict[str, str]:
    _, _, qs = url.partition("?")
    out: dict[str, str] = {}
    for part in qs.split("&"):
        if "=" in part:
            key, _, value = part.partition("=")
            out[key] = value
    return out


def make_handler(host: str, port: int) -> Any:
    """The demo's request handler."""

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        path = req.url.split("?", 1)[0]
        if path == "/":
            res.set_header("Content-Type", "text/plain; charset=utf-8")
            res.end(PAGE.format(host=host, port=port))
        elif path == "/echo":
            res.set_header("Content-Type", req.headers.get("content-type", "application/octet-stream"))
            req.pipe(res)
        elif path == "/upload":
            digest = hashlib.sha256()
            size = 0

            def write(_stream: ns.Writable, chunk: bytes, _enc: str, callback: Any) -> None:
                nonlocal size
                size += len(chunk)
                digest.update(chunk)
                callback()

            sink = ns.Writable(write=write)
            req.pipe(sink)
            await ns.finished(sink)
            res.set_header("Content-Type", "application/json")
            res.end(json.dumps({"bytes": size, "sha256": digest.hexdigest()}) + "\n")
        elif path == "/stream":
            try:
                n = max(0, min(1000, int(_query(req.url).get("n", "10"))))
            except ValueError:
                n = 10
            res.set_header("Content-Type", "text/plain; charset=utf-8")
            for i in range(n):
                await res.send_all(f"chunk {i + 1} of {n}\n".encode())
                await trio.sleep(0.2)
            res.end()
        else:
            res.status_code = 404
            res.end("not found\n")

    return handler


async def serve(host: str, port: int) -> None:
    """Run the demo server until interrupted."""
    async with ns.open_scope():
        server = http.create_server(make_handler(host, port))
        await server.listen(port, host)
        addr = server.address()
        assert addr is not None
        print(f"serving on http://{addr['address']}:{addr['port']}/  (Ctrl-C stops)", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(prog="python -m trio_nodestreams", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sv = sub.add_parser("serve", help="run the demo http server")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        try:
            trio.run(serve, args.host, args.port)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
