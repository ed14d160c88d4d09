"""Command line: ``python -m trio_nodestreams serve [--host H] [--port P]`` and ``get URL [-o FILE]``.

``serve`` runs a demo server on 127.0.0.1 whose routes show the stream toolkit
at work: ``/echo`` pipes the request into the response, ``/upload`` streams a
body into a hashing sink, ``/stream`` writes a slow chunked response that
waits out back-pressure.

``get`` downloads with the http client: the response body is piped into a
Writable over the file (written through ``trio.open_file``), with a progress
bar on stderr. The exit status is 1 for an HTTP status >= 400, 2 for a
connection or protocol error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
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

            # pipeline() ends with the sink, or raises (and destroys both) if the client leaves.
            await ns.pipeline(req, ns.Writable(write=write))
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


class _Progress:
    """A one-line progress bar on stderr: bytes, percentage (when the size is known), rate."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total = total
        self.done = 0
        self.enabled = enabled
        self.started = time.monotonic()
        self.shown = 0.0

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.shown >= 0.1:
            self.shown = now
            self.show()

    def show(self, final: bool = False) -> None:
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            text = f"[{bar:<30}] {frac * 100:5.1f}% {_size(self.done)}/{_size(self.total)}"
        else:
            text = f"{_size(self.done)}"
        sys.stderr.write(f"\r{text} {_size(rate)}/s ")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def file_writable(f: Any, progress: _Progress) -> ns.Writable:
    """A Writable over an open ``trio`` async file (writes run in a worker thread)."""

    async def write(_stream: ns.Writable, chunk: bytes, _encoding: str) -> None:
        await f.write(chunk)
        progress.add(len(chunk))

    async def writev(_stream: ns.Writable, chunks: list[tuple[bytes, str]]) -> None:
        data = b"".join(c for c, _ in chunks)
        await f.write(data)
        progress.add(len(data))

    return ns.Writable(write=write, writev=writev, high_water_mark=1024 * 1024)


async def download(url: str, output: str | None, quiet: bool) -> int:
    """Fetch ``url`` into ``output`` (stdout when None); return the exit status."""
    async with ns.open_scope():
        try:
            req = http.get(url, agent=False)
            res = await req.response()
        except ns.NodeError as exc:
            print(f"get: {exc.code}: {exc}", file=sys.stderr)
            return 2
        if res.status_code is not None and res.status_code >= 400:
            print(f"get: HTTP {res.status_code} {res.status_message}", file=sys.stderr)
            res.resume()
            return 1
        length = res.headers.get("content-length")
        progress = _Progress(int(length) if isinstance(length, str) and length.isdigit() else None,
                             enabled=not quiet and output is not None)  # fmt: skip
        if output is None:
            f = trio.wrap_file(sys.stdout.buffer)
        else:
            f = await trio.open_file(output, "wb")
        sink = file_writable(f, progress)
        try:
            await ns.pipeline(res, sink)
        except ns.NodeError as exc:
            progress.show(final=True)
            print(f"get: {exc.code}: {exc}", file=sys.stderr)
            return 2
        finally:
            if output is not None:
                await f.aclose()
            else:
                await f.flush()
        progress.show(final=True)
        if not res.complete:
            print("get: the response was cut short", file=sys.stderr)
            return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(prog="python -m trio_nodestreams", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sv = sub.add_parser("serve", help="run the demo http server")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    gt = sub.add_parser("get", help="download a URL (http:// only) with a progress bar")
    gt.add_argument("url")
    gt.add_argument("-o", "--output", help="file to write (default: stdout)")
    gt.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    if args.command == "get":
        return trio.run(download, args.url, args.output, args.quiet)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        try:
            trio.run(serve, args.host, args.port)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
