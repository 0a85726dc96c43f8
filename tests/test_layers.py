"""The package's layers point one way (docs/architecture.md):

    foundation <- model <- store <- helpers <- stages <- pipeline <- views <- interfaces

Every import in src/storytrace is read (module level, inside functions, and under
TYPE_CHECKING): none may point to a higher layer, no stage package may import another, there
is no import cycle, and a function-local import of storytrace is allowed only where the
list below says why.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
# Most specific prefix wins.
LAYERS = {
    "storytrace": 0, "storytrace.errors": 0, "storytrace.util": 0, "storytrace.settings": 0,
    "storytrace.model": 1, "storytrace.progress": 1,
    "storytrace.store": 2,
    "storytrace.text": 3, "storytrace.provenance": 3, "storytrace.stage": 3,
    "storytrace.sentences": 3,
    "storytrace.ml": 3, "storytrace.extract": 3, "storytrace.nlp": 3,
    "storytrace.ingest.readers": 3, "storytrace.ingest.decode": 3, "storytrace.ingest.guard": 3,
    "storytrace.ingest": 4, "storytrace.embed": 4, "storytrace.answer_index": 4,
    "storytrace.reuse": 4,
    "storytrace.stories": 4, "storytrace.claims": 4, "storytrace.timeline": 4,
    "storytrace.pipeline": 5, "storytrace.engine": 5,
    "storytrace.ask": 6, "storytrace.brief": 6, "storytrace.payload": 6, "storytrace.report": 6,
    "storytrace.workspace": 7, "storytrace.cli": 7, "storytrace.web": 7,
}  # fmt: skip
NAMES = ["foundation", "model", "store", "helpers", "stages", "pipeline", "views", "interfaces"]
STAGE_PACKAGES = ("ingest", "embed", "answer_index", "reuse", "stories", "claims", "timeline")
# Function-local imports of storytrace, each with the reason it is not at the top.
LOCAL_IMPORTS = {
    ("storytrace.cli.app", "storytrace.web"): "FastAPI and uvicorn: startup time",
    ("storytrace.cli.app", "storytrace.engine"): "SciPy graph routines, Arrow: startup time",
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "storytrace").rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def layer(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def stage_package(module: str) -> str | None:
    if layer(module) != LAYERS["storytrace.reuse"]:
        return None
    return module.split(".")[1]


def _imports(name: str, path: Path) -> list[tuple[str, bool]]:
    """(imported storytrace module, imported inside a function) for each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(n) for n in ast.walk(node) if n is not node}
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]  # fmt: skip
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for target in targets:
            if target in MODULES and target != name:
                found.append((target, id(node) in inside))
    return found


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def _graph() -> dict[str, set[str]]:
    """Module -> modules its import runs: the target and the target's packages (their
    ``__init__`` runs first), except packages the importer is itself inside."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, imports in IMPORTS.items():
        for target, _ in imports:
            graph[name].add(target)
            parts = target.split(".")
            for i in range(2, len(parts)):
                package = ".".join(parts[:i])
                if package in MODULES and not (name + ".").startswith(package + "."):
                    graph[name].add(package)
    return graph


def test_every_module_has_a_layer() -> None:
    assert all(layer(m) is not None for m in MODULES)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_or_sideways(name: str) -> None:
    mine = layer(name)
    for target, _ in IMPORTS[name]:
        assert layer(target) <= mine, (
            f"{name} ({NAMES[mine]}) imports {target} ({NAMES[layer(target)]})"
        )
        own, theirs = stage_package(name), stage_package(target)
        assert not (own and theirs and own != theirs), f"stage {own} imports stage {theirs}"


def test_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module)


def test_function_local_imports_are_only_the_listed_ones() -> None:
    local = set()
    for name, imports in IMPORTS.items():
        for target, in_function in imports:
            if in_function:
                package = target if target.count(".") == 1 else target.rsplit(".", 1)[0]
                local.add((name, package if (name, package) in LOCAL_IMPORTS else target))
    assert local == set(LOCAL_IMPORTS)


def test_no_lazy_module_attributes() -> None:
    """Packages export what they import, not what a module-level __getattr__ finds later."""
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert "__getattr__" not in functions, name
