"""The request parser: Node's llhttp rules as sans-IO state machines.

A general-purpose parser such as h11 accepts requests that Node's parser refuses
(bare LF line ends, obs-fold, ``Content-Length`` together with
``Transfer-Encoding``, duplicate lengths, unbounded chunk extensions ...), and the
difference is what request smuggling lives on; so the server parses with these
rules alone:

- :class:`RequestHeadParser` consumes the bytes of one request head and yields a
  :class:`RequestHead` or a :class:`Rejection` carrying the status Node answers
  (400, 431), llhttp's error code and reason.
- :class:`ChunkedDecoder` and :class:`LengthDecoder` consume a request body and
  yield the body bytes, then :class:`EndOfMessage`, or a :class:`Rejection`
  (400, 413 for oversized chunk extensions, 431 for oversized trailers).
- :func:`check_request_semantics` applies the checks Node's *server* (not its
  parser) makes: a missing ``Host`` on HTTP/1.1 (400), an unknown ``Expect`` (417).

All limits count like Node's: the header budget covers the request target,
header names and header values (leading whitespace excluded, trailing included)
and is exceeded at ``>= max_header_size``; chunk extensions count name and value
bytes (quotes included) per chunk and are exceeded at ``> 16384``.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol, TypeAlias, TypeVar

import attrs

from ._common import (
    MAX_CHUNK_EXTENSIONS_SIZE,
    MAX_HEADER_SIZE,
    METHODS,
    STATUS_CODES,
    expects_continue,
    request_should_keep_alive,
)

__all__ = [
    "ChunkEvent",
    "ChunkedDecoder",
    "EndOfMessage",
    "HeadEvent",
    "LengthDecoder",
    "Rejection",
    "RequestHead",
    "RequestHeadParser",
    "check_request_semantics",
]


@attrs.frozen
class Rejection:
    """A request Node refuses: answer ``response`` and close the connection.

    Attributes:
      status: 400, 413 or 431 (Node's canned answers).
      code: llhttp's error code as Node reports it in ``'clientError'``,
        e.g. ``"HPE_INVALID_HEADER_TOKEN"``.
      reason: llhttp's reason text, e.g. ``"Invalid header value char"``.
    """

    status: int
    code: str
    reason: str

    @property
    def response(self) -> bytes:
        """The exact bytes Node's server writes before closing."""
        return b"HTTP/1.1 %d %s\r\nConnection: close\r\n\r\n" % (
            self.status,
            STATUS_CODES[self.status].encode("ascii"),
        )


BodyKind = Literal["none", "length", "chunked"]


@attrs.frozen
class RequestHead:
    """A request head that passed every check.

    Attributes:
      method: e.g. ``"GET"``.
      target: the request target as sent (``req.url``), latin-1 decoded.
      http_version: ``(1, 1)``; Node also accepts ``(1, 0)``, ``(0, 9)`` (including a
        request line with no version at all) and ``(2, 0)``.
      raw_headers: Node's ``rawHeaders``: ``[name, value, ...]``, names as sent,
        values with surrounding whitespace removed, latin-1 decoded.
      body: ``"chunked"``, ``"length"`` (``content_length`` bytes) or ``"none"``.
      content_length: the parsed ``Content-Length``, if any.
      keep_alive: llhttp's ``should_keep_alive`` from the version and ``Connection``.
      upgrade: ``CONNECT``, or ``Connection: upgrade`` with an ``Upgrade`` header.
      head_size: bytes of the stream this head used (leading blank lines included).
    """

    method: str
    target: str
    http_version: tuple[int, int]
    raw_headers: list[str]
    body: BodyKind
    content_length: int | None
    keep_alive: bool
    upgrade: bool
    head_size: int

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), or ``None``."""
        want = name.lower()
        for i in range(0, len(self.raw_headers), 2):
            if self.raw_headers[i].lower() == want:
                return self.raw_headers[i + 1]
        return None


@attrs.frozen
class EndOfMessage:
    """The body ended.

    Attributes:
      trailers: trailer fields as a flat ``[name, value, ...]`` list (``rawTrailers``).
      unused: bytes after the body: the start of the next pipelined request.
    """

    trailers: list[str]
    unused: bytes


_Head = TypeVar("_Head", covariant=True)

HeadEvent: TypeAlias = RequestHead | Rejection | None
ChunkEvent: TypeAlias = bytes | EndOfMessage | Rejection

_U64_MAX = 2**64 - 1
_TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_METHODS = frozenset(m.encode("ascii") for m in METHODS)
_VERSIONS = {(0, 9), (1, 0), (1, 1), (2, 0)}
_SCHEME_RE = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]*://")
_AUTHORITY_RE = re.compile(rb"[^/?#\s]+:[0-9]*\Z")
_DIGITS_RE = re.compile(rb"[0-9]+\Z")
# The first byte outside each of the sets above (one C scan instead of a Python loop).
_NOT_TCHAR_RE = re.compile(rb"[^!#$%&'*+\-.^_`|~0-9a-zA-Z]")
_NOT_VALUE_RE = re.compile(rb"[^\t\x20-\x7e\x80-\xff]")
_NOT_URL_RE = re.compile(rb"[^\x21-\x7e]")
_NOT_METHOD_RE = re.compile(rb"[^A-Z\-]")
# The everyday request line, which passes every check of the general path below.
_PLAIN_START_RE = re.compile(rb"([A-Z]+) (/[\x21-\x7e]*) HTTP/1\.([01])\Z")
# Names llhttp matches letter by letter; a stray character after one reads as a field char.
_SPECIAL_NAMES = frozenset(
    {b"connection", b"content-length", b"proxy-connection", b"transfer-encoding", b"upgrade"}
)


def _bad(code: str, reason: str, status: int = 400) -> Rejection:
    return Rejection(status, code, reason)


_OVERFLOW = Rejection(431, "HPE_HEADER_OVERFLOW", "Header overflow")


class _FieldLines:
    """Shared checks for header and trailer lines (llhttp's header states)."""

    def __init__(self, max_header_size: int) -> None:
        self.max_header_size = max_header_size
        self.counted = 0  # Node's header_nread_
        self.raw: list[str] = []

    def over(self, extra: int = 0) -> bool:
        return self.counted + extra >= self.max_header_size

    def field_line(self, line: bytes, *, first: bool) -> Rejection | None:
        """Check one complete field line (without its line end) and record it."""
        if line[:1] in (b" ", b"\t"):
            if first:
                return _bad("HPE_UNEXPECTED_SPACE", "Unexpected space after start line")
            return _bad("HPE_INVALID_HEADER_TOKEN", "Unexpected whitespace after header value")
        colon = line.find(b":")
        name = line if colon < 0 else line[:colon]
        if colon <= 0 or _NOT_TCHAR_RE.search(name):
            if name.rstrip(b" \t").lower() in _SPECIAL_NAMES:
                return _bad("HPE_INVALID_HEADER_TOKEN", "Invalid header field char")
            return _bad("HPE_INVALID_HEADER_TOKEN", "Invalid header token")
        value = line[colon + 1 :].lstrip(b" \t")
        stray = _NOT_VALUE_RE.search(value)
        if stray is not None:
            i = stray.start()
            c = value[i]
            if c == 0x0D:
                return _bad("HPE_LF_EXPECTED", "Missing expected LF after header value")
            if not (i == 0 and c == 0x0A):
                return _bad("HPE_INVALID_HEADER_TOKEN", "Invalid header value char")
        self.counted += len(name) + len(value)
        if self.over():
            return _OVERFLOW
        self.raw += [name.decode("latin-1"), value.rstrip(b" \t").decode("latin-1")]
        return None

    def partial_overflow(self, tail: bytes) -> bool:
        """Whether an unfinished field line already exceeds the budget (Node counts as it goes)."""
        if tail.endswith(b"\r"):
            tail = tail[:-1]  # the line end has begun; CR is not counted
        if not self.over(len(tail)):
            return False
        colon = tail.find(b":")
        if colon < 0:
            return self.over(len(tail))
        return self.over(colon + len(tail[colon + 1 :].lstrip(b" \t")))


def _split_line(buf: bytearray, start: int, scan: int = 0) -> tuple[bytes, bool, int] | None:
    """Return (line, had_cr, next_start) for the line at ``start``, or None if unfinished.

    ``scan`` is where to start looking for the line end (bytes before it hold none).
    """
    nl = buf.find(b"\n", max(start, scan))
    if nl < 0:
        return None
    if nl > start and buf[nl - 1] == 0x0D:
        return bytes(buf[start : nl - 1]), True, nl + 1
    return bytes(buf[start:nl]), False, nl + 1


class _HeadParser(Protocol[_Head]):
    _fields: _FieldLines

    def _complete(self) -> _Head | Rejection: ...

    def _framing(self, name: str, value: str) -> Rejection | None: ...


def header_line(parser: _HeadParser[_Head], line: bytes, had_cr: bool) -> _Head | Rejection | None:
    """One line after the start line of a request or response head: a field, or the end."""
    if not line:
        if not had_cr:
            return _bad("HPE_CR_EXPECTED", "Missing expected CR after header value")
        return parser._complete()
    fields = parser._fields
    bad = fields.field_line(line, first=not fields.raw)
    if bad is not None:
        return bad
    if not had_cr:
        return _bad("HPE_CR_EXPECTED", "Missing expected CR after header value")
    return parser._framing(fields.raw[-2], fields.raw[-1])


class RequestHeadParser:
    """Incremental parser for one request head (sans-IO).

    Feed it bytes as they arrive; it answers ``None`` (need more), a
    :class:`RequestHead` (then :attr:`unused` holds the bytes after the head), or
    a :class:`Rejection`. Work is linear in the input: each line is checked once.

    Args:
      max_header_size: Node's ``maxHeaderSize`` (default 16384).
    """

    def __init__(self, max_header_size: int = MAX_HEADER_SIZE) -> None:
        self._buf = bytearray()
        self._pos = 0
        self._fields = _FieldLines(max_header_size)
        self._request_line: tuple[str, str, tuple[int, int]] | None = None
        self._cl: int | None = None
        self._cl_seen = False
        self._te_seen = False
        self._te_chunked_last = False
        self._result: HeadEvent = None
        self._scan = 0  # no line end before this offset
        self._next_check = 0  # tail length at which to re-run the partial checks
        #: Bytes received after the head (body or the next request); set with the result.
        self.unused = b""

    def feed(self, data: bytes) -> HeadEvent:
        """Consume ``data``; return the verdict once there is one (and keep returning it)."""
        if self._result is not None:
            return self._result
        buf = self._buf
        buf += data
        find = buf.find
        while True:
            start = self._pos
            nl = find(b"\n", max(start, self._scan))
            if nl < 0:
                self._scan = len(buf)
                if self._partial_overflow():
                    return self._finish(_OVERFLOW)
                return None
            # Inlined _split_line: the line without its end, and whether CR preceded LF.
            if nl > start and buf[nl - 1] == 0x0D:
                line = bytes(buf[start : nl - 1])
                had_cr = True
            else:
                line = bytes(buf[start:nl])
                had_cr = False
            self._pos = self._scan = nl + 1
            self._next_check = 0
            verdict = self._line(line, had_cr)
            if verdict is not None:
                return self._finish(verdict)

    def _finish(self, verdict: RequestHead | Rejection) -> HeadEvent:
        self._result = verdict
        if isinstance(verdict, RequestHead):
            self.unused = bytes(self._buf[self._pos :])
        self._buf = bytearray()
        return verdict

    def _partial_overflow(self) -> bool:
        tail_len = len(self._buf) - self._pos
        if len(self._buf) > 2 * self._fields.max_header_size + 1024:
            return True  # whitespace that Node would not count; refuse to buffer it
        if not self._fields.over(tail_len) or tail_len < self._next_check:
            return False
        self._next_check = tail_len + 256
        tail = bytes(self._buf[self._pos :])
        if self._request_line is None:
            # Node counts the target as it streams in.
            parts = tail.lstrip(b"\r\n").rstrip(b"\r").split(b" ")
            target = next((p for p in parts[1:] if p), b"")
            return self._fields.over(len(target))
        return self._fields.partial_overflow(tail)

    def _line(self, line: bytes, had_cr: bool) -> RequestHead | Rejection | None:
        if self._request_line is None:
            if not line:
                return None  # blank lines before a request are skipped
            return self._start_line(line, had_cr)
        return header_line(self, line, had_cr)

    def _start_line(self, line: bytes, had_cr: bool) -> Rejection | None:
        plain = _PLAIN_START_RE.match(line) if had_cr else None
        if plain is not None and plain[1] in _METHODS:
            fields = self._fields
            fields.counted += len(plain[2])
            if fields.over():
                return _OVERFLOW
            self._request_line = (plain[1].decode("ascii"), plain[2].decode("latin-1"), (1, int(plain[3])))
            return None
        sp = line.find(b" ")
        method = line if sp < 0 else line[:sp]
        if not method or _NOT_METHOD_RE.search(method):
            if b"\t" in method:
                return _bad("HPE_INVALID_METHOD", "Expected space after method")
            return _bad("HPE_INVALID_METHOD", "Invalid method encountered")
        if bytes(method) not in _METHODS:
            return _bad("HPE_INVALID_METHOD", "Invalid method encountered")
        if sp < 0:
            return _bad("HPE_INVALID_METHOD", "Expected space after method")
        rest = line[sp:].lstrip(b" ")
        end = rest.find(b" ")
        target = rest if end < 0 else rest[:end]
        if _NOT_URL_RE.search(target):
            return _bad("HPE_INVALID_URL", "Invalid char in url path")
        if not target:
            return _bad("HPE_INVALID_URL", "Unexpected start char in url")
        if method == b"CONNECT":
            if not _AUTHORITY_RE.match(target) and not target.startswith(b"/"):
                return _bad("HPE_INVALID_URL", "Invalid characters in url")
        elif target[:1] not in (b"/", b"*") and not _SCHEME_RE.match(target):
            return _bad("HPE_INVALID_URL", "Unexpected char in url schema")
        self._fields.counted += len(target)
        if self._fields.over():
            return _OVERFLOW
        if end < 0:
            version = (0, 9)  # "GET /" with no version: Node takes it as HTTP/0.9
        else:
            proto = rest[end:].lstrip(b" ")
            if not proto.startswith(b"HTTP/"):
                return _bad("HPE_INVALID_CONSTANT", "Expected HTTP/, RTSP/ or ICE/")
            v = proto[5:]
            if len(v) < 3 or not (v[0:1].isdigit() and v[1:2] == b"." and v[2:3].isdigit()):
                return _bad("HPE_INVALID_VERSION", "Invalid major version")
            version = (v[0] - 0x30, v[2] - 0x30)
            if version not in _VERSIONS:
                return _bad("HPE_INVALID_VERSION", "Invalid HTTP version")
            if len(v) > 3:
                return _bad("HPE_INVALID_VERSION", "Expected CRLF after version")
        if not had_cr:
            return _bad("HPE_INVALID_VERSION", "Expected CRLF after version")
        self._request_line = (method.decode("ascii"), target.decode("latin-1"), version)
        return None

    def _framing(self, name: str, value: str) -> Rejection | None:
        field = name.lower()
        if field == "content-length":
            if self._te_seen:
                return _bad(
                    "HPE_INVALID_CONTENT_LENGTH", "Content-Length can't be present with Transfer-Encoding"
                )
            if self._cl_seen:
                return _bad("HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length")
            self._cl_seen = True
            raw = value.encode("latin-1")
            if not raw:
                return _bad("HPE_INVALID_CONTENT_LENGTH", "Empty Content-Length")
            if not _DIGITS_RE.match(raw):
                return _bad("HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length")
            n = int(raw)
            if n > _U64_MAX:
                return _bad("HPE_INVALID_CONTENT_LENGTH", "Content-Length overflow")
            self._cl = n
        elif field == "transfer-encoding":
            if self._cl_seen:
                return _bad(
                    "HPE_INVALID_TRANSFER_ENCODING",
                    "Transfer-Encoding can't be present with Content-Length",
                )
            for token in value.split(","):
                # Nothing, not even an empty item, may follow "chunked".
                if self._te_chunked_last:
                    return _bad("HPE_INVALID_TRANSFER_ENCODING", "Invalid `Transfer-Encoding` header value")
                coding = token.strip(" \t").lower()
                if not coding:
                    continue
                self._te_seen = True
                self._te_chunked_last = coding == "chunked"
        return None

    def _complete(self) -> RequestHead | Rejection:
        assert self._request_line is not None
        method, target, version = self._request_line
        if self._te_seen and not self._te_chunked_last:
            return _bad("HPE_INVALID_TRANSFER_ENCODING", "Request has invalid `Transfer-Encoding`")
        raw = self._fields.raw
        connections: list[str] = []
        has_upgrade = False
        for i in range(0, len(raw), 2):
            key = raw[i].lower()
            if key == "connection":
                connections.append(raw[i + 1])
            elif key == "upgrade":
                has_upgrade = True
        connection = ", ".join(connections)
        upgrade = method == "CONNECT" or (
            has_upgrade and "upgrade" in {t.strip().lower() for t in connection.split(",")}
        )
        body: BodyKind = "chunked" if self._te_chunked_last else "length" if self._cl else "none"
        return RequestHead(
            method=method,
            target=target,
            http_version=version,
            raw_headers=list(raw),
            body=body,
            content_length=self._cl,
            keep_alive=request_should_keep_alive(version, connection or None),
            upgrade=upgrade,
            head_size=self._pos,
        )


def check_request_semantics(head: RequestHead, *, require_host_header: bool = True) -> int | None:
    """Return the status Node's server answers *itself* for a parsed head, or ``None``.

    Node answers these with an ordinary response (``Date`` header, chunked empty
    body), not with the canned parser-error bytes: 400 for an HTTP/1.1 request
    without ``Host`` (``requireHostHeader``), 417 for an ``Expect`` other than
    ``100-continue`` when the server has no ``'checkExpectation'`` listener.
    """
    if head.http_version != (1, 1):
        return None
    if require_host_header and head.header("host") is None:
        return 400
    expect = head.header("expect")
    if expect is not None and not expects_continue(expect):
        return 417
    return None


# ---------------------------------------------------------------------------
# Bodies


class LengthDecoder:
    """Body framed by ``Content-Length``: pass through exactly ``length`` bytes."""

    def __init__(self, length: int) -> None:
        self.remaining = length
        self._done = False

    def feed(self, data: bytes) -> list[ChunkEvent]:
        """Consume ``data``; return body bytes and, once complete, :class:`EndOfMessage`."""
        if self._done:
            return [EndOfMessage([], bytes(data))] if data else []
        out: list[ChunkEvent] = []
        take = bytes(data[: self.remaining])
        if take:
            out.append(take)
            self.remaining -= len(take)
        if self.remaining == 0:
            self._done = True
            out.append(EndOfMessage([], bytes(data[len(take) :])))
        return out


_State = Literal["size", "data", "data_end", "trailers", "done", "error"]


class ChunkedDecoder:
    """Incremental decoder for a chunked request body, with Node's strictness (sans-IO).

    ``feed(data)`` returns a list of events: ``bytes`` (body data, never empty),
    then :class:`EndOfMessage` after the last chunk and trailers, or a
    :class:`Rejection` as the final event. Calls after the end or a rejection
    return nothing new.

    Attributes:
      chunks: chunk headers seen so far (the last, empty chunk included): let a
        server stop reading when many tiny chunks arrive, whatever their bytes.
      body_bytes: body bytes decoded so far.

    Args:
      max_header_size: the budget for the trailer section (Node answers 431 past it).
      max_extensions_size: the per-chunk budget for extension bytes (Node: 16384, then 413).
    """

    def __init__(
        self,
        *,
        max_header_size: int = MAX_HEADER_SIZE,
        max_extensions_size: int = MAX_CHUNK_EXTENSIONS_SIZE,
    ) -> None:
        self._state: _State = "size"
        self._buf = bytearray()
        self._remaining = 0
        self._max_header_size = max_header_size
        self._max_ext = max_extensions_size
        self._trailers = _FieldLines(max_header_size)
        self._scan = 0
        self._next_check = 0
        self.chunks = 0
        self.body_bytes = 0

    @property
    def done(self) -> bool:
        """Whether the body ended or was rejected."""
        return self._state in ("done", "error")

    def feed(self, data: bytes) -> list[ChunkEvent]:
        """Consume ``data`` and return what it completes."""
        if self._state in ("done", "error"):
            return []
        self._buf += data
        out: list[ChunkEvent] = []
        buf = self._buf
        pos = 0
        while True:
            if self._state == "data":
                take = min(self._remaining, len(buf) - pos)
                if take == 0:
                    break
                out.append(bytes(buf[pos : pos + take]))
                pos += take
                self._remaining -= take
                self.body_bytes += take
                if self._remaining == 0:
                    self._state = "data_end"
                continue
            if self._state == "data_end":
                if len(buf) - pos < 1:
                    break
                if buf[pos] != 0x0D:
                    if buf[pos] == 0x0A:
                        return self._reject(out, "HPE_CR_EXPECTED", "Missing expected CR after chunk data")
                    return self._reject(out, "HPE_STRICT", "Expected LF after chunk data")
                if len(buf) - pos < 2:
                    break
                if buf[pos + 1] != 0x0A:
                    return self._reject(out, "HPE_STRICT", "Expected LF after chunk data")
                pos += 2
                self._state = "size"
                continue
            split = _split_line(buf, pos, self._scan)
            if split is None:
                self._scan = len(buf) - pos  # rebased below, once consumed bytes are dropped
                bad = self._partial_check(buf, pos)
                if bad is not None:
                    out.append(bad)
                    self._state = "error"
                    return out
                break
            line, had_cr, nxt = split
            pos = nxt
            self._scan = 0
            self._next_check = 0
            if self._state == "size":
                bad = self._size_line(line, had_cr)
            else:
                bad = self._trailer_line(line, had_cr)
                if bad is None and self._state == "done":
                    out.append(EndOfMessage(self._trailers.raw, bytes(buf[pos:])))
                    self._buf = bytearray()
                    return out
            if bad is not None:
                out.append(bad)
                self._state = "error"
                return out
        del buf[:pos]
        if self._state not in ("size", "trailers"):
            self._scan = 0
        return out

    def _reject(self, out: list[ChunkEvent], code: str, reason: str) -> list[ChunkEvent]:
        out.append(_bad(code, reason))
        self._state = "error"
        return out

    def _size_line(self, line: bytes, had_cr: bool) -> Rejection | None:
        semi = line.find(b";")
        digits = line if semi < 0 else line[:semi]
        if not digits or any(c not in _HEX for c in digits):
            if digits.endswith(b"\r"):
                return _bad("HPE_STRICT", "Expected LF after chunk size")
            return _bad("HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk size")
        size = int(digits, 16)
        if size > _U64_MAX:
            return _bad("HPE_INVALID_CHUNK_SIZE", "Chunk size overflow")
        if semi >= 0:
            bad = self._extensions(line[semi:], final=True)
            if bad is not None:
                return bad
        if not had_cr:
            return _bad("HPE_CR_EXPECTED", "Missing expected CR after chunk size")
        self.chunks += 1
        if size == 0:
            self._state = "trailers"
        else:
            self._remaining = size
            self._state = "data"
        return None

    def _extensions(self, ext: bytes, *, final: bool) -> Rejection | None:
        """Check ``;name[=value]...`` (``final``: the line is complete)."""
        counted = 0
        i, n = 0, len(ext)
        while i < n:
            # ext[i] == ';'
            i += 1
            start = i
            while i < n and ext[i] in _TCHAR:
                i += 1
            counted += i - start
            if counted > self._max_ext:
                return _bad("HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow", 413)
            if i == n:
                if final and i == start:
                    return _bad("HPE_STRICT", "Invalid character in chunk extensions")
                break
            c = ext[i]
            if i == start and c != 0x3D:
                return _bad("HPE_STRICT", "Invalid character in chunk extensions")
            if c == 0x3B:
                continue
            if c != 0x3D:
                return _bad("HPE_STRICT", "Invalid character in chunk extensions name")
            i += 1
            start = i
            if i < n and ext[i] == 0x22:
                i += 1
                while i < n and ext[i] != 0x22:
                    i += 2 if ext[i] == 0x5C else 1
                i = min(i + 1, n)
                if i < n and ext[i] != 0x3B:
                    return _bad("HPE_STRICT", "Invalid character in chunk extensions quoted value")
            else:
                while i < n and ext[i] != 0x3B:
                    i += 1
            counted += i - start
            if counted > self._max_ext:
                return _bad("HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow", 413)
            if b"\r" in ext[start:i] or b"\n" in ext[start:i]:
                return _bad("HPE_STRICT", "Invalid character in chunk extensions value")
        return None

    def _partial_check(self, buf: bytearray, pos: int) -> Rejection | None:
        """Reject an unfinished size or trailer line that is already over its budget.

        Re-checked every 256 bytes of growth only, so slow drips cost linear time.
        """
        tail_len = len(buf) - pos
        if tail_len > 2 * max(self._max_ext, self._max_header_size) + 1024:
            if self._state == "trailers":
                return _OVERFLOW
            # Only uncounted bytes (leading zeros, separators) get a line this long.
            return _bad("HPE_INVALID_CHUNK_SIZE", "Chunk size line too long")
        if tail_len < self._next_check:
            return None
        self._next_check = tail_len + 256
        tail = bytes(buf[pos:])
        if self._state == "trailers":
            return _OVERFLOW if self._trailers.partial_overflow(tail) else None
        semi = tail.find(b";")
        digits = tail if semi < 0 else tail[:semi]
        if any(c not in _HEX for c in digits.rstrip(b"\r")):
            return _bad("HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk size")
        if semi >= 0 and len(tail) - semi > self._max_ext:
            return self._extensions(tail[semi:], final=False)
        return None

    def _trailer_line(self, line: bytes, had_cr: bool) -> Rejection | None:
        if not had_cr:
            return _bad("HPE_CR_EXPECTED", "Missing expected CR after header value")
        if not line:
            self._state = "done"
            return None
        return self._trailers.field_line(line, first=False)
