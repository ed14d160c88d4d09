"""The connection's socket: Node's ``req.socket`` / ``res.socket`` and its output path.

Writes try the kernel first, synchronously (libuv's ``uv_try_write``): most
responses leave in the same step that produced them, with no task switch.
Whatever the kernel does not take waits in one buffer that a writer task
flushes; the write callbacks of that data run only once it is flushed, which
is how ``res.write()`` comes to return False when the client reads slowly.
"""

from __future__ import annotations

import errno
import os
import socket as _stdsocket
from collections.abc import Callable
from typing import Any

import trio

from .._errors import NodeSystemError
from .._events import EventEmitter
from .._scope import Scope

Callback = Callable[..., object]

#: Bytes buffered in user space before write callbacks are held back.
OUTPUT_HIGH_WATER_MARK = 64 * 1024


def econnreset(message: str = "socket hang up") -> NodeSystemError:
    """Node's ``ECONNRESET`` error."""
    return NodeSystemError("ECONNRESET", message, errno=-errno.ECONNRESET)


def epipe() -> NodeSystemError:
    """Node's ``EPIPE`` error (writing to a connection the peer closed)."""
    return NodeSystemError("EPIPE", "write EPIPE", errno=-errno.EPIPE, syscall="write")


class Socket(EventEmitter):
    """One TCP connection, as far as the http layer exposes it (Node's ``net.Socket``).

    Events: ``'close'`` (with ``had_error``), ``'timeout'``, ``'error'``.
    """

    def __init__(self, stream: trio.SocketStream | None, scope: Scope) -> None:
        """Wrap ``stream``; with ``None`` the socket exists unconnected until :meth:`_attach`.

        Node's client sockets exist (``connecting`` True) before the connection is up.
        """
        super().__init__()
        self._stream: trio.SocketStream | None = None
        self._scope = scope
        self._fd = -1
        self.connecting = True
        self.remote_address: str | None = None
        self.remote_port: int | None = None
        self.remote_family = "IPv4"
        self.local_address: str = ""
        self.local_port: int = 0
        self.bytes_read = 0
        self.bytes_written = 0
        self.destroyed = False
        self.timeout: float | None = None
        self._out = bytearray()
        self._out_callbacks: list[Callback] = []
        self._writer_wake = trio.Event()
        self._writer_busy = False
        self._write_error: BaseException | None = None
        self._ending = False
        self._closed_event = trio.Event()
        #: Called once when the socket is done (the server's connection wakes on it).
        self.on_closed: Callable[[], object] | None = None
        self._timeout_cb: Callback | None = None
        self._activity = trio.current_time()
        self._timer_wake = trio.Event()
        self._timer_started = False
        self._timed_out = False
        self._corked = 0
        if stream is not None:
            self._attach(stream)

    def _attach(self, stream: trio.SocketStream) -> None:
        """Bind the connected ``stream``: descriptor and addresses; ``connecting`` ends."""
        self._stream = stream
        sock = stream.socket
        self._fd = sock.fileno()
        try:
            peer = sock.getpeername()
        except OSError:
            peer = ("", 0)
        local = sock.getsockname()
        self.remote_address = peer[0] if peer else None
        self.remote_port = peer[1] if peer else None
        self.remote_family = "IPv6" if sock.family == _stdsocket.AF_INET6 else "IPv4"
        self.local_address = local[0]
        self.local_port = local[1]
        self.connecting = False

    def _set_closed(self) -> None:
        self._closed_event.set()
        hook = self.on_closed
        if hook is not None:
            self.on_closed = None
            hook()

    # -- Node's surface --------------------------------------------------------

    @property
    def writable_length(self) -> int:
        """Bytes accepted but not yet handed to the kernel."""
        return len(self._out)

    @property
    def writable_need_drain(self) -> bool:
        """Whether the user-space output buffer is over its mark."""
        return len(self._out) >= OUTPUT_HIGH_WATER_MARK

    def address(self) -> dict[str, Any]:
        """The local address: ``{'address', 'family', 'port'}``."""
        return {"address": self.local_address, "family": self.remote_family, "port": self.local_port}

    def set_no_delay(self, no_delay: bool = True) -> Socket:
        """Set ``TCP_NODELAY`` (Node's default for http is on)."""
        if self._stream is None:
            return self
        try:
            self._stream.setsockopt(_stdsocket.IPPROTO_TCP, _stdsocket.TCP_NODELAY, bool(no_delay))
        except OSError:
            pass
        return self

    def set_keep_alive(self, enable: bool = False, initial_delay: float = 0) -> Socket:
        """Set ``SO_KEEPALIVE``."""
        if self._stream is None:
            return self
        try:
            self._stream.setsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_KEEPALIVE, bool(enable))
        except OSError:
            pass
        return self

    def set_timeout(self, msecs: float, callback: Callback | None = None) -> Socket:
        """Emit ``'timeout'`` after ``msecs`` of inactivity (0 disables); it does not close."""
        self.timeout = msecs / 1000 if msecs else None
        if callback is not None:
            if msecs:
                self.once("timeout", callback)
            else:
                self.remove_listener("timeout", callback)
        self._activity = trio.current_time()
        self._timer_wake.set()
        if self.timeout is not None and not self._timer_started and not self.destroyed:
            self._timer_started = True
            self._scope.nursery.start_soon(self.timer)
        return self

    def destroy(self, err: BaseException | None = None) -> Socket:
        """Close the connection at once; buffered output is dropped."""
        if self.destroyed:
            return self
        self.destroyed = True
        self._out.clear()
        callbacks, self._out_callbacks = self._out_callbacks, []
        failure = err if err is not None else econnreset()
        for cb in callbacks:
            cb(failure)
        self._writer_wake.set()
        self._timer_wake.set()
        self._set_closed()
        # Close the descriptor now (as Node does): a task blocked reading it wakes
        # up, and the client sees the end at once, not when the connection task ends.
        if self._stream is not None:
            self._stream.socket.close()
        if err is not None and "error" in self._events:
            self._scope.next_tick(self.emit, "error", err)
        return self

    def end(self) -> Socket:
        """Close after the buffered output is flushed."""
        self._ending = True
        self._writer_wake.set()
        if not self._out and not self._writer_busy:
            self._set_closed()
        return self

    # -- output ------------------------------------------------------------------

    def write(self, data: bytes, callback: Callback | None = None) -> bool:
        """Send ``data``: straight to the kernel when possible, else through the buffer.

        ``callback(err=None)`` runs once the data left the user-space buffer.
        """
        if self.destroyed or self._write_error is not None:
            if callback is not None:
                self._scope.next_tick(callback, self._write_error or epipe())
            return False
        if not self._out and not self._writer_busy and not self._corked and data:
            try:
                sent = os.write(self._fd, data)
            except BlockingIOError:
                sent = 0
            except OSError as exc:
                self._fail(exc)
                if callback is not None:
                    self._scope.next_tick(callback, self._write_error)
                return False
            self.bytes_written += sent
            if sent == len(data):
                self._touch()
                if callback is not None:
                    callback()
                return True
            data = memoryview(data)[sent:]  # type: ignore[assignment]
        self._out += data
        if callback is not None:
            if len(self._out) < OUTPUT_HIGH_WATER_MARK:
                callback()
            else:
                self._out_callbacks.append(callback)
        if not self._corked:
            self._writer_wake.set()
        return len(self._out) < OUTPUT_HIGH_WATER_MARK

    def _touch(self) -> None:
        self._activity = trio.current_time()
        if self._timed_out:
            self._timed_out = False
            self._timer_wake.set()

    def cork(self) -> None:
        """Hold writes in the buffer until the matching :meth:`uncork` (calls nest)."""
        self._corked += 1

    def uncork(self) -> None:
        """Undo one :meth:`cork`; the last one sends what was held, in one system call."""
        if self._corked:
            self._corked -= 1
        if self._corked or not self._out or self._writer_busy or self.destroyed:
            return
        try:
            sent = os.write(self._fd, self._out)
        except BlockingIOError:
            sent = 0
        except OSError as exc:
            callbacks, self._out_callbacks = self._out_callbacks, []
            self._fail(exc)
            for cb in callbacks:
                cb(self._write_error)
            return
        self.bytes_written += sent
        del self._out[:sent]
        if self._out:
            self._writer_wake.set()
            return
        self._touch()
        callbacks, self._out_callbacks = self._out_callbacks, []
        for cb in callbacks:
            cb()

    def _fail(self, exc: BaseException) -> None:
        if self._write_error is None:
            if isinstance(exc, BrokenPipeError):
                self._write_error = epipe()
            elif isinstance(exc, OSError):
                self._write_error = econnreset(str(exc))
            else:
                self._write_error = exc
        self.destroy()

    async def writer(self) -> None:
        """Flush the output buffer until the socket closes (runs as a task)."""
        stream = self._stream
        if stream is None:
            raise RuntimeError("Socket.writer() needs a connected socket")
        while not self.destroyed:
            if not self._out:
                if self._ending:
                    break
                await self._writer_wake.wait()
                self._writer_wake = trio.Event()
                continue
            data = bytes(self._out)
            self._out.clear()
            callbacks, self._out_callbacks = self._out_callbacks, []
            self._writer_busy = True
            try:
                await stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
                self._writer_busy = False
                self._fail(exc.__cause__ if isinstance(exc.__cause__, OSError) else BrokenPipeError())
                for cb in callbacks:
                    cb(self._write_error)
                return
            self._writer_busy = False
            self.bytes_written += len(data)
            self._touch()
            for cb in callbacks:
                cb()
        self._set_closed()

    async def wait_flushed(self) -> None:
        """Wait until everything written has reached the kernel (or the socket died)."""
        while (self._out or self._writer_busy) and not self.destroyed:
            await trio.sleep(0)
            if self._out or self._writer_busy:
                await trio.sleep(0.001)

    # -- input -------------------------------------------------------------------

    async def receive(self, max_bytes: int = 65536) -> bytes:
        """Read from the connection; ``b""`` at EOF or after a reset."""
        stream = self._stream
        if stream is None:
            return b""
        try:
            data = await stream.receive_some(max_bytes)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            return b""
        self.bytes_read += len(data)
        self._touch()
        return data

    async def timer(self) -> None:
        """Emit ``'timeout'`` after each idle period set by :meth:`set_timeout` (runs as a task)."""
        while not self.destroyed:
            if self.timeout is None:
                await self._timer_wake.wait()
                self._timer_wake = trio.Event()
                continue
            deadline = self._activity + self.timeout
            with trio.move_on_at(deadline):
                await self._timer_wake.wait()
                self._timer_wake = trio.Event()
                continue
            if self.destroyed or self.timeout is None:
                continue
            if trio.current_time() >= self._activity + self.timeout:
                # Once per idle period, as Node's: re-armed by the next activity.
                self._timed_out = True
                self.emit("timeout")
                while self._timed_out and not self.destroyed and self.timeout is not None:
                    await self._timer_wake.wait()
                    self._timer_wake = trio.Event()

    async def aclose(self) -> None:
        """Close the underlying Trio stream."""
        self.destroyed = True
        self._writer_wake.set()
        self._timer_wake.set()
        if self._stream is not None:
            with trio.CancelScope(shield=True):
                await self._stream.aclose()
