"""The generator's layers, read from its source with `ast` (nothing is imported or run):

    command line (cli, progress, __main__; mkdocs_plugin, MkDocs' entry point)
      -> commands (fetch, ingest, build, serve, mailer, digest)
        -> the rest: store (merge, snapshots, load, ...), model, views, render, text, dates, ...

No import cycle, not even through imports hidden inside functions; nothing below the command line
imports it; pure modules (model, views, text, dates) import no I/O module; and only the command line
prints. A failure names the modules and lines to fix.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache

from conftest import REPO

GENERATOR = REPO / "generator"

ENTRY = {"__main__", "cli", "progress", "mkdocs_plugin"}
COMMANDS = {"fetch", "ingest", "build", "serve", "mailer", "digest"}
PURE = {"model", "views", "text", "dates"}
IO = {"fetch", "download", "merge", "snapshots", "load", "build", "ingest", "serve", "mailer", "site_swap"}
PRINTERS = {"__main__", "cli", "progress"}

KNOWN_LAZY: set[tuple[str, str]] = set()  # imports inside functions: none (heavy libraries stay lazy inside
# their own module, e.g. scikit-learn in similar.py and matplotlib in charts.py, which this check ignores)
# Printing outside the command line, in files this check's author does not own:
KNOWN_PRINTS = {
    "snapshots",  # warns at import time that PyYAML lacks libyaml (a setup problem, before any command runs)
}
# Indirect paths from a pure module to an I/O one, allowed: none.
KNOWN_INDIRECT: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool

    def __str__(self) -> str:
        return f"generator/{self.source}.py:{self.line} imports {self.target}"


def _modules() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text(), str(path)) for path in sorted(GENERATOR.glob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom, known: set[str]) -> list[str]:
    """The generator modules an import statement names (`from generator import views` names a module)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level:  # relative: `from . import x` or `from .x import y`
        base = node.module or ""
        names = [f"generator.{base}" if base else f"generator.{alias.name}" for alias in node.names]
    elif node.module == "generator":
        names = [f"generator.{alias.name}" for alias in node.names]
    else:
        names = [node.module or ""]
    found = [name.split(".")[1] for name in names if name.startswith("generator.")]
    return [name for name in found if name in known]


@cache
def edges() -> tuple[Edge, ...]:
    return edges_of(_modules())


def edges_of(modules: dict[str, ast.Module]) -> tuple[Edge, ...]:
    """Every import between the given modules, with where it is and whether inside a function."""
    known = set(modules)
    found: list[Edge] = []

    def visit(source: str, node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.extend(Edge(source, t, child.lineno, in_function) for t in _targets(child, known))
            visit(source, child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                                                  | ast.Lambda))

    for name, tree in modules.items():
        visit(name, tree, False)
    return tuple(found)


def _graph(skip: frozenset[tuple[str, str]] = frozenset()) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in _modules()}
    for edge in edges():
        if (edge.source, edge.target) not in skip:
            graph[edge.source].add(edge.target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as `[a, b, ..., a]`, or None: a depth-first search for an edge back into the path."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = walk(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = walk(start)
            if cycle:
                return cycle
    return None


def _describe(cycle: list[str]) -> str:
    pairs = zip(cycle, cycle[1:], strict=False)  # each step of the cycle: a module and the next
    steps = [next(str(e) for e in edges() if (e.source, e.target) == pair) for pair in pairs]
    return " -> ".join(cycle) + "\n  " + "\n  ".join(steps)


def test_the_cycle_finder_finds_and_names_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_import_reader_sees_imports_inside_functions_and_from_generator_import() -> None:
    found = {(e.source, e.target, e.in_function) for e in edges()}
    assert ("__main__", "cli", False) in found
    assert ("build", "views", False) in found  # `from generator import text, views`
    assert len(_modules()) > 25
    snippet = {"a": ast.parse("import os\ndef f():\n    from generator import b\n"), "b": ast.parse("")}
    assert {(e.source, e.target, e.in_function) for e in edges_of(snippet)} == {("a", "b", True)}


def test_no_import_cycles_not_even_inside_functions() -> None:
    cycle = find_cycle(_graph())
    assert cycle is None, f"import cycle: {_describe(cycle)}"


def test_imports_are_at_module_top() -> None:
    lazy = sorted(str(e) for e in edges() if e.in_function and (e.source, e.target) not in KNOWN_LAZY)
    assert lazy == [], "move these imports to the top of their module (a cycle is no reason: remove the cycle)"


def test_nothing_below_the_command_line_imports_it() -> None:
    allowed = {"cli": {"__main__"}, "progress": {"cli"}, "__main__": set(), "mkdocs_plugin": set()}
    wrong = sorted(str(e) for e in edges() if e.target in ENTRY and e.source not in allowed[e.target])
    assert wrong == []


def test_commands_sit_above_the_rest() -> None:
    wrong = sorted(str(e) for e in edges() if e.source not in ENTRY | COMMANDS and e.target in COMMANDS)
    assert wrong == [], "a store, model, view or render module imports a command"


def test_pure_modules_reach_no_io_module() -> None:
    graph = _graph(skip=KNOWN_INDIRECT)

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for target in graph[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        return seen

    wrong = {module: sorted(reach(module) & IO) for module in sorted(PURE)}
    assert wrong == {module: [] for module in sorted(PURE)}


def test_only_the_command_line_prints() -> None:
    wrong = []
    for name, tree in _modules().items():
        if name in PRINTERS | KNOWN_PRINTS:
            continue
        for node in ast.walk(tree):
            is_print = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
            is_stream = (isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr")
                         and isinstance(node.value, ast.Name) and node.value.id == "sys")
            if is_print or is_stream:
                wrong.append(f"generator/{name}.py:{node.lineno}")
    assert wrong == [], "library code returns results or calls a callback; generator/cli.py prints"
