"""The command line as a person meets it: help, Ctrl-C, OS errors, access lines, the progress bar.

The programs run as real processes through ``bin/serve`` (the README's command);
the Ctrl-C and progress-bar tests run them in a pseudo-terminal.
"""

from __future__ import annotations

import argparse
import io
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pexpect
import pytest

from trio_nodestreams.__main__ import Progress, parser

from ._terminal import DEADLINE, ROOT, interrupt, lines_after_interrupt, screen, spawn

SERVE = ["bin/serve"]
URL = re.compile(r"serving on (http://127\.0\.0\.1:(\d+)/)  \(Ctrl-C stops\)\r\n")


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` from the repository root, without a terminal, under a deadline."""
    return subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE, check=False
    )


def commands() -> list[str]:
    """The subcommands the parser knows."""
    (sub,) = (a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


# -- help ---------------------------------------------------------------------------------


def test_help_lists_every_command_and_each_has_its_own() -> None:
    names = commands()
    assert names == ["get", "serve"]
    top = run([*SERVE, "--help"])
    assert top.returncode == 0, top.stderr
    for name in names:
        assert re.search(rf"^\s+{name}\s+\S", top.stdout, re.M), (
            f"{name} missing from --help:\n{top.stdout}"
        )
        own = run([*SERVE, name, "--help"])
        assert own.returncode == 0, own.stderr
        assert own.stdout.startswith(f"usage: python -m trio_nodestreams {name} "), own.stdout
    assert "130 after Ctrl-C" in top.stdout
    version = run([*SERVE, "--version"])
    assert version.stdout.startswith("trio_nodestreams ") and version.returncode == 0


def test_usage_errors_are_one_line_and_status_2() -> None:
    bad = run([*SERVE, "--port", "70000"])
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[-1] == (
        "python -m trio_nodestreams serve: error: argument --port: port 70000 is not in 0-65535"
    )
    assert "Traceback" not in bad.stderr


# -- serve --------------------------------------------------------------------------------


def test_serve_prints_its_url_logs_requests_and_stops_on_ctrl_c() -> None:
    """The test the README's promise rests on: a real terminal, a request, Ctrl-C."""
    child = spawn([*SERVE, "--port", "0"])
    child.expect(URL)
    url = child.match.group(1)
    with httpx.Client(trust_env=False, timeout=DEADLINE) as client:
        page = client.get(url)
        echoed = client.post(url + "echo", content=b"hello")
        missing = client.get(url + "nowhere?x=1")
    assert page.status_code == 200 and url + "echo" in page.text
    assert echoed.content == b"hello"
    assert missing.status_code == 404
    child.expect(r'"GET / HTTP/1\.1" 200 [\d.]+ ms\r\n')
    child.expect(r'"POST /echo HTTP/1\.1" 200 [\d.]+ ms\r\n')
    child.expect(r'127\.0\.0\.1 \[\d\d:\d\d:\d\d\] "GET /nowhere\?x=1 HTTP/1\.1" 404 [\d.]+ ms\r\n')
    status, after = interrupt(child)
    assert status == 130
    assert lines_after_interrupt(after) == ["serve: interrupted"]
    assert "Traceback" not in after


def test_serve_quiet_prints_no_access_lines() -> None:
    child = spawn([*SERVE, "--port", "0", "--quiet"])
    child.expect(URL)
    url = child.match.group(1)
    with httpx.Client(trust_env=False, timeout=DEADLINE) as client:
        assert client.get(url + "echo").status_code == 200
    status, after = interrupt(child)
    assert status == 130
    assert lines_after_interrupt(after) == ["serve: interrupted"]  # and no access line before it


def test_serve_ctrl_c_with_requests_in_flight() -> None:
    """Ctrl-C while a response streams and an upload waits: still one line, status 130."""
    child = spawn([*SERVE, "--port", "0"])
    child.expect(URL)
    port = int(child.match.group(2))
    streaming = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    uploading = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    with streaming, uploading:
        streaming.sendall(b"GET /stream?n=100 HTTP/1.1\r\nHost: x\r\n\r\n")
        uploading.sendall(b"PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc")
        got = b""
        while b"chunk 1 of 100" not in got:
            got += streaming.recv(4096)
        status, after = interrupt(child)
    assert status == 130
    lines = lines_after_interrupt(after)
    assert lines[-1] == "serve: interrupted"
    # The two cut requests get their access line as they close, nothing else is printed.
    assert all("(closed before the response ended)" in line for line in lines[:-1]), lines
    assert "Traceback" not in after


def test_serve_on_a_taken_port_says_so_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run([*SERVE, "--port", str(port)])
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"serve: cannot listen on http://127.0.0.1:{port}/: Address already in use "
        "(another program listens there; --port 0 picks a free port)"
    ]


def test_serve_on_an_address_it_cannot_have() -> None:
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: bind() fails at once, no DNS involved.
    result = run([*SERVE, "--host", "192.0.2.1", "--port", "0"])
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "serve: cannot listen on http://192.0.2.1:0/: Cannot assign requested address"
    ]


# -- get ----------------------------------------------------------------------------------


class _Slow(BaseHTTPRequestHandler):
    """``GET /PIECES/SIZE/DELAY_MS``: a Content-Length body sent in paced pieces."""

    def do_GET(self) -> None:
        pieces, size, delay_ms = (int(x) for x in self.path.strip("/").split("/"))
        self.send_response(200)
        self.send_header("Content-Length", str(pieces * size))
        self.end_headers()
        try:
            for _ in range(pieces):
                self.wfile.write(b"x" * size)
                self.wfile.flush()
                time.sleep(delay_ms / 1000)  # pacing, so that the bar has something to show
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client was interrupted

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def slow_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(DEADLINE)


def test_get_shows_a_bar_with_rate_and_eta_in_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "body.bin"
    with slow_server() as base:
        child = spawn([*SERVE, "get", f"{base}/20/65536/40", "-o", str(out)], columns=100)
        child.expect(pexpect.EOF)
        child.close()
    assert child.exitstatus == 0, child.before
    assert out.read_bytes() == b"x" * (20 * 65536)
    raw = child.before
    drawn = [part for part in re.split(r"[\r\n]+", raw) if part.strip()]
    assert any(
        re.search(r"\] +\d+\.\d%  [\d.]+ \w+ / 1\.2 MiB  [\d.]+ \w+/s  ETA \d+:\d\d", d)
        for d in drawn
    ), raw
    shown = [line for line in screen(raw.replace("\r\n", "\n")) if line]
    assert len(shown) == 1, shown  # the bar stayed on one line, replaced by the summary
    assert re.fullmatch(r"1\.2 MiB in \d+\.\d s \([\d.]+ \w+/s\)", shown[0]), shown


def test_get_without_a_terminal_draws_no_bar(tmp_path: Path) -> None:
    out = tmp_path / "body.bin"
    with slow_server() as base:
        result = run([*SERVE, "get", f"{base}/5/1000/1", "-o", str(out)])
    assert result.returncode == 0
    assert result.stderr == ""
    assert out.read_bytes() == b"x" * 5000


def test_get_ctrl_c_mid_download(tmp_path: Path) -> None:
    with slow_server() as base:
        child = spawn([*SERVE, "get", f"{base}/200/16384/50", "-o", str(tmp_path / "part")])
        child.expect("ETA")
        status, after = interrupt(child)
    assert status == 130
    assert lines_after_interrupt(after)[-1] == "get: interrupted"
    assert "Traceback" not in after


def test_get_os_and_connection_errors_are_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        refused = run([*SERVE, "get", f"http://127.0.0.1:{port}/", "-o", str(tmp_path / "x")])
    unwritable = run([*SERVE, "get", "http://127.0.0.1:1/", "-o", str(tmp_path)])
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"get: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:{port}"
    ]
    assert unwritable.returncode == 2
    assert unwritable.stderr.splitlines() == [f"get: cannot write {tmp_path}: Is a directory"]


# -- the progress bar, on a fake clock ----------------------------------------------------


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_redraws_leave_no_stray_characters() -> None:
    now = [100.0]
    out = Tty()
    bar = Progress(10 * 1024 * 1024, out, enabled=True, clock=lambda: now[0], width=100)
    drawn: list[str] = []
    for step in range(50):
        now[0] += 0.25
        # A fast start, then a crawl: the rate text shrinks (MiB/s -> KiB/s -> B/s) and the ETA grows.
        bar.add(1024 * 1024 if step < 5 else 10 if step > 30 else 1024)
        drawn.append(bar.line(now[0]))
        visible = screen(out.getvalue())
        assert visible[-1] == drawn[-1][:99], (visible[-1], drawn[-1])
    assert "--/s" in drawn[0]  # a rate over the first 0.25 s would measure buffers, not the link
    assert "B/s" in drawn[-1] and "MiB/s" in drawn[1]
    bar.finish()
    total = 5 * 1024 * 1024 + 26 * 1024 + 19 * 10
    summary = f"5.0 MiB in 12.5 s ({total / 12.5 / 1024:.1f} KiB/s)"
    assert screen(out.getvalue()) == [summary, ""]  # the summary replaced the bar, then a newline


def test_progress_bar_rate_and_eta() -> None:
    now = [0.0]
    out = Tty()
    bar = Progress(4_000_000, out, enabled=True, clock=lambda: now[0], width=200)
    for _ in range(10):
        now[0] += 0.1
        bar.add(100_000)  # 1 MB/s
    line = bar.line(now[0])
    assert "25.0%" in line
    assert "976.6 KiB/s" in line  # 1e6 B/s
    assert line.endswith("ETA 0:03")  # 3 MB left at 1 MB/s


def test_progress_bar_unknown_size_and_narrow_terminal() -> None:
    now = [0.0]
    out = Tty()
    bar = Progress(None, out, enabled=True, clock=lambda: now[0], width=12)
    now[0] = 1.0
    bar.add(2048)
    assert bar.line(now[0]) == "2.0 KiB  2.0 KiB/s"
    assert screen(out.getvalue()) == ["2.0 KiB  2."]  # cut to width - 1: never wraps


def test_progress_bar_disabled_writes_nothing() -> None:
    out = Tty()
    bar = Progress(100, out, enabled=False)
    bar.add(50)
    bar.finish()
    assert out.getvalue() == ""


@pytest.mark.parametrize("argv", [["-m", "trio_nodestreams"], ["-m", "trio_nodestreams", "get"]])
def test_missing_arguments_are_usage_errors(argv: list[str]) -> None:
    result = run([sys.executable, *argv])
    assert result.returncode == 2
    assert "error:" in result.stderr.splitlines()[-1]
