"""The routing rules: which hub and which coordinator take a case, and why.

1. ``other`` (any category the table lists as not routed) goes to nobody.
2. An unknown prefecture is never guessed: the decision says it is needed.
3. Hubs are searched nearest first: the SME's municipality, its prefecture, its regional
   bureau, then nationwide. Only active hubs that meet the primary label's hub
   requirement count (secondary labels never exclude a hub).
4. In the first area with an available coordinator (active, under capacity, not among
   those who declined this case), the candidates are ranked by fit to the primary label
   (fitting qualification, fitting speciality), then by what the secondary labels prefer
   (hub criteria and coordinator fit), then by the lowest load; exact ties go by a hash
   of the case key, which spreads them evenly and gives a case the same answer every time.
5. Nobody available anywhere: an escalation to the nearest fitting hub's queue, or to the
   region's queue when the prefecture has no fitting hub. Nothing is dropped silently.

A snapshot never changes, so the outcome of a search (the candidates tied for best) is
kept per (label, secondary labels, prefecture, municipality) for cases nobody has
declined; only the fair tie-break, which depends on the case key, runs for every case.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace

from nlp.geo import prefecture as find_prefecture
from routing import reasons
from routing.areas import Areas, Candidate, is_near
from routing.capabilities import Capability, CapabilityTable
from routing.decision import Case, Decision, Escalation, EscalationScope, Outcome, Tier
from routing.directory import Coordinator, DirectorySnapshot, Hub

NOT_ROUTED = Decision(Outcome.NOT_ROUTED, (reasons.NOT_ROUTED,))
NEEDS_PREFECTURE = Decision(Outcome.NEEDS, (reasons.NEEDS_PREFECTURE,), needs=("prefecture",))
MEMORY = 20_000  # searches a router keeps by default; forgotten all at once when full


class UnknownCategoryError(ValueError):
    """A label the capability table neither routes nor lists as not routed."""


def _digest(text: str) -> int:
    """A stable 64-bit hash of ``text`` (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class _Found:
    """The decisions tied for best in one search, in id order, each built when first chosen.

    The fair tie-break picks ``digest(case key) mod count``: every choice is equally likely
    over many cases, and the same case always gets the same one.
    """

    __slots__ = ("count", "made", "make")

    def __init__(self, count: int, make: Callable[[int], Decision]) -> None:
        self.count = count
        self.make = make
        self.made: dict[int, Decision] = {}

    def decision(self, key: str) -> Decision:
        """The choice for a case with ``key``."""
        chosen = _digest(key) % self.count if self.count > 1 else 0
        made = self.made.get(chosen)
        if made is None:
            made = self.made[chosen] = self.make(chosen)
        return made


class Router:
    """Routes cases over one directory snapshot; build once, call ``route`` per case."""

    def __init__(
        self, directory: DirectorySnapshot, capabilities: CapabilityTable, *, memory: int = MEMORY
    ) -> None:
        self.directory = directory
        self.capabilities = capabilities
        self.memory = memory  # searches kept; 0 searches afresh every time
        self._areas = Areas(directory, capabilities)
        self._open: Mapping[str, int] | None = None  # None: the snapshot's open cases
        self._searched: dict[tuple[str, tuple[str, ...], str, str | None], _Found] = {}
        # reasons depend only on the directory: each is phrased once (shared with copies)
        self._said_hub: dict[tuple[Tier, str, str, str], str] = {}
        self._said_fit: dict[tuple[str, str], str] = {}
        self._said_extra: dict[tuple[str, str, str], str | None] = {}

    def with_open_cases(self, open_cases: Mapping[str, int]) -> Router:
        """A router for the same directory with the current open cases per coordinator id
        (absent means none), sharing all that this one computed: build one router per
        directory and call this per case instead of reading the whole directory again."""
        other = copy.copy(self)
        other._open = open_cases
        other._searched = {}
        return other

    def route(self, case: Case) -> Decision:
        """The decision for one case; the same case and snapshot always give the same one."""
        if case.label in self.capabilities.not_routed:
            return NOT_ROUTED
        capability = self._capability(case.label)
        place = find_prefecture(case.prefecture) if case.prefecture else None
        if place is None:
            return NEEDS_PREFECTURE
        if case.declined_by:
            return self._search(case, capability, place.name, place.region).decision(case.key)
        key = (case.label, case.secondary, place.name, case.municipality)
        found = self._searched.get(key)
        if found is None:
            found = self._search(case, capability, place.name, place.region)
            if len(self._searched) >= self.memory:
                self._searched.clear()
            if self.memory > 0:
                self._searched[key] = found
        return found.decision(case.key)

    def escalate(self, case: Case, reason: str, hub_id: str | None = None) -> Decision:
        """Escalate a case (e.g. not accepted within the SLA) the same way as ``route``:
        to ``hub_id``'s queue when given, else the nearest fitting hub's or the region's."""
        if hub_id is not None:
            hub = self.directory.hub(hub_id)
            escalation = Escalation(EscalationScope.HUB, hub.region, reason, hub)
            return Decision(Outcome.ESCALATED, (reason,), escalation=escalation)
        place = find_prefecture(case.prefecture) if case.prefecture else None
        if place is None:
            raise ValueError("a case without a known prefecture needs a hub to escalate to")
        capability = self._capability(case.label)
        found = self._escalations(case, capability, self._secondary(case), place.name, place.region, reason)
        return found.decision(case.key)

    def _capability(self, label: str) -> Capability:
        capability = self.capabilities.categories.get(label)
        if capability is None:
            raise UnknownCategoryError(f"the capability table has no category {label!r}")
        return capability

    def _secondary(self, case: Case) -> tuple[Capability, ...]:
        labels = dict.fromkeys(s for s in case.secondary if s != case.label)
        return tuple(self._capability(s) for s in labels if s not in self.capabilities.not_routed)

    def _search(self, case: Case, capability: Capability, prefecture: str, region: str) -> _Found:
        """Every equally good decision for ``case`` (before the fair tie-break)."""
        secondary = self._secondary(case)
        notes = (reasons.declined_reason(case.declined_by),) if case.declined_by else ()
        missed = None  # the last area searched in vain
        fitting_before = False  # whether the areas searched in vain had fitting hubs (all busy)
        for area in self._areas.plan(capability.category, prefecture, region, case.municipality):
            tied = self._best(area.candidates, case.declined_by, secondary)
            if not tied:
                if area.has_fitting_hub or area.tier is not Tier.MUNICIPALITY:
                    missed = area
                fitting_before = fitting_before or area.has_fitting_hub
                continue
            prefix = (
                (reasons.fallback_reason(missed.name, area.name, fitting_before, capability),)
                if missed is not None
                else ()
            )
            return self._assignments(tied, area.tier, prefecture, capability, secondary, prefix, notes)
        return self._escalations(case, capability, secondary, prefecture, region, None, notes)

    def _assignments(
        self,
        tied: list[tuple[Hub, Coordinator]],
        tier: Tier,
        prefecture: str,
        capability: Capability,
        secondary: tuple[Capability, ...],
        prefix: tuple[str, ...],
        notes: tuple[str, ...],
    ) -> _Found:
        """The assignments to the tied candidates, with their reasons in order: why the
        search left a nearer area, the hub, the fit, secondary labels, the load, declines."""

        said_hub, said_fit, said_extra = self._said_hub, self._said_fit, self._said_extra

        def assign(i: int) -> Decision:
            hub, person = tied[i]
            where = (tier, prefecture, capability.category, hub.id)
            if where not in said_hub:
                said_hub[where] = reasons.hub_reason(tier, prefecture, capability, hub)
            fit = (capability.category, person.id)
            if fit not in said_fit:
                said_fit[fit] = reasons.coordinator_reason(capability, person)
            why = [*prefix, said_hub[where], said_fit[fit]]
            for extra in secondary:
                also = (extra.category, hub.id, person.id)
                if also not in said_extra:
                    said_extra[also] = reasons.secondary_reason(extra, hub, person)
                if (note := said_extra[also]) is not None:
                    why.append(note)
            why.append(reasons.load_reason(person))
            return Decision(Outcome.ASSIGNED, (*why, *notes), hub=hub, coordinator=person, tier=tier)

        return _Found(len(tied), assign)

    def _best(
        self, candidates: tuple[Candidate, ...], declined: frozenset[str], secondary: tuple[Capability, ...]
    ) -> list[tuple[Hub, Coordinator]]:
        """The available candidates tied for best in a list sorted by fit: fit, then
        secondary preference, then load (the fair tie-break comes later). Coordinators come
        back with their current open cases."""
        opened = self._open
        extra_fit = [self._areas.fit[s.category] for s in secondary]
        extra_hubs = [self._areas.fitting[s.category] for s in secondary if s.restricts_hubs]
        top_fit: int | None = None
        best: tuple[int, float] | None = None
        tied: list[tuple[Hub, Coordinator]] = []
        for neg_fit, person_id, hub, person in candidates:
            now = person.open_cases if opened is None else opened.get(person_id, 0)
            if now >= person.capacity or person_id in declined:
                continue
            if top_fit is None:
                top_fit = neg_fit
            elif neg_fit != top_fit:
                break  # a worse fit never wins
            bonus = 0
            if secondary:
                bonus = sum(1 for table in extra_fit if table[person_id])
                bonus += sum(1 for hub_ids in extra_hubs if hub.id in hub_ids)
            rank = (-bonus, now / person.capacity)
            if best is None or rank <= best:
                if person.open_cases != now:
                    person = replace(person, open_cases=now)
                if best is None or rank < best:
                    best, tied = rank, [(hub, person)]
                else:
                    tied.append((hub, person))
        return tied

    def _escalations(
        self,
        case: Case,
        capability: Capability,
        secondary: tuple[Capability, ...],
        prefecture: str,
        region: str,
        reason: str | None,
        notes: tuple[str, ...] = (),
    ) -> _Found:
        """The escalation(s) of a case nobody can take: the nearest fitting hubs' queues
        (same municipality first, then secondary preference) or the region's."""
        fitting = self._areas.fitting[capability.category]
        local = [h for h in self._areas.by_prefecture.get(prefecture, ()) if h.id in fitting]
        if not local:
            text = reason or reasons.escalation_to_region(prefecture, region, capability)
            escalation = Escalation(EscalationScope.REGION, region, text)
            decision = Decision(Outcome.ESCALATED, (text, *notes), escalation=escalation)
            return _Found(1, lambda _: decision)

        def rank(hub: Hub) -> tuple[int, int]:
            bonus = sum(
                1 for s in secondary if s.restricts_hubs and hub.id in self._areas.fitting[s.category]
            )
            return (-int(is_near(case.municipality, hub)), -bonus)

        best = min(rank(h) for h in local)
        hubs = [h for h in local if rank(h) == best]

        def queue(i: int) -> Decision:
            text = reason or reasons.escalation_to_hub(hubs[i])
            escalation = Escalation(EscalationScope.HUB, region, text, hubs[i])
            return Decision(Outcome.ESCALATED, (text, *notes), escalation=escalation)

        return _Found(len(hubs), queue)


def route(case: Case, directory: DirectorySnapshot, capabilities: CapabilityTable) -> Decision:
    """One-off routing; build a ``Router`` instead when routing many cases."""
    return Router(directory, capabilities).route(case)
