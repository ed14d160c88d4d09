"""Cluster benchmark: ``serve --workers 2`` against ``serve --workers 1``, req/s on ``/``, in one run.

Usage: .venv/bin/python bench/cluster_bench.py [--duration S] [--connections C] [--reps R] [--json]

Both servers (the demo server of ``python -m trio_nodestreams serve --quiet``, a
supervisor and its workers) are up at once; wrk (-t1) runs against each in turn,
R interleaved rounds, medians reported. Nothing is pinned: the workers may use
both cores, and so may wrk, which shares them (on a 2-core machine the ratio is
bounded by what the load generator leaves). For each run: req/s, the CPU seconds
of the server side (supervisor + workers, from /proc) and of wrk (from rusage),
as cores used over the run, and the server's CPU time per request; and the
resident memory of each worker and of the supervisor after the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss(pid: int) -> int:
    m = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(m.group(1)) * 1024 if m else 0


class Cluster:
    """``serve --workers N`` on a free port: the supervisor's pid, its workers' pids, the port."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.proc = subprocess.Popen(
            [PY, "-m", "trio_nodestreams", "serve", "--port", "0", "--quiet", "--workers", str(workers)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.pids: dict[int, int] = {}
        self.port = 0
        deadline = time.monotonic() + 60
        assert self.proc.stdout is not None
        while not self.port or len(self.pids) < workers:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"--workers {workers} did not start")
            line = self.proc.stdout.readline()
            if m := re.search(r"worker (\d+) ready \(pid (\d+)\)", line):
                self.pids[int(m[1])] = int(m[2])
            if m := re.search(r"serving on http://127\.0\.0\.1:(\d+)/", line):
                self.port = int(m[1])

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid) + sum(cpu_seconds(pid) for pid in self.pids.values())

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def wrk(port: int, duration: float, connections: int) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "2s", f"http://127.0.0.1:{port}/"],
        capture_output=True,
        text=True,
        timeout=duration + 30,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    n = re.search(r"(\d+) requests in", out.stdout)
    if out.returncode != 0 or not m or not n or "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
        return {"status": "error", "reason": (out.stderr or out.stdout).strip()[-300:]}
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"status": "ok", "req_per_s": float(m[1]), "requests": int(n[1]), "client_cpu_s": client_cpu}


def bench(duration: float = 5, connections: int = 50, reps: int = 3) -> dict[str, Any]:
    if not shutil.which("wrk"):
        return {"status": "error", "reason": "wrk not found"}
    load_before = os.getloadavg()[0]
    clusters = {1: Cluster(1), 2: Cluster(2)}
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    try:
        for c in clusters.values():
            wrk(c.port, 1, connections)  # warm-up: imports, caches
        for _ in range(reps):
            for n, c in clusters.items():
                before = c.cpu()
                started = time.monotonic()
                row = wrk(c.port, duration, connections)
                wall = time.monotonic() - started
                if row["status"] == "ok":
                    row["server_cpu_s"] = round(c.cpu() - before, 3)
                    row["server_cores"] = round(row["server_cpu_s"] / wall, 2)
                    row["server_cpu_us_per_req"] = round(row["server_cpu_s"] / row["requests"] * 1e6, 1)
                    row["client_cores"] = round(row["client_cpu_s"] / wall, 2)
                runs[n].append(row)
        memory = {
            n: {
                "worker_rss_mib": [round(rss(pid) / 2**20, 1) for pid in c.pids.values()],
                "supervisor_rss_mib": round(rss(c.proc.pid) / 2**20, 1),
            }
            for n, c in clusters.items()
        }
    finally:
        statuses = {n: c.stop() for n, c in clusters.items()}
    section: dict[str, Any] = {
        "duration_s": duration,
        "connections": connections,
        "reps": reps,
        # Other programs' load on the same cores, for judging the figures.
        "loadavg_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    for n in (1, 2):
        ok = [r for r in runs[n] if r["status"] == "ok"]
        key = f"workers_{n}"
        if len(ok) != len(runs[n]) or not ok:
            bad = [r for r in runs[n] if r["status"] != "ok"]
            section[key] = {"status": "error", "reason": bad[0]["reason"] if bad else "no run"}
            continue
        section[key] = {
            "status": "ok",
            "req_per_s": statistics.median(r["req_per_s"] for r in ok),
            "server_cores": statistics.median(r["server_cores"] for r in ok),
            "client_cores": statistics.median(r["client_cores"] for r in ok),
            "server_cpu_us_per_req": statistics.median(r["server_cpu_us_per_req"] for r in ok),
            "runs_req_per_s": [r["req_per_s"] for r in ok],
            **memory[n],
            "exit_status": statuses[n],
        }
    one, two = section.get("workers_1", {}), section.get("workers_2", {})
    if one.get("status") == "ok" and two.get("status") == "ok":
        per_round = [b["req_per_s"] / a["req_per_s"] for a, b in zip(runs[1], runs[2], strict=True)]
        section["ratio_2_to_1"] = {
            "status": "ok",
            "median": round(statistics.median(per_round), 2),
            "per_round": [round(r, 2) for r in per_round],
        }
    return section


def report(section: dict[str, Any]) -> str:
    lines = [
        f"cluster: wrk -t1 -c{section.get('connections')} on / of `serve --workers N`, "
        f"{section.get('reps')} interleaved rounds of {section.get('duration_s')} s, medians "
        f"(1-min load average before/after: {section.get('loadavg_1min')})"
    ]
    for n in (1, 2):
        row = section.get(f"workers_{n}", {})
        if row.get("status") != "ok":
            lines.append(f"  --workers {n}: {row.get('status')}: {str(row.get('reason', ''))[:100]}")
            continue
        lines.append(
            f"  --workers {n}: {row['req_per_s']:9.0f} req/s   server {row['server_cores']:.2f} cores "
            f"({row['server_cpu_us_per_req']:.0f} us CPU/req), "
            f"wrk {row['client_cores']:.2f} cores   RSS per worker {row['worker_rss_mib']} MiB, "
            f"supervisor {row['supervisor_rss_mib']} MiB"
        )
    if ratio := section.get("ratio_2_to_1"):
        lines.append(f"  req/s ratio 2 workers / 1 worker: {ratio['median']} (per round {ratio['per_round']})")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    section = bench(args.duration, args.connections, args.reps)
    print(json.dumps(section, indent=2) if args.json else report(section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
