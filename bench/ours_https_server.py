"""trio_nodestreams' https server with the benchmark routes of ours_http_server.py.

Usage: python bench/ours_https_server.py PORT

The certificate is the test one in tests/certs. Prints "listening PORT" once bound.
"""

from __future__ import annotations

import sys
from pathlib import Path

import trio
from ours_http_server import handler

import trio_nodestreams as ns
from trio_nodestreams import https

CERTS = Path(__file__).resolve().parent.parent / "tests" / "certs"


async def main(port: int) -> None:
    tls = {"key": (CERTS / "server-key.pem").read_bytes(), "cert": (CERTS / "server.pem").read_bytes()}
    async with ns.open_scope():
        server = https.create_server(tls, handler)
        await server.listen(port, "127.0.0.1")
        print(f"listening {port}", flush=True)
        await trio.sleep_forever()


if __name__ == "__main__":
    try:
        trio.run(main, int(sys.argv[1]))
    except KeyboardInterrupt:
        sys.exit(0)
