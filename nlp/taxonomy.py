"""The category taxonomy, loaded from one YAML data file."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

OTHER = "other"


class TaxonomyError(ValueError):
    """The taxonomy file is missing, malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class Category:
    """One category: fixed id, Japanese name and a one-line summary for users."""

    id: str
    name: str
    summary: str
    routable: bool = True


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """All categories in display order."""

    categories: tuple[Category, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def get(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def name(self, category_id: str) -> str:
        return self.get(category_id).name


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the taxonomy from ``path`` or the packaged default."""
    source = path.read_text("utf-8") if path else (files("nlp") / "taxonomy.yaml").read_text("utf-8")
    try:
        raw = yaml.safe_load(source)
        items = raw["categories"]
        categories = tuple(
            Category(
                id=str(item["id"]),
                name=str(item["name"]),
                summary=str(item.get("summary", "")),
                routable=bool(item.get("routable", True)),
            )
            for item in items
        )
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise TaxonomyError(f"taxonomy file is malformed: {exc}") from exc
    ids = [c.id for c in categories]
    if len(set(ids)) != len(ids):
        raise TaxonomyError("taxonomy has duplicate category ids")
    if OTHER not in ids:
        raise TaxonomyError(f"taxonomy must contain the '{OTHER}' category")
    return Taxonomy(categories)
