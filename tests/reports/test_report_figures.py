"""The report's figures on a seeded database (SQLite and PostgreSQL), worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nlp.taxonomy import Taxonomy
from reports.collect import read_data
from reports.compute import (
    ReportData,
    build_report,
    competition_ranks,
    model_figures,
    months_period,
    parse_month,
    per_month,
)
from reports.figures import Report
from storage.database import Database
from tests.reports.report_world import HOSTILE_HUB, NOW, seed


@pytest.fixture
def seeded(db: Database) -> Database:
    seed(db)
    return db


def report_of(db: Database, taxonomy: Taxonomy, min_responses: int = 5) -> Report:
    return build_report(read_data(db), taxonomy, model=None, min_responses=min_responses, now=NOW)


def test_inquiries_per_category_place_and_month_in_japan_time(seeded: Database, taxonomy: Taxonomy) -> None:
    report = report_of(seeded, taxonomy)
    assert report.total_leads == 18
    assert [(c.key, c.name, c.count) for c in report.categories] == [
        ("succession", "事業承継・M&A", 5), ("it", "IT活用・経営診断", 3), ("agri_commerce", "農商工連携・6次産業化", 0),
        ("management", "経営改善・経営力向上", 2), ("new_business", "新事業展開・販路開拓", 0),
        ("financing", "資金調達・資金繰り", 5), ("technology", "技術開発・産学連携", 0), ("startup", "創業・起業", 1),
        ("hr", "人材確保・育成", 1), ("other", "対象外・不明確", 1),
    ]
    regions = {r.region: r.count for r in report.regions}
    assert regions == {"北海道": 1, "東北": 0, "関東": 12, "中部": 0, "近畿": 0, "中国": 0, "四国": 0, "九州": 0, "沖縄": 3}
    prefectures = {p.name: p.count for r in report.regions for p in r.prefectures if p.count}
    assert prefectures == {"長野県": 11, "東京都": 1, "沖縄県": 3, "北海道": 1}  # 「長野」 counted as 長野県
    assert sum(len(r.prefectures) for r in report.regions) == 47
    assert report.unknown_prefecture == 2
    # 15:30 UTC on 31 March is 1 April in Japan; 14:59 UTC is still 31 March; May had none.
    assert [(m.key, m.name, m.count) for m in report.months] == [
        ("2026-03", "2026年3月", 1), ("2026-04", "2026年4月", 14), ("2026-05", "2026年5月", 0),
        ("2026-06", "2026年6月", 2), ("2026-07", "2026年7月", 1),
    ]
    assert (report.first_month, report.last_month) == ("2026-03", "2026-07")


def test_acceptance_time_medians_sla_breaches_and_declines_per_hub(seeded: Database, taxonomy: Taxonomy) -> None:
    hubs = {h.hub_id: h for h in report_of(seeded, taxonomy).hubs}
    h1, h2, h3 = hubs["h1"], hubs["h2"], hubs["h3"]
    # h1: 1 2 3 4 10 and lead 11's 7 hours; the expired lead 16 is its one breach
    assert (h1.decisions, h1.accepted, h1.median_hours, h1.sla_checked, h1.sla_breaches, h1.declined) == (
        7, 6, 3.5, 7, 1, 0)
    # h2: 2 3 4 6 8 50 hours (50 > 48: a breach) and lead 14 declined after 60 hours (another);
    # the superseded decision is not checked
    assert (h2.decisions, h2.accepted, h2.median_hours, h2.sla_checked, h2.sla_breaches, h2.declined) == (
        9, 6, 5.0, 8, 2, 2)
    # h3: fast but only two acceptances; lead 18 waits past its deadline; lead 15 is in time
    # and lead 14 reached h3 already late: neither is checked
    assert (h3.decisions, h3.accepted, h3.median_hours, h3.sla_checked, h3.sla_breaches, h3.declined) == (
        5, 2, 0.5, 3, 1, 0)
    assert h3.hub_name == HOSTILE_HUB and h1.hub_name == "長野中央拠点" and h1.prefecture == "長野県"


def test_hubs_with_too_few_answers_are_shown_but_never_ranked(seeded: Database, taxonomy: Taxonomy) -> None:
    report = report_of(seeded, taxonomy)
    by_time = [(h.hub_id, h.rank, h.enough) for h in report.hubs]
    assert by_time == [("h1", 1, True), ("h2", 2, True), ("h3", None, False)]
    satisfaction = [(s.id, s.sent, s.responses, s.mean_score, s.rank, s.enough) for s in report.hub_satisfaction]
    # h3's 5.0 is the best score, but two answers are too few to be fair
    assert satisfaction == [("h1", 6, 5, 4.6, 1, True), ("h2", 5, 5, 3.8, 2, True), ("h3", 2, 2, 5.0, None, False)]
    coordinators = [(s.id, s.name, s.detail, s.responses, s.mean_score, s.rank)
                    for s in report.coordinator_satisfaction]
    assert coordinators == [
        ("c1", "山田 一郎", "長野中央拠点", 5, 4.6, 1), ("c2", "佐藤 花子", "松本拠点", 5, 3.8, 2),
        ("c3", "比嘉 三郎", HOSTILE_HUB, 2, 5.0, None),
    ]
    assert [s.id for s in report.best_by_satisfaction] == ["h1"]
    assert [h.hub_id for h in report.best_by_acceptance] == ["h1"]
    assert [s.id for s in report.best_coordinators] == ["c1"]


def test_the_fairness_threshold_is_a_setting(seeded: Database, taxonomy: Taxonomy) -> None:
    report = report_of(seeded, taxonomy, min_responses=2)
    assert [(s.id, s.rank) for s in report.hub_satisfaction] == [("h3", 1), ("h1", 2), ("h2", 3)]
    assert [(h.hub_id, h.rank) for h in report.hubs] == [("h3", 1), ("h1", 2), ("h2", 3)]
    assert report.min_responses == 2


def test_declines_reroutes_and_the_most_corrected_categories(seeded: Database, taxonomy: Taxonomy) -> None:
    report = report_of(seeded, taxonomy)
    reroutes = report.reroutes
    # leads 11 and 14 after a decline, lead 16 after its deadline; lead 17's colleague takeover is not one
    assert (reroutes.leads_rerouted, reroutes.reroutes, reroutes.escalations) == (3, 3, 1)
    assert [(c.name, c.count) for c in reroutes.by_cause] == [
        ("担当者の辞退", 2), ("受付期限の超過", 1), ("分類の修正など", 0)]
    assert [(c.key, c.name, c.count) for c in report.corrected_categories] == [
        ("succession", "事業承継・M&A", 2), ("it", "IT活用・経営診断", 1)]
    assert [(p.predicted, p.corrected_name, p.count) for p in report.corrections] == [
        ("succession", "資金調達・資金繰り", 2), ("it", "経営改善・経営力向上", 1)]


def test_a_period_counts_only_leads_created_in_its_months_in_japan_time(
    seeded: Database, taxonomy: Taxonomy
) -> None:
    period = months_period("2026-04", "2026-05")
    report = build_report(read_data(seeded, period=period), taxonomy, model=None, min_responses=5, now=NOW,
                          first_month="2026-04", last_month="2026-05")
    # lead 1 (00:30 on 1 April in Japan) is in, lead 6 (23:59 on 31 March) is out
    assert report.total_leads == 14
    assert [(m.key, m.count) for m in report.months] == [("2026-04", 14), ("2026-05", 0)]
    assert (report.first_month, report.last_month) == ("2026-04", "2026-05")
    hubs = {h.hub_id: h for h in report.hubs}
    assert (hubs["h2"].decisions, hubs["h2"].accepted, hubs["h2"].declined) == (7, 5, 1)  # no lead 6 or 14
    assert (hubs["h3"].decisions, hubs["h3"].sla_checked) == (2, 2)
    # h2 has four answers in the period: a reference value now, so h1 is the only one ranked
    assert [(s.id, s.responses, s.rank) for s in report.hub_satisfaction] == [
        ("h1", 5, 1), ("h2", 4, None), ("h3", 2, None)]
    assert report.reroutes.reroutes == 2  # leads 11 and 16; lead 14 is June's


def test_months_are_checked() -> None:
    assert parse_month(" 2026-4 ") == "2026-04"
    for bad in ("2026-13", "April", "2026/04", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(bad)
    with pytest.raises(ValueError, match="starts"):
        months_period("2026-05", "2026-04")
    period = months_period("2026-04", None)
    assert period.start == datetime(2026, 3, 31, 15, 0, tzinfo=UTC) and period.end is None


def test_an_empty_database_gives_empty_figures(db: Database, taxonomy: Taxonomy) -> None:
    report = report_of(db, taxonomy)
    assert report.total_leads == 0 and report.months == () and report.hubs == ()
    assert report.hub_satisfaction == () and report.first_month is None
    assert all(c.count == 0 for c in report.categories)


def test_ties_share_a_rank() -> None:
    assert competition_ranks([4.5, 4.8, 4.5, 3.0], lambda v: v, descending=True) == [2, 1, 2, 4]
    assert competition_ranks([12.0, 3.5, 3.5], lambda v: v, descending=False) == [3, 1, 1]


def test_months_are_continuous_and_cross_the_year() -> None:
    moments = [datetime(2025, 11, 30, 15, 0, tzinfo=UTC), datetime(2026, 1, 31, 14, 0, tzinfo=UTC)]
    assert [(m.key, m.count) for m in per_month(moments)] == [("2025-12", 1), ("2026-01", 1)]
    assert per_month([]) == ()


def test_model_figures_come_from_the_stored_metrics(taxonomy: Taxonomy) -> None:
    metrics = {
        "accuracy": 0.9, "macro_f1": 0.88, "count": 40, "labels": ["it", "succession"],  # the model's order
        "per_label": {"succession": {"precision": 1.0, "recall": 0.8, "f1": 0.8889, "support": 20},
                      "it": {"precision": 0.83, "recall": 1.0, "f1": 0.9091, "support": 20}},
        "confusion": [[20, 0], [4, 16]],
    }
    held_out = {"data_hash": "x", "report": {"macro_f1": 0.91, "count": 300}, "predictions": []}
    model = model_figures("v3", "2026-07-01T00:00:00+00:00", metrics, taxonomy, held_out)
    assert (model.evaluation_macro_f1, model.evaluation_count) == (0.91, 300)
    assert model_figures("v3", "unknown", metrics, taxonomy).evaluation_macro_f1 is None
    assert (model.version, model.macro_f1, model.accuracy, model.examples) == ("v3", 0.88, 0.9, 40)
    assert model.created_at == "2026年7月1日 09:00"
    assert model.labels == ("succession", "it")  # taxonomy order
    assert model.label_names == ("事業承継・M&A", "IT活用・経営診断")
    assert [(s.label, s.f1, s.support) for s in model.per_label] == [("succession", 0.8889, 20), ("it", 0.9091, 20)]
    assert model.confusion == ((16, 4), (0, 20))
    data = ReportData([], [], [], [], [], [], [], {}, {})
    assert build_report(data, taxonomy, model=model, min_responses=5, now=NOW).model == model
