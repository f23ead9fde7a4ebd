"""The layer rule: no package imports one above it, and no import cycle.

Order, lowest first::

    policing < stations < grids < ledgers < visits < disputes < cases
             < assessments < everything else (dashboards, demo, benchmarks,
             tools ...)

``policing`` is the shared vocabulary; its composition root (settings, URLs,
the API routes, the Celery app, WSGI/ASGI) wires every app together and is
left out, as are tests and migrations. Imports inside functions count.

Run ``python tools/layers.py [ROOT]``: it prints each upward import and each
cycle, then a summary line, and exits 1 if there is either.
"""

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ORDER = (
    "policing",
    "stations",
    "grids",
    "ledgers",
    "visits",
    "disputes",
    "cases",
    "assessments",
)
COMPOSITION_ROOT = {"urls.py", "api.py", "celery.py", "wsgi.py", "asgi.py"}
SKIPPED_DIRECTORIES = {"tests", "migrations"}


@dataclass(frozen=True)
class Report:
    #: (importer, imported) -> the files that make the edge
    edges: dict[tuple[str, str], set[str]]
    upward: dict[tuple[str, str], set[str]]
    cycles: list[list[str]]

    @property
    def ok(self) -> bool:
        return not self.upward and not self.cycles

    def summary(self) -> str:
        return (
            f"layers: {len(self.edges)} package edges, {len(self.upward)} upward, "
            f"{len(self.cycles)} cycles"
        )


def rank(package: str) -> int:
    return ORDER.index(package) if package in ORDER else len(ORDER)


def check(root: Path) -> Report:
    """Return the import edges between ``root``'s top-level packages."""
    packages = {
        path.name
        for path in root.iterdir()
        if path.is_dir() and (path / "__init__.py").exists()
    }
    edges: dict[tuple[str, str], set[str]] = {}
    for path in _modules(root, packages):
        relative = path.relative_to(root)
        importer = relative.parts[0]
        for imported in _imported_packages(path):
            if imported in packages and imported != importer:
                edges.setdefault((importer, imported), set()).add(str(relative))
    upward = {
        edge: files for edge, files in edges.items() if rank(edge[0]) < rank(edge[1])
    }
    return Report(edges=edges, upward=upward, cycles=_cycles(edges))


def _modules(root: Path, packages: set[str]) -> Iterator[Path]:
    for package in sorted(packages):
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).parts
            if SKIPPED_DIRECTORIES.intersection(parts[1:-1]):
                continue
            if package == "policing" and len(parts) == 2:
                name = parts[1]
                if name in COMPOSITION_ROOT or name.startswith("settings"):
                    continue
            yield path


def _imported_packages(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def _cycles(edges) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for importer, imported in edges:
        graph.setdefault(importer, set()).add(imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def main(argv: list[str]) -> int:
    report = check(Path(argv[1] if len(argv) > 1 else "."))
    lines = [
        f"upward {importer} -> {imported}: {', '.join(sorted(files))}"
        for (importer, imported), files in sorted(report.upward.items())
    ]
    lines += ["cycle: " + " <-> ".join(cycle) for cycle in report.cycles]
    sys.stdout.write("\n".join([*lines, report.summary()]) + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
