"""Echo server: each request body streams straight back as the response (``req.pipe(res)``).

Back-pressure runs end to end: when the client reads slowly, ``res.write()`` returns
False, the pipe pauses ``req`` and the server stops reading the socket.

Run:  bin/python examples/echo_server.py [PORT]
Try:  curl -T some_file http://127.0.0.1:8000/ | sha256sum
"""

import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import http


async def main(port: int = 8000) -> int:
    async with ns.open_scope():
        server = http.create_server(lambda req, res: req.pipe(res))
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
