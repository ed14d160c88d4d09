"""The rules of a static file server, without I/O: paths, validators, ranges, encodings, listings.

Everything here is a pure function of its arguments (a request's headers, a file's
size and modification time, a directory's entries), so that every rule is tested
without a socket or a file. ``serve_static`` does the I/O around them.
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
import time
from collections.abc import Iterable, Sequence
from email.utils import parsedate_to_datetime
from typing import Final, Literal
from urllib.parse import quote

import attrs

__all__ = [
    "Entry",
    "Refused",
    "choose_encoding",
    "content_type",
    "etag",
    "etag_matches",
    "http_date",
    "is_compressible",
    "parse_http_date",
    "parse_range",
    "render_listing",
    "split_target",
]


class Refused(Exception):
    """A request path that is not served: ``status`` is 400, 403 or 404."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


_HEX: Final = frozenset(b"0123456789abcdefABCDEF")


def _unquote(segment: str) -> bytes:
    """Percent-decode one path segment to bytes; a broken escape is a 400."""
    raw = segment.encode("utf-8", "surrogateescape")
    if b"%" not in raw:
        return raw
    out = bytearray()
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == 0x25:  # '%'
            if i + 3 > n:
                raise Refused(400, "a '%' escape is cut short")
            hi, lo = raw[i + 1], raw[i + 2]
            if hi not in _HEX or lo not in _HEX:
                raise Refused(400, "a '%' escape is not two hex digits")
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(c)
            i += 1
    return bytes(out)


def split_target(target: str, *, show_hidden: bool = False) -> tuple[list[str], bool]:
    """The file-system names a request target asks for, below the served root.

    The target's path is cut at ``/`` *before* percent-decoding, so an encoded
    slash stays inside one name, and then refused there: no decoded name may
    contain ``/``, ``\\`` or NUL, or be ``.`` or ``..``. A backslash is refused
    in any spelling (some clients and file systems read it as a separator).
    What is returned can only name something below the root by construction;
    symbolic links are the caller's to check.

    Args:
      target: the request target (``req.url``): origin form, or absolute form
        (``http://host/path``), whose path is used.
      show_hidden: allow names starting with ``.`` (dotfiles); otherwise 404.

    Returns:
      ``(names, directory)``: the decoded names (``os.fsdecode`` of the bytes,
      so any byte sequence maps to the file of that name), and whether the
      path ended with ``/``.

    Raises:
      Refused: 400 for a target that is not a path or a broken escape, 403 for
        a traversal attempt, 404 for a hidden name.
    """
    if target.startswith(("http://", "https://")):
        rest = target.split("://", 1)[1]
        slash = rest.find("/")
        target = rest[slash:] if slash >= 0 else "/"
    path = target.split("?", 1)[0]
    if not path.startswith("/"):
        raise Refused(400, "the request target is not a path")
    if "\\" in path or "\0" in path:
        raise Refused(403, "a backslash or NUL in the path")
    names: list[str] = []
    for segment in path.split("/"):
        if not segment:
            continue
        raw = _unquote(segment)
        if raw in (b".", b"..") or b"/" in raw or b"\\" in raw or b"\0" in raw:
            raise Refused(403, "a path segment that leaves its directory")
        if raw[:1] == b"." and not show_hidden:
            raise Refused(404, "a hidden name")
        names.append(os.fsdecode(raw))
    return names, path.endswith("/")


# -- dates and validators ------------------------------------------------------------------

_last_date: tuple[int, str] = (-1, "")


def http_date(seconds: float) -> str:
    """``seconds`` since the epoch as an HTTP date (IMF-fixdate), e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``."""
    global _last_date
    whole = int(seconds)
    if _last_date[0] == whole:
        return _last_date[1]
    # strftime's day and month names follow the locale; HTTP's are English.
    tm = time.gmtime(whole)
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[tm.tm_wday]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[tm.tm_mon - 1]
    text = f"{day}, {tm.tm_mday:02d} {month} {tm.tm_year:04d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} GMT"
    _last_date = (whole, text)
    return text


def parse_http_date(text: str) -> int | None:
    """An HTTP date (any of the three formats HTTP allows) as whole seconds; None if malformed."""
    try:
        parsed = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())


def etag(size: int, mtime_ns: int, suffix: str = "", *, weak: bool = False) -> str:
    """A validator for a file of ``size`` bytes last modified at ``mtime_ns``.

    Args:
      suffix: names a different representation of the same file (``gzip``, ``br``).
      weak: the bytes are not guaranteed identical between two responses
        (compressed on the fly): a weak ETag, never used for ``If-Range``.
    """
    tag = f'"{size:x}-{mtime_ns:x}{"-" + suffix if suffix else ""}"'
    return "W/" + tag if weak else tag


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


_TAG = re.compile(r'\s*((?:W/)?"[^"]*")\s*(?:,|$)')


def etag_matches(header: str, current: str, *, strong: bool = False) -> bool:
    """Whether an ``If-None-Match`` / ``If-Match`` list names ``current`` (or is ``*``).

    Args:
      strong: strong comparison (``If-Match``, ``If-Range``): a weak tag never matches.
    """
    header = header.strip()
    if header == "*":
        return True
    if strong and current.startswith("W/"):
        return False
    want = _opaque(current)
    for m in _TAG.finditer(header):
        tag = m.group(1)
        if strong and tag.startswith("W/"):
            continue
        if _opaque(tag) == want:
            return True
    return False


# -- ranges --------------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")

RangeResult = tuple[int, int] | Literal["unsatisfiable", "multiple"] | None


def parse_range(header: str, size: int) -> RangeResult:
    """A ``Range`` header against a representation of ``size`` bytes.

    Returns:
      ``(first, last)`` (inclusive, within the file) for one satisfiable range;
      ``"multiple"`` when several ranges were asked for and at least one is
      satisfiable (the caller answers 200 with the whole body, which HTTP allows);
      ``"unsatisfiable"`` when no range is (416); None when the header is not a
      valid bytes range and is to be ignored (200).
    """
    unit, eq, spec = header.partition("=")
    if not eq or unit.strip().lower() != "bytes":
        return None
    ranges: list[tuple[int, int]] = []
    satisfiable = 0
    for part in spec.split(","):
        if not part.strip():
            continue  # empty list elements are allowed
        m = _RANGE.match(part)
        if m is None:
            return None
        first_s, last_s = m.groups()
        if first_s:
            first = int(first_s)
            last = int(last_s) if last_s else size - 1
            if last_s and last < first:
                return None
            if first >= size:
                continue
            ranges.append((first, min(last, size - 1)))
        elif last_s:
            suffix = int(last_s)
            if suffix == 0 or size == 0:
                continue
            ranges.append((max(size - suffix, 0), size - 1))
        else:
            return None
        satisfiable += 1
    if not ranges:
        return "unsatisfiable" if spec.strip() else None
    if len(ranges) > 1 or satisfiable > 1:
        return "multiple"
    # One range among unsatisfiable ones is still one range to send.
    return ranges[0]


# -- content types and encodings -------------------------------------------------------------

_types = mimetypes.MimeTypes()
# Types the host's table may lack or get wrong; these are what browsers expect.
for _ext, _type in {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".md": "text/markdown",
    ".map": "application/json",
}.items():
    _types.add_type(_type, _ext)


def content_type(name: str) -> str:
    """The ``Content-Type`` for a file called ``name``; text types say ``charset=utf-8``."""
    kind, _ = _types.guess_type(name, strict=False)
    if kind is None:
        return "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
        return kind + "; charset=utf-8"
    return kind


_COMPRESSIBLE: Final = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/xhtml+xml",
    "application/wasm",
    "application/x-tar",
    "image/svg+xml",
    "image/x-icon",
    "image/bmp",
    "font/ttf",
    "font/otf",
)


def is_compressible(kind: str) -> bool:
    """Whether a body of type ``kind`` is worth compressing (text-like, not already packed)."""
    return kind.startswith(_COMPRESSIBLE)


Coding = Literal["br", "gzip"]


def choose_encoding(accept_encoding: str, available: Sequence[Coding]) -> Coding | None:
    """The content coding to send, from ``Accept-Encoding`` and what the server can produce.

    The client's highest q-value wins; on a tie, the order of ``available``
    (the server's preference). ``q=0`` refuses a coding; ``*`` stands for any
    coding not named.

    Returns:
      A coding, or None for the identity (no ``Content-Encoding``).
    """
    if not accept_encoding or not available:
        return None
    q: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        if name == "x-gzip":
            name = "gzip"
        q[name] = max(weight, q.get(name, 0.0)) if name in q else weight
    best: Coding | None = None
    best_q = 0.0
    for coding in available:
        weight = q.get(coding, q.get("*", 0.0))
        if weight > best_q:
            best, best_q = coding, weight
    return best


# -- directory listings --------------------------------------------------------------------


@attrs.frozen
class Entry:
    """One name in a directory listing."""

    name: str
    is_dir: bool
    size: int
    mtime: float


SortKey = Literal["name", "size", "mtime"]


def _display(name: str) -> str:
    """A file name as text: undecodable bytes as U+FFFD, control characters as ``?``."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text)


def _href(name: str, is_dir: bool) -> str:
    # Every reserved character is escaped, so a name is never read as a query, a
    # fragment, a scheme ("javascript:x") or a path separator.
    return quote(os.fsencode(name), safe="") + ("/" if is_dir else "")


def sort_entries(entries: Iterable[Entry], key: str, descending: bool) -> list[Entry]:
    """Directories first, then by ``key`` (``name``, ``size`` or ``mtime``; names break ties)."""
    if key == "size":
        order = sorted(entries, key=lambda e: (e.size, e.name))
    elif key == "mtime":
        order = sorted(entries, key=lambda e: (e.mtime, e.name))
    else:
        order = sorted(entries, key=lambda e: e.name)
    if descending:
        order.reverse()
    return [e for e in order if e.is_dir] + [e for e in order if not e.is_dir]


def listing_query(query: str) -> tuple[SortKey, bool]:
    """The sort key and direction asked for by ``?sort=name|size|mtime&order=asc|desc``."""
    key: SortKey = "name"
    descending = False
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "sort" and value in ("name", "size", "mtime"):
            key = value  # type: ignore[assignment]
        elif name == "order":
            descending = value == "desc"
    return key, descending


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1.5em}"
    "pre{font-family:ui-monospace,monospace;line-height:1.5}"
    "a{text-decoration:none}a:hover{text-decoration:underline}"
)


def render_listing(url_path: str, entries: Iterable[Entry], query: str = "", *, at_root: bool) -> bytes:
    """The HTML page listing a directory, as UTF-8.

    The names sit in one ``<pre>`` block, a line each with the modification time
    (UTC) and the size in bytes, so the page reads as well in a terminal (curl)
    as in a browser. Every name is HTML-escaped where shown and percent-encoded
    in its link.

    Args:
      url_path: the directory's path as requested (percent-encoded, ends with ``/``).
      entries: what the directory holds (already filtered of hidden names).
      query: the request's query string: ``sort=name|size|mtime``, ``order=asc|desc``.
      at_root: no link to the parent directory.
    """
    key, descending = listing_query(query)
    rows = sort_entries(entries, key, descending)
    shown = [_display(e.name) + ("/" if e.is_dir else "") for e in rows]
    width = max([len(s) for s in shown] + [24])
    title = html.escape(_display(_decode_path(url_path)))

    def header_link(label: str, column: SortKey) -> str:
        flip = column == key and not descending
        arrow = (" v" if descending else " ^") if column == key else ""
        return f'<a href="?sort={column}&amp;order={"desc" if flip else "asc"}">{label}</a>{arrow}'

    name_head = header_link("Name", "name")
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Index of {title}</title><style>{_STYLE}</style></head>",
        f"<body><h1>Index of {title}</h1>",
        "<pre>",
        name_head + " " * (width - len("Name") - (2 if key == "name" else 0) + 2)
        + f'{header_link("Modified (UTC)", "mtime")}   {header_link("Size", "size")}',
    ]
    if not at_root:
        lines.append('<a href="../">../</a>')
    for entry, text in zip(rows, shown, strict=True):
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.mtime))
        size = "-" if entry.is_dir else str(entry.size)
        pad = " " * (width - len(text) + 2)
        lines.append(
            f'<a href="{html.escape(_href(entry.name, entry.is_dir))}">{html.escape(text)}</a>'
            f"{pad}{when}   {size:>12}"
        )
    lines += ["</pre>", f"<p>{len(rows)} entries</p>", "</body></html>", ""]
    return "\n".join(lines).encode("utf-8")


def _decode_path(url_path: str) -> str:
    try:
        names, _ = split_target(url_path, show_hidden=True)
    except Refused:
        return url_path
    return "/" + "".join(n + "/" for n in names)
