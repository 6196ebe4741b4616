"""From the stored facts to the report's figures: counting, medians, months, ranking.

Pure functions (no database, no clock): `build_report` takes what `reports.collect`
read and the moment the report is made. Months are calendar months in Japan time.

Fairness: a hub or coordinator with fewer than ``min_responses`` answers (survey
responses for satisfaction, accepted cases for acceptance time) keeps its figure but gets
no rank; ties share a rank (1, 1, 3).
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from models import AssignmentOutcome
from nlp.geo import PREFECTURES, REGIONS, prefecture
from nlp.taxonomy import Taxonomy
from reports.figures import (
    Comment,
    CorrectionPair,
    Count,
    HubResponse,
    LabelScore,
    ModelFigures,
    RegionCount,
    Report,
    Reroutes,
    Satisfaction,
)
from routing.sla import JST
from storage.repositories.report_figures import (
    CoordinatorInfo,
    Correction,
    Decision,
    HubInfo,
    KeyCount,
    Period,
    SurveyComment,
    SurveyTotals,
)

TOP_CORRECTIONS = 10
# Why a case was routed onwards, by what became of the decision before it.
REROUTE_CAUSES: dict[AssignmentOutcome, str] = {
    AssignmentOutcome.DECLINED: "担当者の辞退",
    AssignmentOutcome.EXPIRED: "受付期限の超過",
    AssignmentOutcome.SUPERSEDED: "分類の修正など",
}
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything `reports.collect` read from the database for one report."""

    categories: Sequence[KeyCount]
    prefectures: Sequence[KeyCount]
    created: Sequence[datetime]
    decisions: Sequence[Decision]
    hub_surveys: Sequence[SurveyTotals]
    coordinator_surveys: Sequence[SurveyTotals]
    corrections: Sequence[Correction]
    hubs: dict[str, HubInfo]
    coordinators: dict[str, CoordinatorInfo]
    comments: Sequence[SurveyComment] | None = None


def month_key(moment: datetime) -> str:
    """``YYYY-MM`` of ``moment`` in Japan time."""
    return moment.astimezone(JST).strftime("%Y-%m")


def month_name(key: str) -> str:
    """「2026年4月」 for ``2026-04``."""
    year, month = key.split("-")
    return f"{int(year)}年{int(month)}月"


def _next_month(key: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def parse_month(text: str) -> str:
    """``YYYY-MM`` checked (ValueError with a clear message otherwise)."""
    try:
        moment = datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-04") from None
    return f"{moment.year:04d}-{moment.month:02d}"


def months_period(first: str | None, last: str | None) -> Period:
    """The span from the start of month ``first`` to the end of month ``last`` (Japan time)."""
    if first is not None and last is not None and first > last:
        raise ValueError(f"the period starts ({first}) after it ends ({last})")

    def start_of(key: str) -> datetime:
        year, month = (int(part) for part in key.split("-"))
        return datetime(year, month, 1, tzinfo=JST)

    return Period(start_of(first) if first else None, start_of(_next_month(last)) if last else None)


def per_month(
    created: Iterable[datetime], first: str | None = None, last: str | None = None
) -> tuple[Count, ...]:
    """Leads per month in Japan time, every month from the first to the last (zeros too);
    ``first`` and ``last`` (``YYYY-MM``) widen the range to a whole period."""
    counts = Counter(month_key(moment) for moment in created)
    keys = [*counts, *(key for key in (first, last) if key)]
    if not keys:
        return ()
    months, key, last = [], first or min(keys), last or max(keys)
    while key <= last:
        months.append(Count(key, month_name(key), counts.get(key, 0)))
        key = _next_month(key)
    return tuple(months)


def competition_ranks(items: Sequence[T], value: Callable[[T], float], *, descending: bool) -> list[int]:
    """Ranks of ``items`` by ``value`` with ties sharing a rank (1, 1, 3), in input order."""
    ordered = sorted(value(item) for item in items)
    if descending:
        ordered.reverse()
    return [ordered.index(value(item)) + 1 for item in items]


def _category_name(taxonomy: Taxonomy, label: str) -> str:
    return taxonomy.name(label) if label in taxonomy.ids else label


def per_category(taxonomy: Taxonomy, counts: Iterable[KeyCount]) -> tuple[Count, ...]:
    """Leads per category in taxonomy order (zeros included), unknown ids after them."""
    found = {row.key: row.count for row in counts if row.key is not None}
    known = [Count(c.id, c.name, found.pop(c.id, 0)) for c in taxonomy.categories]
    return tuple(known + [Count(label, label, n) for label, n in sorted(found.items())])


def per_region(counts: Iterable[KeyCount]) -> tuple[tuple[RegionCount, ...], int]:
    """Leads per METI region and prefecture (all 47, zeros included) and the unknown rest."""
    by_prefecture: Counter[str] = Counter()
    unknown = 0
    for row in counts:
        found = prefecture(row.key) if row.key else None
        if found is None:
            unknown += row.count
        else:
            by_prefecture[found.name] += row.count
    regions = []
    for region in REGIONS:
        rows = tuple(Count(p.name, p.name, by_prefecture[p.name]) for p in PREFECTURES if p.region == region)
        regions.append(RegionCount(region, sum(r.count for r in rows), rows))
    return tuple(regions), unknown


def _is_assignment(decision: Decision) -> bool:
    return decision.coordinator_id is not None and decision.hub_id is not None


def _sla_state(decision: Decision, now: datetime) -> tuple[bool, bool]:
    """(checked, breached) of one decision against its deadline."""
    due = decision.due_at
    if due is None or not _is_assignment(decision) or decision.decided_at >= due:
        # a case that reached the hub already past its deadline is not held against it
        return False, False
    outcome = decision.outcome
    if outcome in (AssignmentOutcome.ACCEPTED, AssignmentOutcome.DECLINED):
        return True, decision.responded_at is not None and decision.responded_at > due
    if outcome is AssignmentOutcome.EXPIRED:
        return True, True
    if outcome is AssignmentOutcome.PENDING and now > due:
        return True, True
    return False, False  # still within its deadline, or superseded / withdrawn


def _by_lead(decisions: Iterable[Decision]) -> dict[int, list[Decision]]:
    grouped: dict[int, list[Decision]] = defaultdict(list)
    for decision in decisions:
        grouped[decision.lead_id].append(decision)
    return grouped


def hub_responses(data: ReportData, *, min_responses: int, now: datetime) -> tuple[HubResponse, ...]:
    """Acceptance time, SLA breaches and declines per hub, ranked by median acceptance time."""
    stats: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"decisions": 0, "hours": [], "checked": 0, "breaches": 0, "declined": 0}
    )
    for decision in data.decisions:
        if not _is_assignment(decision):
            continue
        row = stats[str(decision.hub_id)]
        row["decisions"] += 1
        row["declined"] += decision.outcome is AssignmentOutcome.DECLINED
        checked, breached = _sla_state(decision, now)
        row["checked"] += checked
        row["breaches"] += breached
    for lead_decisions in _by_lead(data.decisions).values():
        first = next((d for d in lead_decisions if d.outcome is AssignmentOutcome.ACCEPTED
                      and d.responded_at is not None and _is_assignment(d)), None)
        if first is not None and first.responded_at is not None:
            hours = (first.responded_at - first.lead_created_at).total_seconds() / 3600
            stats[str(first.hub_id)]["hours"].append(hours)
    rows = []
    for hub_id, row in stats.items():
        info = data.hubs.get(hub_id)
        times: list[float] = row["hours"]
        rows.append(HubResponse(
            hub_id=hub_id, hub_name=info.name if info else hub_id, prefecture=info.prefecture if info else "",
            decisions=row["decisions"], accepted=len(times),
            median_hours=round(statistics.median(times), 1) if times else None,
            sla_checked=row["checked"], sla_breaches=row["breaches"], declined=row["declined"],
            enough=len(times) >= min_responses, rank=None,
        ))
    ranked = [r for r in rows if r.enough and r.median_hours is not None]
    ranks = competition_ranks(ranked, lambda r: r.median_hours or 0.0, descending=False)
    with_rank = [replace(r, rank=rank) for r, rank in zip(ranked, ranks, strict=True)]
    rest = sorted((r for r in rows if r not in ranked), key=lambda r: (-r.decisions, r.hub_id))
    return tuple(sorted(with_rank, key=lambda r: (r.rank or 0, r.hub_id)) + rest)


def satisfaction(
    totals: Iterable[SurveyTotals], names: Callable[[str], tuple[str, str]], *, min_responses: int
) -> tuple[Satisfaction, ...]:
    """Mean score per hub or coordinator; only those with enough responses are ranked."""
    rows = []
    for total in totals:
        name, detail = names(total.key)
        mean = round(total.score_sum / total.responses, 2) if total.responses else None
        rows.append(Satisfaction(total.key, name, detail, total.sent, total.responses, mean,
                                 total.responses >= min_responses, None))
    ranked = [r for r in rows if r.enough and r.mean_score is not None]
    ranks = competition_ranks(ranked, lambda r: r.mean_score or 0.0, descending=True)
    with_rank = sorted((replace(r, rank=k) for r, k in zip(ranked, ranks, strict=True)),
                       key=lambda r: (r.rank or 0, -r.responses, r.id))
    rest = sorted((r for r in rows if r not in ranked), key=lambda r: (-r.responses, r.id))
    return tuple(with_rank + rest)


def reroutes(decisions: Iterable[Decision]) -> Reroutes:
    """Decisions after a lead's first one, by cause; a colleague taking over is not one."""
    causes: Counter[str] = Counter()
    rerouted: set[int] = set()
    escalations = 0
    for lead_id, lead_decisions in _by_lead(decisions).items():
        for before, decision in itertools.pairwise(lead_decisions):
            takeover = (before.outcome is AssignmentOutcome.SUPERSEDED and before.hub_id == decision.hub_id
                        and decision.actor != "routing" and decision.escalation_scope is None)
            if takeover:
                continue
            causes[REROUTE_CAUSES.get(before.outcome, "その他")] += 1
            rerouted.add(lead_id)
        escalations += sum(d.escalation_scope is not None for d in lead_decisions)
    names = [*REROUTE_CAUSES.values(), "その他"]
    by_cause = tuple(Count(name, name, causes[name]) for name in names if causes[name] or name != "その他")
    return Reroutes(len(rerouted), sum(causes.values()), by_cause, escalations)


def corrected(
    taxonomy: Taxonomy, rows: Iterable[Correction]
) -> tuple[tuple[Count, ...], tuple[CorrectionPair, ...]]:
    """Categories most often corrected (by the model's prediction) and the top pairs."""
    rows = list(rows)
    totals: Counter[str] = Counter()
    for row in rows:
        totals[row.predicted] += row.count
    order = {label: i for i, label in enumerate(taxonomy.ids)}
    categories = tuple(
        Count(label, _category_name(taxonomy, label), n)
        for label, n in sorted(totals.items(), key=lambda item: (-item[1], order.get(item[0], 99), item[0]))
    )
    pairs = sorted(rows, key=lambda r: (-r.count, order.get(r.predicted, 99), order.get(r.label, 99)))
    return categories, tuple(
        CorrectionPair(r.predicted, _category_name(taxonomy, r.predicted), r.label,
                       _category_name(taxonomy, r.label), r.count)
        for r in pairs[:TOP_CORRECTIONS]
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def model_figures(
    version: str,
    created_at: str,
    metrics: dict[str, Any],
    taxonomy: Taxonomy,
    evaluation: dict[str, Any] | None = None,
) -> ModelFigures:
    """The registry's stored metrics of one version (cross-validated when it was trained),
    categories in taxonomy order."""
    stored = [str(label) for label in metrics.get("labels", ())]
    order = {label: i for i, label in enumerate(taxonomy.ids)}
    labels = tuple(sorted(stored, key=lambda label: (order.get(label, len(order)), label)))
    per_label = metrics.get("per_label", {})
    scores = tuple(
        LabelScore(label, _category_name(taxonomy, label), float(s.get("precision", 0.0)),
                   float(s.get("recall", 0.0)), float(s.get("f1", 0.0)), int(s.get("support", 0)))
        for label in (labels or tuple(per_label))
        if isinstance(s := per_label.get(label), dict)
    )
    matrix = [[int(v) for v in row] for row in metrics.get("confusion", ())]
    confusion: tuple[tuple[int, ...], ...] = ()
    if len(matrix) == len(stored) and all(len(row) == len(stored) for row in matrix):
        at = [stored.index(label) for label in labels]  # stored order -> taxonomy order
        confusion = tuple(tuple(matrix[i][j] for j in at) for i in at)
    count = _number(metrics.get("count"))
    held_out = (evaluation or {}).get("report")
    held_out = held_out if isinstance(held_out, dict) else {}
    held_out_count = _number(held_out.get("count"))
    return ModelFigures(
        version=version, created_at=_stored_time(created_at),
        macro_f1=_number(metrics.get("macro_f1")), accuracy=_number(metrics.get("accuracy")),
        examples=int(count) if count is not None else None,
        per_label=scores, labels=labels,
        label_names=tuple(_category_name(taxonomy, label) for label in labels),
        confusion=confusion,
        evaluation_macro_f1=_number(held_out.get("macro_f1")),
        evaluation_count=int(held_out_count) if held_out_count is not None else None,
    )


def _stored_time(text: str) -> str:
    """An ISO timestamp from the registry in Japan time (kept as it is when unreadable)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return japan_time(moment) if moment.tzinfo else text


def japan_time(moment: datetime) -> str:
    """「2026年11月27日 12:30」 in Japan time."""
    local = moment.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _comments(data: ReportData) -> tuple[Comment, ...] | None:
    if data.comments is None:
        return None
    return tuple(
        Comment(
            hub_name=data.hubs[c.hub_id].name if c.hub_id in data.hubs else "",
            score=c.score, comment=c.comment, answered_on=japan_time(c.answered_at).split(" ")[0],
        )
        for c in data.comments
    )


def build_report(
    data: ReportData,
    taxonomy: Taxonomy,
    *,
    model: ModelFigures | None,
    min_responses: int,
    now: datetime,
    first_month: str | None = None,
    last_month: str | None = None,
) -> Report:
    """Every figure of the report from the facts read at ``now`` (for the months from
    ``first_month`` to ``last_month`` when the data was read for that period)."""
    months = per_month(data.created, first_month, last_month)
    regions, unknown = per_region(data.prefectures)
    hubs = data.hubs

    def hub_names(hub_id: str) -> tuple[str, str]:
        info = hubs.get(hub_id)
        return (info.name if info else hub_id), (info.prefecture if info else "")

    def coordinator_names(coordinator_id: str) -> tuple[str, str]:
        info = data.coordinators.get(coordinator_id)
        if info is None:
            return coordinator_id, ""
        return info.name, (hubs[info.hub_id].name if info.hub_id in hubs else info.hub_id)

    categories, pairs = corrected(taxonomy, data.corrections)
    return Report(
        generated_at=japan_time(now),
        first_month=months[0].key if months else None,
        last_month=months[-1].key if months else None,
        min_responses=min_responses,
        total_leads=len(data.created),
        categories=per_category(taxonomy, data.categories),
        regions=regions,
        unknown_prefecture=unknown,
        months=months,
        hubs=hub_responses(data, min_responses=min_responses, now=now),
        hub_satisfaction=satisfaction(data.hub_surveys, hub_names, min_responses=min_responses),
        coordinator_satisfaction=satisfaction(
            data.coordinator_surveys, coordinator_names, min_responses=min_responses
        ),
        reroutes=reroutes(data.decisions),
        model=model,
        corrected_categories=categories,
        corrections=pairs,
        comments=_comments(data),
    )
