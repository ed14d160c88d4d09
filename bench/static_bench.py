"""``serve DIR`` against nginx, ``python -m http.server`` and Node's ``http-server``, in one run.

The ``static`` section of ``bench/run.py`` (``.venv/bin/python bench/run.py static``).
All servers serve the same directory and are up at once; rounds are interleaved
(A B C D, D C B A, ...) and every ratio is taken within a round, the median over
rounds reported:

- req/s for a 1 KiB text file (wrk -t1 -c50, keep-alive where the server keeps it),
  without and with ``Accept-Encoding: gzip``;
- MB/s for a 256 MiB text file (curl to /dev/null; the file's size over curl's
  total time, so a compressed transfer is credited with the bytes it stands for),
  without and with gzip. 256 MiB rather than 1 GiB keeps a run bounded on a shared
  machine; the file is read from the page cache after the first round.

Two anchors of ours take part in the small-file rows: the same handler with the bytes
read in its planning call instead of piped from a read stream
(bench/static_inline_server.py), and our HTTP server answering the same 1 KiB from
memory (bench/static_ceiling_server.py): what the read stream costs, and what any file
server on this HTTP core can reach.

Servers pinned to CPU 0, clients to CPU 1. ours is the CLI itself
(``python -m trio_nodestreams serve DIR -q``, gzip level 6, as Node's zlib default);
nginx: one worker, ``sendfile on``, ``gzip_comp_level 6`` for ``text/plain``, no
access log; ``python -m http.server`` (HTTP/1.0, a thread per connection, no
compression: its "gzip" rows are identity responses, and say so); Node's
``http-server`` (npm, installed into a cache directory when npm can fetch it;
compression only from precompressed files, so no gzip rows either).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import run as R

SMALL_BYTES = 1024
LARGE_BYTES = 256 * 1024 * 1024
WORK = Path(tempfile.gettempdir()) / "trio_nodestreams_bench_static"
NPM_DIR = Path(tempfile.gettempdir()) / "trio_nodestreams_bench_npm"
HTTP_SERVER_VERSION = "14.1.1"
SERVERS = ["ours", "ours_inline", "ours_ceiling", "nginx", "python_http_server", "node_http_server"]
#: Servers that compress on the fly (the others answer identity to Accept-Encoding: gzip).
GZIP_SERVERS = {"ours", "nginx"}
#: Servers that take part in the small-file rows only.
SMALL_ONLY = {"ours_ceiling", "ours_inline"}
RATIOS = [
    ("ours", "python_http_server"),
    ("ours", "nginx"),
    ("ours", "node_http_server"),
    ("ours", "ours_ceiling"),
    ("ours_inline", "python_http_server"),
    ("ours_ceiling", "ours_inline"),
    ("ours_ceiling", "python_http_server"),
]

NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    types {{ text/plain txt; }}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    gzip on;
    gzip_comp_level 6;
    gzip_types text/plain;
    gzip_min_length 256;
    server {{
        listen 127.0.0.1:@PORT@;
        root {root};
        autoindex on;
    }}
}}
"""


def make_site() -> Path:
    """The served directory: small.txt (1 KiB) and large.txt (256 MiB), both text, made once."""
    root = WORK / "site"
    root.mkdir(parents=True, exist_ok=True)
    small = root / "small.txt"
    if not small.exists() or small.stat().st_size != SMALL_BYTES:
        line = b"a line of text in a small file, for the small-file benchmark.\n"
        small.write_bytes((line * (SMALL_BYTES // len(line) + 1))[:SMALL_BYTES])
    large = root / "large.txt"
    if not large.exists() or large.stat().st_size != LARGE_BYTES:
        # Lines like a web server's log: text that gzip -6 shrinks several times, with enough
        # variety that the compressor has real work to do.
        block = b"".join(
            b"127.0.0.%d - - [30/Nov/2026:07:%02d:%02d +0000] \"GET /static/%s/%d.js HTTP/1.1\" %d %d\n"
            % (i % 250, i % 60, (i * 7) % 60, os.urandom(3).hex().encode(), i % 9973, (200, 304, 404)[i % 3], (i * 7919) % 65536)
            for i in range(16384)
        )
        with large.open("wb") as f:
            written = 0
            while written < LARGE_BYTES:
                piece = block[: LARGE_BYTES - written]
                f.write(piece)
                written += len(piece)
    return root


def node_http_server() -> str | None:
    """The http-server program, installed from npm into a cache directory; None if it cannot be."""
    binary = NPM_DIR / "node_modules" / ".bin" / "http-server"
    if binary.exists():
        return str(binary)
    if not shutil.which("npm") or not shutil.which("node"):
        return None
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NPM_DIR), f"http-server@{HTTP_SERVER_VERSION}"],
            capture_output=True,
            timeout=180,
            check=True,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    return str(binary) if binary.exists() else None


def argv_for(name: str, root: Path, scratch: Path) -> list[str] | str:
    """The server's argv ({port} filled in later), or why it cannot run."""
    if name == "ours":
        return [R.PY, "-m", "trio_nodestreams", "serve", str(root), "--port", "{port}", "-q"]
    if name == "ours_inline":
        return [R.PY, str(R.BENCH / "static_inline_server.py"), "{port}", str(root)]
    if name == "ours_ceiling":
        return [R.PY, str(R.BENCH / "static_ceiling_server.py"), "{port}", str(root / "small.txt")]
    if name == "python_http_server":
        return [R.PY, "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory", str(root)]
    if name == "nginx":
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if nginx is None:
            return "n/a: nginx not found"
        template = scratch / "nginx.conf.template"
        template.write_text(NGINX_CONF.format(dir=scratch, root=root))
        conf = scratch / "nginx.conf"
        # The port is known only when the server starts: write it into the configuration then.
        script = f'sed "s/@PORT@/$0/" {template} > {conf} && exec {nginx} -c {conf} -p {scratch} -e {scratch}/error.log'
        return ["sh", "-c", script, "{port}"]
    if name == "node_http_server":
        binary = node_http_server()
        if binary is None:
            return "n/a: http-server could not be installed from npm"
        return ["node", binary, str(root), "-p", "{port}", "-a", "127.0.0.1", "-s", "-c-1"]
    raise ValueError(name)


def start(stack: ExitStack, name: str, root: Path, scratch: Path) -> tuple[Any, int, str]:
    argv = argv_for(name, root, scratch)
    if isinstance(argv, str):
        return None, 0, argv
    proc, port, reason = stack.enter_context(R.server_process(argv, R.ROOT))
    return proc, port, reason


def check(port: int, gzip_wanted: bool) -> tuple[str, str]:
    """GET /small.txt once; return (problem or '', the Content-Encoding answered)."""
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/small.txt", headers={"Accept-Encoding": "gzip"} if gzip_wanted else {})
        resp = conn.getresponse()
        body = resp.read()
        coding = resp.getheader("content-encoding") or ""
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        return f"error: {exc!r}", ""
    if resp.status != 200:
        return f"error: status {resp.status}", coding
    if coding == "gzip":
        body = gzip.decompress(body)
    expected = (WORK / "site" / "small.txt").read_bytes()
    return ("" if body == expected else "error: wrong body"), coding


def wrk(port: int, duration: float, connections: int, gzip_wanted: bool) -> dict[str, Any]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "2s", "--latency"]
    if gzip_wanted:
        argv += ["-H", "Accept-Encoding: gzip"]
    argv.append(f"http://127.0.0.1:{port}/small.txt")
    try:
        out = subprocess.run(R.pinned(R.CLIENT_CPU, argv), capture_output=True, text=True, timeout=duration + 30)
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": "wrk timed out"}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    if out.returncode != 0 or not m:
        return {"status": "error", "reason": (out.stderr or out.stdout).strip()[-300:]}
    row: dict[str, Any] = {"status": "ok", "req_per_s": float(m.group(1))}
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout):
        row.update(status="error", reason=f"{bad.group(1)} non-2xx responses")
    if e := re.search(r"Socket errors: (.*)", out.stdout):
        row["socket_errors"] = e.group(1).strip()
    if p := re.search(r"^\s+99%\s+(\S+)", out.stdout, re.M):
        row["latency_p99_ms"] = R._ms(p.group(1))
    return row


def curl_large(port: int, gzip_wanted: bool) -> dict[str, Any]:
    argv = ["curl", "-sS", "--max-time", "120", "-o", os.devnull,
            "-w", "%{http_code} %{size_download} %{time_total}"]  # fmt: skip
    if gzip_wanted:
        argv += ["-H", "Accept-Encoding: gzip"]  # not --compressed: the client does not inflate
    argv.append(f"http://127.0.0.1:{port}/large.txt")
    try:
        out = subprocess.run(R.pinned(R.CLIENT_CPU, argv), capture_output=True, text=True, timeout=130)
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": "curl timed out"}
    parts = out.stdout.split()
    if out.returncode != 0 or len(parts) != 3 or parts[0] != "200":
        return {"status": "error", "reason": (out.stderr.strip() or out.stdout.strip())[-300:]}
    size, seconds = int(parts[1]), float(parts[2])
    if not gzip_wanted and size != LARGE_BYTES:
        return {"status": "error", "reason": f"{size} bytes received"}
    return {"status": "ok", "seconds": seconds, "wire_bytes": size, "mb_per_s": LARGE_BYTES / seconds / 1e6}


KINDS = {
    "small": ("req_per_s", False),
    "small_gzip": ("req_per_s", True),
    "large": ("mb_per_s", False),
    "large_gzip": ("mb_per_s", True),
}


def bench(duration: float = 3, reps: int = 2, connections: int = 50) -> dict[str, Any]:
    """Run every server and figure; return the section's results (rows, rounds, ratios)."""
    root = make_site()
    rounds: list[dict[str, dict[str, Any]]] = []
    rows: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    with ExitStack() as stack:
        running: dict[str, int] = {}
        for name in SERVERS:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"static-{name}-")))
            proc, port, reason = start(stack, name, root, scratch)
            if proc is None:
                for kind in KINDS:
                    rows[kind][name] = {"status": reason.split(":")[0] or "error", "reason": reason or "not listening"}
                print(f"  {name}: {reason or 'not listening'}", flush=True)
                continue
            running[name] = port
        for kind, (_key, gz) in KINDS.items():
            for name, port in running.items():
                problem, coding = check(port, gz)
                if problem:
                    rows[kind][name] = {"status": "error", "reason": problem}
                elif name in SMALL_ONLY and not kind.startswith("small"):
                    rows[kind][name] = {"status": "-", "reason": "small file only"}
                elif gz and name in SMALL_ONLY:
                    rows[kind][name] = {"status": "-", "reason": "no compression"}
                elif gz and name not in GZIP_SERVERS:
                    rows[kind][name] = {"status": "identity", "reason": "no on-the-fly compression"}
                elif gz and coding != "gzip":
                    rows[kind][name] = {"status": "error", "reason": f"answered {coding or 'identity'}"}
        # Warm the page cache with the large file once.
        if running:
            curl_large(next(iter(running.values())), False)
        order = list(running)
        for r in range(reps):
            this_round: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
            for name in order if r % 2 == 0 else list(reversed(order)):
                port = running[name]
                for kind, (key, gz) in KINDS.items():
                    if rows[kind].get(name, {}).get("status") in ("error", "identity", "-"):
                        continue
                    row = wrk(port, duration, connections, gz) if kind.startswith("small") else curl_large(port, gz)
                    this_round[kind][name] = row
                    print(f"  round {r + 1} {name:<20} {kind:<11} {R.fmt_rate(row, key)}", flush=True)
            rounds.append(this_round)
    for kind, (key, _) in KINDS.items():
        for name in SERVERS:
            if name in rows[kind]:
                continue
            runs = [rd[kind][name] for rd in rounds if name in rd[kind]]
            ok = [x for x in runs if x.get("status") == "ok"]
            if not ok or len(ok) != len(runs):
                bad = [x for x in runs if x.get("status") != "ok"]
                rows[kind][name] = {"status": "error", "reason": bad[0].get("reason", "?") if bad else "no runs"}
                continue
            rows[kind][name] = {"status": "ok", key: statistics.median(x[key] for x in ok), "runs": [x[key] for x in ok]}
    ratios: dict[str, Any] = {}
    for kind, (key, _) in KINDS.items():
        for a, b in RATIOS:
            values = [
                rd[kind][a][key] / rd[kind][b][key]
                for rd in rounds
                if rd[kind].get(a, {}).get("status") == "ok" and rd[kind].get(b, {}).get("status") == "ok"
            ]
            if values:
                ratios[f"{kind}: {a} / {b}"] = {
                    "median": statistics.median(values),
                    "low": min(values),
                    "high": max(values),
                }
    return {**rows, "ratios": ratios, "measured": R.now(), "reps": reps, "duration": duration}


def report(section: dict[str, Any]) -> str:
    """The section as Markdown tables."""
    names = {
        "ours": "ours (`serve DIR`)",
        "ours_inline": "ours, bytes read in the planning call (no read stream)",
        "ours_ceiling": "ours, 1 KiB from memory (no file system: the ceiling)",
        "nginx": "nginx (sendfile)",
        "python_http_server": "`python -m http.server`",
        "node_http_server": "Node `http-server` (npm)",
    }
    lines = [
        "| server | 1 KiB req/s | 1 KiB req/s, gzip | 256 MiB MB/s | 256 MiB MB/s, gzip |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in SERVERS:
        cells = []
        for kind, (key, _) in KINDS.items():
            row = section.get(kind, {}).get(name)
            if not row:
                cells.append("-")
            elif row.get("status") == "ok":
                cells.append(R.fmt_rate(row, key))
            else:
                cells.append(str(row.get("status")) + (f" ({row['reason']})" if row.get("status") == "n/a" else ""))
        lines.append(f"| {names[name]} | " + " | ".join(cells) + " |")
    lines += ["", "| same-run ratio | median | lowest-highest round |", "| --- | --- | --- |"]
    for label, r in section.get("ratios", {}).items():
        lines.append(f"| {label} | **{r['median']:.2f}** | {r['low']:.2f}-{r['high']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import json
    import sys

    result = bench(float(sys.argv[1]) if len(sys.argv) > 1 else 3, int(sys.argv[2]) if len(sys.argv) > 2 else 2)
    print(json.dumps(result, indent=1))
    print(report(result))
