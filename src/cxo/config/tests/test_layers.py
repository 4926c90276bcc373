"""Apps import only the apps below them: core ← registry ← matching ← sourcing ← quality ← contracts.

Any import counts, at the top of a module or inside a function. ``cxo.config`` (settings, URLs, the API,
the demo command) and ``cxo.testing`` compose every app and may import any; tests are not checked.
A new app is added to ``BELOW`` with the apps it builds on.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2]

BELOW: dict[str, set[str]] = {
    "core": set(),
    "registry": {"core"},
    "matching": {"registry", "core"},
    "sourcing": {"matching", "registry", "core"},
    "quality": {"sourcing", "matching", "registry", "core"},
    "contracts": {"quality", "sourcing", "matching", "registry", "core"},
}
COMPOSERS = {"config", "testing"}


def _imported_apps(path: Path) -> set[tuple[str, int]]:
    """(app, line) for every ``cxo.<app>`` the module imports."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "cxo" and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


def _modules(app: str) -> list[Path]:
    return sorted(p for p in (SRC / app).rglob("*.py") if "tests" not in p.relative_to(SRC / app).parts)


def test_every_app_is_placed_in_the_layers() -> None:
    apps = {p.parent.name for p in SRC.glob("*/apps.py")} | {
        p.name for p in SRC.iterdir() if (p / "__init__.py").exists()
    }
    assert apps - COMPOSERS == set(BELOW), "add the new app to BELOW with the apps it builds on"


@pytest.mark.parametrize("app", sorted(BELOW))
def test_an_app_imports_only_the_apps_below_it(app: str) -> None:
    allowed = BELOW[app] | {app}
    wrong = [
        f"{path.relative_to(SRC)}:{line} imports cxo.{other}"
        for path in _modules(app)
        for other, line in sorted(_imported_apps(path))
        if other not in allowed
    ]
    assert wrong == []


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "award.py"
    module.write_text("def award():\n    from cxo.contracts.services import work_order_create\n")
    assert _imported_apps(module) == {("contracts", 2)}
