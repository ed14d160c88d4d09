"""Slow stream: a chunked response written a line at a time, with back-pressure.

``await res.send_all(...)`` writes and then waits while the client is behind
(``write()`` returned False, until ``'drain'``), so a slow or stalled client never
makes the server buffer. A client that goes away ends the loop.

Run:  bin/python examples/slow_stream.py [PORT] [LINES] [DELAY_SECONDS]
Try:  curl -N http://127.0.0.1:8000/
"""

import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import http

LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 10
DELAY = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5


async def handle(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    res.set_header("Content-Type", "text/plain; charset=utf-8")
    try:
        for i in range(LINES):
            await res.send_all(f"line {i + 1} of {LINES}\n".encode())
            await trio.sleep(DELAY)
    except (trio.BrokenResourceError, trio.ClosedResourceError):
        return  # the client left
    res.end(b"done\n")


async def main(port: int = 8000) -> int:
    async with ns.open_scope():
        server = http.create_server(handle)
        try:
            await server.listen(port, "127.0.0.1")
        except OSError as exc:  # the port is taken, or needs privileges: say so in one line
            print(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"listening on http://127.0.0.1:{server.address()['port']}/", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(trio.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 8000))
    except* KeyboardInterrupt:
        # Ctrl-C: one line under the terminal's "^C" and the conventional status, no traceback.
        print("\nstopped", file=sys.stderr)
        sys.exit(130)
