"""Packaging: the licence, the single version, and a plain ``pip install .`` that serves.

The install test builds the package into a new virtual environment from a copy
of this tree (as a user's ``pip install path/to/trio_nodestreams`` would), so it
needs the package index that installs trio and attrs; CI has it.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx

import trio_nodestreams as ns

from ._terminal import DEADLINE, ROOT, first_line

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_license_file_and_spdx_expression() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"  # an SPDX expression, not the deprecated table
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))


def test_version_is_defined_once() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "trio_nodestreams.__version__"
    }
    assert re.fullmatch(r"\d+\.\d+\.\d+", ns.__version__)
    definitions = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "trio_nodestreams").rglob("*.py")
        if re.search(r"^__version__\s*=", path.read_text(), re.M)
    ]
    assert definitions == ["trio_nodestreams/__init__.py"]


def test_changelog_names_the_current_version_first() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## (\S+)", text, re.M)
    assert headings and headings[0] == ns.__version__


def _copy_source(dest: Path) -> Path:
    """The working tree without environments, caches and build output."""
    junk = shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "_build", "node_modules",
        ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "results",
    )  # fmt: skip
    return Path(shutil.copytree(ROOT, dest, ignore=junk))


def test_pip_install_into_a_clean_venv_then_serve(tmp_path: Path) -> None:
    src = _copy_source(tmp_path / "src")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=DEADLINE * 4)
    python = str(venv / "bin" / "python")
    # A current pip, as bin/_venv uses: it shows the build backend's warnings (older ones hide them).
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--upgrade", "--disable-pip-version-check", "pip"],
        capture_output=True, timeout=600, check=True,
    )  # fmt: skip
    install = subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", str(src)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = install.stdout + install.stderr
    assert install.returncode == 0, output
    noisy = [
        line
        for line in output.splitlines()
        if re.search(r"(?i)deprecat|BuildBackendWarning|SetuptoolsWarning", line)
    ]
    assert noisy == [], "warnings while installing:\n" + "\n".join(noisy)

    where = subprocess.run(
        [python, "-c", "import trio_nodestreams as t; print(t.__version__, t.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=DEADLINE, check=True,
    )  # fmt: skip
    version, path = where.stdout.split()
    assert version == ns.__version__
    assert Path(path).is_relative_to(venv), path  # the installed copy, not this checkout

    proc = subprocess.Popen(
        [python, "-m", "trio_nodestreams", "serve", "--port", "0"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        line = first_line(proc)  # the server prints its URL once it listens
        m = re.fullmatch(r"serving on (http://127\.0\.0\.1:\d+/)  \(Ctrl-C stops\)\n", line)
        assert m, line
        with httpx.Client(trust_env=False, timeout=DEADLINE) as client:
            page = client.get(m.group(1))
            echoed = client.post(m.group(1) + "echo", content=b"installed")
        assert page.status_code == 200 and "demo server" in page.text
        assert echoed.content == b"installed"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130
    assert err == b"serve: interrupted\n"
