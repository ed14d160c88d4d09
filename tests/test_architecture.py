"""The package's import graph: no cycle in the stream core, no forbidden arrow (scripts/import_graph.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


graph = _load()


def test_core_is_layered_with_no_forbidden_import() -> None:
    """The stream core has no import cycle and no function-level import; no 'never' arrow is used."""
    assert graph.problems() == []


def test_the_checker_sees_a_cycle_and_a_function_level_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: a copy of the package with a cycle added through a function-level import."""
    fake = tmp_path / "trio_nodestreams"
    fake.mkdir()
    for path in (ROOT / "trio_nodestreams").glob("*.py"):
        (fake / path.name).write_text(path.read_text())
    state = fake / "_state.py"
    state.write_text(state.read_text() + "\n\ndef _late() -> None:\n    from ._duplex import Duplex  # noqa\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "architecture.json").write_text((ROOT / "docs" / "architecture.json").read_text())
    monkeypatch.setattr(graph, "ROOT", tmp_path)
    monkeypatch.setattr(graph, "PACKAGE", fake)
    monkeypatch.setattr(graph, "ARCHITECTURE", tmp_path / "docs" / "architecture.json")
    found = graph.problems()
    assert any("function-level import of trio_nodestreams._duplex" in p for p in found), found
    assert any(p.startswith("import cycle among:") for p in found), found
