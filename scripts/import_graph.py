#!/usr/bin/env python3
"""The import graph of trio_nodestreams, checked against docs/architecture.json.

Usage:
    python scripts/import_graph.py          # print the stream core's layers, then check
    python scripts/import_graph.py --check  # only check (exit status 1 on a violation)

Every import of a package module counts, wherever it stands: at the top of a
module, inside a function, or under ``if TYPE_CHECKING:``. The checks:

- the stream core (every module outside ``http/``) imports package modules at
  module level only: no function-level imports;
- the core's module graph has no cycle, so it is layered: each module imports
  only modules of lower layers;
- no import follows an arrow that docs/architecture.json marks as ``never``.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "trio_nodestreams"
ARCHITECTURE = ROOT / "docs" / "architecture.json"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    if not prefix.startswith("trio_nodestreams"):
        return []
    # ``from . import _destroy`` names modules; ``from ._x import y`` names the module _x
    # (and y, if y is a module of package _x).
    targets = [f"{prefix}.{alias.name}" for alias in node.names]
    return targets if node.module is None else [prefix, *targets]


class Imports(ast.NodeVisitor):
    """Collects (target, kind) for each package import; kind is 'top', 'function' or 'typing'."""

    def __init__(self, name: str, is_package: bool) -> None:
        self.name = name
        self.is_package = is_package
        self.found: list[tuple[str, str, int]] = []
        self._depth = 0
        self._typing = 0

    def _kind(self) -> str:
        if self._depth:
            return "function"
        return "typing" if self._typing else "top"

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        typing_only = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        if typing_only:
            self._typing += 1
            for child in node.body:
                self.visit(child)
            self._typing -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.startswith("trio_nodestreams"):
                self.found.append((alias.name, self._kind(), node.lineno))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for target in _resolve(self.name, self.is_package, node):
            self.found.append((target, self._kind(), node.lineno))


def collect() -> dict[str, list[tuple[str, str, int]]]:
    """Every package module -> the package modules it imports."""
    modules = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    graph: dict[str, list[tuple[str, str, int]]] = {}
    for name, path in modules.items():
        visitor = Imports(name, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(), str(path)))
        edges: list[tuple[str, str, int]] = []
        for target, kind, line in visitor.found:
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]  # ``from .x import name``: the module x
            if target in modules and target != name and (target, kind, line) not in edges:
                edges.append((target, kind, line))
        graph[name] = edges
    return graph


def is_core(name: str) -> bool:
    return not name.startswith("trio_nodestreams.http") and name not in (
        "trio_nodestreams",
        "trio_nodestreams.__main__",
    )


def layers(graph: dict[str, list[tuple[str, str, int]]], names: list[str]) -> list[list[str]] | list[str]:
    """The modules by layer (0 imports nothing of ``names``); a list of a cycle's modules if any."""
    deps = {n: {t for t, _, _ in graph[n] if t in names} for n in names}
    placed: dict[str, int] = {}
    result: list[list[str]] = []
    while len(placed) < len(names):
        layer = sorted(n for n in names if n not in placed and deps[n] <= placed.keys())
        if not layer:
            return sorted(n for n in names if n not in placed)
        for n in layer:
            placed[n] = len(result)
        result.append(layer)
    return result


def problems() -> list[str]:
    """Every violation of the rules in this module's docstring."""
    graph = collect()
    out: list[str] = []
    core = sorted(n for n in graph if is_core(n))
    for name in core:
        for target, kind, line in graph[name]:
            if kind == "function":
                out.append(f"{name}:{line}: function-level import of {target}")
    order = layers(graph, core)
    if order and isinstance(order[0], str):
        out.append("import cycle among: " + ", ".join(str(n) for n in order))
    arch = json.loads(ARCHITECTURE.read_text())
    part_of = {}
    for part, spec in arch["parts"].items():
        for file in spec["is"]:
            part_of[file.removesuffix(".py").replace("/", ".").removesuffix(".__init__")] = part
    for name in graph:
        if name not in part_of:
            out.append(f"{name}: not in any part of docs/architecture.json")
    never = {(a, b): why for a, b, why in arch["never"]}
    for name, edges in graph.items():
        for target, _kind, line in edges:
            a, b = part_of.get(name), part_of.get(target)
            if (a, b) in never:
                out.append(f"{name}:{line}: imports {target}: {a} -> {b} is never allowed ({never[a, b]})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if not args.check:
        graph = collect()
        core = sorted(n for n in graph if is_core(n))
        order = layers(graph, core)
        for i, layer in enumerate(order):
            names = layer if isinstance(layer, list) else [layer]
            print(f"layer {i}: " + " ".join(n.removeprefix("trio_nodestreams.") for n in names))
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
