"""The core stays the core: `bot/` imports nothing else of the repository, and no package
imports itself in a circle (a cycle hidden in a function-level import counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.settings import PROJECT_ROOT

PACKAGES = ("bot", "api", "actions", "cli", "nlu_components", "rasa_engine")
OUTSIDE_THE_CORE = tuple(p for p in PACKAGES if p != "bot")


def module_name(path: Path, root: Path = PROJECT_ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, root: Path = PROJECT_ROOT) -> set[str]:
    """Every name `path` imports at run time, at any depth (`if TYPE_CHECKING:` left out):
    `from a.b import c` gives both `a.b` and `a.b.c`, since `c` may be a module."""
    found: set[str] = set()
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*parts, node.module] if node.module else parts)
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text("utf-8"), str(path)))
    return found


def sources(package: str) -> list[Path]:
    return sorted((PROJECT_ROOT / package).rglob("*.py"))


def test_the_core_imports_nothing_else_of_the_repository() -> None:
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)} imports {name}"
        for path in sources("bot")
        for name in sorted(imports_of(path))
        if name.split(".")[0] in OUTSIDE_THE_CORE
    ]
    assert not wrong, "\n".join(wrong)


def _graph(packages: tuple[str, ...] = PACKAGES, root: Path = PROJECT_ROOT) -> dict[str, set[str]]:
    """Module → the modules of the repository it imports. `from package import module` is an
    edge to the module alone: a package's `__init__` importing its children is no cycle."""
    paths = {
        module_name(path, root): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        imported = imports_of(path, root)
        graph[name] = {
            target
            for target in imported
            if target in paths
            and target != name
            and not any(
                other.startswith(target + ".") and other.rpartition(".")[0] == target
                for other in imported
                if other in paths
            )
        }
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := walk(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_no_module_imports_itself_in_a_circle() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_checks_see_hidden_imports_and_cycles(tmp_path: Path) -> None:
    """The checks are only as good as what they find: a function-level import is seen, a
    `TYPE_CHECKING` one is not, and a cycle through a function-level import is reported."""
    package = tmp_path / "core"
    package.mkdir()
    (package / "__init__.py").write_text("from core import a, b\n")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from core import c\ndef f():\n    from core.b import g\n"
    )
    (package / "b.py").write_text("from core.a import f\n")
    (package / "c.py").write_text("")
    assert "core.b.g" in imports_of(package / "a.py", tmp_path)
    assert "core.c" not in imports_of(package / "a.py", tmp_path)
    assert _cycle(_graph(("core",), tmp_path)) == ["core.a", "core.b", "core.a"]
