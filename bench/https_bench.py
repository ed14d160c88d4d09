"""HTTPS benchmark: keep-alive req/s over TLS, and new TLS connections per second.

Run through ``bench/run.py https`` (or alone: ``.venv/bin/python bench/https_bench.py``).

Servers, all with the certificate of tests/certs (ECDSA P-256), TLS 1.3:

- ``node``: Node's https server (bench/node_https_server.js);
- ``bare``: the bare Trio + httptools loop over ``trio.SSLStream``
  (bench/httptools_tls_bare_server.py): the Trio TLS floor for us;
- ``ours``: our https server (bench/ours_https_server.py).

Figures, from wrk over TLS (``wrk -t1 -cN``), interleaved rounds (A B C, C B A...), the
median reported: ``/`` (13-byte body, keep-alive), ``/chunked`` (ten 1 KiB writes,
keep-alive) and ``handshake`` (``/`` with ``Connection: close``: one full TLS handshake
per request). Ratios are taken within a round, then the median over rounds.

``upload``: a 256 MiB POST with curl over TLS (``--cacert``, the sparse file of the http
section), the server counting the bytes; MB/s and the server's peak RSS. Node and ours
(the bare loop has no upload route); ``--no-upload`` skips it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import socket
import ssl
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402  (the suite's helpers: pinned processes, wrk parsing)

CERTS = BENCH.parent / "tests" / "certs"
SERVERS: dict[str, list[str]] = {
    "node": ["node", str(BENCH / "node_https_server.js"), "{port}"],
    "bare": [run.PY, str(BENCH / "httptools_tls_bare_server.py"), "{port}"],
    "ours": [run.PY, str(BENCH / "ours_https_server.py"), "{port}"],
}
#: (figure name, route, extra wrk arguments, servers that take part)
FIGURES = [
    ("/", "/", [], ("node", "bare", "ours")),
    ("/chunked", "/chunked", [], ("node", "bare", "ours")),
    # The bare loop does not close on request: it has no handshake figure.
    ("handshake", "/", ["-H", "Connection: close"], ("node", "ours")),
]
RATIOS = [("ours", "bare"), ("ours", "node"), ("node", "bare")]


def check(port: int) -> str:
    """One GET over TLS, verified against the test CA; '' when the answer is right."""
    ctx = ssl.create_default_context(cafile=str(CERTS / "ca.pem"))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, ctx.wrap_socket(
            raw, server_hostname="localhost"
        ) as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            data = b""
            while not data.endswith(b"Hello, World!") and (chunk := tls.recv(65536)):
                data += chunk
    except (OSError, ssl.SSLError) as exc:
        return f"error: check request failed: {exc!r}"
    if not data.startswith(b"HTTP/1.1 200 ") or not data.endswith(b"Hello, World!"):
        return f"error: check answer {data[:60]!r}"
    return ""


def wrk(port: int, route: str, extra: list[str], duration: float, connections: int) -> dict[str, Any]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "2s", *extra,
            f"https://127.0.0.1:{port}{route}"]  # fmt: skip
    try:
        out = subprocess.run(run.pinned(run.CLIENT_CPU, argv), capture_output=True, text=True, timeout=duration + 20)
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": "wrk timed out"}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    n = re.search(r"(\d+) requests in", out.stdout)
    if out.returncode != 0 or not m or not n:
        return {"status": "error", "reason": (out.stderr or out.stdout).strip()[-300:]}
    row: dict[str, Any] = {"status": "ok", "req_per_s": float(m.group(1)), "requests": int(n.group(1))}
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout):
        row.update(status="error", reason=f"{bad.group(1)} non-2xx responses")
    if errors := re.search(r"Socket errors: (.*)", out.stdout):
        row["socket_errors"] = errors.group(1).strip()
    return row


def bench(
    only: str | None, duration: float, connections: int, reps: int, upload: bool = True
) -> dict[str, Any]:
    """Every server up at once, wrk interleaved over REPS rounds; medians and per-round rows."""
    section: dict[str, Any] = {"config": {"run": run.now(), "duration_s": duration, "connections": connections,
                                          "reps": reps}}  # fmt: skip
    names = [n for n in SERVERS if not only or only in n]
    rounds: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with contextlib.ExitStack() as stack:
        live: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        for name in names:
            proc, port, reason = stack.enter_context(run.server_process(SERVERS[name], BENCH))
            if proc is not None:
                reason = check(port)
            if reason:
                print(f"  https {name:<5} {reason}", flush=True)
                section[name] = {"status": reason.split(":")[0], "reason": reason}
            else:
                assert proc is not None
                live[name] = (proc, port)
        print(f"  https warm-up ({min(2.0, duration):g} s per server)", flush=True)
        for _name, (_proc, port) in live.items():
            wrk(port, "/", [], min(2.0, duration), connections)
        for rep in range(reps):
            order = list(live) if rep % 2 == 0 else list(reversed(live))
            for figure, route, extra, members in FIGURES:
                for name in order:
                    if name not in members:
                        continue
                    proc, port = live[name]
                    before = run.proc_cpu_seconds(proc.pid)
                    row = wrk(port, route, extra, duration, connections)
                    after = run.proc_cpu_seconds(proc.pid)
                    if row["status"] == "ok" and before is not None and after is not None:
                        row["cpu_us_per_req"] = (after - before) / row["requests"] * 1e6
                    rounds.setdefault((figure, name), []).append(row)
                    errors = f"  socket errors: {row['socket_errors']}" if "socket_errors" in row else ""
                    print(f"  https {rep + 1}/{reps} {figure:<9} {name:<5} {run.fmt_rate(row, 'req_per_s')}{errors}",
                          flush=True)  # fmt: skip
    for (figure, name), rows in rounds.items():
        ok = [r for r in rows if r["status"] == "ok"]
        if len(ok) != len(rows):
            bad = next(r for r in rows if r["status"] != "ok")
            section.setdefault(figure, {})[name] = {"status": "error", "reason": bad.get("reason", "?")}
            continue
        section.setdefault(figure, {})[name] = {
            "status": "ok",
            "req_per_s": statistics.median(r["req_per_s"] for r in ok),
            "cpu_us_per_req": statistics.median(r.get("cpu_us_per_req", float("nan")) for r in ok),
            "runs": [{"req_per_s": r["req_per_s"], "cpu_us_per_req": r.get("cpu_us_per_req")} for r in ok],
        }
    if upload:
        section["upload"] = bench_upload(only)
    section["ratios"] = ratios(section)
    return section


UPLOAD_SERVERS = ("node", "ours")


def curl_upload(port: int, path: Path) -> dict[str, Any]:
    """One 256 MiB POST over TLS with curl; MB/s, or the reason it failed."""
    argv = ["curl", "-sS", "--noproxy", "*", "--cacert", str(CERTS / "ca.pem"), "--max-time", "120", "-X", "POST",
            "-T", str(path), "-H", "Expect:", "-H", "Content-Type: application/octet-stream",
            "-w", "\n%{http_code} %{time_total}", f"https://localhost:{port}/upload"]  # fmt: skip
    try:
        out = subprocess.run(run.pinned(run.CLIENT_CPU, argv), capture_output=True, text=True, timeout=130)
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": "curl timed out"}
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or len(lines) < 2:
        return {"status": "error", "reason": (out.stderr.strip() or out.stdout.strip())[-300:]}
    code, total = lines[-1].split()
    if code != "200" or lines[-2].strip() != str(run.UPLOAD_BYTES):
        return {"status": "error", "reason": f"status {code}, server counted {lines[-2][:40]!r}"}
    return {"status": "ok", "mb_per_s": run.UPLOAD_BYTES / float(total) / 1e6}


def bench_upload(only: str | None) -> dict[str, Any]:
    """Each server alone, one 256 MiB upload over TLS."""
    rows: dict[str, Any] = {}
    path = run.upload_file()
    for name in UPLOAD_SERVERS:
        if only and only not in name:
            continue
        with run.server_process(SERVERS[name], BENCH) as (proc, port, reason):
            if proc is None:
                rows[name] = {"status": reason.split(":")[0], "reason": reason}
                continue
            row = curl_upload(port, path)
            row["peak_rss_mib"] = run.mib(run.proc_status(proc.pid, "VmHWM"))
            rows[name] = row
        print(f"  https upload 256 MiB {name:<5} {run.fmt_rate(rows[name], 'mb_per_s')}", flush=True)
    return rows


def ratios(section: dict[str, Any]) -> dict[str, Any]:
    """Same-run ratios a/b of req/s per figure: the median of the round-by-round ratios."""
    out: dict[str, Any] = {}
    for figure, _route, _extra, members in FIGURES:
        rows = section.get(figure, {})
        for a, b in RATIOS:
            if a not in members or b not in members:
                continue
            ra, rb = rows.get(a), rows.get(b)
            if not ra or not rb or ra.get("status") != "ok" or rb.get("status") != "ok":
                out[f"https {figure} req/s: {a}/{b}"] = None
                continue
            values = [x["req_per_s"] / y["req_per_s"] for x, y in zip(ra["runs"], rb["runs"], strict=False)]
            out[f"https {figure} req/s: {a}/{b}"] = {
                "median": statistics.median(values), "min": min(values), "max": max(values),
            }  # fmt: skip
    up = section.get("upload", {})
    node, ours = up.get("node"), up.get("ours")
    if node and ours and node.get("status") == ours.get("status") == "ok":
        value = ours["mb_per_s"] / node["mb_per_s"]
        out["https upload MB/s: ours/node"] = {"median": value, "min": value, "max": value}
    return out


def report(section: dict[str, Any]) -> str:
    conf = section.get("config", {})
    rows = []
    for figure, _route, _extra, _members in FIGURES:
        for name in SERVERS:
            row = section.get(figure, {}).get(name)
            if row is None:
                continue
            ok = row.get("status") == "ok"
            rows.append([
                figure, name, run.fmt_rate(row, "req_per_s"),
                f"{row['cpu_us_per_req']:.1f}" if ok else "-", row.get("reason", "")[:60] if not ok else "",
            ])  # fmt: skip
    for name in UPLOAD_SERVERS:
        row = section.get("upload", {}).get(name)
        if row is not None:
            ok = row.get("status") == "ok"
            rss = f"peak RSS {row['peak_rss_mib']:.0f} MiB" if ok and row.get("peak_rss_mib") else ""
            rows.append(["upload", name, f"{row['mb_per_s']:.0f} MB/s" if ok else row["status"], "-",
                         rss if ok else row.get("reason", "")[:60]])  # fmt: skip
    lines = [
        f"HTTPS (TLS 1.3), wrk -t1 -c{conf.get('connections', '?')} -d{conf.get('duration_s', '?')}s, "
        f"median of {conf.get('reps', '?')} interleaved rounds; handshake = Connection: close",
        run.table(["figure", "server", "req/s", "CPU us/req", "note"], rows),
        "\nRatios (median of round-by-round ratios, range lowest-highest):",
    ]
    ratio_rows = []
    for name, value in section.get("ratios", {}).items():
        if value is None:
            ratio_rows.append([name, "n/a", ""])
        else:
            ratio_rows.append([name, f"{value['median']:.3f}", f"{value['min']:.3f}-{value['max']:.3f}"])
    lines.append(run.table(["ratio", "value", "range"], ratio_rows))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only")
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the section as JSON too")
    parser.add_argument("--no-upload", action="store_true", help="skip the 256 MiB upload")
    args = parser.parse_args()
    section = bench(args.only, args.duration, args.connections, args.reps, upload=not args.no_upload)
    print(report(section))
    if args.json:
        print(json.dumps(section, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
