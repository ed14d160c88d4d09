"""HTTP/1.1 message parsing: llhttp (through httptools) plus the limits Node adds around it.

llhttp is the parser Node runs; httptools binds the same C code for Python. It
validates every byte and decides keep-alive, framing and upgrades. Node's C++
wrapper (``src/node_http_parser.cc``) adds three budgets that llhttp alone lacks,
and they live here:

- the header budget: the request target (or reason phrase), header names and
  header values (leading whitespace excluded, trailing included) count, in the
  head and again in the trailers; at ``>= max_header_size`` the message fails
  with ``HPE_HEADER_OVERFLOW`` (the server answers 431). Bytes are counted as
  they arrive, so a head that never ends fails as soon as it is too large;
- the chunk-extension budget: more than 16 KiB of extension names and values on
  one chunk-size line fails with ``HPE_CHUNK_EXTENSIONS_OVERFLOW`` (413);
- a count of chunks, so the connection can throttle floods of tiny chunks
  (``chunks``).

httptools reports neither byte offsets nor chunk extensions, so the parser feeds
llhttp one framing unit at a time: a head up to its blank line, a fixed-length
body, a chunked body up to its last byte. The unit boundaries follow llhttp's own
rules (``llhttp__after_headers_complete``) applied to the fields llhttp accepted;
they only place the feeds, llhttp still parses every byte. Events come out as a
list, never through callbacks, so no user code runs inside the C parser.
"""

from __future__ import annotations

import re
from typing import Final, Literal, TypeAlias

import httptools

__all__ = [
    "CHUNK_EXTENSIONS_LIMIT",
    "BodyKind",
    "Event",
    "MessageEnd",
    "ParseError",
    "RequestHead",
    "RequestParser",
    "ResponseHead",
    "ResponseParser",
    "Upgrade",
    "bundled_llhttp",
    "httptools_version",
]

#: Node's ``kMaxChunkExtensionsSize``: extension bytes one chunk may carry.
CHUNK_EXTENSIONS_LIMIT: Final = 16384
#: Raw bytes a head (or trailer section) may take, in units of ``max_header_size``.
#: Node does not count leading whitespace, separators and line ends, so a head
#: within the budget can be larger; past this it is refused (431) all the same.
SECTION_LIMIT_FACTOR: Final = 8

BodyKind: TypeAlias = Literal["none", "length", "chunked", "eof"]

_STATUS_FOR: Final = {
    "HPE_HEADER_OVERFLOW": 431,
    "HPE_CHUNK_EXTENSIONS_OVERFLOW": 413,
}

# llhttp's error reasons and the error names Node reports with them (llhttp's
# src/llhttp/http.ts and url.ts; httptools keeps the reason, not the number).
_CODE_FOR_REASON: Final = {
    "Chunk size overflow": "HPE_INVALID_CHUNK_SIZE",
    "Content-Length can't be present with Transfer-Encoding": "HPE_INVALID_CONTENT_LENGTH",
    "Content-Length overflow": "HPE_INVALID_CONTENT_LENGTH",
    "Data after `Connection: close`": "HPE_CLOSED_CONNECTION",
    "Duplicate Content-Length": "HPE_UNEXPECTED_CONTENT_LENGTH",
    "Empty Content-Length": "HPE_INVALID_CONTENT_LENGTH",
    "Expected HTTP/, RTSP/ or ICE/": "HPE_INVALID_CONSTANT",
    "Expected HTTP/2 Connection Preface": "HPE_INVALID_VERSION",
    "Expected LF after CR": "HPE_STRICT",
    "Expected LF after chunk data": "HPE_STRICT",
    "Expected LF after chunk size": "HPE_STRICT",
    "Expected LF after headers": "HPE_STRICT",
    "Expected dot": "HPE_INVALID_VERSION",
    "Expected space after method": "HPE_INVALID_METHOD",
    "Expected space after version": "HPE_INVALID_VERSION",
    "Invalid HTTP version": "HPE_INVALID_VERSION",
    "Invalid `Transfer-Encoding` header value": "HPE_INVALID_TRANSFER_ENCODING",
    "Invalid character in Content-Length": "HPE_INVALID_CONTENT_LENGTH",
    "Invalid character in chunk extensions": "HPE_STRICT",
    "Invalid character in chunk extensions name": "HPE_STRICT",
    "Invalid character in chunk extensions quote value": "HPE_STRICT",
    "Invalid character in chunk extensions quoted value": "HPE_STRICT",
    "Invalid character in chunk extensions value": "HPE_STRICT",
    "Invalid character in chunk size": "HPE_INVALID_CHUNK_SIZE",
    "Invalid header field char": "HPE_INVALID_HEADER_TOKEN",
    "Invalid header token": "HPE_INVALID_HEADER_TOKEN",
    "Invalid header value char": "HPE_INVALID_HEADER_TOKEN",
    "Invalid major version": "HPE_INVALID_VERSION",
    "Invalid method encountered": "HPE_INVALID_METHOD",
    "Invalid method for HTTP/x.x request": "HPE_INVALID_CONSTANT",
    "Invalid method for RTSP/x.x request": "HPE_INVALID_CONSTANT",
    "Invalid minor version": "HPE_INVALID_VERSION",
    "Invalid quoted-pair in chunk extensions quoted value": "HPE_STRICT",
    "Invalid response status": "HPE_INVALID_STATUS",
    "Invalid status code": "HPE_INVALID_STATUS",
    "Invalid word encountered": "HPE_INVALID_CONSTANT",
    "Missing expected CR after chunk data": "HPE_CR_EXPECTED",
    "Missing expected CR after chunk extension name": "HPE_CR_EXPECTED",
    "Missing expected CR after chunk extension value": "HPE_CR_EXPECTED",
    "Missing expected CR after chunk size": "HPE_CR_EXPECTED",
    "Missing expected CR after header value": "HPE_CR_EXPECTED",
    "Missing expected CR after response line": "HPE_CR_EXPECTED",
    "Missing expected LF after header value": "HPE_LF_EXPECTED",
    "Request has invalid `Transfer-Encoding`": "HPE_INVALID_TRANSFER_ENCODING",
    "Transfer-Encoding can't be present with Content-Length": "HPE_INVALID_TRANSFER_ENCODING",
    "Unexpected space after start line": "HPE_UNEXPECTED_SPACE",
    "Unexpected whitespace after header value": "HPE_INVALID_HEADER_TOKEN",
    "Invalid characters in url": "HPE_INVALID_URL",
    "Unexpected start char in url": "HPE_INVALID_URL",
    "Unexpected char in url schema": "HPE_INVALID_URL",
    "Unexpected char in url server": "HPE_INVALID_URL",
    "Double @ in url": "HPE_INVALID_URL",
    "Invalid char in url path": "HPE_INVALID_URL",
    "Invalid char in url query": "HPE_INVALID_URL",
    "Invalid char in url fragment start": "HPE_INVALID_URL",
    "Expected CRLF": "HPE_INVALID_URL",
}

_METHODS: dict[bytes, str] = {}
_VERSIONS: Final = {"1.1": (1, 1), "1.0": (1, 0), "0.9": (0, 9), "2.0": (2, 0)}
_HEAD_END: Final = b"\r\n\r\n"
# Quoted strings of a chunk-size line (the last one may still be open).
_QUOTED_RE: Final = re.compile(rb'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)
_HEX_RE: Final = re.compile(rb"[0-9A-Fa-f]*")


def httptools_version() -> str:
    """The installed httptools version (it bundles the llhttp that parses here)."""
    return str(httptools.__version__)


def bundled_llhttp() -> str:
    """The llhttp release line httptools bundles, recognised by behaviour.

    httptools does not report it. llhttp 9.4.0 accepts a tab after a
    ``Content-Length``; 9.4.2 reads ``Connection: close`` followed by a tab as
    close. Node 20 runs 9.3, which does neither; this module bridges both.
    """

    class _Nothing:
        pass

    def keeps_alive(head: bytes) -> bool | None:
        parser = httptools.HttpRequestParser(_Nothing())
        try:
            parser.feed_data(head)
        except httptools.HttpParserError:
            return None
        return bool(parser.should_keep_alive())

    tab_after_length = keeps_alive(b"POST / HTTP/1.1\r\nContent-Length: 0\t\r\n\r\n") is not None
    tab_after_close = keeps_alive(b"POST / HTTP/1.1\r\nConnection: close\t\r\nContent-Length: 1\r\n\r\n")
    if not tab_after_length:
        return "9.3 or earlier"
    return "9.4.2 or later" if tab_after_close is False else "9.4.0 or 9.4.1"


class ParseError:
    """A message llhttp (or one of Node's budgets) refused.

    Attributes:
      code: the error name Node reports, e.g. ``"HPE_INVALID_HEADER_TOKEN"``.
      reason: llhttp's reason, e.g. ``"Invalid header value char"``.
      status: what Node's server answers: 400, 413 (chunk extensions) or 431 (header budget).
    """

    __slots__ = ("code", "reason", "status")

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        self.status = _STATUS_FOR.get(code, 400)

    def __repr__(self) -> str:
        return f"ParseError({self.code!r}, {self.reason!r})"


class RequestHead:
    """A request head llhttp accepted.

    Attributes:
      method: e.g. ``"GET"``.
      url: the request target as sent, latin-1 decoded.
      version: ``"1.1"``; ``http_version`` is the same as ``(major, minor)``.
      raw_headers: Node's ``rawHeaders``: ``[name, value, ...]``, values without
        surrounding whitespace, latin-1 decoded.
      keep_alive: llhttp's ``should_keep_alive`` for this request.
      upgrade: ``CONNECT``, or ``Connection: upgrade`` with an ``Upgrade`` header.
      body: how the body is framed: ``"none"``, ``"length"`` or ``"chunked"``.
      content_length: the ``Content-Length`` llhttp accepted, if any.
    """

    __slots__ = (
        "body",
        "content_length",
        "http_version",
        "keep_alive",
        "method",
        "raw_headers",
        "upgrade",
        "url",
        "version",
    )

    def __init__(
        self,
        method: str,
        url: str,
        version: str,
        raw_headers: list[str],
        keep_alive: bool,
        upgrade: bool,
        body: BodyKind,
        content_length: int | None,
    ) -> None:
        self.method = method
        self.url = url
        self.version = version
        self.http_version = _VERSIONS.get(version) or _version_tuple(version)
        self.raw_headers = raw_headers
        self.keep_alive = keep_alive
        self.upgrade = upgrade
        self.body = body
        self.content_length = content_length

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (lower case), or ``None``."""
        raw = self.raw_headers
        for i in range(0, len(raw), 2):
            if raw[i].lower() == name:
                return raw[i + 1]
        return None

    def __repr__(self) -> str:
        return f"<RequestHead {self.method} {self.url} HTTP/{self.version}>"


class ResponseHead:
    """A response head llhttp accepted.

    Attributes:
      status_code, status_message: the status line's code and reason phrase.
      version, http_version, raw_headers, keep_alive, upgrade, body, content_length:
        as for :class:`RequestHead`; ``body`` may also be ``"eof"`` (read to the end).
    """

    __slots__ = (
        "body",
        "content_length",
        "http_version",
        "keep_alive",
        "raw_headers",
        "status_code",
        "status_message",
        "upgrade",
        "version",
    )

    def __init__(
        self,
        status_code: int,
        status_message: str,
        version: str,
        raw_headers: list[str],
        keep_alive: bool,
        upgrade: bool,
        body: BodyKind,
        content_length: int | None,
    ) -> None:
        self.status_code = status_code
        self.status_message = status_message
        self.version = version
        self.http_version = _VERSIONS.get(version) or _version_tuple(version)
        self.raw_headers = raw_headers
        self.keep_alive = keep_alive
        self.upgrade = upgrade
        self.body = body
        self.content_length = content_length

    def __repr__(self) -> str:
        return f"<ResponseHead {self.status_code} HTTP/{self.version}>"


class MessageEnd:
    """The message is complete; ``raw_trailers`` holds its trailer fields (``rawTrailers``)."""

    __slots__ = ("raw_trailers",)

    def __init__(self, raw_trailers: list[str]) -> None:
        self.raw_trailers = raw_trailers


class Upgrade:
    """The connection leaves HTTP after the message just parsed; ``rest`` is what followed it."""

    __slots__ = ("rest",)

    def __init__(self, rest: bytes) -> None:
        self.rest = rest


#: What :meth:`RequestParser.feed` returns, in order: heads, body bytes, ends, then
#: at most one :class:`ParseError` or :class:`Upgrade` (parsing stops after either).
Event: TypeAlias = RequestHead | ResponseHead | bytes | MessageEnd | ParseError | Upgrade


def _version_tuple(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


class _SkipBody(Exception):
    """Raised inside llhttp's headers-complete callback: the message has no body.

    llhttp then stops with a callback error, so the parser is replaced; this is
    how a client skips the body of a response to ``HEAD`` (httptools cannot
    return llhttp's "skip body" code).
    """


class _Overflow(Exception):
    """Raised inside a callback when Node's header budget is spent: llhttp stops there."""


class _EndOfRead(Exception):
    """Raised inside llhttp's message-complete callback: the rest of this read is dropped."""


class _Reject(Exception):
    """Raised inside a callback for input Node's llhttp refuses and the bundled one accepts."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


# Feeding modes: what the next bytes are. _UNMETERED: a body whose framing the
# meter lost track of (llhttp is about to reject it); it is fed whole.
_HEAD, _FIXED, _CHUNK_LINE, _CHUNK_DATA, _TRAILERS, _EOF_BODY, _UNMETERED, _STOPPED = range(8)
_END_NO_TRAILERS: Final = MessageEnd([])


class _Parser:
    """What request and response parsing share: the feed loop, the budgets, the events."""

    def __init__(self, *, max_header_size: int, lenient: bool = False) -> None:
        self.max_header_size = max_header_size
        # Node's insecureHTTPParser: every llhttp this parser makes is lenient.
        self._lenient = lenient
        # A declined upgrade's body is being read: when it ends, so does this read
        # (Node's llhttp pauses there and the rest of that read is not parsed).
        self._end_read_at_message_end = False
        #: Chunks seen so far (a flood of tiny chunks costs CPU, not bytes).
        self.chunks = 0
        self._events: list[Event] = []
        self._mode = _HEAD
        # Inside a message: from its first byte to on_message_complete.
        self._in_message = False
        # Inside a body: trailer fields arrive through on_header too.
        self._in_body = False
        self._raw_b: list[bytes] = []
        # The last head's fields as llhttp gave them (values with trailing whitespace).
        self._fields_b: list[bytes] = []
        self._trailers_b: list[bytes] = []
        self._header_bytes = 0
        # A head or trailer section that spans several reads: its bytes so far and
        # the budget spent by its complete lines (Node counts spans as they come).
        self._section = bytearray()
        self._section_is_head = True
        self._section_cost = 0
        self._section_scanned = 0
        self._remaining = 0
        self._line = bytearray()
        self._cut = 0
        self._data = b""
        self._msg_start = 0
        # A Connection value with a tab: Node's llhttp reads its tokens differently.
        self._tab_in_connection = False
        # The framing of an upgrade request's body, which llhttp skipped.
        self._skipped: tuple[BodyKind, int | None] | None = None
        # Empty Transfer-Encoding fields taken out before llhttp saw them: (index, name).
        self._inject: list[tuple[int, str]] = []
        self._llhttp = self._make_llhttp()

    def _new_llhttp(self) -> httptools.HttpRequestParser | httptools.HttpResponseParser:
        raise NotImplementedError

    def _make_llhttp(self) -> httptools.HttpRequestParser | httptools.HttpResponseParser:
        p = self._new_llhttp()
        if self._lenient:
            p.set_dangerous_leniencies(
                lenient_headers=True, lenient_chunked_length=True, lenient_keep_alive=True,
                lenient_transfer_encoding=True, lenient_version=True, lenient_data_after_close=True,
                lenient_optional_lf_after_cr=True, lenient_optional_cr_before_lf=True,
                lenient_optional_crlf_after_chunk=True, lenient_spaces_after_chunk_size=True,
            )  # fmt: skip
        return p

    # -- httptools callbacks (they only record: user code never runs in here) ---

    def on_header(self, name: bytes, value: bytes) -> None:
        spent = self._header_bytes + len(name) + len(value)
        self._header_bytes = spent
        if spent >= self.max_header_size:
            raise _Overflow
        if b"\t" in value:
            size = len(name)
            if size == 14 and name.lower() == b"content-length":
                # Node's llhttp (9.3) allows no tab after the length; newer ones do.
                raise _Reject("HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length")
            if size == 10 and name.lower() == b"connection":
                self._tab_in_connection = True
        # Raw bytes now; decoded once, when the section is complete.
        if self._in_body:
            self._trailers_b += (name, value)
        else:
            self._raw_b += (name, value)

    def on_body(self, body: bytes) -> None:
        self._events.append(body)

    def on_message_complete(self) -> None:
        if self._skipped is not None and self._skipped[0] != "none":
            # llhttp skipped an upgrade request's body; it is not complete yet (see resume_http).
            self._in_message = self._in_body = False
            return
        trailers = self._trailers_b
        if trailers:
            self._events.append(MessageEnd(_decode_fields(trailers)))
            self._trailers_b = []
        else:
            self._events.append(_END_NO_TRAILERS)
        self._in_message = self._in_body = False
        self._header_bytes = 0
        self._tab_in_connection = False
        if self._mode != _STOPPED:
            self._mode = _HEAD
        if self._section:
            self._section.clear()
        self._section_cost = self._section_scanned = 0
        if self._end_read_at_message_end:
            self._end_read_at_message_end = False
            raise _EndOfRead

    # -- feeding ---------------------------------------------------------------

    def feed(self, data: bytes) -> list[Event]:
        """Parse ``data`` (what the peer sent next); return the events it completes.

        After a :class:`ParseError` or an :class:`Upgrade` event the parser takes no more.
        """
        events: list[Event] = []
        self._events = events
        self._data = data
        size = len(data)
        pos = 0
        view: memoryview | None = None
        while pos < size:
            mode = self._mode
            if mode == _HEAD:
                cut = self._head_cut(data, pos, size)
            elif mode == _FIXED:
                cut = min(size, pos + self._remaining)
                self._remaining -= cut - pos
            elif mode == _STOPPED:
                break
            elif mode in (_EOF_BODY, _UNMETERED):
                cut = size
            else:
                cut = self._chunk_cut(data, pos, size)
                if cut < 0:
                    self._fail("HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow")
                    break
            if cut == pos:
                break
            if pos == 0 and cut == size:
                piece: bytes | memoryview = data
            else:
                if view is None:
                    view = memoryview(data)
                piece = view[pos:cut]
            self._cut = cut
            if not self._execute(piece):
                break
            pos = cut
            section = self._section
            if section and self._in_message and (
                self._over_budget() or len(section) > SECTION_LIMIT_FACTOR * self.max_header_size
            ):
                # Past the budget, or past any head the budget could allow: whitespace
                # Node does not count is still memory here.
                self._fail("HPE_HEADER_OVERFLOW", "Header overflow")
                break
        self._data = b""
        return events

    def _execute(self, piece: bytes | memoryview) -> bool:
        """Run llhttp over ``piece`` (which ends at ``self._cut``); False once it stopped."""
        return self._run_llhttp(piece, self._cut - len(piece))

    def _run_llhttp(self, piece: bytes | memoryview, start: int | None) -> bool:
        """Feed llhttp and act on how it stopped; False once it stopped.

        ``start`` is where ``piece`` begins in the read being parsed, or None when
        ``piece`` is a rewritten head (see _retry_without_empty_te), which ends
        where the head ends, at ``self._cut``.
        """
        try:
            self._llhttp.feed_data(piece)
        except httptools.HttpParserUpgrade as exc:
            offset = self._cut if start is None else start + int(exc.args[0])
            self._mode = _STOPPED
            self._events.append(Upgrade(self._data[offset:]))
            return False
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            if isinstance(cause, _SkipBody):
                # The head ended exactly where ``piece`` ends.
                return self._skip_body()
            if isinstance(cause, _Overflow):
                self._fail("HPE_HEADER_OVERFLOW", "Header overflow")
                return False
            if isinstance(cause, _Reject):
                self._fail(cause.code, cause.reason)
                return False
            if isinstance(cause, _EndOfRead):
                # llhttp stopped inside this read; the next read starts afresh.
                self._llhttp = self._make_llhttp()
                return False
            raise
        except httptools.HttpParserError as exc:
            reason = str(exc.args[0]) if exc.args else ""
            if start is None:
                self._fail(_CODE_FOR_REASON.get(reason, "HPE_INTERNAL"), reason)
                return False
            return self._fail_llhttp(reason, piece)
        return self._mode != _STOPPED

    def _fail(self, code: str, reason: str) -> None:
        self._mode = _STOPPED
        self._events.append(ParseError(code, reason))

    def _fail_llhttp(self, reason: str, piece: bytes | memoryview) -> bool:
        if reason == "Empty Transfer-Encoding" and not self._in_body:
            return self._retry_without_empty_te()
        code = _CODE_FOR_REASON.get(reason)
        if reason == "Expected CRLF after version":
            # The same reason carries two codes: a CR not followed by LF is "strict".
            code = "HPE_STRICT" if _cr_without_lf_after_version(bytes(piece)) else "HPE_INVALID_VERSION"
        self._fail(code or "HPE_INTERNAL", reason)
        return False

    def _retry_without_empty_te(self) -> bool:
        """Parse the head again without its empty ``Transfer-Encoding`` fields.

        Node's llhttp (9.3) ignores an empty ``Transfer-Encoding`` for framing and
        keeps it in ``rawHeaders``; the llhttp bundled with httptools refuses it.
        The fields are taken out of the bytes llhttp sees and put back into the
        raw headers at their places.
        """
        section = self._section
        fed = bytes(section) if section else self._data[self._msg_start : self._cut]
        kept: list[bytes] = []
        inject: list[tuple[int, str]] = []
        for index, line in enumerate(fed.split(b"\r\n")):
            name, colon, value = line.partition(b":")
            if index and colon and not value.strip(b" \t") and name.lower() == b"transfer-encoding":
                inject.append((index - 1, name.decode("latin-1")))
                continue
            kept.append(line)
        self._llhttp = self._make_llhttp()
        self._raw_b = []
        self._reset_start_line()
        self._header_bytes = sum(len(name) for _index, name in inject)
        self._inject = inject
        # The rewritten head goes through the same handling as any input: it may
        # end in an upgrade, a callback's refusal or another parse error.
        return self._run_llhttp(b"\r\n".join(kept), None)

    def _reset_start_line(self) -> None:
        raise NotImplementedError

    def _take_raw(self) -> list[str]:
        """The head's raw fields, with any empty ``Transfer-Encoding`` put back in place."""
        fields = self._fields_b = self._raw_b
        raw = _decode_fields(fields) if fields else []
        self._raw_b = []
        if self._inject:
            for index, name in self._inject:
                raw[2 * index : 2 * index] = [name, ""]
            self._inject = []
        return raw

    def feed_eof(self) -> list[Event]:
        """The peer ended its side; llhttp's ``finish`` step.

        Between messages the end is clean; a body that runs to the end of the
        stream completes; inside any other message it is ``HPE_INVALID_EOF_STATE``.
        """
        events: list[Event] = []
        self._events = events
        mode = self._mode
        if mode == _EOF_BODY:
            self.on_message_complete()
        elif mode != _STOPPED and self._in_message:
            self._fail("HPE_INVALID_EOF_STATE", "Invalid EOF state")
        self._mode = _STOPPED
        return events

    @property
    def in_message(self) -> bool:
        """Whether part of an unfinished message was received."""
        return self._in_message

    @property
    def in_body(self) -> bool:
        """Whether a message body (or its trailers) is being received."""
        return self._in_body

    def stop(self) -> None:
        """Take no more input (the connection leaves HTTP or closes)."""
        self._mode = _STOPPED

    # -- the head -------------------------------------------------------------

    def _head_cut(self, data: bytes, pos: int, size: int) -> int:
        """Where the next feed ends: just after the head's blank line, or at ``size``."""
        section = self._section
        if not self._in_message:
            # llhttp skips empty lines before a message; so does the search.
            start = pos
            while start < size and data[start] in (13, 10):
                start += 1
            if start == size:
                return size
            self._in_message = True
            self._msg_start = start
            end = data.find(_HEAD_END, start)
            if end >= 0:
                return end + 4
            self._section_is_head = True
            section += data[start:size]
            return size
        # The rest of a head that began in an earlier read; its blank line may straddle.
        before = len(section)
        probe = bytes(section[-3:]) + data[pos : pos + 4] if before else b""
        found = probe.find(_HEAD_END)
        if found >= 0:
            cut = pos + found + 4 - min(before, 3)
        else:
            end = data.find(_HEAD_END, pos)
            cut = size if end < 0 else end + 4
        section += data[pos:cut]
        return cut

    def _over_budget(self) -> bool:
        """Whether the section received so far already spends Node's header budget.

        Complete lines are counted once, the unfinished last line on every call,
        as Node's span callbacks count them: the target of the request line (or
        the reason phrase), names, and values without their leading whitespace.
        """
        buf = self._section
        scanned = self._section_scanned
        cost = self._section_cost
        head = self._section_is_head
        while True:
            lf = buf.find(b"\n", scanned)
            if lf < 0:
                break
            cost += self._line_cost(bytes(buf[scanned:lf]).rstrip(b"\r"), head and scanned == 0)
            scanned = lf + 1
        self._section_scanned = scanned
        self._section_cost = cost
        tail = bytes(buf[scanned:]).rstrip(b"\r")
        return cost + self._line_cost(tail, head and scanned == 0) >= self.max_header_size

    def _line_cost(self, line: bytes, start_line: bool) -> int:
        if start_line:
            return self._start_line_cost(line)
        name, colon, value = line.partition(b":")
        if not colon:
            return len(name)
        return len(name) + len(value.lstrip(b" \t"))

    def _start_line_cost(self, line: bytes) -> int:
        raise NotImplementedError

    def _begin_body(self, body: BodyKind, content_length: int | None) -> None:
        """At the end of a head: where the bytes after it belong."""
        self._header_bytes = 0
        if body == "none":
            return  # llhttp completes the message at once
        self._in_body = True
        if body == "length":
            assert content_length is not None
            self._mode = _FIXED
            self._remaining = content_length
        elif body == "chunked":
            self._mode = _CHUNK_LINE
            self._line.clear()
        else:
            self._mode = _EOF_BODY

    def _skip_body(self) -> bool:
        raise NotImplementedError

    # -- chunked bodies ---------------------------------------------------------

    def _chunk_cut(self, data: bytes, pos: int, size: int) -> int:
        """Where the next feed of a chunked body ends; -1 when extensions overflow.

        Walks the chunk framing (llhttp validates it as it is fed), counting each
        size line's extension bytes and each chunk, up to the end of the body.
        """
        mode = self._mode
        while pos < size:
            if mode == _CHUNK_DATA:
                step = min(size - pos, self._remaining)
                self._remaining -= step
                pos += step
                if not self._remaining:
                    mode = _CHUNK_LINE
                continue
            if mode == _CHUNK_LINE:
                lf = data.find(b"\n", pos)
                end = size if lf < 0 else lf + 1
                line = self._line
                line += data[pos:end]
                if _extension_bytes(line) > CHUNK_EXTENSIONS_LIMIT:
                    return -1
                pos = end
                if lf < 0:
                    break
                self.chunks += 1
                digits = _HEX_RE.match(line)
                length = int(digits.group(), 16) if digits and digits.group() else -1
                line.clear()
                if length < 0:
                    # Not a size line llhttp accepts: it is about to say why.
                    self._mode = _UNMETERED
                    return size
                if length == 0:
                    mode = _TRAILERS
                    self._section_is_head = False
                    self._section.clear()
                    self._section_cost = self._section_scanned = 0
                    self._header_bytes = 0
                else:
                    mode = _CHUNK_DATA
                    self._remaining = length + 2  # the data, then its CRLF
                continue
            # _TRAILERS: field lines up to an empty one.
            section = self._section
            before = len(section)
            section += data[pos:size]
            if section.startswith(b"\r\n"):
                end_at = 2
            else:
                found = section.find(_HEAD_END, max(before - 3, 0))
                end_at = found + 4 if found >= 0 else -1
            if end_at < 0:
                self._mode = mode
                return size
            pos += end_at - before
            section.clear()
            # llhttp completes the message here; should it not, the rest is fed unmetered.
            self._mode = _UNMETERED
            return pos
        self._mode = mode
        return pos


class RequestParser(_Parser):
    """Parses the requests of one connection (server side).

    Args:
      max_header_size: Node's ``maxHeaderSize`` (``HPE_HEADER_OVERFLOW`` at it).
      lenient: Node's ``insecureHTTPParser`` (llhttp's leniencies, all of them).
    """

    def __init__(self, *, max_header_size: int = 16384, lenient: bool = False) -> None:
        self._url = b""
        super().__init__(max_header_size=max_header_size, lenient=lenient)

    def _new_llhttp(self) -> httptools.HttpRequestParser:
        return httptools.HttpRequestParser(self)

    def on_url(self, url: bytes) -> None:
        self._header_bytes += len(url)
        if self._header_bytes >= self.max_header_size:
            raise _Overflow
        self._url += url

    def on_headers_complete(self) -> None:
        p = self._llhttp
        method_b = p.get_method()  # type: ignore[union-attr]
        method = _METHODS.get(method_b)
        if method is None:
            method = _METHODS[method_b] = method_b.decode("ascii")
        raw = self._take_raw()
        if self._section:
            self._section.clear()
            self._section_cost = self._section_scanned = 0
        url = self._url.decode("latin-1")
        self._url = b""
        upgrade = p.should_upgrade()
        keep_alive = p.should_keep_alive()
        version = p.get_http_version()
        if self._tab_in_connection:
            keep_alive, upgrade = _connection_as_node(self._fields_b, version, request=True, method=method)
        body, length = _body_of(raw, response=False)
        self._events.append(RequestHead(method, url, version, raw, keep_alive, upgrade, body, length))
        if upgrade:
            # httptools has llhttp skip the body of an upgrade request: what follows
            # the head belongs to the new protocol, unless nobody takes the upgrade
            # and the request is served as plain HTTP (resume_http).
            self._skipped = (body, length)
            self._begin_body("none", None)
        else:
            self._begin_body(body, length)

    def _reset_start_line(self) -> None:
        self._url = b""

    def resume_http(self, rest: bytes) -> list[Event]:
        """Go on with HTTP after an :class:`Upgrade` nobody took; parse ``rest``.

        The upgrade request is then an ordinary one: its body (which llhttp
        skipped) is parsed from ``rest``. As in Node, whose llhttp pauses at the
        end of an upgrade request whether or not it is taken, the bytes after
        that end in the same read are dropped; the next read is parsed afresh.
        """
        skipped = self._skipped or ("none", None)
        self._skipped = None
        self._llhttp = self._make_llhttp()
        self._mode = _HEAD
        self._in_message = False
        body, length = skipped
        if body == "none":
            return []  # the request ended with its head: the rest of this read goes
        # A fresh llhttp learns the body's framing from an equivalent head.
        framing = b"Content-Length: %d" % (length or 0) if body == "length" else b"Transfer-Encoding: chunked"
        self._events = []  # its head event is not reported
        self._llhttp.feed_data(b"POST / HTTP/1.1\r\n" + framing + b"\r\n\r\n")
        self._url = b""
        self._in_message = True
        self._end_read_at_message_end = True
        return self.feed(rest)

    def _start_line_cost(self, line: bytes) -> int:
        # The request target: between the first and the second space.
        _method, space, rest = line.partition(b" ")
        if not space:
            return 0
        target, _space, _version = rest.partition(b" ")
        return len(target)

    def _skip_body(self) -> bool:  # pragma: no cover - request bodies are never skipped
        raise AssertionError("request bodies are never skipped")


class ResponseParser(_Parser):
    """Parses the responses of one client connection.

    Args:
      max_header_size: Node's ``maxHeaderSize`` for responses.
      lenient: Node's ``insecureHTTPParser`` (llhttp's leniencies, all of them).

    Call :meth:`expect` before each response with its request's method: a
    response to ``HEAD`` has no body whatever its head says, and a 2xx answer to
    ``CONNECT`` ends HTTP on the connection.
    """

    def __init__(self, *, max_header_size: int = 16384, lenient: bool = False) -> None:
        self._status = b""
        self._method = "GET"
        self._upgrade = False
        super().__init__(max_header_size=max_header_size, lenient=lenient)

    def _new_llhttp(self) -> httptools.HttpResponseParser:
        return httptools.HttpResponseParser(self)

    def expect(self, method: str) -> None:
        """The next response answers a request with ``method``."""
        self._method = method

    def on_status(self, status: bytes) -> None:
        self._header_bytes += len(status)
        if self._header_bytes >= self.max_header_size:
            raise _Overflow
        self._status += status

    def on_headers_complete(self) -> None:
        p = self._llhttp
        code = p.get_status_code()  # type: ignore[union-attr]
        raw = self._take_raw()
        if self._section:
            self._section.clear()
            self._section_cost = self._section_scanned = 0
        message = self._status.decode("latin-1")
        self._status = b""
        method = self._method
        connect = method == "CONNECT" and 200 <= code < 300
        upgrade = p.should_upgrade()
        keep_alive = p.should_keep_alive()
        version = p.get_http_version()
        if self._tab_in_connection:
            keep_alive, upgrade = _connection_as_node(self._fields_b, version, request=False, status=code)
        upgrade = upgrade or connect
        body, length = _body_of(raw, response=True)
        if method == "HEAD" or code < 200 or code in (204, 304) or upgrade:
            body, length = "none", None
        self._events.append(ResponseHead(code, message, version, raw, keep_alive, upgrade, body, length))
        self._begin_body(body, length)
        if method == "HEAD" or connect:
            # llhttp does not know the request: it would wait for the body the
            # head announces. Stop it here (Node's parser is told to skip it).
            self._upgrade = connect
            raise _SkipBody

    def _reset_start_line(self) -> None:
        self._status = b""

    def _start_line_cost(self, line: bytes) -> int:
        # The reason phrase: after the second space.
        parts = line.split(b" ", 2)
        return len(parts[2]) if len(parts) == 3 else 0

    def _skip_body(self) -> bool:
        self._llhttp = self._make_llhttp()
        self.on_message_complete()
        if self._upgrade:
            self._upgrade = False
            self._mode = _STOPPED
            self._events.append(Upgrade(self._data[self._cut :]))
            return False
        return True


def _decode_fields(fields: list[bytes]) -> list[str]:
    """Node's ``rawHeaders`` from llhttp's name and value spans, in one decode.

    Values lose their trailing whitespace, as Node hands them to JavaScript. NUL
    cannot occur in a field llhttp accepted, so it safely joins them.
    """
    joined = b"\0".join(fields)
    if b" \0" in joined or b"\t\0" in joined or joined.endswith((b" ", b"\t")):
        # Only values can end with whitespace: names are tokens.
        return [
            f.decode("latin-1") if i % 2 == 0 else f.decode("latin-1").rstrip(" \t")
            for i, f in enumerate(fields)
        ]
    return joined.decode("latin-1").split("\0")


def _body_of(raw: list[str], *, response: bool) -> tuple[BodyKind, int | None]:
    """How the body after a head with these fields is framed (llhttp's own decision).

    Only called for heads llhttp accepted, so the fields are well formed.
    """
    length: int | None = None
    te: list[str] | None = None
    for i in range(0, len(raw), 2):
        name = raw[i]
        size = len(name)
        if size == 14 and name.lower() == "content-length":
            length = int(raw[i + 1].strip(" \t"))
        elif size == 17 and name.lower() == "transfer-encoding":
            if te is None:
                te = []
            te.extend(t for t in (t.strip(" \t").lower() for t in raw[i + 1].split(",")) if t)
    # An empty Transfer-Encoding does not count (Node's llhttp ignores it).
    if te:
        if te[-1] == "chunked":
            return "chunked", None
        return ("eof", None) if response else ("none", None)
    if length is not None:
        return ("length", length) if length else ("none", length)
    return ("eof", None) if response else ("none", None)


_NODE_CONNECTION_TOKEN_RE: Final = re.compile(rb"[ \t]*(close|keep-alive|upgrade) *\Z", re.IGNORECASE)


def _connection_as_node(
    fields: list[bytes], version: str, *, request: bool, method: str = "", status: int = 0
) -> tuple[bool, bool]:
    """Node's (llhttp 9.3) keep-alive and upgrade verdicts, for a head whose Connection has a tab.

    Node's llhttp takes a ``close``, ``keep-alive`` or ``upgrade`` token only when
    spaces, a comma or the end of the value follow it: a tab there hides the
    token. The llhttp bundled with httptools accepts the tab, so for such heads
    (and only these) the two verdicts are worked out from the raw fields as
    Node's parser reaches them.
    """
    close = alive = connection_upgrade = upgrade_field = False
    for i in range(0, len(fields), 2):
        name = fields[i].lower()
        if name == b"upgrade":
            upgrade_field = True
        elif name == b"connection":
            for token in fields[i + 1].split(b","):
                match = _NODE_CONNECTION_TOKEN_RE.match(token)
                if match is None:
                    continue
                word = match.group(1).lower()
                if word == b"close":
                    close = True
                elif word == b"keep-alive":
                    alive = True
                else:
                    connection_upgrade = True
    major, _, minor = version.partition(".")
    keep_alive = (not close) if int(major) > 0 and int(minor or 0) > 0 else alive
    if request:
        upgrade = (upgrade_field and connection_upgrade) or method == "CONNECT"
    else:
        upgrade = status == 101  # llhttp switches protocols on any 101
    return keep_alive, upgrade


def _extension_bytes(line: bytearray) -> int:
    """Node's count of a chunk-size line's extension bytes: names and values, quotes included."""
    semi = line.find(b";")
    if semi < 0:
        return 0
    ext = bytes(line[semi:])
    if ext.endswith(b"\n"):
        ext = ext[:-1]
    if ext.endswith(b"\r"):
        ext = ext[:-1]
    outside = _QUOTED_RE.sub(b"", ext) if b'"' in ext else ext
    return len(ext) - outside.count(b";") - outside.count(b"=")


def _cr_without_lf_after_version(data: bytes) -> bool:
    """Whether a request line ends ``HTTP/x.y`` then CR and something other than LF."""
    match = re.search(rb"HTTP/\d\.\d\r(?!\n)", data)
    return match is not None
