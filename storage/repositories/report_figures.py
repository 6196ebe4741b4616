"""The queries behind the published report: counts and facts, no personal data.

Each function returns plain frozen dataclasses; medians, month buckets in Japan time and
rankings are computed by ``reports`` (pure Python, the same on SQLite and PostgreSQL).
Survey comments are free text from owners and are read only by `survey_comments`, which
the report uses when an admin asks for comments explicitly.

Every function takes an optional `Period`: only leads created in it count, and with them
their decisions and surveys; label feedback counts when it was given in the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import Assignment, AssignmentOutcome, Coordinator, FeedbackStatus, Hub, LabelFeedback, Lead
from models import SatisfactionSurvey as Survey


@dataclass(frozen=True, slots=True)
class Period:
    """A span of time: ``start`` included, ``end`` excluded; None leaves that side open."""

    start: datetime | None = None
    end: datetime | None = None


ALL_TIME = Period()


class _Filterable(Protocol):
    def where(self, *whereclause: Any) -> Self: ...


Q = TypeVar("Q", bound=_Filterable)


def _within(statement: Q, column: Any, period: Period) -> Q:
    """``statement`` limited to rows whose ``column`` lies in ``period``."""
    if period.start is not None:
        statement = statement.where(col(column) >= period.start)
    if period.end is not None:
        statement = statement.where(col(column) < period.end)
    return statement


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


def leads_per_category(session: Session, *, period: Period = ALL_TIME) -> list[KeyCount]:
    """Leads per category id."""
    statement = _within(select(Lead.label, func.count()), Lead.created_at, period).group_by(col(Lead.label))
    return [KeyCount(label, count) for label, count in session.exec(statement)]


def leads_per_prefecture(session: Session, *, period: Period = ALL_TIME) -> list[KeyCount]:
    """Leads per prefecture the owner named (None: not known)."""
    statement = select(Lead.prefecture, func.count())
    statement = _within(statement, Lead.created_at, period).group_by(col(Lead.prefecture))
    return [KeyCount(prefecture, count) for prefecture, count in session.exec(statement)]


def lead_created_times(session: Session, *, period: Period = ALL_TIME) -> list[datetime]:
    """When each lead was created (UTC); the report buckets them by month in Japan time."""
    statement = _within(select(Lead.created_at), Lead.created_at, period)
    return list(session.exec(statement.order_by(col(Lead.created_at))))


def decisions(session: Session, *, period: Period = ALL_TIME) -> list[Decision]:
    """Every routing decision with its lead's creation time, per lead in decision order."""
    statement = select(Assignment, Lead.created_at).join(Lead, col(Lead.id) == col(Assignment.lead_id))
    statement = _within(statement, Lead.created_at, period)
    statement = statement.order_by(col(Assignment.lead_id), col(Assignment.id))
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


def _survey_totals(session: Session, key: Any, period: Period) -> list[SurveyTotals]:
    score = col(Survey.score)
    statement = (
        select(key, func.count(), func.count(score), func.coalesce(func.sum(score), 0))
        .join(Lead, col(Lead.id) == col(Survey.lead_id))
        .where(col(key).is_not(None))
    )
    statement = _within(statement, Lead.created_at, period).group_by(col(key))
    rows = session.exec(statement)
    return [SurveyTotals(k, sent, answered, int(total or 0)) for k, sent, answered, total in rows]


def survey_totals_per_hub(session: Session, *, period: Period = ALL_TIME) -> list[SurveyTotals]:
    """Surveys sent and answered per hub, with the sum of their scores."""
    return _survey_totals(session, Survey.hub_id, period)


def survey_totals_per_coordinator(session: Session, *, period: Period = ALL_TIME) -> list[SurveyTotals]:
    """Surveys sent and answered per coordinator, with the sum of their scores."""
    return _survey_totals(session, Survey.coordinator_id, period)


def corrections(session: Session, *, period: Period = ALL_TIME) -> list[Correction]:
    """Labels that differ from the model's prediction (rejected feedback left out)."""
    statement = (
        select(LabelFeedback.predicted_label, LabelFeedback.label, func.count())
        .where(col(LabelFeedback.predicted_label).is_not(None))
        .where(col(LabelFeedback.label) != col(LabelFeedback.predicted_label))
        .where(LabelFeedback.status != FeedbackStatus.REJECTED)
    )
    statement = _within(statement, LabelFeedback.created_at, period).group_by(
        col(LabelFeedback.predicted_label), col(LabelFeedback.label)
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


def survey_comments(session: Session, *, limit: int, period: Period = ALL_TIME) -> list[SurveyComment]:
    """The newest answered surveys that carry a comment, newest first."""
    statement = (
        select(Survey)
        .join(Lead, col(Lead.id) == col(Survey.lead_id))
        .where(col(Survey.score).is_not(None), col(Survey.comment).is_not(None))
        .where(col(Survey.answered_at).is_not(None))
    )
    statement = _within(statement, Lead.created_at, period)
    statement = statement.order_by(col(Survey.answered_at).desc(), col(Survey.id).desc()).limit(limit)
    return [
        SurveyComment(s.hub_id, int(s.score or 0), s.comment or "", s.answered_at or s.sent_at)
        for s in session.exec(statement)
        if (s.comment or "").strip()
    ]
