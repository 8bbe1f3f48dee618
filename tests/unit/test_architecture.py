"""Architecture rules checked on the source (issue 15): no import cycles, no Qt in app/.

Every ``.py`` file under ``app/`` and ``ui/`` is parsed with :mod:`ast`; every ``import`` and
``from … import`` counts, wherever it stands (module level, inside a function, under
``TYPE_CHECKING``), absolute or relative, and a name imported from a package counts as an
import of that submodule when one exists.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "ui")


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name → (file, is a package ``__init__``)."""
    found: dict[str, tuple[Path, bool]] = {}
    for top in PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            found[".".join(parts)] = (path, is_package)
    return found


def _resolve(name: str, modules: dict[str, tuple[Path, bool]]) -> str | None:
    """The module of ours that ``name`` (a module, or a name inside one) belongs to."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """(imported dotted name, line) for every import in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if not source:
                continue
            yield source, node.lineno
            for alias in node.names:
                yield f"{source}.{alias.name}", node.lineno


def import_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """Module → {module it imports: first line of such an import} over app.* and ui.*."""
    modules = _modules(root)
    graph: dict[str, dict[str, int]] = {}
    for module, (path, is_package) in modules.items():
        deps: dict[str, int] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line in _imports(tree, module, is_package):
            target = _resolve(name, modules)
            if target is not None and target != module:
                deps.setdefault(target, line)
        graph[module] = deps
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        work.append((start, iter(sorted(graph[start]))))
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def describe(component: list[str], graph: dict[str, dict[str, int]]) -> str:
    """A cycle's modules and the imports that tie them together (file:line)."""
    members = set(component)
    edges = [
        f"    {src} imports {dst} (line {graph[src][dst]})"
        for src in component
        for dst in sorted(graph[src])
        if dst in members
    ]
    return " ↔ ".join(component) + "\n" + "\n".join(edges)


def test_no_import_cycles_in_app_or_ui() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, (
        f"{len(found)} import cycle(s); inside a package import sibling modules directly (never "
        "the package __init__), and let printing take plain rows from app/domain:\n"
        + "\n".join(describe(c, graph) for c in found)
    )


def test_the_cycle_finder_sees_function_level_relative_and_submodule_imports(
    tmp_path: Path,
) -> None:
    files = {
        "app/__init__.py": "",
        "app/a.py": "def f():\n    from app.pkg import b\n",
        "app/pkg/__init__.py": "",
        "app/pkg/b.py": "from . import c\n",
        "app/pkg/c.py": "from ..a import f\n",
        "app/d.py": "import app.a\n",
        "ui/__init__.py": "",
        "ui/x.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ui import y\n",
        "ui/y.py": "import ui.x\n",
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    found = cycles(import_graph(tmp_path))
    assert found == [["app.a", "app.pkg.b", "app.pkg.c"], ["ui.x", "ui.y"]]


def _qt_imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in names:
            if name.split(".")[0] in ("PySide6", "shiboken6"):
                yield node.lineno, name


def test_app_does_not_import_qt() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        for line, name in _qt_imports(path)
    ]
    assert not offenders, "app/ must not depend on Qt (PySide6 belongs in ui/):\n" + "\n".join(
        offenders
    )


MAX_MODULE_LINES = 700  # issue 15: a module is read in one sitting; most stay under 500
MAX_MODULES_OVER_500 = 5


def _module_sizes() -> dict[str, int]:
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for top in ("app", "ui")
        for path in sorted((ROOT / top).rglob("*.py"))
    }


def test_no_module_in_app_or_ui_is_too_long_to_read_in_one_sitting() -> None:
    sizes = _module_sizes()
    too_long = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not too_long, f"split these modules (over {MAX_MODULE_LINES} lines): {too_long}"
    over_500 = sorted(name for name, n in sizes.items() if n > 500)
    assert len(over_500) <= MAX_MODULES_OVER_500, f"too many modules over 500 lines: {over_500}"


def _area_packages() -> list[str]:
    names = [
        f"app.services.{p.name}"
        for p in sorted((ROOT / "app" / "services").iterdir())
        if p.is_dir() and (p / "__init__.py").exists()
    ]
    names += [
        f"app.services.{p.stem}"
        for p in sorted((ROOT / "app" / "services").glob("*.py"))
        if p.stem != "__init__"
    ]
    return names


def test_every_service_area_imports_first_in_a_fresh_interpreter() -> None:
    """Importing a submodule runs its package's ``__init__``: a cycle through two areas'
    packages only shows when one of them is the first thing imported (the AST walk above
    sees explicit imports only)."""
    import subprocess
    import sys

    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.startswith(('app.', 'ui.'))]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as exc:\n"
        "        failed.append(f'{name}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *_area_packages()],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", "import cycles at run time:\n" + done.stdout
