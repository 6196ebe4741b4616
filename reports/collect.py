"""Reading what the report needs: the repositories' figures and the registry's metrics."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from nlp.redact import redact
from nlp.registry import ModelRegistry
from nlp.taxonomy import Taxonomy
from reports.compute import ReportData, build_report, model_figures, months_period
from reports.figures import ModelFigures, Report
from storage.database import Database
from storage.repositories import report_figures as q

COMMENT_LIMIT = 30


def read_data(
    database: Database, *, with_comments: bool = False, period: q.Period = q.ALL_TIME
) -> ReportData:
    """Every count and fact of the report (leads created in ``period``), read in one session."""
    with database.session() as session:
        decisions = q.decisions(session, period=period)
        hub_surveys = q.survey_totals_per_hub(session, period=period)
        coordinator_surveys = q.survey_totals_per_coordinator(session, period=period)
        comments = None
        if with_comments:  # owners' free text: personal data is taken out before it is shown
            comments = [replace(c, comment=redact(c.comment))
                        for c in q.survey_comments(session, limit=COMMENT_LIMIT, period=period)]
        coordinators = q.coordinators_by_id(
            session, ids=[s.key for s in coordinator_surveys] + [d.coordinator_id for d in decisions
                                                                  if d.coordinator_id]
        )
        hub_ids = [d.hub_id for d in decisions if d.hub_id] + [s.key for s in hub_surveys]
        hub_ids += [c.hub_id for c in coordinators.values()]
        hub_ids += [c.hub_id for c in comments or () if c.hub_id]
        return ReportData(
            categories=q.leads_per_category(session, period=period),
            prefectures=q.leads_per_prefecture(session, period=period),
            created=q.lead_created_times(session, period=period),
            decisions=decisions,
            hub_surveys=hub_surveys,
            coordinator_surveys=coordinator_surveys,
            corrections=q.corrections(session, period=period),
            hubs=q.hubs_by_id(session, ids=hub_ids),
            coordinators=coordinators,
            comments=comments,
        )


def current_model(registry: ModelRegistry, taxonomy: Taxonomy) -> ModelFigures | None:
    """The promoted model's stored metrics, or None when no model was promoted (no training)."""
    version = registry.current_version()
    if version is None:
        return None
    meta = registry.meta(version)
    return model_figures(meta.version, meta.created_at, dict(meta.metrics), taxonomy, dict(meta.evaluation))


def make_report(
    database: Database,
    registry: ModelRegistry,
    taxonomy: Taxonomy,
    *,
    min_responses: int,
    now: datetime,
    with_comments: bool = False,
    first_month: str | None = None,
    last_month: str | None = None,
) -> Report:
    """The whole report as of ``now``, for leads created from ``first_month`` to
    ``last_month`` (``YYYY-MM``, Japan time, both included; None: open-ended)."""
    period = months_period(first_month, last_month)
    data = read_data(database, with_comments=with_comments, period=period)
    return build_report(
        data, taxonomy, model=current_model(registry, taxonomy), min_responses=min_responses, now=now,
        first_month=first_month, last_month=last_month,
    )
