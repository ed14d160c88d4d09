"""Our http client alone in its process, so that its memory can be measured.

Usage: python client_upload.py PORT BYTES
Streams BYTES of numbered blocks as a chunked POST to http://127.0.0.1:PORT/hash
(honouring write()'s return value), then prints one JSON line: the server's answer,
the sha256 sent, and the client's VmRSS before and VmHWM after, in bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import http

BLOCK = 256 * 1024


def memory() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0]) * 1024
    return out


async def upload(port: int, total: int) -> dict[str, object]:
    digest = hashlib.sha256()
    base = os.urandom(BLOCK)
    req = http.request(host="127.0.0.1", port=port, method="POST", path="/hash", agent=False)
    sent = 0
    i = 0
    while sent < total:
        n = min(BLOCK, total - sent)
        block = i.to_bytes(8, "big") + base[8:n] if n > 8 else base[:n]
        digest.update(block)
        await req.send_all(block)  # waits out back-pressure ('drain')
        sent += n
        i += 1
    req.end()
    res = await req.response()
    body = b"".join([chunk async for chunk in res])
    return {"status": res.status_code, "answer": json.loads(body), "sha256": digest.hexdigest()}


async def main(port: int, total: int) -> None:
    async with ns.open_scope():
        await upload(port, 1024 * 1024)  # warm up: one-time allocations are not growth
        before = memory()
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            reset = True
        except OSError:
            reset = False
        result = await upload(port, total)
        after = memory()
    result["rss_before"] = before["VmRSS"] if reset else before["VmHWM"]
    result["hwm_after"] = after["VmHWM"]
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    trio.run(main, int(sys.argv[1]), int(sys.argv[2]))
