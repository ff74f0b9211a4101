"""The layout's rules, checked: no import cycles, thin views, httpx only in the client.

grimp (import-linter's graph) counts every import statement, including those
inside functions; the layer contracts themselves are in pyproject.toml and run
with ``make lint``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent / "dashboard"
VIEW_MODULES = sorted(ROOT.rglob("*views.py"))


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    modules = sorted(m for m in graph.modules if m.startswith("dashboard"))
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not imported.startswith("dashboard"):
                continue
            if state.get(imported) == 1:
                found.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = 2

    for module in modules:
        if module not in state:
            visit(module)
    return found


def test_no_import_cycles_among_dashboard_modules() -> None:
    graph = grimp.build_graph("dashboard", include_external_packages=True)
    assert _cycles(graph) == []


def test_httpx_is_imported_only_by_the_client() -> None:
    graph = grimp.build_graph("dashboard", include_external_packages=True)
    importers = graph.find_modules_that_directly_import("httpx")
    assert importers == {"dashboard.cxengage.client"}


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_function_is_longer_than_40_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = {
        node.name: node.end_lineno - node.lineno + 1
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.end_lineno is not None
        if not node.name.startswith("_") and node.end_lineno - node.lineno + 1 > 40
    }
    assert long == {}


def test_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: a graph with a cycle is reported."""
    graph = grimp.ImportGraph()
    for name in ("dashboard", "dashboard.a", "dashboard.b"):
        graph.add_module(name)
    graph.add_import(importer="dashboard.a", imported="dashboard.b")
    graph.add_import(importer="dashboard.b", imported="dashboard.a")
    assert _cycles(graph) == [["dashboard.a", "dashboard.b", "dashboard.a"]]
