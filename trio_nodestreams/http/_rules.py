"""HTTP rules shared by the server and the client, with no I/O (node: lib/_http_common.js).

Everything here is plain synchronous code: Node's status and method tables,
header-name and header-value validation, the way ``IncomingMessage.headers``
joins duplicate fields, and the framing decision Node's ``_storeHeader`` makes
when it renders a message head (``Content-Length``, chunked, close-delimited or
no body, plus the ``Connection``/``Keep-Alive``/``Date`` headers it adds).
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol, TypeAlias, cast

import attrs

from .._errors import NodeError, NodeRangeError, NodeTypeError

__all__ = [
    "MAX_CHUNK_EXTENSIONS_SIZE",
    "MAX_HEADER_PAIRS",
    "MAX_HEADER_SIZE",
    "METHODS",
    "STATUS_CODES",
    "BodyMode",
    "Framing",
    "HeadFlags",
    "HeaderValue",
    "OutHeaders",
    "check_invalid_header_char",
    "check_is_http_token",
    "decide_response_framing",
    "encode_chunk",
    "headers_distinct",
    "host_and_expect",
    "join_headers",
    "last_chunk",
    "render_trailers",
    "request_should_keep_alive",
    "response_flags",
    "status_message",
    "store_header",
    "utc_date",
    "validate_header_name",
    "validate_header_value",
    "validate_status_code",
    "write_head_flags",
]

# Node's http.STATUS_CODES, verbatim (node v20).
STATUS_CODES: dict[int, str] = {
    100: "Continue",
    101: "Switching Protocols",
    102: "Processing",
    103: "Early Hints",
    200: "OK",
    201: "Created",
    202: "Accepted",
    203: "Non-Authoritative Information",
    204: "No Content",
    205: "Reset Content",
    206: "Partial Content",
    207: "Multi-Status",
    208: "Already Reported",
    226: "IM Used",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    305: "Use Proxy",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    412: "Precondition Failed",
    413: "Payload Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    416: "Range Not Satisfiable",
    417: "Expectation Failed",
    418: "I'm a Teapot",
    421: "Misdirected Request",
    422: "Unprocessable Entity",
    423: "Locked",
    424: "Failed Dependency",
    425: "Too Early",
    426: "Upgrade Required",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates",
    507: "Insufficient Storage",
    508: "Loop Detected",
    509: "Bandwidth Limit Exceeded",
    510: "Not Extended",
    511: "Network Authentication Required",
}

# Node's http.METHODS, in the order Node prints it (sorted).
METHODS: list[str] = [
    "ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LINK", "LOCK",
    "M-SEARCH", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MOVE", "NOTIFY", "OPTIONS",
    "PATCH", "POST", "PROPFIND", "PROPPATCH", "PURGE", "PUT", "QUERY", "REBIND", "REPORT",
    "SEARCH", "SOURCE", "SUBSCRIBE", "TRACE", "UNBIND", "UNLINK", "UNLOCK", "UNSUBSCRIBE",
]  # fmt: skip

#: Node's default ``maxHeaderSize``: request line target + header names + values, in bytes.
MAX_HEADER_SIZE = 16384
#: Node's default ``maxHeadersCount``: header pairs past this are dropped from ``headers``.
MAX_HEADER_PAIRS = 2000
#: Bytes of chunk-extension names and values one chunk may carry (Node answers 413 past it).
MAX_CHUNK_EXTENSIONS_SIZE = 16384

_TOKEN_RE = re.compile(r"[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+\Z")
_INVALID_HEADER_CHAR_RE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")
_CONN_CLOSE_RE = re.compile(r"(?:^|\W)close(?:\Z|\W)", re.IGNORECASE | re.ASCII)
_TE_CHUNKED_RE = re.compile(r"(?:^|\W)chunked(?:\Z|\W)", re.IGNORECASE | re.ASCII)
_CONTINUE_RE = re.compile(r"(?:^|\W)100-continue(?:\Z|\W)", re.IGNORECASE | re.ASCII)

Scalar: TypeAlias = str | int | float
#: A header value as ``set_header`` accepts it: a scalar or a list of scalars.
HeaderValue: TypeAlias = Scalar | Sequence[Scalar]
#: Node's ``kOutHeaders``: lower-case name -> (name as given, value).
OutHeaders: TypeAlias = dict[str, tuple[str, HeaderValue]]


def _js_str(value: object) -> str:
    """Render a scalar the way JavaScript's string concatenation would."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join(_js_str(v) for v in value)
    return str(value)


def check_is_http_token(val: str) -> bool:
    """Return whether ``val`` is a non-empty RFC 7230 token (Node's ``_checkIsHttpToken``)."""
    return _TOKEN_RE.match(val) is not None


def check_invalid_header_char(val: object) -> bool:
    """Return whether ``val`` holds a character not allowed in a field value.

    Allowed: HTAB, SP, visible ASCII and obs-text (0x80-0xff); everything else,
    including CR, LF, NUL, DEL and characters above U+00FF, is invalid.
    """
    return _INVALID_HEADER_CHAR_RE.search(_js_str(val)) is not None


def validate_header_name(name: object, label: str = "Header name") -> None:
    """Raise ``ERR_INVALID_HTTP_TOKEN`` (a TypeError) unless ``name`` is a valid token.

    Args:
      name: the header (or trailer) name.
      label: how the message names it, ``"Header name"`` or ``"Trailer name"``.
    """
    if not isinstance(name, str) or not name or not check_is_http_token(name):
        raise NodeTypeError(
            "ERR_INVALID_HTTP_TOKEN", f"{label} must be a valid HTTP token [{_quote(name)}]"
        )


def validate_header_value(name: str, value: object) -> None:
    """Raise unless ``value`` may be sent as the value of header ``name``.

    Raises:
      NodeError: ``ERR_HTTP_INVALID_HEADER_VALUE`` (TypeError) when ``value`` is
        ``None`` (Node's ``undefined``); ``ERR_INVALID_CHAR`` (TypeError) when it
        contains a character :func:`check_invalid_header_char` rejects.
    """
    if value is None:
        raise NodeTypeError(
            "ERR_HTTP_INVALID_HEADER_VALUE", f'Invalid value "undefined" for header "{name}"'
        )
    if check_invalid_header_char(value):
        raise NodeTypeError("ERR_INVALID_CHAR", f'Invalid character in header content ["{name}"]')


def validate_status_code(status_code: object) -> int:
    """Return ``status_code`` as Node's ``writeHead`` coerces it (``code | 0``), or raise.

    Raises:
      NodeError: ``ERR_HTTP_INVALID_STATUS_CODE`` (RangeError) when the coerced
        code is below 100 or above 999.
    """
    code = 0
    if isinstance(status_code, bool):
        code = int(status_code)
    elif isinstance(status_code, int):
        code = status_code
    elif isinstance(status_code, float):
        code = int(status_code) if status_code == status_code and abs(status_code) < 2**31 else 0
    elif isinstance(status_code, str):
        try:
            code = int(status_code.strip() or "0", 0 if status_code.strip()[:2] in ("0x", "0X") else 10)
        except ValueError:
            code = 0
    if code < 100 or code > 999:
        raise NodeRangeError(
            "ERR_HTTP_INVALID_STATUS_CODE", f"Invalid status code: {_js_str(status_code)}"
        )
    return code


def status_message(status_code: int) -> str:
    """Return Node's default reason phrase for ``status_code`` (``'unknown'`` if none)."""
    return STATUS_CODES.get(status_code, "unknown")


def _quote(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else _js_str(value)


# ---------------------------------------------------------------------------
# IncomingMessage.headers / headersDistinct


#: Fields whose duplicates Node drops (the first one wins) in ``IncomingMessage.headers``.
DROP_DUPLICATES = frozenset(
    {
        "age", "authorization", "content-length", "content-type", "etag", "expires", "from",
        "host", "if-modified-since", "if-unmodified-since", "last-modified", "location",
        "max-forwards", "proxy-authorization", "referer", "retry-after", "server", "user-agent",
    }
)  # fmt: skip


def _pairs(raw_headers: Sequence[str] | Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    if isinstance(raw_headers, Sequence) and (not raw_headers or isinstance(raw_headers[0], str)):
        flat = cast(Sequence[str], raw_headers)
        return zip(flat[0::2], flat[1::2], strict=True)
    return cast(Iterable[tuple[str, str]], raw_headers)


def join_headers(
    raw_headers: Sequence[str] | Iterable[tuple[str, str]],
    *,
    join_duplicate_headers: bool = False,
    max_header_pairs: int | None = MAX_HEADER_PAIRS,
) -> dict[str, str | list[str]]:
    """Build ``IncomingMessage.headers`` from raw headers, joining duplicates as Node does.

    Names become lower case. ``set-cookie`` always maps to a list; duplicates of
    :data:`DROP_DUPLICATES` keep the first value (unless ``join_duplicate_headers``,
    then ``", "``-joined); ``cookie`` joins with ``"; "``; every other field joins
    with ``", "``.

    Args:
      raw_headers: Node's flat ``rawHeaders`` list ``[name, value, name, value, ...]``,
        or an iterable of ``(name, value)`` pairs.
      join_duplicate_headers: Node's ``joinDuplicateHeaders`` server option.
      max_header_pairs: only the first this many pairs count (Node's ``maxHeadersCount``);
        ``None`` or 0 for no limit.
    """
    dest: dict[str, str | list[str]] = {}
    for i, (name, value) in enumerate(_pairs(raw_headers)):
        if max_header_pairs and i >= max_header_pairs:
            break
        field = name.lower()
        current = dest.get(field)
        if field == "set-cookie":
            if isinstance(current, list):
                current.append(value)
            else:
                dest[field] = [value]
        elif field in DROP_DUPLICATES:
            if current is None:
                dest[field] = value
            elif join_duplicate_headers:
                dest[field] = f"{current}, {value}"
        elif isinstance(current, str):
            dest[field] = current + ("; " if field == "cookie" else ", ") + value
        else:
            dest[field] = value
    return dest


def host_and_expect(raw_headers: Sequence[str], max_header_pairs: int | None = MAX_HEADER_PAIRS) -> tuple[bool, str | None]:
    """Whether ``Host`` is present, and ``Expect`` as :func:`join_headers` would give it.

    What Node's server looks at in every HTTP/1.1 request, without building the
    whole headers object for it.
    """
    has_host = False
    expect: str | None = None
    end = len(raw_headers)
    if max_header_pairs:
        end = min(end, 2 * max_header_pairs)
    for i in range(0, end, 2):
        name = raw_headers[i]
        size = len(name)
        if size == 4:
            if not has_host and name.lower() == "host":
                has_host = True
        elif size == 6 and name.lower() == "expect":
            value = raw_headers[i + 1]
            expect = value if expect is None else f"{expect}, {value}"
    return has_host, expect


def headers_distinct(
    raw_headers: Sequence[str] | Iterable[tuple[str, str]],
    *,
    max_header_pairs: int | None = MAX_HEADER_PAIRS,
) -> dict[str, list[str]]:
    """Build ``IncomingMessage.headersDistinct``: every lower-case name -> list of its values."""
    dest: dict[str, list[str]] = {}
    for i, (name, value) in enumerate(_pairs(raw_headers)):
        if max_header_pairs and i >= max_header_pairs:
            break
        dest.setdefault(name.lower(), []).append(value)
    return dest


def request_should_keep_alive(http_version: tuple[int, int], connection: str | None) -> bool:
    """Return llhttp's ``should_keep_alive`` for a request (ignoring the body framing).

    HTTP/1.1 persists unless ``Connection`` has a ``close`` token; other versions
    (1.0, 0.9, 2.0) persist only with a ``keep-alive`` token.
    """
    tokens = {t.strip().lower() for t in (connection or "").split(",")}
    if http_version[0] > 0 and http_version[1] > 0:
        return "close" not in tokens
    return "keep-alive" in tokens


# ---------------------------------------------------------------------------
# Outgoing heads: Node's _storeHeader


_date_cache: list[Any] = [-1, ""]


def utc_date(now: float | None = None) -> str:
    """Return an IMF-fixdate such as ``'Thu, 01 Jan 1970 00:00:00 GMT'`` (Node's ``utcDate``).

    Like Node, the current time's string is rendered once per second.
    """
    if now is not None:
        return email.utils.formatdate(now, usegmt=True)
    second = int(time.time())
    if _date_cache[0] != second:
        _date_cache[0] = second
        _date_cache[1] = email.utils.formatdate(second, usegmt=True)
    return str(_date_cache[1])


class HeadState(Protocol):
    """What Node's ``_storeHeader`` reads and sets on a message (an ``OutgoingMessage``)."""

    _has_body: bool
    should_keep_alive: bool
    use_chunked_encoding_by_default: bool
    send_date: bool
    _removed_connection: bool
    _removed_cont_len: bool
    _removed_te: bool
    _content_length: int | None
    _keep_alive_timeout: float
    _max_requests_per_socket: int
    max_requests_on_connection_reached: bool
    _has_agent: bool
    _unique_headers: frozenset[str] | None
    _expect_continue: bool
    _sent_100: bool
    chunked_encoding: bool
    _last: bool
    _default_keep_alive: bool

    @property
    def status_code(self) -> int | None: ...


@attrs.define(eq=False)
class HeadFlags:
    """The per-message state Node's ``_storeHeader`` reads and updates.

    The server creates one per response with :func:`response_flags`, keeps it in
    step with ``remove_header`` (the ``removed_*`` flags and ``send_date``), and
    hands it to :func:`store_header`, which sets the outputs.
    """

    _has_body: bool = True
    should_keep_alive: bool = True
    use_chunked_encoding_by_default: bool = True
    send_date: bool = False
    _removed_connection: bool = False
    _removed_cont_len: bool = False
    _removed_te: bool = False
    #: Byte length Node puts in ``Content-Length`` when ``end(data)`` was the only write
    #: (``0`` for a bare ``end()``); ``None`` when the body was streamed.
    _content_length: int | None = None
    status_code: int | None = None
    _keep_alive_timeout: float = 0
    _max_requests_per_socket: int = 0
    max_requests_on_connection_reached: bool = False
    _has_agent: bool = False
    _unique_headers: frozenset[str] | None = None
    _expect_continue: bool = False
    _sent_100: bool = False
    # outputs
    chunked_encoding: bool = False
    #: True when the connection must close after this message (Node's ``_last``).
    _last: bool = False
    _default_keep_alive: bool = True

    def note_removed(self, name: str) -> None:
        """Record ``remove_header(name)``: a removed framing header is not added back."""
        key = name.lower()
        if key == "connection":
            self._removed_connection = True
        elif key == "content-length":
            self._removed_cont_len = True
        elif key == "transfer-encoding":
            self._removed_te = True
        elif key == "date":
            self.send_date = False


BodyMode = Literal["content-length", "chunked", "close", "none"]


@attrs.frozen
class Framing:
    """What :func:`store_header` decided.

    Attributes:
      head: the rendered head, ``first_line`` through the blank line, latin-1 encoded.
      body: ``"content-length"``, ``"chunked"`` (write chunks with :func:`encode_chunk`,
        end with :func:`last_chunk`), ``"close"`` (raw bytes, then close) or ``"none"``
        (writes are ignored).
      content_length: the ``Content-Length`` the head announces, if any.
      keep_alive: whether the connection may carry another message afterwards.
      flush_now: the head carries ``Expect`` and must be sent at once (client side).
    """

    head: bytes
    body: BodyMode
    content_length: int | None
    keep_alive: bool
    flush_now: bool


def _entries(
    headers: Mapping[str, HeaderValue] | Sequence[object] | None,
) -> Iterable[tuple[object, object]]:
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        return headers.items()
    if headers and isinstance(headers[0], list | tuple):
        return [(e[0], e[1]) for e in headers]  # type: ignore[index]
    if len(headers) % 2:
        raise NodeTypeError(
            "ERR_INVALID_ARG_VALUE", "The argument 'headers' is invalid. Received an odd-length array"
        )
    return list(zip(headers[0::2], headers[1::2], strict=True))


def store_header(
    flags: HeadState,
    first_line: str,
    headers: Mapping[str, HeaderValue] | Sequence[object] | None = None,
    *,
    out_headers: OutHeaders | None = None,
    date: str | None = None,
) -> Framing:
    """Render a message head and decide its framing, as Node's ``_storeHeader`` does.

    Args:
      flags: the message's state; its outputs (``chunked_encoding``, ``_last``,
        ``should_keep_alive``, ``_default_keep_alive``, ``_content_length``) are
        updated in place.
      first_line: ``"HTTP/1.1 200 OK\\r\\n"`` or ``"GET / HTTP/1.1\\r\\n"``.
      headers: headers given directly to ``write_head`` (a mapping, a list of
        pairs, or a flat ``[name, value, ...]`` list); validated.
      out_headers: the headers stored by ``set_header`` (not validated again).
        Pass one of ``headers`` / ``out_headers``.
      date: the ``Date`` value to add when ``flags.send_date`` and none was given
        (defaults to :func:`utc_date`).

    Raises:
      NodeError: ``ERR_INVALID_HTTP_TOKEN`` / ``ERR_HTTP_INVALID_HEADER_VALUE`` /
        ``ERR_INVALID_CHAR`` for a bad direct header, ``ERR_INVALID_ARG_VALUE``
        for an odd-length flat list, ``ERR_HTTP_TRAILER_INVALID`` when a
        ``Trailer`` header is set on a message that is not chunked.
    """
    head, expect, cont_len = render_head(flags, first_line, headers, out_headers, date)
    body: BodyMode
    if not flags._has_body:
        body = "none"
    elif flags.chunked_encoding:
        body = "chunked"
    elif cont_len:
        body = "content-length"
    else:
        # HTTP/1.0 or both framing headers removed (``_last`` is already set), or a
        # user-set non-chunked Transfer-Encoding: Node writes the bytes raw and keeps
        # its keep-alive decision, so only the close ends such a body reliably.
        body = "close"
    return Framing(
        head=head,
        body=body,
        content_length=flags._content_length if body == "content-length" else None,
        keep_alive=not flags._last,
        flush_now=expect,
    )


def render_head(
    flags: HeadState,
    first_line: str,
    headers: Mapping[str, HeaderValue] | Sequence[object] | None,
    out_headers: OutHeaders | None,
    date: str | None = None,
) -> tuple[bytes, bool, bool]:
    """The work of :func:`store_header`: the head bytes, and whether the head has an
    ``Expect`` and a ``Content-Length`` (given or added).
    """
    parts = [first_line]
    seen: set[str] = set()
    if out_headers is not None:
        for key, (name, value) in out_headers.items():
            if type(value) is str:
                parts.append(f"{name}: {value}\r\n")
                if key in _FRAMING_NAMES:
                    _match_header(flags, seen, name, value)
            elif isinstance(value, list | tuple):
                _store_list(flags, parts, seen, name, value, validate=False)
            else:
                text = _js_str(value)
                parts.append(f"{name}: {text}\r\n")
                if key in _FRAMING_NAMES:
                    _match_header(flags, seen, name, text)
    else:
        for given, given_value in _entries(headers):
            validate_header_name(given)
            key = str(given)
            if isinstance(given_value, list | tuple):
                _store_list(flags, parts, seen, key, given_value, validate=True)
            else:
                validate_header_value(key, given_value)
                text = _js_str(given_value)
                parts.append(f"{key}: {text}\r\n")
                if 4 <= len(key) <= 17:
                    _match_header(flags, seen, key, text)

    if flags.send_date and "date" not in seen:
        parts.append(f"Date: {date if date is not None else utc_date()}\r\n")

    # A chunked 204/304 would confuse proxies: no zero chunk, close instead.
    if flags.chunked_encoding and flags.status_code in (204, 304):
        flags.chunked_encoding = False
        flags.should_keep_alive = False

    cont_len = "content-length" in seen
    te = "transfer-encoding" in seen
    if flags._removed_connection:
        flags._last = not flags.should_keep_alive
    elif "connection" not in seen:
        send_keep_alive = flags.should_keep_alive and (
            cont_len or flags.use_chunked_encoding_by_default or flags._has_agent
        )
        if send_keep_alive and flags.max_requests_on_connection_reached:
            parts.append("Connection: close\r\n")
        elif send_keep_alive:
            parts.append("Connection: keep-alive\r\n")
            if flags._keep_alive_timeout and flags._default_keep_alive:
                seconds = int(flags._keep_alive_timeout // 1000)
                extra = f", max={flags._max_requests_per_socket}" if flags._max_requests_per_socket > 0 else ""
                parts.append(f"Keep-Alive: timeout={seconds}{extra}\r\n")
        else:
            flags._last = True
            parts.append("Connection: close\r\n")

    trailer = "trailer" in seen
    if not cont_len and not te:
        if not flags._has_body:
            flags.chunked_encoding = False
        elif not flags.use_chunked_encoding_by_default:
            flags._last = True
        elif not trailer and not flags._removed_cont_len and flags._content_length is not None:
            parts.append(f"Content-Length: {flags._content_length}\r\n")
            cont_len = True
        elif not flags._removed_te:
            parts.append("Transfer-Encoding: chunked\r\n")
            flags.chunked_encoding = True
        else:
            # Neither framing header: the body runs until the connection closes.
            flags._last = True

    if flags.chunked_encoding is not True and trailer:
        raise NodeError("ERR_HTTP_TRAILER_INVALID", "Trailers are invalid with this transfer encoding")
    parts.append("\r\n")
    return "".join(parts).encode("latin-1", errors="replace"), "expect" in seen, cont_len


def _store_list(
    flags: HeadState, parts: list[str], seen: set[str], key: str, value: Sequence[object], *, validate: bool
) -> None:
    unique = flags._unique_headers is not None and key.lower() in flags._unique_headers
    if (len(value) < 2 or key.lower() != "cookie") and not unique:
        values: Sequence[object] = value
    else:
        values = ["; ".join(_js_str(v) for v in value)]
    for v in values:
        if validate:
            validate_header_value(key, v)
        text = _js_str(v)
        parts.append(f"{key}: {text}\r\n")
        if 4 <= len(key) <= 17:
            _match_header(flags, seen, key, text)


# The names _match_header acts on (lower case).
_FRAMING_NAMES = frozenset(
    {"connection", "transfer-encoding", "content-length", "date", "expect", "trailer", "keep-alive"}
)


def _match_header(flags: HeadState, seen: set[str], name: str, text: str) -> None:
    """Node's ``matchHeader``: what a header the user gave changes in the framing."""
    field = name.lower()
    if field == "connection":
        seen.add(field)
        flags._removed_connection = False
        if _CONN_CLOSE_RE.search(text):
            flags._last = True
        else:
            flags.should_keep_alive = True
    elif field == "transfer-encoding":
        seen.add(field)
        flags._removed_te = False
        if _TE_CHUNKED_RE.search(text):
            flags.chunked_encoding = True
    elif field == "content-length":
        seen.add(field)
        flags._removed_cont_len = False
        try:
            flags._content_length = int(text.strip())
        except ValueError:
            flags._content_length = None
    elif field in ("date", "expect", "trailer"):
        seen.add(field)
    elif field == "keep-alive":
        flags._default_keep_alive = False


def response_flags(
    *,
    method: str,
    http_version: tuple[int, int],
    keep_alive: bool,
    request_te: str | None = None,
    expect_continue: bool = False,
    keep_alive_timeout_ms: float = 5000,
    max_requests_per_socket: int = 0,
    max_requests_on_connection_reached: bool = False,
    unique_headers: frozenset[str] | None = None,
) -> HeadFlags:
    """Return the flags of a fresh ``ServerResponse`` for a request, as Node sets them.

    Args:
      method: the request method; ``HEAD`` responses have no body.
      http_version: the request's version; below 1.1 (minor 0) the response is not
        chunked by default (unless the request's ``TE`` names ``chunked``).
      keep_alive: llhttp's verdict for the request (:func:`request_should_keep_alive`).
      request_te: the request's ``TE`` header.
      expect_continue: the request carried ``Expect: 100-continue``.
      keep_alive_timeout_ms: the server's ``keepAliveTimeout`` (Node's default 5000).
    """
    flags = HeadFlags(
        has_body=method != "HEAD",
        send_date=True,
        keep_alive_timeout=keep_alive_timeout_ms,
        max_requests_per_socket=max_requests_per_socket,
        max_requests_on_connection_reached=max_requests_on_connection_reached,
        unique_headers=unique_headers,
        expect_continue=expect_continue,
    )
    if http_version[0] < 1 or http_version[1] < 1:
        flags.use_chunked_encoding_by_default = bool(_TE_CHUNKED_RE.search(request_te or ""))
    flags.should_keep_alive = keep_alive
    return flags


def write_head_flags(flags: HeadFlags, status_code: int) -> None:
    """Apply what ``writeHead(status_code)`` changes before the head is stored.

    204, 304 and 1xx responses have no body; a final status sent while the client
    still waits for ``100 Continue`` forbids keep-alive.
    """
    flags.status_code = status_code
    if status_code in (204, 304) or 100 <= status_code <= 199:
        flags._has_body = False
    if flags._expect_continue and not flags._sent_100:
        flags.should_keep_alive = False


def decide_response_framing(
    *,
    method: str,
    status_code: int,
    http_version: tuple[int, int] = (1, 1),
    keep_alive: bool = True,
    headers: Mapping[str, HeaderValue] | Sequence[object] | None = None,
    end_body_length: int | None = None,
    removed: Iterable[str] = (),
    request_te: str | None = None,
    expect_continue: bool = False,
    keep_alive_timeout_ms: float = 5000,
    date: str = "<DATE>",
) -> Framing:
    """Decide a server response's framing in one call (a convenience over the pieces).

    Args:
      method, http_version, keep_alive, request_te, expect_continue: the request.
      status_code: the response status.
      headers: the headers the user set, in order.
      end_body_length: the byte length given to ``end(data)`` when that call wrote
        the whole body (``0`` for a bare ``end()``); ``None`` when ``write()`` came first
        or ``write_head``/``flush_headers`` sent the head before ``end``.
      removed: names passed to ``remove_header`` (connection, content-length,
        transfer-encoding, date matter).
    """
    flags = response_flags(
        method=method,
        http_version=http_version,
        keep_alive=keep_alive,
        request_te=request_te,
        expect_continue=expect_continue,
        keep_alive_timeout_ms=keep_alive_timeout_ms,
    )
    for name in removed:
        flags.note_removed(name)
    flags._content_length = end_body_length
    write_head_flags(flags, status_code)
    first = f"HTTP/1.1 {status_code} {status_message(status_code)}\r\n"
    return store_header(flags, first, headers, date=date)


# ---------------------------------------------------------------------------
# Chunked bodies and trailers (outgoing)


def encode_chunk(data: bytes) -> bytes:
    """Frame one body write in chunked encoding; an empty write sends nothing, as in Node."""
    if not data:
        return b""
    return b"%x\r\n%s\r\n" % (len(data), data)


def last_chunk(trailer: str = "") -> bytes:
    """Return the terminating zero chunk, with the rendered ``trailer`` block if any."""
    return b"0\r\n" + trailer.encode("latin-1", errors="replace") + b"\r\n"


def render_trailers(
    trailers: Mapping[str, HeaderValue] | Sequence[tuple[str, HeaderValue]],
    unique_headers: frozenset[str] | None = None,
) -> str:
    """Render ``add_trailers`` input as Node does (``"Name: value\\r\\n"`` lines).

    Raises:
      NodeError: ``ERR_INVALID_HTTP_TOKEN`` for a bad name, ``ERR_INVALID_CHAR``
        for a bad value.
    """
    out = ""
    items = trailers.items() if isinstance(trailers, Mapping) else trailers
    for field, value in items:
        validate_header_name(field, "Trailer name")
        values: list[object]
        if (
            isinstance(value, list | tuple)
            and len(value) > 1
            and (unique_headers is None or str(field).lower() not in unique_headers)
        ):
            values = list(value)
        elif isinstance(value, list | tuple):
            values = ["; ".join(_js_str(v) for v in value)]
        else:
            values = [value]
        for v in values:
            if check_invalid_header_char(v):
                raise NodeTypeError(
                    "ERR_INVALID_CHAR", f'Invalid character in trailer content ["{field}"]'
                )
            out += f"{field}: {_js_str(v)}\r\n"
    return out


def expects_continue(expect: str | None) -> bool:
    """Return whether an ``Expect`` header asks for ``100 Continue`` (Node's ``continueExpression``)."""
    return expect is not None and _CONTINUE_RE.search(expect) is not None
