"""Upload counter: the request body is piped into a Writable that counts and hashes it.

The answer is ``{"size": ..., "sha256": ...}``. Memory stays flat for any upload
size: the pipe reads the socket only as fast as the Writable takes the chunks.

Run:  bin/python examples/upload_counter.py [PORT]
Try:  curl -T big.iso http://127.0.0.1:8000/   (compare with: sha256sum big.iso)
"""

import hashlib
import json
import sys

import trio

import trio_nodestreams as ns
from trio_nodestreams import http


class Counter(ns.Writable):
    """A sink that keeps only the byte count and the sha256 of what it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0
        self.sha256 = hashlib.sha256()

    def _write(self, chunk, encoding, callback):
        self.size += len(chunk)
        self.sha256.update(chunk)
        callback()


def handle(req: http.IncomingMessage, res: http.ServerResponse) -> None:
    counter = Counter()

    def answer() -> None:
        res.set_header("Content-Type", "application/json")
        res.end(json.dumps({"size": counter.size, "sha256": counter.sha256.hexdigest()}) + "\n")

    counter.on("finish", answer)
    req.pipe(counter)


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
