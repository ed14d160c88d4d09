"""Anchor: the least an HTTP/1.1 server on h11 and Trio can do (no streams, no events).

Usage: python bench/h11_bare_server.py PORT [--coalesce]

Routes as in bench/node_http_server.js: ``/`` and ``/fixed`` (13 bytes, Content-Length), ``/chunked``
(ten 1 KiB chunks without Content-Length, so chunked; one ``send_all`` per chunk, or with
``--coalesce`` all ten framed chunks and the terminator in one ``send_all``), ``/upload``
(counts the body's bytes). Keep-alive via ``h11.Connection.start_next_cycle``.
Prints "listening PORT" once bound to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial

import h11
import trio

FIXED = b"Hello, World!"
KIB = b"b" * 1024
MAX_RECV = 65536


async def next_event(conn: h11.Connection, stream: trio.SocketStream) -> object:
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await stream.receive_some(MAX_RECV))
            continue
        return event


async def serve(stream: trio.SocketStream, coalesce: bool) -> None:
    conn = h11.Connection(h11.SERVER)
    try:
        while True:
            event = await next_event(conn, stream)
            if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                return
            if not isinstance(event, h11.Request):
                return
            target = event.target
            if target == b"/upload":
                n = 0
                while True:
                    ev = await next_event(conn, stream)
                    if isinstance(ev, h11.Data):
                        n += len(ev.data)
                    elif isinstance(ev, h11.EndOfMessage):
                        break
                    else:
                        return
                body = str(n).encode()
                await stream.send_all(
                    conn.send(
                        h11.Response(
                            status_code=200,
                            headers=[
                                ("content-type", "text/plain"),
                                ("content-length", str(len(body))),
                            ],
                        )
                    )
                    + conn.send(h11.Data(data=body))
                    + conn.send(h11.EndOfMessage())
                )
            else:
                # Drain the (empty) request body so the cycle can restart.
                while not isinstance(await next_event(conn, stream), h11.EndOfMessage):
                    pass
                if target == b"/" or target == b"/fixed":
                    await stream.send_all(
                        conn.send(
                            h11.Response(
                                status_code=200,
                                headers=[("content-type", "text/plain"), ("content-length", "13")],
                            )
                        )
                        + conn.send(h11.Data(data=FIXED))
                        + conn.send(h11.EndOfMessage())
                    )
                elif target == b"/chunked":
                    head = conn.send(
                        h11.Response(
                            status_code=200, headers=[("content-type", "application/octet-stream")]
                        )
                    )
                    if coalesce:
                        parts = [head]
                        parts.extend(conn.send(h11.Data(data=KIB)) for _ in range(10))
                        parts.append(conn.send(h11.EndOfMessage()))
                        await stream.send_all(b"".join(parts))
                    else:
                        await stream.send_all(head)
                        for _ in range(10):
                            await stream.send_all(conn.send(h11.Data(data=KIB)))
                        await stream.send_all(conn.send(h11.EndOfMessage()))
                else:
                    await stream.send_all(
                        conn.send(h11.Response(status_code=404, headers=[("content-length", "0")]))
                        + conn.send(h11.EndOfMessage())
                    )
            if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
                conn.start_next_cycle()
            else:
                return
    except (trio.BrokenResourceError, trio.ClosedResourceError, h11.RemoteProtocolError):
        return
    finally:
        await stream.aclose()


async def main(port: int, coalesce: bool) -> None:
    async with trio.open_nursery() as nursery:
        await nursery.start(
            partial(trio.serve_tcp, partial(serve, coalesce=coalesce), port, host="127.0.0.1")
        )
        print(f"listening {port}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--coalesce", action="store_true")
    args = parser.parse_args()
    try:
        trio.run(main, args.port, args.coalesce)
    except KeyboardInterrupt:
        sys.exit(0)
