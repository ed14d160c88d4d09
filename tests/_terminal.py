"""Helpers for tests that run the command line and the examples as a person would.

A program is started in a pseudo-terminal (pexpect), so it sees a real
terminal: Ctrl-C is the terminal's interrupt character, turned into SIGINT by
the terminal driver, and ``isatty()`` is true. Every wait has a deadline
(pexpect's ``timeout``).
"""

from __future__ import annotations

import ast
import os
import select
import shlex
import subprocess
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

#: Seconds any single wait for output may take before the test fails.
DEADLINE = 30


def spawn(argv: list[str], columns: int = 100) -> pexpect.spawn:
    """Start ``argv`` in a fresh pseudo-terminal, in the repository root."""
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm"
    env["COLUMNS"] = str(columns)
    # pexpect looks the program up from this process's directory: anchor a relative one at ROOT.
    program = str(ROOT / argv[0]) if "/" in argv[0] and not argv[0].startswith("/") else argv[0]
    return pexpect.spawn(
        program,
        argv[1:],
        cwd=str(ROOT),
        env=env,
        timeout=DEADLINE,
        encoding="utf-8",
        codec_errors="replace",
        dimensions=(24, columns),
    )


def interrupt(child: pexpect.spawn) -> tuple[int | None, str]:
    """Type Ctrl-C into the terminal; return the exit status and what was printed after it."""
    child.sendintr()
    child.expect(pexpect.EOF)
    after = child.before
    child.close()
    assert child.signalstatus is None, f"killed by signal {child.signalstatus}: {after!r}"
    return child.exitstatus, after


def lines_after_interrupt(text: str) -> list[str]:
    """The non-blank lines printed after Ctrl-C, without the terminal's echo of it."""
    return [line.strip() for line in text.replace("^C", "").splitlines() if line.strip()]


def screen(output: str) -> list[str]:
    """What a terminal shows for ``output``: ``\\r`` returns to the line's start, later text overwrites.

    Lines are returned with trailing spaces removed; any stray character that a
    shorter redraw failed to cover stays visible, as on a real terminal.
    """
    lines: list[list[str]] = [[]]
    col = 0
    for ch in output:
        if ch == "\r":
            col = 0
        elif ch == "\n":
            lines.append([])
            col = 0
        else:
            line = lines[-1]
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    return ["".join(line).rstrip() for line in lines]


def docstring_command(script: str, *args: str) -> list[str]:
    """The command that ``examples/<script>``'s docstring gives after ``Run:``, with ``args`` filled in.

    ``args`` replace the bracketed optional arguments, in order; optional
    arguments not given are left out, as a reader would.
    """
    doc = ast.get_docstring(ast.parse((EXAMPLES / script).read_text())) or ""
    runs = [line for line in doc.splitlines() if line.startswith("Run:")]
    assert len(runs) == 1, f"{script}: expected one 'Run:' line in the docstring"
    words = shlex.split(runs[0][len("Run:") :])
    fixed = [w for w in words if not w.startswith("[")]
    optional = [w for w in words if w.startswith("[")]
    assert len(args) <= len(optional), f"{script} takes {optional}, given {args}"
    assert fixed == ["bin/python", f"examples/{script}"], f"{script}: Run: line is {runs[0]!r}"
    return [*fixed, *args]


def first_line(proc: subprocess.Popen[bytes], deadline: float = DEADLINE) -> str:
    """The first line ``proc`` prints on stdout (a pipe), or ``""`` if it exits first.

    Raises:
      TimeoutError: no whole line within ``deadline`` seconds.
    """
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    end = time.monotonic() + deadline
    got = b""
    while not got.endswith(b"\n"):
        left = end - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            raise TimeoutError(f"no line from {proc.args!r} within {deadline} s (so far {got!r})")
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        got += chunk
    return got.decode()
