#!/usr/bin/env python3
"""Record the golden logs: run every tests/scenarios/**/*.js with real Node.

Usage:
    python scripts/record_goldens.py            # (re)write tests/golden/**/*.jsonl
    python scripts/record_goldens.py --check    # fail if Node's log differs from a golden
    python scripts/record_goldens.py PATTERN    # only scenarios whose name contains PATTERN

Each scenario is recorded twice; a scenario whose two runs differ is
nondeterministic and is reported as an error rather than kept. Beside the goldens,
tests/golden/parser-versions.json records the Node version and the llhttp version it
reports (written on every recording, compared by --check).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "scenarios"
GOLDEN = ROOT / "tests" / "golden"
VERSIONS = GOLDEN / "parser-versions.json"


def run(node: str, path: Path) -> str:
    proc = subprocess.run(
        [node, str(path)], cwd=path.parent, capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{path.relative_to(ROOT)} exited {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


def parser_versions(node: str) -> str:
    """Node's version and its llhttp's, as JSON: what the goldens were recorded with."""
    script = "console.log(JSON.stringify({node: process.version, llhttp: process.versions.llhttp}, null, 2))"
    return subprocess.run(
        [node, "-e", script], capture_output=True, text=True, timeout=60, check=True
    ).stdout


def record(node: str, path: Path) -> tuple[str, str | None, str]:
    name = str(path.relative_to(SCENARIOS).with_suffix(""))
    try:
        first, second = run(node, path), run(node, path)
    except Exception as exc:  # report every failing scenario, not just the first
        return name, None, str(exc)
    if first != second:
        return name, None, "nondeterministic: two runs differ"
    if not first.strip():
        return name, None, "logged nothing"
    return name, first, ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("pattern", nargs="?", default="")
    args = ap.parse_args()
    node = shutil.which("node")
    if node is None:
        print("record_goldens: node is not installed", file=sys.stderr)
        return 2
    paths = sorted(
        p for p in SCENARIOS.rglob("*.js") if "lib" not in p.relative_to(SCENARIOS).parts
        and args.pattern in str(p.relative_to(SCENARIOS))
    )
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for name, out, err in pool.map(lambda p: record(node, p), paths):
            target = GOLDEN / f"{name}.jsonl"
            if out is None:
                failures += 1
                print(f"FAIL {name}: {err}", file=sys.stderr)
            elif args.check:
                if not target.exists() or target.read_text() != out:
                    failures += 1
                    print(f"DIFF {name}: Node's log differs from {target.relative_to(ROOT)}",
                          file=sys.stderr)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(out)
    versions = parser_versions(node)
    if not args.check:
        VERSIONS.write_text(versions)
    elif not VERSIONS.exists() or VERSIONS.read_text() != versions:
        failures += 1
        print(f"DIFF parser versions: Node reports {versions.strip()!r}, "
              f"{VERSIONS.relative_to(ROOT)} differs", file=sys.stderr)
    goldens = {str(p.relative_to(GOLDEN).with_suffix("")) for p in GOLDEN.rglob("*.jsonl")}
    names = {str(p.relative_to(SCENARIOS).with_suffix("")) for p in SCENARIOS.rglob("*.js")}
    for orphan in sorted(goldens - names):
        if not args.pattern:
            failures += 1
            print(f"ORPHAN {orphan}: golden without a scenario", file=sys.stderr)
    print(f"{len(paths)} scenarios, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
