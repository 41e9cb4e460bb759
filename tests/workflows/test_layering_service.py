"""The service's layers: engine < persistence < case layer < wiring, web and API. No circle, no upward import.

Layers, lowest first: `workflows` (the engine library); `service.config`, `service.db`,
`service.extensions`, `service.models` (persistence); `service.cases` (the case layer: every
transaction); everything else under `service` (wiring in `service.runtime`, views, CLI, workers).
A module imports only its own layer or lower ones. Imports under `if TYPE_CHECKING:` are ignored
(they never run); imports inside functions count.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERSISTENCE = ("config", "db", "extensions", "models")
# the case layer never reaches for the web stack: it is called with explicit services
CASE_LAYER_FORBIDDEN = ("flask", "flask_login", "flask_smorest", "flask_wtf", "marshmallow")


def module_files(root: Path = ROOT) -> dict[str, Path]:
    files = {}
    for base in ("service", "workflows"):
        for path in (root / base).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = path
    return files


def runtime_imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Modules `path` imports when it runs (relative imports resolved; TYPE_CHECKING blocks skipped)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree)
               if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = ".".join(package[:len(package) - node.level + 1] + ([module] if module else []))
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.add(full if full in known else module)
    return found


def layer(module: str) -> int:
    parts = module.split(".")
    if parts[0] == "workflows":
        return 0
    if len(parts) > 1 and parts[1] in PERSISTENCE:
        return 1
    if len(parts) > 1 and parts[1] == "cases":
        return 2
    return 3


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    known = module_files(root)
    return {name: {m for m in runtime_imports(path, name, known) if m in known and m != name}
            for name, path in known.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
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
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_a_higher_layer():
    graph = import_graph()
    upward = sorted((a, b) for a, targets in graph.items() for b in targets if layer(b) > layer(a))
    assert upward == []


def test_no_import_circle_between_modules():
    assert circles(import_graph()) == []


def test_the_case_layer_does_not_import_flask_or_marshmallow():
    known = module_files()
    offenders = {name: sorted(m for m in runtime_imports(path, name, known)
                              if m.split(".")[0] in CASE_LAYER_FORBIDDEN)
                 for name, path in known.items() if layer(name) == 2}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_nothing_under_service_imports_spiffworkflow():
    """The engine layer is the only user of SpiffWorkflow; the service asks it (`workflows.migration`, ...)."""
    known = module_files()
    offenders = {name: sorted(m for m in runtime_imports(path, name, known) if m.split(".")[0] == "SpiffWorkflow")
                 for name, path in known.items() if name.split(".")[0] == "service"}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_checks_would_notice_an_upward_import_and_a_circle(tmp_path):
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "__init__.py").write_text("")
    cases = tmp_path / "service" / "cases"
    cases.mkdir(parents=True)
    (tmp_path / "service" / "__init__.py").write_text("")
    (tmp_path / "service" / "runtime.py").write_text("from service.cases import a\n")
    (cases / "__init__.py").write_text("")
    (cases / "a.py").write_text("from service.cases import b\nfrom service import runtime\n")
    (cases / "b.py").write_text("import typing\nif typing.TYPE_CHECKING:\n    from service import runtime\n"
                                "def f():\n    from service.cases import a\n")
    graph = import_graph(tmp_path)
    assert graph["service.cases.a"] == {"service.cases.b", "service.runtime"}
    assert graph["service.cases.b"] == {"service.cases.a"}
    assert [m for m in graph["service.cases.a"] if layer(m) > layer("service.cases.a")] == ["service.runtime"]
    assert circles(graph) == [["service.cases.a", "service.cases.b", "service.runtime"]]
