"""An anchor for ``serve DIR`` on small files: the same handler, without the read stream.

Each request is planned exactly as ``serve DIR`` plans it (path checks, open, validators,
headers: one worker-thread call), but the file's bytes are read in that same call and
sent with ``end(data)``, where ``serve DIR`` pipes them from an ``fs`` read stream. The
difference between the two is what the read stream costs per request.

Usage: python bench/static_inline_server.py PORT DIR
"""

from __future__ import annotations

import os
import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import http
from trio_nodestreams.serve_static import _Options, _Plan, _plan


def plan_and_read(opts: _Options, method: str, target: str, headers: dict[str, str]) -> _Plan:
    plan = _plan(opts, method, target, headers)
    if plan.fd is not None:
        try:
            plan.body = os.pread(plan.fd, plan.length, plan.start)
        finally:
            os.close(plan.fd)
            plan.fd = None
    return plan


async def main(port: int, root: str) -> None:
    opts = _Options(
        root=os.path.realpath(root),
        follow_symlinks=False,
        show_hidden=False,
        index="index.html",
        listing=True,
        compress=False,
        precompressed=False,
        gzip_level=6,
        brotli_quality=4,
        high_water_mark=64 * 1024,
    )

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        plan = await trio.to_thread.run_sync(plan_and_read, opts, req.method, req.url, req.headers)
        res.write_head(plan.status, plan.headers)
        res.end(plan.body if req.method != "HEAD" else None)

    async with ns.open_scope():
        server = http.create_server(handler)
        await server.listen(port, "127.0.0.1")
        await trio.sleep_forever()


if __name__ == "__main__":
    try:
        trio.run(main, int(sys.argv[1]), sys.argv[2])
    except KeyboardInterrupt:
        pass
