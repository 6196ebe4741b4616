"""Label feedback (training candidates) and satisfaction surveys.

A candidate's ``text`` is stored redacted (callers pass `nlp.redact.redact` output; the
repository cannot import nlp's tokenizer). Training reads only approved rows, the latest
per lead.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import (
    FeedbackSource,
    FeedbackStatus,
    LabelFeedback,
    Lead,
    LeadStatus,
    SatisfactionSurvey,
    utcnow,
)


def add_label_feedback(
    session: Session,
    *,
    text: str,
    label: str,
    source: FeedbackSource,
    actor: str,
    lead_id: int | None = None,
    predicted_label: str | None = None,
    secondary_labels: list[str] | None = None,
    model_version: str | None = None,
    status: FeedbackStatus = FeedbackStatus.CANDIDATE,
) -> LabelFeedback:
    """Store a label for a (redacted) text as a candidate for training (an admin's own
    label may be stored approved at once)."""
    row = LabelFeedback(
        status=status,
        reviewed_at=utcnow() if status is not FeedbackStatus.CANDIDATE else None,
        text=text,
        label=label,
        source=source,
        actor=actor,
        lead_id=lead_id,
        predicted_label=predicted_label,
        secondary_labels=list(secondary_labels or []),
        model_version=model_version,
    )
    session.add(row)
    return row


def feedback_with_status(session: Session, *, status: FeedbackStatus) -> list[LabelFeedback]:
    """Feedback rows in one review state, oldest first."""
    statement = select(LabelFeedback).where(LabelFeedback.status == status).order_by(col(LabelFeedback.id))
    return list(session.exec(statement))


def get_feedback(session: Session, *, feedback_id: int) -> LabelFeedback | None:
    """One feedback row."""
    return session.get(LabelFeedback, feedback_id)


def recent_candidates(session: Session, *, limit: int) -> list[LabelFeedback]:
    """Candidates waiting for review, newest first."""
    statement = (
        select(LabelFeedback)
        .where(LabelFeedback.status == FeedbackStatus.CANDIDATE)
        .order_by(col(LabelFeedback.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def approved_for_training(session: Session) -> list[LabelFeedback]:
    """Approved labels, the latest approval per lead (a case relabelled twice counts once)."""
    statement = (
        select(LabelFeedback)
        .where(LabelFeedback.status == FeedbackStatus.APPROVED)
        .order_by(col(LabelFeedback.id))
    )
    latest: dict[object, LabelFeedback] = {}
    for row in session.exec(statement):
        latest[row.lead_id if row.lead_id is not None else ("row", row.id)] = row
    return sorted(latest.values(), key=lambda row: row.id or 0)


def unlabelled_leads(session: Session, *, limit: int) -> list[Lead]:
    """Recent leads no one has labelled yet (no feedback row), newest first; withdrawn
    leads are skipped (their words may be erased)."""
    labelled = select(LabelFeedback.lead_id).where(col(LabelFeedback.lead_id).is_not(None))
    statement = (
        select(Lead)
        .where(col(Lead.id).not_in(labelled), Lead.status != LeadStatus.WITHDRAWN)
        .order_by(col(Lead.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def review_feedback(
    session: Session, *, feedback_id: int, status: FeedbackStatus, label: str | None = None
) -> LabelFeedback:
    """Approve or reject a candidate, optionally setting the final label."""
    row = session.get(LabelFeedback, feedback_id)
    if row is None:
        raise KeyError(f"label feedback {feedback_id} does not exist")
    row.status = status
    if label is not None:
        row.label = label
    row.reviewed_at = utcnow()
    session.add(row)
    return row


def open_survey(
    session: Session, *, lead_id: int, hub_id: str | None, coordinator_id: str | None
) -> SatisfactionSurvey:
    """The survey sent to the owner when a case is closed (one per lead)."""
    existing = session.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.lead_id == lead_id)).first()
    if existing is not None:
        return existing
    survey = SatisfactionSurvey(lead_id=lead_id, hub_id=hub_id, coordinator_id=coordinator_id)
    session.add(survey)
    return survey


def answer_survey(
    session: Session, *, lead_id: int, score: int, comment: str | None = None, at: datetime | None = None
) -> SatisfactionSurvey:
    """Store the owner's score (1-5) and optional comment."""
    if not 1 <= score <= 5:
        raise ValueError("score must be between 1 and 5")
    survey = session.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.lead_id == lead_id)).first()
    if survey is None:
        raise KeyError(f"no survey was sent for lead {lead_id}")
    survey.score, survey.comment, survey.answered_at = score, comment, at or utcnow()
    session.add(survey)
    return survey
