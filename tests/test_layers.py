"""The layers of the apps, read from the import graph (docs/architecture.md, "Layers").

Every module under ``anxin/`` is parsed (no Django needed) and each import of another app is an
edge ``app → app``: imports at the top of a module and inside functions alike, ``import anxin.x``,
``from anxin.x import …``, ``from anxin import x``, relative imports, and ``import_module`` /
``import_string`` calls with a literal ``"anxin.…"`` name. Not edges: imports under
``if TYPE_CHECKING:`` (annotations only, nothing is imported when the code runs) and models named
by string (``apps.get_model("org", "School")``, ``ForeignKey("org.School")``): those go through
Django's app registry, which is how a lower layer reaches a higher one.

Tests and migrations are outside the rules (tests may use anything; migrations are generated).
Management commands and tasks belong to their app like any other module. ``demo`` is the top
layer: it may use every app, and no app may import it.

The rules: core imports no app; no app imports an app of a higher layer (``LAYERS``); and there
is no cycle between apps, within a layer or across.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "anxin"

# app → layer. An app may import apps of its own layer or below, never above; within a layer
# the import graph must still have no cycle. A new app is placed here deliberately (a test
# fails for an app missing from the table).
LAYERS: dict[str, int] = {
    "core": 0,  # audit, policy, registries, shared view helpers: imports no app
    "accounts": 1,  # users, memberships, grants, sessions, API tokens
    "org": 2,  # counties, schools, grades, classes, responsibilities, safety officers
    "roster": 3,  # students placed in org's classes, guardians, roster imports
    "screening": 4,  # feature apps: screening rounds, hazards, monitoring, risk
    "intake": 4,  # reports, concerns, triage
    "cases": 4,  # bullying cases from opening to follow-up
    "care": 4,  # counselling and care plans
    "campaigns": 4,  # campaigns (专项行动), their tasks and the experience booklet
    "governance": 4,  # self-check, rules documents, work plan, 举一反三, lessons from incidents
    "oversight": 4,  # 监督岗 (posts, shifts, observations into monitoring), 问责 (通报约谈)
    "education": 4,  # education and training activities, coverage, the staff evaluation (考评)
    "supervision": 4,  # 督导 visits, joint inspections, rectification and verification, 部门联动
    "dashboards": 5,  # dashboards and statistics returns: read every feature app; nothing imports it
    "demo": 5,  # demo data across every app: the top
}

EXCLUDED_DIRS = {"tests", "migrations", "__pycache__"}
IMPORT_CALLS = {"import_module", "import_string"}


@dataclass(frozen=True)
class Edge:
    src: str  # the importing app
    dst: str  # the imported app
    module: str  # the importing file, relative to the repository
    line: int
    target: str  # the dotted name imported

    def where(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


# --- reading the imports -------------------------------------------------------------------------


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def imported_names(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) for every import in ``source`` (module ``module``), at any depth,
    bar those under ``if TYPE_CHECKING:``."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (
                _resolve_relative(module, is_package, node.level, node.module)
                if node.level
                else (node.module or "")
            )
            if base == PACKAGE:  # from anxin import cases
                found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, base))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (
                name in IMPORT_CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((node.lineno, node.args[0].value))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def _app_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1]


def project_modules(root: Path = ROOT) -> list[Path]:
    """Every module of an app under anxin/, tests and migrations left out."""
    out = []
    for path in sorted((root / PACKAGE).rglob("*.py")):
        rel = path.relative_to(root)
        if (
            len(rel.parts) < 3
            or EXCLUDED_DIRS & set(rel.parts[:-1])
            or rel.name in ("tests.py", "conftest.py")
        ):
            continue
        out.append(path)
    return out


def app_edges(root: Path = ROOT) -> list[Edge]:
    edges = []
    for path in project_modules(root):
        rel = path.relative_to(root)
        app = rel.parts[1]
        module = ".".join(rel.with_suffix("").parts)
        is_package = path.name == "__init__.py"
        if is_package:
            module = module.rsplit(".", 1)[0]
        for line, target in imported_names(path.read_text(encoding="utf-8"), module, is_package):
            dst = _app_of(target)
            if dst is not None and dst != app:
                edges.append(Edge(app, dst, str(rel), line, target))
    return edges


# --- the rules -------------------------------------------------------------------------------------


def layer_violations(edges: list[Edge], layers: dict[str, int]) -> list[str]:
    problems = []
    for e in edges:
        if e.src == "core":
            problems.append(f"core imports an app ({e.dst}): {e.where()}")
        elif e.src not in layers or e.dst not in layers:
            missing = e.src if e.src not in layers else e.dst
            problems.append(f"app {missing!r} has no layer in LAYERS: {e.where()}")
        elif layers[e.dst] > layers[e.src]:
            problems.append(
                f"{e.src} (layer {layers[e.src]}) imports {e.dst} (layer {layers[e.dst]}), "
                f"a higher layer: {e.where()}"
            )
    return problems


def find_cycles(edges: list[Edge]) -> list[str]:
    """One cycle per strongly connected group of apps, each step with a module and line."""
    graph: dict[str, dict[str, Edge]] = {}
    for e in edges:
        graph.setdefault(e.src, {}).setdefault(e.dst, e)
        graph.setdefault(e.dst, {})

    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)

    cycles = []
    for group in groups:
        members = set(group)
        path = _cycle_from(group[0], graph, members)
        inside = [graph[a][b] for a in group for b in sorted(graph[a]) if b in members]
        cycles.append(
            f"cycle {' → '.join(path)} (apps tied together: {', '.join(group)}); imports among them:\n"
            + "\n".join(f"    {e.src} → {e.dst}: {e.where()}" for e in inside)
        )
    return cycles


def _cycle_from(start: str, graph: dict[str, dict[str, Edge]], members: set[str]) -> list[str]:
    """A shortest path from ``start`` back to itself inside its group (breadth first)."""
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w not in members:
                    continue
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if w not in parents:
                    parents[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"{start} is in no cycle")  # pragma: no cover


# --- the project's graph ---------------------------------------------------------------------------


def test_every_app_has_a_layer():
    apps = {p.name for p in (ROOT / PACKAGE).iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps - set(LAYERS) == set(), (
        f"place these apps in LAYERS (tests/test_layers.py): {apps - set(LAYERS)}"
    )
    assert set(LAYERS) - apps == set(), f"LAYERS names apps that do not exist: {set(LAYERS) - apps}"


def test_the_graph_is_read():
    """The parser sees the project: the known downward imports are there (a checker that reads
    nothing would pass every rule)."""
    pairs = {(e.src, e.dst) for e in app_edges()}
    assert {("accounts", "core"), ("org", "accounts"), ("roster", "org"), ("cases", "roster")} <= pairs
    assert ("demo", "cases") in pairs  # a management command's function-level import


def test_no_app_imports_a_higher_layer():
    problems = layer_violations(app_edges(), LAYERS)
    assert not problems, "imports against the layers (docs/architecture.md):\n" + "\n".join(problems)


def test_no_cycle_between_apps():
    cycles = find_cycles(app_edges())
    assert not cycles, "import cycles between apps:\n" + "\n".join(cycles)


# --- the checker catches what it should ----------------------------------------------------------


def _edge(src, dst, line=1):
    return Edge(src, dst, f"anxin/{src}/x.py", line, f"anxin.{dst}.y")


def test_checker_reports_core_importing_an_app():
    problems = layer_violations([_edge("core", "accounts", 7)], LAYERS)
    assert problems == ["core imports an app (accounts): anxin/core/x.py:7 imports anxin.accounts.y"]


def test_checker_reports_an_import_of_a_higher_layer():
    problems = layer_violations([_edge("org", "cases", 12), _edge("cases", "org")], LAYERS)
    assert len(problems) == 1
    assert "org (layer 2) imports cases (layer 4)" in problems[0]
    assert "anxin/org/x.py:12" in problems[0]
    assert layer_violations([_edge("cases", "demo")], LAYERS)  # nothing imports demo
    assert layer_violations([_edge("cases", "newapp")], LAYERS)  # an app without a layer


def test_checker_reports_a_cycle_with_its_lines():
    edges = [
        _edge("cases", "intake", 3),
        _edge("intake", "screening", 5),
        _edge("screening", "intake", 8),
        _edge("screening", "roster", 9),
        _edge("roster", "org", 1),
    ]
    cycles = find_cycles(edges)
    assert len(cycles) == 1
    assert cycles[0].startswith("cycle intake → screening → intake")
    assert "anxin/intake/x.py:5" in cycles[0] and "anxin/screening/x.py:8" in cycles[0]
    three = find_cycles([_edge("a", "b"), _edge("b", "c"), _edge("c", "a"), _edge("c", "d")])
    assert three and three[0].startswith("cycle a → b → c → a")
    assert find_cycles([_edge("a", "b"), _edge("b", "c"), _edge("a", "c")]) == []


def test_parser_sees_every_kind_of_import():
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
import anxin.org.models
from anxin.roster import lookup
from anxin import cases
from ..intake.models import Report
from . import services
if TYPE_CHECKING:
    from anxin.care.models import Plan
else:
    import anxin.accounts

def later():
    from anxin.screening.services import raise_concern
    importlib.import_module("anxin.demo.data")
    return import_string("anxin.core.x.Y")
"""
    names = [name for _line, name in imported_names(source, "anxin.org.views")]
    assert "anxin.org.models" in names
    assert "anxin.roster" in names
    assert "anxin.cases" in names
    assert "anxin.intake.models" in names  # relative, two levels up
    assert "anxin.org" in names  # from . import services
    assert "anxin.accounts" in names  # the else of TYPE_CHECKING runs
    assert "anxin.care.models" not in names  # annotations only
    assert "anxin.screening.services" in names  # inside a function
    assert "anxin.demo.data" in names and "anxin.core.x.Y" in names
    package = [name for _line, name in imported_names("from .models import X", "anxin.org", is_package=True)]
    assert package == ["anxin.org.models"]
