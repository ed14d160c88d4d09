#!/usr/bin/env python3
"""Record the golden logs: run every tests/scenarios/**/*.js with real Node.

Usage:
    python scripts/record_goldens.py            # (re)write tests/golden/**/*.jsonl
    python scripts/record_goldens.py --check    # fail if Node's log differs from a golden
    python scripts/record_goldens.py PATTERN    # only scenarios whose name contains PATTERN

Each scenario is recorded twice; a scenario whose two runs differ is
nondeterministic and is reported as an error rather than kept.

Beside the goldens, tests/golden/parser-versions.json names the parsers: the llhttp
Node reports (``process.versions.llhttp``) and the httptools release (with the llhttp
it bundles) that parses HTTP in this project. Recording writes it; ``--check`` fails
when either changed.

Every directory of tests/golden holds a file NODE_VERSION: one line, the
``node --version`` that recorded the directory's logs (the logs themselves stay
pure Node output, so every reader and ``--check`` compare them byte for byte).
Recording writes it. When the running Node differs from the one a directory
names, recording any scenario of that directory records all of them, so that
the file stays true for every log beside it. ``--check`` fails on a missing or
malformed NODE_VERSION and on a Node of another major version than the one
recorded; a newer patch or minor release only gets a note.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "scenarios"
GOLDEN = ROOT / "tests" / "golden"
VERSIONS = GOLDEN / "parser-versions.json"
VERSION_FILE = "NODE_VERSION"
VERSION_RE = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


def recorded_version(directory: Path) -> str | None:
    """The Node version named by ``directory/NODE_VERSION``, or None when absent or malformed."""
    path = directory / VERSION_FILE
    if not path.is_file():
        return None
    text = path.read_text()
    version = text.strip()
    if text != version + "\n" or not VERSION_RE.fullmatch(version):
        return None
    return version


def parser_versions(node: str) -> str:
    """The parsers the goldens and the library use, as JSON.

    Node's llhttp as Node reports it; httptools' version and its bundled llhttp as
    the parser module recognises it (httptools does not report it).
    """
    script = "console.log(JSON.stringify({node: process.version, llhttp: process.versions.llhttp}))"
    versions = json.loads(
        subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True).stdout
    )
    try:
        sys.path.insert(0, str(ROOT))
        from trio_nodestreams.http._parser import bundled_llhttp, httptools_version

        versions["httptools"] = httptools_version()
        versions["httptools_llhttp"] = bundled_llhttp()
    except ImportError:  # recording with a Python that lacks the project's dependencies
        versions["httptools"] = versions["httptools_llhttp"] = "unknown"
    return json.dumps(versions, indent=2) + "\n"


def major(version: str) -> int:
    m = VERSION_RE.fullmatch(version)
    assert m is not None, version
    return int(m.group(1))


def run(node: str, path: Path) -> str:
    proc = subprocess.run(
        [node, str(path)], cwd=path.parent, capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{path.relative_to(ROOT)} exited {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


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


def scenario_name(path: Path) -> str:
    return str(path.relative_to(SCENARIOS).with_suffix(""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("pattern", nargs="?", default="")
    args = ap.parse_args()
    node = shutil.which("node")
    if node is None:
        print("record_goldens: node is not installed", file=sys.stderr)
        return 2
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if not VERSION_RE.fullmatch(version):
        print(f"record_goldens: cannot read node's version from {version!r}", file=sys.stderr)
        return 2
    every = sorted(
        p for p in SCENARIOS.rglob("*.js") if "lib" not in p.relative_to(SCENARIOS).parts
    )
    paths = [p for p in every if args.pattern in str(p.relative_to(SCENARIOS))]
    if not args.check:
        # A directory recorded by another Node is recorded whole, so NODE_VERSION stays true.
        stale = {
            GOLDEN / Path(scenario_name(p)).parent
            for p in paths
            if recorded_version(GOLDEN / Path(scenario_name(p)).parent) != version
        }
        paths = [p for p in every if p in paths or GOLDEN / Path(scenario_name(p)).parent in stale]
    failures = 0
    written: set[Path] = set()
    failed: set[Path] = set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for name, out, err in pool.map(lambda p: record(node, p), paths):
            target = GOLDEN / f"{name}.jsonl"
            if out is None:
                failures += 1
                failed.add(target.parent)
                print(f"FAIL {name}: {err}", file=sys.stderr)
            elif args.check:
                if not target.exists() or target.read_text() != out:
                    failures += 1
                    print(
                        f"DIFF {name}: Node's log differs from {target.relative_to(ROOT)}",
                        file=sys.stderr,
                    )
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(out)
                written.add(target.parent)
    for directory in sorted(written - failed):
        if recorded_version(directory) != version:
            (directory / VERSION_FILE).write_text(version + "\n")
    for directory in sorted({GOLDEN / Path(scenario_name(p)).parent for p in paths}):
        shown = directory.relative_to(ROOT)
        recorded = recorded_version(directory)
        if recorded is None:
            failures += 1
            print(
                f"VERSION {shown}: no valid {VERSION_FILE} (one line such as v20.20.2); "
                f"record the directory to write it",
                file=sys.stderr,
            )
        elif major(recorded) != major(version):
            failures += 1
            print(
                f"VERSION {shown}: recorded by Node {recorded}, checked with {version}; "
                f"use Node {major(recorded)} or record the directory again",
                file=sys.stderr,
            )
        elif recorded != version:
            print(f"note: {shown} was recorded by Node {recorded}, checked with {version}")
    if not args.pattern:
        versions = parser_versions(node)
        if not args.check:
            VERSIONS.write_text(versions)
        elif not VERSIONS.exists() or VERSIONS.read_text() != versions:
            failures += 1
            print(
                f"DIFF parser versions: now {versions.strip()!r}, {VERSIONS.relative_to(ROOT)} differs",
                file=sys.stderr,
            )
    goldens = {str(p.relative_to(GOLDEN).with_suffix("")) for p in GOLDEN.rglob("*.jsonl")}
    names = {scenario_name(p) for p in SCENARIOS.rglob("*.js")}
    for orphan in sorted(goldens - names):
        if not args.pattern:
            failures += 1
            print(f"ORPHAN {orphan}: golden without a scenario", file=sys.stderr)
    print(f"{len(paths)} scenarios, {failures} problems (node {version})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
