"""The capability table: per category, which hubs must take a case and which people fit.

The table is data (``capabilities.yaml`` beside this module, or an admin's copy); this
module loads it and refuses anything it does not understand, naming the place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from nlp.taxonomy import Taxonomy
from routing.directory import Coordinator, Hub

_CRITERIA = ("succession_center", "institution_types", "partner_types")


class CapabilityError(ValueError):
    """The capability table is missing, malformed or inconsistent with the taxonomy."""


@dataclass(frozen=True, slots=True)
class HubCriterion:
    """One way a hub can fit a category; ``says`` names such a hub in reasons."""

    says: str
    succession_center: bool = False
    institution_types: frozenset[str] = frozenset()
    partner_types: frozenset[str] = frozenset()

    def met_by(self, hub: Hub) -> bool:
        """Whether ``hub`` meets this criterion."""
        if self.succession_center:
            return hub.succession_center
        if self.institution_types:
            return hub.institution_type in self.institution_types
        return not self.partner_types.isdisjoint(hub.partner_types)


@dataclass(frozen=True, slots=True)
class Capability:
    """What the table says about one category."""

    category: str
    name: str
    hub_any_of: tuple[HubCriterion, ...] = ()
    qualifications: tuple[str, ...] = ()
    specialities: frozenset[str] = frozenset()

    @property
    def restricts_hubs(self) -> bool:
        """Whether only some hubs fit (otherwise every hub does)."""
        return bool(self.hub_any_of)

    def hub_criterion(self, hub: Hub) -> HubCriterion | None:
        """The first alternative ``hub`` meets, or None."""
        return next((c for c in self.hub_any_of if c.met_by(hub)), None)

    def hub_fits(self, hub: Hub) -> bool:
        """Whether ``hub`` meets the category's hub requirement."""
        return not self.hub_any_of or self.hub_criterion(hub) is not None

    def fitting_qualifications(self, coordinator: Coordinator) -> tuple[str, ...]:
        """The coordinator's qualifications that fit, in the table's order."""
        held = set(coordinator.qualifications)
        return tuple(q for q in self.qualifications if q in held)

    def speciality_fits(self, coordinator: Coordinator) -> bool:
        """Whether one of the coordinator's specialities fits."""
        return not self.specialities.isdisjoint(coordinator.specialities)

    def coordinator_fit(self, coordinator: Coordinator) -> int:
        """0, 1 or 2: a fitting qualification and a fitting speciality count one each."""
        return int(bool(self.fitting_qualifications(coordinator))) + int(self.speciality_fits(coordinator))


@dataclass(frozen=True, slots=True)
class CapabilityTable:
    """Every routable category's capability, and the categories never routed."""

    categories: Mapping[str, Capability]
    not_routed: frozenset[str]

    def __getitem__(self, category: str) -> Capability:
        return self.categories[category]

    def routes(self, category: str) -> bool:
        """Whether a case of ``category`` is handed to a hub at all."""
        return category in self.categories


def load_capabilities(path: Path | None = None, taxonomy: Taxonomy | None = None) -> CapabilityTable:
    """Read and validate the table from ``path`` or the packaged default.

    With a ``taxonomy``, every routable category must have an entry and every other one
    must be listed under ``not_routed``.
    """
    where = str(path) if path else "capabilities.yaml"
    try:
        text = (
            path.read_text("utf-8") if path else (files("routing") / "capabilities.yaml").read_text("utf-8")
        )
        raw = yaml.safe_load(text)
    except OSError as exc:
        raise CapabilityError(f"{where}: cannot read the capability table ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise CapabilityError(f"{where}: not valid YAML ({exc})") from exc
    table = _Parser(where).table(raw)
    if taxonomy is not None:
        _check_against(table, taxonomy, where)
    return table


def _check_against(table: CapabilityTable, taxonomy: Taxonomy, where: str) -> None:
    routable = {c.id for c in taxonomy.categories if c.routable}
    unroutable = {c.id for c in taxonomy.categories if not c.routable}
    problems = []
    if missing := sorted(routable - set(table.categories)):
        problems.append(f"no entry for categories {missing}")
    if unknown := sorted(set(table.categories) - routable - unroutable):
        problems.append(f"categories not in the taxonomy {unknown}")
    if wrong := sorted((set(table.categories) & unroutable) | (unroutable - table.not_routed)):
        problems.append(f"not_routed must list exactly the taxonomy's unroutable categories ({wrong})")
    if extra := sorted(table.not_routed - unroutable):
        problems.append(f"not_routed lists categories the taxonomy routes or lacks ({extra})")
    if problems:
        raise CapabilityError(f"{where}: " + "; ".join(problems))


class _Parser:
    """Turns the parsed YAML into a table, failing on the first mistake with its place."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.vocabulary: dict[str, frozenset[str]] = {}

    def fail(self, at: str, problem: str) -> CapabilityError:
        return CapabilityError(f"{self.where}: {at}: {problem}")

    def mapping(self, value: Any, at: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(at, "expected a mapping")
        if unknown := sorted(set(value) - allowed):
            raise self.fail(at, f"unknown keys {unknown} (allowed: {sorted(allowed)})")
        if missing := sorted(required - set(value)):
            raise self.fail(at, f"missing keys {missing}")
        return value

    def words(self, value: Any, at: str, vocabulary: str | None = None) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(at, "expected a non-empty list")
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(at, "expected non-empty strings")
        if len(set(value)) != len(value):
            raise self.fail(at, "lists a value twice")
        if vocabulary is not None and (unknown := [v for v in value if v not in self.vocabulary[vocabulary]]):
            raise self.fail(at, f"unknown {vocabulary.replace('_', ' ')[:-1]} {unknown}")
        return tuple(value)

    def text(self, value: Any, at: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(at, "expected a non-empty string")
        return value.strip()

    def table(self, raw: Any) -> CapabilityTable:
        top = self.mapping(
            raw,
            "top level",
            {"version", "vocabulary", "categories", "not_routed"},
            {"version", "vocabulary", "categories", "not_routed"},
        )
        if top["version"] != 1:
            raise self.fail("version", f"unsupported version {top['version']!r} (expected 1)")
        kinds = {"institution_types", "partner_types", "qualifications"}
        vocab = self.mapping(top["vocabulary"], "vocabulary", kinds, kinds)
        self.vocabulary = {k: frozenset(self.words(vocab[k], f"vocabulary.{k}")) for k in kinds}
        categories = top["categories"]
        if not isinstance(categories, dict) or not categories:
            raise self.fail("categories", "expected a mapping of category ids to entries")
        ids = {str(k) for k in categories}
        not_routed = frozenset(self.words(top["not_routed"], "not_routed"))
        if both := sorted(ids & not_routed):
            raise self.fail("not_routed", f"categories both routed and not routed {both}")
        parsed = {str(k): self.capability(str(k), v, ids) for k, v in categories.items()}
        return CapabilityTable(MappingProxyType(parsed), not_routed)

    def capability(self, category: str, raw: Any, ids: set[str]) -> Capability:
        at = f"categories.{category}"
        entry = self.mapping(raw, at, {"name", "hub", "coordinator"}, {"name", "coordinator"})
        any_of: tuple[HubCriterion, ...] = ()
        if "hub" in entry:
            hub = self.mapping(entry["hub"], f"{at}.hub", {"any_of"}, {"any_of"})
            if not isinstance(hub["any_of"], list) or not hub["any_of"]:
                raise self.fail(f"{at}.hub.any_of", "expected a non-empty list of alternatives")
            any_of = tuple(self.criterion(c, f"{at}.hub.any_of[{i}]") for i, c in enumerate(hub["any_of"]))
        person = self.mapping(
            entry["coordinator"],
            f"{at}.coordinator",
            {"qualifications", "specialities"},
            {"qualifications", "specialities"},
        )
        specialities = self.words(person["specialities"], f"{at}.coordinator.specialities")
        if unknown := [s for s in specialities if s not in ids]:
            raise self.fail(f"{at}.coordinator.specialities", f"unknown categories {unknown}")
        return Capability(
            category=category,
            name=self.text(entry["name"], f"{at}.name"),
            hub_any_of=any_of,
            qualifications=self.words(
                person["qualifications"], f"{at}.coordinator.qualifications", "qualifications"
            ),
            specialities=frozenset(specialities),
        )

    def criterion(self, raw: Any, at: str) -> HubCriterion:
        entry = self.mapping(raw, at, {*_CRITERIA, "says"}, {"says"})
        given = [k for k in _CRITERIA if k in entry]
        if len(given) != 1:
            raise self.fail(at, f"expected exactly one of {list(_CRITERIA)}, found {given}")
        says = self.text(entry["says"], f"{at}.says")
        kind = given[0]
        if kind == "succession_center":
            if entry[kind] is not True:
                raise self.fail(f"{at}.succession_center", "only `true` is meaningful")
            return HubCriterion(says=says, succession_center=True)
        values = frozenset(self.words(entry[kind], f"{at}.{kind}", kind))
        if kind == "institution_types":
            return HubCriterion(says=says, institution_types=values)
        return HubCriterion(says=says, partner_types=values)
