"""Where routing looks: the areas around an SME, nearest first, with their candidates.

Everything here depends only on the snapshot and the capability table, never on a case
nor on the coordinators' current open cases, so each area's candidate list is built once,
on first use, sorted by fit to the category: routing a case only walks its head.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from nlp.geo import REGIONS
from routing.capabilities import CapabilityTable
from routing.decision import Tier
from routing.directory import Coordinator, DirectorySnapshot, Hub

# One candidate: (-fit to the category, coordinator id, hub, coordinator). Lists are sorted
# on the first two items, so the best fit comes first; the objects are never compared.
Candidate = tuple[int, str, Hub, Coordinator]
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Area:
    """One area searched for a category: 「松本市」「長野県内」「関東地域」「全国」."""

    tier: Tier
    name: str
    candidates: tuple[Candidate, ...]  # the fitting hubs' staff (see Areas), best fit first
    has_fitting_hub: bool  # even if none of its coordinators is available


def same_municipality(case_municipality: str, hub_municipality: str) -> bool:
    """「札幌市中央区」 is in 「札幌市」; otherwise the names must be equal."""
    return case_municipality == hub_municipality or (
        hub_municipality.endswith("市") and case_municipality.startswith(hub_municipality)
    )


def is_near(municipality: str | None, hub: Hub) -> bool:
    """Whether ``hub`` is in the SME's municipality (False when either is unknown)."""
    return bool(municipality and hub.municipality and same_municipality(municipality, hub.municipality))


class _Lazy(dict[str, V]):
    """A dict that computes a missing key's value once, on first look-up."""

    def __init__(self, make: Callable[[str], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: str) -> V:
        value = self[key] = self._make(key)
        return value


class Areas:
    """The directory seen by area: who can take cases, who fits, and the areas of a place.

    Staff are the active coordinators with some capacity, at active hubs; whether one is
    full right now is for the router to check against the current open cases.
    """

    def __init__(self, directory: DirectorySnapshot, capabilities: CapabilityTable) -> None:
        hubs = sorted((h for h in directory.hubs if h.active), key=lambda h: h.id)
        self.by_prefecture: dict[str, tuple[Hub, ...]] = {}
        for hub in hubs:
            self.by_prefecture[hub.prefecture] = (*self.by_prefecture.get(hub.prefecture, ()), hub)
        self._by_region = {r: tuple(h for h in hubs if h.region == r) for r in REGIONS}
        self._elsewhere = {r: tuple(h for h in hubs if h.region != r) for r in REGIONS}
        self._staff = {
            h.id: tuple(c for c in directory.staff(h.id) if c.active and c.capacity > 0) for h in hubs
        }
        people = [c for cs in self._staff.values() for c in cs]
        table = capabilities.categories
        # per category, computed on first use: the hubs meeting its hub requirement and the
        # fit of every staff member
        self.fitting: _Lazy[frozenset[str]] = _Lazy(
            lambda category: frozenset(h.id for h in hubs if table[category].hub_fits(h))
        )
        self.fit: _Lazy[dict[str, int]] = _Lazy(
            lambda category: {c.id: table[category].coordinator_fit(c) for c in people}
        )
        self._areas: dict[tuple[str, Tier, str], Area] = {}
        self._plans: dict[tuple[str, str, str | None], tuple[Area, ...]] = {}
        self._near: dict[tuple[str, str], frozenset[str]] = {}

    def plan(self, category: str, prefecture: str, region: str, municipality: str | None) -> tuple[Area, ...]:
        """The areas to search for a case, nearest first: municipality (when the SME's has
        a hub), prefecture, region, nationwide."""
        near = self.near_hubs(prefecture, municipality)
        key = (category, prefecture, municipality if near else None)
        plan = self._plans.get(key)
        if plan is None:
            local = self._area(category, Tier.PREFECTURE, prefecture, region)
            areas = [local]
            if municipality and near:
                fitting = self.fitting[category]
                rest = {h.id for h in self.by_prefecture[prefecture]} - near
                inside = tuple(c for c in local.candidates if c[2].id in near)
                outside = tuple(c for c in local.candidates if c[2].id not in near)
                areas = [
                    Area(Tier.MUNICIPALITY, municipality, inside, bool(near & fitting)),
                    Area(Tier.PREFECTURE, local.name, outside, bool(rest & fitting)),
                ]
            areas.append(self._area(category, Tier.REGION, prefecture, region))
            areas.append(self._area(category, Tier.NATIONWIDE, prefecture, region))
            plan = self._plans[key] = tuple(areas)
        return plan

    def near_hubs(self, prefecture: str, municipality: str | None) -> frozenset[str]:
        """Ids of the prefecture's active hubs in the SME's municipality."""
        if not municipality:
            return frozenset()
        key = (prefecture, municipality)
        near = self._near.get(key)
        if near is None:
            local = self.by_prefecture.get(prefecture, ())
            near = self._near[key] = frozenset(h.id for h in local if is_near(municipality, h))
        return near

    def _area(self, category: str, tier: Tier, prefecture: str, region: str) -> Area:
        key = (category, tier, region if tier is Tier.NATIONWIDE else prefecture)
        area = self._areas.get(key)
        if area is None:
            if tier is Tier.PREFECTURE:
                hubs, name = self.by_prefecture.get(prefecture, ()), f"{prefecture}内"
            elif tier is Tier.REGION:
                hubs = tuple(h for h in self._by_region[region] if h.prefecture != prefecture)
                name = f"{region}地域"
            else:
                hubs, name = self._elsewhere[region], "全国"
            fitting, fit = self.fitting[category], self.fit[category]
            fitting_hubs = [h for h in hubs if h.id in fitting]
            candidates = [(-fit[c.id], c.id, h, c) for h in fitting_hubs for c in self._staff[h.id]]
            candidates.sort(key=lambda candidate: candidate[:2])
            area = self._areas[key] = Area(tier, name, tuple(candidates), bool(fitting_hubs))
        return area
