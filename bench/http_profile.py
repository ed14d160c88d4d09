"""Per-request cost of one HTTP server, free of wall-clock noise: CPU time or instructions.

Usage::

    .venv/bin/python bench/http_profile.py                      # ours, CPU us per request
    .venv/bin/python bench/http_profile.py --server httptools_bare
    .venv/bin/python bench/http_profile.py --server "node bench/node_http_server.js {port}"
    .venv/bin/python bench/http_profile.py --callgrind          # instructions per request
    .venv/bin/python bench/http_profile.py --path /chunked --requests 50000 --repeat 5

The server (``bench/ours_http_server.py`` unless ``--server`` names another: a name from
``bench/run.py``'s server table, or a command with ``{port}``) runs pinned to CPU 0 with
``PYTHONHASHSEED=0``. A minimal client (``bench/raw_client.py``) in a separate process
pinned to CPU 1 sends exactly N keep-alive GETs over K connections, one request in
flight per connection, so that none of the client's work is in the server's figures.

Default mode (no profiler): the client first sends a warm-up (N/10 requests over the
same connections), then the server's user + system CPU time is read from
``/proc/PID/stat`` around exactly N requests: the figure is server CPU us per request
(median over ``--repeat`` runs), plus the server's context switches per request (how
often it went to sleep: fewer means more requests per wake-up).

``--callgrind``: the server runs under ``valgrind --tool=callgrind``, twice: once for
N requests (default 2000) and once for N/10; each run's total instruction count (Ir)
includes start-up, the readiness probe, one check request per route and shut-down, the
same in both runs, so (Ir(N) - Ir(N/10)) / (N - N/10) is the instruction count of one
request. The default is one connection (K=1), so that every request is one read and one
write whatever the timing; with K > 1 the count depends on how requests batch. The
output files stay in ``--out-dir`` for ``callgrind_annotate``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import run
from run import BENCH, CLIENT_CPU, HTTP_SERVERS, PY, ROOT, pinned

CLIENT = BENCH / "raw_client.py"


def server_command(spec: str) -> tuple[list[str], Path, str]:
    """(argv template, cwd, label) for a server name from run.HTTP_SERVERS or a command."""
    if spec in HTTP_SERVERS:
        return list(HTTP_SERVERS[spec].argv), HTTP_SERVERS[spec].cwd, spec
    argv = shlex.split(spec)
    if not any("{port}" in a for a in argv):
        raise SystemExit(
            f"--server: {spec!r} is neither a known server nor a command with {{port}}"
        )
    return argv, ROOT, Path(argv[1] if len(argv) > 1 else argv[0]).stem


def server_env() -> dict[str, str]:
    # A fixed hash seed makes dict and set layouts, and so instruction counts, repeatable.
    return {**os.environ, "PYTHONHASHSEED": "0"}


def context_switches(pid: int) -> int | None:
    total = 0
    for field in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return None
        m = re.search(rf"^{field}:\s+(\d+)", text, re.M)
        if not m:
            return None
        total += int(m.group(1))
    return total


def client_argv(port: int, args: argparse.Namespace, requests: int, *extra: str) -> list[str]:
    return pinned(
        CLIENT_CPU,
        [
            PY, str(CLIENT), "drive", str(port), "--requests", str(requests),
            "--connections", str(args.connections), "--path", args.path, *extra,
        ],
    )  # fmt: skip


def fail(what: str, client: subprocess.Popen[str]) -> dict[str, Any]:
    client.kill()
    _, err = client.communicate()
    return {"status": "error", "reason": f"{what}: {(err or '').strip()[-300:] or 'no output'}"}


def measure_cpu(
    proc: subprocess.Popen[bytes], port: int, args: argparse.Namespace
) -> dict[str, Any]:
    """One client run: warm-up, then the server's CPU time around exactly N requests."""
    warmup = max(args.connections, args.requests // 10)
    argv = client_argv(
        port, args, args.requests, "--warmup", str(warmup), "--pause", "--timeout", "300"
    )
    client = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert client.stdin is not None and client.stdout is not None
    if run.read_line(client.stdout, 330).strip() != "warm":
        return fail("warm-up failed", client)
    cpu0, ctx0 = run.proc_cpu_seconds(proc.pid), context_switches(proc.pid)
    client.stdin.write("go\n")
    client.stdin.flush()
    line = run.read_line(client.stdout, 330)
    cpu1, ctx1 = run.proc_cpu_seconds(proc.pid), context_switches(proc.pid)
    if not line.startswith("{"):
        return fail("measured run failed", client)
    client.stdin.close()
    client.wait(60)
    if None in (cpu0, cpu1, ctx0, ctx1) or proc.poll() is not None:
        return {"status": "error", "reason": "the server exited during the run"}
    assert cpu0 is not None and cpu1 is not None and ctx0 is not None and ctx1 is not None
    result = json.loads(line)
    return {
        "status": "ok",
        "cpu_s": cpu1 - cpu0,
        "cpu_us_per_req": (cpu1 - cpu0) / args.requests * 1e6,
        "switches_per_req": (ctx1 - ctx0) / args.requests,
        "client_req_per_s": result["req_per_s"],
    }


def cpu_mode(args: argparse.Namespace) -> dict[str, Any]:
    argv, cwd, label = server_command(args.server)
    runs: list[dict[str, Any]] = []
    with run.server_process(argv, cwd, env=server_env()) as (proc, port, reason):
        if proc is None:
            return {"server": label, "status": "error", "reason": reason}
        if bad := run.check_route(port, args.path):
            return {"server": label, "status": "error", "reason": bad}
        for i in range(args.repeat):
            row = measure_cpu(proc, port, args)
            runs.append(row)
            if row["status"] != "ok":
                return {"server": label, **row}
            print(
                f"  run {i + 1}/{args.repeat}: {row['cpu_us_per_req']:.1f} us CPU/req, "
                f"{row['switches_per_req']:.3f} context switches/req, "
                f"client saw {row['client_req_per_s']:.0f} req/s",
                file=sys.stderr,
                flush=True,
            )
    cpu = [r["cpu_us_per_req"] for r in runs]
    return {
        "server": label,
        "status": "ok",
        "mode": "cpu",
        "path": args.path,
        "requests": args.requests,
        "connections": args.connections,
        "cpu_us_per_req": statistics.median(cpu),
        "cpu_us_per_req_min": min(cpu),
        "cpu_us_per_req_max": max(cpu),
        "switches_per_req": statistics.median([r["switches_per_req"] for r in runs]),
        "clock_tick_s": 1 / run.CLOCK_TICKS,
        "runs": runs,
    }


def callgrind_total(path: Path) -> int | None:
    """The Ir total of a callgrind output file ('totals:' or 'summary:' line)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    m = re.search(r"^(?:totals|summary):\s+(\d+)", text, re.M)
    return int(m.group(1)) if m else None


def callgrind_run(
    argv: list[str], cwd: Path, out: Path, requests: int, args: argparse.Namespace
) -> str:
    """Run the server under callgrind for exactly ``requests`` requests; '' or the failure."""
    prefix = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    with run.server_process(
        argv, cwd, prefix=prefix, env=server_env(), ready_timeout=600, stop_grace=300
    ) as (proc, port, reason):
        if proc is None:
            return reason
        if bad := run.check_route(port, args.path):
            return bad
        client = subprocess.run(
            client_argv(port, args, requests, "--timeout", "1800"),
            capture_output=True,
            text=True,
            timeout=1900,
        )
        if client.returncode != 0:
            return f"client: {client.stderr.strip()[-300:]}"
    return ""


def callgrind_mode(args: argparse.Namespace) -> dict[str, Any]:
    argv, cwd, label = server_command(args.server)
    if not shutil.which("valgrind"):
        return {"server": label, "status": "n/a", "reason": "valgrind not found"}
    out_dir = Path(args.out_dir or tempfile.mkdtemp(prefix="http_profile."))
    out_dir.mkdir(parents=True, exist_ok=True)
    small = max(1, args.requests // 10)
    totals: dict[int, int] = {}
    files: dict[int, str] = {}
    for count in (small, args.requests):
        out = out_dir / f"callgrind.{label}.{count}.out"
        out.unlink(missing_ok=True)
        print(f"  callgrind: {label}, {count} requests -> {out}", file=sys.stderr, flush=True)
        if bad := callgrind_run(argv, cwd, out, count, args):
            return {"server": label, "status": "error", "reason": bad}
        total = callgrind_total(out)
        if total is None:
            return {"server": label, "status": "error", "reason": f"no totals in {out}"}
        totals[count], files[count] = total, str(out)
    per_req = (totals[args.requests] - totals[small]) / (args.requests - small)
    return {
        "server": label,
        "status": "ok",
        "mode": "callgrind",
        "path": args.path,
        "connections": args.connections,
        "requests": [small, args.requests],
        "ir_total": [totals[small], totals[args.requests]],
        "ir_per_req": per_req,
        "files": [files[small], files[args.requests]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server",
        default="ours",
        help=f"one of {', '.join(HTTP_SERVERS)}, or a command with {{port}} (default: ours)",
    )
    parser.add_argument("--path", default="/", help="request path (default /)")
    parser.add_argument(
        "--requests", type=int, help="N measured requests (default 20000; 2000 with --callgrind)"
    )
    parser.add_argument(
        "--connections", type=int, help="K keep-alive connections (default 50; 1 with --callgrind)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="CPU runs, median kept (default 3)")
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead")
    parser.add_argument("--out-dir", help="where callgrind files go (default: a new temp dir)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    if args.requests is None:
        args.requests = 2000 if args.callgrind else 20000
    if args.connections is None:
        args.connections = 1 if args.callgrind else 50
    if args.requests < 10:
        parser.error("--requests must be at least 10")

    result = callgrind_mode(args) if args.callgrind else cpu_mode(args)
    if args.json:
        print(json.dumps(result, indent=2))
    elif result["status"] != "ok":
        print(f"{result['server']}: {result['status']}: {result['reason']}")
    elif result["mode"] == "cpu":
        print(
            f"{result['server']} {result['path']}: {result['cpu_us_per_req']:.1f} us server CPU "
            f"per request (median of {len(result['runs'])}, range "
            f"{result['cpu_us_per_req_min']:.1f}-{result['cpu_us_per_req_max']:.1f}; "
            f"{result['requests']} requests over {result['connections']} connections), "
            f"{result['switches_per_req']:.3f} context switches per request"
        )
    else:
        small, big = result["requests"]
        print(
            f"{result['server']} {result['path']}: {result['ir_per_req']:,.0f} instructions per "
            f"request ((Ir {result['ir_total'][1]:,} - {result['ir_total'][0]:,}) / "
            f"({big} - {small}) requests over {result['connections']} connection(s))"
        )
        print("files (callgrind_annotate FILE):", *result["files"])
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
