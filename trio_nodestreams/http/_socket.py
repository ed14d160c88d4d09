"""The connection under HTTP: Node's ``net.Socket`` surface over any ``trio.abc.Stream``.

A :class:`Socket` wraps a connected Trio stream (``trio.SocketStream``,
``trio.SSLStream``, a memory stream from ``trio.testing``). Its output side is
synchronous, as Node's is: ``write()`` queues bytes and returns whether the
buffer is still under its high-water mark; write callbacks run once their bytes
were handed to the stream. Who sends them:

- on a plain TCP socket, ``write()`` first offers the bytes to the kernel without
  blocking (libuv's ``uv_try_write``): a whole small response leaves in the step
  that produced it, with no task switch;
- otherwise the task that owns the connection sends what is queued before it
  waits again (:meth:`flush`), or, when nobody will, a writer task of the
  connection's scope does, for as long as there is something to send.

Its input side is :meth:`receive`, called by the owning task only; the peer's
end (``b""``) and a reset (``peer_reset``) are told apart.

:meth:`destroy` is synchronous as in Node: it wakes every task blocked on the
stream (their cancel scopes are cancelled), fails the pending write callbacks,
and queues ``'close'``; the owning task closes the stream itself on its way out.
"""

from __future__ import annotations

import errno
import os
import socket as _stdsocket
from collections.abc import Callable
from typing import Any, ClassVar

import trio

from .._errors import NodeError, NodeSystemError
from .._events import EventEmitter
from .._scope import Scope

Callback = Callable[..., object]

#: Bytes queued in the socket before ``write()`` returns False (Node >= 22's default).
HIGH_WATER_MARK = 64 * 1024
#: Bytes of a request kept for a resend; a longer request is not resent.
RECORD_LIMIT = 1024 * 1024
#: Seconds a closing connection keeps reading (and dropping) what its peer still sends.
LINGER = 2.0
#: Largest read from the stream.
READ_SIZE = 65536


def econnreset(message: str = "socket hang up") -> NodeSystemError:
    """Node's ``ECONNRESET`` error."""
    return NodeSystemError("ECONNRESET", message, errno=-errno.ECONNRESET)


def epipe() -> NodeSystemError:
    """Node's ``EPIPE`` error (writing to a connection the peer closed)."""
    return NodeSystemError("EPIPE", "write EPIPE", errno=-errno.EPIPE, syscall="write")


#: What a read on a socket closed under it raises (SocketStream's "closed", not "broken").
_CLOSED_ERRNOS = frozenset({errno.EBADF, errno.ENOTSOCK})


def _os_error(exc: BaseException | None, syscall: str) -> NodeSystemError:
    """Node's error for a failed read or write on the connection."""
    if isinstance(exc, BrokenPipeError):
        return epipe()
    if isinstance(exc, OSError) and exc.errno is not None:
        code = errno.errorcode.get(exc.errno, "ECONNRESET")
        return NodeSystemError(code, f"{syscall} {code}", errno=-exc.errno, syscall=syscall)
    return NodeSystemError("ECONNRESET", f"{syscall} ECONNRESET", errno=-errno.ECONNRESET, syscall=syscall)


def _socket_stream(stream: trio.abc.Stream | None) -> trio.SocketStream | None:
    """The TCP stream at the bottom of ``stream`` (through TLS), if there is one."""
    seen = 0
    while stream is not None and seen < 8:
        if isinstance(stream, trio.SocketStream):
            return stream
        stream = getattr(stream, "transport_stream", None)
        seen += 1
    return None


class Socket(EventEmitter):
    """One connection as the http layer exposes it (Node's ``net.Socket``).

    Events: ``'close'`` (``had_error``), ``'timeout'``, ``'error'``, ``'drain'``.

    Attributes:
      remote_address, remote_port, remote_family, local_address, local_port:
        the endpoints, when the stream is a TCP socket (``None`` otherwise).
      bytes_read, bytes_written: byte counts.
      destroyed: True once closed or destroyed.
      connecting: True until the stream is attached (client sockets).
      encrypted: True over TLS.
      timeout: the inactivity timeout in seconds, or None.
    """

    _event_arity: ClassVar[dict[str, int]] = {
        **EventEmitter._event_arity,
        "close": 1, "timeout": 0, "error": 1, "drain": 0, "end": 0, "connect": 0,
    }  # fmt: skip

    def __init__(self, stream: trio.abc.Stream | None, scope: Scope) -> None:
        """Wrap ``stream``; with ``None`` the socket exists unconnected until :meth:`_attach`."""
        super().__init__()
        self._scope = scope
        self._stream: trio.abc.Stream | None = None
        self._fd = -1
        # Plain TCP: the Trio socket's recv, called without SocketStream's per-call
        # error-translating context manager (the same translation is done here).
        self._recv: Callable[[int], Any] | None = None
        self.connecting = True
        self.destroyed = False
        self.encrypted = False
        self.remote_address: str | None = None
        self.remote_port: int | None = None
        self.remote_family: str | None = None
        self.local_address: str | None = None
        self.local_port: int | None = None
        self.bytes_read = 0
        self.bytes_written = 0
        self.timeout: float | None = None
        #: The message currently using the connection (Node's ``socket._httpMessage``).
        self._http_message: Any = None
        #: The server, for a server-side connection.
        self.server: Any = None
        # Output: bytes not yet handed to the stream, and the callbacks waiting for
        # them as (offset the bytes end at, callback); offsets count every byte queued.
        self._out = bytearray()
        self._out_cbs: list[tuple[int, Callback]] = []
        self._queued = 0
        self._sent = 0
        self._corked = 0
        self._sending = False
        # Set while a send runs and someone waits for it to end (see _wait_send_done).
        self._send_done: trio.Event | None = None
        # The server's canned answer to a bad request is queued: close after it went out.
        self._answering = False
        self._writer_running = False
        self._writer_cancel: trio.CancelScope | None = None
        self._need_drain = False
        self._ending = False
        self._ended = False
        self._had_error = False
        self._error: BaseException | None = None
        # The owning task is processing and will flush before it waits again.
        self._owner_busy = False
        # Cancelled by destroy(): the owning task's I/O wakes up.
        self._io_scope: trio.CancelScope | None = None
        # Input.
        self.peer_ended = False
        self.peer_reset = False
        # A copy of what is written, kept while a request may still be resent (client).
        self._record: bytearray | None = None
        # Internal close hooks run before the 'close' listeners, in order.
        self._close_hooks: list[Callable[[bool], object]] = []
        self._close_emitted = False
        # Inactivity timer (started on demand).
        self._activity = 0.0
        self._timer_wake: trio.Event | None = None
        self._timed_out = False
        if stream is not None:
            self._attach(stream)

    def _attach(self, stream: trio.abc.Stream) -> None:
        """Bind the connected ``stream``; ``connecting`` ends."""
        self._stream = stream
        self.connecting = False
        tcp = _socket_stream(stream)
        if tcp is not None:
            sock = tcp.socket
            try:
                peer = sock.getpeername()
                self.remote_address, self.remote_port = peer[0], peer[1]
            except OSError:
                pass
            try:
                local = sock.getsockname()
                self.local_address, self.local_port = local[0], local[1]
            except OSError:
                pass
            self.remote_family = "IPv6" if sock.family == _stdsocket.AF_INET6 else "IPv4"
            if tcp is stream:
                # Plain TCP: write() may hand bytes to the kernel at once.
                self._fd = sock.fileno()
                self._recv = sock.recv
        self.encrypted = isinstance(stream, trio.SSLStream)
        if self.timeout is not None:
            self._start_timer()

    # -- Node's surface --------------------------------------------------------

    @property
    def stream(self) -> trio.abc.Stream | None:
        """The Trio stream under this socket."""
        return self._stream

    @property
    def writable(self) -> bool:
        """Whether writes are still accepted."""
        return not self.destroyed and not self._ending

    @property
    def writable_length(self) -> int:
        """Bytes queued but not yet handed to the stream."""
        return len(self._out)

    @property
    def writable_high_water_mark(self) -> int:
        """The output buffer's high-water mark."""
        return HIGH_WATER_MARK

    @property
    def writable_corked(self) -> int:
        """How many :meth:`cork` calls are in force."""
        return self._corked

    @property
    def writable_need_drain(self) -> bool:
        """Whether ``'drain'`` will be emitted (a write returned False)."""
        return self._need_drain

    @property
    def readable(self) -> bool:
        """Whether the peer may still send."""
        return not self.destroyed and not self.peer_ended

    def address(self) -> dict[str, Any]:
        """The local address: ``{'address', 'family', 'port'}``."""
        return {"address": self.local_address, "family": self.remote_family, "port": self.local_port}

    def set_no_delay(self, no_delay: bool = True) -> Socket:
        """Set ``TCP_NODELAY`` (on by default for http connections)."""
        tcp = _socket_stream(self._stream)
        if tcp is not None:
            try:
                tcp.setsockopt(_stdsocket.IPPROTO_TCP, _stdsocket.TCP_NODELAY, bool(no_delay))
            except OSError:
                pass
        return self

    def set_keep_alive(self, enable: bool = False, initial_delay: float = 0) -> Socket:
        """Set ``SO_KEEPALIVE`` (and its first delay, in ms, where the platform has it)."""
        tcp = _socket_stream(self._stream)
        if tcp is not None:
            try:
                tcp.setsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_KEEPALIVE, bool(enable))
                if enable and initial_delay and hasattr(_stdsocket, "TCP_KEEPIDLE"):
                    seconds = max(1, int(initial_delay // 1000))
                    tcp.setsockopt(_stdsocket.IPPROTO_TCP, _stdsocket.TCP_KEEPIDLE, seconds)
            except OSError:
                pass
        return self

    def set_timeout(self, msecs: float, callback: Callback | None = None) -> Socket:
        """Emit ``'timeout'`` after ``msecs`` of inactivity (0 disables); it does not close."""
        if callback is not None:
            if msecs:
                self.once("timeout", callback)
            else:
                self.remove_listener("timeout", callback)
        self.timeout = msecs / 1000 if msecs else None
        self._activity = trio.current_time()
        self._timed_out = False
        if self._timer_wake is not None:
            self._timer_wake.set()
        elif self.timeout is not None and not self.connecting and not self.destroyed:
            self._start_timer()
        return self

    def ref(self) -> Socket:
        """Kept for Node compatibility: a Trio task always keeps its run alive."""
        return self

    def unref(self) -> Socket:
        """Kept for Node compatibility (see :meth:`ref`)."""
        return self

    # -- output ------------------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview, callback: Callback | None = None) -> bool:
        """Queue ``data``; ``callback(err=None)`` runs once it was handed to the stream.

        Returns:
          bool: False once the queued bytes reach the high-water mark (wait for ``'drain'``).
        """
        if self._corked and self._record is None and not self.destroyed and not self._ending:
            # Short path: the general path's steps for a corked socket (the writes of one tick).
            out = self._out
            out += data
            self._queued += len(data)
            if callback is not None:
                self._out_cbs.append((self._queued, callback))
            if len(out) < HIGH_WATER_MARK:
                return True
            self._need_drain = True
            return False
        if self.destroyed or self._ending:
            err: BaseException = self._error or (
                epipe() if self.destroyed else NodeError("ERR_STREAM_WRITE_AFTER_END", "write after end")
            )
            if callback is not None:
                self._scope.next_tick(callback, err)
            return False
        size = len(data)
        record = self._record
        if record is not None:
            if len(record) + size > RECORD_LIMIT:
                self._record = None
            else:
                record += data
        if not self._out and not self._corked and not self._sending and self._fd >= 0 and size:
            try:
                sent = os.write(self._fd, data)
            except BlockingIOError:
                sent = 0
            except OSError as exc:
                self._write_failed(exc)
                if callback is not None:
                    self._scope.next_tick(callback, self._error)
                return False
            self.bytes_written += sent
            if self.timeout is not None:
                self._activity = trio.current_time()
            if sent == size:
                self._queued += size
                self._sent += size
                if callback is not None:
                    # Node runs write callbacks on a later tick, never inside write().
                    self._scope.next_tick(callback)
                return True
            self._queued += sent
            self._sent += sent
            data = memoryview(data)[sent:]
        self._out += data
        self._queued += len(data)
        if callback is not None:
            self._out_cbs.append((self._queued, callback))
        if not self._corked:
            self._kick()
        if len(self._out) < HIGH_WATER_MARK:
            return True
        self._need_drain = True
        return False

    def cork(self) -> None:
        """Hold writes until the matching :meth:`uncork` (calls nest)."""
        self._corked += 1

    def uncork(self) -> None:
        """Undo one :meth:`cork`; the last one sends what was held, in one system call."""
        if not self._corked:
            return
        self._corked -= 1
        if self._corked or not self._out:
            return
        if self._fd >= 0 and not self._sending and not self.destroyed:
            try:
                sent = os.write(self._fd, self._out)
            except BlockingIOError:
                sent = 0
            except OSError as exc:
                self._write_failed(exc)
                return
            if sent:
                self.bytes_written += sent
                del self._out[:sent]
                self._flushed(sent)
        if self._out:
            self._kick()

    def _kick(self) -> None:
        """Make sure someone will send what is queued."""
        if self._sending or self._owner_busy or self.destroyed or self._stream is None:
            return
        if not self._writer_running:
            self._writer_running = True
            self._scope.nursery.start_soon(self._writer)

    def _flushed(self, count: int) -> None:
        """``count`` more queued bytes reached the stream: their callbacks may run."""
        self._sent += count
        if self.timeout is not None:
            self._activity = trio.current_time()
        if self._timed_out:
            self._timed_out = False
            if self._timer_wake is not None:
                self._timer_wake.set()
        cbs = self._out_cbs
        if cbs:
            sent = self._sent
            done = 0
            for offset, _cb in cbs:
                if offset > sent:
                    break
                done += 1
            if done:
                ready = [cb for _offset, cb in cbs[:done]]
                del cbs[:done]
                self._scope.next_tick(_run_all, ready)
        if self._need_drain and not self._out:
            self._need_drain = False
            self._scope.next_tick(self._emit_drain)

    def _emit_drain(self) -> None:
        if not self.destroyed:
            self.emit("drain")

    async def _send_queued(self) -> None:
        """Hand everything queued to the stream (one ``send_all``); one sender at a time."""
        stream = self._stream
        assert stream is not None
        data = self._out
        self._out = bytearray()
        self._sending = True
        try:
            await stream.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            self._send_finished()
            self._write_failed(exc.__cause__ if isinstance(exc.__cause__, OSError) else exc)
            return
        except BaseException:
            # Cancelled midway: part of the data may be gone, the rest cannot follow it.
            self._send_finished()
            self.destroy()
            raise
        self._send_finished()
        self.bytes_written += len(data)
        self._flushed(len(data))

    def _send_finished(self) -> None:
        self._sending = False
        done = self._send_done
        if done is not None:
            self._send_done = None
            done.set()

    async def _wait_send_done(self) -> None:
        """Wait until the send in progress (another task's) ended."""
        done = self._send_done
        if done is None:
            done = self._send_done = trio.Event()
        await done.wait()

    async def flush(self) -> None:
        """Send everything queued (the owning task, before it waits for the peer)."""
        while (self._out or self._sending) and not self.destroyed and not self._corked and self._stream is not None:
            if self._sending:
                # The writer task is sending: two send_all at once would interleave bytes.
                await self._wait_send_done()
            else:
                await self._send_queued()

    async def _writer(self) -> None:
        """Send what others queued while the owning task waits (runs as a task)."""
        try:
            with trio.CancelScope() as cs:
                self._writer_cancel = cs
                while self._out and not self.destroyed and not self._corked and not self._owner_busy and not self._sending:
                    await self._send_queued()
        finally:
            self._writer_cancel = None
            self._writer_running = False
        if self._out and not self.destroyed and not self._corked and not self._owner_busy:
            self._kick()  # queued while the last send was finishing

    @property
    def output_idle(self) -> bool:
        """Whether nothing is queued and nothing is being sent."""
        return not self._out and not self._sending

    async def wait_output_idle(self) -> None:
        """Wait until everything queued was sent (or the socket died)."""
        while (self._out or self._sending) and not self.destroyed:
            if self._sending:
                await self._wait_send_done()
            elif not self._writer_running and not self._corked:
                await self._send_queued()
            else:
                await trio.sleep(0)  # the writer task is about to start, or a cork is held

    def _write_failed(self, exc: BaseException | None) -> None:
        """A write failed: the connection is gone (EPIPE or ECONNRESET)."""
        if self.destroyed:
            return
        self.destroy(_os_error(exc, "write"))

    # -- input -------------------------------------------------------------------

    async def receive(self, max_bytes: int = READ_SIZE) -> bytes:
        """Read what the peer sent next; ``b""`` at its end or after a reset (``peer_reset``).

        Only the task that owns the connection reads.
        """
        stream = self._stream
        if stream is None or self.destroyed:
            return b""
        recv = self._recv
        try:
            data = await (recv(max_bytes) if recv is not None else stream.receive_some(max_bytes))
        except trio.BrokenResourceError as exc:
            # A reset is not an end: the peer did not finish what it was doing.
            return self._reset(self._read_error(exc))
        except trio.ClosedResourceError:
            return b""
        except OSError as exc:
            # Only the raw recv raises these; SocketStream would translate them alike.
            if exc.errno in _CLOSED_ERRNOS:
                return b""
            return self._reset(_os_error(exc, "read"))
        if type(data) is not bytes:
            data = bytes(data)  # some streams (TLS) hand out bytearrays
        if data:
            self.bytes_read += len(data)
            if self.timeout is not None:
                self._activity = trio.current_time()
            if self._timed_out:
                self._timed_out = False
                if self._timer_wake is not None:
                    self._timer_wake.set()
        else:
            self.peer_ended = True
        return data

    def _reset(self, error: NodeError) -> bytes:
        self.peer_reset = True
        self.peer_ended = True
        self._error = self._error or error
        return b""

    def _read_error(self, exc: trio.BrokenResourceError) -> NodeError:
        """The Node error for a read that failed (a TLS socket reports TLS alerts)."""
        return _os_error(exc.__cause__, "read")

    # -- closing ---------------------------------------------------------------

    def end(self, callback: Callback | None = None) -> Socket:
        """Finish the output: close once everything queued was sent."""
        if callback is not None:
            self.once("close", lambda *_: callback())
        if not self._ending:
            self._ending = True
            if self._corked:
                self._corked = 1
                self.uncork()
            self._kick_close()
        return self

    def destroy_soon(self) -> None:
        """Node's ``destroySoon``: end, then close once the output is flushed."""
        self.end()

    def _kick_close(self) -> None:
        """A closing socket with nothing left to send: let the owner close it."""
        if not self._out and not self._sending and self._io_scope is not None and not self._owner_busy:
            self._io_scope.cancel()

    def destroy(self, err: BaseException | None = None) -> Socket:
        """Close the connection at once; queued output is dropped.

        Pending write callbacks get the error (or ``ECONNRESET``); ``'error'`` (when
        ``err`` is given and someone listens) and ``'close'`` follow on later ticks.
        """
        if self.destroyed:
            return self
        self.destroyed = True
        if err is not None:
            self._had_error = True
            self._error = err
        self._out = bytearray()
        cbs, self._out_cbs = self._out_cbs, []
        if cbs:
            failure = err if err is not None else econnreset()
            self._scope.next_tick(_run_all, [cb for _offset, cb in cbs], failure)
        if self._writer_cancel is not None:
            self._writer_cancel.cancel()
        if self._io_scope is not None:
            self._io_scope.cancel()
        if self._timer_wake is not None:
            self._timer_wake.set()
        tcp = self._stream
        if isinstance(tcp, trio.SocketStream):
            # The descriptor closes now (as Node's does): the peer sees the end at once.
            tcp.socket.close()
        if err is not None and self._events.get("error"):
            self._scope.next_tick(self.emit, "error", err)
        # As Node's: 'close' comes from the I/O side, after every deferred call.
        self._scope.set_immediate(self._emit_close)
        return self

    def _emit_close(self) -> None:
        if self._close_emitted:
            return
        self._close_emitted = True
        had_error = self._had_error
        hooks, self._close_hooks = self._close_hooks, []
        for hook in hooks:
            hook(had_error)
        if self._events.get("close"):
            self.emit("close", had_error)

    async def aclose_stream(self, *, graceful: bool) -> None:
        """Close the Trio stream (the owning task, on its way out); never raises.

        ``graceful`` sends what is queued first, ends the output (FIN where the
        stream can half-close) and then reads and drops what the peer still
        sends for up to ``LINGER`` seconds: a client still uploading then
        reads the last answer (a 413, say) before the close could reset it.
        Otherwise the close is immediate.
        """
        stream = self._stream
        if stream is None:
            return
        with trio.CancelScope(shield=True):
            if graceful and not self.destroyed:
                with trio.move_on_after(5) as cs:
                    self._io_scope = cs
                    await self.wait_output_idle()
                if not self.peer_ended and not self.destroyed:
                    with trio.move_on_after(LINGER) as cs:
                        self._io_scope = cs
                        if isinstance(stream, trio.abc.HalfCloseableStream):
                            try:
                                await stream.send_eof()
                            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                                pass
                        try:
                            while await stream.receive_some(READ_SIZE):
                                pass
                        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                            pass
                self._io_scope = None
                with trio.move_on_after(1):
                    try:
                        await stream.aclose()
                    except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                        pass
            await trio.aclose_forcefully(stream)
        was_destroyed = self.destroyed
        self.destroyed = True
        self._ended = True
        if self._timer_wake is not None:
            self._timer_wake.set()
        if not was_destroyed:
            cbs, self._out_cbs = self._out_cbs, []
            if cbs:
                self._scope.next_tick(_run_all, [cb for _offset, cb in cbs], econnreset())
            self._scope.set_immediate(self._emit_close)

    # -- inactivity timer ---------------------------------------------------------

    def _start_timer(self) -> None:
        self._timer_wake = trio.Event()
        self._activity = trio.current_time()
        self._scope.nursery.start_soon(self._timer)

    async def _timer(self) -> None:
        """Emit ``'timeout'`` once per idle period (runs while a timeout is set)."""
        try:
            while not self.destroyed and self.timeout is not None:
                wake = self._timer_wake
                assert wake is not None
                if self._timed_out:
                    await wake.wait()
                else:
                    with trio.move_on_at(self._activity + self.timeout):
                        await wake.wait()
                if wake.is_set():
                    self._timer_wake = trio.Event()
                    continue
                if self.destroyed or self.timeout is None:
                    break
                if trio.current_time() >= self._activity + self.timeout and not self._timed_out:
                    self._timed_out = True
                    self.emit("timeout")
        finally:
            self._timer_wake = None

    def __repr__(self) -> str:
        where = f"{self.remote_address}:{self.remote_port}" if self.remote_address else "?"
        return f"<Socket {where}{' destroyed' if self.destroyed else ''}>"


def _run_all(callbacks: list[Callback], *args: object) -> None:
    for cb in callbacks:
        cb(*args)
