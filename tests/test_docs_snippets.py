"""Every code block of the README and the guide runs, and prints what the page says it prints.

How a Markdown page's fenced blocks are treated:

- ``python``: run as a script (this interpreter, a fresh directory per page).
  It must exit 0 within the deadline. When the next block is a ``text`` block,
  that block is the expected standard output, line for line (a line ``...``
  stands for any number of lines, ``...`` within a line for any text). Other
  ``text`` blocks are sample output.
- ``python`` preceded by the comment ``<!-- snippet: server -->``: a server.
  It starts in the background; its first line of output says it listens. The
  ``console`` blocks after it (up to the next ``python`` block) run against
  it, then it is stopped.
- ``console``: lines starting with ``$ `` are shell commands, run by bash from
  the page's directory with this interpreter's environment first on ``PATH``
  (``python`` is the project's Python, as in an activated virtual environment)
  and the repository's ``bin/`` reachable as ``bin/``; the lines up to the next
  command are its expected output.
- ``sh``: set-up commands a reader runs once (install, the two README
  commands). They are exercised elsewhere (tests/test_packaging.py installs,
  tests/test_cli.py runs bin/serve, bin/test is this run); here each path they
  name in the repository must exist.

Ports 8000 and 8001 in a page are replaced by free ports for the run, so
pages can show the usual numbers.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ._terminal import DEADLINE, ROOT, first_line

GUIDE = sorted(
    p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts and "charts" not in p.parts
)
PAGES = [ROOT / "README.md", *GUIDE]
RUN, SHOWN = {"python", "console", "sh"}, {"text"}
FENCE = re.compile(
    r"^(?P<indent> *)(?P<fence>```+)(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.S | re.M,
)


@dataclass
class Block:
    lang: str
    body: str
    line: int
    server: bool


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of ``page``, in order."""
    text = page.read_text()
    out = []
    for m in FENCE.finditer(text):
        info = m.group("info").strip()
        if info.startswith("{"):  # a MyST directive (toctree, eval-rst...), not code
            continue
        before = text[: m.start()].rstrip().rsplit("\n", 1)[-1]
        out.append(Block(info.split()[0] if info else "", m.group("body"),
                         text.count("\n", 0, m.start()) + 1, before.strip() == "<!-- snippet: server -->"))  # fmt: skip
    return out


def _line(line: str) -> str:
    return ".*".join(re.escape(part) for part in line.split("...")) + r"\n"


def matches(expected: str, got: str) -> bool:
    """Line-for-line equality; an expected ``...`` line matches any run of lines, and
    ``...`` within a line any text on that line."""
    pattern = "".join(
        r"(?:.*\n)*?" if line == "..." else _line(line) for line in expected.splitlines()
    )
    return re.fullmatch(pattern, got if got.endswith("\n") or not got else got + "\n") is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Page:
    """Runs one page's blocks in order, in its own directory."""

    def __init__(self, page: Path, tmp: Path) -> None:
        self.page = page
        self.tmp = tmp
        (tmp / "bin").symlink_to(ROOT / "bin")
        self.ports = {"8000": str(free_port()), "8001": str(free_port())}
        self.server: subprocess.Popen[bytes] | None = None
        self.count = 0

    def where(self, block: Block) -> str:
        shown = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{shown}:{block.line}"

    def ports_in(self, text: str) -> str:
        return re.sub(r"\b(8000|8001)\b", lambda m: self.ports[m.group(1)], text)

    def script(self, block: Block) -> Path:
        self.count += 1
        path = self.tmp / f"snippet_{self.count}.py"
        path.write_text(self.ports_in(block.body))
        return path

    def python(self, block: Block, expected: str | None) -> None:
        self.stop()
        if block.server:
            self.server = subprocess.Popen(
                [sys.executable, "-u", str(self.script(block))], cwd=self.tmp,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            first = first_line(self.server)  # a server snippet says when it listens
            assert first, (
                f"{self.where(block)}: the server exited: {self.server.communicate(timeout=DEADLINE)}"
            )
            return
        try:
            done = subprocess.run(
                [sys.executable, str(self.script(block))], cwd=self.tmp,
                capture_output=True, text=True, timeout=DEADLINE, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.where(block)}: still running after {DEADLINE} s")
        assert done.returncode == 0, f"{self.where(block)} failed:\n{done.stderr}"
        if expected is not None:
            want = self.ports_in(expected)
            assert matches(want, done.stdout), (
                f"{self.where(block)} printed:\n{done.stdout}\nthe page says:\n{want}"
            )

    def console(self, block: Block) -> None:
        commands: list[tuple[str, list[str]]] = []
        for line in block.body.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            else:
                assert commands, f"{self.where(block)}: output before any '$ ' command"
                commands[-1][1].append(line)
        assert commands, f"{self.where(block)}: a console block without a '$ ' command"
        for command, output in commands:
            cmd = self.ports_in(command)
            env = dict(
                os.environ,
                COLUMNS="80",
                PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            )
            try:
                done = subprocess.run(["bash", "-c", cmd], cwd=self.tmp, env=env, capture_output=True,
                                      text=True, timeout=DEADLINE, check=False)  # fmt: skip
            except subprocess.TimeoutExpired:
                pytest.fail(f"{self.where(block)}: {cmd!r} still running after {DEADLINE} s")
            want = self.ports_in("\n".join(output))
            assert done.returncode == 0, (
                f"{self.where(block)}: {cmd!r} exited {done.returncode}:\n{done.stderr}"
            )
            assert matches(want, done.stdout), (
                f"{self.where(block)}: {cmd!r} printed:\n{done.stdout}\nthe page says:\n{want}"
            )

    def sh(self, block: Block) -> None:
        for line in block.body.splitlines():
            for word in line.split("#", 1)[0].split():
                if re.fullmatch(r"(bin|scripts|bench|examples|docs|tests)/[\w./-]+", word):
                    assert (ROOT / word).exists(), f"{self.where(block)}: {word} does not exist"

    def stop(self) -> None:
        if self.server is not None:
            self.server.kill()
            _, err = self.server.communicate(timeout=DEADLINE)
            self.server = None
            assert b"Traceback" not in err, err.decode()


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_code_blocks_run(page: Path, tmp_path: Path) -> None:
    found = blocks(page)
    langs = {b.lang for b in found}
    assert langs <= RUN | SHOWN, (
        f"{page.name}: blocks of kind {sorted(langs - RUN - SHOWN)} cannot be checked"
    )
    runner = Page(page, tmp_path)
    try:
        for i, block in enumerate(found):
            after = found[i + 1] if i + 1 < len(found) else None
            if block.lang == "python":
                expected = after.body if after is not None and after.lang == "text" else None
                runner.python(block, expected)
            elif block.lang == "console":
                assert runner.server is not None or not any(
                    "127.0.0.1" in line for line in block.body.splitlines()
                ), f"{runner.where(block)}: talks to a server no snippet started"
                runner.console(block)
            elif block.lang == "sh":
                runner.sh(block)
            # A text block is either the output of the python block before it (checked
            # there) or sample output shown as an illustration.
    finally:
        runner.stop()


def test_the_guide_has_pages_and_code() -> None:
    """The runner must find the guide at all (a moved docs/ would make the test above vacuous)."""
    names = {p.relative_to(ROOT / "docs").as_posix() for p in GUIDE}
    assert {"getting-started.md", "porting.md", "trio.md", "patterns/backpressure.md"} <= names
    assert sum(b.lang == "python" for p in PAGES for b in blocks(p)) >= 15


def test_matches() -> None:
    assert matches("a\n...\nd", "a\nb\nc\nd\n")
    assert matches("a\n...\nd", "a\nd\n")
    assert not matches("a\nd", "a\nb\nd\n")
    assert matches("", "")
    assert not matches("", "x\n")
    assert matches("error: ...", "error: Name or service not known\n")
    assert not matches("error: ...", "warning: x\n")


def test_sh_blocks_name_real_files(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("```sh\nbin/serve\nbin/nonexistent --x   # a comment bin/ignored\n```\n")
    (tmp_path / "run").mkdir()
    runner = Page(page, tmp_path / "run")
    with pytest.raises(AssertionError, match="bin/nonexistent does not exist"):
        runner.sh(blocks(page)[0])


def test_curl_is_there_for_the_console_blocks() -> None:
    assert shutil.which("curl"), "the guide's console blocks use curl"
