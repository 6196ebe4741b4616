"""Satisfaction surveys: the owner's 1-5 score after a case is closed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ID_LENGTH, UTCDateTime, utcnow


class SatisfactionSurvey(SQLModel, table=True):
    """One survey per lead, kept against the hub and coordinator who handled it."""

    __tablename__ = "satisfaction_survey"
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", unique=True)
    hub_id: str | None = Field(default=None, foreign_key="hub.id", index=True, max_length=ID_LENGTH)
    coordinator_id: str | None = Field(
        default=None, foreign_key="coordinator.id", index=True, max_length=ID_LENGTH
    )
    score: int | None = None
    comment: str | None = Field(default=None, sa_type=sa.Text)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
