"""A minimal HTTP/1.1 keep-alive client for the benchmarks: raw sockets and one selector.

Usage::

    python bench/raw_client.py drive PORT --requests N [--connections K] [--path /]
                                     [--warmup W] [--pause]
    python bench/raw_client.py hold PORT --connections C [--path /]

``drive`` sends exactly N GETs over K kept-alive connections, one request in flight
per connection, each answer read to its end (``Content-Length`` or chunked framing)
and checked for status 200. With ``--warmup W`` it first sends W requests over the
same connections. With ``--pause`` it prints ``warm`` after the warm-up and waits for
a line on stdin before the N measured requests, then prints its JSON result and waits
for stdin to close before closing the connections: the caller can read the server's
CPU time exactly around the measured requests, with no connect or close inside.

``hold`` opens C connections one after another, sends one GET on each, reads the
answer, prints ``{"held": C}`` and keeps every connection open and idle until stdin
closes (the soft limit on open files is raised to the hard limit first).

It runs in its own process so that its cost never shows in the server's figures,
and it does as little per request as it can (no header parsing beyond framing).
"""

from __future__ import annotations

import argparse
import json
import resource
import selectors
import socket
import sys
import time

RECV = 65536


class ProtocolError(Exception):
    """The server's answer was not a complete 200 response as expected."""


def request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def response_end(buf: bytes | bytearray) -> int:
    """The length of the first complete response in ``buf``, or 0 if it is not all there."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return 0
    if not buf.startswith(b"HTTP/1.1 200 "):
        raise ProtocolError(bytes(buf[:60]).decode(errors="replace"))
    head = bytes(buf[:head_end]).lower()
    body = head_end + 4
    at = head.find(b"\r\ncontent-length:")
    if at >= 0:
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop >= 0 else len(head)])
        return body + length if len(buf) >= body + length else 0
    if b"\r\ntransfer-encoding: chunked" not in head:
        raise ProtocolError("response has neither Content-Length nor chunked framing")
    pos = body
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return 0
        size = int(bytes(buf[pos:line_end]).split(b";", 1)[0], 16)
        if size == 0:
            # No trailers in these benchmarks: the last chunk is followed by one CRLF.
            end = line_end + 4
            return end if len(buf) >= end else 0
        pos = line_end + 2 + size + 2
        if len(buf) < pos:
            return 0


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class Driver:
    """K connections, one request in flight on each, until a requested count is answered."""

    def __init__(self, port: int, connections: int, path: str, timeout: float) -> None:
        self.request = request_bytes(path)
        self.timeout = timeout
        self.selector = selectors.DefaultSelector()
        self.socks = [connect(port) for _ in range(connections)]
        self.bufs: dict[socket.socket, bytearray] = {}
        for sock in self.socks:
            sock.setblocking(False)
            self.bufs[sock] = bytearray()
            self.selector.register(sock, selectors.EVENT_READ, sock)

    def run(self, count: int) -> float:
        """Send ``count`` requests and read every answer; returns the seconds it took."""
        t0 = time.perf_counter()
        deadline = t0 + self.timeout
        sent = done = 0
        for sock in self.socks[:count]:
            sock.send(self.request)  # a few dozen bytes into an empty socket buffer
            sent += 1
        while done < count:
            events = self.selector.select(max(0.0, deadline - time.perf_counter()))
            if not events:
                raise ProtocolError(f"timed out with {done} of {count} answered")
            for key, _ in events:
                sock = key.data
                data = sock.recv(RECV)
                if not data:
                    raise ProtocolError(f"server closed a connection after {done} answers")
                buf = self.bufs[sock]
                buf += data
                while end := response_end(buf):
                    del buf[:end]
                    done += 1
                    if sent < count:
                        sock.send(self.request)
                        sent += 1
        return time.perf_counter() - t0

    def close(self) -> None:
        for sock in self.socks:
            self.selector.unregister(sock)
            sock.close()
        self.selector.close()


def drive(args: argparse.Namespace) -> None:
    driver = Driver(args.port, args.connections, args.path, args.timeout)
    if args.warmup:
        driver.run(args.warmup)
    if args.pause:
        print("warm", flush=True)
        sys.stdin.readline()
    seconds = driver.run(args.requests)
    result = {
        "requests": args.requests,
        "connections": args.connections,
        "path": args.path,
        "seconds": seconds,
        "req_per_s": args.requests / seconds,
    }
    print(json.dumps(result), flush=True)
    if args.pause:
        sys.stdin.read()
    driver.close()


def raise_nofile(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        raise SystemExit(f"open-file hard limit {hard} is below the {wanted} needed")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def hold(args: argparse.Namespace) -> None:
    raise_nofile(args.connections + 64)
    request = request_bytes(args.path)
    held: list[socket.socket] = []
    for _ in range(args.connections):
        sock = connect(args.port)
        sock.sendall(request)
        buf = bytearray()
        while not response_end(buf):
            data = sock.recv(RECV)
            if not data:
                raise ProtocolError(f"server closed connection {len(held)} before answering")
            buf += data
        held.append(sock)
    print(json.dumps({"held": len(held)}), flush=True)
    sys.stdin.read()
    for sock in held:
        sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    d = sub.add_parser("drive", help="exactly N keep-alive requests over K connections")
    d.add_argument("port", type=int)
    d.add_argument("--requests", type=int, required=True)
    d.add_argument("--connections", type=int, default=50)
    d.add_argument("--path", default="/")
    d.add_argument("--warmup", type=int, default=0, help="requests sent before the measured ones")
    d.add_argument("--pause", action="store_true", help="wait for stdin around the measured part")
    d.add_argument("--timeout", type=float, default=120, help="seconds for each phase")
    h = sub.add_parser("hold", help="hold C idle keep-alive connections until stdin closes")
    h.add_argument("port", type=int)
    h.add_argument("--connections", type=int, default=2000)
    h.add_argument("--path", default="/")
    args = parser.parse_args()
    try:
        if args.mode == "drive":
            drive(args)
        else:
            hold(args)
    except (OSError, ProtocolError, ValueError) as exc:
        print(f"error: {exc!r}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
