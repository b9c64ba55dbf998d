"""The generator's layers, read from its source with `ast` (nothing is imported or run).

The packages are the layers, and each may import only those below it:

    the command line (cli, progress, __main__)           imports anything
    publish  (build, jobs, paths, swap, the MkDocs plugin, serve, mailer)
      -> outputs (render, pages, feeds, search, export, cards, similar, charts, digest)
      -> store   (snapshots: read, check, cache, write, load)
    ingest   (download, normalize, merge, fetch, import) -> store
    outputs -> domain;  store -> domain
    domain   (model, topics, orgs, collections, views)   -> core
    core     (errors, text, dates, urls, settings, project)

No import cycle, not even through imports hidden inside functions; nothing imports the command line
or the MkDocs plugin (MkDocs' entry point); the pure modules (domain and core, but for core.project's
file locks) reach no module that does I/O; and only the command line prints. A failure names the
modules and lines to fix.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache

from support.paths import REPO

GENERATOR = REPO / "generator"

ENTRY = {"__main__", "cli", "progress", "publish.mkdocs_plugin"}
ALLOWED = {  # package -> the packages its modules may import
    "core": {"core"},
    "domain": {"core", "domain"},
    "store": {"core", "domain", "store"},
    "ingest": {"core", "store", "ingest"},
    "outputs": {"core", "domain", "outputs"},
    "publish": {"core", "domain", "store", "outputs", "publish"},
}
IO_PACKAGES = {"store", "ingest", "publish"}
IO_MODULES = {"core.project"}
PRINTERS = {"__main__", "cli", "progress"}

KNOWN_LAZY: set[tuple[str, str]] = set()  # imports inside functions: none (heavy libraries stay lazy inside
# their own module, e.g. scikit-learn in similar.py and matplotlib in charts.py, which this check ignores)
# Printing outside the command line, in files this check's author does not own:
KNOWN_PRINTS = {
    "store.check",  # warns at import time that PyYAML lacks libyaml (a setup problem, before any command runs)
}


def package(module: str) -> str:
    """`domain.views` -> `domain`; a top-level module (cli) is its own."""
    return module.split(".", 1)[0]


def pure(module: str) -> bool:
    return package(module) in ("core", "domain") and module not in IO_MODULES


def does_io(module: str) -> bool:
    return package(module) in IO_PACKAGES or module in IO_MODULES


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool

    def __str__(self) -> str:
        return f"{path_of(self.source)}:{self.line} imports {self.target}"


def path_of(module: str) -> str:
    """Where a module's source is: `domain.views` -> generator/domain/views.py."""
    path = GENERATOR / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = GENERATOR / module.replace(".", "/") / "__init__.py"
    return path.relative_to(REPO).as_posix()


def _modules() -> dict[str, ast.Module]:
    """Every module of the package by dotted name below generator (`domain.views`; a package's
    __init__ by the package's name)."""
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        parts = path.relative_to(GENERATOR).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name:
            found[name] = ast.parse(path.read_text(), str(path))
    return found


def _targets(node: ast.Import | ast.ImportFrom, known: set[str]) -> list[str]:
    """The generator modules an import statement names (`from generator.domain import views` names the
    module domain.views; `from generator.domain.views import x` names it too)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level:
        raise AssertionError("relative imports: write `from generator.package.module import ...`")
    else:
        module = node.module or ""
        names = [f"{module}.{alias.name}" for alias in node.names] + [module]
    found = []
    for name in names:
        if name == "generator" or not name.startswith("generator."):
            continue
        dotted = name.removeprefix("generator.")
        if dotted in known and not (dotted != name.removeprefix("generator.") or dotted in found):
            found.append(dotted)
    # `from generator.domain import views` names domain.views, not the package domain as well
    return [n for n in found if not any(other.startswith(n + ".") for other in found)]


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


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in _modules()}
    for edge in edges():
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
    assert ("outputs.pages", "domain.views", False) in found  # `from generator.domain import views`
    assert ("publish.build", "publish.swap", False) in found  # `from generator.publish.swap import ...`
    assert len(_modules()) > 30
    snippet = {"a": ast.parse("import os\ndef f():\n    from generator.p import b\n"), "p.b": ast.parse(""),
               "p": ast.parse("")}
    assert {(e.source, e.target, e.in_function) for e in edges_of(snippet)} == {("a", "p.b", True)}


def test_no_import_cycles_not_even_inside_functions() -> None:
    cycle = find_cycle(_graph())
    assert cycle is None, f"import cycle: {_describe(cycle)}"


def test_imports_are_at_module_top() -> None:
    lazy = sorted(str(e) for e in edges() if e.in_function and (e.source, e.target) not in KNOWN_LAZY)
    assert lazy == [], "move these imports to the top of their module (a cycle is no reason: remove the cycle)"


def test_nothing_imports_the_command_line_or_the_mkdocs_plugin() -> None:
    allowed = {"cli": {"__main__"}, "progress": {"cli"}, "__main__": set(), "publish.mkdocs_plugin": set()}
    wrong = sorted(str(e) for e in edges() if e.target in ENTRY and e.source not in allowed[e.target])
    assert wrong == []


def test_each_package_imports_only_the_layers_below_it() -> None:
    wrong = sorted(str(e) for e in edges() if package(e.source) in ALLOWED
                   and package(e.target) not in ALLOWED[package(e.source)])
    assert wrong == [], "a module imports a layer above its own (see this module's docstring)"
    assert set(ALLOWED) | PRINTERS == {package(m) for m in _modules()}, "a new package needs its row in ALLOWED"


def test_pure_modules_reach_no_io_module() -> None:
    graph = _graph()

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for target in graph[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        return seen

    wrong = {module: sorted(m for m in reach(module) if does_io(m)) for module in sorted(_modules()) if pure(module)}
    assert wrong == {module: [] for module in wrong}


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
                wrong.append(f"{path_of(name)}:{node.lineno}")
    assert wrong == [], "library code returns results or calls a callback; generator/cli.py prints"
