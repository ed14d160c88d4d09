"""The anchor for our https server: the bare Trio + httptools loop over ``trio.SSLStream``.

Usage: python bench/httptools_tls_bare_server.py PORT

The loop of ``httptools_bare_server.py`` (read, feed llhttp, answer prebuilt bytes in
one ``send_all`` per read) behind ``trio.serve_ssl_over_tcp``, with the certificate of
tests/certs. The cost of Trio's TLS stream plus the parser: what our https server can
approach but not beat.
"""

from __future__ import annotations

import ssl
import sys
from functools import partial
from pathlib import Path

import trio
from httptools_bare_server import connection

CERTS = Path(__file__).resolve().parent.parent / "tests" / "certs"


async def serve(stream: trio.SSLStream[trio.SocketStream]) -> None:
    try:
        await connection(stream)  # type: ignore[arg-type]
    finally:
        await trio.aclose_forcefully(stream)


async def main(port: int) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERTS / "server.pem", CERTS / "server-key.pem")
    async with trio.open_nursery() as nursery:
        await nursery.start(partial(trio.serve_ssl_over_tcp, serve, port, ctx, host="127.0.0.1", https_compatible=True))
        print(f"listening {port}", flush=True)


if __name__ == "__main__":
    try:
        trio.run(main, int(sys.argv[1]))
    except KeyboardInterrupt:
        pass
