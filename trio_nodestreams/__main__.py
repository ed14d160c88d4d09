"""Command line: ``python -m trio_nodestreams {serve,get}``; ``--help`` on each says more.

``serve DIR`` serves the files under DIR (``trio_nodestreams.serve_static``).
``serve`` alone runs a demo server whose routes show the stream toolkit at work:
``/echo`` pipes the request into the response, ``/upload`` streams a body into
a hashing sink, ``/stream`` writes a slow chunked response that waits out
back-pressure. It prints the URL to open and one line per request.

``get`` downloads with the http client: the response body is piped into a
Writable over the file (written through ``trio.open_file``), with a progress
bar on stderr when stderr is a terminal.

Exit status: 0 when done; 1 for an HTTP status >= 400 (get) or an address
that cannot be served (serve); 2 for a usage, connection or protocol error;
130 after Ctrl-C. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import collections
import errno
import hashlib
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

import trio

import trio_nodestreams as ns
from trio_nodestreams import cluster, http, https
from trio_nodestreams.serve_static import static_handler

#: The conventional exit status of a program ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 128 + signal.SIGINT

PAGE = """\
trio_nodestreams demo server: Node's streams and http module on Trio.

Try:
{try_lines}
Every body is a stream with back-pressure: a slow client slows the server's
reads, an unread upload stops the server reading the socket; memory stays flat.
"""

TRY = [
    ("curl {url}", "this page"),
    ("curl --data-binary @somefile {url}echo", "the body streamed back (req.pipe(res))"),
    ("curl -T bigfile {url}upload", "size and SHA-256 of a streamed upload"),
    ("curl -N '{url}stream?n=10'", "a chunked response, written slowly"),
]


def page(url: str) -> str:
    """The demo's front page, its commands aimed at ``url``."""
    commands = [(cmd.format(url=url), what) for cmd, what in TRY]
    width = max(len(cmd) for cmd, _ in commands)
    return PAGE.format(try_lines="".join(f"  {cmd:<{width}}   {what}\n" for cmd, what in commands))


def _query(url: str) -> dict[str, str]:
    _, _, qs = url.partition("?")
    out: dict[str, str] = {}
    for part in qs.split("&"):
        if "=" in part:
            key, _, value = part.partition("=")
            out[key] = value
    return out


def base_url(host: str, port: int, scheme: str = "http") -> str:
    """``http://host:port/``, with an IPv6 address in brackets."""
    return f"{scheme}://[{host}]:{port}/" if ":" in host else f"{scheme}://{host}:{port}/"


# -- TLS ----------------------------------------------------------------------------------


def tls_files(command: str, **files: str | None) -> dict[str, bytes] | None:
    """Read the PEM files named by TLS options (``cert=path``...); None if one cannot be read."""
    out: dict[str, bytes] = {}
    for name, path in files.items():
        if path is None:
            continue
        try:
            with open(path, "rb") as f:
                out[name] = f.read()
        except OSError as exc:
            _error(command, f"cannot read {path}: {_os_reason(exc)}")
            return None
    return out


def make_handler(
    url: Callable[[], str],
) -> Callable[[http.IncomingMessage, http.ServerResponse], Awaitable[None]]:
    """The demo's request handler; ``url()`` says where the server can be reached."""

    async def handler(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        path = req.url.split("?", 1)[0]
        if path == "/":
            res.set_header("Content-Type", "text/plain; charset=utf-8")
            res.end(page(url()))
        elif path == "/echo":
            res.set_header(
                "Content-Type", req.headers.get("content-type", "application/octet-stream")
            )
            req.pipe(res)
        elif path == "/upload":
            digest = hashlib.sha256()
            size = 0

            def write(
                _stream: ns.Writable, chunk: bytes, _enc: str, callback: Callable[[], None]
            ) -> None:
                nonlocal size
                size += len(chunk)
                digest.update(chunk)
                callback()

            # pipeline() ends with the sink, or raises (and destroys both) if the client leaves.
            await ns.pipeline(req, ns.Writable(write=write))
            res.set_header("Content-Type", "application/json")
            res.end(json.dumps({"bytes": size, "sha256": digest.hexdigest()}) + "\n")
        elif path == "/stream":
            try:
                n = max(0, min(1000, int(_query(req.url).get("n", "10"))))
            except ValueError:
                n = 10
            res.set_header("Content-Type", "text/plain; charset=utf-8")
            for i in range(n):
                await res.send_all(f"chunk {i + 1} of {n}\n".encode())
                await trio.sleep(0.2)
            res.end()
        else:
            res.status_code = 404
            res.end("not found\n")

    return handler


def with_access_log(
    handler: Callable[[http.IncomingMessage, http.ServerResponse], Awaitable[None]],
    out: TextIO,
    prefix: str = "",
) -> Callable[[http.IncomingMessage, http.ServerResponse], Awaitable[None]]:
    """Wrap ``handler`` so that each response, once closed, prints one line to ``out``."""

    async def logged(req: http.IncomingMessage, res: http.ServerResponse) -> None:
        started = time.monotonic()
        peer = req.socket.remote_address if req.socket is not None else None

        def on_close() -> None:
            ms = (time.monotonic() - started) * 1000
            status = res.status_code if res.headers_sent else "-"
            note = "" if res.writable_finished else "  (closed before the response ended)"
            out.write(
                f'{prefix}{peer or "-"} [{time.strftime("%H:%M:%S")}] "{req.method} {req.url} '
                f'HTTP/{req.http_version}" {status} {ms:.1f} ms{note}\n'
            )
            out.flush()

        res.once("close", on_close)
        await handler(req, res)

    return logged


Site = Callable[[http.IncomingMessage, http.ServerResponse], Awaitable[None]]


def static_site(root: str | None, follow_symlinks: bool, show_hidden: bool) -> Site | None:
    """``serve DIR``'s handler (None without DIR).

    Raises:
      OSError: DIR is missing or not a directory.
    """
    if root is None:
        return None
    return static_handler(root, follow_symlinks=follow_symlinks, show_hidden=show_hidden)


async def serve(
    host: str, port: int, quiet: bool, tls: dict[str, bytes] | None = None, site: Site | None = None
) -> int:
    """Run ``site`` (default: the demo) until cancelled; return 1 when the address cannot be served.

    With ``tls`` (``{'cert', 'key'}`` PEM contents) it serves https.
    """
    scheme = "https" if tls else "http"
    where = [base_url(host, port, scheme)]  # the bound address once listening (port 0 picks one)
    handler = site if site is not None else make_handler(lambda: where[0])
    async with ns.open_scope():
        handler = handler if quiet else with_access_log(handler, sys.stdout)
        try:
            server = https.create_server(tls, handler) if tls else http.create_server(handler)
        except ns.NodeError as exc:
            _error("serve", f"cannot use the TLS certificate or key: {exc.code}: {exc}")
            return 2
        try:
            await server.listen(port, host)
        except OSError as exc:
            _error("serve", f"cannot listen on {where[0]}: {_os_reason(exc, hint=True)}")
            return 1
        addr = server.address()
        assert addr is not None
        where[0] = base_url(addr["address"], addr["port"], scheme)
        print(f"serving on {where[0]}  (Ctrl-C stops)", flush=True)
        await trio.sleep_forever()
    return 0  # pragma: no cover - only cancellation ends the block


async def serve_worker(
    worker: cluster.Worker,
    quiet: bool,
    cert: str | None = None,
    key: str | None = None,
    site: tuple[str | None, bool, bool] = (None, False, False),
) -> None:
    """One worker of ``serve --workers N``: the demo server (or ``serve DIR``'s) on the cluster's port.

    With ``cert`` and ``key`` (PEM file paths: the key travels as a path, not as
    bytes in the worker's environment) it serves https.
    """
    tls = tls_files("serve", cert=cert, key=key) if cert and key else None
    if cert and key and tls is None:
        raise OSError(f"cannot read {cert} or {key}")
    url = base_url(worker.host, worker.port, "https" if tls else "http")
    files = static_site(*site)
    handler = files if files is not None else make_handler(lambda: url)
    async with ns.open_scope():
        prefix = f"[{os.getpid()}] "  # which worker served it
        handler = handler if quiet else with_access_log(handler, sys.stdout, prefix)
        server = https.create_server(tls, handler) if tls else http.create_server(handler)
        await worker.listen(server)


def serve_cluster(args: argparse.Namespace) -> int:
    """``serve --workers N``: a supervisor and N workers; 0 after SIGTERM or SIGINT."""

    scheme = "https" if args.tls_cert else "http"

    def on_ready(host: str, port: int) -> None:
        print(f"serving on {base_url(host, port, scheme)}  (Ctrl-C stops)", flush=True)

    try:
        return cluster.run(
            serve_worker,
            workers=args.workers,
            host=args.host,
            port=args.port,
            args=(args.quiet, args.tls_cert, args.tls_key, (args.dir, args.follow_symlinks, args.show_hidden)),
            graceful_timeout=args.graceful_timeout,
            on_ready=on_ready,
        )
    except OSError as exc:
        _error("serve", f"cannot listen on {base_url(args.host, args.port)}: {_os_reason(exc, hint=True)}")
        return 1


# -- get ----------------------------------------------------------------------------------


def _size(n: float) -> str:
    """``n`` bytes for people: ``512 B``, ``1.5 KiB``, ``3.2 MiB``, ``1.0 GiB``."""
    if n < 1024:
        return f"{int(n)} B"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            break
    return f"{n:.1f} {unit}"


def _duration(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) for an ETA."""
    s = int(seconds + 0.5)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """A one-line progress bar: bar and percentage when the size is known, rate, ETA.

    Each redraw returns to the start of the line and pads with spaces over
    whatever the previous, longer line left, and is cut to the terminal's
    width so that it never wraps. Disabled (it writes nothing) unless
    ``enabled``; the CLI enables it only when stderr is a terminal.

    Args:
      total: the expected size in bytes, or None when unknown.
      out: where to draw.
      enabled: draw at all.
      clock: seconds, monotonic (tests pass a fake one).
      width: columns available; default the terminal's.
    """

    #: Seconds between redraws, and the window the rate is measured over.
    INTERVAL = 0.1
    WINDOW = 2.0
    WARMUP = 0.3

    def __init__(
        self,
        total: int | None,
        out: TextIO,
        *,
        enabled: bool,
        clock: Callable[[], float] = time.monotonic,
        width: int | None = None,
    ) -> None:
        self.total = total
        self.out = out
        self.enabled = enabled
        self.clock = clock
        self.width = width
        self.done = 0
        self.started = clock()
        self.shown_at: float | None = None
        self.last_len = 0
        self.samples: collections.deque[tuple[float, int]] = collections.deque([(self.started, 0)])

    def add(self, n: int) -> None:
        """Count ``n`` more bytes; redraw at most every ``INTERVAL`` seconds."""
        self.done += n
        now = self.clock()
        self.samples.append((now, self.done))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.WINDOW:
            self.samples.popleft()
        if self.shown_at is None or now - self.shown_at >= self.INTERVAL:
            self.shown_at = now
            self.draw(self.line(now))

    def rate(self, now: float) -> float | None:
        """Bytes per second over the last ``WINDOW`` seconds; None before ``WARMUP`` seconds."""
        t0, d0 = self.samples[0]
        # The first moments measure the connection's buffers, not the transfer: wait.
        if now - t0 < self.WARMUP:
            return None
        return (self.done - d0) / (now - t0)

    def line(self, now: float) -> str:
        """The text of the bar at ``now``."""
        rate = self.rate(now)
        speed = "--/s" if rate is None else f"{_size(rate)}/s"
        if not self.total:
            return f"{_size(self.done)}  {speed}"
        frac = min(self.done / self.total, 1.0)
        bar = "#" * int(frac * 24)
        left = self.total - self.done
        eta = f"ETA {_duration(left / rate)}" if rate and left > 0 else "ETA --:--"
        return f"[{bar:<24}] {frac * 100:5.1f}%  {_size(self.done)} / {_size(self.total)}  {speed}  {eta}"

    def draw(self, text: str) -> None:
        if not self.enabled:
            return
        columns = self.width if self.width is not None else shutil.get_terminal_size().columns
        text = text[: max(columns - 1, 1)]  # the last column would wrap on some terminals
        pad = " " * max(self.last_len - len(text), 0)
        self.out.write(f"\r{text}{pad}")
        self.out.flush()
        self.last_len = len(text)

    def finish(self, ok: bool = True) -> None:
        """Replace the bar with a summary line (when done) or end the line (when not)."""
        if not self.enabled:
            return
        now = self.clock()
        elapsed = now - self.started
        if ok:
            average = self.done / elapsed if elapsed > 0 else 0.0
            self.draw(f"{_size(self.done)} in {elapsed:.1f} s ({_size(average)}/s)")
        self.out.write("\n")
        self.out.flush()
        self.last_len = 0


def file_writable(f: Any, progress: Progress) -> ns.Writable:
    """A Writable over an open ``trio`` async file (writes run in a worker thread)."""

    async def write(_stream: ns.Writable, chunk: bytes, _encoding: str) -> None:
        await f.write(chunk)
        progress.add(len(chunk))

    async def writev(_stream: ns.Writable, chunks: list[tuple[bytes, str]]) -> None:
        data = b"".join(c for c, _ in chunks)
        await f.write(data)
        progress.add(len(data))

    return ns.Writable(write=write, writev=writev, high_water_mark=1024 * 1024)


async def download(
    url: str, output: str | None, quiet: bool, progress_out: TextIO, tls: dict[str, Any] | None = None
) -> int:
    """Fetch ``url`` into ``output`` (stdout when None); return the exit status.

    ``tls``: options of an ``https://`` request (``ca``, ``reject_unauthorized``).
    """
    if output is not None:
        try:
            f: Any = await trio.open_file(output, "wb")
        except OSError as exc:
            _error("get", f"cannot write {output}: {_os_reason(exc)}")
            return 2
    else:
        f = trio.wrap_file(sys.stdout.buffer)
    progress: Progress | None = None
    try:
        async with ns.open_scope():
            try:
                if url.lower().startswith("https:"):
                    req = https.get(url, agent=False, **(tls or {}))
                else:
                    req = http.get(url, agent=False)
                res = await req.response()
            except ns.NodeError as exc:
                _error("get", f"{exc.code}: {exc}")
                return 2
            if res.status_code is not None and res.status_code >= 400:
                _error("get", f"HTTP {res.status_code} {res.status_message}")
                res.resume()
                return 1
            length = res.headers.get("content-length")
            total = int(length) if isinstance(length, str) and length.isdigit() else None
            progress = Progress(total, progress_out, enabled=not quiet and progress_out.isatty())
            try:
                await ns.pipeline(res, file_writable(f, progress))
            except ns.NodeError as exc:
                progress.finish(ok=False)
                _error("get", f"{exc.code}: {exc}")
                return 2
            except OSError as exc:
                progress.finish(ok=False)
                _error("get", f"cannot write {output or 'stdout'}: {_os_reason(exc)}")
                return 2
            if not res.complete:
                progress.finish(ok=False)
                _error("get", "the response was cut short")
                return 2
            progress.finish()
            return 0
    except trio.Cancelled:
        if progress is not None:
            progress.finish(ok=False)
        raise
    finally:
        with trio.CancelScope(shield=True):
            if output is not None:
                await f.aclose()
            else:
                await f.flush()


# -- running ------------------------------------------------------------------------------


_HINTS = {
    errno.EADDRINUSE: "another program listens there; --port 0 picks a free port",
    errno.EACCES: "ports below 1024 need privileges",
}


def _os_reason(exc: OSError, hint: bool = False) -> str:
    """The OS's words for ``exc`` without the ``[Errno N]`` prefix, with a hint if ``hint``."""
    if exc.errno is not None and exc.errno in errno.errorcode:
        reason = os.strerror(exc.errno)
    else:
        reason = exc.strerror or str(exc)
    if hint and exc.errno in _HINTS:
        reason += f" ({_HINTS[exc.errno]})"
    return reason


def _error(command: str, message: str) -> None:
    print(f"{command}: {message}", file=sys.stderr, flush=True)


def _interrupted(command: str, detail: str = "") -> int:
    # After a ^C the terminal's cursor sits behind the echoed "^C": start a fresh line.
    lead = "\n" if sys.stderr.isatty() else ""
    sys.stderr.write(f"{lead}{command}: interrupted{detail}\n")
    sys.stderr.flush()
    return EXIT_INTERRUPTED


async def until_interrupted(fn: Callable[..., Awaitable[int]], *args: Any) -> int | None:
    """Run ``fn(*args)``; SIGINT cancels it (cleanly, at its next checkpoint).

    Returns:
      ``fn``'s result, or None when SIGINT cancelled it.
    """
    result: list[int] = []
    with trio.open_signal_receiver(signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:

            async def watch() -> None:
                async for _ in signals:
                    nursery.cancel_scope.cancel()
                    return

            nursery.start_soon(watch)
            result.append(await fn(*args))
            nursery.cancel_scope.cancel()
    return result[0] if result else None


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not in 0-65535")
    return port


def _workers(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        return cluster.resolve_workers(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a worker count: {text!r} (a number >= 1, or auto)") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand per job, each with its own ``--help``."""
    doc = __doc__ or ""
    ap = argparse.ArgumentParser(
        prog="python -m trio_nodestreams",
        description="Node's streams and http module on Trio: a file server, a demo server and a "
        "downloader.",
        epilog="Run 'python -m trio_nodestreams COMMAND --help' for a command's options.\n"
        + doc[doc.index("Exit status:") :].strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--version", action="version", version=f"trio_nodestreams {ns.__version__}")
    sub = ap.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
    sv = sub.add_parser(
        "serve",
        help="serve a directory over HTTP (serve DIR), or run the demo server",
        description="Serve the files under DIR (or, without DIR, run the demo HTTP server) until "
        "Ctrl-C. It prints the URL to open, then one line per request: client, time, request "
        "line, status, duration.",
    )
    sv.add_argument("dir", nargs="?", metavar="DIR", help="the directory to serve")
    sv.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="follow symbolic links that lead outside DIR (refused by default)",
    )
    sv.add_argument("--show-hidden", action="store_true", help="serve and list dotfiles")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sv.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="port to listen on; 0 picks a free one (default 8000)",
    )
    sv.add_argument("-q", "--quiet", action="store_true", help="no line per request")
    sv.add_argument("--tls-cert", metavar="FILE", help="serve https with this PEM certificate (chain)")
    sv.add_argument("--tls-key", metavar="FILE", help="the PEM private key of --tls-cert")
    sv.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="N worker processes under a supervisor on one port (SO_REUSEPORT); auto: one per "
        "core. SIGTERM/SIGINT stop gracefully, SIGHUP replaces the workers (default: one process)",
    )
    sv.add_argument(
        "--graceful-timeout",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="with --workers: seconds in-flight requests get to finish on a stop (default 30)",
    )
    gt = sub.add_parser(
        "get",
        help="download an http:// or https:// URL with a progress bar",
        description="Download URL through the http client. The progress bar (size, rate, ETA) "
        "goes to stderr when stderr is a terminal.",
    )
    gt.add_argument("url", help="an http:// or https:// URL")
    gt.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    gt.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    gt.add_argument("--cacert", metavar="FILE", help="trust the CA certificates in this PEM file (https)")
    gt.add_argument("-k", "--insecure", action="store_true", help="do not verify the server's certificate (https)")
    return ap


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    command: str = args.command
    status: int | None = None
    try:
        if command == "serve":
            if (args.tls_cert is None) != (args.tls_key is None):
                _error("serve", "--tls-cert and --tls-key go together")
                return 2
            tls = tls_files("serve", cert=args.tls_cert, key=args.tls_key)
            if tls is None:
                return 2
            try:
                site = static_site(args.dir, args.follow_symlinks, args.show_hidden)
            except OSError as exc:
                _error("serve", f"cannot serve {args.dir}: {_os_reason(exc)}")
                return 1
            if args.workers is not None:
                return serve_cluster(args)
            status = trio.run(until_interrupted, serve, args.host, args.port, args.quiet, tls or None, site)
        else:
            client_tls: dict[str, Any] | None = tls_files("get", ca=args.cacert)
            if client_tls is None:
                return 2
            if args.insecure:
                client_tls["reject_unauthorized"] = False
            status = trio.run(
                until_interrupted, download, args.url, args.output, args.quiet, sys.stderr, client_tls
            )
    except* KeyboardInterrupt:
        # Ctrl-C before the signal receiver was installed or after it was removed.
        status = None
    return _interrupted(command) if status is None else status


if __name__ == "__main__":
    sys.exit(main())
