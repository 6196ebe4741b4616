"""Properties of routing over random directories, checked against a brute-force oracle."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.geo import prefecture as find_prefecture
from nlp.geo import region_of
from routing import (
    CapabilityTable,
    Case,
    Coordinator,
    CoordinatorKind,
    DirectorySnapshot,
    Hub,
    Outcome,
    Router,
    Tier,
    load_capabilities,
)

TABLE: CapabilityTable = load_capabilities()
LABELS = sorted(TABLE.categories)
# few places, so hubs collide in prefectures and regions: 関東 x3, 中部, 近畿, 沖縄
PREFECTURES = ["長野県", "山梨県", "東京都", "愛知県", "大阪府", "沖縄県"]
MUNICIPALITIES = [None, "松本市", "甲府市", "千代田区"]
TYPES = ["商工会等", "商工会議所", "信用金庫", "地方銀行", "農協", "大学", "都道府県支援センター"]
PARTNERS = ["金融機関", "大学", "公設試", "農協", "漁協", "職業訓練校", "建設業協会"]
QUALIFICATIONS = [
    "中小企業診断士",
    "税理士",
    "企業OB",
    "経営指導員",
    "金融機関職員",
    "ITコーディネータ",
    "社会保険労務士",
]
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def directories(draw: st.DrawFn) -> DirectorySnapshot:
    hubs = []
    for n in range(draw(st.integers(0, 9))):
        prefecture = draw(st.sampled_from(PREFECTURES))
        hubs.append(
            Hub(
                id=f"h{n}",
                name=f"拠点{n}",
                institution_type=draw(st.sampled_from(TYPES)),
                prefecture=prefecture,
                region=region_of(prefecture) or "",
                municipality=draw(st.sampled_from(MUNICIPALITIES)),
                succession_center=draw(st.booleans()),
                active=draw(st.booleans() | st.just(True)),
                partner_types=frozenset(draw(st.sets(st.sampled_from(PARTNERS), max_size=3))),
            )
        )
    people = []
    if hubs:
        for n in range(draw(st.integers(0, 14))):
            people.append(
                Coordinator(
                    id=f"c{n}",
                    hub_id=draw(st.sampled_from(hubs)).id,
                    name=f"担当{n}",
                    kind=draw(st.sampled_from(list(CoordinatorKind))),
                    qualifications=tuple(
                        draw(st.lists(st.sampled_from(QUALIFICATIONS), max_size=2, unique=True))
                    ),
                    specialities=frozenset(draw(st.sets(st.sampled_from(LABELS), max_size=2))),
                    capacity=draw(st.integers(0, 4)),
                    open_cases=draw(st.integers(0, 5)),
                    active=draw(st.booleans() | st.just(True)),
                )
            )
    return DirectorySnapshot(tuple(hubs), tuple(people))


@st.composite
def cases(draw: st.DrawFn, directory: DirectorySnapshot) -> Case:
    ids = [c.id for c in directory.coordinators]
    return Case(
        label=draw(st.sampled_from([*LABELS, "other"])),
        secondary=tuple(draw(st.lists(st.sampled_from([*LABELS, "other"]), max_size=3))),
        prefecture=draw(st.sampled_from([*PREFECTURES, "長野", None, "どこか"])),
        municipality=draw(st.sampled_from(MUNICIPALITIES)),
        declined_by=frozenset(draw(st.sets(st.sampled_from(ids), max_size=len(ids)))) if ids else frozenset(),
        key=draw(st.text(max_size=6)),
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[DirectorySnapshot, Case]:
    directory = draw(directories())
    return directory, draw(cases(directory))


def eligible(directory: DirectorySnapshot, case: Case) -> list[tuple[Hub, Coordinator]]:
    """Every (hub, coordinator) pair the rules allow, by brute force."""
    capability = TABLE[case.label]
    return [
        (hub, person)
        for hub in directory.hubs
        for person in directory.coordinators
        if person.hub_id == hub.id
        and hub.active
        and capability.hub_fits(hub)
        and person.active
        and person.open_cases < person.capacity
        and person.id not in case.declined_by
    ]


def tier_of(hub: Hub, case: Case, prefecture: str) -> int:
    if hub.prefecture == prefecture:
        same = case.municipality and hub.municipality and case.municipality == hub.municipality
        return 0 if same else 1
    return 2 if hub.region == region_of(prefecture) else 3


def rank(hub: Hub, person: Coordinator, case: Case) -> tuple[int, int, float]:
    """What the rules rank by, computed the slow way."""
    extra = [TABLE[s] for s in dict.fromkeys(case.secondary) if s != case.label and s != "other"]
    bonus = sum(1 for c in extra if c.restricts_hubs and c.hub_fits(hub))
    bonus += sum(1 for c in extra if c.coordinator_fit(person) > 0)
    return (-TABLE[case.label].coordinator_fit(person), -bonus, person.open_cases / person.capacity)


TIER_RANK = {Tier.MUNICIPALITY: 0, Tier.PREFECTURE: 1, Tier.REGION: 2, Tier.NATIONWIDE: 3}


@PROPERTY_SETTINGS
@given(worlds())
def test_always_a_decision_or_an_explicit_escalation(world: tuple[DirectorySnapshot, Case]) -> None:
    directory, case = world
    decision = Router(directory, TABLE).route(case)
    assert decision.reasons and all(isinstance(r, str) and r for r in decision.reasons)
    if case.label == "other":
        assert decision.outcome is Outcome.NOT_ROUTED
        return
    place = find_prefecture(case.prefecture) if case.prefecture else None
    if place is None:
        assert decision.outcome is Outcome.NEEDS and decision.needs == ("prefecture",)
        return
    pairs = eligible(directory, case)
    if not pairs:
        assert decision.outcome is Outcome.ESCALATED and decision.escalation is not None
        assert decision.escalation.region == place.region
        assert decision.hub is None and decision.coordinator is None
        return
    assert decision.outcome is Outcome.ASSIGNED
    assert (decision.hub, decision.coordinator) in pairs
    assert decision.tier is not None
    nearest = min(tier_of(h, case, place.name) for h, _ in pairs)
    assert TIER_RANK[decision.tier] == nearest == tier_of(decision.hub, case, place.name)
    # nobody in that tier ranks better: fit, then secondary preference, then load
    ranks = [rank(h, c, case) for h, c in pairs if tier_of(h, case, place.name) == nearest]
    assert rank(decision.hub, decision.coordinator, case) == min(ranks)


@PROPERTY_SETTINGS
@given(worlds())
def test_never_an_inactive_full_or_declining_coordinator(world: tuple[DirectorySnapshot, Case]) -> None:
    directory, case = world
    decision = Router(directory, TABLE).route(case)
    if decision.coordinator is not None:
        person = decision.coordinator
        assert person.active and person.open_cases < person.capacity
        assert person.id not in case.declined_by
        assert decision.hub is not None and decision.hub.active and person.hub_id == decision.hub.id


@PROPERTY_SETTINGS
@given(worlds(), st.randoms(use_true_random=False))
def test_the_same_input_always_gives_the_same_answer(
    world: tuple[DirectorySnapshot, Case], shuffler: random.Random
) -> None:
    directory, case = world
    hubs, people = list(directory.hubs), list(directory.coordinators)
    shuffler.shuffle(hubs)
    shuffler.shuffle(people)
    shuffled = DirectorySnapshot(tuple(hubs), tuple(people))
    first = Router(directory, TABLE).route(case)
    assert Router(directory, TABLE).route(case) == first
    assert Router(shuffled, TABLE).route(case) == first
    # a router that remembers earlier searches answers exactly as one that never does
    remembering = Router(directory, TABLE)
    remembering.route(replace(case, key=case.key + "*", declined_by=frozenset()))
    assert remembering.route(case) == Router(directory, TABLE, memory=0).route(case) == first


@PROPERTY_SETTINGS
@given(worlds())
def test_declines_only_ever_move_the_case_on(world: tuple[DirectorySnapshot, Case]) -> None:
    directory, case = world
    router = Router(directory, TABLE)
    for _ in range(len(directory.coordinators) + 1):
        decision = router.route(case)
        if decision.coordinator is None:
            break
        assert decision.coordinator.id not in case.declined_by
        case = case.declined(decision.coordinator.id)
    else:
        raise AssertionError("more assignments than coordinators")


@st.composite
def case_lists(draw: st.DrawFn) -> tuple[DirectorySnapshot, list[Case]]:
    directory = draw(directories())
    return directory, draw(st.lists(cases(directory), min_size=2, max_size=8))


@PROPERTY_SETTINGS
@given(case_lists())
def test_remembering_earlier_searches_never_changes_an_answer(
    world: tuple[DirectorySnapshot, list[Case]],
) -> None:
    directory, many = world
    remembering = Router(directory, TABLE)
    afresh = Router(directory, TABLE, memory=0)
    for case in many + many:
        assert remembering.route(case) == afresh.route(case)


@PROPERTY_SETTINGS
@given(worlds(), st.data())
def test_current_open_cases_route_as_a_fresh_snapshot_would(
    world: tuple[DirectorySnapshot, Case], data: st.DataObject
) -> None:
    directory, case = world
    counts = {c.id: data.draw(st.integers(0, 5)) for c in directory.coordinators if data.draw(st.booleans())}
    updated = DirectorySnapshot(
        directory.hubs, tuple(replace(c, open_cases=counts.get(c.id, 0)) for c in directory.coordinators)
    )
    base = Router(directory, TABLE)
    base.route(case)  # whatever the base router remembers must not leak into the other
    assert base.with_open_cases(counts).route(case) == Router(updated, TABLE).route(case)
    assert base.route(case) == Router(directory, TABLE).route(case)
