"""The golden logs stay paired: scenario <-> golden <-> Python twin, and each says which Node made it.

These checks read files only, so they run where Node is absent. Recording (and
re-checking against real Node) is ``scripts/record_goldens.py``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden"
SCENARIOS = TESTS / "scenarios"
CONFORMANCE = TESTS / "conformance"


def goldens() -> set[str]:
    return {str(p.relative_to(GOLDEN).with_suffix("")) for p in GOLDEN.rglob("*.jsonl")}


def scenarios() -> set[str]:
    return {
        str(p.relative_to(SCENARIOS).with_suffix(""))
        for p in SCENARIOS.rglob("*.js")
        if "lib" not in p.relative_to(SCENARIOS).parts
    }


def _scenario_decorator(node: ast.expr) -> str | None:
    """``"name"`` of an ``@scenario("name")`` decorator, else None."""
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
        return None
    func = node.func
    called = (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )
    value = node.args[0].value
    return value if called == "scenario" and isinstance(value, str) else None


def _golden_path(node: ast.BinOp) -> str | None:
    """``"dir/name"`` of an expression ``GOLDEN / "dir" / "name.jsonl"``, else None."""
    parts: list[str] = []
    cur: ast.expr = node
    while isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Div):
        if not (isinstance(cur.right, ast.Constant) and isinstance(cur.right.value, str)):
            return None
        parts.insert(0, cur.right.value)
        cur = cur.left
    if not (isinstance(cur, ast.Name) and cur.id == "GOLDEN") or not parts[-1].endswith(".jsonl"):
        return None
    return "/".join(parts)[: -len(".jsonl")]


def twins() -> dict[str, list[str]]:
    """Golden name -> the conformance tests replaying it.

    A twin is a collected test decorated ``@scenario("dir/name")``, or a
    conformance module that reads ``GOLDEN / "dir" / "name.jsonl"`` as a table
    of cases (the hostile-request answers).
    """
    found: dict[str, list[str]] = {}
    for path in sorted(CONFORMANCE.glob("test_*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for deco in node.decorator_list:
                    name = _scenario_decorator(deco)
                    if name is not None:
                        assert node.name.startswith("test_"), (
                            f"{path.name}: twin {node.name} is not collected"
                        )
                        found.setdefault(name, []).append(f"{path.name}::{node.name}")
            elif isinstance(node, ast.BinOp):
                name = _golden_path(node)
                if name is not None:
                    found.setdefault(name, []).append(f"{path.name} (table)")
    return found


def test_every_golden_has_a_twin_and_every_twin_a_golden() -> None:
    have, found = goldens(), twins()
    assert len(have) > 100  # the walk found the corpus at all
    assert sorted(have - found.keys()) == [], "goldens without a Python twin"
    assert sorted(found.keys() - have) == [], "twins naming a golden that does not exist"


def test_every_scenario_has_a_golden_and_every_golden_a_scenario() -> None:
    assert sorted(scenarios() - goldens()) == [], (
        "scenarios never recorded: run scripts/record_goldens.py"
    )
    assert sorted(goldens() - scenarios()) == [], "goldens whose scenario is gone"


def test_every_golden_names_the_node_that_recorded_it() -> None:
    """Each directory of goldens holds NODE_VERSION, one line such as ``v20.20.2``, major 20."""
    directories = {p.parent for p in GOLDEN.rglob("*.jsonl")}
    assert directories
    for directory in sorted(directories):
        path = directory / "NODE_VERSION"
        where = path.relative_to(TESTS.parent)
        assert path.is_file(), (
            f"{where} is missing: run scripts/record_goldens.py {directory.name}/"
        )
        text = path.read_text()
        assert re.fullmatch(r"v20\.\d+\.\d+\n", text), (
            f"{where}: {text!r} is not one line 'v20.x.y'"
        )


def test_the_harness_finds_decorated_twins() -> None:
    """The scanner itself: it must see a decorated twin and a table read, and nothing else."""
    source = (
        "@scenario('a/b')\nasync def test_x(log): ...\n"
        "@other('a/c')\nasync def test_y(log): ...\n"
        "rows = (GOLDEN / 'a' / 'd.jsonl').read_text()\n"
        "other = (ROOT / 'a' / 'e.jsonl')\n"
    )
    tree = ast.parse(source)
    names = [
        _scenario_decorator(d)
        for n in ast.walk(tree)
        if isinstance(n, ast.AsyncFunctionDef)
        for d in n.decorator_list
    ]
    paths = [_golden_path(n) for n in ast.walk(tree) if isinstance(n, ast.BinOp)]
    assert names == ["a/b", None]
    assert [p for p in paths if p] == ["a/d"]
