"""Run the benchmark suite: ``.venv/bin/python bench/run.py [streams|http|all]``.

Sections: streams, pipeline, http (wrk, interleaved rounds, req/s and the server's CPU
time per request), idle (server RSS per held keep-alive connection), client, https (the
same over TLS, and new TLS connections per second: bench/https_bench.py), cluster
(``serve --workers 2`` against ``--workers 1``: req/s, CPU of each side, RSS per worker),
fszlib (a 1 GiB file copy vs Node's fs streams and cp, gzip/gunzip MB/s vs Node), static
(``serve DIR`` against nginx, ``python -m http.server`` and Node's http-server:
bench/static_bench.py).
Prints a table per section and writes bench/results/latest.json. Every figure is a
measurement on this machine; what matters is the ratio of ours to the anchors (Node,
raw Trio memory channels, the Trio floor, a bare Trio + httptools loop, a bare h11 loop,
hypercorn), measured in the same run.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "latest.json"
PY = sys.executable
SERVER_CPU = "0"
CLIENT_CPU = "1"
UPLOAD_BYTES = 256 * 1024 * 1024
IDLE_MS = "600000"  # keep-alive timeout for the idle-connection benchmark: 10 minutes

STREAM_COUNTS = {"64k": 20_000, "1k": 200_000, "obj": 200_000}
STREAM_IMPLS = ["node_pipeline", "channel_hop", "channel_chain3", "ours_pipeline", "ours_pipe"]
OURS_STREAMS = ["ours_pipeline", "ours_pipe"]


@dataclass(frozen=True)
class HttpServer:
    """How to start one benchmark server and which routes it takes part in."""

    argv: list[str]  # "{port}" is replaced by the port
    cwd: Path
    routes: tuple[str, ...]
    # Extra arguments that keep an idle keep-alive connection open for minutes.
    keep_alive_args: tuple[str, ...] = ()


HTTP_ROUTES = ("/", "/chunked")
HTTP_SERVERS: dict[str, HttpServer] = {
    "node": HttpServer(
        ["node", str(BENCH / "node_http_server.js"), "{port}"], ROOT, HTTP_ROUTES, (IDLE_MS,)
    ),
    "h11_bare": HttpServer([PY, str(BENCH / "h11_bare_server.py"), "{port}"], ROOT, HTTP_ROUTES),
    "h11_bare_coalesced": HttpServer(
        [PY, str(BENCH / "h11_bare_server.py"), "{port}", "--coalesce"], ROOT, ("/chunked",)
    ),
    "hypercorn": HttpServer(
        [
            str(Path(PY).parent / "hypercorn"),
            "--worker-class",
            "trio",
            "--workers",
            "0",
            "--bind",
            "127.0.0.1:{port}",
            "asgi_app:app",
        ],
        BENCH,
        HTTP_ROUTES,
    ),
    "httptools_bare": HttpServer(
        [PY, str(BENCH / "httptools_bare_server.py"), "{port}"], ROOT, HTTP_ROUTES
    ),
    "trio_floor": HttpServer(
        [PY, str(BENCH / "trio_floor_server.py"), "{port}"], ROOT, HTTP_ROUTES
    ),
    "ours": HttpServer(
        [PY, str(BENCH / "ours_http_server.py"), "{port}"],
        ROOT,
        HTTP_ROUTES,
        ("--keep-alive-ms", IDLE_MS),
    ),
}
# Same-run ratios printed and stored: (numerator, denominator). req/s: > 1 means the
# first serves faster. CPU per request: > 1 means the first costs more per request.
HTTP_RATIOS = [
    ("ours", "httptools_bare"),
    ("ours", "trio_floor"),
    ("ours", "h11_bare"),
    ("ours", "node"),
    ("httptools_bare", "trio_floor"),
    ("node", "trio_floor"),
    ("ours", "h11_bare_coalesced"),
    ("ours", "hypercorn"),
]
CPU_RATIOS = [
    ("ours", "httptools_bare"),
    ("ours", "trio_floor"),
    ("httptools_bare", "trio_floor"),
]
UPLOAD_SERVERS = ["node", "h11_bare", "ours"]
IDLE_SERVERS = ["node", "httptools_bare", "trio_floor", "ours"]
NOT_AVAILABLE_EXIT = 3
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ----------------------------------------------------------------------------- helpers


def pinned(cpu: str, argv: list[str]) -> list[str]:
    """Prefix argv with taskset when it is available."""
    if shutil.which("taskset"):
        return ["taskset", "-c", cpu, *argv]
    return argv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def proc_status(pid: int, field: str) -> int | None:
    """A /proc/PID/status field such as VmHWM or VmRSS, in bytes."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) * 1024 if m else None


def version_of(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "absent"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def environment() -> dict[str, Any]:
    import h11
    import trio

    try:
        import hypercorn

        hyp = getattr(hypercorn, "__version__", None) or _dist_version("hypercorn")
    except ImportError:
        hyp = "absent"
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = version_of(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    return {
        "date": now(),
        "commit": commit,
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "trio": trio.__version__,
        "h11": h11.__version__,
        "hypercorn": hyp,
        "node": version_of(["node", "--version"]),
        "wrk": version_of(["wrk", "-v"]),
        "pinning": bool(shutil.which("taskset")),
    }


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


# ----------------------------------------------------------------------------- pipeline


def bench_pipeline() -> dict[str, Any]:
    """bench/pipeline_bench.py: source -> 2 Transforms -> sink vs Node and a channel hop."""
    print("  pipeline (about a minute)", flush=True)
    argv = pinned(SERVER_CPU, [PY, str(BENCH / "pipeline_bench.py"), "--json"])
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    if out.returncode != 0:
        return {"error": {"status": "error", "reason": out.stderr[-500:]}}
    stamp = now()
    results: dict[str, Any] = json.loads(out.stdout)
    for rows in results.values():
        for row in rows.values():
            if isinstance(row, dict):
                row["measured"] = stamp
    return results


# ----------------------------------------------------------------------------- fszlib


def bench_fszlib(copy_mib: int) -> dict[str, Any]:
    """bench/fszlib_bench.py: file copy vs Node and cp, gzip/gunzip vs Node, one run."""
    print(f"  fszlib ({copy_mib} MiB copy x5 rounds x3 tools, 64 MiB gzip; about five minutes)", flush=True)
    argv = [PY, str(BENCH / "fszlib_bench.py"), "--copy-mib", str(copy_mib), "--json"]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    except subprocess.TimeoutExpired:
        return {"error": {"status": "error", "reason": "timed out after 1800 s"}}
    if out.returncode != 0:
        return {"error": {"status": "error", "reason": out.stderr[-500:]}}
    results: dict[str, Any] = json.loads(out.stdout)
    results["measured"] = {"at": now()}
    return results


# ----------------------------------------------------------------------------- streams


def run_stream_impl(impl: str, kind: str, count: int, reps: int) -> dict[str, Any]:
    if impl == "node_pipeline":
        if not shutil.which("node"):
            return {"status": "n/a", "reason": "node not found"}
        argv = ["node", str(BENCH / "node_pipeline.js"), kind, str(count), "3"]
    else:
        argv = [PY, str(BENCH / "streams_trio.py"), impl, kind, str(count), "--reps", str(reps)]
    try:
        out = subprocess.run(
            pinned(SERVER_CPU, argv), capture_output=True, text=True, timeout=90, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": "timed out after 90 s"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {
            "status": "error",
            "reason": (out.stderr.strip().splitlines() or ["no output"])[-1][:300],
        }
    row: dict[str, Any] = json.loads(lines[-1])
    row.setdefault("status", "ok")
    return row


def bench_streams(only: str | None, reps: int) -> dict[str, Any]:
    section: dict[str, Any] = {}
    for kind, count in STREAM_COUNTS.items():
        section[kind] = {}
        for impl in STREAM_IMPLS:
            if only and only not in impl:
                continue
            print(f"  streams {kind:>3} {impl:<15}", end=" ", flush=True)
            row = run_stream_impl(impl, kind, count, reps)
            row["measured"] = now()
            section[kind][impl] = row
            print(fmt_rate(row, "chunks_per_s"), flush=True)
    return section


# ----------------------------------------------------------------------------- http


def proc_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a whole process (all its threads), from /proc/PID/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _raise_nofile(wanted: int) -> None:
    """Runs in the child before exec: lift the soft open-file limit (up to the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextlib.contextmanager
def server_process(
    argv_template: Sequence[str],
    cwd: Path,
    *,
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
    nofile: int | None = None,
    ready_timeout: float = 20,
    stop_grace: float = 30,
) -> Iterator[tuple[subprocess.Popen[bytes] | None, int, str]]:
    """Start a server pinned to SERVER_CPU on a free port; yield (process, port, reason).

    ``prefix`` goes before the server's argv (valgrind, for example); ``nofile`` raises the
    server's soft open-file limit to its hard limit when it is below. The process is None
    and ``reason`` says why ("n/a: ..." or "error: ...") when it did not start listening.
    On exit the server gets SIGINT, then SIGTERM, then SIGKILL, so that a server run under
    a profiler can write its output.
    """
    port = free_port()
    argv = [a.replace("{port}", str(port)) for a in argv_template]
    if not shutil.which(argv[0]) and not Path(argv[0]).exists():
        yield None, port, f"n/a: {argv[0]} not found"
        return
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            pinned(SERVER_CPU, [*prefix, *argv]),
            cwd=cwd,
            stdout=log,
            stderr=log,
            env=env,
            preexec_fn=(lambda: _raise_nofile(nofile)) if nofile else None,
        )
        reason = ""
        try:
            deadline = time.monotonic() + ready_timeout
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    tail = log.read().decode(errors="replace").strip().splitlines()
                    what = "n/a" if proc.returncode == NOT_AVAILABLE_EXIT else "error"
                    last = tail[-1] if tail else f"exit {proc.returncode}"
                    reason = f"{what}: " + last.removeprefix("n/a: ")
                    break
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", port), timeout=0.5),
                ):
                    break
                if time.monotonic() > deadline:
                    reason = f"error: server did not start within {ready_timeout:.0f} s"
                    break
                time.sleep(0.05)
            yield (proc if not reason else None), port, reason
        finally:
            stop(proc, stop_grace)


def stop(proc: subprocess.Popen[bytes], grace: float = 30) -> None:
    """SIGINT (a clean exit, so profilers write their files), then SIGTERM, then SIGKILL."""
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5)):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def server(
    name: str, *, keep_alive: bool = False, nofile: int | None = None
) -> contextlib.AbstractContextManager[tuple[subprocess.Popen[bytes] | None, int, str]]:
    """Start the benchmark server ``name`` (see HTTP_SERVERS); as :func:`server_process`."""
    spec = HTTP_SERVERS[name]
    argv = [*spec.argv, *(spec.keep_alive_args if keep_alive else ())]
    return server_process(argv, spec.cwd, nofile=nofile)


def check_route(port: int, route: str) -> str:
    """One request with http.client; returns '' if the answer has the expected shape."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", route)
        resp = conn.getresponse()
        body = resp.read()
        te = (resp.getheader("transfer-encoding") or "").lower()
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        return f"error: {route} check request failed: {exc!r}"
    if resp.status != 200:
        return f"error: {route} status {resp.status}"
    if route in ("/", "/fixed") and body != b"Hello, World!":
        return f"error: {route} body {body[:40]!r}"
    if route == "/chunked" and (len(body) != 10240 or te != "chunked"):
        return f"error: /chunked gave {len(body)} bytes, transfer-encoding {te!r}"
    return ""


def check_server(port: int, routes: Sequence[str]) -> str:
    """Check every route a server serves (and ``/fixed``, the older name of ``/``)."""
    for route in [*routes, *(["/fixed"] if "/" in routes else [])]:
        if bad := check_route(port, route):
            return bad
    return ""


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def wrk(port: int, route: str, duration: float, connections: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}{route}"
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "2s",
        "--latency",
        url,
    ]
    try:
        out = subprocess.run(
            pinned(CLIENT_CPU, argv), capture_output=True, text=True, timeout=duration + 20
        )
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": "wrk timed out"}
    text = out.stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if out.returncode != 0 or not m:
        return {"status": "error", "reason": (out.stderr or text).strip()[-300:]}
    row: dict[str, Any] = {"status": "ok", "req_per_s": float(m.group(1))}
    if lat := re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", text):
        row["latency_avg_ms"] = _ms(lat.group(1))
    for pct in ("50", "99"):
        if p := re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M):
            row[f"latency_p{pct}_ms"] = _ms(p.group(1))
    if n := re.search(r"(\d+) requests in", text):
        row["requests"] = int(n.group(1))
    if e := re.search(r"Socket errors: (.*)", text):
        row["socket_errors"] = e.group(1).strip()
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        row["non_2xx"] = int(bad.group(1))
        row["status"] = "error"
        row["reason"] = f"{bad.group(1)} non-2xx responses"
    return row


def measured_wrk(
    proc: subprocess.Popen[bytes], port: int, route: str, duration: float, connections: int
) -> dict[str, Any]:
    """One wrk run, plus the server's CPU time per answered request (µs)."""
    before = proc_cpu_seconds(proc.pid)
    row = wrk(port, route, duration, connections)
    after = proc_cpu_seconds(proc.pid)
    if proc.poll() is not None:
        return {"status": "error", "reason": f"server exited with {proc.returncode}"}
    if row["status"] == "ok" and before is not None and after is not None and row.get("requests"):
        row["cpu_s"] = round(after - before, 3)
        row["cpu_us_per_req"] = (after - before) / row["requests"] * 1e6
    return row


def _median_row(reps: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-figure median of several wrk runs of one server on one route."""
    bad = [r for r in reps if r.get("status") != "ok"]
    if bad or not reps:
        return {"status": "error", "reason": bad[0].get("reason", "?") if bad else "no runs"}
    row: dict[str, Any] = {"status": "ok"}
    for key in ("req_per_s", "cpu_us_per_req", "latency_p50_ms", "latency_p99_ms"):
        values = [r[key] for r in reps if key in r]
        if values:
            row[key] = statistics.median(values)
    row["requests"] = sum(r.get("requests", 0) for r in reps)
    return row


def bench_http(only: str | None, duration: float, connections: int, reps: int) -> dict[str, Any]:
    """Every server up at once; wrk runs interleaved, REPS rounds, medians and per-run figures.

    Each round runs every server on each route, in the server order of HTTP_SERVERS on
    even rounds and in reverse on odd ones (A B C, C B A, ...), so that a drift in the
    machine's speed falls evenly on all of them; a ratio is taken within a round and the
    median over rounds is reported.
    """
    section: dict[str, Any] = {route: {} for route in HTTP_ROUTES}
    if not shutil.which("wrk"):
        print("  wrk not found: apt-get install -y wrk", flush=True)
        return section
    names = [n for n in HTTP_SERVERS if not only or only in n]
    run_id = now()
    config = {"run": run_id, "duration_s": duration, "connections": connections, "reps": reps}
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with contextlib.ExitStack() as stack:
        live: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        for name in names:
            proc, port, reason = stack.enter_context(server(name))
            if proc is not None:
                reason = check_server(port, HTTP_SERVERS[name].routes)
            if reason:
                print(f"  http {name:<19} {reason}", flush=True)
                for route in HTTP_SERVERS[name].routes:
                    section[route][name] = {
                        "status": reason.split(":")[0],
                        "reason": reason,
                        "measured": now(),
                    }
            else:
                assert proc is not None
                live[name] = (proc, port)
        warm = min(2.0, duration)
        print(f"  http warm-up ({warm:g} s per server and route)", flush=True)
        for route in HTTP_ROUTES:
            for name, (_, port) in live.items():
                if route in HTTP_SERVERS[name].routes:
                    wrk(port, route, warm, connections)  # Node's JIT, caches, lazy imports
        for rep in range(reps):
            order = list(live) if rep % 2 == 0 else list(reversed(live))
            for route in HTTP_ROUTES:
                for name in order:
                    if route not in HTTP_SERVERS[name].routes:
                        continue
                    proc, port = live[name]
                    print(f"  http {rep + 1}/{reps} {route:<8} {name:<19}", end=" ", flush=True)
                    row = measured_wrk(proc, port, route, duration, connections)
                    runs.setdefault((route, name), []).append(row)
                    cpu = (
                        f"  {row['cpu_us_per_req']:.1f} us CPU/req"
                        if "cpu_us_per_req" in row
                        else ""
                    )
                    print(fmt_rate(row, "req_per_s") + cpu, flush=True)
    for (route, name), rows in runs.items():
        row = _median_row(rows)
        row.update(config, measured=now())
        row["runs"] = [
            {
                k: r[k]
                for k in ("req_per_s", "cpu_us_per_req", "requests", "latency_p99_ms")
                if k in r
            }
            for r in rows
        ]
        section[route][name] = row
    return section


def bench_idle(only: str | None, connections: int) -> dict[str, Any]:
    """RSS per idle keep-alive connection: hold CONNECTIONS after one GET each."""
    section: dict[str, Any] = {}
    for name in IDLE_SERVERS:
        if only and only not in name:
            continue
        print(f"  idle {connections} keep-alive connections {name:<15}", end=" ", flush=True)
        with server(name, keep_alive=True, nofile=connections + 256) as (proc, port, reason):
            if proc is None:
                row: dict[str, Any] = {"status": reason.split(":")[0], "reason": reason}
            elif bad := check_route(port, "/"):
                row = {"status": "error", "reason": bad}
            else:
                row = hold_idle(proc, port, connections)
        row["measured"] = now()
        section[name] = row
        print(f"{row['kib_per_conn']:.1f} KiB/conn" if row.get("status") == "ok" else row["status"],
              flush=True)  # fmt: skip
    return section


def hold_idle(proc: subprocess.Popen[bytes], port: int, connections: int) -> dict[str, Any]:
    """Server RSS before and while a client process holds ``connections`` idle ones."""
    time.sleep(0.5)  # let the check request's work finish before the baseline
    rss_before = proc_status(proc.pid, "VmRSS")
    argv = [PY, str(BENCH / "raw_client.py"), "hold", str(port), "--connections", str(connections)]
    client = subprocess.Popen(
        pinned(CLIENT_CPU, argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert client.stdin is not None and client.stdout is not None
    try:
        line = read_line(client.stdout, 120)
        if not line.startswith("{"):
            client.stdin.close()
            err = client.stderr.read() if client.stderr else ""
            return {"status": "error", "reason": (err.strip() or "client gave no answer")[-300:]}
        time.sleep(1.0)  # the server finishes each connection's response work, then idles
        rss_after = proc_status(proc.pid, "VmRSS")
        fds = len(os.listdir(f"/proc/{proc.pid}/fd"))
        if proc.poll() is not None:
            return {"status": "error", "reason": f"server exited with {proc.returncode}"}
        if rss_before is None or rss_after is None:
            return {"status": "error", "reason": "no VmRSS for the server"}
        if fds < connections:
            return {
                "status": "error",
                "reason": f"server holds {fds} fds, fewer than {connections}",
            }
        return {
            "status": "ok",
            "connections": connections,
            "server_fds": fds,
            "rss_before_kib": rss_before // 1024,
            "rss_after_kib": rss_after // 1024,
            "kib_per_conn": (rss_after - rss_before) / 1024 / connections,
        }
    finally:
        with contextlib.suppress(OSError):
            client.stdin.close()
        try:
            client.wait(30)
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait()


def read_line(stream: Any, timeout: float) -> str:
    """One line from a child's stdout, or '' if none came within ``timeout`` seconds."""
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def upload_file() -> Path:
    path = Path(tempfile.gettempdir()) / "trio_nodestreams_bench_upload.bin"
    if not path.exists() or path.stat().st_size != UPLOAD_BYTES:
        with path.open("wb") as f:
            f.truncate(UPLOAD_BYTES)  # sparse: reading it costs the client nothing
    return path


def curl_upload(port: int, path: Path) -> dict[str, Any]:
    argv = [
        "curl", "-sS", "--max-time", "60", "-X", "POST", "-T", str(path),
        "-H", "Expect:", "-H", "Content-Type: application/octet-stream",
        "-w", "\n%{http_code} %{time_total}", f"http://127.0.0.1:{port}/upload",
    ]  # fmt: skip
    try:
        out = subprocess.run(pinned(CLIENT_CPU, argv), capture_output=True, text=True, timeout=70)
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": "curl timed out"}
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or len(lines) < 2:
        return {"status": "error", "reason": (out.stderr.strip() or out.stdout.strip())[-300:]}
    code, total = lines[-1].split()
    body = lines[-2].strip()
    if code != "200" or body != str(UPLOAD_BYTES):
        return {"status": "error", "reason": f"status {code}, server counted {body[:40]!r}"}
    seconds = float(total)
    return {"status": "ok", "seconds": seconds, "mb_per_s": UPLOAD_BYTES / seconds / 1e6}


def bench_upload(only: str | None) -> dict[str, Any]:
    section: dict[str, Any] = {}
    if not shutil.which("curl"):
        print("  curl not found", flush=True)
        return section
    path = upload_file()
    for name in UPLOAD_SERVERS:
        if only and only not in name:
            continue
        print(f"  upload 256 MiB {name:<13}", end=" ", flush=True)
        with server(name) as (proc, port, reason):
            if proc is None:
                row: dict[str, Any] = {"status": reason.split(":")[0], "reason": reason}
            else:
                rss_before = proc_status(proc.pid, "VmRSS")
                row = curl_upload(port, path)
                row.update(
                    bytes=UPLOAD_BYTES,
                    rss_before_mib=mib(rss_before),
                    peak_rss_mib=mib(proc_status(proc.pid, "VmHWM")),
                )
        row["measured"] = now()
        section[name] = row
        extra = f"  peak RSS {row['peak_rss_mib']:.0f} MiB" if row.get("peak_rss_mib") else ""
        print(fmt_rate(row, "mb_per_s") + extra, flush=True)
    return section


def mib(n: int | None) -> float | None:
    return None if n is None else round(n / 1048576, 1)


# ----------------------------------------------------------------------------- report


def fmt_rate(row: dict[str, Any] | None, key: str) -> str:
    if not row:
        return "-"
    if row.get("status") != "ok":
        return str(row.get("status", "?"))
    v = float(row[key])
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e4:
        return f"{v / 1e3:.1f}k"
    return f"{v:.1f}"


def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None, key: str) -> float | None:
    if not a or not b or a.get("status") != "ok" or b.get("status") != "ok":
        return None
    return float(a[key]) / float(b[key])


def fmt_ratio(r: float | None) -> str:
    return "n/a" if r is None else f"{r:.3f}"


def same_run_ratios(a: dict[str, Any] | None, b: dict[str, Any] | None, key: str) -> list[float]:
    """Round-by-round ratios a/b of two HTTP rows measured in the same interleaved run.

    Empty when either row failed, lacks the figure, or comes from another run (a ratio
    across runs on this machine measures the machine as much as the servers).
    """
    if not a or not b or a.get("status") != "ok" or b.get("status") != "ok":
        return []
    if a.get("run") is None or a.get("run") != b.get("run"):
        return []
    pairs = zip(a.get("runs", []), b.get("runs", []), strict=False)
    return [x[key] / y[key] for x, y in pairs if key in x and key in y and y[key]]


def same_run_ratio(a: dict[str, Any] | None, b: dict[str, Any] | None, key: str) -> float | None:
    """The median of :func:`same_run_ratios`, or None."""
    values = same_run_ratios(a, b, key)
    return statistics.median(values) if values else None


def fmt_spread(values: list[float]) -> str:
    return f"{min(values):.3f}-{max(values):.3f}" if len(values) > 1 else ""


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def compute_ratios(results: dict[str, Any]) -> dict[str, Any]:
    ratios: dict[str, Any] = {}
    streams = results.get("streams", {})
    for kind, rows in streams.items():
        for ours in OURS_STREAMS:
            for anchor in ("node_pipeline", "channel_hop", "channel_chain3"):
                ratios[f"streams.{kind}.{ours}/{anchor}"] = ratio(
                    rows.get(ours), rows.get(anchor), "chunks_per_s"
                )
    for name, key, pairs in http_ratio_names():
        route, a, b = pairs
        rows = results.get("http", {}).get(route, {})
        ratios[name] = same_run_ratio(rows.get(a), rows.get(b), key)
    idle = results.get("idle", {})
    for anchor in ("node", "httptools_bare", "trio_floor"):
        ratios[f"idle KiB/conn: ours/{anchor}"] = ratio(
            idle.get("ours"), idle.get(anchor), "kib_per_conn"
        )
    upload = results.get("upload", {})
    for anchor in ("node", "h11_bare"):
        ratios[f"upload.ours/{anchor}"] = ratio(upload.get("ours"), upload.get(anchor), "mb_per_s")
    return ratios


def http_ratio_names() -> Iterator[tuple[str, str, tuple[str, str, str]]]:
    """(ratio name, figure, (route, numerator, denominator)) for every HTTP ratio reported."""
    for key, label, pairs in (
        ("req_per_s", "req/s", HTTP_RATIOS),
        ("cpu_us_per_req", "CPU/req", CPU_RATIOS),
    ):
        for route in HTTP_ROUTES:
            for a, b in pairs:
                if route in HTTP_SERVERS[a].routes and route in HTTP_SERVERS[b].routes:
                    yield f"http {route} {label}: {a}/{b}", key, (route, a, b)


def http_table(section: dict[str, Any]) -> str:
    rows = []
    for route in HTTP_ROUTES:
        impls = section.get(route, {})
        ours = impls.get("ours")
        for name in HTTP_SERVERS:
            row = impls.get(name)
            if row is None:
                continue
            ok = row.get("status") == "ok"
            runs = [r["req_per_s"] for r in row.get("runs", []) if "req_per_s" in r]
            rows.append([
                route, name, fmt_rate(row, "req_per_s"),
                f"{fmt_rate({'status': 'ok', 'v': min(runs)}, 'v')}-{fmt_rate({'status': 'ok', 'v': max(runs)}, 'v')}"
                if ok and len(runs) > 1 else "",
                f"{row['cpu_us_per_req']:.1f}" if ok and "cpu_us_per_req" in row else "-",
                f"{row['latency_p99_ms']:.2f}" if ok and "latency_p99_ms" in row else "-",
                fmt_ratio(same_run_ratio(row, impls.get("trio_floor"), "req_per_s")),
                fmt_ratio(same_run_ratio(ours, row, "req_per_s")),
                fmt_ratio(same_run_ratio(ours, row, "cpu_us_per_req")),
                row.get("reason", "")[:60] if not ok else "",
            ])  # fmt: skip
    return table(
        ["route", "server", "req/s", "range", "CPU us/req", "p99 ms", "x floor", "ours/this",
         "ours/this CPU", "note"],
        rows,
    )  # fmt: skip


def report(results: dict[str, Any], sections: list[str]) -> str:
    parts: list[str] = []
    if "streams" in sections and results.get("streams"):
        rows = []
        for kind, impls in results["streams"].items():
            node = impls.get("node_pipeline")
            for impl in STREAM_IMPLS:
                row = impls.get(impl)
                if row is None:
                    continue
                mbps = row.get("mb_per_s")
                rows.append([
                    kind, impl, str(row.get("count", STREAM_COUNTS[kind])),
                    fmt_rate(row, "chunks_per_s"),
                    f"{mbps:.0f}" if row.get("status") == "ok" and mbps else "-",
                    fmt_ratio(ratio(row, node, "chunks_per_s")),
                    fmt_ratio(ratio(row, impls.get("channel_hop"), "chunks_per_s")),
                    row.get("reason", "")[:60] if row.get("status") != "ok" else "",
                ])  # fmt: skip
        parts.append("Streams: source -> Transform -> sink (chunks/s, higher is better)")
        parts.append(
            table(
                ["chunk", "impl", "count", "chunks/s", "MB/s", "x node", "x chan_hop", "note"], rows
            )
        )
    if "http" in sections and results.get("http"):
        http = results["http"]
        conf: dict[str, Any] = next(
            (r for rows in http.values() for r in rows.values() if r.get("status") == "ok"), {}
        )
        parts.append(
            f"\nHTTP keep-alive GET, wrk -t1 -c{conf.get('connections', '?')} "
            f"-d{conf.get('duration_s', '?')}s, median of {conf.get('reps', '?')} interleaved "
            "rounds (req/s: higher is better; server CPU us per request: lower is better)"
        )
        parts.append(http_table(http))
    if "http" in sections and results.get("upload"):
        rows = []
        up = results["upload"]
        for name in UPLOAD_SERVERS:
            row = up.get(name)
            if row is None:
                continue
            ok = row.get("status") == "ok"
            rows.append([
                name, fmt_rate(row, "mb_per_s"),
                f"{row['peak_rss_mib']:.0f}" if ok and row.get("peak_rss_mib") else "-",
                f"{row['rss_before_mib']:.0f}" if ok and row.get("rss_before_mib") else "-",
                fmt_ratio(ratio(row, up.get("node"), "mb_per_s")),
                row.get("reason", "")[:60] if not ok else "",
            ])  # fmt: skip
        parts.append("\nUpload: 256 MiB POST with curl, server counts bytes")
        parts.append(
            table(["server", "MB/s", "peak RSS MiB", "RSS before MiB", "x node", "note"], rows)
        )
    if "idle" in sections and results.get("idle"):
        rows = []
        idle = results["idle"]
        for name in IDLE_SERVERS:
            row = idle.get(name)
            if row is None:
                continue
            ok = row.get("status") == "ok"
            rows.append([
                name, str(row.get("connections", "-")),
                f"{row['rss_before_kib'] / 1024:.1f}" if ok else "-",
                f"{row['rss_after_kib'] / 1024:.1f}" if ok else "-",
                f"{row['kib_per_conn']:.1f}" if ok else "-",
                fmt_ratio(ratio(row, idle.get("node"), "kib_per_conn")),
                row.get("reason", "")[:60] if not ok else "",
            ])  # fmt: skip
        parts.append("\nIdle keep-alive connections: server RSS growth per held connection")
        parts.append(
            table(
                ["server", "held", "RSS before MiB", "RSS after MiB", "KiB/conn", "x node", "note"],
                rows,
            )
        )
    ratios = {
        k: v
        for k, v in compute_ratios(results).items()
        if re.split(r"[. ]", k)[0] in sections or (k.startswith("upload") and "http" in sections)
    }
    if ratios:
        http_spreads = {
            name: fmt_spread(
                same_run_ratios(
                    results["http"].get(route, {}).get(a),
                    results["http"].get(route, {}).get(b),
                    key,
                )
            )
            for name, key, (route, a, b) in http_ratio_names()
            if "http" in results
        }
        parts.append(
            "\nRatios: a/b. Throughput (req/s, chunks/s, MB/s): > 1 means a is faster. CPU/req and\n"
            "KiB/conn: > 1 means a costs more. HTTP ratios are medians of round-by-round ratios\n"
            "(range: lowest-highest round); n/a: a row missing, failed or from another run."
        )
        parts.append(
            table(
                ["ratio", "value", "range"],
                [[k, fmt_ratio(v), http_spreads.get(k, "")] for k, v in ratios.items()],
            )
        )
    return "\n".join(parts)


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Row-level merge: rows measured now replace stored rows; others are kept."""
    out = dict(old)
    for section, groups in new.items():
        if section in ("environment", "ratios"):
            out[section] = groups
            continue
        dest = dict(out.get(section, {}))
        if section == "http":
            # Rows of the older layout (routes "fixed"/"chunked", one wrk run each) are
            # not comparable with interleaved runs: drop them.
            dest = {k: v for k, v in dest.items() if k in HTTP_ROUTES}
        for key, rows in groups.items():
            if isinstance(rows, dict) and "status" not in rows:
                dest[key] = {**dest.get(key, {}), **rows}
            else:
                dest[key] = rows
        out[section] = dest
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="trio_nodestreams benchmark suite")
    parser.add_argument(
        "what",
        nargs="?",
        default="all",
        choices=["streams", "pipeline", "http", "idle", "client", "https", "cluster", "fszlib", "static", "all"],
    )
    parser.add_argument("--only", help="run only implementations whose name contains this (e.g. ours); "
                        "other rows are kept from the previous results file")  # fmt: skip
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    parser.add_argument(
        "--reps",
        type=int,
        help="streams: measured runs per Trio figure, best kept (default 1); "
        "http: interleaved rounds, median reported (default 3)",
    )
    parser.add_argument(
        "--idle-connections", type=int, default=2000, help="connections held by `idle` (2000)"
    )
    parser.add_argument("--no-upload", action="store_true", help="skip the 256 MiB upload")
    parser.add_argument("--copy-mib", type=int, default=1024, help="fszlib: size of the copied file (1024)")
    args = parser.parse_args()
    sections = (
        ["streams", "pipeline", "http", "idle", "client", "https", "cluster", "fszlib", "static"]
        if args.what == "all"
        else [args.what]
    )

    t0 = time.monotonic()
    new: dict[str, Any] = {"environment": environment()}
    print(f"environment: {json.dumps(new['environment'])}", flush=True)
    if "streams" in sections:
        new["streams"] = bench_streams(args.only, args.reps or 1)
    if "pipeline" in sections:
        new["pipeline"] = bench_pipeline()
    if "client" in sections:
        sys.path.insert(0, str(BENCH))
        import client_bench

        print("  client (sequential keep-alive requests)", flush=True)
        new["client"] = client_bench.bench(5000, "/")
    if "http" in sections:
        new["http"] = bench_http(args.only, args.duration, args.connections, args.reps or 3)
        if not args.no_upload:
            new["upload"] = bench_upload(args.only)
    if "idle" in sections:
        new["idle"] = bench_idle(args.only, args.idle_connections)
    if "https" in sections:
        sys.path.insert(0, str(BENCH))
        import https_bench

        new["https"] = https_bench.bench(
            args.only, args.duration, args.connections, args.reps or 3, upload=not args.no_upload
        )
    if "cluster" in sections:
        sys.path.insert(0, str(BENCH))
        import cluster_bench

        print("  cluster (serve --workers 2 against --workers 1)", flush=True)
        new["cluster"] = cluster_bench.bench(args.duration, args.connections, args.reps or 3)
    if "fszlib" in sections:
        new["fszlib"] = bench_fszlib(args.copy_mib)
    if "static" in sections:
        sys.path.insert(0, str(BENCH))
        import static_bench

        print("  static files (serve DIR, nginx, python -m http.server, Node http-server)", flush=True)
        new["static"] = static_bench.bench(min(args.duration, 3), args.reps or 3, args.connections)

    old: dict[str, Any] = {}
    if RESULTS.exists():
        with contextlib.suppress(ValueError):
            old = json.loads(RESULTS.read_text())
    results = merge(old, new)
    results["ratios"] = compute_ratios(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    print()
    print(report(results, sections))
    if "pipeline" in sections and results.get("pipeline"):
        sys.path.insert(0, str(BENCH))
        import pipeline_bench

        print()
        print(pipeline_bench.report(results["pipeline"]))
    if "client" in sections and results.get("client"):
        import client_bench

        print()
        print(client_bench.report(results["client"]))
    if "https" in sections and results.get("https"):
        import https_bench

        print()
        print(https_bench.report(results["https"]))
    if "cluster" in sections and results.get("cluster"):
        import cluster_bench

        print()
        print(cluster_bench.report(results["cluster"]))
    if "fszlib" in sections and results.get("fszlib"):
        sys.path.insert(0, str(BENCH))
        import fszlib_bench

        print()
        print(fszlib_bench.report(results["fszlib"]))
    if "static" in sections and results.get("static"):
        import static_bench

        print()
        print(static_bench.report(results["static"]))
    print(f"\nwrote {RESULTS.relative_to(ROOT)} in {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
