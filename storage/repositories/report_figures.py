"""The queries behind the published report: counts and facts, no personal data.

Each function returns plain frozen dataclasses; medians, month buckets in Japan time and
rankings are computed by ``reports`` (pure Python, the same on SQLite and PostgreSQL).
Survey comments are free text from owners and are read only by `survey_comments`, which
the report uses when an admin asks for comments explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import Assignment, AssignmentOutcome, Coordinator, FeedbackStatus, Hub, LabelFeedback, Lead
from models import SatisfactionSurvey as Survey


@dataclass(frozen=True, slots=True)
class KeyCount:
    """How many leads (or rows) share one key; ``key`` None means "not known"."""

    key: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Decision:
    """One routing decision of a lead, as the report needs it."""

    lead_id: int
    lead_created_at: datetime
    hub_id: str | None
    coordinator_id: str | None
    escalation_scope: str | None
    outcome: AssignmentOutcome
    actor: str
    decided_at: datetime
    due_at: datetime | None
    responded_at: datetime | None


@dataclass(frozen=True, slots=True)
class SurveyTotals:
    """Surveys of one hub or coordinator: sent, answered, and the sum of the scores."""

    key: str
    sent: int
    responses: int
    score_sum: int


@dataclass(frozen=True, slots=True)
class Correction:
    """How often the model's ``predicted`` category was corrected to ``label``."""

    predicted: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class HubInfo:
    """A hub's name and place from the directory."""

    id: str
    name: str
    prefecture: str
    region: str


@dataclass(frozen=True, slots=True)
class CoordinatorInfo:
    """A coordinator's name and hub from the directory."""

    id: str
    name: str
    hub_id: str


@dataclass(frozen=True, slots=True)
class SurveyComment:
    """An answered survey's comment (owner's free text: shown only on request)."""

    hub_id: str | None
    score: int
    comment: str
    answered_at: datetime


def leads_per_category(session: Session) -> list[KeyCount]:
    """Leads per category id."""
    statement = select(Lead.label, func.count()).group_by(col(Lead.label))
    return [KeyCount(label, count) for label, count in session.exec(statement)]


def leads_per_prefecture(session: Session) -> list[KeyCount]:
    """Leads per prefecture the owner named (None: not known)."""
    statement = select(Lead.prefecture, func.count()).group_by(col(Lead.prefecture))
    return [KeyCount(prefecture, count) for prefecture, count in session.exec(statement)]


def lead_created_times(session: Session) -> list[datetime]:
    """When each lead was created (UTC); the report buckets them by month in Japan time."""
    return list(session.exec(select(Lead.created_at).order_by(col(Lead.created_at))))


def decisions(session: Session) -> list[Decision]:
    """Every routing decision with its lead's creation time, per lead in decision order."""
    statement = (
        select(Assignment, Lead.created_at)
        .join(Lead, col(Lead.id) == col(Assignment.lead_id))
        .order_by(col(Assignment.lead_id), col(Assignment.id))
    )
    return [
        Decision(
            lead_id=row.lead_id,
            lead_created_at=created_at,
            hub_id=row.hub_id,
            coordinator_id=row.coordinator_id,
            escalation_scope=row.escalation_scope,
            outcome=row.outcome,
            actor=row.actor,
            decided_at=row.decided_at,
            due_at=row.due_at,
            responded_at=row.responded_at,
        )
        for row, created_at in session.exec(statement)
    ]


def _survey_totals(session: Session, key: Any) -> list[SurveyTotals]:
    score = col(Survey.score)
    statement = (
        select(key, func.count(), func.count(score), func.coalesce(func.sum(score), 0))
        .where(col(key).is_not(None))
        .group_by(col(key))
    )
    rows = session.exec(statement)
    return [SurveyTotals(k, sent, answered, int(total or 0)) for k, sent, answered, total in rows]


def survey_totals_per_hub(session: Session) -> list[SurveyTotals]:
    """Surveys sent and answered per hub, with the sum of their scores."""
    return _survey_totals(session, Survey.hub_id)


def survey_totals_per_coordinator(session: Session) -> list[SurveyTotals]:
    """Surveys sent and answered per coordinator, with the sum of their scores."""
    return _survey_totals(session, Survey.coordinator_id)


def corrections(session: Session) -> list[Correction]:
    """Labels that differ from the model's prediction (rejected feedback left out)."""
    statement = (
        select(LabelFeedback.predicted_label, LabelFeedback.label, func.count())
        .where(col(LabelFeedback.predicted_label).is_not(None))
        .where(col(LabelFeedback.label) != col(LabelFeedback.predicted_label))
        .where(LabelFeedback.status != FeedbackStatus.REJECTED)
        .group_by(col(LabelFeedback.predicted_label), col(LabelFeedback.label))
    )
    return [Correction(str(predicted), label, count) for predicted, label, count in session.exec(statement)]


def hubs_by_id(session: Session, *, ids: Iterable[str]) -> dict[str, HubInfo]:
    """Directory facts of the given hubs (deactivated ones included)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    statement = select(Hub).where(col(Hub.id).in_(wanted))
    return {h.id: HubInfo(h.id, h.name, h.prefecture, h.region) for h in session.exec(statement)}


def coordinators_by_id(session: Session, *, ids: Iterable[str]) -> dict[str, CoordinatorInfo]:
    """Directory facts of the given coordinators (deactivated ones included)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    statement = select(Coordinator).where(col(Coordinator.id).in_(wanted))
    return {c.id: CoordinatorInfo(c.id, c.name, c.hub_id) for c in session.exec(statement)}


def survey_comments(session: Session, *, limit: int) -> list[SurveyComment]:
    """The newest answered surveys that carry a comment, newest first."""
    statement = (
        select(Survey)
        .where(col(Survey.score).is_not(None), col(Survey.comment).is_not(None))
        .where(col(Survey.answered_at).is_not(None))
        .order_by(col(Survey.answered_at).desc(), col(Survey.id).desc())
        .limit(limit)
    )
    return [
        SurveyComment(s.hub_id, int(s.score or 0), s.comment or "", s.answered_at or s.sent_at)
        for s in session.exec(statement)
        if (s.comment or "").strip()
    ]
