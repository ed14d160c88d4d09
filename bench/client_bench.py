"""Client benchmark: sequential keep-alive requests/s against one server (Node's http server).

Usage: .venv/bin/python bench/client_bench.py [--count N] [--path /fixed] [--json]

Clients, each in its own process on the client CPU, one request at a time over one
kept-alive connection, reading the whole body: our ``http.get`` with a keep-alive
Agent, ``httpx.AsyncClient`` running on Trio, and Node's ``http.get`` with a
keep-alive Agent (the anchor). Figures are requests/s and ratios to ours.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = sys.executable
CLIENTS = ["ours", "httpx", "node"]


def pinned(cpu: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", cpu, *argv] if shutil.which("taskset") else argv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _run_ours(port: int, count: int, path: str) -> dict[str, Any]:
    import trio

    import trio_nodestreams as ns
    from trio_nodestreams import http

    async with ns.open_scope():
        agent = http.Agent(keep_alive=True, max_sockets=1)

        async def one() -> int:
            res = await http.get(host="127.0.0.1", port=port, path=path, agent=agent).response()
            n = 0
            async for chunk in res:
                n += len(chunk)
            return n

        for _ in range(min(200, count)):
            await one()
        t0 = time.perf_counter()
        for _ in range(count):
            await one()
        secs = time.perf_counter() - t0
        agent.destroy()
        await trio.sleep(0)
    return {"requests": count, "seconds": secs, "rps": count / secs}


async def _run_httpx(port: int, count: int, path: str) -> dict[str, Any]:
    import httpx

    url = f"http://127.0.0.1:{port}{path}"
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(min(200, count)):
            (await client.get(url)).read()
        t0 = time.perf_counter()
        for _ in range(count):
            r = await client.get(url)
            r.read()
        secs = time.perf_counter() - t0
    return {"requests": count, "seconds": secs, "rps": count / secs}


def run_client(name: str, port: int, count: int, path: str) -> dict[str, Any]:
    """Run one client in its own process; return its figures."""
    if name == "node":
        if not shutil.which("node"):
            return {"status": "n/a", "reason": "node not found"}
        argv = ["node", str(BENCH / "node_http_client.js"), str(port), str(count), path]
    else:
        argv = [PY, str(Path(__file__)), "--run", name, "--port", str(port), "--count", str(count), "--path", path]
    out = subprocess.run(pinned("1", argv), capture_output=True, text=True, cwd=ROOT, timeout=600)
    if out.returncode != 0:
        return {"status": "error", "reason": out.stderr[-500:]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench(count: int, path: str) -> dict[str, Any]:
    """Start Node's http server, run every client against it, return figures and ratios."""
    if not shutil.which("node"):
        return {"error": {"status": "n/a", "reason": "node not found (the server is Node's)"}}
    port = free_port()
    server = subprocess.Popen(
        pinned("0", ["node", str(BENCH / "node_http_server.js"), str(port)]),
        stdout=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        server.stdout.readline()
        results: dict[str, Any] = {name: run_client(name, port, count, path) for name in CLIENTS}
    finally:
        server.kill()
        server.wait()
    ours = results["ours"].get("rps")
    ratios = {}
    for name in ("httpx", "node"):
        other = results[name].get("rps")
        if ours and other:
            ratios[f"ours_vs_{name}"] = round(ours / other, 3)
    return {"path": path, "count": count, "clients": results, "ratios": ratios}


def report(section: dict[str, Any]) -> str:
    lines = [f"client: sequential keep-alive GET {section.get('path')} x {section.get('count')} against Node's server"]
    for name, row in section.get("clients", {}).items():
        rps = row.get("rps")
        lines.append(f"  {name:<6} {rps:10.0f} req/s" if rps else f"  {name:<6} {row.get('status')}: {row.get('reason', '')[:80]}")
    for k, v in section.get("ratios", {}).items():
        lines.append(f"  {k} = {v}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--path", default="/fixed")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--run", choices=["ours", "httpx"], help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        import trio

        fn = _run_ours if args.run == "ours" else _run_httpx
        print(json.dumps(trio.run(fn, args.port, args.count, args.path)))
        return 0
    section = bench(args.count, args.path)
    print(json.dumps(section, indent=2) if args.json else report(section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
