"""Finding the satisfaction survey an owner is being asked to answer."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models import Lead, SatisfactionSurvey


def open_survey_for_chat(session: Session, *, channel: str, chat_id: str) -> SatisfactionSurvey | None:
    """The newest unanswered survey of one owner's chat, if any."""
    statement = (
        select(SatisfactionSurvey)
        .join(Lead, col(Lead.id) == col(SatisfactionSurvey.lead_id))
        .where(Lead.channel == channel, Lead.chat_id == chat_id)
        .where(col(SatisfactionSurvey.answered_at).is_(None))
        .order_by(col(SatisfactionSurvey.id).desc())
    )
    return session.exec(statement).first()
