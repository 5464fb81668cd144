"""The shape of the code, checked: no import cycles, small modules, thin CLI commands.

The layers and fences themselves are import-linter contracts in pyproject.toml (make lint).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

WFM = Path(__file__).resolve().parents[1] / "wfm"
MAX_LINES = 500
#: Over the limit before the rule; being split along its seams (no others may be added).
KNOWN_LONG: set[str] = set()
#: The largest a CLI command function may be: parse, one call, render.
MAX_COMMAND_LINES = 40


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    adj = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in adj[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(adj):
        if module not in index:
            visit(module)
    return out


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("wfm", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [["p.a", "p.b"]]


def test_no_module_over_the_line_limit() -> None:
    long = {str(p.relative_to(WFM)): n for p in WFM.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert set(long) <= KNOWN_LONG, long


def test_cli_commands_are_thin() -> None:
    """Every click command function: parse options, one call to the API, render."""
    sizes: dict[str, int] = {}
    for path in sorted((WFM / "cli").glob("*_cmd.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                    "command" in ast.unparse(d) or "group" in ast.unparse(d)
                    for d in node.decorator_list):
                body_start = node.body[0].lineno
                if isinstance(node.body[0], ast.Expr) and isinstance(
                        getattr(node.body[0], "value", None), ast.Constant):
                    body_start = node.body[0].end_lineno or body_start  # after the docstring
                sizes[f"{path.name}:{node.name}"] = (node.end_lineno or 0) - body_start
    assert sizes, "no command found"
    assert {k: n for k, n in sizes.items() if n >= MAX_COMMAND_LINES} == {}


def test_import_contracts_hold() -> None:
    """The layer and fence contracts of pyproject.toml (also `make lint`), in the suite so
    CI keeps them: e.g. the CLI never imports wfm.io, wfm.scheduling or wfm.forecasting."""
    import subprocess

    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=WFM.parent, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "broken" in done.stdout and " 0 broken" in done.stdout
