"""routing/ stands alone: it imports nothing from bot, storage, models or madoguchi."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import routing

PACKAGE = Path(routing.__file__).parent
FORBIDDEN = ("bot", "storage", "models", "madoguchi", "sqlmodel", "sqlalchemy", "telegram", "slack_bolt")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_module_of_routing_imports_a_higher_layer() -> None:
    sources = sorted(PACKAGE.glob("*.py"))
    assert len(sources) >= 5
    for source in sources:
        for module in imported_modules(source):
            top = module.split(".")[0]
            assert top not in FORBIDDEN, f"{source.name} imports {module}"
            if top == "nlp":
                assert module in {"nlp.geo", "nlp.taxonomy"}, f"{source.name} imports {module}"


def test_importing_routing_loads_no_higher_layer() -> None:
    probe = (
        "import sys, routing, routing.router, routing.sla, routing.capabilities; "
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]; "
        "print(','.join(sorted(bad)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
