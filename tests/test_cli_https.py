"""The command line over TLS: ``serve --tls-cert --tls-key`` and ``get https://`` with
``--cacert`` / ``--insecure``, as real processes (certificates from tests/certs)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ._terminal import DEADLINE, ROOT, interrupt, lines_after_interrupt, spawn

SERVE = ["bin/serve"]
CERTS = ROOT / "tests" / "certs"
URL = re.compile(r"serving on (https://127\.0\.0\.1:(\d+)/)  \(Ctrl-C stops\)\r\n")


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE, check=False)


def test_serve_tls_and_get_https(tmp_path: Path) -> None:
    child = spawn([*SERVE, "serve", "--port", "0", "--tls-cert", str(CERTS / "server.pem"),
                   "--tls-key", str(CERTS / "server-key.pem")])  # fmt: skip
    child.expect(URL)
    port = child.match.group(2)
    url = f"https://localhost:{port}/"
    out = tmp_path / "page.txt"
    trusted = run([*SERVE, "get", url, "--cacert", str(CERTS / "ca.pem"), "-o", str(out)])
    untrusted = run([*SERVE, "get", url, "-o", str(tmp_path / "no")])
    insecure = run([*SERVE, "get", url, "--insecure"])
    # Two requests were served (the refused handshake never became one).
    child.expect(r'"GET / HTTP/1\.1" 200 [\d.]+ ms\r\n')
    child.expect(r'"GET / HTTP/1\.1" 200 [\d.]+ ms\r\n')
    status, after = interrupt(child)
    assert trusted.returncode == 0, trusted.stderr
    assert "/echo" in out.read_text() and f"https://127.0.0.1:{port}/" in out.read_text()
    assert untrusted.returncode == 2
    assert untrusted.stderr.splitlines() == [
        "get: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate"
    ]
    assert insecure.returncode == 0 and "/echo" in insecure.stdout
    assert status == 130
    assert lines_after_interrupt(after) == ["serve: interrupted"]


def test_tls_option_errors_are_one_line() -> None:
    alone = run([*SERVE, "serve", "--port", "0", "--tls-cert", str(CERTS / "server.pem")])
    missing = run([*SERVE, "serve", "--port", "0", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.pem"])
    wrong = run([*SERVE, "serve", "--port", "0", "--tls-cert", str(CERTS / "server.pem"),
                 "--tls-key", str(CERTS / "client-key.pem")])  # fmt: skip
    no_ca = run([*SERVE, "get", "https://localhost:1/", "--cacert", "/nonexistent.pem"])
    assert (alone.returncode, alone.stderr.splitlines()) == (2, ["serve: --tls-cert and --tls-key go together"])
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == ["serve: cannot read /nonexistent.pem: No such file or directory"]
    assert wrong.returncode == 2
    assert len(wrong.stderr.splitlines()) == 1 and wrong.stderr.startswith("serve: cannot use the TLS certificate or key")
    assert no_ca.returncode == 2
    assert no_ca.stderr.splitlines() == ["get: cannot read /nonexistent.pem: No such file or directory"]
