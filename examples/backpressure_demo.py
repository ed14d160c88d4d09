"""Back-pressure, visible: a fast Readable piped into a slow Writable.

The source pushes 1 KiB chunks as fast as it is asked; the sink takes 20 ms per
chunk and holds at most 4 KiB (its high-water mark). ``pipe()`` stops when
``write()`` returns False and resumes on ``'drain'``, so the sink's buffer stops
at its mark instead of growing. The output shows each stop and each drain.

Run:  bin/python examples/backpressure_demo.py
"""

import sys

import trio

import trio_nodestreams as ns

CHUNKS = 16
CHUNK = b"x" * 1024


class SlowSink(ns.Writable):
    """Takes 20 ms per chunk; reports write()'s answer when it says 'stop'."""

    def __init__(self) -> None:
        super().__init__(high_water_mark=4 * 1024)
        self.received = 0

    def write(self, chunk, encoding=None, callback=None):
        ok = super().write(chunk, encoding, callback)
        if not ok:
            print(f"write() returned False: {self.writable_length} bytes buffered, pipe pauses")
        return ok

    async def _write(self, chunk, encoding):
        await trio.sleep(0.02)
        self.received += len(chunk)


async def main() -> None:
    async with ns.open_scope():
        sent = 0

        def produce(stream, size):
            nonlocal sent
            while sent < CHUNKS:
                sent += 1
                if not stream.push(CHUNK):
                    return  # the source's own buffer is full: wait to be asked again
            stream.push(None)

        source = ns.Readable(read=produce, high_water_mark=2 * 1024)
        sink = SlowSink()
        sink.on(
            "drain",
            lambda: print(f"'drain': sink caught up at {sink.received} bytes, pipe resumes"),
        )
        source.pipe(sink)
        await ns.finished(sink)
        print(
            f"finished: {sink.received} bytes through a {sink.writable_high_water_mark}-byte sink"
        )


if __name__ == "__main__":
    try:
        trio.run(main)
    except* KeyboardInterrupt:
        # Ctrl-C: one line under the terminal's "^C" and the conventional status, no traceback.
        print("\nstopped", file=sys.stderr)
        sys.exit(130)
