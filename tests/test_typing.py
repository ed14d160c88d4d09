"""User code type-checks with ``mypy --strict``: tests/typing/user_code.py.

The file uses each stream type where Trio's ABCs are expected and the public
surface as users write it; the lines that must be rejected carry
``# type: ignore[code]``, and ``--strict`` turns on ``warn_unused_ignores``, so
mypy fails if one of them is accepted. CI also runs the same check directly.
"""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]


def test_user_code_passes_mypy_strict() -> None:
    out, err, status = api.run(["--strict", str(ROOT / "tests" / "typing" / "user_code.py")])
    assert status == 0, out + err


def test_a_readable_is_not_a_send_stream() -> None:
    """The check can fail: passing a Readable where a SendStream is expected is an error."""
    source = (
        "import trio\n"
        "import trio_nodestreams as ns\n"
        "async def send(s: trio.abc.SendStream) -> None: ...\n"
        "async def main() -> None:\n"
        "    await send(ns.Readable())\n"
    )
    out, _err, status = api.run(["--strict", "-c", source])
    assert status == 1 and '[arg-type]' in out and '"Readable"' in out, out
