"""A strict response parser for the client (sans-IO; llhttp's rules for responses).

:class:`ResponseHeadParser` consumes the bytes of one response head and yields a
:class:`ResponseHead` or a :class:`~._guard.Rejection` carrying llhttp's error
code (``HPE_INVALID_CONSTANT``, ``HPE_INVALID_STATUS``, ...). Header lines get
the same checks as request headers (:mod:`._guard`); bodies are decoded with
the same :class:`~._guard.ChunkedDecoder` / :class:`~._guard.LengthDecoder`,
plus :class:`CloseDecoder` for a body that runs until the server closes.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

from ._common import MAX_HEADER_SIZE
from ._guard import (
    _OVERFLOW,
    ChunkEvent,
    Rejection,
    _bad,
    _FieldLines,
    _split_line,
    header_line,
)

__all__ = ["CloseDecoder", "ResponseHead", "ResponseHeadParser", "response_body"]

ResponseBody = Literal["none", "length", "chunked", "close"]

_DIGITS_RE = re.compile(rb"[0-9]+\Z")
_U64_MAX = 2**64 - 1


@attrs.frozen
class ResponseHead:
    """A response head that passed every check.

    Attributes:
      status_code: e.g. 200.
      status_message: the reason phrase as sent (may be empty).
      http_version: ``(1, 1)`` or ``(1, 0)``.
      raw_headers: ``[name, value, ...]`` as received.
      chunked: ``Transfer-Encoding`` ends with ``chunked``.
      has_te: a ``Transfer-Encoding`` header was present.
      content_length: the parsed ``Content-Length``, if any.
      connection: the ``Connection`` header values joined, lower case.
    """

    status_code: int
    status_message: str
    http_version: tuple[int, int]
    raw_headers: list[str]
    chunked: bool
    has_te: bool
    content_length: int | None
    connection: str

    @property
    def keep_alive(self) -> bool:
        """llhttp's ``should_keep_alive`` from the version and ``Connection`` (framing aside)."""
        tokens = {t.strip() for t in self.connection.split(",")}
        if self.http_version >= (1, 1):
            return "close" not in tokens
        return "keep-alive" in tokens


def response_body(head: ResponseHead, method: str) -> ResponseBody:
    """How the body of ``head`` (an answer to ``method``) is delimited (RFC 9112 6.3)."""
    code = head.status_code
    if method == "HEAD" or 100 <= code < 200 or code in (204, 304):
        return "none"
    if method == "CONNECT" and 200 <= code < 300:
        return "none"
    if head.chunked:
        return "chunked"
    if head.has_te:
        return "close"
    if head.content_length is not None:
        return "length" if head.content_length else "none"
    return "close"


class ResponseHeadParser:
    """Incremental parser for one response head.

    ``feed(data)`` answers ``None`` (need more), a :class:`ResponseHead` (then
    :attr:`unused` holds the bytes after it) or a :class:`Rejection`.

    Args:
      max_header_size: Node's ``maxHeaderSize`` (``HPE_HEADER_OVERFLOW`` past it).
    """

    def __init__(self, max_header_size: int = MAX_HEADER_SIZE) -> None:
        self._buf = bytearray()
        self._pos = 0
        self._scan = 0
        self._fields = _FieldLines(max_header_size)
        self._status: tuple[int, str, tuple[int, int]] | None = None
        self._cl: int | None = None
        self._te_seen = False
        self._chunked = False
        self._result: ResponseHead | Rejection | None = None
        #: Bytes received after the head.
        self.unused = b""

    @property
    def started(self) -> bool:
        """Whether any byte was fed."""
        return bool(self._buf) or self._result is not None or self._status is not None

    def feed(self, data: bytes) -> ResponseHead | Rejection | None:
        """Consume ``data``; return the verdict once there is one."""
        if self._result is not None:
            return self._result
        self._buf += data
        while True:
            split = _split_line(self._buf, self._pos, self._scan)
            if split is None:
                self._scan = len(self._buf)
                if len(self._buf) - self._pos >= self._fields.max_header_size + 1024:
                    return self._finish(_OVERFLOW)
                return None
            line, had_cr, nxt = split
            self._pos = self._scan = nxt
            verdict = self._line(line, had_cr)
            if verdict is not None:
                return self._finish(verdict)

    def _finish(self, verdict: ResponseHead | Rejection) -> ResponseHead | Rejection:
        self._result = verdict
        if isinstance(verdict, ResponseHead):
            self.unused = bytes(self._buf[self._pos :])
        self._buf = bytearray()
        return verdict

    def _line(self, line: bytes, had_cr: bool) -> ResponseHead | Rejection | None:
        if self._status is None:
            return self._status_line(line, had_cr)
        return header_line(self, line, had_cr)

    def _status_line(self, line: bytes, had_cr: bool) -> Rejection | None:
        if not line.startswith(b"HTTP/"):
            return _bad("HPE_INVALID_CONSTANT", "Expected HTTP/")
        v = line[5:8]
        if len(v) < 3 or not (v[0:1].isdigit() and v[1:2] == b"." and v[2:3].isdigit()):
            return _bad("HPE_INVALID_VERSION", "Invalid major version")
        version = (v[0] - 0x30, v[2] - 0x30)
        if version not in ((1, 0), (1, 1), (0, 9), (2, 0)):
            return _bad("HPE_INVALID_VERSION", "Invalid HTTP version")
        rest = line[8:]
        if rest[:1] != b" ":
            return _bad("HPE_INVALID_VERSION", "Expected space after version")
        code = rest[1:4]
        if len(code) != 3 or not code.isdigit() or rest[4:5] not in (b"", b" "):
            return _bad("HPE_INVALID_STATUS", "Invalid status code")
        reason = rest[5:]
        if any((c < 0x20 and c != 0x09) or c == 0x7F for c in reason):
            return _bad("HPE_INVALID_STATUS", "Invalid response status")
        if not had_cr:
            return _bad("HPE_CR_EXPECTED", "Missing expected CR after response line")
        self._status = (int(code), reason.decode("latin-1"), version)
        return None

    def _framing(self, name: str, value: str) -> Rejection | None:
        field = name.lower()
        if field == "content-length":
            raw = value.encode("latin-1")
            if self._cl is not None:
                return _bad("HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length")
            if not _DIGITS_RE.match(raw):
                return _bad("HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length")
            n = int(raw)
            if n > _U64_MAX:
                return _bad("HPE_INVALID_CONTENT_LENGTH", "Content-Length overflow")
            self._cl = n
        elif field == "transfer-encoding":
            for token in value.split(","):
                coding = token.strip(" \t").lower()
                if coding:
                    self._te_seen = True
                    self._chunked = coding == "chunked"
        return None

    def _complete(self) -> ResponseHead | Rejection:
        assert self._status is not None
        code, reason, version = self._status
        if self._te_seen and self._cl is not None:
            return _bad(
                "HPE_INVALID_TRANSFER_ENCODING", "Transfer-Encoding can't be present with Content-Length"
            )
        raw = self._fields.raw
        connection = ", ".join(
            raw[i + 1] for i in range(0, len(raw), 2) if raw[i].lower() == "connection"
        ).lower()
        return ResponseHead(
            status_code=code,
            status_message=reason,
            http_version=version,
            raw_headers=list(raw),
            chunked=self._chunked,
            has_te=self._te_seen,
            content_length=self._cl,
            connection=connection,
        )


class CloseDecoder:
    """A body delimited by the end of the connection: every byte is body."""

    done = False

    def feed(self, data: bytes) -> list[ChunkEvent]:
        """Pass ``data`` through."""
        return [bytes(data)] if data else []


__all__ += ["Rejection"]
