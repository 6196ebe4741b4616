"""A realistic, deterministic sample directory that follows the programme's figures.

316 hubs by institution type with 102 succession centres in DESIGN.md's split, every
prefecture covered and each with a succession centre; 800 coordinators (430 external
experts, 370 internal staff) with qualifications, specialities and capacities; 2,040
partner organisations. Names are fictional and start with 【サンプル】; Slack ids contain
``SAMPLE``. The same seed always gives the same directory.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from models import CoordinatorKind, InstitutionType, PartnerType
from nlp.geo import PREFECTURES, Prefecture
from storage.directory import sample_data as D
from storage.directory.entries import SAMPLE_MARK, CoordinatorEntry, Directory, HubEntry, PartnerEntry

SEED = 316
_PREFS: dict[str, Prefecture] = {p.name: p for p in PREFECTURES}
_TYPE_ORDER = {t: i for i, t in enumerate(InstitutionType)}


@dataclass
class _Slot:
    """A hub being planned (mutable until it becomes a `HubEntry`)."""

    prefecture: str
    type: InstitutionType
    succession: bool = False
    municipality: str | None = None


def build_sample(seed: int = SEED) -> Directory:
    """The sample directory for ``seed``."""
    rng = random.Random(seed)
    slots = _place_hubs(rng)
    _choose_succession_centres(rng, slots)
    hubs = _name_hubs(rng, slots)
    return Directory(hubs=hubs, coordinators=_coordinators(rng, hubs), partners=_partners(rng, hubs))


# -- hubs --------------------------------------------------------------------------------


def _apportion(total: int, weights: dict[str, float], minimum: int) -> dict[str, int]:
    """Split ``total`` by ``weights`` (largest remainder), giving each key ``minimum`` first."""
    rest = total - minimum * len(weights)
    scale = rest / sum(weights.values())
    quotas = {key: weight * scale for key, weight in weights.items()}
    counts = {key: minimum + int(quota) for key, quota in quotas.items()}
    by_remainder = sorted(weights, key=lambda key: (-(quotas[key] - int(quotas[key])), _PREFS[key].code))
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _place_hubs(rng: random.Random) -> list[_Slot]:
    names = [p.name for p in PREFECTURES]
    weights = [float(D.POPULATION[n]) for n in names]
    slots: list[_Slot] = []
    for kind, count, _succession, placement in D.HUB_PLAN:
        if placement == "every":
            # 商工会 serve towns and villages: flatten the weights towards rural prefectures.
            flat = kind == InstitutionType.SHOKOKAI
            spread = {n: math.sqrt(w) if flat else w for n, w in zip(names, weights, strict=True)}
            places = [n for n, k in _apportion(count, spread, 1).items() for _ in range(k)]
        elif placement == "one_each":
            places = rng.sample(names, count)
        elif placement == "farming":
            places = rng.sample(list(D.FARMING), count)
        else:
            places = rng.choices(names, weights=weights, k=count)
        slots += [_Slot(place, kind) for place in places]
    slots.sort(key=lambda s: (_PREFS[s.prefecture].code, _TYPE_ORDER[s.type]))
    return slots


def _choose_succession_centres(rng: random.Random, slots: list[_Slot]) -> None:
    """One succession centre in every prefecture first, then the rest of each type's quota."""
    quota = {kind: succession for kind, _count, succession, _placement in D.HUB_PLAN if succession}
    for name in rng.sample([p.name for p in PREFECTURES], len(PREFECTURES)):
        candidates = [s for s in slots if s.prefecture == name and quota.get(s.type, 0) > 0]
        kinds = sorted({s.type for s in candidates}, key=_TYPE_ORDER.__getitem__)
        kind = rng.choices(kinds, weights=[quota[k] for k in kinds])[0]
        rng.choice([s for s in candidates if s.type == kind]).succession = True
        quota[kind] -= 1
    for kind, left in quota.items():
        pool = [s for s in slots if s.type == kind and not s.succession]
        for slot in rng.sample(pool, left):
            slot.succession = True


def _municipalities() -> dict[str, tuple[list[str], list[str]]]:
    """Per prefecture: its cities (市) and its towns and villages (町・村), sorted."""
    from nlp.places import municipalities

    found: dict[str, tuple[list[str], list[str]]] = {p.name: ([], []) for p in PREFECTURES}
    for name, prefectures in municipalities().items():
        if "郡" in name or name.endswith("区") or name[-1] not in "市町村":
            continue
        for prefecture in prefectures:
            found[prefecture][0 if name.endswith("市") else 1].append(name)
    for cities, towns in found.values():
        cities.sort()
        towns.sort()
    return found


def _short(municipality: str) -> str:
    """「松本市」 -> 「松本」 for names (kept whole when that would leave one character)."""
    return municipality[:-1] if len(municipality) > 2 else municipality


def _unique(rng: random.Random, used: set[str], templates: Sequence[str], **parts: str) -> str:
    """A name from one of ``templates`` with a fictional stem, not used before."""
    template = rng.choice(templates)
    stems = list(D.STEMS)
    rng.shuffle(stems)
    for stem in stems:
        name = SAMPLE_MARK + template.format(stem=stem, **parts)
        if name not in used:
            used.add(name)
            return name
    name = f"{SAMPLE_MARK}{template.format(stem=stems[0], **parts)} 第{len(used)}"
    used.add(name)
    return name


# Prefectural bodies serve the whole prefecture: no municipality.
_PREFECTURE_WIDE = frozenset(
    {InstitutionType.SME_CENTRAL_ASSOCIATION, InstitutionType.PREFECTURAL_SUPPORT_CENTER}
)


def _municipality(
    rng: random.Random,
    slot: _Slot,
    free: dict[str, tuple[list[str], list[str]]],
    places: dict[str, tuple[list[str], list[str]]],
) -> str:
    """A municipality not yet taken by another hub (商工会 in towns, others in cities)."""
    cities, towns = free[slot.prefecture]
    pool = towns if slot.type == InstitutionType.SHOKOKAI and towns else cities
    if pool:
        return pool.pop(rng.randrange(len(pool)))
    all_cities, all_towns = places[slot.prefecture]
    return rng.choice(all_cities or all_towns)


def _name_hubs(rng: random.Random, slots: list[_Slot]) -> tuple[HubEntry, ...]:
    places = _municipalities()
    free = {name: (list(cities), list(towns)) for name, (cities, towns) in places.items()}
    used: set[str] = set()
    hubs: list[HubEntry] = []
    for number, slot in enumerate(slots, start=1):
        municipality = None if slot.type in _PREFECTURE_WIDE else _municipality(rng, slot, free, places)
        pref = _PREFS[slot.prefecture]
        city = _short(municipality) if municipality else pref.short
        name = _unique(rng, used, D.HUB_NAMES[slot.type], pref=pref.short, city=city)
        hubs.append(
            HubEntry(
                id=f"hub-{number:03d}",
                name=name,
                type=slot.type,
                prefecture=slot.prefecture,
                municipality=municipality,
                succession_center=slot.succession,
                slack_channel=f"CSAMPLE{number:03d}",
            )
        )
    return tuple(hubs)


# -- coordinators ------------------------------------------------------------------------


def _hub_weight(hub: HubEntry) -> float:
    return D.HUB_SIZE.get(hub.type, 1) * math.sqrt(D.POPULATION[hub.prefecture])


def _specialities(
    rng: random.Random, qualifications: Sequence[str], extra: Sequence[str] = ()
) -> tuple[str, ...]:
    chosen: set[str] = set(extra)
    for qualification in qualifications:
        always, optional = D.SPECIALITIES[qualification]
        chosen.update(always)
        if optional:
            chosen.update(rng.sample(list(optional), 2 if not always else 1))
    return tuple(c for c in D.CATEGORY_ORDER if c in chosen)


def _external_qualifications(rng: random.Random, *, succession: bool) -> tuple[str, ...]:
    if succession:
        primary = rng.choices(["税理士", "中小企業診断士"], weights=[6, 4])[0]
    else:
        names, weights = zip(*D.EXTERNAL_QUALIFICATIONS, strict=True)
        primary = rng.choices(names, weights=weights)[0]
    it_share = {"中小企業診断士": 0.2, "企業OB": 0.1}.get(primary, 0.0)
    return (primary, "ITコーディネータ") if rng.random() < it_share else (primary,)


def _coordinators(rng: random.Random, hubs: Sequence[HubEntry]) -> tuple[CoordinatorEntry, ...]:
    weights = [_hub_weight(h) for h in hubs]
    internal = list(hubs) + rng.choices(list(hubs), weights=weights, k=D.COORDINATORS_INTERNAL - len(hubs))
    external = list(hubs) + rng.choices(list(hubs), weights=weights, k=D.COORDINATORS_EXTERNAL - len(hubs))
    people: list[tuple[str, CoordinatorKind, tuple[str, ...], tuple[str, ...], int]] = []
    for hub in sorted(internal, key=lambda h: h.id):
        qualification = "金融機関職員" if hub.type in D.BANK_TYPES else "経営指導員"
        capacity = rng.randint(4, 10) if qualification == "金融機関職員" else rng.randint(6, 12)
        people.append(
            (
                hub.id,
                CoordinatorKind.INTERNAL,
                (qualification,),
                _specialities(rng, [qualification]),
                capacity,
            )
        )
    first_expert = {h.id for h in hubs}
    for hub in sorted(external, key=lambda h: h.id):
        succession = hub.succession_center and hub.id in first_expert  # a succession expert first
        first_expert.discard(hub.id)
        qualifications = _external_qualifications(rng, succession=succession)
        extra = ("succession",) if succession else ()
        specialities = _specialities(rng, qualifications, extra)
        people.append((hub.id, CoordinatorKind.EXTERNAL, qualifications, specialities, rng.randint(3, 8)))
    people.sort(key=lambda p: (p[0], p[1] != CoordinatorKind.INTERNAL))
    used: set[str] = set()
    entries: list[CoordinatorEntry] = []
    for number, (hub_id, kind, qualifications, specialities, capacity) in enumerate(people, start=1):
        entries.append(
            CoordinatorEntry(
                id=f"co-{number:04d}",
                hub=hub_id,
                name=_person(rng, used),
                kind=kind,
                qualifications=qualifications,
                specialities=specialities,
                capacity=capacity,
                slack_user=f"USAMPLE{number:04d}",
            )
        )
    return tuple(entries)


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{SAMPLE_MARK}{rng.choice(D.SURNAMES)} {rng.choice(D.GIVEN_NAMES)}"
        if name not in used or len(used) >= len(D.SURNAMES) * len(D.GIVEN_NAMES):
            used.add(name)
            return name


# -- partners ----------------------------------------------------------------------------


def _partners(rng: random.Random, hubs: Sequence[HubEntry]) -> tuple[PartnerEntry, ...]:
    by_prefecture: dict[str, list[HubEntry]] = {p.name: [] for p in PREFECTURES}
    for hub in hubs:
        by_prefecture[hub.prefecture].append(hub)
    names = [p.name for p in PREFECTURES]
    population = [float(D.POPULATION[n]) for n in names]

    def hub_in(prefecture: str, prefer: Callable[[HubEntry], float] = lambda h: 1.0) -> HubEntry:
        local = by_prefecture[prefecture]
        return rng.choices(local, weights=[prefer(h) * D.HUB_SIZE.get(h.type, 1) for h in local])[0]

    def by_population(
        k: int, allowed: Callable[[str], bool] = lambda n: True, farm: bool = False
    ) -> list[str]:
        pool = [n for n in names if allowed(n)]
        weights = [population[names.index(n)] * (3.0 if farm and n in D.FARMING else 1.0) for n in pool]
        return rng.choices(pool, weights=weights, k=k)

    def research(h: HubEntry) -> float:
        return {InstitutionType.UNIVERSITY: 5.0, InstitutionType.PREFECTURAL_SUPPORT_CENTER: 3.0}.get(
            h.type, 1.0
        )

    def rural(h: HubEntry) -> float:
        return {InstitutionType.AGRICULTURAL_COOPERATIVE: 5.0, InstitutionType.SHOKOKAI: 3.0}.get(h.type, 1.0)

    plan = dict(D.PARTNER_PLAN)
    placed: list[tuple[HubEntry, PartnerType]] = []
    financial = list(hubs) + rng.choices(
        list(hubs),
        weights=[_hub_weight(h) for h in hubs],
        k=plan[PartnerType.FINANCIAL_INSTITUTION] - len(hubs),
    )
    placed += [(h, PartnerType.FINANCIAL_INSTITUTION) for h in financial]
    institutes = names + by_population(plan[PartnerType.PUBLIC_RESEARCH_INSTITUTE] - len(names))
    placed += [(hub_in(n, research), PartnerType.PUBLIC_RESEARCH_INSTITUTE) for n in institutes]
    placed += [
        (hub_in(n, research), PartnerType.UNIVERSITY) for n in by_population(plan[PartnerType.UNIVERSITY])
    ]
    farms = by_population(plan[PartnerType.AGRICULTURAL_COOPERATIVE], farm=True)
    placed += [(hub_in(n, rural), PartnerType.AGRICULTURAL_COOPERATIVE) for n in farms]
    coasts = by_population(plan[PartnerType.FISHERY_COOPERATIVE], lambda n: n not in D.LANDLOCKED)
    placed += [(hub_in(n, rural), PartnerType.FISHERY_COOPERATIVE) for n in coasts]
    for kind in (PartnerType.VOCATIONAL_SCHOOL, PartnerType.CONSTRUCTION_ASSOCIATION, PartnerType.OTHER):
        placed += [(hub_in(n), kind) for n in by_population(plan[kind])]

    type_order = {t: i for i, t in enumerate(PartnerType)}
    placed.sort(key=lambda item: (item[0].id, type_order[item[1]]))
    used: set[str] = set()
    entries: list[PartnerEntry] = []
    for number, (hub, kind) in enumerate(placed, start=1):
        city = _short(hub.municipality or hub.prefecture)
        name = _unique(rng, used, D.PARTNER_NAMES[kind], pref=_PREFS[hub.prefecture].short, city=city)
        entries.append(PartnerEntry(id=f"pa-{number:04d}", hub=hub.id, name=name, type=kind))
    return tuple(entries)
