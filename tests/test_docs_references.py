"""Every file and test that the README and the docs point at exists.

The Node name map (docs/node-compat.md) names the test pinning each row as
``path::test``; the guide names examples, scripts and benchmark files. A renamed
file or test must not leave a page pointing at nothing. (Links between pages and
to API names are checked by the docs build itself, which fails on any warning.)
"""

from __future__ import annotations

import re

from ._terminal import ROOT

PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)]
TOP = r"(?:tests|bench|scripts|examples|docs|bin|trio_nodestreams)"
# `path`, `path::test` or `path::Class::test` inside backticks
REFERENCE = re.compile(rf"`({TOP}/[\w./-]*\w)(?:::(\w+))?(?:::(\w+))?")


def references(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(m.group(1), m.group(2), m.group(3)) for m in REFERENCE.finditer(text)]


def test_every_referenced_file_and_test_exists() -> None:
    missing = []
    count = 0
    for page in PAGES:
        for path, first, second in references(page.read_text()):
            count += 1
            where = f"{page.relative_to(ROOT)}: {path}" + (f"::{first}" if first else "")
            target = ROOT / path
            if "*" in path or path.endswith("/") or path.startswith("docs/_build"):
                continue  # patterns, folders, and what the docs build makes
            if not target.exists() and not any(ROOT.glob(path + ".*")):
                missing.append(f"{where} (no such file)")
                continue
            name = second or first
            if name and not re.search(rf"^\s*(async\s+)?(def|class)\s+{name}\b", target.read_text(), re.M):
                missing.append(f"{where} (no {name} in {path})")
    assert count > 300  # node-compat.md alone names several hundred tests
    assert missing == []


def test_the_reference_pattern() -> None:
    text = "x `tests/a.py::test_b` y `bench/run.py` z `tests/c.py::C::test_d (note)` `notapath/x.py`"
    assert references(text) == [
        ("tests/a.py", "test_b", None),
        ("bench/run.py", None, None),
        ("tests/c.py", "C", "test_d"),
    ]
