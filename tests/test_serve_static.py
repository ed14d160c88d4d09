"""The static file server: its rules without I/O, then the handler through httpx and raw sockets.

Real-peer tests (curl, Node, wget, Chromium) are in test_serve_static_peers.py.
"""

from __future__ import annotations

import base64
import gzip
import logging
import os
import socket
import struct
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import brotli
import httpx
import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trio_nodestreams import serve_static
from trio_nodestreams._static_rules import (
    Entry,
    Refused,
    choose_encoding,
    content_type,
    etag,
    etag_matches,
    http_date,
    parse_http_date,
    parse_range,
    render_listing,
    split_target,
)
from trio_nodestreams.serve_static import static_handler

from ._static_tree import MARKER, ODD_NAMES, make_tree
from .peers._support import Served, serving

pytestmark = pytest.mark.leak_check


# -- rules, without I/O ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "names", "slash"),
    [
        ("/", [], True),
        ("/a/b.txt", ["a", "b.txt"], False),
        ("/a//b/", ["a", "b"], True),
        ("/sp%20ace.txt?x=1", ["sp ace.txt"], False),
        ("/%C3%A9t%C3%A9", ["\u00e9t\u00e9"], False),
        ("/%ff", [os.fsdecode(b"\xff")], False),  # any byte sequence names the file of those bytes
        ("/%252e%252e", ["%2e%2e"], False),  # decoded once: a literal name, not a traversal
        ("http://example.com/x/y", ["x", "y"], False),
        ("http://example.com", [], True),
    ],
)
def test_split_target_accepts(target: str, names: list[str], slash: bool) -> None:
    assert split_target(target) == (names, slash)


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/..", 403),
        ("/../secret.txt", 403),
        ("/a/../../secret.txt", 403),
        ("/%2e%2e/secret.txt", 403),
        ("/%2E%2E/secret.txt", 403),
        ("/.%2e/secret.txt", 403),
        ("/%2e./secret.txt", 403),
        ("/..%2fsecret.txt", 403),
        ("/..%2Fsecret.txt", 403),
        ("/a%2f..%2f..%2fsecret.txt", 403),
        ("/..%5csecret.txt", 403),
        ("/..\\secret.txt", 403),
        ("/a\\b", 403),
        ("/%00", 403),
        ("/a%00.txt", 403),
        ("/a\0b", 403),
        ("/.", 403),
        ("/%2e", 403),
        ("/./hello.txt", 403),
        ("/.hidden", 404),
        ("/%2ehidden", 404),
        ("/sub/.git/config", 404),
        ("/%zz", 400),
        ("/%4", 400),
        ("/abc%", 400),
        ("*", 400),
        ("secret.txt", 400),
    ],
)
def test_split_target_refuses(target: str, status: int) -> None:
    with pytest.raises(Refused) as info:
        split_target(target)
    assert info.value.status == status


def test_split_target_shows_hidden_when_asked() -> None:
    assert split_target("/.well-known/x", show_hidden=True) == ([".well-known", "x"], False)
    with pytest.raises(Refused):
        split_target("/../x", show_hidden=True)


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-0", 10, (0, 0)),
        ("bytes=2-5", 10, (2, 5)),
        ("bytes=2-", 10, (2, 9)),
        ("bytes=-3", 10, (7, 9)),
        ("bytes=-30", 10, (0, 9)),
        ("bytes=5-100", 10, (5, 9)),
        ("BYTES = 1 - 2", 10, (1, 2)),
        ("bytes=10-", 10, "unsatisfiable"),
        ("bytes=10-20", 10, "unsatisfiable"),
        ("bytes=-0", 10, "unsatisfiable"),
        ("bytes=0-", 0, "unsatisfiable"),
        ("bytes=-5", 0, "unsatisfiable"),
        ("bytes=0-1,4-5", 10, "multiple"),
        ("bytes=0-1,20-30", 10, (0, 1)),
        ("bytes=0-1,", 10, (0, 1)),
        ("bytes=5-2", 10, None),
        ("bytes=a-b", 10, None),
        ("bytes=-", 10, None),
        ("items=0-1", 10, None),
        ("bytes", 10, None),
        ("bytes=", 10, None),
    ],
)
def test_parse_range(header: str, size: int, expected: Any) -> None:
    assert parse_range(header, size) == expected


@given(st.integers(0, 10_000), st.integers(0, 20_000), st.integers(0, 20_000))
def test_parse_range_never_leaves_the_file(size: int, a: int, b: int) -> None:
    for header in (f"bytes={a}-{b}", f"bytes={a}-", f"bytes=-{b}"):
        got = parse_range(header, size)
        if isinstance(got, tuple):
            first, last = got
            assert 0 <= first <= last < size


def test_etags_and_their_comparison() -> None:
    strong = etag(12, 34)
    weak = etag(12, 34, "gzip", weak=True)
    assert strong == '"c-22"' and weak == 'W/"c-22-gzip"'
    assert etag_matches(strong, strong) and etag_matches(f'"x", {strong}', strong)
    assert etag_matches(strong.join(["W/", ""]), strong)  # weak comparison for If-None-Match
    assert not etag_matches('W/"c-22"', strong, strong=True)
    assert not etag_matches(weak, weak, strong=True)
    assert etag_matches("*", weak) and not etag_matches('"other"', strong)


def test_dates_round_trip_and_bad_dates_are_ignored() -> None:
    now = int(time.time())
    text = http_date(now)
    assert text.endswith(" GMT") and len(text) == 29
    assert parse_http_date(text) == now
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777  # RFC 850
    assert parse_http_date("Sun Nov  6 08:49:37 1994") is None  # no zone: not trusted
    assert parse_http_date("yesterday") is None and parse_http_date("") is None


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=0, gzip;q=0", None),
        ("*", "br"),
        ("*;q=0.1, br;q=0", "gzip"),
        ("identity", None),
        ("x-gzip", "gzip"),
        ("", None),
    ],
)
def test_choose_encoding(accept: str, expected: str | None) -> None:
    assert choose_encoding(accept, ["br", "gzip"]) == expected


def test_content_types() -> None:
    assert content_type("a.html") == "text/html; charset=utf-8"
    assert content_type("a.js") == "text/javascript; charset=utf-8"
    assert content_type("a.json") == "application/json; charset=utf-8"
    assert content_type("a.png") == "image/png"
    assert content_type("noext") == "application/octet-stream"


def test_listing_escapes_names_and_sorts() -> None:
    entries = [
        Entry("<img src=x onerror=alert(1)>.txt", False, 5, 1000.0),
        Entry("a&b.txt", False, 300, 3000.0),
        Entry("javascript:alert(1)", False, 1, 2000.0),
        Entry("dir", True, 4096, 500.0),
        Entry(os.fsdecode(b"bad\xffname\n.txt"), False, 7, 10.0),
    ]
    page = render_listing("/sub%20dir/", entries, "sort=size&order=desc", at_root=False).decode()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;.txt" in page
    assert 'href="%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.txt"' in page
    assert 'href="javascript%3Aalert%281%29"' in page  # never a scheme
    assert 'href="bad%FFname%0A.txt"' in page and "bad\ufffdname?.txt" in page
    assert "<title>Index of /sub dir/</title>" in page and '<a href="../">../</a>' in page
    order = [line.split('">', 1)[1].split("<", 1)[0] for line in page.splitlines() if line.startswith('<a href="') and "sort=" not in line]
    assert order == ["../", "dir/", "a&amp;b.txt", "bad\ufffdname?.txt", "&lt;img src=x onerror=alert(1)&gt;.txt", "javascript:alert(1)"]
    by_name = render_listing("/", entries, "", at_root=True).decode()
    assert '<a href="../">' not in by_name
    names = [line.split('">', 1)[1].split("<", 1)[0] for line in by_name.splitlines() if line.startswith('<a href="') and "sort=" not in line]
    assert names[0] == "dir/" and names[1:] == sorted(names[1:])


# -- the handler, through httpx --------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path)


@asynccontextmanager
async def site(root: Path, **options: Any) -> AsyncIterator[tuple[Served, httpx.AsyncClient]]:
    with trio.fail_after(20):
        async with serving(static_handler(root, **options)) as srv, httpx.AsyncClient(
            base_url=srv.url(""), trust_env=False, timeout=10
        ) as client:
            yield srv, client


async def test_get_and_head_of_a_file(tree: Path) -> None:
    async with site(tree) as (_, client):
        got = await client.get("/hello.txt")
        head = await client.head("/hello.txt")
        binary = await client.get("/data.bin")
        empty = await client.get("/empty.txt")
    assert got.status_code == 200 and got.content == b"hello, world\n"
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    assert got.headers["content-length"] == "13"
    assert got.headers["accept-ranges"] == "bytes"
    st = (tree / "hello.txt").stat()
    assert got.headers["etag"] == etag(st.st_size, st.st_mtime_ns)
    assert got.headers["last-modified"] == http_date(st.st_mtime)
    assert head.status_code == 200 and head.content == b""
    assert {k: v for k, v in head.headers.items() if k != "date"} == {
        k: v for k, v in got.headers.items() if k != "date"
    }
    assert binary.content == (tree / "data.bin").read_bytes()
    assert binary.headers["content-type"] == "application/octet-stream"
    assert empty.status_code == 200 and empty.content == b"" and empty.headers["content-length"] == "0"


async def test_conditional_requests(tree: Path) -> None:
    async with site(tree) as (_, client):
        first = await client.get("/hello.txt")
        tag, modified = first.headers["etag"], first.headers["last-modified"]
        by_tag = await client.get("/hello.txt", headers={"If-None-Match": f'"nope", {tag}'})
        by_weak_tag = await client.get("/hello.txt", headers={"If-None-Match": "W/" + tag})
        by_date = await client.get("/hello.txt", headers={"If-Modified-Since": modified})
        older = http_date(time.time() - 86400 * 365 * 30)
        changed = await client.get("/hello.txt", headers={"If-Modified-Since": older})
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
        both = await client.get("/hello.txt", headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
        garbage_date = await client.get("/hello.txt", headers={"If-Modified-Since": "not a date"})
        star = await client.head("/hello.txt", headers={"If-None-Match": "*"})
        if_match_bad = await client.get("/hello.txt", headers={"If-Match": '"other"'})
        if_match_ok = await client.get("/hello.txt", headers={"If-Match": tag})
        unmodified_since = await client.get("/hello.txt", headers={"If-Unmodified-Since": older})
    for r in (by_tag, by_weak_tag, by_date, star):
        assert r.status_code == 304, r.headers
        assert r.content == b"" and r.headers["etag"] == tag and "content-length" not in r.headers
    for r in (changed, both, garbage_date, if_match_ok):
        assert r.status_code == 200 and r.content == b"hello, world\n"
    assert if_match_bad.status_code == 412 and unmodified_since.status_code == 412


async def test_ranges(tree: Path) -> None:
    data = (tree / "data.bin").read_bytes()
    size = len(data)
    async with site(tree) as (_, client):
        mid = await client.get("/data.bin", headers={"Range": "bytes=1000-70999"})
        tail = await client.get("/data.bin", headers={"Range": "bytes=-100"})
        open_end = await client.get("/data.bin", headers={"Range": f"bytes={size - 5}-"})
        past = await client.get("/data.bin", headers={"Range": f"bytes={size}-"})
        many = await client.get("/data.bin", headers={"Range": "bytes=0-1,5-6"})
        bad = await client.get("/data.bin", headers={"Range": "bytes=9-2"})
        tag = mid.headers["etag"]
        if_range_ok = await client.get("/data.bin", headers={"Range": "bytes=0-9", "If-Range": tag})
        if_range_old = await client.get("/data.bin", headers={"Range": "bytes=0-9", "If-Range": '"0-0"'})
        if_range_date = await client.get(
            "/data.bin", headers={"Range": "bytes=0-9", "If-Range": mid.headers["last-modified"]}
        )
        head = await client.head("/data.bin", headers={"Range": "bytes=0-9"})
        gz_range = await client.get("/big.txt", headers={"Range": "bytes=0-9", "Accept-Encoding": "gzip"})
    assert mid.status_code == 206 and mid.content == data[1000:71000]
    assert mid.headers["content-range"] == f"bytes 1000-70999/{size}"
    assert mid.headers["content-length"] == "70000"
    assert tail.status_code == 206 and tail.content == data[-100:]
    assert open_end.content == data[-5:]
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{size}"
    assert many.status_code == 200 and many.content == data  # several ranges: the whole file
    assert bad.status_code == 200 and bad.content == data  # an invalid Range is ignored
    assert if_range_ok.status_code == 206 and if_range_ok.content == data[:10]
    assert if_range_old.status_code == 200 and if_range_old.content == data
    assert if_range_date.status_code == 206
    assert head.status_code == 206 and head.content == b"" and head.headers["content-length"] == "10"
    # A range is of the file itself, never of a compressed stream.
    assert gz_range.status_code == 206 and "content-encoding" not in gz_range.headers
    assert gz_range.content == b"line 00000"


async def test_compression_on_the_fly_and_precompressed(tree: Path) -> None:
    big = (tree / "big.txt").read_bytes()
    async with site(tree) as (_, client):
        plain = await client.get("/big.txt", headers={"Accept-Encoding": "identity"})
        zipped = await client.get("/big.txt", headers={"Accept-Encoding": "gzip"})
        raw = await client.send(client.build_request("GET", "/big.txt", headers={"Accept-Encoding": "gzip"}), stream=True)
        wire = b"".join([chunk async for chunk in raw.aiter_raw()])
        await raw.aclose()
        head = await client.head("/big.txt", headers={"Accept-Encoding": "gzip"})
        raw_br = await client.send(
            client.build_request("GET", "/big.txt", headers={"Accept-Encoding": "gzip, deflate, br"}), stream=True
        )
        wire_br = b"".join([chunk async for chunk in raw_br.aiter_raw()])
        await raw_br.aclose()
        pre_br = await client.get("/style.css", headers={"Accept-Encoding": "br;q=1, gzip;q=0.5"})
        again = await client.get("/big.txt", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]})
        pre = await client.get("/style.css", headers={"Accept-Encoding": "gzip"})
        pre_plain = await client.get("/style.css", headers={"Accept-Encoding": "identity"})
        stale = await client.get("/old.txt", headers={"Accept-Encoding": "gzip"})
        binary = await client.get("/data.bin", headers={"Accept-Encoding": "gzip"})
        small = await client.get("/hello.txt", headers={"Accept-Encoding": "gzip"})
    assert plain.content == big and "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == big
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["etag"].startswith("W/") and zipped.headers["etag"] != plain.headers["etag"]
    assert "content-length" not in zipped.headers and zipped.headers["transfer-encoding"] == "chunked"
    assert gzip.decompress(wire) == big and len(wire) < len(big) // 3
    assert head.headers["content-encoding"] == "gzip" and head.content == b""
    assert raw_br.headers["content-encoding"] == "br" and raw_br.headers["etag"].endswith('-br"')
    assert brotli.decompress(wire_br) == big and len(wire_br) < len(big) // 3
    assert pre_br.headers["content-encoding"] == "br"
    assert pre_br.content.startswith(b"/* precompressed, br */")
    assert again.status_code == 304
    # The fresh sibling is sent as it is (it says so in its first line), with its own length.
    assert pre.headers["content-encoding"] == "gzip"
    assert pre.content.startswith(b"/* precompressed */")
    assert pre.headers["content-length"] == str((tree / "style.css.gz").stat().st_size)
    assert pre_plain.content == (tree / "style.css").read_bytes()
    # A sibling older than its file is not used.
    assert stale.content == (tree / "old.txt").read_bytes()
    assert binary.content == (tree / "data.bin").read_bytes() and "content-encoding" not in binary.headers
    assert "content-encoding" not in small.headers  # too small to be worth it


async def test_directories_index_and_listing(tree: Path) -> None:
    async with site(tree) as (_, client):
        redirect = await client.get("/sub%20dir?sort=size")
        index = await client.get("/site/")
        listing = await client.get("/sub%20dir/")
        top = await client.get("/")
        head = await client.head("/")
        file_as_dir = await client.get("/hello.txt/")
    assert redirect.status_code == 301 and redirect.headers["location"] == "/sub%20dir/?sort=size"
    assert index.content == b"<h1>the site</h1>\n" and index.headers["content-type"].startswith("text/html")
    assert listing.status_code == 200 and listing.headers["content-type"] == "text/html; charset=utf-8"
    page = listing.text
    assert '<a href="deeper/">deeper/</a>' in page and '<a href="../">../</a>' in page
    assert '<a href="a%26b%3Cc%3E.txt">a&amp;b&lt;c&gt;.txt</a>' in page
    assert '<a href="q%3Fuery%23frag.txt">q?uery#frag.txt</a>' in page
    assert "<a href=\"%27quote%22.txt\">&#x27;quote&quot;.txt</a>" in page
    # Hidden names and links leaving the root are not offered; a link inside it is.
    assert ".hidden" not in top.text and ".git" not in top.text
    assert "escape" not in top.text and "inner-link.txt" in top.text
    assert head.content == b"" and head.headers["content-length"] == str(len(top.content))
    assert file_as_dir.status_code == 404
    async with site(tree) as (_, client):
        for name in ODD_NAMES:
            got = await client.get("/sub%20dir/" + quote(name, safe=""))
            assert got.content == f"contents of {name}\n".encode(), name


async def test_hidden_links_and_methods(tree: Path) -> None:
    async with site(tree) as (_, client):
        hidden = await client.get("/.hidden")
        git = await client.get("/.git/config")
        inner = await client.get("/inner-link.txt")
        escapes = [await client.get(p) for p in ("/escape.txt", "/escape-rel.txt", "/escape-dir/", "/escape-dir/inside.txt")]
        post = await client.post("/hello.txt", content=b"x")
        delete = await client.delete("/hello.txt")
        missing = await client.get("/nowhere.txt")
    assert hidden.status_code == 404 and git.status_code == 404
    assert inner.content == b"hello, world\n"
    for r in escapes:
        assert r.status_code in (403, 404) and MARKER not in r.content
    for r in (post, delete):
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    assert missing.status_code == 404
    async with site(tree, show_hidden=True, follow_symlinks=True) as (_, client):
        hidden = await client.get("/.hidden")
        escaped = await client.get("/escape.txt")
        listed = await client.get("/")
    assert hidden.content == b"a dotfile\n"
    assert escaped.content == MARKER + b"\n"
    assert ".hidden" in listed.text and "escape.txt" in listed.text


async def test_special_files_are_not_served(tree: Path) -> None:
    os.mkfifo(tree / "fifo")
    async with site(tree) as (_, client):
        fifo = await client.get("/fifo")  # an open that would block forever without O_NONBLOCK
        listing = await client.get("/")
    assert fifo.status_code == 404
    assert "fifo" not in listing.text


async def test_no_index_no_listing(tree: Path) -> None:
    async with site(tree, index=None, listing=False) as (_, client):
        site_dir = await client.get("/site/")
        file = await client.get("/site/index.html")
    assert site_dir.status_code == 403 and file.status_code == 200


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        static_handler(tmp_path / "missing")
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(NotADirectoryError):
        static_handler(tmp_path / "f")
    for bad in ({"gzip_level": 0}, {"brotli_quality": 12}, {"high_water_mark": 0}):
        with pytest.raises(ValueError):
            static_handler(tmp_path, **bad)  # type: ignore[arg-type]


# -- raw requests: traversal in every spelling --------------------------------------------


async def raw_get(port: int, target: bytes, method: bytes = b"GET") -> bytes:
    """Send one request exactly as given; return every byte the server sent back."""
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        await stream.send_all(method + b" " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        got = bytearray()
        while chunk := await stream.receive_some(65536):
            got += chunk
    return bytes(got)


TRAVERSALS = [
    b"/../secret.txt",
    b"/../../../../../../etc/passwd",
    b"/%2e%2e/secret.txt",
    b"/%2E%2E/secret.txt",
    b"/%2e%2e%2fsecret.txt",
    b"/..%2fsecret.txt",
    b"/..%2f..%2f..%2fetc%2fpasswd",
    b"/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    b"/..%5csecret.txt",
    b"/..\\secret.txt",
    b"/%5c..%5csecret.txt",
    b"/sub%20dir/../../secret.txt",
    b"/sub%20dir/%2e%2e/%2e%2e/secret.txt",
    b"/.%2e/secret.txt",
    b"/%2e./secret.txt",
    b"/..%00/secret.txt",
    b"/secret.txt%00.html",
    b"/%00../secret.txt",
    b"//../secret.txt",
    b"/./../secret.txt",
    b"/escape.txt",
    b"/escape-rel.txt",
    b"/escape-dir/inside.txt",
    b"/escape-dir/",
    b"/escape-dir",
    b"http://x/../secret.txt",
    b"/%c0%ae%c0%ae/secret.txt",
    b"/%252e%252e/secret.txt",
    b"/..;/secret.txt",
    b"/....//secret.txt",
]


async def test_traversal_corpus_never_serves_a_byte_from_outside(tree: Path) -> None:
    with trio.fail_after(20):
        async with serving(static_handler(tree)) as srv:
            for target in TRAVERSALS:
                got = await raw_get(srv.port, target)
                status = int(got.split(b" ", 2)[1])
                assert status in (400, 403, 404), (target, got[:200])
                assert MARKER not in got and b"root:" not in got, target
            # The check can fail: served from one level up, the secret is there.
        async with serving(static_handler(tree.parent)) as srv:
            got = await raw_get(srv.port, b"/secret.txt")
    assert MARKER in got


_PIECES = [
    "..", ".", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "%2e", "..%2f", "..%2F", "..%5c", "..\\", "%5c",
    "%2f", "%00", "secret.txt", "secretdir", "inside.txt", "www", "sub%20dir", "escape-dir",
    "escape.txt", "escape-rel.txt", "", "%252e%252e", "%c0%ae", "..;", "...", "%u002e", "~",
    "hello.txt", "%2fetc%2fpasswd", "etc", "passwd",
]
_SEPARATORS = ["/", "/", "/", "\\", "%2f", "%5c", "//"]


@st.composite
def hostile_targets(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8))
    seps = draw(st.lists(st.sampled_from(_SEPARATORS), min_size=len(parts), max_size=len(parts)))
    path = "/" + "".join(p + s for p, s in zip(parts, seps, strict=True))
    if draw(st.booleans()):
        path = path.rstrip("/\\")
    prefix = draw(st.sampled_from(["", "http://x", "http://x:80"]))
    return (prefix + path).encode("latin-1")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=hostile_targets(), method=st.sampled_from([b"GET", b"HEAD"]))
async def test_hostile_targets_never_leak(tree: Path, target: bytes, method: bytes) -> None:
    """Any mix of dot segments, encoded separators, NULs and links: no secret byte, ever."""
    with trio.fail_after(20):
        async with serving(static_handler(tree)) as srv:
            got = await raw_get(srv.port, target, method)
    assert got.startswith(b"HTTP/1.1 "), (target, got[:100])
    assert MARKER not in got and b"root:x:" not in got, target
    status = int(got.split(b" ", 2)[1])
    if status == 200 and method == b"GET":
        body = got.split(b"\r\n\r\n", 1)[1]
        # Whatever was served lies inside the root: a listing or one of its files.
        inside = {p.read_bytes() for p in tree.rglob("*") if p.is_file() and not p.is_symlink()}
        assert body.startswith(b"<!DOCTYPE html>") or body in inside, target


# -- a file that changes while it is sent ------------------------------------------------------


async def test_a_file_that_shrinks_while_sent_ends_the_connection(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "www"
    root.mkdir()
    size = 48 * 1024 * 1024  # more than the socket buffers and the stream's read-ahead hold
    with open(root / "big.bin", "wb") as f:
        f.truncate(size)
    caplog.set_level(logging.WARNING, logger="trio_nodestreams.serve_static")
    with trio.fail_after(30):
        async with serving(static_handler(root)) as srv:
            stream = await trio.open_tcp_stream("127.0.0.1", srv.port)
            async with stream:
                await stream.send_all(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
                got = bytearray()
                while b"\r\n\r\n" not in got:
                    got += await stream.receive_some(65536)
                # The head is out, the body is flowing: now the file loses most of its bytes.
                os.truncate(root / "big.bin", 1024 * 1024)
                while chunk := await stream.receive_some(1 << 20):
                    got += chunk
    head, _, body = bytes(got).partition(b"\r\n\r\n")
    assert b"Content-Length: %d" % size in head
    # The connection ended (EOF) short of the announced length, instead of hanging or lying.
    assert len(body) < size
    assert any("bytes read where" in r.getMessage() for r in caplog.records)


async def test_a_compressed_file_that_shrinks_while_sent_is_never_finished(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Compressed on the fly (chunked): the last chunk is never sent, the connection ends."""
    root = tmp_path / "www"
    root.mkdir()
    # Text that barely compresses, so the compressed stream fills the socket's buffers.
    (root / "big.txt").write_bytes(base64.b64encode(os.urandom(36 * 1024 * 1024)))
    caplog.set_level(logging.WARNING, logger="trio_nodestreams.serve_static")
    with trio.fail_after(60):
        async with serving(static_handler(root)) as srv:
            stream = await trio.open_tcp_stream("127.0.0.1", srv.port)
            async with stream:
                await stream.send_all(b"GET /big.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
                got = bytearray()
                while b"\r\n\r\n" not in got:
                    got += await stream.receive_some(65536)
                os.truncate(root / "big.txt", 1024 * 1024)
                while chunk := await stream.receive_some(1 << 20):
                    got += chunk
    head, _, body = bytes(got).partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Encoding: gzip" in head
    assert not body.endswith(b"\r\n0\r\n\r\n")  # the body was cut, not ended
    assert any("bytes read where" in r.getMessage() for r in caplog.records)


async def test_a_client_that_leaves_mid_file_closes_it(tree: Path) -> None:
    """A reset mid-transfer: the file's descriptor is closed (the leak check counts fds)."""
    big = tree / "huge.bin"
    with open(big, "wb") as f:
        f.truncate(32 * 1024 * 1024)
    with trio.fail_after(20):
        async with serving(static_handler(tree)) as srv:
            stream = await trio.open_tcp_stream("127.0.0.1", srv.port)
            await stream.send_all(b"GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            await stream.receive_some(65536)
            # SO_LINGER with a zero timeout: close() sends a reset.
            stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            await stream.aclose()
            # Another request on a fresh connection is answered: the server is fine.
            got = await raw_get(srv.port, b"/hello.txt")
    assert got.endswith(b"hello, world\n")


def test_module_exports() -> None:
    assert serve_static.__all__ == ["static_handler"]
