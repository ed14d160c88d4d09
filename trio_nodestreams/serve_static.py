"""A static file server: an http request handler that serves a directory tree.

``static_handler(root)`` returns a handler for :func:`trio_nodestreams.http.create_server`
(``python -m trio_nodestreams serve DIR`` runs one). A file's bytes flow as Node's
would: a file read stream, an optional compression stream, the response, joined by
:func:`~trio_nodestreams.pipeline` with back-pressure, so a slow client slows the
reads and memory stays at the streams' high-water marks.

Per request, one worker thread call resolves the path, opens and checks the file
and decides the answer (status, headers, what to stream); the reads run in worker
threads too. The rules (paths, validators, ranges, encodings, listings) are the
sans-IO functions of ``_static_rules``.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import quote

import attrs
import trio

from . import fs, zlib
from ._compose import pipeline
from ._errors import NodeError
from ._static_rules import (
    Coding,
    Entry,
    Refused,
    choose_encoding,
    content_type,
    etag,
    etag_matches,
    http_date,
    is_compressible,
    parse_http_date,
    parse_range,
    render_listing,
    split_target,
)
from .http import IncomingMessage, ServerResponse

__all__ = ["static_handler"]

log = logging.getLogger("trio_nodestreams.serve_static")

Handler = Callable[[IncomingMessage, ServerResponse], Awaitable[None]]

#: Bodies smaller than this are not compressed on the fly (the coding's framing outweighs the gain).
MIN_COMPRESS = 256
#: The codings this server produces on the fly, in its order of preference.
ON_THE_FLY: tuple[Coding, ...] = ("br", "gzip")
_CODINGS: tuple[Coding, ...] = ("br", "gzip")
_SIBLING_SUFFIX: dict[Coding, str] = {"br": ".br", "gzip": ".gz"}
_ALLOW = "GET, HEAD"
_REASONS = {
    301: "moved permanently",
    400: "bad request",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    412: "precondition failed",
    416: "range not satisfiable",
}
# Opening with O_NONBLOCK keeps a FIFO in the tree from blocking the open; regular
# files ignore the flag. O_NOCTTY keeps a terminal device from becoming ours.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_PROC_FD = os.path.isdir("/proc/self/fd")


@attrs.frozen
class _Options:
    root: str  # the real path of the served directory (symbolic links resolved)
    follow_symlinks: bool
    show_hidden: bool
    index: str | None
    listing: bool
    compress: bool
    precompressed: bool
    gzip_level: int
    brotli_quality: int
    high_water_mark: int


@attrs.define
class _Plan:
    """What to answer: status and headers, then a generated body or a file's bytes."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    fd: int | None = None  # the open file to stream; whoever holds the plan must close it
    start: int = 0
    length: int = 0
    coding: Coding | None = None  # compress the file's bytes on the fly
    path: str = ""


def _error(status: int, extra: list[tuple[str, str]] | None = None) -> _Plan:
    body = f"{status} {_REASONS.get(status, 'error')}\n".encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    return _Plan(status, headers + (extra or []), body)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def _open_checked(path: str, opts: _Options) -> tuple[int, os.stat_result]:
    """Open ``path`` for reading and check that what was opened lies inside the root.

    The check is made on the open descriptor (its ``/proc`` link names what was
    actually opened), so a symbolic link swapped in between a check and the open
    cannot lead outside the root.

    Raises:
      Refused: 403 for a file reached through a link that leaves the root.
      OSError: the open or stat failed.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not opts.follow_symlinks:
            real = os.readlink(f"/proc/self/fd/{fd}") if _PROC_FD else os.path.realpath(path)
            if not _inside(real, opts.root):
                raise Refused(403, "a symbolic link leads outside the root")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def _status_for(exc: OSError) -> int:
    return 403 if isinstance(exc, PermissionError) else 404


def _plan(opts: _Options, method: str, target: str, headers: Mapping[str, str]) -> _Plan:
    """Decide the answer to one GET or HEAD (runs in a worker thread: it does file I/O)."""
    try:
        names, slash = split_target(target, show_hidden=opts.show_hidden)
        path = os.path.join(opts.root, *names)
        fd, st = _open_checked(path, opts)
    except Refused as exc:
        return _error(exc.status)
    except OSError as exc:
        return _error(_status_for(exc))
    try:
        if stat.S_ISDIR(st.st_mode):
            os.close(fd)
            return _directory(opts, method, headers, target, names, slash, path)
        if not stat.S_ISREG(st.st_mode) or slash:
            os.close(fd)
            return _error(404)
        return _file(opts, method, headers, path, fd, st)
    except Refused as exc:
        return _error(exc.status)
    except OSError as exc:
        return _error(_status_for(exc))


def _directory(
    opts: _Options, method: str, headers: Mapping[str, str], target: str, names: list[str], slash: bool, path: str
) -> _Plan:
    encoded = "/" + "".join(quote(os.fsencode(n), safe="") + "/" for n in names)
    query = target.split("?", 1)[1] if "?" in target else ""
    if not slash:
        # Built from the decoded names, never from the raw target: "//host" must not
        # become a redirect to another host.
        location = encoded + ("?" + query if query else "")
        plan = _error(301, [("Location", location)])
        return plan
    if opts.index:
        index = os.path.join(path, opts.index)
        try:
            fd, st = _open_checked(index, opts)
        except (OSError, Refused):
            pass
        else:
            if stat.S_ISREG(st.st_mode):
                return _file(opts, method, headers, index, fd, st)
            os.close(fd)
    if not opts.listing:
        return _error(403)
    entries: list[Entry] = []
    with os.scandir(path) as it:
        for entry in it:
            if entry.name.startswith(".") and not opts.show_hidden:
                continue
            try:
                est = entry.stat()  # follows links: a broken link is left out
                if entry.is_symlink() and not opts.follow_symlinks:
                    if not _inside(os.path.realpath(entry.path), opts.root):
                        continue  # it would be refused: do not offer it
            except OSError:
                continue
            is_dir = stat.S_ISDIR(est.st_mode)
            if not is_dir and not stat.S_ISREG(est.st_mode):
                continue
            entries.append(Entry(entry.name, is_dir, est.st_size, est.st_mtime))
    body = render_listing(encoded, entries, query, at_root=not names)
    head = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-cache"),
    ]
    return _Plan(200, head, body if method == "GET" else b"")


def _sibling(path: str, coding: Coding, st: os.stat_result, opts: _Options) -> tuple[int, os.stat_result] | None:
    """The precompressed ``.br``/``.gz`` sibling of ``path``, open, if it exists and is fresh."""
    try:
        fd, sst = _open_checked(path + _SIBLING_SUFFIX[coding], opts)
    except (OSError, Refused):
        return None
    if stat.S_ISREG(sst.st_mode) and sst.st_mtime_ns >= st.st_mtime_ns:
        return fd, sst
    os.close(fd)
    return None


def _file(
    opts: _Options, method: str, headers: Mapping[str, str], path: str, fd: int, st: os.stat_result
) -> _Plan:
    """The answer for the regular file open as ``fd``; closes every descriptor the plan does not keep."""
    kind = content_type(path)
    size = st.st_size
    last_modified = http_date(st.st_mtime)
    tag = etag(size, st.st_mtime_ns)
    range_header = headers.get("range")
    opened = [fd]
    keep = -1  # the descriptor the plan streams from, if any
    try:
        # Which representation: a precompressed sibling, compressed on the fly, or the
        # file. A Range request gets the file itself: ranges of a stream compressed on
        # the fly would not be stable, and a resumed download wants the file's bytes.
        siblings: dict[Coding, tuple[int, os.stat_result]] = {}
        compressible = opts.compress and is_compressible(kind) and size >= MIN_COMPRESS
        negotiable = compressible
        if opts.precompressed:
            for sib in _CODINGS:
                found = _sibling(path, sib, st, opts)
                if found is not None:
                    opened.append(found[0])
                    siblings[sib] = found
                    negotiable = True
        available = [c for c in _CODINGS if c in siblings or (compressible and c in ON_THE_FLY)]
        accept = headers.get("accept-encoding")
        coding = choose_encoding(accept, available) if accept and range_header is None else None
        head: list[tuple[str, str]] = [("Content-Type", kind), ("Last-Modified", last_modified)]
        if negotiable:
            head.append(("Vary", "Accept-Encoding"))
        rep_fd, rep_size, rep_tag = fd, size, tag
        if coding is not None and coding in siblings:
            rep_fd, sst = siblings[coding]
            rep_size = sst.st_size
            rep_tag = etag(sst.st_size, sst.st_mtime_ns, coding)
        elif coding is not None:
            rep_size = -1  # unknown until compressed: sent chunked
            rep_tag = etag(size, st.st_mtime_ns, coding, weak=True)
        head.append(("ETag", rep_tag))
        if coding is not None:
            head.append(("Content-Encoding", coding))
        else:
            head.append(("Accept-Ranges", "bytes"))

        # Preconditions, in HTTP's order (RFC 9110, section 13.2.2).
        if_match = headers.get("if-match")
        if if_match is not None:
            if not etag_matches(if_match, rep_tag, strong=True):
                return _error(412)
        else:
            since = parse_http_date(headers.get("if-unmodified-since") or "")
            if since is not None and int(st.st_mtime) > since:
                return _error(412)
        inm = headers.get("if-none-match")
        if inm is not None:
            if etag_matches(inm, rep_tag):
                return _Plan(304, [h for h in head if h[0] != "Content-Type"])
        else:
            since = parse_http_date(headers.get("if-modified-since") or "")
            if since is not None and int(st.st_mtime) <= since:
                return _Plan(304, [h for h in head if h[0] != "Content-Type"])

        start, length, status = 0, rep_size, 200
        if range_header is not None and coding is None:
            if_range = headers.get("if-range")
            if if_range is None or _if_range_holds(if_range, tag, st):
                ranged = parse_range(range_header, size)
                if ranged == "unsatisfiable":
                    return _error(416, [("Content-Range", f"bytes */{size}")])
                if isinstance(ranged, tuple):
                    first, last = ranged
                    start, length, status = first, last - first + 1, 206
                    head.append(("Content-Range", f"bytes {first}-{last}/{size}"))
        if length >= 0:
            head.append(("Content-Length", str(length)))
        if method == "HEAD" or length == 0:
            return _Plan(status, head)
        keep = rep_fd
        if length < 0:  # compressed on the fly: the guard counts the file's bytes
            return _Plan(status, head, fd=rep_fd, length=size, coding=coding, path=path)
        return _Plan(status, head, fd=rep_fd, start=start, length=length, path=path)
    finally:
        for other in opened:
            if other != keep:
                os.close(other)


def _if_range_holds(value: str, tag: str, st: os.stat_result) -> bool:
    """Whether an ``If-Range`` validator still matches the file (strong comparison)."""
    value = value.strip()
    if value.startswith(('"', "W/")):
        return etag_matches(value, tag, strong=True)
    date = parse_http_date(value)
    return date is not None and date == int(st.st_mtime)


# -- the streams ----------------------------------------------------------------------------


def open_file_stream(plan: _Plan, opts: _Options) -> fs.ReadStream:
    """The read stream of the plan's file (it owns and closes the descriptor)."""
    assert plan.fd is not None
    end = plan.start + plan.length - 1  # inclusive, as Node's
    return fs.create_read_stream(None, fd=plan.fd, start=plan.start, end=end, high_water_mark=opts.high_water_mark)


def compression_stream(coding: Coding, opts: _Options) -> zlib.ZlibBase:
    """A stream compressing with ``coding`` at the handler's level."""
    if coding == "br":
        params = {zlib.constants["BROTLI_PARAM_QUALITY"]: opts.brotli_quality}
        return zlib.create_brotli_compress(params=params)
    return zlib.create_gzip(level=opts.gzip_level)


class FileChangedError(NodeError):
    """The file held fewer bytes than its response announced (it shrank while being sent)."""


def _short(plan: _Plan, got: int) -> FileChangedError:
    return FileChangedError("ERR_FILE_CHANGED", f"{plan.path}: {got} bytes read where {plan.length} were announced")


async def _send_file(res: ServerResponse, plan: _Plan, opts: _Options) -> None:
    try:
        source = open_file_stream(plan, opts)
    except BaseException:
        assert plan.fd is not None
        os.close(plan.fd)
        raise
    short: list[FileChangedError] = []
    compressor = compression_stream(plan.coding, opts) if plan.coding is not None else None

    def on_end() -> None:
        # Runs before the pipeline's own 'end' listener (listeners run in the order they
        # were added). A file that came up short must not end its response: the
        # compressor is failed instead of finished, an identity response is destroyed
        # instead of ended, and the connection closes.
        if source.bytes_read != plan.length:
            short.append(_short(plan, source.bytes_read))
            log.warning("connection closed: %s", short[0])
            (compressor if compressor is not None else res).destroy(short[0])
        elif compressor is None:
            # Ended here rather than by the pipeline, which would wait for the
            # descriptor's close (a worker-thread call) first.
            res.end()

    source.once("end", on_end)
    try:
        if compressor is None:
            await pipeline(source, res, end=False)
        else:
            await pipeline(source, compressor, res)
    except (NodeError, OSError) as exc:
        if not short:
            # The client left (or reset) before the end: its own business; the pipeline
            # destroyed every stage, which closed the file.
            log.debug("%s: transfer ended early: %r", plan.path, exc)
    if short:
        res.destroy(short[0])


def static_handler(
    root: str | os.PathLike[str],
    *,
    follow_symlinks: bool = False,
    show_hidden: bool = False,
    index: str | None = "index.html",
    listing: bool = True,
    compress: bool = True,
    precompressed: bool = True,
    gzip_level: int = 6,
    brotli_quality: int = 4,
    high_water_mark: int = 64 * 1024,
) -> Handler:
    """A request handler serving the files under ``root`` (for ``http.create_server``).

    GET and HEAD (others: 405 with ``Allow``); ``Content-Type`` from the file name,
    ``Content-Length``, ``Last-Modified``, ``ETag``; ``If-None-Match`` /
    ``If-Modified-Since`` -> 304, ``If-Match`` / ``If-Unmodified-Since`` -> 412;
    one ``Range`` -> 206 (several ranges -> 200 with the whole file), an
    unsatisfiable one -> 416, ``If-Range``; ``Accept-Encoding`` -> a fresh
    ``.br``/``.gz`` sibling if there is one, else compressed on the fly for
    text-like types, with ``Vary: Accept-Encoding``; ``index`` for a directory,
    else a listing page (``?sort=name|size|mtime&order=asc|desc``).

    A path is refused (403/404) if it would leave ``root`` in any spelling, or
    names a hidden file (``.name``) unless ``show_hidden``; a symbolic link is
    followed only while it stays inside ``root`` unless ``follow_symlinks``.

    Args:
      root: the directory to serve.
      follow_symlinks: follow symbolic links that lead outside ``root``.
      show_hidden: serve and list names starting with ``.``.
      index: the file served for a directory (None: always list).
      listing: list a directory that has no index (else 403).
      compress: compress text-like files on the fly when the client accepts it.
      precompressed: serve ``name.br`` / ``name.gz`` for ``name`` when fresh.
      gzip_level: zlib level for gzip on the fly (1-9).
      brotli_quality: Brotli quality on the fly (0-11).
      high_water_mark: bytes per file read, and the read stream's buffer.

    Returns:
      ``async def handler(req, res)``.

    Raises:
      NotADirectoryError: ``root`` is not a directory.
      FileNotFoundError: ``root`` does not exist.
      ValueError: a level, quality or high-water mark out of its range.

    Cancellation:
      A cancelled handler destroys its response (the connection closes) and
      closes the file.
    """
    if not 1 <= gzip_level <= 9 or not 0 <= brotli_quality <= 11 or high_water_mark < 1:
        raise ValueError("gzip_level is 1-9, brotli_quality 0-11, high_water_mark at least 1")
    real = os.path.realpath(root)
    if not os.path.isdir(real):
        if not os.path.exists(real):
            raise FileNotFoundError(2, "No such file or directory", str(root))
        raise NotADirectoryError(20, "Not a directory", str(root))
    opts = _Options(
        root=real,
        follow_symlinks=follow_symlinks,
        show_hidden=show_hidden,
        index=index,
        listing=listing,
        compress=compress,
        precompressed=precompressed,
        gzip_level=gzip_level,
        brotli_quality=brotli_quality,
        high_water_mark=high_water_mark,
    )

    async def handler(req: IncomingMessage, res: ServerResponse) -> None:
        method = req.method
        if method != "GET" and method != "HEAD":
            plan = _error(405, [("Allow", _ALLOW)])
        else:
            plan = await trio.to_thread.run_sync(_plan, opts, method, req.url, req.headers)
        if plan.fd is None:
            res.write_head(plan.status, plan.headers)
            res.end(plan.body if plan.body and method != "HEAD" else None)
            return
        try:
            res.write_head(plan.status, plan.headers)
        except BaseException:
            os.close(plan.fd)
            raise
        await _send_file(res, plan, opts)

    return handler
