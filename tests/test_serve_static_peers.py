"""``serve DIR`` against real clients: curl, Node's http client, wget -r, headless Chromium, the CLI.

curl, Node and wget are skipped when missing, except under CI (``CI`` set), where a
missing one fails. Chromium is skipped whenever it is missing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pexpect
import pytest
import trio

from trio_nodestreams._static_rules import http_date
from trio_nodestreams.serve_static import static_handler

from ._static_tree import MARKER, ODD_NAMES, make_tree
from ._terminal import DEADLINE, interrupt, lines_after_interrupt, spawn
from .peers._support import PEERS, require, run, serving

pytestmark = pytest.mark.leak_check

CURL = ("-sS", "--noproxy", "*")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path)


def parse_head(raw: bytes) -> tuple[int, dict[str, str]]:
    """The status and headers of the last response head in ``raw`` (curl -D output)."""
    block = raw.strip().split(b"\r\n\r\n")[-1].decode("latin-1")
    status_line, *lines = block.split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers


# -- curl ----------------------------------------------------------------------------------


async def test_curl_ranges_and_resume(tree: Path, tmp_path: Path) -> None:
    curl = require("curl")
    data = (tree / "data.bin").read_bytes()
    out = tmp_path / "out.bin"
    with trio.fail_after(30):
        async with serving(static_handler(tree)) as srv:
            url = srv.url("/data.bin")
            part = await run([curl, *CURL, "-D", "-", "-o", str(out), "-r", "100-199", url])
            status, headers = parse_head(part.stdout)
            assert status == 206 and headers["content-range"] == f"bytes 100-199/{len(data)}"
            assert out.read_bytes() == data[100:200]
            # A cut download resumed with -C -: curl asks for the rest with a Range.
            out.write_bytes(data[:123_457])
            await run([curl, *CURL, "-C", "-", "-o", str(out), url])
            assert out.read_bytes() == data
            past = await run([curl, *CURL, "-o", os.devnull, "-w", "%{http_code}", "-r", f"{len(data)}-", url])
            assert past.stdout == b"416"
            head = await run([curl, *CURL, "-I", url])
    status, headers = parse_head(head.stdout)
    assert status == 200 and headers["content-length"] == str(len(data))
    assert headers["accept-ranges"] == "bytes"


async def test_curl_conditional_requests(tree: Path, tmp_path: Path) -> None:
    curl = require("curl")
    copy = tmp_path / "copy.txt"
    copy.write_bytes(b"")
    st = (tree / "hello.txt").stat()
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns))
    with trio.fail_after(30):
        async with serving(static_handler(tree)) as srv:
            url = srv.url("/hello.txt")
            first = await run([curl, *CURL, "-D", "-", "-o", os.devnull, url])
            _, headers = parse_head(first.stdout)
            tag = headers["etag"]
            by_tag = await run([curl, *CURL, "-D", "-", "-H", f"If-None-Match: {tag}", url])
            # -z FILE sends If-Modified-Since with the file's time.
            by_time = await run([curl, *CURL, "-D", "-", "-z", str(copy), url])
            older = await run([curl, *CURL, "-D", "-", "-z", http_date(st.st_mtime - 3600), url])
    for proc in (by_tag, by_time):
        status, headers = parse_head(proc.stdout)
        assert status == 304 and headers["etag"] == tag
        assert proc.stdout.endswith(b"\r\n\r\n")  # no body
    status, _ = parse_head(older.stdout.split(b"hello")[0])
    assert status == 200 and older.stdout.endswith(b"hello, world\n")


async def test_curl_compressed(tree: Path) -> None:
    curl = require("curl")
    big = (tree / "big.txt").read_bytes()
    with trio.fail_after(30):
        async with serving(static_handler(tree)) as srv:
            url = srv.url("/big.txt")
            got = await run([curl, *CURL, "--compressed", "-D", "/dev/stderr", url])
            gz = await run([curl, *CURL, "-H", "Accept-Encoding: gzip", url])
            pre = await run([curl, *CURL, "--compressed", srv.url("/style.css")])
    assert got.stdout == big
    _, headers = parse_head(got.stderr)
    assert headers["content-encoding"] in ("br", "gzip") and headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(gz.stdout) == big
    assert pre.stdout.startswith(b"/* precompressed")


async def test_curl_path_as_is_traversal(tree: Path) -> None:
    curl = require("curl")
    with trio.fail_after(30):
        async with serving(static_handler(tree)) as srv:
            for path in ("/../secret.txt", "/sub%20dir/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/escape.txt"):
                proc = await run([curl, *CURL, "--path-as-is", "-w", "\n%{http_code}", srv.url(path)])
                body, _, code = proc.stdout.rpartition(b"\n")
                assert code in (b"403", b"404"), (path, code)
                assert MARKER not in body


# -- Node's http client --------------------------------------------------------------------


async def test_node_http_client(tree: Path) -> None:
    node = require("node")
    data = (tree / "data.bin").read_bytes()
    big = (tree / "big.txt").read_bytes()
    requests = [
        {"path": "/data.bin"},
        {"path": "/data.bin", "headers": {"Range": "bytes=10-19"}},
        {"path": "/big.txt", "headers": {"Accept-Encoding": "gzip"}},
        {"path": "/big.txt", "headers": {"Accept-Encoding": "br"}},
        {"path": "/hello.txt", "method": "HEAD"},
        {"path": "/sub%20dir/"},
        {"path": "/missing"},
        {"path": "/hello.txt"},
    ]
    with trio.fail_after(30):
        async with serving(static_handler(tree)) as srv:
            base = srv.url("")
            first = await run([node, str(PEERS / "static_node_client.js"), json.dumps({"base": base, "requests": requests[:1]})])
            etag = json.loads(first.stdout)["headers"]["etag"]
            requests.append({"path": "/data.bin", "headers": {"If-None-Match": etag}})
            proc = await run([node, str(PEERS / "static_node_client.js"), json.dumps({"base": base, "requests": requests})])
    got = [json.loads(line) for line in proc.stdout.splitlines()]
    sha = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
    assert got[0]["status"] == 200 and got[0]["sha256"] == sha(data)
    assert got[1]["status"] == 206 and got[1]["sha256"] == sha(data[10:20])
    assert got[2]["headers"]["content-encoding"] == "gzip" and got[2]["sha256"] == sha(big)
    assert got[3]["headers"]["content-encoding"] == "br" and got[3]["sha256"] == sha(big)
    assert got[2]["rawLength"] < len(big) // 3
    assert got[4]["status"] == 200 and got[4]["length"] == 0 and got[4]["headers"]["content-length"] == "13"
    assert got[5]["status"] == 200 and "deeper/" in got[5]["text"]
    assert got[6]["status"] == 404
    assert got[7]["text"] == "hello, world\n"
    assert got[8]["status"] == 304 and got[8]["length"] == 0
    # One keep-alive connection carried them all (every response framed right).
    assert all(r["reusedSocket"] for r in got[1:])


# -- wget -r -------------------------------------------------------------------------------


def served_files(root: Path) -> dict[str, bytes]:
    """What a mirror of ``root`` must hold: every visible regular file reachable inside it."""
    real_root = os.path.realpath(root)
    out = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        real = os.path.realpath(path)
        if not (real == real_root or real.startswith(real_root + os.sep)):
            continue
        if path.is_file():
            out[rel.as_posix()] = path.read_bytes()
    return out


async def test_wget_mirror_is_byte_for_byte(tree: Path, tmp_path: Path) -> None:
    wget = require("wget")
    mirror = tmp_path / "mirror"
    with trio.fail_after(60):
        async with serving(static_handler(tree)) as srv:
            await run(
                [wget, "-r", "-np", "-nH", "-q", "-e", "robots=off", "--no-proxy",
                 "--reject-regex", "[?]", "-P", str(mirror), srv.url("/")],
                timeout=60,
            )  # fmt: skip
    expected = served_files(tree)
    got = {p.relative_to(mirror).as_posix(): p.read_bytes() for p in mirror.rglob("*") if p.is_file()}
    # Directories without an index.html are saved as their listing page: not a file of the tree.
    listings = {name for name in got if name.endswith("index.html") and name not in expected}
    assert listings == {"index.html", "sub dir/index.html", "sub dir/deeper/index.html"}
    assert {k: v for k, v in got.items() if k not in listings} == expected
    assert "sub dir/" + ODD_NAMES[0] in got and ".hidden" not in got and "escape.txt" not in got


# -- headless Chromium ---------------------------------------------------------------------


class DomLinks(HTMLParser):
    """The links of a page (href, text) and every start tag's name."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None


async def chromium_dom(url: str) -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed")
    with tempfile.TemporaryDirectory() as profile:
        proc = await run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", f"--user-data-dir={profile}", "--dump-dom", url],
            timeout=90,
        )  # fmt: skip
    return proc.stdout.decode()


async def test_chromium_renders_the_listing(tree: Path) -> None:
    with trio.fail_after(120):
        async with serving(static_handler(tree)) as srv:
            dom = await chromium_dom(srv.url("/sub%20dir/"))
            by_size = await chromium_dom(srv.url("/sub%20dir/?sort=size&order=desc"))
    page = DomLinks()
    page.feed(dom)
    # The hostile name is text in the DOM, never an element.
    assert "img" not in page.tags and "script" not in page.tags
    files = [(href, text) for href, text in page.links if not href.startswith("?") and href != "../"]
    assert ("deeper/", "deeper/") in files
    for name in ODD_NAMES:
        assert (quote(name, safe=""), name) in files, name
    names = [text for href, text in files]
    assert names == ["deeper/", *sorted(ODD_NAMES)]
    sized = DomLinks()
    sized.feed(by_size)
    order = [text for href, text in sized.links if not href.startswith("?") and href != "../"]
    sizes = [(tree / "sub dir" / n).stat().st_size for n in order[1:]]
    assert order[0] == "deeper/" and sizes == sorted(sizes, reverse=True)
    assert "Index of /sub dir/" in dom


# -- the command line ----------------------------------------------------------------------


def test_cli_serve_dir_serves_and_logs(tree: Path) -> None:
    """``bin/serve DIR``: the URL, a file, a listing, one access line each, Ctrl-C."""
    child = spawn(["bin/serve", str(tree), "--port", "0"])
    child.expect(r"serving on (http://127\.0\.0\.1:(\d+)/)  \(Ctrl-C stops\)\r\n")
    url = child.match.group(1)
    with httpx.Client(trust_env=False, timeout=DEADLINE) as client:
        hello = client.get(url + "hello.txt")
        listing = client.get(url)
        hidden = client.get(url + ".hidden")
        bad = client.request("DELETE", url + "hello.txt")
    assert hello.content == b"hello, world\n" and "hello.txt" in listing.text
    assert hidden.status_code == 404 and bad.status_code == 405
    child.expect(r'"GET /hello\.txt HTTP/1\.1" 200 [\d.]+ ms\r\n')
    child.expect(r'"GET / HTTP/1\.1" 200 [\d.]+ ms\r\n')
    child.expect(r'"GET /\.hidden HTTP/1\.1" 404 [\d.]+ ms\r\n')
    child.expect(r'"DELETE /hello\.txt HTTP/1\.1" 405 [\d.]+ ms\r\n')
    status, after = interrupt(child)
    assert status == 130 and lines_after_interrupt(after) == ["serve: interrupted"]


def test_cli_serve_dir_options_and_errors(tree: Path, tmp_path: Path) -> None:
    child = spawn(["bin/serve", str(tree), "--port", "0", "--show-hidden", "--follow-symlinks", "-q"])
    child.expect(r"serving on (http://127\.0\.0\.1:(\d+)/)")
    url = child.match.group(1)
    with httpx.Client(trust_env=False, timeout=DEADLINE) as client:
        assert client.get(url + ".hidden").content == b"a dotfile\n"
        assert client.get(url + "escape.txt").content == MARKER + b"\n"
    status, _ = interrupt(child)
    assert status == 130
    missing = spawn(["bin/serve", str(tmp_path / "nowhere")])
    missing.expect(r"serve: cannot serve .*nowhere: No such file or directory\r\n")
    missing.expect(pexpect.EOF)
    missing.close()
    assert missing.exitstatus == 1


def test_cli_serve_dir_with_workers(tree: Path) -> None:
    """``serve DIR --workers 2``: every worker serves the directory; Ctrl-C stops them all."""
    child = spawn(["bin/serve", str(tree), "--port", "0", "--workers", "2"])
    child.expect(r"serving on (http://127\.0\.0\.1:(\d+)/)  \(Ctrl-C stops\)\r\n")
    url = child.match.group(1)
    with httpx.Client(trust_env=False, timeout=DEADLINE) as client:
        for _ in range(4):  # new connections, spread over the workers by the kernel
            with httpx.Client(trust_env=False, timeout=DEADLINE) as fresh:
                assert fresh.get(url + "hello.txt").content == b"hello, world\n"
        assert client.get(url + ".hidden").status_code == 404
        assert "sub dir/" in client.get(url).text
    child.expect(r'\[\d+\] 127\.0\.0\.1 \[[\d:]+\] "GET /hello\.txt HTTP/1\.1" 200 [\d.]+ ms\r\n')
    status, after = interrupt(child)
    assert status == 0 and "Traceback" not in after
