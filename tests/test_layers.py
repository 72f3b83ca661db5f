"""Dependencies run one way (docs/architecture.md): an import written inside a function to
reach another app, or another governance subject, hides a cycle the layers contract of
`lint-imports` (pyproject.toml, `make lint`) would otherwise refuse. There are none.

Where a lower app needs a higher one's data, the higher one registers a provider from its
``AppConfig.ready()`` (deadline sources, audited models, membership and activity hooks),
importing there its own modules only. The count is that of ../shared/tools/lazy_imports.py.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("core", "charters", "members", "activities", "governance", "cos_portal")
SPLIT = {"governance"}  # its sub-packages are subjects of their own
SKIPPED = {"migrations", "tests"}


def _room(parts: list[str]) -> tuple[str, ...]:
    if parts and parts[0] in SPLIT and len(parts) > 2:
        return tuple(parts[:2])
    return tuple(parts[:1])


def _imported(node: ast.Import | ast.ImportFrom, package: list[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = package[: len(package) - node.level + 1] if node.level else []
    return [".".join(base + ([node.module] if node.module else []))]


def _lazy_imports(path: Path, root: Path = ROOT) -> list[str]:
    relative = path.relative_to(root)
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    package = parts if path.name == "__init__.py" else parts[:-1]
    own = _room(parts)
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)) and in_function:
            for name in _imported(node, package):
                target = name.split(".")
                if target[0] in APPS and _room(target) != own:
                    found.append(f"{relative}:{node.lineno}: {name}")
        inner = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(relative)), False)
    return found


def test_no_app_reaches_another_from_inside_a_function():
    found = [
        line
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if not SKIPPED & set(path.relative_to(ROOT).parts)
        for line in _lazy_imports(path)
    ]

    assert found == [], "function-level imports between apps:\n" + "\n".join(found)


def test_the_count_sees_an_import_inside_a_function(tmp_path):
    app = tmp_path / "members"
    app.mkdir()
    module = app / "probe.py"
    module.write_text(
        "from activities import models\n\n\n"
        "def f():\n    from activities import hooks\n    from . import selectors\n",
        encoding="utf-8",
    )

    assert _lazy_imports(module, root=tmp_path) == ["members/probe.py:5: activities"]
