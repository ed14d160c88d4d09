"""A directory tree to serve in the static file server's tests, with a secret outside it."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli

#: Bytes that exist only outside the served root: no response may ever contain them.
MARKER = b"SECRET-OUTSIDE-THE-ROOT-7f3a9c"

#: Awkward names a listing must escape and a client must be able to fetch.
ODD_NAMES = ["<img src=x onerror=alert(1)>.txt", "sp ace.txt", "a&b<c>.txt", "\u00e9t\u00e9 \u2603.txt", "50%.txt", "q?uery#frag.txt", "'quote\".txt"]


def make_tree(base: Path) -> Path:
    """Create ``base/www`` (returned) and, beside it, the secret files it must never serve."""
    root = base / "www"
    root.mkdir()
    (base / "secret.txt").write_bytes(MARKER + b"\n")
    (base / "secretdir").mkdir()
    (base / "secretdir" / "inside.txt").write_bytes(MARKER + b" in a directory\n")
    (root / "hello.txt").write_bytes(b"hello, world\n")
    (root / "page.html").write_bytes(b"<!doctype html><title>page</title><p>a page</p>\n")
    (root / "big.txt").write_bytes(b"".join(b"line %06d of a text file\n" % i for i in range(20000)))
    (root / "data.bin").write_bytes(os.urandom(300_000))
    (root / "empty.txt").write_bytes(b"")
    css = b"body { color: #333; }\n" * 40
    (root / "style.css").write_bytes(css)
    (root / "style.css.gz").write_bytes(gzip.compress(b"/* precompressed */\n" + css))
    (root / "style.css.br").write_bytes(brotli.compress(b"/* precompressed, br */\n" + css))
    stale = root / "old.txt"
    stale.write_bytes(b"fresh text, newer than its .gz\n" * 20)
    (root / "old.txt.gz").write_bytes(gzip.compress(b"STALE\n"))
    os.utime(root / "old.txt.gz", ns=(1_000_000_000, 1_000_000_000))
    (root / ".hidden").write_bytes(b"a dotfile\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_bytes(b"[core]\n")
    sub = root / "sub dir"
    sub.mkdir()
    for name in ODD_NAMES:
        (sub / name).write_bytes(f"contents of {name}\n".encode())
    (sub / "deeper").mkdir()
    (sub / "deeper" / "leaf.bin").write_bytes(os.urandom(70_000))
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_bytes(b"<h1>the site</h1>\n")
    # Links: one that stays inside the root, three that leave it.
    (root / "inner-link.txt").symlink_to("hello.txt")
    (root / "escape.txt").symlink_to(base / "secret.txt")
    (root / "escape-rel.txt").symlink_to("../secret.txt")
    (root / "escape-dir").symlink_to(base / "secretdir")
    return root
