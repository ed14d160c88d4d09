"""Run the benchmark suite: ``.venv/bin/python bench/run.py [streams|http|all]``.

Prints a table per section and writes bench/results/latest.json. Every figure is a
measurement on this machine; what matters is the ratio of ours to the anchors (Node,
raw Trio memory channels, a bare h11 loop, hypercorn), measured in the same run.
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
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "latest.json"
PY = sys.executable
SERVER_CPU = "0"
CLIENT_CPU = "1"
UPLOAD_BYTES = 256 * 1024 * 1024

STREAM_COUNTS = {"64k": 20_000, "1k": 200_000, "obj": 200_000}
STREAM_IMPLS = ["node_pipeline", "channel_hop", "channel_chain3", "ours_pipeline", "ours_pipe"]
OURS_STREAMS = ["ours_pipeline", "ours_pipe"]

# name -> (argv after the port is known, cwd, routes it takes part in)
HTTP_SERVERS: dict[str, tuple[list[str], Path, tuple[str, ...]]] = {
    "node": (["node", str(BENCH / "node_http_server.js"), "{port}"], ROOT, ("fixed", "chunked")),
    "h11_bare": ([PY, str(BENCH / "h11_bare_server.py"), "{port}"], ROOT, ("fixed", "chunked")),
    "h11_bare_coalesced": (
        [PY, str(BENCH / "h11_bare_server.py"), "{port}", "--coalesce"],
        ROOT,
        ("chunked",),
    ),
    "hypercorn": (
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
        ("fixed", "chunked"),
    ),
    "ours": ([PY, str(BENCH / "ours_http_server.py"), "{port}"], ROOT, ("fixed", "chunked")),
}
UPLOAD_SERVERS = ["node", "h11_bare", "ours"]
NOT_AVAILABLE_EXIT = 3


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


@contextlib.contextmanager
def server(name: str) -> Iterator[tuple[subprocess.Popen[bytes] | None, int, str]]:
    """Start one benchmark server pinned to SERVER_CPU; yield (process, port, reason)."""
    argv_t, cwd, _ = HTTP_SERVERS[name]
    port = free_port()
    argv = [a.replace("{port}", str(port)) for a in argv_t]
    if not shutil.which(argv[0]) and not Path(argv[0]).exists():
        yield None, port, f"{argv[0]} not found"
        return
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(pinned(SERVER_CPU, argv), cwd=cwd, stdout=log, stderr=log)
        reason = ""
        try:
            deadline = time.monotonic() + 20
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
                    reason = "error: server did not start within 20 s"
                    break
                time.sleep(0.05)
            yield (proc if not reason else None), port, reason
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def check_route(port: int, route: str) -> str:
    """One request with http.client; returns '' if the answer has the expected shape."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", f"/{route}")
        resp = conn.getresponse()
        body = resp.read()
        te = (resp.getheader("transfer-encoding") or "").lower()
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        return f"error: check request failed: {exc!r}"
    if resp.status != 200:
        return f"error: status {resp.status}"
    if route == "fixed" and body != b"Hello, World!":
        return f"error: /fixed body {body[:40]!r}"
    if route == "chunked" and (len(body) != 10240 or te != "chunked"):
        return f"error: /chunked gave {len(body)} bytes, transfer-encoding {te!r}"
    return ""


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def wrk(port: int, route: str, duration: int, connections: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/{route}"
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "2s", "--latency", url]
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


def bench_http(only: str | None, duration: int, connections: int) -> dict[str, Any]:
    section: dict[str, Any] = {"fixed": {}, "chunked": {}}
    if not shutil.which("wrk"):
        print("  wrk not found: apt-get install -y wrk", flush=True)
        return section
    for name, (_, _, routes) in HTTP_SERVERS.items():
        if only and only not in name:
            continue
        with server(name) as (proc, port, reason):
            for route in routes:
                print(f"  http {route:<7} {name:<19}", end=" ", flush=True)
                if proc is None:
                    row: dict[str, Any] = {"status": reason.split(":")[0], "reason": reason}
                elif bad := check_route(port, route):
                    row = {"status": "error", "reason": bad}
                else:
                    wrk(port, route, 2, connections)  # warm-up (Node's JIT, caches)
                    row = wrk(port, route, duration, connections)
                    row.update(duration_s=duration, connections=connections)
                    if proc.poll() is not None:
                        row.update(status="error", reason=f"server exited with {proc.returncode}")
                row["measured"] = now()
                section[route][name] = row
                print(fmt_rate(row, "req_per_s"), flush=True)
    return section


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
    for route, rows in results.get("http", {}).items():
        for anchor in ("node", "h11_bare", "h11_bare_coalesced", "hypercorn"):
            if anchor in rows:
                ratios[f"http.{route}.ours/{anchor}"] = ratio(
                    rows.get("ours"), rows.get(anchor), "req_per_s"
                )
    upload = results.get("upload", {})
    for anchor in ("node", "h11_bare"):
        ratios[f"upload.ours/{anchor}"] = ratio(upload.get("ours"), upload.get(anchor), "mb_per_s")
    return ratios


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
        rows = []
        for route, impls in results["http"].items():
            for name in HTTP_SERVERS:
                row = impls.get(name)
                if row is None:
                    continue
                rows.append([
                    route, name, fmt_rate(row, "req_per_s"),
                    f"{row['latency_p99_ms']:.2f}" if row.get("status") == "ok" and "latency_p99_ms" in row else "-",
                    fmt_ratio(ratio(row, impls.get("node"), "req_per_s")),
                    fmt_ratio(ratio(impls.get("ours"), row, "req_per_s")),
                    row.get("reason", "")[:60] if row.get("status") != "ok" else "",
                ])  # fmt: skip
        parts.append("\nHTTP keep-alive GET, wrk -t1 -c32 (req/s, higher is better)")
        parts.append(
            table(["route", "server", "req/s", "p99 ms", "x node", "ours/this", "note"], rows)
        )
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
    ratios = {
        k: v
        for k, v in compute_ratios(results).items()
        if k.split(".")[0] in sections or (k.startswith("upload") and "http" in sections)
    }
    if ratios:
        parts.append("\nRatios (ours / anchor; > 1 means ours is faster)")
        parts.append(table(["ratio", "value"], [[k, fmt_ratio(v)] for k, v in ratios.items()]))
    return "\n".join(parts)


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Row-level merge: rows measured now replace stored rows; others are kept."""
    out = dict(old)
    for section, groups in new.items():
        if section in ("environment", "ratios"):
            out[section] = groups
            continue
        dest = dict(out.get(section, {}))
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
        "what", nargs="?", default="all", choices=["streams", "pipeline", "http", "client", "all"]
    )
    parser.add_argument("--only", help="run only implementations whose name contains this (e.g. ours); "
                        "other rows are kept from the previous results file")  # fmt: skip
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument(
        "--reps", type=int, default=1, help="measured runs per Trio stream figure, best kept"
    )
    parser.add_argument("--no-upload", action="store_true", help="skip the 256 MiB upload")
    args = parser.parse_args()
    sections = ["streams", "pipeline", "http", "client"] if args.what == "all" else [args.what]

    t0 = time.monotonic()
    new: dict[str, Any] = {"environment": environment()}
    print(f"environment: {json.dumps(new['environment'])}", flush=True)
    if "streams" in sections:
        new["streams"] = bench_streams(args.only, args.reps)
    if "pipeline" in sections:
        new["pipeline"] = bench_pipeline()
    if "client" in sections:
        sys.path.insert(0, str(BENCH))
        import client_bench

        print("  client (sequential keep-alive requests)", flush=True)
        new["client"] = client_bench.bench(5000, "/fixed")
    if "http" in sections:
        new["http"] = bench_http(args.only, args.duration, args.connections)
        if not args.no_upload:
            new["upload"] = bench_upload(args.only)

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
    print(f"\nwrote {RESULTS.relative_to(ROOT)} in {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
