"""Imports point one way: models <- storage; neither reaches up to routing, bot or madoguchi."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(package: str) -> dict[str, set[str]]:
    """Every module imported anywhere in ``package`` (lazy imports included), per file."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden", "allowed_nlp"),
    [
        ("models", ("storage", "routing", "bot", "madoguchi", "nlp"), ()),
        ("storage", ("routing", "bot", "madoguchi"), ("nlp.geo", "nlp.places")),
    ],
)
def test_lower_layers_do_not_import_higher_ones(
    package: str, forbidden: tuple[str, ...], allowed_nlp: tuple[str, ...]
) -> None:
    for path, names in imported_modules(package).items():
        for name in names:
            top = name.split(".")[0]
            assert top not in forbidden, f"{path} imports {name}"
            if top == "nlp":
                assert name in allowed_nlp, (
                    f"{path} imports {name}; storage may use only the pure {allowed_nlp}"
                )
