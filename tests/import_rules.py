"""The project's import rules, checked from the source (``make lint`` and the test suite).

- No import cycle between modules of ``portal``, ``articles`` and ``comments`` — imports inside
  functions count, since hiding an import in a function hides the cycle, not the coupling.
- ``portal`` is glue: apart from the root URLconf it imports no app.
- ``comments`` knows ``articles``; ``articles`` never imports ``comments``.

Run ``python -m tests.import_rules``: prints each broken rule and exits 1, or exits 0.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "articles", "comments")
# Modules allowed to import the apps: the root URLconf wires them together.
PORTAL_MAY_IMPORT_APPS = {"portal.urls"}


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the project modules it imports, wherever the import statement stands."""
    graph = {}
    for module, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, path, node)
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # a name inside a module
                    target = target.rpartition(".")[0]
                if target and target != module:
                    found.add(target)
        graph[module] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def problems(root: Path = ROOT) -> list[str]:
    graph = imports(project_modules(root))
    found = [f"import cycle: {' → '.join(c)}" for c in cycles(graph)]
    for module, targets in sorted(graph.items()):
        app = module.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if app == "portal" and other != "portal" and module not in PORTAL_MAY_IMPORT_APPS:
                found.append(f"{module} imports {target}: portal/ is glue and imports no app")
            if app == "articles" and other == "comments":
                found.append(f"{module} imports {target}: articles must not know comments")
    return found


if __name__ == "__main__":
    broken = problems()
    for line in broken:
        print(line)
    sys.exit(1 if broken else 0)
