"""Echo server: each request body streams straight back as the response (``req.pipe(res)``).

Back-pressure runs end to end: when the client reads slowly, ``res.write()`` returns
False, the pipe pauses ``req`` and the server stops reading the socket.

Run:  python examples/echo_server.py [PORT]
Try:  curl -T some_file http://127.0.0.1:8000/ | sha256sum
"""

import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import http


async def main(port: int = 8000) -> None:
    async with ns.open_scope():
        server = http.create_server(lambda req, res: req.pipe(res))
        await server.listen(port, "127.0.0.1")
        print(f"listening on http://127.0.0.1:{server.address()['port']}/", flush=True)


if __name__ == "__main__":
    trio.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
