"""The routing rules, case by case, over the hand-built directory of routing_world.py."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from routing_world import EXPECTED, HOMES, with_coordinators, with_hubs, without

from nlp.geo import REGIONS, region_of
from routing import (
    CapabilityTable,
    Case,
    Coordinator,
    CoordinatorKind,
    DirectorySnapshot,
    EscalationScope,
    Hub,
    Outcome,
    Router,
    Tier,
    UnknownCategoryError,
)

ROUTABLE = sorted(EXPECTED)


def test_the_test_directory_covers_every_region() -> None:
    assert {region_of(p) for p in HOMES} == set(REGIONS)


@pytest.mark.parametrize("prefecture", list(HOMES))
@pytest.mark.parametrize("label", ROUTABLE)
def test_every_category_in_every_region_goes_to_the_right_hub_and_person(
    router: Router, label: str, prefecture: str
) -> None:
    decision = router.route(Case(label, prefecture=prefecture))
    prefix = HOMES[prefecture][0]
    hub_suffix, person_suffix = EXPECTED[label]
    assert decision.outcome is Outcome.ASSIGNED
    assert decision.hub is not None and decision.coordinator is not None
    assert decision.hub.id == f"{prefix}-{hub_suffix}"
    assert decision.coordinator.id == f"{prefix}-{hub_suffix}-{person_suffix}"
    assert decision.tier is Tier.PREFECTURE
    assert decision.reasons[-1] == "担当件数 2/8"
    assert decision.reasons[0].startswith(f"{prefecture}内の")


@pytest.mark.parametrize(
    ("label", "reasons"),
    [
        ("succession", ("長野県内の事業承継支援センター", "税理士・事業承継の専門", "担当件数 2/8")),
        ("financing", ("長野県内の金融機関の拠点", "金融機関職員・資金調達の専門", "担当件数 2/8")),
        ("technology", ("長野県内の大学・公設試と連携する拠点", "技術士・技術開発の専門", "担当件数 2/8")),
        ("hr", ("長野県内の職業訓練校と連携する拠点", "社会保険労務士・人材確保の専門", "担当件数 2/8")),
        ("agri_commerce", ("長野県内の農協の拠点", "中小企業診断士・農商工連携の専門", "担当件数 2/8")),
        ("it", ("長野県内の拠点", "ITコーディネータ・IT活用の専門", "担当件数 2/8")),
    ],
)
def test_reasons_read_as_plain_japanese(router: Router, label: str, reasons: tuple[str, ...]) -> None:
    assert router.route(Case(label, prefecture="長野県")).reasons == reasons


def test_short_prefecture_names_are_understood(router: Router) -> None:
    decision = router.route(Case("succession", prefecture="長野"))
    assert decision.hub is not None and decision.hub.id == "nag-scc"


@pytest.mark.parametrize("prefecture", [None, "", "ナガノ", "Nagano", "長野市"])
def test_an_unknown_prefecture_is_asked_for_never_guessed(router: Router, prefecture: str | None) -> None:
    decision = router.route(Case("succession", prefecture=prefecture, municipality="松本市"))
    assert decision.outcome is Outcome.NEEDS
    assert decision.needs == ("prefecture",)
    assert decision.hub is None and decision.coordinator is None and decision.escalation is None
    assert "都道府県" in decision.reasons[0]


@pytest.mark.parametrize("prefecture", [None, "長野県"])
def test_other_is_never_routed(router: Router, prefecture: str | None) -> None:
    decision = router.route(Case("other", secondary=("succession",), prefecture=prefecture))
    assert decision.outcome is Outcome.NOT_ROUTED
    assert decision.hub is None and decision.coordinator is None and decision.needs == ()
    assert "振り分けは行いません" in decision.reasons[0]


def test_an_unknown_category_is_an_error_not_a_silent_drop(router: Router) -> None:
    with pytest.raises(UnknownCategoryError):
        router.route(Case("astrology", prefecture="長野県"))
    with pytest.raises(UnknownCategoryError):
        router.route(Case("succession", secondary=("astrology",), prefecture="長野県"))


@pytest.mark.parametrize(
    ("label", "expected_hub"), [("hr", "nag-hr"), ("succession", "nag-scc"), ("financing", "nag-bank")]
)
def test_a_prefecture_without_a_fitting_hub_falls_back_to_the_region(
    router: Router, label: str, expected_hub: str
) -> None:
    """山梨県 has one plain 商工会; 長野県 and 東京都 are its 関東 neighbours (ties: fit, load,
    then the fair hash, so only the region is certain)."""
    decision = router.route(Case(label, prefecture="山梨県"))
    assert decision.outcome is Outcome.ASSIGNED and decision.hub is not None
    assert decision.tier is Tier.REGION
    assert decision.hub.region == "関東" and decision.hub.prefecture in {"長野県", "東京都"}
    assert decision.hub.id.split("-")[1] == expected_hub.split("-")[1]
    name = {"hr": "人材確保", "succession": "事業承継", "financing": "資金調達"}[label]
    assert decision.reasons[0] == f"山梨県内に{name}に対応できる拠点がないため、関東地域から選びました"
    assert decision.reasons[1] == f"{decision.hub.prefecture}の" + decision.reasons[1].split("の", 1)[1]


def test_a_category_any_hub_can_take_stays_in_the_prefecture(router: Router) -> None:
    decision = router.route(Case("it", prefecture="山梨県"))
    assert decision.tier is Tier.PREFECTURE
    assert decision.coordinator is not None and decision.coordinator.id == "yam-shokokai-advisor"
    assert decision.reasons[1] == "IT活用の専門・資格はないが、受け入れ可能な担当者"


def test_a_region_without_a_fitting_hub_falls_back_nationwide(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    router = Router(without(directory, {"oki-hr"}), capabilities)
    decision = router.route(Case("hr", prefecture="沖縄県"))
    assert decision.outcome is Outcome.ASSIGNED and decision.hub is not None
    assert decision.tier is Tier.NATIONWIDE and decision.hub.id.endswith("-hr")
    assert decision.reasons[0] == "沖縄地域に人材確保に対応できる拠点がないため、全国から選びました"


def test_the_same_municipality_is_preferred_when_known(router: Router) -> None:
    near = router.route(Case("management", prefecture="長野県", municipality="松本市"))
    assert near.hub is not None and near.hub.id == "nag-matsumoto"
    assert near.tier is Tier.MUNICIPALITY
    assert near.reasons[:2] == ("松本市の拠点", "経営指導員・経営改善の専門")
    unknown = router.route(Case("management", prefecture="長野県"))
    assert unknown.hub is not None and unknown.hub.id == "nag-cci"  # lower load (2/8 vs 5/8)
    ward = router.route(Case("management", prefecture="北海道", municipality="札幌市中央区"))
    assert ward.hub is not None and ward.hub.id == "hok-cci" and ward.tier is Tier.MUNICIPALITY


def test_a_municipal_hub_never_overrides_the_hub_requirement(router: Router) -> None:
    decision = router.route(Case("succession", prefecture="長野県", municipality="松本市"))
    assert decision.hub is not None and decision.hub.id == "nag-scc"
    assert decision.tier is Tier.PREFECTURE


def test_a_full_municipal_hub_hands_over_to_the_prefecture(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    router = Router(with_coordinators(directory, "nag-matsumoto", open_cases=8), capabilities)
    decision = router.route(Case("management", prefecture="長野県", municipality="松本市"))
    assert decision.hub is not None and decision.hub.id == "nag-cci"
    assert decision.reasons[0] == "松本市の拠点に受け入れ可能な担当者がいないため、長野県内から選びました"


def test_secondary_labels_add_preference(directory: DirectorySnapshot, capabilities: CapabilityTable) -> None:
    # a second succession centre in 長野県 that also works with banks, but busier
    extra = with_hubs(directory, "nag-tech", succession_center=True)
    router = Router(
        with_coordinators(
            extra,
            "nag-tech-engineer",
            qualifications=("税理士",),
            specialities=frozenset({"succession"}),
            open_cases=6,
        ),
        capabilities,
    )
    alone = router.route(Case("succession", prefecture="長野県"))
    assert alone.hub is not None and alone.hub.id == "nag-scc"  # 2/8 beats 6/8
    assert alone.coordinator is not None
    with_tech = router.route(Case("succession", secondary=("technology",), prefecture="長野県"))
    assert with_tech.hub is not None and with_tech.hub.id == "nag-tech"
    assert "あわせて技術開発にも対応（大学・公設試と連携する拠点）" in with_tech.reasons


def test_secondary_labels_never_exclude_a_hub(router: Router) -> None:
    """No succession centre in 長野県 has a bank partner; the case is still assigned there."""
    decision = router.route(Case("succession", secondary=("financing", "hr"), prefecture="長野県"))
    assert decision.hub is not None and decision.hub.id == "nag-scc"
    assert decision.tier is Tier.PREFECTURE


def test_fit_comes_before_load(directory: DirectorySnapshot, capabilities: CapabilityTable) -> None:
    router = Router(with_coordinators(directory, "nag-cci-itc", open_cases=7), capabilities)
    decision = router.route(Case("it", prefecture="長野県"))
    assert decision.coordinator is not None and decision.coordinator.id == "nag-cci-itc"
    assert decision.reasons[-1] == "担当件数 7/8"


def test_among_equal_fit_the_lowest_load_wins(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    # make the advisor as fit for new business as the 診断士, but less loaded
    people = with_coordinators(
        directory,
        "nag-cci-advisor",
        qualifications=("中小企業診断士",),
        specialities=frozenset({"new_business"}),
        open_cases=1,
        capacity=5,
    )
    decision = Router(people, capabilities).route(Case("new_business", prefecture="長野県"))
    assert decision.coordinator is not None and decision.coordinator.id == "nag-cci-advisor"


@pytest.mark.parametrize(
    "change",
    [{"active": False}, {"open_cases": 8}, {"open_cases": 9}, {"capacity": 0, "open_cases": 0}],
)
def test_unavailable_coordinators_are_skipped(
    directory: DirectorySnapshot, capabilities: CapabilityTable, change: dict[str, object]
) -> None:
    router = Router(with_coordinators(directory, "nag-scc-tax", **change), capabilities)
    decision = router.route(Case("succession", prefecture="長野県"))
    assert decision.coordinator is not None and decision.coordinator.id != "nag-scc-tax"
    assert decision.tier is Tier.REGION and decision.hub is not None and decision.hub.id == "tok-scc"
    assert decision.reasons[0] == (
        "長野県内の事業承継に対応できる拠点に受け入れ可能な担当者がいないため、関東地域から選びました"
    )


def test_inactive_hubs_are_skipped(directory: DirectorySnapshot, capabilities: CapabilityTable) -> None:
    router = Router(with_hubs(directory, "nag-scc", active=False), capabilities)
    decision = router.route(Case("succession", prefecture="長野県"))
    assert decision.hub is not None and decision.hub.id == "tok-scc"


def test_full_capacity_everywhere_escalates_to_the_hub_queue(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    router = Router(with_coordinators(directory, "", open_cases=8), capabilities)
    decision = router.route(Case("succession", prefecture="長野県"))
    assert decision.outcome is Outcome.ESCALATED
    assert decision.hub is None and decision.coordinator is None
    assert decision.escalation is not None
    assert decision.escalation.scope is EscalationScope.HUB
    assert decision.escalation.hub is not None and decision.escalation.hub.id == "nag-scc"
    assert decision.escalation.region == "関東"
    assert decision.reasons == (decision.escalation.reason,)
    assert "【サンプル】長野県事業承継支援センターの受付に回しました" in decision.escalation.reason


def test_full_capacity_without_a_fitting_hub_escalates_to_the_region_queue(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    router = Router(with_coordinators(directory, "", open_cases=8), capabilities)
    decision = router.route(Case("hr", prefecture="山梨県"))
    assert decision.outcome is Outcome.ESCALATED and decision.escalation is not None
    assert decision.escalation.scope is EscalationScope.REGION
    assert decision.escalation.hub is None and decision.escalation.region == "関東"
    assert "関東地域の受付に回しました" in decision.escalation.reason


def test_the_municipal_hub_gets_the_escalation_when_it_fits(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    router = Router(with_coordinators(directory, "", active=False), capabilities)
    decision = router.route(Case("management", prefecture="長野県", municipality="松本市"))
    assert decision.escalation is not None and decision.escalation.hub is not None
    assert decision.escalation.hub.id == "nag-matsumoto"


def test_repeated_declines_walk_outwards_and_end_in_an_escalation(router: Router) -> None:
    case = Case("succession", prefecture="長野県", key="lead-42")
    seen: list[str] = []
    tiers: list[Tier] = []
    while True:
        decision = router.route(case)
        if decision.outcome is Outcome.ESCALATED:
            break
        assert decision.outcome is Outcome.ASSIGNED and decision.coordinator is not None
        assert decision.coordinator.id not in case.declined_by
        assert decision.hub is not None and decision.hub.succession_center
        if case.declined_by:
            assert decision.reasons[-1] == f"辞退済みの担当者 {len(case.declined_by)}名を除外"
        seen.append(decision.coordinator.id)
        assert decision.tier is not None
        tiers.append(decision.tier)
        case = case.declined(decision.coordinator.id)
    # every succession-centre specialist, once: 長野 first, then 東京 (関東), then the rest
    assert sorted(seen) == sorted(f"{p}-scc-tax" for p, _ in HOMES.values())
    assert seen[:2] == ["nag-scc-tax", "tok-scc-tax"]
    assert tiers == [Tier.PREFECTURE, Tier.REGION] + [Tier.NATIONWIDE] * (len(HOMES) - 2)
    assert decision.escalation is not None and decision.escalation.hub is not None
    assert decision.escalation.hub.id == "nag-scc"
    assert decision.reasons[-1] == f"辞退済みの担当者 {len(HOMES)}名を除外"


def test_a_decline_reassigns_within_the_hub_when_someone_else_fits(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    router = Router(with_coordinators(directory, "nag-cci-advisor", open_cases=1), capabilities)
    first = router.route(Case("management", prefecture="長野県", key="lead-7"))
    assert first.coordinator is not None and first.coordinator.id == "nag-cci-advisor"
    second = router.route(Case("management", prefecture="長野県", key="lead-7").declined("nag-cci-advisor"))
    assert second.outcome is Outcome.ASSIGNED and second.coordinator is not None
    # the other 経営指導員 fits best (松本市, 5/8) before the 診断士 (qualification only)
    assert second.coordinator.id == "nag-matsumoto-advisor"
    assert second.reasons[-1] == "辞退済みの担当者 1名を除外"


def test_reassignment_after_the_directory_changes(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    """A case re-routed later (e.g. after an SLA escalation) sees the directory as it is then."""
    case = Case("financing", prefecture="福岡県", key="lead-9")
    before = Router(directory, capabilities).route(case)
    assert before.coordinator is not None and before.coordinator.id == "fuk-bank-banker"
    later = with_coordinators(directory, "fuk-bank-banker", open_cases=8)
    after = Router(later, capabilities).route(case)
    assert after.coordinator is not None and after.coordinator.id != "fuk-bank-banker"
    # 福岡県 is the only 九州 prefecture of the test directory: the next bank hub is elsewhere
    assert after.hub is not None and after.hub.id.endswith("-bank") and after.tier is Tier.NATIONWIDE
    assert after.reasons[0] == (
        "九州地域の資金調達に対応できる拠点に受け入れ可能な担当者がいないため、全国から選びました"
    )


def test_an_sla_escalation_goes_to_the_hub_queue(router: Router) -> None:
    case = Case("succession", prefecture="長野県")
    reason = "2営業日以内に承諾されなかったため、受付に戻しました"
    decision = router.escalate(case, reason, hub_id="nag-scc")
    assert decision.outcome is Outcome.ESCALATED and decision.escalation is not None
    assert decision.escalation.scope is EscalationScope.HUB and decision.reasons == (reason,)
    by_area = router.escalate(Case("hr", prefecture="山梨県"), reason)
    assert by_area.escalation is not None and by_area.escalation.scope is EscalationScope.REGION
    with pytest.raises(ValueError):
        router.escalate(Case("hr"), reason)


def test_exact_ties_are_spread_fairly_and_reproducibly(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    twin = with_coordinators(
        directory,
        "nag-cci-advisor",
        qualifications=("中小企業診断士",),
        specialities=frozenset({"new_business", "startup"}),
    )
    router = Router(twin, capabilities)
    chosen = Counter()
    for n in range(400):
        decision = router.route(Case("startup", prefecture="長野県", key=f"lead-{n}"))
        assert decision.coordinator is not None
        chosen[decision.coordinator.id] += 1
        assert router.route(Case("startup", prefecture="長野県", key=f"lead-{n}")) == decision
    assert set(chosen) == {"nag-cci-advisor", "nag-cci-shindan"}
    assert min(chosen.values()) > 150


def test_the_order_of_the_directory_never_matters(
    directory: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    shuffler = random.Random(3)
    hubs, people = list(directory.hubs), list(directory.coordinators)
    shuffler.shuffle(hubs)
    shuffler.shuffle(people)
    shuffled = Router(DirectorySnapshot(tuple(hubs), tuple(people)), capabilities)
    original = Router(directory, capabilities)
    for label in ROUTABLE:
        for prefecture in ("山梨県", "長野県", "沖縄県"):
            case = Case(label, secondary=("financing",), prefecture=prefecture, key="k")
            assert shuffled.route(case) == original.route(case)


def test_secondary_preference_outranks_load_however_far_down_the_list(capabilities: CapabilityTable) -> None:
    hub = Hub(
        "h",
        "【サンプル】長野県事業承継支援センター",
        "都道府県支援センター",
        "長野県",
        "関東",
        succession_center=True,
    )
    people = tuple(
        Coordinator(
            f"c{n}", "h", f"担当{n}", CoordinatorKind.EXTERNAL, ("中小企業診断士",), frozenset(specs), 8, n
        )
        for n, specs in ((1, {"succession"}), (2, {"succession"}), (3, {"succession", "financing"}))
    )
    router = Router(DirectorySnapshot((hub,), people), capabilities)
    plain = router.route(Case("succession", prefecture="長野県"))
    assert plain.coordinator is not None and plain.coordinator.id == "c1"
    both = router.route(Case("succession", secondary=("financing",), prefecture="長野県"))
    assert both.coordinator is not None and both.coordinator.id == "c3"
    assert "あわせて資金調達にも対応（資金調達の専門）" in both.reasons


def test_one_router_per_directory_with_the_current_open_cases(router: Router) -> None:
    case = Case("succession", prefecture="長野県", key="lead-1")
    now = router.with_open_cases({"nag-scc-tax": 5})
    decision = now.route(case)
    assert decision.coordinator is not None and decision.coordinator.open_cases == 5
    assert decision.reasons[-1] == "担当件数 5/8"
    full = router.with_open_cases({"nag-scc-tax": 8})
    moved = full.route(case)
    assert moved.hub is not None and moved.hub.id == "tok-scc"
    assert moved.coordinator is not None and moved.coordinator.open_cases == 0  # absent: none
    assert router.route(case).reasons[-1] == "担当件数 2/8"  # the base router is unchanged
