"""An in-memory connection whose ends can vanish the way TCP peers do: FIN, close, RST.

``trio.testing.memory_stream_pair()`` models a clean connection: closing one end
is an end of file for the other, and there is no way to make the other side's
read fail. Fault tests need the three ways a peer leaves:

- ``"fin"``: it half-closes (``shutdown(SHUT_WR)``) and keeps reading: the other
  end reads an end of file, and may still send;
- ``"close"``: it closes its socket: the other end reads an end of file, and what
  it sends next fails (``EPIPE``), as a kernel answers data for a closed socket;
- ``"rst"``: it resets the connection (``SO_LINGER`` 0): the other end's writes
  fail at once with ``ECONNRESET``, and its reads fail so after what had already
  arrived (a reset is never read as an end of file).

Each :class:`End` is a ``trio.abc.HalfCloseableStream``. Writes keep their
boundaries as reads (one ``send_all`` is delivered as one or more reads, never
merged with the next), so a test controls exactly how the bytes are split into
the reads the other side sees. A :class:`Cut` makes a connection vanish after an
exact number of bytes in one direction, wherever in the exchange that falls.
"""

from __future__ import annotations

import errno
import random
from collections import deque
from collections.abc import Callable
from typing import Literal

import trio

Vanish = Literal["fin", "close", "rst"]
VANISH_KINDS: tuple[Vanish, ...] = ("fin", "close", "rst")


def _reset_error() -> ConnectionResetError:
    return ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")


def _pipe_error() -> BrokenPipeError:
    return BrokenPipeError(errno.EPIPE, "Broken pipe")


class _Pipe:
    """One direction: writes queued as pieces, then an end of file or a failure."""

    __slots__ = ("eof", "failure", "lot", "pieces", "refused", "sent")

    def __init__(self) -> None:
        self.pieces: deque[bytes] = deque()
        # The reader gets b"" once the pieces are read.
        self.eof = False
        # The reader gets this error once the pieces are read (a reset).
        self.failure: OSError | None = None
        # The writer's next writes fail with this error (the reader is gone).
        self.refused: OSError | None = None
        self.lot = trio.lowlevel.ParkingLot()
        self.sent = 0

    def wake(self) -> None:
        self.lot.unpark_all()


class End(trio.abc.HalfCloseableStream):
    """One end of an in-memory connection (see the module docstring)."""

    def __init__(self, inbound: _Pipe, outbound: _Pipe, name: str) -> None:
        self._in = inbound
        self._out = outbound
        self.name = name
        self.closed = False
        self._sent_eof = False
        self._sending = False
        self._receiving = False
        #: Makes each write take 0 to 2 extra scheduling rounds, from this generator.
        self.jitter: random.Random | None = None
        #: Given each write's size, returns how much of it goes out (a :class:`Cut`).
        self.on_send: Callable[[End, int], int] | None = None
        self.peer: End

    # -- trio.abc.Stream -------------------------------------------------------------

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        # As every Trio stream: two tasks may not send at once (their bytes would interleave).
        if self._sending:
            raise trio.BusyResourceError("another task is sending on this stream")
        self._sending = True
        try:
            await trio.lowlevel.checkpoint()
            if self.jitter is not None:
                # A slower network: the write takes a few scheduling rounds.
                for _ in range(self.jitter.randrange(3)):
                    await trio.lowlevel.checkpoint()
            self._send(data)
        finally:
            self._sending = False

    def _send(self, data: bytes | bytearray | memoryview) -> None:
        self._check_send()
        data = bytes(data)
        if not data:
            return
        allowed = len(data) if self.on_send is None else self.on_send(self, len(data))
        out = self._out
        if allowed:
            out.pieces.append(data[:allowed] if allowed < len(data) else data)
            out.sent += allowed
            out.wake()
        if self.on_send is not None and allowed == len(data):
            self.on_send(self, 0)  # a cut that falls right after this write happens now
        if allowed < len(data):
            self._check_send()
            raise trio.BrokenResourceError("connection vanished") from _reset_error()

    def _check_send(self) -> None:
        if self.closed:
            raise trio.ClosedResourceError("this end is closed")
        if self._sent_eof:
            raise trio.ClosedResourceError("this end already sent its end of file")
        refused = self._out.refused
        if refused is not None:
            raise trio.BrokenResourceError("the peer is gone") from refused

    async def wait_send_all_might_not_block(self) -> None:
        await trio.lowlevel.checkpoint()
        if self.closed:
            raise trio.ClosedResourceError("this end is closed")

    async def send_eof(self) -> None:
        await trio.lowlevel.checkpoint()
        if self.closed:
            raise trio.ClosedResourceError("this end is closed")
        self.fin()

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        if self._receiving:
            raise trio.BusyResourceError("another task is receiving on this stream")
        self._receiving = True
        try:
            return await self._receive(max_bytes)
        finally:
            self._receiving = False

    async def _receive(self, max_bytes: int | None) -> bytes:
        await trio.lowlevel.checkpoint()
        pipe = self._in
        while True:
            if self.closed:
                raise trio.ClosedResourceError("this end is closed")
            if pipe.pieces:
                piece = pipe.pieces[0]
                if max_bytes is not None and len(piece) > max_bytes:
                    pipe.pieces[0] = piece[max_bytes:]
                    return piece[:max_bytes]
                pipe.pieces.popleft()
                return piece
            if pipe.failure is not None:
                raise trio.BrokenResourceError("connection reset") from pipe.failure
            if pipe.eof:
                return b""
            await pipe.lot.park()

    async def aclose(self) -> None:
        self.close()
        await trio.lowlevel.checkpoint()

    # -- vanishing ---------------------------------------------------------------------

    def fin(self) -> None:
        """Half-close: the peer reads an end of file after what was sent."""
        self._sent_eof = True
        if not self._out.eof:
            self._out.eof = True
            self._out.wake()

    def close(self) -> None:
        """Close: an end of file for the peer; its later writes fail (EPIPE)."""
        if self.closed:
            return
        self.fin()
        self.closed = True
        inp = self._in
        inp.pieces.clear()
        if inp.refused is None:
            inp.refused = _pipe_error()
        inp.wake()  # a read of this end waiting now fails as closed

    def reset(self) -> None:
        """Reset: the peer's writes fail at once, its reads after what it already got."""
        if self.closed:
            return
        self.closed = True
        out, inp = self._out, self._in
        if not out.eof:
            out.failure = _reset_error()
        out.wake()
        inp.pieces.clear()
        inp.refused = _reset_error()
        inp.wake()

    def vanish(self, kind: Vanish) -> None:
        """Leave the way ``kind`` says."""
        if kind == "fin":
            self.fin()
        elif kind == "close":
            self.close()
        else:
            self.reset()

    @property
    def bytes_sent(self) -> int:
        """Bytes this end has written so far."""
        return self._out.sent

    @property
    def bytes_received(self) -> int:
        """Bytes the peer has written so far (read or not)."""
        return self._in.sent


def wire(client_name: str = "client", server_name: str = "server") -> tuple[End, End]:
    """A new connection: (client end, server end)."""
    up, down = _Pipe(), _Pipe()
    client = End(down, up, client_name)
    server = End(up, down, server_name)
    client.peer = server
    server.peer = client
    return client, server


class Cut:
    """The network between two ends fails once ``after`` bytes went one way.

    Both ends see the other one vanish: with ``"fin"`` each reads an end of file
    (after what was delivered) and its writes fail with ``EPIPE``; with ``"rst"``
    each read and write fails with ``ECONNRESET``.

    Args:
      writer: the end whose writes are counted; the cut falls inside the write
        that reaches ``after`` bytes (the bytes before it are delivered).
      after: the byte count.
      kind: ``"fin"`` or ``"rst"``.
    """

    def __init__(self, writer: End, after: int, kind: Vanish) -> None:
        self.writer = writer
        self.after = after
        self.kind = kind
        self.fired = False
        writer.on_send = self._on_send

    def _on_send(self, end: End, size: int) -> int:
        if self.fired:
            return size
        left = self.after - end.bytes_sent
        if size < left or (size == 0 and left > 0):
            return size
        self.fire()
        return max(0, min(size, left))

    def fire(self) -> None:
        """Fail the network now."""
        if self.fired:
            return
        self.fired = True
        for pipe in (self.writer._out, self.writer._in):
            if self.kind == "rst":
                pipe.failure = _reset_error()
                pipe.refused = _reset_error()
            else:
                pipe.eof = True
                pipe.refused = _pipe_error()
            pipe.wake()
