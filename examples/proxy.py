"""A streaming reverse proxy in a few lines: ``req.pipe(upstream_req)``, ``upstream_res.pipe(res)``.

Bodies stream both ways with back-pressure: a slow client slows the upstream read,
a slow upstream slows the client's upload; memory stays flat for any body size.
Connections to the upstream are pooled by a keep-alive Agent.

Run:  bin/python examples/proxy.py [PORT] [UPSTREAM_HOST:PORT]
Try:  bin/python examples/echo_server.py 8001 & bin/python examples/proxy.py 8000 127.0.0.1:8001
      curl -T some_file http://127.0.0.1:8000/ | sha256sum
"""

import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import http

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "proxy-authenticate", "proxy-authorization"}  # fmt: skip


def end_to_end(raw: list[str]) -> list[str]:
    """Raw headers without the hop-by-hop ones."""
    out = []
    for name, value in zip(raw[0::2], raw[1::2], strict=True):
        if name.lower() not in HOP_BY_HOP:
            out += [name, value]
    return out


async def main(port: int = 8000, upstream: str = "127.0.0.1:8001") -> int:
    host, _, up_port = upstream.rpartition(":")
    agent = http.Agent(keep_alive=True)

    def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        headers = end_to_end(req.raw_headers)
        up = http.request(host=host, port=int(up_port), method=req.method, path=req.url,
                          headers=dict(zip(headers[0::2], headers[1::2], strict=True)), agent=agent)

        def on_response(up_res: http.IncomingMessage) -> None:
            res.write_head(up_res.status_code or 502, end_to_end(up_res.raw_headers))
            up_res.pipe(res)

        def on_error(err: BaseException) -> None:
            if not res.headers_sent:
                res.status_code = 502
                res.end(f"upstream error: {getattr(err, 'code', err)}\n")
            else:
                res.destroy()

        up.on("response", on_response)
        up.on("error", on_error)
        res.on("close", lambda: up.destroy() if not up.writable_finished else None)
        req.pipe(up)

    async with ns.open_scope():
        server = http.create_server(handler)
        try:
            await server.listen(port, "127.0.0.1")
        except OSError as exc:  # the port is taken, or needs privileges: say so in one line
            print(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"listening on http://127.0.0.1:{server.address()['port']}/", flush=True)
    return 0


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    upstream = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1:8001"
    try:
        sys.exit(trio.run(main, port, upstream))
    except* KeyboardInterrupt:
        # Ctrl-C: one line under the terminal's "^C" and the conventional status, no traceback.
        print("\nstopped", file=sys.stderr)
        sys.exit(130)
