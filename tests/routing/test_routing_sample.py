"""Routing over the programme-shaped sample directory (316 hubs, 800 coordinators), and the
snapshot read from a database (SQLite and PostgreSQL) that starts empty."""

from __future__ import annotations

from dataclasses import replace

import pytest

import models
from madoguchi.directory_snapshot import load_snapshot, snapshot_from_rows
from nlp.geo import PREFECTURES, REGIONS
from routing import (
    CapabilityTable,
    Case,
    DirectorySnapshot,
    EscalationScope,
    Outcome,
    Router,
    Tier,
)
from storage.database import Database
from storage.directory import build_sample

CATEGORIES = [
    "succession",
    "it",
    "agri_commerce",
    "management",
    "new_business",
    "financing",
    "technology",
    "startup",
    "hr",
]


@pytest.fixture(scope="module")
def sample() -> DirectorySnapshot:
    directory = build_sample()
    return snapshot_from_rows(
        hubs=[models.Hub(**h.columns()) for h in directory.hubs],
        coordinators=[models.Coordinator(**c.columns()) for c in directory.coordinators],
        partners=[models.Partner(**p.columns()) for p in directory.partners],
        open_cases={},
    )


def test_the_sample_has_the_programme_shape(sample: DirectorySnapshot) -> None:
    assert len(sample.hubs) == 316 and len(sample.coordinators) == 800
    assert {h.region for h in sample.hubs} == set(REGIONS)
    assert {h.prefecture for h in sample.hubs} == {p.name for p in PREFECTURES}


@pytest.mark.parametrize("label", CATEGORIES)
def test_every_category_in_every_prefecture_is_assigned_nearby(
    sample: DirectorySnapshot, capabilities: CapabilityTable, label: str
) -> None:
    router = Router(sample, capabilities)
    capability = capabilities[label]
    tiers = set()
    for place in PREFECTURES:
        decision = router.route(Case(label, prefecture=place.name, key=f"{label}-{place.code}"))
        assert decision.outcome is Outcome.ASSIGNED, place.name
        assert decision.hub is not None and decision.coordinator is not None
        assert capability.hub_fits(decision.hub)
        assert decision.coordinator.hub_id == decision.hub.id
        tiers.add(decision.tier)
        if decision.tier is Tier.PREFECTURE:
            assert decision.hub.prefecture == place.name
            assert decision.reasons[0].startswith(f"{place.name}内の")
        elif decision.tier is Tier.REGION:
            assert decision.hub.region == place.region
            assert decision.reasons[0].startswith(f"{place.name}内に")
        assert decision.reasons[-1].startswith("担当件数 ")
    # the sample has a succession centre, a bank-linked hub and a university-linked hub
    # in every prefecture
    if label in {"succession", "financing", "technology", "it", "management", "new_business", "startup"}:
        assert tiers == {Tier.PREFECTURE}


def test_the_municipality_hub_is_preferred_in_the_sample(
    sample: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    router = Router(sample, capabilities)
    hub = next(h for h in sorted(sample.hubs, key=lambda h: h.id) if h.municipality and sample.staff(h.id))
    decision = router.route(Case("management", prefecture=hub.prefecture, municipality=hub.municipality))
    assert decision.tier is Tier.MUNICIPALITY and decision.hub is not None
    assert decision.hub.municipality == hub.municipality


def test_full_capacity_everywhere_escalates_every_case(
    sample: DirectorySnapshot, capabilities: CapabilityTable
) -> None:
    full = DirectorySnapshot(
        sample.hubs, tuple(replace(c, open_cases=c.capacity) for c in sample.coordinators)
    )
    router = Router(full, capabilities)
    for place in PREFECTURES:
        for label in CATEGORIES:
            decision = router.route(Case(label, prefecture=place.name))
            assert decision.outcome is Outcome.ESCALATED and decision.escalation is not None
            assert decision.escalation.region == place.region
            if label == "succession":  # every prefecture has a succession centre
                assert decision.escalation.scope is EscalationScope.HUB
                assert decision.escalation.hub is not None and decision.escalation.hub.succession_center


def test_an_empty_database_gets_the_sample_directory(
    db: Database, sample: DirectorySnapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    first = load_snapshot(db)
    assert "サンプルの名簿を作成しています" in capsys.readouterr().err
    assert {h.id for h in first.hubs} == {h.id for h in sample.hubs}
    assert {c.id for c in first.coordinators} == {c.id for c in sample.coordinators}
    assert {h.id: h.partner_types for h in first.hubs} == {h.id: h.partner_types for h in sample.hubs}
    again = load_snapshot(db)
    assert capsys.readouterr().err == ""  # built once, then only read
    assert again.hubs == first.hubs and again.coordinators == first.coordinators
