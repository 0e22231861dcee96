"""The house's floors, kept by a test over every module's imports (ARCHITECTURE.md, DESIGN.md).

Data flows one way: ``library_site`` (accounts, system, documents) is the ground floor and imports
no app, except ``library_site.demo``, the small top app that composes the demo school; ``catalog``
imports no other app; ``circulation`` builds on ``catalog``; ``activities`` on both; ``reports``
reads all of them and nothing imports ``reports``. Tests and the benchmarks compose the apps and
are not floors of the house."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("library_site", "catalog", "circulation", "activities", "reports")
COMPOSING = "library_site.demo"

# What each floor may import, besides itself.
MAY_IMPORT = {
    "library_site": set(),
    "catalog": {"library_site"},
    "circulation": {"library_site", "catalog"},
    "activities": {"library_site", "catalog", "circulation"},
    "reports": {"library_site", "catalog", "circulation", "activities"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def house_modules():
    """Every module of the apps but their tests."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" in path.relative_to(ROOT).parts:
                continue
            yield path


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, wherever in the file (top level or inside a function),
    with relative imports made absolute."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            found.append((node.lineno, module))
    return found


def floor_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in APPS else None


def wrong_way_imports() -> list[str]:
    wrong = []
    for path in house_modules():
        importer = module_name(path)
        floor = floor_of(importer)
        if importer == COMPOSING or importer.startswith(COMPOSING + "."):
            continue
        for line, module in imported_modules(path):
            target = floor_of(module)
            if target is None or target == floor:
                continue
            if target not in MAY_IMPORT[floor]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return wrong


def test_every_import_runs_down_the_floors():
    assert wrong_way_imports() == []


def test_the_composing_app_is_the_only_part_of_the_site_that_imports_the_apps():
    importers = {
        module_name(path)
        for path in house_modules()
        if floor_of(module_name(path)) == "library_site"
        and any(floor_of(module) not in (None, "library_site") for _line, module in imported_modules(path))
    }
    assert {importer for importer in importers if not importer.startswith(COMPOSING)} == set()


@pytest.mark.parametrize(
    ("importer", "source", "expected"),
    [
        ("catalog/services/x.py", "from circulation.models import Reader\n", ["circulation.models"]),
        ("catalog/services/x.py", "def f():\n    from reports import services\n", ["reports"]),
        ("circulation/views/x.py", "from ...reports.models import A\n", ["reports.models"]),
        ("library_site/accounts/x.py", "import catalog.models\n", ["catalog.models"]),
    ],
)
def test_the_check_sees_imports_of_every_form(monkeypatch, importer, source, expected):
    """The check reads top-level, nested, relative and dotted imports: each of these is found."""
    path = ROOT / importer
    monkeypatch.setattr(Path, "read_text", lambda self, *args, **kwargs: source)
    found = [module for _line, module in imported_modules(path)]
    assert [module for module in found if floor_of(module) != floor_of(module_name(path))] == expected
